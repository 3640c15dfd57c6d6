//! `orders completions SHELL`: the completion script, generated from the command line's
//! own definition (the copies under `completions/` are checked against it by a test).

use crate::cli::{Cli, CompletionsArgs};
use clap::CommandFactory;
use std::process::ExitCode;

pub(crate) fn run(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "orders",
        &mut std::io::stdout(),
    );
    Ok(ExitCode::SUCCESS)
}
