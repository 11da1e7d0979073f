//! The attach/exec/logs streams: Docker's multiplexed framing (8-byte header: stream type,
//! three zero bytes, big-endian payload length) when there is no TTY, raw bytes with one;
//! and the copying between the local stdio and a hijacked connection.

use std::io::{self, BufReader, Read, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::sync::mpsc;

/// Splits a multiplexed stream onto stdout and stderr (docker's `stdcopy.StdCopy`).
pub fn demux(r: &mut dyn Read, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
    let mut header = [0u8; 8];
    let mut frame = Vec::new();
    loop {
        let mut got = 0;
        while got < 8 {
            match r.read(&mut header[got..]) {
                Ok(0) if got == 0 => return Ok(()),
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let len = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
        frame.resize(len, 0);
        r.read_exact(&mut frame)?;
        match header[0] {
            0 | 1 => {
                out.write_all(&frame)?;
                out.flush()?;
            }
            2 => {
                err.write_all(&frame)?;
                err.flush()?;
            }
            3 => {
                return Err(io::Error::other(format!(
                    "error from daemon in stream: {}",
                    String::from_utf8_lossy(&frame)
                )))
            }
            n => return Err(io::Error::other(format!("Unrecognized input header: {n}"))),
        }
    }
}

/// Copies a raw (TTY) stream to stdout, flushing every read so a shell stays interactive.
pub fn copy_raw(r: &mut dyn Read, out: &mut dyn Write) -> io::Result<()> {
    let mut buf = [0u8; 32 * 1024];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.write_all(&buf[..n])?;
        out.flush()?;
    }
}

/// docker's detach keys (`ctrl-p,ctrl-q` by default; `term.ToBytes` syntax).
pub fn detach_keys(spec: Option<&str>) -> Vec<u8> {
    let default = vec![16, 17];
    let Some(spec) = spec.filter(|s| !s.is_empty()) else {
        return default;
    };
    let mut out = Vec::new();
    for key in spec.split(',') {
        let k = key.to_lowercase();
        let b = if key.len() == 1 {
            key.as_bytes()[0]
        } else if let Some(c) = k.strip_prefix("ctrl-").filter(|c| c.len() == 1) {
            match c.as_bytes()[0] {
                c @ b'a'..=b'z' => c - b'a' + 1,
                b'@' => 0,
                b'[' => 27,
                b'\\' => 28,
                b']' => 29,
                b'^' => 30,
                b'_' => 31,
                _ => return default,
            }
        } else {
            return default;
        };
        out.push(b);
    }
    out
}

pub struct Streams {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub tty: bool,
    pub detach_keys: Vec<u8>,
}

#[derive(Debug, PartialEq)]
pub enum End {
    /// The container's output ended (it exited, or the daemon closed the stream).
    Output,
    /// The user typed the detach sequence.
    Detached,
}

enum Event {
    OutputDone(io::Result<()>),
    InputDone,
    Detached,
}

/// Copies stdin to the connection and the connection to stdout/stderr until the output
/// ends or the user detaches (docker's `hijackedIOStreamer`). With no stdin, the write
/// side is shut at once, as docker does.
pub fn pump(reader: BufReader<UnixStream>, writer: UnixStream, s: &Streams) -> io::Result<End> {
    let (tx, rx) = mpsc::channel();
    let output = s.stdout || s.stderr;
    if output {
        let tx = tx.clone();
        let tty = s.tty;
        let mut reader = reader;
        std::thread::spawn(move || {
            let mut out = io::stdout();
            let r = if tty {
                copy_raw(&mut reader, &mut out)
            } else {
                demux(&mut reader, &mut out, &mut io::stderr())
            };
            let _ = tx.send(Event::OutputDone(r));
        });
    }
    if s.stdin {
        let keys = if s.tty {
            s.detach_keys.clone()
        } else {
            Vec::new()
        };
        let mut writer = writer;
        std::thread::spawn(move || {
            let detached = copy_input(&mut writer, &keys);
            let _ = writer.shutdown(Shutdown::Write);
            let _ = tx.send(if detached {
                Event::Detached
            } else {
                Event::InputDone
            });
        });
    } else {
        let _ = writer.shutdown(Shutdown::Write);
        drop(tx);
    }
    loop {
        match rx.recv() {
            Ok(Event::OutputDone(r)) => return r.map(|_| End::Output),
            Ok(Event::Detached) => return Ok(End::Detached),
            Ok(Event::InputDone) if output => continue,
            Ok(Event::InputDone) | Err(_) => return Ok(End::Output),
        }
    }
}

/// stdin to the container; true when the detach sequence was typed (it is not sent).
fn copy_input(w: &mut UnixStream, keys: &[u8]) -> bool {
    let mut stdin = io::stdin().lock();
    let mut buf = [0u8; 4096];
    let mut matched = 0usize;
    loop {
        let n = match stdin.read(&mut buf) {
            Ok(0) => return false,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        let mut send = Vec::with_capacity(n);
        for &b in &buf[..n] {
            if !keys.is_empty() && b == keys[matched] {
                matched += 1;
                if matched == keys.len() {
                    return true;
                }
                continue;
            }
            // A partial sequence that did not complete is passed on.
            send.extend_from_slice(&keys[..matched]);
            matched = 0;
            send.push(b);
        }
        if w.write_all(&send).is_err() {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, data: &[u8]) -> Vec<u8> {
        let mut f = vec![kind, 0, 0, 0];
        f.extend_from_slice(&(data.len() as u32).to_be_bytes());
        f.extend_from_slice(data);
        f
    }

    #[test]
    fn demultiplexes_stdout_and_stderr() {
        let mut input = frame(1, b"out\n");
        input.extend(frame(2, b"err\n"));
        input.extend(frame(1, b""));
        input.extend(frame(1, b"more"));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        demux(&mut input.as_slice(), &mut out, &mut err).unwrap();
        assert_eq!(out, b"out\nmore");
        assert_eq!(err, b"err\n");
    }

    #[test]
    fn demux_errors() {
        let input = frame(3, b"boom");
        let e = demux(&mut input.as_slice(), &mut Vec::new(), &mut Vec::new()).unwrap_err();
        assert_eq!(e.to_string(), "error from daemon in stream: boom");
        let input = frame(7, b"x");
        let e = demux(&mut input.as_slice(), &mut Vec::new(), &mut Vec::new()).unwrap_err();
        assert_eq!(e.to_string(), "Unrecognized input header: 7");
        let truncated = &frame(1, b"abc")[..5];
        assert!(demux(&mut &truncated[..], &mut Vec::new(), &mut Vec::new()).is_err());
    }

    #[test]
    fn detach_key_specs() {
        assert_eq!(detach_keys(None), vec![16, 17]);
        assert_eq!(detach_keys(Some("ctrl-a,x")), vec![1, b'x']);
        assert_eq!(detach_keys(Some("ctrl-[")), vec![27]);
        assert_eq!(detach_keys(Some("bogus")), vec![16, 17]);
    }
}
