//! The store on PostgreSQL, for deployments where several order-service instances share
//! one database.

use crate::error::{Error, Result, store_error};
use crate::row::{self, COLUMNS, NewRow, RawOrder, column};
use crate::schema::{MigrationReport, Schema};
use crate::{Backend, StoreOptions};
use orders_core::{CorrelationId, Inserted, NewOrder, Order, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::types::Json;
use sqlx::{ConnectOptions, Connection, PgConnection, Postgres, QueryBuilder};
use std::str::FromStr;

const BACKEND: Backend = Backend::Postgres;

/// The protocol counts bind parameters in 16 bits.
const MAX_PARAMETERS: usize = 65_535;

const ROWS_PER_INSERT: usize = MAX_PARAMETERS / COLUMNS.len();

/// Ids per lookup; one array parameter each, so the limit is only one of size.
const IDS_PER_LOOKUP: usize = 10_000;

const DEFAULT_MAX_CONNECTIONS: u32 = 10;

#[derive(Debug, Clone)]
pub(crate) struct PostgresStore {
    pool: PgPool,
}

/// `items` is read as text so that both backends parse it with the same checks.
fn select() -> String {
    let columns: Vec<&str> = COLUMNS
        .iter()
        .map(|&c| {
            if c == "items" {
                "items::text AS items"
            } else {
                c
            }
        })
        .collect();
    format!("SELECT {} FROM orders ", columns.join(", "))
}

fn connect_options(url: &str) -> Result<PgConnectOptions> {
    PgConnectOptions::from_str(url).map_err(|e| Error::InvalidUrl {
        backend: BACKEND,
        reason: e.to_string(),
    })
}

async fn open(options: &PgConnectOptions, timeout: std::time::Duration) -> Result<PgConnection> {
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

/// The versions recorded in `_sqlx_migrations` (found through the `search_path`, as sqlx
/// finds it), none when the table does not exist yet.
async fn recorded_versions(conn: &mut PgConnection) -> Result<Vec<i64>, sqlx::Error> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
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
async fn prepare(conn: &mut PgConnection, pool: &PgPool, migrate: bool) -> Result<MigrationReport> {
    let schema = Schema::of(BACKEND);
    let recorded = recorded_versions(conn)
        .await
        .map_err(|e| schema.read_error(&e))?;
    schema.check(&recorded, migrate)?;
    let outcome = if migrate {
        // Takes an advisory lock, so instances starting together migrate one at a time.
        schema.migrator.run(pool).await
    } else {
        Ok(())
    };
    schema.finish(outcome, &recorded)
}

/// One connection of our own, opened before the pool: it fails fast and says why, where
/// the pool would retry a refused connection until its timeout and then only say that.
async fn open_pool(
    url: &str,
    options: &StoreOptions,
    max_connections: u32,
) -> Result<(PgConnection, PgPool)> {
    let connect_options = connect_options(url)?;
    let conn = open(&connect_options, options.acquire_timeout).await?;
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(options.acquire_timeout)
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

impl PostgresStore {
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
        let rows: Vec<NewRow<'_>> = row::unique_by_id(orders)
            .into_iter()
            .map(NewRow::new)
            .collect();
        if rows.is_empty() {
            return Ok(Inserted::default());
        }
        let failed = |operation, e: sqlx::Error| store_error(BACKEND, operation, &e);

        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| failed("begin insert", e))?;
        let mut created = 0;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut query = QueryBuilder::<Postgres>::new(format!(
                "INSERT INTO orders ({}) ",
                COLUMNS.join(", ")
            ));
            query.push_values(chunk, |mut b, row| {
                let source = row.source;
                b.push_bind(row.correlation_id)
                    .push_bind(row.customer_id.as_str())
                    .push_bind(Json(row.items))
                    .push_bind(row.total_amount)
                    .push_bind(row.status)
                    .push_bind(row.created_at)
                    .push_bind(row.persisted_at)
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
        let sql = format!("{}WHERE correlation_id = $1", select());
        let row = sqlx::query(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| store_error(BACKEND, "get", &e))?;
        row.as_ref().map(order).transpose()
    }

    pub(crate) async fn lookup(&self, ids: &[CorrelationId]) -> Result<Vec<Order>, StoreError> {
        let sql = format!(
            "{}WHERE correlation_id = ANY($1) ORDER BY correlation_id",
            select()
        );
        let mut orders = Vec::new();
        // Ids are sorted and chunks are in order, so the result is in id order as a whole.
        for chunk in row::unique_ids(ids).chunks(IDS_PER_LOOKUP) {
            let rows = sqlx::query(&sql)
                .bind(chunk)
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
            "{}ORDER BY persisted_at DESC, correlation_id LIMIT $1",
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

fn order(row: &PgRow) -> Result<Order, StoreError> {
    let id: String = column(row, "?", "correlation_id")?;
    let partition: Option<i32> = column(row, &id, "source_partition")?;
    RawOrder {
        customer_id: column(row, &id, "customer_id")?,
        items: column(row, &id, "items")?,
        total_amount: column(row, &id, "total_amount")?,
        status: column(row, &id, "status")?,
        created_at: column(row, &id, "created_at")?,
        persisted_at: column(row, &id, "persisted_at")?,
        source_topic: column(row, &id, "source_topic")?,
        source_partition: partition.map(i64::from),
        source_offset: column(row, &id, "source_offset")?,
        correlation_id: id,
    }
    .into_order()
}
