//! `berth network rm`

use crate::args::RmArgs;
use crate::client::Client;
use crate::error::{CliError, Result};
use crate::{usage, Output};

pub fn run(host: &str, a: RmArgs, o: &mut Output) -> Result<()> {
    usage::at_least_one("berth network rm", &a.args)?;
    let mut c = Client::new(host)?;
    let force = a.force.unwrap_or(false);
    let mut failed = false;
    for name in &a.args {
        let path = format!(
            "/networks/{}",
            crate::http::query_escape(name).replace('+', "%20")
        );
        match c.call("DELETE", &path, None) {
            Ok(_) => {
                o.out.push_str(name);
                o.out.push('\n');
            }
            Err(CliError::Daemon(m)) if force && is_not_found(&m) => {}
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

/// `-f` ignores not-found errors; the status code is gone by now, so match docker's wording.
fn is_not_found(message: &str) -> bool {
    message.ends_with(" not found") || message.starts_with("No such network")
}
