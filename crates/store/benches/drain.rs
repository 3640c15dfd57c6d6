//! How fast a backlog drains into each store, the order-service's way: 100,000 orders in
//! batches of 1,000, one transaction each. A measurement, not a check (the machine sets
//! the figure), so it is a benchmark that only `cargo bench` runs:
//!
//! `cargo bench -p orders-store --bench drain`
//!
//! Figures and conditions are in docs/benchmarks.md.

#![allow(clippy::expect_used)]

// The test harness is shared with the store's test suite; not all of it is used here.
#[allow(
    dead_code,
    unreachable_pub,
    unused_macros,
    unused_imports,
    clippy::unwrap_used,
    clippy::expect_used
)]
#[path = "../tests/store/harness.rs"]
mod harness;

use harness::{TestDb, at, ids, orders, run};
use orders_core::OrderStore;
use orders_store::Backend;
use std::time::Instant;

const ORDERS: u32 = 100_000;
const BATCH: usize = 1_000;

async fn drain(db: TestDb) {
    let all = orders(&ids("bulk", 0..ORDERS), at(1, 0));
    let started = Instant::now();
    let mut created = 0;
    for batch in all.chunks(BATCH) {
        created += db.store.insert(batch).await.expect("insert").created;
    }
    let elapsed = started.elapsed();
    assert_eq!(created, ORDERS as usize, "every order created once");
    println!(
        "{}: {ORDERS} orders in batches of {BATCH}: {elapsed:.2?}, {:.0} orders/s",
        db.backend,
        f64::from(ORDERS) / elapsed.as_secs_f64()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    run(Backend::Sqlite, drain).await;
    run(Backend::Postgres, drain).await;
}
