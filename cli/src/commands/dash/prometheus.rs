//! Reading what a service's `GET /metrics` says, in the Prometheus text format: the
//! dashboard asks for sums of counters whose labels match, and for a histogram's buckets,
//! nothing more, so this is a small reader rather than a Prometheus client.
//!
//! Lines that cannot be read are skipped: one odd line from a service (or a metric added
//! later in a format this does not know) must not blank the whole dashboard.

use std::collections::BTreeMap;

/// One sample: `name{labels} value`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sample {
    pub(crate) name: String,
    pub(crate) labels: Vec<(String, String)>,
    pub(crate) value: f64,
}

impl Sample {
    fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Which samples of a metric count: the metric's name and label conditions, each an
/// exact value or, ending in `*`, a prefix (`status = "5*"` is every 5xx answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub metric: String,
    pub labels: Vec<(String, String)>,
}

impl Selector {
    /// `metric` with no label conditions; add them with [`Selector::with`].
    pub fn new(metric: impl Into<String>) -> Self {
        Self {
            metric: metric.into(),
            labels: Vec::new(),
        }
    }

    /// Also requires label `name` to be `value` (or, when it ends in `*`, to start with
    /// what comes before it).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((name.into(), value.into()));
        self
    }

    fn matches_labels(&self, sample: &Sample) -> bool {
        self.labels.iter().all(|(name, wanted)| {
            let value = sample.label(name).unwrap_or("");
            match wanted.strip_suffix('*') {
                Some(prefix) => value.starts_with(prefix),
                None => value == wanted,
            }
        })
    }
}

/// A scrape of one `/metrics` page.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Scrape {
    samples: Vec<Sample>,
}

impl Scrape {
    pub(crate) fn parse(text: &str) -> Self {
        Self {
            samples: text.lines().filter_map(parse_line).collect(),
        }
    }

    /// The sum of every sample of the selected counter (or gauge); `None` when the page
    /// has no such sample, which is not the same as zero: the metric may simply not have
    /// been recorded yet.
    pub(crate) fn sum(&self, selector: &Selector) -> Option<f64> {
        let mut found = None;
        for sample in self.matching(&selector.metric, selector) {
            *found.get_or_insert(0.0) += sample.value;
        }
        found
    }

    /// The selected counter summed per value of `label` (answers by status code).
    pub(crate) fn sum_by(&self, selector: &Selector, label: &str) -> BTreeMap<String, f64> {
        let mut by = BTreeMap::new();
        for sample in self.matching(&selector.metric, selector) {
            let key = sample.label(label).unwrap_or("").to_owned();
            *by.entry(key).or_insert(0.0) += sample.value;
        }
        by
    }

    /// The selected histogram's cumulative buckets, summed over every matching label set:
    /// `(upper bound, count)` in increasing order of bound, `+Inf` last.
    pub(crate) fn buckets(&self, selector: &Selector) -> Vec<(f64, f64)> {
        let name = format!("{}_bucket", selector.metric);
        let mut by_bound: Vec<(f64, f64)> = Vec::new();
        for sample in self.matching(&name, selector) {
            let Some(bound) = sample.label("le").and_then(parse_value) else {
                continue;
            };
            match by_bound.iter_mut().find(|(b, _)| *b == bound) {
                Some((_, count)) => *count += sample.value,
                None => by_bound.push((bound, sample.value)),
            }
        }
        by_bound.sort_by(|a, b| a.0.total_cmp(&b.0));
        by_bound
    }

    fn matching<'a>(
        &'a self,
        name: &'a str,
        selector: &'a Selector,
    ) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples
            .iter()
            .filter(move |s| s.name == name && selector.matches_labels(s))
    }
}

/// The `q` quantile (0 to 1) of the observations between two scrapes of one histogram,
/// from the difference of their cumulative buckets, interpolated linearly inside the
/// bucket it falls in (as Prometheus's `histogram_quantile` does). `None` when nothing
/// was observed in between. A quantile in the `+Inf` bucket is reported as the largest
/// finite bound: all that is known is that it is above it.
pub(crate) fn quantile_between(before: &[(f64, f64)], after: &[(f64, f64)], q: f64) -> Option<f64> {
    let delta: Vec<(f64, f64)> = after
        .iter()
        .map(|&(bound, count)| {
            let earlier = before
                .iter()
                .find(|(b, _)| *b == bound)
                .map_or(0.0, |(_, c)| *c);
            // A restarted service starts its counters again: count from zero then.
            let observed = if count >= earlier {
                count - earlier
            } else {
                count
            };
            (bound, observed)
        })
        .collect();
    let total = delta.last()?.1;
    if total <= 0.0 {
        return None;
    }
    let rank = q.clamp(0.0, 1.0) * total;
    let mut lower_bound = 0.0;
    let mut lower_count = 0.0;
    for &(bound, count) in &delta {
        if count >= rank && count > lower_count {
            if bound.is_infinite() {
                return Some(lower_bound);
            }
            let fraction = (rank - lower_count) / (count - lower_count);
            return Some(lower_bound + (bound - lower_bound) * fraction);
        }
        if bound.is_finite() {
            lower_bound = bound;
        }
        lower_count = count;
    }
    Some(lower_bound)
}

