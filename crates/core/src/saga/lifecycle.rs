//! An order's life in the order-service: `pending` until an outcome of the saga decides
//! it, then `confirmed` or `rejected` for good.
//!
//! The outcomes arrive on other topics and partitions than `order_created`, so any of
//! them can come first. The order-service keeps every outcome it receives and decides
//! from the set, never from the order of arrival: [`resolve`] gives the same final state
//! whatever order the same events came in, and once final an order stays final.

use super::events::{
    EventKind, InventoryRejected, OrderConfirmed, OrderRejected, PaymentCompleted, PaymentFailed,
    RejectReason, SagaEvent, Shortage, Stage,
};
use super::inventory;
use crate::order::{Amount, CorrelationId, OrderItem};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An event of the saga that decides an order.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    InventoryRejected(InventoryRejected),
    PaymentCompleted(PaymentCompleted),
    PaymentFailed(PaymentFailed),
}

impl Outcome {
    pub fn kind(&self) -> EventKind {
        match self {
            Self::InventoryRejected(_) => EventKind::InventoryRejected,
            Self::PaymentCompleted(_) => EventKind::PaymentCompleted,
            Self::PaymentFailed(_) => EventKind::PaymentFailed,
        }
    }

    pub fn correlation_id(&self) -> &CorrelationId {
        match self {
            Self::InventoryRejected(e) => e.correlation_id(),
            Self::PaymentCompleted(e) => e.correlation_id(),
            Self::PaymentFailed(e) => e.correlation_id(),
        }
    }

    /// The event's JSON, as it is kept with the order.
    pub fn to_json(&self) -> Vec<u8> {
        match self {
            Self::InventoryRejected(e) => e.to_json(),
            Self::PaymentCompleted(e) => e.to_json(),
            Self::PaymentFailed(e) => e.to_json(),
        }
    }

    /// Reads an outcome kept as `kind` and `json`.
    pub fn from_json(kind: EventKind, json: &[u8]) -> Option<Self> {
        match kind {
            EventKind::InventoryRejected => InventoryRejected::from_json(json)
                .ok()
                .map(Self::InventoryRejected),
            EventKind::PaymentCompleted => PaymentCompleted::from_json(json)
                .ok()
                .map(Self::PaymentCompleted),
            EventKind::PaymentFailed => {
                PaymentFailed::from_json(json).ok().map(Self::PaymentFailed)
            }
            _ => None,
        }
    }

    /// Which outcome wins when one order has several (only a producer other than the
    /// saga's own can make that happen): a refusal before a completed payment, so that no
    /// order is confirmed that some service refused.
    fn precedence(&self) -> u8 {
        match self {
            Self::InventoryRejected(_) => 0,
            Self::PaymentFailed(_) => 1,
            Self::PaymentCompleted(_) => 2,
        }
    }
}

/// Where the outcomes take an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Final {
    Confirmed {
        payment_id: String,
    },
    Rejected {
        stage: Stage,
        reason: RejectReason,
        detail: String,
        shortages: Vec<Shortage>,
    },
}

impl Final {
    /// The reason kept with a rejected order (`out_of_stock: SKU-1: 5 requested, …`).
    pub fn reason(&self) -> Option<String> {
        match self {
            Self::Confirmed { .. } => None,
            Self::Rejected { reason, detail, .. } => Some(format!("{reason}: {detail}")),
        }
    }
}

/// The final state the outcomes decide, and the index of the outcome that decides it;
/// `None` while there is none.
pub fn resolve(outcomes: &[Outcome]) -> Option<(usize, Final)> {
    let (i, decisive) = outcomes
        .iter()
        .enumerate()
        .min_by_key(|(_, o)| o.precedence())?;
    let decided = match decisive {
        Outcome::InventoryRejected(e) => Final::Rejected {
            stage: Stage::Inventory,
            reason: e.reason,
            detail: inventory::describe(e.reason, &e.shortages),
            shortages: e.shortages.clone(),
        },
        Outcome::PaymentFailed(e) => Final::Rejected {
            stage: Stage::Payment,
            reason: RejectReason::PaymentDeclined,
            detail: e.reason.clone(),
            shortages: Vec::new(),
        },
        Outcome::PaymentCompleted(e) => Final::Confirmed {
            payment_id: e.payment_id.clone(),
        },
    };
    Some((i, decided))
}

