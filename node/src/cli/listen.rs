//! The connection and TLS flags of `vledger serve` and `vledger witness
//! serve` (docs/operations.md, "Connections and limits").

use std::path::PathBuf;
use std::time::Duration;

use crate::listen::{DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_STREAMS, Limits, Listener, Protocol};

/// Connection limits and TLS of a server's listeners.
#[derive(Debug, Clone, clap::Args)]
pub struct ListenArgs {
    /// Most connections open at once, per listener. When reached, a new
    /// connection closes the oldest one that has sent nothing yet; when
    /// every open connection has spoken, new ones wait until one closes.
    /// Lowered at start to fit the open-files limit (`ulimit -n`).
    #[arg(long, env = "VLEDGER_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Time a new connection has to complete TLS and start its first
    /// request, e.g. `10s`, `500ms`, `1m`.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub handshake_timeout: Duration,
    /// Time a connection may stay without a request in flight (or with
    /// requests that move no byte) before it is closed.
    #[arg(long, default_value = "120s", value_parser = parse_duration)]
    pub idle_timeout: Duration,
    /// Most concurrent gRPC calls (HTTP/2 streams) per connection.
    #[arg(long, default_value_t = DEFAULT_MAX_STREAMS)]
    pub max_streams: u32,
    /// Serve TLS with this certificate chain (PEM) on every listener.
    #[arg(
        long,
        env = "VLEDGER_TLS_CERT",
        requires = "tls_key",
        value_name = "FILE"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(
        long,
        env = "VLEDGER_TLS_KEY",
        requires = "tls_cert",
        value_name = "FILE"
    )]
    pub tls_key: Option<PathBuf>,
}

impl ListenArgs {
    /// The limits, the connection cap fitted to the open-files limit
    /// shared by `listeners` listeners.
    #[must_use]
    pub fn limits(&self, listeners: usize) -> Limits {
        Limits {
            max_connections: self.max_connections.max(1),
            handshake_timeout: self.handshake_timeout,
            idle_timeout: self.idle_timeout,
            max_streams: self.max_streams.max(1),
        }
        .fitted_to_fd_limit(listeners)
    }

    /// `tcp` as a listener of `protocol`, with these limits and TLS.
    ///
    /// # Errors
    /// When the certificate or key cannot be read or do not fit.
    pub fn listener(
        &self,
        tcp: tokio::net::TcpListener,
        protocol: Protocol,
        limits: Limits,
    ) -> anyhow::Result<Listener> {
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(crate::tls::server_config(cert, key, protocol)?),
            _ => None,
        };
        Ok(Listener { tcp, limits, tls })
    }

    /// `https` with TLS, `http` without.
    #[must_use]
    pub fn scheme(&self) -> &'static str {
        if self.tls_cert.is_some() {
            "https"
        } else {
            "http"
        }
    }
}

/// Parses `10s`, `500ms`, `2m`, `1h`, or a number of seconds.
///
/// # Errors
/// When the text is none of these.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (e.g. 10s, 500ms, 2m)"))?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {text:?} (use ms, s, m or h)"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("{text:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5 fortnights").is_err());
        assert!(parse_duration("-1s").is_err());
    }
}
