//! vledger on PostgreSQL, against a real server (one per test process,
//! a database per part): the storage conformance suite; the quickstart on
//! `--store postgres://`; acknowledged appends across SIGKILL under load;
//! a standby node that stands by, then takes over from a killed leader
//! with nothing acknowledged lost, and stops once its lock's session is
//! gone.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vledger_log::store::{Backend, PostgresBackend};
use vledger_tests::load::{check_acks, kill_round, load_check_and_kill, verify_acks};
use vledger_tests::postgres::Postgres;
use vledger_tests::{
    Node, TestLog, TlogProof, VIN_A, VIN_B, bins, checkpoint, logged_index, path_str, run, submit,
    verify_proof, vledger,
};

/// Every case of the conformance suite, each on a database of its own.
fn conformance(pg: &Postgres) {
    for (name, case) in vledger_log::conformance::CASES {
        let url = pg.create_database();
        let open = move || {
            Arc::new(PostgresBackend::connect(&url).unwrap_or_else(|e| panic!("{e}")))
                as Arc<dyn Backend>
        };
        eprintln!("conformance: {name}");
        case(&open);
    }
}

/// The database named by a URL of [`Postgres::url`].
fn db_name(url: &str) -> &str {
    url.rsplit('/').next().expect("a database name")
}

/// README's quickstart with the log in PostgreSQL: init, serve, enroll,
/// submit, prove, history, the offline verifier; then the whole-store check.
fn quickstart(pg: &Postgres) {
    let url = pg.create_database();
    let log = TestLog::init_on_store(&url);
    assert!(
        !log.data.join("store").exists(),
        "the log lives in PostgreSQL, not in the data directory"
    );
    let db = db_name(&url);
    assert_eq!(pg.psql(db, "SELECT max(version) FROM vledger_schema"), "1");
    // A second init on a database that holds a log is refused.
    let other = log.path("other");
    let out = vledger(["init", "--data", path_str(&other), "--store", &url]).fails();
    assert!(out.stderr.contains("already holds a log"), "{out}");

    let mut node = log.start();
    let workshop = log.keygen("workshop.example");
    log.enroll(&node.url, &workshop, "workshop").ok();
    let mut receipts = Vec::new();
    for (i, (vin, km)) in [(VIN_A, 10_000), (VIN_B, 20_000), (VIN_A, 15_000)]
        .into_iter()
        .enumerate()
    {
        let record = log.record(&format!("r{i}"), vin, km, None);
        let receipt = log.path(&format!("r{i}.tlog-proof"));
        let out = submit(&node.url, &workshop, &record, &receipt).ok();
        let index = logged_index(&out);
        let v = verify_proof(log.log_vkey_file(), &receipt).ok();
        assert!(v.stdout.starts_with("OK:") && v.stdout.contains(vin), "{v}");
        receipts.push((index, TlogProof::read(&receipt)));
    }
    // Resubmitting returns the first entry.
    let again = submit(
        &node.url,
        &workshop,
        &log.path("r0.json"),
        &log.path("again"),
    )
    .ok();
    assert!(
        again.stdout.starts_with("already logged as entry"),
        "{again}"
    );
    assert_eq!(logged_index(&again), receipts[0].0);
    // Every record has an inclusion proof against the latest checkpoint.
    let latest = checkpoint(&node, None);
    for (index, receipt) in &receipts {
        let file = log.path(&format!("prove-{index}.tlog-proof"));
        let args = ["prove", "--node", &node.url, "--index", &index.to_string()];
        vledger(args.into_iter().chain(["--out", path_str(&file)])).ok();
        verify_proof(log.log_vkey_file(), &file).ok();
        let proved = TlogProof::read(&file);
        assert_eq!(
            (&proved.extra, &proved.checkpoint),
            (&receipt.extra, &latest)
        );
    }
    // The buyer's path: a VIN's history, verified offline.
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
    let out = run(
        &bins().verify,
        [
            "history",
            "--log-key",
            path_str(&log.log_vkey_file()),
            path_str(&bundle),
        ],
    )
    .ok();
    assert!(
        out.stdout.contains(&format!(
            "complete history of VIN {VIN_A} as of tree size {}: 2 records",
            latest.size
        )),
        "{out}"
    );
    node.stop();
    let rows: u64 = pg
        .psql(db, "SELECT count(*) FROM vledger_kv")
        .parse()
        .expect("a count");
    assert!(rows > 5, "the log's keys are in vledger_kv: {rows}");
    let check = vledger(["check", "--data", path_str(&log.data), "--store", &url]).ok();
    assert!(check.stdout.starts_with("ok:"), "{check}");
    // A restart serves the same log.
    let node = log.start();
    assert_eq!(checkpoint(&node, None), latest);
}

