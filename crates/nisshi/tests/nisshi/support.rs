//! Helpers the scenarios share: the installed binary, brokers started with it, waiting on a
//! condition with a deadline, and a raw Kafka request.

use std::{
    io::{Read as _, Write as _},
    net::{SocketAddr, TcpStream},
    path::{Path, PathBuf},
    sync::OnceLock,
    thread,
    time::{Duration, Instant},
};

use orders_nisshi::{Broker, BrokerConfig};

/// nisshi 0.8.1, installed once for the whole binary when it is missing.
pub(crate) fn nisshi() -> PathBuf {
    static NISSHI: OnceLock<PathBuf> = OnceLock::new();
    NISSHI
        .get_or_init(|| {
            orders_nisshi::ensure_installed(|line| eprintln!("[nisshi install] {line}"))
                .unwrap_or_else(|error| panic!("{error}"))
        })
        .clone()
}

/// Starts a broker with `config`, running the installed nisshi.
pub(crate) fn start(config: BrokerConfig) -> Broker {
    Broker::start(BrokerConfig {
        binary: Some(nisshi()),
        ..config
    })
    .unwrap_or_else(|error| panic!("{error}"))
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Polls `condition` until it holds, failing the test after `within`.
pub(crate) fn eventually(within: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !condition() {
        assert!(Instant::now() < deadline, "not within {within:?}: {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

pub(crate) fn accepts_connections(port: u16) -> bool {
    TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    )
    .is_ok()
}

/// Whether a process with this pid exists and has not exited (a zombie has exited).
pub(crate) fn process_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // The state follows the command name, which is in parentheses and may hold spaces.
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}

/// A Kafka ApiVersions v0 request written byte by byte, independent of the crate's own probe:
/// returns the response's correlation id, error code and API keys.
pub(crate) fn raw_api_versions(addr: &str, correlation_id: i32) -> (i32, i16, Vec<i16>) {
    let client_id = b"nisshi-test";
    let mut request = Vec::new();
    request.extend_from_slice(&(10 + client_id.len() as i32).to_be_bytes());
    request.extend_from_slice(&18_i16.to_be_bytes()); // api_key ApiVersions
    request.extend_from_slice(&0_i16.to_be_bytes()); // api_version 0
    request.extend_from_slice(&correlation_id.to_be_bytes());
    request.extend_from_slice(&(client_id.len() as i16).to_be_bytes());
    request.extend_from_slice(client_id);

    let mut stream = TcpStream::connect(addr).expect("connect to the broker");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("set a read timeout");
    stream.write_all(&request).expect("send ApiVersions");

    let mut size = [0; 4];
    stream
        .read_exact(&mut size)
        .expect("read the response size");
    let mut body = vec![0; i32::from_be_bytes(size) as usize];
    stream.read_exact(&mut body).expect("read the response");

    let i16_at = |at: usize| i16::from_be_bytes([body[at], body[at + 1]]);
    let i32_at =
        |at: usize| i32::from_be_bytes([body[at], body[at + 1], body[at + 2], body[at + 3]]);
    let count = i32_at(6) as usize;
    let keys = (0..count).map(|n| i16_at(10 + n * 6)).collect();
    (i32_at(0), i16_at(4), keys)
}

/// What a Metadata v0 response says: the brokers as (node id, host, port), and the topics as
/// (error code, name).
#[derive(Debug)]
pub(crate) struct Metadata {
    pub(crate) brokers: Vec<(i32, String, i32)>,
    pub(crate) topics: Vec<(i16, String)>,
}

/// A Kafka Metadata v0 request for `topics` (all topics when empty), written byte by byte.
/// nisshi creates a topic that a metadata request names, which makes this the cheapest way to
/// put something into a broker's storage without a Kafka client.
pub(crate) fn raw_metadata(addr: &str, topics: &[&str]) -> Metadata {
    let mut body = Vec::new();
    body.extend_from_slice(&3_i16.to_be_bytes()); // api_key Metadata
    body.extend_from_slice(&0_i16.to_be_bytes()); // api_version 0
    body.extend_from_slice(&1_i32.to_be_bytes()); // correlation id
    put_string(&mut body, "nisshi-test");
    body.extend_from_slice(&(topics.len() as i32).to_be_bytes());
    for topic in topics {
        put_string(&mut body, topic);
    }

    let mut stream = TcpStream::connect(addr).expect("connect to the broker");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("set a read timeout");
    stream
        .write_all(&(body.len() as i32).to_be_bytes())
        .and_then(|()| stream.write_all(&body))
        .expect("send Metadata");
    let mut size = [0; 4];
    stream
        .read_exact(&mut size)
        .expect("read the response size");
    let mut response = vec![0; i32::from_be_bytes(size) as usize];
    stream.read_exact(&mut response).expect("read the response");

    let mut reader = Reader(&response);
    assert_eq!(reader.i32(), 1, "correlation id");
    let brokers = (0..reader.i32())
        .map(|_| (reader.i32(), reader.string(), reader.i32()))
        .collect();
    let topics = (0..reader.i32())
        .map(|_| {
            let topic = (reader.i16(), reader.string());
            for _ in 0..reader.i32() {
                // error code, partition, leader, then the replica and in-sync id arrays
                reader.i16();
                reader.i32();
                reader.i32();
                for _ in 0..2 {
                    for _ in 0..reader.i32() {
                        reader.i32();
                    }
                }
            }
            topic
        })
        .collect();
    Metadata { brokers, topics }
}

fn put_string(buffer: &mut Vec<u8>, value: &str) {
    buffer.extend_from_slice(&(value.len() as i16).to_be_bytes());
    buffer.extend_from_slice(value.as_bytes());
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let (head, rest) = self.0.split_at(N);
        self.0 = rest;
        let mut bytes = [0; N];
        bytes.copy_from_slice(head);
        bytes
    }

    fn i16(&mut self) -> i16 {
        i16::from_be_bytes(self.take())
    }

    fn i32(&mut self) -> i32 {
        i32::from_be_bytes(self.take())
    }

    fn string(&mut self) -> String {
        let len = self.i16().max(0) as usize;
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8_lossy(text).into_owned()
    }
}
