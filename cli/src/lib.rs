//! The `orders` application: wiring only. It parses the command line, sets up logs and
//! traces, runs the command, and turns any failure into one line on stderr and a non-zero exit.
//! The work is done by the service crates; this crate is a library too so that its
//! tests can reach the command line's definition (completions) and its pure helpers.

pub mod cli;
pub mod client;
pub mod commands;
pub mod duration;
mod logging;
pub mod security;
mod shutdown;

use clap::Parser;
use std::process::ExitCode;

/// Runs `orders` with the process's arguments.
pub fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Dropped last, after the runtime: it flushes the spans not yet exported.
    let _telemetry = match logging::init(cli.log.log_format, &cli.command) {
        Ok(telemetry) => telemetry,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let code = match runtime.block_on(commands::run(cli.command)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    };
    // A blocking client call still running (a commit to a broker that went away) would
    // hold a plain drop of the runtime for as long as it takes; the command is done.
    runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
    code
}

/// How long the runtime waits for blocking calls still running when a command is done.
const RUNTIME_SHUTDOWN: std::time::Duration = std::time::Duration::from_secs(1);
