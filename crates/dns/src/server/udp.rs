//! A container's UDP loop: wait until datagrams are queued, then read, answer and send them a
//! batch at a time with no await in between. Forwarded queries leave the loop as tasks of
//! their own, so a slow upstream never holds up local answers.

use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::io::Interest;
use tokio::net::UdpSocket;

use super::batch::with_batch;
use super::{ForwardSlots, Forwarding, Served, Shared};
use crate::respond::{self, respond, ForwardJob, Outcome, Transport};
use crate::wire::build;
use crate::wire::header::{rcode, Header};

struct Relay {
    job: Box<ForwardJob>,
    upstreams: Arc<Forwarding>,
    request: Vec<u8>,
    peer: SocketAddr,
    slots: ForwardSlots,
}

pub(super) async fn serve(socket: UdpSocket, served: Arc<Served>, shared: Arc<Shared>) {
    let socket = Arc::new(socket);
    let fd = socket.as_raw_fd();
    let mut relays: Vec<Relay> = Vec::new();
    loop {
        if socket.readable().await.is_err() {
            return;
        }
        loop {
            let table = shared.table();
            let asker = table.asker(&served.id);
            let forwarding = served.forwarding();
            let read = with_batch(|batch| {
                // Spinning on an empty socket before sleeping was tried: on a busy 2-CPU box it
                // steals the client's CPU and lowers throughput.
                let n = socket.try_io(Interest::READABLE, || batch.recv(fd))?;
                for i in 0..n {
                    let peer = batch.peer(i);
                    let (request, cut, out, rng) = batch.slot(i);
                    let send = if cut {
                        // Longer than we read: the question may be whole, the rest is not.
                        match Header::parse(request).filter(|h| !h.is_response()) {
                            Some(h) => {
                                build::header_only(out, &h, rcode::FORMERR);
                                true
                            }
                            None => false,
                        }
                    } else {
                        match respond(
                            &table,
                            asker,
                            forwarding.policy,
                            Transport::Udp,
                            request,
                            rng,
                            out,
                        ) {
                            Outcome::Reply => true,
                            Outcome::Drop => false,
                            Outcome::Forward(job) => {
                                match shared.forwarder.cached(&forwarding.upstreams, &job) {
                                    Some(answer) => {
                                        *out = answer;
                                        true
                                    }
                                    None => match (served.take_slots(&shared), peer) {
                                        (Some(slots), Some(peer)) => {
                                            relays.push(Relay {
                                                job,
                                                upstreams: forwarding.clone(),
                                                request: request.to_vec(),
                                                peer,
                                                slots,
                                            });
                                            false
                                        }
                                        (None, _) => {
                                            respond::failure(&job, rcode::REFUSED, out);
                                            true
                                        }
                                        (Some(_), None) => false,
                                    },
                                }
                            }
                        }
                    };
                    if send {
                        batch.set_reply(i);
                    }
                }
                batch.send(fd);
                Ok::<usize, io::Error>(n)
            });
            drop(table);
            for relay in relays.drain(..) {
                spawn_relay(relay, Arc::downgrade(&socket), &served, &shared);
            }
            match read {
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    // Readiness is kept on other errors: pause rather than spin.
                    tracing::debug!(id = %served.id, error = %e, "DNS UDP read failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    break;
                }
            }
        }
    }
}

/// Forwards one query in a task of its own and sends the answer from the container's socket,
/// unless serving stopped meanwhile (the task holds the socket only weakly, so stopping closes
/// it at once).
fn spawn_relay(relay: Relay, socket: Weak<UdpSocket>, served: &Arc<Served>, shared: &Arc<Shared>) {
    let served = served.clone();
    let shared = shared.clone();
    tokio::spawn(async move {
        let answer = tokio::select! {
            answer = shared.forwarder.forward(&relay.upstreams.upstreams, &relay.request, &relay.job) => answer,
            _ = served.wait_stopped() => return,
        };
        if let Some(socket) = socket.upgrade() {
            let _ = socket.send_to(&answer, relay.peer).await;
        }
        drop(relay.slots);
    });
}
