//! The file that holds a broker's output, read back to see when it is ready and to quote in
//! errors.
//!
//! nisshi's stdout and stderr go to a file rather than a pipe so that nobody has to drain a
//! pipe for a broker's whole life (a test binary would block nisshi once the pipe filled).
//! One file serves every run of a broker, appended to on restart; each run reads only what
//! was written after it started, so a "ready" line of the previous run does not count.

use std::{
    fs::{self, File, OpenOptions},
    io::{Read as _, Seek as _, SeekFrom},
    path::{Path, PathBuf},
    process,
    sync::{
        Once,
        atomic::{AtomicU32, Ordering},
    },
};

use crate::{Error, Result};

/// How many lines an error quotes.
const TAIL_LINES: usize = 25;

/// How far back from the end the tail is looked for, so a long-lived broker's log is not read
/// whole to quote its end.
const TAIL_BYTES: u64 = 16 * 1024;

/// Temporary logs are named `orders-nisshi-<pid>-<n>.log`, after the process that owns them.
const TEMP_PREFIX: &str = "orders-nisshi-";

#[derive(Debug)]
pub(crate) struct BrokerLog {
    path: PathBuf,
    /// A log this crate named itself is removed when the broker is done, unless an error
    /// quoted its path.
    remove_on_drop: bool,
}

impl BrokerLog {
    /// Opens the log the caller asked for, or a new file in the temporary directory.
    pub(crate) fn open(requested: Option<&Path>) -> Result<Self> {
        let log = match requested {
            Some(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    fs::create_dir_all(parent).map_err(|source| {
                        Error::io(
                            format!("create the log directory {}", parent.display()),
                            source,
                        )
                    })?;
                }
                BrokerLog {
                    path: path.to_path_buf(),
                    remove_on_drop: false,
                }
            }
            None => {
                static NEXT: AtomicU32 = AtomicU32::new(0);
                static SWEEP: Once = Once::new();
                let temp = std::env::temp_dir();
                SWEEP.call_once(|| sweep_orphaned_logs(&temp));
                let name = format!(
                    "{TEMP_PREFIX}{}-{}.log",
                    process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                );
                BrokerLog {
                    path: temp.join(name),
                    remove_on_drop: true,
                }
            }
        };
        if log.remove_on_drop {
            // A file left by an earlier process with the same pid is not ours to append to.
            File::create(&log.path).map_err(|source| log.io_error("create", source))?;
        }
        Ok(log)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// A handle for nisshi to write to. Append mode, because nisshi and the watchdog shell
    /// write through separate descriptors and a restart continues the same file.
    pub(crate) fn writer(&self) -> Result<File> {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|source| self.io_error("open", source))
    }

    /// Where the next run's output will start.
    pub(crate) fn end(&self) -> u64 {
        fs::metadata(&self.path).map_or(0, |meta| meta.len())
    }

    /// Whether the output written since `offset` contains `needle`.
    pub(crate) fn contains_since(&self, offset: u64, needle: &str) -> bool {
        self.read_from(offset).contains(needle)
    }

    /// The last lines written since `offset`, for an error message.
    pub(crate) fn tail_since(&self, offset: u64) -> String {
        let from = offset.max(self.end().saturating_sub(TAIL_BYTES));
        let text = self.read_from(from);
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n");
        if tail.is_empty() {
            "(nothing)".to_owned()
        } else {
            tail
        }
    }

    /// Keeps the file after the broker is gone, because an error message names it.
    pub(crate) fn keep(&mut self) {
        self.remove_on_drop = false;
    }

    fn read_from(&self, offset: u64) -> String {
        let mut bytes = Vec::new();
        let read = File::open(&self.path).and_then(|mut file| {
            file.seek(SeekFrom::Start(offset))?;
            file.read_to_end(&mut bytes)
        });
        match read {
            Ok(_) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(error) => format!("(could not read {}: {error})", self.path.display()),
        }
    }

    fn io_error(&self, verb: &str, source: std::io::Error) -> Error {
        Error::io(
            format!("{verb} the broker log {}", self.path.display()),
            source,
        )
    }
}

/// Removes the temporary logs of processes that are gone. `Drop` cannot remove the log of a
/// broker kept in a `static` or of a process that was killed, and a log kept because an error
/// named it has served its purpose once that process has reported the error.
fn sweep_orphaned_logs(dir: &Path) {
    // Without /proc there is no cheap way to tell a live owner; keeping files is the safe side.
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let owner = name
            .to_str()
            .and_then(|name| name.strip_prefix(TEMP_PREFIX)?.strip_suffix(".log"))
            .and_then(|rest| rest.split('-').next()?.parse::<u32>().ok());
        if let Some(pid) = owner
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

impl Drop for BrokerLog {
    fn drop(&mut self) {
        if self.remove_on_drop {
            let _ = fs::remove_file(&self.path);
        }
    }
}
