//! The buyer's HTML report in a real browser: a real node logs the
//! docs/examples history, `vledger history` fetches its bundle,
//! `vledger-verify history --html` writes the page, and headless Chromium
//! (Debian's `chromium`, driven by playwright-core from
//! `verifier-cli/web/test/browser/report-page.mjs`) opens it:
//!
//! - with the log key in the address's fragment: verified, and the page
//!   shows the hail brand, one export and the last odometer reading;
//! - the same page with one record taken out of its embedded bundle: not
//!   verified, naming what failed;
//! - without a fragment: not verified, asking for the key; with a keys
//!   file picked in the page instead: verified; with a key that is not the
//!   log's: not verified.
//!
//! No page makes a request. Screenshots go to `<target>/report-html/`.
//!
//! Needs Chromium (`apt-get install chromium`), Node.js and npm.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use vledger_tests::{TestLog, bins, path_str, run, submit_example, vledger};

const EXAMPLE_VIN: &str = "LGXCE4CB8S0123456";
const BUNDLE_OPEN: &str = "<script type=\"application/json\" id=\"vledger-bundle\">";

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../verifier-cli/web")
        .canonicalize()
        .expect("verifier-cli/web")
}

/// Where screenshots go: `report-html/` in this test's target directory.
fn screenshots() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let target = exe
        .ancestors()
        .nth(3)
        .map_or_else(std::env::temp_dir, Path::to_path_buf);
    let dir = target.join("report-html");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

/// The browser, or a clear failure naming the package to install.
fn chromium() -> PathBuf {
    let path = std::env::var_os("VLEDGER_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.is_file(),
        "this test needs Chromium at {}: install the Debian package `chromium` \
         (apt-get install chromium), or set VLEDGER_CHROMIUM",
        path.display()
    );
    path
}

/// What the browser saw on one page.
#[derive(Debug)]
struct Seen {
    verified: String,
    state: String,
    verdict: String,
    text: String,
}

/// Opens each `(file, fragment, keys file, screenshot)` in Chromium.
fn open(cases: &[(&Path, &str, Option<&Path>, Option<&Path>)], work: &Path) -> Vec<Seen> {
    let browser = chromium();
    let dir = web_dir();
    if !dir.join("node_modules/playwright-core").is_dir() {
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .expect("npm ci (needs nodejs and npm)");
        assert!(out.status.success(), "npm ci: {out:?}");
    }
    let list: Vec<Value> = cases
        .iter()
        .map(|(file, fragment, keys, shot)| {
            serde_json::json!({
                "file": path_str(file),
                "fragment": fragment,
                "keysFile": keys.map(path_str),
                "screenshot": shot.map(path_str),
            })
        })
        .collect();
    let cases_file = work.join("cases.json");
    std::fs::write(&cases_file, Value::from(list).to_string()).expect("write cases");
    let out = Command::new("node")
        .arg("test/browser/report-page.mjs")
        .arg(&cases_file)
        .env("VLEDGER_CHROMIUM", &browser)
        .current_dir(&dir)
        .output()
        .expect("node (needs nodejs)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the browser run failed:\n{stdout}\n{stderr}"
    );
    let seen: Vec<Value> = serde_json::from_str(stdout.trim()).expect("browser results");
    assert_eq!(seen.len(), cases.len(), "{stdout}");
    seen.iter()
        .map(|s| {
            assert_eq!(
                s["requests"],
                serde_json::json!([]),
                "the page made requests: {s}"
            );
            assert_eq!(s["errors"], serde_json::json!([]), "script errors: {s}");
            let field = |name: &str| s[name].as_str().unwrap_or_default().to_owned();
            Seen {
                verified: field("verified"),
                state: field("state"),
                verdict: field("verdict"),
                text: field("text"),
            }
        })
        .collect()
}

/// The embedded bundle's JSON text, and where it sits in the page.
fn embedded(html: &str) -> (usize, usize) {
    let start = html.find(BUNDLE_OPEN).expect("embedded bundle") + BUNDLE_OPEN.len();
    let len = html[start..].find("</script>").expect("bundle closed");
    (start, start + len)
}

