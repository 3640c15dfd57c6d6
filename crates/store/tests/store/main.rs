//! The store's behaviour, written once and run against both backends: every scenario is
//! a function of a fresh database, and `on_both_backends!` makes a SQLite and a Postgres
//! test of it (`<scenario>::sqlite`, `<scenario>::postgres`).

// Scenarios and helpers are not `#[test]` functions, which is all that clippy's
// `allow-unwrap-in-tests` covers; in this crate, a panic is a failed test.
#![allow(clippy::unwrap_used)]

mod harness;
mod notifications;
mod validated;

use harness::{FreshDb, TestDb, at, id, ids, on_both_backends, order, orders};
use orders_core::{Inserted, NewOrder, Order, OrderStatus, OrderStore, StoreError};
use orders_store::{Backend, Error, StoreOptions};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Barrier;

/// The order the store must give back for `new`: the event's fields, `pending`, and
/// `persisted_at` to the microsecond (what both databases keep).
fn expected(new: &NewOrder) -> Order {
    use chrono::SubsecRound;
    Order {
        correlation_id: new.event.correlation_id.clone(),
        customer_id: new.event.customer_id,
        items: new.event.items.clone(),
        total_amount: new.event.total_amount,
        status: OrderStatus::Pending,
        created_at: new.event.created_at,
        persisted_at: new.persisted_at.trunc_subsecs(6),
        source: new.source.clone(),
        reason: None,
        decided_at: None,
        history: Vec::new(),
    }
}

/// `order` as `get` gives it, with its history checked (one step: pending, caused by its
/// `order_created` record) and then taken out, to compare with [`expected`].
fn one(order: Option<Order>) -> Option<Order> {
    let mut order = order?;
    let history = std::mem::take(&mut order.history);
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(
        (history[0].from, history[0].to),
        (None, OrderStatus::Pending)
    );
    assert_eq!(history[0].event, "order_created");
    assert_eq!(history[0].source, order.source);
    Some(order)
}

fn correlation_ids(orders: &[Order]) -> Vec<&str> {
    orders.iter().map(|o| o.correlation_id.as_str()).collect()
}

on_both_backends!(run:
    a_batch_is_read_back_field_for_field,
    a_redelivered_batch_creates_nothing_and_keeps_the_first_persisted_at,
    the_same_id_twice_in_one_batch_is_one_row,
    an_id_reused_for_other_content_is_a_conflict_not_a_duplicate,
    concurrent_overlapping_batches_leave_one_row_per_id,
    lookup_returns_each_stored_id_once_in_id_order,
    recent_is_newest_first_then_by_id_and_limited,
    an_unreadable_row_fails_naming_the_order_and_the_column,
    a_closed_store_is_unavailable,
);

on_both_backends!(run_fresh:
    migrations_are_applied_once_and_connecting_again_changes_nothing,
    a_database_migrated_by_a_newer_binary_is_refused,
    without_migrating_a_database_without_the_schema_is_refused,
);

async fn a_batch_is_read_back_field_for_field(db: TestDb) {
    // Nanoseconds in persisted_at: the store keeps microseconds.
    let persisted_at = at(7, 456_789) + chrono::Duration::nanoseconds(123);
    let mut batch = orders(&ids("field", 0..3), persisted_at);
    batch[1].source = None;
    let inserted = db.store.insert(&batch).await.unwrap();
    assert_eq!(
        inserted,
        Inserted {
            created: 3,
            duplicates: 0,
            conflicts: Vec::new(),
        }
    );

    for new in &batch {
        let stored = db.store.get(&new.event.correlation_id).await.unwrap();
        assert_eq!(one(stored), Some(expected(new)));
    }
    let first = db
        .store
        .get(&batch[0].event.correlation_id)
        .await
        .unwrap()
        .unwrap();
    let json = serde_json::to_value(&first).unwrap();
    assert_eq!(json["totalAmount"], serde_json::json!(149.99));
    assert_eq!(json["createdAt"], "2025-12-05T21:15:00.000Z");
    assert_eq!(json["persistedAt"], "2025-12-05T21:15:07.456789Z");
    assert_eq!(json["items"][1]["quantity"], 9_007_199_254_740_991u64);
    assert_eq!(json["source"]["offset"], 1_000_000_000_000i64);
    let second = db
        .store
        .get(&batch[2].event.correlation_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        serde_json::to_value(&second).unwrap()["createdAt"],
        "2025-12-05T21:15:02.002Z"
    );

    assert_eq!(db.store.get(&id("never-stored")).await.unwrap(), None);
    assert_eq!(db.store.insert(&[]).await.unwrap(), Inserted::default());
    db.store.ping().await.unwrap();
}

