//! The outbox relay: publishes what a service wrote to its outbox, in order, and marks it.
//!
//! A service writes its state change and the events it causes in one transaction; the
//! relay is what gets those events onto Kafka. It is at least once by nature (it can crash
//! after the broker acknowledged an event and before it recorded that), so it makes the
//! repeat impossible instead:
//!
//! - every event carries an `event-id` header, the same on every attempt;
//! - the outbox remembers, per partition, the furthest offset the relay published, and
//!   seeds it (with the partition's end) before the relay's first publication there;
//! - when the relay cannot know what landed (at start-up with events waiting, after a
//!   failed or timed-out round), it first reads each partition from that offset to its end
//!   and marks the waiting events it finds there as published.
//!
//! One relay per database publishes at a time (a lease in the database), so two instances
//! of a service never publish the same event; the other takes over when the lease lapses.

use crate::retry::Backoff;
use crate::status::Status;
use orders_core::{EventPosition, Outbox, PublishError, QueuedEvent};
use orders_kafka::published::{find_events, watermarks};
use orders_kafka::topics::{EVENT_ID_HEADER, EVENT_TYPE_HEADER};
use orders_kafka::{KafkaConfig, KafkaPublisher, Record};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// What a service's outbox is and where its events go.
#[derive(Debug, Clone)]
pub struct OutboxSpec {
    pub outbox: Arc<dyn Outbox>,
    /// Every topic the service publishes to (read after a crash).
    pub topics: Vec<String>,
}

/// How the relay works.
#[derive(Debug, Clone)]
pub(crate) struct RelaySettings {
    /// Events published per round.
    pub(crate) batch: usize,
    /// How long the lease lasts without renewal: another instance takes over after it.
    pub(crate) lease: Duration,
    /// How often the relay looks at the outbox when nothing woke it.
    pub(crate) idle: Duration,
    pub(crate) backoff: Backoff,
    /// Longest a read of the topics after a crash may take.
    pub(crate) scan_timeout: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            batch: 2_000,
            lease: Duration::from_secs(10),
            idle: Duration::from_millis(500),
            backoff: Backoff::default(),
            scan_timeout: Duration::from_secs(30),
        }
    }
}

pub(crate) struct Relay {
    pub(crate) spec: OutboxSpec,
    pub(crate) kafka: KafkaConfig,
    pub(crate) publisher: KafkaPublisher,
    pub(crate) status: Arc<Status>,
    pub(crate) wake: Arc<Notify>,
    pub(crate) settings: RelaySettings,
    /// Who holds the lease: unique per process.
    pub(crate) owner: String,
}

/// What one round did.
enum Round {
    /// Nothing waits.
    Idle,
    /// Events were published; more may wait.
    Busy,
    /// Another instance holds the lease.
    NotLeader,
}

impl Relay {
    pub(crate) async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut leased_until: Option<Instant> = None;
        let mut uncertain = true;
        let mut attempt = 0u32;
        loop {
            let round = tokio::select! {
                biased;
                () = &mut shutdown => break,
                round = self.round(&mut leased_until, &mut uncertain) => round,
            };
            let wait = match round {
                Ok(Round::Busy) => {
                    if attempt > 0 {
                        self.status.recovered();
                    }
                    attempt = 0;
                    continue;
                }
                Ok(Round::Idle | Round::NotLeader) => {
                    if attempt > 0 {
                        self.status.recovered();
                    }
                    attempt = 0;
                    self.settings.idle
                }
                Err(error) => {
                    attempt += 1;
                    uncertain = true;
                    let delay = self.settings.backoff.delay(attempt);
                    tracing::warn!(%error, attempt, retry_in_ms = delay.as_millis() as u64, "publishing the outbox failed, will retry");
                    self.status.failing("publish the outbox", error);
                    delay
                }
            };
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        if leased_until.is_some()
            && let Ok(Err(error)) | Err(error) = tokio::time::timeout(
                Duration::from_secs(2),
                self.spec.outbox.release(&self.owner),
            )
            .await
            .map_err(|_| orders_core::StoreError::Unavailable("timed out".into()))
        {
            tracing::debug!(%error, "releasing the relay lease failed; it lapses by itself");
        }
    }

    /// Takes or renews the lease, recovers when it must, and publishes one batch.
    async fn round(
        &self,
        leased_until: &mut Option<Instant>,
        uncertain: &mut bool,
    ) -> Result<Round, String> {
        let renew_after = self.settings.lease / 3;
        let due = leased_until
            .is_none_or(|until| until.saturating_duration_since(Instant::now()) < renew_after * 2);
        if due {
            let taken = self
                .spec
                .outbox
                .lease(&self.owner, self.settings.lease)
                .await
                .map_err(|e| e.to_string())?;
            if !taken {
                if leased_until.take().is_some() {
                    tracing::info!("another instance took the outbox relay's lease");
                }
                *uncertain = true;
                return Ok(Round::NotLeader);
            }
            if leased_until.is_none() {
                tracing::info!(
                    service = self.status.service(),
                    "this instance publishes the outbox"
                );
            }
            *leased_until = Some(Instant::now() + self.settings.lease);
        }
        if *uncertain {
            self.recover().await?;
            *uncertain = false;
        }
        let queued = self
            .spec
            .outbox
            .queued(self.settings.batch)
            .await
            .map_err(|e| e.to_string())?;
        if queued.is_empty() {
            return Ok(Round::Idle);
        }
        self.publish(&queued).await?;
        Ok(Round::Busy)
    }

