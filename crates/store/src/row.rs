//! Between orders and rows, the same on both backends: which rows a batch writes, the
//! SQLite timestamp text, and the checks that turn a row back into an [`Order`].
//!
//! A row is read into [`RawOrder`] by each backend and checked here, so that a row the
//! domain cannot accept (an unknown status, items that are not the contract's JSON) is a
//! `StoreError::Failed` that names the order and the column, never a panic or an order
//! that silently differs from what was stored.

use chrono::{DateTime, Datelike, NaiveDateTime, SubsecRound, Utc};
use orders_core::{
    Amount, CorrelationId, EventPosition, NewOrder, Order, OrderItem, OrderStatus, StoreError,
};
use sqlx::{ColumnIndex, Decode, Row, Type};
use uuid::Uuid;

/// The columns every query reads, in [`RawOrder`]'s order.
pub(crate) const COLUMNS: [&str; 10] = [
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

/// The rows one batch writes: one per correlation id (the first occurrence wins), in id
/// order. The order makes concurrent Postgres transactions lock rows in the same order,
/// so they wait for each other instead of deadlocking, and it keeps SQLite's b-tree
/// inserts local.
pub(crate) fn unique_by_id(orders: &[NewOrder]) -> Vec<&NewOrder> {
    let mut rows: Vec<&NewOrder> = orders.iter().collect();
    // Stable, so the first of equal ids stays first and is the one kept.
    rows.sort_by(|a, b| a.event.correlation_id.cmp(&b.event.correlation_id));
    rows.dedup_by(|a, b| a.event.correlation_id == b.event.correlation_id);
    rows
}

/// The ids to look up, each once and in order, so that chunks never return a row twice.
pub(crate) fn unique_ids(ids: &[CorrelationId]) -> Vec<&str> {
    let mut ids: Vec<&str> = ids.iter().map(CorrelationId::as_str).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The values of one order's row, ready to bind.
#[derive(Debug)]
pub(crate) struct NewRow<'a> {
    pub correlation_id: &'a str,
    pub customer_id: String,
    pub items: &'a [OrderItem],
    pub total_amount: f64,
    pub status: &'static str,
    pub created_at: DateTime<Utc>,
    pub persisted_at: DateTime<Utc>,
    pub source: Option<&'a EventPosition>,
}

impl<'a> NewRow<'a> {
    pub(crate) fn new(order: &'a NewOrder) -> Self {
        let event = &order.event;
        Self {
            correlation_id: event.correlation_id.as_str(),
            customer_id: event.customer_id.hyphenated().to_string(),
            items: &event.items,
            total_amount: event.total_amount.value(),
            status: OrderStatus::Pending.as_str(),
            // Both backends keep microseconds; truncating here makes what is stored, and
            // read back, the same on both, rather than each driver rounding its own way.
            created_at: event.created_at.trunc_subsecs(6),
            persisted_at: order.persisted_at.trunc_subsecs(6),
            source: order.source.as_ref(),
        }
    }

    pub(crate) fn items_json(&self) -> Result<String, StoreError> {
        serde_json::to_string(self.items).map_err(|e| {
            StoreError::Failed(format!(
                "cannot write order `{}`: items: {e}",
                self.correlation_id
            ))
        })
    }
}

/// SQLite's timestamp text: `2025-12-05T21:15:00.123456Z`. Fixed width (four-digit year,
/// six fractional digits, always `Z`), so that comparing the text compares the times.
pub(crate) fn timestamp_text(
    id: &str,
    column: &str,
    t: DateTime<Utc>,
) -> Result<String, StoreError> {
    if !(0..=9999).contains(&t.year()) {
        return Err(StoreError::Failed(format!(
            "cannot write order `{id}`: {column} {t} is outside the years 0000 to 9999"
        )));
    }
    Ok(t.format(TIMESTAMP_FORMAT).to_string())
}

const TIMESTAMP_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// Reads [`timestamp_text`] back, refusing anything else, so that a row written by hand in
/// another form (which would sort wrongly) is noticed.
pub(crate) fn parse_timestamp_text(text: &str) -> Result<DateTime<Utc>, String> {
    NaiveDateTime::parse_from_str(text, TIMESTAMP_FORMAT)
        .ok()
        .filter(|_| text.len() == "0000-00-00T00:00:00.000000Z".len())
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("`{text}` is not a timestamp like 2025-12-05T21:15:00.000000Z"))
}

