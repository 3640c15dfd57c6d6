//! Between rows and orders, the same on both backends: the checks that turn a row back
//! into an [`Order`].
//!
//! A row is read into [`RawOrder`] by each backend and checked here, so that a row the
//! domain cannot accept (an unknown status, items that are not the contract's JSON) is a
//! `StoreError::Failed` that names the order and the column, never a panic or an order
//! that silently differs from what was stored.

use chrono::{DateTime, Utc};
use orders_core::{
    Amount, CorrelationId, EventPosition, Order, OrderItem, OrderStatus, StoreError,
};
use sqlx::{ColumnIndex, Decode, Row, Type};
use uuid::Uuid;

/// The ids to look up, each once and in order, so that chunks never return a row twice.
pub(crate) fn unique_ids(ids: &[CorrelationId]) -> Vec<&str> {
    let mut ids: Vec<&str> = ids.iter().map(CorrelationId::as_str).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
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
    pub reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
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
            reason: self.reason,
            decided_at: self.decided_at,
            history: Vec::new(),
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
            reason: None,
            decided_at: None,
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
}
