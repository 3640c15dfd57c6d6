//! The notification store on both backends: one row per order, outcome and channel
//! however often it is recorded, claims that keep two workers off one notification, and
//! failing for good with the dead letter in the outbox in the same transaction.

use crate::harness::{FreshDb, on_both_backends};
use orders_core::api::{NotificationChannel, NotificationState, SetCustomer};
use orders_core::saga::EventKind;
use orders_core::{CorrelationId, Outbox, OutgoingEvent};
use orders_store::StoreOptions;
use orders_store::notifications::{NewNotification, NotificationStore, Rearm, SourceRecord};
use std::time::Duration;

on_both_backends!(run_fresh:
    a_notification_is_recorded_once_per_order_outcome_and_channel,
    a_claimed_notification_is_not_claimed_again_until_it_is_due_or_its_claim_lapses,
    failing_for_good_writes_the_dead_letter_and_a_replay_makes_it_pending_again,
    the_customer_directory_is_set_and_read_back,
);

async fn store(db: &FreshDb) -> NotificationStore {
    orders_store::notifications::connect(&db.url, StoreOptions::default())
        .await
        .unwrap()
}

fn new(id: &str, channel: NotificationChannel, skipped: Option<&str>) -> NewNotification {
    NewNotification {
        id: uuid::Uuid::new_v4(),
        correlation_id: id.into(),
        outcome: "confirmed",
        channel,
        customer_id: "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf".into(),
        recipient: Some("hooks.example.com".into()),
        skipped: skipped.map(str::to_owned),
        event: br#"{"correlationId":"x"}"#.to_vec(),
        event_id: Some("e-1".into()),
        source: SourceRecord {
            topic: "order_confirmed".into(),
            partition: 3,
            offset: 41,
            timestamp_ms: Some(1_700_000_000_000),
            key: Some(id.as_bytes().to_vec()),
            headers: vec![("traceparent".into(), b"00-abc".to_vec())],
        },
    }
}

const LEASE: Duration = Duration::from_secs(30);
const ALL: [NotificationChannel; 3] = NotificationChannel::ALL;

async fn a_notification_is_recorded_once_per_order_outcome_and_channel(db: FreshDb) {
    let store = store(&db).await;
    let batch = [
        new("c-1", NotificationChannel::Webhook, None),
        new(
            "c-1",
            NotificationChannel::Email,
            Some("no_email_address: none"),
        ),
        new("c-1", NotificationChannel::Webhook, None),
    ];
    let first = store.record(&batch, &[]).await.unwrap();
    assert_eq!((first.pending, first.skipped, first.duplicates), (1, 1, 1));
    let again = store
        .record(&[new("c-1", NotificationChannel::Webhook, None)], &[])
        .await
        .unwrap();
    assert_eq!((again.pending, again.duplicates), (0, 1));
    assert_eq!(db.count("SELECT count(*) FROM notifications").await, 2);

    let listed = store.list(Some("c-1"), None, 10).await.unwrap();
    assert_eq!(listed.len(), 2);
    let skipped = listed
        .iter()
        .find(|n| n.channel == NotificationChannel::Email)
        .unwrap();
    assert_eq!(skipped.state, NotificationState::Skipped);
    assert_eq!(skipped.reason.as_deref(), Some("no_email_address: none"));
    assert_eq!(skipped.next_attempt_at, None);
    let pending = listed
        .iter()
        .find(|n| n.channel == NotificationChannel::Webhook)
        .unwrap();
    assert_eq!(pending.id, batch[0].id.to_string(), "the first id stays");
    assert!(pending.next_attempt_at.is_some());
    let counts = store.counts(None).await.unwrap();
    assert_eq!(
        (counts["pending"], counts["skipped"], counts["sent"]),
        (1, 1, 0)
    );
    store.close().await;
}

