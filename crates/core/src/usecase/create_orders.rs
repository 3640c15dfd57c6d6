//! CreateOrders: keep the orders of a batch of `order_created` events as `pending`.
//!
//! The order-service hands over a batch at a time because one transaction per batch is
//! what makes draining a backlog fast; the store makes it idempotent by correlation id,
//! so a batch that is redelivered after a crash creates nothing twice.

use crate::event::OrderCreated;
use crate::ports::{EventPosition, Inserted, NewOrder, OrderStore, StoreError};
use chrono::{SubsecRound, Utc};
use std::sync::Arc;

/// Persists validated events as pending orders.
#[derive(Debug, Clone)]
pub struct CreateOrders {
    store: Arc<dyn OrderStore>,
}

impl CreateOrders {
    pub fn new(store: Arc<dyn OrderStore>) -> Self {
        Self { store }
    }

    /// The store's database product (`sqlite`, `postgresql`), for spans and metrics.
    pub fn store_system(&self) -> &'static str {
        self.store.system()
    }

    /// Persists every event of the batch in one transaction, stamped with one
    /// persisted-at time.
    pub async fn execute(
        &self,
        events: impl IntoIterator<Item = (OrderCreated, Option<EventPosition>)>,
    ) -> Result<Inserted, StoreError> {
        // Microseconds: what both stores keep, so the stamp is the one read back.
        let persisted_at = Utc::now().trunc_subsecs(6);
        let orders: Vec<NewOrder> = events
            .into_iter()
            .map(|(event, source)| NewOrder {
                event,
                source,
                persisted_at,
            })
            .collect();
        if orders.is_empty() {
            return Ok(Inserted::default());
        }
        self.store.insert(&orders).await
    }
}
