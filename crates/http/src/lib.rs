//! The HTTP plumbing that the gateway and the order-service's admin port share, so that
//! both shut down, fail and log the same way.

mod error;
mod serve;

pub use error::{ApiError, CORRELATION_ID};
pub use serve::{Draining, ServeOptions, serve};
