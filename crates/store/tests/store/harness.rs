//! A fresh database per test, on either backend, and the orders the scenarios store.
//!
//! Every test gets a database nobody else sees (a SQLite file in its own temporary
//! directory, or a Postgres database created for it and dropped with `FORCE` at the end),
//! so the tests run in parallel. Postgres is required: when it cannot be reached the
//! Postgres tests fail and say so, because a skipped test would pass a broken backend.

use chrono::{DateTime, TimeZone, Utc};
use orders_core::{Amount, CorrelationId, EventPosition, NewOrder, OrderCreated, OrderItem};
use orders_store::{Backend, Store, StoreOptions};
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};
use std::future::Future;
use std::panic::resume_unwind;
use tempfile::TempDir;

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The server's URL, for creating and dropping the test databases.
pub(crate) fn postgres_admin_url() -> String {
    std::env::var("ORDERS_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// An empty database of its own: no schema yet.
#[derive(Debug, Clone)]
pub(crate) struct FreshDb {
    pub(crate) backend: Backend,
    pub(crate) url: String,
}

/// A fresh database with a store connected to it (migrations applied).
#[derive(Debug, Clone)]
pub(crate) struct TestDb {
    pub(crate) db: FreshDb,
    pub(crate) store: Store,
}

impl std::ops::Deref for TestDb {
    type Target = FreshDb;
    fn deref(&self) -> &FreshDb {
        &self.db
    }
}

impl FreshDb {
    /// Runs SQL on a connection of its own, behind the store's back.
    pub(crate) async fn execute(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = SqliteConnection::connect(&self.url).await.unwrap();
                conn.execute(sql).await.unwrap();
                conn.close().await.unwrap();
            }
            Backend::Postgres => {
                let mut conn = PgConnection::connect(&self.url).await.unwrap();
                conn.execute(sql).await.unwrap();
                conn.close().await.unwrap();
            }
        }
    }

    /// A count, read on a connection of its own.
    pub(crate) async fn count(&self, sql: &str) -> i64 {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = SqliteConnection::connect(&self.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
            Backend::Postgres => {
                let mut conn = PgConnection::connect(&self.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
            }
        }
    }
}

/// What keeps a test database alive, and removes it at the end.
enum Guard {
    Sqlite(TempDir),
    Postgres { name: String },
}

async fn create(backend: Backend) -> (FreshDb, Guard) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            // An absolute path: `sqlite:///tmp/…/orders.db`.
            let url = format!("sqlite://{}", dir.path().join("orders.db").display());
            (FreshDb { backend, url }, Guard::Sqlite(dir))
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let mut admin = admin_connection(&admin_url).await;
            let name = format!("orders_test_{}", uuid::Uuid::new_v4().simple());
            admin
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap();
            admin.close().await.unwrap();
            let url = with_database(&admin_url, &name);
            (FreshDb { backend, url }, Guard::Postgres { name })
        }
    }
}

async fn admin_connection(url: &str) -> PgConnection {
    match PgConnection::connect(url).await {
        Ok(conn) => conn,
        Err(e) => panic!(
            "Postgres is not reachable at {url} ({e}); the Postgres tests need a server \
             (set ORDERS_TEST_POSTGRES_URL to point them at one)"
        ),
    }
}

async fn remove(guard: Guard) {
    match guard {
        Guard::Sqlite(dir) => dir.close().unwrap(),
        Guard::Postgres { name } => drop_database(&name).await,
    }
}

async fn drop_database(name: &str) {
    let mut admin = admin_connection(&postgres_admin_url()).await;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .unwrap();
    admin.close().await.unwrap();
}

