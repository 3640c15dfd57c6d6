//! The screen in each state, drawn on ratatui's test backend and read back as text.

use super::*;
use crate::commands::dash::board::tests::{round, targets};
use crate::commands::dash::view::{Action, Event};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Instant;

fn screen(board: &Board, view: &mut View, width: u16, height: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            let area = frame.area();
            render(area, frame.buffer_mut(), board, view, true);
        })
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer.cell((x, y)).map_or(" ", |c| c.symbol()))
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect()
}

fn line_with<'a>(lines: &'a [String], text: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("no line with {text:?} on screen:\n{}", lines.join("\n")))
}

fn busy_board(order_service_up: bool) -> Board {
    let start = Instant::now();
    let mut board = Board::new(&targets());
    for i in 1..=3 {
        board.update(round(start, i, order_service_up || i < 3));
    }
    board
}

fn with_events(view: &mut View, n: usize) {
    for i in 0..n {
        view.push_event(Event {
            correlation_id: Some(format!("id-{i}")),
            line: format!("2026-11-29T23:41:02.000Z  0/{i}  id-{i}  customer c  SKU-1×2  total 2"),
        });
    }
}

#[test]
fn all_up_shows_every_service_ready_with_rates_lag_latency_and_dead_letters() {
    let board = busy_board(true);
    let mut view = View::new();
    with_events(&mut view, 30);
    let lines = screen(&board, &mut view, 80, 24);
    let text = lines.join("\n");

    let gateway = line_with(&lines, "gateway ");
    assert!(gateway.contains("● ready"), "{gateway}");
    assert!(gateway.contains("accepted 100"), "{gateway}");
    assert!(gateway.contains('█'), "a sparkline: {gateway}");
    let order_service = line_with(&lines, "order-service");
    assert!(order_service.contains("● ready") && order_service.contains("created 100"));

    let lag = line_with(&lines, "order_created ← order-service-group");
    assert!(lag.contains("lag 30"), "{lag}");
    assert!(lag.contains("↓10/s"), "{lag}");
    assert!(lag.contains("drains in 3s"), "{lag}");
    // 80x24 has room for a bar per partition.
    let p0 = line_with(&lines, "p0 ");
    assert!(p0.contains('█') && p0.trim_end().ends_with("30"), "{p0}");
    assert!(line_with(&lines, "p2 ").trim_end().ends_with('0'));

    let requests = lines
        .iter()
        .find(|l| l.starts_with("gateway") && l.contains("p50"))
        .expect(&text);
    assert!(
        requests.contains("p50 ") && requests.contains("p99 "),
        "{requests}"
    );
    assert!(requests.contains("202 100/s (300)"), "{requests}");
    assert!(requests.contains("503 1.0/s (3)"), "{requests}");

    let dlt = line_with(&lines, "order_created-dlt");
    assert!(
        dlt.contains("1 record") && dlt.contains("newest: not_json"),
        "{dlt}"
    );

    let events_at = lines
        .iter()
        .position(|l| l.contains("EVENTS"))
        .expect(&text);
    assert!(
        lines[events_at + 1].contains("id-29"),
        "newest first:\n{text}"
    );
    assert!(
        lines.len() - events_at > 3,
        "events have lines of their own:\n{text}"
    );
    assert!(lines[0].contains("q quit"), "{}", lines[0]);
}

#[test]
fn a_service_that_is_down_is_shown_down_with_why_and_the_rest_keeps_working() {
    let board = busy_board(false);
    let mut view = View::new();
    let lines = screen(&board, &mut view, 80, 24);
    let order_service = line_with(&lines, "order-service");
    assert!(order_service.contains("● down"), "{order_service}");
    assert!(
        order_service.contains("connection refused"),
        "{order_service}"
    );
    assert!(
        order_service.contains("created -"),
        "no rate: {order_service}"
    );
    assert!(line_with(&lines, "gateway ").contains("● ready"));
    assert!(line_with(&lines, "order_created ← order-service-group").contains("lag "));
}

#[test]
fn before_the_first_reading_every_section_says_it_is_waiting() {
    let board = Board::new(&targets());
    let mut view = View::new();
    let lines = screen(&board, &mut view, 80, 24);
    assert!(
        lines[0].contains("waiting for the first reading"),
        "{}",
        lines[0]
    );
    assert!(line_with(&lines, "gateway ").contains("○ waiting"));
    assert!(line_with(&lines, "order-service").contains("○ waiting"));
    assert!(line_with(&lines, "order_created ← order-service-group").contains("waiting"));
    assert!(line_with(&lines, "order_created-dlt").contains("waiting"));
    assert!(line_with(&lines, "gateway  p50").contains("p50 -  p99 -"));
    line_with(&lines, "no events yet");
}

