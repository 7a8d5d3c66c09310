//! README.md's quickstart runs as written, in its own order, on a fresh
//! directory: its ```sh block is taken out of the README and run by bash
//! with the built `vledger` and `vledger-verify` first on PATH, in a new
//! temporary directory, with `VLEDGER_LISTEN` and `VLEDGER_NODE` (which
//! `serve` and every client honour) set to a free loopback port instead of
//! 127.0.0.1:6962. The one line it leaves out is `cargo build`: the harness
//! has built the binaries already.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vledger_tests::bins;

/// The ```sh blocks of the README section whose heading starts with
/// `heading`, in order.
fn sh_blocks(readme: &str, heading: &str) -> Vec<String> {
    let start = readme
        .find(&format!("\n## {heading}"))
        .unwrap_or_else(|| panic!("README has no section {heading:?}"));
    let section = &readme[start + 1..];
    let section = section[3..]
        .find("\n## ")
        .map_or(section, |end| &section[..end + 3]);
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```sh\n") {
        let body = &rest[open + 6..];
        let close = body.find("\n```").expect("a closed code block");
        blocks.push(body[..=close].to_owned());
        rest = &body[close + 4..];
    }
    blocks
}

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free port")
        .port()
}

#[test]
fn the_two_commands_come_first() {
    let readme = include_str!("../../README.md");
    let first = readme.find("\n## ").map(|i| &readme[i + 4..]);
    assert!(
        first.is_some_and(|s| s.starts_with("The two commands")),
        "README's first section is not \"The two commands\""
    );
    let blocks = sh_blocks(readme, "The two commands");
    assert_eq!(
        blocks,
        [
            "cargo run --release -p vledger-node -- serve\n",
            "./test.sh\n"
        ]
    );
}

#[test]
fn quickstart_runs_as_written() {
    let readme = include_str!("../../README.md");
    let blocks = sh_blocks(readme, "Quickstart");
    assert_eq!(blocks.len(), 1, "the quickstart is one block: {blocks:?}");
    let script: String = blocks[0]
        .lines()
        .filter(|l| !l.starts_with("cargo build"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(
        script.contains("vledger init --data ./demo-data"),
        "{script}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let bin_dir = bins().vledger.parent().expect("bin dir").to_owned();
    assert_eq!(Some(bin_dir.as_path()), bins().verify.parent());
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin_dir];
    paths.extend(std::env::split_paths(&path));
    // A node left running by a failing line is stopped when bash exits.
    let script = format!(
        "trap 'status=$?; kill $(jobs -p) 2>/dev/null || true; exit $status' EXIT\n{script}"
    );
    let mut command = Command::new("bash");
    command
        .args(["-e", "-c", &script])
        .current_dir(dir.path())
        .env("PATH", std::env::join_paths(paths).expect("PATH"))
        .env("VLEDGER_LISTEN", format!("127.0.0.1:{port}"))
        .env("VLEDGER_NODE", format!("http://127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("VLEDGER_") && name != "VLEDGER_LISTEN" && name != "VLEDGER_NODE" {
            command.env_remove(&*name);
        }
    }
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().expect("run bash");
    let (stdout, stderr) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let deadline = Instant::now() + vledger_tests::TIMEOUT * 2;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            // The whole group: bash and the node it started.
            let _ = Command::new("kill")
                .args(["-KILL", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stderr) = (
        stdout.join().unwrap_or_default(),
        stderr.join().unwrap_or_default(),
    );
    let shown = format!("--- stdout\n{stdout}--- stderr\n{stderr}");
    let status = status.unwrap_or_else(|| panic!("the quickstart did not finish\n{shown}"));
    assert!(
        status.success(),
        "the quickstart failed ({status})\n{shown}"
    );

    // What the README's comments say the commands print.
    for promised in [
        "OK: entry 4 of log ledger.example.com/vehicles at tree size 6 is odometer_reading for VIN LVSHFFAL5DF123456",
        "complete history of VIN LVSHFFAL5DF123456 as of tree size 6: 1 record",
        "proof of entry 4 at tree size 6 written to entry4.tlog-proof",
    ] {
        assert!(
            stdout.contains(promised),
            "{promised:?} not printed\n{shown}"
        );
    }
    for file in ["odometer.tlog-proof", "entry4.tlog-proof", "car.vhist.json"] {
        assert!(
            Path::new(&dir.path().join(file)).is_file(),
            "no {file}\n{shown}"
        );
    }
}

fn drain(pipe: Option<impl std::io::Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
