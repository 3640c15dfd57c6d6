//! The payment-service's store: one payment per order (the correlation id is the key, so
//! an order is never charged twice), and the outbox of `payment_completed` and
//! `payment_failed`.

use crate::db::Db;
use crate::error::{Result, store_error};
use crate::outbox::OutboxTable;
use crate::schema::{MigrationReport, Service};
use crate::{Backend, StoreOptions, on_backend, on_tx};
use chrono::{SubsecRound, Utc};
use orders_core::api::Payment;
use orders_core::saga::payment::ChargeOutcome;
use orders_core::saga::{EventKind, PaymentCompleted, PaymentFailed, SagaEvent};
use orders_core::{Amount, CorrelationId, EventPosition, OutgoingEvent, StoreError};
use serde::Serialize;
use sqlx::{QueryBuilder, Row};
use std::collections::BTreeSet;
use uuid::Uuid;

/// A charge made (or declined) for an order, to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPayment {
    pub correlation_id: CorrelationId,
    pub customer_id: Uuid,
    pub amount: Amount,
    pub outcome: ChargeOutcome,
    pub source: EventPosition,
    /// The trace context its event carries on.
    pub trace: Vec<(String, Vec<u8>)>,
}

/// Where the payment-service publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentTopics {
    pub completed: String,
    pub failed: String,
}

/// What recording a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PaymentsRecorded {
    pub completed: usize,
    pub failed: usize,
    /// Payments the store had already (a redelivered `inventory_reserved`).
    pub duplicates: usize,
}

/// The payment store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PaymentStore {
    db: Db,
}

/// Connects to the payments database at `url` (migrating it when `options.migrate`).
pub async fn connect(url: &str, options: StoreOptions) -> Result<PaymentStore> {
    Ok(PaymentStore {
        db: Db::connect(url, Service::Payments, &options).await?,
    })
}

/// Applies the migrations the payments database at `url` lacks.
pub async fn migrate(url: &str) -> Result<MigrationReport> {
    Db::migrate(url, Service::Payments).await
}

