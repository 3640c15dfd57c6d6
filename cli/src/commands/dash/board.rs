//! What the dashboard knows, built from successive rounds of reading: totals, rates per
//! second over the last interval, a minute of history for the sparklines, the lag's
//! trend and the time to drain it.
//!
//! It is pure (a round in, figures out), so the screen and the `--once --json` snapshot
//! are computed the same way, and tested without a service or a broker.

use super::collect::{Health, Reason, Sample, ServiceReading};
use super::prometheus::quantile_between;
use super::targets::{GroupSpec, Targets};
use chrono::{DateTime, SecondsFormat, Utc};
use orders_kafka::lag::GroupLag;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

/// How many rounds of history are kept: a minute at the default interval.
pub(crate) const HISTORY: usize = 60;

/// A counter: its total, its rate over the last interval and the recent rates.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Counter {
    pub(crate) total: Option<f64>,
    pub(crate) rate: Option<f64>,
    pub(crate) history: VecDeque<f64>,
}

impl Counter {
    /// Takes this round's total, `seconds` after the previous round.
    fn update(&mut self, total: Option<f64>, seconds: Option<f64>) {
        self.rate = match (self.total, total, seconds) {
            (Some(before), Some(now), Some(seconds)) if seconds > 0.0 => {
                // A service that restarted counts from zero again.
                let delta = if now >= before { now - before } else { now };
                Some(delta / seconds)
            }
            _ => None,
        };
        if seconds.is_some() {
            push(&mut self.history, self.rate.unwrap_or(0.0));
        }
        self.total = total;
    }
}

fn push<T>(history: &mut VecDeque<T>, value: T) {
    if history.len() == HISTORY {
        history.pop_front();
    }
    history.push_back(value);
}

/// Request latency over the last interval, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Latency {
    pub(crate) p50: f64,
    pub(crate) p99: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct ServiceView {
    pub(crate) name: String,
    pub(crate) url: String,
    pub(crate) work_label: String,
    /// `None` until the first round.
    pub(crate) health: Option<Health>,
    pub(crate) work: Counter,
    pub(crate) errors: Counter,
    pub(crate) has_latency: bool,
    pub(crate) latency: Option<Latency>,
    pub(crate) has_answers: bool,
    pub(crate) answers: BTreeMap<String, Counter>,
    pub(crate) stats: Option<Value>,
    buckets: Vec<(f64, f64)>,
}

impl ServiceView {
    fn update(&mut self, reading: ServiceReading, seconds: Option<f64>) {
        self.work.update(reading.work, seconds);
        self.errors.update(reading.errors, seconds);
        self.latency = (|| {
            // The first buckets after a start (or a restart) hold the whole past.
            if self.buckets.is_empty() {
                return None;
            }
            let p = |q| quantile_between(&self.buckets, &reading.latency, q).map(|s| s * 1e3);
            Some(Latency {
                p50: p(0.5)?,
                p99: p(0.99)?,
            })
        })();
        if !reading.latency.is_empty() || reading.health != Health::Ready {
            self.buckets = reading.latency;
        }
        for (status, counter) in &mut self.answers {
            if !reading.answers.contains_key(status) {
                counter.update(None, seconds);
            }
        }
        for (status, total) in reading.answers {
            self.answers
                .entry(status)
                .or_default()
                .update(Some(total), seconds);
        }
        self.stats = reading.stats;
        self.health = Some(reading.health);
    }
}

/// How the lag of a group is going.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Drain {
    /// Nothing waits.
    Drained,
    /// At the current rate, nothing will wait after this many seconds.
    In(f64),
    /// It grows: the group consumes more slowly than records arrive.
    Growing,
    /// Records wait and nothing is being committed.
    Stalled,
    /// Not enough rounds yet to say.
    Unknown,
}

#[derive(Debug, Clone)]
pub(crate) struct GroupView {
    pub(crate) spec: GroupSpec,
    pub(crate) lag: Option<GroupLag>,
    pub(crate) error: Option<String>,
    /// Total lag per round.
    pub(crate) history: VecDeque<i64>,
    /// Change of the total lag, records per second (negative: shrinking).
    pub(crate) trend: Option<f64>,
    /// Offsets committed per second, over every partition: how fast the group works.
    pub(crate) consumed: Counter,
}

