//! The report as an HTML page, on synthetic histories: what submitters
//! wrote is escaped, the bundle travels inside the page and comes out the
//! same, the page loads nothing, its words are in its language, and the
//! timeline and chart show every record and reading.

mod support;

use serde_json::{Value, json};
use support::{History, VIN, reading, troubled};
use vledger_records::Role;
use vledger_verification::i18n::Lang;
use vledger_verification::report::{HtmlPage, Report};

const HOSTILE: &str = "<script>alert(\"pwned\")</script> & <!-- 'Co' -->";
const BUNDLE_OPEN: &str = "<script type=\"application/json\" id=\"vledger-bundle\">";

/// A bundle-like JSON text whose strings try to close the script element.
fn bundle_text() -> String {
    json!({
        "format": "vledger-history/v1",
        "vin": VIN,
        "note": "</script><script>alert(1)</script> <!-- \u{2028}",
    })
    .to_string()
}

fn page(r: &Report, bundle: &str) -> String {
    r.to_html(&HtmlPage {
        bundle_json: bundle,
        verifier_js: "var VledgerVerify = { verifyHistory: function () { return { ok: false }; } };",
    })
}

#[test]
fn submitter_text_is_escaped_and_the_bundle_comes_out_the_same() {
    let mut h = History::new();
    h.add(
        Role::Workshop,
        HOSTILE,
        reading(1_200, "2024-02-03"),
        vec![],
    );
    h.add(
        Role::Workshop,
        "Garage",
        reading(5_400, "2025-02-03"),
        vec![],
    );
    let r = Report::build(&h.verified(None), None, Lang::En);
    let bundle = bundle_text();
    let html = page(&r, &bundle);

    assert!(!html.contains(HOSTILE), "submitter text unescaped");
    assert!(!html.contains("alert(\"pwned\")"));
    assert!(html.contains(
        "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;!-- &#39;Co&#39; --&gt;"
    ));
    // Four script elements: the catalogue's words, the bundle, the
    // verifier and the page script; none closed early.
    assert_eq!(html.matches("<script").count(), 4, "{html}");
    assert_eq!(html.matches("</script>").count(), 4, "{html}");
    assert!(
        !html.contains("<!--"),
        "a comment opener would change how scripts end"
    );

    let start = html.find(BUNDLE_OPEN).expect("bundle") + BUNDLE_OPEN.len();
    let end = start + html[start..].find("</script>").expect("closed");
    let inner: Value = serde_json::from_str(&html[start..end]).expect("JSON");
    assert_eq!(inner, serde_json::from_str::<Value>(&bundle).expect("JSON"));
}

#[test]
fn the_page_loads_nothing_and_shows_every_record() {
    let (h, at) = troubled();
    let r = Report::build(&h, None, Lang::En);
    let html = page(&r, &bundle_text());
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none';"));
    for attribute in [" src=", " href=", "@import", "url("] {
        assert!(
            !html.contains(attribute),
            "{attribute} would load something"
        );
    }
    // The verdict starts unverified: only the browser's check sets it.
    assert!(html.contains("<div id=\"verdict\" data-verified=\"false\" data-state=\"pending\""));
    assert!(html.contains(&format!(
        "data-vin=\"{VIN}\" data-tree-size=\"{}\"",
        r.tree_size
    )));
    // Every record in the timeline, in order, by its entry.
    let timeline = &html[html.find("<section id=\"timeline\">").expect("timeline")..];
    let shown: Vec<u64> = timeline
        .split("<li class=\"entry")
        .skip(1)
        .filter_map(|li| {
            li.split("data-entry-index=\"")
                .nth(1)?
                .split('"')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    let indexes: Vec<u64> = r.timeline.iter().map(|e| e.index).collect();
    assert_eq!(shown, indexes);
    assert!(at.iter().all(|i| indexes.contains(i)));
    // The chart: one point per reading in force, the rollback in red, and
    // print styles for A4.
    let chart = &html[html.find("<figure id=\"odometer-chart\">").expect("chart")..];
    let chart = &chart[..chart.find("</figure>").expect("figure closed")];
    assert_eq!(
        chart.matches("<circle").count(),
        r.summary.odometer.readings,
        "{chart}"
    );
    let o = &r.summary.odometer;
    let flagged = o
        .points
        .iter()
        .filter(|p| o.rollback_entries.contains(&p.index))
        .count();
    assert!(flagged >= 1, "the troubled car has a rollback in force");
    assert_eq!(chart.matches("class=\"reading rollback\"").count(), flagged);
    assert!(html.contains("@page { size: A4;") && html.contains("@media print"));
}

#[test]
fn the_page_is_in_its_language() {
    let (h, _) = troubled();
    for (lang, pending, timeline) in [
        (Lang::Zh, "尚未验证", "时间线"),
        (Lang::En, "Not verified yet", "Timeline"),
        (Lang::Ru, "Ещё не проверено", "Хронология"),
    ] {
        let html = page(&Report::build(&h, None, lang), &bundle_text());
        assert!(html.contains(&format!("<html lang=\"{}\">", lang.code())));
        assert!(html.contains(pending), "{lang}");
        assert!(html.contains(&format!("<h2>{timeline}</h2>")), "{lang}");
        // The words the page script writes into the verdict.
        let open = "<script type=\"application/json\" id=\"vledger-text\">";
        let start = html.find(open).expect("texts") + open.len();
        let end = start + html[start..].find("</script>").expect("closed");
        let words: Value = serde_json::from_str(&html[start..end]).expect("JSON");
        for key in [
            "verified",
            "failed",
            "noAnchors",
            "claimedKey",
            "mismatch",
            "records",
        ] {
            assert!(
                words[key].as_str().is_some_and(|t| !t.is_empty()),
                "{lang}: {key}"
            );
        }
        assert!(
            words["verified"]
                .as_str()
                .is_some_and(|t| t.contains("{fingerprint}"))
        );
    }
}
