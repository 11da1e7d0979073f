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
fn error_message(status: u16, body: &[u8]) -> String {
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