async fn a_claimed_notification_is_not_claimed_again_until_it_is_due_or_its_claim_lapses(
    db: FreshDb,
) {
    let store = store(&db).await;
    let batch: Vec<_> = (0..6)
        .map(|i| new(&format!("c-{i}"), NotificationChannel::Webhook, None))
        .collect();
    store.record(&batch, &[]).await.unwrap();
    assert!(
        store
            .claim("a", LEASE, &[NotificationChannel::Email], 10)
            .await
            .unwrap()
            .is_empty(),
        "only the channels asked for"
    );
    let (a, b) = tokio::join!(
        store.claim("a", LEASE, &ALL, 4),
        store.claim("b", LEASE, &ALL, 4)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 6, "two workers share the six");
    let mut ids: Vec<_> = a.iter().chain(&b).map(|c| c.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "and none is claimed twice");
    assert!(a.iter().chain(&b).all(|c| c.attempts == 1));
    let claimed = &a[0];
    assert_eq!(claimed.source.offset, 41);
    assert_eq!(
        claimed.source.headers,
        [("traceparent".to_owned(), b"00-abc".to_vec())]
    );

    assert!(
        !store.sent(&claimed.id, "b").await.unwrap(),
        "not b's claim"
    );
    assert!(store.sent(&claimed.id, "a").await.unwrap());
    assert!(
        store
            .retry_later(&a[1].id, "a", "503", Duration::from_secs(3_600))
            .await
            .unwrap()
    );
    // What b holds comes back at once when b releases it; a's retry is not due yet, and
    // the rest a still holds.
    assert_eq!(store.release("b").await.unwrap(), b.len() as u64);
    let again = store.claim("c", LEASE, &ALL, 10).await.unwrap();
    let mut expected: Vec<_> = b.iter().map(|c| c.id.clone()).collect();
    let mut got: Vec<_> = again.iter().map(|c| c.id.clone()).collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    assert!(again.iter().all(|c| c.attempts == 2));

    // A claim that lapses (its holder died) makes the notification due again.
    let lapsed = store.claim("d", LEASE, &ALL, 10).await.unwrap();
    assert!(lapsed.is_empty());
    db.execute("UPDATE notifications SET lease_until = created_at WHERE lease_owner = 'c'")
        .await;
    assert_eq!(
        store.claim("d", LEASE, &ALL, 10).await.unwrap().len(),
        got.len()
    );
    let sent = store
        .list(None, Some(NotificationState::Sent), 10)
        .await
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].sent_at.is_some());
    let waiting = store
        .list(Some(&a[1].correlation_id), None, 10)
        .await
        .unwrap();
    assert_eq!(waiting[0].last_error.as_deref(), Some("503"));
    store.close().await;
}

async fn failing_for_good_writes_the_dead_letter_and_a_replay_makes_it_pending_again(db: FreshDb) {
    let store = store(&db).await;
    store
        .record(&[new("c-1", NotificationChannel::Webhook, None)], &[])
        .await
        .unwrap();
    let claimed = store.claim("a", LEASE, &ALL, 1).await.unwrap().remove(0);
    let dead = OutgoingEvent {
        event_id: uuid::Uuid::new_v4(),
        kind: EventKind::OrderConfirmed,
        topic: "notification-dlt".into(),
        key: CorrelationId::parse("c-1").unwrap(),
        value: claimed.event.clone(),
        headers: vec![("dlt-error-kind".into(), b"delivery_refused".to_vec())],
    };
    assert!(
        !store
            .failed(
                &claimed.id,
                "b",
                "delivery_refused",
                "410",
                Some(dead.clone())
            )
            .await
            .unwrap(),
        "not b's claim: nothing written"
    );
    assert!(store.outbox().queued(10).await.unwrap().is_empty());
    assert!(
        store
            .failed(
                &claimed.id,
                "a",
                "delivery_refused",
                "410 Gone",
                Some(dead.clone())
            )
            .await
            .unwrap()
    );
    let queued = store.outbox().queued(10).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].event, dead);
    let failed = store.list(Some("c-1"), None, 10).await.unwrap().remove(0);
    assert_eq!(failed.state, NotificationState::Failed);
    assert_eq!(failed.reason.as_deref(), Some("delivery_refused"));
    assert_eq!(failed.last_error.as_deref(), Some("410 Gone"));

    let rearm = Rearm {
        correlation_id: "c-1".into(),
        outcome: "confirmed",
        channel: Some(NotificationChannel::Email),
    };
    let other_channel = store
        .record(&[], std::slice::from_ref(&rearm))
        .await
        .unwrap();
    assert_eq!(other_channel.rearmed, 0);
    let rearm = Rearm {
        channel: Some(NotificationChannel::Webhook),
        ..rearm
    };
    let replayed = store
        .record(&[new("c-1", NotificationChannel::Webhook, None)], &[rearm])
        .await
        .unwrap();
    assert_eq!((replayed.rearmed, replayed.duplicates), (1, 1));
    let again = store.claim("a", LEASE, &ALL, 1).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1, "a replay starts a new budget");
    let listed = store.list(Some("c-1"), None, 10).await.unwrap().remove(0);
    assert_eq!(
        (listed.state, listed.replays),
        (NotificationState::Pending, 1)
    );
    store.close().await;
}

async fn the_customer_directory_is_set_and_read_back(db: FreshDb) {
    let store = store(&db).await;
    let id = "06f3bbf9-24ad-4d18-9d0d-7fad5b5f5cbf";
    let entry = SetCustomer {
        email: Some("ada@shop.example".into()),
        webhook: true,
    };
    store.set_customer(id, &entry).await.unwrap();
    let changed = SetCustomer {
        email: None,
        webhook: false,
    };
    store.set_customer(id, &changed).await.unwrap();
    store.set_customer("other", &entry).await.unwrap();
    let all = store.customers().await.unwrap();
    assert_eq!(all.len(), 2);
    let found = store.customers_of(&[id, id, "missing"]).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[id].email, None);
    assert!(!found[id].webhook);
    assert_eq!(
        store.customers_of(&["other"]).await.unwrap()["other"]
            .email
            .as_deref(),
        Some("ada@shop.example")
    );
    store.close().await;
}
