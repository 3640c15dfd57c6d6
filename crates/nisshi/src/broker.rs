//! One running nisshi broker: start it on a free (or given) port with the storage asked for,
//! wait until it answers, and stop, kill or restart it.
//!
//! Fault tests SIGKILL a broker and restart it on the same storage and port, so a [`Broker`]
//! remembers everything needed to start the same broker again, and treats "the port is still
//! in use" after a kill as a reason to try again until the deadline rather than to fail.

use std::{
    ffi::OsString,
    fs, net,
    path::{Path, PathBuf},
    thread,
    time::{Duration, Instant},
};

use crate::{Error, Result, install, log::BrokerLog, probe, schemas, watchdog::Watchdog};

/// The sqlite database's file name inside [`Storage::Sqlite`]'s directory.
pub const SQLITE_FILE: &str = "broker.db";

/// Whether the broker at `addr` answers: a Kafka request on a plaintext listener, a TCP
/// connection on a TLS one.
fn answers(addr: &str, tls: bool) -> bool {
    if tls {
        addr.parse()
            .is_ok_and(|addr| std::net::TcpStream::connect_timeout(&addr, PROBE_TIMEOUT).is_ok())
    } else {
        probe(addr, PROBE_TIMEOUT).is_ok()
    }
}

/// What nisshi prints on stdout once it listens (`ready in 42ms`).
const READY_LINE: &str = "ready in ";
/// What nisshi prints when its listener's address is taken.
const IN_USE_LINE: &str = "is already in use";
/// How long each readiness probe may take; a ready broker answers in well under a millisecond.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);
const POLL: Duration = Duration::from_millis(10);
/// How many free ports to try when another process takes the one picked before nisshi binds it.
const PORT_ATTEMPTS: u32 = 5;
/// What `Drop` gives nisshi to close its storage; it aborts its own shutdown after 5 s.
const DROP_GRACE: Duration = Duration::from_secs(6);

/// Where a broker keeps its topics and offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// In memory: fast, gone when the broker stops.
    Memory,
    /// A sqlite database, [`SQLITE_FILE`], in `dir` (created when missing): survives kills and
    /// restarts.
    Sqlite {
        /// The data directory.
        dir: PathBuf,
    },
    /// A Postgres database, shared by every broker given the same URL.
    Postgres {
        /// e.g. `postgres://postgres:postgres@127.0.0.1/nisshi`; `sslmode=disable` is added
        /// when the URL has no `sslmode`, because nisshi otherwise insists on TLS.
        url: String,
    },
}

impl Storage {
    /// [`Storage::Sqlite`] in `dir`.
    pub fn sqlite(dir: impl Into<PathBuf>) -> Self {
        Storage::Sqlite { dir: dir.into() }
    }

    /// [`Storage::Postgres`] at `url`.
    pub fn postgres(url: impl Into<String>) -> Self {
        Storage::Postgres { url: url.into() }
    }

    /// The sqlite database file, for [`Storage::Sqlite`].
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        match self {
            Storage::Sqlite { dir } => Some(dir.join(SQLITE_FILE)),
            _ => None,
        }
    }

    /// The `--storage-engine` URL.
    ///
    /// sqlite's is relative, with nisshi running in the data directory, because nisshi turns
    /// `sqlite:///abs/path` into a relative path.
    fn engine_url(&self) -> String {
        match self {
            Storage::Memory => "memory://nisshi/".to_owned(),
            Storage::Sqlite { .. } => format!("sqlite://{SQLITE_FILE}"),
            Storage::Postgres { url } if url.contains("sslmode=") => url.clone(),
            Storage::Postgres { url } if url.contains('?') => format!("{url}&sslmode=disable"),
            Storage::Postgres { url } => format!("{url}?sslmode=disable"),
        }
    }

    fn working_dir(&self) -> Option<&Path> {
        match self {
            Storage::Sqlite { dir } => Some(dir),
            _ => None,
        }
    }
}

