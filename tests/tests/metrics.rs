//! The node's metrics and probes on its HTTP listener, scraped from real
//! nodes: counters that match, exactly, the load a test sent (appends by
//! outcome, refusals by reason, calls by RPC and code, HTTP requests by
//! route); the tree size gauge against the real checkpoint; witnesses down
//! and up; `/healthz` and `/readyz`, also on a standby node of a
//! PostgreSQL store, which is alive but not ready until it leads. And
//! every metric that
//! `docs/operations.md` names or `docs/grafana/vledger.json` queries is one
//! a real node renders, and every one it renders is documented.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use vledger_proto::v1 as pb;
use vledger_records::{Record, SignedRecord};
use vledger_tests::postgres::Postgres;
use vledger_tests::{
    Key, Node, TIMEOUT, TestLog, VIN_A, VIN_B, Witness, block_on, checkpoint, http, log_client,
};

const ORIGIN: &str = "metrics.example/log";

/// One scrape of `/metrics`: every sample by its series (`name{labels}`,
/// labels sorted), and every metric family with its type.
#[derive(Debug)]
struct Scrape {
    samples: BTreeMap<String, f64>,
    families: BTreeMap<String, String>,
    text: String,
}

impl Scrape {
    /// Parses the Prometheus text format.
    fn parse(text: &str) -> Self {
        let mut samples = BTreeMap::new();
        let mut families = BTreeMap::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
                families.insert(name.to_owned(), kind.to_owned());
                continue;
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (series, value) = line.rsplit_once(' ').expect("series value");
            let value: f64 = value.parse().unwrap_or_else(|e| panic!("{line:?}: {e}"));
            let (name, labels) = match series.split_once('{') {
                Some((name, labels)) => (name, labels.strip_suffix('}').expect("}")),
                None => (series, ""),
            };
            let mut pairs: Vec<(&str, &str)> = if labels.is_empty() {
                Vec::new()
            } else {
                labels
                    .split(',')
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').expect("k=v");
                        (k, v.trim_matches('"'))
                    })
                    .collect()
            };
            pairs.sort_unstable();
            samples.insert(key(name, &pairs), value);
        }
        Self {
            samples,
            families,
            text: text.to_owned(),
        }
    }

    /// The sample `name{labels}`, 0 when absent (a counter never touched).
    fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let mut labels = labels.to_vec();
        labels.sort_unstable();
        self.samples
            .get(&key(name, &labels))
            .copied()
            .unwrap_or(0.0)
    }

    /// The sample `name{labels}`, which must be there.
    #[track_caller]
    fn must(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let mut sorted = labels.to_vec();
        sorted.sort_unstable();
        *self
            .samples
            .get(&key(name, &sorted))
            .unwrap_or_else(|| panic!("no {name} {labels:?} in\n{}", self.text))
    }
}

fn key(name: &str, labels: &[(&str, &str)]) -> String {
    let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{name}{{{}}}", labels.join(","))
}

/// `GET /metrics` of `node`, checked for its status and content type.
fn scrape(node: &Node) -> Scrape {
    let r = http("GET", http_url(node), "/metrics", b"");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.content_type.as_deref(),
        Some("text/plain; version=0.0.4"),
        "{r:?}"
    );
    Scrape::parse(&r.body)
}

fn http_url(node: &Node) -> &str {
    node.http_url
        .as_deref()
        .expect("started with --http-listen")
}

