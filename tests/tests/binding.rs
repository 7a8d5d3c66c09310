//! Hostile input on real nodes: a record logged in one log and replayed
//! into another where its signer is also enrolled is refused, naming both
//! origins; a record that names no log is refused for new appends, while
//! old entries that name none still verify (`vledger-verify`, the audit,
//! `vledger check`); event times before 1886 are refused; oversized and
//! undecodable requests get `RESOURCE_EXHAUSTED` and `INVALID_ARGUMENT` on
//! unary calls and on `AppendStream`. Every refusal leaves the log as it
//! was.

use std::time::{SystemTime, UNIX_EPOCH};

use prost::Message as _;
use prost::bytes::{Buf as _, BufMut as _};
use tonic::Code;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;
use vledger_proto::v1 as pb;
use vledger_proto::v1::log_client::LogClient;
use vledger_records::{KeyEnrollment, Record, RecordBody, Role, SignedRecord};
use vledger_tests::{
    Key, Node, TestLog, VIN_A, bins, block_on, checkpoint, log_client, logged_index, path_str, run,
    submit, vledger,
};

const A: &str = "a.example/log";
const B: &str = "b.example/log";

async fn client(node: &Node) -> LogClient<tonic::transport::Channel> {
    log_client(&node.url).await
}

/// `Append` of `signed` as it is, skipping every local check.
fn append_raw(node: &Node, signed: pb::SignedRecord) -> Result<pb::AppendResponse, tonic::Status> {
    block_on(async {
        client(node)
            .await
            .append(pb::AppendRequest {
                signed: Some(signed),
                ..pb::AppendRequest::default()
            })
            .await
            .map(tonic::Response::into_inner)
    })
}

/// The signing key in a key file `vledger keygen` wrote.
fn signing_key(key: &Key) -> ed25519_dalek::SigningKey {
    vledger_node::datadir::read_signer(&key.file)
        .expect("key file")
        .signing_key()
        .clone()
}

fn odometer(km: u64) -> Record {
    Record::from_json(&format!(
        r#"{{"vin":"{VIN_A}","event_time":"2026-03-01","odometer_reading":{{"value":{km},"unit":"km","source":"service"}}}}"#
    ))
    .expect("record")
}

#[test]
fn a_record_logged_in_one_log_is_refused_by_another() {
    let (a, b) = (TestLog::init_with_origin(A), TestLog::init_with_origin(B));
    let (node_a, node_b) = (a.start(), b.start());
    // One workshop key, enrolled in both logs.
    let key = a.keygen("workshop.example");
    a.enroll(&node_a.url, &key, "workshop").ok();
    b.enroll(&node_b.url, &key, "workshop").ok();

    let record = a.record("r", VIN_A, 1000, None);
    let index = logged_index(&submit(&node_a.url, &key, &record, &a.path("r.tlog-proof")).ok());
    // The exact signed record as log A holds it, read back from A.
    let entry = block_on(async {
        let mut entries = client(&node_a)
            .await
            .get_entries(pb::GetEntriesRequest {
                start: index,
                end: index + 1,
                with_hashes: false,
            })
            .await
            .expect("entries")
            .into_inner();
        entries.message().await.expect("entry").expect("one entry")
    });
    let Some(pb::entry::Body::Record(logged)) = pb::Entry::decode(entry.data.as_slice())
        .expect("entry")
        .body
    else {
        panic!("entry {index} holds no record");
    };
    let copied = logged.signed.expect("signed record");
    assert_eq!(copied.origin, A);

    let before = checkpoint(&node_b, None);
    let refusal = append_raw(&node_b, copied.clone()).expect_err("B logged A's record");
    assert_eq!(refusal.code(), Code::InvalidArgument, "{refusal:?}");
    assert_eq!(
        refusal.message(),
        format!(
            "signed.origin: the record was signed for the log \"{A}\", not for this log \"{B}\""
        )
    );
    // The same over AppendStream: refused, the stream goes on.
    let answers = block_on(async {
        let request = pb::AppendRequest {
            signed: Some(copied),
            ..pb::AppendRequest::default()
        };
        let mut answers = client(&node_b)
            .await
            .append_stream(tonic::codegen::tokio_stream::iter(vec![request]))
            .await
            .expect("stream")
            .into_inner();
        let mut all = Vec::new();
        while let Some(a) = answers.message().await.expect("answer") {
            all.push(a);
        }
        all
    });
    let [answer] = answers.as_slice() else {
        panic!("one answer expected: {answers:?}");
    };
    let Some(pb::append_stream_response::Result::Refused(r)) = &answer.result else {
        panic!("not refused: {answer:?}");
    };
    assert_eq!(r.code, Code::InvalidArgument as i32);
    assert!(r.message.contains(A) && r.message.contains(B), "{r:?}");

    // `vledger submit --origin A` against B: signed for A, refused by B.
    let out = vledger([
        "submit",
        "--node",
        &node_b.url,
        "--origin",
        A,
        "--key",
        path_str(&key.file),
        "--out",
        path_str(&b.path("r.tlog-proof")),
        path_str(&record),
    ])
    .fails();
    assert!(
        out.stderr
            .contains("InvalidArgument: signed.origin: the record was signed for the log"),
        "{out}"
    );

    // A record in the old format, which names no log, is no longer taken.
    let unbound = SignedRecord::sign(&odometer(2000), &signing_key(&key)).to_proto();
    let refusal = append_raw(&node_b, unbound).expect_err("B logged an unbound record");
    assert_eq!(refusal.code(), Code::InvalidArgument, "{refusal:?}");
    assert!(
        refusal.message().starts_with("signed.origin: is missing"),
        "{refusal:?}"
    );
    assert_eq!(checkpoint(&node_b, None), before, "B's log changed");
}