fn parse_value(text: &str) -> Option<f64> {
    match text {
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ => text.parse().ok(),
    }
}

/// `name{a="x",b="y"} 12 [timestamp]`, or `None` for a comment, a blank or a line that
/// is not a sample.
fn parse_line(line: &str) -> Option<Sample> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let name_end = line.find(|c: char| c == '{' || c.is_whitespace())?;
    let name = &line[..name_end];
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(inner) = rest.strip_prefix('{') {
        let (parsed, after) = parse_labels(inner)?;
        labels = parsed;
        rest = after;
    }
    let value = parse_value(rest.split_whitespace().next()?)?;
    Some(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// The labels up to the closing `}`, and what follows it.
fn parse_labels(mut text: &str) -> Option<(Vec<(String, String)>, &str)> {
    let mut labels = Vec::new();
    loop {
        text = text.trim_start_matches([' ', ',']);
        if let Some(after) = text.strip_prefix('}') {
            return Some((labels, after));
        }
        let eq = text.find('=')?;
        let name = text[..eq].trim().to_owned();
        text = text[eq + 1..].trim_start().strip_prefix('"')?;
        let mut value = String::new();
        let mut chars = text.char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                '"' => break i,
                '\\' => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                c => value.push(c),
            }
        };
        labels.push((name, value));
        text = &text[end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"# TYPE orders_http_requests_total counter
orders_http_requests_total{service="gateway",method="POST",route="/orders",status="202"} 120
orders_http_requests_total{service="gateway",method="POST",route="/orders",status="400"} 3
orders_http_requests_total{service="gateway",method="POST",route="/orders",status="503"} 2
orders_http_requests_total{service="order-service",method="GET",route="/stats",status="200"} 9
orders_events_rejected_total{kind="not_json"} 1
orders_events_rejected_total{kind="contract_violation"} 4
weird_label{path="a \"quoted\" \\ value, with } inside"} 7 1700000000000
orders_http_request_duration_seconds_bucket{service="gateway",status="202",le="0.005"} 50
orders_http_request_duration_seconds_bucket{service="gateway",status="202",le="0.01"} 100
orders_http_request_duration_seconds_bucket{service="gateway",status="202",le="+Inf"} 120
orders_http_request_duration_seconds_bucket{service="gateway",status="503",le="0.005"} 0
orders_http_request_duration_seconds_bucket{service="gateway",status="503",le="0.01"} 0
orders_http_request_duration_seconds_bucket{service="gateway",status="503",le="+Inf"} 2
not a sample line
"#;

    #[test]
    fn counters_are_summed_over_the_label_sets_that_match() {
        let scrape = Scrape::parse(PAGE);
        let gateway = Selector::new("orders_http_requests_total").with("service", "gateway");
        assert_eq!(scrape.sum(&gateway), Some(125.0));
        assert_eq!(scrape.sum(&gateway.clone().with("status", "5*")), Some(2.0));
        assert_eq!(
            scrape.sum(&Selector::new("orders_events_rejected_total")),
            Some(5.0)
        );
        assert_eq!(
            scrape.sum(&Selector::new("orders_orders_created_total")),
            None
        );
        let by_status = scrape.sum_by(&gateway, "status");
        assert_eq!(by_status["202"], 120.0);
        assert_eq!(by_status["400"], 3.0);
    }

    #[test]
    fn quoted_label_values_keep_their_escapes_and_braces() {
        let scrape = Scrape::parse(PAGE);
        let selector =
            Selector::new("weird_label").with("path", r#"a "quoted" \ value, with } inside"#);
        assert_eq!(scrape.sum(&selector), Some(7.0));
    }

    #[test]
    fn quantiles_come_from_the_buckets_observed_between_two_scrapes() {
        let selector =
            Selector::new("orders_http_request_duration_seconds").with("service", "gateway");
        let after = Scrape::parse(PAGE).buckets(&selector);
        assert_eq!(
            after,
            vec![(0.005, 50.0), (0.01, 100.0), (f64::INFINITY, 122.0)]
        );
        let before = vec![(0.005, 50.0), (0.01, 50.0), (f64::INFINITY, 50.0)];
        // 72 new observations: 50 in (0.005, 0.01], 22 above.
        let p50 = quantile_between(&before, &after, 0.5).unwrap();
        assert!((p50 - (0.005 + 0.005 * 36.0 / 50.0)).abs() < 1e-12, "{p50}");
        assert_eq!(quantile_between(&before, &after, 0.99), Some(0.01));
        assert_eq!(quantile_between(&after, &after, 0.5), None);
        assert_eq!(quantile_between(&[], &[], 0.5), None);
    }

    #[test]
    fn a_restarted_service_counts_from_zero() {
        let before = vec![(0.01, 500.0), (f64::INFINITY, 500.0)];
        let after = vec![(0.01, 10.0), (f64::INFINITY, 10.0)];
        assert!(quantile_between(&before, &after, 0.5).unwrap() <= 0.01);
    }
}
