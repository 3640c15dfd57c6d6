//! Drawing the dashboard: from the board and the view to the cells of a screen of any
//! size. An 80x24 terminal shows every section; a larger one gives the extra rows to the
//! partitions and the events and the extra columns to the sparklines and bars; a smaller
//! one keeps the sections that matter most (services, then lag, then dead letters, then
//! the gateway) and drops the rest, and nothing here can fail on a tiny screen.

use super::board::{Board, Counter, Drain, GroupView, ServiceView};
use super::collect::Health;
use super::view::{Pane, View};
use chrono::{Local, SecondsFormat};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};
use std::collections::VecDeque;

const SPARK: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Draws everything into `buf` over `area`. `live` is the interactive dashboard (key
/// help, the events pane); without it, the one screen `--once` prints.
pub(crate) fn render(area: Rect, buf: &mut Buffer, board: &Board, view: &mut View, live: bool) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let plan = Plan::new(area, board, live);
    let mut rows = area;
    let mut take = |height: u16| {
        let height = height.min(rows.height);
        let taken = Rect { height, ..rows };
        rows.y += height;
        rows.height -= height;
        taken
    };
    Paragraph::new(title_line(board, view, live, area.width)).render(take(1), buf);
    let services = take(plan.services);
    let lag = take(plan.lag);
    let gateway = take(plan.gateway);
    let dead_letters = take(plan.dead_letters);
    let events = take(plan.events);

    draw_services(services, buf, board, view);
    draw_lag(lag, buf, board, view, plan.partitions_expanded);
    draw_gateway(gateway, buf, board, view);
    draw_dead_letters(dead_letters, buf, board, view);
    if live {
        draw_events(events, buf, view);
    }
    if view.popup.is_some() {
        draw_popup(area, buf, view);
    }
}

/// How many rows each section gets.
#[derive(Debug)]
struct Plan {
    services: u16,
    lag: u16,
    partitions_expanded: bool,
    gateway: u16,
    dead_letters: u16,
    events: u16,
}

impl Plan {
    fn new(area: Rect, board: &Board, live: bool) -> Self {
        let mut left = area.height.saturating_sub(1);
        let grant = |left: &mut u16, wanted: u16| {
            let granted = wanted.min(*left);
            *left -= granted;
            granted
        };
        let gateway_rows = board.services.iter().filter(|s| shows_gateway(s)).count();
        let partitions: usize = board
            .groups
            .iter()
            .map(|g| g.lag.as_ref().map_or(0, |l| l.partitions.len()))
            .sum();
        let with_partitions = board
            .groups
            .iter()
            .filter(|g| g.lag.as_ref().is_some_and(|l| !l.partitions.is_empty()))
            .count();
        let services = grant(&mut left, rows(1 + board.services.len()));
        let events_floor = if live { 5 } else { 0 };
        let dead_letters_wanted = match board.dead_letters.len() {
            0 => 0,
            n => rows(1 + n),
        };
        let gateway_wanted = match gateway_rows {
            0 => 0,
            n => rows(1 + n),
        };
        // Each group: its line and, compact, one line of partitions. With many groups
        // the pane scrolls (↑↓) rather than push the sections below off the screen; it
        // keeps at least its heading and two groups.
        let compact = rows(1 + board.groups.len() + with_partitions);
        let lag_floor = compact.min(5);
        let lag_room = left
            .saturating_sub(dead_letters_wanted + gateway_wanted + events_floor)
            .max(lag_floor);
        let mut lag = grant(&mut left, compact.min(lag_room));
        let dead_letters = grant(&mut left, dead_letters_wanted);
        let gateway = grant(&mut left, gateway_wanted);
        // A bar per partition when that leaves the events a few lines of their own.
        let extra = rows(partitions - with_partitions);
        let partitions_expanded = lag == compact && extra > 0 && left >= extra + events_floor;
        if partitions_expanded {
            lag += grant(&mut left, extra);
        }
        let events = if live { left } else { 0 };
        Self {
            services,
            lag,
            partitions_expanded,
            gateway,
            dead_letters,
            events,
        }
    }
}

/// The rows `--once` needs to print every section of `board`.
pub(crate) fn height_for(board: &Board) -> u16 {
    let tall = Rect::new(0, 0, 100, 1_000);
    let plan = Plan::new(tall, board, false);
    1 + plan.services + plan.lag + plan.gateway + plan.dead_letters
}

