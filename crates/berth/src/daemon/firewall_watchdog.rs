//! The firewall watchdog: notices that berth's tables were deleted or flushed (a firewall
//! reload, `nft flush ruleset`) or that an apply failed, and re-applies them from the store.
//!
//! It listens rather than polls: `nft monitor` reports every committed ruleset change, and a
//! deleted table, chain or rule of berth's sets off a check at once. An idle daemon thus
//! spawns no process, where checking twice a second cost two `nft` runs each time. A slow
//! check every few seconds still retries failed applies and covers a missed event; if
//! `nft monitor` cannot run or dies, the watchdog falls back to checking twice a second.

use berth_engine::Engine;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// The slow check, while the monitor runs.
const SLOW_PERIOD: Duration = Duration::from_secs(5);
/// The check without a monitor.
const FAST_PERIOD: Duration = Duration::from_millis(500);

pub fn spawn(engine: Arc<Engine>) -> Result<(), String> {
    std::thread::Builder::new()
        .name("fw-watchdog".into())
        .spawn(move || {
            let listener = engine.clone();
            let monitor = std::thread::Builder::new()
                .name("fw-monitor".into())
                .spawn(move || listen(&listener));
            if let Err(e) = &monitor {
                tracing::warn!(error = %e, "no firewall monitor thread; checking twice a second");
            }
            loop {
                let listening = monitor.as_ref().is_ok_and(|m| !m.is_finished());
                std::thread::sleep(if listening { SLOW_PERIOD } else { FAST_PERIOD });
                engine.check_firewall();
            }
        })
        .map(|_| ())
        .map_err(|e| format!("cannot start the firewall watchdog: {e}"))
}

/// Runs `nft monitor` and checks the tables after every change that took something of
/// berth's away; returns when the monitor ends.
fn listen(engine: &Engine) {
    let mut cmd = Command::new("nft");
    cmd.args(["monitor", "tables", "chains", "rules"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // SAFETY: prctl is async-signal-safe; the monitor dies with this thread.
    unsafe {
        cmd.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
                .map_err(std::io::Error::from)
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "cannot run nft monitor; checking the firewall twice a second");
            return;
        }
    };
    let Some(out) = child.stdout.take() else {
        return;
    };
    // Its own changes re-apply nothing: a check after them finds the tables whole.
    engine.check_firewall();
    // One check per transaction: nft prints a transaction's changes, then its
    // `# new generation` line.
    let mut pending = false;
    for line in BufReader::new(out).lines() {
        let Ok(line) = line else {
            break;
        };
        if takes_from_berth(&line) {
            pending = true;
        } else if line.starts_with("# new generation") && pending {
            pending = false;
            engine.check_firewall();
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    tracing::warn!("nft monitor ended; checking the firewall twice a second");
}

/// `delete table|chain|rule inet|bridge berth ...`: something of berth's went.
fn takes_from_berth(line: &str) -> bool {
    let mut words = line.split_whitespace();
    matches!(
        (words.next(), words.next(), words.next(), words.next()),
        (
            Some("delete"),
            Some("table" | "chain" | "rule"),
            Some("inet" | "bridge"),
            Some("berth")
        )
    )
}

#[cfg(test)]
mod tests {
    use super::takes_from_berth;

    #[test]
    fn only_deletions_of_berths_tables_chains_and_rules_count() {
        assert!(takes_from_berth("delete table inet berth"));
        assert!(takes_from_berth(
            "delete rule bridge berth forward handle 4"
        ));
        assert!(takes_from_berth("delete chain inet berth forward"));
        assert!(!takes_from_berth(
            "delete element inet berth dnat4_port { tcp . 80 }"
        ));
        assert!(!takes_from_berth("delete table inet berthier"));
        assert!(!takes_from_berth("delete table ip nat"));
        assert!(!takes_from_berth("add table inet berth"));
        assert!(!takes_from_berth("# new generation 5 by process 1 (nft)"));
    }
}
