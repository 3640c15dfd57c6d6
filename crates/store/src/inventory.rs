//! The inventory-service's store: stock per SKU, a reservation per order, and the
//! outbox of `inventory_reserved`, `inventory_rejected` and `inventory_released`.
//!
//! A batch is applied in one transaction, in the batch's order, with the pure rules of
//! [`orders_core::saga::inventory`]: every item of an order reserved at once or none.
//! Stock never goes negative, also with several instances on one Postgres database: the
//! transaction locks the orders' ids and the stock rows it reads (in SKU order, so two
//! transactions cannot deadlock), and the column's `CHECK (available >= 0)` refuses an
//! oversell even from a bug. A payment event that comes before its order is held and
//! applied when the order comes, so that the result is the same as in order.

use crate::db::{Db, Tx};
use crate::error::{Result, store_error};
use crate::outbox::{OutboxTable, headers_json, parse_headers};
use crate::schema::{MigrationReport, Service};
use crate::{Backend, StoreOptions, on_backend, on_tx};
use chrono::{DateTime, SubsecRound, Utc};
use orders_core::api::{Reservation, ReservationStatus, StockLevel};
use orders_core::saga::inventory::{self as rules, Refusal};
use orders_core::saga::{
    EventKind, InventoryRejected, InventoryReleased, InventoryReserved, PaymentCompleted,
    PaymentFailed, RejectReason, SagaEvent,
};
use orders_core::{
    Conflict, CorrelationId, EventPosition, OrderCreated, OrderItem, OutgoingEvent, StoreError,
};
use serde::Serialize;
use sqlx::{QueryBuilder, Row};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

type Headers = Vec<(String, Vec<u8>)>;

/// One event for the inventory to apply.
#[derive(Debug, Clone, PartialEq)]
pub enum InventoryEvent {
    Order(OrderCreated),
    PaymentCompleted(PaymentCompleted),
    PaymentFailed(PaymentFailed),
}

impl InventoryEvent {
    pub fn correlation_id(&self) -> &CorrelationId {
        match self {
            Self::Order(e) => &e.correlation_id,
            Self::PaymentCompleted(e) => e.correlation_id(),
            Self::PaymentFailed(e) => e.correlation_id(),
        }
    }
}

/// Where the inventory publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryTopics {
    pub reserved: String,
    pub rejected: String,
    pub released: String,
}

/// What a batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InventoryApplied {
    pub reserved: usize,
    pub rejected: usize,
    /// Reservations made final by a completed payment.
    pub committed: usize,
    /// Reservations given back after a failed payment.
    pub released: usize,
    /// Payment events kept until their order comes.
    pub held: usize,
    /// Redeliveries, and payment events for orders already decided: changed nothing.
    pub duplicates: usize,
    /// Events (by batch index) that reuse an order's id for other items.
    pub conflicts: Vec<Conflict>,
}

/// The inventory store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct InventoryStore {
    db: Db,
}

/// Connects to the inventory database at `url` (migrating it when `options.migrate`).
pub async fn connect(url: &str, options: StoreOptions) -> Result<InventoryStore> {
    Ok(InventoryStore {
        db: Db::connect(url, Service::Inventory, &options).await?,
    })
}

/// Applies the migrations the inventory database at `url` lacks.
pub async fn migrate(url: &str) -> Result<MigrationReport> {
    Db::migrate(url, Service::Inventory).await
}

/// An order's reservation while a batch is applied.
#[derive(Debug, Clone)]
struct State {
    status: ReservationStatus,
    items: BTreeMap<String, u64>,
    reason: Option<String>,
    /// Whether the row exists already (else it is inserted).
    stored: bool,
    /// When the row was written and last changed (`None` until it is).
    times: Option<(DateTime<Utc>, DateTime<Utc>)>,
    changed: bool,
    source: Option<EventPosition>,
}

/// A payment event kept until its order comes.
#[derive(Debug, Clone)]
struct Held {
    kind: EventKind,
    event: String,
    trace: Headers,
}

impl InventoryStore {
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