async fn a_redelivered_batch_creates_nothing_and_keeps_the_first_persisted_at(db: TestDb) {
    let first = orders(&ids("redelivered", 0..50), at(1, 1));
    assert_eq!(db.store.insert(&first).await.unwrap().created, 50);

    // The same events again, later and from other offsets, plus one new one.
    let mut again = orders(&ids("redelivered", 0..51), at(2, 2));
    for new in &mut again {
        new.source.as_mut().unwrap().offset += 1_000;
    }
    let inserted = db.store.insert(&again).await.unwrap();
    assert_eq!(
        inserted,
        Inserted {
            created: 1,
            duplicates: 50,
            conflicts: Vec::new(),
        }
    );
    for new in &first {
        let stored = db.store.get(&new.event.correlation_id).await.unwrap();
        assert_eq!(one(stored), Some(expected(new)));
    }
    assert_eq!(db.count("SELECT count(*) FROM orders").await, 51);
}

async fn the_same_id_twice_in_one_batch_is_one_row(db: TestDb) {
    let batch = vec![
        order("twice", 1, at(1, 0)),
        order("once", 2, at(1, 0)),
        order("twice", 1, at(1, 0)),
    ];
    let inserted = db.store.insert(&batch).await.unwrap();
    assert_eq!(
        inserted,
        Inserted {
            created: 2,
            duplicates: 1,
            conflicts: Vec::new(),
        }
    );
    let stored = db.store.lookup(&[id("twice")]).await.unwrap();
    assert_eq!(
        stored,
        [expected(&batch[0])],
        "the first of the two is kept"
    );
}

/// `order` as the gateway publishes it again for a client that retried: a new createdAt.
fn retried(mut order: NewOrder) -> NewOrder {
    order.event.created_at += chrono::Duration::seconds(5);
    order
}

async fn an_id_reused_for_other_content_is_a_conflict_not_a_duplicate(db: TestDb) {
    db.store
        .insert(&[order("taken", 1, at(1, 0))])
        .await
        .unwrap();
    let batch = vec![
        // Another customer, items and amount under a stored id...
        order("taken", 2, at(2, 0)),
        // ...the same order again, stamped at another time by a retried request: harmless...
        retried(order("taken", 1, at(2, 0))),
        // ...and, inside one batch, a second version of a new id.
        order("fresh", 3, at(2, 0)),
        order("fresh", 4, at(2, 0)),
    ];
    let inserted = db.store.insert(&batch).await.unwrap();
    assert_eq!((inserted.created, inserted.duplicates), (1, 1));
    let conflicts: Vec<usize> = inserted.conflicts.iter().map(|c| c.index).collect();
    assert_eq!(conflicts, [0, 3]);
    assert!(
        inserted.conflicts[0]
            .reason
            .contains("another customerId, items, totalAmount"),
        "{:?}",
        inserted.conflicts[0]
    );
    let stored = db.store.lookup(&[id("fresh"), id("taken")]).await.unwrap();
    let first = order("taken", 1, at(1, 0));
    assert_eq!(
        stored,
        [expected(&batch[2]), expected(&first)],
        "nothing overwritten"
    );
}

