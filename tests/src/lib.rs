//! Harness for vledger's end-to-end tests: it runs the real `vledger` and
//! `vledger-verify` binaries as separate processes, with every node on
//! `127.0.0.1:0` and its data in a temporary directory.
//!
//! The binaries are built once per test process by running `cargo build -p
//! vledger-node -p vledger-verify` with the profile of the test itself (a
//! no-op when they are up to date): a dependency on a package never builds
//! its binaries, short of unstable artifact dependencies. Every wait is
//! bounded by [`TIMEOUT`] and panics with the command's output when it
//! expires.
//!
//! It does not link any vledger crate: the tests see only what a user sees,
//! the command lines, files and exit codes.

pub mod load;
pub mod nginx;
pub mod postgres;
pub mod store;
pub mod tiles;
pub mod witness;

pub use witness::{HttpResponse, Witness, go_xcheck, http, verify};

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Longest any single command, start or stop may take (debug builds on a
/// loaded two-core machine are slow; this is a hang detector, not a benchmark).
pub const TIMEOUT: Duration = Duration::from_secs(90);

/// A VIN with a valid ISO 3779 check digit.
pub const VIN_A: &str = "1M8GDM9AXKP042788";
/// Another valid VIN.
pub const VIN_B: &str = "LVSHFFAL5DF123456";

/// Paths of the programs under test.
#[derive(Debug)]
pub struct Bins {
    /// The node and client: `vledger`.
    pub vledger: PathBuf,
    /// The offline verifier: `vledger-verify`.
    pub verify: PathBuf,
}

/// The binaries, built on first use.
///
/// # Panics
/// When they cannot be built or found.
pub fn bins() -> &'static Bins {
    static BINS: OnceLock<Bins> = OnceLock::new();
    BINS.get_or_init(build_bins)
}

fn build_bins() -> Bins {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace");
    let build =
        "build -p vledger-node -p vledger-verify --bins --message-format=json-render-diagnostics";
    let mut command = Command::new(&cargo);
    // Not the variables cargo set for this test: build scripts that watch
    // them (ring's watches CARGO_PKG_NAME and CARGO_MANIFEST_DIR) would
    // otherwise see another package and rebuild, and again at the next
    // `cargo test`.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || ["CARGO_CRATE_NAME", "CARGO_PRIMARY_PACKAGE", "OUT_DIR"].contains(&&*name)
        {
            command.env_remove(&*name);
        }
    }
    let out = command
        .current_dir(workspace)
        .args(build.split(' '))
        .args(["--profile", &test_profile()])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cargo:?}: {e}"));
    let hint = "run `cargo build -p vledger-node -p vledger-verify` to see why";
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "building the binaries failed; {hint}:\n{stderr}"
    );
    let (mut vledger, mut verify) = (None, None);
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some(name), Some(exe)) = (msg["target"]["name"].as_str(), msg["executable"].as_str())
        else {
            continue;
        };
        match name {
            "vledger" => vledger = Some(PathBuf::from(exe)),
            "vledger-verify" => verify = Some(PathBuf::from(exe)),
            _ => {}
        }
    }
    let (Some(vledger), Some(verify)) = (vledger, verify) else {
        panic!("cargo built no vledger and vledger-verify binaries; {hint}:\n{stderr}");
    };
    Bins { vledger, verify }
}

/// The cargo profile this test binary was built with, from its path
/// (`target/<profile dir>/deps/<test>`).
fn test_profile() -> String {
    let exe = std::env::current_exe().expect("current_exe");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .and_then(OsStr::to_str);
    match dir {
        Some("debug") | None => "dev".to_owned(),
        Some(other) => other.to_owned(),
    }
}

