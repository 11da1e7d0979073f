//! `berth inspect [--type container|image|network|volume]`: without a type, a name is looked
//! up as a container, then an image, a network, a volume, as docker does.

use super::container::fetch_inspect as fetch_container;
use super::network::inspect::{fetch as fetch_network, inspect_all};
use crate::args::InspectArgs;
use crate::client::{self, Client};
use crate::error::{CliError, Result};
use crate::{usage, Output};

const TYPES: &str = r#""config", "container", "image", "network", "node", "plugin", "secret", "service", "task", "volume""#;

pub fn run(host: &str, a: InspectArgs, o: &mut Output) -> Result<()> {
    usage::at_least_one("berth inspect", &a.args)?;
    let kind = a.kind.clone().unwrap_or_default();
    if !kind.is_empty() && !TYPES.contains(&format!("\"{kind}\"")) {
        return Err(CliError::msg(format!(
            "unknown type: {kind:?}: must be one of {TYPES}"
        )));
    }
    let mut c = Client::new(host)?;
    let format = a.format.as_deref().unwrap_or("");
    let size = a.size.unwrap_or(false);
    match kind.as_str() {
        "network" => {
            return inspect_all(&a.args, format, o, |name| {
                fetch_network(&mut c, name, false)
            })
        }
        "container" => {
            return inspect_all(&a.args, format, o, |name| {
                fetch_container(&mut c, name, size)?
                    .ok_or_else(|| CliError::Daemon(format!("No such container: {name}")))
            })
        }
        "image" => {
            return inspect_all(&a.args, format, o, |name| {
                match fetch_image(&mut c, name)? {
                    Ok(raw) => Ok(raw),
                    Err(message) => Err(CliError::Daemon(message)),
                }
            })
        }
        "volume" => {
            // docker shows the daemon's own `get NAME: no such volume` here
            return inspect_all(&a.args, format, o, |name| {
                super::volume::fetch(&mut c, name)
            });
        }
        _ => {}
    }
    let mut warned = false;
    inspect_all(&a.args, format, o, |name| {
        if !kind.is_empty() {
            // Other object types are not served.
            return Err(CliError::msg(format!("Error: No such {kind}: {name}")));
        }
        if let Some(raw) = fetch_container(&mut c, name, size)? {
            return Ok(raw);
        }
        if let Ok(raw) = fetch_image(&mut c, name)? {
            if size && !warned {
                warned = true;
                eprintln!("WARNING: --size ignored for image");
            }
            return Ok(raw);
        }
        match fetch_network(&mut c, name, false) {
            Err(CliError::Daemon(_)) => {}
            other => return other,
        }
        match super::volume::fetch(&mut c, name) {
            Err(CliError::Daemon(_)) => {
                Err(CliError::msg(format!("Error: No such object: {name}")))
            }
            other => other,
        }
    })
}

/// `GET /images/{name}/json`: Ok(body), or Err(the daemon's message) on 404.
fn fetch_image(c: &mut Client, name: &str) -> Result<std::result::Result<Vec<u8>, String>> {
    let path = format!(
        "/images/{}/json",
        crate::http::query_escape(name)
            .replace('+', "%20")
            .replace("%2F", "/")
            .replace("%3A", ":")
    );
    let resp = c.raw("GET", &path, None)?;
    match resp.head.status {
        404 => Ok(Err(client::error_message(404, &resp.body))),
        s if s >= 400 => Err(CliError::Daemon(client::error_message(s, &resp.body))),
        _ => Ok(Ok(resp.body)),
    }
}
