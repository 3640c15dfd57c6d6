//! `orders submit`: one order through the gateway, the way a client would send it.
//!
//! The gateway does the validating: `submit` only builds the body, so what it shows on a
//! 400 is exactly what any client would get. `--wait` then follows the order through the
//! saga until it is confirmed or rejected, and shows each step with its time.

use crate::cli::{
    DEFAULT_ADMIN_URL, DEFAULT_GATEWAY_URL, DEFAULT_INVENTORY_URL, DEFAULT_PAYMENT_URL,
};
use crate::client::{self, Admin, Gateway, Inventory, Payments};
use crate::duration::parse_duration;
use chrono::{DateTime, Utc};
use clap::Args;
use orders_core::api::{Payment, Reservation, ReservationStatus};
use orders_core::{Order, OrderStatus};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use uuid::Uuid;

#[derive(Debug, Clone, Args)]
pub struct SubmitArgs {
    /// The customer's id [default: a new random UUID].
    #[arg(long, value_name = "UUID", value_parser = parse_customer)]
    pub customer: Option<Uuid>,
    /// An item as SKU:QUANTITY (repeat for more items), e.g. --sku SKU-1:2.
    #[arg(long = "sku", value_name = "SKU:QTY", required = true, value_parser = parse_item)]
    pub items: Vec<(String, u64)>,
    /// The order's total [default: the number of units, i.e. 1 per unit].
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub total: Option<f64>,
    /// Send this x-correlation-id (retrying with the same id never makes two orders).
    #[arg(long, value_name = "ID")]
    pub correlation_id: Option<String>,
    /// The gateway's base URL.
    #[arg(long, env = "ORDERS_GATEWAY_URL", default_value = DEFAULT_GATEWAY_URL)]
    pub gateway: String,
    /// The order-service admin's base URL (for --wait).
    #[arg(long, env = "ORDERS_ADMIN_URL", default_value = DEFAULT_ADMIN_URL)]
    pub admin: String,
    /// The inventory-service admin's base URL (for --wait's reservation step).
    #[arg(long, env = "ORDERS_INVENTORY_URL", default_value = DEFAULT_INVENTORY_URL)]
    pub inventory: String,
    /// The payment-service admin's base URL (for --wait's payment step).
    #[arg(long, env = "ORDERS_PAYMENT_URL", default_value = DEFAULT_PAYMENT_URL)]
    pub payment: String,
    /// Print the gateway's JSON answer (with --wait, plus the final order as "order", its
    /// "reservation" and its "payment" when the services have them).
    #[arg(long)]
    pub json: bool,
    /// Wait until the order reaches its final state (confirmed or rejected) and show each
    /// step with its time; exits 3 when it is still pending at --wait-timeout.
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub wait_timeout: Duration,
    /// How long the gateway may take to answer.
    #[arg(long, default_value = "15s", value_parser = parse_duration)]
    pub timeout: Duration,
}

fn parse_customer(s: &str) -> Result<Uuid, String> {
    Uuid::parse_str(s.trim()).map_err(|_| {
        format!("expected a UUID such as 06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf, got {s:?}")
    })
}

/// `SKU-1:2` → (`SKU-1`, 2). The SKU may itself contain colons; the quantity is what
/// follows the last one.
fn parse_item(s: &str) -> Result<(String, u64), String> {
    let usage = || format!("expected SKU:QUANTITY such as SKU-1:2, got {s:?}");
    let (sku, quantity) = s.rsplit_once(':').ok_or_else(usage)?;
    let quantity: u64 = quantity.trim().parse().map_err(|_| usage())?;
    if sku.is_empty() {
        return Err(usage());
    }
    Ok((sku.to_owned(), quantity))
}