/// `url` with its database (the path) replaced by `name`, keeping any query.
pub(crate) fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// `url` with its host and port replaced, keeping user, database and query.
pub(crate) fn with_host_port(url: &str, host_port: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[authority_start..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let user = authority.rsplit_once('@').map(|(user, _)| user);
    let authority = match user {
        Some(user) => format!("{user}@{host_port}"),
        None => host_port.to_owned(),
    };
    format!(
        "{}{authority}{}",
        &url[..authority_start],
        &rest[authority_end..]
    )
}

/// Runs `scenario` on a fresh database, then removes the database even if it panicked.
pub(crate) async fn run_fresh<F, Fut>(backend: Backend, scenario: F)
where
    F: FnOnce(FreshDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (db, guard) = create(backend).await;
    let outcome = tokio::spawn(scenario(db)).await;
    remove(guard).await;
    if let Err(e) = outcome {
        resume_unwind(e.into_panic());
    }
}

/// Runs `scenario` with a store connected (with `options`) to a fresh database.
pub(crate) async fn run_with<F, Fut>(backend: Backend, options: StoreOptions, scenario: F)
where
    F: FnOnce(TestDb) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_fresh(backend, move |db| async move {
        let store = orders_store::connect(&db.url, options).await.unwrap();
        assert_eq!(store.backend(), backend);
        let test = TestDb {
            db,
            store: store.clone(),
        };
        let outcome = tokio::spawn(scenario(test)).await;
        // Postgres drops the database by force anyway; closing is for SQLite's file.
        store.close().await;
        if let Err(e) = outcome {
            resume_unwind(e.into_panic());
        }
    })
    .await;
}

pub(crate) async fn run<F, Fut>(backend: Backend, scenario: F)
where
    F: FnOnce(TestDb) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_with(backend, StoreOptions::default(), scenario).await;
}

/// A point in time with every digit the store must keep: milliseconds for `createdAt`
/// (all the contract carries), microseconds for `persistedAt`.
pub(crate) fn at(seconds: u32, micros: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 5, 21, 15, seconds).unwrap()
        + chrono::Duration::microseconds(i64::from(micros))
}

pub(crate) fn id(s: &str) -> CorrelationId {
    CorrelationId::parse(s).unwrap()
}

/// An order whose every field depends on `n`, so that a mix-up shows.
pub(crate) fn order(correlation_id: &str, n: u32, persisted_at: DateTime<Utc>) -> NewOrder {
    NewOrder {
        event: OrderCreated {
            correlation_id: id(correlation_id),
            customer_id: uuid::Uuid::from_u128(
                0x06f3_bbf9_24ad_4d18_9d0d_7fad_5b5f_0000 + u128::from(n),
            ),
            items: vec![
                OrderItem {
                    sku: format!("SKU-{n}"),
                    quantity: u64::from(n) + 1,
                },
                OrderItem {
                    sku: "SKU-Ω".into(),
                    quantity: 9_007_199_254_740_991,
                },
            ],
            total_amount: Amount::new(149.99 + f64::from(n)).unwrap(),
            created_at: at(n % 60, (n % 1000) * 1000),
        },
        source: Some(EventPosition {
            topic: "order_created".into(),
            partition: i32::try_from(n % 12).unwrap(),
            offset: 1_000_000_000_000 + i64::from(n),
        }),
        persisted_at,
    }
}

/// Orders `ids[i]` made with `n = i`.
pub(crate) fn orders(ids: &[String], persisted_at: DateTime<Utc>) -> Vec<NewOrder> {
    ids.iter()
        .zip(0..)
        .map(|(id, n)| order(id, n, persisted_at))
        .collect()
}

pub(crate) fn ids(prefix: &str, range: std::ops::Range<u32>) -> Vec<String> {
    range.map(|i| format!("{prefix}-{i:06}")).collect()
}

/// Writes one test per backend for each scenario: `name::sqlite` and `name::postgres`.
macro_rules! on_both_backends {
    ($runner:ident: $($name:ident),* $(,)?) => {
        $(
            mod $name {
                use orders_store::Backend;

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    crate::harness::$runner(Backend::Sqlite, super::$name).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    crate::harness::$runner(Backend::Postgres, super::$name).await;
                }
            }
        )*
    };
}

pub(crate) use on_both_backends;
