//! `berth network prune`

use std::io::{BufRead, Write};

use crate::args::PruneArgs;
use crate::client::{self, Client};
use crate::error::Result;
use crate::template::Value;
use crate::{usage, Output};

const WARNING: &str =
    "WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ";

pub fn run(host: &str, a: PruneArgs, o: &mut Output) -> Result<()> {
    usage::none("berth network prune", &a.args)?;
    let filters = a
        .filter
        .iter()
        .map(|f| client::parse_filter(f))
        .collect::<Result<Vec<_>>>()?;
    if !a.force.unwrap_or(false) && !confirm() {
        return Ok(());
    }
    let mut c = Client::new(host)?;
    let q = client::filters_query(&filters);
    let path = if q.is_empty() {
        "/networks/prune".to_string()
    } else {
        format!("/networks/prune?{q}")
    };
    let report = client::parse(&c.call("POST", &path, None)?)?;
    if let Some(Value::Array(deleted)) = report.get("NetworksDeleted") {
        if !deleted.is_empty() {
            o.out.push_str("Deleted Networks:\n");
            for d in deleted {
                o.out.push_str(d.as_str().unwrap_or(""));
                o.out.push('\n');
            }
            o.out.push('\n');
        }
    }
    Ok(())
}

/// docker's prompt: only `y`/`Y` (after trimming) confirms.
fn confirm() -> bool {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(WARNING.as_bytes());
    let _ = stdout.flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    matches!(line.trim(), "y" | "Y")
}
