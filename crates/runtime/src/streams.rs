//! The byte streams of an attach or an exec: frames from the monitor decoded into
//! [`Output`], and stdin / stdin-close / resize frames sent to it (see [`crate::protocol`]).

use std::io::{BufReader, Read, Write};
use std::os::unix::net::UnixStream;

use crate::protocol::{self, ExitStatus};
use crate::RuntimeError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachOptions {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
}

/// A chunk from an attached process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    /// The process ended; nothing follows.
    Exit(ExitStatus),
}

/// The receiving half of an attach or exec stream.
pub struct OutputReader {
    pub(crate) reader: BufReader<UnixStream>,
}

impl OutputReader {
    /// The next chunk; `None` when the monitor closed the stream without an exit (it died).
    pub fn recv(&mut self) -> std::io::Result<Option<Output>> {
        let mut head = [0u8; 5];
        match self.reader.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
        if len > protocol::MAX_FRAME {
            return Err(std::io::Error::other("oversized frame from the monitor"));
        }
        let mut data = vec![0u8; len];
        self.reader.read_exact(&mut data)?;
        Ok(Some(match head[0] {
            protocol::STDERR => Output::Stderr(data),
            protocol::EXIT => {
                Output::Exit(serde_json::from_slice(&data).map_err(std::io::Error::other)?)
            }
            _ => Output::Stdout(data),
        }))
    }
}

/// The sending half: stdin, stdin close, pty resize.
pub struct InputWriter {
    pub(crate) stream: UnixStream,
}

impl InputWriter {
    pub fn write_stdin(&mut self, data: &[u8]) -> std::io::Result<()> {
        for chunk in data.chunks(64 * 1024) {
            self.stream
                .write_all(&protocol::encode_frame(protocol::STDIN, chunk))?;
        }
        Ok(())
    }

    /// Closes the process's stdin (not for a tty).
    pub fn close_stdin(&mut self) -> std::io::Result<()> {
        self.stream
            .write_all(&protocol::encode_frame(protocol::STDIN_CLOSE, &[]))
    }

    pub fn resize(&mut self, height: u16, width: u16) -> std::io::Result<()> {
        let mut p = height.to_be_bytes().to_vec();
        p.extend_from_slice(&width.to_be_bytes());
        self.stream
            .write_all(&protocol::encode_frame(protocol::RESIZE, &p))
    }

    /// The raw socket, for callers that want to drive the framing themselves (e.g. async).
    pub fn into_stream(self) -> UnixStream {
        self.stream
    }
}

/// A live attach to a container's init.
pub struct Attachment {
    pub output: OutputReader,
    pub input: InputWriter,
}

/// A running exec: its pid and its stdio; the last [`Output`] is its exit.
pub struct ExecHandle {
    pub pid: i32,
    pub output: OutputReader,
    pub input: InputWriter,
}

impl ExecHandle {
    /// Reads everything to the end: (stdout, stderr, exit code). For detached execs and tests.
    pub fn collect(mut self) -> Result<(Vec<u8>, Vec<u8>, i32), RuntimeError> {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        loop {
            match self.output.recv() {
                Ok(Some(Output::Stdout(d))) => out.extend(d),
                Ok(Some(Output::Stderr(d))) => err.extend(d),
                Ok(Some(Output::Exit(e))) => return Ok((out, err, e.exit_code)),
                Ok(None) => {
                    return Err(RuntimeError::Monitor(
                        "exec stream closed without an exit".into(),
                    ))
                }
                Err(e) => return Err(RuntimeError::Monitor(format!("exec stream: {e}"))),
            }
        }
    }
}
