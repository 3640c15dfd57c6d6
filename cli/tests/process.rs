//! The services as real `orders` processes, for tests that kill them: SIGKILL as a crash
//! does, SIGTERM as an orchestrator does. Also a load generator that keeps a ledger of
//! every order the gateway accepted, and the check that each one is stored exactly once.

use crate::helpers::{Topics, eventually, http, orders_bin};
use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `orders` service process; killed when dropped.
pub struct Process {
    pub name: String,
    pub address: SocketAddr,
    args: Vec<String>,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
}

/// A service process about to be started: its command line.
pub struct Launch {
    name: &'static str,
    address: SocketAddr,
    args: Vec<String>,
}

impl Launch {
    /// `orders serve-consumer` for `topics` on `database_url`, admin on a free port.
    pub fn consumer(topics: &Topics, database_url: &str, extra: &[&str]) -> Self {
        let address: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut args: Vec<String> = vec![
            "serve-consumer".into(),
            "--admin-listen".into(),
            address.to_string(),
            "--database-url".into(),
            database_url.into(),
            "--group".into(),
            topics.group.clone(),
            "--dead-letter-topic".into(),
            topics.dead_letters.clone(),
            // A killed member's partitions move on after this, not after 10 s.
            "-X".into(),
            "session.timeout.ms=3000".into(),
        ];
        args.extend(topics.cli_args());
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        Self {
            name: "order-service",
            address,
            args,
        }
    }

    /// `orders serve-inventory` (or `serve-payment`, by `command`) for `topics` on
    /// `database_url`, admin on a free port, in the group `<topics.group>-<name>`.
    pub fn saga_service(
        command: &'static str,
        topics: &Topics,
        database_url: &str,
        extra: &[&str],
    ) -> Self {
        let (name, group_flag) = match command {
            "serve-inventory" => ("inventory", "--inventory-group"),
            _ => ("payment", "--payment-group"),
        };
        let address: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut args: Vec<String> = vec![
            command.into(),
            "--admin-listen".into(),
            address.to_string(),
            "--database-url".into(),
            database_url.into(),
            group_flag.into(),
            format!("{}-{name}", topics.group),
            "-X".into(),
            "session.timeout.ms=3000".into(),
        ];
        args.extend(topics.cli_args());
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        Self {
            name,
            address,
            args,
        }
    }

    /// `orders serve-notification` for `topics` on `database_url`, admin on a free port.
    pub fn notification(topics: &Topics, database_url: &str, extra: &[&str]) -> Self {
        let address: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut args: Vec<String> = vec![
            "serve-notification".into(),
            "--admin-listen".into(),
            address.to_string(),
            "--database-url".into(),
            database_url.into(),
            "--notification-group".into(),
            format!("{}-notification", topics.group),
            "-X".into(),
            "session.timeout.ms=3000".into(),
        ];
        args.extend(topics.cli_args());
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        Self {
            name: "notification-service",
            address,
            args,
        }
    }

    /// `orders serve-gateway` publishing to `topics`, on a free port.
    pub fn gateway(topics: &Topics, extra: &[&str]) -> Self {
        let address: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let mut args: Vec<String> = vec![
            "serve-gateway".into(),
            "--listen".into(),
            address.to_string(),
        ];
        args.extend(topics.cli_args());
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        Self {
            name: "gateway",
            address,
            args,
        }
    }

    /// Starts it with `env` added to its environment; returns once it answers.
    pub async fn start(self, log_dir: &Path, env: &[(&str, &str)]) -> Process {
        let log = log_dir.join(format!("{}-{}.log", self.name, self.address.port()));
        let mut process = Process {
            name: self.name.to_owned(),
            address: self.address,
            args: self.args,
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            log,
            child: None,
        };
        process.spawn().await;
        process
    }
}

impl Process {
    /// `orders serve-consumer` for `topics` on `database_url`, admin on a free port.
    pub async fn consumer(
        topics: &Topics,
        database_url: &str,
        log_dir: &Path,
        extra: &[&str],
    ) -> Self {
        Launch::consumer(topics, database_url, extra)
            .start(log_dir, &[])
            .await
    }

    /// `orders serve-gateway` publishing to `topics`, on a free port.
    pub async fn gateway(topics: &Topics, log_dir: &Path, extra: &[&str]) -> Self {
        Launch::gateway(topics, extra).start(log_dir, &[]).await
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(orders_bin())
            .args(&self.args)
            .env("RUST_LOG", "warn,orders_consumer=info")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let url = self.url("/healthz");
        let name = self.name.clone();
        eventually(
            &format!("{name} to answer on {url}"),
            Duration::from_secs(30),
            || async {
                http()
                    .get(&url)
                    .send()
                    .await
                    .ok()
                    .filter(|r| r.status() == 200)
                    .map(|_| ())
            },
        )
        .await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub fn pid(&self) -> u32 {
        self.child
            .as_ref()
            .and_then(Child::id)
            .expect("the process is running")
    }

    fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .args(["-s", signal, &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -s {signal} failed");
    }

    /// SIGKILL, as a crash; returns once the process is gone.
    pub async fn kill(&mut self) {
        self.signal("KILL");
        self.child.take().unwrap().wait().await.unwrap();
    }

    /// SIGTERM, and the exit status it ends with (within `timeout`).
    pub async fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        self.signal("TERM");
        let mut child = self.child.take().unwrap();
        match tokio::time::timeout(timeout, child.wait()).await {
            Ok(status) => status.unwrap(),
            Err(_) => panic!(
                "{} did not exit within {timeout:?} of SIGTERM; log:\n{}",
                self.name,
                self.log_tail()
            ),
        }
    }

    /// Starts the same command again (same port, same database).
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "restart a process that is stopped");
        self.spawn().await;
    }

    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().unwrap().is_none())
    }

    /// Everything the process wrote to stdout and stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn log_tail(&self) -> String {
        let text = self.log();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