#[test]
fn old_unbound_entries_still_verify() {
    let log = TestLog::init();
    let key = log.keygen("workshop.example");
    let workshop = signing_key(&key);
    // Entries in the old format, written into the store the way an older
    // node wrote them: records signed over "vledger/record/v1\n" || bytes.
    {
        let dir = vledger_node::datadir::DataDir::new(&log.data);
        let store = dir.open_store().expect("store");
        let admin = vledger_node::datadir::read_signer(&log.admin_key).expect("admin key");
        let mut writer =
            vledger_log::writer::LogWriter::open(store, dir.log_signer().expect("log key"))
                .expect("writer");
        let enroll = Record::new(
            None,
            1_767_225_600,
            RecordBody::KeyEnrollment(KeyEnrollment {
                public_key: workshop.verifying_key(),
                role: Role::Workshop,
                name: "W".into(),
            }),
        );
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_millis();
        let out = writer
            .append_batch(
                &[
                    SignedRecord::sign(&enroll, admin.signing_key()),
                    SignedRecord::sign(&odometer(1000), &workshop),
                ],
                i64::try_from(now_ms).expect("time"),
            )
            .expect("append");
        assert!(out.outcomes.iter().all(Result::is_ok), "{:?}", out.outcomes);
        writer.store().close().expect("close");
    }
    let mut node = log.start();
    // A new, bound record after them.
    let record = log.record("new", VIN_A, 2000, None);
    submit(&node.url, &key, &record, &log.path("new.tlog-proof")).ok();

    // The old reading is entry 3 (genesis, its index entry, the enrollment).
    let receipt = log.path("old.tlog-proof");
    vledger([
        "prove",
        "--node",
        &node.url,
        "--index",
        "3",
        "--out",
        path_str(&receipt),
    ])
    .ok();
    let verify = |args: &[&str]| run(&bins().verify, args.iter().copied());
    let log_key = path_str(&log.log_vkey_file()).to_owned();
    verify(&["proof", "--log-key", &log_key, path_str(&receipt)]).ok();
    let bundle = log.path("a.vhist.json");
    vledger([
        "history",
        "--node",
        &node.url,
        VIN_A,
        "--out",
        path_str(&bundle),
    ])
    .ok();
    let out = verify(&["history", "--log-key", &log_key, path_str(&bundle)]).ok();
    assert!(out.stdout.contains("2 records"), "{out}");
    let out = vledger(["audit", "--node", &node.url, "--log-key", &log.log_vkey]).ok();
    assert!(!out.stdout.is_empty(), "{out}");
    node.stop();
    vledger(["check", "--data", path_str(&log.data)]).ok();
}