#[test]
fn the_html_report_verifies_in_chromium() {
    chromium();
    let log = TestLog::init();
    let mut node = vledger_tests::Node::start(&log.data, &["--http-listen", "127.0.0.1:0"]);
    let at = submit_example(&log, &node.url);
    let bundle = log.path("example.vhist.json");
    vledger([
        "history",
        "--node",
        &node.url,
        EXAMPLE_VIN,
        "--out",
        path_str(&bundle),
    ])
    .ok();
    // The node serves the same page for the VIN on its HTTP side.
    let http_url = node.http_url.clone().expect("the HTTP address");
    let served = vledger_tests::http("GET", &http_url, &format!("/vin/{EXAMPLE_VIN}"), b"");
    assert_eq!(served.status, 200, "{}", served.body);
    assert_eq!(
        served.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    let served_page = log.path("served.html");
    std::fs::write(&served_page, &served.bytes).expect("write");
    let served_zh = vledger_tests::http(
        "GET",
        &http_url,
        &format!("/vin/{EXAMPLE_VIN}?lang=zh"),
        b"",
    );
    assert!(
        served_zh.body.contains("车辆历史报告"),
        "{}",
        served_zh.body
    );
    for bad in ["/vin/NOTAVIN", &format!("/vin/{EXAMPLE_VIN}?lang=xx")] {
        assert_eq!(
            vledger_tests::http("GET", &http_url, bad, b"").status,
            400,
            "{bad}"
        );
    }
    node.stop();

    let key_file = log.log_vkey_file();
    let page = log.path("example.html");
    let zh_page = log.path("example.zh.html");
    for (lang, file) in [("en", &page), ("zh", &zh_page)] {
        let out = run(
            &bins().verify,
            [
                "history",
                "--log-key",
                path_str(&key_file),
                "--lang",
                lang,
                "--html",
                path_str(file),
                path_str(&bundle),
            ],
        )
        .ok();
        assert!(out.stdout.contains(EXAMPLE_VIN), "{out}");
    }
    let html = std::fs::read_to_string(&page).expect("the page");

    // The embedded bundle is the bundle: taken out, vledger-verify accepts it.
    let (start, end) = embedded(&html);
    let inner: Value = serde_json::from_str(&html[start..end]).expect("embedded JSON");
    let fetched: Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).expect("bundle")).expect("JSON");
    assert_eq!(inner, fetched);
    let extracted = log.path("extracted.vhist.json");
    std::fs::write(&extracted, &html[start..end]).expect("write");
    let out = run(
        &bins().verify,
        [
            "history",
            "--log-key",
            path_str(&key_file),
            path_str(&extracted),
        ],
    )
    .ok();
    assert!(out.stdout.contains("12 records"), "{out}");

    // The same page with the damage record (the hail brand) taken out.
    let damage = at["06-damage.json"];
    let mut cut = inner.clone();
    let records = cut["records"].as_array_mut().expect("records");
    let before = records.len();
    records.retain(|r| r["index"] != damage);
    assert_eq!(
        records.len(),
        before - 1,
        "the damage record is in the bundle"
    );
    let tampered = log.path("tampered.html");
    let cut = serde_json::to_string(&cut)
        .expect("JSON")
        .replace('<', "\\u003c");
    std::fs::write(
        &tampered,
        format!("{}{cut}{}", &html[..start], &html[end..]),
    )
    .expect("write");

    let keys = log.path("buyer.keys");
    std::fs::write(&keys, format!("# pinned by the buyer\n{}\n", log.log_vkey)).expect("write");
    let other = log.keygen("not-the-log");
    let fragment = |vkey: &str| format!("log={}", encode(vkey));
    let shots = screenshots();
    let (ok_png, bad_png) = (shots.join("verified.png"), shots.join("record-removed.png"));
    let (good, wrong) = (fragment(&log.log_vkey), fragment(&other.vkey));
    let seen = open(
        &[
            (&page, &good, None, Some(&ok_png)),
            (&tampered, &good, None, Some(&bad_png)),
            (&page, "", None, None),
            (&page, "", Some(&keys), None),
            (&page, &wrong, None, None),
            (&zh_page, &good, None, None),
            (&served_page, &good, None, None),
        ],
        log.dir.path(),
    );
    let [verified, removed, bare, by_file, wrong_key, zh, from_node] = &seen[..] else {
        panic!("{seen:?}");
    };
    // `name+keyid`: the name holds no '+', the base64 key may.
    let mut parts = log.log_vkey.splitn(3, '+');
    let fingerprint = format!(
        "{}+{}",
        parts.next().expect("name"),
        parts.next().expect("key id")
    );

    // Verified, from the address, and the summary a buyer reads first.
    assert_eq!(
        (verified.verified.as_str(), verified.state.as_str()),
        ("true", "verified"),
        "{verified:?}"
    );
    for want in [
        format!("VERIFIED in this browser: 12 records of VIN {EXAMPLE_VIN}"),
        format!("({fingerprint})"),
        "trust anchors from the page address".to_owned(),
    ] {
        assert!(
            verified.verdict.contains(&want),
            "{want:?} not in {verified:?}"
        );
    }
    let inspection = at["09-inspection.json"];
    for want in [
        format!("hail (set by entry {damage}, 2026-05-18)"),
        "1 ownership transfer, 1 for export".to_owned(),
        format!("last reading 21460 km on 2026-10-12 (entry {inspection})"),
        "Odometer readings over time".to_owned(),
    ] {
        assert!(
            verified.text.contains(&want),
            "{want:?} not on the page:\n{}",
            verified.text
        );
    }

    // A record taken out: not verified, and the verdict says why.
    assert_eq!(
        (removed.verified.as_str(), removed.state.as_str()),
        ("false", "failed"),
        "{removed:?}"
    );
    assert!(removed.verdict.starts_with("NOT VERIFIED: "), "{removed:?}");
    assert!(
        removed.verdict.contains("record"),
        "names what failed: {removed:?}"
    );
    assert!(
        removed.verdict.contains("Do not rely on this report."),
        "{removed:?}"
    );

    // No anchors: not verified; the key the bundle claims is shown as such.
    assert_eq!(
        (bare.verified.as_str(), bare.state.as_str()),
        ("false", "none"),
        "{bare:?}"
    );
    assert!(bare.verdict.contains("no trust anchors"), "{bare:?}");
    assert!(
        bare.verdict.contains(&format!(
            "claims to be signed by log key {fingerprint}: unverified"
        )),
        "{bare:?}"
    );

    // A keys file the buyer picks.
    assert_eq!(by_file.verified, "true", "{by_file:?}");
    assert!(
        by_file.verdict.contains("the keys file buyer.keys"),
        "{by_file:?}"
    );

    // A key that is not the log's.
    assert_eq!(
        (wrong_key.verified.as_str(), wrong_key.state.as_str()),
        ("false", "failed"),
        "{wrong_key:?}"
    );
    assert!(wrong_key.verdict.contains("checkpoint"), "{wrong_key:?}");

    // The page the node served verifies in the browser the same way.
    assert_eq!(from_node.verified, "true", "{from_node:?}");
    assert!(
        from_node.verdict.contains(&format!(
            "VERIFIED in this browser: 12 records of VIN {EXAMPLE_VIN}"
        )),
        "{from_node:?}"
    );

    // The page's language.
    assert_eq!(zh.verified, "true", "{zh:?}");
    assert!(zh.verdict.contains("已在本浏览器中验证"), "{zh:?}");

    for png in [&ok_png, &bad_png] {
        let bytes = std::fs::read(png).expect("screenshot written");
        assert!(
            bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000,
            "{}",
            png.display()
        );
    }
}

/// `encodeURIComponent` for a verifier key.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