/// Several clients submit while the node is SIGKILLed, twice; after each
/// restart every acknowledged receipt is served again as it was.
fn sigkill_under_load(pg: &Postgres) {
    let log = TestLog::init_on_store(&pg.create_database());
    let key = log.keygen("exporter.example");
    {
        let node = log.start();
        log.enroll(&node.url, &key, "exporter").ok();
    }
    let acks = Mutex::new(Vec::new());
    for (round, kill_after) in [(0, 15), (1, 40)] {
        kill_round(&log, &key, round, kill_after, false, &acks);
        let _node = check_acks(&log, &key, &acks.lock().expect("acks"));
    }
}

/// Two nodes on one database: the second stands by (no address, no
/// writes) while the first sequences under load; once the first is
/// SIGKILLed it takes over within seconds and serves every acknowledged
/// receipt; when its own lock session is ended, it stops, non-zero.
fn standby_takes_over(pg: &Postgres) {
    let url = pg.create_database();
    let log = TestLog::init_on_store(&url);
    let key = log.keygen("exporter.example");
    let mut leader = log.start();
    log.enroll(&leader.url, &key, "exporter").ok();
    // The standby shares the data directory's keys and the database.
    let mut standby = Node::launch(&log.data, &log.store_args());
    let deadline = Instant::now() + Duration::from_secs(30);
    while !standby.logs().contains("standing by") {
        assert!(
            standby.is_running() && Instant::now() < deadline,
            "the second node did not stand by:\n{}",
            standby.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let before = checkpoint(&leader, None);
    let acks = Mutex::new(Vec::new());
    // Checked while the leader is still up, just before its SIGKILL.
    load_check_and_kill(&mut leader, &log, &key, (0, 30, false), &acks, &|| {
        assert!(
            !standby.printed_address(),
            "the standby listened while the leader was up:\n{}",
            standby.logs()
        );
    });
    let killed = Instant::now();
    assert!(
        standby.await_address(Duration::from_secs(30)),
        "the standby exited instead of taking over:\n{}",
        standby.logs()
    );
    let took = killed.elapsed();
    eprintln!("standby took over {took:?} after the leader's SIGKILL");
    assert!(took < Duration::from_secs(10), "took over after {took:?}");
    let after = checkpoint(&standby, None);
    assert!(after.size > before.size, "the log only grew");
    verify_acks(&log, &key, &acks.lock().expect("acks"), &standby);
    let receipt = log.path("after.tlog-proof");
    let record = log.record("after", VIN_B, 99_000, Some("af7e"));
    submit(&standby.url, &key, &record, &receipt).ok();

    // The new leader's lock session ends: it stops sequencing and exits
    // non-zero, saying why.
    let ended = pg.psql(
        db_name(&url),
        "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory'",
    );
    assert_eq!(ended, "1", "one session holds the log's leader lock");
    let status = standby
        .wait_exit(Duration::from_secs(20))
        .unwrap_or_else(|| {
            panic!(
                "the node kept running without its lock:\n{}",
                standby.logs()
            )
        });
    assert!(!status.success(), "{status}");
    assert!(
        standby.logs().contains("lost the leader lock"),
        "{}",
        standby.logs()
    );
    let check = vledger(["check", "--data", path_str(&log.data), "--store", &url]).ok();
    assert!(check.stdout.starts_with("ok:"), "{check}");
}

/// A part of the test, by name.
type Part = (&'static str, fn(&Postgres));

#[test]
fn vledger_on_postgresql() {
    let pg = Postgres::start();
    let parts: [Part; 4] = [
        ("conformance suite", conformance),
        ("quickstart", quickstart),
        ("SIGKILL under load", sigkill_under_load),
        ("standby takeover", standby_takes_over),
    ];
    for (name, part) in parts {
        let started = Instant::now();
        part(&pg);
        eprintln!("postgres: {name} ok in {:?}", started.elapsed());
    }
}