fn rows(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn shows_gateway(service: &ServiceView) -> bool {
    service.has_latency || service.has_answers
}

fn title_line(board: &Board, view: &View, live: bool, width: u16) -> Line<'static> {
    let mut spans = vec![Span::styled(
        " orders dash ",
        Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
    )];
    let when = match board.updated {
        Some(t) => {
            let local = t
                .with_timezone(&Local)
                .to_rfc3339_opts(SecondsFormat::Secs, false);
            let time = local.get(11..19).unwrap_or(&local).to_owned();
            match board.interval {
                Some(s) => format!(" {time}  every {s:.1}s "),
                None => format!(" {time} "),
            }
        }
        None => " waiting for the first reading… ".to_owned(),
    };
    spans.push(Span::raw(when));
    if view.paused() {
        spans.push(Span::styled(
            " PAUSED ",
            Style::new().fg(Color::Black).bg(Color::Yellow),
        ));
    }
    if live {
        let help = if width >= 100 {
            "  q quit · p pause · tab pane · ↑↓ move · / filter · enter trace"
        } else {
            "  q quit · p pause · tab · / filter"
        };
        spans.push(Span::styled(help, Style::new().fg(Color::DarkGray)));
    }
    Line::from(spans)
}

fn heading(text: String, pane: Pane, view: &View) -> Line<'static> {
    let mut style = Style::new().add_modifier(Modifier::BOLD);
    if view.focus == pane {
        style = style.fg(Color::Cyan).add_modifier(Modifier::UNDERLINED);
    }
    Line::from(Span::styled(text, style))
}

/// `text` cut or padded to exactly `width` columns (left-aligned).
fn fit(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        format!("{text:<width$}")
    } else if width == 0 {
        String::new()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

/// `text` right-aligned in `width` columns (cut when longer).
fn fit_right(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        format!("{text:>width$}")
    } else {
        fit(text, width)
    }
}

/// A whole number with thousands separators: `12,345`.
pub(crate) fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A rate per second: one decimal under 10, whole numbers with separators above.
pub(crate) fn rate(r: f64) -> String {
    if r.abs() < 10.0 {
        format!("{r:.1}")
    } else {
        count(r.round() as i64)
    }
}

fn optional_rate(counter: &Counter) -> String {
    counter.rate.map_or_else(|| "-".to_owned(), rate)
}

/// The last `width` values as a line of block characters, scaled to their maximum.
pub(crate) fn sparkline(values: &VecDeque<f64>, width: usize) -> String {
    let skip = values.len().saturating_sub(width);
    let shown: Vec<f64> = values.iter().skip(skip).copied().collect();
    let max = shown.iter().copied().fold(0.0_f64, f64::max);
    shown
        .iter()
        .map(|&v| {
            if max <= 0.0 || v <= 0.0 {
                SPARK[0]
            } else {
                let level = ((v / max) * 7.0).ceil() as usize;
                SPARK[level.clamp(1, 7)]
            }
        })
        .collect()
}

fn health_span(health: Option<&Health>) -> Span<'static> {
    match health {
        None => Span::styled("○ waiting", Style::new().fg(Color::DarkGray)),
        Some(Health::Ready) => Span::styled("● ready", Style::new().fg(Color::Green)),
        Some(Health::NotReady(_)) => Span::styled("● not ready", Style::new().fg(Color::Yellow)),
        Some(Health::Down(_)) => Span::styled(
            "● down",
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
    }
}

