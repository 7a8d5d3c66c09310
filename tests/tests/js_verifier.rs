//! The JavaScript history-bundle verifier (`verifier-cli/web`), the one the
//! buyer's HTML report runs in the browser, against the Rust one: its own
//! test suite runs with `VLEDGER_VERIFY` set to the real `vledger-verify`,
//! so that its differential tests compare the two on every honest and
//! tampered bundle of the shared corpus, and its build test checks that the
//! committed `dist/vledger-verify.js` is the build of its sources.
//!
//! Needs Node.js and npm (on the machine, or `apt-get install nodejs npm`);
//! the packages come from the committed `package-lock.json` (`npm ci`).

use std::path::{Path, PathBuf};
use std::process::Command;

use vledger_tests::bins;

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../verifier-cli/web")
        .canonicalize()
        .expect("verifier-cli/web")
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

#[test]
fn the_javascript_verifier_agrees_with_the_rust_one() {
    let dir = web_dir();
    if !dir.join("node_modules/@noble/ed25519").is_dir() {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir));
    }
    let out = run(Command::new("npm")
        .arg("test")
        .current_dir(&dir)
        .env("VLEDGER_VERIFY", &bins().verify));
    // Node's test runner ends with its counts; none skipped, none failed.
    let count = |what: &str| -> u64 {
        out.lines()
            .find_map(|l| l.trim_start_matches(['#', ' ']).strip_prefix(what))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no `{what}` count in:\n{out}"))
    };
    assert!(count("pass") >= 100, "{out}");
    assert_eq!(count("fail"), 0, "{out}");
    assert_eq!(count("skipped"), 0, "the differential tests ran:\n{out}");
}
