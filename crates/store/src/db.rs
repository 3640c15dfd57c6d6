//! A connection pool to one service's database, on either backend, set up one way:
//! connect (one connection of our own first, which fails fast and says why), check the
//! schema's version against the binary's, migrate.

use crate::error::{Error, Result, store_error};
use crate::schema::{MigrationReport, Schema, Service};
use crate::{Backend, StoreOptions};
use orders_core::StoreError;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, PgConnection, SqliteConnection};
use std::str::FromStr;
use std::time::Duration;

/// Runs `$body` once per backend with `$pool` bound to that backend's pool and `$d` to
/// its [`dialect`](crate::dialect) module: the body is written once and compiled for
/// each, so the two backends cannot drift apart.
#[macro_export]
#[doc(hidden)]
macro_rules! on_backend {
    ($db:expr, $pool:ident, $d:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => {
                #[allow(unused_imports)]
                use $crate::dialect::sqlite as $d;
                $body
            }
            $crate::db::Db::Postgres($pool) => {
                #[allow(unused_imports)]
                use $crate::dialect::postgres as $d;
                $body
            }
        }
    };
}

/// Like [`on_backend!`], for a transaction: `$conn` is the backend's transaction.
#[macro_export]
#[doc(hidden)]
macro_rules! on_tx {
    ($tx:expr, $conn:ident, $d:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite($conn) => {
                #[allow(unused_imports)]
                use $crate::dialect::sqlite as $d;
                $body
            }
            $crate::db::Tx::Postgres($conn) => {
                #[allow(unused_imports)]
                use $crate::dialect::postgres as $d;
                $body
            }
        }
    };
}

/// A write transaction on one backend (on SQLite it holds the write lock from its start).
#[derive(Debug)]
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub(crate) async fn commit(self, operation: &str) -> Result<(), StoreError> {
        on_tx!(self, tx, d => tx
            .commit()
            .await
            .map_err(|e| store_error(d::BACKEND, operation, &e)))
    }

    /// Serialises this transaction with others touching the same correlation ids.
    pub(crate) async fn lock_keys(&mut self, keys: &[&str]) -> Result<(), StoreError> {
        on_tx!(self, tx, d => d::lock_keys(tx, keys).await)
    }

    /// Writes events to the outbox, in this transaction.
    pub(crate) async fn enqueue(
        &mut self,
        events: &[orders_core::OutgoingEvent],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        on_tx!(self, tx, d => d::enqueue(tx, events, at).await)
    }
}

/// A pool on one backend. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

const SQLITE_MAX_CONNECTIONS: u32 = 4;
const POSTGRES_MAX_CONNECTIONS: u32 = 10;

impl Db {
    /// Connects to the database at `url`, checks that it holds `service`'s schema (or
    /// none yet) at a version this binary knows and, when `options.migrate`, brings it
    /// up to date.
    pub(crate) async fn connect(
        url: &str,
        service: Service,
        options: &StoreOptions,
    ) -> Result<Self> {
        let backend = Backend::from_url(url)?;
        let max = options.max_connections.unwrap_or(match backend {
            Backend::Sqlite => SQLITE_MAX_CONNECTIONS,
            Backend::Postgres => POSTGRES_MAX_CONNECTIONS,
        });
        let (mut first, db) = Self::open(url, options, max).await?;
        let prepared = db.prepare(&mut first, service, options.migrate).await;
        first.close().await;
        if let Err(e) = prepared {
            db.close().await;
            return Err(e);
        }
        Ok(db)
    }

    /// Applies the migrations the database lacks and reports them.
    pub(crate) async fn migrate(url: &str, service: Service) -> Result<MigrationReport> {
        let options = StoreOptions::default();
        let (mut first, db) = Self::open(url, &options, 1).await?;
        let report = db.prepare(&mut first, service, true).await;
        // The report stands whether or not the connections close cleanly.
        first.close().await;
        db.close().await;
        report
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The database product as OpenTelemetry names it.
    pub(crate) fn system(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgresql",
        }
    }

