//! The transactional outbox every publishing service's database has: events are written
//! in the transaction of the state change that causes them (see `dialect::enqueue`),
//! and [`OutboxTable`] is how the relay reads and marks them.

use crate::db::Db;
use crate::error::store_error;
use crate::on_backend;
use async_trait::async_trait;
use chrono::Utc;
use orders_core::saga::EventKind;
use orders_core::{CorrelationId, EventPosition, Outbox, OutgoingEvent, QueuedEvent, StoreError};
use sqlx::{QueryBuilder, Row};
use std::time::Duration;
use uuid::Uuid;

/// A service database's outbox.
#[derive(Debug, Clone)]
pub struct OutboxTable {
    pub(crate) db: Db,
}

/// Headers as the outbox keeps them: a JSON list of `[name, value]`, values as text (they
/// are trace context, ASCII by the W3C's definition).
pub(crate) fn headers_json(headers: &[(String, Vec<u8>)]) -> String {
    let pairs: Vec<(&str, String)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), String::from_utf8_lossy(v).into_owned()))
        .collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}

pub(crate) fn parse_headers(text: &str) -> Vec<(String, Vec<u8>)> {
    serde_json::from_str::<Vec<(String, String)>>(text)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.into_bytes()))
        .collect()
}

fn unreadable(seq: i64, what: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(format!("cannot read outbox event {seq}: {what}"))
}

#[async_trait]
impl Outbox for OutboxTable {
    async fn queued(&self, limit: usize) -> Result<Vec<QueuedEvent>, StoreError> {
        on_backend!(&self.db, pool, d => {
            let rows = sqlx::query(
                "SELECT seq, event_id, event_type, topic, key, value, headers FROM outbox \
                 ORDER BY seq LIMIT $1",
            )
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await
            .map_err(|e| store_error(d::BACKEND, "read the outbox", &e))?;
            rows.iter()
                .map(|row| {
                    let get = |e: sqlx::Error| store_error(d::BACKEND, "read the outbox", &e);
                    let seq: i64 = row.try_get("seq").map_err(get)?;
                    let event_id: String = row.try_get("event_id").map_err(get)?;
                    let kind: String = row.try_get("event_type").map_err(get)?;
                    let key: String = row.try_get("key").map_err(get)?;
                    let headers: String = row.try_get("headers").map_err(get)?;
                    Ok(QueuedEvent {
                        seq,
                        event: OutgoingEvent {
                            event_id: Uuid::parse_str(&event_id)
                                .map_err(|e| unreadable(seq, format!("event id: {e}")))?,
                            kind: EventKind::parse(&kind)
                                .ok_or_else(|| unreadable(seq, format!("event type `{kind}`")))?,
                            topic: row.try_get("topic").map_err(get)?,
                            key: CorrelationId::parse(&key)
                                .map_err(|e| unreadable(seq, e))?,
                            value: row.try_get("value").map_err(get)?,
                            headers: parse_headers(&headers),
                        },
                    })
                })
                .collect()
        })
    }