/// What a finished command did.
#[derive(Debug)]
pub struct Output {
    /// The command line, for messages.
    pub cmd: String,
    /// Its exit status.
    pub status: ExitStatus,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` exited with {}\n--- stdout\n{}--- stderr\n{}",
            self.cmd, self.status, self.stdout, self.stderr
        )
    }
}

impl Output {
    /// Panics unless the command exited 0.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert!(self.status.success(), "expected success: {self}");
        self
    }

    /// Panics unless the command exited 1 (a refusal, not a crash).
    #[track_caller]
    pub fn fails(self) -> Self {
        assert_eq!(
            self.status.code(),
            Some(1),
            "expected exit status 1: {self}"
        );
        self
    }
}

/// Runs `program` with `args`, without the `VLEDGER_*` variables of the
/// caller's environment, killing it after [`TIMEOUT`].
///
/// # Panics
/// When it cannot start or times out.
pub fn run<I, S>(program: &Path, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_with_input(program, args, None)
}

/// [`run`] with `input` as its standard input (none: `/dev/null`).
///
/// # Panics
/// When it cannot start or times out.
pub fn run_with_input<I, S>(program: &Path, args: I, input: Option<&[u8]>) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(program);
    // Absolute paths everywhere; a default output file lands in /tmp, not here.
    command.args(args).current_dir(std::env::temp_dir());
    for var in ["NODE", "DATA", "LISTEN", "LOG_KEY", "LOG"] {
        command.env_remove(format!("VLEDGER_{var}"));
    }
    let cmd = format!("{command:?}");
    let stdin = if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    };
    let mut child = command
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd}: {e}"));
    if let (Some(input), Some(mut pipe)) = (input, child.stdin.take()) {
        let input = input.to_vec();
        std::thread::spawn(move || {
            use std::io::Write as _;
            let _ = pipe.write_all(&input);
        });
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_timeout(&mut child, TIMEOUT);
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let Some(status) = status else {
        panic!("`{cmd}` did not finish in {TIMEOUT:?}\n--- stdout\n{stdout}--- stderr\n{stderr}");
    };
    Output {
        cmd,
        status,
        stdout,
        stderr,
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

/// Waits up to `timeout` for `child`; kills it and returns `None` when it
/// is still running then.
pub fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `vledger ARGS`.
pub fn vledger<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> Output {
    run(&bins().vledger, args)
}

/// Runs `vledger ARGS` with `input` as its standard input.
pub fn vledger_with_input<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(
    args: I,
    input: &str,
) -> Output {
    run_with_input(&bins().vledger, args, Some(input.as_bytes()))
}

/// Runs `vledger-verify proof --log-key KEY FILE`.
pub fn verify_proof(log_key: impl AsRef<OsStr>, file: impl AsRef<OsStr>) -> Output {
    let args = [log_key.as_ref(), file.as_ref()];
    run(
        &bins().verify,
        ["proof".as_ref(), "--log-key".as_ref()]
            .into_iter()
            .chain(args),
    )
}

/// A running `vledger serve`. Dropping it kills the process.
#[derive(Debug)]
pub struct Node {
    /// The process; `None` once stopped or killed.
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`, for `--node`.
    pub url: String,
    /// `http://127.0.0.1:PORT` of the tile API, when started with
    /// `--http-listen`.
    pub http_url: Option<String>,
    /// Where its standard error (the logs) goes.
    pub log_file: PathBuf,
    /// Where its standard output (its addresses) goes.
    out_file: PathBuf,
    /// Whether it was asked to serve HTTP too.
    wants_http: bool,
}

impl Node {
    /// Starts `vledger serve --data DATA --listen 127.0.0.1:0 EXTRA...` and
    /// waits until it prints its address and answers `vledger checkpoint`.
    ///
    /// # Panics
    /// When it exits or does not come up within [`TIMEOUT`].
    #[must_use]
    pub fn start(data: &Path, extra: &[&str]) -> Self {
        let node = Self::spawn(data, extra);
        assert!(
            !node.url.is_empty(),
            "vledger serve exited before listening:\n{}",
            node.logs()
        );
        let probe = vledger(["checkpoint", "--node", &node.url]);
        assert!(
            probe.status.success(),
            "node does not answer: {probe}\n--- node log\n{}",
            node.logs()
        );
        node
    }

