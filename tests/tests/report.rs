//! The buyer's report end to end: a real node logs a history, `vledger
//! history` fetches its bundle, and `vledger-verify history` prints the
//! report — summary first, then the timeline — and `--json`, in Chinese,
//! English and Russian, with the exit statuses a dealer's script tests.
//!
//! Two vehicles: the documented example (docs/examples: hail brand, one
//! export, a correction, a 128-item inspection in named groups), and a
//! flooded vehicle whose odometer was rolled back.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use vledger_tests::{
    Output, TestLog, VIN_A, VIN_B, bins, logged_index, path_str, run, submit, submit_example,
    vledger,
};

const EXAMPLE_VIN: &str = "LGXCE4CB8S0123456";
const LANGS: [&str; 3] = ["zh", "en", "ru"];

/// `vledger history VIN --node URL --out FILE`.
fn fetch(url: &str, vin: &str, out: &Path) {
    vledger(["history", "--node", url, vin, "--out", path_str(out)]).ok();
}

/// `vledger-verify history --log-key KEY EXTRA... FILE`.
fn report(log: &TestLog, bundle: &Path, extra: &[&str]) -> Output {
    let key = log.log_vkey_file();
    let mut args = vec!["history", "--log-key", path_str(&key)];
    args.extend_from_slice(extra);
    args.push(path_str(bundle));
    run(&bins().verify, args)
}

/// The report as JSON in `lang`.
fn json(log: &TestLog, bundle: &Path, lang: &str) -> Value {
    let out = report(log, bundle, &["--json", "--lang", lang]).ok();
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The summary part of a text report: everything before the timeline's
/// heading.
fn summary<'a>(out: &'a Output, timeline: &str) -> &'a str {
    let at = out
        .stdout
        .find(&format!("\n{timeline}\n"))
        .unwrap_or_else(|| panic!("no {timeline:?} heading: {out}"));
    &out.stdout[..at]
}

#[track_caller]
fn has_all(text: &str, wanted: &[String], out: &Output) {
    for w in wanted {
        assert!(text.contains(w.as_str()), "missing {w:?}:\n{out}");
    }
}

#[track_caller]
fn status(out: &Output, code: i32) {
    assert_eq!(out.status.code(), Some(code), "{out}");
}

/// A group's counts in a report's JSON.
fn group<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["summary"]["inspections"][0]["groups"]
        .as_array()
        .and_then(|g| g.iter().find(|g| g["group"] == name))
        .unwrap_or_else(|| panic!("no group {name}: {report}"))
}

