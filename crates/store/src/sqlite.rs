//! The store on SQLite, the embedded default: a file next to the service, or memory.
//!
//! The pragmas, and why each is set, are in the crate documentation.

use crate::error::{Error, Result, store_error};
use crate::row::{self, COLUMNS, NewRow, RawOrder, column};
use crate::schema::{MigrationReport, Schema};
use crate::{Backend, StoreOptions};
use orders_core::{CorrelationId, Inserted, NewOrder, Order, StoreError};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, QueryBuilder, Sqlite, SqliteConnection};
use std::str::FromStr;

const BACKEND: Backend = Backend::Sqlite;

/// SQLite refuses statements with more bound parameters than this (its default
/// `SQLITE_MAX_VARIABLE_NUMBER` since 3.32).
const MAX_PARAMETERS: usize = 32_766;

/// Rows per `INSERT`: as many as the parameter limit allows, so that a batch of a few
/// thousand is one statement.
const ROWS_PER_INSERT: usize = MAX_PARAMETERS / COLUMNS.len();
const _: () = assert!(ROWS_PER_INSERT >= 3_000);

/// Ids per `IN (…)` of a lookup.
const IDS_PER_LOOKUP: usize = 1_000;

const DEFAULT_MAX_CONNECTIONS: u32 = 4;

#[derive(Debug, Clone)]
pub(crate) struct SqliteStore {
    pool: SqlitePool,
}

fn select() -> String {
    format!("SELECT {} FROM orders ", COLUMNS.join(", "))
}

fn connect_options(url: &str, options: &StoreOptions) -> Result<SqliteConnectOptions> {
    let parsed = SqliteConnectOptions::from_str(url).map_err(|e| Error::InvalidUrl {
        backend: BACKEND,
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

async fn open(
    options: &SqliteConnectOptions,
    timeout: std::time::Duration,
) -> Result<SqliteConnection> {
    let connect = |source| Error::Connect {
        backend: BACKEND,
        source,
    };
    match tokio::time::timeout(timeout, options.connect()).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(connect(store_error(BACKEND, "connect", &e))),
        Err(_) => Err(connect(StoreError::Unavailable(format!(
            "{BACKEND} connect: no connection within {timeout:?}"
        )))),
    }
}

/// The versions recorded in `_sqlx_migrations`, none when the table does not exist yet.
async fn recorded_versions(conn: &mut SqliteConnection) -> Result<Vec<i64>, sqlx::Error> {
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !exists {
        return Ok(Vec::new());
    }
    sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&mut *conn)
        .await
}

/// Checks the recorded versions on `conn` and, when `migrate`, applies what is missing
/// through `pool`: sqlx's migrator is only `Send` (so `connect` can run in a spawned task)
/// when it is given a pool.
async fn prepare(
    conn: &mut SqliteConnection,
    pool: &SqlitePool,
    migrate: bool,
) -> Result<MigrationReport> {
    let schema = Schema::of(BACKEND);
    let recorded = recorded_versions(conn)
        .await
        .map_err(|e| schema.read_error(&e))?;
    schema.check(&recorded, migrate)?;
    let outcome = if migrate {
        schema.migrator.run(pool).await
    } else {
        Ok(())
    };
    schema.finish(outcome, &recorded)
}

/// One connection of our own, opened before the pool: it fails fast and says why (the
/// pool would retry a failing connection until its timeout, then only say that it timed
/// out), and it keeps an in-memory database alive until the pool holds it.
async fn open_pool(
    url: &str,
    options: &StoreOptions,
    max_connections: u32,
) -> Result<(SqliteConnection, SqlitePool)> {
    let connect_options = connect_options(url, options)?;
    let conn = open(&connect_options, options.acquire_timeout).await?;
    let mut pool = SqlitePoolOptions::new().acquire_timeout(options.acquire_timeout);
    pool = if is_in_memory(url) {
        // One connection, never recycled: the database dies with its last connection.
        pool.max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        pool.max_connections(max_connections)
    };
    let pool = pool
        .connect_with(connect_options)
        .await
        .map_err(|e| Error::Connect {
            backend: BACKEND,
            source: store_error(BACKEND, "connect", &e),
        })?;
    Ok((conn, pool))
}

pub(crate) async fn migrate(url: &str, options: &StoreOptions) -> Result<MigrationReport> {
    let (mut conn, pool) = open_pool(url, options, 1).await?;
    let report = prepare(&mut conn, &pool, true).await;
    // The report stands whether or not the connections close cleanly.
    let _ = conn.close().await;
    pool.close().await;
    report
}

impl SqliteStore {
    pub(crate) async fn connect(url: &str, options: &StoreOptions) -> Result<Self> {
        let max_connections = options.max_connections.unwrap_or(DEFAULT_MAX_CONNECTIONS);
        let (mut conn, pool) = open_pool(url, options, max_connections).await?;
        let prepared = prepare(&mut conn, &pool, options.migrate).await;
        let _ = conn.close().await;
        if let Err(e) = prepared {
            pool.close().await;
            return Err(e);
        }
        Ok(Self { pool })
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn insert(&self, orders: &[NewOrder]) -> Result<Inserted, StoreError> {
        let unique = row::unique_by_id(orders);
        if unique.is_empty() {
            return Ok(Inserted::default());
        }
        let rows = unique
            .iter()
            .map(|order| SqliteValues::new(NewRow::new(order)))
            .collect::<Result<Vec<_>, _>>()?;
        let failed = |operation, e: sqlx::Error| store_error(BACKEND, operation, &e);

        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| failed("begin insert", e))?;
        let mut created = 0;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut query = QueryBuilder::<Sqlite>::new(format!(
                "INSERT INTO orders ({}) ",
                COLUMNS.join(", ")
            ));
            query.push_values(chunk, |mut b, v| {
                let row = &v.row;
                let source = row.source;
                b.push_bind(row.correlation_id)
                    .push_bind(row.customer_id.as_str())
                    .push_bind(v.items.as_str())
                    .push_bind(row.total_amount)
                    .push_bind(row.status)
                    .push_bind(v.created_at.as_str())
                    .push_bind(v.persisted_at.as_str())
                    .push_bind(source.map(|s| s.topic.as_str()))
                    .push_bind(source.map(|s| s.partition))
                    .push_bind(source.map(|s| s.offset));
            });
            query.push(" ON CONFLICT (correlation_id) DO NOTHING");
            let done = query
                .build()
                .execute(&mut *tx)
                .await
                .map_err(|e| failed("insert", e))?;
            created += usize::try_from(done.rows_affected()).unwrap_or(usize::MAX);
        }
        tx.commit().await.map_err(|e| failed("commit insert", e))?;
        Ok(Inserted {
            created,
            duplicates: orders.len().saturating_sub(created),
        })
    }

    pub(crate) async fn get(&self, id: &CorrelationId) -> Result<Option<Order>, StoreError> {
        let sql = format!("{}WHERE correlation_id = ?", select());
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| store_error(BACKEND, "get", &e))?;
        row.as_ref().map(order).transpose()
    }

    pub(crate) async fn lookup(&self, ids: &[CorrelationId]) -> Result<Vec<Order>, StoreError> {
        let mut orders = Vec::new();
        // Ids are sorted and chunks are in order, so the result is in id order as a whole.
        for chunk in row::unique_ids(ids).chunks(IDS_PER_LOOKUP) {
            let mut query = QueryBuilder::<Sqlite>::new(select());
            query.push("WHERE correlation_id IN (");
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(") ORDER BY correlation_id");
            let rows = query
                .build()
                .fetch_all(&self.pool)
                .await
                .map_err(|e| store_error(BACKEND, "lookup", &e))?;
            for row in &rows {
                orders.push(order(row)?);
            }
        }
        Ok(orders)
    }

    pub(crate) async fn recent(&self, limit: u32) -> Result<Vec<Order>, StoreError> {
        let sql = format!(
            "{}ORDER BY persisted_at DESC, correlation_id LIMIT ?",
            select()
        );
        let rows = sqlx::query(&sql)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| store_error(BACKEND, "recent", &e))?;
        rows.iter().map(order).collect()
    }

    pub(crate) async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(|e| store_error(BACKEND, "ping", &e))?;
        Ok(())
    }
}

