//! `orders dash`: the whole pipeline live in a terminal, or one snapshot of it with
//! `--once [--json]`.
//!
//! About once a second it reads what the services already expose (`/readyz`,
//! `/metrics`, `/stats`) and what Kafka knows (each group's committed offsets, the log
//! ends, the newest dead letter), and shows per service its state, work and errors per
//! second with a minute of history; per group the lag by partition, its trend and the
//! time to drain it; the gateway's latency and answers; the dead-letter topics; and the
//! newest events as `orders tail` prints them. It adds nothing to the services' hot path
//! and never joins a consumer group. What it watches is a [`Targets`] value, so `orders
//! up --dash` and a pipeline with more services reuse it through [`run_over`].

mod board;
mod collect;
mod events;
mod prometheus;
mod targets;
mod terminal;
mod ui;
mod view;

pub use prometheus::Selector;
pub use targets::{GroupSpec, Groups, ServiceSpec, Source, Targets};

use crate::cli::{
    DEFAULT_GATEWAY_URL, InventoryOptions, KafkaArgs, NotificationGroup, PaymentGroup, ServiceUrls,
};
use crate::duration::parse_duration;
use crate::shutdown;
use board::Board;
use clap::Args;
use collect::Collector;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use view::{Action, View};

#[derive(Debug, Clone, Args)]
pub struct DashArgs {
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// The gateway's base URL.
    #[arg(long, env = "ORDERS_GATEWAY_URL", default_value = DEFAULT_GATEWAY_URL)]
    pub gateway: String,
    #[command(flatten)]
    pub services: ServiceUrls,
    /// The order-service's consumer group, then any other group whose lag on
    /// order_created is shown (repeatable: an audit consumer, a service of your own).
    #[arg(long = "group", value_name = "GROUP", env = "KAFKA_GROUP_ID", default_values_t = [String::from("order-service-group")])]
    pub groups: Vec<String>,
    #[command(flatten)]
    pub inventory_group: InventoryOptions,
    #[command(flatten)]
    pub payment_group: PaymentGroup,
    #[command(flatten)]
    pub notification_group: NotificationGroup,
    /// How often everything is read again.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub interval: Duration,
    /// How long one read may take before what it reads counts as down for that round.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Print one snapshot and exit (two readings --interval apart, for the rates).
    #[arg(long)]
    pub once: bool,
    /// With --once: the snapshot as one JSON document.
    #[arg(long, requires = "once")]
    pub json: bool,
}

