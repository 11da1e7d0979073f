//! A minimal blocking HTTP/1.1 client over a unix socket: one connection per request, a
//! parsed head, and a body read by Content-Length, chunked encoding or EOF. The head and the
//! body are read separately so a later `Connection: Upgrade` (attach/exec) can take over the
//! stream after a 101 head.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;

pub struct Head {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Response {
    pub head: Head,
    pub body: Vec<u8>,
}

/// An open connection with a request sent and its response head read.
pub struct Conn {
    reader: BufReader<UnixStream>,
}

impl Conn {
    /// Connects and sends one request (`Connection: close`), then reads the response head.
    pub fn send(
        socket: &str,
        method: &str,
        target: &str,
        body: Option<&[u8]>,
    ) -> io::Result<(Conn, Head)> {
        let body = body.map(|b| ("application/json", b));
        Conn::open(socket, method, target, &[("Connection", "close")], body)
    }

    /// Connects and sends one request with the given extra headers (attach and exec send
    /// `Connection: Upgrade` and `Upgrade: tcp` to take over the connection), then reads the
    /// response head. The body is `(content type, bytes)`.
    pub fn open(
        socket: &str,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> io::Result<(Conn, Head)> {
        let mut conn = Conn::write_request(socket, method, target, headers, body)?;
        let head = conn.read_head()?;
        Ok((conn, head))
    }

    /// Connects and sends a request without waiting for the answer: `wait` is sent before
    /// the container starts and answered only when it exits.
    pub fn write_request(
        socket: &str,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> io::Result<Conn> {
        let mut stream = UnixStream::connect(socket)?;
        let mut req = format!(
            "{method} {target} HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: berth-cli/{}\r\n",
            env!("CARGO_PKG_VERSION")
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some((ctype, b)) = body {
            req.push_str(&format!(
                "Content-Type: {ctype}\r\nContent-Length: {}\r\n",
                b.len()
            ));
        } else if method == "POST" {
            req.push_str("Content-Length: 0\r\n");
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        if let Some((_, b)) = body {
            bytes.extend_from_slice(b);
        }
        stream.write_all(&bytes)?;
        Ok(Conn {
            reader: BufReader::new(stream),
        })
    }

    /// The connection after a `101 Switching Protocols` (or a 200 from daemons that answer
    /// an upgrade request that way): its buffered reader, which may already hold stream bytes.
    pub fn into_reader(self) -> BufReader<UnixStream> {
        self.reader
    }

    /// The body as a stream, for responses that never end by themselves (`logs -f`).
    pub fn into_body_reader(self, head: &Head) -> BodyReader {
        let chunked = head
            .header("Transfer-Encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        let remaining = if chunked {
            None
        } else {
            head.header("Content-Length")
                .and_then(|v| v.parse::<u64>().ok())
        };
        BodyReader {
            reader: self.reader,
            chunked,
            chunk_left: 0,
            remaining,
            done: false,
        }
    }

    pub fn read_head(&mut self) -> io::Result<Head> {
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(&format!("malformed status line {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(bad("connection closed in response head"));
            }
            let l = line.trim_end_matches(['\r', '\n']);
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        Ok(Head { status, headers })
    }

    /// Reads the whole body as the head describes it.
    pub fn read_body(mut self, head: &Head, method: &str) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        if method == "HEAD" || head.status == 204 || head.status == 304 {
            return Ok(body);
        }
        if head
            .header("Transfer-Encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
        {
            loop {
                let mut size_line = String::new();
                self.reader.read_line(&mut size_line)?;
                let size_hex = size_line.trim().split(';').next().unwrap_or("");
                let size =
                    usize::from_str_radix(size_hex, 16).map_err(|_| bad("bad chunk size"))?;
                if size == 0 {
                    break;
                }
                let start = body.len();
                body.resize(start + size, 0);
                self.reader.read_exact(&mut body[start..])?;
                let mut crlf = [0u8; 2];
                self.reader.read_exact(&mut crlf)?;
            }
        } else if let Some(len) = head
            .header("Content-Length")
            .and_then(|v| v.parse::<usize>().ok())
        {
            body.resize(len, 0);
            self.reader.read_exact(&mut body)?;
        } else {
            self.reader.read_to_end(&mut body)?;
        }
        Ok(body)
    }
}

/// A response body read incrementally: chunked, by Content-Length, or to EOF.
pub struct BodyReader {
    reader: BufReader<UnixStream>,
    chunked: bool,
    chunk_left: usize,
    remaining: Option<u64>,
    done: bool,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.chunked {
            if self.chunk_left == 0 {
                let mut size_line = String::new();
                if self.reader.read_line(&mut size_line)? == 0 {
                    self.done = true;
                    return Ok(0);
                }
                let size_hex = size_line.trim().split(';').next().unwrap_or("");
                let size =
                    usize::from_str_radix(size_hex, 16).map_err(|_| bad("bad chunk size"))?;
                if size == 0 {
                    self.done = true;
                    return Ok(0);
                }
                self.chunk_left = size;
            }
            let want = buf.len().min(self.chunk_left);
            let n = self.reader.read(&mut buf[..want])?;
            if n == 0 {
                self.done = true;
                return Ok(0);
            }
            self.chunk_left -= n;
            if self.chunk_left == 0 {
                let mut crlf = [0u8; 2];
                self.reader.read_exact(&mut crlf)?;
            }
            return Ok(n);
        }
        let want = match self.remaining {
            Some(0) => {
                self.done = true;
                return Ok(0);
            }
            Some(r) => buf.len().min(usize::try_from(r).unwrap_or(usize::MAX)),
            None => buf.len(),
        };
        let n = self.reader.read(&mut buf[..want])?;
        if let Some(r) = self.remaining.as_mut() {
            *r -= n as u64;
        }
        Ok(n)
    }
}

/// One request, whole response.
pub fn request(
    socket: &str,
    method: &str,
    target: &str,
    body: Option<&[u8]>,
) -> io::Result<Response> {
    let (conn, head) = Conn::send(socket, method, target, body)?;
    let body = conn.read_body(&head, method)?;
    Ok(Response { head, body })
}

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

/// Percent-encodes a query value.
pub fn query_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
