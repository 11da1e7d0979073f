//! The applier: runs a rendered document through `nft -j -f -` in the caller's network
//! namespace, as one transaction (the kernel applies all of it or none of it), and the cheap
//! check the watchdog uses to tell whether the table is still whole.

use crate::render::{TABLE_FAMILY, TABLE_NAME, WATCHED_CHAIN};
use crate::render_bridge::BRIDGE_FAMILY;
use crate::FirewallError;
use nftables::schema::Nftables;
use std::io::Write;
use std::process::{Command, Stdio};

/// Where Debian installs `nft`; a bare name last, for a PATH that has it elsewhere.
const NFT: [&str; 3] = ["/usr/sbin/nft", "/sbin/nft", "nft"];

/// Applies `doc` in one `nft -j -f -` run. The crate's own helpers are not used: they panic
/// on a serialisation error and leave nft's stderr (the reason of a failure) uncollected.
pub fn apply(doc: &Nftables<'_>) -> Result<(), FirewallError> {
    let json = serde_json::to_string(doc).map_err(|e| FirewallError::Render(e.to_string()))?;
    run_nft(&["-j", "-f", "-"], Some(&json)).map(|_| ())
}

/// Whether tables `inet berth` and `bridge berth` are present with their rules: lists one
/// small chain of each, whose size does not grow with containers or ports, so it costs the
/// same on any host. A table that was deleted (`nft flush ruleset`, `nft delete table`) or
/// flushed (`nft flush table`) fails it.
pub fn table_intact() -> Result<bool, FirewallError> {
    for family in [TABLE_FAMILY, BRIDGE_FAMILY] {
        if !chain_has_rules(family)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn chain_has_rules(family: &str) -> Result<bool, FirewallError> {
    let out = match run_nft(
        &["-j", "list", "chain", family, TABLE_NAME, WATCHED_CHAIN],
        None,
    ) {
        Ok(out) => out,
        // nft says "No such file or directory" for a missing table or chain.
        Err(FirewallError::Nft(msg)) if msg.contains("No such file or directory") => {
            return Ok(false)
        }
        Err(e) => return Err(e),
    };
    let v: serde_json::Value =
        serde_json::from_str(&out).map_err(|e| FirewallError::Nft(e.to_string()))?;
    let rules = v["nftables"]
        .as_array()
        .map(|objs| objs.iter().filter(|o| o.get("rule").is_some()).count())
        .unwrap_or(0);
    Ok(rules > 0)
}

fn run_nft(args: &[&str], stdin: Option<&str>) -> Result<String, FirewallError> {
    let mut last = FirewallError::Nft("nft not found".into());
    for nft in NFT {
        match run_one(nft, args, stdin) {
            Err(FirewallError::Spawn(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                last = FirewallError::Spawn(e)
            }
            result => return result,
        }
    }
    Err(last)
}

fn run_one(nft: &str, args: &[&str], stdin: Option<&str>) -> Result<String, FirewallError> {
    let mut child = Command::new(nft)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(FirewallError::Spawn)?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // A write error shows as nft's failure below (it read a truncated document).
        let _ = pipe.write_all(input.as_bytes());
    }
    let out = child.wait_with_output().map_err(FirewallError::Spawn)?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(FirewallError::Nft(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ))
    }
}