#[test]
fn a_narrow_short_terminal_keeps_services_and_lag_and_drops_what_does_not_fit() {
    let board = busy_board(true);
    let mut view = View::new();
    with_events(&mut view, 5);

    // 80x24 shows everything (checked above); 60x12 has no room for bars or events.
    let lines = screen(&board, &mut view, 60, 12);
    let text = lines.join("\n");
    assert!(line_with(&lines, "gateway ").contains("● ready"), "{text}");
    assert!(
        line_with(&lines, "order_created ←").contains("lag 30"),
        "{text}"
    );
    assert!(
        line_with(&lines, "p0 30 · p1 0 · p2 0").starts_with("  p0"),
        "{text}"
    );
    assert!(text.contains("order_created-dlt"), "{text}");
    assert!(lines.iter().all(|l| l.chars().count() <= 60));

    // Smaller still: the sections at the top stay, nothing panics.
    let lines = screen(&board, &mut view, 40, 6);
    assert!(lines[1].contains("SERVICES"), "{}", lines.join("\n"));
    assert!(lines.iter().any(|l| l.starts_with("gateway")));
    for (w, h) in [(1, 1), (10, 2), (20, 3), (200, 4), (5, 50)] {
        screen(&board, &mut view, w, h);
    }
}

#[test]
fn a_large_terminal_gives_the_events_and_sparklines_the_extra_room() {
    let board = busy_board(true);
    let mut view = View::new();
    with_events(&mut view, 100);
    let small = screen(&board, &mut view, 80, 24);
    let large = screen(&board, &mut view, 160, 50);
    let count = |lines: &[String]| lines.iter().filter(|l| l.contains("customer c")).count();
    assert!(count(&large) > count(&small) + 20, "{}", large.join("\n"));
    let spark = |lines: &[String]| {
        line_with(lines, "gateway ")
            .chars()
            .filter(|c| SPARK.contains(c))
            .count()
    };
    assert!(spark(&large) >= spark(&small));
    assert!(
        line_with(&large, "p0 ")
            .chars()
            .filter(|&c| c == '█')
            .count()
            > 100
    );
}

#[test]
fn pause_filter_and_the_trace_window_show_on_screen() {
    let board = busy_board(true);
    let mut view = View::new();
    with_events(&mut view, 10);
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    view.handle(key(KeyCode::Char('p')));
    with_events(&mut view, 3);
    let lines = screen(&board, &mut view, 80, 24);
    line_with(&lines, "PAUSED");
    line_with(&lines, "(paused, 3 new)");

    view.handle(key(KeyCode::Char('/')));
    for c in "id-7".chars() {
        view.handle(key(KeyCode::Char(c)));
    }
    let lines = screen(&board, &mut view, 80, 24);
    line_with(&lines, "filter by correlation id: id-7");
    view.handle(key(KeyCode::Enter));
    let lines = screen(&board, &mut view, 80, 24);
    let events_at = lines.iter().position(|l| l.contains("EVENTS")).unwrap();
    assert!(lines[events_at].contains("filter: id-7"));
    assert!(
        lines[events_at + 1].contains("  id-7  "),
        "{}",
        lines.join("\n")
    );
    assert!(
        !lines[events_at + 2].contains("id-"),
        "only the matching event"
    );

    // `/` moved the focus to the events: enter opens the trace of the selected one.
    assert_eq!(view.focus, Pane::Events);
    assert_eq!(
        view.handle(key(KeyCode::Enter)),
        Action::Trace("id-7".into())
    );
    view.show_trace(
        "id-7",
        vec!["order      id-7".into(), "persisted  status pending".into()],
    );
    let lines = screen(&board, &mut view, 80, 24);
    line_with(&lines, "orders trace id-7");
    line_with(&lines, "persisted  status pending");
}

#[test]
fn numbers_and_sparklines_read_well() {
    assert_eq!(count(1_234_567), "1,234,567");
    assert_eq!(count(-1_000), "-1,000");
    assert_eq!(count(12), "12");
    assert_eq!(rate(2.345), "2.3");
    assert_eq!(rate(2_630.4), "2,630");
    let history: VecDeque<f64> = [0.0, 1.0, 4.0, 8.0].into();
    assert_eq!(sparkline(&history, 10), "▁▂▅█");
    assert_eq!(sparkline(&history, 2), "▅█");
    assert_eq!(fit("order-service", 6), "order…");
    assert_eq!(bar(2.5, 5), "██▌  ");
    assert_eq!(group_state("Stable"), None);
    assert_eq!(group_state("Dead"), Some("no such group"));
    assert_eq!(group_state("PreparingRebalance"), Some("rebalancing"));
}
