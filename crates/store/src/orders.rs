//! The order-service's store: [`OrderStore`] on either backend, each query written once.

mod lifecycle;

use crate::db::Db;
use crate::error::{Result, store_error};
use crate::row::{self, RawOrder, column};
use crate::schema::{MigrationReport, Service};
use crate::{Backend, StoreOptions, on_backend};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use orders_core::{
    CorrelationId, EventPosition, FinalTopics, Inserted, NewOrder, Order, OrderEvent,
    OrderEventsApplied, OrderItem, OrderStatus, OrderStore, StoreError, Transition,
};
use sqlx::{QueryBuilder, Row};
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

    /// The outbox of the order-service's announcements.
    pub fn outbox(&self) -> crate::OutboxTable {
        crate::OutboxTable {
            db: self.db.clone(),
        }
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
    format!(
        "SELECT {}, reason, decided_at FROM orders ",
        columns.join(", ")
    )
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
        let batch: Vec<OrderEvent> = orders.iter().cloned().map(OrderEvent::Created).collect();
        let applied = self.apply_events(&batch, &[], None).await?;
        Ok(Inserted {
            created: applied.created,
            duplicates: applied.duplicates,
            conflicts: applied.conflicts,
        })
    }

    async fn apply(
        &self,
        batch: &[OrderEvent],
        traces: &[Vec<(String, Vec<u8>)>],
        finals: &FinalTopics,
    ) -> Result<OrderEventsApplied, StoreError> {
        self.apply_events(batch, traces, Some(finals)).await
    }

    async fn get(&self, id: &CorrelationId) -> Result<Option<Order>, StoreError> {
        on_backend!(&self.db, pool, d => {
            let sql = format!("{}WHERE correlation_id = $1", select(&d::json_column("items")));
            let row = sqlx::query(&sql)
                .bind(id.as_str())
                .fetch_optional(pool)
                .await
                .map_err(|e| store_error(d::BACKEND, "get", &e))?;
            let Some(mut order) = row.as_ref().map(|row| read_order(row, d::read_ts)).transpose()?
            else {
                return Ok(None);
            };
            let rows = sqlx::query(
                "SELECT from_status, to_status, reason, at, event_type, source_topic, \
                 CAST(source_partition AS BIGINT) AS source_partition, source_offset \
                 FROM order_transitions WHERE correlation_id = $1 \
                 ORDER BY CASE to_status WHEN 'pending' THEN 0 ELSE 1 END, at",
            )
            .bind(id.as_str())
            .fetch_all(pool)
            .await
            .map_err(|e| store_error(d::BACKEND, "get history", &e))?;
            for row in &rows {
                order.history.push(read_transition(row, id.as_str(), d::read_ts)?);
            }
            Ok(Some(order))
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

/// One row of `order_transitions`.
fn read_transition<R>(
    row: &R,
    id: &str,
    read_ts: impl Fn(&R, &str) -> std::result::Result<DateTime<Utc>, String>,
) -> Result<Transition, StoreError>
where
    R: Row,
    for<'n> &'n str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let status = |name: &str, text: &str| {
        OrderStatus::parse(text)
            .ok_or_else(|| row::unreadable(id, name, format!("unknown status `{text}`")))
    };
    let from: Option<String> = column(row, id, "from_status")?;
    let to: String = column(row, id, "to_status")?;
    let topic: Option<String> = column(row, id, "source_topic")?;
    let partition: Option<i64> = column(row, id, "source_partition")?;
    let offset: Option<i64> = column(row, id, "source_offset")?;
    Ok(Transition {
        from: from.map(|f| status("from_status", &f)).transpose()?,
        to: status("to_status", &to)?,
        reason: column(row, id, "reason")?,
        at: read_ts(row, "at").map_err(|reason| row::unreadable(id, "at", reason))?,
        event: column(row, id, "event_type")?,
        source: match (topic, partition, offset) {
            (Some(topic), Some(partition), Some(offset)) => Some(EventPosition {
                topic,
                partition: i32::try_from(partition)
                    .map_err(|_| row::unreadable(id, "source_partition", "out of range"))?,
                offset,
            }),
            _ => None,
        },
    })
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
        reason: column(row, &id, "reason")?,
        // NULL while the order is pending.
        decided_at: read_ts(row, "decided_at").ok(),
        correlation_id: id,
    }
    .into_order()
}
