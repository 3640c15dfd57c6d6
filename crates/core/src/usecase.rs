//! The two things the pipeline does, independent of HTTP and Kafka: the gateway submits
//! an order, the order-service creates it.

mod create_orders;
mod submit_order;

pub use create_orders::CreateOrders;
pub use submit_order::{SubmitOrder, Submitted};
