//! Fair use on real nodes: a signer beyond its append budget, or any
//! signer beyond the node's, is refused with `RESOURCE_EXHAUSTED` and a
//! retry hint (in the message and in the `retry-after-ms` metadata), on
//! unary appends and on `AppendStream`; other signers go on; the log is
//! unchanged by every refusal.

use tonic::Code;
use vledger_proto::v1 as pb;
use vledger_records::{Record, SignedRecord};
use vledger_tests::{Key, Node, TestLog, VIN_A, block_on, checkpoint, log_client, submit, vledger};

const ORIGIN: &str = "budgets.example/log";

/// A record of `key` for the log, signed as `vledger submit` signs it.
fn signed(key: &Key, km: u64) -> pb::SignedRecord {
    let record = Record::from_json(&format!(
        r#"{{"vin":"{VIN_A}","event_time":"2026-03-01","odometer_reading":{{"value":{km},"unit":"km","source":"service"}}}}"#
    ))
    .expect("record");
    let signer = vledger_node::datadir::read_signer(&key.file).expect("key file");
    SignedRecord::sign_for(ORIGIN, &record, signer.signing_key())
        .expect("origin")
        .to_proto()
}

/// `Append` of `signed`, with the answer's status if refused.
fn append(node: &Node, signed: pb::SignedRecord) -> Result<pb::AppendResponse, tonic::Status> {
    block_on(async {
        log_client(&node.url)
            .await
            .append(pb::AppendRequest {
                signed: Some(signed),
                ..pb::AppendRequest::default()
            })
            .await
            .map(tonic::Response::into_inner)
    })
}

fn retry_after_ms(status: &tonic::Status) -> u64 {
    status
        .metadata()
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no retry-after-ms in {status:?}"))
}

#[test]
fn a_signer_beyond_its_budget_is_refused_with_a_retry_hint() {
    let log = TestLog::init_with_origin(ORIGIN);
    // Three appends per signer, then one every 100 s: none refills during
    // the test.
    let node = Node::start(&log.data, &["--signer-rate", "0.01", "--signer-burst", "3"]);
    let workshop = log.enrolled(&node.url, "workshop");
    let other = log.keygen("other.example");
    log.enroll(&node.url, &other, "workshop").ok();
    for km in 1..=3 {
        let record = log.record(&format!("r{km}"), VIN_A, 1000 * km, None);
        submit(&node.url, &workshop, &record, &log.path("r.tlog-proof")).ok();
    }
    let before = checkpoint(&node, None);

    // The fourth, through the CLI: refused, with the wait.
    let record = log.record("r4", VIN_A, 4000, None);
    let out = submit(&node.url, &workshop, &record, &log.path("r4.tlog-proof")).fails();
    assert!(
        out.stderr.contains("append budget of this signer") && out.stderr.contains("retry after"),
        "{out}"
    );
    // Over gRPC: RESOURCE_EXHAUSTED, and the wait in the metadata (a
    // token every 100 s: the next in at most that).
    let refusal = append(&node, signed(&workshop, 5000)).expect_err("a fifth append went through");
    assert_eq!(refusal.code(), Code::ResourceExhausted, "{refusal:?}");
    let wait = retry_after_ms(&refusal);
    assert!(wait > 1_000 && wait <= 100_000, "{wait} ms");
    // Over AppendStream: each refused by position, the stream goes on.
    let answers = block_on(async {
        let requests = (0..2).map(|i| pb::AppendRequest {
            signed: Some(signed(&workshop, 6000 + i)),
            ..pb::AppendRequest::default()
        });
        let mut answers = log_client(&node.url)
            .await
            .append_stream(tonic::codegen::tokio_stream::iter(
                requests.collect::<Vec<_>>(),
            ))
            .await
            .expect("stream")
            .into_inner();
        let mut all = Vec::new();
        while let Some(a) = answers.message().await.expect("answer") {
            all.push(a);
        }
        all
    });
    assert_eq!(answers.len(), 2, "{answers:?}");
    for answer in &answers {
        let Some(pb::append_stream_response::Result::Refused(r)) = &answer.result else {
            panic!("not refused: {answer:?}");
        };
        assert_eq!(r.code, Code::ResourceExhausted as i32);
        assert!(r.message.contains("retry after"), "{r:?}");
    }
    // Nothing was logged; another signer is not held back.
    assert_eq!(checkpoint(&node, None), before);
    append(&node, signed(&other, 7000)).expect("another signer");
    assert_eq!(checkpoint(&node, None).size, before.size + 2);
}

#[test]
fn the_node_budget_holds_back_every_signer() {
    let log = TestLog::init_with_origin(ORIGIN);
    // Four appends in all (the admin's two enrollments among them), then
    // one every 100 s; no budget per signer.
    let node = Node::start(
        &log.data,
        &[
            "--signer-rate",
            "0",
            "--append-rate",
            "0.01",
            "--append-burst",
            "4",
        ],
    );
    let a = log.enrolled(&node.url, "workshop");
    let b = log.keygen("b.example");
    log.enroll(&node.url, &b, "workshop").ok();
    append(&node, signed(&a, 1000)).expect("third append");
    append(&node, signed(&b, 2000)).expect("fourth append");
    let before = checkpoint(&node, None);
    for key in [&a, &b] {
        let refusal = append(&node, signed(key, 3000)).expect_err("beyond the node's budget");
        assert_eq!(refusal.code(), Code::ResourceExhausted, "{refusal:?}");
        assert!(
            refusal.message().contains("node's append budget"),
            "{refusal:?}"
        );
        assert!(retry_after_ms(&refusal) > 1_000);
    }
    assert_eq!(checkpoint(&node, None), before);
    // A budget must be a number of appends.
    let out = vledger([
        "serve",
        "--data",
        vledger_tests::path_str(&log.data),
        "--signer-rate=-1",
    ])
    .fails();
    assert!(out.stderr.contains("--signer-rate"), "{out}");
}
