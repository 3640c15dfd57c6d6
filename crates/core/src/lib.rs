//! The order domain of the pipeline, and nothing that talks to the outside world.
//!
//! Gateway and order-service share this crate so that they cannot disagree: the same
//! validation rules run on an HTTP body and on a Kafka record, and the `order_created`
//! event has exactly one definition of its JSON (and of its JSON Schema,
//! [`event::JSON_SCHEMA`]). The HTTP bodies the services and their clients exchange are
//! in [`api`]. Transport and storage live behind the ports in [`ports`]; this crate
//! compiles without tokio, rdkafka, sqlx or axum.

pub mod api;
pub mod event;
pub mod order;
pub mod ports;
pub mod saga;
pub mod time;
pub mod usecase;
pub mod validation;

pub use event::{EventError, OrderCreated};
pub use order::{Amount, CorrelationId, Order, OrderItem, OrderRequest, OrderStatus, Transition};
pub use ports::{
    Conflict, EventPosition, FinalTopics, Inserted, NewOrder, OrderEvent, OrderEventsApplied,
    OrderPublisher, OrderStore, Outbox, OutgoingEvent, PublishError, Published, QueuedEvent,
    StoreError,
};
pub use usecase::{CreateOrders, SubmitOrder, Submitted};
pub use validation::{Violation, Violations};
