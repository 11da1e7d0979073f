//! One UDP socket towards one upstream, shared by many queries in flight: each goes out under a
//! random id of ours and a reader task hands every answer to the query with that id, after
//! checking it answers the same question. File descriptors thus stay constant however many
//! queries wait on a silent upstream; what grows is a map entry per query, bounded by the
//! in-flight limits.

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::oneshot;

use crate::respond::ForwardJob;
use crate::wire::header::{self, Header};

/// Queries sent through one socket before it is replaced by one on a new random port.
const QUERIES_PER_SOCKET: u32 = 64;
/// Reader wake-up to notice that the socket has been retired and drained.
const IDLE_CHECK: Duration = Duration::from_secs(1);
/// Largest UDP answer we take from an upstream: what we advertise to clients. A longer one is
/// cut by the kernel; we mark it truncated, so it is fetched again over TCP. (A 64 KiB buffer
/// per socket, zeroed anew at every rotation, cost more than the rest of forwarding.)
const MAX_ANSWER: usize = crate::wire::build::OUR_EDNS_SIZE as usize;

pub(crate) struct UdpUpstream {
    socket: UdpSocket,
    pending: Mutex<HashMap<u16, Pending>>,
    turns: AtomicU32,
}

struct Pending {
    job_question: (Box<[u8]>, u16, u16),
    reply: oneshot::Sender<Vec<u8>>,
}

impl UdpUpstream {
    /// A socket in the calling thread's namespace (a tokio worker: the daemon's), connected to
    /// `upstream` so the kernel drops datagrams from anyone else, with its reader task.
    pub(crate) fn open(upstream: SocketAddr) -> io::Result<Arc<UdpUpstream>> {
        let local: SocketAddr = match upstream {
            SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let std_socket = std::net::UdpSocket::bind(local)?;
        std_socket.connect(upstream)?;
        std_socket.set_nonblocking(true)?;
        let socket = UdpSocket::from_std(std_socket)?;
        let this = Arc::new(UdpUpstream {
            socket,
            pending: Mutex::new(HashMap::new()),
            turns: AtomicU32::new(0),
        });
        tokio::spawn(read_answers(this.clone()));
        Ok(this)
    }

    /// Counts one query against this socket's quota; false when the quota is used up.
    pub(crate) fn take_turn(&self) -> bool {
        self.turns.fetch_add(1, Ordering::Relaxed) < QUERIES_PER_SOCKET
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<u16, Pending>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends `request` under a fresh id and waits up to `timeout` for the answer.
    pub(crate) async fn exchange(
        &self,
        request: &[u8],
        job: &ForwardJob,
        timeout: Duration,
    ) -> Option<Vec<u8>> {
        let (id, answer) = self.register(job)?;
        let _forget = Forget { upstream: self, id };
        let mut message = request.to_vec();
        header::set_id(&mut message, id);
        self.socket.send(&message).await.ok()?;
        tokio::time::timeout(timeout, answer).await.ok()?.ok()
    }

    fn register(&self, job: &ForwardJob) -> Option<(u16, oneshot::Receiver<Vec<u8>>)> {
        let mut pending = self.pending();
        // Ids are drawn from a cryptographic generator; a few draws find a free one, since at
        // most the in-flight bound of 65536 ids is taken.
        let id = (0..16)
            .map(|_| rand::random::<u16>())
            .find(|id| !pending.contains_key(id))?;
        let (reply, answer) = oneshot::channel();
        let q = &job.query;
        pending.insert(
            id,
            Pending {
                job_question: (q.name.text().into(), q.qtype, q.qclass),
                reply,
            },
        );
        Some((id, answer))
    }

    /// Hands `answer` to the query waiting for its id, if it answers that query's question.
    fn deliver(&self, answer: &[u8]) {
        let Some(h) = Header::parse(answer) else {
            return;
        };
        if !h.is_response() {
            return;
        }
        let mut pending = self.pending();
        let Some(waiting) = pending.get(&h.id) else {
            return;
        };
        let (name, qtype, qclass) = &waiting.job_question;
        let matches = crate::wire::query::question_key(answer)
            .is_some_and(|(n, t, c)| n.text() == &**name && t == *qtype && c == *qclass);
        if !matches {
            return; // spoofed or stray: keep waiting for the real one
        }
        if let Some(waiting) = pending.remove(&h.id) {
            let _ = waiting.reply.send(answer.to_vec());
        }
    }
}

/// Removes a query's id from the map however its wait ends (answer, timeout, cancellation).
struct Forget<'a> {
    upstream: &'a UdpUpstream,
    id: u16,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.upstream.pending().remove(&self.id);
    }
}

/// Reads answers until the socket is retired (only this task still holds it).
async fn read_answers(upstream: Arc<UdpUpstream>) {
    let mut buf = vec![0u8; MAX_ANSWER + 1];
    loop {
        match tokio::time::timeout(IDLE_CHECK, upstream.socket.recv(&mut buf)).await {
            Ok(Ok(n)) if n > MAX_ANSWER => {
                header::set_truncated(&mut buf);
                upstream.deliver(&buf[..MAX_ANSWER]);
            }
            Ok(Ok(n)) => upstream.deliver(&buf[..n]),
            // ICMP port unreachable: nothing listens there; let every waiter move on now
            // rather than at its timeout.
            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => {
                upstream.pending().clear();
            }
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "DNS upstream socket read failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(_) => {}
        }
        if Arc::strong_count(&upstream) == 1 {
            return;
        }
    }
}
