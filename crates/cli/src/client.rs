//! The Docker Engine API as this CLI uses it: address resolution, version negotiation and
//! daemon errors.

use crate::error::{CliError, Result};
use crate::http;
use crate::template::Value;

/// The API version this client speaks; lowered to the daemon's if that is older.
pub const DEFAULT_API_VERSION: &str = "1.50";
const DEFAULT_HOST: &str = "unix:///run/berth/berth.sock";

pub struct Client {
    /// As the user gave it, for messages.
    pub host: String,
    socket: String,
    version: Option<String>,
}

/// `--host`, else `BERTH_HOST`, else `DOCKER_HOST`, else the default socket.
pub fn resolve_host(flag: Option<&str>) -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    flag.map(str::to_string)
        .or_else(|| env("BERTH_HOST"))
        .or_else(|| env("DOCKER_HOST"))
        .unwrap_or_else(|| DEFAULT_HOST.to_string())
}

impl Client {
    pub fn new(host: &str) -> Result<Client> {
        let socket = host.strip_prefix("unix://").ok_or_else(|| {
            CliError::msg(format!(
                "unsupported protocol in host {host:?}: only unix:// is supported"
            ))
        })?;
        let version = std::env::var("DOCKER_API_VERSION")
            .ok()
            .filter(|v| !v.is_empty());
        Ok(Client {
            host: host.to_string(),
            socket: socket.to_string(),
            version,
        })
    }

    /// The negotiated API version (pings the daemon the first time).
    pub fn api_version(&mut self) -> Result<String> {
        if let Some(v) = &self.version {
            return Ok(v.clone());
        }
        let resp =
            http::request(&self.socket, "GET", "/_ping", None).map_err(|_| self.connect_error())?;
        let v = match resp.head.header("Api-Version") {
            Some(server) if version_less(server, DEFAULT_API_VERSION) => server.to_string(),
            Some(_) => DEFAULT_API_VERSION.to_string(),
            // Docker falls back to 1.24 when the daemon does not say.
            None => "1.24".to_string(),
        };
        self.version = Some(v.clone());
        Ok(v)
    }

    fn connect_error(&self) -> CliError {
        CliError::Connect(self.host.clone())
    }

    /// Sends a request under the negotiated `/vX.Y` prefix; non-2xx answers become
    /// `CliError::Daemon` with the body's message.
    pub fn call(&mut self, method: &str, path: &str, body: Option<&[u8]>) -> Result<Vec<u8>> {
        let v = self.api_version()?;
        let target = format!("/v{v}{path}");
        let resp =
            http::request(&self.socket, method, &target, body).map_err(|_| self.connect_error())?;
        if resp.head.status >= 400 {
            return Err(CliError::Daemon(error_message(
                resp.head.status,
                &resp.body,
            )));
        }
        Ok(resp.body)
    }

    /// Sends a request under the `/vX.Y` prefix and hands back the open connection, for
    /// answers that stream (logs, wait) or take over the connection (attach, exec start).
    /// Non-2xx answers are read whole and become `CliError::Daemon`.
    pub fn open(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> Result<(http::Conn, http::Head)> {
        let v = self.api_version()?;
        let target = format!("/v{v}{path}");
        let (conn, head) = http::Conn::open(&self.socket, method, &target, headers, body)
            .map_err(|_| self.connect_error())?;
        if head.status >= 400 {
            let body = conn.read_body(&head, method).unwrap_or_default();
            return Err(CliError::Daemon(error_message(head.status, &body)));
        }
        Ok((conn, head))
    }

    /// `POST path` with `Connection: Upgrade`/`Upgrade: tcp`: the raw stream after the
    /// daemon's `101` (or `200`) head, plus a second handle on the socket for writing.
    pub fn hijack(
        &mut self,
        path: &str,
        body: Option<(&str, &[u8])>,
    ) -> Result<(
        std::io::BufReader<std::os::unix::net::UnixStream>,
        std::os::unix::net::UnixStream,
    )> {
        let (conn, _head) = self.open(
            "POST",
            path,
            &[("Connection", "Upgrade"), ("Upgrade", "tcp")],
            Some(body.unwrap_or(("text/plain", b""))),
        )?;
        let reader = conn.into_reader();
        let writer = reader
            .get_ref()
            .try_clone()
            .map_err(|e| CliError::msg(format!("error hijacking connection: {e}")))?;
        Ok((reader, writer))
    }

    /// A request sent but not yet answered (see `http::Conn::write_request`).
    pub fn send_only(&mut self, method: &str, path: &str) -> Result<http::Conn> {
        let v = self.api_version()?;
        let target = format!("/v{v}{path}");
        http::Conn::write_request(
            &self.socket,
            method,
            &target,
            &[("Connection", "close")],
            None,
        )
        .map_err(|_| self.connect_error())
    }

    /// One request with its raw answer, whatever the status (callers that treat 404 apart).
    pub fn raw(&mut self, method: &str, path: &str, body: Option<&[u8]>) -> Result<http::Response> {
        let v = self.api_version()?;
        let target = format!("/v{v}{path}");
        http::request(&self.socket, method, &target, body).map_err(|_| self.connect_error())
    }

    pub fn get_json(&mut self, path: &str) -> Result<Value> {
        let body = self.call("GET", path, None)?;
        parse(&body)
    }
}

pub fn parse(body: &[u8]) -> Result<Value> {
    Value::parse_json(body)
        .map_err(|e| CliError::msg(format!("error reading response from daemon: {e}")))
}

/// The `message` of an error body, or the body text, as docker's client reports it.
pub fn error_message(status: u16, body: &[u8]) -> String {
    if let Ok(v) = Value::parse_json(body) {
        if let Some(m) = v.get("message").and_then(Value::as_str) {
            return m.to_string();
        }
    }
    let text = String::from_utf8_lossy(body).trim().to_string();
    if text.is_empty() {
        format!("{status} {}", status_text(status))
    } else {
        text
    }
}

fn status_text(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        501 => "Not Implemented",
        _ => "Internal Server Error",
    }
}

/// Compares dotted API versions numerically.
pub fn version_less(a: &str, b: &str) -> bool {
    let parse = |s: &str| {
        s.split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    parse(a) < parse(b)
}

/// `filters=` query value: docker's JSON `{"name":{"value":true}}` form.
pub fn filters_query(filters: &[(String, String)]) -> String {
    if filters.is_empty() {
        return String::new();
    }
    let mut keys: Vec<&str> = filters.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort();
    keys.dedup();
    let obj = Value::Object(
        keys.iter()
            .map(|k| {
                let mut vals: Vec<&str> = filters
                    .iter()
                    .filter(|(fk, _)| fk == k)
                    .map(|(_, v)| v.as_str())
                    .collect();
                vals.sort();
                vals.dedup();
                (
                    k.to_string(),
                    Value::Object(
                        vals.iter()
                            .map(|v| (v.to_string(), Value::Bool(true)))
                            .collect(),
                    ),
                )
            })
            .collect(),
    );
    format!("filters={}", http::query_escape(&obj.to_json(false)))
}

/// Parses `-f key=value` as docker's `opts.FilterOpt` does.
pub fn parse_filter(s: &str) -> Result<(String, String)> {
    match s.split_once('=') {
        Some((k, v)) => Ok((k.trim().to_lowercase(), v.trim().to_string())),
        None => Err(CliError::Status(125, format!("invalid argument {s:?} for \"-f, --filter\" flag: bad format of filter (expected name=value)"))),
    }
}
