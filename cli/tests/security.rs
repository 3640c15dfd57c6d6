//! Secured deployments, black-box: a nisshi broker with a TLS listener and SCRAM users,
//! certificates from a CA the test makes with `openssl`, a private Postgres cluster
//! serving TLS with a certificate from that CA, and the `orders` binary run as a user
//! would run it, with its secrets in the environment and in files.
//!
//! One secured broker serves every test here (its users are made on the broker's
//! storage while it is still plaintext, then it is restarted with `--authentication`
//! and `--cert`). The secrets are distinctive strings, so that a test can search every
//! output for them.

use crate::helpers::{broker, unique};
use crate::process::{PrivatePostgres, free_port};
use orders_nisshi::{Broker, BrokerConfig, Storage};
use sqlx::Connection;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

const USER: &str = "orders-svc";
const PASSWORD: &str = "pw-7Qe2LxSCRAMsecret";
const ADMIN_TOKEN: &str = "tok-Zk91AdminBearerSecret";
const API_KEY: &str = "key-Hq3mGatewayPlainSecret";
/// Given to the gateway only as its SHA-256.
const HASHED_API_KEY: &str = "key-Wv6pGatewayHashedSecret";
const SECRETS: [&str; 4] = [PASSWORD, ADMIN_TOKEN, API_KEY, HASHED_API_KEY];

/// The test's certificates: a CA, another CA nobody trusts, and server certificates.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl is needed to make the test's certificates");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `name.pem` and `name.key` (PKCS#8), issued by `ca` for `san`.
fn issue(dir: &Path, ca: &str, name: &str, san: &str) {
    let ext = format!("{name}.ext");
    std::fs::write(
        dir.join(&ext),
        format!(
            "subjectAltName={san}\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        ),
    )
    .unwrap();
    let (key, csr, pem) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            "/CN=localhost",
        ],
    );
    let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-out",
            &pem,
            "-days",
            "2",
            "-extfile",
            &ext,
        ],
    );
    // PKCS#8 whatever this openssl's default is: nisshi wants that form.
    let pkcs8 = format!("{name}.pk8");
    openssl(
        dir,
        &["pkcs8", "-topk8", "-nocrypt", "-in", &key, "-out", &pkcs8],
    );
    std::fs::rename(dir.join(&pkcs8), dir.join(&key)).unwrap();
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("orders-pki")
            .tempdir()
            .unwrap();
        for (ca, cn) in [("ca", "orders test CA"), ("other-ca", "someone else's CA")] {
            openssl(
                dir.path(),
                &[
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-keyout",
                    &format!("{ca}.key"),
                    "-out",
                    &format!("{ca}.pem"),
                    "-days",
                    "2",
                    "-subj",
                    &format!("/CN={cn}"),
                ],
            );
        }
        issue(dir.path(), "ca", "server", "DNS:localhost,IP:127.0.0.1");
        // For Postgres: valid for `localhost` only, so that 127.0.0.1 is a wrong name.
        issue(dir.path(), "ca", "pg", "DNS:localhost");
        Pki { dir }
    })
}

/// A nisshi broker on sqlite storage in `dir` that knows `USER`, serving TLS and
/// requiring SCRAM authentication on `port` (0: a free one).
fn secured_broker_in(dir: &Path, port: u16) -> Broker {
    let pki = pki();
    let mut plain = plaintext_broker_in(dir, port);
    let created = std::process::Command::new(crate::helpers::nisshi())
        .args(["user", "create", USER, PASSWORD, "--broker"])
        .arg(format!("tcp://{}", plain.bootstrap_servers()))
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "nisshi user create: {}",
        String::from_utf8_lossy(&created.stderr)
    );
    let port = plain.port();
    plain.terminate(Duration::from_secs(10));
    secure_restart(dir, port, pki)
}

fn plaintext_broker_in(dir: &Path, port: u16) -> Broker {
    Broker::start(BrokerConfig {
        binary: Some(crate::helpers::nisshi()),
        port,
        storage: Storage::sqlite(dir),
        ..BrokerConfig::default()
    })
    .unwrap()
}

fn secure_restart(dir: &Path, port: u16, pki: &Pki) -> Broker {
    Broker::start(BrokerConfig {
        binary: Some(crate::helpers::nisshi()),
        port,
        storage: Storage::sqlite(dir),
        extra_args: vec![
            "--authentication".into(),
            "--cert".into(),
            pki.path("server.pem").into(),
            "--key".into(),
            pki.path("server.key").into(),
        ],
        ..BrokerConfig::default()
    })
    .unwrap()
}

