//! `orders bench --report` and `--baseline` against the real stack: the page opened in a
//! real browser (Debian's headless Chromium), its charts there, no script error, its
//! figures those of the run's `--json`; the baseline printed, charted and gating.

use crate::helpers::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian's Chromium. The tests need it and fail without it (`.ci/run` installs it:
/// `apt-get install chromium`).
fn chromium() -> PathBuf {
    let path = PathBuf::from("/usr/bin/chromium");
    assert!(
        path.exists(),
        "these tests open the report in Debian's headless Chromium: apt-get install -y chromium"
    );
    path
}

/// What Chromium printed while it loaded `page`: the DOM after loading (with
/// `--dump-dom`, else empty) and its log, in which every console message, script errors
/// included, is a `:CONSOLE` line (Chromium logs them with `--enable-logging=stderr`).
fn open_in_chromium(page: &Path, profile: &Path, extra: &[String]) -> (String, String) {
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn console_lines(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

/// `value` at `path` (`latencyMs.p99`).
fn at<'a>(json: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(json, |v, key| &v[key])
}

/// Every `data-figure="PATH" data-value="VALUE"` pair on the page.
fn figures(dom: &str) -> Vec<(String, String)> {
    dom.split("data-figure=\"")
        .skip(1)
        .filter_map(|rest| {
            let (path, rest) = rest.split_once('"')?;
            let value = rest.strip_prefix(" data-value=\"")?.split('"').next()?;
            Some((path.to_owned(), value.to_owned()))
        })
        .collect()
}

/// The JSON embedded in the page behind its charts.
fn embedded_data(dom: &str) -> Value {
    let start = dom
        .find(r#"<script type="application/json" id="bench-data">"#)
        .expect("the page embeds its data");
    let rest = &dom[start..];
    let body = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(&body.replace("<\\/", "</")).expect("the embedded data is JSON")
}

/// The `<svg id="ID" …>…</svg>` element.
fn svg<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!(r#"<svg id="{id}""#))
        .unwrap_or_else(|| panic!("no chart {id} on the page"));
    let end = dom[start..].find("</svg>").unwrap();
    &dom[start..start + end]
}

fn sum(values: &Value) -> u64 {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_renders_in_chromium_with_its_charts_and_the_figures_of_the_same_run() {
    let topics = Topics::create(3).await;
    let gateway = spawn_gateway(&topics).await;
    let service = spawn_consumer(&topics).await;
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("run.html");
    // 300 orders at 150/s: two seconds and a bit, a few points per chart.
    let output = run_orders(&[
        "bench".into(),
        "-n".into(),
        "300".into(),
        "--rate".into(),
        "150".into(),
        "-c".into(),
        "8".into(),
        "--warmup".into(),
        "20".into(),
        "--e2e".into(),
        "--json".into(),
        "--report".into(),
        page.display().to_string(),
        "--gateway".into(),
        gateway.url(""),
        "--admin".into(),
        service.url(""),
    ])
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_stderr_has(&output, "report written to");
    let run: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(run["accepted"], 300, "{run}");

    // One file that loads nothing: no external resource of any kind, no executable script.
    let html = std::fs::read_to_string(&page).unwrap();
    for loads in [" src=", "<link", "url(", "@import", "<iframe", "<img"] {
        assert!(!html.contains(loads), "the report loads something: {loads}");
    }
    assert_eq!(
        html.matches("<script").count(),
        html.matches(r#"<script type="application/json""#).count(),
        "no script but the embedded data"
    );

    // The detector works: a page with a script error logs it.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        "<!doctype html><html><body><script>notDefined()</script></body></html>",
    )
    .unwrap();
    let (_, log) = open_in_chromium(
        &control,
        &dir.path().join("profile-control"),
        &["--dump-dom".into()],
    );
    assert!(
        console_lines(&log).iter().any(|l| l.contains("Uncaught")),
        "chromium did not report the control page's error:\n{log}"
    );

    // The report: a screenshot, then the DOM, without a console message.
    let shot = dir.path().join("run.png");
    let (_, log) = open_in_chromium(
        &page,
        &dir.path().join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1000,4200".into(),
        ],
    );
    assert!(console_lines(&log).is_empty(), "{log}");
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        png.len() > 30_000,
        "a screenshot of charts, {} bytes",
        png.len()
    );
    let (dom, log) = open_in_chromium(
        &page,
        &dir.path().join("profile-dom"),
        &["--dump-dom".into()],
    );
    assert!(console_lines(&log).is_empty(), "{log}");

    // The charts, each with something drawn in it.
    for id in [
        "chart-throughput",
        "chart-latency",
        "chart-hdr",
        "chart-e2e",
        "chart-backlog",
    ] {
        assert!(svg(&dom, id).contains("<polyline"), "{id} has no line");
    }
    let errors = svg(&dom, "chart-errors");
    assert!(
        errors.contains("no errors") && !errors.contains(r#"class="bar""#),
        "{errors}"
    );
    assert_eq!(
        svg(&dom, "chart-latency").matches("<polyline").count(),
        3,
        "p50 p90 p99"
    );

    // Every figure shown is the run's own.
    let shown = figures(&dom);
    for path in [
        "sent",
        "accepted",
        "errorRate",
        "throughput",
        "latencyMs.p50",
        "latencyMs.p99",
        "latencyMs.max",
        "e2e.persisted",
        "e2e.missing",
        "e2e.latencyMs.p99",
    ] {
        assert!(
            shown.iter().any(|(p, _)| p == path),
            "{path} is not on the page"
        );
    }
    for (path, value) in &shown {
        let expected = at(&run, path).as_f64().unwrap();
        assert_eq!(value.parse::<f64>().unwrap(), expected, "{path}");
    }

    // And the charts' data adds up to the same run.
    let data = embedded_data(&dom);
    assert_eq!(data["summary"], run, "the embedded summary is the --json");
    let series = &data["series"];
    assert_eq!(sum(&series["accepted"]), 300);
    assert_eq!(sum(&series["warmup"]), 20);
    assert_eq!(
        sum(&series["clientErrors"])
            + sum(&series["serverErrors"])
            + sum(&series["transportErrors"]),
        0
    );
    assert!(series["second"].as_array().unwrap().len() >= 2, "{series}");
    let distribution = data["distribution"].as_array().unwrap();
    let last = distribution.last().unwrap();
    assert_eq!(last["percentile"], 100.0);
    assert!(
        (last["ms"].as_f64().unwrap() - run["latencyMs"]["max"].as_f64().unwrap()).abs() < 0.01,
        "{last} against {}",
        run["latencyMs"]
    );
    let backlog = data["e2e"]["backlog"].as_array().unwrap();
    assert!(
        backlog.iter().any(|p| p[1].as_u64().unwrap() > 0),
        "orders waited at some point"
    );
    assert_eq!(backlog.last().unwrap()[1], 0, "and none at the end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_baseline_is_printed_charted_and_fails_the_run_past_max_regression() {
    let topics = Topics::create(1).await;
    let gateway = spawn_gateway(&topics).await;
    let dir = tempfile::tempdir().unwrap();
    let bench = |extra: Vec<String>| {
        let mut args: Vec<String> = ["bench", "-n", "200", "-c", "8", "--gateway"]
            .map(String::from)
            .to_vec();
        args.push(gateway.url(""));
        args.extend(extra);
        async move { run_orders(&args).await }
    };
    let first = bench(vec!["--json".into()]).await;
    assert!(first.status.success(), "{}", stderr(&first));
    let first: Value = serde_json::from_slice(&first.stdout).unwrap();

    // Baselines far better and far worse than any run here can be, whatever this
    // machine does (a first run's figures include its connections' start-up).
    let baseline = |name: &str, throughput: f64, latency_ms: f64| {
        let mut baseline = first.clone();
        baseline["throughput"] = throughput.into();
        for p in ["p50", "p90", "p99", "p999"] {
            baseline["latencyMs"][p] = latency_ms.into();
        }
        let path = dir.path().join(name);
        std::fs::write(&path, baseline.to_string()).unwrap();
        path.display().to_string()
    };
    let faster = baseline("faster.json", 1e9, 1e-6);
    let slower = baseline("slower.json", 1e-3, 1e9);

    let page = dir.path().join("regressed.html");
    let regressed = bench(vec![
        "--baseline".into(),
        faster.clone(),
        "--max-regression".into(),
        "50".into(),
        "--report".into(),
        page.display().to_string(),
    ])
    .await;
    assert!(
        !regressed.status.success(),
        "a drop of nearly 100 % must fail the run"
    );
    let out = stdout(&regressed);
    assert!(out.contains(&format!("against {faster}")), "{out}");
    assert!(out.contains("REGRESSED"), "{out}");
    assert_stderr_has(&regressed, "FAILED: throughput regressed");
    assert_stderr_has(&regressed, "FAILED: request p99 regressed");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains(r#"<svg id="chart-baseline""#));
    assert!(html.contains(r#"data-metric="throughput""#));
    assert!(
        html.contains("baseline p99"),
        "the baseline's percentiles on the distribution"
    );
    assert!(html.contains("failed its checks"));

    let improved = bench(vec![
        "--json".into(),
        "--baseline".into(),
        slower,
        "--max-regression".into(),
        "50".into(),
    ])
    .await;
    assert!(improved.status.success(), "{}", stderr(&improved));
    let improved: Value = serde_json::from_slice(&improved.stdout).unwrap();
    let rows = improved["baseline"]["rows"].as_array().unwrap();
    let throughput = rows.iter().find(|r| r["metric"] == "throughput").unwrap();
    assert!(
        throughput["changePercent"].as_f64().unwrap() > 1000.0,
        "{throughput}"
    );
    assert_eq!(throughput["regressed"], false);
    assert!(rows.iter().all(|r| r["regressed"] == false), "{rows:?}");
    assert_eq!(improved["failures"], serde_json::json!([]));

    // Mistakes are caught before any load is sent.
    let missing = bench(vec!["--baseline".into(), "/nonexistent/b.json".into()]).await;
    assert!(!missing.status.success());
    assert_stderr_has(&missing, "cannot read the baseline /nonexistent/b.json");
    let alone = bench(vec!["--max-regression".into(), "5".into()]).await;
    assert!(!alone.status.success());
    assert_stderr_has(&alone, "--baseline");
}
