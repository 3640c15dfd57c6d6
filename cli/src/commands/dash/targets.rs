//! What the dashboard watches: the services (where they answer, which of their counters
//! is their main work and which their errors), the consumer groups on their topics, the
//! dead-letter topics and the topics whose events scroll at the bottom.
//!
//! It is data, so that a new service of the pipeline is one more [`ServiceSpec`] in
//! [`Targets::pipeline`] (or in the caller's own list), and nothing else changes.

use super::prometheus::Selector;
use crate::cli::ServiceUrls;
use orders_core::saga::EventKind;
use orders_kafka::{Consumer, KafkaConfig, Topics};
use std::time::Duration;

/// Everything the dashboard shows, and how to reach it.
#[derive(Debug, Clone)]
pub struct Targets {
    pub kafka: KafkaConfig,
    pub services: Vec<ServiceSpec>,
    /// `(topic, consumer group)` pairs whose lag is shown.
    pub groups: Vec<GroupSpec>,
    pub dead_letter_topics: Vec<String>,
    /// Topics read (group-less, from their end) for the events pane.
    pub event_topics: Vec<String>,
    /// What `orders trace` is told, after the order's id, when an event is opened: where
    /// each topic and each service is (the broker and its options are added).
    pub trace_args: Vec<String>,
    /// How often everything is read again.
    pub interval: Duration,
    /// How long one read (an HTTP request, a Kafka query) may take before the thing read
    /// counts as down for this round.
    pub timeout: Duration,
}

/// One consumer group on one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSpec {
    pub topic: String,
    pub group: String,
}

/// A service of the pipeline, as the dashboard sees it: its admin base URL (which
/// answers `/readyz`, and `/metrics` and `/stats` as the sources below need), its main
/// work and its errors.
#[derive(Debug, Clone)]
pub struct ServiceSpec {
    pub name: String,
    pub base_url: String,
    /// What its main work is called on screen (`accepted`, `created`).
    pub work_label: String,
    pub work: Source,
    pub errors: Source,
    /// A request-duration histogram (seconds) whose p50 and p99 over the last interval
    /// are shown: the gateway's.
    pub latency: Option<Selector>,
    /// A counter of answers whose split by its `status` label is shown: the gateway's.
    pub answers: Option<Selector>,
}

/// Where a counter is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The sum of these fields of the service's `GET /stats` JSON (its own counters,
    /// exact for this one instance).
    Stats(Vec<String>),
    /// The sum of the matching samples on its `GET /metrics`.
    Metric(Selector),
}

impl Source {
    /// The sum of `fields` of `GET /stats`.
    pub fn stats<const N: usize>(fields: [&str; N]) -> Self {
        Self::Stats(fields.iter().map(|f| (*f).to_owned()).collect())
    }
}

impl ServiceSpec {
    /// A service at `base_url` whose work and errors are still to be said (until then
    /// both are read as `/stats` fields `processed` and `errors`).
    pub fn new(name: impl Into<String>, base_url: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            work_label: "processed".into(),
            work: Source::stats(["processed"]),
            errors: Source::stats(["errors"]),
            latency: None,
            answers: None,
        }
    }

    /// Its main work: shown as `label` per second.
    pub fn work(mut self, label: impl Into<String>, source: Source) -> Self {
        self.work_label = label.into();
        self.work = source;
        self
    }

    /// Its errors, shown per second.
    pub fn errors(mut self, source: Source) -> Self {
        self.errors = source;
        self
    }

    /// The gateway: accepted orders (202 on `POST /orders`) as its work, 5xx answers as
    /// its errors, its request latency and its answers by status code, from `/metrics`.
    pub fn gateway(base_url: impl Into<String>) -> Self {
        let requests = Selector::new("orders_http_requests_total")
            .with("service", "gateway")
            .with("route", "/orders")
            .with("method", "POST");
        let mut spec = Self::new("gateway", base_url)
            .work(
                "accepted",
                Source::Metric(requests.clone().with("status", "202")),
            )
            .errors(Source::Metric(requests.clone().with("status", "5*")));
        spec.latency = Some(
            Selector::new("orders_http_request_duration_seconds")
                .with("service", "gateway")
                .with("route", "/orders")
                .with("method", "POST"),
        );
        spec.answers = Some(requests);
        spec
    }

    /// The order-service: orders created as its work; records set aside (dead-lettered)
    /// and retried failures as its errors, from its own `/stats` (in `orders up` both
    /// services share one `/metrics` registry, `/stats` is this instance's alone).
    pub fn order_service(base_url: impl Into<String>) -> Self {
        Self::new("order-service", base_url)
            .work("created", Source::stats(["created"]))
            .errors(Source::stats(["rejected", "retries"]))
    }
}

/// The consumer group of each consuming service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groups {
    pub orders: String,
    pub inventory: String,
    pub payment: String,
    pub notification: String,
}

impl Targets {
    /// The pipeline as it is: the gateway and the four consuming services, each
    /// service's group on every topic it consumes, every dead-letter topic, every event
    /// topic in the events pane, and `orders trace` told where each part is. Add a
    /// service with one more [`ServiceSpec`] in `services`, a group with one more
    /// [`GroupSpec`].
    pub fn pipeline(
        kafka: KafkaConfig,
        gateway_url: &str,
        urls: &ServiceUrls,
        topics: &Topics,
        groups: &Groups,
    ) -> Self {
        let members = [
            (Consumer::OrderService, &groups.orders),
            (Consumer::Inventory, &groups.inventory),
            (Consumer::Payment, &groups.payment),
            (Consumer::Notification, &groups.notification),
        ];
        let group_specs = members
            .iter()
            .flat_map(|(consumer, group)| {
                topics
                    .consumed_by(*consumer)
                    .into_iter()
                    .map(|topic| GroupSpec {
                        topic,
                        group: (*group).clone(),
                    })
            })
            .collect();
        let mut trace_args = Vec::new();
        for (kind, topic) in topics.events() {
            let flag = match kind {
                EventKind::OrderCreated => "--topic".to_owned(),
                kind => format!("--topic-{}", kind.as_str().replace('_', "-")),
            };
            trace_args.extend([flag, topic.to_owned()]);
        }
        for (flag, url) in [
            ("--admin", &urls.admin),
            ("--inventory", &urls.inventory),
            ("--payment", &urls.payment),
            ("--notification", &urls.notification),
        ] {
            trace_args.extend([flag.to_owned(), url.clone()]);
        }
        Self {
            kafka,
            services: vec![
                ServiceSpec::gateway(gateway_url),
                ServiceSpec::order_service(&urls.admin),
                ServiceSpec::new("inventory-service", urls.inventory.as_str())
                    .work("reserved", Source::stats(["reserved"]))
                    .errors(Source::stats(["rejected", "retries"])),
                ServiceSpec::new("payment-service", urls.payment.as_str())
                    .work("charged", Source::stats(["completed", "failed"]))
                    .errors(Source::stats(["rejected", "retries"])),
                ServiceSpec::new("notification-service", urls.notification.as_str())
                    .work(
                        "sent",
                        Source::Metric(
                            Selector::new("orders_notification_attempts_total")
                                .with("outcome", "sent"),
                        ),
                    )
                    .errors(Source::stats(["rejected", "retries"])),
            ],
            groups: group_specs,
            dead_letter_topics: Consumer::ALL
                .into_iter()
                .map(|c| topics.dead_letters(c).to_owned())
                .collect(),
            event_topics: topics.events().map(|(_, t)| t.to_owned()).collect(),
            trace_args,
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(2),
        }
    }
}
