//! Running a `vledger serve` process for the load generator, and keeping
//! load on loopback.

use std::io::{BufRead as _, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use ed25519_dalek::SigningKey;
use vledger_tlog::note::Signer;

/// Whether `url` (`http://host:port`) names a loopback address: `127.0.0.0/8`,
/// `[::1]` or `localhost`. The load generator refuses anything else.
#[must_use]
pub fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if let Ok(addr) = authority.parse::<SocketAddr>() {
        return addr.ip().is_loopback();
    }
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    if let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        return ip.is_loopback();
    }
    host.eq_ignore_ascii_case("localhost")
}

/// Reads the admin signing key that `vledger init` (or the first `serve`)
/// wrote to `DIR/admin.key`.
///
/// # Errors
/// When the file is missing or not a note private key.
pub fn read_admin_key(data: &Path) -> anyhow::Result<SigningKey> {
    let path = data.join("admin.key");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the admin key {}", path.display()))?;
    let signer = Signer::from_private_key(text.trim())
        .with_context(|| format!("{} is not a note private key", path.display()))?;
    Ok(signer.signing_key().clone())
}

/// The `vledger` binary: `explicit` if given, else the one next to the
/// running executable (both are built into `target/<profile>/`).
///
/// # Errors
/// When neither exists.
pub fn find_vledger(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
        bail!("--vledger {} is not a file", p.display());
    }
    let exe = std::env::current_exe().context("cannot find the running executable")?;
    let beside = exe.with_file_name("vledger");
    if beside.is_file() {
        return Ok(beside);
    }
    bail!(
        "no vledger binary at {}; build it (cargo build --release -p vledger-node) or pass --vledger PATH",
        beside.display()
    )
}

/// A `vledger serve` child process on `127.0.0.1:0`. Dropping it kills the
/// process; [`NodeProcess::stop`] ends it gracefully with `SIGTERM`.
#[derive(Debug)]
pub struct NodeProcess {
    /// The child.
    child: Child,
    /// The address it listens on.
    addr: SocketAddr,
    /// The address of its tile API, when started with `--http-listen`.
    http: Option<SocketAddr>,
}

impl NodeProcess {
    /// Starts `vledger serve --data DATA --listen 127.0.0.1:0` and waits for
    /// its first stdout line, `listening on ADDR` (and the second, `tiles on
    /// http://ADDR`, when `extra_args` has `--http-listen`). Its stderr (the
    /// node's log, filtered by `VLEDGER_LOG`) goes to `log`, or to ours.
    ///
    /// # Errors
    /// When the process cannot start or does not announce its address
    /// within `timeout`.
    pub fn spawn(
        vledger: &Path,
        data: &Path,
        extra_args: &[String],
        log: Option<&Path>,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let stderr = match log {
            Some(p) => Stdio::from(
                std::fs::File::create(p)
                    .with_context(|| format!("cannot create the node log {}", p.display()))?,
            ),
            None => Stdio::inherit(),
        };
        let mut child = Command::new(vledger)
            .arg("serve")
            .arg("--data")
            .arg(data)
            .args(["--listen", "127.0.0.1:0"])
            // One bench key sends every append: no per-signer budget
            // (an extra argument may set one again).
            .arg("--signer-rate=0")
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .with_context(|| format!("cannot start {}", vledger.display()))?;
        let stdout = child.stdout.take().context("no stdout pipe")?;
        let lines = if extra_args.iter().any(|a| a.starts_with("--http-listen")) {
            2
        } else {
            1
        };
        // Read the first lines on a thread, so that a silent child cannot
        // hang us past the timeout.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            for _ in 0..lines {
                let mut line = String::new();
                let _ = tx.send(reader.read_line(&mut line).map(|_| line));
            }
            // Keep draining, so the child never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let mut node = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            http: None,
        };
        let deadline = Instant::now() + timeout;
        let next_line = || match rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(Ok(line)) => Ok(line),
            Ok(Err(e)) => Err(anyhow::anyhow!("cannot read the node's stdout: {e}")),
            Err(_) => Err(anyhow::anyhow!(
                "the node printed no address within {timeout:?}"
            )),
        };
        let line = next_line()?;
        node.addr = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|a| a.parse().ok())
            .with_context(|| format!("unexpected first line from the node: {line:?}"))?;
        if lines == 2 {
            let line = next_line()?;
            node.http = Some(
                line.trim()
                    .strip_prefix("tiles on http://")
                    .and_then(|a| a.parse().ok())
                    .with_context(|| format!("unexpected second line from the node: {line:?}"))?,
            );
        }
        for addr in std::iter::once(node.addr).chain(node.http) {
            if !addr.ip().is_loopback() {
                bail!("the node listens on {addr}, not on loopback");
            }
        }
        Ok(node)
    }

    /// The gRPC URL, `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address of the tile API, when started with `--http-listen`.
    #[must_use]
    pub const fn http_addr(&self) -> Option<SocketAddr> {
        self.http
    }

    /// The child's process id.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `SIGTERM` and waits up to `grace` for the node to drain and
    /// exit; kills it if it does not.
    ///
    /// # Errors
    /// When the signal cannot be sent or the process cannot be waited for.
    pub fn stop(mut self, grace: Duration) -> anyhow::Result<ExitStatus> {
        let pid = rustix::process::Pid::from_child(&self.child);
        rustix::process::kill_process(pid, rustix::process::Signal::TERM)
            .context("cannot send SIGTERM to the node")?;
        let deadline = Instant::now() + grace;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                self.child.kill()?;
                bail!("the node did not stop within {grace:?} of SIGTERM; killed it");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls_pass() {
        for ok in [
            "http://127.0.0.1:6962",
            "http://127.5.0.1:1",
            "http://[::1]:6962",
            "http://localhost:6962",
            "http://LOCALHOST:1/",
        ] {
            assert!(is_loopback_url(ok), "{ok}");
        }
        for bad in [
            "http://10.0.0.1:6962",
            "http://192.168.1.2:6962",
            "http://example.com:6962",
            "http://localhost.example.com:1",
            "https://127.0.0.1:6962",
            "127.0.0.1:6962",
            "http://[::2]:1",
        ] {
            assert!(!is_loopback_url(bad), "{bad}");
        }
    }
}
