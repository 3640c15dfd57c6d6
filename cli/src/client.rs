//! Typed HTTP clients of the services, for the commands that drive them (`submit`,
//! `trace`, `bench`, `stock`, `customers`, `notifications`): the bodies are `orders_core::api`'s, the ones the services
//! write.
//!
//! Correlation ids are any visible ASCII (`ext/123`, `q?x=1`, `a#b`, `.`), so every one
//! that goes into a URL goes in percent-encoded: as a path segment to the order-service
//! (which is asked by `POST /lookup` for `.` and `..`), as `?correlationId=` to the
//! inventory- and payment-service.

use anyhow::{Context, anyhow};
use orders_core::Order;
use orders_core::api::{
    Accepted, Customer, CustomerList, ErrorBody, LookupRequest, Notification, NotificationList,
    NotificationState, OrderList, Payment, Reservation, SetCustomer, StockLevel, StockList,
};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// One line that says what a service answered: its status, its error and every detail.
pub fn describe_failure(service: &str, status: StatusCode, body: &[u8]) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) if parsed.details.is_empty() => {
            format!("{service} answered {status}: {}", parsed.error)
        }
        Ok(parsed) => {
            let details: Vec<String> = parsed
                .details
                .iter()
                .map(|d| {
                    if d.path.is_empty() {
                        d.message.clone()
                    } else {
                        format!("{} {}", d.path, d.message)
                    }
                })
                .collect();
            format!(
                "{service} answered {status}: {} ({})",
                parsed.error,
                details.join("; ")
            )
        }
        Err(_) => format!(
            "{service} answered {status}: {}",
            String::from_utf8_lossy(body).trim()
        ),
    }
}

pub fn http_client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    crate::security::client_builder(reqwest::Client::builder())?
        .timeout(timeout)
        .build()
        .context("cannot build the HTTP client")
}

