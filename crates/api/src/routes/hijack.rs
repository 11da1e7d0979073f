//! Hijacked connections for attach and exec: the response is `101 Switching Protocols`
//! (`Upgrade: tcp`), after which the connection carries the process's output — raw for a tty,
//! otherwise Docker's multiplexed frames (stream byte, three zeros, big-endian length) — and,
//! when stdin is attached, the client's input in the other direction.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use berth_runtime::{InputWriter, Output, OutputReader};
use hyper_util::rt::TokioIo;
use std::sync::mpsc::Receiver;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The 101 response that hands the connection over.
pub fn switching_protocols(tty: bool) -> Response {
    let mut res = Response::new(Body::empty());
    *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = res.headers_mut();
    h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    h.insert(header::UPGRADE, HeaderValue::from_static("tcp"));
    let ct = if tty {
        "application/vnd.docker.raw-stream"
    } else {
        "application/vnd.docker.multiplexed-stream"
    };
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    res
}

/// Waits for a value the engine hands over from a blocking thread, without holding a thread.
pub async fn await_std<T>(rx: Receiver<T>) -> Option<T> {
    loop {
        match rx.try_recv() {
            Ok(v) => return Some(v),
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return None,
        }
    }
}

fn frame(kind: u8, data: &[u8], tty: bool) -> Vec<u8> {
    if tty {
        return data.to_vec();
    }
    let mut out = Vec::with_capacity(data.len() + 8);
    out.extend_from_slice(&[kind, 0, 0, 0]);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(data);
    out
}

/// Relays between the upgraded connection and the process until the process ends (or, for
/// output, the client goes away). `on_exit` gets the exit code before the connection closes,
/// so a client that inspects right after the stream ends sees it.
pub async fn relay(
    upgraded: hyper::upgrade::Upgraded,
    mut output: OutputReader,
    input: InputWriter,
    tty: bool,
    stdin: bool,
    resizes: Option<Receiver<(u16, u16)>>,
    on_exit: Box<dyn FnOnce(Option<i32>) + Send>,
) {
    let io = TokioIo::new(upgraded);
    let (mut reader, mut writer) = tokio::io::split(io);
    let (out_tx, mut out_rx) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
    let (exit_tx, exit_rx) = tokio::sync::oneshot::channel::<Option<i32>>();
    tokio::task::spawn_blocking(move || {
        let mut code = None;
        loop {
            match output.recv() {
                Ok(Some(Output::Stdout(d))) => {
                    if out_tx.blocking_send(frame(1, &d, tty)).is_err() {
                        break;
                    }
                }
                Ok(Some(Output::Stderr(d))) => {
                    if out_tx.blocking_send(frame(2, &d, tty)).is_err() {
                        break;
                    }
                }
                Ok(Some(Output::Exit(e))) => {
                    code = Some(e.exit_code);
                    break;
                }
                Ok(None) | Err(_) => break,
            }
        }
        let _ = exit_tx.send(code);
    });
    // Input: the client's bytes go to the process's stdin; EOF closes it. Resizes of an exec
    // arrive through the engine and go the same way.
    let (in_tx, in_rx) = std::sync::mpsc::channel::<InputEvent>();
    let input_thread = tokio::task::spawn_blocking(move || pump_input(input, in_rx));
    if let Some(resizes) = resizes {
        let tx = in_tx.clone();
        tokio::task::spawn_blocking(move || {
            while let Ok((h, w)) = resizes.recv() {
                if tx.send(InputEvent::Resize(h, w)).is_err() {
                    break;
                }
            }
        });
    }
    let reading = tokio::spawn(async move {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => {
                    if stdin {
                        let _ = in_tx.send(InputEvent::Close);
                    }
                    break;
                }
                Ok(n) if stdin => {
                    if in_tx.send(InputEvent::Data(buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
            }
        }
    });
    while let Some(chunk) = out_rx.recv().await {
        if writer.write_all(&chunk).await.is_err() {
            break;
        }
        let _ = writer.flush().await;
    }
    on_exit(exit_rx.await.ok().flatten());
    let _ = writer.shutdown().await;
    reading.abort();
    drop(input_thread);
}

/// Ends an upgraded connection with an error text in the output stream, as dockerd does for
/// an exec whose command cannot run.
pub async fn fail_stream(upgraded: hyper::upgrade::Upgraded, message: &str, tty: bool) {
    let mut io = TokioIo::new(upgraded);
    let text = format!("{message}\r\n");
    let _ = io.write_all(&frame(1, text.as_bytes(), tty)).await;
    let _ = io.shutdown().await;
}

enum InputEvent {
    Data(Vec<u8>),
    Close,
    Resize(u16, u16),
}

fn pump_input(mut input: InputWriter, rx: std::sync::mpsc::Receiver<InputEvent>) {
    while let Ok(ev) = rx.recv() {
        let ok = match ev {
            InputEvent::Data(d) => input.write_stdin(&d).is_ok(),
            InputEvent::Close => {
                let _ = input.close_stdin();
                true
            }
            InputEvent::Resize(h, w) => input.resize(h, w).is_ok(),
        };
        if !ok {
            break;
        }
    }
}
