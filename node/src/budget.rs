//! Fair use of the append path: token buckets for each signer and for the
//! whole node.
//!
//! A bucket holds up to `burst` tokens and refills at `per_second`; each
//! append takes one from its signer's bucket and one from the node's. An
//! append that finds either empty is refused with `RESOURCE_EXHAUSTED` and
//! the time after which one token will be there (the `retry-after-ms`
//! metadata, and the message), and costs nothing more: it is refused before
//! it reaches the sequencer. A rate of 0 means no budget.
//!
//! Only a record whose signature checked takes from its signer's bucket, so
//! nobody can spend another signer's budget with records that merely name
//! its key. Buckets exist for signers seen lately: when more than
//! [`MAX_SIGNERS`] are held, the full ones (which are what a signer without
//! a bucket gets) are dropped.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Signer buckets held at most before the full ones are dropped.
pub const MAX_SIGNERS: usize = 65_536;

/// The default sustained appends per second of one signer (`vledger serve
/// --signer-rate`).
pub const DEFAULT_SIGNER_RATE: f64 = 2_000.0;

/// The default burst of one signer (`--signer-burst`): a nightly upload of
/// up to this many records goes through at the node's full speed.
pub const DEFAULT_SIGNER_BURST: f64 = 200_000.0;

/// A budget: a sustained rate and a burst. A rate of 0 is no budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Tokens added per second.
    pub per_second: f64,
    /// Most tokens held.
    pub burst: f64,
}

impl Rate {
    /// No budget at all.
    pub const UNLIMITED: Self = Self {
        per_second: 0.0,
        burst: 0.0,
    };

    /// Whether this budget limits anything.
    #[must_use]
    pub fn limits(&self) -> bool {
        self.per_second > 0.0
    }
}

/// One bucket: the tokens it held when last looked at.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(rate: Rate, now: Instant) -> Self {
        Self {
            tokens: rate.burst.max(1.0),
            at: now,
        }
    }

    fn refill(&mut self, rate: Rate, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second).min(rate.burst.max(1.0));
        self.at = now;
    }

    /// How long until a token is there (zero if one is).
    fn wait(&self, rate: Rate) -> Duration {
        if self.tokens >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - self.tokens) / rate.per_second)
        }
    }

    fn is_full(&self, rate: Rate, now: Instant) -> bool {
        let mut b = *self;
        b.refill(rate, now);
        b.tokens >= rate.burst.max(1.0)
    }
}

/// Which budget refused an append, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum Exhausted {
    /// The signer's own budget.
    #[error(
        "the append budget of this signer ({rate} records/s, bursts of {burst}) is spent; retry after {} ms",
        retry_after.as_millis()
    )]
    Signer {
        /// When one token will be there.
        retry_after: Duration,
        /// The signer's sustained rate.
        rate: f64,
        /// The signer's burst.
        burst: f64,
    },
    /// The node's budget, shared by every signer.
    #[error(
        "the node's append budget ({rate} records/s) is spent; retry after {} ms",
        retry_after.as_millis()
    )]
    Node {
        /// When one token will be there.
        retry_after: Duration,
        /// The node's sustained rate.
        rate: f64,
    },
}

impl Exhausted {
    /// When one token will be there.
    #[must_use]
    pub const fn retry_after(&self) -> Duration {
        match self {
            Self::Signer { retry_after, .. } | Self::Node { retry_after, .. } => *retry_after,
        }
    }
}

/// The node's budgets (see the module documentation).
#[derive(Debug)]
pub struct Budgets {
    signer: Rate,
    node: Rate,
    signers: Mutex<HashMap<[u8; 32], Bucket>>,
    whole: Mutex<Option<Bucket>>,
}

impl Budgets {
    /// Budgets of `signer` for each signer and `node` for all together.
    #[must_use]
    pub fn new(signer: Rate, node: Rate) -> Self {
        Self {
            signer,
            node,
            signers: Mutex::default(),
            whole: Mutex::default(),
        }
    }

    /// No budgets at all.
    #[must_use]
    pub fn unlimited() -> Self {
        Self::new(Rate::UNLIMITED, Rate::UNLIMITED)
    }