/// What the order-service knows of an order, for its final event.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderFacts {
    pub correlation_id: CorrelationId,
    pub customer_id: Uuid,
    pub items: Vec<OrderItem>,
    pub total_amount: Amount,
}

/// The event that announces `decided` (`order_confirmed` or `order_rejected`) at `at`:
/// its kind and its JSON.
pub fn announce(order: &OrderFacts, decided: &Final, at: DateTime<Utc>) -> (EventKind, Vec<u8>) {
    match decided {
        Final::Confirmed { payment_id } => (
            EventKind::OrderConfirmed,
            OrderConfirmed {
                correlation_id: order.correlation_id.clone(),
                customer_id: order.customer_id,
                items: order.items.clone(),
                total_amount: order.total_amount,
                payment_id: payment_id.clone(),
                confirmed_at: at,
            }
            .to_json(),
        ),
        Final::Rejected {
            stage,
            reason,
            detail,
            shortages,
        } => (
            EventKind::OrderRejected,
            OrderRejected {
                correlation_id: order.correlation_id.clone(),
                customer_id: order.customer_id,
                items: order.items.clone(),
                total_amount: order.total_amount,
                stage: *stage,
                reason: *reason,
                detail: detail.clone(),
                shortages: shortages.clone(),
                rejected_at: at,
            }
            .to_json(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn id() -> CorrelationId {
        CorrelationId::parse("c-1").unwrap()
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 12, 5, 21, 15, 0).unwrap()
    }

    fn completed() -> Outcome {
        Outcome::PaymentCompleted(PaymentCompleted {
            correlation_id: id(),
            payment_id: "pay_1".into(),
            amount: Amount::new(1.0).unwrap(),
            completed_at: at(),
        })
    }

    fn failed() -> Outcome {
        Outcome::PaymentFailed(PaymentFailed {
            correlation_id: id(),
            reason: "declined".into(),
            amount: Amount::new(1.0).unwrap(),
            failed_at: at(),
        })
    }

    fn out_of_stock() -> Outcome {
        Outcome::InventoryRejected(InventoryRejected {
            correlation_id: id(),
            reason: RejectReason::OutOfStock,
            shortages: vec![Shortage {
                sku: "SKU-1".into(),
                requested: 5,
                available: 2,
            }],
            rejected_at: at(),
        })
    }

    #[test]
    fn nothing_decides_until_an_outcome_comes() {
        assert_eq!(resolve(&[]), None);
    }

    #[test]
    fn each_outcome_decides_its_final_state() {
        assert_eq!(
            resolve(&[completed()]),
            Some((
                0,
                Final::Confirmed {
                    payment_id: "pay_1".into()
                }
            ))
        );
        let (_, declined) = resolve(&[failed()]).unwrap();
        assert_eq!(
            declined.reason().as_deref(),
            Some("payment_declined: declined")
        );
        let (_, short) = resolve(&[out_of_stock()]).unwrap();
        assert_eq!(
            short.reason().as_deref(),
            Some("out_of_stock: SKU-1: 5 requested, 2 available")
        );
    }

    #[test]
    fn the_order_of_arrival_does_not_change_the_decision() {
        let (i, first) = resolve(&[completed(), failed()]).unwrap();
        let (j, second) = resolve(&[failed(), completed()]).unwrap();
        assert_eq!(first, second);
        assert_eq!((i, j), (1, 0), "the refusal decides either way");
    }

    #[test]
    fn the_announcement_carries_the_order() {
        let order = OrderFacts {
            correlation_id: id(),
            customer_id: Uuid::nil(),
            items: vec![OrderItem {
                sku: "SKU-1".into(),
                quantity: 5,
            }],
            total_amount: Amount::new(5.0).unwrap(),
        };
        let (_, rejected) = resolve(&[out_of_stock()]).unwrap();
        let (kind, json) = announce(&order, &rejected, at());
        assert_eq!(kind, EventKind::OrderRejected);
        let event = OrderRejected::from_json(&json).unwrap();
        assert_eq!(event.stage, Stage::Inventory);
        assert_eq!(event.shortages.len(), 1);
        assert_eq!(event.items, order.items);
    }
}