/// A row's values with SQLite's own representations (timestamp and JSON text).
struct SqliteValues<'a> {
    row: NewRow<'a>,
    items: String,
    created_at: String,
    persisted_at: String,
}

impl<'a> SqliteValues<'a> {
    fn new(row: NewRow<'a>) -> Result<Self, StoreError> {
        let id = row.correlation_id;
        Ok(Self {
            items: row.items_json()?,
            created_at: row::timestamp_text(id, "created_at", row.created_at)?,
            persisted_at: row::timestamp_text(id, "persisted_at", row.persisted_at)?,
            row,
        })
    }
}

fn order(row: &SqliteRow) -> Result<Order, StoreError> {
    let id: String = column(row, "?", "correlation_id")?;
    let timestamp = |name: &str| -> Result<_, StoreError> {
        let text: String = column(row, &id, name)?;
        row::parse_timestamp_text(&text).map_err(|reason| row::unreadable(&id, name, reason))
    };
    RawOrder {
        customer_id: column(row, &id, "customer_id")?,
        items: column(row, &id, "items")?,
        total_amount: column(row, &id, "total_amount")?,
        status: column(row, &id, "status")?,
        created_at: timestamp("created_at")?,
        persisted_at: timestamp("persisted_at")?,
        source_topic: column(row, &id, "source_topic")?,
        source_partition: column(row, &id, "source_partition")?,
        source_offset: column(row, &id, "source_offset")?,
        correlation_id: id,
    }
    .into_order()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pragma<T>(conn: &mut SqliteConnection, name: &str) -> T
    where
        T: for<'r> sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite> + Send + Unpin,
    {
        sqlx::query_scalar(&format!("PRAGMA {name}"))
            .fetch_one(conn)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn every_pooled_connection_gets_the_durability_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("pragmas.db").display());
        let store = SqliteStore::connect(&url, &StoreOptions::default())
            .await
            .unwrap();
        // Two at once, so that the second is a connection the pool opened itself.
        let mut first = store.pool.acquire().await.unwrap();
        let mut second = store.pool.acquire().await.unwrap();
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
