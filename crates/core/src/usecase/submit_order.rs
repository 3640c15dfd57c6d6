//! SubmitOrder: turn a validated request into an `order_created` event and publish it.

use crate::event::OrderCreated;
use crate::order::{CorrelationId, OrderRequest};
use crate::ports::{OrderPublisher, PublishError, Published};
use chrono::Utc;
use std::sync::Arc;

/// Publishes one order and reports where the broker put it.
#[derive(Debug, Clone)]
pub struct SubmitOrder {
    publisher: Arc<dyn OrderPublisher>,
}

/// A submitted order: the exact event that was published, and its place in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    pub event: OrderCreated,
    pub published: Published,
}

impl SubmitOrder {
    pub fn new(publisher: Arc<dyn OrderPublisher>) -> Self {
        Self { publisher }
    }

    pub async fn execute(
        &self,
        correlation_id: CorrelationId,
        request: OrderRequest,
    ) -> Result<Submitted, PublishError> {
        let event = OrderCreated::new(correlation_id, request, Utc::now());
        let published = self.publisher.publish(&event).await?;
        Ok(Submitted { event, published })
    }
}
