//! How the report writes dates, times, distances, sums of money and
//! lists, whatever the language: dates as `YYYY-MM-DD`, times in UTC,
//! numbers without grouping (a comma is a decimal point in Russian), and
//! the catalogue's words around them.

use vledger_records::{Amount, Odometer, format_time};

use crate::i18n::{Key, Lang, fill, text, values};

/// The calendar date (UTC) of a time in seconds: `2026-05-18`.
#[must_use]
pub(crate) fn date(seconds: i64) -> String {
    let t = format_time(seconds);
    t.get(..10).map_or_else(|| t.clone(), str::to_owned)
}

/// A time in seconds, RFC 3339 (`2026-05-18T00:00:00Z`), for data.
#[must_use]
pub(crate) fn rfc3339(seconds: i64) -> String {
    format_time(seconds)
}

/// A time in milliseconds, RFC 3339, for data.
#[must_use]
pub(crate) fn rfc3339_ms(ms: i64) -> String {
    format_time(ms.div_euclid(1000))
}

/// A time in milliseconds as people read it: `2026-12-03 13:55:19 UTC`.
#[must_use]
pub(crate) fn utc(lang: Lang, ms: i64) -> String {
    let t = rfc3339_ms(ms);
    match t.split_once('T') {
        Some((day, time)) => fill(
            lang,
            Key::Utc,
            &[("date", day), ("time", time.trim_end_matches('Z'))],
        ),
        None => t,
    }
}

/// A distance: `21460 km`, `21460 公里`, `21460 км`.
#[must_use]
pub(crate) fn reading(lang: Lang, o: Odometer) -> String {
    let value = o.value.to_string();
    fill(
        lang,
        Key::Reading,
        &[
            ("value", &value),
            ("unit", text(lang, values::unit(o.unit))),
        ],
    )
}

/// `yes` or `no`.
#[must_use]
pub(crate) const fn yes_no(lang: Lang, yes: bool) -> &'static str {
    text(lang, if yes { Key::Yes } else { Key::No })
}

/// Items joined with the language's list separator.
#[must_use]
pub(crate) fn list(lang: Lang, items: &[String]) -> String {
    items.join(text(lang, Key::ListSeparator))
}

/// Entry indexes as `26` or `26, 30`.
#[must_use]
pub(crate) fn entries(indexes: &[u64]) -> String {
    indexes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Currencies (ISO 4217) whose minor unit is not a hundredth: how many
/// decimals they have.
const DECIMALS: &[(&str, u32)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

/// A sum of money in its currency's decimals: `2500.00 USD`, `30000 JPY`.
#[must_use]
pub(crate) fn amount(a: &Amount) -> String {
    let decimals = DECIMALS
        .iter()
        .find(|(c, _)| *c == a.currency)
        .map_or(2, |(_, d)| *d);
    if decimals == 0 {
        return format!("{} {}", a.minor_units, a.currency);
    }
    let unit = 10_u64.pow(decimals);
    format!(
        "{}.{:0width$} {}",
        a.minor_units / unit,
        a.minor_units % unit,
        a.currency,
        width = decimals as usize
    )
}

/// The columns a text takes on a terminal: two for East Asian wide
/// characters, one for the rest.
#[must_use]
pub(crate) fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let wide = matches!(c,
                '\u{1100}'..='\u{115f}'
                | '\u{2e80}'..='\u{a4cf}'
                | '\u{ac00}'..='\u{d7a3}'
                | '\u{f900}'..='\u{faff}'
                | '\u{fe30}'..='\u{fe4f}'
                | '\u{ff00}'..='\u{ff60}'
                | '\u{ffe0}'..='\u{ffe6}');
            if wide { 2 } else { 1 }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vledger_records::DistanceUnit;

    #[test]
    fn dates_times_distances_and_money() {
        assert_eq!(date(1_779_062_400), "2026-05-18");
        assert_eq!(utc(Lang::En, 1_779_062_400_500), "2026-05-18 00:00:00 UTC");
        assert_eq!(
            utc(Lang::Zh, 1_779_062_400_000),
            "2026-05-18 00:00:00（UTC）"
        );
        let o = Odometer {
            value: 21_460,
            unit: DistanceUnit::Km,
        };
        assert_eq!(reading(Lang::En, o), "21460 km");
        assert_eq!(reading(Lang::Ru, o), "21460 км");
        assert_eq!(reading(Lang::Zh, o), "21460 公里");
        let money = |minor_units, currency: &str| Amount {
            minor_units,
            currency: currency.to_owned(),
        };
        assert_eq!(amount(&money(250_000, "USD")), "2500.00 USD");
        assert_eq!(amount(&money(5, "EUR")), "0.05 EUR");
        assert_eq!(amount(&money(30_000, "JPY")), "30000 JPY");
        assert_eq!(amount(&money(1_500, "KWD")), "1.500 KWD");
        assert_eq!(entries(&[26, 30]), "26, 30");
        assert_eq!(width("Brands"), 6);
        assert_eq!(width("品牌标记"), 8);
    }
}