    /// Takes one append from the budgets of `signer` and of the node, at
    /// `now`; takes nothing when either is spent.
    ///
    /// # Errors
    /// [`Exhausted`]: which budget is spent, and when to retry.
    pub fn take(&self, signer: &[u8; 32], now: Instant) -> Result<(), Exhausted> {
        let mut signers = None;
        if self.signer.limits() {
            let mut held = self.signers.lock().unwrap_or_else(PoisonError::into_inner);
            if held.len() >= MAX_SIGNERS && !held.contains_key(signer) {
                held.retain(|_, b| !b.is_full(self.signer, now));
            }
            let bucket = held
                .entry(*signer)
                .or_insert_with(|| Bucket::full(self.signer, now));
            bucket.refill(self.signer, now);
            let retry_after = bucket.wait(self.signer);
            if !retry_after.is_zero() {
                return Err(Exhausted::Signer {
                    retry_after,
                    rate: self.signer.per_second,
                    burst: self.signer.burst,
                });
            }
            signers = Some(held);
        }
        if self.node.limits() {
            let mut whole = self.whole.lock().unwrap_or_else(PoisonError::into_inner);
            let bucket = whole.get_or_insert_with(|| Bucket::full(self.node, now));
            bucket.refill(self.node, now);
            let retry_after = bucket.wait(self.node);
            if !retry_after.is_zero() {
                return Err(Exhausted::Node {
                    retry_after,
                    rate: self.node.per_second,
                });
            }
            bucket.tokens -= 1.0;
        }
        if let Some(mut held) = signers
            && let Some(bucket) = held.get_mut(signer)
        {
            bucket.tokens -= 1.0;
        }
        Ok(())
    }

    /// Signer buckets held.
    #[must_use]
    pub fn signers_held(&self) -> usize {
        self.signers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [u8; 32] = [1; 32];
    const B: [u8; 32] = [2; 32];

    fn rate(per_second: f64, burst: f64) -> Rate {
        Rate { per_second, burst }
    }

    #[test]
    fn a_signer_spends_its_burst_then_its_rate() {
        let budgets = Budgets::new(rate(10.0, 5.0), Rate::UNLIMITED);
        let t0 = Instant::now();
        for _ in 0..5 {
            budgets.take(&A, t0).unwrap();
        }
        let Err(Exhausted::Signer { retry_after, .. }) = budgets.take(&A, t0) else {
            panic!("the sixth append of a burst of five went through")
        };
        assert_eq!(retry_after, Duration::from_millis(100));
        // Another signer has its own budget.
        budgets.take(&B, t0).unwrap();
        // A tenth of a second later, one more; not two.
        let t1 = t0 + Duration::from_millis(100);
        budgets.take(&A, t1).unwrap();
        assert!(budgets.take(&A, t1).is_err());
        // Refilled to the burst, never beyond it.
        let t2 = t0 + Duration::from_secs(60);
        for _ in 0..5 {
            budgets.take(&A, t2).unwrap();
        }
        assert!(budgets.take(&A, t2).is_err());
    }

    #[test]
    fn the_node_budget_is_shared_and_a_refusal_takes_nothing() {
        // Signers of two appends each, refilled too slowly to matter here.
        let budgets = Budgets::new(rate(0.001, 2.0), rate(2.0, 3.0));
        let t0 = Instant::now();
        budgets.take(&A, t0).unwrap();
        budgets.take(&B, t0).unwrap();
        budgets.take(&A, t0).unwrap();
        let Err(Exhausted::Node { retry_after, .. }) = budgets.take(&B, t0) else {
            panic!("the node's budget of three let a fourth through")
        };
        assert_eq!(retry_after, Duration::from_millis(500));
        // The refused append took nothing from its signer: once the node's
        // budget has a token again, B still has its second append, and
        // no third.
        let t1 = t0 + Duration::from_millis(500);
        budgets.take(&B, t1).unwrap();
        assert!(matches!(
            budgets.take(&B, t1 + Duration::from_secs(1)),
            Err(Exhausted::Signer { .. })
        ));
    }

    #[test]
    fn unlimited_budgets_refuse_nothing_and_hold_nothing() {
        let budgets = Budgets::unlimited();
        let t0 = Instant::now();
        for _ in 0..10_000 {
            budgets.take(&A, t0).unwrap();
        }
        assert_eq!(budgets.signers_held(), 0);
    }

    #[test]
    fn signer_buckets_stay_bounded() {
        let budgets = Budgets::new(rate(1.0, 1.0), Rate::UNLIMITED);
        let t0 = Instant::now();
        for i in 0..=MAX_SIGNERS as u32 {
            let mut key = [0u8; 32];
            key[..4].copy_from_slice(&i.to_be_bytes());
            budgets.take(&key, t0).unwrap();
        }
        // Every bucket was spent at t0; a second later they are all full
        // again, and the next new signer finds them dropped.
        let t1 = t0 + Duration::from_secs(1);
        budgets.take(&[9; 32], t1).unwrap();
        assert_eq!(budgets.signers_held(), 1);
    }
}
