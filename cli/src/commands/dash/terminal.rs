//! The terminal while the dashboard owns it: raw mode, the alternate screen, a hidden
//! cursor, and stderr sent to a log file (a log line written over the screen would
//! garble it, and in `orders up --dash` the services log in the same process). All of it
//! is undone when the dashboard ends, however it ends: a return, an error, Ctrl-C (a key
//! in raw mode), SIGTERM, or a panic, through a panic hook that restores first and then
//! lets the panic be reported as usual.

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::event::{self, Event as TermEvent, KeyEvent, KeyEventKind};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::fs::File;
use std::io::{self, Stdout};
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Whether the terminal is in the dashboard's state now.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The real stderr, while stderr goes to the log file.
static SAVED_STDERR: Mutex<Option<OwnedFd>> = Mutex::new(None);

/// The terminal, in the dashboard's state until dropped.
pub(crate) struct Screen {
    pub(crate) terminal: Terminal<CrosstermBackend<Stdout>>,
    log: Option<PathBuf>,
}

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screen").field("log", &self.log).finish()
    }
}

impl Screen {
    pub(crate) fn enter() -> io::Result<Self> {
        install_panic_hook();
        let log = redirect_stderr();
        ACTIVE.store(true, Ordering::SeqCst);
        let entered = enable_raw_mode()
            .and_then(|()| execute!(io::stdout(), EnterAlternateScreen, Hide))
            .and_then(|()| Terminal::new(CrosstermBackend::new(io::stdout())));
        match entered {
            Ok(terminal) => Ok(Self { terminal, log }),
            Err(error) => {
                restore();
                Err(error)
            }
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
        if let Some(path) = &self.log {
            match std::fs::metadata(path) {
                Ok(meta) if meta.len() > 0 => {
                    eprintln!(
                        "orders dash: what was logged while it ran is in {}",
                        path.display()
                    );
                }
                _ => {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }
}

/// Sends stderr to a log file of its own; returns its path, or `None` (and leaves
/// stderr alone) when that cannot be done.
fn redirect_stderr() -> Option<PathBuf> {
    let path = std::env::temp_dir().join(format!("orders-dash-{}.log", std::process::id()));
    let file = File::create(&path).ok()?;
    let saved = rustix::io::dup(io::stderr()).ok()?;
    if rustix::stdio::dup2_stderr(&file).is_err() {
        return None;
    }
    *SAVED_STDERR.lock().unwrap_or_else(|p| p.into_inner()) = Some(saved);
    Some(path)
}

/// Whether the terminal is still the dashboard's: a panic anywhere in the process
/// gives it back (through the panic hook), and then the dashboard must stop drawing.
pub(crate) fn active() -> bool {
    ACTIVE.load(Ordering::SeqCst)
}

/// Puts the terminal and stderr back as they were; does nothing when they already are.
pub(crate) fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, Show);
    if let Some(saved) = SAVED_STDERR
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
    {
        let _ = rustix::stdio::dup2_stderr(&saved);
    }
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// What the person at the terminal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    Key(KeyEvent),
    Resize,
}

/// Reads the terminal's input on a thread of its own (crossterm's reader blocks) until
/// `stop`, or until nobody listens.
pub(crate) fn input(stop: CancellationToken) -> mpsc::UnboundedReceiver<Input> {
    let (sender, receiver) = mpsc::unbounded_channel();
    let spawned = std::thread::Builder::new()
        .name("dash-input".into())
        .spawn(move || {
            while !stop.is_cancelled() && !sender.is_closed() {
                match event::poll(Duration::from_millis(100)) {
                    Ok(false) => continue,
                    Ok(true) => {}
                    Err(_) => break,
                }
                let input = match event::read() {
                    Ok(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => Input::Key(key),
                    Ok(TermEvent::Resize(_, _)) => Input::Resize,
                    Ok(_) => continue,
                    Err(_) => break,
                };
                if sender.send(input).is_err() {
                    break;
                }
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "cannot read the keyboard");
    }
    receiver
}