/// How to start a broker. [`BrokerConfig::default`] is an in-memory broker on a free port.
///
/// nisshi also reads its settings from the environment (`CLUSTER_ID`,
/// `OTEL_EXPORTER_OTLP_ENDPOINT`, …), which it inherits, and from the first `.env` file in its
/// working directory or any parent of it (for sqlite storage, the data directory). The
/// listener, storage and rebalance delay set here are flags, which win over both. Its log
/// filter is `NISSHI_LOG` (passed to it as its `RUST_LOG`), not the caller's `RUST_LOG`.
#[derive(Debug, Clone)]
pub struct BrokerConfig {
    /// The nisshi binary; `None` runs what [`crate::find`] finds (it does not install: call
    /// [`crate::ensure_installed`] first and pass its path to allow that).
    pub binary: Option<PathBuf>,
    /// The port on 127.0.0.1 to listen on and advertise; 0 picks a free one.
    pub port: u16,
    /// Where the broker keeps its data.
    pub storage: Storage,
    /// Where nisshi's stdout and stderr go (appended to); `None` uses a file in the temporary
    /// directory that is removed when the [`Broker`] is dropped.
    pub log_file: Option<PathBuf>,
    /// Kafka's `group.initial.rebalance.delay.ms`. nisshi's own default is 3 s, which every
    /// new consumer group would wait; tests want 0.
    pub initial_rebalance_delay: Duration,
    /// How long [`Broker::start`] and [`Broker::restart`] wait for the broker to answer.
    pub ready_timeout: Duration,
    /// `(topic, JSON Schema)`: the broker refuses a record produced to the topic whose value
    /// breaks the schema (see [`crate::schemas`]). Needs [`Storage::Sqlite`], whose directory
    /// is where nisshi reads the schemas from.
    pub value_schemas: Vec<(String, String)>,
    /// More arguments for `nisshi broker`, after the ones this crate sets. `--silent` would hide
    /// the line that readiness waits for. With `--cert` (a TLS listener) readiness is a TCP
    /// connection rather than a plaintext Kafka request.
    pub extra_args: Vec<OsString>,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            binary: None,
            port: 0,
            storage: Storage::Memory,
            log_file: None,
            initial_rebalance_delay: Duration::ZERO,
            ready_timeout: Duration::from_secs(30),
            value_schemas: Vec::new(),
            extra_args: Vec::new(),
        }
    }
}

/// A running nisshi broker on 127.0.0.1, stopped (SIGTERM, then SIGKILL) when dropped, and
/// killed by its watchdog when this process dies without dropping it.
#[derive(Debug)]
pub struct Broker {
    binary: PathBuf,
    config: BrokerConfig,
    port: u16,
    log: BrokerLog,
    pid: u32,
    watchdog: Option<Watchdog>,
}

impl Broker {
    /// Starts nisshi and returns once it answers Kafka requests, or fails with the last lines
    /// of its log when it exits, cannot listen, or is not ready within `ready_timeout`.
    ///
    /// Blocking: tokio callers use `spawn_blocking`.
    pub fn start(config: BrokerConfig) -> Result<Broker> {
        let binary = match &config.binary {
            Some(binary) => binary.clone(),
            None => install::find()?,
        };
        // The shell would report a missing binary only as exit code 127 in the log.
        if binary.components().count() > 1 && !binary.is_file() {
            return Err(Error::Spawn {
                program: binary,
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            });
        }
        if let Some(dir) = config.storage.working_dir() {
            fs::create_dir_all(dir).map_err(|source| {
                Error::io(
                    format!("create the data directory {}", dir.display()),
                    source,
                )
            })?;
        }
        if !config.value_schemas.is_empty() {
            let Some(dir) = config.storage.working_dir() else {
                return Err(Error::SchemasNeedSqlite);
            };
            schemas::write(dir, &config.value_schemas)?;
        }
        let log = BrokerLog::open(config.log_file.as_deref())?;
        let deadline = Instant::now() + config.ready_timeout;

        let mut attempts = 0;
        let (port, watchdog) = loop {
            let port = match config.port {
                0 => free_port()?,
                port => port,
            };
            match launch(&binary, &config, port, &log, deadline) {
                Ok(watchdog) => break (port, watchdog),
                // The port was free when picked; another process took it before nisshi bound it.
                Err(Error::PortInUse { .. }) if config.port == 0 && attempts < PORT_ATTEMPTS => {
                    attempts += 1;
                }
                Err(error) => return Err(keep_log(log, error)),
            }
        };
        Ok(Broker {
            binary,
            config,
            port,
            log,
            pid: watchdog.pid(),
            watchdog: Some(watchdog),
        })
    }

    /// `127.0.0.1:PORT`, for `bootstrap.servers` and `KAFKA_BROKERS`.
    pub fn bootstrap_servers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The port it listens on, the same across restarts.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The pid of the nisshi process itself (of the last one, once killed).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Where its storage is.
    pub fn storage(&self) -> &Storage {
        &self.config.storage
    }

    /// The file that holds its output.
    pub fn log_file(&self) -> &Path {
        self.log.path()
    }

    /// Whether nisshi is still running (it may have exited on its own).
    pub fn is_running(&mut self) -> bool {
        self.watchdog
            .as_mut()
            .is_some_and(|watchdog| watchdog.try_wait().is_none())
    }