async fn concurrent_overlapping_batches_leave_one_row_per_id(db: TestDb) {
    // Task i stores ids 200·i to 200·i+999: each id is in up to five batches, and half of
    // the batches run backwards, so transactions meet the same ids in different orders.
    // The batches are large so that the transactions overlap in time.
    const TASKS: u32 = 10;
    const STEP: u32 = 200;
    const BATCH: u32 = 1_000;
    let start = Arc::new(Barrier::new(TASKS as usize));
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let store = db.store.clone();
            let start = start.clone();
            // Each order's content depends on its id only: the races are redeliveries.
            let mut batch: Vec<_> = (task * STEP..task * STEP + BATCH)
                .map(|n| order(&format!("race-{n:06}"), n, at(3, task)))
                .collect();
            if task % 2 == 1 {
                batch.reverse();
            }
            tokio::spawn(async move {
                start.wait().await;
                store.insert(&batch).await.unwrap()
            })
        })
        .collect();
    let mut total = Inserted::default();
    for task in tasks {
        let inserted = task.await.unwrap();
        total.created += inserted.created;
        total.duplicates += inserted.duplicates;
    }

    let all = ids("race", 0..(TASKS - 1) * STEP + BATCH);
    assert_eq!(
        total,
        Inserted {
            created: all.len(),
            duplicates: (TASKS * BATCH) as usize - all.len(),
            conflicts: Vec::new(),
        }
    );
    assert_eq!(
        db.count("SELECT count(*) FROM orders").await,
        all.len() as i64
    );
    if db.backend == Backend::Postgres {
        // The store's pool keeps its connections open: more than one (plus this one)
        // means the batches really ran in separate transactions at once.
        let connections = db
            .count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            .await;
        assert!(connections >= 3, "{connections} connections");
    }
    let stored = db
        .store
        .lookup(&all.iter().map(|s| id(s)).collect::<Vec<_>>())
        .await
        .unwrap();
    let stored_ids = correlation_ids(&stored);
    assert_eq!(
        stored_ids,
        all.iter().map(String::as_str).collect::<Vec<_>>()
    );
}

async fn lookup_returns_each_stored_id_once_in_id_order(db: TestDb) {
    db.store
        .insert(&[
            order("c", 3, at(1, 0)),
            order("a", 1, at(1, 0)),
            order("b", 2, at(1, 0)),
        ])
        .await
        .unwrap();
    let found = db
        .store
        .lookup(&[id("b"), id("missing"), id("a"), id("b"), id("c")])
        .await
        .unwrap();
    assert_eq!(correlation_ids(&found), ["a", "b", "c"]);
    assert!(db.store.lookup(&[]).await.unwrap().is_empty());

    // More ids than one statement takes, each asked twice.
    let many = ids("many", 0..2_500);
    for chunk in orders(&many, at(2, 0)).chunks(1_000) {
        db.store.insert(chunk).await.unwrap();
    }
    let mut asked: Vec<_> = many.iter().rev().map(|s| id(s)).collect();
    asked.extend(many.iter().map(|s| id(s)));
    let found = db.store.lookup(&asked).await.unwrap();
    assert_eq!(
        correlation_ids(&found),
        many.iter().map(String::as_str).collect::<Vec<_>>()
    );
}

async fn recent_is_newest_first_then_by_id_and_limited(db: TestDb) {
    db.store
        .insert(&[order("p", 1, at(1, 0)), order("q", 2, at(1, 0))])
        .await
        .unwrap();
    db.store.insert(&[order("r", 3, at(1, 1))]).await.unwrap();
    db.store
        .insert(&[order("t", 4, at(2, 0)), order("s", 5, at(2, 0))])
        .await
        .unwrap();

    let recent = db.store.recent(3).await.unwrap();
    assert_eq!(correlation_ids(&recent), ["s", "t", "r"]);
    let all = db.store.recent(100).await.unwrap();
    assert_eq!(correlation_ids(&all), ["s", "t", "r", "p", "q"]);
    assert!(db.store.recent(0).await.unwrap().is_empty());
}

