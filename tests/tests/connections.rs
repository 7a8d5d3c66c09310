//! Hostile connections: an idle flood beyond the node's connection cap
//! neither starves a normal client nor burns CPU, and every idle connection
//! is closed after the handshake timeout; the witness closes half-sent
//! requests and keeps bounded evidence however often it is sent the same
//! or new conflicting checkpoints.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use vledger_tests::{TestLog, Witness, go_xcheck, path_str, run, vledger};

/// utime + stime of a process, in clock ticks (100 per second on Linux).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read stat");
    // Fields after the command name, which is in parentheses.
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after comm.
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

/// Waits until `stream` reads end of stream (or an error: a reset), at
/// most `limit`; how long it took, `None` if it stayed open.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        let left = limit.checked_sub(start.elapsed())?;
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .expect("timeout");
        match stream.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return None;
            }
            Err(_) => return Some(start.elapsed()),
        }
    }
}

#[test]
fn an_idle_flood_beyond_the_cap_starves_no_client() {
    let log = TestLog::init();
    let mut node = vledger_tests::Node::start(
        &log.data,
        &["--max-connections", "64", "--handshake-timeout", "2s"],
    );
    let authority = node.url.trim_start_matches("http://").to_owned();
    let pid = node.pid().expect("pid");
    // Four times the cap of connections that never send a byte.
    let flood_start = Instant::now();
    let mut idle: Vec<TcpStream> = (0..256)
        .map(|_| TcpStream::connect(&authority).expect("connect"))
        .collect();
    // A normal client is answered at once.
    let ticks = cpu_ticks(pid);
    let asked = Instant::now();
    let out = vledger(["checkpoint", "--node", &node.url]).ok();
    let answered = asked.elapsed();
    assert!(out.stdout.starts_with(vledger_tests::ORIGIN), "{out}");
    assert!(
        answered < Duration::from_secs(1),
        "answered in {answered:?} during an idle flood"
    );
    // The flood costs no CPU while it waits.
    std::thread::sleep(Duration::from_millis(1500));
    let used = cpu_ticks(pid) - ticks;
    let seconds = asked.elapsed().as_secs_f64();
    let share = used as f64 / 100.0 / seconds;
    assert!(
        share < 0.25,
        "the node used {share:.2} of a core during the flood"
    );
    // Every idle connection is closed: those displaced by newer ones at
    // once, the last 64 when their 2 s are up.
    for (i, stream) in idle.iter_mut().enumerate() {
        let left = Duration::from_secs(5).saturating_sub(flood_start.elapsed());
        assert!(
            closed_within(stream, left).is_some(),
            "idle connection {i} still open after {:?}",
            flood_start.elapsed()
        );
    }
    let all_closed = flood_start.elapsed();
    assert!(
        all_closed >= Duration::from_millis(1900),
        "closed after {all_closed:?}"
    );
    // And the node still serves.
    vledger(["checkpoint", "--node", &node.url]).ok();
    assert!(
        node.logs().contains("connection cap reached"),
        "{}",
        node.logs()
    );
    node.stop();
}

#[test]
fn the_witness_closes_half_sent_requests() {
    let log = TestLog::init();
    let w = Witness::init_and_start_with(
        &log.path("w"),
        "w.conn.test",
        &log.log_vkey,
        &["--handshake-timeout", "1s", "--idle-timeout", "1s"],
    );
    let authority = w.url.trim_start_matches("http://");
    // Half a request head.
    let mut head = TcpStream::connect(authority).expect("connect");
    head.write_all(b"POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nContent-Len")
        .expect("send");
    // A whole head, a tenth of the body.
    let mut body = TcpStream::connect(authority).expect("connect");
    body.write_all(
        b"POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nContent-Length: 100\r\n\r\nold 0\n",
    )
    .expect("send");
    for (what, stream) in [("head", &mut head), ("body", &mut body)] {
        let closed = closed_within(stream, Duration::from_secs(4));
        assert!(closed.is_some(), "a half-sent {what} is kept open");
    }
    // The witness still answers.
    assert_eq!(vledger_tests::http("GET", &w.url, "/", b"").status, 200);
}

#[test]
fn witness_evidence_is_one_file_per_checkpoint_and_bounded() {
    let log = TestLog::init();
    let w = Witness::init_and_start(&log.path("w"), "w.evidence.test", &log.log_vkey);
    let key = std::fs::read_to_string(log.data.join("log.key")).expect("log key");
    let text_file = log.path("checkpoint.txt");
    let sign = |size: u64, root: u8| {
        let root = format!("{root:02x}").repeat(32);
        let root = hex_to_base64(&root);
        std::fs::write(
            &text_file,
            format!("{}\n{size}\n{root}\n", vledger_tests::ORIGIN),
        )
        .expect("write");
        run(go_xcheck(), ["sign", key.trim(), path_str(&text_file)])
            .ok()
            .stdout
    };
    // The witness cosigns a first checkpoint, then refuses others of the
    // same size (validly signed, inconsistent: evidence).
    let first = sign(5, 0);
    assert_eq!(w.add_checkpoint(&format!("old 0\n\n{first}")).status, 200);
    let conflict = sign(5, 1);
    for _ in 0..50 {
        let r = w.add_checkpoint(&format!("old 5\n\n{conflict}"));
        assert_eq!(r.status, 422, "{r:?}");
    }
    let evidence = w.dir.join("state/evidence");
    let count = || std::fs::read_dir(&evidence).expect("evidence").count();
    assert_eq!(count(), 1, "one conflicting checkpoint, sent 50 times");
    for root in 2..=80 {
        let r = w.add_checkpoint(&format!("old 5\n\n{}", sign(5, root)));
        assert_eq!(r.status, 422, "{r:?}");
    }
    assert_eq!(count(), 64, "80 conflicting checkpoints, a cap of 64");
    assert!(w.logs().contains("evidence is full"), "{}", w.logs());
}

fn hex_to_base64(hex: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}
