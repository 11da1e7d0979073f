//! What the daemon tells the server per container ([`ForwardConfig`]) and the server-wide bounds
//! ([`Limits`]).

use std::net::SocketAddr;
use std::time::Duration;

/// How a container's queries for names that are not ours are handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardConfig {
    /// At most 3 are used, in order: the container's `--dns` servers, else the host's
    /// resolv.conf nameservers (loopback ones included: forwarding runs from the daemon's own
    /// network namespace, so the host's 127.0.0.53 is reachable, as Docker reaches it from the
    /// host namespace).
    pub upstreams: Vec<SocketAddr>,
    /// From `--dns-option ndots:N` (Docker's default 0). Above 0, an A/AAAA question for a
    /// dotless name that is not ours is not forwarded: NOERROR with no answer (moby), so the
    /// client goes on with its search domains.
    pub ndots: u32,
    /// False when every network of the container is `--internal`: never forward (SERVFAIL, as
    /// Docker answers when it has no usable upstream).
    pub forward: bool,
}

/// Upstreams used at most (Docker's maxExtDNS).
pub const MAX_UPSTREAMS: usize = 3;

impl ForwardConfig {
    pub(crate) fn upstreams(&self) -> &[SocketAddr] {
        &self.upstreams[..self.upstreams.len().min(MAX_UPSTREAMS)]
    }
}

/// Server-wide bounds. The defaults are Docker's where Docker has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Forwarded queries in flight per served container (Docker's maxConcurrent, 1024); past it
    /// a query is answered REFUSED at once (moby answers REFUSED when its semaphore is full).
    pub forward_in_flight: usize,
    /// Forwarded queries in flight over all containers: bounds memory however many containers
    /// are flooding a silent upstream.
    pub forward_in_flight_total: usize,
    /// Time one forwarded query may take, split evenly between the upstreams tried (4 s: one
    /// upstream gets Docker's 4 s; three get 1.33 s each, so the last one is still tried inside
    /// a client's usual 5 s timeout; aardvark-dns#248).
    pub forward_budget: Duration,
    /// TCP connections to upstreams open at once over all containers (truncation retries and
    /// TCP clients), bounding file descriptors.
    pub upstream_tcp_connections: usize,
    /// Client TCP connections per container; past it new ones are closed at once.
    pub tcp_connections: usize,
    /// A client TCP connection idle this long (no complete query) is closed (RFC 7766 §6.2.3).
    pub tcp_idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            forward_in_flight: 1024,
            forward_in_flight_total: 8192,
            forward_budget: Duration::from_secs(4),
            upstream_tcp_connections: 256,
            tcp_connections: 64,
            tcp_idle: Duration::from_secs(10),
        }
    }
}
