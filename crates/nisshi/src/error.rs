//! What can go wrong while finding, installing or running nisshi.
//!
//! Each message says what failed and what a person can do about it, and quotes the last lines
//! of nisshi's (or cargo's) output when that is where the cause is, because the caller is often
//! a test that fails in CI far from the log file.

use std::{io, path::PathBuf, process::ExitStatus, time::Duration};

use crate::{VERSION, install::INSTALL_COMMAND};

/// The crate's result, with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything this crate can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No nisshi of the right version was found.
    #[error(
        "nisshi {VERSION} is not installed (looked for {}{}); install it with `{INSTALL_COMMAND}` \
         (~20 minutes on 2 cores) or set NISSHI_BIN to its path",
        join_paths(searched),
        others_note(others)
    )]
    NotInstalled {
        /// Every path that was looked at.
        searched: Vec<PathBuf>,
        /// nisshi binaries that were found but are not [`VERSION`], as "path (version output)".
        others: Vec<String>,
    },

    /// The binary that NISSHI_BIN names, or that an install produced, is not [`VERSION`].
    #[error(
        "{} is not nisshi {VERSION}: `--version` printed {found:?}; point NISSHI_BIN at nisshi \
         {VERSION}, or unset it and run `{INSTALL_COMMAND}`",
        path.display()
    )]
    WrongVersion {
        /// The binary that was asked.
        path: PathBuf,
        /// What its `--version` printed.
        found: String,
    },

    /// A candidate binary could not be run to ask its version.
    #[error("could not run `{} --version`: {source}", path.display())]
    VersionCheck {
        /// The binary that was asked.
        path: PathBuf,
        /// Why it could not run.
        source: io::Error,
    },

    /// `cargo install nisshi` failed.
    #[error("`{INSTALL_COMMAND}` failed ({status}); its last lines:\n{tail}")]
    Install {
        /// cargo's exit status.
        status: ExitStatus,
        /// The last lines cargo printed.
        tail: String,
    },

    /// A file or directory the crate needs could not be made or read.
    #[error("could not {action}: {source}")]
    Io {
        /// What was being done, e.g. "create the data directory /x".
        action: String,
        /// The cause.
        source: io::Error,
    },

    /// The process that runs nisshi could not be started at all.
    #[error("could not start {}: {source}", program.display())]
    Spawn {
        /// The program that was started.
        program: PathBuf,
        /// The cause.
        source: io::Error,
    },

    /// nisshi exited before it said it was ready.
    #[error(
        "nisshi exited ({}) before it was ready; the last lines of its log {}:\n{tail}",
        describe_status(*status),
        log.display()
    )]
    Exited {
        /// How it exited.
        status: ExitStatus,
        /// Where its whole output is.
        log: PathBuf,
        /// The last lines of that output.
        tail: String,
    },

    /// nisshi could not listen on its port because another socket already does.
    #[error(
        "127.0.0.1:{port} is already in use, so nisshi could not listen on it; stop what uses it \
         or use another port (0 picks a free one). The last lines of its log {}:\n{tail}",
        log.display()
    )]
    PortInUse {
        /// The port that was asked for.
        port: u16,
        /// Where nisshi's whole output is.
        log: PathBuf,
        /// The last lines of that output.
        tail: String,
    },

    /// nisshi did not become ready before the deadline; it has been killed.
    #[error(
        "nisshi was not ready after {after:?} (it was killed); raise `ready_timeout` if the \
         machine is busy. The last lines of its log {}:\n{tail}",
        log.display()
    )]
    NotReady {
        /// How long it was given.
        after: Duration,
        /// Where its whole output is.
        log: PathBuf,
        /// The last lines of that output.
        tail: String,
    },

    /// Schemas to enforce were given for a broker without a data directory to keep them in.
    #[error(
        "nisshi reads the schemas it enforces from its data directory: schema enforcement \
         needs sqlite storage"
    )]
    SchemasNeedSqlite,

    /// Nothing at the address answered a Kafka ApiVersions request.
    #[error("no Kafka broker answers at {addr}: {reason}")]
    Probe {
        /// The address that was asked.
        addr: String,
        /// What happened instead of an answer.
        reason: String,
    },
}

impl Error {
    pub(crate) fn io(action: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            action: action.into(),
            source,
        }
    }
}

fn join_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "nothing: set NISSHI_BIN, PATH or HOME".to_owned();
    }
    paths
        .iter()
        .map(|path| path.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn others_note(others: &[String]) -> String {
    if others.is_empty() {
        String::new()
    } else {
        format!("; found other versions: {}", others.join(", "))
    }
}

/// The watchdog shell exits with nisshi's code, and with 128 + N when a signal N killed nisshi,
/// as shells do; spelling out the signal saves the reader the arithmetic.
fn describe_status(status: ExitStatus) -> String {
    match status.code() {
        Some(code @ 129..=192) => format!("{status}, killed by signal {}", code - 128),
        _ => status.to_string(),
    }
}