/// What went wrong reaching a service, with a hint when nothing listens there.
pub fn unreachable(service: &str, url: &str, error: &reqwest::Error) -> anyhow::Error {
    let hint = if error.is_connect() {
        " (is it running? `orders up` starts the whole stack)"
    } else if error.is_timeout() {
        " (timed out)"
    } else {
        ""
    };
    anyhow!(
        "cannot reach the {service} at {url}: {}{hint}",
        root_cause(error)
    )
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// `segment` percent-encoded for a URL path: everything but RFC 3986's unreserved
/// characters is escaped, so `/`, `?`, `#` and `%` in an id stay part of it.
pub fn path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Sends `request` and reads the whole answer, naming `service` at `base` when it
/// cannot be reached.
async fn send(
    service: &str,
    base: &str,
    request: reqwest::RequestBuilder,
) -> anyhow::Result<(StatusCode, bytes::Bytes)> {
    let failed = |e: reqwest::Error| unreachable(service, base, &e);
    // The admin token is for the services' admin ports, never for the gateway.
    let request = if service == "gateway" {
        request
    } else {
        crate::security::with_admin_token(request)
    };
    let response = request.send().await.map_err(failed)?;
    let status = response.status();
    Ok((status, response.bytes().await.map_err(failed)?))
}

/// Sends `request` for one `what` that may not exist yet: `None` on a 404.
async fn get_optional<T: DeserializeOwned>(
    service: &str,
    what: &str,
    base: &str,
    request: reqwest::RequestBuilder,
) -> anyhow::Result<Option<T>> {
    let (status, body) = send(service, base, request).await?;
    match status {
        StatusCode::OK => parse(service, what, &body).map(Some),
        StatusCode::NOT_FOUND => Ok(None),
        _ => Err(anyhow!(describe_failure(
            &format!("the {service}"),
            status,
            &body
        ))),
    }
}

fn parse<T: DeserializeOwned>(service: &str, what: &str, body: &[u8]) -> anyhow::Result<T> {
    serde_json::from_slice(body)
        .with_context(|| format!("the {service}'s {what} is not what the API defines"))
}

/// The gateway's API.
#[derive(Debug, Clone)]
pub struct Gateway {
    http: reqwest::Client,
    base: String,
}

impl Gateway {
    pub fn new(http: reqwest::Client, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// `POST /orders` with `body` as it is (the gateway does the validating), under
    /// `correlation_id` when given; the 202 answer, or the gateway's refusal as an error.
    pub async fn submit(
        &self,
        body: &serde_json::Value,
        correlation_id: Option<&str>,
    ) -> anyhow::Result<Accepted> {
        let mut request = self.http.post(format!("{}/orders", self.base)).json(body);
        if let Some(id) = correlation_id {
            request = request.header("x-correlation-id", id);
        }
        let (status, body) = send("gateway", &self.base, request).await?;
        if status != StatusCode::ACCEPTED {
            return Err(anyhow!(describe_failure("the gateway", status, &body)));
        }
        parse("gateway", "202 answer", &body)
    }
}

/// The order-service's admin API.
#[derive(Debug, Clone)]
pub struct Admin {
    http: reqwest::Client,
    base: String,
}

impl Admin {
    pub fn new(http: reqwest::Client, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The order with this correlation id, `None` while the order-service has not
    /// persisted it.
    pub async fn order(&self, correlation_id: &str) -> anyhow::Result<Option<Order>> {
        // URLs cannot carry `.` or `..` as a segment, even escaped (`%2E` is a dot to
        // every URL parser): ask for those two by lookup.
        if matches!(correlation_id, "." | "..") {
            let mut orders = self.lookup(&[correlation_id.to_owned()]).await?;
            return Ok((!orders.is_empty()).then(|| orders.swap_remove(0)));
        }
        let url = format!("{}/orders/{}", self.base, path_segment(correlation_id));
        get_optional("order-service", "order", &self.base, self.http.get(&url)).await
    }

    /// Every stored row for these ids (see `POST /lookup`), as `T`: [`Order`], or JSON.
    pub async fn lookup<T: DeserializeOwned>(
        &self,
        correlation_ids: &[String],
    ) -> anyhow::Result<Vec<T>> {
        let ids = correlation_ids
            .iter()
            .map(|id| orders_core::CorrelationId::parse(id))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow!("cannot look up {e}"))?;
        let request = self
            .http
            .post(format!("{}/lookup", self.base))
            .json(&LookupRequest {
                correlation_ids: ids,
            });
        let (status, body) = send("order-service", &self.base, request).await?;
        if status != StatusCode::OK {
            return Err(anyhow!(describe_failure(
                "the order-service",
                status,
                &body
            )));
        }
        let list: OrderList<T> = parse("order-service", "lookup", &body)?;
        Ok(list.orders)
    }
}

/// The inventory-service's admin API.
#[derive(Debug, Clone)]
pub struct Inventory {
    http: reqwest::Client,
    base: String,
}

impl Inventory {
    pub fn new(http: reqwest::Client, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The stock, SKU by SKU.
    pub async fn stock(&self) -> anyhow::Result<Vec<StockLevel>> {
        let request = self.http.get(format!("{}/stock", self.base));
        let (status, body) = send("inventory-service", &self.base, request).await?;
        if status != StatusCode::OK {
            return Err(anyhow!(describe_failure(
                "the inventory-service",
                status,
                &body
            )));
        }
        let list: StockList = parse("inventory-service", "stock", &body)?;
        Ok(list.stock)
    }

    /// Sets the units available of each SKU; the stock afterwards.
    pub async fn set_stock(&self, levels: &[(String, u64)]) -> anyhow::Result<Vec<StockLevel>> {
        let body: std::collections::BTreeMap<&str, u64> =
            levels.iter().map(|(sku, n)| (sku.as_str(), *n)).collect();
        let request = self.http.put(format!("{}/stock", self.base)).json(&body);
        let (status, body) = send("inventory-service", &self.base, request).await?;
        if status != StatusCode::OK {
            return Err(anyhow!(describe_failure(
                "the inventory-service",
                status,
                &body
            )));
        }
        let list: StockList = parse("inventory-service", "stock", &body)?;
        Ok(list.stock)
    }

    /// The order's reservation, `None` while the inventory has not seen the order.
    pub async fn reservation(&self, correlation_id: &str) -> anyhow::Result<Option<Reservation>> {
        let request = self
            .http
            .get(format!("{}/reservations", self.base))
            .query(&[("correlationId", correlation_id)]);
        get_optional("inventory-service", "reservation", &self.base, request).await
    }
}

/// The payment-service's admin API.
#[derive(Debug, Clone)]
pub struct Payments {
    http: reqwest::Client,
    base: String,
}

impl Payments {
    pub fn new(http: reqwest::Client, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The order's payment, `None` while it has none.
    pub async fn payment(&self, correlation_id: &str) -> anyhow::Result<Option<Payment>> {
        let request = self
            .http
            .get(format!("{}/payments", self.base))
            .query(&[("correlationId", correlation_id)]);
        get_optional("payment-service", "payment", &self.base, request).await
    }
}

/// The notification-service's admin API.
#[derive(Debug, Clone)]
pub struct Notifications {
    http: reqwest::Client,
    base: String,
}

impl Notifications {
    pub fn new(http: reqwest::Client, base: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The newest notifications first (of one order, in one state, when given), and the
    /// count in each state.
    pub async fn list(
        &self,
        correlation_id: Option<&str>,
        state: Option<NotificationState>,
        limit: u32,
    ) -> anyhow::Result<NotificationList> {
        let mut query: Vec<(&str, String)> = vec![("limit", limit.to_string())];
        if let Some(id) = correlation_id {
            query.push(("correlationId", id.to_owned()));
        }
        if let Some(state) = state {
            query.push(("state", state.as_str().to_owned()));
        }
        let request = self
            .http
            .get(format!("{}/notifications", self.base))
            .query(&query);
        let (status, body) = send("notification-service", &self.base, request).await?;
        if status != StatusCode::OK {
            return Err(anyhow!(describe_failure(
                "the notification-service",
                status,
                &body
            )));
        }
        parse("notification-service", "notification list", &body)
    }

    /// The notifications of one order, one per outcome and channel (empty while the
    /// order has none): what `orders trace` shows as the notification step.
    pub async fn of_order(&self, correlation_id: &str) -> anyhow::Result<Vec<Notification>> {
        Ok(self
            .list(Some(correlation_id), None, 100)
            .await?
            .notifications)
    }

    /// The customer directory.
    pub async fn customers(&self) -> anyhow::Result<Vec<Customer>> {
        let request = self.http.get(format!("{}/customers", self.base));
        let (status, body) = send("notification-service", &self.base, request).await?;
        if status != StatusCode::OK {
            return Err(anyhow!(describe_failure(
                "the notification-service",
                status,
                &body
            )));
        }
        let list: CustomerList = parse("notification-service", "customer list", &body)?;
        Ok(list.customers)
    }

    /// Sets a customer's entry; the entry as stored.
    pub async fn set_customer(
        &self,
        customer_id: &str,
        entry: &SetCustomer,
    ) -> anyhow::Result<Customer> {
        let url = format!("{}/customers/{}", self.base, path_segment(customer_id));
        let (status, body) = send(
            "notification-service",
            &self.base,
            self.http.put(url).json(entry),
        )
        .await?;
        if status != StatusCode::OK {
            return Err(anyhow!(describe_failure(
                "the notification-service",
                status,
                &body
            )));
        }
        parse("notification-service", "customer", &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_read_as_one_line_with_every_detail() {
        let body = br#"{"error":"the order is invalid","details":[{"path":"/items/0/quantity","message":"must be greater than 0"},{"path":"/totalAmount","message":"is required"}]}"#;
        assert_eq!(
            describe_failure("the gateway", StatusCode::BAD_REQUEST, body),
            "the gateway answered 400 Bad Request: the order is invalid (/items/0/quantity must be \
             greater than 0; /totalAmount is required)"
        );
        assert_eq!(
            describe_failure("the gateway", StatusCode::BAD_GATEWAY, b"upstream down\n"),
            "the gateway answered 502 Bad Gateway: upstream down"
        );
    }

    #[test]
    fn ids_become_one_path_segment() {
        assert_eq!(path_segment("c-1.x_y~z"), "c-1.x_y~z");
        assert_eq!(path_segment("ext/123"), "ext%2F123");
        assert_eq!(path_segment("q?x=1"), "q%3Fx%3D1");
        assert_eq!(path_segment("a#b%41"), "a%23b%2541");
    }
}
