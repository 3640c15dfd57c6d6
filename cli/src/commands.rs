//! One module per subcommand; each returns the exit code it wants.

pub mod bench;
mod completions;
pub mod customers;
pub mod dash;
pub mod db;
pub mod dlq;
pub mod healthcheck;
pub mod lag;
pub mod notifications;
pub mod schema;
pub mod serve;
pub mod stock;
pub mod submit;
pub mod tail;
mod topics;
pub mod trace;
mod up;

use crate::cli::{Command, TopicsCommand};
use std::process::ExitCode;

pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Up(args) => up::run(*args).await,
        Command::ServeGateway(args) => serve::gateway(args).await,
        Command::ServeConsumer(args) => serve::consumer(args).await,
        Command::ServeInventory(args) => serve::inventory(args).await,
        Command::ServePayment(args) => serve::payment(args).await,
        Command::ServeNotification(args) => serve::notification(*args).await,
        Command::Customers(args) => customers::run(args).await,
        Command::Notifications(args) => notifications::run(args).await,
        Command::Stock(args) => stock::run(args).await,
        Command::Submit(args) => submit::run(args).await,
        Command::Tail(args) => tail::run(args).await,
        Command::Trace(args) => trace::run(args).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Dash(args) => dash::run(args).await,
        Command::Dlq(command) => dlq::run(command).await,
        Command::Topics(TopicsCommand::Create(args)) => topics::create(args).await,
        Command::Lag(args) => lag::run(args).await,
        Command::Db(command) => db::run(command).await,
        Command::Schema(command) => schema::run(command).await,
        Command::Healthcheck(args) => healthcheck::run(args).await,
        Command::Completions(args) => completions::run(&args),
    }
}
