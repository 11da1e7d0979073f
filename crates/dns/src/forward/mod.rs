//! Relaying queries that are not ours to the container's upstreams, from the daemon's own
//! network namespace (the tokio workers live there), so the host's loopback resolvers are
//! reachable as Docker reaches them from the host namespace.
//!
//! The client's query is relayed as it came (EDNS and all) under an id of ours; the answer goes
//! back under the client's id. Upstreams are tried in order, each with an equal share of the
//! budget; SERVFAIL, REFUSED, silence and errors move on to the next (moby's failover), and
//! when none answers the client gets SERVFAIL. A UDP answer with TC set is fetched again over
//! TCP from the same upstream; a client over TCP is relayed over TCP.

mod cache;
mod tcp;
mod udp;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::Limits;
use crate::respond::{self, ForwardJob, Transport};
use crate::wire::header::{self, rcode, Header};
use crate::wire::query::question_key;
use crate::wire::truncate::truncate_answer;

pub(crate) use udp::UdpUpstream;

/// Shared by every served container: upstream sockets and the global bounds.
pub(crate) struct Forwarder {
    udp: Mutex<HashMap<SocketAddr, Arc<UdpUpstream>>>,
    total: Arc<Semaphore>,
    tcp: Arc<Semaphore>,
    budget: Duration,
    cache: cache::AnswerCache,
}

impl Forwarder {
    pub(crate) fn new(limits: &Limits) -> Forwarder {
        Forwarder {
            udp: Mutex::new(HashMap::new()),
            total: Arc::new(Semaphore::new(limits.forward_in_flight_total)),
            tcp: Arc::new(Semaphore::new(limits.upstream_tcp_connections)),
            budget: limits.forward_budget,
            cache: cache::AnswerCache::new(),
        }
    }

    /// A kept answer to `job` from these upstreams, made out for the client (see [`cache`]).
    pub(crate) fn cached(&self, upstreams: &[SocketAddr], job: &ForwardJob) -> Option<Vec<u8>> {
        let answer = self.cache.lookup(upstreams, job)?;
        Some(fit_for_client(answer, job))
    }

    /// A slot in the global in-flight bound, or `None` when it is full.
    pub(crate) fn try_slot(&self) -> Option<OwnedSemaphorePermit> {
        self.total.clone().try_acquire_owned().ok()
    }

    /// Relays `request` (the client's bytes, parsed into `job`) and returns the client's answer:
    /// the upstream's, cut to the records that fit (TC set) when it is too big for the client, or SERVFAIL.
    pub(crate) async fn forward(
        &self,
        upstreams: &[SocketAddr],
        request: &[u8],
        job: &ForwardJob,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        if upstreams.is_empty() {
            respond::failure(job, rcode::SERVFAIL, &mut out);
            return out;
        }
        let per_try = self.budget / upstreams.len() as u32;
        for &upstream in upstreams {
            let answer = match job.transport {
                Transport::Udp => self.udp_try(upstream, request, job, per_try).await,
                Transport::Tcp => tcp::exchange(&self.tcp, upstream, request, job, per_try).await,
            };
            let Some(mut answer) = answer else {
                continue;
            };
            let Some(h) = Header::parse(&answer) else {
                continue;
            };
            if matches!(h.rcode(), rcode::SERVFAIL | rcode::REFUSED) {
                continue;
            }
            self.cache.store(upstreams, job, &answer);
            header::set_id(&mut answer, job.query.header.id);
            return fit_for_client(answer, job);
        }
        respond::failure(job, rcode::SERVFAIL, &mut out);
        out
    }

    /// One try over UDP, retried over TCP when the answer comes back truncated.
    async fn udp_try(
        &self,
        upstream: SocketAddr,
        request: &[u8],
        job: &ForwardJob,
        timeout: Duration,
    ) -> Option<Vec<u8>> {
        let socket = self.udp_socket(upstream)?;
        let answer = socket.exchange(request, job, timeout).await?;
        if Header::parse(&answer)?.truncated() {
            return tcp::exchange(&self.tcp, upstream, request, job, timeout).await;
        }
        Some(answer)
    }

    /// The current socket towards `upstream`, replaced by a fresh one (a new random source
    /// port) every so many queries, as resolvers do against off-path spoofing; the old one lives
    /// on until its last answer is in.
    fn udp_socket(&self, upstream: SocketAddr) -> Option<Arc<UdpUpstream>> {
        let mut sockets = self.udp.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(current) = sockets.get(&upstream) {
            if current.take_turn() {
                return Some(current.clone());
            }
        }
        match UdpUpstream::open(upstream) {
            Ok(fresh) => {
                fresh.take_turn();
                sockets.insert(upstream, fresh.clone());
                Some(fresh)
            }
            Err(e) => {
                tracing::warn!(%upstream, error = %e, "cannot open a socket towards DNS upstream");
                None
            }
        }
    }
}

/// `answer` as the client can take it: cut to the records that fit (TC set) when it is bigger
/// than the client's limit.
fn fit_for_client(answer: Vec<u8>, job: &ForwardJob) -> Vec<u8> {
    if answer.len() <= job.client_limit {
        return answer;
    }
    truncate_answer(&answer, job.client_limit).unwrap_or_else(|| {
        let mut out = Vec::new();
        respond::truncated(job, &mut out);
        out
    })
}

/// Does `answer` answer the question of `job` (same name in any case, type and class)?
fn answers_question(answer: &[u8], job: &ForwardJob) -> bool {
    question_key(answer).is_some_and(|(name, qtype, qclass)| {
        name.text() == job.query.name.text()
            && qtype == job.query.qtype
            && qclass == job.query.qclass
    })
}
