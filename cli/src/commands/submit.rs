//! `orders submit`: one order through the gateway, the way a client would send it.
//!
//! The gateway does the validating: `submit` only builds the body, so what it shows on a
//! 400 is exactly what any client would get. `--wait` then polls the order-service until
//! the order is persisted.

use crate::cli::{DEFAULT_ADMIN_URL, DEFAULT_GATEWAY_URL};
use crate::client::{self, Admin, Gateway};
use crate::duration::parse_duration;
use anyhow::bail;
use clap::Args;
use orders_core::Order;
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
    /// Print the gateway's JSON answer (with --wait, plus the persisted order as "order").
    #[arg(long)]
    pub json: bool,
    /// Wait until the order-service has persisted the order.
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

    let order = if args.wait {
        let admin = Admin::new(client::http_client(args.timeout)?, &args.admin);
        let order = wait_until_persisted(&admin, correlation_id, args.wait_timeout).await?;
        if !args.json {
            println!(
                "persisted  {correlation_id}  status {}  at {}",
                order.status,
                orders_core::time::micros(order.persisted_at),
            );
        }
        Some(order)
    } else {
        None
    };
    if args.json {
        let mut document = serde_json::to_value(&accepted)?;
        if let (Some(order), Value::Object(fields)) = (order, &mut document) {
            fields.insert("order".into(), serde_json::to_value(order)?);
        }
        println!("{document}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Polls the order-service until it has the order, or fails at the deadline.
pub async fn wait_until_persisted(
    admin: &Admin,
    correlation_id: &str,
    timeout: Duration,
) -> anyhow::Result<Order> {
    let deadline = Instant::now() + timeout;
    loop {
        let last_error = match admin.order(correlation_id).await {
            Ok(Some(order)) => return Ok(order),
            Ok(None) => None,
            // The order-service may be restarting: keep asking until the deadline.
            Err(error) => Some(error),
        };
        if Instant::now() >= deadline {
            let why = last_error.map_or_else(
                || "it is still unknown to the order-service".to_owned(),
                |e| format!("{e:#}"),
            );
            bail!("order {correlation_id} was not persisted within {timeout:?}: {why}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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
