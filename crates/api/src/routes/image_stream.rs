//! Bridges between axum bodies and the image store's blocking `Read`/`Write` interfaces, so
//! a 100 MB tarball flows through in chunks instead of being held in memory.

use axum::body::{Body, Bytes};
use futures::StreamExt;
use std::io::{self, Read, Write};
use tokio::sync::mpsc;

/// Chunks in flight between the async side and the blocking side.
const DEPTH: usize = 8;

/// A blocking reader over a request body; use it on the blocking pool only.
pub struct BodyReader {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl BodyReader {
    /// Starts a task that feeds the body's chunks to the reader.
    pub fn new(body: Body) -> BodyReader {
        let (tx, rx) = mpsc::channel(DEPTH);
        tokio::spawn(async move {
            let mut stream = body.into_data_stream();
            while let Some(chunk) = stream.next().await {
                let item =
                    chunk.map_err(|e| io::Error::other(format!("reading the request body: {e}")));
                let failed = item.is_err();
                if tx.send(item).await.is_err() || failed {
                    break;
                }
            }
        });
        BodyReader {
            rx,
            current: Bytes::new(),
        }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(b)) => self.current = b,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// A blocking writer whose output becomes a streamed response body.
pub struct BodyWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

const CHUNK: usize = 256 * 1024;

impl BodyWriter {
    pub fn new() -> (BodyWriter, Body) {
        let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(DEPTH);
        let stream = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        (
            BodyWriter {
                tx,
                buf: Vec::with_capacity(CHUNK),
            },
            Body::from_stream(stream),
        )
    }

    /// Ends the body with an error, so the client sees a broken transfer, not a short one.
    pub fn fail(self, e: String) {
        let _ = self.tx.blocking_send(Err(io::Error::other(e)));
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for BodyWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}
