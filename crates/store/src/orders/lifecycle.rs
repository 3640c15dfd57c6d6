//! Applying a batch of the order-service's events in one transaction: orders created
//! pending, outcomes of the saga recorded, and every order whose outcome is known moved
//! to its final state, with its announcement written to the outbox.
//!
//! Outcomes may come before their order (they travel on other topics and partitions), so
//! they are kept as they come and the final state is decided from all of an order's
//! outcomes once the order is there ([`lifecycle::resolve`]): the same events in any
//! order give the same result. On Postgres, several order-service instances may apply
//! events of one order at the same time, so the transaction first takes a lock per
//! correlation id ([`Tx::lock_keys`]): one waits for the other and then sees what it
//! committed, and neither decides an order without the other's outcome.

use super::{Content, IDS_PER_QUERY, Store, read_order, select};
use crate::db::Tx;
use crate::error::store_error;
use crate::on_tx;
use crate::orders::COLUMNS;
use chrono::{DateTime, SubsecRound, Utc};
use orders_core::saga::EventKind;
use orders_core::saga::lifecycle::{self, Final, OrderFacts, Outcome};
use orders_core::{
    Conflict, EventPosition, FinalTopics, NewOrder, Order, OrderEvent, OrderEventsApplied,
    OrderStatus, OutgoingEvent, StoreError,
};
use sqlx::{QueryBuilder, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

type Headers = Vec<(String, Vec<u8>)>;

/// An outcome as `order_outcomes` keeps it.
struct KeptOutcome {
    outcome: Outcome,
    trace: Headers,
    source: EventPosition,
}

impl Store {
    /// See [`orders_core::OrderStore::apply`]; without `finals`, only creates orders and
    /// records outcomes (what `insert` does), deciding nothing.
    pub(crate) async fn apply_events(
        &self,
        batch: &[OrderEvent],
        traces: &[Headers],
        finals: Option<&FinalTopics>,
    ) -> Result<OrderEventsApplied, StoreError> {
        let mut applied = OrderEventsApplied::default();
        if batch.is_empty() {
            return Ok(applied);
        }
        let now = Utc::now().trunc_subsecs(6);
        let trace = |i: usize| traces.get(i).cloned().unwrap_or_default();

        // The first event per order and per (order, outcome kind); later ones are
        // compared with what the id holds once the first is applied.
        let mut first_order: BTreeMap<&str, usize> = BTreeMap::new();
        let mut first_outcome: BTreeMap<(&str, EventKind), usize> = BTreeMap::new();
        for (i, event) in batch.iter().enumerate() {
            match event {
                OrderEvent::Created(order) => {
                    first_order
                        .entry(order.event.correlation_id.as_str())
                        .or_insert(i);
                }
                OrderEvent::Outcome { outcome, .. } => {
                    first_outcome
                        .entry((outcome.correlation_id().as_str(), outcome.kind()))
                        .or_insert(i);
                }
            }
        }
        let keys: BTreeSet<&str> = first_order
            .keys()
            .copied()
            .chain(first_outcome.keys().map(|(id, _)| *id))
            .collect();

        let mut tx = self.db.begin("begin applying order events").await?;
        tx.lock_keys(&keys.iter().copied().collect::<Vec<_>>())
            .await?;

        // Orders: in id order (first_order is sorted), so that concurrent Postgres
        // transactions lock rows in one order.
        let new_orders: Vec<(usize, &NewOrder)> = first_order
            .values()
            .map(|&i| match &batch[i] {
                OrderEvent::Created(order) => (i, order),
                OrderEvent::Outcome { .. } => unreachable!("first_order holds created events"),
            })
            .collect();
        let created = insert_orders(&mut tx, &new_orders, now).await?;
        let missing: Vec<&str> = new_orders
            .iter()
            .map(|(_, o)| o.event.correlation_id.as_str())
            .filter(|id| !created.contains(*id))
            .collect();
        let existing: HashMap<String, Order> = read_orders(&mut tx, &missing)
            .await?
            .into_iter()
            .map(|o| (o.correlation_id.as_str().to_owned(), o))
            .collect();
        applied.created = created.len();

        // Outcomes.
        let new_outcomes: Vec<(usize, &Outcome, &EventPosition)> = first_outcome
            .values()
            .map(|&i| match &batch[i] {
                OrderEvent::Outcome { outcome, source } => (i, outcome, source),
                OrderEvent::Created(_) => unreachable!("first_outcome holds outcomes"),
            })
            .collect();
        let recorded = insert_outcomes(&mut tx, &new_outcomes, &trace, now).await?;
        // What the ids of outcomes that were not new hold, to compare with.
        let not_new: BTreeSet<&str> = new_outcomes
            .iter()
            .map(|(_, o, _)| (o.correlation_id().as_str(), o.kind()))
            .filter(|(id, kind)| !recorded.contains(&((*id).to_owned(), *kind)))
            .map(|(id, _)| id)
            .collect();
        let kept = read_outcomes(&mut tx, &not_new.into_iter().collect::<Vec<_>>()).await?;
        applied.outcomes = recorded.len();

        // Everything after the first of its id: a redelivery, or a conflict.
        for (i, event) in batch.iter().enumerate() {
            match event {
                OrderEvent::Created(order) => {
                    let id = order.event.correlation_id.as_str();
                    if first_order[id] == i && created.contains(id) {
                        continue;
                    }
                    let reference = match existing.get(id) {
                        Some(stored) => Content::of_stored(stored),
                        None => match &batch[first_order[id]] {
                            OrderEvent::Created(first) => Content::of_new(first),
                            OrderEvent::Outcome { .. } => continue,
                        },
                    };
                    match Content::of_new(order).differences(&reference) {
                        None => applied.duplicates += 1,
                        Some(fields) => applied.conflicts.push(Conflict {
                            index: i,
                            reason: format!(
                                "correlation id {id} already names an order with another \
                                 {fields}: an identical redelivery is harmless, a different \
                                 order under the same id is not applied"
                            ),
                        }),
                    }
                }
                OrderEvent::Outcome { outcome, .. } => {
                    let key = (outcome.correlation_id().as_str(), outcome.kind());
                    if first_outcome[&key] == i && recorded.contains(&(key.0.to_owned(), key.1)) {
                        continue;
                    }
                    let same = match kept.get(&(key.0.to_owned(), key.1)) {
                        Some(stored) => stored.outcome.to_json() == outcome.to_json(),
                        None => match &batch[first_outcome[&key]] {
                            OrderEvent::Outcome { outcome: first, .. } => {
                                first.to_json() == outcome.to_json()
                            }
                            OrderEvent::Created(_) => true,
                        },
                    };
                    if same {
                        applied.duplicate_outcomes += 1;
                    } else {
                        applied.conflicts.push(Conflict {
                            index: i,
                            reason: format!(
                                "order {} already has a {} with other content: an identical \
                                 redelivery is harmless, a different one is not applied",
                                key.0, key.1
                            ),
                        });
                    }
                }
            }
        }

        if let Some(finals) = finals {
            let candidates: BTreeSet<&str> = created
                .iter()
                .map(String::as_str)
                .chain(recorded.iter().map(|(id, _)| id.as_str()))
                .collect();
            let decided =
                decide(&mut tx, &candidates, &recorded, finals, now, &mut applied).await?;
            tx.enqueue(&decided, now).await?;
        }
        tx.commit("commit order events").await?;
        Ok(applied)
    }
}

/// Moves every pending order among `candidates` that has an outcome to its final state;
/// returns the announcements to publish. Counts held outcomes (no order yet) and finals.
async fn decide(
    tx: &mut Tx,
    candidates: &BTreeSet<&str>,
    recorded: &BTreeSet<(String, EventKind)>,
    finals: &FinalTopics,
    now: DateTime<Utc>,
    applied: &mut OrderEventsApplied,
) -> Result<Vec<OutgoingEvent>, StoreError> {
    let ids: Vec<&str> = candidates.iter().copied().collect();
    let orders: HashMap<String, Order> = read_orders(tx, &ids)
        .await?
        .into_iter()
        .map(|o| (o.correlation_id.as_str().to_owned(), o))
        .collect();
    let pending: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| {
            orders
                .get(*id)
                .is_some_and(|o| o.status == OrderStatus::Pending)
        })
        .collect();
    applied.held = recorded
        .iter()
        .filter(|(id, _)| !orders.contains_key(id))
        .count();
    let mut outcomes: BTreeMap<String, Vec<KeptOutcome>> = BTreeMap::new();
    for ((id, _), kept) in read_outcomes(tx, &pending).await? {
        outcomes.entry(id).or_default().push(kept);
    }

    let mut updates = Vec::new();
    let mut announcements = Vec::new();
    for (id, kept) in &outcomes {
        let list: Vec<Outcome> = kept.iter().map(|k| k.outcome.clone()).collect();
        let Some((i, decided)) = lifecycle::resolve(&list) else {
            continue;
        };
        let Some(order) = orders.get(id) else {
            continue;
        };
        let facts = OrderFacts {
            correlation_id: order.correlation_id.clone(),
            customer_id: order.customer_id,
            items: order.items.clone(),
            total_amount: order.total_amount,
        };
        let (kind, value) = lifecycle::announce(&facts, &decided, now);
        let topic = match kind {
            EventKind::OrderConfirmed => &finals.confirmed,
            _ => &finals.rejected,
        };
        announcements.push(OutgoingEvent {
            event_id: Uuid::new_v4(),
            kind,
            topic: topic.clone(),
            key: order.correlation_id.clone(),
            value,
            headers: kept[i].trace.clone(),
        });
        match decided {
            Final::Confirmed { .. } => applied.confirmed += 1,
            Final::Rejected { .. } => applied.rejected += 1,
        }
        let status = match decided {
            Final::Confirmed { .. } => OrderStatus::Confirmed,
            Final::Rejected { .. } => OrderStatus::Rejected,
        };
        updates.push((id.clone(), status, decided.reason(), &kept[i]));
    }
    if updates.is_empty() {
        return Ok(announcements);
    }

    on_tx!(tx, conn, d => {
        let failed = |e: sqlx::Error| store_error(d::BACKEND, "decide orders", &e);
        let at = d::ts(now)?;
        for chunk in updates.chunks(d::MAX_PARAMETERS / 4) {
            let mut query = QueryBuilder::new("WITH decided (id, status, reason, at) AS (");
            query.push_values(chunk, |mut b, (id, status, reason, _)| {
                b.push_bind(id.as_str())
                    .push_bind(status.as_str())
                    .push_bind(reason.clone())
                    .push_bind(at.clone());
            });
            query.push(
                ") UPDATE orders SET status = decided.status, reason = decided.reason, \
                 decided_at = decided.at FROM decided \
                 WHERE orders.correlation_id = decided.id AND orders.status = 'pending'",
            );
            query.build().execute(&mut **conn).await.map_err(failed)?;
        }
        for chunk in updates.chunks(d::MAX_PARAMETERS / 9) {
            let mut query = QueryBuilder::new(
                "INSERT INTO order_transitions (correlation_id, to_status, from_status, \
                 reason, at, event_type, source_topic, source_partition, source_offset) ",
            );
            query.push_values(chunk, |mut b, (id, status, reason, kept)| {
                b.push_bind(id.as_str())
                    .push_bind(status.as_str())
                    .push_bind(OrderStatus::Pending.as_str())
                    .push_bind(reason.clone())
                    .push_bind(at.clone())
                    .push_bind(kept.outcome.kind().as_str())
                    .push_bind(kept.source.topic.as_str())
                    .push_bind(kept.source.partition)
                    .push_bind(kept.source.offset);
            });
            query.build().execute(&mut **conn).await.map_err(failed)?;
        }
        Ok(announcements)
    })
}

