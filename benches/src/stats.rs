//! Medians, spreads and latency percentiles for the load generator.

use std::time::Duration;

/// The median of `values` (the mean of the two middle ones for an even
/// count), or `None` when there are none. NaNs sort last.
#[must_use]
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        f64::midpoint(v[mid - 1], v[mid])
    } else {
        v[mid]
    })
}

/// Lowest and highest of `values`, or `None` when there are none.
#[must_use]
pub fn min_max(values: &[f64]) -> Option<(f64, f64)> {
    let min = values.iter().copied().reduce(f64::min)?;
    let max = values.iter().copied().reduce(f64::max)?;
    Some((min, max))
}

/// Latency percentiles of a set of requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latencies {
    /// Number of requests.
    pub count: usize,
    /// 50th percentile.
    pub p50: Duration,
    /// 90th percentile.
    pub p90: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Slowest request.
    pub max: Duration,
}

impl Latencies {
    /// Percentiles (nearest rank) of `samples`, or `None` when empty.
    #[must_use]
    pub fn of(samples: &[Duration]) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        let mut s = samples.to_vec();
        s.sort_unstable();
        let rank = |p: f64| {
            // Nearest rank: the smallest value with at least p% of the
            // samples at or below it.
            let r = (p / 100.0 * s.len() as f64).ceil() as usize;
            s[r.clamp(1, s.len()) - 1]
        };
        Some(Self {
            count: s.len(),
            p50: rank(50.0),
            p90: rank(90.0),
            p99: rank(99.0),
            max: s[s.len() - 1],
        })
    }
}

impl std::fmt::Display for Latencies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        write!(
            f,
            "p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} requests)",
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max),
            self.count
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        assert_eq!(min_max(&[3.0, 1.0, 2.0]), Some((1.0, 3.0)));
        assert_eq!(min_max(&[]), None);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let ms = |n| Duration::from_millis(n);
        let samples: Vec<_> = (1..=100).rev().map(ms).collect();
        let l = Latencies::of(&samples).unwrap();
        assert_eq!(
            (l.p50, l.p90, l.p99, l.max),
            (ms(50), ms(90), ms(99), ms(100))
        );
        let one = Latencies::of(&[ms(7)]).unwrap();
        assert_eq!((one.p50, one.p99, one.max), (ms(7), ms(7), ms(7)));
        assert_eq!(Latencies::of(&[]), None);
    }
}
