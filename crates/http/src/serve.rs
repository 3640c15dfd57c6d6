//! Serving a router until told to stop, then draining within a bound.
//!
//! The caller owns the listener and the shutdown signal (production passes ctrl-c and
//! SIGTERM, tests bind port 0 and pass any future). On shutdown the service first says
//! it is not ready (so a load balancer stops sending), waits `drain_delay`, stops
//! accepting, and gives in-flight requests `shutdown_timeout` to finish.
//!
//! The listener may speak HTTPS ([`HttpListener`]); each request carries its peer's
//! address ([`Peer`], for the per-client rate limit).

use crate::limit::Peer;
use crate::listen::HttpListener;
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Set once shutdown has begun; readiness probes answer 503 from then on.
#[derive(Debug, Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    pub fn start(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// How a service winds down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// Time between "not ready" and closing the listener.
    pub drain_delay: Duration,
    /// Longest wait for in-flight requests once the listener is closed.
    pub shutdown_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            drain_delay: Duration::ZERO,
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then drains.
pub async fn serve(
    listener: impl Into<HttpListener>,
    router: Router,
    draining: Draining,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        draining.start();
        tracing::info!("shutting down: not ready, draining in-flight requests");
        tokio::time::sleep(options.drain_delay).await;
        let _ = closed_tx.send(());
    };
    let server = axum::serve(
        listener.into(),
        router.into_make_service_with_connect_info::<Peer>(),
    )
    .with_graceful_shutdown(signal);
    let deadline = async move {
        // Only counts from the moment the listener closes; a dropped sender means the
        // server ended first, and then this branch must never win.
        match closed_rx.await {
            Ok(()) => tokio::time::sleep(options.shutdown_timeout).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        served = server => served,
        () = deadline => {
            tracing::warn!(
                timeout_ms = options.shutdown_timeout.as_millis() as u64,
                "in-flight requests did not finish in time; closing them"
            );
            Ok(())
        }
    }
}