async fn an_unreadable_row_fails_naming_the_order_and_the_column(db: TestDb) {
    db.store.insert(&[order("odd", 1, at(1, 0))]).await.unwrap();
    db.execute("UPDATE orders SET status = 'shipped' WHERE correlation_id = 'odd'")
        .await;
    let failure = |result: Result<_, StoreError>| match result {
        Err(StoreError::Failed(message)) => message,
        other => panic!("expected Failed, got {other:?}"),
    };
    let message = failure(db.store.get(&id("odd")).await.map(|_| ()));
    assert!(
        message.contains("`odd`") && message.contains("column status"),
        "{message}"
    );
    let message = failure(db.store.recent(10).await.map(|_| ()));
    assert!(message.contains("unknown status `shipped`"), "{message}");

    let bad_items = match db.backend {
        Backend::Sqlite => "'[{\"sku\": 1}]'",
        Backend::Postgres => "'[{\"sku\": 1}]'::jsonb",
    };
    db.execute(&format!(
        "UPDATE orders SET status = 'pending', items = {bad_items} WHERE correlation_id = 'odd'"
    ))
    .await;
    let message = failure(db.store.lookup(&[id("odd")]).await.map(|_| ()));
    assert!(
        message.contains("`odd`") && message.contains("column items"),
        "{message}"
    );
}

async fn a_closed_store_is_unavailable(db: TestDb) {
    let other = db.store.clone();
    db.store.close().await;
    let result = other.insert(&[order("late", 1, at(1, 0))]).await;
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "{result:?}"
    );
    assert!(matches!(
        other.ping().await,
        Err(StoreError::Unavailable(_))
    ));
}

async fn migrations_are_applied_once_and_connecting_again_changes_nothing(db: FreshDb) {
    let report = orders_store::migrate(&db.url).await.unwrap();
    assert_eq!(report.backend, db.backend);
    assert_eq!(
        report
            .applied
            .iter()
            .map(|m| (m.version, m.description.as_str()))
            .collect::<Vec<_>>(),
        [(1, "create orders"), (2, "lifecycle and outbox")]
    );
    assert_eq!(report.current, 2);

    let again = orders_store::migrate(&db.url).await.unwrap();
    assert!(again.applied.is_empty());
    assert_eq!(again.current, 2);

    for _ in 0..2 {
        let store = orders_store::connect(&db.url, StoreOptions::default())
            .await
            .unwrap();
        store.insert(&[order("kept", 1, at(1, 0))]).await.unwrap();
        store.close().await;
    }
    let not_migrating = StoreOptions {
        migrate: false,
        ..StoreOptions::default()
    };
    let store = orders_store::connect(&db.url, not_migrating).await.unwrap();
    assert!(store.get(&id("kept")).await.unwrap().is_some());
    store.close().await;
    assert_eq!(db.count("SELECT count(*) FROM _sqlx_migrations").await, 2);
}

async fn a_database_migrated_by_a_newer_binary_is_refused(db: FreshDb) {
    orders_store::migrate(&db.url).await.unwrap();
    let checksum = match db.backend {
        Backend::Sqlite => "x'00'",
        Backend::Postgres => "'\\x00'::bytea",
    };
    db.execute(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (7, 'from the future', TRUE, {checksum}, 0)"
    ))
    .await;

    for migrate in [true, false] {
        let options = StoreOptions {
            migrate,
            ..StoreOptions::default()
        };
        let error = orders_store::connect(&db.url, options).await.unwrap_err();
        assert!(
            matches!(
                error,
                Error::SchemaTooNew {
                    database: 7,
                    binary: 2
                }
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "the database schema is at version 7, newer than this binary's 2; upgrade orders"
        );
        assert!(!error.is_retryable());
    }
    let error = orders_store::migrate(&db.url).await.unwrap_err();
    assert!(matches!(error, Error::SchemaTooNew { .. }), "{error:?}");
}