    /// Sets the units available of each SKU (adding SKUs the inventory did not know).
    /// Reservations in flight keep their units.
    pub async fn set_stock(&self, levels: &[(String, u64)]) -> Result<(), StoreError> {
        if levels.is_empty() {
            return Ok(());
        }
        let now = Utc::now().trunc_subsecs(6);
        let mut tx = self.db.begin("set stock").await?;
        let levels: Vec<(String, i64)> = levels
            .iter()
            .map(|(sku, n)| (sku.clone(), i64::try_from(*n).unwrap_or(i64::MAX)))
            .collect();
        write_stock(&mut tx, &levels, now).await?;
        tx.commit("set stock").await
    }

    /// Every SKU with what is available, held and sold, in SKU order.
    pub async fn stock(&self) -> Result<Vec<StockLevel>, StoreError> {
        on_backend!(&self.db, pool, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "read stock", &e);
            let rows = sqlx::query(
                "SELECT s.sku, s.available, \
                 COALESCE(SUM(CASE WHEN r.status = 'reserved' THEN i.units END), 0) AS reserved, \
                 COALESCE(SUM(CASE WHEN r.status = 'committed' THEN i.units END), 0) AS sold \
                 FROM stock s \
                 LEFT JOIN reservation_items i ON i.sku = s.sku \
                 LEFT JOIN reservations r ON r.correlation_id = i.correlation_id \
                 GROUP BY s.sku, s.available ORDER BY s.sku",
            )
            .fetch_all(pool)
            .await
            .map_err(failed)?;
            rows.iter()
                .map(|row| {
                    let units = |name: &str| -> Result<u64, StoreError> {
                        let n: i64 = row.try_get(name).map_err(failed)?;
                        Ok(u64::try_from(n).unwrap_or(0))
                    };
                    Ok(StockLevel {
                        sku: row.try_get("sku").map_err(failed)?,
                        available: units("available")?,
                        reserved: units("reserved")?,
                        sold: units("sold")?,
                    })
                })
                .collect()
        })
    }

    /// The reservation of one order.
    pub async fn reservation(&self, id: &str) -> Result<Option<Reservation>, StoreError> {
        let mut tx = self.db.begin("read a reservation").await?;
        let states = read_reservations(&mut tx, &[id]).await?;
        tx.commit("read a reservation").await?;
        Ok(states.get(id).and_then(|state| {
            let (created_at, updated_at) = state.times?;
            Some(Reservation {
                correlation_id: id.to_owned(),
                status: state.status,
                items: state.items.clone(),
                reason: state.reason.clone(),
                created_at,
                updated_at,
            })
        }))
    }

    /// Applies a batch in one transaction (see the module's documentation); `traces[i]`
    /// is the trace context of `batch[i]`, and `sources[i]` where it was read.
    pub async fn apply(
        &self,
        batch: &[InventoryEvent],
        sources: &[EventPosition],
        traces: &[Headers],
        topics: &InventoryTopics,
    ) -> Result<InventoryApplied, StoreError> {
        let mut applied = InventoryApplied::default();
        if batch.is_empty() {
            return Ok(applied);
        }
        let now = Utc::now().trunc_subsecs(6);
        let trace = |i: usize| traces.get(i).cloned().unwrap_or_default();
        let ids: BTreeSet<&str> = batch.iter().map(|e| e.correlation_id().as_str()).collect();
        let ids: Vec<&str> = ids.into_iter().collect();

        let mut tx = self.db.begin("begin applying inventory events").await?;
        tx.lock_keys(&ids).await?;
        let mut states = read_reservations(&mut tx, &ids).await?;
        let mut held = read_held(&mut tx, &ids).await?;
        let held_before: BTreeSet<(String, EventKind)> = held
            .iter()
            .flat_map(|(id, list)| list.iter().map(move |h| (id.clone(), h.kind)))
            .collect();

        // Every SKU this batch may touch: the new orders' and the reservations a failed
        // payment may give back. Read (and on Postgres locked) in SKU order.
        let mut skus: BTreeSet<String> = BTreeSet::new();
        for event in batch {
            match event {
                InventoryEvent::Order(order) => {
                    skus.extend(order.items.iter().map(|i| i.sku.clone()));
                }
                InventoryEvent::PaymentFailed(e) => {
                    if let Some(state) = states.get(e.correlation_id.as_str()) {
                        skus.extend(state.items.keys().cloned());
                    }
                }
                InventoryEvent::PaymentCompleted(_) => {}
            }
        }
        let mut stock = read_stock(
            &mut tx,
            &skus.iter().map(String::as_str).collect::<Vec<_>>(),
        )
        .await?;
        let stock_before = stock.clone();

        let mut out = Vec::new();
        let mut emit =
            |kind: EventKind, topic: &str, id: &CorrelationId, value: Vec<u8>, headers| {
                out.push(OutgoingEvent {
                    event_id: Uuid::new_v4(),
                    kind,
                    topic: topic.to_owned(),
                    key: id.clone(),
                    value,
                    headers,
                });
            };

        for (i, event) in batch.iter().enumerate() {
            let id = event.correlation_id();
            match event {
                InventoryEvent::Order(order) => {
                    let requested = rules::requested(&order.items);
                    if let Some(state) = states.get(id.as_str()) {
                        if state.status == ReservationStatus::Rejected || state.items == requested {
                            applied.duplicates += 1;
                        } else {
                            applied.conflicts.push(Conflict {
                                index: i,
                                reason: format!(
                                    "order {id} already has a reservation of other items: a \
                                     different order under the same id is not applied"
                                ),
                            });
                        }
                        continue;
                    }
                    let mut state = State {
                        status: ReservationStatus::Reserved,
                        items: requested.clone(),
                        reason: None,
                        stored: false,
                        times: None,
                        changed: true,
                        source: sources.get(i).cloned(),
                    };
                    match rules::reserve(&mut stock, &requested) {
                        Ok(()) => {
                            applied.reserved += 1;
                            let event = InventoryReserved {
                                correlation_id: id.clone(),
                                customer_id: order.customer_id,
                                items: order.items.clone(),
                                total_amount: order.total_amount,
                                reserved_at: now,
                            };
                            emit(
                                EventKind::InventoryReserved,
                                &topics.reserved,
                                id,
                                event.to_json(),
                                trace(i),
                            );
                        }
                        Err(Refusal { reason, shortages }) => {
                            applied.rejected += 1;
                            state.status = ReservationStatus::Rejected;
                            state.reason =
                                Some(format!("{reason}: {}", rules::describe(reason, &shortages)));
                            state.items.clear();
                            let event = InventoryRejected {
                                correlation_id: id.clone(),
                                reason,
                                shortages,
                                rejected_at: now,
                            };
                            emit(
                                EventKind::InventoryRejected,
                                &topics.rejected,
                                id,
                                event.to_json(),
                                trace(i),
                            );
                        }
                    }
                    // Payment events that came first apply now, as they would have in order.
                    for early in held.remove(id.as_str()).unwrap_or_default() {
                        if let Some(items) =
                            settle(&mut state, early.kind, &mut stock, &mut applied)
                        {
                            emit(
                                EventKind::InventoryReleased,
                                &topics.released,
                                id,
                                released(id, items, now),
                                early.trace,
                            );
                        }
                    }
                    states.insert(id.as_str().to_owned(), state);
                }
                InventoryEvent::PaymentCompleted(_) | InventoryEvent::PaymentFailed(_) => {
                    let kind = match event {
                        InventoryEvent::PaymentCompleted(_) => EventKind::PaymentCompleted,
                        _ => EventKind::PaymentFailed,
                    };
                    match states.get_mut(id.as_str()) {
                        Some(state) => {
                            let before = state.status;
                            if let Some(items) = settle(state, kind, &mut stock, &mut applied) {
                                emit(
                                    EventKind::InventoryReleased,
                                    &topics.released,
                                    id,
                                    released(id, items, now),
                                    trace(i),
                                );
                            }
                            if state.status == before {
                                applied.duplicates += 1;
                            }
                        }
                        None => {
                            let list = held.entry(id.as_str().to_owned()).or_default();
                            if list.iter().any(|h| h.kind == kind) {
                                applied.duplicates += 1;
                            } else {
                                let json = match event {
                                    InventoryEvent::PaymentCompleted(e) => e.to_json(),
                                    InventoryEvent::PaymentFailed(e) => e.to_json(),
                                    InventoryEvent::Order(_) => Vec::new(),
                                };
                                list.push(Held {
                                    kind,
                                    event: String::from_utf8_lossy(&json).into_owned(),
                                    trace: trace(i),
                                });
                                applied.held += 1;
                            }
                        }
                    }
                }
            }
        }

        // Write what changed.
        let changed_stock: Vec<(String, i64)> = stock
            .iter()
            .filter(|(sku, n)| stock_before.get(*sku) != Some(n))
            .map(|(sku, n)| (sku.clone(), i64::try_from(*n).unwrap_or(i64::MAX)))
            .collect();
        write_stock(&mut tx, &changed_stock, now).await?;
        write_reservations(&mut tx, &states, now).await?;
        let held_after: BTreeSet<(String, EventKind)> = held
            .iter()
            .flat_map(|(id, list)| list.iter().map(move |h| (id.clone(), h.kind)))
            .collect();
        write_held(&mut tx, &held, &held_before, &held_after, now).await?;
        tx.enqueue(&out, now).await?;
        tx.commit("commit inventory events").await?;
        Ok(applied)
    }
}

