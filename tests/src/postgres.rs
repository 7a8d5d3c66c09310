//! A real PostgreSQL server for tests: Debian's `postgresql` binaries,
//! `initdb` into a temporary directory, `postgres` on a free loopback port
//! with its socket in that directory, one database per test; stopped when
//! the guard is dropped.
//!
//! `initdb` and `postgres` refuse to run as root: as root they run as the
//! `postgres` system user, which then owns the temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::wait_timeout;

/// A running PostgreSQL server.
#[derive(Debug)]
pub struct Postgres {
    /// Holds the cluster, the socket and the server's log.
    dir: tempfile::TempDir,
    /// The server's TCP port on 127.0.0.1.
    pub port: u16,
    /// The directory of `initdb`, `postgres`, `psql`.
    bin: PathBuf,
    /// The postmaster; `None` once stopped.
    child: Option<Child>,
}

/// The directory of the newest PostgreSQL installed by Debian's packages.
///
/// # Panics
/// When none is installed.
#[must_use]
pub fn bin_dir() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let newest = std::fs::read_dir(root)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let version: u32 = name.split('.').next()?.parse().ok()?;
            Some((version, root.join(name).join("bin")))
        })
        .filter(|(_, bin)| bin.join("postgres").exists())
        .max_by_key(|(v, _)| *v);
    newest.map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "no PostgreSQL under {}: install Debian's `postgresql` (./test.sh does)",
            root.display()
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// A command for a PostgreSQL server program: as the `postgres` user when
/// running as root.
fn server_command(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
        ])
        .arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl Postgres {
    /// Creates a cluster and starts its server; waits until it accepts
    /// connections.
    ///
    /// # Panics
    /// When PostgreSQL is not installed or does not start.
    #[must_use]
    pub fn start() -> Self {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("vledger-pg")
            .tempdir()
            .expect("tempdir");
        if is_root() {
            let chown = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status();
            assert!(
                chown.is_ok_and(|s| s.success()),
                "cannot give {} to the postgres user",
                dir.path().display()
            );
        }
        let data = dir.path().join("data");
        let out = server_command(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
            .stdin(Stdio::null())
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let log = std::fs::File::create(dir.path().join("server.log")).expect("server log");
        let child = server_command(&bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir.path())
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=200",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start postgres");
        let mut pg = Self {
            dir,
            port,
            bin,
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = Command::new(pg.bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"])
                .output()
                .is_ok_and(|o| o.status.success());
            if ready {
                return pg;
            }
            let exited = pg
                .child
                .as_mut()
                .is_some_and(|c| c.try_wait().ok().flatten().is_some());
            assert!(
                !exited && Instant::now() < deadline,
                "PostgreSQL did not start:\n{}",
                pg.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The server's log so far.
    #[must_use]
    pub fn logs(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// The URL of database `db`.
    #[must_use]
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates a new, empty database; returns its URL.
    ///
    /// # Panics
    /// When the server refuses.
    #[must_use]
    pub fn create_database(&self) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("t{}", N.fetch_add(1, Ordering::Relaxed));
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(&name)
    }

    /// Runs one SQL command in database `db` with `psql`; returns its
    /// unaligned, tuples-only output.
    ///
    /// # Panics
    /// When it fails.
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                db,
                "-c",
                sql,
            ])
            .stdin(Stdio::null())
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "psql {sql:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGINT: fast shutdown (the backends are ended, nothing waits
            // for clients).
            let _ = Command::new("kill")
                .arg("-INT")
                .arg(child.id().to_string())
                .status();
            if wait_timeout(&mut child, Duration::from_secs(20)).is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}