    /// Begins a write transaction.
    pub(crate) async fn begin(&self, operation: &str) -> Result<Tx, StoreError> {
        Ok(match self {
            Self::Sqlite(pool) => Tx::Sqlite(crate::dialect::sqlite::begin(pool, operation).await?),
            Self::Postgres(pool) => {
                Tx::Postgres(crate::dialect::postgres::begin(pool, operation).await?)
            }
        })
    }

    pub(crate) async fn close(&self) {
        on_backend!(self, pool, d => pool.close().await)
    }

    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        on_backend!(self, pool, d => {
            sqlx::query("SELECT 1")
                .execute(pool)
                .await
                .map_err(|e| store_error(d::BACKEND, "ping", &e))?;
            Ok(())
        })
    }

    /// One connection of our own, opened before the pool: it fails fast and says why
    /// (the pool would retry a failing connection until its timeout, then only say that
    /// it timed out), and it keeps an in-memory SQLite database alive until the pool
    /// holds it.
    async fn open(url: &str, options: &StoreOptions, max: u32) -> Result<(First, Self)> {
        let timeout = options.acquire_timeout;
        match Backend::from_url(url)? {
            Backend::Sqlite => {
                let connect = sqlite_options(url, options)?;
                let first = open_first(Backend::Sqlite, connect.connect(), timeout).await?;
                let pool = SqlitePoolOptions::new().acquire_timeout(timeout);
                let pool = if is_in_memory(url) {
                    // One connection, never recycled: the database dies with its last one.
                    pool.max_connections(1)
                        .min_connections(1)
                        .idle_timeout(None)
                        .max_lifetime(None)
                } else {
                    pool.max_connections(max)
                };
                let pool = pool
                    .connect_with(connect)
                    .await
                    .map_err(|e| connect_error(Backend::Sqlite, &e))?;
                Ok((First::Sqlite(first), Self::Sqlite(pool)))
            }
            Backend::Postgres => {
                let connect = PgConnectOptions::from_str(url).map_err(|e| Error::InvalidUrl {
                    backend: Backend::Postgres,
                    reason: e.to_string(),
                })?;
                let (connect, pinned) = crate::tls::prepare(url, connect);
                if let Some(pinned) = &pinned {
                    crate::tls::verify(&connect, pinned, timeout).await?;
                }
                let first = open_first(Backend::Postgres, connect.connect(), timeout).await?;
                let pool = PgPoolOptions::new()
                    .max_connections(max)
                    .acquire_timeout(timeout)
                    .connect_with(connect)
                    .await
                    .map_err(|e| connect_error(Backend::Postgres, &e))?;
                Ok((First::Postgres(first), Self::Postgres(pool)))
            }
        }
    }

    /// Checks the versions recorded in the database and, when `migrate`, applies what is
    /// missing through the pool (sqlx's migrator is only `Send`, so `connect` can run in
    /// a spawned task, when it is given a pool).
    async fn prepare(
        &self,
        first: &mut First,
        service: Service,
        migrate: bool,
    ) -> Result<MigrationReport> {
        let schema = Schema::of(service, self.backend());
        let recorded = first
            .recorded_versions()
            .await
            .map_err(|e| schema.read_error(&e))?;
        schema.check(&recorded, migrate)?;
        let outcome = if migrate {
            // On Postgres it takes an advisory lock: instances starting together migrate
            // one at a time.
            on_backend!(self, pool, d => schema.migrator.run(pool).await)
        } else {
            Ok(())
        };
        schema.finish(outcome, &recorded)
    }
}

/// The connection `connect` opens before the pool.
enum First {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl First {
    async fn close(self) {
        let _ = match self {
            Self::Sqlite(conn) => conn.close().await,
            Self::Postgres(conn) => conn.close().await,
        };
    }

