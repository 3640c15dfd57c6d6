//! The local Kafka-compatible broker, nisshi, as a library: find it, install it, run it.
//!
//! Machines here have no Docker and no Apache Kafka, so `orders up`, every crate's integration
//! tests and CI run [nisshi](https://crates.io/crates/nisshi) instead. nisshi is a separate
//! binary installed with `cargo install` (see [`INSTALL_COMMAND`]); it is never a library
//! dependency, because it would bring ~900 crates and a newer `rust-version` into the workspace.
//!
//! The crate is std-only and blocking so that it compiles in seconds and serves sync and async
//! callers alike: tokio callers use it from `spawn_blocking` or at start-up.
//!
//! ```no_run
//! use orders_nisshi::{Broker, BrokerConfig, Storage};
//!
//! let nisshi = orders_nisshi::ensure_installed(|line| eprintln!("{line}"))?;
//! let broker = Broker::start(BrokerConfig {
//!     binary: Some(nisshi),
//!     storage: Storage::sqlite("target/nisshi-data"),
//!     ..BrokerConfig::default()
//! })?;
//! println!("KAFKA_BROKERS={}", broker.bootstrap_servers());
//! # Ok::<(), orders_nisshi::Error>(())
//! ```
//!
//! A [`Broker`] never outlives the process that started it, even one that is SIGKILLed or that
//! keeps its broker in a `static` (whose `Drop` never runs): nisshi runs under a small `sh`
//! watchdog that SIGKILLs it as soon as this process's end of a pipe closes, which the kernel
//! does whenever and however this process ends.

mod broker;
mod error;
mod install;
mod log;
mod probe;
pub mod schemas;
mod watchdog;

pub use broker::{Broker, BrokerConfig, SQLITE_FILE, Storage};
pub use error::{Error, Result};
pub use install::{INSTALL_COMMAND, ensure_installed, find, install, verify};
pub use probe::{ApiVersionRange, ApiVersions, probe};

/// The nisshi release this project runs and tests against.
pub const VERSION: &str = "0.8.1";

/// The environment variable whose value nisshi gets as its log filter (its `RUST_LOG`);
/// unset, nisshi logs only its start-up lines and warnings.
pub const LOG_FILTER_VAR: &str = "NISSHI_LOG";
