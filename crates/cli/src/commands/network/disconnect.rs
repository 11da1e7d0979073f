//! `berth network disconnect [-f] NETWORK CONTAINER`

use super::connect::{network_path, trim_id};
use crate::args::DisconnectArgs;
use crate::client::Client;
use crate::error::Result;
use crate::template::Value;
use crate::{usage, Output};

/// Like docker, a successful disconnect prints nothing.
pub fn run(host: &str, a: DisconnectArgs, _o: &mut Output) -> Result<()> {
    let body = request_body(&a)?;
    let mut c = Client::new(host)?;
    c.call(
        "POST",
        &network_path(&a.args[0], "disconnect")?,
        Some(body.as_bytes()),
    )?;
    Ok(())
}

/// `{"Container": ..., "Force": ...}` once the arguments are checked as docker checks them.
pub fn request_body(a: &DisconnectArgs) -> Result<String> {
    usage::exactly("berth network disconnect", &a.args, 2)?;
    trim_id("network", &a.args[0])?;
    let container = trim_id("container", &a.args[1])?;
    Ok(Value::object(vec![
        ("Container", Value::from(container.as_str())),
        ("Force", Value::Bool(a.force.unwrap_or(false))),
    ])
    .to_json(false))
}