/// What a load run saw, per correlation id.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Correlation ids the gateway answered 202 for.
    pub accepted: Vec<String>,
    /// Count of every other answer: status code, or 0 for a transport error.
    pub others: HashMap<u16, u64>,
    /// The slowest answer.
    pub slowest: Duration,
}

/// Sends `n` orders to `gateway` with `concurrency` in flight, each with its own
/// `x-correlation-id` (`<prefix>-<i>`); `sent` counts them as they go.
pub async fn send_orders(
    gateway: String,
    prefix: &str,
    n: u64,
    concurrency: u64,
    sent: Arc<AtomicU64>,
) -> Ledger {
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let next = Arc::new(AtomicU64::new(0));
    let client = http();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (ledger, next, client, gateway, sent) = (
                ledger.clone(),
                next.clone(),
                client.clone(),
                gateway.clone(),
                sent.clone(),
            );
            let prefix = prefix.to_owned();
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        return;
                    }
                    let id = format!("{prefix}-{i}");
                    let started = std::time::Instant::now();
                    let answer = client
                        .post(format!("{gateway}/orders"))
                        .header("x-correlation-id", &id)
                        .json(&crate::helpers::order_body())
                        .send()
                        .await;
                    let took = started.elapsed();
                    sent.fetch_add(1, Ordering::SeqCst);
                    let mut ledger = ledger.lock().await;
                    ledger.slowest = ledger.slowest.max(took);
                    match answer.map(|r| r.status().as_u16()) {
                        Ok(202) => ledger.accepted.push(id),
                        Ok(status) => *ledger.others.entry(status).or_default() += 1,
                        Err(_) => *ledger.others.entry(0).or_default() += 1,
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    Arc::try_unwrap(ledger).unwrap().into_inner()
}

/// Waits until every id in `accepted` is in the store at `database_url`, then asserts
/// that each is there exactly once.
pub async fn assert_each_persisted_once(
    database_url: &str,
    accepted: &[String],
    timeout: Duration,
) {
    use orders_core::{CorrelationId, OrderStore};
    let store = orders_store::connect(database_url, orders_store::StoreOptions::default())
        .await
        .unwrap();
    let ids: Vec<CorrelationId> = accepted
        .iter()
        .map(|id| CorrelationId::parse(id).unwrap())
        .collect();
    let deadline = std::time::Instant::now() + timeout;
    let rows = loop {
        let rows = store.lookup(&ids).await.unwrap_or_default();
        let distinct: std::collections::HashSet<_> =
            rows.iter().map(|o| o.correlation_id.clone()).collect();
        if distinct.len() == ids.len() {
            break rows;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} of {} accepted orders were not persisted within {timeout:?}",
            ids.len() - distinct.len(),
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        rows.len(),
        ids.len(),
        "some orders were stored more than once"
    );
    store.close().await;
}

/// A PostgreSQL cluster of the test's own, on a free port, so that a test can stop and
/// start the database under load without touching the machine's shared server. Made
/// with the machine's `initdb` and `pg_ctl`, run as the `postgres` user when the tests
/// run as root (PostgreSQL refuses to run as root).
pub struct PrivatePostgres {
    pub port: u16,
    dir: tempfile::TempDir,
}

impl PrivatePostgres {
    pub fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("orders-pg")
            .tempdir()
            .unwrap();
        if running_as_root() {
            let chown = std::process::Command::new("chown")
                .arg("postgres")
                .arg(dir.path())
                .status();
            assert!(
                chown.is_ok_and(|s| s.success()),
                "chown postgres {}",
                dir.path().display()
            );
        }
        let cluster = Self {
            port: free_port(),
            dir,
        };
        cluster.run("initdb", &["-U", "postgres", "--auth=trust", "-E", "UTF8"]);
        cluster.up();
        cluster
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    pub fn up(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {}",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        self.run(
            "pg_ctl",
            &["-o", &options, "-l", log.to_str().unwrap(), "-w", "start"],
        );
    }

    /// Stops the server at once, as a crash would (`-m immediate`).
    pub fn down(&self) {
        self.run("pg_ctl", &["-m", "immediate", "-w", "stop"]);
    }

    fn run(&self, program: &str, args: &[&str]) {
        let output = self
            .command(program, args)
            .output()
            .expect("initdb and pg_ctl are needed");
        assert!(
            output.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// `program -D <data> args…` from the machine's PostgreSQL, as `postgres` under root.
    fn command(&self, program: &str, args: &[&str]) -> std::process::Command {
        let versions = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten();
        let program = versions
            .map(|version| version.path().join("bin").join(program))
            .find(|path| path.exists())
            .unwrap_or_else(|| PathBuf::from(program));
        let mut command = if running_as_root() {
            let mut runuser = std::process::Command::new("runuser");
            runuser.args(["-u", "postgres", "--"]).arg(program);
            runuser
        } else {
            std::process::Command::new(program)
        };
        command
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(args);
        command
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl", &["-m", "immediate", "stop"])
            .output();
    }
}

fn running_as_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
}
