//! TLS (rustls, with the ring provider) for the node's and the witness's
//! listeners and for every client: the CLIs' gRPC channel, the node's
//! witness client and the tile client.
//!
//! Clients trust the operating system's roots and Mozilla's
//! (`webpki-roots`, compiled in) plus any CA given with `--ca FILE`; they never send plaintext to an `https://`
//! URL, and warn on stderr before sending plaintext to an `http://` URL
//! whose host is not a loopback address.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use hyper_util::client::legacy::connect::HttpConnector;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::listen::Protocol;

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The certificates of a PEM file, in order.
///
/// # Errors
/// When the file cannot be read or holds no certificate.
pub fn read_certs(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .with_context(|| format!("cannot read certificates from {}", path.display()))?;
    if certs.is_empty() {
        bail!("{} holds no PEM certificate", path.display());
    }
    Ok(certs)
}

/// The TLS configuration of a listener: the certificate chain in `cert`
/// and its private key in `key` (PEM), offering the ALPN of `protocol`.
///
/// # Errors
/// When a file cannot be read, or the key does not fit the certificate.
pub fn server_config(
    cert: &Path,
    key: &Path,
    protocol: Protocol,
) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let certs = read_certs(cert)?;
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("cannot read a PEM private key from {}", key.display()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the TLS key does not fit the certificate")?;
    config.alpn_protocols = match protocol {
        Protocol::Grpc => vec![b"h2".to_vec()],
        Protocol::Http1 => vec![b"http/1.1".to_vec()],
    };
    Ok(Arc::new(config))
}

/// The TLS configuration of a client: the operating system's trusted
/// roots and Mozilla's, plus the certificates in `ca` (PEM) if given.
///
/// # Errors
/// When `ca` cannot be read or holds no usable certificate.
pub fn client_config(ca: Option<&Path>) -> anyhow::Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    // The system's store, where an organisation installs its own CA; a
    // certificate it cannot parse is skipped, as is a missing store (a
    // minimal container), where Mozilla's roots still apply.
    let system = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(system.certs);
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(ca) = ca {
        for cert in read_certs(ca)? {
            roots
                .add(cert)
                .with_context(|| format!("{} holds an unusable CA certificate", ca.display()))?;
        }
    }
    Ok(rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// An HTTP/1.1 connector for `http://` and `https://` URLs (TLS with
/// [`client_config`]).
///
/// # Errors
/// When `ca` cannot be read.
pub fn https_connector(
    ca: Option<&Path>,
    connect_timeout: std::time::Duration,
) -> anyhow::Result<hyper_rustls::HttpsConnector<HttpConnector>> {
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    http.set_connect_timeout(Some(connect_timeout));
    http.enforce_http(false);
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(client_config(ca)?)
        .https_or_http()
        .enable_http1()
        .wrap_connector(http))
}

/// Whether `url` is `https://`; refuses other schemes than `http` and
/// `https`, and warns on stderr when it is plaintext to a host that is not
/// a loopback address.
///
/// # Errors
/// When the URL has no scheme this client speaks.
pub fn check_url(url: &str) -> anyhow::Result<bool> {
    let (scheme, rest) = url.split_once("://").with_context(|| {
        format!("{url:?} is not a URL (expected http://HOST:PORT or https://HOST:PORT)")
    })?;
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(true),
        "http" => {
            if let Some(warning) = plaintext_warning(url, rest) {
                eprintln!("{warning}");
            }
            Ok(false)
        }
        _ => bail!("{url:?}: only http:// and https:// URLs are supported"),
    }
}

/// The warning to print before sending plaintext to `url` (whose part
/// after `http://` is `rest`), or `None` for a loopback host.
#[must_use]
pub fn plaintext_warning(url: &str, rest: &str) -> Option<String> {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    (!loopback).then(|| {
        format!(
            "warning: {url} is plain HTTP to a host that is not this machine: what is sent \
             and received can be read and changed on the way (use https://)"
        )
    })
}

/// A gRPC endpoint for `url`: TLS for `https://` (roots as in
/// [`client_config`], plus `ca`), plaintext for `http://` (with the
/// warning of [`check_url`]; `ca` is then unused).
///
/// # Errors
/// When the URL or `ca` is unusable.
pub fn grpc_endpoint(url: &str, ca: Option<&Path>) -> anyhow::Result<tonic::transport::Endpoint> {
    let https = check_url(url)?;
    let endpoint = tonic::transport::Endpoint::from_shared(url.to_owned())
        .with_context(|| format!("{url:?} is not a valid URL"))?;
    if !https {
        return Ok(endpoint);
    }
    let mut tls = tonic::transport::ClientTlsConfig::new()
        .with_native_roots()
        .with_webpki_roots();
    if let Some(ca) = ca {
        read_certs(ca)?;
        let pem = std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?;
        tls = tls.ca_certificate(tonic::transport::Certificate::from_pem(pem));
    }
    endpoint
        .tls_config(tls)
        .with_context(|| format!("cannot set up TLS for {url}"))
}

