//! The notification-service's store: the customer directory, one notification per order,
//! outcome and channel, and the outbox of its dead letters.
//!
//! The unique key (correlation id, outcome, channel) is what makes a notification exactly
//! once: recording an event again (a redelivery, a second instance, a replay) finds the
//! row there and changes nothing. Delivery is a queue in the same table: a worker
//! *claims* due notifications (a lease with an owner and an expiry, counting the attempt
//! as it starts), sends them, and records the outcome only while its claim holds. A claim
//! that lapses (the process died mid-attempt) makes the notification due again, so what
//! was in flight is sent after a restart; the notification's id travels with every
//! attempt so that the receiver can drop the repeat. Failing for good and writing the
//! dead letter to the outbox happen in one transaction.

use crate::db::Db;
use crate::error::{Result, store_error};
use crate::outbox::{OutboxTable, headers_json, parse_headers};
use crate::schema::{MigrationReport, Service};
use crate::{Backend, StoreOptions, on_backend};
use chrono::{DateTime, SubsecRound, Utc};
use orders_core::api::{
    Customer, Notification, NotificationChannel, NotificationState, SetCustomer,
};
use orders_core::{OutgoingEvent, StoreError};
use serde::Serialize;
use sqlx::{QueryBuilder, Row};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;
use uuid::Uuid;

/// The record a notification came from: kept to write its dead letter with the
/// original's place, key, value and headers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceRecord {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub timestamp_ms: Option<i64>,
    pub key: Option<Vec<u8>>,
    pub headers: Vec<(String, Vec<u8>)>,
}

/// A notification to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    /// Its id for good (kept when the notification exists already).
    pub id: Uuid,
    pub correlation_id: String,
    /// `confirmed` or `rejected`.
    pub outcome: &'static str,
    pub channel: NotificationChannel,
    pub customer_id: String,
    pub recipient: Option<String>,
    /// `Some(reason)`: recorded as skipped, never sent.
    pub skipped: Option<String>,
    /// The event's value (JSON): what the notification says.
    pub event: Vec<u8>,
    /// The event's `event-id` header, when it had one.
    pub event_id: Option<String>,
    pub source: SourceRecord,
}

/// Failed notifications of an order to send again (a replayed dead letter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rearm {
    pub correlation_id: String,
    pub outcome: &'static str,
    /// Only this channel's; every failed one of the order when `None`.
    pub channel: Option<NotificationChannel>,
}

/// What recording a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Recorded {
    /// New notifications waiting to be sent.
    pub pending: usize,
    /// New notifications recorded as skipped.
    pub skipped: usize,
    /// Notifications that existed already (a redelivered event): left as they were.
    pub duplicates: usize,
    /// Failed notifications made pending again by a replay.
    pub rearmed: usize,
}

/// A notification a delivery worker claimed: what it needs to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: String,
    pub correlation_id: String,
    pub outcome: String,
    pub channel: NotificationChannel,
    pub customer_id: String,
    pub recipient: Option<String>,
    /// Attempts started, this one included.
    pub attempts: u32,
    pub event: Vec<u8>,
    pub source: SourceRecord,
}

/// The notification store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct NotificationStore {
    db: Db,
}

/// Connects to the notifications database at `url` (migrating it when
/// `options.migrate`).
pub async fn connect(url: &str, options: StoreOptions) -> Result<NotificationStore> {
    Ok(NotificationStore {
        db: Db::connect(url, Service::Notifications, &options).await?,
    })
}

/// Applies the migrations the notifications database at `url` lacks.
pub async fn migrate(url: &str) -> Result<MigrationReport> {
    Db::migrate(url, Service::Notifications).await
}

/// The columns a listing reads.
const LISTED: &str = "id, correlation_id, outcome, channel, customer_id, recipient, state, \
     attempts, replays, reason, last_error, created_at, updated_at, next_attempt_at, sent_at";

/// The columns a claim returns.
const CLAIMED: &str = "id, correlation_id, outcome, channel, customer_id, recipient, attempts, \
     event, source_topic, source_partition, source_offset, source_timestamp, source_key, \
     source_headers";

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn later(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    at + chrono::Duration::from_std(by).unwrap_or(chrono::Duration::days(1))
}

fn unreadable(id: &str, what: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(format!("cannot read notification `{id}`: {what}"))
}

