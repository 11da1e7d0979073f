//! Reachability probes for the firewall tests: TCP and UDP servers and clients whose sockets
//! are opened inside a chosen network namespace (a container's, the fake host's, an "outside"
//! host's), so a probe goes exactly where a process there would send it. Servers answer with
//! the address they saw the client come from, so tests can check masquerade and that DNAT keeps
//! the client's address.
//!
//! A probe that should succeed is retried until a generous deadline; a probe that should fail
//! is made twice with a short timeout each, and tests pair it with a succeeding control.

use super::Daemon;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const PROBE_TIMEOUT: Duration = Duration::from_millis(1500);
/// How long a probe that should succeed is retried (CI runs under heavy load).
const REACH_DEADLINE: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
}

/// The network namespace of a running container, through its init's PID.
pub fn container_ns(d: &Daemon, name: &str) -> PathBuf {
    let pid = super::ctr::pid_of(d, name);
    assert!(pid > 0, "{name} is not running");
    PathBuf::from(format!("/proc/{pid}/ns/net"))
}

pub fn fake_host_ns(d: &Daemon) -> PathBuf {
    PathBuf::from(format!("/run/netns/{}", d.host.name))
}

/// The container's address on a network (`bridge` for the default one).
pub fn ip_on(d: &Daemon, container: &str, network: &str) -> String {
    let c = super::ctr::inspect(d, container);
    c["NetworkSettings"]["Networks"][network]["IPAddress"]
        .as_str()
        .unwrap_or_else(|| panic!("{container} has no address on {network}: {c}"))
        .to_string()
}

/// Starts a TCP and a UDP server on `port` (every address) in `ns`; each answers every
/// connection or datagram with the client's address as it saw it. They run until the test
/// process ends.
pub fn serve(ns: &Path, port: u16) {
    let (tcp, udp) = berth_netsys::in_netns(ns, move || {
        (
            TcpListener::bind(("0.0.0.0", port)).expect("bind tcp"),
            UdpSocket::bind(("0.0.0.0", port)).expect("bind udp"),
        )
    })
    .expect("enter netns");
    std::thread::spawn(move || {
        for mut conn in tcp.incoming().flatten() {
            if let Ok(peer) = conn.peer_addr() {
                let _ = conn.write_all(peer.ip().to_string().as_bytes());
            }
        }
    });
    std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        while let Ok((_, peer)) = udp.recv_from(&mut buf) {
            let _ = udp.send_to(peer.ip().to_string().as_bytes(), peer);
        }
    });
}

/// One probe from `ns` to `to`: the server's answer (the source address it saw), or None.
pub fn probe(ns: &Path, proto: Proto, to: SocketAddr) -> Option<String> {
    berth_netsys::in_netns(ns, move || match proto {
        Proto::Tcp => {
            let mut s = TcpStream::connect_timeout(&to, PROBE_TIMEOUT).ok()?;
            s.set_read_timeout(Some(PROBE_TIMEOUT)).ok()?;
            let mut out = String::new();
            s.read_to_string(&mut out).ok()?;
            (!out.is_empty()).then_some(out)
        }
        Proto::Udp => {
            let bind = if to.is_ipv6() { "[::]:0" } else { "0.0.0.0:0" };
            let s = UdpSocket::bind(bind).ok()?;
            s.set_read_timeout(Some(PROBE_TIMEOUT)).ok()?;
            s.send_to(b"probe", to).ok()?;
            let mut buf = [0u8; 64];
            let (n, _) = s.recv_from(&mut buf).ok()?;
            Some(String::from_utf8_lossy(&buf[..n]).into_owned())
        }
    })
    .ok()
    .flatten()
}

/// Retries until the server answers; returns the source address it saw.
#[track_caller]
pub fn assert_reaches(ns: &Path, proto: Proto, to: &str, what: &str) -> String {
    let to: SocketAddr = to.parse().unwrap();
    let deadline = Instant::now() + REACH_DEADLINE;
    loop {
        if let Some(seen) = probe(ns, proto, to) {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: {proto:?} to {to} got no answer"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[track_caller]
pub fn assert_blocked(ns: &Path, proto: Proto, to: &str, what: &str) {
    let to: SocketAddr = to.parse().unwrap();
    for _ in 0..2 {
        if let Some(seen) = probe(ns, proto, to) {
            panic!("{what}: {proto:?} to {to} was answered (source seen: {seen})");
        }
    }
}

/// `ping` from inside a container: one echo with a short wait.
pub fn pings(d: &Daemon, container: &str, target: &str) -> bool {
    super::ctr::berth(d, &["exec", container, "ping", "-c1", "-W1", target]).code == 0
}

static OUTSIDE: AtomicU32 = AtomicU32::new(0);

/// Another host on the fake host's "uplink": a namespace wired to the fake host by a veth,
/// 10.99.N.1 on the fake host and 10.99.N.2 outside, with routes both ways (to the
/// containers' 172.16.0.0/12 via the fake host). Removed on drop.
pub struct Outside {
    pub name: String,
    pub host_addr: String,
    pub addr: String,
}

impl Outside {
    pub fn new(d: &Daemon) -> Outside {
        let n = OUTSIDE.fetch_add(1, Ordering::SeqCst);
        let name = format!("berth-out-{}-{n}", std::process::id());
        let host_addr = format!("10.99.{n}.1");
        let addr = format!("10.99.{n}.2");
        run(&["ip", "netns", "add", &name]);
        let uplink = format!("up{n}");
        d.host.ip(&[
            "link", "add", &uplink, "type", "veth", "peer", "name", "eth0", "netns", &name,
        ]);
        d.host
            .ip(&["addr", "add", &format!("{host_addr}/24"), "dev", &uplink]);
        d.host.ip(&["link", "set", &uplink, "up"]);
        let o = |args: &[&str]| {
            let mut full = vec!["ip", "-n", &name];
            full.extend_from_slice(args);
            run(&full);
        };
        o(&["link", "set", "lo", "up"]);
        o(&["addr", "add", &format!("{addr}/24"), "dev", "eth0"]);
        o(&["link", "set", "eth0", "up"]);
        o(&["route", "add", "172.16.0.0/12", "via", &host_addr]);
        Outside {
            name,
            host_addr,
            addr,
        }
    }

    pub fn ns(&self) -> PathBuf {
        PathBuf::from(format!("/run/netns/{}", self.name))
    }
}

impl Drop for Outside {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

fn run(args: &[&str]) {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `nft ARGS` inside the fake host; returns stdout, or None when nft failed.
pub fn nft(d: &Daemon, args: &[&str]) -> Option<String> {
    let out = d.host.exec("nft").args(args).output().expect("run nft");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The elements of one of table inet berth's sets as `nft -j` lists them, or None when the
/// table or set is missing.
pub fn berth_set(d: &Daemon, set: &str) -> Option<Vec<serde_json::Value>> {
    family_set(d, "inet", set)
}

/// The elements of one of table `FAMILY berth`'s sets (`inet`, or `bridge` for ICC and links).
pub fn family_set(d: &Daemon, family: &str, set: &str) -> Option<Vec<serde_json::Value>> {
    let out = nft(d, &["-j", "list", "set", family, "berth", set])?;
    let v: serde_json::Value = serde_json::from_str(&out).ok()?;
    let objs = v["nftables"].as_array()?.clone();
    let s = objs.iter().find(|o| o.get("set").is_some())?;
    Some(s["set"]["elem"].as_array().cloned().unwrap_or_default())
}