#[test]
fn event_times_before_1886_are_refused() {
    let log = TestLog::init();
    let node = log.start();
    let key = log.enrolled(&node.url, "workshop");
    let before = checkpoint(&node, None);

    let json = log.write_json(
        "old",
        &serde_json::json!({"vin": VIN_A, "event_time": "1885-12-31",
            "odometer_reading": {"value": 1, "unit": "km", "source": "service"}}),
    );
    let out = submit(&node.url, &key, &json, &log.path("old.tlog-proof")).fails();
    assert!(
        out.stderr.contains(
            "InvalidArgument: record.event_time: is before 1886-01-01T00:00:00Z (the first motor car)"
        ),
        "{out}"
    );

    let mut record = odometer(1);
    record.event_time = i64::MIN;
    let signed = SignedRecord::sign_for(vledger_tests::ORIGIN, &record, &signing_key(&key))
        .expect("sign")
        .to_proto();
    let refusal = append_raw(&node, signed).expect_err("event time -2^63 was logged");
    assert_eq!(refusal.code(), Code::InvalidArgument, "{refusal:?}");
    assert!(
        refusal
            .message()
            .starts_with("record.event_time: is before 1886-01-01T00:00:00Z"),
        "{refusal:?}"
    );
    assert_eq!(checkpoint(&node, None), before, "the log changed");
}

/// A codec that sends and takes message bytes as they are.
#[derive(Debug, Clone, Copy, Default)]
struct Raw;

impl Codec for Raw {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = Raw;
    type Decoder = Raw;
    fn encoder(&mut self) -> Raw {
        Raw
    }
    fn decoder(&mut self) -> Raw {
        Raw
    }
}

impl Encoder for Raw {
    type Item = Vec<u8>;
    type Error = tonic::Status;
    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for Raw {
    type Item = Vec<u8>;
    type Error = tonic::Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, tonic::Status> {
        Ok(Some(src.copy_to_bytes(src.remaining()).to_vec()))
    }
}

/// The status a node answers `body`, sent raw as the request of the
/// unary (or server-streaming) call `path`.
async fn unary_raw(node: &Node, path: &'static str, body: Vec<u8>) -> tonic::Status {
    let channel = tonic::transport::Endpoint::from_shared(node.url.clone())
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let path = PathAndQuery::from_static(path);
    match grpc.unary(tonic::Request::new(body), path, Raw).await {
        Ok(r) => panic!("answered {:?}", r.into_inner()),
        Err(status) => status,
    }
}

/// The status that ends an `AppendStream` whose one request is `body`.
async fn stream_raw(node: &Node, body: Vec<u8>) -> tonic::Status {
    let channel = tonic::transport::Endpoint::from_shared(node.url.clone())
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let path = PathAndQuery::from_static("/vledger.v1.Log/AppendStream");
    let mut answers = match grpc
        .streaming(
            tonic::Request::new(tonic::codegen::tokio_stream::iter(vec![body])),
            path,
            Raw,
        )
        .await
    {
        Ok(r) => r.into_inner(),
        Err(status) => return status,
    };
    match answers.message().await {
        Ok(Some(a)) => panic!("answered {a:?}"),
        Ok(None) => panic!("the stream ended without a status"),
        Err(status) => status,
    }
}

#[test]
fn oversized_and_undecodable_requests_get_the_promised_codes() {
    let log = TestLog::init();
    let node = log.start();
    let before = checkpoint(&node, None);
    // Over the node's 256 KiB limit.
    let big = pb::AppendRequest {
        signed: Some(pb::SignedRecord {
            record: vec![0; 300 * 1024],
            ..pb::SignedRecord::default()
        }),
        ..pb::AppendRequest::default()
    }
    .encode_to_vec();
    // Field 31 with wire type 7: no protobuf message at all.
    let garbage = vec![0xff; 16];
    block_on(async {
        let s = unary_raw(&node, "/vledger.v1.Log/Append", big.clone()).await;
        assert_eq!(s.code(), Code::ResourceExhausted, "{s:?}");
        let s = stream_raw(&node, big).await;
        assert_eq!(s.code(), Code::ResourceExhausted, "{s:?}");
        for path in [
            "/vledger.v1.Log/Append",
            "/vledger.v1.Log/GetCheckpoint",
            "/vledger.v1.Log/GetEntries",
        ] {
            let s = unary_raw(&node, path, garbage.clone()).await;
            assert_eq!(s.code(), Code::InvalidArgument, "{path}: {s:?}");
            assert!(s.message().starts_with("request: "), "{path}: {s:?}");
        }
        let s = stream_raw(&node, garbage).await;
        assert_eq!(s.code(), Code::InvalidArgument, "{s:?}");
        // The node's own OUT_OF_RANGE stays what it is.
        let s = client(&node)
            .await
            .get_inclusion_proof(pb::GetInclusionProofRequest {
                index: 1_000,
                ..pb::GetInclusionProofRequest::default()
            })
            .await
            .expect_err("a proof beyond the tree");
        assert_eq!(s.code(), Code::OutOfRange, "{s:?}");
    });
    assert_eq!(checkpoint(&node, None), before, "the log changed");
}
