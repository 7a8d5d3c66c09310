//! Escaping for the HTML report: every string that reaches the page goes
//! through one of these, so that nothing a submitter wrote (names,
//! descriptions, reasons, inspection items) can become markup or script.
//!
//! - [`text`]: element content and attribute values (quoted with `"`);
//! - [`json_in_script`]: JSON inside `<script type="application/json">`;
//! - [`script`]: JavaScript inside `<script>`.

use std::fmt::Write as _;

/// `s` as HTML text or a double-quoted attribute value: `&`, `<`, `>`,
/// `"` and `'` become character references.
#[must_use]
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON text to place inside a `<script type="application/json">`
/// element: every `<` becomes `\u003c`, U+2028 and U+2029 their escapes.
///
/// In valid JSON `<` can only occur inside strings, where `\u003c` is the
/// same character, so the element's text parses to the same value, yet
/// neither `</script` nor `<!--` can occur in it and end the element early.
#[must_use]
pub(crate) fn json_in_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// JavaScript source to place inside a `<script>` element: `</` becomes
/// `<\/` and `<!--` becomes `<\!--` (the same text inside a string or a
/// regular expression), so the element cannot be closed early. The
/// embedded scripts hold neither; this only makes sure of it.
#[must_use]
pub(crate) fn script(js: &str) -> String {
    js.replace("</", "<\\/").replace("<!--", "<\\!--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup() {
        assert_eq!(
            text(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(text("车辆 Ремонт"), "车辆 Ремонт");
        assert_eq!(text("&amp;"), "&amp;amp;");
    }

    #[test]
    fn json_cannot_close_its_script_and_parses_the_same() {
        let value = serde_json::json!({
            "note": "</script><script>alert(1)</script> <!-- x --> \u{2028}",
            "n": [1, 2],
        });
        let json = serde_json::to_string(&value).unwrap();
        let escaped = json_in_script(&json);
        assert!(!escaped.contains('<'), "{escaped}");
        assert!(!escaped.contains('\u{2028}'), "{escaped}");
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn script_cannot_close_its_element() {
        let js = r#"const s = "</script>"; const c = "<!--";"#;
        let escaped = script(js);
        assert!(!escaped.to_ascii_lowercase().contains("</script"));
        assert!(!escaped.contains("<!--"));
        assert_eq!(escaped, r#"const s = "<\/script>"; const c = "<\!--";"#);
        assert_eq!(script("a < b && c > d"), "a < b && c > d");
    }
}