fn draw_services(area: Rect, buf: &mut Buffer, board: &Board, view: &mut View) {
    if area.height == 0 {
        return;
    }
    let width = area.width as usize;
    let name_w = board
        .services
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(7)
        .clamp(7, 20);
    let state_w = 12;
    let work_w = board
        .services
        .iter()
        .map(|s| s.work_label.chars().count() + 8)
        .max()
        .unwrap_or(16)
        .clamp(14, 24);
    let errors_w = 9;
    let fixed = name_w + 1 + state_w + work_w + 1 + errors_w + 2;
    let spark_w = width.saturating_sub(fixed);
    let mut lines = vec![heading(
        format!(
            "{} {} {} {}  {}",
            fit("SERVICES", name_w),
            fit("state", state_w),
            fit_right("work/s", work_w),
            fit_right("errors/s", errors_w),
            if spark_w >= 8 { "last minute" } else { "" }
        ),
        Pane::Services,
        view,
    )];
    let room = area.height.saturating_sub(1) as usize;
    view.clamp(Pane::Services, board.services.len().saturating_sub(room));
    for service in board.services.iter().skip(view.offset(Pane::Services)) {
        let state = health_span(service.health.as_ref());
        let state_text = fit(&state.content, state_w);
        let work = format!("{} {}", service.work_label, optional_rate(&service.work));
        let errors = optional_rate(&service.errors);
        let errors_style = match service.errors.rate {
            Some(r) if r > 0.0 => Style::new().fg(Color::Red),
            _ => Style::new(),
        };
        let mut spans = vec![
            Span::raw(fit(&service.name, name_w)),
            Span::raw(" "),
            Span::styled(state_text, state.style),
            Span::raw(fit_right(&work, work_w)),
            Span::raw(" "),
            Span::styled(fit_right(&errors, errors_w), errors_style),
            Span::raw("  "),
        ];
        match &service.health {
            Some(Health::Down(why)) | Some(Health::NotReady(why)) if spark_w > 0 => {
                spans.push(Span::styled(fit(why, spark_w), state.style));
            }
            _ if spark_w >= 8 => spans.push(Span::styled(
                sparkline(&service.work.history, spark_w),
                Style::new().fg(Color::Green),
            )),
            _ => {}
        }
        lines.push(Line::from(spans));
    }
    Paragraph::new(lines).render(area, buf);
}

fn drain_text(group: &GroupView) -> (String, Style) {
    match group.drain() {
        Drain::Drained => ("drained".into(), Style::new().fg(Color::Green)),
        Drain::In(s) => (format!("drains in {}", seconds(s)), Style::new()),
        Drain::Growing => ("growing".into(), Style::new().fg(Color::Red)),
        Drain::Stalled => (
            "stalled: nothing committed".into(),
            Style::new().fg(Color::Red),
        ),
        Drain::Unknown => (String::new(), Style::new()),
    }
}

fn seconds(s: f64) -> String {
    if s < 1.0 {
        "<1s".into()
    } else if s < 120.0 {
        format!("{s:.0}s")
    } else if s < 7200.0 {
        format!("{:.0}m", s / 60.0)
    } else {
        format!("{:.0}h", s / 3600.0)
    }
}

fn draw_lag(area: Rect, buf: &mut Buffer, board: &Board, view: &mut View, expanded: bool) {
    if area.height == 0 {
        return;
    }
    let width = area.width as usize;
    let mut lines = vec![heading(
        "LAG  topic ← consumer group".into(),
        Pane::Lag,
        view,
    )];
    for group in &board.groups {
        let name = format!("{} ← {}", group.spec.topic, group.spec.group);
        let mut spans = vec![Span::raw(name)];
        match (&group.lag, &group.error) {
            (_, Some(error)) => spans.push(Span::styled(
                format!("  cannot read: {error}"),
                Style::new().fg(Color::Red),
            )),
            (None, None) => spans.push(Span::styled(
                "  waiting for the first reading",
                Style::new().fg(Color::DarkGray),
            )),
            (Some(lag), None) => {
                spans.push(Span::styled(
                    format!("  lag {}", count(lag.total())),
                    Style::new().add_modifier(Modifier::BOLD),
                ));
                if let Some(trend) = group.trend {
                    let arrow = if trend > 0.0 {
                        "↑"
                    } else if trend < 0.0 {
                        "↓"
                    } else {
                        "→"
                    };
                    spans.push(Span::raw(format!(" {arrow}{}/s", rate(trend.abs()))));
                }
                let (drain, style) = drain_text(group);
                if !drain.is_empty() {
                    spans.push(Span::raw("  "));
                    spans.push(Span::styled(drain, style));
                }
                if let Some(state) = group_state(&lag.state) {
                    spans.push(Span::styled(
                        format!("  ({state})"),
                        Style::new().fg(Color::Yellow),
                    ));
                }
                let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
                let spark_w = width.saturating_sub(used + 2).min(60);
                if spark_w >= 8 {
                    let history: VecDeque<f64> = group.history.iter().map(|&l| l as f64).collect();
                    spans.push(Span::raw("  "));
                    spans.push(Span::styled(
                        sparkline(&history, spark_w),
                        Style::new().fg(Color::Yellow),
                    ));
                }
            }
        }
        lines.push(Line::from(spans));
        let Some(lag) = &group.lag else { continue };
        if expanded {
            let max = lag
                .partitions
                .iter()
                .map(|p| p.lag)
                .max()
                .unwrap_or(0)
                .max(1);
            let bar_w = width.saturating_sub(2 + 5 + 12).max(1);
            for p in &lag.partitions {
                let filled = p.lag as f64 / max as f64 * bar_w as f64;
                lines.push(Line::from(vec![
                    Span::raw(format!("  p{:<3} ", p.partition)),
                    Span::styled(bar(filled, bar_w), Style::new().fg(Color::Cyan)),
                    Span::raw(fit_right(&count(p.lag), 12)),
                ]));
            }
        } else {
            let parts: Vec<String> = lag
                .partitions
                .iter()
                .map(|p| format!("p{} {}", p.partition, count(p.lag)))
                .collect();
            lines.push(Line::from(format!("  {}", parts.join(" · "))));
        }
    }
    let room = area.height.saturating_sub(1) as usize;
    view.clamp(Pane::Lag, lines.len().saturating_sub(1 + room));
    let offset = view.offset(Pane::Lag);
    let lines: Vec<Line<'_>> = lines
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || *i > offset)
        .map(|(_, l)| l)
        .collect();
    Paragraph::new(lines).render(area, buf);
}

