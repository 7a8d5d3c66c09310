//! Witness processes (`vledger witness serve`), a bare HTTP/1.1 client to
//! talk to them as a log would, and Go's independent cross-checker.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::{TIMEOUT, bins, path_str, run, terminate, vledger};

/// A running `vledger witness serve`. Dropping it kills the process.
#[derive(Debug)]
pub struct Witness {
    /// The process; `None` once stopped.
    child: Option<Child>,
    /// Its directory (key, configuration, state).
    pub dir: PathBuf,
    /// Its name.
    pub name: String,
    /// Its cosigning verifier key (type 0x04).
    pub vkey: String,
    /// `http://127.0.0.1:PORT`: its submission and monitoring prefix.
    pub url: String,
    /// Where its standard error (the logs) goes.
    pub log_file: PathBuf,
    /// Further arguments of `vledger witness serve`.
    extra: Vec<String>,
}

impl Witness {
    /// `vledger witness init --dir DIR --name NAME --log LOG_VKEY`, then
    /// starts it.
    ///
    /// # Panics
    /// When init fails or the witness does not come up.
    #[must_use]
    pub fn init_and_start(dir: &Path, name: &str, log_vkey: &str) -> Self {
        Self::init_and_start_with(dir, name, log_vkey, &[])
    }

    /// As [`Witness::init_and_start`], passing `extra` to `vledger witness
    /// serve` (with `--tls-cert`, its URL is `https://`).
    ///
    /// # Panics
    /// When init fails or the witness does not come up.
    #[must_use]
    pub fn init_and_start_with(dir: &Path, name: &str, log_vkey: &str, extra: &[&str]) -> Self {
        let out = vledger([
            "witness",
            "init",
            "--dir",
            path_str(dir),
            "--name",
            name,
            "--log",
            log_vkey,
        ])
        .ok();
        let vkey = out.stdout.trim().to_owned();
        assert_eq!(
            std::fs::read_to_string(dir.join("witness.vkey"))
                .expect("witness.vkey")
                .trim(),
            vkey,
            "init printed another key than it wrote: {out}"
        );
        let mut w = Self {
            child: None,
            dir: dir.to_path_buf(),
            name: name.to_owned(),
            vkey,
            url: String::new(),
            log_file: PathBuf::new(),
            extra: extra.iter().map(|a| (*a).to_owned()).collect(),
        };
        w.start();
        w
    }

    /// Starts (or restarts) the witness on a new port, with its state.
    ///
    /// # Panics
    /// When it does not print its address within [`TIMEOUT`].
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "the witness is running");
        static STARTS: AtomicUsize = AtomicUsize::new(0);
        let n = STARTS.fetch_add(1, Ordering::Relaxed);
        let base = self.dir.with_file_name(format!(
            "{}-serve-{n}",
            self.dir.file_name().and_then(|f| f.to_str()).unwrap_or("w")
        ));
        let (out_file, log_file) = (base.with_extension("stdout"), base.with_extension("stderr"));
        let child = Command::new(&bins().vledger)
            .args(["witness", "serve", "--dir"])
            .arg(&self.dir)
            .args(["--listen", "127.0.0.1:0"])
            .args(&self.extra)
            .env("VLEDGER_LOG", "info")
            .env_remove("VLEDGER_WITNESS_DIR")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out_file).expect("create stdout file"))
            .stderr(std::fs::File::create(&log_file).expect("create stderr file"))
            .spawn()
            .expect("cannot spawn vledger witness serve");
        self.child = Some(child);
        self.log_file = log_file;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let text = std::fs::read_to_string(&out_file).unwrap_or_default();
            if let Some(line) = text.lines().next().filter(|_| text.contains('\n')) {
                let addr = line
                    .strip_prefix("listening on ")
                    .unwrap_or_else(|| panic!("unexpected first line of witness serve: {text:?}"));
                let tls = self.extra.iter().any(|a| a == "--tls-cert");
                self.url = format!("{}://{addr}", if tls { "https" } else { "http" });
                return;
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("witness exited with {status}:\n{}", self.logs());
            }
            assert!(
                Instant::now() < deadline,
                "witness printed no address within {TIMEOUT:?}:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The witness's log so far.
    #[must_use]
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log_file).unwrap_or_default()
    }

    /// `--witness URL=VKEY` for `vledger serve`.
    #[must_use]
    pub fn serve_arg(&self) -> String {
        format!("{}={}", self.url, self.vkey)
    }

    /// Stops the witness with SIGTERM and checks that it exits 0.
    ///
    /// # Panics
    /// When it does not stop cleanly.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            terminate(&mut child, "witness", || self.logs());
        }
    }

    /// POSTs `body` to its `add-checkpoint`, as a log would.
    #[must_use]
    pub fn add_checkpoint(&self, body: &str) -> HttpResponse {
        http("POST", &self.url, "/add-checkpoint", body.as_bytes())
    }
}

