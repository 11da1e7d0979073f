//! The firewall's own cost per change, for `bench/firewall.sh`: applies, with the real driver
//! (`nft -j -f -`) in a private network namespace of its own, the table the daemon would apply
//! when a container publishing one port starts with 0 and with N-1 others already publishing,
//! and when a container publishing 1 and 1,000 ports starts alone. Each timed apply follows an
//! untimed apply of the state just before it, as in the daemon. Runs as root.
//!
//! ```text
//! apply_timing [--containers 500] [--runs 30]
//! ```
//! Output, one line per case, medians over the runs in ms:
//! `1st 500th ports-1 ports-1000` as `first_ms nth_ms one_port_ms thousand_ports_ms`.

use berth_firewall::{FirewallDriver, FirewallState, NetworkRules, NftFirewall, PortForward};
use berth_model::container::ports::Proto;
use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;
use std::time::Instant;

fn network() -> NetworkRules {
    NetworkRules {
        bridge: "berth0".into(),
        subnets4: vec!["172.17.0.0/16".parse().expect("a subnet")],
        subnets6: vec![],
        internal: false,
        icc: true,
        masquerade: true,
    }
}

/// Container `i`'s address on the default bridge.
fn address(i: u32) -> IpAddr {
    let n = i + 2;
    IpAddr::V4(Ipv4Addr::new(172, 17, (n / 256) as u8, (n % 256) as u8))
}

fn port(container: u32, host_port: u16, container_port: u16) -> PortForward {
    PortForward {
        proto: Proto::Tcp,
        host_ip: None,
        host_port,
        container_ip: address(container),
        container_port,
        bridge: "berth0".into(),
    }
}

fn state(ports: Vec<PortForward>) -> FirewallState {
    let mut s = FirewallState {
        networks: vec![network()],
        ports,
        links: vec![],
    };
    s.normalize();
    s
}

/// `containers` containers, each publishing one port.
fn containers(n: u32) -> FirewallState {
    state((0..n).map(|i| port(i, 20000 + i as u16, 80)).collect())
}

/// One container publishing `n` ports.
fn ranged(n: u16) -> FirewallState {
    state((0..n).map(|i| port(0, 31000 + i, 1000 + i)).collect())
}

/// Median ms of applying `after` right after an untimed apply of `before`.
fn timed(fw: &NftFirewall, before: &FirewallState, after: &FirewallState, runs: u32) -> f64 {
    let mut ms = Vec::new();
    for _ in 0..runs {
        if let Err(e) = fw.apply(before) {
            eprintln!("apply_timing: {e}");
            std::process::exit(1);
        }
        let t = Instant::now();
        if let Err(e) = fw.apply(after) {
            eprintln!("apply_timing: {e}");
            std::process::exit(1);
        }
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    ms[ms.len() / 2]
}

fn main() -> ExitCode {
    let mut n = 500u32;
    let mut runs = 30u32;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = it.next().and_then(|v| v.parse::<u32>().ok());
        match (a.as_str(), value) {
            ("--containers", Some(v)) if v >= 1 => n = v,
            ("--runs", Some(v)) if v >= 1 => runs = v,
            _ => {
                eprintln!("usage: apply_timing [--containers N] [--runs R]");
                return ExitCode::from(2);
            }
        }
    }
    // A network namespace of this process's own: nothing of the caller's rules is touched.
    if let Err(e) = nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET) {
        eprintln!("apply_timing: unshare(CLONE_NEWNET): {e} (run as root)");
        return ExitCode::FAILURE;
    }
    let fw = NftFirewall::new();
    let first = timed(&fw, &containers(0), &containers(1), runs);
    let nth = timed(&fw, &containers(n - 1), &containers(n), runs);
    let one = timed(&fw, &state(vec![]), &ranged(1), runs);
    let thousand = timed(&fw, &state(vec![]), &ranged(1000), runs);
    println!("{first:.3} {nth:.3} {one:.3} {thousand:.3}");
    ExitCode::SUCCESS
}