/// Inserts the orders that are new, each with its first transition (to pending);
/// returns their ids.
async fn insert_orders(
    tx: &mut Tx,
    orders: &[(usize, &NewOrder)],
    now: DateTime<Utc>,
) -> Result<BTreeSet<String>, StoreError> {
    let mut created = BTreeSet::new();
    on_tx!(tx, conn, d => {
        let failed = |operation, e: sqlx::Error| store_error(d::BACKEND, operation, &e);
        for chunk in orders.chunks(d::MAX_PARAMETERS / COLUMNS.len()) {
            let mut query = QueryBuilder::new(format!(
                "INSERT INTO orders ({}) ",
                COLUMNS.join(", ")
            ));
            let mut values = Vec::with_capacity(chunk.len());
            for (_, order) in chunk {
                values.push((
                    *order,
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
                .fetch_all(&mut **conn)
                .await
                .map_err(|e| failed("insert orders", e))?;
            for row in rows {
                created.insert(row.try_get::<String, _>(0).map_err(|e| failed("insert orders", e))?);
            }
        }
        let fresh: Vec<&NewOrder> = orders
            .iter()
            .map(|(_, o)| *o)
            .filter(|o| created.contains(o.event.correlation_id.as_str()))
            .collect();
        let at = d::ts(now)?;
        for chunk in fresh.chunks(d::MAX_PARAMETERS / 8) {
            let mut query = QueryBuilder::new(
                "INSERT INTO order_transitions (correlation_id, to_status, from_status, at, \
                 event_type, source_topic, source_partition, source_offset) ",
            );
            query.push_values(chunk, |mut b, order| {
                let source = order.source.as_ref();
                b.push_bind(order.event.correlation_id.as_str())
                    .push_bind(OrderStatus::Pending.as_str())
                    .push_bind(None::<&str>)
                    .push_bind(at.clone())
                    .push_bind(EventKind::OrderCreated.as_str())
                    .push_bind(source.map(|s| s.topic.as_str()))
                    .push_bind(source.map(|s| s.partition))
                    .push_bind(source.map(|s| s.offset));
            });
            query
                .build()
                .execute(&mut **conn)
                .await
                .map_err(|e| failed("record transitions", e))?;
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(created)
}

/// The orders with these ids, in the transaction.
async fn read_orders(tx: &mut Tx, ids: &[&str]) -> Result<Vec<Order>, StoreError> {
    let mut orders = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        on_tx!(tx, conn, d => {
            let mut query = QueryBuilder::new(select(&d::json_column("items")));
            query.push("WHERE correlation_id IN (");
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            let rows = query
                .build()
                .fetch_all(&mut **conn)
                .await
                .map_err(|e| store_error(d::BACKEND, "read orders", &e))?;
            for row in &rows {
                orders.push(read_order(row, d::read_ts)?);
            }
        });
    }
    Ok(orders)
}

/// Records outcomes that are new; returns (id, kind) of each.
async fn insert_outcomes(
    tx: &mut Tx,
    outcomes: &[(usize, &Outcome, &EventPosition)],
    trace: &impl Fn(usize) -> Headers,
    now: DateTime<Utc>,
) -> Result<BTreeSet<(String, EventKind)>, StoreError> {
    let mut recorded = BTreeSet::new();
    on_tx!(tx, conn, d => {
        let failed = |e: sqlx::Error| store_error(d::BACKEND, "record outcomes", &e);
        let at = d::ts(now)?;
        for chunk in outcomes.chunks(d::MAX_PARAMETERS / 8) {
            let mut query = QueryBuilder::new(
                "INSERT INTO order_outcomes (correlation_id, event_type, event, trace, \
                 received_at, source_topic, source_partition, source_offset) ",
            );
            let rows: Vec<_> = chunk
                .iter()
                .map(|(i, outcome, source)| {
                    (
                        *outcome,
                        *source,
                        String::from_utf8_lossy(&outcome.to_json()).into_owned(),
                        crate::outbox::headers_json(&trace(*i)),
                    )
                })
                .collect();
            query.push_values(rows, |mut b, (outcome, source, event, headers)| {
                b.push_bind(outcome.correlation_id().as_str())
                    .push_bind(outcome.kind().as_str())
                    .push_bind(event)
                    .push_bind(headers)
                    .push_bind(at.clone())
                    .push_bind(source.topic.as_str())
                    .push_bind(source.partition)
                    .push_bind(source.offset);
            });
            query.push(
                " ON CONFLICT (correlation_id, event_type) DO NOTHING \
                 RETURNING correlation_id, event_type",
            );
            for row in query.build().fetch_all(&mut **conn).await.map_err(failed)? {
                let id: String = row.try_get(0).map_err(failed)?;
                let kind: String = row.try_get(1).map_err(failed)?;
                if let Some(kind) = EventKind::parse(&kind) {
                    recorded.insert((id, kind));
                }
            }
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(recorded)
}

/// Every outcome kept for these orders.
async fn read_outcomes(
    tx: &mut Tx,
    ids: &[&str],
) -> Result<BTreeMap<(String, EventKind), KeptOutcome>, StoreError> {
    let mut kept = BTreeMap::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        on_tx!(tx, conn, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "read outcomes", &e);
            let mut query = QueryBuilder::new(
                "SELECT correlation_id, event_type, event, trace, source_topic, \
                 CAST(source_partition AS BIGINT) AS source_partition, source_offset \
                 FROM order_outcomes WHERE correlation_id IN (",
            );
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(") ORDER BY correlation_id, event_type");
            for row in query.build().fetch_all(&mut **conn).await.map_err(failed)? {
                let id: String = row.try_get("correlation_id").map_err(failed)?;
                let kind: String = row.try_get("event_type").map_err(failed)?;
                let event: String = row.try_get("event").map_err(failed)?;
                let trace: String = row.try_get("trace").map_err(failed)?;
                let partition: i64 = row.try_get("source_partition").map_err(failed)?;
                let unreadable = |what: &str| {
                    StoreError::Failed(format!(
                        "cannot read the {kind} kept for order `{id}`: {what}"
                    ))
                };
                let kind = EventKind::parse(&kind).ok_or_else(|| unreadable("unknown kind"))?;
                let outcome = Outcome::from_json(kind, event.as_bytes())
                    .ok_or_else(|| unreadable("not the event's JSON"))?;
                let source = EventPosition {
                    topic: row.try_get("source_topic").map_err(failed)?,
                    partition: i32::try_from(partition)
                        .map_err(|_| unreadable("partition out of range"))?,
                    offset: row.try_get("source_offset").map_err(failed)?,
                };
                let trace = crate::outbox::parse_headers(&trace);
                kept.insert((id, kind), KeptOutcome { outcome, trace, source });
            }
        });
    }
    Ok(kept)
}