/// A group's state when it is worth a word: the coordinator's name for it, in plain
/// words (`Dead` is also what a broker says of a group it has never seen).
fn group_state(state: &str) -> Option<&str> {
    match state {
        "Stable" => None,
        "Empty" => Some("no members"),
        "Dead" => Some("no such group"),
        "PreparingRebalance" | "CompletingRebalance" => Some("rebalancing"),
        other => Some(other),
    }
}

/// A horizontal bar of `filled` cells (with eighths) padded to `width`.
fn bar(filled: f64, width: usize) -> String {
    const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let whole = (filled.floor() as usize).min(width);
    let mut out: String = "█".repeat(whole);
    if whole < width {
        let eighth = ((filled - whole as f64) * 8.0).floor() as usize;
        out.push(EIGHTHS[eighth.min(7)]);
        out.push_str(&" ".repeat(width - whole - 1));
    }
    out
}

fn draw_gateway(area: Rect, buf: &mut Buffer, board: &Board, view: &View) {
    if area.height == 0 {
        return;
    }
    let mut lines = vec![heading(
        "REQUESTS  latency over the last interval · answers by status".into(),
        Pane::Gateway,
        view,
    )];
    for service in board.services.iter().filter(|s| shows_gateway(s)) {
        let mut spans = vec![Span::raw(format!("{}  ", service.name))];
        if service.has_latency {
            let text = match service.latency {
                Some(l) => format!("p50 {:.1} ms  p99 {:.1} ms", l.p50, l.p99),
                None => "p50 -  p99 -".to_owned(),
            };
            spans.push(Span::styled(
                text,
                Style::new().add_modifier(Modifier::BOLD),
            ));
        }
        for (status, counter) in &service.answers {
            let style = match status.chars().next() {
                Some('2') => Style::new().fg(Color::Green),
                Some('4') => Style::new().fg(Color::Yellow),
                Some('5') => Style::new().fg(Color::Red),
                _ => Style::new(),
            };
            spans.push(Span::raw("  "));
            spans.push(Span::styled(status.clone(), style));
            spans.push(Span::raw(format!(
                " {}/s ({})",
                optional_rate(counter),
                counter
                    .total
                    .map_or_else(|| "-".into(), |t| count(t as i64))
            )));
        }
        lines.push(Line::from(spans));
    }
    Paragraph::new(lines).render(area, buf);
}