/// Says in one line why a connection to the node at `url` failed, naming
/// TLS failures precisely (a plaintext server behind an `https://` URL, an
/// untrusted certificate) and, when nothing listens there, asking whether
/// `vledger serve` runs at that address.
#[must_use]
pub fn explain(url: &str, e: &(dyn std::error::Error + 'static)) -> String {
    // Each layer (tonic, hyper, the socket) repeats its cause's words in
    // its own message: say every clause once.
    let mut clauses: Vec<String> = Vec::new();
    let mut refused = false;
    let mut next = Some(e);
    while let Some(err) = next {
        refused |= err
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
        let text = err.to_string();
        if !clauses.iter().any(|c| c.contains(&text)) {
            clauses.retain(|c| !text.contains(c.as_str()));
            clauses.push(text);
        }
        next = err.source();
    }
    let chain = clauses.join(": ");
    if chain.contains("InvalidContentType") || chain.contains("corrupt message") {
        format!(
            "{url} does not speak TLS (it answered in plaintext; nothing was sent in \
             plaintext): use http:// if the server has no certificate ({chain})"
        )
    } else if chain.contains("invalid peer certificate") || chain.contains("UnknownIssuer") {
        format!(
            "the TLS certificate of {url} is not trusted ({chain}); give the CA that \
             signed it with --ca FILE"
        )
    } else if refused || chain.contains("Connection refused") {
        format!(
            "cannot reach the node at {url}: connection refused; is `vledger serve` \
             running at {}?",
            authority(url)
        )
    } else {
        format!("cannot reach the node at {url}: {chain}")
    }
}

/// The `HOST:PORT` of a URL (the URL itself when it has no scheme).
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// Says in one line what a gRPC call to `url` failed with: its code and
/// message, or, when an HTTP server that is no gRPC server answered (the
/// tile API of `--http-listen`, a witness), that the address is the wrong
/// one.
#[must_use]
pub fn explain_status(url: &str, e: &tonic::Status) -> String {
    let wrong_port = |answer: &str| {
        format!(
            "{url} answers HTTP ({answer}), not gRPC: it is not a node's gRPC address (a tile \
             API or a witness?); `vledger serve` takes gRPC at {} unless --listen says otherwise",
            crate::cli::DEFAULT_LISTEN
        )
    };
    if let Some(code) = e
        .message()
        .strip_prefix("grpc-status header missing, mapped from HTTP status code ")
    {
        return wrong_port(&format!("status {code}"));
    }
    // An HTTP/1.1 server drops the connection on gRPC's HTTP/2 preface:
    // ask it in its own protocol whether it is one.
    if e.code() == tonic::Code::Unknown
        && let Some(status_line) = http1_status_line(url)
    {
        return wrong_port(&status_line);
    }
    let mut clauses = vec![format!("{:?}: {}", e.code(), e.message())];
    let mut next = std::error::Error::source(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !clauses.iter().any(|c| c.contains(&text)) {
            clauses.push(text);
        }
        next = err.source();
    }
    clauses.join(": ")
}

/// The status line an `http://` URL answers a plain HTTP/1.1 request
/// with (`HTTP/1.1 404 Not Found`), if it answers one within a second.
fn http1_status_line(url: &str) -> Option<String> {
    use std::io::{Read as _, Write as _};
    let rest = url.strip_prefix("http://")?;
    let authority = authority(rest);
    let timeout = std::time::Duration::from_secs(1);
    let addr = std::net::ToSocketAddrs::to_socket_addrs(authority)
        .ok()?
        .next()?;
    let mut tcp = std::net::TcpStream::connect_timeout(&addr, timeout).ok()?;
    tcp.set_read_timeout(Some(timeout)).ok()?;
    tcp.set_write_timeout(Some(timeout)).ok()?;
    let request = format!("GET / HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).ok()?;
    let mut head = [0; 256];
    let n = tcp.read(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head[..n]);
    let line = text.lines().next()?.trim();
    line.starts_with("HTTP/1.").then(|| line.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plaintext_warns_off_loopback_only() {
        for quiet in [
            "127.0.0.1:6962",
            "127.8.9.1",
            "localhost:80/x",
            "LOCALHOST",
            "[::1]:6962",
            "user@127.0.0.1:1",
        ] {
            assert_eq!(plaintext_warning("u", quiet), None, "{quiet}");
        }
        for loud in [
            "10.0.0.1:6962",
            "ledger.example.com:6962",
            "[2001:db8::1]:6962",
            "localhost.example.org",
            "0.0.0.0:1",
        ] {
            assert!(
                plaintext_warning("u", loud).is_some_and(|w| w.starts_with("warning: u is plain")),
                "{loud}"
            );
        }
        assert!(check_url("ftp://x").is_err());
        assert!(check_url("nowhere").is_err());
        assert!(check_url("https://x").unwrap());
        assert!(!check_url("http://127.0.0.1:1").unwrap());
    }

    #[test]
    fn connection_errors_say_each_clause_once() {
        #[derive(Debug)]
        struct Layer(&'static str, Option<Box<Layer>>);
        impl std::fmt::Display for Layer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Layer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1.as_deref().map(|l| l as _)
            }
        }
        let e = Layer(
            "transport error",
            Some(Box::new(Layer(
                "tcp connect error",
                Some(Box::new(Layer("tcp connect error: No route to host", None))),
            ))),
        );
        assert_eq!(
            explain("http://10.0.0.1:6962", &e),
            "cannot reach the node at http://10.0.0.1:6962: transport error: tcp connect \
             error: No route to host"
        );
        let status = tonic::Status::unimplemented(
            "grpc-status header missing, mapped from HTTP status code 404",
        );
        assert!(
            explain_status("http://127.0.0.1:8080", &status)
                .starts_with("http://127.0.0.1:8080 answers HTTP (status 404), not gRPC")
        );
        assert_eq!(authority("http://127.0.0.1:1/x"), "127.0.0.1:1");
    }
}
