//! A real nginx (Debian's `nginx`) serving a directory as static files, as
//! an operator would serve a `vledger mirror`: the C2SP tlog-tiles paths as
//! they are on disk, `/checkpoint` as UTF-8 text, everything else as
//! `application/octet-stream`; full tiles cached for a year, partial ones
//! and the checkpoint for two seconds (the configuration docs/operations.md
//! gives).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::TIMEOUT;

/// Where Debian installs nginx.
pub const NGINX: &str = "/usr/sbin/nginx";

/// A running nginx; dropping it stops it.
#[derive(Debug)]
pub struct Nginx {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its error log.
    pub error_log: PathBuf,
}

impl Nginx {
    /// Serves `root` on a free loopback port, with its configuration and
    /// logs under `work`.
    ///
    /// # Panics
    /// When nginx is missing (install Debian's `nginx`) or does not answer
    /// within [`TIMEOUT`].
    #[must_use]
    pub fn serve(root: &Path, work: &Path) -> Self {
        assert!(
            Path::new(NGINX).is_file(),
            "{NGINX} is missing: apt-get install nginx"
        );
        std::fs::create_dir_all(work.join("logs")).expect("mkdir");
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("address")
            .port();
        let error_log = work.join("logs/error.log");
        let conf = format!(
            "daemon off;\nworker_processes 1;\npid {work}/nginx.pid;\nerror_log {err} info;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {work}/body;\n  proxy_temp_path {work}/proxy;\n  \
             fastcgi_temp_path {work}/fastcgi;\n  uwsgi_temp_path {work}/uwsgi;\n  scgi_temp_path {work}/scgi;\n  \
             types {{ }}\n  default_type application/octet-stream;\n  \
             server {{\n    listen 127.0.0.1:{port};\n    root {root};\n    \
             location = /checkpoint {{ default_type \"text/plain; charset=utf-8\"; add_header Cache-Control \"public, max-age=2\"; }}\n    \
             location /tile/ {{ add_header Cache-Control \"public, max-age=31536000, immutable\"; }}\n    \
             location ~ \\.p/ {{ add_header Cache-Control \"public, max-age=2\"; }}\n  }}\n}}\n",
            work = work.display(),
            err = error_log.display(),
            root = root.display(),
        );
        let conf_path = work.join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("write nginx.conf");
        let child = Command::new(NGINX)
            .arg("-c")
            .arg(&conf_path)
            .arg("-p")
            .arg(work)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let nginx = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            error_log,
        };
        let deadline = Instant::now() + TIMEOUT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not listen: {}",
                std::fs::read_to_string(&nginx.error_log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