fn draw_dead_letters(area: Rect, buf: &mut Buffer, board: &Board, view: &View) {
    if area.height == 0 {
        return;
    }
    let mut lines = vec![heading("DEAD LETTERS".into(), Pane::DeadLetters, view)];
    for dlt in &board.dead_letters {
        let mut spans = vec![Span::raw(format!("{}  ", dlt.topic))];
        if let Some(error) = &dlt.error {
            spans.push(Span::styled(
                format!("cannot read: {error}"),
                Style::new().fg(Color::Red),
            ));
        } else if let Some(total) = dlt.records.total {
            let n = total as i64;
            let style = if n > 0 {
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
            } else {
                Style::new().fg(Color::Green)
            };
            let noun = if n == 1 { "record" } else { "records" };
            spans.push(Span::styled(format!("{} {noun}", count(n)), style));
            spans.push(Span::raw(format!("  +{}/s", optional_rate(&dlt.records))));
            if let Some(reason) = &dlt.newest {
                let at = reason
                    .at
                    .map(|t| {
                        let local = t
                            .with_timezone(&Local)
                            .to_rfc3339_opts(SecondsFormat::Secs, false);
                        format!(" at {}", local.get(11..19).unwrap_or(&local))
                    })
                    .unwrap_or_default();
                spans.push(Span::raw(format!(
                    "  newest: {}: {} ({}{at})",
                    reason.kind, reason.message, reason.position
                )));
            }
        } else {
            spans.push(Span::styled(
                "waiting for the first reading",
                Style::new().fg(Color::DarkGray),
            ));
        }
        lines.push(Line::from(spans));
    }
    Paragraph::new(lines).render(area, buf);
}

fn draw_events(area: Rect, buf: &mut Buffer, view: &mut View) {
    if area.height == 0 {
        return;
    }
    let mut title = "EVENTS  newest first".to_owned();
    if view.paused() {
        title.push_str(&format!("  (paused, {} new)", view.held_back()));
    }
    let mut spans = vec![Span::styled(title, heading_style(view, Pane::Events))];
    match (&view.editing, &view.filter) {
        (Some(typing), _) => spans.push(Span::styled(
            format!("  filter by correlation id: {typing}▏  (enter applies, esc cancels)"),
            Style::new().fg(Color::Yellow),
        )),
        (None, Some(filter)) => spans.push(Span::styled(
            format!("  filter: {filter}  (esc clears)"),
            Style::new().fg(Color::Yellow),
        )),
        (None, None) => {}
    }
    let room = area.height.saturating_sub(1) as usize;
    let total = view.visible_events().len();
    view.clamp(Pane::Events, total.saturating_sub(1));
    let selected = view.selected();
    let first = selected.saturating_sub(room.saturating_sub(1));
    let mark = view.focus == Pane::Events && view.paused();
    let mut lines = vec![Line::from(spans)];
    let events = view.visible_events();
    if events.is_empty() {
        let why = if view.filter.is_some() {
            "  no event matches the filter"
        } else {
            "  no events yet: new records on the topic appear here"
        };
        lines.push(Line::styled(why, Style::new().fg(Color::DarkGray)));
    }
    for (i, event) in events.iter().enumerate().skip(first).take(room) {
        let style = if mark && i == selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        lines.push(Line::styled(event.line.clone(), style));
    }
    Paragraph::new(lines).render(area, buf);
}

fn heading_style(view: &View, pane: Pane) -> Style {
    let style = Style::new().add_modifier(Modifier::BOLD);
    if view.focus == pane {
        style.fg(Color::Cyan).add_modifier(Modifier::UNDERLINED)
    } else {
        style
    }
}

fn draw_popup(area: Rect, buf: &mut Buffer, view: &mut View) {
    let Some(popup) = &mut view.popup else { return };
    let width = area.width.saturating_sub(4).max(area.width.min(10));
    let height = area.height.saturating_sub(2).max(area.height.min(3));
    let window = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    let room = height.saturating_sub(2) as usize;
    popup.scroll = popup.scroll.min(popup.lines.len().saturating_sub(room));
    let lines: Vec<Line<'_>> = popup
        .lines
        .iter()
        .skip(popup.scroll)
        .map(|l| Line::raw(l.clone()))
        .collect();
    Clear.render(window, buf);
    Paragraph::new(lines)
        .block(
            Block::new()
                .borders(Borders::ALL)
                .title(format!(" {} ", popup.title))
                .title_bottom(" esc closes · ↑↓ scroll "),
        )
        .render(window, buf);
}

#[cfg(test)]
mod tests;
