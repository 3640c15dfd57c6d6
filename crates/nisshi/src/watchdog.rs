//! Runs nisshi under a tiny `sh` watchdog so that it never outlives the process that started
//! it.
//!
//! The workspace forbids `unsafe`, so `prctl(PR_SET_PDEATHSIG)` is out, and `Drop` is not
//! enough: test harnesses keep their broker in a `static`, whose `Drop` never runs, and a
//! process can be SIGKILLed. What always happens when a process dies, however it dies, is that
//! the kernel closes its file descriptors. So the watchdog shell starts nisshi in the
//! background and a subshell of it reads the shell's stdin, a pipe whose only writer is this
//! process: lines on it are signals to send to nisshi (`TERM`, `KILL`), and end of file, when
//! this process closes the pipe or dies, means SIGKILL nisshi. The shell itself waits for
//! nisshi and exits with nisshi's status, so waiting for the shell is waiting for nisshi.

use std::{
    ffi::OsString,
    fs::File,
    io::{BufRead as _, BufReader, Write as _},
    os::unix::process::CommandExt as _,
    path::{Path, PathBuf},
    process::{Child, ChildStdin, Command, ExitStatus, Stdio},
    thread,
    time::{Duration, Instant},
};

use crate::{Error, LOG_FILTER_VAR, Result};

/// `$@` is nisshi and its arguments. nisshi gets /dev/null as stdin and the log as stdout and
/// stderr, and no copy of the control pipe (fd 3), so that only the watcher reads it.
///
/// The shell runs in a process group of its own (and nisshi with it), so that a terminal's
/// Ctrl-C, which goes to the whole foreground process group, reaches only the process that
/// started the broker: that one decides when the broker stops (`orders up` stops its
/// services first, while the broker still answers them). The traps cover a shell
/// signalled on its own: it kills nisshi before it goes rather than orphaning it. The
/// `wait` loop exists because a trapped signal interrupts `wait` before nisshi is gone.
const SCRIPT: &str = r#"
exec 3<&0
"$@" 3<&- </dev/null >&2 &
pid=$!
echo "$pid"
exec >&2
(
  while read -r signal <&3; do kill -s "$signal" "$pid"; done
  kill -s KILL "$pid"
) 2>/dev/null &
watcher=$!
exec 3<&-
trap 'kill -s KILL "$pid" 2>/dev/null' HUP INT TERM
while :; do
  wait "$pid"
  code=$?
  kill -0 "$pid" 2>/dev/null || break
done
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
exit "$code"
"#;

/// How often a wait for exit looks again. Short, because tests wait on it.
const POLL: Duration = Duration::from_millis(10);

/// A running nisshi and the watchdog shell that keeps it.
#[derive(Debug)]
pub(crate) struct Watchdog {
    shell: Child,
    /// The write end of the control pipe; dropping it makes the watcher SIGKILL nisshi.
    control: Option<ChildStdin>,
    pid: u32,
    status: Option<ExitStatus>,
}

impl Watchdog {
    /// Starts `program args…` in `cwd` under a watchdog, with its output appended to `log`.
    pub(crate) fn spawn(
        program: &Path,
        args: &[OsString],
        cwd: Option<&Path>,
        log: &File,
    ) -> Result<Self> {
        let log_error = |source| Error::io("hand the broker log to nisshi", source);
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(SCRIPT)
            .arg("orders-nisshi-watchdog")
            .arg(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log.try_clone().map_err(log_error)?)
            // Colour codes would make the log and the tails quoted in errors hard to read.
            .env("NO_COLOR", "1")
            // RUST_LOG is the caller's filter for its own logs: nisshi at `info` logs every
            // span of every request, millions of lines a minute under a pipeline's load,
            // enough to make it miss metadata deadlines. NISSHI_LOG is nisshi's own.
            .env_remove("RUST_LOG")
            // Out of the caller's process group: see SCRIPT.
            .process_group(0);
        if let Some(filter) = std::env::var_os(LOG_FILTER_VAR) {
            command.env("RUST_LOG", filter);
        }
        if let Some(cwd) = cwd {
            command.current_dir(cwd);
        }
        let mut shell = command.spawn().map_err(|source| Error::Spawn {
            program: PathBuf::from("sh"),
            source,
        })?;

        let pid = shell
            .stdout
            .take()
            .and_then(|stdout| {
                let mut line = String::new();
                BufReader::new(stdout).read_line(&mut line).ok()?;
                line.trim().parse::<u32>().ok()
            })
            .ok_or_else(|| {
                let _ = shell.kill();
                let _ = shell.wait();
                Error::Spawn {
                    program: program.to_path_buf(),
                    source: std::io::Error::other("the watchdog shell did not report nisshi's pid"),
                }
            })?;

        Ok(Watchdog {
            control: shell.stdin.take(),
            shell,
            pid,
            status: None,
        })
    }

    /// nisshi's own pid (not the shell's).
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// nisshi's exit status once it has exited, without waiting.
    pub(crate) fn try_wait(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            // An error here means the shell was already reaped, which only `status` records.
            self.status = self.shell.try_wait().ok().flatten();
        }
        self.status
    }

    /// SIGKILLs nisshi and waits until it is gone.
    pub(crate) fn kill(&mut self) -> Option<ExitStatus> {
        self.control = None;
        self.wait()
    }

    /// SIGTERMs nisshi, which then flushes and closes its storage, and SIGKILLs it if it is
    /// still there after `grace`.
    pub(crate) fn terminate(&mut self, grace: Duration) -> Option<ExitStatus> {
        if self.try_wait().is_some() {
            return self.status;
        }
        if let Some(control) = self.control.as_mut() {
            // A failed write means the watcher is gone, and with it nisshi.
            let _ = control.write_all(b"TERM\n").and_then(|()| control.flush());
        }
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Some(status) = self.try_wait() {
                return Some(status);
            }
            thread::sleep(POLL);
        }
        self.kill()
    }

    fn wait(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.shell.wait().ok();
        }
        self.status
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.kill();
    }
}