#[test]
fn the_example_history_reads_the_same_in_three_languages() {
    let log = TestLog::init();
    let mut node = log.start();
    let at = submit_example(&log, &node.url);
    let bundle = log.path("example.vhist.json");
    fetch(&node.url, EXAMPLE_VIN, &bundle);
    node.stop();
    let e = |file: &str| at[file].to_string();
    let (damage, inspection, export, customs) = (
        e("06-damage.json"),
        e("09-inspection.json"),
        e("10-export-license.json"),
        e("12-customs-clearance.json"),
    );
    let (maintenance, correction) = (e("03-maintenance.json"), e("04-correction.json"));

    // English: the summary first, then the timeline, then the closing line.
    let en = report(&log, &bundle, &["--lang", "en"]).ok();
    assert!(
        en.stdout
            .starts_with(&format!("Vehicle history report — VIN {EXAMPLE_VIN}\n")),
        "{en}"
    );
    has_all(
        summary(&en, "Timeline"),
        &[
            "Example Auto E7 Long Range, model year 2025, battery electric, built 2025-03-10"
                .into(),
            format!("hail (set by entry {damage}, 2026-05-18)"),
            "accident (structural damage): no; flood: no; fire: no".into(),
            format!(
                "last reading 21460 km on 2026-10-12 (entry {inspection}); 4 readings; no rollback flagged"
            ),
            "1 ownership transfer, 1 for export".into(),
            format!("export licence EL-2026-31-0088123 to KZ, 2026-10-20 (entry {export})"),
            format!("customs clearance (export) at Horgos, CN, 2026-11-03 (entry {customs})"),
            format!(
                "CN-UVE-EXPORT-128 v1: passed; 127 of 128 passed, 1 advisory (entry {inspection})"
            ),
            "Braking: 14 of 14 passed".into(),
            "Body: 19 of 20 passed, 1 advisory".into(),
            "Power system: 16 of 16 passed".into(),
            "Electrical safety: 12 of 12 passed".into(),
            format!("entry {correction} corrected entry {maintenance} (Maintenance)"),
            "ATTENTION: branded or flagged".into(),
        ],
        &en,
    );
    // The timeline: organisations, the correction against what it
    // corrected, documents with their hashes and languages.
    has_all(
        &en.stdout,
        &[
            "signed by E2E Org (workshop, key".into(),
            format!("Maintenance — entry {maintenance}  CORRECTED by entry {correction}"),
            "Changes: Odometer: 980 km → 9800 km".into(),
            "Finding: Body: Roof panel: advisory — Repaired hail dents visible on roof under raking light".into(),
            "document: report, application/pdf, English, SHA-256 45ccfb6cf67f87a8641f044c319dcfccd878f47250356e92a4572c348c72922a".into(),
        ],
        &en,
    );
    assert!(
        summary(&en, "Timeline")
            .lines()
            .any(|l| l.starts_with("Flags ") && l.ends_with(" none")),
        "{en}"
    );
    assert!(!en.stdout.contains("{\""), "raw JSON in the report: {en}");
    let size = json(&log, &bundle, "en")["tree_size"].clone();
    assert!(
        en.stdout.trim_end().ends_with(&format!(
            "complete history of VIN {EXAMPLE_VIN} as of tree size {size}: 12 records"
        )),
        "{en}"
    );

    let zh = report(&log, &bundle, &["--lang", "zh"]).ok();
    has_all(
        summary(&zh, "时间线"),
        &[
            format!("冰雹（由第 {damage} 条记录设定，2026-05-18）"),
            format!("最近读数 21460 公里，2026-10-12（第 {inspection} 条记录）"),
            "未发现里程回调警示".into(),
            format!("出口许可证 EL-2026-31-0088123，目的国 KZ，2026-10-20（第 {export} 条记录）"),
            "Braking：14 项中 14 项合格".into(),
            "Body：20 项中 19 项合格，1 项提示".into(),
            "1 次所有权转移，其中 1 次为出口".into(),
        ],
        &zh,
    );
    let ru = report(&log, &bundle, &["--lang", "ru"]).ok();
    has_all(
        summary(&ru, "Хронология"),
        &[
            format!("град (установлена записью {damage}, 2026-05-18)"),
            format!("последнее показание 21460 км, 2026-10-12 (запись {inspection})"),
            "скручивания пробега не отмечено".into(),
            format!("экспортная лицензия EL-2026-31-0088123 в KZ, 2026-10-20 (запись {export})"),
            "Braking: пройдено 14 из 14".into(),
            "Body: пройдено 19 из 20, 1 замечание".into(),
        ],
        &ru,
    );
    // Text a submitter wrote stays as written in every language.
    for out in [&zh, &ru] {
        assert!(
            out.stdout
                .contains("Odometer mistyped: 9,800 km, not 980 km"),
            "{out}"
        );
    }

    for lang in LANGS {
        let r = json(&log, &bundle, lang);
        assert_eq!(r["format"], "vledger-report/v1");
        assert_eq!(r["lang"], lang);
        assert_eq!(r["complete"], true);
        assert_eq!(r["vin"], EXAMPLE_VIN);
        let s = &r["summary"];
        assert_eq!(s["records"], 12, "{r}");
        assert_eq!(s["attention"], true);
        assert_eq!(s["brands"].as_array().map(Vec::len), Some(1), "{s}");
        assert_eq!(s["brands"][0]["brand"], "hail");
        assert_eq!(s["brands"][0]["index"], at["06-damage.json"]);
        assert_eq!(s["export_licenses"].as_array().map(Vec::len), Some(1));
        assert_eq!(s["export_licenses"][0]["destination_country"], "KZ");
        assert_eq!(s["customs_clearances"][0]["direction"], "export");
        assert_eq!(s["odometer"]["last"]["value"], 21460);
        assert_eq!(s["odometer"]["last"]["unit"], "km");
        assert_eq!(s["odometer"]["rollback"], false);
        assert_eq!(s["ownership"]["for_export"], 1);
        assert_eq!(s["inspections"][0]["totals"]["items"], 128);
        assert_eq!(s["inspections"][0]["totals"]["advisory"], 1);
        assert_eq!(
            s["inspections"][0]["groups"].as_array().map(Vec::len),
            Some(11)
        );
        assert_eq!(group(&r, "Braking")["items"], 14);
        assert_eq!(group(&r, "Braking")["passed"], 14);
        assert_eq!(group(&r, "Body")["passed"], 19);
        assert_eq!(group(&r, "Body")["advisory"], 1);
        assert_eq!(
            s["corrections"][0]["target_index"],
            at["03-maintenance.json"]
        );
        assert_eq!(s["flags"]["total"], 0);
        assert_eq!(r["timeline"].as_array().map(Vec::len), Some(12));
        assert_eq!(r["records"].as_array().map(Vec::len), Some(12));
        let timeline = r["timeline"].as_array().expect("timeline");
        let corrected = timeline
            .iter()
            .find(|t| t["index"] == at["03-maintenance.json"])
            .expect("maintenance");
        assert_eq!(corrected["status"], "corrected");
        assert_eq!(corrected["corrected_by"][0], at["04-correction.json"]);
        let labels: Vec<&str> = s["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .filter_map(|l| l["label"].as_str())
            .collect();
        let brands = match lang {
            "zh" => "品牌标记",
            "ru" => "Отметки",
            _ => "Brands",
        };
        assert!(labels.contains(&brands), "{labels:?}");
    }

    // Verified and branded: 0, or 3 with --fail-on-flags.
    status(&report(&log, &bundle, &["--lang", "en"]), 0);
    status(&report(&log, &bundle, &["--fail-on-flags"]), 3);
    status(&report(&log, &bundle, &["--json", "--fail-on-flags"]), 3);
    // A record left out: not verified (1), said in the chosen language.
    let mut cut: Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).expect("bundle")).expect("JSON");
    cut["records"].as_array_mut().expect("records").remove(5);
    let cut_file = log.path("cut.vhist.json");
    std::fs::write(&cut_file, cut.to_string()).expect("write");
    for (lang, words) in [
        ("en", "NOT VERIFIED"),
        ("zh", "未通过验证"),
        ("ru", "НЕ ПРОВЕРЕНО"),
    ] {
        let out = report(&log, &cut_file, &["--lang", lang, "--fail-on-flags"]).fails();
        assert!(
            out.stderr.contains("the index counts 12 records") && out.stderr.contains(words),
            "{out}"
        );
        assert!(out.stdout.is_empty(), "{out}");
    }
}

