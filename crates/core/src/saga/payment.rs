//! Taking payment: the [`PaymentProvider`] port, and the decisions of the simulated
//! provider that ships with the pipeline.
//!
//! A charge is made at most once per order: the payment-service records each one under
//! the order's correlation id, and it gives the provider that id as the idempotency key,
//! so that a charge repeated after a crash (made, but not yet recorded) is answered with
//! the first one's outcome instead of charging again. Real providers (Stripe's
//! `Idempotency-Key`, Adyen's `idempotencyKey`) work that way; the simulated one decides
//! by a pure function of the order, which has the same effect.

use crate::order::{Amount, CorrelationId};
use async_trait::async_trait;
use uuid::Uuid;

/// One charge to make.
#[derive(Debug, Clone, PartialEq)]
pub struct Charge {
    pub correlation_id: CorrelationId,
    pub customer_id: Uuid,
    pub amount: Amount,
}

impl Charge {
    /// The key that makes a repeated charge of this order the same charge.
    pub fn idempotency_key(&self) -> &str {
        self.correlation_id.as_str()
    }
}

/// What the provider decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    Completed { payment_id: String },
    Declined { reason: String },
}

/// Why the provider gave no decision: the same charge may be tried again later.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the payment provider did not answer: {0}")]
pub struct ProviderUnavailable(pub String);

/// Where charges are made. A real provider is an HTTP client implementing this; see
/// `docs/architecture.md` ("Plugging in a payment provider").
#[async_trait]
pub trait PaymentProvider: Send + Sync + std::fmt::Debug {
    /// Charges once per idempotency key: calling again with the same key returns the
    /// first call's outcome and charges nothing more.
    async fn charge(&self, charge: &Charge) -> Result<ChargeOutcome, ProviderUnavailable>;
}

/// The simulated provider's rules: every decision a function of the order and the seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulatedPolicy {
    /// Decline every charge above this amount.
    pub decline_over: Option<f64>,
    /// Decline this fraction of the other charges (0 to 1), chosen by a hash of the
    /// correlation id and the seed.
    pub decline_rate: f64,
    pub seed: u64,
}

impl Default for SimulatedPolicy {
    fn default() -> Self {
        Self {
            decline_over: None,
            decline_rate: 0.0,
            seed: 0,
        }
    }
}

impl SimulatedPolicy {
    /// The outcome of `charge`: the same every time it is asked.
    pub fn decide(&self, charge: &Charge) -> ChargeOutcome {
        let hash = fnv1a(self.seed, charge.correlation_id.as_str());
        if self
            .decline_over
            .is_some_and(|limit| charge.amount.value() > limit)
        {
            return ChargeOutcome::Declined {
                reason: "declined_over_limit".into(),
            };
        }
        // The top 53 bits as a fraction in [0, 1).
        let draw = (hash >> 11) as f64 / (1u64 << 53) as f64;
        if draw < self.decline_rate {
            return ChargeOutcome::Declined {
                reason: "declined".into(),
            };
        }
        ChargeOutcome::Completed {
            payment_id: format!("pay_{:016x}", fnv1a(hash, "payment")),
        }
    }
}

/// FNV-1a over the text, then MurmurHash3's finaliser so that every output bit depends
/// on every input bit (FNV alone leaves the top bits of similar ids alike): stable across
/// platforms and releases, which std's hasher is not.
fn fnv1a(seed: u64, text: &str) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(id: &str, amount: f64) -> Charge {
        Charge {
            correlation_id: CorrelationId::parse(id).unwrap(),
            customer_id: Uuid::nil(),
            amount: Amount::new(amount).unwrap(),
        }
    }

    #[test]
    fn the_same_order_gets_the_same_answer_and_payment_id() {
        let policy = SimulatedPolicy {
            decline_rate: 0.5,
            ..SimulatedPolicy::default()
        };
        for i in 0..100 {
            let c = charge(&format!("c-{i}"), 10.0);
            assert_eq!(policy.decide(&c), policy.decide(&c));
        }
    }

    #[test]
    fn charges_over_the_limit_are_declined() {
        let policy = SimulatedPolicy {
            decline_over: Some(100.0),
            ..SimulatedPolicy::default()
        };
        assert!(matches!(
            policy.decide(&charge("c", 100.0)),
            ChargeOutcome::Completed { .. }
        ));
        assert_eq!(
            policy.decide(&charge("c", 100.5)),
            ChargeOutcome::Declined {
                reason: "declined_over_limit".into()
            }
        );
    }

    #[test]
    fn the_decline_rate_is_met_over_many_orders_and_moves_with_the_seed() {
        let declined = |seed: u64| {
            let policy = SimulatedPolicy {
                decline_rate: 0.2,
                seed,
                ..SimulatedPolicy::default()
            };
            (0..10_000)
                .filter(|i| {
                    matches!(
                        policy.decide(&charge(&format!("order-{i}"), 1.0)),
                        ChargeOutcome::Declined { .. }
                    )
                })
                .count()
        };
        let (a, b) = (declined(1), declined(2));
        assert!((1_800..2_200).contains(&a), "{a}");
        assert!((1_800..2_200).contains(&b), "{b}");
        assert_ne!(a, b, "another seed declines other orders");
    }
}