impl Drop for Witness {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The `Cache-Control` header, if any.
    pub cache_control: Option<String>,
    /// The body, as text (lossy).
    pub body: String,
    /// The body's bytes.
    pub bytes: Vec<u8>,
}

/// One HTTP/1.1 request on its own connection (`Connection: close`),
/// written by hand so that the test depends on no HTTP library.
///
/// # Panics
/// When the server cannot be reached or answers something that is not HTTP.
#[must_use]
pub fn http(method: &str, base: &str, path: &str, body: &[u8]) -> HttpResponse {
    let authority = base.strip_prefix("http://").expect("http:// URL");
    let mut stream = TcpStream::connect(authority).expect("connect to the server");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("send");
    stream.write_all(body).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {head:?}"));
    let mut content_type = None;
    let mut cache_control = None;
    let mut chunked = false;
    for line in lines {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        match name.to_ascii_lowercase().as_str() {
            "content-type" => content_type = Some(value.trim().to_owned()),
            "cache-control" => cache_control = Some(value.trim().to_owned()),
            "transfer-encoding" => chunked = value.trim().eq_ignore_ascii_case("chunked"),
            _ => {}
        }
    }
    let bytes = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    HttpResponse {
        status,
        content_type,
        cache_control,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&rest[..end]);
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        let tail = &rest[end + 2..];
        out.extend_from_slice(&tail[..n]);
        rest = tail[n..].strip_prefix(b"\r\n").unwrap_or(&tail[n..]);
    }
    out
}

/// Where Go's module sources are (Debian `golang-golang-x-mod-dev`).
pub const GOPATH: &str = "/usr/share/gocode";

/// The `vledgerxcheck` binary (Go's `sumdb/note` and `sumdb/tlog`, and a
/// `crypto/ed25519` check of tlog-cosignature), built once next to the
/// test binaries.
///
/// # Panics
/// When Go or the module sources are missing, or the build fails.
pub fn go_xcheck() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        const INSTALL: &str =
            "install Go with `apt-get install -y golang-go golang-golang-x-mod-dev`";
        let version = Command::new("go").arg("version").output();
        assert!(
            version.is_ok_and(|o| o.status.success()),
            "`go` is not on PATH: {INSTALL}"
        );
        let note = Path::new(GOPATH).join("src/golang.org/x/mod/sumdb/note");
        assert!(note.is_dir(), "{} is missing: {INSTALL}", note.display());
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("go/vledgerxcheck");
        let exe = std::env::current_exe().expect("current_exe");
        let out_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target directory");
        let bin = out_dir.join("vledgerxcheck");
        let mut go = Command::new("go");
        go.current_dir(&src)
            .args(["build", "-o"])
            .arg(&bin)
            .arg(".");
        go.env("GO111MODULE", "off")
            .env("GOPATH", GOPATH)
            .env("GOFLAGS", "");
        if std::env::var_os("GOCACHE").is_none() {
            go.env("GOCACHE", out_dir.join("go-build-cache"));
        }
        let out = go.output().expect("run go build");
        assert!(
            out.status.success(),
            "go build of vledgerxcheck failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        bin
    })
}

/// Runs `vledger-verify ARGS`.
pub fn verify<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(args: I) -> crate::Output {
    run(&bins().verify, args)
}
