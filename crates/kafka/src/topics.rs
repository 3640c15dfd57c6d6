//! The pipeline's topics by name: one per kind of event, and one dead-letter topic per
//! consuming service. Plain data with the seed's defaults; the CLI fills it from flags and
//! `KAFKA_TOPIC_*` variables, tests give every name a prefix of their own.

use orders_core::saga::EventKind;
use std::collections::BTreeMap;

/// The header that names an event's kind on every record our services publish.
pub const EVENT_TYPE_HEADER: &str = "event-type";
/// The header that carries an event's id: the same on every attempt to publish it, so
/// that a relay that restarts can tell what it already published.
pub const EVENT_ID_HEADER: &str = "event-id";

/// The services that consume, each with a dead-letter topic of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Consumer {
    OrderService,
    Inventory,
    Payment,
    Notification,
}

impl Consumer {
    pub const ALL: [Consumer; 4] = [
        Self::OrderService,
        Self::Inventory,
        Self::Payment,
        Self::Notification,
    ];

    /// The service's name (logs, metrics, `/stats`).
    pub fn service(self) -> &'static str {
        match self {
            Self::OrderService => "order-service",
            Self::Inventory => "inventory-service",
            Self::Payment => "payment-service",
            Self::Notification => "notification-service",
        }
    }

    /// The consumer group its instances share by default.
    pub fn default_group(self) -> &'static str {
        match self {
            Self::OrderService => "order-service-group",
            Self::Inventory => "inventory-service-group",
            Self::Payment => "payment-service-group",
            Self::Notification => "notification-service-group",
        }
    }

    /// The events it consumes.
    pub fn consumes(self) -> &'static [EventKind] {
        use EventKind::*;
        match self {
            Self::OrderService => &[
                OrderCreated,
                InventoryRejected,
                PaymentCompleted,
                PaymentFailed,
            ],
            Self::Inventory => &[OrderCreated, PaymentCompleted, PaymentFailed],
            Self::Payment => &[InventoryReserved],
            Self::Notification => &[OrderConfirmed, OrderRejected],
        }
    }

    /// The events it publishes.
    pub fn publishes(self) -> &'static [EventKind] {
        use EventKind::*;
        match self {
            Self::OrderService => &[OrderConfirmed, OrderRejected],
            Self::Inventory => &[InventoryReserved, InventoryRejected, InventoryReleased],
            Self::Payment => &[PaymentCompleted, PaymentFailed],
            Self::Notification => &[],
        }
    }
}

/// Every topic of the pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    events: BTreeMap<EventKind, String>,
    dead_letters: BTreeMap<Consumer, String>,
}

impl Default for Topics {
    /// `order_created`, `inventory_reserved`, …; dead letters in `order_created-dlt` (the
    /// order-service's, as before the saga), `inventory-dlt`, `payment-dlt` and
    /// `notification-dlt`.
    fn default() -> Self {
        Self {
            events: EventKind::ALL
                .into_iter()
                .map(|k| (k, k.as_str().to_owned()))
                .collect(),
            dead_letters: Consumer::ALL
                .into_iter()
                .map(|c| (c, default_dead_letters(c, EventKind::OrderCreated.as_str())))
                .collect(),
        }
    }
}

fn default_dead_letters(consumer: Consumer, order_created: &str) -> String {
    match consumer {
        Consumer::OrderService => format!("{order_created}-dlt"),
        Consumer::Inventory => "inventory-dlt".into(),
        Consumer::Payment => "payment-dlt".into(),
        Consumer::Notification => "notification-dlt".into(),
    }
}

impl Topics {
    /// Every name with `prefix` in front (`t1.order_created`), for tests that share a
    /// broker.
    pub fn prefixed(prefix: &str) -> Self {
        let mut topics = Self::default();
        for name in topics
            .events
            .values_mut()
            .chain(topics.dead_letters.values_mut())
        {
            *name = format!("{prefix}{name}");
        }
        topics
    }

    pub fn of(&self, kind: EventKind) -> &str {
        &self.events[&kind]
    }

    pub fn dead_letters(&self, consumer: Consumer) -> &str {
        &self.dead_letters[&consumer]
    }

    /// Renames the topic of `kind`. Renaming `order_created` also moves the
    /// order-service's dead-letter topic, unless it was renamed itself.
    pub fn set(&mut self, kind: EventKind, name: impl Into<String>) {
        let name = name.into();
        if kind == EventKind::OrderCreated {
            let dead = self.dead_letters.entry(Consumer::OrderService).or_default();
            if *dead == default_dead_letters(Consumer::OrderService, &self.events[&kind]) {
                *dead = default_dead_letters(Consumer::OrderService, &name);
            }
        }
        self.events.insert(kind, name);
    }

    pub fn set_dead_letters(&mut self, consumer: Consumer, name: impl Into<String>) {
        self.dead_letters.insert(consumer, name.into());
    }

    /// The kind of event a topic carries, if it is one of the pipeline's.
    pub fn kind_of(&self, topic: &str) -> Option<EventKind> {
        self.events
            .iter()
            .find_map(|(kind, name)| (name == topic).then_some(*kind))
    }

    /// The topics `consumer` reads.
    pub fn consumed_by(&self, consumer: Consumer) -> Vec<String> {
        consumer
            .consumes()
            .iter()
            .map(|&k| self.of(k).to_owned())
            .collect()
    }

    /// Every event topic, in the saga's order, then every dead-letter topic.
    pub fn all(&self) -> Vec<String> {
        self.events
            .values()
            .chain(self.dead_letters.values())
            .cloned()
            .collect()
    }

    /// Every event topic, in the saga's order.
    pub fn events(&self) -> impl Iterator<Item = (EventKind, &str)> {
        self.events.iter().map(|(k, n)| (*k, n.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_event_names_and_the_seed_dead_letter_topic() {
        let topics = Topics::default();
        assert_eq!(topics.of(EventKind::PaymentFailed), "payment_failed");
        assert_eq!(
            topics.dead_letters(Consumer::OrderService),
            "order_created-dlt"
        );
        assert_eq!(topics.all().len(), 12);
        assert_eq!(
            topics.kind_of("inventory_reserved"),
            Some(EventKind::InventoryReserved)
        );
    }

    #[test]
    fn renaming_order_created_moves_its_dead_letter_topic_unless_that_was_renamed() {
        let mut topics = Topics::default();
        topics.set(EventKind::OrderCreated, "orders-eu");
        assert_eq!(topics.dead_letters(Consumer::OrderService), "orders-eu-dlt");
        topics.set_dead_letters(Consumer::OrderService, "parked");
        topics.set(EventKind::OrderCreated, "orders-us");
        assert_eq!(topics.dead_letters(Consumer::OrderService), "parked");
    }

    #[test]
    fn every_consumed_kind_is_published_by_someone_or_the_gateway() {
        for consumer in Consumer::ALL {
            for kind in consumer.consumes() {
                let published = *kind == EventKind::OrderCreated
                    || Consumer::ALL.iter().any(|c| c.publishes().contains(kind));
                assert!(
                    published,
                    "{kind} is consumed by {consumer:?} but never published"
                );
            }
        }
    }
}
