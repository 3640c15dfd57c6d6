//! The HTTP plumbing that the gateway and the order-service's admin port share, so that
//! both shut down, fail, log, trace and count requests the same way, and are secured
//! the same way (secrets, rate limit, HTTPS).

pub mod auth;
mod error;
pub mod limit;
mod listen;
mod observe;
mod serve;

pub use auth::{Credentials, Scheme};
pub use error::{ApiError, CORRELATION_ID};
pub use limit::{Peer, RateLimit};
pub use listen::{HttpListener, HttpStream, ServerTls, TlsError};
pub use observe::{METRICS_PATH, observe};
pub use serve::{Draining, ServeOptions, serve};