    /// The versions recorded in `_sqlx_migrations`, none when it does not exist yet.
    async fn recorded_versions(&mut self) -> Result<Vec<i64>, sqlx::Error> {
        macro_rules! read {
            ($conn:expr, $d:path) => {{
                use $d as d;
                let exists: bool = sqlx::query_scalar(d::MIGRATIONS_TABLE_EXISTS)
                    .fetch_one(&mut *$conn)
                    .await?;
                if !exists {
                    return Ok(Vec::new());
                }
                sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
                    .fetch_all(&mut *$conn)
                    .await
            }};
        }
        match self {
            Self::Sqlite(conn) => read!(conn, crate::dialect::sqlite),
            Self::Postgres(conn) => read!(conn, crate::dialect::postgres),
        }
    }
}

async fn open_first<C>(
    backend: Backend,
    connect: impl Future<Output = std::result::Result<C, sqlx::Error>>,
    timeout: Duration,
) -> Result<C> {
    match tokio::time::timeout(timeout, connect).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(connect_error(backend, &e)),
        Err(_) => Err(Error::Connect {
            backend,
            source: StoreError::Unavailable(format!(
                "{backend} connect: no connection within {timeout:?}"
            )),
        }),
    }
}

fn connect_error(backend: Backend, error: &sqlx::Error) -> Error {
    Error::Connect {
        backend,
        source: store_error(backend, "connect", error),
    }
}

/// Every SQLite connection gets the pragmas the crate documentation explains.
fn sqlite_options(url: &str, options: &StoreOptions) -> Result<SqliteConnectOptions> {
    let parsed = SqliteConnectOptions::from_str(url).map_err(|e| Error::InvalidUrl {
        backend: Backend::Sqlite,
        reason: e.to_string(),
    })?;
    let parsed = if url_parameter(url, "mode").is_some() {
        parsed
    } else {
        // `mode=rwc`: a first start creates its database.
        parsed.create_if_missing(true)
    };
    Ok(parsed
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(options.acquire_timeout)
        .foreign_keys(true))
}

fn url_parameter<'u>(url: &'u str, name: &str) -> Option<&'u str> {
    let (_, query) = url.split_once('?')?;
    query
        .split('&')
        .find_map(|pair| pair.split_once('=').filter(|(key, _)| *key == name))
        .map(|(_, value)| value)
}

/// In memory, the database lives only as long as some connection to it.
fn is_in_memory(url: &str) -> bool {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    path == ":memory:" || url_parameter(url, "mode") == Some("memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pragma<T>(conn: &mut SqliteConnection, name: &str) -> T
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + Unpin,
    {
        sqlx::query_scalar(&format!("PRAGMA {name}"))
            .fetch_one(conn)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn every_pooled_sqlite_connection_gets_the_durability_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("pragmas.db").display());
        let Db::Sqlite(pool) = Db::connect(&url, Service::Orders, &StoreOptions::default())
            .await
            .unwrap()
        else {
            panic!("a sqlite URL makes a sqlite pool");
        };
        // Two at once, so that the second is a connection the pool opened itself.
        let mut first = pool.acquire().await.unwrap();
        let mut second = pool.acquire().await.unwrap();
        for conn in [&mut *first, &mut *second] {
            assert_eq!(pragma::<String>(conn, "journal_mode").await, "wal");
            assert_eq!(pragma::<i64>(conn, "synchronous").await, 2, "FULL");
            assert_eq!(pragma::<i64>(conn, "busy_timeout").await, 5_000);
            assert_eq!(pragma::<i64>(conn, "foreign_keys").await, 1);
        }
    }

    #[test]
    fn memory_urls_are_recognised() {
        assert!(is_in_memory("sqlite::memory:"));
        assert!(is_in_memory("sqlite://:memory:"));
        assert!(is_in_memory("sqlite://orders.db?mode=memory"));
        assert!(!is_in_memory("sqlite://orders.db"));
        assert!(!is_in_memory("sqlite:///tmp/memory.db"));
    }
}
