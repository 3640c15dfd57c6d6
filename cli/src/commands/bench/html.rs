//! `orders bench --report FILE.html`: the run as one self-contained page, to be read at
//! a glance and kept next to a change: throughput and latency second by second, the
//! latency distribution (HDR style, percentiles on a log scale), with `--e2e` the
//! accepted-to-persisted latency over time and the backlog, the errors by kind over
//! time, the parameters and the summary, and with `--baseline` the comparison.
//!
//! The charts are inline SVG and the page has no script and loads nothing, so it opens
//! the same from a CI artifact, a mail or a laptop without a network. The figures the
//! page shows carry their exact `--json` value (`data-figure`, `data-value`), and the
//! data behind every chart is embedded as JSON (`<script type="application/json"
//! id="bench-data">`), so a test or a script can check the page against the run.

mod chart;

use super::baseline::{self, Comparison};
use super::load::Accepted;
use super::report::Summary;
use super::timeline::{Series, Timeline};
use chart::{Bars, Chart, Line, Marker, esc};
use chrono::{DateTime, SecondsFormat, Utc};
use hdrhistogram::Histogram;
use serde::Serialize;
use serde_json::Value;
use std::fmt::Write;

const BLUE: &str = "#2563eb";
const GREEN: &str = "#16a34a";
const ORANGE: &str = "#ea580c";
const RED: &str = "#dc2626";
const YELLOW: &str = "#ca8a04";
const PURPLE: &str = "#7c3aed";
const GREY: &str = "#9ca3af";

/// What the page is made of.
#[derive(Debug)]
pub(crate) struct Inputs<'a> {
    pub(crate) summary: &'a Summary,
    pub(crate) timeline: &'a Timeline,
    /// The measured requests' latency, microseconds.
    pub(crate) latency: &'a Histogram<u64>,
    pub(crate) started_at: DateTime<Utc>,
    pub(crate) ended_at: DateTime<Utc>,
    /// Every accepted order (warm-up included), for the backlog.
    pub(crate) ledger: &'a [Accepted],
    /// With `--e2e`: `(accepted at, persisted at)` of every order found persisted.
    pub(crate) e2e: Option<&'a [(DateTime<Utc>, DateTime<Utc>)]>,
}

/// The data embedded in the page, behind its charts.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    summary: &'a Summary,
    started_at: String,
    series: Series,
    distribution: Vec<Quantile>,
    e2e: Option<EndToEndSeries>,
}

/// One point of the latency distribution.
#[derive(Debug, Serialize)]
struct Quantile {
    percentile: f64,
    ms: f64,
}

/// The `--e2e` series: by second of acceptance, and the backlog over time.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct EndToEndSeries {
    second: Vec<u64>,
    p50_ms: Vec<Option<f64>>,
    p99_ms: Vec<Option<f64>>,
    /// `[seconds since the load started, accepted orders not yet persisted]`.
    backlog: Vec<(f64, u64)>,
}

