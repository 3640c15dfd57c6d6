//! `orders notifications [--correlation-id ID] [--state S] [--json]`: what the
//! notification-service recorded, newest first: each order's notification per channel,
//! its state (pending, sent, failed, skipped), attempts and why one did not go out.

use crate::commands::customers::NotificationUrl;
use clap::Args;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use orders_core::api::{Notification, NotificationList, NotificationState};
use std::process::ExitCode;

#[derive(Debug, Clone, Args)]
pub struct NotificationsArgs {
    /// Only the notifications of this order.
    #[arg(long, value_name = "ID")]
    pub correlation_id: Option<String>,
    /// Only notifications in this state.
    #[arg(long, value_parser = parse_state)]
    pub state: Option<NotificationState>,
    /// The most notifications to show.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,
    /// One JSON document (the admin HTTP's answer) instead of the table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub service: NotificationUrl,
}

fn parse_state(s: &str) -> Result<NotificationState, String> {
    NotificationState::parse(s)
        .ok_or_else(|| format!("expected pending, sent, failed or skipped, got {s:?}"))
}

pub async fn run(args: NotificationsArgs) -> anyhow::Result<ExitCode> {
    let list = args
        .service
        .client()?
        .list(args.correlation_id.as_deref(), args.state, args.limit)
        .await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else {
        print!("{}", table(&list));
    }
    Ok(ExitCode::SUCCESS)
}

/// What a row says about why it is where it is.
fn why(n: &Notification) -> String {
    match n.state {
        NotificationState::Sent => n.recipient.clone().unwrap_or_default(),
        NotificationState::Skipped | NotificationState::Failed => {
            let reason = n.reason.clone().unwrap_or_default();
            match &n.last_error {
                Some(error) => format!("{reason}: {error}"),
                None => reason,
            }
        }
        NotificationState::Pending => match (&n.last_error, n.next_attempt_at) {
            (Some(error), Some(at)) => {
                format!("{error}; next at {}", orders_core::time::millis(at))
            }
            _ => n.recipient.clone().unwrap_or_default(),
        },
    }
}

/// `order │ outcome │ channel │ state │ attempts │ updated │ detail`, then the counts.
fn table(list: &NotificationList) -> String {
    let mut out = String::new();
    if list.notifications.is_empty() {
        out.push_str("no notifications match\n");
    } else {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_header([
            "order", "outcome", "channel", "state", "attempts", "updated", "detail",
        ]);
        for n in &list.notifications {
            table.add_row([
                n.correlation_id.clone(),
                n.outcome.clone(),
                n.channel.to_string(),
                n.state.to_string(),
                n.attempts.to_string(),
                orders_core::time::millis(n.updated_at),
                why(n),
            ]);
        }
        if let Some(column) = table.column_mut(4) {
            column.set_cell_alignment(CellAlignment::Right);
        }
        out.push_str(&format!("{table}\n"));
    }
    let counts: Vec<String> = NotificationState::ALL
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                list.counts.get(s.as_str()).copied().unwrap_or(0),
                s
            )
        })
        .collect();
    out.push_str(&format!("{}\n", counts.join(", ")));
    out
}