    async fn published(&self, done: &[(i64, EventPosition)]) -> Result<(), StoreError> {
        if done.is_empty() {
            return Ok(());
        }
        let mut furthest: Vec<&EventPosition> = Vec::new();
        for (_, position) in done {
            match furthest
                .iter_mut()
                .find(|p| p.topic == position.topic && p.partition == position.partition)
            {
                Some(p) if p.offset < position.offset => *p = position,
                Some(_) => {}
                None => furthest.push(position),
            }
        }
        on_backend!(&self.db, pool, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "mark published", &e);
            let mut tx = d::begin(pool, "mark published").await?;
            for chunk in done.chunks(1_000) {
                let mut query = QueryBuilder::new("DELETE FROM outbox WHERE seq IN (");
                let mut list = query.separated(", ");
                for (seq, _) in chunk {
                    list.push_bind(*seq);
                }
                query.push(")");
                query.build().execute(&mut *tx).await.map_err(failed)?;
            }
            let mut query =
                QueryBuilder::new("INSERT INTO outbox_positions (topic, partition, last_offset) ");
            query.push_values(&furthest, |mut b, p| {
                b.push_bind(p.topic.as_str()).push_bind(p.partition).push_bind(p.offset);
            });
            query.push(
                " ON CONFLICT (topic, partition) DO UPDATE SET last_offset = \
                 CASE WHEN excluded.last_offset > outbox_positions.last_offset \
                 THEN excluded.last_offset ELSE outbox_positions.last_offset END",
            );
            query.build().execute(&mut *tx).await.map_err(failed)?;
            tx.commit().await.map_err(failed)?;
            Ok(())
        })
    }

    async fn discard(&self, seqs: &[i64]) -> Result<(), StoreError> {
        for chunk in seqs.chunks(1_000) {
            on_backend!(&self.db, pool, d => {
                let mut query = QueryBuilder::new("DELETE FROM outbox WHERE seq IN (");
                let mut list = query.separated(", ");
                for seq in chunk {
                    list.push_bind(*seq);
                }
                query.push(")");
                query
                    .build()
                    .execute(pool)
                    .await
                    .map_err(|e| store_error(d::BACKEND, "discard outbox events", &e))?;
            });
        }
        Ok(())
    }

    async fn positions(&self) -> Result<Vec<EventPosition>, StoreError> {
        on_backend!(&self.db, pool, d => {
            let rows = sqlx::query(
                "SELECT topic, CAST(partition AS BIGINT) AS partition, last_offset \
                 FROM outbox_positions ORDER BY topic, partition",
            )
            .fetch_all(pool)
            .await
            .map_err(|e| store_error(d::BACKEND, "read outbox positions", &e))?;
            rows.iter()
                .map(|row| {
                    let get = |e: sqlx::Error| store_error(d::BACKEND, "read outbox positions", &e);
                    let partition: i64 = row.try_get("partition").map_err(get)?;
                    Ok(EventPosition {
                        topic: row.try_get("topic").map_err(get)?,
                        partition: i32::try_from(partition)
                            .map_err(|_| unreadable(0, format!("partition {partition}")))?,
                        offset: row.try_get("last_offset").map_err(get)?,
                    })
                })
                .collect()
        })
    }

    async fn seed_positions(&self, positions: &[EventPosition]) -> Result<(), StoreError> {
        if positions.is_empty() {
            return Ok(());
        }
        on_backend!(&self.db, pool, d => {
            let mut query =
                QueryBuilder::new("INSERT INTO outbox_positions (topic, partition, last_offset) ");
            query.push_values(positions, |mut b, p| {
                b.push_bind(p.topic.as_str()).push_bind(p.partition).push_bind(p.offset);
            });
            query.push(" ON CONFLICT (topic, partition) DO NOTHING");
            query
                .build()
                .execute(pool)
                .await
                .map_err(|e| store_error(d::BACKEND, "seed outbox positions", &e))?;
            Ok(())
        })
    }

    async fn lease(&self, owner: &str, ttl: Duration) -> Result<bool, StoreError> {
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::seconds(10));
        on_backend!(&self.db, pool, d => {
            // Take it when nobody holds it, when its holder let it expire, or renew it.
            let taken = sqlx::query(
                "INSERT INTO relay_lease (id, owner, expires_at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, \
                 expires_at = excluded.expires_at \
                 WHERE relay_lease.owner = excluded.owner OR relay_lease.expires_at < $3",
            )
            .bind(owner)
            .bind(d::ts(until)?)
            .bind(d::ts(now)?)
            .execute(pool)
            .await
            .map_err(|e| store_error(d::BACKEND, "take the relay lease", &e))?;
            Ok(taken.rows_affected() == 1)
        })
    }

    async fn release(&self, owner: &str) -> Result<(), StoreError> {
        on_backend!(&self.db, pool, d => {
            sqlx::query("DELETE FROM relay_lease WHERE id = 1 AND owner = $1")
                .bind(owner)
                .execute(pool)
                .await
                .map_err(|e| store_error(d::BACKEND, "release the relay lease", &e))?;
            Ok(())
        })
    }
}
