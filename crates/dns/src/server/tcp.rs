//! A container's TCP listener: DNS over TCP (RFC 7766), two length bytes before each message,
//! queries on one connection answered in turn. Connections are capped per container and closed
//! when idle, so a client holding sockets open cannot pile them up.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{Served, Shared};
use crate::respond::{self, respond, Outcome, Transport};
use crate::rng::Rng;
use crate::wire::header::rcode;

pub(super) async fn serve(listener: TcpListener, served: Arc<Served>, shared: Arc<Shared>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, say: wait a little instead of spinning.
                tracing::debug!(id = %served.id, error = %e, "DNS TCP accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = served.tcp_connections.clone().try_acquire_owned() else {
            continue; // over the cap: dropping the stream closes it
        };
        let served = served.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = connection(stream, &served, &shared) => {}
                _ = served.wait_stopped() => {}
            }
            drop(permit);
        });
    }
}

async fn connection(mut stream: TcpStream, served: &Served, shared: &Shared) {
    let idle = shared.limits.tcp_idle;
    let mut rng = Rng::from_entropy();
    let mut out = Vec::new();
    let mut request = Vec::new();
    loop {
        let mut len = [0u8; 2];
        if !matches!(
            tokio::time::timeout(idle, stream.read_exact(&mut len)).await,
            Ok(Ok(_))
        ) {
            return;
        }
        request.resize(usize::from(u16::from_be_bytes(len)), 0);
        if !matches!(
            tokio::time::timeout(idle, stream.read_exact(&mut request)).await,
            Ok(Ok(_))
        ) {
            return;
        }
        let forwarding = served.forwarding();
        let outcome = {
            let table = shared.table();
            let asker = table.asker(&served.id);
            respond(
                &table,
                asker,
                forwarding.policy,
                Transport::Tcp,
                &request,
                &mut rng,
                &mut out,
            )
        };
        let answer = match outcome {
            Outcome::Reply => std::mem::take(&mut out),
            // Not a query (a response, or shorter than a header): nothing sane follows.
            Outcome::Drop => return,
            Outcome::Forward(job) => match shared.forwarder.cached(&forwarding.upstreams, &job) {
                Some(answer) => answer,
                None => match served.take_slots(shared) {
                    Some(_slots) => {
                        shared
                            .forwarder
                            .forward(&forwarding.upstreams, &request, &job)
                            .await
                    }
                    None => {
                        respond::failure(&job, rcode::REFUSED, &mut out);
                        std::mem::take(&mut out)
                    }
                },
            },
        };
        let Ok(len) = u16::try_from(answer.len()) else {
            return;
        };
        let mut message = Vec::with_capacity(2 + answer.len());
        message.extend_from_slice(&len.to_be_bytes());
        message.extend_from_slice(&answer);
        out = answer;
        if !matches!(
            tokio::time::timeout(idle, stream.write_all(&message)).await,
            Ok(Ok(_))
        ) {
            return;
        }
    }
}