impl GroupView {
    fn update(&mut self, reading: Result<GroupLag, String>, seconds: Option<f64>) {
        match reading {
            Ok(lag) => {
                let total = lag.total();
                self.trend = match (self.lag.as_ref(), seconds) {
                    (Some(before), Some(s)) if s > 0.0 => Some((total - before.total()) as f64 / s),
                    _ => None,
                };
                let committed: Option<i64> = lag
                    .has_committed()
                    .then(|| lag.partitions.iter().filter_map(|p| p.committed).sum());
                self.consumed.update(committed.map(|c| c as f64), seconds);
                push(&mut self.history, total);
                self.lag = Some(lag);
                self.error = None;
            }
            Err(error) => {
                self.trend = None;
                self.consumed.update(None, seconds);
                self.error = Some(error);
            }
        }
    }

    pub(crate) fn total(&self) -> Option<i64> {
        self.lag.as_ref().map(GroupLag::total)
    }

    pub(crate) fn drain(&self) -> Drain {
        let Some(total) = self.total() else {
            return Drain::Unknown;
        };
        if total == 0 {
            return Drain::Drained;
        }
        // A group that has never committed consumes nothing.
        let never_committed = self.lag.as_ref().is_some_and(|l| !l.has_committed());
        let consumed = self.consumed.rate.or(never_committed.then_some(0.0));
        let (Some(trend), Some(consumed)) = (self.trend, consumed) else {
            return Drain::Unknown;
        };
        if trend < 0.0 {
            Drain::In(total as f64 / -trend)
        } else if trend > 0.0 && consumed < trend {
            Drain::Growing
        } else if consumed > 0.0 {
            Drain::In(total as f64 / consumed)
        } else {
            Drain::Stalled
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct DeadLetterView {
    pub(crate) topic: String,
    pub(crate) records: Counter,
    pub(crate) newest: Option<Reason>,
    pub(crate) error: Option<String>,
}

/// Everything the dashboard shows but the events.
#[derive(Debug, Clone)]
pub(crate) struct Board {
    pub(crate) services: Vec<ServiceView>,
    pub(crate) groups: Vec<GroupView>,
    pub(crate) dead_letters: Vec<DeadLetterView>,
    /// Rounds read so far.
    pub(crate) rounds: u64,
    pub(crate) updated: Option<DateTime<Utc>>,
    /// Seconds between the last two rounds.
    pub(crate) interval: Option<f64>,
    last: Option<Instant>,
}

impl Board {
    pub(crate) fn new(targets: &Targets) -> Self {
        Self {
            services: targets
                .services
                .iter()
                .map(|spec| ServiceView {
                    name: spec.name.clone(),
                    url: spec.base_url.clone(),
                    work_label: spec.work_label.clone(),
                    health: None,
                    work: Counter::default(),
                    errors: Counter::default(),
                    has_latency: spec.latency.is_some(),
                    latency: None,
                    has_answers: spec.answers.is_some(),
                    answers: BTreeMap::new(),
                    stats: None,
                    buckets: Vec::new(),
                })
                .collect(),
            groups: targets
                .groups
                .iter()
                .map(|spec| GroupView {
                    spec: spec.clone(),
                    lag: None,
                    error: None,
                    history: VecDeque::new(),
                    trend: None,
                    consumed: Counter::default(),
                })
                .collect(),
            dead_letters: targets
                .dead_letter_topics
                .iter()
                .map(|topic| DeadLetterView {
                    topic: topic.clone(),
                    records: Counter::default(),
                    newest: None,
                    error: None,
                })
                .collect(),
            rounds: 0,
            updated: None,
            interval: None,
            last: None,
        }
    }

    /// Takes one round.
    pub(crate) fn update(&mut self, sample: Sample) {
        let seconds = self
            .last
            .map(|last| sample.at.saturating_duration_since(last).as_secs_f64());
        for (view, reading) in self.services.iter_mut().zip(sample.services) {
            view.update(reading, seconds);
        }
        for (view, reading) in self.groups.iter_mut().zip(sample.groups) {
            view.update(reading, seconds);
        }
        for (view, reading) in self.dead_letters.iter_mut().zip(sample.dead_letters) {
            match reading {
                Ok(reading) => {
                    view.records.update(Some(reading.count as f64), seconds);
                    view.newest = reading.newest;
                    view.error = None;
                }
                Err(error) => {
                    view.records.update(None, seconds);
                    view.error = Some(error);
                }
            }
        }
        self.interval = seconds;
        self.last = Some(sample.at);
        self.updated = Some(sample.taken);
        self.rounds += 1;
    }

    /// The snapshot `--once --json` prints.
    pub(crate) fn document(&self) -> Document<'_> {
        Document {
            version: 1,
            at: self
                .updated
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)),
            interval_seconds: self.interval,
            services: self.services.iter().map(ServiceDoc::from).collect(),
            groups: self.groups.iter().map(GroupDoc::from).collect(),
            dead_letters: self
                .dead_letters
                .iter()
                .map(|d| DeadLetterDoc {
                    topic: &d.topic,
                    records: d.records.total.map(|c| c as i64),
                    per_second: d.records.rate,
                    newest: d.newest.as_ref().map(|r| ReasonDoc {
                        kind: &r.kind,
                        message: &r.message,
                        at: r.at.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)),
                        record: &r.position,
                    }),
                    error: d.error.as_deref(),
                })
                .collect(),
        }
    }
}

