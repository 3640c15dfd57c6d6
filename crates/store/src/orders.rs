//! The order-service's store: [`OrderStore`] on either backend, each query written once.

use crate::db::Db;
use crate::error::{Result, store_error};
use crate::row::{self, RawOrder, column};
use crate::schema::{MigrationReport, Service};
use crate::{Backend, StoreOptions, on_backend};
use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use orders_core::{
    Conflict, CorrelationId, Inserted, NewOrder, Order, OrderItem, OrderStatus, OrderStore,
    StoreError,
};
use sqlx::{QueryBuilder, Row};
use std::collections::HashMap;
use uuid::Uuid;

/// The columns of `orders` every query reads, in [`RawOrder`]'s order.
const COLUMNS: [&str; 10] = [
    "correlation_id",
    "customer_id",
    "items",
    "total_amount",
    "status",
    "created_at",
    "persisted_at",
    "source_topic",
    "source_partition",
    "source_offset",
];

/// Ids per `IN (…)`.
const IDS_PER_QUERY: usize = 1_000;

/// The orders store. Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
}

/// Connects to the orders database at `url`, checks its schema version and, when
/// `options.migrate`, brings it up to date. A database migrated by a newer `orders` is
/// refused with [`Error::SchemaTooNew`](crate::Error::SchemaTooNew).
pub async fn connect(url: &str, options: StoreOptions) -> Result<Store> {
    Ok(Store {
        db: Db::connect(url, Service::Orders, &options).await?,
    })
}

/// Applies the migrations the orders database at `url` lacks (what `orders db migrate`
/// does) and reports them.
pub async fn migrate(url: &str) -> Result<MigrationReport> {
    Db::migrate(url, Service::Orders).await
}

impl Store {
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Closes every connection, waiting for the ones in use to come back. Calls made
    /// afterwards fail as `StoreError::Unavailable`.
    pub async fn close(&self) {
        self.db.close().await;
    }
}

/// The select list, the same on both backends: `items` as text, the partition as a
/// 64-bit integer (Postgres keeps an `integer`).
fn select(d_json_column: &str) -> String {
    let columns: Vec<String> = COLUMNS
        .iter()
        .map(|&c| match c {
            "items" => d_json_column.to_owned(),
            "source_partition" => "CAST(source_partition AS BIGINT) AS source_partition".into(),
            c => c.to_owned(),
        })
        .collect();
    format!("SELECT {} FROM orders ", columns.join(", "))
}

/// What an order is, for telling a redelivery from a different order under the same
/// id: what the client asked for. `createdAt` is not part of it: the gateway stamps it
/// per request, so a client that retries the same order after a 503 makes events that
/// differ only there, and those are the same order.
#[derive(Debug, PartialEq)]
struct Content<'a> {
    customer_id: Uuid,
    items: &'a [OrderItem],
    total_amount: f64,
}

impl<'a> Content<'a> {
    fn of_new(order: &'a NewOrder) -> Self {
        Self {
            customer_id: order.event.customer_id,
            items: &order.event.items,
            total_amount: order.event.total_amount.value(),
        }
    }

    fn of_stored(order: &'a Order) -> Self {
        Self {
            customer_id: order.customer_id,
            items: &order.items,
            total_amount: order.total_amount.value(),
        }
    }

    /// The contract's names of the fields that differ, or `None` when none does.
    fn differences(&self, other: &Self) -> Option<String> {
        let mut fields = Vec::new();
        if self.customer_id != other.customer_id {
            fields.push("customerId");
        }
        if self.items != other.items {
            fields.push("items");
        }
        if self.total_amount.to_bits() != other.total_amount.to_bits() {
            fields.push("totalAmount");
        }
        (!fields.is_empty()).then(|| fields.join(", "))
    }
}

#[async_trait]
impl OrderStore for Store {
    async fn insert(&self, orders: &[NewOrder]) -> Result<Inserted, StoreError> {
        // One row per id (the first occurrence), in id order: concurrent Postgres
        // transactions then lock rows in the same order and wait for each other instead
        // of deadlocking, and SQLite's b-tree inserts stay local.
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, order) in orders.iter().enumerate() {
            first
                .entry(order.event.correlation_id.as_str())
                .or_insert(i);
        }
        let mut unique: Vec<usize> = first.values().copied().collect();
        unique.sort_by(|&a, &b| {
            orders[a]
                .event
                .correlation_id
                .cmp(&orders[b].event.correlation_id)
        });
        if unique.is_empty() {
            return Ok(Inserted::default());
        }