async fn without_migrating_a_database_without_the_schema_is_refused(db: FreshDb) {
    let options = StoreOptions {
        migrate: false,
        ..StoreOptions::default()
    };
    let error = orders_store::connect(&db.url, options).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::SchemaTooOld {
                database: None,
                binary: 2
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("orders db migrate"), "{error}");
}

#[tokio::test]
async fn an_unknown_url_scheme_is_an_error_that_names_it() {
    let error = orders_store::connect(
        "mysql://root:secret@localhost/orders",
        StoreOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(&error, Error::UnsupportedUrl { scheme } if scheme == "mysql"));
    let message = error.to_string();
    assert!(message.contains("`mysql`"), "{message}");
    assert!(
        message.contains("sqlite://PATH") && message.contains("postgres://"),
        "{message}"
    );
    assert!(!message.contains("secret"), "{message}");

    let error = orders_store::connect("sqlite://orders.db?colour=blue", StoreOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidUrl { backend: Backend::Sqlite, reason } if reason.contains("colour")),
        "{error:?}"
    );
}

mod postgres {
    //! Postgres going away, before and after connecting.

    use super::*;
    use crate::harness::{run_fresh, with_host_port};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::task::JoinSet;

    fn unavailable_message(error: &Error) -> &str {
        match error {
            Error::Connect {
                source: StoreError::Unavailable(message),
                ..
            } => message,
            other => panic!("expected Connect(Unavailable), got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_closed_port_is_unavailable() {
        // A port that was free a moment ago, and is closed now.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        let error = orders_store::connect(&url, StoreOptions::default())
            .await
            .unwrap_err();
        assert!(error.is_retryable(), "{error:?}");
        let message = unavailable_message(&error);
        assert!(message.to_lowercase().contains("refused"), "{message}");
    }

    /// A TCP relay to the real server that can be cut, the way a network or a server
    /// restart cuts connections.
    struct Relay {
        address: String,
        tasks: JoinSet<()>,
    }

    impl Relay {
        async fn start(upstream: String) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap().to_string();
            let mut tasks = JoinSet::new();
            tasks.spawn(async move {
                let mut connections = JoinSet::new();
                loop {
                    let (mut client, _) = listener.accept().await.unwrap();
                    let upstream = upstream.clone();
                    connections.spawn(async move {
                        let mut server = TcpStream::connect(upstream).await.unwrap();
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    });
                }
            });
            Self { address, tasks }
        }

        /// Closes the listening port and every relayed connection, and returns once they
        /// are closed.
        async fn cut(mut self) {
            self.tasks.shutdown().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_server_that_goes_away_makes_calls_unavailable() {
        run_fresh(Backend::Postgres, |db| async move {
            let relay = Relay::start(server_address(&db.url)).await;
            let url = with_host_port(&db.url, &relay.address);
            let options = StoreOptions {
                acquire_timeout: Duration::from_millis(500),
                ..StoreOptions::default()
            };
            let store = orders_store::connect(&url, options).await.unwrap();
            store.insert(&[order("before", 1, at(1, 0))]).await.unwrap();

            relay.cut().await;
            let result = store.insert(&[order("after", 2, at(1, 0))]).await;
            assert!(
                matches!(result, Err(StoreError::Unavailable(_))),
                "{result:?}"
            );
            let result = store.get(&id("before")).await;
            assert!(
                matches!(result, Err(StoreError::Unavailable(_))),
                "{result:?}"
            );
            store.close().await;
        })
        .await;
    }

    /// `host:port` of the server a URL names.
    fn server_address(url: &str) -> String {
        let options: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
        format!("{}:{}", options.get_host(), options.get_port())
    }
}

mod sqlite {
    //! What only SQLite has: paths, memory, and a file another process holds.

    use super::*;
    use crate::harness::run_with;
    use sqlx::{Connection, Executor, SqliteConnection};

    async fn store_and_read_back(url: &str) {
        let store = orders_store::connect(url, StoreOptions::default())
            .await
            .unwrap();
        assert_eq!(store.backend(), Backend::Sqlite);
        let new = order("here", 1, at(1, 0));
        store.insert(std::slice::from_ref(&new)).await.unwrap();
        assert_eq!(
            one(store.get(&id("here")).await.unwrap()),
            Some(expected(&new))
        );
        store.close().await;
    }

    #[tokio::test]
    async fn a_relative_path_is_created_relative_to_the_working_directory() {
        let dir = tempfile::tempdir().unwrap();
        let absolute = dir.path().join("relative.db");
        // The same file, named from the working directory (without changing it, which
        // would change it for every test in this process).
        let cwd = std::env::current_dir().unwrap();
        let up = "../".repeat(cwd.components().count() - 1);
        let relative = format!("{up}{}", absolute.strip_prefix("/").unwrap().display());
        assert!(!absolute.exists());

        store_and_read_back(&format!("sqlite://{relative}")).await;
        assert!(absolute.exists());

        // WAL is a property of the file, so it can be seen from outside.
        let mut conn = SqliteConnection::connect(&format!("sqlite://{}", absolute.display()))
            .await
            .unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[tokio::test]
    async fn an_absolute_path_works() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absolute.db");
        store_and_read_back(&format!("sqlite://{}", path.display())).await;
        assert!(path.exists());
    }

    #[tokio::test]
    async fn memory_keeps_its_orders_across_calls() {
        let store = orders_store::connect("sqlite::memory:", StoreOptions::default())
            .await
            .unwrap();
        let batch = orders(&ids("mem", 0..10), at(1, 0));
        store.insert(&batch).await.unwrap();
        // Calls from several tasks at once: they must all see the one database.
        let reads: Vec<_> = batch
            .iter()
            .map(|new| {
                let store = store.clone();
                let id = new.event.correlation_id.clone();
                tokio::spawn(async move { store.get(&id).await.unwrap() })
            })
            .collect();
        for (read, new) in reads.into_iter().zip(&batch) {
            assert_eq!(one(read.await.unwrap()), Some(expected(new)));
        }
        store_and_read_back("sqlite::memory:").await;
    }

    #[tokio::test]
    async fn a_directory_that_does_not_exist_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}",
            dir.path().join("missing/orders.db").display()
        );
        let error = orders_store::connect(&url, StoreOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::Connect { source: StoreError::Unavailable(m), .. } if m.contains("code: 14")),
            "{error:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_file_locked_by_another_connection_is_unavailable_until_released() {
        let options = StoreOptions {
            acquire_timeout: Duration::from_millis(200),
            ..StoreOptions::default()
        };
        run_with(Backend::Sqlite, options, |db| async move {
            let mut holder = SqliteConnection::connect(&db.url).await.unwrap();
            holder.execute("BEGIN EXCLUSIVE").await.unwrap();

            let batch = [order("blocked", 1, at(1, 0))];
            let result = db.store.insert(&batch).await;
            match result {
                Err(StoreError::Unavailable(message)) => {
                    assert!(message.contains("database is locked"), "{message}");
                }
                other => panic!("expected Unavailable, got {other:?}"),
            }

            holder.execute("ROLLBACK").await.unwrap();
            let inserted = db.store.insert(&batch).await.unwrap();
            assert_eq!(
                inserted.created, 1,
                "the same call succeeds once the lock is gone"
            );
            holder.close().await.unwrap();
        })
        .await;
    }
}

#[test]
fn the_test_urls_are_rewritten_correctly() {
    use harness::{with_database, with_host_port};
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "t1"),
        "postgres://u:p@h/t1?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h:1", "t1"), "postgres://h:1/t1");
    assert_eq!(
        with_host_port("postgres://u:p@h:5432/db?x=1", "127.0.0.1:9"),
        "postgres://u:p@127.0.0.1:9/db?x=1"
    );
    assert_eq!(
        with_host_port("postgres://h/db", "127.0.0.1:9"),
        "postgres://127.0.0.1:9/db"
    );
}
