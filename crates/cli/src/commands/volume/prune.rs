//! `berth volume prune`

use std::io::{BufRead, Write};

use super::args::PruneArgs;
use crate::client::{self, Client};
use crate::error::Result;
use crate::template::Value;
use crate::{usage, Output};

const ANONYMOUS_WARNING: &str = "WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ";
const ALL_WARNING: &str = "WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ";

pub fn run(host: &str, a: PruneArgs, o: &mut Output) -> Result<()> {
    usage::none("berth volume prune", &a.args)?;
    let mut filters = a
        .filter
        .iter()
        .map(|f| client::parse_filter(f))
        .collect::<Result<Vec<_>>>()?;
    let all = a.all.unwrap_or(false);
    if all {
        filters.push(("all".into(), "true".into()));
    }
    let warning = if all { ALL_WARNING } else { ANONYMOUS_WARNING };
    if !a.force.unwrap_or(false) && !confirm(warning) {
        return Ok(());
    }
    let mut c = Client::new(host)?;
    let q = client::filters_query(&filters);
    let path = if q.is_empty() {
        "/volumes/prune".to_string()
    } else {
        format!("/volumes/prune?{q}")
    };
    let report = client::parse(&c.call("POST", &path, None)?)?;
    if let Some(Value::Array(deleted)) = report.get("VolumesDeleted") {
        if !deleted.is_empty() {
            o.out.push_str("Deleted Volumes:\n");
            for d in deleted {
                o.out.push_str(d.as_str().unwrap_or(""));
                o.out.push('\n');
            }
            o.out.push('\n');
        }
    }
    let space = match report.get("SpaceReclaimed") {
        Some(Value::Number(n)) => n.parse::<f64>().unwrap_or(0.0),
        _ => 0.0,
    };
    o.out.push_str(&format!(
        "Total reclaimed space: {}\n",
        crate::units::human_size_4(space)
    ));
    Ok(())
}

/// docker's prompt: only `y`/`Y` (after trimming) confirms.
fn confirm(warning: &str) -> bool {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(warning.as_bytes());
    let _ = stdout.flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    matches!(line.trim(), "y" | "Y")
}