        let (created, existing) = on_backend!(&self.db, pool, d => {
            let failed = |operation, e: sqlx::Error| store_error(d::BACKEND, operation, &e);
            let mut tx = d::begin(pool, "begin insert").await?;
            let mut created: Vec<String> = Vec::new();
            for chunk in unique.chunks(d::MAX_PARAMETERS / COLUMNS.len()) {
                let mut query = QueryBuilder::new(format!(
                    "INSERT INTO orders ({}) ",
                    COLUMNS.join(", ")
                ));
                let mut values = Vec::with_capacity(chunk.len());
                for &i in chunk {
                    let order = &orders[i];
                    values.push((
                        order,
                        d::json(&order.event.items)?,
                        d::ts(order.event.created_at.trunc_subsecs(6))?,
                        d::ts(order.persisted_at.trunc_subsecs(6))?,
                    ));
                }
                query.push_values(values, |mut b, (order, items, created_at, persisted_at)| {
                    let event = &order.event;
                    let source = order.source.as_ref();
                    b.push_bind(event.correlation_id.as_str())
                        .push_bind(event.customer_id.hyphenated().to_string())
                        .push_bind(items)
                        .push_bind(event.total_amount.value())
                        .push_bind(OrderStatus::Pending.as_str())
                        .push_bind(created_at)
                        .push_bind(persisted_at)
                        .push_bind(source.map(|s| s.topic.as_str()))
                        .push_bind(source.map(|s| s.partition))
                        .push_bind(source.map(|s| s.offset));
                });
                query.push(" ON CONFLICT (correlation_id) DO NOTHING RETURNING correlation_id");
                let rows = query
                    .build()
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(|e| failed("insert", e))?;
                for row in rows {
                    created.push(row.try_get(0).map_err(|e| failed("insert", e))?);
                }
            }
            // The orders that were there already, to tell redeliveries from conflicts.
            let mut missing: Vec<&str> = unique
                .iter()
                .map(|&i| orders[i].event.correlation_id.as_str())
                .collect();
            created.sort_unstable();
            missing.retain(|id| created.binary_search_by(|c| c.as_str().cmp(id)).is_err());
            let mut existing = Vec::new();
            for chunk in missing.chunks(IDS_PER_QUERY) {
                let mut query = QueryBuilder::new(select(&d::json_column("items")));
                query.push("WHERE correlation_id IN (");
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                query.push(")");
                let rows = query
                    .build()
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(|e| failed("read existing orders", e))?;
                for row in &rows {
                    existing.push(read_order(row, d::read_ts)?);
                }
            }
            tx.commit().await.map_err(|e| failed("commit insert", e))?;
            (created, existing)
        });

        let stored: HashMap<&str, &Order> = existing
            .iter()
            .map(|o| (o.correlation_id.as_str(), o))
            .collect();
        let mut inserted = Inserted {
            created: created.len(),
            ..Inserted::default()
        };
        for (i, order) in orders.iter().enumerate() {
            let id = order.event.correlation_id.as_str();
            let is_new_row = first.get(id) == Some(&i) && !stored.contains_key(id);
            if is_new_row {
                continue;
            }
            // What this id holds now: the row that was there, or the batch's first.
            let reference = match stored.get(id) {
                Some(stored) => Content::of_stored(stored),
                None => Content::of_new(&orders[first[id]]),
            };
            match Content::of_new(order).differences(&reference) {
                None => inserted.duplicates += 1,
                Some(fields) => inserted.conflicts.push(Conflict {
                    index: i,
                    reason: format!(
                        "correlation id {id} already names an order with another {fields}: \
                         an identical redelivery is harmless, a different order under the \
                         same id is not applied"
                    ),
                }),
            }
        }
        Ok(inserted)
    }

    async fn get(&self, id: &CorrelationId) -> Result<Option<Order>, StoreError> {
        on_backend!(&self.db, pool, d => {
            let sql = format!("{}WHERE correlation_id = $1", select(&d::json_column("items")));
            let row = sqlx::query(&sql)
                .bind(id.as_str())
                .fetch_optional(pool)
                .await
                .map_err(|e| store_error(d::BACKEND, "get", &e))?;
            row.as_ref().map(|row| read_order(row, d::read_ts)).transpose()
        })
    }

    async fn lookup(&self, ids: &[CorrelationId]) -> Result<Vec<Order>, StoreError> {
        let mut orders = Vec::new();
        // Ids are sorted and chunks are in order, so the result is in id order as a whole.
        for chunk in row::unique_ids(ids).chunks(IDS_PER_QUERY) {
            on_backend!(&self.db, pool, d => {
                let mut query = QueryBuilder::new(select(&d::json_column("items")));
                query.push("WHERE correlation_id IN (");
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                query.push(") ORDER BY correlation_id");
                let rows = query
                    .build()
                    .fetch_all(pool)
                    .await
                    .map_err(|e| store_error(d::BACKEND, "lookup", &e))?;
                for row in &rows {
                    orders.push(read_order(row, d::read_ts)?);
                }
            });
        }
        Ok(orders)
    }

    async fn recent(&self, limit: u32) -> Result<Vec<Order>, StoreError> {
        on_backend!(&self.db, pool, d => {
            let sql = format!(
                "{}ORDER BY persisted_at DESC, correlation_id LIMIT $1",
                select(&d::json_column("items"))
            );
            let rows = sqlx::query(&sql)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await
                .map_err(|e| store_error(d::BACKEND, "recent", &e))?;
            rows.iter().map(|row| read_order(row, d::read_ts)).collect()
        })
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await
    }

    fn system(&self) -> &'static str {
        self.db.system()
    }
}

/// One row of [`select`], checked into an [`Order`].
fn read_order<R>(
    row: &R,
    read_ts: impl Fn(&R, &str) -> std::result::Result<DateTime<Utc>, String>,
) -> Result<Order, StoreError>
where
    R: Row,
    for<'n> &'n str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> f64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let id: String = column(row, "?", "correlation_id")?;
    let timestamp =
        |name: &str| read_ts(row, name).map_err(|reason| row::unreadable(&id, name, reason));
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
