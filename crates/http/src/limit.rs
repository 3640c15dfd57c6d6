//! A per-client rate limit: each client may send N requests a second (or a minute), in
//! bursts of up to one period's worth; past that it is answered `429 Too Many Requests` with
//! `Retry-After`, before any work is done for it.
//!
//! A client is its API key when the service has keys (several processes behind one
//! address are one customer; one customer on many addresses is still one), else its
//! address. Probes and scrapers are not limited. The algorithm is GCRA (a token bucket
//! that keeps one instant per client), so each check is a map look-up under a lock.

use crate::ApiError;
use crate::auth::{ClientKey, OPEN_PATHS};
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Requests a client may send per period (`N/s`, `N/m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    count: u32,
    period: Duration,
}

impl RateLimit {
    /// Parses `N/s` (or `N/m`, per minute), N a positive whole number.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (count, unit) = text
            .trim()
            .split_once('/')
            .ok_or_else(|| format!("expected N/s or N/m, got {text:?}"))?;
        let count: u32 = count
            .trim()
            .parse()
            .map_err(|_| format!("expected a whole number before '/', got {count:?}"))?;
        let period = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            other => return Err(format!("expected /s or /m, got /{other}")),
        };
        if count == 0 {
            return Err(format!("the rate must be positive, got {text:?}"));
        }
        Ok(Self { count, period })
    }

    pub fn per_second(self) -> f64 {
        f64::from(self.count) / self.period.as_secs_f64()
    }

    /// Time between two requests at the limit.
    fn interval(self) -> Duration {
        self.period / self.count
    }

    /// How far ahead of its schedule a client may run: a whole period's worth of
    /// requests at once.
    fn tolerance(self) -> Duration {
        self.interval() * (self.count - 1)
    }
}

impl std::fmt::Display for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = if self.period.as_secs() == 60 {
            "m"
        } else {
            "s"
        };
        write!(f, "{}/{unit}", self.count)
    }
}

/// Which client a request is, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Client {
    Key(usize),
    Address(IpAddr),
    Unknown,
}

#[derive(Debug)]
struct Limiter {
    limit: RateLimit,
    /// Each client's theoretical arrival time: when it would next be on schedule.
    schedule: Mutex<HashMap<Client, Instant>>,
}

/// Most clients remembered before the ones back on schedule are forgotten.
const REMEMBERED: usize = 10_000;

impl Limiter {
    /// `None` when the request may go, else how long until it may.
    fn check(&self, client: Client, now: Instant) -> Option<Duration> {
        let mut schedule = self.schedule.lock().unwrap_or_else(|p| p.into_inner());
        if schedule.len() >= REMEMBERED {
            schedule.retain(|_, at| *at > now);
        }
        let due = schedule.get(&client).copied().unwrap_or(now).max(now);
        let ahead = due - now;
        let tolerance = self.limit.tolerance();
        if ahead > tolerance {
            return Some(ahead - tolerance);
        }
        schedule.insert(client, due + self.limit.interval());
        None
    }
}

/// `router` with every route but [`OPEN_PATHS`] limited to `limit` per client; the
/// router unchanged without a limit.
pub fn rate_limit(router: Router, limit: Option<RateLimit>) -> Router {
    match limit {
        None => router,
        Some(limit) => router.layer(middleware::from_fn_with_state(
            Arc::new(Limiter {
                limit,
                schedule: Mutex::new(HashMap::new()),
            }),
            limited,
        )),
    }
}

/// The peer's address, as the server saw the connection (see [`crate::serve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub SocketAddr);

async fn limited(State(limiter): State<Arc<Limiter>>, request: Request, next: Next) -> Response {
    if OPEN_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let client = match (
        request.extensions().get::<ClientKey>(),
        request.extensions().get::<ConnectInfo<Peer>>(),
    ) {
        (Some(key), _) => Client::Key(key.0),
        (None, Some(ConnectInfo(peer))) => Client::Address(peer.0.ip()),
        (None, None) => Client::Unknown,
    };
    match limiter.check(client, Instant::now()) {
        None => next.run(request).await,
        Some(wait) => {
            let seconds = u32::try_from(wait.as_secs())
                .unwrap_or(u32::MAX)
                .saturating_add(1);
            let mut error = ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "rate limit exceeded ({} per client); retry after {seconds} s",
                    limiter.limit
                ),
            );
            error.retry_after = Some(seconds);
            error.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_per_second_or_minute() {
        assert_eq!(RateLimit::parse("5/s").map(RateLimit::per_second), Ok(5.0));
        assert_eq!(
            RateLimit::parse("120/m").map(RateLimit::per_second),
            Ok(2.0)
        );
        assert!(RateLimit::parse("5").is_err());
        assert!(RateLimit::parse("0/s").is_err());
        assert!(RateLimit::parse("x/s").is_err());
        assert!(RateLimit::parse("5/h").is_err());
    }

    #[test]
    fn a_client_gets_a_burst_of_one_second_then_the_rate() {
        let limiter = Limiter {
            limit: RateLimit::parse("4/s").expect("valid"),
            schedule: Mutex::new(HashMap::new()),
        };
        let start = Instant::now();
        let client = Client::Key(0);
        for _ in 0..4 {
            assert_eq!(limiter.check(client, start), None);
        }
        let wait = limiter.check(client, start).expect("the fifth is refused");
        assert!(wait <= Duration::from_millis(250), "{wait:?}");
        assert_eq!(limiter.check(Client::Key(1), start), None, "others are not");
        assert_eq!(limiter.check(client, start + wait), None);
    }
}
