//! `orders bench`: load through the gateway, measured the way a performance engineer
//! would trust: warm-up excluded, HDR percentiles, an open-loop mode free of coordinated
//! omission, and with `--e2e` an account of every accepted order in the database;
//! `--report` draws the run as one HTML page and `--baseline` compares it with an
//! earlier `--json` result, failing past `--max-regression`.

mod baseline;
mod e2e;
mod html;
mod load;
mod report;
mod timeline;
mod workload;

use crate::cli::{DEFAULT_ADMIN_URL, DEFAULT_GATEWAY_URL};
use crate::client::{self, Admin};
use crate::duration::parse_duration;
use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use load::Plan;
use report::{Percentiles, Summary};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use workload::Workload;

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Orders to send (after the warm-up).
    #[arg(
        short = 'n',
        long,
        value_name = "N",
        value_parser = at_least_one,
        conflicts_with = "duration",
        required_unless_present = "duration"
    )]
    pub requests: Option<u64>,
    /// Send for this long instead of a fixed number (e.g. 30s).
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Requests in flight at once.
    #[arg(short = 'c', long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub concurrency: u32,
    /// Open loop: start this many orders per second whatever the answers take; latency
    /// counts from each order's scheduled time.
    #[arg(long, value_name = "PER_SECOND")]
    pub rate: Option<f64>,
    /// Orders sent first and left out of the figures.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub warmup: u64,
    /// The gateway's base URL.
    #[arg(long, env = "ORDERS_GATEWAY_URL", default_value = DEFAULT_GATEWAY_URL)]
    pub gateway: String,
    /// Seed of the random (valid) orders; the same seed sends the same orders.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// After the load, wait until every accepted order is persisted and account for it.
    #[arg(long)]
    pub e2e: bool,
    /// The order-service admin's base URL (for --e2e).
    #[arg(long, env = "ORDERS_ADMIN_URL", default_value = DEFAULT_ADMIN_URL)]
    pub admin: String,
    /// How long --e2e waits for the backlog to be persisted (and, when the saga runs, for
    /// every order to be confirmed or rejected).
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub e2e_timeout: Duration,
    /// Print one JSON summary on stdout instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Fail when the request p99 exceeds this many milliseconds.
    #[arg(long, value_name = "MS")]
    pub max_p99: Option<f64>,
    /// Fail when more than this fraction of requests fail (0 to 1).
    #[arg(long, value_name = "FRACTION")]
    pub max_error_rate: Option<f64>,
    /// Longest one request may take before it counts as a transport error.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Also write the run as one self-contained HTML page: throughput and latency over
    /// time, the latency distribution, with --e2e the persisted latency and backlog over
    /// time, errors by kind, parameters and summary (and the --baseline comparison).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Compare with an earlier `orders bench --json` result: print (and chart) the
    /// difference of throughput and latency percentiles.
    #[arg(long, value_name = "PREVIOUS.json")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: fail when throughput, request p50/p90/p99 or (both runs with
    /// --e2e) accepted-to-persisted p50/p99 is worse than the baseline's by more than
    /// this many percent.
    #[arg(long, value_name = "PCT", requires = "baseline")]
    pub max_regression: Option<f64>,
}