    /// Runs `vledger serve` on a store it must refuse; returns its exit
    /// status and log once it has exited.
    ///
    /// # Panics
    /// When the node answers a client (it serves the store) or does not
    /// exit within [`TIMEOUT`].
    #[must_use]
    pub fn refuses(data: &Path, extra: &[&str]) -> (ExitStatus, String) {
        let mut node = Self::spawn(data, extra);
        if !node.url.is_empty() {
            let probe = vledger(["checkpoint", "--node", &node.url]);
            assert!(
                !probe.status.success(),
                "the node serves a store it must refuse: {probe}\n{}",
                node.logs()
            );
        }
        let mut child = node.child.take().expect("child");
        let status = wait_timeout(&mut child, TIMEOUT);
        let status = status
            .unwrap_or_else(|| panic!("the node neither served nor exited:\n{}", node.logs()));
        (status, node.logs())
    }

    /// Spawns the node and waits for its address; `url` stays empty when it
    /// exits before printing one.
    fn spawn(data: &Path, extra: &[&str]) -> Self {
        let mut node = Self::launch(data, extra);
        node.await_address(TIMEOUT);
        node
    }

    /// Spawns `vledger serve --data DATA --listen 127.0.0.1:0 EXTRA...`
    /// without waiting for anything; see [`Node::await_address`].
    ///
    /// # Panics
    /// When it cannot be spawned.
    #[must_use]
    pub fn launch(data: &Path, extra: &[&str]) -> Self {
        Self::launch_with_env(data, extra, &[])
    }

    /// [`Node::launch`] with `env` set for the node.
    ///
    /// # Panics
    /// When it cannot be spawned.
    #[must_use]
    pub fn launch_with_env(data: &Path, extra: &[&str], env: &[(&str, &str)]) -> Self {
        static STARTS: AtomicUsize = AtomicUsize::new(0);
        let n = STARTS.fetch_add(1, Ordering::Relaxed);
        let base = data.with_file_name(format!("serve-{n}"));
        let (out_file, log_file) = (base.with_extension("stdout"), base.with_extension("stderr"));
        let child = Command::new(&bins().vledger)
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .env("VLEDGER_LOG", "info")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out_file).expect("create stdout file"))
            .stderr(std::fs::File::create(&log_file).expect("create stderr file"))
            .spawn()
            .expect("cannot spawn vledger serve");
        Node {
            child: Some(child),
            url: String::new(),
            http_url: None,
            log_file,
            out_file,
            wants_http: extra.contains(&"--http-listen"),
        }
    }

    /// Waits until the node prints its address (and its HTTP address when
    /// it serves one) and returns `true`; `false` when it exits first.
    ///
    /// # Panics
    /// When it prints neither within `timeout`.
    pub fn await_address(&mut self, timeout: Duration) -> bool {
        let node = self;
        let wants_http = node.wants_http;
        let deadline = Instant::now() + timeout;
        loop {
            let text = std::fs::read_to_string(&node.out_file).unwrap_or_default();
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            if let Some(line) = lines.first().filter(|l| l.ends_with('\n')) {
                let addr = line.trim_end().strip_prefix("listening on ");
                let addr = addr
                    .unwrap_or_else(|| panic!("unexpected first line of vledger serve: {text:?}"));
                node.url = format!("http://{addr}");
                if !wants_http {
                    return true;
                }
                if let Some(line) = lines.get(1).filter(|l| l.ends_with('\n')) {
                    let url = line.trim_end().strip_prefix("tiles on ");
                    let url = url.unwrap_or_else(|| {
                        panic!("unexpected second line of vledger serve: {text:?}")
                    });
                    node.http_url = Some(url.to_owned());
                    return true;
                }
            }
            if node
                .child
                .as_mut()
                .is_some_and(|c| c.try_wait().expect("try_wait").is_some())
            {
                return false;
            }
            assert!(
                Instant::now() < deadline,
                "vledger serve printed no address within {timeout:?}:\n{}",
                node.logs()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The node's log (its standard error) so far.
    #[must_use]
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log_file).unwrap_or_default()
    }

    /// Whether the node has printed its first line (its address) yet.
    #[must_use]
    pub fn printed_address(&self) -> bool {
        std::fs::read_to_string(&self.out_file).is_ok_and(|t| !t.is_empty())
    }

    /// The process id, while it runs.
    #[must_use]
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().expect("try_wait").is_none())
    }

    /// Waits up to `timeout` for the process to exit; its status, if it did.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let child = self.child.as_mut()?;
        let status = wait_timeout(child, timeout);
        if status.is_some() {
            self.child = None;
        }
        status
    }

    /// Kills the node with SIGKILL: no shutdown code runs.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL the node");
            child.wait().expect("reap the node");
        }
    }

    /// Stops the node with SIGTERM and checks that it exits 0 in time.
    ///
    /// # Panics
    /// When it does not stop cleanly.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            terminate(&mut child, "node", || self.logs());
        }
    }
}