/// Applies a payment's outcome to a reservation: a completed payment makes a held
/// reservation final, a failed one gives its units back; returns the items given back.
/// Anything else (a payment for a rejected order, or one already settled) changes
/// nothing.
fn settle(
    state: &mut State,
    kind: EventKind,
    stock: &mut BTreeMap<String, u64>,
    applied: &mut InventoryApplied,
) -> Option<Vec<OrderItem>> {
    if state.status != ReservationStatus::Reserved {
        return None;
    }
    state.changed = true;
    if kind == EventKind::PaymentCompleted {
        state.status = ReservationStatus::Committed;
        applied.committed += 1;
        return None;
    }
    rules::release(stock, &state.items);
    state.status = ReservationStatus::Released;
    state.reason = Some(format!(
        "{}: the payment failed",
        RejectReason::PaymentDeclined
    ));
    applied.released += 1;
    Some(
        state
            .items
            .iter()
            .map(|(sku, units)| OrderItem {
                sku: sku.clone(),
                quantity: *units,
            })
            .collect(),
    )
}

fn released(id: &CorrelationId, items: Vec<OrderItem>, at: DateTime<Utc>) -> Vec<u8> {
    InventoryReleased {
        correlation_id: id.clone(),
        items,
        reason: RejectReason::PaymentDeclined,
        released_at: at,
    }
    .to_json()
}

