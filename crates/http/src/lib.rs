//! The HTTP plumbing that the gateway and the order-service's admin port share, so that
//! both shut down, fail, log, trace and count requests the same way.

mod error;
mod observe;
mod serve;

pub use error::{ApiError, CORRELATION_ID};
pub use observe::{METRICS_PATH, observe};
pub use serve::{Draining, ServeOptions, serve};
