//! TLS on every listener, with a CA and certificates made by the test
//! (rcgen): the CLI reaches an `https://` node with `--ca` and refuses it
//! without; it never speaks plaintext to an `https://` URL; it warns
//! before plaintext to a host that is not loopback; the tile API is read
//! over TLS with rustls and with the CLI's own tile client (`prove
//! --tiles`, `mirror`); and a node reaches an `https://` witness.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use vledger_tests::{Node, TIMEOUT, TestLog, Witness, path_str, vledger};

/// A test CA and a certificate it signed for 127.0.0.1 and localhost,
/// written as PEM files.
struct Pki {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    ca_der: rustls::pki_types::CertificateDer<'static>,
}

impl Pki {
    fn make(log: &TestLog) -> Self {
        let ca_key = rcgen::KeyPair::generate().expect("CA key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "vledger test CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
        let key = rcgen::KeyPair::generate().expect("key");
        let params = rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
            .expect("params");
        let cert = params.signed_by(&key, &ca).expect("certificate");
        let pki = Self {
            ca: log.path("ca.pem"),
            cert: log.path("cert.pem"),
            key: log.path("key.pem"),
            ca_der: ca.der().clone(),
        };
        std::fs::write(&pki.ca, ca.pem()).expect("write");
        std::fs::write(&pki.cert, cert.pem()).expect("write");
        std::fs::write(&pki.key, key.serialize_pem()).expect("write");
        pki
    }

    fn serve_args(&self) -> Vec<&str> {
        vec![
            "--tls-cert",
            path_str(&self.cert),
            "--tls-key",
            path_str(&self.key),
        ]
    }
}

/// A node started with `extra`, not probed (the harness probes over
/// plain HTTP).
fn launch(log: &TestLog, extra: &[&str]) -> Node {
    let mut node = Node::launch(&log.data, extra);
    assert!(node.await_address(TIMEOUT), "{}", node.logs());
    node
}

#[test]
fn clients_use_tls_and_never_plaintext_to_https() {
    let log = TestLog::init();
    let pki = Pki::make(&log);
    let mut args = pki.serve_args();
    args.extend(["--http-listen", "127.0.0.1:0"]);
    let mut node = launch(&log, &args);
    let https = node.url.replace("http://", "https://");

    // With the CA: answered over TLS.
    let out = vledger(["checkpoint", "--node", &https, "--ca", path_str(&pki.ca)]).ok();
    assert!(out.stdout.starts_with(vledger_tests::ORIGIN), "{out}");
    assert!(!out.stderr.contains("warning"), "{out}");
    // Without it: the certificate is not trusted, and said so.
    let out = vledger(["checkpoint", "--node", &https]).fails();
    assert!(out.stderr.contains("not trusted"), "{out}");
    assert!(out.stderr.contains("--ca"), "{out}");
    // Plaintext to a TLS node gets nowhere.
    vledger(["checkpoint", "--node", &node.url]).fails();

    // The tile API over TLS, read with rustls.
    let tiles = node.http_url.clone().expect("tiles URL");
    let tiles = tiles.strip_prefix("https://").expect("https tile URL");
    let (status, body) = get_over_tls(tiles, "/checkpoint", &pki.ca_der);
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with(vledger_tests::ORIGIN), "{body}");
    // The CLI's tile client too: a proof, and a mirror.
    let tiles_url = node.http_url.clone().expect("tiles URL");
    let out = vledger([
        "prove",
        "--tiles",
        &tiles_url,
        "--index",
        "0",
        "--ca",
        path_str(&pki.ca),
    ])
    .ok();
    assert!(out.stdout.contains(vledger_tests::ORIGIN), "{out}");
    let mirror = log.path("mirror");
    vledger([
        "mirror",
        "--node",
        &tiles_url,
        "--dir",
        path_str(&mirror),
        "--log-key",
        &log.log_vkey,
        "--ca",
        path_str(&pki.ca),
    ])
    .ok();
    assert!(mirror.join("checkpoint").exists());
    let out = vledger(["prove", "--tiles", &tiles_url, "--index", "0"]).fails();
    assert!(
        out.stderr.contains("not trusted") || out.stderr.contains("UnknownIssuer"),
        "{out}"
    );
    node.stop();

    // https:// to a plaintext node: a precise error.
    let mut plain = Node::start(&log.data, &[]);
    let https = plain.url.replace("http://", "https://");
    let out = vledger(["checkpoint", "--node", &https, "--ca", path_str(&pki.ca)]).fails();
    assert!(out.stderr.contains("does not speak TLS"), "{out}");
    // Plaintext to a host that is not loopback (0.0.0.0 reaches this
    // machine on Linux): a warning first.
    let port = plain.url.rsplit(':').next().expect("port");
    let out = vledger(["checkpoint", "--node", &format!("http://0.0.0.0:{port}")]);
    assert!(out.stderr.contains("warning: http://0.0.0.0"), "{out}");
    plain.stop();

    // What an https:// client sends first is a TLS ClientHello, nothing
    // in plaintext.
    let server = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = server.local_addr().expect("addr");
    let catcher = std::thread::spawn(move || {
        let (mut conn, _) = server.accept().expect("accept");
        conn.set_read_timeout(Some(Duration::from_secs(2)))
            .expect("timeout");
        let mut seen = vec![0u8; 4096];
        let n = conn.read(&mut seen).unwrap_or(0);
        seen.truncate(n);
        // Answer in plaintext HTTP/2 (an empty SETTINGS frame), as a
        // plaintext node would.
        let _ = conn.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]);
        seen
    });
    let out = vledger(["checkpoint", "--node", &format!("https://{addr}")]).fails();
    let seen = catcher.join().expect("catcher");
    assert_eq!(seen.first(), Some(&0x16), "not a TLS handshake: {seen:?}");
    assert!(
        !seen.windows(3).any(|w| w == b"PRI"),
        "HTTP/2 preface sent in plaintext"
    );
    assert!(out.stderr.contains("does not speak TLS"), "{out}");
}

/// GET `path` from `authority` over TLS trusting `ca` only; the status and
/// the body.
fn get_over_tls(
    authority: &str,
    path: &str,
    ca: &rustls::pki_types::CertificateDer<'static>,
) -> (u16, String) {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.clone()).expect("CA");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("name");
    let conn = rustls::ClientConnection::new(Arc::new(config), name).expect("client");
    let sock = TcpStream::connect(authority).expect("connect");
    sock.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    let mut tls = rustls::StreamOwned::new(conn, sock);
    write!(
        tls,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    let _ = tls.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, body.to_owned())
}

#[test]
fn a_node_submits_to_an_https_witness() {
    let log = TestLog::init();
    let pki = Pki::make(&log);
    let w = Witness::init_and_start_with(
        &log.path("w"),
        "w.tls.test",
        &log.log_vkey,
        &pki.serve_args(),
    );
    assert!(w.url.starts_with("https://"), "{}", w.url);
    let node = Node::start(
        &log.data,
        &[
            "--witness",
            &w.serve_arg(),
            "--witness-ca",
            path_str(&pki.ca),
        ],
    );
    let out = vledger([
        "checkpoint",
        "--node",
        &node.url,
        "--cosigned",
        "--wait",
        "20",
    ])
    .ok();
    assert!(
        out.stdout.contains("\u{2014} w.tls.test "),
        "no cosignature of the witness: {out}\n{}",
        node.logs()
    );
}
