//! Port 53 of 127.0.0.11 mapped onto the resolver's real ports, inside one container's network
//! namespace, with one nftables transaction (Docker maps it with iptables DNAT and SNAT rules).
//!
//! The resolver's sockets sit on random ports so that port 53 stays free for the container's
//! own use: a DNS server in a container (CoreDNS, dnsmasq, Pi-hole) binds 0.0.0.0:53, which a
//! socket of ours on 127.0.0.11:53 would refuse, over TCP always and over UDP unless both sides
//! set SO_REUSEADDR.
//!
//! The rewrite is stateless (the ports are set in the packets both ways, where Docker uses DNAT
//! and SNAT): no connection tracking is switched on in the container's namespace, so none of
//! its other traffic pays for it. The table is berth's own, `ip berth_dns`, replaced whole (add,
//! delete, add in one transaction), so a daemon restart that reopens the sockets on new ports
//! swaps the rules atomically.

use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

use super::sockets::RESOLVER_ADDR;

/// Where Debian installs `nft`; a bare name last, for a PATH that has it elsewhere.
const NFT: [&str; 3] = ["/usr/sbin/nft", "/sbin/nft", "nft"];

/// The ruleset mapping 127.0.0.11:53 to `udp_port` and `tcp_port`: the destination port of a
/// query is rewritten on its way out of the client, and the source port of an answer on its way
/// out of the resolver, so the client only ever sees port 53.
pub(crate) fn ruleset(udp_port: u16, tcp_port: u16) -> String {
    let ip = RESOLVER_ADDR;
    format!(
        "table ip berth_dns\n\
         delete table ip berth_dns\n\
         table ip berth_dns {{\n\
         \tchain output {{\n\
         \t\ttype filter hook output priority -300; policy accept;\n\
         \t\tip daddr {ip} udp dport 53 udp dport set {udp_port}\n\
         \t\tip daddr {ip} tcp dport 53 tcp dport set {tcp_port}\n\
         \t\tip saddr {ip} udp sport {udp_port} udp sport set 53\n\
         \t\tip saddr {ip} tcp sport {tcp_port} tcp sport set 53\n\
         \t}}\n\
         }}\n"
    )
}

/// Installs [`ruleset`] in the network namespace at `netns` by running `nft -f -` inside it.
pub(crate) fn install(netns: &Path, udp_port: u16, tcp_port: u16) -> io::Result<()> {
    let ns = std::fs::File::open(netns)?;
    let script = ruleset(udp_port, tcp_port);
    let mut last = io::Error::new(io::ErrorKind::NotFound, "nft not found");
    for nft in NFT {
        match run_in(&ns, nft, &script) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => last = e,
            result => return result,
        }
    }
    Err(last)
}

fn run_in(ns: &std::fs::File, nft: &str, script: &str) -> io::Result<()> {
    let fd = ns.as_raw_fd();
    let mut command = Command::new(nft);
    command
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: runs in the child between fork and exec; setns(2) is async-signal-safe and the
    // closure touches nothing but the descriptor, open in the parent until after the spawn.
    unsafe {
        command.pre_exec(move || {
            if libc::setns(fd, libc::CLONE_NEWNET) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(script.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if out.status.success() {
        return Ok(());
    }
    Err(io::Error::other(format!(
        "nft failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ruleset_replaces_the_table_and_maps_both_protocols() {
        let r = ruleset(40001, 40002);
        assert!(r.starts_with("table ip berth_dns\ndelete table ip berth_dns\n"));
        assert!(r.contains("ip daddr 127.0.0.11 udp dport 53 udp dport set 40001"));
        assert!(r.contains("ip daddr 127.0.0.11 tcp dport 53 tcp dport set 40002"));
        assert!(r.contains("ip saddr 127.0.0.11 udp sport 40001 udp sport set 53"));
        assert!(r.contains("ip saddr 127.0.0.11 tcp sport 40002 tcp sport set 53"));
        assert!(!r.contains("nat"), "stateless: no NAT, no conntrack");
    }
}