async fn read_reservations(
    tx: &mut Tx,
    ids: &[&str],
) -> Result<BTreeMap<String, State>, StoreError> {
    let mut states = BTreeMap::new();
    for chunk in ids.chunks(1_000) {
        on_tx!(tx, conn, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "read reservations", &e);
            let mut query = QueryBuilder::new(
                "SELECT correlation_id, status, reason, created_at, updated_at FROM reservations \
                 WHERE correlation_id IN (",
            );
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            for row in query.build().fetch_all(&mut **conn).await.map_err(failed)? {
                let id: String = row.try_get("correlation_id").map_err(failed)?;
                let status: String = row.try_get("status").map_err(failed)?;
                let status = ReservationStatus::parse(&status).ok_or_else(|| {
                    StoreError::Failed(format!("reservation `{id}` has an unknown status `{status}`"))
                })?;
                states.insert(
                    id,
                    State {
                        status,
                        items: BTreeMap::new(),
                        reason: row.try_get("reason").map_err(failed)?,
                        stored: true,
                        times: d::read_ts(&row, "created_at")
                            .and_then(|c| Ok((c, d::read_ts(&row, "updated_at")?)))
                            .ok(),
                        changed: false,
                        source: None,
                    },
                );
            }
            let mut query = QueryBuilder::new(
                "SELECT correlation_id, sku, units FROM reservation_items WHERE correlation_id IN (",
            );
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            for row in query.build().fetch_all(&mut **conn).await.map_err(failed)? {
                let id: String = row.try_get("correlation_id").map_err(failed)?;
                let units: i64 = row.try_get("units").map_err(failed)?;
                if let Some(state) = states.get_mut(&id) {
                    state
                        .items
                        .insert(row.try_get("sku").map_err(failed)?, u64::try_from(units).unwrap_or(0));
                }
            }
        });
    }
    Ok(states)
}

