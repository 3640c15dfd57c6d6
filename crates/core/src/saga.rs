//! The order saga: what happens to an order after the gateway accepted it, decided
//! without IO.
//!
//! ```text
//! gateway ──order_created──> inventory ──inventory_reserved──> payment
//!    (order-service too:       │                                 ├─payment_completed─> inventory (reservation final)
//!     order -> pending)        │                                 │                     order-service -> confirmed
//!                              │                                 └─payment_failed────> inventory (release)
//!                              │                                                       order-service -> rejected
//!                              └─inventory_rejected──> order-service -> rejected
//! order-service, on a final state ──order_confirmed | order_rejected──> notification
//! ```
//!
//! The saga is choreographed: no service tells another what to do, each reacts to the
//! events it consumes and publishes its own. [`events`] is the contract of every event
//! after `order_created`; [`inventory`], [`payment`] and [`lifecycle`] are the decisions of
//! the three services, pure so that each rule is tested without a broker or a database.

pub mod events;
pub mod inventory;
pub mod lifecycle;
pub mod payment;

pub use events::{
    EventKind, InventoryRejected, InventoryReleased, InventoryReserved, OrderConfirmed,
    OrderRejected, PaymentCompleted, PaymentFailed, RejectReason, SagaEvent, Shortage, Stage,
};