fn at_least_one(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err("send at least 1 order".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("expected a whole number of orders, got {s:?}")),
    }
}

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    if let Some(rate) = args.rate
        && !(rate.is_finite() && rate > 0.0)
    {
        bail!("--rate must be a positive number of orders per second, got {rate}");
    }
    if let Some(fraction) = args.max_error_rate
        && !(0.0..=1.0).contains(&fraction)
    {
        bail!("--max-error-rate must be between 0 and 1, got {fraction}");
    }
    if let Some(pct) = args.max_regression
        && !(pct.is_finite() && pct >= 0.0)
    {
        bail!("--max-regression must be a percentage of 0 or more, got {pct}");
    }
    // Read before the load, so that a wrong path fails at once, not after the run.
    let previous = args.baseline.as_deref().map(baseline::load).transpose()?;
    let concurrency = args.concurrency as usize;
    let http = crate::security::client_builder(reqwest::Client::builder())?
        .timeout(args.timeout)
        .pool_max_idle_per_host(concurrency)
        .tcp_nodelay(true)
        .http1_only()
        .build()
        .context("cannot build the HTTP client")?;
    let gateway = args.gateway.trim_end_matches('/').to_owned();
    preflight(&http, &gateway).await?;

    let total = args.requests.map(|n| n + args.warmup);
    let progress = progress_bar(total, args.json);
    let plan = Plan {
        requests: args.requests,
        duration: args.duration,
        concurrency,
        rate: args.rate,
        warmup: args.warmup,
    };
    let target = load::Gateway::parse(&gateway).map_err(anyhow::Error::msg)?;
    let outcome = load::run_on_own_thread(
        target,
        args.timeout,
        Workload::new(args.seed),
        plan,
        progress.clone(),
    )
    .await?;
    progress.finish_and_clear();

    let mut timings = None;
    let e2e = if args.e2e {
        let progress = progress_bar(Some(outcome.ledger.len() as u64), args.json);
        progress.set_message("persisted");
        let admin = Admin::new(http, &args.admin);
        let persistence = e2e::account(
            &admin,
            &outcome.ledger,
            outcome.ended_at,
            args.e2e_timeout,
            &progress,
        )
        .await;
        progress.finish_and_clear();
        let summary = Summary::e2e(&persistence);
        timings = Some(persistence.timings);
        Some(summary)
    } else {
        None
    };

    let (error_rate, throughput) = Summary::counts(&outcome);
    let mut summary = Summary {
        version: 1,
        gateway,
        mode: if args.rate.is_some() {
            "open"
        } else {
            "closed"
        },
        requests: args.requests,
        duration_seconds: args.duration.map(|d| d.as_secs_f64()),
        concurrency,
        rate: args.rate,
        warmup: args.warmup,
        seed: args.seed,
        sent: outcome.sent,
        accepted: outcome.accepted,
        client_errors: outcome.client_errors,
        server_errors: outcome.server_errors,
        transport_errors: outcome.transport_errors,
        error_rate,
        elapsed_seconds: outcome.elapsed.as_secs_f64(),
        throughput,
        latency_ms: Percentiles::of(&outcome.latency),
        e2e,
        errors: outcome.errors.clone(),
        failures: Vec::new(),
        baseline: None,
    };
    summary.failures = failures(&summary, &args);
    if let (Some(previous), Some(path)) = (&previous, &args.baseline) {
        let comparison = baseline::Comparison::new(
            previous,
            &summary,
            &path.display().to_string(),
            args.max_regression,
        );
        summary.failures.extend(comparison.failures());
        summary.baseline = Some(comparison);
    }

    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!("{}", summary.tables());
        for error in &summary.errors {
            println!("error answer: {error}");
        }
        if let Some(comparison) = &summary.baseline {
            println!("{}", comparison.table());
        }
    }
    if let Some(path) = &args.report {
        let page = html::render(&html::Inputs {
            summary: &summary,
            timeline: &outcome.timeline,
            latency: &outcome.latency,
            started_at: outcome.started_at,
            ended_at: outcome.ended_at,
            ledger: &outcome.ledger,
            e2e: timings.as_deref(),
        })?;
        std::fs::write(path, page)
            .with_context(|| format!("cannot write the report {}", path.display()))?;
        eprintln!("report written to {}", path.display());
    }
    for failure in &summary.failures {
        eprintln!("FAILED: {failure}");
    }
    Ok(if summary.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Why the run fails its checks.
fn failures(summary: &Summary, args: &BenchArgs) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(e2e) = &summary.e2e {
        if e2e.missing > 0 {
            let why = e2e
                .lookup_error
                .as_ref()
                .map(|e| format!("; last lookup failed: {e}"))
                .unwrap_or_default();
            failures.push(format!(
                "{} accepted orders were never seen persisted (e.g. {}){why}",
                e2e.missing,
                e2e.missing_sample.join(", ")
            ));
        }
        if e2e.duplicated > 0 {
            failures.push(format!(
                "{} accepted orders were persisted more than once",
                e2e.duplicated
            ));
        }
        if let Some(saga) = e2e.saga.as_ref().filter(|s| s.pending > 0) {
            failures.push(format!(
                "{} accepted orders never reached a final state (e.g. {})",
                saga.pending,
                saga.pending_sample.join(", ")
            ));
        }
    }
    if let Some(max) = args.max_p99
        && summary.latency_ms.p99 > max
    {
        failures.push(format!(
            "p99 {:.2} ms exceeds --max-p99 {max} ms",
            summary.latency_ms.p99
        ));
    }
    if let Some(max) = args.max_error_rate
        && summary.error_rate > max
    {
        failures.push(format!(
            "error rate {:.4} exceeds --max-error-rate {max}",
            summary.error_rate
        ));
    }
    failures
}

/// Fails early, with one clear line, when nothing answers at the gateway's address.
async fn preflight(http: &reqwest::Client, gateway: &str) -> anyhow::Result<()> {
    let url = format!("{gateway}/healthz");
    let response = http
        .get(&url)
        .send()
        .await
        .map_err(|e| client::unreachable("gateway", gateway, &e))?;
    if !response.status().is_success() {
        bail!(
            "the gateway at {gateway} is not healthy: GET /healthz answered {}",
            response.status()
        );
    }
    Ok(())
}

fn progress_bar(total: Option<u64>, hidden: bool) -> ProgressBar {
    let bar = match total {
        Some(total) => ProgressBar::new(total),
        None => ProgressBar::no_length(),
    };
    let template = match total {
        Some(_) => "{bar:30} {pos}/{len} {per_sec:>12} {elapsed:>4} {msg}",
        None => "{spinner} {pos} sent {per_sec:>12} {elapsed:>4} {msg}",
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    if hidden {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}