pub async fn run(args: SubmitArgs) -> anyhow::Result<ExitCode> {
    let units: u64 = args.items.iter().map(|(_, q)| q).sum();
    let body = json!({
        "customerId": args.customer.unwrap_or_else(Uuid::new_v4),
        "items": args.items.iter().map(|(sku, quantity)| json!({"sku": sku, "quantity": quantity})).collect::<Vec<_>>(),
        "totalAmount": args.total.map_or_else(|| json!(units), |t| json!(t)),
    });
    let gateway = Gateway::new(client::http_client(args.timeout)?, &args.gateway);
    let accepted = gateway
        .submit(&body, args.correlation_id.as_deref())
        .await?;
    let correlation_id = accepted.correlation_id.as_str();
    if !args.json {
        println!(
            "accepted   {correlation_id}  partition {}  offset {}",
            accepted.partition, accepted.offset
        );
    }

    if !args.wait {
        if args.json {
            println!("{}", serde_json::to_value(&accepted)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let http = client::http_client(args.timeout)?;
    let admin = Admin::new(http.clone(), &args.admin);
    let waited = wait_until_final(&admin, correlation_id, args.wait_timeout).await?;
    let order = match &waited {
        Waited::Final(order) | Waited::Pending(Some(order)) => Some(order),
        Waited::Pending(None) => None,
    };
    // The other services' view, when they can be asked: what they did and when.
    let reservation = Inventory::new(http.clone(), &args.inventory)
        .reservation(correlation_id)
        .await
        .ok()
        .flatten();
    let payment = Payments::new(http, &args.payment)
        .payment(correlation_id)
        .await
        .ok()
        .flatten();
    if args.json {
        let mut document = serde_json::to_value(&accepted)?;
        if let Value::Object(fields) = &mut document {
            fields.insert("order".into(), serde_json::to_value(order)?);
            fields.insert("reservation".into(), serde_json::to_value(&reservation)?);
            fields.insert("payment".into(), serde_json::to_value(&payment)?);
        }
        println!("{document}");
    } else {
        let steps = Steps {
            accepted_at: accepted.event.created_at,
            order,
            reservation: reservation.as_ref(),
            payment: payment.as_ref(),
        };
        print!("{}", steps.lines());
    }
    match waited {
        Waited::Final(_) => Ok(ExitCode::SUCCESS),
        Waited::Pending(order) => {
            let why = if order.is_some() {
                "it is still pending: is the inventory-service (or the payment-service) running?"
            } else {
                "the order-service does not have it yet: is it running?"
            };
            eprintln!(
                "order {correlation_id} did not reach a final state within {:?}: {why}",
                args.wait_timeout
            );
            Ok(ExitCode::from(PENDING))
        }
    }
}

/// The exit code of `--wait` when the order is not final in time.
pub const PENDING: u8 = 3;

/// What waiting for an order found.
#[derive(Debug)]
pub enum Waited {
    Final(Order),
    /// The deadline came first: the order as it was then, if the order-service had it.
    Pending(Option<Order>),
}

/// Polls the order-service until the order is final, or until `timeout`. Failures to ask
/// (the order-service restarting) are waited out too; only the last one is reported.
pub async fn wait_until_final(
    admin: &Admin,
    correlation_id: &str,
    timeout: Duration,
) -> anyhow::Result<Waited> {
    let deadline = Instant::now() + timeout;
    let mut last = None;
    loop {
        let error = match admin.order(correlation_id).await {
            Ok(Some(order)) if order.status.is_final() => return Ok(Waited::Final(order)),
            Ok(order) => {
                last = order;
                None
            }
            Err(error) => Some(error),
        };
        if Instant::now() >= deadline {
            return match (error, last) {
                (Some(error), None) => Err(error.context(format!(
                    "order {correlation_id} could not be followed within {timeout:?}"
                ))),
                (_, last) => Ok(Waited::Pending(last)),
            };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The steps of one order, each with its time after the gateway accepted it.
struct Steps<'a> {
    accepted_at: DateTime<Utc>,
    order: Option<&'a Order>,
    reservation: Option<&'a Reservation>,
    payment: Option<&'a Payment>,
}

impl Steps<'_> {
    fn lines(&self) -> String {
        let since = |t: DateTime<Utc>| {
            let ms = (t - self.accepted_at).num_microseconds().unwrap_or(0) as f64 / 1e3;
            format!("+{ms:.1} ms")
        };
        let mut out = String::new();
        let mut line = |step: &str, detail: String, at: Option<DateTime<Utc>>| {
            let at = at.map(since).unwrap_or_default();
            out.push_str(&format!("{step:<10} {detail:<60} {at}\n"));
        };
        let Some(order) = self.order else {
            return out;
        };
        let pending = order.history.iter().find(|t| t.to == OrderStatus::Pending);
        line(
            "pending",
            "the order-service has the order".into(),
            pending.map(|t| t.at),
        );
        if let Some(reservation) = self.reservation {
            let detail = match reservation.status {
                ReservationStatus::Rejected => format!(
                    "the inventory refused it: {}",
                    reservation.reason.as_deref().unwrap_or("")
                ),
                _ => format!("{} held by the inventory", units(reservation)),
            };
            let step = match reservation.status {
                ReservationStatus::Rejected => "refused",
                _ => "reserved",
            };
            line(step, detail, Some(reservation.created_at));
        }
        if let Some(payment) = self.payment {
            match &payment.payment_id {
                Some(id) => line(
                    "paid",
                    format!("{} charged, payment {id}", payment.amount),
                    Some(payment.created_at),
                ),
                None => line(
                    "declined",
                    format!(
                        "the payment provider said {}",
                        payment.reason.as_deref().unwrap_or("no")
                    ),
                    Some(payment.created_at),
                ),
            }
        }
        if let Some(reservation) = self
            .reservation
            .filter(|r| r.status == ReservationStatus::Released)
        {
            line(
                "released",
                format!("{} back in stock", units(reservation)),
                Some(reservation.updated_at),
            );
        }
        if let Some(decided) = order.history.iter().find(|t| t.to.is_final()) {
            let detail = match &decided.reason {
                Some(reason) => reason.clone(),
                None => format!("after {}", decided.event),
            };
            line(decided.to.as_str(), detail, Some(decided.at));
        }
        out
    }
}

/// `SKU-1×2 SKU-2×1`.
fn units(reservation: &Reservation) -> String {
    let parts: Vec<String> = reservation
        .items
        .iter()
        .map(|(sku, n)| format!("{sku}×{n}"))
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_sku_colon_quantity() {
        assert_eq!(parse_item("SKU-1:2"), Ok(("SKU-1".into(), 2)));
        assert_eq!(parse_item("ns:SKU:10"), Ok(("ns:SKU".into(), 10)));
        for bad in ["SKU-1", ":2", "SKU-1:", "SKU-1:two", "SKU-1:-1"] {
            assert!(
                parse_item(bad).unwrap_err().contains("SKU:QUANTITY"),
                "{bad}"
            );
        }
    }
}
