//! The API gateway: `POST /orders` in, `order_created` out.
//!
//! It validates the body with the core's rules, takes the client's `x-correlation-id`
//! (or makes one), publishes the event and answers 202 only once the broker has
//! acknowledged it, so a 202 is a promise that the order will be processed. It never
//! waits for the order-service. The publisher is a port: the binary passes Kafka, tests
//! of the HTTP surface may pass anything.

mod auth;
mod health;
pub mod openapi;
mod orders;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodFilter, MethodRouter, on};
use orders_core::{OrderPublisher, SubmitOrder};
use orders_http::{Credentials, Draining, HttpListener, RateLimit, ServeOptions};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tower_http::timeout::TimeoutLayer;

/// How the gateway behaves; plain data, filled by the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayConfig {
    /// Largest accepted body; larger ones get 413 before they are read to the end.
    pub max_body_bytes: usize,
    /// Longest a request may take, body upload included; past it the client gets 408.
    /// Keep it above the publisher's delivery timeout, so a slow broker is a 503.
    pub request_timeout: Duration,
    pub serve: ServeOptions,
    /// The API keys `POST /orders` requires; `None` takes every request.
    pub api_keys: Option<Credentials>,
    /// Requests per client before `429`; `None` for no limit.
    pub rate_limit: Option<RateLimit>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(10),
            serve: ServeOptions::default(),
            api_keys: None,
            rate_limit: None,
        }
    }
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct Gateway {
    submit: SubmitOrder,
    publisher: Arc<dyn OrderPublisher>,
    readiness: Arc<health::Readiness>,
    draining: Draining,
    max_body_bytes: usize,
}

impl Gateway {
    pub fn new(publisher: Arc<dyn OrderPublisher>) -> Self {
        Self {
            submit: SubmitOrder::new(publisher.clone()),
            publisher,
            readiness: Arc::default(),
            draining: Draining::default(),
            max_body_bytes: GatewayConfig::default().max_body_bytes,
        }
    }
}

/// One route the gateway serves.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
}

/// The gateway's own routes and their handlers: [`router`] is built from this table, and
/// [`routes`] lists it, so that what is served and what is documented are compared from
/// one list.
fn table() -> [(Route, MethodRouter<Gateway>); 4] {
    [
        entry(Method::POST, "/orders", orders::submit),
        entry(Method::GET, "/healthz", health::healthz),
        entry(Method::GET, "/readyz", health::readyz),
        entry(Method::GET, "/openapi.json", openapi::serve),
    ]
}

fn entry<H, T>(method: Method, path: &'static str, handler: H) -> (Route, MethodRouter<Gateway>)
where
    H: Handler<T, Gateway>,
    T: 'static,
{
    let filter =
        MethodFilter::try_from(method.clone()).expect("the route table uses standard methods only");
    (Route { method, path }, on(filter, handler))
}

/// Every route [`router`] serves: the table's, and `GET /metrics`, which
/// `orders_http::observe` adds.
pub fn routes() -> Vec<Route> {
    let mut routes: Vec<Route> = table().into_iter().map(|(route, _)| route).collect();
    routes.push(Route {
        method: Method::GET,
        path: orders_http::METRICS_PATH,
    });
    routes.sort();
    routes
}

/// The gateway's routes, ready to serve or to test in-process.
pub fn router(mut gateway: Gateway, config: &GatewayConfig) -> Router {
    gateway.max_body_bytes = config.max_body_bytes;
    let mut routes = Router::new();
    for (route, handler) in table() {
        routes = routes.route(route.path, handler);
    }
    let routes = routes
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .with_state(gateway);
    let routes = auth::secure(routes, config);
    orders_http::observe(routes, "gateway")
}

/// Serves the gateway on `listener` until `shutdown` completes, then drains in-flight
/// requests. The caller flushes its publisher afterwards.
pub async fn run(
    listener: impl Into<HttpListener>,
    publisher: Arc<dyn OrderPublisher>,
    config: GatewayConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let gateway = Gateway::new(publisher);
    let draining = gateway.draining.clone();
    let app = router(gateway, &config);
    let listener = listener.into();
    if let Ok(address) = axum::serve::Listener::local_addr(&listener) {
        let scheme = listener.scheme();
        let api_keys = config.api_keys.is_some();
        let rate_limit = config.rate_limit.map(|r| r.to_string());
        tracing::info!(%address, scheme, api_keys, rate_limit, "gateway listening");
    }
    orders_http::serve(listener, app, draining, config.serve, shutdown).await
}
