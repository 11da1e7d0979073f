//! `docker top CONTAINER [ps OPTIONS]` with options: as moby does, the host's `ps` runs with the
//! user's options (and `-q` with the container's pids, dropped when ps refuses the mix), and
//! only the rows whose PID column names one of the container's processes are kept.

use std::process::Command;

use crate::top::Top;

/// Runs `ps ARGS` for the processes in `pids`; the error is ps's first line of complaint.
pub(crate) fn top_with_ps(ps_args: &str, pids: &[i32]) -> Result<Top, String> {
    let args: Vec<&str> = ps_args.split(' ').collect();
    let list = pids
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let with_pids = Command::new("ps").args(&args).args(["-q", &list]).output();
    let output = match with_pids {
        Ok(o) if o.status.success() => o,
        // Some options (e.g. `f`) cannot be combined with -q: all processes, filtered below.
        _ => {
            let o = Command::new("ps")
                .args(&args)
                .output()
                .map_err(|e| format!("ps: {e}"))?;
            if !o.status.success() {
                let err = String::from_utf8_lossy(&o.stderr);
                let first = err.lines().next().unwrap_or_default().trim().to_string();
                return Err(if first.is_empty() {
                    format!("ps: {}", o.status)
                } else {
                    first
                });
            }
            o
        }
    };
    parse_ps_output(&String::from_utf8_lossy(&output.stdout), pids)
}

/// The header gives the titles; a row is split on ASCII whitespace and its overhanging fields
/// are joined into the last column (a command line with spaces).
pub(crate) fn parse_ps_output(text: &str, pids: &[i32]) -> Result<Top, String> {
    let mut lines = text.split('\n');
    let titles: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split_ascii_whitespace()
        .map(str::to_string)
        .collect();
    let pid_col = titles
        .iter()
        .position(|t| t == "PID")
        .ok_or_else(|| "Couldn't find PID field in ps output".to_string())?;
    let mut processes = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let fields: Vec<&str> = line.split_ascii_whitespace().collect();
        let Some(pid_text) = fields.get(pid_col) else {
            continue;
        };
        if *pid_text == "-" {
            continue;
        }
        let pid: i32 = pid_text
            .parse()
            .map_err(|e| format!("Unexpected pid '{pid_text}': {e}"))?;
        if !pids.contains(&pid) {
            continue;
        }
        let last = titles.len() - 1;
        let mut row: Vec<String> = fields.iter().take(last).map(|s| s.to_string()).collect();
        row.push(fields.get(last..).map(|f| f.join(" ")).unwrap_or_default());
        processes.push(row);
    }
    Ok(Top { titles, processes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_containers_rows_and_joins_the_command() {
        let out = "  PID COMMAND\n    1 init\n   42 sleep 300\n   43 other\n";
        let t = parse_ps_output(out, &[42]).unwrap();
        assert_eq!(t.titles, ["PID", "COMMAND"]);
        assert_eq!(
            t.processes,
            vec![vec!["42".to_string(), "sleep 300".into()]]
        );
    }

    #[test]
    fn a_table_without_pids_is_refused() {
        let e = parse_ps_output("COMMAND\nsleep\n", &[1]).unwrap_err();
        assert_eq!(e, "Couldn't find PID field in ps output");
        let e = parse_ps_output("PID CMD\nx y\n", &[1]).unwrap_err();
        assert!(e.starts_with("Unexpected pid 'x'"), "{e}");
    }
}