    /// SIGKILLs nisshi, as a crash would, and returns once it is gone (its port closed, its
    /// sqlite locks released).
    pub fn kill(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            watchdog.kill();
        }
    }

    /// SIGTERMs nisshi so it shuts down cleanly, SIGKILLs it if it is still running after
    /// `grace`, and returns once it is gone.
    pub fn terminate(&mut self, grace: Duration) {
        if let Some(mut watchdog) = self.watchdog.take() {
            watchdog.terminate(grace);
        }
    }

    /// Starts the broker again on the same port and storage (stopping it first if it runs),
    /// and returns once it answers. Retries while the port is still held, until
    /// `ready_timeout`.
    pub fn restart(&mut self) -> Result<()> {
        self.terminate(DROP_GRACE);
        let deadline = Instant::now() + self.config.ready_timeout;
        loop {
            match launch(&self.binary, &self.config, self.port, &self.log, deadline) {
                Ok(watchdog) => {
                    self.pid = watchdog.pid();
                    self.watchdog = Some(watchdog);
                    return Ok(());
                }
                Err(Error::PortInUse { .. }) if Instant::now() + POLL < deadline => {
                    thread::sleep(POLL);
                }
                Err(error) => {
                    self.log.keep();
                    return Err(error);
                }
            }
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.terminate(DROP_GRACE);
    }
}

/// Starts one nisshi process on `port` and waits until it answers.
fn launch(
    binary: &Path,
    config: &BrokerConfig,
    port: u16,
    log: &BrokerLog,
    deadline: Instant,
) -> Result<Watchdog> {
    let listener = OsString::from(format!("tcp://127.0.0.1:{port}"));
    let mut args: Vec<OsString> = vec![
        "broker".into(),
        "--listener-url".into(),
        listener.clone(),
        "--advertised-listener-url".into(),
        listener,
        "--storage-engine".into(),
        config.storage.engine_url().into(),
        "--group-initial-rebalance-delay".into(),
        format!("{}ms", config.initial_rebalance_delay.as_millis()).into(),
    ];
    if !config.value_schemas.is_empty() {
        args.extend(schemas::args());
    }
    args.extend(config.extra_args.iter().cloned());

    let offset = log.end();
    let mut watchdog =
        Watchdog::spawn(binary, &args, config.storage.working_dir(), &log.writer()?)?;

    let addr = format!("127.0.0.1:{port}");
    // A TLS listener (`--cert`) would refuse the plaintext probe: a connect has to do.
    let tls = config.extra_args.iter().any(|arg| arg == "--cert");
    loop {
        if let Some(status) = watchdog.try_wait() {
            let tail = log.tail_since(offset);
            let log = log.path().to_path_buf();
            return Err(if tail.contains(IN_USE_LINE) {
                Error::PortInUse { port, log, tail }
            } else {
                Error::Exited { status, log, tail }
            });
        }
        // The ready line alone could be an earlier run's, and a connect alone could reach
        // another process that took the port: together they mean this nisshi answers.
        if log.contains_since(offset, READY_LINE) && answers(&addr, tls) {
            return Ok(watchdog);
        }
        if Instant::now() >= deadline {
            watchdog.kill();
            return Err(Error::NotReady {
                after: config.ready_timeout,
                log: log.path().to_path_buf(),
                tail: log.tail_since(offset),
            });
        }
        thread::sleep(POLL);
    }
}

/// A port that was free a moment ago. The listener is closed before nisshi binds the port, so
/// another process may take it in between; `start` then tries another.
fn free_port() -> Result<u16> {
    net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|source| Error::io("find a free port on 127.0.0.1", source))
}

/// The log of a broker that failed to start stays on disk, because the error names it.
fn keep_log(mut log: BrokerLog, error: Error) -> Error {
    log.keep();
    error
}

#[cfg(test)]
mod tests {
    use super::Storage;

    #[test]
    fn postgres_urls_get_sslmode_disable_unless_they_choose_one() {
        let url = |url: &str| Storage::postgres(url).engine_url();

        assert_eq!(
            url("postgres://postgres:postgres@127.0.0.1/db"),
            "postgres://postgres:postgres@127.0.0.1/db?sslmode=disable"
        );
        assert_eq!(
            url("postgres://127.0.0.1/db?application_name=x"),
            "postgres://127.0.0.1/db?application_name=x&sslmode=disable"
        );
        assert_eq!(
            url("postgres://127.0.0.1/db?sslmode=require"),
            "postgres://127.0.0.1/db?sslmode=require"
        );
    }

    #[test]
    fn sqlite_storage_is_a_relative_url_to_a_file_in_the_data_directory() {
        let storage = Storage::sqlite("/data/broker");

        assert_eq!(storage.engine_url(), "sqlite://broker.db");
        assert_eq!(
            storage.sqlite_file().unwrap(),
            std::path::Path::new("/data/broker/broker.db")
        );
    }
}
