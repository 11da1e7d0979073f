//! `berth inspect [--type network]`: for now only networks resolve.

use super::network::inspect::{fetch, inspect_all};
use crate::args::InspectArgs;
use crate::client::Client;
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
    if kind == "network" {
        return inspect_all(&a.args, format, o, |name| fetch(&mut c, name, false));
    }
    inspect_all(&a.args, format, o, |name| {
        if !kind.is_empty() {
            // Other object types are not served yet.
            return Err(CliError::msg(format!("Error: No such {kind}: {name}")));
        }
        match fetch(&mut c, name, false) {
            Err(CliError::Daemon(_)) => {
                Err(CliError::msg(format!("Error: No such object: {name}")))
            }
            other => other,
        }
    })
}