struct SecuredBroker {
    broker: Broker,
    _dir: tempfile::TempDir,
}

/// The secured broker every test here shares.
fn secured() -> &'static SecuredBroker {
    static SECURED: OnceLock<SecuredBroker> = OnceLock::new();
    SECURED.get_or_init(|| {
        let _ = broker(); // installs nisshi when it is missing
        let dir = tempfile::tempdir().unwrap();
        let broker = secured_broker_in(dir.path(), 0);
        SecuredBroker { broker, _dir: dir }
    })
}

async fn secured_brokers() -> String {
    tokio::task::spawn_blocking(|| secured().broker.bootstrap_servers())
        .await
        .unwrap()
}

/// The environment a user of a secured cluster sets: credentials as variables.
fn kafka_env(brokers: &str) -> Vec<(String, String)> {
    let pki = pki();
    [
        ("KAFKA_BROKERS", brokers.to_owned()),
        ("KAFKA_SECURITY_PROTOCOL", "SASL_SSL".into()),
        ("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512".into()),
        ("KAFKA_SASL_USERNAME", USER.into()),
        ("KAFKA_SASL_PASSWORD", PASSWORD.into()),
        ("KAFKA_SSL_CA_LOCATION", pki.arg("ca.pem")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// `orders` with exactly `env` (plus PATH and HOME), as a fresh shell would run it.
fn orders(args: &[&str], env: &[(String, String)]) -> Command {
    let mut command = Command::new(crate::helpers::orders_bin());
    command.env_clear().args(args).kill_on_drop(true);
    for var in ["PATH", "HOME"] {
        if let Ok(value) = std::env::var(var) {
            command.env(var, value);
        }
    }
    command.env("RUST_LOG", "info");
    command.envs(env.iter().map(|(k, v)| (k, v)));
    command
}

/// What one run of `orders` left: its exit code, output and how long it took.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    #[track_caller]
    fn success(&self, what: &str) {
        assert_eq!(
            self.code,
            Some(0),
            "{what} failed:\n{}\n{}",
            self.stdout,
            self.stderr
        );
    }
}

async fn run(args: &[&str], env: &[(String, String)]) -> Run {
    let started = Instant::now();
    let output = tokio::time::timeout(Duration::from_secs(120), orders(args, env).output())
        .await
        .expect("orders did not finish within 120 s")
        .unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        took: started.elapsed(),
    }
}

/// A client that trusts the test's CA, as `ORDERS_HTTP_CA_CERT` makes the CLI do.
fn https_client() -> reqwest::Client {
    let pem = std::fs::read(pki().path("ca.pem")).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A service process, killed when dropped; its stdout and stderr go to `log`.
struct Service {
    _child: Child,
    log: PathBuf,
    base: String,
}

impl Service {
    async fn start(args: &[&str], env: &[(String, String)], log: PathBuf, base: String) -> Self {
        let file = std::fs::File::create(&log).unwrap();
        let child = orders(args, env)
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let service = Self {
            _child: child,
            log,
            base,
        };
        let url = service.url("/healthz");
        crate::helpers::eventually(
            &format!("{url} to answer"),
            Duration::from_secs(30),
            || async {
                https_client()
                    .get(&url)
                    .send()
                    .await
                    .ok()
                    .filter(|r| r.status() == 200)
                    .map(|_| ())
            },
        )
        .await;
        service
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

#[track_caller]
fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "{what} shows the secret {secret:?}:\n{text}"
        );
    }
}

fn sha256_hex(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("key"), text).unwrap();
    let output = std::process::Command::new("sha256sum")
        .arg(dir.path().join("key"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pipeline_runs_over_tls_and_scram_and_no_output_shows_a_secret() {
    let brokers = secured_brokers().await;
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let topic = unique("order_created");
    let group = unique("order-service-group");
    let mut outputs: Vec<(String, String)> = Vec::new();

    // The password from a file for the one-shot commands, from the variable for the
    // services: both ways a user may give it.
    let password_file = dir.path().join("kafka-password");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
    let mut cli_env: Vec<(String, String)> = kafka_env(&brokers)
        .into_iter()
        .filter(|(k, _)| k != "KAFKA_SASL_PASSWORD")
        .collect();
    cli_env.push((
        "KAFKA_SASL_PASSWORD_FILE".into(),
        password_file.display().to_string(),
    ));
    cli_env.push(("KAFKA_TOPIC_ORDER_CREATED".into(), topic.clone()));
    cli_env.push(("KAFKA_GROUP_ID".into(), group.clone()));

    let mut debug_env = cli_env.clone();
    debug_env.push(("RUST_LOG".into(), "debug".into()));
    let created = run(&["topics", "create", "--partitions", "3"], &debug_env).await;
    created.success("topics create over SASL_SSL");
    outputs.push(("topics create (RUST_LOG=debug)".into(), created.all()));

    // The gateway: API keys (one plain, one hashed), plain HTTP (`orders bench` drives
    // plain HTTP only).
    let keys = dir.path().join("api-keys");
    std::fs::write(
        &keys,
        format!(
            "# the gateway's clients\n{API_KEY}\nsha256:{}\n",
            sha256_hex(HASHED_API_KEY)
        ),
    )
    .unwrap();
    let gateway_port = free_port();
    let mut gateway_env = kafka_env(&brokers);
    gateway_env.extend([
        // Every log line there is, for the search for secrets at the end.
        ("RUST_LOG".into(), "debug".into()),
        ("KAFKA_TOPIC_ORDER_CREATED".into(), topic.clone()),
        ("GATEWAY_API_KEYS_FILE".into(), keys.display().to_string()),
    ]);
    let gateway = Service::start(
        &[
            "serve-gateway",
            "--listen",
            &format!("127.0.0.1:{gateway_port}"),
        ],
        &gateway_env,
        dir.path().join("gateway.log"),
        format!("http://127.0.0.1:{gateway_port}"),
    )
    .await;

    // The order-service: its admin HTTP over HTTPS, with the token from the variable.
    let admin_port = free_port();
    let mut consumer_env = kafka_env(&brokers);
    consumer_env.extend([
        ("RUST_LOG".into(), "debug".into()),
        ("KAFKA_TOPIC_ORDER_CREATED".into(), topic.clone()),
        ("KAFKA_GROUP_ID".into(), group.clone()),
        ("ADMIN_TOKEN".into(), ADMIN_TOKEN.into()),
        ("TLS_CERT".into(), pki.arg("server.pem")),
        ("TLS_KEY".into(), pki.arg("server.key")),
        (
            "DATABASE_URL".into(),
            format!("sqlite://{}", dir.path().join("orders.db").display()),
        ),
    ]);
    let consumer = Service::start(
        &[
            "serve-consumer",
            "--admin-listen",
            &format!("127.0.0.1:{admin_port}"),
        ],
        &consumer_env,
        dir.path().join("order-service.log"),
        format!("https://127.0.0.1:{admin_port}"),
    )
    .await;

    // The inventory- and payment-service: the same Kafka credentials, token and
    // certificate, a database and a group each.
    let saga_service = |command: &'static str, name: &'static str, prefix: &str| {
        let port = free_port();
        let mut env = consumer_env
            .iter()
            .filter(|(k, _)| k != "DATABASE_URL" && k != "KAFKA_GROUP_ID")
            .cloned()
            .collect::<Vec<_>>();
        env.extend([
            (
                format!("{prefix}_DATABASE_URL"),
                format!(
                    "sqlite://{}",
                    dir.path().join(format!("{name}.db")).display()
                ),
            ),
            (format!("{prefix}_GROUP_ID"), unique(name)),
            (
                format!("{prefix}_ADMIN_LISTEN"),
                format!("127.0.0.1:{port}"),
            ),
        ]);
        let log = dir.path().join(format!("{name}.log"));
        async move { Service::start(&[command], &env, log, format!("https://127.0.0.1:{port}")).await }
    };
    let inventory = saga_service("serve-inventory", "inventory-service", "INVENTORY").await;
    let payment = saga_service("serve-payment", "payment-service", "PAYMENT").await;

    // Keys and token: missing, wrong, right.
    let http = https_client();
    let order = crate::helpers::order_body();
    let post = |key: Option<(&'static str, String)>| {
        let mut request = http.post(gateway.url("/orders")).json(&order);
        if let Some((header, value)) = key {
            request = request.header(header, value);
        }
        request.send()
    };
    let missing = post(None).await.unwrap();
    assert_eq!(missing.status(), 401);
    assert_eq!(
        missing.headers()["www-authenticate"],
        "Bearer realm=\"orders-gateway\""
    );
    let wrong = post(Some(("x-api-key", "key-wrong".into()))).await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(
        wrong.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    let hashed = post(Some(("authorization", format!("Bearer {HASHED_API_KEY}"))))
        .await
        .unwrap();
    assert_eq!(hashed.status(), 202, "the hashed key is accepted");
    for open in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        let answer = http.get(gateway.url(open)).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{open} needs no key");
    }
    let admin = https_client();
    let orders_url = consumer.url("/orders?limit=1");
    assert_eq!(admin.get(&orders_url).send().await.unwrap().status(), 401);
    assert_eq!(
        admin
            .get(&orders_url)
            .bearer_auth("tok-wrong")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        admin
            .get(&orders_url)
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    for open in ["/healthz", "/readyz", "/metrics"] {
        let answer = admin.get(consumer.url(open)).send().await.unwrap();
        let status = answer.status();
        let body = answer.text().await.unwrap_or_default();
        assert_eq!(status, 200, "{open} needs no token: {body}");
    }

    // The CLI, given the key, the token and the CA as a user would.
    let mut client_env = cli_env.clone();
    client_env.extend([
        ("ORDERS_GATEWAY_URL".into(), gateway.url("")),
        ("ORDERS_ADMIN_URL".into(), consumer.url("")),
        ("ORDERS_INVENTORY_URL".into(), inventory.url("")),
        ("ORDERS_PAYMENT_URL".into(), payment.url("")),
        ("ORDERS_HTTP_CA_CERT".into(), pki.arg("ca.pem")),
        ("ORDERS_API_KEY".into(), API_KEY.into()),
        ("ADMIN_TOKEN".into(), ADMIN_TOKEN.into()),
    ]);
    // Stock for every SKU `bench` orders, set over HTTPS with the token.
    let mut stock = vec!["stock".to_owned(), "set".to_owned()];
    stock.extend((1..=500).map(|n| format!("SKU-{n}=100000")));
    let stock: Vec<&str> = stock.iter().map(String::as_str).collect();
    run(&stock, &client_env).await.success("stock set");
    let submitted = run(&["submit", "--sku", "SKU-1:2", "--wait"], &client_env).await;
    submitted.success("submit --wait");
    assert!(
        submitted.stdout.contains("confirmed"),
        "{}",
        submitted.stdout
    );
    outputs.push(("submit --wait".into(), submitted.all()));

    let tailed = run(&["tail", "--from", "beginning", "-n", "1"], &client_env).await;
    tailed.success("tail");
    assert_eq!(tailed.stdout.lines().count(), 1, "{}", tailed.stdout);
    outputs.push(("tail".into(), tailed.all()));

    let benched = run(&["bench", "-n", "1000", "-c", "16", "--e2e"], &client_env).await;
    benched.success("bench -n 1000 --e2e");
    outputs.push(("bench".into(), benched.all()));

    // The gateway over HTTPS too, driven by `submit` trusting the test's CA.
    let https_port = free_port();
    let mut https_env = gateway_env.clone();
    https_env.extend([
        ("TLS_CERT".into(), pki.arg("server.pem")),
        ("TLS_KEY".into(), pki.arg("server.key")),
    ]);
    let https_gateway = Service::start(
        &[
            "serve-gateway",
            "--listen",
            &format!("127.0.0.1:{https_port}"),
        ],
        &https_env,
        dir.path().join("gateway-https.log"),
        format!("https://127.0.0.1:{https_port}"),
    )
    .await;
    let plain_at_tls = reqwest::get(format!("http://127.0.0.1:{https_port}/healthz")).await;
    assert!(plain_at_tls.is_err(), "plain HTTP at the HTTPS listener");
    let over_https = run(
        &["submit", "--sku", "SKU-2:1", "--wait"],
        &with(&client_env, "ORDERS_GATEWAY_URL", &https_gateway.url("")),
    )
    .await;
    over_https.success("submit --wait through the HTTPS gateway");
    outputs.push(("submit over HTTPS".into(), over_https.all()));
    outputs.push(("the HTTPS gateway's log".into(), https_gateway.log()));

    let lag = run(&["lag", "--json"], &client_env).await;
    lag.success("lag");
    let lag_json: serde_json::Value = serde_json::from_str(&lag.stdout).unwrap();
    outputs.push(("lag".into(), lag.all()));
    assert!(lag_json.is_object(), "{lag_json}");

    // Every output, every log, --help with the secrets in the environment, /metrics.
    let mut help_env = client_env.clone();
    help_env.extend([
        ("KAFKA_SASL_PASSWORD".into(), PASSWORD.into()),
        ("KAFKA_OPTIONS".into(), format!("sasl.password={PASSWORD}")),
        (
            "DATABASE_URL".into(),
            format!("postgres://orders:{PASSWORD}@db/orders"),
        ),
        (
            "SCHEMA_REGISTRY_URL".into(),
            format!("https://key:{PASSWORD}@registry"),
        ),
    ]);
    for command in [
        vec!["--help"],
        vec!["serve-gateway", "--help"],
        vec!["serve-consumer", "--help"],
        vec!["tail", "--help"],
        vec!["db", "migrate", "--help"],
        vec!["schema", "register", "--help"],
    ] {
        let help = run(&command, &help_env).await;
        help.success(&format!("{command:?}"));
        outputs.push((format!("orders {}", command.join(" ")), help.all()));
    }
    let consumer_metrics = admin
        .get(consumer.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    outputs.push(("the order-service's /metrics".into(), consumer_metrics));
    let gateway_metrics = http
        .get(gateway.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    outputs.push(("the gateway's /metrics".into(), gateway_metrics));
    assert!(
        gateway.log().contains("gateway listening") && consumer.log().contains("DEBUG"),
        "the logs searched are the services' own, at debug"
    );
    outputs.push(("the gateway's log".into(), gateway.log()));
    outputs.push(("the order-service's log".into(), consumer.log()));
    outputs.push(("the inventory-service's log".into(), inventory.log()));
    outputs.push(("the payment-service's log".into(), payment.log()));
    for (what, text) in &outputs {
        assert_no_secret(what, text);
    }
}

/// Runs `orders lag` with `env` and checks that it fails within seconds with one line
/// on stderr that contains `says`.
async fn refused_in_one_line(case: &str, env: &[(String, String)], says: &str) {
    let mut env = env.to_vec();
    env.push(("KAFKA_TOPIC_ORDER_CREATED".into(), unique("order_created")));
    let refused = run(&["lag"], &env).await;
    assert_eq!(
        refused.code,
        Some(1),
        "{case}: {}\n{}",
        refused.stdout,
        refused.stderr
    );
    assert!(
        refused.took < Duration::from_secs(5),
        "{case}: took {:?}",
        refused.took
    );
    let lines: Vec<&str> = refused.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{case}: one line, got:\n{}", refused.stderr);
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains(says),
        "{case}: expected {says:?} in {:?}",
        lines[0]
    );
    assert_no_secret(case, &refused.all());
}

fn with(env: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = env.iter().filter(|(k, _)| k != name).cloned().collect();
    env.push((name.to_owned(), value.to_owned()));
    env
}

fn without(env: &[(String, String)], names: &[&str]) -> Vec<(String, String)> {
    env.iter()
        .filter(|(k, _)| !names.contains(&k.as_str()))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_wrong_credential_or_transport_is_one_line_within_seconds() {
    let brokers = secured_brokers().await;
    let right = kafka_env(&brokers);
    let pki = pki();

    refused_in_one_line(
        "a wrong password",
        &with(&right, "KAFKA_SASL_PASSWORD", "pw-not-this-one"),
        "refused the SASL credentials",
    )
    .await;
    refused_in_one_line(
        "an unknown user",
        &with(&right, "KAFKA_SASL_USERNAME", "nobody"),
        "refused the SASL credentials",
    )
    .await;
    refused_in_one_line(
        "a CA that did not issue the broker's certificate",
        &with(&right, "KAFKA_SSL_CA_LOCATION", &pki.arg("other-ca.pem")),
        "certificate is not trusted",
    )
    .await;
    refused_in_one_line(
        "a plaintext client at the TLS listener",
        &with(&right, "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"),
        "KAFKA_SECURITY_PROTOCOL=SSL",
    )
    .await;
    refused_in_one_line(
        "no security settings at all at the TLS listener",
        &[("KAFKA_BROKERS".to_owned(), brokers.clone())],
        "KAFKA_SECURITY_PROTOCOL=SSL",
    )
    .await;

    let plaintext = tokio::task::spawn_blocking(|| broker().bootstrap_servers())
        .await
        .unwrap();
    let tls_client = with(
        &without(
            &right,
            &[
                "KAFKA_SASL_MECHANISM",
                "KAFKA_SASL_USERNAME",
                "KAFKA_SASL_PASSWORD",
            ],
        ),
        "KAFKA_SECURITY_PROTOCOL",
        "SSL",
    );
    refused_in_one_line(
        "a TLS client at a plaintext listener",
        &with(&tls_client, "KAFKA_BROKERS", &plaintext),
        "does not speak TLS",
    )
    .await;
    refused_in_one_line(
        "SASL at a listener without it",
        &with(
            &with(&right, "KAFKA_BROKERS", &plaintext),
            "KAFKA_SECURITY_PROTOCOL",
            "SASL_PLAINTEXT",
        ),
        "does not take this SASL mechanism",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_service_is_not_ready_logs_it_once_and_recovers_once_the_cause_is_fixed() {
    let _ = tokio::task::spawn_blocking(secured).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("broker");
    // A broker of its own, plaintext for now: the service speaks TLS, so it is refused
    // until the broker is restarted with its TLS listener.
    let storage_for_broker = storage.clone();
    let mut plain = tokio::task::spawn_blocking(move || {
        let secured = secured_broker_in(&storage_for_broker, 0);
        let port = secured.port();
        drop(secured);
        plaintext_broker_in(&storage_for_broker, port)
    })
    .await
    .unwrap();
    let port = plain.port();
    let brokers = plain.bootstrap_servers();
    let topic = unique("order_created");

    let admin_port = free_port();
    let mut env = kafka_env(&brokers);
    env.extend([
        ("KAFKA_TOPIC_ORDER_CREATED".into(), topic.clone()),
        ("KAFKA_GROUP_ID".into(), unique("order-service-group")),
        (
            "DATABASE_URL".into(),
            format!("sqlite://{}", dir.path().join("orders.db").display()),
        ),
    ]);
    let consumer = Service::start(
        &["serve-consumer", "--no-dead-letter"],
        &with(&env, "ADMIN_LISTEN", &format!("127.0.0.1:{admin_port}")),
        dir.path().join("order-service.log"),
        format!("http://127.0.0.1:{admin_port}"),
    )
    .await;
    let ready = consumer.url("/readyz");
    let reason = crate::helpers::eventually(
        "the order-service to say why it is not ready",
        Duration::from_secs(10),
        || async {
            let answer = reqwest::get(&ready).await.ok()?;
            (answer.status() == 503).then_some(())?;
            answer.text().await.ok()
        },
    )
    .await;
    assert!(reason.contains("does not speak TLS"), "{reason}");
    // It keeps retrying, and says so once, not every second.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let log = consumer.log();
    let said = log.matches("cannot connect to Kafka").count();
    assert_eq!(said, 1, "{log}");
    assert_eq!(
        reqwest::get(&ready).await.unwrap().status(),
        503,
        "still refused"
    );

    // The cause is fixed: the broker now serves TLS on the same port.
    let _secured = tokio::task::spawn_blocking(move || {
        plain.terminate(Duration::from_secs(10));
        secure_restart(&storage, port, pki())
    })
    .await
    .unwrap();
    // Every topic of the pipeline (the relay asks where the saga's topics end).
    run(&["topics", "create", "--partitions", "1"], &env)
        .await
        .success("topics create once the broker speaks TLS");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut last = String::new();
    while std::time::Instant::now() < deadline {
        match reqwest::get(&ready).await {
            Ok(answer) if answer.status() == 200 => break,
            Ok(answer) => last = answer.text().await.unwrap_or_default(),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        std::time::Instant::now() < deadline,
        "the order-service is still not ready 60 s after the broker speaks TLS: {last}\n{}",
        consumer.log()
    );
    assert_no_secret("the order-service's log", &consumer.log());
}

/// A private Postgres cluster serving TLS with `pg.pem` (valid for `localhost` only).
async fn postgres_with_tls() -> (PrivatePostgres, tempfile::TempDir) {
    let pki = pki();
    let cluster = tokio::task::spawn_blocking(PrivatePostgres::start)
        .await
        .unwrap();
    // The server reads its key as itself (postgres) and wants it private.
    let files = tempfile::Builder::new()
        .prefix("orders-pg-tls")
        .tempdir()
        .unwrap();
    let (cert, key) = (
        files.path().join("server.crt"),
        files.path().join("server.key"),
    );
    std::fs::copy(pki.path("pg.pem"), &cert).unwrap();
    std::fs::copy(pki.path("pg.key"), &key).unwrap();
    std::fs::set_permissions(files.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&cert, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let _ = std::process::Command::new("chown")
        .arg("postgres")
        .arg(&key)
        .status();
    let mut conn = sqlx::PgConnection::connect(&cluster.url()).await.unwrap();
    for statement in [
        format!("ALTER SYSTEM SET ssl_cert_file = '{}'", cert.display()),
        format!("ALTER SYSTEM SET ssl_key_file = '{}'", key.display()),
        "ALTER SYSTEM SET ssl = on".to_owned(),
        "SELECT pg_reload_conf()".to_owned(),
    ] {
        sqlx::raw_sql(&statement).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();
    let url = cluster.url();
    crate::helpers::eventually("Postgres to serve TLS", Duration::from_secs(10), || {
        let url = url.clone();
        async move {
            let mut conn = sqlx::PgConnection::connect(&url).await.ok()?;
            let on: String = sqlx::query_scalar("SHOW ssl")
                .fetch_one(&mut conn)
                .await
                .ok()?;
            (on == "on").then_some(())
        }
    })
    .await;
    (cluster, files)
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_verify_full_connects_and_a_wrong_host_name_or_ca_is_refused() {
    let (cluster, _files) = postgres_with_tls().await;
    let pki = pki();
    let url = |host: &str, query: &str| {
        format!(
            "postgres://postgres@{host}:{}/postgres?{query}",
            cluster.port
        )
    };
    let ca = pki.arg("ca.pem");
    let other = pki.arg("other-ca.pem");
    let migrate = |database_url: String| async move {
        run(&["db", "migrate", "--database-url", &database_url], &[]).await
    };

    let verified = migrate(url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    ))
    .await;
    verified.success("verify-full with the right CA and host name");

    // verify-ca: the chain, not the name. (sqlx 0.8 with rustls 0.23 checks the name
    // for verify-ca too, which docs/operations.md says: use a name the certificate has.)
    let chain_only = migrate(url(
        "localhost",
        &format!("sslmode=verify-ca&sslrootcert={ca}"),
    ))
    .await;
    chain_only.success("verify-ca with the right CA");

    for (case, database_url, says) in [
        (
            "a host name the certificate does not name",
            url(
                "127.0.0.1",
                &format!("sslmode=verify-full&sslrootcert={ca}"),
            ),
            "not valid for the host name 127.0.0.1",
        ),
        (
            "a CA that did not issue the certificate",
            url(
                "localhost",
                &format!("sslmode=verify-full&sslrootcert={other}"),
            ),
            "not signed by the CA in sslrootcert",
        ),
        (
            "require with a root CA verifies it, as libpq does",
            url("localhost", &format!("sslmode=require&sslrootcert={other}")),
            "not signed by the CA in sslrootcert",
        ),
    ] {
        let refused = migrate(database_url).await;
        assert_eq!(refused.code, Some(1), "{case}: {}", refused.all());
        assert!(
            refused.took < Duration::from_secs(10),
            "{case}: {:?}",
            refused.took
        );
        let lines: Vec<&str> = refused.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{case}: {}", refused.stderr);
        assert!(
            lines[0].contains(says),
            "{case}: expected {says:?} in {}",
            lines[0]
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_past_the_rate_limit_gets_429_with_retry_after_and_probes_do_not() {
    let topics = crate::helpers::Topics::create(1).await;
    let logs = tempfile::tempdir().unwrap();
    let gateway = crate::process::Launch::gateway(&topics, &["--rate-limit", "3/m"])
        .start(logs.path(), &[])
        .await;
    let http = crate::helpers::http();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let answer = http
            .post(gateway.url("/orders"))
            .json(&crate::helpers::order_body())
            .send()
            .await
            .unwrap();
        statuses.push(answer.status().as_u16());
        if answer.status() == 429 {
            let wait: u64 = answer.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&wait), "Retry-After {wait}");
        }
    }
    assert_eq!(statuses, [202, 202, 202, 429], "a burst of 3, then refused");
    // Probes are never limited.
    let probe = http.get(gateway.url("/healthz")).send().await.unwrap();
    assert_eq!(probe.status(), 200);
}