fn channel_of(id: &str, text: &str) -> Result<NotificationChannel, StoreError> {
    NotificationChannel::parse(text).ok_or_else(|| unreadable(id, format!("channel `{text}`")))
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl NotificationStore {
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

    /// Sets one customer's entry (the whole of it) and answers it.
    pub async fn set_customer(
        &self,
        customer_id: &str,
        entry: &SetCustomer,
    ) -> Result<Customer, StoreError> {
        let at = now();
        on_backend!(&self.db, pool, d => {
            sqlx::query(
                "INSERT INTO customers (customer_id, email, webhook, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id) DO UPDATE SET \
                 email = excluded.email, webhook = excluded.webhook, \
                 updated_at = excluded.updated_at",
            )
            .bind(customer_id)
            .bind(entry.email.as_deref())
            .bind(entry.webhook)
            .bind(d::ts(at)?)
            .execute(pool)
            .await
            .map_err(|e| store_error(d::BACKEND, "set a customer", &e))?;
        });
        Ok(Customer {
            customer_id: customer_id.to_owned(),
            email: entry.email.clone(),
            webhook: entry.webhook,
            updated_at: at,
        })
    }

    /// The whole directory, by customer id.
    pub async fn customers(&self) -> Result<Vec<Customer>, StoreError> {
        self.read_customers(None).await
    }

    /// The entries of these customers (those the directory has).
    pub async fn customers_of(
        &self,
        ids: &[&str],
    ) -> Result<HashMap<String, Customer>, StoreError> {
        let mut unique: Vec<&str> = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let mut found = HashMap::new();
        for chunk in unique.chunks(1_000) {
            for customer in self.read_customers(Some(chunk)).await? {
                found.insert(customer.customer_id.clone(), customer);
            }
        }
        Ok(found)
    }

    async fn read_customers(&self, ids: Option<&[&str]>) -> Result<Vec<Customer>, StoreError> {
        on_backend!(&self.db, pool, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "read customers", &e);
            let mut query = QueryBuilder::new(
                "SELECT customer_id, email, webhook, updated_at FROM customers",
            );
            if let Some(ids) = ids {
                query.push(" WHERE customer_id IN (");
                let mut list = query.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                query.push(")");
            }
            query.push(" ORDER BY customer_id");
            let rows = query.build().fetch_all(pool).await.map_err(failed)?;
            rows.iter()
                .map(|row| {
                    let customer_id: String = row.try_get("customer_id").map_err(failed)?;
                    Ok(Customer {
                        email: row.try_get("email").map_err(failed)?,
                        webhook: row.try_get("webhook").map_err(failed)?,
                        updated_at: d::read_ts(row, "updated_at").map_err(|reason| {
                            StoreError::Failed(format!(
                                "cannot read customer `{customer_id}`: {reason}"
                            ))
                        })?,
                        customer_id,
                    })
                })
                .collect()
        })
    }

    /// Records the notifications that are new and makes the failed ones of `rearm`
    /// pending again, in one transaction.
    pub async fn record(
        &self,
        notifications: &[NewNotification],
        rearm: &[Rearm],
    ) -> Result<Recorded, StoreError> {
        let mut recorded = Recorded::default();
        if notifications.is_empty() && rearm.is_empty() {
            return Ok(recorded);
        }
        let at = now();
        // The first of a key in the batch is the one that counts.
        let mut seen = HashSet::new();
        let unique: Vec<&NewNotification> = notifications
            .iter()
            .filter(|n| seen.insert((n.correlation_id.as_str(), n.outcome, n.channel)))
            .collect();
        recorded.duplicates = notifications.len() - unique.len();
        let mut tx = self.db.begin("begin recording notifications").await?;
        let mut inserted: HashSet<String> = HashSet::new();
        crate::on_tx!(&mut tx, conn, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "record notifications", &e);
            const COLUMNS: usize = 19;
            for chunk in unique.chunks(d::MAX_PARAMETERS / COLUMNS) {
                let mut rows = Vec::with_capacity(chunk.len());
                for n in chunk {
                    let (state, due) = match n.skipped {
                        None => (NotificationState::Pending, Some(d::ts(at)?)),
                        Some(_) => (NotificationState::Skipped, None),
                    };
                    rows.push((n, state, due, headers_json(&n.source.headers), d::ts(at)?));
                }
                let mut query = QueryBuilder::new(
                    "INSERT INTO notifications (id, correlation_id, outcome, channel, \
                     customer_id, recipient, state, reason, event, event_id, created_at, \
                     updated_at, next_attempt_at, source_topic, source_partition, \
                     source_offset, source_timestamp, source_key, source_headers) ",
                );
                query.push_values(rows, |mut b, (n, state, due, headers, at)| {
                    b.push_bind(n.id.to_string())
                        .push_bind(n.correlation_id.as_str())
                        .push_bind(n.outcome)
                        .push_bind(n.channel.as_str())
                        .push_bind(n.customer_id.as_str())
                        .push_bind(n.recipient.as_deref())
                        .push_bind(state.as_str())
                        .push_bind(n.skipped.as_deref())
                        .push_bind(n.event.as_slice())
                        .push_bind(n.event_id.as_deref())
                        .push_bind(at.clone())
                        .push_bind(at)
                        .push_bind(due)
                        .push_bind(n.source.topic.as_str())
                        .push_bind(n.source.partition)
                        .push_bind(n.source.offset)
                        .push_bind(n.source.timestamp_ms)
                        .push_bind(n.source.key.as_deref())
                        .push_bind(headers);
                });
                query.push(" ON CONFLICT DO NOTHING RETURNING id");
                for row in query.build().fetch_all(&mut **conn).await.map_err(failed)? {
                    inserted.insert(row.try_get("id").map_err(failed)?);
                }
            }
            for r in rearm {
                let mut query = QueryBuilder::new(
                    "UPDATE notifications SET state = 'pending', attempts = 0, \
                     replays = replays + 1, reason = NULL, lease_owner = NULL, \
                     lease_until = NULL, next_attempt_at = ",
                );
                query.push_bind(d::ts(at)?);
                query.push(", updated_at = ");
                query.push_bind(d::ts(at)?);
                query.push(" WHERE state = 'failed' AND correlation_id = ");
                query.push_bind(r.correlation_id.as_str());
                query.push(" AND outcome = ");
                query.push_bind(r.outcome);
                if let Some(channel) = r.channel {
                    query.push(" AND channel = ");
                    query.push_bind(channel.as_str());
                }
                let done = query.build().execute(&mut **conn).await.map_err(failed)?;
                recorded.rearmed += usize::try_from(done.rows_affected()).unwrap_or(0);
            }
            Ok::<_, StoreError>(())
        })?;
        tx.commit("commit notifications").await?;
        for n in unique {
            if !inserted.contains(&n.id.to_string()) {
                recorded.duplicates += 1;
            } else if n.skipped.is_some() {
                recorded.skipped += 1;
            } else {
                recorded.pending += 1;
            }
        }
        Ok(recorded)
    }

    /// Claims up to `limit` due notifications of `channels` for `owner` for `lease`,
    /// oldest due first, counting the attempt each is about to get. A notification
    /// another worker holds is passed over until its claim lapses; one of a channel this
    /// process does not have waits for a process that has it.
    pub async fn claim(
        &self,
        owner: &str,
        lease: Duration,
        channels: &[NotificationChannel],
        limit: usize,
    ) -> Result<Vec<Claimed>, StoreError> {
        if limit == 0 || channels.is_empty() {
            return Ok(Vec::new());
        }
        // Names from the enum, never from input: safe to write into the statement.
        let channels: Vec<String> = channels
            .iter()
            .map(|c| format!("'{}'", c.as_str()))
            .collect();
        let channels = channels.join(", ");
        let at = now();
        let until = later(at, lease);
        on_backend!(&self.db, pool, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "claim notifications", &e);
            // Postgres: instances claiming at once each take other rows.
            let lock = match d::BACKEND {
                Backend::Postgres => " FOR UPDATE SKIP LOCKED",
                Backend::Sqlite => "",
            };
            let sql = format!(
                "UPDATE notifications SET lease_owner = $1, lease_until = $2, \
                 attempts = attempts + 1, updated_at = $3 WHERE id IN (SELECT id FROM \
                 notifications WHERE state = 'pending' AND channel IN ({channels}) AND \
                 next_attempt_at <= $3 AND \
                 (lease_until IS NULL OR lease_until < $3) ORDER BY next_attempt_at \
                 LIMIT $4{lock}) RETURNING {CLAIMED}"
            );
            let rows = sqlx::query(&sql)
                .bind(owner)
                .bind(d::ts(until)?)
                .bind(d::ts(at)?)
                .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                .fetch_all(pool)
                .await
                .map_err(failed)?;
            rows.iter()
                .map(|row| {
                    let id: String = row.try_get("id").map_err(failed)?;
                    let channel: String = row.try_get("channel").map_err(failed)?;
                    let attempts: i32 = row.try_get("attempts").map_err(failed)?;
                    let headers: String = row.try_get("source_headers").map_err(failed)?;
                    Ok(Claimed {
                        channel: channel_of(&id, &channel)?,
                        correlation_id: row.try_get("correlation_id").map_err(failed)?,
                        outcome: row.try_get("outcome").map_err(failed)?,
                        customer_id: row.try_get("customer_id").map_err(failed)?,
                        recipient: row.try_get("recipient").map_err(failed)?,
                        attempts: count(i64::from(attempts)),
                        event: row.try_get("event").map_err(failed)?,
                        source: SourceRecord {
                            topic: row.try_get("source_topic").map_err(failed)?,
                            partition: row.try_get("source_partition").map_err(failed)?,
                            offset: row.try_get("source_offset").map_err(failed)?,
                            timestamp_ms: row.try_get("source_timestamp").map_err(failed)?,
                            key: row.try_get("source_key").map_err(failed)?,
                            headers: parse_headers(&headers),
                        },
                        id,
                    })
                })
                .collect()
        })
    }

    /// Records that the channel took notification `id`. False when `owner`'s claim was
    /// lost (it lapsed and another worker took it): nothing is changed then.
    pub async fn sent(&self, id: &str, owner: &str) -> Result<bool, StoreError> {
        let at = now();
        on_backend!(&self.db, pool, d => {
            let done = sqlx::query(
                "UPDATE notifications SET state = 'sent', sent_at = $1, updated_at = $1, \
                 next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL \
                 WHERE id = $2 AND lease_owner = $3 AND state = 'pending'",
            )
            .bind(d::ts(at)?)
            .bind(id)
            .bind(owner)
            .execute(pool)
            .await
            .map_err(|e| store_error(d::BACKEND, "record a sent notification", &e))?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Records a failed attempt of `id` that is worth another at `after` from now, and
    /// gives the claim up.
    pub async fn retry_later(
        &self,
        id: &str,
        owner: &str,
        error: &str,
        after: Duration,
    ) -> Result<bool, StoreError> {
        let at = now();
        on_backend!(&self.db, pool, d => {
            let done = sqlx::query(
                "UPDATE notifications SET last_error = $1, next_attempt_at = $2, \
                 updated_at = $3, lease_owner = NULL, lease_until = NULL \
                 WHERE id = $4 AND lease_owner = $5 AND state = 'pending'",
            )
            .bind(error)
            .bind(d::ts(later(at, after))?)
            .bind(d::ts(at)?)
            .bind(id)
            .bind(owner)
            .execute(pool)
            .await
            .map_err(|e| store_error(d::BACKEND, "record a failed attempt", &e))?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Records that `id` failed for good (`reason` a short code, `error` the last one),
    /// and writes `dead_letter` to the outbox in the same transaction.
    pub async fn failed(
        &self,
        id: &str,
        owner: &str,
        reason: &str,
        error: &str,
        dead_letter: Option<OutgoingEvent>,
    ) -> Result<bool, StoreError> {
        let at = now();
        let mut tx = self.db.begin("begin failing a notification").await?;
        let updated = crate::on_tx!(&mut tx, conn, d => {
            let done = sqlx::query(
                "UPDATE notifications SET state = 'failed', reason = $1, last_error = $2, \
                 updated_at = $3, next_attempt_at = NULL, lease_owner = NULL, \
                 lease_until = NULL WHERE id = $4 AND lease_owner = $5 AND state = 'pending'",
            )
            .bind(reason)
            .bind(error)
            .bind(d::ts(at)?)
            .bind(id)
            .bind(owner)
            .execute(&mut **conn)
            .await
            .map_err(|e| store_error(d::BACKEND, "record a failed notification", &e))?;
            done.rows_affected() == 1
        });
        if updated && let Some(event) = dead_letter {
            tx.enqueue(&[event], at).await?;
        }
        tx.commit("commit a failed notification").await?;
        Ok(updated)
    }

    /// Gives up every claim of `owner` (at shutdown): what it did not finish is due at
    /// once for the next worker, here or after the restart.
    pub async fn release(&self, owner: &str) -> Result<u64, StoreError> {
        on_backend!(&self.db, pool, d => {
            let done = sqlx::query(
                "UPDATE notifications SET lease_owner = NULL, lease_until = NULL \
                 WHERE lease_owner = $1 AND state = 'pending'",
            )
            .bind(owner)
            .execute(pool)
            .await
            .map_err(|e| store_error(d::BACKEND, "release notification claims", &e))?;
            Ok(done.rows_affected())
        })
    }

    /// The newest notifications first, of one order and in one state when given.
    pub async fn list(
        &self,
        correlation_id: Option<&str>,
        state: Option<NotificationState>,
        limit: u32,
    ) -> Result<Vec<Notification>, StoreError> {
        on_backend!(&self.db, pool, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "read notifications", &e);
            let mut query = QueryBuilder::new(format!("SELECT {LISTED} FROM notifications WHERE 1 = 1"));
            if let Some(id) = correlation_id {
                query.push(" AND correlation_id = ");
                query.push_bind(id);
            }
            if let Some(state) = state {
                query.push(" AND state = ");
                query.push_bind(state.as_str());
            }
            query.push(" ORDER BY created_at DESC, channel LIMIT ");
            query.push_bind(i64::from(limit));
            let rows = query.build().fetch_all(pool).await.map_err(failed)?;
            rows.iter()
                .map(|row| {
                    let id: String = row.try_get("id").map_err(failed)?;
                    let channel: String = row.try_get("channel").map_err(failed)?;
                    let state: String = row.try_get("state").map_err(failed)?;
                    let attempts: i32 = row.try_get("attempts").map_err(failed)?;
                    let replays: i32 = row.try_get("replays").map_err(failed)?;
                    let time = |column: &str| {
                        d::read_ts(row, column).map_err(|reason| unreadable(&id, reason))
                    };
                    let maybe = |column: &str| {
                        d::read_opt_ts(row, column).map_err(|reason| unreadable(&id, reason))
                    };
                    Ok(Notification {
                        channel: channel_of(&id, &channel)?,
                        state: NotificationState::parse(&state)
                            .ok_or_else(|| unreadable(&id, format!("state `{state}`")))?,
                        correlation_id: row.try_get("correlation_id").map_err(failed)?,
                        outcome: row.try_get("outcome").map_err(failed)?,
                        customer_id: row.try_get("customer_id").map_err(failed)?,
                        recipient: row.try_get("recipient").map_err(failed)?,
                        attempts: count(i64::from(attempts)),
                        replays: count(i64::from(replays)),
                        reason: row.try_get("reason").map_err(failed)?,
                        last_error: row.try_get("last_error").map_err(failed)?,
                        created_at: time("created_at")?,
                        updated_at: time("updated_at")?,
                        next_attempt_at: maybe("next_attempt_at")?,
                        sent_at: maybe("sent_at")?,
                        id,
                    })
                })
                .collect()
        })
    }

    /// How many notifications are in each state (of one order when given).
    pub async fn counts(
        &self,
        correlation_id: Option<&str>,
    ) -> Result<BTreeMap<String, u64>, StoreError> {
        on_backend!(&self.db, pool, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "count notifications", &e);
            let mut query =
                QueryBuilder::new("SELECT state, COUNT(*) AS n FROM notifications");
            if let Some(id) = correlation_id {
                query.push(" WHERE correlation_id = ");
                query.push_bind(id);
            }
            query.push(" GROUP BY state");
            let mut counts: BTreeMap<String, u64> = NotificationState::ALL
                .iter()
                .map(|s| (s.as_str().to_owned(), 0))
                .collect();
            for row in query.build().fetch_all(pool).await.map_err(failed)? {
                let n: i64 = row.try_get("n").map_err(failed)?;
                counts.insert(row.try_get("state").map_err(failed)?, u64::try_from(n).unwrap_or(0));
            }
            Ok(counts)
        })
    }
}