/// Scrapes until `done` holds, for at most [`TIMEOUT`]; the last scrape.
fn scrape_until(node: &Node, what: &str, done: impl Fn(&Scrape) -> bool) -> Scrape {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let s = scrape(node);
        if done(&s) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {TIMEOUT:?}; last scrape:\n{}\n--- node log\n{}",
            s.text,
            node.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A record of `key` about `vin` at `km`, signed for the log.
fn signed(key: &Key, vin: &str, km: u64) -> pb::SignedRecord {
    let record = Record::from_json(&format!(
        r#"{{"vin":"{vin}","event_time":"2026-03-01","odometer_reading":{{"value":{km},"unit":"km","source":"service"}}}}"#
    ))
    .expect("record");
    let signer = vledger_node::datadir::read_signer(&key.file).expect("key file");
    SignedRecord::sign_for(ORIGIN, &record, signer.signing_key())
        .expect("origin")
        .to_proto()
}

fn append(
    node: &Node,
    signed: Option<pb::SignedRecord>,
) -> Result<pb::AppendResponse, tonic::Status> {
    block_on(async {
        log_client(&node.url)
            .await
            .append(pb::AppendRequest {
                signed,
                ..pb::AppendRequest::default()
            })
            .await
            .map(tonic::Response::into_inner)
    })
}

fn start(log: &TestLog, extra: &[&str]) -> Node {
    let mut args = vec!["--http-listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    Node::start(&log.data, &args)
}

#[test]
fn counters_match_the_load_sent() {
    let log = TestLog::init_with_origin(ORIGIN);
    let node = start(&log, &[]);
    let workshop = log.enrolled(&node.url, "workshop");
    let stranger = log.keygen("stranger.example");
    let before = scrape(&node);

    // 5 appended, then 2 of them again (duplicates).
    let records: Vec<pb::SignedRecord> = (1..=5)
        .map(|i| signed(&workshop, VIN_A, 1000 * i))
        .collect();
    for r in &records {
        let a = append(&node, Some(r.clone())).expect("append");
        assert!(!a.duplicate);
    }
    for r in &records[..2] {
        assert!(append(&node, Some(r.clone())).expect("append").duplicate);
    }
    // 3 refused in the sequencer: a signer nobody enrolled.
    for i in 1..=3 {
        let e = append(&node, Some(signed(&stranger, VIN_B, i))).unwrap_err();
        assert_eq!(e.code(), tonic::Code::PermissionDenied, "{e:?}");
    }
    // 3 refused before it: no record, and record bytes that are not one.
    let e = append(&node, None).unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument, "{e:?}");
    for _ in 0..2 {
        let mut garbage = signed(&workshop, VIN_A, 9);
        garbage.record = vec![0xff, 0xff, 0xff];
        let e = append(&node, Some(garbage)).unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument, "{e:?}");
    }
    // Reads: 2 inclusion proofs, 3 consistency proofs, 1 history, and one
    // proof beyond the tree.
    block_on(async {
        let mut c = log_client(&node.url).await;
        for _ in 0..2 {
            c.get_inclusion_proof(pb::GetInclusionProofRequest {
                index: 1,
                ..Default::default()
            })
            .await
            .expect("inclusion proof");
        }
        for _ in 0..3 {
            c.get_consistency_proof(pb::GetConsistencyProofRequest {
                old_size: 1,
                ..Default::default()
            })
            .await
            .expect("consistency proof");
        }
        c.get_vin_history(pb::GetVinHistoryRequest {
            vin: VIN_A.to_owned(),
            ..Default::default()
        })
        .await
        .expect("history");
        let e = c
            .get_inclusion_proof(pb::GetInclusionProofRequest {
                index: 1_000_000,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(e.code(), tonic::Code::OutOfRange);
    });
    // HTTP: the checkpoint twice, a tile that is not there once.
    for _ in 0..2 {
        assert_eq!(http("GET", http_url(&node), "/checkpoint", b"").status, 200);
    }
    assert_eq!(http("GET", http_url(&node), "/tile/0/999", b"").status, 404);
    let after = scrape(&node);
    let delta =
        |name: &str, labels: &[(&str, &str)]| after.get(name, labels) - before.get(name, labels);

    let appends = "vledger_appends_total";
    assert_eq!(delta(appends, &[("outcome", "appended")]), 5.0);
    assert_eq!(delta(appends, &[("outcome", "duplicate")]), 2.0);
    assert_eq!(delta(appends, &[("outcome", "refused")]), 6.0);
    assert_eq!(delta(appends, &[("outcome", "failed")]), 0.0);
    let refusals = "vledger_append_refusals_total";
    let not_enrolled = [("code", "PERMISSION_DENIED"), ("reason", "not_enrolled")];
    let malformed = [("code", "INVALID_ARGUMENT"), ("reason", "malformed")];
    assert_eq!(delta(refusals, &not_enrolled), 3.0, "{}", after.text);
    assert_eq!(delta(refusals, &malformed), 3.0, "{}", after.text);
    let refused_total: f64 = after
        .samples
        .iter()
        .filter(|(k, _)| k.starts_with(&format!("{refusals}{{")))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(
        refused_total,
        after.must(appends, &[("outcome", "refused")])
    );

    let calls = "vledger_grpc_requests_total";
    let call = |rpc, code| delta(calls, &[("rpc", rpc), ("code", code)]);
    assert_eq!(call("Append", "OK"), 7.0);
    assert_eq!(call("Append", "PERMISSION_DENIED"), 3.0);
    assert_eq!(call("Append", "INVALID_ARGUMENT"), 3.0);
    assert_eq!(call("GetInclusionProof", "OK"), 2.0);
    assert_eq!(call("GetInclusionProof", "OUT_OF_RANGE"), 1.0);
    assert_eq!(call("GetConsistencyProof", "OK"), 3.0);
    assert_eq!(call("GetVinHistory", "OK"), 1.0);
    let timed = |rpc| {
        delta(
            "vledger_grpc_request_duration_seconds_count",
            &[("rpc", rpc)],
        )
    };
    assert_eq!(timed("Append"), 13.0);
    assert_eq!(timed("GetInclusionProof"), 3.0);

    // Every append that reached the sequencer is in a batch: the 5, the 2
    // duplicates and the 3 of the stranger.
    assert_eq!(delta("vledger_batch_records_sum", &[]), 10.0);
    let batches = delta("vledger_batch_records_count", &[]);
    assert!((1.0..=10.0).contains(&batches), "{batches} batches");
    assert_eq!(delta("vledger_batch_seconds_count", &[]), batches);
    assert_eq!(delta("vledger_batch_commit_seconds_count", &[]), batches);
    assert_eq!(delta("vledger_batch_sequence_seconds_count", &[]), batches);

    assert_eq!(
        after.must("vledger_tree_size", &[]),
        checkpoint(&node, None).size as f64
    );
    assert_eq!(after.must("vledger_append_queue_depth", &[]), 0.0);

    let http_calls = "vledger_http_requests_total";
    assert_eq!(
        delta(http_calls, &[("route", "checkpoint"), ("status", "200")]),
        2.0
    );
    assert_eq!(
        delta(http_calls, &[("route", "tile"), ("status", "404")]),
        1.0
    );
    // The first scrape, counted once it was answered.
    assert_eq!(
        delta(http_calls, &[("route", "metrics"), ("status", "200")]),
        1.0
    );
    assert!(
        after.must(
            "vledger_connections_accepted_total",
            &[("listener", "grpc")]
        ) >= 14.0
    );
    assert_eq!(
        after.must("vledger_connections_max", &[("listener", "http")]),
        4096.0
    );
}

#[test]
fn probes_answer_while_the_node_takes_appends() {
    let log = TestLog::init_with_origin(ORIGIN);
    let node = start(&log, &[]);
    let health = http("GET", http_url(&node), "/healthz", b"");
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
    let ready = http("GET", http_url(&node), "/readyz", b"");
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready\n"));
}

#[test]
fn a_standby_is_alive_but_not_ready_until_it_leads() {
    let pg = Postgres::start();
    let log = TestLog::init_on_store(&pg.create_database());
    let mut args = log.store_args();
    args.extend(["--http-listen", "127.0.0.1:0"]);
    let mut leader = Node::start(&log.data, &args);
    // The standby's HTTP address, chosen here: it prints none while it
    // stands by.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let base = format!("http://{addr}");
    let mut args = log.store_args();
    args.extend(["--http-listen", &addr]);
    let mut standby = Node::launch(&log.data, &args);
    let deadline = Instant::now() + TIMEOUT;
    while !standby.logs().contains("answering probes") {
        assert!(
            standby.is_running() && Instant::now() < deadline,
            "the standby does not answer probes:\n{}",
            standby.logs()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let health = http("GET", &base, "/healthz", b"");
    assert_eq!((health.status, health.body.as_str()), (200, "ok\n"));
    let ready = http("GET", &base, "/readyz", b"");
    assert_eq!(ready.status, 503, "{ready:?}");
    assert_eq!(
        ready.body,
        "standing by: another node holds the leader lock of this log\n"
    );
    let metrics = http("GET", &base, "/metrics", b"");
    assert_eq!(metrics.status, 200);
    let metrics = Scrape::parse(&metrics.body);
    assert_eq!(
        metrics.must(
            "vledger_http_requests_total",
            &[("route", "readyz"), ("status", "503")]
        ),
        1.0
    );
    assert!(!standby.printed_address(), "{}", standby.logs());

    // The leader dies: the standby takes over, on the same address, ready.
    leader.kill();
    assert!(
        standby.await_address(TIMEOUT),
        "the standby did not take over:\n{}",
        standby.logs()
    );
    assert_eq!(standby.http_url.as_deref(), Some(base.as_str()));
    let ready = http("GET", &base, "/readyz", b"");
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready\n"));
}

#[test]
fn witnesses_down_and_up_are_in_the_metrics() {
    let log = TestLog::init_with_origin(ORIGIN);
    let up = Witness::init_and_start(&log.path("w-up"), "up.witness.example", &log.log_vkey);
    // A witness that was set up, then killed: its port refuses.
    let down = Witness::init_and_start(&log.path("w-down"), "down.witness.example", &log.log_vkey);
    let down_arg = down.serve_arg();
    drop(down);
    let node = start(
        &log,
        &[
            "--witness",
            &up.serve_arg(),
            "--witness",
            &down_arg,
            "--witness-quorum",
            "1",
        ],
    );
    let workshop = log.enrolled(&node.url, "workshop");
    append(&node, Some(signed(&workshop, VIN_A, 1000))).expect("append");
    let size = checkpoint(&node, None).size as f64;

    let (w_up, w_down) = (
        [("witness", "up.witness.example")],
        [("witness", "down.witness.example")],
    );
    let first = scrape_until(&node, "the live witness cosigns the tree", |s| {
        s.get("vledger_witness_up", &w_up) == 1.0
            && s.get("vledger_witness_cosigned_tree_size", &w_up) == size
            && s.get("vledger_cosigned_tree_size", &[]) == size
            && s.get("vledger_witness_failures_total", &w_down) >= 1.0
    });
    assert_eq!(first.must("vledger_witness_up", &w_down), 0.0);
    assert_eq!(
        first.must("vledger_witness_cosigned_tree_size", &w_down),
        0.0
    );
    assert_eq!(first.must("vledger_witness_failures_total", &w_up), 0.0);
    assert_eq!(first.must("vledger_witness_quorum_met", &[]), 1.0);
    // The witness that is down keeps failing (asked again after 0.25 s,
    // 0.5 s, ...).
    let failures = first.must("vledger_witness_failures_total", &w_down);
    scrape_until(&node, "failures of the witness that is down rise", |s| {
        s.get("vledger_witness_failures_total", &w_down) > failures
    });
    // Its state change is logged once, not at every retry.
    let logs = node.logs();
    let warned = logs
        .lines()
        .filter(|l| l.contains("witness did not cosign"))
        .count();
    assert_eq!(warned, 1, "{logs}");
}

/// Every `vledger_…` name in `text` (not the bare prefix).
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("vledger_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(tail.len());
        // The prefix alone, in prose, names no metric.
        if end > "vledger_".len() {
            names.insert(tail[..end].to_owned());
        }
        rest = &tail[end..];
    }
    names
}

/// Every `expr` of the dashboard, wherever it sits.
fn exprs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("expr", serde_json::Value::String(e)) => out.push(e.clone()),
                    _ => exprs(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| exprs(v, out)),
        _ => {}
    }
}

#[test]
fn the_docs_and_the_dashboard_name_only_metrics_a_node_renders() {
    let log = TestLog::init_with_origin(ORIGIN);
    // A node with a witness (down), a refusal, a proof and a tile read, so
    // that every metric has a series.
    let witness = Witness::init_and_start(&log.path("w"), "w.example", &log.log_vkey);
    let arg = witness.serve_arg();
    drop(witness);
    let node = start(&log, &["--witness", &arg]);
    let _ = append(&node, None);
    let workshop = log.enrolled(&node.url, "workshop");
    append(&node, Some(signed(&workshop, VIN_A, 1000))).expect("append");
    assert_eq!(http("GET", http_url(&node), "/checkpoint", b"").status, 503);
    let rendered = scrape_until(&node, "the witness is tried", |s| {
        s.get(
            "vledger_witness_failures_total",
            &[("witness", "w.example")],
        ) >= 1.0
    });
    let families = &rendered.families;
    // A histogram's series are its family name with a suffix.
    let renders = |name: &str| {
        families.contains_key(name)
            || ["_bucket", "_sum", "_count"].iter().any(|s| {
                name.strip_suffix(s)
                    .is_some_and(|f| families.get(f).is_some_and(|k| k == "histogram"))
            })
    };

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let ops = std::fs::read_to_string(root.join("docs/operations.md")).expect("operations.md");
    let section = ops
        .split_once("## Metrics, probes and logs")
        .map(|(_, s)| s.split("\n## ").next().unwrap_or(s))
        .expect("a section \"Metrics, probes and logs\" in docs/operations.md");
    let documented = metric_names(section);
    for name in &documented {
        assert!(
            renders(name),
            "docs/operations.md names {name}, which the node does not render:\n{}",
            rendered.text
        );
    }
    for name in families.keys() {
        assert!(
            documented.contains(name),
            "the node renders {name}, which docs/operations.md does not describe"
        );
    }

    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("docs/grafana/vledger.json")).expect("dashboard"),
    )
    .expect("the dashboard is JSON");
    assert_eq!(
        dashboard["__inputs"][0]["name"], "DS_PROMETHEUS",
        "{dashboard}"
    );
    let mut queries = Vec::new();
    exprs(&dashboard["panels"], &mut queries);
    assert!(queries.len() >= 10, "{queries:?}");
    let queried: BTreeSet<String> = queries.iter().flat_map(|q| metric_names(q)).collect();
    for name in &queried {
        assert!(
            renders(name),
            "the dashboard queries {name}, which the node does not render"
        );
    }
    // The dashboard shows every family of appends, batches, witnesses and
    // connections.
    for family in [
        "vledger_appends_total",
        "vledger_append_refusals_total",
        "vledger_batch_records",
        "vledger_append_queue_depth",
        "vledger_tree_size",
        "vledger_grpc_requests_total",
        "vledger_witness_up",
        "vledger_connections_open",
    ] {
        assert!(
            queried.iter().any(|q| q.starts_with(family)),
            "the dashboard does not show {family}"
        );
    }
}
