//! `orders db migrate`: brings the orders database's schema up to this binary's version
//! ahead of a deployment, so that order-service instances start against a ready schema
//! (they migrate at start-up too; doing it first keeps a failing migration out of the
//! services' start).
//!
//! A database migrated by a newer `orders` is refused with the store's message and a
//! non-zero exit: an older binary writing into a newer schema could lose orders.

use anyhow::Context;
use clap::{Args, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply the migrations the database lacks; print them and the schema version.
    Migrate(DbMigrateArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DbMigrateArgs {
    /// The orders database: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "DATABASE_URL",
        hide_env_values = true,
        default_value = "sqlite://orders.db"
    )]
    pub database_url: String,
}

pub async fn run(command: DbCommand) -> anyhow::Result<ExitCode> {
    match command {
        DbCommand::Migrate(args) => migrate(&args).await,
    }
}

async fn migrate(args: &DbMigrateArgs) -> anyhow::Result<ExitCode> {
    let report = orders_store::migrate(&args.database_url)
        .await
        .context("cannot migrate the orders database")?;
    for migration in &report.applied {
        println!("applied {} {}", migration.version, migration.description);
    }
    if report.applied.is_empty() {
        println!("already up to date");
    }
    println!("{} schema at version {}", report.backend, report.current);
    Ok(ExitCode::SUCCESS)
}