    /// Publishes `queued` (pipelined, in order per partition) and marks what the broker
    /// acknowledged. Any other outcome is an error: what landed is found by the next
    /// recovery.
    async fn publish(&self, queued: &[QueuedEvent]) -> Result<(), String> {
        let sends = queued.iter().map(|q| {
            let mut headers = q.event.headers.clone();
            headers.push((
                EVENT_ID_HEADER.to_owned(),
                q.event.event_id.to_string().into_bytes(),
            ));
            headers.push((
                EVENT_TYPE_HEADER.to_owned(),
                q.event.kind.as_str().as_bytes().to_vec(),
            ));
            let record = Record {
                topic: q.event.topic.clone(),
                partition: None,
                key: Some(q.event.key.as_str().as_bytes().to_vec()),
                value: Some(q.event.value.clone()),
                headers,
            };
            async move { (q.seq, self.publisher.publish_record(&record).await) }
        });
        let results = futures::future::join_all(sends).await;
        let mut done = Vec::new();
        let mut refused = Vec::new();
        let mut failure = None;
        for ((seq, result), q) in results.into_iter().zip(queued) {
            match result {
                Ok(published) => done.push((
                    seq,
                    EventPosition {
                        topic: q.event.topic.clone(),
                        partition: published.partition,
                        offset: published.offset,
                    },
                )),
                Err(PublishError::Refused(reason)) => {
                    tracing::error!(
                        event_id = %q.event.event_id,
                        event_type = q.event.kind.as_str(),
                        correlation_id = q.event.key.as_str(),
                        topic = %q.event.topic,
                        %reason,
                        "the broker refuses an outbox event for good: dropping it"
                    );
                    metrics::counter!("orders_outbox_refused_total", "service" => self.status.service())
                        .increment(1);
                    refused.push(seq);
                }
                Err(error) => {
                    failure.get_or_insert(error.to_string());
                }
            }
        }
        self.spec
            .outbox
            .published(&done)
            .await
            .map_err(|e| e.to_string())?;
        self.spec
            .outbox
            .discard(&refused)
            .await
            .map_err(|e| e.to_string())?;
        metrics::counter!("orders_outbox_published_total", "service" => self.status.service())
            .increment(done.len() as u64);
        match failure {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Marks as published the waiting events that are on their topics already, and makes
    /// sure every partition of every topic has a remembered offset before anything is
    /// published there.
    async fn recover(&self) -> Result<(), String> {
        let known: HashMap<(String, i32), i64> = self
            .spec
            .outbox
            .positions()
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|p| ((p.topic, p.partition), p.offset))
            .collect();
        let waiting = self
            .spec
            .outbox
            .queued(usize::MAX)
            .await
            .map_err(|e| e.to_string())?;
        let mut wanted: BTreeMap<&str, HashSet<String>> = BTreeMap::new();
        for q in &waiting {
            wanted
                .entry(q.event.topic.as_str())
                .or_default()
                .insert(q.event.event_id.to_string());
        }
        let mut seeds = Vec::new();
        let mut found = Vec::new();
        let by_id: HashMap<String, i64> = waiting
            .iter()
            .map(|q| (q.event.event_id.to_string(), q.seq))
            .collect();
        for topic in &self.spec.topics {
            let ends = watermarks(&self.kafka, topic, self.settings.scan_timeout)
                .await
                .map_err(|e| format!("reading {topic}'s offsets: {e}"))?;
            let mut from = Vec::new();
            for (partition, low, high) in ends {
                match known.get(&(topic.clone(), partition)) {
                    Some(&last) => from.push((partition, last + 1)),
                    None => {
                        // Nothing of ours can be there yet: remember where it ends now.
                        from.push((partition, low.max(high)));
                        seeds.push(EventPosition {
                            topic: topic.clone(),
                            partition,
                            offset: high - 1,
                        });
                    }
                }
            }
            if let Some(ids) = wanted.remove(topic.as_str()) {
                let on_topic =
                    find_events(&self.kafka, topic, from, ids, self.settings.scan_timeout)
                        .await
                        .map_err(|e| {
                            format!("reading {topic} for events already published: {e}")
                        })?;
                found.extend(
                    on_topic
                        .into_iter()
                        .filter_map(|(id, position)| Some((*by_id.get(&id)?, position))),
                );
            }
        }
        self.spec
            .outbox
            .seed_positions(&seeds)
            .await
            .map_err(|e| e.to_string())?;
        if !found.is_empty() {
            tracing::info!(
                events = found.len(),
                "events published before a restart were found on their topics: not publishing them again"
            );
            self.spec
                .outbox
                .published(&found)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}