/// `orders dash --once --json`: documented in docs/observability.md.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document<'a> {
    version: u32,
    at: Option<String>,
    interval_seconds: Option<f64>,
    services: Vec<ServiceDoc<'a>>,
    groups: Vec<GroupDoc<'a>>,
    dead_letters: Vec<DeadLetterDoc<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceDoc<'a> {
    name: &'a str,
    url: &'a str,
    /// `ready`, `not ready`, `down` or `unknown`.
    state: &'static str,
    reason: Option<&'a str>,
    work: CounterDoc<'a>,
    errors: CounterDoc<'a>,
    latency_ms: Option<Latency>,
    answers: Option<BTreeMap<&'a str, CounterDoc<'a>>>,
    stats: Option<&'a Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CounterDoc<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    total: Option<f64>,
    per_second: Option<f64>,
}

impl<'a> CounterDoc<'a> {
    fn of(counter: &Counter, name: Option<&'a str>) -> Self {
        Self {
            name,
            total: counter.total,
            per_second: counter.rate,
        }
    }
}

impl<'a> From<&'a ServiceView> for ServiceDoc<'a> {
    fn from(s: &'a ServiceView) -> Self {
        let (state, reason) = match &s.health {
            None => ("unknown", None),
            Some(Health::Ready) => ("ready", None),
            Some(Health::NotReady(why)) => ("not ready", Some(why.as_str())),
            Some(Health::Down(why)) => ("down", Some(why.as_str())),
        };
        Self {
            name: &s.name,
            url: &s.url,
            state,
            reason,
            work: CounterDoc::of(&s.work, Some(&s.work_label)),
            errors: CounterDoc::of(&s.errors, None),
            latency_ms: s.latency,
            answers: s.has_answers.then(|| {
                s.answers
                    .iter()
                    .map(|(status, c)| (status.as_str(), CounterDoc::of(c, None)))
                    .collect()
            }),
            stats: s.stats.as_ref(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupDoc<'a> {
    topic: &'a str,
    group: &'a str,
    state: Option<&'a str>,
    total_lag: Option<i64>,
    lag_per_second: Option<f64>,
    consumed_per_second: Option<f64>,
    /// Seconds until nothing waits at the current rate; null when it cannot be said.
    drain_seconds: Option<f64>,
    /// `drained`, `draining`, `growing`, `stalled` or `unknown`.
    drain: &'static str,
    partitions: Vec<PartitionDoc>,
    error: Option<&'a str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PartitionDoc {
    partition: i32,
    committed_offset: Option<i64>,
    log_end_offset: i64,
    lag: i64,
}

impl<'a> From<&'a GroupView> for GroupDoc<'a> {
    fn from(g: &'a GroupView) -> Self {
        let drain = g.drain();
        Self {
            topic: &g.spec.topic,
            group: &g.spec.group,
            state: g.lag.as_ref().map(|l| l.state.as_str()),
            total_lag: g.total(),
            lag_per_second: g.trend,
            consumed_per_second: g.consumed.rate,
            drain_seconds: match drain {
                Drain::Drained => Some(0.0),
                Drain::In(s) => Some(s),
                _ => None,
            },
            drain: match drain {
                Drain::Drained => "drained",
                Drain::In(_) => "draining",
                Drain::Growing => "growing",
                Drain::Stalled => "stalled",
                Drain::Unknown => "unknown",
            },
            partitions: g
                .lag
                .iter()
                .flat_map(|l| &l.partitions)
                .map(|p| PartitionDoc {
                    partition: p.partition,
                    committed_offset: p.committed,
                    log_end_offset: p.log_end,
                    lag: p.lag,
                })
                .collect(),
            error: g.error.as_deref(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DeadLetterDoc<'a> {
    topic: &'a str,
    records: Option<i64>,
    per_second: Option<f64>,
    newest: Option<ReasonDoc<'a>>,
    error: Option<&'a str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReasonDoc<'a> {
    kind: &'a str,
    message: &'a str,
    at: Option<String>,
    record: &'a str,
}

#[cfg(test)]
pub(crate) mod tests {
    //! Rounds made by hand, for this module's tests and the screen's.

    use super::*;
    use crate::commands::dash::collect::DeadLetterReading;
    use orders_kafka::KafkaConfig;
    use orders_kafka::lag::PartitionLag;
    use std::time::Duration;

    pub(crate) fn targets() -> Targets {
        let mut targets = Targets::pipeline(
            KafkaConfig::new("127.0.0.1:9", "t"),
            "http://127.0.0.1:3000",
            &crate::cli::ServiceUrls {
                admin: "http://127.0.0.1:3001".into(),
                inventory: "http://127.0.0.1:3002".into(),
                payment: "http://127.0.0.1:3003".into(),
                notification: "http://127.0.0.1:3004".into(),
            },
            &orders_kafka::Topics::default(),
            &crate::commands::dash::Groups {
                orders: "order-service-group".into(),
                inventory: "inventory-service-group".into(),
                payment: "payment-service-group".into(),
                notification: "notification-service-group".into(),
            },
        );
        // The board's tests watch the gateway, the order-service and its group on
        // order_created only.
        targets.services.truncate(2);
        targets.groups.truncate(1);
        targets.dead_letter_topics.truncate(1);
        targets
    }

    pub(crate) fn group(committed: &[i64], ends: &[i64]) -> GroupLag {
        GroupLag {
            group: "order-service-group".into(),
            topic: "order_created".into(),
            state: "Stable".into(),
            members: Vec::new(),
            partitions: committed
                .iter()
                .zip(ends)
                .enumerate()
                .map(|(i, (&c, &e))| PartitionLag {
                    partition: i as i32,
                    committed: Some(c),
                    log_start: 0,
                    log_end: e,
                    lag: e - c,
                    owner: None,
                })
                .collect(),
            assignments_reported: false,
        }
    }

    /// Round `i` of a pipeline under load: 100 orders a second accepted and created,
    /// latency buckets growing, lag shrinking from 60 by 10 a round (10 committed a second), one dead letter.
    pub(crate) fn round(start: Instant, i: u64, order_service_up: bool) -> Sample {
        let n = i as f64;
        let gateway = ServiceReading {
            health: Health::Ready,
            work: Some(100.0 * n),
            errors: Some(n),
            latency: vec![
                (0.005, 60.0 * n),
                (0.01, 99.0 * n),
                (f64::INFINITY, 101.0 * n),
            ],
            answers: [("202".to_owned(), 100.0 * n), ("503".to_owned(), n)].into(),
            stats: None,
        };
        let order_service = if order_service_up {
            ServiceReading {
                health: Health::Ready,
                work: Some(100.0 * n),
                errors: Some(0.0),
                latency: Vec::new(),
                answers: BTreeMap::new(),
                stats: Some(serde_json::json!({"created": 100 * i, "rejected": 0})),
            }
        } else {
            ServiceReading::down("connection refused")
        };
        let ends = [1060, 1000, 1000];
        Sample {
            at: start + Duration::from_secs(i),
            taken: DateTime::from_timestamp(1_800_000_000 + i as i64, 0).unwrap_or_default(),
            services: vec![gateway, order_service],
            groups: vec![Ok(group(&[1000 + 10 * i as i64, 1000, 1000], &ends))],
            dead_letters: vec![Ok(DeadLetterReading {
                count: 1,
                newest: Some(Reason {
                    kind: "not_json".into(),
                    message: "expected value at line 1 column 1".into(),
                    at: None,
                    position: "order_created-dlt/0@0".into(),
                }),
            })],
        }
    }

    #[test]
    fn rates_are_the_change_over_the_interval_and_a_restart_counts_from_zero() {
        let mut counter = Counter::default();
        counter.update(Some(100.0), None);
        assert_eq!(counter.rate, None);
        counter.update(Some(300.0), Some(2.0));
        assert_eq!(counter.rate, Some(100.0));
        counter.update(Some(50.0), Some(1.0));
        assert_eq!(counter.rate, Some(50.0));
        counter.update(None, Some(1.0));
        assert_eq!((counter.total, counter.rate), (None, None));
        assert_eq!(Vec::from(counter.history.clone()), vec![100.0, 50.0, 0.0]);
        for _ in 0..100 {
            counter.update(Some(1.0), Some(1.0));
        }
        assert_eq!(counter.history.len(), HISTORY);
    }

    #[test]
    fn a_board_fed_rounds_has_rates_latency_and_a_draining_lag() {
        let start = Instant::now();
        let mut board = Board::new(&targets());
        board.update(round(start, 1, true));
        assert_eq!(board.services[0].work.rate, None, "one round has no rate");
        assert_eq!(board.groups[0].drain(), Drain::Unknown);
        board.update(round(start, 2, true));
        let gateway = &board.services[0];
        assert_eq!(gateway.work.rate, Some(100.0));
        assert_eq!(gateway.errors.rate, Some(1.0));
        assert_eq!(gateway.answers["202"].rate, Some(100.0));
        let latency = gateway.latency.unwrap();
        assert!(latency.p50 > 0.0 && latency.p50 <= 5.0, "{latency:?}");
        assert!(latency.p99 > 5.0 && latency.p99 <= 10.0, "{latency:?}");
        let group = &board.groups[0];
        assert_eq!(group.total(), Some(40));
        assert_eq!(group.trend, Some(-10.0));
        assert_eq!(group.consumed.rate, Some(10.0));
        assert_eq!(group.drain(), Drain::In(4.0));

        let json = serde_json::to_value(board.document()).unwrap();
        assert_eq!(json["services"][0]["work"]["name"], "accepted");
        assert_eq!(json["services"][0]["work"]["perSecond"], 100.0);
        assert_eq!(json["services"][1]["stats"]["created"], 200);
        assert_eq!(json["groups"][0]["totalLag"], 40);
        assert_eq!(json["groups"][0]["drain"], "draining");
        assert_eq!(json["groups"][0]["partitions"][0]["lag"], 40);
        assert_eq!(json["deadLetters"][0]["records"], 1);
        assert_eq!(json["deadLetters"][0]["newest"]["kind"], "not_json");
    }

    #[test]
    fn a_service_that_goes_down_loses_its_rates_but_keeps_its_history() {
        let start = Instant::now();
        let mut board = Board::new(&targets());
        board.update(round(start, 1, true));
        board.update(round(start, 2, true));
        board.update(round(start, 3, false));
        let service = &board.services[1];
        assert_eq!(
            service.health,
            Some(Health::Down("connection refused".into()))
        );
        assert_eq!(service.work.rate, None);
        assert_eq!(Vec::from(service.work.history.clone()), vec![100.0, 0.0]);
        let json = serde_json::to_value(board.document()).unwrap();
        assert_eq!(json["services"][1]["state"], "down");
        assert_eq!(json["services"][1]["reason"], "connection refused");
    }

    #[test]
    fn the_drain_estimate_says_when_the_lag_grows_or_stalls() {
        let mut view = GroupView {
            spec: targets().groups[0].clone(),
            lag: Some(group(&[0], &[100])),
            error: None,
            history: VecDeque::new(),
            trend: Some(10.0),
            consumed: Counter {
                rate: Some(5.0),
                ..Counter::default()
            },
        };
        assert_eq!(view.drain(), Drain::Growing);
        view.trend = Some(0.0);
        view.consumed.rate = Some(0.0);
        assert_eq!(view.drain(), Drain::Stalled);
        view.consumed.rate = Some(50.0);
        assert_eq!(view.drain(), Drain::In(2.0));
        view.lag = Some(group(&[100], &[100]));
        assert_eq!(view.drain(), Drain::Drained);

        let mut never = group(&[0], &[100]);
        never.partitions[0].committed = None;
        view.lag = Some(never);
        view.consumed.rate = None;
        assert_eq!(view.drain(), Drain::Stalled, "a group that never committed");
    }
}