/// Sends SIGTERM to `child` (the `what` process) and checks that it exits 0
/// within [`TIMEOUT`], showing `logs()` when it does not.
///
/// # Panics
/// When it does not stop cleanly.
pub fn terminate(child: &mut Child, what: &str, logs: impl Fn() -> String) {
    let term = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    assert!(
        term.is_ok_and(|s| s.success()),
        "cannot send SIGTERM to the {what}"
    );
    match wait_timeout(child, TIMEOUT) {
        Some(status) => assert!(
            status.success(),
            "{what} exited with {status} on SIGTERM:\n{}",
            logs()
        ),
        None => panic!(
            "{what} did not stop within {TIMEOUT:?} of SIGTERM:\n{}",
            logs()
        ),
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A signed checkpoint: the note text and its parsed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The whole signed note.
    pub note: String,
    /// Line 1.
    pub origin: String,
    /// Line 2.
    pub size: u64,
    /// Line 3, base64.
    pub root: String,
}

impl Checkpoint {
    /// Parses a signed checkpoint note (without checking the signature).
    ///
    /// # Panics
    /// When it is not one.
    #[must_use]
    pub fn parse(note: &str) -> Self {
        let mut lines = note.lines();
        let mut next = || lines.next().map(str::to_owned).unwrap_or_default();
        let (origin, size, root) = (next(), next(), next());
        let size = size
            .parse()
            .unwrap_or_else(|e| panic!("size {size:?} in {note:?}: {e}"));
        Checkpoint {
            note: note.to_owned(),
            origin,
            size,
            root,
        }
    }
}

/// A parsed `c2sp.org/tlog-proof@v1` text (format only, nothing verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// The base64 entry bytes of the `extra` line.
    pub extra: String,
    /// The leaf index.
    pub index: u64,
    /// The inclusion proof hashes, base64.
    pub hashes: Vec<String>,
    /// The checkpoint it is against.
    pub checkpoint: Checkpoint,
}

impl TlogProof {
    /// Parses a tlog-proof.
    ///
    /// # Panics
    /// When `text` is not one.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        fn bad<T>(text: &str) -> T {
            panic!("not a tlog-proof: {text:?}")
        }
        let (head, note) = text.split_once("\n\n").unwrap_or_else(|| bad(text));
        let mut lines = head.lines();
        assert_eq!(
            lines.next(),
            Some("c2sp.org/tlog-proof@v1"),
            "bad header in {text:?}"
        );
        let mut field = |name| {
            lines
                .next()
                .and_then(|l| l.strip_prefix(name))
                .unwrap_or_else(|| bad(text))
        };
        let (extra, index) = (field("extra ").to_owned(), field("index "));
        let index = index.parse().unwrap_or_else(|_| bad(text));
        let hashes = lines.map(str::to_owned).collect();
        TlogProof {
            extra,
            index,
            hashes,
            checkpoint: Checkpoint::parse(note),
        }
    }

    /// Reads and parses a tlog-proof file.
    #[must_use]
    pub fn read(path: &Path) -> Self {
        let text = std::fs::read_to_string(path);
        Self::parse(&text.unwrap_or_else(|e| panic!("{}: {e}", path.display())))
    }
}

/// A submitter key pair made by `vledger keygen`.
#[derive(Debug, Clone)]
pub struct Key {
    /// The private key file.
    pub file: PathBuf,
    /// The verifier key (vkey form).
    pub vkey: String,
}

/// A log initialised with `vledger init` in a temporary directory, with
/// helpers to make keys and records there.
#[derive(Debug)]
pub struct TestLog {
    /// The temporary directory; everything of this test lives in it.
    pub dir: tempfile::TempDir,
    /// The data directory (`DIR/data`).
    pub data: PathBuf,
    /// The log's verifier key, as `init` wrote it to `data/log.vkey`.
    pub log_vkey: String,
    /// The admin private key.
    pub admin_key: PathBuf,
    /// Arguments every `serve` and `check` of this log gets: `--store URL`
    /// for a log in PostgreSQL.
    pub store_args: Vec<String>,
}