/// A record file for `vin` in `log`'s directory.
fn record(log: &TestLog, name: &str, json: &Value) -> PathBuf {
    log.write_json(name, json)
}

#[test]
fn a_flooded_rolled_back_vehicle_is_named_in_every_language() {
    let log = TestLog::init();
    let mut node = log.start();
    let workshop = log.enrolled(&node.url, "workshop");
    let reading = |name: &str, date: &str, km: u64| {
        record(
            &log,
            name,
            &serde_json::json!({"vin": VIN_A, "event_time": date,
                "odometer_reading": {"value": km, "unit": "km", "source": "dashboard"}}),
        )
    };
    let first = reading("high", "2025-03-01", 80_000);
    let flood = record(
        &log,
        "flood",
        &serde_json::json!({"vin": VIN_A, "event_time": "2025-06-10", "damage": {
            "types": ["flood_salt_water"], "source": "insurance_claim",
            "description": "Submerged to the dashboard in a storm surge"}}),
    );
    let low = reading("low", "2025-07-01", 52_000);
    let clean = record(
        &log,
        "clean",
        &serde_json::json!({"vin": VIN_B, "event_time": "2025-07-01",
            "odometer_reading": {"value": 1200, "unit": "km", "source": "service"}}),
    );
    let mut at = Vec::new();
    for r in [&first, &flood, &low, &clean] {
        let out = submit(&node.url, &workshop, r, &r.with_extension("tlog-proof")).ok();
        at.push(logged_index(&out));
    }
    let (high, damage, rollback) = (at[0].to_string(), at[1].to_string(), at[2].to_string());
    let bundle = log.path("flooded.vhist.json");
    fetch(&node.url, VIN_A, &bundle);
    let clean_bundle = log.path("clean.vhist.json");
    fetch(&node.url, VIN_B, &clean_bundle);
    node.stop();

    let expected = |lang: &str| -> (&'static str, Vec<String>) {
        match lang {
            "zh" => (
                "时间线",
                vec![
                    format!("水淹（海水）（由第 {damage} 条记录设定，2025-06-10）"),
                    "水淹：是".into(),
                    format!("警示：第 {rollback} 条记录被标记为里程回调"),
                    format!("里程回调：第 {rollback} 条记录"),
                    "注意：存在品牌标记或警示".into(),
                ],
            ),
            "ru" => (
                "Хронология",
                vec![
                    format!("затопление (морская вода) (установлена записью {damage}, 2025-06-10)"),
                    "затопление: да".into(),
                    format!("СКРУЧИВАНИЕ пробега отмечено в записи {rollback}"),
                    format!("скручивание пробега: запись {rollback}"),
                    "ВНИМАНИЕ".into(),
                ],
            ),
            _ => (
                "Timeline",
                vec![
                    format!("flood (salt water) (set by entry {damage}, 2025-06-10)"),
                    "flood: yes".into(),
                    format!(
                        "last reading 52000 km on 2025-07-01 (entry {rollback}); 2 readings; ROLLBACK flagged at entry {rollback}"
                    ),
                    format!("odometer rollback at entry {rollback}"),
                    "ATTENTION: branded or flagged".into(),
                ],
            ),
        }
    };
    for lang in LANGS {
        let out = report(&log, &bundle, &["--lang", lang]).ok();
        let (timeline, wanted) = expected(lang);
        has_all(summary(&out, timeline), &wanted, &out);
        // The flag in the timeline, with what it was measured against.
        let flag = match lang {
            "zh" => format!("警示：里程回调：读数 52000 公里 低于第 {high} 条记录的 80000 公里"),
            "ru" => format!(
                "ПРЕДУПРЕЖДЕНИЕ: скручивание пробега: 52000 км меньше, чем 80000 км в записи {high}"
            ),
            _ => format!(
                "FLAG: odometer rollback: 52000 km is below 80000 km recorded at entry {high}"
            ),
        };
        assert!(out.stdout.contains(&flag), "missing {flag:?}: {out}");
        // A script tells branded or flagged from clean.
        status(
            &report(&log, &bundle, &["--lang", lang, "--fail-on-flags"]),
            3,
        );
        status(
            &report(&log, &clean_bundle, &["--lang", lang, "--fail-on-flags"]),
            0,
        );

        let r = json(&log, &bundle, lang);
        let s = &r["summary"];
        assert_eq!(s["attention"], true);
        assert_eq!(s["brands"][0]["brand"], "flood_salt_water", "{s}");
        assert_eq!(s["damage"]["flood"], true);
        assert_eq!(s["odometer"]["rollback"], true);
        assert_eq!(
            s["odometer"]["rollback_entries"],
            serde_json::json!([at[2]])
        );
        assert_eq!(s["odometer"]["last"]["value"], 52_000);
        assert_eq!(s["flags"]["total"], 1);
        assert_eq!(s["flags"]["kinds"][0]["flag"], "odometer_rollback");
        assert_eq!(r["timeline"][2]["flags"][0]["flag"], "odometer_rollback");
        assert_eq!(r["records"][2]["flags"].as_array().map(Vec::len), Some(1));
        let clean = json(&log, &clean_bundle, lang);
        assert_eq!(clean["summary"]["attention"], false);
        assert_eq!(clean["summary"]["brands"], serde_json::json!([]));
    }
    // Without --lang the locale decides; a locale the report has not, or
    // none, is English.
    let verify_in = |vars: &[(&str, &str)]| {
        let mut command = Command::new(&bins().verify);
        command.args([
            "history",
            "--log-key",
            path_str(&log.log_vkey_file()),
            path_str(&bundle),
        ]);
        for v in ["LC_ALL", "LC_MESSAGES", "LANG", "VLEDGER_LOG_KEY"] {
            command.env_remove(v);
        }
        command.envs(vars.iter().copied());
        let out = command.output().expect("run vledger-verify");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(verify_in(&[("LANG", "ru_RU.UTF-8")]).contains("Хронология"));
    assert!(
        verify_in(&[("LANG", "ru_RU.UTF-8"), ("LC_MESSAGES", "zh_CN.UTF-8")]).contains("时间线")
    );
    assert!(verify_in(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "C")]).contains("\nTimeline\n"));
    assert!(verify_in(&[("LANG", "de_DE.UTF-8")]).contains("\nTimeline\n"));
    assert!(verify_in(&[]).contains("\nTimeline\n"));
}
