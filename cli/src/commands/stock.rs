//! `orders stock` and `orders stock set SKU=UNITS …`: the stock the inventory-service
//! holds, read and set over its admin HTTP.

use crate::cli::{DEFAULT_INVENTORY_URL, parse_stock};
use crate::client::{self, Inventory};
use crate::duration::parse_duration;
use clap::{Args, Subcommand};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use orders_core::api::StockLevel;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct StockArgs {
    #[command(subcommand)]
    pub set: Option<StockCommand>,
    /// One JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub inventory: InventoryUrl,
}

#[derive(Debug, Clone, Subcommand)]
pub enum StockCommand {
    /// Set the units available of each SKU (SKUs the inventory does not know are added;
    /// units held by reservations in flight are not touched).
    Set(SetArgs),
}

#[derive(Debug, Clone, Args)]
pub struct SetArgs {
    /// SKU=UNITS, e.g. SKU-1=100 SKU-2=5.
    #[arg(required = true, value_name = "SKU=UNITS", value_parser = parse_stock)]
    pub levels: Vec<(String, u64)>,
    /// One JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub inventory: InventoryUrl,
}

#[derive(Debug, Clone, Args)]
pub struct InventoryUrl {
    /// The inventory-service admin's base URL.
    #[arg(long = "inventory", env = "ORDERS_INVENTORY_URL", default_value = DEFAULT_INVENTORY_URL)]
    pub url: String,
    /// How long the inventory-service may take to answer.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
}

impl InventoryUrl {
    fn client(&self) -> anyhow::Result<Inventory> {
        Ok(Inventory::new(
            client::http_client(self.timeout)?,
            &self.url,
        ))
    }
}

pub async fn run(args: StockArgs) -> anyhow::Result<ExitCode> {
    let (stock, json) = match args.set {
        Some(StockCommand::Set(set)) => (
            set.inventory.client()?.set_stock(&set.levels).await?,
            set.json,
        ),
        None => (args.inventory.client()?.stock().await?, args.json),
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "stock": stock }))?
        );
    } else {
        print!("{}", table(&stock));
    }
    Ok(ExitCode::SUCCESS)
}

/// `sku │ available │ reserved │ sold`, then the totals.
fn table(stock: &[StockLevel]) -> String {
    if stock.is_empty() {
        return "the inventory holds no stock yet: `orders stock set SKU-1=100` adds some\n"
            .to_owned();
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(["sku", "available", "reserved", "sold"]);
    for level in stock {
        table.add_row([
            level.sku.clone(),
            level.available.to_string(),
            level.reserved.to_string(),
            level.sold.to_string(),
        ]);
    }
    for i in 1..=3 {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    let sum = |f: fn(&StockLevel) -> u64| stock.iter().map(f).sum::<u64>();
    format!(
        "{table}\n{} SKUs: {} available, {} reserved, {} sold\n",
        stock.len(),
        sum(|l| l.available),
        sum(|l| l.reserved),
        sum(|l| l.sold)
    )
}
