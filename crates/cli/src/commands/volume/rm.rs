//! `berth volume rm`

use super::args::RmArgs;
use crate::client::Client;
use crate::error::{CliError, Result};
use crate::{usage, Output};

pub fn run(host: &str, a: RmArgs, o: &mut Output) -> Result<()> {
    usage::at_least_one("berth volume rm", &a.args)?;
    let mut c = Client::new(host)?;
    let force = if a.force.unwrap_or(false) {
        "?force=1"
    } else {
        ""
    };
    let mut failed = false;
    for name in &a.args {
        let path = format!(
            "/volumes/{}{force}",
            crate::http::query_escape(name).replace('+', "%20")
        );
        match c.call("DELETE", &path, None) {
            Ok(_) => {
                o.out.push_str(name);
                o.out.push('\n');
            }
            Err(e @ CliError::Connect(_)) => return Err(e),
            Err(e) => {
                o.err.push_str(&e.to_string());
                o.err.push('\n');
                failed = true;
            }
        }
    }
    if failed {
        return Err(CliError::Status(1, "exit status 1".into()));
    }
    Ok(())
}
