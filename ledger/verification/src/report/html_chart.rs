//! The HTML report's odometer chart: an inline SVG of the readings in
//! force over time, drawn here so the page needs no script or library to
//! show it. Readings in miles are drawn in kilometres; a reading whose
//! entry carries an `odometer_rollback` flag is drawn in red.

use std::fmt::Write as _;

use vledger_records::DistanceUnit;

use super::html_escape::text as esc;
use super::summary_model::{OdometerPoint, OdometerSummary};
use crate::i18n::{Key, Lang, fill, text, values};

const WIDTH: u64 = 640;
const HEIGHT: u64 = 240;
/// Space for the axis labels: left, right, top, bottom.
const MARGIN: (u64, u64, u64, u64) = (64, 24, 16, 36);

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian).
fn days(date: &str) -> Option<i64> {
    let mut parts = date.get(..10)?.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// A reading in whole kilometres.
fn km(p: &OdometerPoint) -> u64 {
    match p.unit {
        DistanceUnit::Km => p.value,
        DistanceUnit::Miles => p.value.saturating_mul(1_609_344) / 1_000_000,
    }
}

/// `value` scaled from `0..=span` onto `0..=len` pixels.
fn scale(value: u64, span: u64, len: u64) -> u64 {
    if span == 0 {
        len / 2
    } else {
        u64::try_from(u128::from(value) * u128::from(len) / u128::from(span)).unwrap_or(len)
    }
}

/// A round step for about four grid lines up to `max`.
fn step(max: u64) -> u64 {
    let rough = max.div_ceil(4).max(1);
    let mut unit = 1;
    while unit * 10 <= rough {
        unit *= 10;
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * unit)
        .find(|s| *s >= rough)
        .unwrap_or(unit * 10)
}

/// The chart as a `<figure>`: an SVG, or a line saying there are no
/// readings.
pub(crate) fn figure(lang: Lang, o: &OdometerSummary) -> String {
    let title = esc(text(lang, Key::HtmlChartTitle));
    let mut out = format!("<figure id=\"odometer-chart\">\n<figcaption>{title}</figcaption>\n");
    let points: Vec<(i64, u64, &OdometerPoint)> = o
        .points
        .iter()
        .filter_map(|p| Some((days(&p.date)?, km(p), p)))
        .collect();
    let (Some(first), Some(last)) = (
        points.iter().map(|p| p.0).min(),
        points.iter().map(|p| p.0).max(),
    ) else {
        let _ = writeln!(
            out,
            "<p class=\"none\">{}</p>\n</figure>",
            esc(text(lang, Key::HtmlChartNone))
        );
        return out;
    };
    let (left, right, top, bottom) = MARGIN;
    let (w, h) = (WIDTH - left - right, HEIGHT - top - bottom);
    let grid = step(points.iter().map(|p| p.1).max().unwrap_or(0));
    let ymax = points
        .iter()
        .map(|p| p.1)
        .max()
        .unwrap_or(0)
        .div_ceil(grid)
        .max(1)
        * grid;
    let span = u64::try_from(last - first).unwrap_or(0);
    let x = |day: i64| left + scale(u64::try_from(day - first).unwrap_or(0), span, w);
    let y = |value: u64| top + h - scale(value, ymax, h);
    let unit = text(lang, Key::UnitKm);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         role=\"img\" aria-label=\"{title}\">"
    );
    let mut v = 0;
    while v <= ymax {
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"/>\
             <text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{v} {}</text>",
            left + w,
            left - 6,
            y(v) + 4,
            esc(unit),
            y = y(v),
        );
        v += grid;
    }
    for (day, anchor) in [(first, "start"), (last, "end")] {
        if let Some(p) = points.iter().find(|p| p.0 == day) {
            let _ = writeln!(
                out,
                "<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
                x(day),
                HEIGHT - 12,
                esc(&p.2.date)
            );
        }
        if first == last {
            break;
        }
    }
    let line: Vec<String> = points
        .iter()
        .map(|p| format!("{},{}", x(p.0), y(p.1)))
        .collect();
    let _ = writeln!(
        out,
        "<polyline class=\"readings\" points=\"{}\"/>",
        line.join(" ")
    );
    let rollback = esc(text(lang, Key::HtmlChartRollback));
    for (day, value, p) in &points {
        let flagged = o.rollback_entries.contains(&p.index);
        let reading = fill(
            lang,
            Key::Reading,
            &[
                ("value", &p.value.to_string()),
                ("unit", text(lang, values::unit(p.unit))),
            ],
        );
        let entry = fill(lang, Key::EntryRef, &[("index", &p.index.to_string())]);
        let note = if flagged {
            format!(" — {rollback}")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"4\" data-entry-index=\"{}\">\
             <title>{}: {} ({}){note}</title></circle>",
            if flagged {
                "reading rollback"
            } else {
                "reading"
            },
            x(*day),
            y(*value),
            p.index,
            esc(&p.date),
            esc(&reading),
            esc(&entry),
        );
    }
    out.push_str("</svg>\n</figure>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(index: u64, date: &str, value: u64) -> OdometerPoint {
        OdometerPoint {
            index,
            date: date.to_owned(),
            value,
            unit: DistanceUnit::Km,
        }
    }

    #[test]
    fn dates_become_days() {
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2000-03-01"), Some(11_017));
        assert_eq!(days("2026-10-12"), Some(20_738));
        assert_eq!(days("garbage"), None);
    }

    #[test]
    fn grid_steps_are_round() {
        assert_eq!(step(21_460), 10_000);
        assert_eq!(step(80_000), 20_000);
        assert_eq!(step(3), 1);
        assert_eq!(step(0), 1);
    }

    #[test]
    fn the_chart_draws_each_reading_and_marks_rollbacks() {
        let o = OdometerSummary {
            last: None,
            readings: 3,
            rollback: true,
            rollback_entries: vec![9],
            not_actual_mileage: false,
            cluster_changes: Vec::new(),
            points: vec![
                point(3, "2024-01-10", 10_000),
                point(5, "2025-01-10", 80_000),
                point(9, "2026-01-10", 52_000),
            ],
        };
        let svg = figure(Lang::En, &o);
        assert_eq!(svg.matches("<circle").count(), 3, "{svg}");
        assert_eq!(svg.matches("class=\"reading rollback\"").count(), 1);
        assert!(svg.contains("data-entry-index=\"9\""), "{svg}");
        assert!(svg.contains("2024-01-10") && svg.contains("2026-01-10"));
        assert!(svg.contains("80000 km (entry 5)"), "{svg}");
        // Ten thousand at the top of the first reading's axis position:
        // the earliest reading is at the left edge, the latest at the right.
        assert!(svg.contains(&format!("{},", MARGIN.0)), "{svg}");
        assert!(svg.contains(&format!("{},", WIDTH - MARGIN.1)), "{svg}");
        let empty = OdometerSummary {
            points: Vec::new(),
            ..o
        };
        assert!(figure(Lang::En, &empty).contains("no odometer readings"));
    }
}
