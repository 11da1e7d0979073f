//! `berth container inspect`, and the container lookup plain `berth inspect` tries first.

use super::args::InspectArgs;
use super::escape;
use crate::client::{self, Client};
use crate::commands::network::inspect::inspect_all;
use crate::error::{CliError, Result};
use crate::Output;

pub fn run(host: &str, path: &str, a: InspectArgs, o: &mut Output) -> Result<()> {
    super::min_args(path, &a.args, 1)?;
    let mut c = Client::new(host)?;
    let size = a.size.unwrap_or(false);
    inspect_all(
        &a.args,
        a.format.as_deref().unwrap_or(""),
        o,
        |name| match fetch(&mut c, name, size)? {
            Some(raw) => Ok(raw),
            None => Err(CliError::Daemon(format!("No such container: {name}"))),
        },
    )
}

/// `GET /containers/{name}/json[?size=1]`: the raw body, None when the daemon says 404
/// (the daemon's other errors are errors).
pub fn fetch(c: &mut Client, name: &str, size: bool) -> Result<Option<Vec<u8>>> {
    let mut path = format!("/containers/{}/json", escape(name));
    if size {
        path.push_str("?size=1");
    }
    let resp = c.raw("GET", &path, None)?;
    match resp.head.status {
        404 => Ok(None),
        s if s >= 400 => Err(CliError::Daemon(client::error_message(s, &resp.body))),
        _ => Ok(Some(resp.body)),
    }
}
