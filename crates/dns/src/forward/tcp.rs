//! One query over TCP to an upstream: a connection per query (as Docker does), bounded by a
//! global number of upstream connections so file descriptors cannot run out.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

use super::answers_question;
use crate::respond::ForwardJob;
use crate::wire::header::{self, Header};

/// Sends `request` to `upstream` over TCP and reads one answer, all within `timeout`; `None` on
/// any failure, including no free connection slot.
pub(super) async fn exchange(
    slots: &Semaphore,
    upstream: SocketAddr,
    request: &[u8],
    job: &ForwardJob,
    timeout: Duration,
) -> Option<Vec<u8>> {
    let _slot = slots.try_acquire().ok()?;
    let len = u16::try_from(request.len()).ok()?;
    let id = rand::random::<u16>();
    let mut message = Vec::with_capacity(2 + request.len());
    message.extend_from_slice(&len.to_be_bytes());
    message.extend_from_slice(request);
    header::set_id(&mut message[2..], id);
    let answer = tokio::time::timeout(timeout, async {
        let mut stream = TcpStream::connect(upstream).await.ok()?;
        stream.write_all(&message).await.ok()?;
        let mut len = [0u8; 2];
        stream.read_exact(&mut len).await.ok()?;
        let mut answer = vec![0u8; usize::from(u16::from_be_bytes(len))];
        stream.read_exact(&mut answer).await.ok()?;
        Some(answer)
    })
    .await
    .ok()??;
    let h = Header::parse(&answer)?;
    (h.id == id && h.is_response() && answers_question(&answer, job)).then_some(answer)
}
