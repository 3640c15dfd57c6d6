//! A broker that cannot start says why, quoting nisshi's own words, within its deadline.

use std::{
    net::TcpListener,
    time::{Duration, Instant},
};

use orders_nisshi::{Broker, BrokerConfig, Error, Storage};

use crate::support::{fixture, nisshi, process_alive};

#[test]
fn a_port_held_by_another_listener_fails_fast_with_nisshis_words() {
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();

    let error = refused_quickly(BrokerConfig {
        port,
        ..BrokerConfig::default()
    });
    match &error {
        Error::PortInUse {
            port: in_use,
            tail,
            log,
        } => {
            assert_eq!(*in_use, port);
            assert!(tail.contains("already in use"), "{tail}");
            assert!(log.exists(), "the error names a log that is gone: {log:?}");
        }
        other => panic!("expected PortInUse, got {other:?}"),
    }
    assert!(error.to_string().contains(&port.to_string()), "{error}");
}

#[test]
fn a_storage_url_nisshi_cannot_use_fails_with_the_log_tail() {
    let error = refused_quickly(BrokerConfig {
        storage: Storage::Postgres {
            url: "bogus://nowhere/".to_owned(),
        },
        ..BrokerConfig::default()
    });
    match &error {
        Error::Exited { status, tail, .. } => {
            assert!(!status.success());
            assert!(tail.contains("bogus"), "{tail}");
        }
        other => panic!("expected Exited, got {other:?}"),
    }
}

#[test]
fn a_broker_that_never_gets_ready_is_killed_at_the_deadline() {
    let log = tempfile::NamedTempFile::new().unwrap();
    let started = Instant::now();

    let error = Broker::start(BrokerConfig {
        binary: Some(fixture("never-ready")),
        ready_timeout: Duration::from_millis(500),
        log_file: Some(log.path().to_path_buf()),
        ..BrokerConfig::default()
    })
    .unwrap_err();
    eprintln!("{error}");

    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
    match &error {
        Error::NotReady { after, tail, .. } => {
            assert_eq!(*after, Duration::from_millis(500));
            assert!(tail.contains("starting, slowly"), "{tail}");
        }
        other => panic!("expected NotReady, got {other:?}"),
    }
    assert!(error.to_string().contains("ready_timeout"), "{error}");
    // The fixture execs `sleep 600` with its output in our log: none may be left.
    assert!(!writes_to(log.path()), "the fake broker outlived the error");
}

#[test]
fn a_missing_binary_is_an_error_not_a_hang() {
    let error = Broker::start(BrokerConfig {
        binary: Some("/nonexistent/nisshi".into()),
        ..BrokerConfig::default()
    })
    .unwrap_err();
    eprintln!("{error}");

    assert!(matches!(error, Error::Spawn { .. }), "{error:?}");
    assert!(error.to_string().contains("/nonexistent/nisshi"), "{error}");
}

/// Whether a live process has `log` as its stdout.
/// Starts the real nisshi with `config`, expecting it to fail well before the start-up
/// deadline, and returns the error.
fn refused_quickly(config: BrokerConfig) -> Error {
    let started = Instant::now();
    let error = Broker::start(BrokerConfig {
        binary: Some(nisshi()),
        ..config
    })
    .expect_err("nisshi started with a configuration it cannot use");
    eprintln!("{error}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    error
}

fn writes_to(log: &std::path::Path) -> bool {
    std::fs::read_dir("/proc")
        .expect("list /proc")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| process_alive(*pid))
        .any(|pid| {
            std::fs::read_link(format!("/proc/{pid}/fd/1")).is_ok_and(|target| target == log)
        })
}