/// One row as the database holds it, before the domain's checks.
#[derive(Debug)]
pub(crate) struct RawOrder {
    pub correlation_id: String,
    pub customer_id: String,
    pub items: String,
    pub total_amount: f64,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub persisted_at: DateTime<Utc>,
    pub source_topic: Option<String>,
    pub source_partition: Option<i64>,
    pub source_offset: Option<i64>,
}

/// The failure of reading `column` of the order `id`.
pub(crate) fn unreadable(id: &str, column: &str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(format!(
        "cannot read order `{id}`: column {column}: {reason}"
    ))
}

/// Decodes one column, naming the order and the column when it cannot.
pub(crate) fn column<'r, R, T>(row: &'r R, id: &str, name: &str) -> Result<T, StoreError>
where
    R: Row,
    for<'n> &'n str: ColumnIndex<R>,
    T: Decode<'r, R::Database> + Type<R::Database>,
{
    row.try_get(name).map_err(|e| unreadable(id, name, e))
}

impl RawOrder {
    /// The order this row holds, or `Failed` naming the first column that is wrong.
    pub(crate) fn into_order(self) -> Result<Order, StoreError> {
        let id = self.correlation_id.as_str();
        let correlation_id =
            CorrelationId::parse(id).map_err(|e| unreadable(id, "correlation_id", e))?;
        let customer_id = Uuid::try_parse(&self.customer_id)
            .map_err(|e| unreadable(id, "customer_id", format!("`{}`: {e}", self.customer_id)))?;
        let items: Vec<OrderItem> = serde_json::from_str(&self.items).map_err(|e| {
            unreadable(id, "items", format!("not a list of {{sku, quantity}}: {e}"))
        })?;
        let total_amount = Amount::new(self.total_amount).ok_or_else(|| {
            unreadable(
                id,
                "total_amount",
                format!("{} is not a positive amount", self.total_amount),
            )
        })?;
        let status = OrderStatus::parse(&self.status)
            .ok_or_else(|| unreadable(id, "status", format!("unknown status `{}`", self.status)))?;
        let source = match (self.source_topic, self.source_partition, self.source_offset) {
            (None, None, None) => None,
            (Some(topic), Some(partition), Some(offset)) => Some(EventPosition {
                topic,
                partition: i32::try_from(partition).map_err(|_| {
                    unreadable(
                        id,
                        "source_partition",
                        format!("{partition} is out of range"),
                    )
                })?,
                offset,
            }),
            _ => {
                return Err(unreadable(
                    id,
                    "source_topic",
                    "source_topic, source_partition and source_offset must be all set or all null",
                ));
            }
        };
        Ok(Order {
            correlation_id,
            customer_id,
            items,
            total_amount,
            status,
            created_at: self.created_at,
            persisted_at: self.persisted_at,
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn raw() -> RawOrder {
        let t = Utc.with_ymd_and_hms(2025, 12, 5, 21, 15, 0).unwrap();
        RawOrder {
            correlation_id: "c-1".into(),
            customer_id: "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf".into(),
            items: r#"[{"sku":"SKU-1","quantity":2}]"#.into(),
            total_amount: 149.99,
            status: "pending".into(),
            created_at: t,
            persisted_at: t,
            source_topic: None,
            source_partition: None,
            source_offset: None,
        }
    }

    fn failure(raw: RawOrder) -> String {
        match raw.into_order() {
            Err(StoreError::Failed(message)) => message,
            other => panic!("expected Failed, got {other:?}"),
        }
    }

    #[test]
    fn a_good_row_is_an_order() {
        let order = raw().into_order().unwrap();
        assert_eq!(order.total_amount.value(), 149.99);
        assert_eq!(order.items[0].quantity, 2);
        assert_eq!(order.source, None);
    }

    #[test]
    fn bad_columns_are_named_with_the_order() {
        let message = failure(RawOrder {
            status: "shipped".into(),
            ..raw()
        });
        assert_eq!(
            message,
            "cannot read order `c-1`: column status: unknown status `shipped`"
        );
        let message = failure(RawOrder {
            items: "{".into(),
            ..raw()
        });
        assert!(
            message.starts_with("cannot read order `c-1`: column items:"),
            "{message}"
        );
        let message = failure(RawOrder {
            items: r#"[{"sku":1}]"#.into(),
            ..raw()
        });
        assert!(message.contains("column items"), "{message}");
        let message = failure(RawOrder {
            total_amount: -1.0,
            ..raw()
        });
        assert!(message.contains("column total_amount"), "{message}");
        let message = failure(RawOrder {
            customer_id: "nobody".into(),
            ..raw()
        });
        assert!(message.contains("column customer_id"), "{message}");
        let message = failure(RawOrder {
            source_topic: Some("order_created".into()),
            ..raw()
        });
        assert!(message.contains("all set or all null"), "{message}");
        let message = failure(RawOrder {
            source_topic: Some("order_created".into()),
            source_partition: Some(i64::from(i32::MAX) + 1),
            source_offset: Some(1),
            ..raw()
        });
        assert!(message.contains("column source_partition"), "{message}");
    }

    #[test]
    fn timestamp_text_is_fixed_width_sorts_and_round_trips_microseconds() {
        let early =
            Utc.with_ymd_and_hms(999, 1, 2, 3, 4, 5).unwrap() + chrono::Duration::microseconds(7);
        let late = Utc.with_ymd_and_hms(2025, 12, 5, 21, 15, 0).unwrap()
            + chrono::Duration::microseconds(123_456);
        let (a, b) = (
            timestamp_text("c", "created_at", early).unwrap(),
            timestamp_text("c", "created_at", late).unwrap(),
        );
        assert_eq!(a, "0999-01-02T03:04:05.000007Z");
        assert_eq!(b, "2025-12-05T21:15:00.123456Z");
        assert!(a < b);
        assert_eq!(parse_timestamp_text(&a).unwrap(), early);
        assert_eq!(parse_timestamp_text(&b).unwrap(), late);
        assert!(parse_timestamp_text("2025-12-05T21:15:00Z").is_err());
        assert!(parse_timestamp_text("2025-12-05 21:15:00.123456").is_err());
        let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
        assert!(timestamp_text("c", "created_at", far).is_err());
    }

    #[test]
    fn a_batch_keeps_the_first_of_each_id_in_id_order() {
        let order = |id: &str, offset: i64| {
            NewOrder {
            event: orders_core::OrderCreated::from_json(
                format!(
                    r#"{{"correlationId":"{id}","customerId":"06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf","items":[{{"sku":"A","quantity":1}}],"totalAmount":1,"createdAt":"2025-12-05T21:15:00.000Z"}}"#
                )
                .as_bytes(),
            )
            .unwrap(),
            source: Some(EventPosition {
                topic: "t".into(),
                partition: 0,
                offset,
            }),
            persisted_at: Utc::now(),
        }
        };
        let batch = [order("b", 1), order("a", 2), order("b", 3), order("c", 4)];
        let rows = unique_by_id(&batch);
        let kept: Vec<_> = rows
            .iter()
            .map(|o| {
                (
                    o.event.correlation_id.as_str(),
                    o.source.as_ref().unwrap().offset,
                )
            })
            .collect();
        assert_eq!(kept, [("a", 2), ("b", 1), ("c", 4)]);
    }
}
