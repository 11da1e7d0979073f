//! `berth image inspect`, and the image lookup `berth inspect` uses.

use super::args::InspectArgs;
use crate::client::Client;
use crate::commands::network::inspect::inspect_all;
use crate::error::Result;
use crate::http::query_escape;
use crate::{usage, Output};

pub fn run(host: &str, a: InspectArgs, o: &mut Output) -> Result<()> {
    usage::at_least_one("berth image inspect", &a.args)?;
    let mut c = Client::new(host)?;
    inspect_all(&a.args, a.format.as_deref().unwrap_or(""), o, |name| {
        fetch(&mut c, name)
    })
}

/// `GET /images/{name}/json`: the raw body. Names keep their `/` (`library/busybox`).
pub fn fetch(c: &mut Client, name: &str) -> Result<Vec<u8>> {
    let escaped = name
        .split('/')
        .map(|part| query_escape(part).replace('+', "%20"))
        .collect::<Vec<_>>()
        .join("/");
    c.call("GET", &format!("/images/{escaped}/json"), None)
}