async fn read_held(tx: &mut Tx, ids: &[&str]) -> Result<BTreeMap<String, Vec<Held>>, StoreError> {
    let mut held: BTreeMap<String, Vec<Held>> = BTreeMap::new();
    for chunk in ids.chunks(1_000) {
        on_tx!(tx, conn, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "read held events", &e);
            let mut query = QueryBuilder::new(
                "SELECT correlation_id, event_type, event, trace FROM held_events \
                 WHERE correlation_id IN (",
            );
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(") ORDER BY correlation_id, received_at, event_type");
            for row in query.build().fetch_all(&mut **conn).await.map_err(failed)? {
                let kind: String = row.try_get("event_type").map_err(failed)?;
                let Some(kind) = EventKind::parse(&kind) else { continue };
                let trace: String = row.try_get("trace").map_err(failed)?;
                held.entry(row.try_get("correlation_id").map_err(failed)?)
                    .or_default()
                    .push(Held {
                        kind,
                        event: row.try_get("event").map_err(failed)?,
                        trace: parse_headers(&trace),
                    });
            }
        });
    }
    Ok(held)
}

/// The units available of `skus` that the inventory knows, locked until the
/// transaction ends on Postgres.
async fn read_stock(tx: &mut Tx, skus: &[&str]) -> Result<BTreeMap<String, u64>, StoreError> {
    let mut stock = BTreeMap::new();
    for chunk in skus.chunks(1_000) {
        on_tx!(tx, conn, d => {
            let failed = |e: sqlx::Error| store_error(d::BACKEND, "read stock", &e);
            let mut query = QueryBuilder::new("SELECT sku, available FROM stock WHERE sku IN (");
            let mut list = query.separated(", ");
            for sku in chunk {
                list.push_bind(*sku);
            }
            query.push(") ORDER BY sku");
            query.push(d::FOR_UPDATE);
            for row in query.build().fetch_all(&mut **conn).await.map_err(failed)? {
                let available: i64 = row.try_get("available").map_err(failed)?;
                stock.insert(
                    row.try_get("sku").map_err(failed)?,
                    u64::try_from(available).unwrap_or(0),
                );
            }
        });
    }
    Ok(stock)
}

async fn write_stock(
    tx: &mut Tx,
    levels: &[(String, i64)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, conn, d => {
        let at = d::ts(now)?;
        for chunk in levels.chunks(d::MAX_PARAMETERS / 3) {
            let mut query = QueryBuilder::new("INSERT INTO stock (sku, available, updated_at) ");
            query.push_values(chunk, |mut b, (sku, available)| {
                b.push_bind(sku.as_str()).push_bind(*available).push_bind(at.clone());
            });
            query.push(
                " ON CONFLICT (sku) DO UPDATE SET available = excluded.available, \
                 updated_at = excluded.updated_at",
            );
            query
                .build()
                .execute(&mut **conn)
                .await
                .map_err(|e| store_error(d::BACKEND, "write stock", &e))?;
        }
        Ok(())
    })
}

