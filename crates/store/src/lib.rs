//! Where the services keep their state, each in a database of its own: the orders
//! ([`orders_core::OrderStore`]) on SQLite (the embedded default: one file, nothing to
//! run) or on PostgreSQL, chosen by the URL. Every query is written once for both
//! backends ([`dialect`] holds what differs).
//!
//! The order-service commits its Kafka offsets only after [`OrderStore::insert`] returns,
//! so everything here is shaped by one rule: once `insert` says a batch is stored, it
//! stays stored, and storing it again changes nothing. The correlation id is the primary
//! key, so the database itself (not a check in Rust) makes a redelivered or concurrently
//! consumed event a duplicate instead of a second order.
//!
//! # SQLite
//!
//! Every connection is opened with:
//! - `journal_mode=WAL`: readers (the admin API's lookups) and the writer do not block
//!   each other, and a commit appends to one file instead of rewriting pages in place.
//! - `synchronous=FULL`: in WAL mode, `NORMAL` syncs only at checkpoints, so a commit that
//!   was already acknowledged can vanish if the machine loses power. `FULL` syncs the WAL
//!   at every commit; a lost commit would be a lost order, because its offset is already
//!   committed to Kafka.
//! - `busy_timeout` = [`StoreOptions::acquire_timeout`] (5 s by default): SQLite has one
//!   writer at a time, so a second writer (another pool connection, or `orders db migrate`
//!   from a shell) waits for the lock instead of failing at once; only after the timeout
//!   does the call fail, as `StoreError::Unavailable`.
//! - `foreign_keys=ON`: SQLite leaves references unchecked for backward compatibility;
//!   any table that gains one must behave as it does on Postgres.
//!
//! Write transactions start with `BEGIN IMMEDIATE`, taking the write lock up front where
//! the busy timeout applies, rather than upgrading a read lock halfway through.
//!
//! SQLite has no timestamp type: `created_at` and `persisted_at` are `TEXT` in one fixed
//! width, `2025-12-05T21:15:00.000000Z` (UTC, always six fractional digits), so that text
//! order is time order (the `recent` index relies on it), microseconds round-trip exactly,
//! and the `sqlite3` shell shows them readably. `items` is JSON text (checked with
//! `json_valid`), and the table is `STRICT`.
//!
//! # PostgreSQL
//!
//! `timestamptz` (microseconds), `jsonb`, `double precision`. Durability is the server's
//! `synchronous_commit` (on by default). Each batch is inserted in correlation id order,
//! so two consumers inserting overlapping batches take row locks in the same order and
//! cannot deadlock each other.

mod db;
mod dialect;
mod error;
pub mod inventory;
pub mod notifications;
mod orders;
mod outbox;
pub mod payments;
mod row;
mod schema;
mod tls;

pub use error::{Error, Result};
pub use orders::{Store, connect, migrate};
pub use outbox::OutboxTable;
pub use schema::{AppliedMigration, MigrationReport, Service};

use std::fmt;
use std::time::Duration;

/// The database behind a store, chosen by the URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// `sqlite://PATH` (relative or, with a third slash, absolute), `sqlite::memory:`.
    Sqlite,
    /// `postgres://…` or `postgresql://…`.
    Postgres,
}

impl Backend {
    /// The backend a URL names, or [`Error::UnsupportedUrl`] naming its scheme.
    pub fn from_url(url: &str) -> Result<Self> {
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        match scheme {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            _ => Err(Error::UnsupportedUrl {
                // Only the scheme: the rest of a URL may hold a password.
                scheme: scheme.to_owned(),
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a store is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// Apply pending migrations at connect. When off, a database that lacks some is
    /// refused with [`Error::SchemaTooOld`] rather than failing at the first insert.
    pub migrate: bool,
    /// The most connections to keep open; `None` picks the backend's default (SQLite 4,
    /// as writes take turns anyway; Postgres 10). `sqlite::memory:` always uses one, as
    /// every connection would otherwise see a database of its own.
    pub max_connections: Option<u32>,
    /// How long a call waits for the database, for a pooled connection and, on SQLite,
    /// for another connection's lock, before it fails as `StoreError::Unavailable`.
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            migrate: true,
            max_connections: None,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orders_core::OrderStore;

    #[test]
    fn the_scheme_chooses_the_backend() {
        assert_eq!(
            Backend::from_url("sqlite://orders.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("sqlite:///var/lib/o.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("sqlite::memory:").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
    }

    #[test]
    fn connecting_and_migrating_can_run_in_a_spawned_task() {
        fn spawnable<F: std::future::Future + Send + 'static>(_: F) {}
        spawnable(async {
            let url = String::from("sqlite::memory:");
            let options = StoreOptions::default();
            let store = connect(&url, options).await.ok();
            if let Some(store) = store {
                let _ = store.ping().await;
                store.close().await;
            }
            let _ = migrate(&url).await;
        });
    }

    #[test]
    fn an_unknown_scheme_is_named_but_not_the_rest_of_the_url() {
        let error = Backend::from_url("mysql://root:secret@db/orders").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("`mysql`"), "{message}");
        assert!(!message.contains("secret"), "{message}");
        let error = Backend::from_url("orders.db").unwrap_err();
        assert!(error.to_string().contains("(none)"), "{error}");
    }
}
