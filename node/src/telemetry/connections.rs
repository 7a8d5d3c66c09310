//! Each listener's connection metrics ([`crate::listen`]).

use metrics::{Counter, Gauge};

use super::{
    ACCEPT_ERRORS, CONNECTIONS_ACCEPTED, CONNECTIONS_CAP_WAITS, CONNECTIONS_DISPLACED,
    CONNECTIONS_MAX, CONNECTIONS_OPEN, handle,
};

/// The metrics of one listener.
#[derive(Debug, Clone)]
pub struct ListenerMetrics {
    /// [`CONNECTIONS_OPEN`].
    pub open: Gauge,
    /// [`CONNECTIONS_ACCEPTED`].
    pub accepted: Counter,
    /// [`CONNECTIONS_DISPLACED`].
    pub displaced: Counter,
    /// [`CONNECTIONS_CAP_WAITS`].
    pub cap_waits: Counter,
    /// [`ACCEPT_ERRORS`].
    pub accept_errors: Counter,
}

impl ListenerMetrics {
    /// The handles of the listener `listener` (`grpc`, `http`) with the
    /// cap `max`.
    #[must_use]
    pub fn new(listener: &'static str, max: usize) -> Self {
        handle();
        metrics::gauge!(CONNECTIONS_MAX, "listener" => listener).set(max as f64);
        let m = Self {
            open: metrics::gauge!(CONNECTIONS_OPEN, "listener" => listener),
            accepted: metrics::counter!(CONNECTIONS_ACCEPTED, "listener" => listener),
            displaced: metrics::counter!(CONNECTIONS_DISPLACED, "listener" => listener),
            cap_waits: metrics::counter!(CONNECTIONS_CAP_WAITS, "listener" => listener),
            accept_errors: metrics::counter!(ACCEPT_ERRORS, "listener" => listener),
        };
        m.open.set(0.0);
        m
    }
}