impl PaymentStore {
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    pub fn system(&self) -> &'static str {
        self.db.system()
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await
    }

    pub async fn close(&self) {
        self.db.close().await;
    }

    pub fn outbox(&self) -> OutboxTable {
        OutboxTable {
            db: self.db.clone(),
        }
    }

    /// Which of these orders have a payment already: they are not charged again.
    pub async fn paid(&self, ids: &[&str]) -> Result<BTreeSet<String>, StoreError> {
        let mut paid = BTreeSet::new();
        for chunk in ids.chunks(1_000) {
            on_backend!(&self.db, pool, d => {
                let mut query =
                    QueryBuilder::new("SELECT correlation_id FROM payments WHERE correlation_id IN (");
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                query.push(")");
                let failed = |e: sqlx::Error| store_error(d::BACKEND, "read payments", &e);
                for row in query.build().fetch_all(pool).await.map_err(failed)? {
                    paid.insert(row.try_get(0).map_err(failed)?);
                }
            });
        }
        Ok(paid)
    }

    /// Records the payments that are new, each with its event in the outbox, in one
    /// transaction; one that another instance recorded first changes nothing.
    pub async fn record(
        &self,
        payments: &[NewPayment],
        topics: &PaymentTopics,
    ) -> Result<PaymentsRecorded, StoreError> {
        let mut recorded_counts = PaymentsRecorded::default();
        if payments.is_empty() {
            return Ok(recorded_counts);
        }
        let now = Utc::now().trunc_subsecs(6);
        let mut ids: Vec<&str> = payments.iter().map(|p| p.correlation_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut tx = self.db.begin("begin recording payments").await?;
        tx.lock_keys(&ids).await?;
        let mut recorded: BTreeSet<String> = BTreeSet::new();
        on_tx!(&mut tx, conn, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "record payments", &e);
            let at = d::ts(now)?;
            for chunk in payments.chunks(d::MAX_PARAMETERS / 10) {
                let mut query = QueryBuilder::new(
                    "INSERT INTO payments (correlation_id, status, amount, customer_id, \
                     payment_id, reason, created_at, source_topic, source_partition, \
                     source_offset) ",
                );
                query.push_values(chunk, |mut b, p| {
                    let (status, payment_id, reason) = match &p.outcome {
                        ChargeOutcome::Completed { payment_id } => {
                            ("completed", Some(payment_id.as_str()), None)
                        }
                        ChargeOutcome::Declined { reason } => ("failed", None, Some(reason.as_str())),
                    };
                    b.push_bind(p.correlation_id.as_str())
                        .push_bind(status)
                        .push_bind(p.amount.value())
                        .push_bind(p.customer_id.hyphenated().to_string())
                        .push_bind(payment_id)
                        .push_bind(reason)
                        .push_bind(at.clone())
                        .push_bind(p.source.topic.as_str())
                        .push_bind(p.source.partition)
                        .push_bind(p.source.offset);
                });
                query.push(" ON CONFLICT (correlation_id) DO NOTHING RETURNING correlation_id");
                for row in query.build().fetch_all(&mut **conn).await.map_err(failed)? {
                    recorded.insert(row.try_get(0).map_err(failed)?);
                }
            }
            Ok::<_, StoreError>(())
        })?;
        let mut events = Vec::new();
        for payment in payments {
            // The first of an id in the batch is the one recorded; later ones and ones
            // recorded before are redeliveries.
            if !recorded.remove(payment.correlation_id.as_str()) {
                recorded_counts.duplicates += 1;
                continue;
            }
            let (kind, topic, value) = match &payment.outcome {
                ChargeOutcome::Completed { payment_id } => {
                    recorded_counts.completed += 1;
                    let event = PaymentCompleted {
                        correlation_id: payment.correlation_id.clone(),
                        payment_id: payment_id.clone(),
                        amount: payment.amount,
                        completed_at: now,
                    };
                    (
                        EventKind::PaymentCompleted,
                        &topics.completed,
                        event.to_json(),
                    )
                }
                ChargeOutcome::Declined { reason } => {
                    recorded_counts.failed += 1;
                    let event = PaymentFailed {
                        correlation_id: payment.correlation_id.clone(),
                        reason: reason.clone(),
                        amount: payment.amount,
                        failed_at: now,
                    };
                    (EventKind::PaymentFailed, &topics.failed, event.to_json())
                }
            };
            events.push(OutgoingEvent {
                event_id: Uuid::new_v4(),
                kind,
                topic: topic.clone(),
                key: payment.correlation_id.clone(),
                value,
                headers: payment.trace.clone(),
            });
        }
        tx.enqueue(&events, now).await?;
        tx.commit("commit payments").await?;
        Ok(recorded_counts)
    }

    /// One order's payment.
    pub async fn payment(&self, id: &str) -> Result<Option<Payment>, StoreError> {
        on_backend!(&self.db, pool, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "read a payment", &e);
            let row = sqlx::query(
                "SELECT correlation_id, status, amount, customer_id, payment_id, reason, \
                 created_at FROM payments WHERE correlation_id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(failed)?;
            let Some(row) = row else { return Ok(None) };
            Ok(Some(Payment {
                correlation_id: row.try_get("correlation_id").map_err(failed)?,
                status: row.try_get("status").map_err(failed)?,
                amount: row.try_get("amount").map_err(failed)?,
                customer_id: row.try_get("customer_id").map_err(failed)?,
                payment_id: row.try_get("payment_id").map_err(failed)?,
                reason: row.try_get("reason").map_err(failed)?,
                created_at: d::read_ts(&row, "created_at").map_err(|reason| {
                    StoreError::Failed(format!("cannot read payment `{id}`: {reason}"))
                })?,
            }))
        })
    }
}