/// The origin of every test log.
pub const ORIGIN: &str = "e2e.vledger.test/log";

impl TestLog {
    /// Runs `vledger init` in a new temporary directory.
    #[must_use]
    pub fn init() -> Self {
        Self::init_in(Vec::new())
    }

    /// Runs `vledger init --store URL` in a new temporary directory: the
    /// log lives in the PostgreSQL database at `url`.
    #[must_use]
    pub fn init_on_store(url: &str) -> Self {
        Self::init_in(vec!["--store".to_owned(), url.to_owned()])
    }

    /// Runs `vledger init --origin ORIGIN` in a new temporary directory.
    #[must_use]
    pub fn init_with_origin(origin: &str) -> Self {
        Self::init_as(origin, Vec::new())
    }

    fn init_in(store_args: Vec<String>) -> Self {
        Self::init_as(ORIGIN, store_args)
    }

    fn init_as(origin: &str, store_args: Vec<String>) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let out = vledger(
            ["init", "--data", path_str(&data), "--origin", origin]
                .into_iter()
                .chain(store_args.iter().map(String::as_str)),
        )
        .ok();
        let log_vkey = std::fs::read_to_string(data.join("log.vkey")).expect("init wrote log.vkey");
        let log_vkey = log_vkey.trim().to_owned();
        assert!(
            out.stdout.contains(&log_vkey),
            "init did not print the log key: {out}"
        );
        TestLog {
            admin_key: data.join("admin.key"),
            log_vkey,
            data,
            dir,
            store_args,
        }
    }

    /// A path inside the temporary directory.
    #[must_use]
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The file holding the log's verifier key.
    #[must_use]
    pub fn log_vkey_file(&self) -> PathBuf {
        self.data.join("log.vkey")
    }

    /// Starts a node on the data directory (and its store).
    #[must_use]
    pub fn start(&self) -> Node {
        Node::start(&self.data, &self.store_args())
    }

    /// [`TestLog::store_args`] as `&str`s.
    #[must_use]
    pub fn store_args(&self) -> Vec<&str> {
        self.store_args.iter().map(String::as_str).collect()
    }

    /// `vledger keygen --name NAME --out DIR/NAME.key`.
    #[must_use]
    pub fn keygen(&self, name: &str) -> Key {
        let file = self.path(&format!("{}.key", name.replace('/', "_")));
        let out = vledger(["keygen", "--name", name, "--out", path_str(&file)]).ok();
        Key {
            file,
            vkey: out.stdout.trim().to_owned(),
        }
    }

    /// Enrolls `key` with `role` at the node at `url`, signed with the admin
    /// key; the receipt goes to [`TestLog::enroll_receipt`].
    pub fn enroll(&self, url: &str, key: &Key, role: &str) -> Output {
        let (admin, receipt) = (path_str(&self.admin_key), self.enroll_receipt(key));
        let args = [
            "--key",
            &key.vkey,
            "--role",
            role,
            "--name",
            "E2E Org",
            "--out",
            path_str(&receipt),
        ];
        vledger(
            ["enroll", "--node", url, "--admin-key", admin]
                .into_iter()
                .chain(args),
        )
    }

    /// Where [`TestLog::enroll`] writes the receipt of `key`'s enrollment.
    #[must_use]
    pub fn enroll_receipt(&self, key: &Key) -> PathBuf {
        key.file.with_extension("enroll.tlog-proof")
    }

    /// Writes a record (any kind, in its JSON form) to `DIR/NAME.json`.
    #[must_use]
    pub fn write_json(&self, name: &str, json: &serde_json::Value) -> PathBuf {
        let path = self.path(&format!("{name}.json"));
        std::fs::write(&path, json.to_string()).expect("write record");
        path
    }

    /// Makes a key for `role` and enrolls it at the node at `url`.
    #[must_use]
    pub fn enrolled(&self, url: &str, role: &str) -> Key {
        let key = self.keygen(&format!("{role}.example"));
        self.enroll(url, &key, role).ok();
        key
    }

    /// Writes an odometer-reading record for `vin` to `DIR/NAME.json`.
    #[must_use]
    pub fn record(&self, name: &str, vin: &str, km: u64, nonce: Option<&str>) -> PathBuf {
        let nonce = nonce.map_or_else(String::new, |n| format!(r#","nonce":"{n}""#));
        let json = format!(
            r#"{{"vin":"{vin}","event_time":"2026-11-01","odometer_reading":{{"value":{km},"unit":"km","source":"service"}}{nonce}}}"#
        );
        let path = self.path(&format!("{name}.json"));
        std::fs::write(&path, json).expect("write record");
        path
    }
}

/// Runs `f` to completion on a runtime of its own: a test's raw gRPC calls.
pub fn block_on<T>(f: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// A gRPC client of the node at `url`.
///
/// # Panics
/// When it cannot connect.
pub async fn log_client(
    url: &str,
) -> vledger_proto::v1::log_client::LogClient<tonic::transport::Channel> {
    vledger_proto::v1::log_client::LogClient::connect(url.to_owned())
        .await
        .expect("connect")
}

/// `vledger submit --node URL --key KEY RECORD --out RECEIPT`.
pub fn submit(url: &str, key: &Key, record: &Path, receipt: &Path) -> Output {
    let files = [path_str(&key.file), path_str(receipt), path_str(record)];
    vledger([
        "submit", "--node", url, "--key", files[0], "--out", files[1], files[2],
    ])
}

/// The entry index a successful `vledger submit` printed.
///
/// # Panics
/// When it printed none.
#[must_use]
pub fn logged_index(out: &Output) -> u64 {
    let rest = out.stdout.split_once("entry ").map_or("", |s| s.1);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|e| panic!("no entry index ({e}) in {out}"))
}

/// The `FLAGS: ...` line a `vledger submit` or `vledger-verify proof`
/// printed, without the prefix; `None` when it printed none.
#[must_use]
pub fn flags_line(out: &Output) -> Option<&str> {
    out.stdout.lines().find_map(|l| l.strip_prefix("FLAGS: "))
}

/// The node's checkpoint (the latest, or at `size`).
#[must_use]
pub fn checkpoint(node: &Node, size: Option<u64>) -> Checkpoint {
    let size = size.map(|s| s.to_string());
    let size_args = size.as_deref().map(|s| ["--size", s]).into_iter().flatten();
    let out = vledger(
        ["checkpoint", "--node", &node.url]
            .into_iter()
            .chain(size_args),
    );
    Checkpoint::parse(&out.ok().stdout)
}

/// A path as `&str` (every path here is a temporary directory's, UTF-8).
///
/// # Panics
/// When it is not UTF-8.
#[must_use]
pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Submits the docs/examples history, each file signed by a key of the
/// role that may sign it (enrolled first); returns the entry of each file.
///
/// # Panics
/// When a submission fails.
pub fn submit_example(log: &TestLog, url: &str) -> std::collections::HashMap<String, u64> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("docs/examples")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    let roles = [
        "manufacturer",
        "registry",
        "workshop",
        "inspection_body",
        "exporter",
        "customs",
    ];
    let keys: std::collections::HashMap<&str, Key> =
        roles.iter().map(|r| (*r, log.enrolled(url, r))).collect();
    let mut entries = std::collections::HashMap::new();
    for file in &files {
        let role = match &file[3..] {
            "inspection-protocol.json" | "inspection.json" | "compliance.json" => "inspection_body",
            "factory.json" => "manufacturer",
            "registration.json" | "ownership-transfer.json" | "deregistration.json" => "registry",
            "export-license.json" => "exporter",
            "customs-clearance.json" => "customs",
            _ => "workshop",
        };
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).expect("read"))
                .expect("example is JSON");
        if let Some(c) = json.get_mut("correction") {
            c["target_index"] = serde_json::Value::from(entries["03-maintenance.json"]);
        }
        let record = log.write_json(file.trim_end_matches(".json"), &json);
        let out = submit(
            url,
            &keys[role],
            &record,
            &record.with_extension("tlog-proof"),
        )
        .ok();
        entries.insert(file.clone(), logged_index(&out));
    }
    entries
}
