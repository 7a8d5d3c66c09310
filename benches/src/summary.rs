//! A closing table for a criterion bench binary: the **median** time per
//! element of each bench, and its ratio to a baseline bench measured in the
//! same run.
//!
//! Machines are noisy; absolute figures compare badly across runs and
//! machines, ratios to a baseline taken minutes apart on the same machine
//! compare much better. Criterion prints a mean or slope per bench; it
//! writes the median to `<criterion dir>/<bench id>/new/estimates.json`,
//! which this module reads back after the benches ran. Files older than the
//! start of the current process are ignored, so a bench that was filtered
//! out of this run shows as "not run" rather than with a stale figure.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::SystemTime;

/// One bench to report: its criterion id and how many elements one
/// iteration handles.
#[derive(Debug, Clone)]
pub struct Row {
    /// The criterion id, `group/function/parameter` (as given to criterion;
    /// the ids used here contain no characters criterion rewrites).
    pub id: String,
    /// Elements per iteration (the bench's `Throughput::Elements`).
    pub elements: u64,
}

/// The rows of one bench binary and the id of its baseline.
#[derive(Debug, Clone)]
pub struct Summary {
    /// When this process started measuring; older estimates are stale.
    started: SystemTime,
    /// The bench that every other is divided by.
    baseline: String,
    /// Everything to report, in order.
    rows: Vec<Row>,
}

impl Summary {
    /// A summary whose ratios divide by the bench `baseline` (which should
    /// also be one of the rows).
    #[must_use]
    pub fn new(baseline: impl Into<String>) -> Self {
        Self {
            started: SystemTime::now(),
            baseline: baseline.into(),
            rows: Vec::new(),
        }
    }

    /// Adds the bench `id`, whose iterations each handle `elements`.
    pub fn add(&mut self, id: impl Into<String>, elements: u64) {
        self.rows.push(Row {
            id: id.into(),
            elements,
        });
    }

    /// The table: one line per row with the median per element, elements
    /// per second, and the ratio to the baseline's median per element.
    /// `None` when no bench wrote estimates in this run (e.g. under
    /// `cargo test --benches` or with a filter that matched nothing).
    #[must_use]
    pub fn render(&self) -> Option<String> {
        let dir = criterion_dir();
        let per_element = |row: &Row| {
            median_ns(&dir, &row.id, self.started).map(|ns| ns / row.elements.max(1) as f64)
        };
        let measured: Vec<Option<f64>> = self.rows.iter().map(per_element).collect();
        if measured.iter().all(Option::is_none) {
            return None;
        }
        let base = self
            .rows
            .iter()
            .zip(&measured)
            .find(|(r, _)| r.id == self.baseline)
            .and_then(|(_, m)| *m);
        let width = self.rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\nMedians per element (criterion's median of its samples); ratio = this / {}",
            self.baseline
        );
        let _ = writeln!(
            out,
            "{:width$}  {:>12}  {:>14}  {:>8}",
            "bench", "median/elem", "elements/s", "ratio"
        );
        for (row, m) in self.rows.iter().zip(&measured) {
            match m {
                Some(ns) => {
                    let ratio = base.map_or_else(|| "-".to_owned(), |b| format_ratio(ns / b));
                    let _ = writeln!(
                        out,
                        "{:width$}  {:>12}  {:>14.0}  {:>8}",
                        row.id,
                        format_ns(*ns),
                        1e9 / ns,
                        ratio
                    );
                }
                None => {
                    let _ = writeln!(out, "{:width$}  {:>12}", row.id, "not run");
                }
            }
        }
        Some(out)
    }

    /// Prints [`Summary::render`] to stdout, if anything ran.
    pub fn print(&self) {
        if let Some(table) = self.render() {
            println!("{table}");
        }
    }
}

/// A ratio with two decimals, or three significant digits below 0.1.
#[must_use]
pub fn format_ratio(r: f64) -> String {
    if r != 0.0 && r.abs() < 0.1 {
        format!("{r:.2e}")
    } else {
        format!("{r:.2}")
    }
}

/// A duration in nanoseconds, in the unit that suits it.
#[must_use]
pub fn format_ns(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// Where criterion writes its results: `$CRITERION_HOME`, else
/// `$CARGO_TARGET_DIR/criterion`, else `criterion/` in the target directory
/// that holds this executable (`target/<profile>/deps/<bench>`).
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(|t| t.join("criterion")))
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// The median of bench `id` in nanoseconds per iteration, if criterion
/// wrote it after `since`.
fn median_ns(dir: &std::path::Path, id: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if modified < since {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("median")?.get("point_estimate")?.as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_durations_in_fitting_units() {
        assert_eq!(format_ns(108.0), "108.0 ns");
        assert_eq!(format_ns(39_500.0), "39.50 µs");
        assert_eq!(format_ns(2_500_000.0), "2.50 ms");
        assert_eq!(format_ns(3e9), "3.00 s");
        assert_eq!(format_ratio(1.5), "1.50");
        assert_eq!(format_ratio(0.0023), "2.30e-3");
    }

    #[test]
    fn reads_fresh_medians_and_ignores_stale_ones() {
        let dir = tempfile::tempdir().unwrap();
        let write = |id: &str, median: f64| {
            let p = dir.path().join(id).join("new");
            std::fs::create_dir_all(&p).unwrap();
            let json = format!(r#"{{"median":{{"point_estimate":{median}}}}}"#);
            std::fs::write(p.join("estimates.json"), json).unwrap();
        };
        write("g/stale/1", 5.0);
        let since = SystemTime::now() + std::time::Duration::from_millis(1);
        std::thread::sleep(std::time::Duration::from_millis(20));
        write("g/fresh/64", 640.0);
        assert_eq!(median_ns(dir.path(), "g/fresh/64", since), Some(640.0));
        assert_eq!(median_ns(dir.path(), "g/stale/1", since), None);
        assert_eq!(median_ns(dir.path(), "g/missing/1", since), None);
    }
}
