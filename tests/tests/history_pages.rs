//! A long history in pages, end to end: a VIN with a few hundred records
//! is fetched by `vledger history` in pages of a small bound (several
//! pages, all at one checkpoint), written as one bundle that
//! `vledger-verify history` accepts; the file with a record dropped from a
//! page, with two pages' runs of records swapped, or with a page's records
//! taken from a later checkpoint is refused with a message naming the
//! record; a bound too small for one record is refused by the node.

use std::path::Path;

use serde_json::Value;
use tonic::Code;
use vledger_proto::v1 as pb;
use vledger_tests::{
    Output, TestLog, VIN_A, VIN_B, bins, checkpoint, path_str, run, vledger, vledger_with_input,
};

/// Records of the long history.
const RECORDS: usize = 240;
/// The page bound asked for: a few dozen records a page.
const PAGE_BYTES: &str = "49152";

fn readings(vin: &str, from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| {
            let (month, day) = (1 + (i / 28).min(10), 1 + i % 28);
            format!(
                r#"{{"vin":"{vin}","event_time":"2026-{month:02}-{day:02}","odometer_reading":{{"value":{},"unit":"km","source":"service"}}}}"#,
                1000 + i * 10
            ) + "\n"
        })
        .collect()
}

fn fetch(url: &str, vin: &str, out: &Path) -> Output {
    vledger([
        "history",
        "--node",
        url,
        vin,
        "--out",
        path_str(out),
        "--page-bytes",
        PAGE_BYTES,
    ])
    .ok()
}

fn verify(log: &TestLog, bundle: &Path) -> Output {
    let key = log.log_vkey_file();
    run(
        &bins().verify,
        ["history", "--log-key", path_str(&key), path_str(bundle)],
    )
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("bundle")).expect("JSON")
}

#[track_caller]
fn refused_with(log: &TestLog, name: &str, bundle: &Value, reason: &str) {
    let path = log.write_json(name, bundle);
    let out = verify(log, &path).fails();
    assert!(out.stderr.contains(reason), "expected {reason:?}: {out}");
}

fn records(bundle: &mut Value) -> &mut Vec<Value> {
    bundle["records"].as_array_mut().expect("records")
}

/// The node's answer to a raw `GetVinHistory` request: the text, or the
/// status code and message.
fn ask(url: &str, request: pb::GetVinHistoryRequest) -> Result<String, (Code, String)> {
    vledger_tests::block_on(async {
        vledger_tests::log_client(url)
            .await
            .get_vin_history(request)
            .await
            .map(|r| r.into_inner().bundle)
            .map_err(|s| (s.code(), s.message().to_owned()))
    })
}

#[track_caller]
fn refused(url: &str, request: pb::GetVinHistoryRequest, code: Code, reason: &str) {
    let (c, message) = match ask(url, request) {
        Ok(text) => panic!("answered with {} bytes, expected {reason:?}", text.len()),
        Err(e) => e,
    };
    assert_eq!(c, code, "{message}");
    assert!(message.contains(reason), "expected {reason:?}: {message}");
}

#[test]
fn a_long_history_comes_in_pages_that_verify_together() {
    let log = TestLog::init();
    let node = log.start();
    let workshop = log.enrolled(&node.url, "workshop");
    let submit = |input: String| {
        let (key, dir) = (path_str(&workshop.file), log.path("receipts"));
        let args = [
            "submit",
            "--node",
            &node.url,
            "--key",
            key,
            "--out-dir",
            path_str(&dir),
            "-",
        ];
        vledger_with_input(args, &input).ok();
    };
    submit(readings(VIN_A, 0, RECORDS) + &readings(VIN_B, 0, 3));

    let file = log.path("long.vhist.json");
    let out = fetch(&node.url, VIN_A, &file);
    let pages: usize = out
        .stdout
        .split(" from ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no page count: {out}"));
    assert!(pages >= 3, "{pages} pages: {out}");
    let size = checkpoint(&node, None).size;
    let ok = verify(&log, &file).ok();
    assert!(
        ok.stdout.contains(&format!(
            "complete history of VIN {VIN_A} as of tree size {size}: {RECORDS} records"
        )),
        "{ok}"
    );
    let bundle = read(&file);

    // A record dropped from the middle of a page.
    let mut dropped = bundle.clone();
    records(&mut dropped).remove(RECORDS / 2);
    let reason = format!(
        "the index counts {RECORDS} records for {VIN_A}, the bundle holds {}",
        RECORDS - 1
    );
    refused_with(&log, "dropped", &dropped, &reason);

    // Two pages' runs of records swapped.
    let run = RECORDS / pages;
    let mut swapped = bundle.clone();
    let moved: Vec<Value> = records(&mut swapped).drain(..run).collect();
    records(&mut swapped).splice(run..run, moved);
    refused_with(
        &log,
        "swapped",
        &swapped,
        &format!("is record #{run} of the VIN, but stands at position 0"),
    );

    // A page's records from a later checkpoint.
    submit(readings(VIN_B, 3, 1));
    let later_file = log.path("later.vhist.json");
    fetch(&node.url, VIN_A, &later_file);
    let later = read(&later_file);
    let mut mixed = bundle.clone();
    let theirs = later["records"].as_array().expect("records")[run..2 * run].to_vec();
    records(&mut mixed).splice(run..2 * run, theirs);
    refused_with(
        &log,
        "mixed",
        &mixed,
        &format!("not included in the log at tree size {size}"),
    );

    // The node refuses a bound too small for one record.
    let out = vledger([
        "history",
        "--node",
        &node.url,
        VIN_A,
        "--out",
        path_str(&log.path("tiny.vhist.json")),
        "--page-bytes",
        "1500",
    ])
    .fails();
    assert!(
        out.stderr
            .contains("ResourceExhausted: page_bytes: a page of at most"),
        "{out}"
    );

    // Requests that do not go together, or name no record of the VIN.
    let request = |paged, tree_size, next| pb::GetVinHistoryRequest {
        vin: VIN_A.to_owned(),
        paged,
        tree_size,
        next,
        ..Default::default()
    };
    let url = &node.url;
    refused(
        url,
        request(false, size, 5),
        Code::InvalidArgument,
        "paged: ",
    );
    refused(
        url,
        request(true, 0, 5),
        Code::InvalidArgument,
        "next: only for a later page",
    );
    refused(
        url,
        request(true, size, 1),
        Code::InvalidArgument,
        "next: entry 1 is not a record of",
    );
    refused(
        url,
        request(true, size + 100, 5),
        Code::OutOfRange,
        "tree_size: ",
    );

    // A client that predates pages gets the whole bundle while it fits in
    // one message, and a refusal, after one page's work, once it does not.
    let whole = ask(url, request(false, 0, 0)).expect("a bundle");
    let whole: Value = serde_json::from_str(&whole).expect("JSON");
    assert_eq!(whole["format"], "vledger-history/v1");
    assert_eq!(whole["records"].as_array().map(Vec::len), Some(RECORDS));
    submit(readings(VIN_A, RECORDS, 1600));
    refused(
        url,
        request(false, 0, 0),
        Code::ResourceExhausted,
        "does not fit in one message of 1048576 bytes; ask for it in pages",
    );
}
