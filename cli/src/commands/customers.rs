//! `orders customers` and `orders customers set ID --email ADDRESS [--webhook]`: the
//! notification-service's customer directory (who gets an email, who opted in to the
//! webhook), read and set over its admin HTTP. An order carries only a customer id, so
//! this is where its address comes from.

use crate::cli::DEFAULT_NOTIFICATION_URL;
use crate::client::{self, Notifications};
use crate::duration::parse_duration;
use clap::{Args, Subcommand};
use comfy_table::Table;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use orders_core::api::{Customer, SetCustomer};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CustomersArgs {
    #[command(subcommand)]
    pub set: Option<CustomersCommand>,
    /// One JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub service: NotificationUrl,
}

#[derive(Debug, Clone, Subcommand)]
pub enum CustomersCommand {
    /// Set a customer's entry, all of it: without --email the customer has no address
    /// (their email notifications are skipped, with that reason).
    Set(SetArgs),
}

#[derive(Debug, Clone, Args)]
pub struct SetArgs {
    /// The customer id (a UUID, as orders carry it).
    #[arg(value_name = "CUSTOMER_ID")]
    pub customer_id: String,
    /// Where the customer's email notifications go.
    #[arg(long, value_name = "ADDRESS")]
    pub email: Option<String>,
    /// The customer opts in to the webhook (what serve-notification --webhook-opt-in
    /// asks for).
    #[arg(long)]
    pub webhook: bool,
    /// One JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub service: NotificationUrl,
}

/// Where the notification-service's admin HTTP is.
#[derive(Debug, Clone, Args)]
pub struct NotificationUrl {
    /// The notification-service admin's base URL.
    #[arg(long = "notification", env = "ORDERS_NOTIFICATION_URL", default_value = DEFAULT_NOTIFICATION_URL)]
    pub url: String,
    /// How long the notification-service may take to answer.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
}

impl NotificationUrl {
    pub fn client(&self) -> anyhow::Result<Notifications> {
        Ok(Notifications::new(
            client::http_client(self.timeout)?,
            &self.url,
        ))
    }
}

pub async fn run(args: CustomersArgs) -> anyhow::Result<ExitCode> {
    let (customers, json) = match args.set {
        Some(CustomersCommand::Set(set)) => {
            let entry = SetCustomer {
                email: set.email.clone(),
                webhook: set.webhook,
            };
            let customer = set
                .service
                .client()?
                .set_customer(&set.customer_id, &entry)
                .await?;
            (vec![customer], set.json)
        }
        None => (args.service.client()?.customers().await?, args.json),
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "customers": customers }))?
        );
    } else {
        print!("{}", table(&customers));
    }
    Ok(ExitCode::SUCCESS)
}

/// `customer │ email │ webhook │ updated`.
fn table(customers: &[Customer]) -> String {
    if customers.is_empty() {
        return "the directory is empty: `orders customers set ID --email ADDRESS` adds a \
                customer\n"
            .to_owned();
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(["customer", "email", "webhook", "updated"]);
    for c in customers {
        table.add_row([
            c.customer_id.clone(),
            c.email.clone().unwrap_or_else(|| "-".into()),
            if c.webhook { "opted in" } else { "-" }.to_owned(),
            orders_core::time::millis(c.updated_at),
        ]);
    }
    format!("{table}\n{} customers\n", customers.len())
}