pub async fn run(args: DashArgs) -> anyhow::Result<ExitCode> {
    let kafka = args.kafka.config("orders-dash");
    let (orders_group, others) = args
        .groups
        .split_first()
        .map_or(("order-service-group", &[][..]), |(first, rest)| {
            (first.as_str(), rest)
        });
    let groups = Groups {
        orders: orders_group.to_owned(),
        inventory: args.inventory_group.inventory_group.clone(),
        payment: args.payment_group.payment_group.clone(),
        notification: args.notification_group.notification_group.clone(),
    };
    let mut targets = Targets::pipeline(
        kafka,
        &args.gateway,
        &args.services,
        &args.kafka.topics(),
        &groups,
    );
    // Beside the order-service's group on order_created, which comes first.
    let at = 1.min(targets.groups.len());
    targets.groups.splice(
        at..at,
        others.iter().map(|group| GroupSpec {
            topic: args.kafka.topic.clone(),
            group: group.clone(),
        }),
    );
    targets.interval = args.interval;
    targets.timeout = args.timeout;
    if args.once {
        once(targets, args.json).await?;
    } else {
        if !std::io::stdout().is_terminal() {
            anyhow::bail!(
                "orders dash draws on a terminal and stdout is not one; \
                 use --once (or --once --json) for a snapshot"
            );
        }
        run_over(targets).await?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Two readings `interval` apart, printed as the screen would show them or as JSON.
async fn once(targets: Targets, json: bool) -> anyhow::Result<()> {
    let mut collector = Collector::new(targets.clone())?;
    let mut board = Board::new(&targets);
    board.update(collector.sample().await);
    tokio::time::sleep(targets.interval).await;
    board.update(collector.sample().await);
    if json {
        println!("{}", serde_json::to_string_pretty(&board.document())?);
        return Ok(());
    }
    let width = ratatui::crossterm::terminal::size()
        .ok()
        .filter(|_| std::io::stdout().is_terminal())
        .map_or(100, |(w, _)| w.max(40));
    let area = Rect::new(0, 0, width, ui::height_for(&board));
    let mut buffer = Buffer::empty(area);
    ui::render(area, &mut buffer, &board, &mut View::new(), false);
    print!("{}", plain_text(&buffer));
    Ok(())
}

/// The buffer's characters, line by line, without trailing blanks.
fn plain_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            if let Some(cell) = buffer.cell((x, y)) {
                line.push_str(cell.symbol());
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The live dashboard over `targets`, until the person at the terminal quits (`q`,
/// Ctrl-C) or the process gets SIGTERM. The terminal is restored however it ends.
/// `orders up --dash` calls this with [`Targets::pipeline`] of the stack it started.
pub async fn run_over(targets: Targets) -> anyhow::Result<()> {
    let stop = CancellationToken::new();
    let _stop_on_return = stop.clone().drop_guard();
    let signal = shutdown::on_signal();
    let mut screen = terminal::Screen::enter()?;
    let mut input = terminal::input(stop.clone());
    let mut events = events::follow(
        &targets.kafka,
        &targets.event_topics,
        targets.timeout,
        stop.clone(),
    );
    let mut samples = collect_every(&targets, stop.clone())?;
    let (traced, mut traces) = mpsc::channel::<(String, Vec<String>)>(4);

    let mut board = Board::new(&targets);
    let mut view = View::new();
    // Redrawn at once after a key, otherwise at most every REDRAW: a burst of events or
    // a round of readings is one redraw.
    const REDRAW: Duration = Duration::from_millis(100);
    let mut redraw = tokio::time::interval(REDRAW);
    redraw.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_draw: Option<tokio::time::Instant> = None;
    let mut dirty = true;
    let mut now = true;
    loop {
        if !terminal::active() {
            anyhow::bail!("the dashboard stopped: a part of it panicked (see above)");
        }
        if dirty && (now || last_draw.is_none_or(|t| t.elapsed() >= REDRAW)) {
            screen.terminal.draw(|frame| {
                let area = frame.area();
                ui::render(area, frame.buffer_mut(), &board, &mut view, true);
            })?;
            last_draw = Some(tokio::time::Instant::now());
            dirty = false;
            now = false;
        }
        tokio::select! {
            () = signal.cancelled() => break,
            Some(input) = input.recv() => {
                if let terminal::Input::Key(key) = input {
                    match view.handle(key) {
                        Action::Quit => break,
                        Action::Trace(id) => {
                            view.show_trace(&id, vec!["running orders trace…".into()]);
                            spawn_trace(&targets, id, traced.clone());
                        }
                        Action::None => {}
                    }
                }
                dirty = true;
                now = true;
            }
            sample = samples.recv() => {
                let Some(sample) = sample else {
                    anyhow::bail!("the dashboard's readings stopped (see above)");
                };
                board.update(sample);
                dirty = true;
            }
            Some(event) = events.recv() => {
                view.push_event(event);
                while let Ok(event) = events.try_recv() {
                    view.push_event(event);
                }
                dirty = true;
            }
            Some((id, lines)) = traces.recv() => {
                if view.popup.as_ref().is_some_and(|p| p.title.ends_with(&id)) {
                    view.show_trace(&id, lines);
                }
                dirty = true;
                now = true;
            }
            _ = redraw.tick(), if dirty => {}
        }
    }
    drop(screen);
    Ok(())
}

/// Reads a round every `interval` on a task of its own, so a slow broker never freezes
/// the keys.
fn collect_every(
    targets: &Targets,
    stop: CancellationToken,
) -> anyhow::Result<mpsc::Receiver<collect::Sample>> {
    let mut collector = Collector::new(targets.clone())?;
    let interval = targets.interval;
    let (sender, receiver) = mpsc::channel(2);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = tick.tick() => {}
            }
            let sample = tokio::select! {
                () = stop.cancelled() => return,
                sample = collector.sample() => sample,
            };
            if sender.send(sample).await.is_err() {
                return;
            }
        }
    });
    Ok(receiver)
}

/// Runs `orders trace ID` (this same binary) and sends back what it printed.
fn spawn_trace(targets: &Targets, id: String, done: mpsc::Sender<(String, Vec<String>)>) {
    let mut args = vec![
        "trace".to_owned(),
        id.clone(),
        "--brokers".to_owned(),
        targets.kafka.brokers.clone(),
    ];
    args.extend(targets.trace_args.iter().cloned());
    for (key, value) in &targets.kafka.options {
        args.push("-X".to_owned());
        args.push(format!("{key}={value}"));
    }
    tokio::spawn(async move {
        let lines = match std::env::current_exe() {
            Err(error) => vec![format!("cannot find the orders binary: {error}")],
            Ok(exe) => {
                let output = tokio::process::Command::new(exe)
                    .args(&args)
                    .env("RUST_LOG", "error")
                    .env("NO_COLOR", "1")
                    .kill_on_drop(true)
                    .output();
                match tokio::time::timeout(Duration::from_secs(30), output).await {
                    Err(_) => vec!["orders trace did not finish within 30 s".into()],
                    Ok(Err(error)) => vec![format!("cannot run orders trace: {error}")],
                    Ok(Ok(output)) => String::from_utf8_lossy(&output.stdout)
                        .lines()
                        .chain(String::from_utf8_lossy(&output.stderr).lines())
                        .map(str::to_owned)
                        .collect(),
                }
            }
        };
        let _ = done.send((id, lines)).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `orders up --dash` runs the dashboard next to the services: its future must be
    /// one a runtime can spawn.
    #[test]
    fn the_dashboard_can_be_spawned_on_a_runtime() {
        fn spawnable<F: std::future::Future + Send + 'static>(_: &F) {}
        spawnable(&run_over(board::tests::targets()));
    }
}