async fn write_reservations(
    tx: &mut Tx,
    states: &BTreeMap<String, State>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let new: Vec<(&String, &State)> = states
        .iter()
        .filter(|(_, s)| s.changed && !s.stored)
        .collect();
    let updated: Vec<(&String, &State)> = states
        .iter()
        .filter(|(_, s)| s.changed && s.stored)
        .collect();
    on_tx!(tx, conn, d => {
        let failed = |e: sqlx::Error| store_error(d::BACKEND, "write reservations", &e);
        let at = d::ts(now)?;
        for chunk in new.chunks(d::MAX_PARAMETERS / 8) {
            let mut query = QueryBuilder::new(
                "INSERT INTO reservations (correlation_id, status, reason, created_at, \
                 updated_at, source_topic, source_partition, source_offset) ",
            );
            query.push_values(chunk, |mut b, (id, state)| {
                let source = state.source.as_ref();
                b.push_bind(id.as_str())
                    .push_bind(state.status.as_str())
                    .push_bind(state.reason.clone())
                    .push_bind(at.clone())
                    .push_bind(at.clone())
                    .push_bind(source.map_or("", |s| s.topic.as_str()))
                    .push_bind(source.map_or(0, |s| s.partition))
                    .push_bind(source.map_or(0, |s| s.offset));
            });
            query.build().execute(&mut **conn).await.map_err(failed)?;
        }
        let items: Vec<(&String, &String, i64)> = new
            .iter()
            .flat_map(|(id, state)| {
                state
                    .items
                    .iter()
                    .map(move |(sku, units)| (*id, sku, i64::try_from(*units).unwrap_or(i64::MAX)))
            })
            .collect();
        for chunk in items.chunks(d::MAX_PARAMETERS / 3) {
            let mut query =
                QueryBuilder::new("INSERT INTO reservation_items (correlation_id, sku, units) ");
            query.push_values(chunk, |mut b, (id, sku, units)| {
                b.push_bind(id.as_str()).push_bind(sku.as_str()).push_bind(*units);
            });
            query.build().execute(&mut **conn).await.map_err(failed)?;
        }
        for chunk in updated.chunks(d::MAX_PARAMETERS / 4) {
            let mut query = QueryBuilder::new("WITH changed (id, status, reason, at) AS (");
            query.push_values(chunk, |mut b, (id, state)| {
                b.push_bind(id.as_str())
                    .push_bind(state.status.as_str())
                    .push_bind(state.reason.clone())
                    .push_bind(at.clone());
            });
            query.push(
                ") UPDATE reservations SET status = changed.status, reason = changed.reason, \
                 updated_at = changed.at FROM changed \
                 WHERE reservations.correlation_id = changed.id",
            );
            query.build().execute(&mut **conn).await.map_err(failed)?;
        }
        Ok(())
    })
}

async fn write_held(
    tx: &mut Tx,
    held: &BTreeMap<String, Vec<Held>>,
    before: &BTreeSet<(String, EventKind)>,
    after: &BTreeSet<(String, EventKind)>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let gone: Vec<&(String, EventKind)> = before.difference(after).collect();
    let new: Vec<(&String, &Held)> = held
        .iter()
        .flat_map(|(id, list)| list.iter().map(move |h| (id, h)))
        .filter(|(id, h)| !before.contains(&((*id).clone(), h.kind)))
        .collect();
    on_tx!(tx, conn, d => {
        let failed = |e: sqlx::Error| store_error(d::BACKEND, "write held events", &e);
        for (id, kind) in gone {
            sqlx::query("DELETE FROM held_events WHERE correlation_id = $1 AND event_type = $2")
                .bind(id.as_str())
                .bind(kind.as_str())
                .execute(&mut **conn)
                .await
                .map_err(failed)?;
        }
        let at = d::ts(now)?;
        for chunk in new.chunks(d::MAX_PARAMETERS / 5) {
            let mut query = QueryBuilder::new(
                "INSERT INTO held_events (correlation_id, event_type, event, trace, received_at) ",
            );
            query.push_values(chunk, |mut b, (id, h)| {
                b.push_bind(id.as_str())
                    .push_bind(h.kind.as_str())
                    .push_bind(h.event.as_str())
                    .push_bind(headers_json(&h.trace))
                    .push_bind(at.clone());
            });
            query.build().execute(&mut **conn).await.map_err(failed)?;
        }
        Ok(())
    })
}
