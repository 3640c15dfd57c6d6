//! The orders a benchmark sends: random but valid, and reproducible from `--seed`.
//!
//! Order `i` is drawn from a generator seeded with `(seed, i)`, so the same seed gives the
//! same orders whatever the concurrency and whichever worker sends them.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::fmt::Write;

/// Distinct customers and SKUs: enough variety to look like traffic, few enough to repeat.
const CUSTOMERS: u64 = 10_000;
const SKUS: u64 = 500;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Workload {
    seed: u64,
}

impl Workload {
    pub(crate) fn new(seed: u64) -> Self {
        Self { seed }
    }

    /// The JSON body of order `i`. Written by hand rather than through `serde_json::Value`:
    /// the load tool shares the machine with what it measures, so it must stay cheap.
    pub(crate) fn body(&self, i: u64) -> String {
        let mut rng = SmallRng::seed_from_u64(self.seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let customer = customer_id(self.seed, rng.random_range(0..CUSTOMERS));
        let mut body = String::with_capacity(160);
        let _ = write!(body, r#"{{"customerId":"{customer}","items":["#);
        let mut total_cents = 0u64;
        for line in 0..rng.random_range(1..=4) {
            let sku = rng.random_range(1..=SKUS);
            let quantity = rng.random_range(1..=5u64);
            total_cents += quantity * unit_price_cents(sku);
            let comma = if line == 0 { "" } else { "," };
            let _ = write!(
                body,
                r#"{comma}{{"sku":"SKU-{sku}","quantity":{quantity}}}"#
            );
        }
        let _ = write!(
            body,
            r#"],"totalAmount":{}.{:02}}}"#,
            total_cents / 100,
            total_cents % 100
        );
        body
    }
}

/// A stable UUID for customer `n` of this seed.
fn customer_id(seed: u64, n: u64) -> uuid::Uuid {
    let mut rng = SmallRng::seed_from_u64(seed.rotate_left(17) ^ n);
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

/// Every SKU has a fixed price between 1.00 and 100.00.
fn unit_price_cents(sku: u64) -> u64 {
    100 + (sku * 7919) % 9_901
}

#[cfg(test)]
mod tests {
    use super::*;
    use orders_core::OrderRequest;

    #[test]
    fn orders_are_valid_and_reproducible() {
        let workload = Workload::new(42);
        for i in 0..200 {
            let body: serde_json::Value = serde_json::from_str(&workload.body(i)).unwrap();
            OrderRequest::from_json(&body).unwrap_or_else(|v| panic!("order {i} is invalid: {v}"));
        }
        assert_eq!(workload.body(7), Workload::new(42).body(7));
        assert_ne!(workload.body(7), workload.body(8));
        assert_ne!(workload.body(7), Workload::new(43).body(7));
    }
}