/// The page.
pub(crate) fn render(inputs: &Inputs<'_>) -> anyhow::Result<String> {
    let summary = inputs.summary;
    let series = inputs.timeline.series();
    let distribution = distribution(inputs.latency);
    let e2e = inputs.e2e.map(|timings| end_to_end(inputs, timings));
    let load_seconds = (inputs.ended_at - inputs.started_at)
        .to_std()
        .unwrap_or_default()
        .as_secs_f64();
    let json = serde_json::to_value(summary)?;

    let mut page = String::new();
    let title = format!(
        "orders bench — {} — {}",
        summary.gateway,
        inputs.started_at.to_rfc3339_opts(SecondsFormat::Secs, true)
    );
    let _ = write!(
        page,
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{}</title>
<style>{STYLE}</style></head><body>
<h1>orders bench</h1>
<p class="sub">{} · {} loop · started {} · orders {}</p>
"#,
        esc(&title),
        esc(&summary.gateway),
        summary.mode,
        inputs
            .started_at
            .to_rfc3339_opts(SecondsFormat::Millis, true),
        env!("CARGO_PKG_VERSION"),
    );
    if summary.failures.is_empty() {
        page.push_str(r#"<p id="verdict" class="verdict passed">passed its checks</p>"#);
    } else {
        page.push_str(r#"<div id="verdict" class="verdict failed"><b>failed its checks</b><ul>"#);
        for failure in &summary.failures {
            let _ = write!(page, "<li>{}</li>", esc(failure));
        }
        page.push_str("</ul></div>");
    }

    section(&mut page, "summary", "Summary", &summary_tables(&json));

    let warmup_band = series
        .warmup
        .iter()
        .rposition(|n| *n > 0)
        .map(|last| (0.0, last as f64 + 1.0, "warm-up".to_owned()));
    // A second's figures sit in its middle: second 0 is drawn from 0 to 1.
    let seconds: Vec<f64> = series.second.iter().map(|s| *s as f64 + 0.5).collect();
    let errors: Vec<f64> = (0..seconds.len())
        .map(|i| {
            (series.client_errors[i] + series.server_errors[i] + series.transport_errors[i]) as f64
        })
        .collect();
    let mut throughput_lines = vec![Line {
        name: "accepted/s".into(),
        color: BLUE,
        points: zip(&seconds, series.accepted.iter().map(|v| *v as f64)),
        dashed: false,
    }];
    if errors.iter().any(|e| *e > 0.0) {
        throughput_lines.push(Line {
            name: "errors/s".into(),
            color: RED,
            points: zip(&seconds, errors.iter().copied()),
            dashed: false,
        });
    }
    section(
        &mut page,
        "throughput",
        "Throughput",
        &format!(
            "{}<p class=\"caption\">Orders accepted (202) in each second of the run, by when their answer came. {} accepted at {:.0} orders/s over the measured {:.2} s; the last second is partial.</p>",
            Chart {
                id: "chart-throughput".into(),
                title: "accepted orders per second".into(),
                x_label: "seconds since the load started".into(),
                y_label: "orders / s".into(),
                lines: throughput_lines,
                band: warmup_band.clone(),
                ..Chart::default()
            }
            .svg(),
            summary.accepted,
            summary.throughput,
            summary.elapsed_seconds,
        ),
    );

    let opt = |v: &Option<f64>| v.unwrap_or(f64::NAN);
    section(
        &mut page,
        "latency",
        "Latency over time",
        &format!(
            "{}<p class=\"caption\">Request latency (to the 202{}) of the requests answered in each second: p50, p90 and p99.</p>",
            Chart {
                id: "chart-latency".into(),
                title: "request latency per second".into(),
                x_label: "seconds since the load started".into(),
                y_label: "ms".into(),
                lines: vec![
                    Line {
                        name: "p50".into(),
                        color: BLUE,
                        points: zip(&seconds, series.p50_ms.iter().map(opt)),
                        dashed: false,
                    },
                    Line {
                        name: "p90".into(),
                        color: ORANGE,
                        points: zip(&seconds, series.p90_ms.iter().map(opt)),
                        dashed: false,
                    },
                    Line {
                        name: "p99".into(),
                        color: RED,
                        points: zip(&seconds, series.p99_ms.iter().map(opt)),
                        dashed: false,
                    },
                ],
                band: warmup_band.clone(),
                ..Chart::default()
            }
            .svg(),
            if summary.mode == "open" {
                ", counted from each order's scheduled time"
            } else {
                ""
            }
        ),
    );

    section(
        &mut page,
        "distribution",
        "Latency distribution",
        &format!(
            "{}<p class=\"caption\">Every measured request's latency by percentile, HDR style: the percentile axis is logarithmic (each step is ten times rarer), so the tail is as visible as the median.{}</p>",
            distribution_chart(&distribution, inputs.summary.baseline.as_ref()),
            if inputs.summary.baseline.is_some() {
                " Diamonds: the baseline's percentiles."
            } else {
                ""
            }
        ),
    );

    if let Some(e2e) = &e2e {
        let e2e_seconds: Vec<f64> = e2e.second.iter().map(|s| *s as f64 + 0.5).collect();
        section(
            &mut page,
            "e2e",
            "Accepted → persisted",
            &format!(
                "{}<p class=\"caption\">Time from the 202 (as orders bench received it) to the order-service's commit, by the second the order was accepted in.</p>{}<p class=\"caption\">Orders accepted and not yet persisted, over time; the shaded part is after the load ended ({} left, drained {:.2} s after the load).</p>",
                Chart {
                    id: "chart-e2e".into(),
                    title: "accepted to persisted latency over time".into(),
                    x_label: "second the order was accepted in".into(),
                    y_label: "ms".into(),
                    lines: vec![
                        Line {
                            name: "p50".into(),
                            color: BLUE,
                            points: zip(&e2e_seconds, e2e.p50_ms.iter().map(opt)),
                            dashed: false,
                        },
                        Line {
                            name: "p99".into(),
                            color: RED,
                            points: zip(&e2e_seconds, e2e.p99_ms.iter().map(opt)),
                            dashed: false,
                        },
                    ],
                    band: warmup_band.clone(),
                    ..Chart::default()
                }
                .svg(),
                Chart {
                    id: "chart-backlog".into(),
                    title: "backlog: accepted, not yet persisted".into(),
                    x_label: "seconds since the load started".into(),
                    y_label: "orders".into(),
                    lines: vec![Line {
                        name: "backlog".into(),
                        color: PURPLE,
                        points: e2e.backlog.iter().map(|(t, n)| (*t, *n as f64)).collect(),
                        dashed: false,
                    }],
                    band: Some((
                        load_seconds,
                        e2e.backlog.last().map_or(load_seconds, |p| p.0),
                        "after the load".into()
                    )),
                    ..Chart::default()
                }
                .svg(),
                summary.e2e.as_ref().map_or(0, |e| e.missing),
                summary.e2e.as_ref().map_or(0.0, |e| e.drain_seconds),
            ),
        );
    }

    let kinds = [
        ("4xx", YELLOW, &series.client_errors),
        ("5xx", RED, &series.server_errors),
        ("transport", PURPLE, &series.transport_errors),
    ];
    let no_errors = errors.iter().all(|e| *e == 0.0);
    section(
        &mut page,
        "errors",
        "Errors",
        &format!(
            "{}<p class=\"caption\">Failed requests in each second, by kind: refused by the gateway (4xx), failed in the gateway or the broker (5xx), or no answer (transport: connection, timeout).</p>{}",
            Chart {
                id: "chart-errors".into(),
                title: "errors per second by kind".into(),
                x_label: "seconds since the load started".into(),
                y_label: "errors / s".into(),
                bars: kinds
                    .iter()
                    .map(|(name, color, values)| Bars {
                        name: (*name).into(),
                        color,
                        values: zip(&seconds, values.iter().map(|v| *v as f64)),
                    })
                    .collect(),
                empty_note: no_errors.then(|| "no errors".to_owned()),
                band: warmup_band,
                ..Chart::default()
            }
            .svg(),
            error_samples(summary),
        ),
    );

    if let Some(comparison) = &summary.baseline {
        section(
            &mut page,
            "baseline",
            "Against the baseline",
            &baseline_section(comparison),
        );
    }
    section(
        &mut page,
        "parameters",
        "Parameters",
        &parameters(summary, inputs),
    );

    let data = Data {
        summary,
        started_at: inputs
            .started_at
            .to_rfc3339_opts(SecondsFormat::Micros, true),
        series,
        distribution,
        e2e,
    };
    // `</` cannot end the script element early once escaped; JSON reads it the same.
    let embedded = serde_json::to_string(&data)?.replace("</", "<\\/");
    let _ = write!(
        page,
        "<script type=\"application/json\" id=\"bench-data\">{embedded}</script>\n</body></html>\n"
    );
    Ok(page)
}

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#111;max-width:960px;margin:24px auto;padding:0 16px}
h1{margin:0 0 2px}h2{margin:28px 0 8px;font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub,.caption{color:#555}.caption{font-size:13px;margin:4px 0 0}
table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}th{font-weight:600;background:#f7f7f7}
.verdict{padding:8px 12px;border-radius:6px;margin:12px 0}.passed{background:#ecfdf5;color:#065f46}.failed{background:#fef2f2;color:#991b1b}
.chart{width:100%;height:auto;display:block;margin:4px 0}
.chart .tick{font-size:11px;fill:#555}.chart .axis{font-size:12px;fill:#333}.chart .legend{font-size:12px;fill:#333}
.chart .note{font-size:11px;fill:#777}.chart .empty{font-size:16px;fill:#16a34a}
.better{color:#15803d}.worse{color:#b45309}.regressed{color:#b91c1c;font-weight:700}
code{background:#f3f3f3;padding:0 3px;border-radius:3px}
";

fn section(page: &mut String, id: &str, title: &str, body: &str) {
    let _ = write!(
        page,
        "<section id=\"{id}\"><h2>{}</h2>\n{body}\n</section>\n",
        esc(title)
    );
}

fn zip(xs: &[f64], ys: impl Iterator<Item = f64>) -> Vec<(f64, f64)> {
    xs.iter().copied().zip(ys).collect()
}

/// Percentiles from 0 to the rarest the run has data for, ten points per decade of
/// `1 / (1 - q)`, and the maximum.
fn distribution(h: &Histogram<u64>) -> Vec<Quantile> {
    let n = h.len();
    if n == 0 {
        return Vec::new();
    }
    let decades = (n as f64).log10();
    let mut points: Vec<Quantile> = (0..)
        .map(|i| f64::from(i) / 10.0)
        .take_while(|d| *d < decades)
        .map(|d| {
            let q = 1.0 - 10f64.powf(-d);
            Quantile {
                percentile: q * 100.0,
                ms: h.value_at_quantile(q) as f64 / 1e3,
            }
        })
        .collect();
    points.push(Quantile {
        percentile: 100.0,
        ms: h.max() as f64 / 1e3,
    });
    points
}

/// `log10(1 / (1 - q))`: where a percentile sits on the HDR axis; 100 % goes one step
/// past the rarest percentile measured.
fn hdr_x(percentile: f64, last: f64) -> f64 {
    let rest = 1.0 - percentile / 100.0;
    if rest <= 0.0 { last } else { -rest.log10() }
}

fn distribution_chart(points: &[Quantile], baseline: Option<&Comparison>) -> String {
    let before_max = points
        .iter()
        .rev()
        .nth(1)
        .map_or(0.0, |q| hdr_x(q.percentile, 0.0));
    let last = before_max + 0.1;
    let decades = last.ceil() as i32;
    let x_ticks = (0..=decades)
        .map(|d| {
            let label = match d {
                0 => "0%".to_owned(),
                1 => "90%".to_owned(),
                d => format!("99.{}%", "9".repeat(d as usize - 2)).replace(".%", "%"),
            };
            (f64::from(d), label)
        })
        .collect();
    let markers = baseline
        .map(|b| {
            let p = &b.latency_ms;
            [
                (50.0, "p50", p.p50),
                (90.0, "p90", p.p90),
                (99.0, "p99", p.p99),
                (99.9, "p99.9", p.p999),
            ]
            .into_iter()
            .filter(|(q, _, _)| hdr_x(*q, last) <= f64::from(decades))
            .map(|(q, name, ms)| Marker {
                x: hdr_x(q, last),
                y: ms,
                label: format!("baseline {name} {ms:.2} ms"),
                color: GREY,
            })
            .collect()
        })
        .unwrap_or_default();
    Chart {
        id: "chart-hdr".into(),
        title: "latency by percentile (HDR)".into(),
        x_label: "percentile (log scale)".into(),
        y_label: "ms".into(),
        x_ticks,
        lines: vec![Line {
            name: "request latency".into(),
            color: BLUE,
            points: points
                .iter()
                .map(|q| (hdr_x(q.percentile, last), q.ms))
                .collect(),
            dashed: false,
        }],
        markers,
        empty_note: points.is_empty().then(|| "no measured request".to_owned()),
        ..Chart::default()
    }
    .svg()
}

/// The e2e series from every order's two times.
fn end_to_end(inputs: &Inputs<'_>, timings: &[(DateTime<Utc>, DateTime<Utc>)]) -> EndToEndSeries {
    let since = |t: DateTime<Utc>| {
        (t - inputs.started_at)
            .num_microseconds()
            .unwrap_or(0)
            .max(0) as f64
            / 1e6
    };
    let mut by_second: Vec<Histogram<u32>> = Vec::new();
    for &(accepted, persisted) in timings {
        let second = since(accepted) as usize;
        while by_second.len() <= second {
            // Two significant digits is a valid precision: this cannot fail.
            by_second.push(Histogram::new(2).unwrap_or_else(|e| unreachable!("{e}")));
        }
        let micros = (persisted - accepted)
            .num_microseconds()
            .unwrap_or(0)
            .max(0) as u64;
        // `record` grows the histogram as needed (`saturating_record` would not).
        if by_second[second].record(micros.max(1)).is_err() {
            by_second[second].saturating_record(micros.max(1));
        }
    }
    let quantile =
        |h: &Histogram<u32>, q| (!h.is_empty()).then(|| h.value_at_quantile(q) as f64 / 1e3);

    // The backlog: +1 when accepted, -1 when persisted (never before it was accepted).
    let mut changes: Vec<(f64, i64)> = inputs
        .ledger
        .iter()
        .map(|a| (since(a.accepted_at), 1))
        .chain(
            timings
                .iter()
                .map(|&(accepted, persisted)| (since(persisted.max(accepted)), -1)),
        )
        .collect();
    changes.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let end = changes
        .last()
        .map_or(0.0, |c| c.0)
        .max(since(inputs.ended_at));
    let step = (end / 300.0).max(0.01);
    let mut backlog = Vec::new();
    let mut level: i64 = 0;
    let mut next = changes.iter().peekable();
    let mut t = 0.0;
    loop {
        while let Some(&&(at, change)) = next.peek() {
            if at > t {
                break;
            }
            level += change;
            next.next();
        }
        backlog.push((t, level.max(0) as u64));
        if t >= end {
            break;
        }
        t = (t + step).min(end);
    }
    EndToEndSeries {
        second: (0..by_second.len() as u64).collect(),
        p50_ms: by_second.iter().map(|h| quantile(h, 0.5)).collect(),
        p99_ms: by_second.iter().map(|h| quantile(h, 0.99)).collect(),
        backlog,
    }
}

/// `value` at `path` (`latencyMs.p99`) in the `--json` document.
fn at<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(json, |v, key| v.get(key))
}

/// A cell holding one figure of the `--json` document: its exact value in `data-value`,
/// for people `shown`.
fn figure_cell(json: &Value, path: &str, shown: impl Fn(f64) -> String) -> String {
    match at(json, path) {
        Some(value) if value.is_number() => format!(
            r#"<td data-figure="{path}" data-value="{value}">{}</td>"#,
            esc(&shown(value.as_f64().unwrap_or_default()))
        ),
        _ => "<td>-</td>".to_owned(),
    }
}

fn whole(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}

/// A row of the summary: its label, its path in the `--json` document, how it reads.
type Figure = (&'static str, &'static str, fn(f64) -> String);

fn summary_tables(json: &Value) -> String {
    let mut out = String::from("<table id=\"results\"><tr><th>result</th><th>value</th></tr>");
    let rows: [Figure; 8] = [
        ("sent", "sent", whole),
        ("202 accepted", "accepted", whole),
        ("4xx", "clientErrors", whole),
        ("5xx", "serverErrors", whole),
        ("transport errors", "transportErrors", whole),
        ("error rate", "errorRate", |v| format!("{:.2} %", v * 100.0)),
        ("elapsed", "elapsedSeconds", |v| format!("{v:.2} s")),
        ("throughput", "throughput", |v| {
            format!("{} orders/s", whole(v))
        }),
    ];
    for (label, path, shown) in rows {
        let _ = write!(
            out,
            "<tr><td>{label}</td>{}</tr>",
            figure_cell(json, path, shown)
        );
    }
    if json.get("e2e").is_some_and(Value::is_object) {
        let rows: [Figure; 4] = [
            ("persisted", "e2e.persisted", whole),
            ("missing", "e2e.missing", whole),
            ("duplicated", "e2e.duplicated", whole),
            ("backlog drained", "e2e.drainSeconds", |v| {
                format!("{v:.2} s after the load")
            }),
        ];
        for (label, path, shown) in rows {
            let _ = write!(
                out,
                "<tr><td>{label}</td>{}</tr>",
                figure_cell(json, path, shown)
            );
        }
    }
    out.push_str("</table>");
    out.push_str(
        "<table id=\"percentiles\"><tr><th>latency (ms)</th><th>min</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr>",
    );
    let mut latency_row = |label: &str, base: &str| {
        let _ = write!(out, "<tr><td>{label}</td>");
        for key in ["min", "p50", "p90", "p99", "p999", "max", "mean"] {
            out.push_str(&figure_cell(json, &format!("{base}.{key}"), |v| {
                format!("{v:.2}")
            }));
        }
        out.push_str("</tr>");
    };
    latency_row("request (202)", "latencyMs");
    if json.get("e2e").is_some_and(Value::is_object) {
        latency_row("accepted → persisted", "e2e.latencyMs");
    }
    out.push_str("</table>");
    out
}

fn error_samples(summary: &Summary) -> String {
    if summary.errors.is_empty() {
        return String::new();
    }
    let mut out = String::from("<p class=\"caption\">Distinct error answers (up to five):</p><ul>");
    for error in &summary.errors {
        let _ = write!(out, "<li><code>{}</code></li>", esc(error));
    }
    out.push_str("</ul>");
    out
}

fn parameters(summary: &Summary, inputs: &Inputs<'_>) -> String {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let rows = [
        ("gateway", summary.gateway.clone()),
        ("mode", format!("{} loop", summary.mode)),
        (
            "orders (-n)",
            or_dash(summary.requests.map(|n| n.to_string())),
        ),
        (
            "duration",
            or_dash(summary.duration_seconds.map(|s| format!("{s} s"))),
        ),
        ("concurrency (-c)", summary.concurrency.to_string()),
        (
            "rate",
            or_dash(summary.rate.map(|r| format!("{r} orders/s"))),
        ),
        ("warm-up", summary.warmup.to_string()),
        ("seed", summary.seed.to_string()),
        (
            "end to end (--e2e)",
            if summary.e2e.is_some() { "yes" } else { "no" }.into(),
        ),
        (
            "load started",
            inputs
                .started_at
                .to_rfc3339_opts(SecondsFormat::Millis, true),
        ),
        (
            "load ended",
            inputs.ended_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        ),
        ("orders version", env!("CARGO_PKG_VERSION").to_owned()),
    ];
    let mut out = String::from("<table id=\"parameters-table\">");
    for (name, value) in rows {
        let _ = write!(out, "<tr><td>{name}</td><td>{}</td></tr>", esc(&value));
    }
    out.push_str("</table>");
    out
}

fn baseline_section(comparison: &Comparison) -> String {
    let mut out = format!(
        "<p class=\"caption\">This run against <code>{}</code>{}.</p>",
        esc(&comparison.file),
        comparison
            .max_regression_percent
            .map(|m| format!("; a gated metric worse by more than {m} % fails the run"))
            .unwrap_or_default()
    );
    for note in &comparison.notes {
        let _ = write!(out, "<p class=\"caption\"><b>Note:</b> {}</p>", esc(note));
    }
    out.push_str("<table id=\"comparison\"><tr><th>metric</th><th>baseline</th><th>this run</th><th>change</th><th></th></tr>");
    for row in &comparison.rows {
        let verdict = baseline::verdict(row);
        let _ = write!(
            out,
            "<tr data-metric=\"{}\"><td>{} ({}){}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            esc(row.metric),
            esc(row.metric),
            row.unit,
            if row.gated {
                ""
            } else {
                " <small>(not gated)</small>"
            },
            baseline::figure(row.baseline),
            baseline::figure(row.current),
            row.change_percent
                .map_or_else(|| "-".to_owned(), |c| format!("{c:+.1} %")),
            verdict.to_lowercase(),
            verdict
        );
    }
    out.push_str("</table>");

    // A pair of bars per metric, each pair on its own scale (units differ).
    const ROW: f64 = 34.0;
    let height = 24.0 + ROW * comparison.rows.len() as f64;
    let (label_w, bar_w) = (200.0, 520.0);
    let _ = write!(
        out,
        r#"<svg id="chart-baseline" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 880 {height}" role="img" aria-label="this run against the baseline"><title>this run against the baseline</title>"#
    );
    let _ = write!(
        out,
        r#"<rect x="{label_w}" y="4" width="10" height="10" fill="{GREY}"/><text x="{}" y="13" class="legend">baseline</text><rect x="{}" y="4" width="10" height="10" fill="{BLUE}"/><text x="{}" y="13" class="legend">this run</text>"#,
        label_w + 14.0,
        label_w + 90.0,
        label_w + 104.0
    );
    for (i, row) in comparison.rows.iter().enumerate() {
        let y = 24.0 + ROW * i as f64;
        let max = row.baseline.max(row.current).max(f64::MIN_POSITIVE);
        let w = |v: f64| (v / max * bar_w).max(1.0);
        let color = match baseline::verdict(row) {
            "REGRESSED" => RED,
            "worse" => YELLOW,
            "better" => GREEN,
            _ => "#555",
        };
        let _ = write!(
            out,
            r##"<g class="pair" data-metric="{m}"><text x="0" y="{:.1}" class="axis">{m} ({u})</text><rect x="{label_w}" y="{y:.1}" width="{:.1}" height="12" fill="{GREY}"><title>baseline {}</title></rect><rect x="{label_w}" y="{:.1}" width="{:.1}" height="12" fill="{BLUE}"><title>this run {}</title></rect><text x="{:.1}" y="{:.1}" class="axis" fill="{color}">{}</text></g>"##,
            y + 16.0,
            w(row.baseline),
            baseline::figure(row.baseline),
            y + 13.0,
            w(row.current),
            baseline::figure(row.current),
            label_w + bar_w + 12.0,
            y + 16.0,
            row.change_percent
                .map_or_else(|| "-".to_owned(), |c| format!("{c:+.1} %")),
            m = esc(row.metric),
            u = row.unit,
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_distribution_goes_from_the_median_to_the_maximum() {
        let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
        for micros in 1..=1_000 {
            h.record(micros * 10).unwrap();
        }
        let points = distribution(&h);
        assert_eq!(points[0].percentile, 0.0);
        assert!((points[10].percentile - 90.0).abs() < 1e-9);
        assert!((points[10].ms - 9.0).abs() < 0.02, "{}", points[10].ms);
        let last = points.last().unwrap();
        assert_eq!(last.percentile, 100.0);
        assert!((last.ms - 10.0).abs() < 0.01, "{}", last.ms);
        assert_eq!(points.len(), 31, "three decades and the maximum");
        assert!((hdr_x(99.0, 9.0) - 2.0).abs() < 1e-9);
        assert_eq!(hdr_x(100.0, 3.1), 3.1);
    }
}
