//! `orders healthcheck [URL]`: the container image's health check.
//!
//! The image is distroless, with no shell, curl or wget, so Docker's `HEALTHCHECK` and
//! compose's `healthcheck` run the binary itself: it GETs one URL and exits 0 on a 2xx
//! answer, 1 on anything else, as Docker expects.

use crate::duration::parse_duration;
use clap::Args;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// The URL to GET (the gateway's /healthz or /readyz, the order-service's admin port).
    #[arg(
        env = "HEALTHCHECK_URL",
        default_value = "http://127.0.0.1:3000/healthz"
    )]
    pub url: String,
    /// Longest wait for the answer.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub timeout: Duration,
}

pub async fn run(args: HealthcheckArgs) -> anyhow::Result<ExitCode> {
    // No proxy: a container's HTTP_PROXY must not take a check of its own port elsewhere.
    let http = crate::security::client_builder(reqwest::Client::builder())?
        .timeout(args.timeout)
        .no_proxy()
        .build()?;
    match http.get(&args.url).send().await {
        Ok(response) if response.status().is_success() => {
            println!("healthy    {} answered {}", args.url, response.status());
            Ok(ExitCode::SUCCESS)
        }
        Ok(response) => {
            println!("unhealthy  {} answered {}", args.url, response.status());
            Ok(ExitCode::FAILURE)
        }
        Err(error) => {
            println!("unhealthy  {}: {:#}", args.url, anyhow::Error::new(error));
            Ok(ExitCode::FAILURE)
        }
    }
}
