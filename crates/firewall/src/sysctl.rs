//! The sysctls berth's firewall relies on, set in the network namespace of the calling thread
//! (the daemon's: its host, or the fake host of a test). `/proc/sys/net` shows the namespace of
//! the thread that opens the file.

use crate::FirewallError;

/// IPv4 forwarding: containers reach beyond their bridge.
pub const HOST_SYSCTLS: [(&str, &str); 1] = [("net/ipv4/ip_forward", "1")];

/// `route_localnet` on one bridge, as Docker sets it: the host's 127.0.0.1 DNAT'd to a
/// container leaves by that bridge (and its answer comes back by it). Set per bridge rather
/// than for `all`, so no other interface of the host accepts or routes loopback addresses.
pub fn enable_route_localnet(bridge: &str) -> Result<(), FirewallError> {
    let key = format!("net/ipv4/conf/{bridge}/route_localnet");
    // A bridge that is not there (yet) has nothing to route; the next apply sets it.
    if !std::path::Path::new(&format!("/proc/sys/{key}")).exists() {
        return Ok(());
    }
    set(&key, "1")
}

/// IPv6 forwarding, switched on only once a network has IPv6 (as Docker does): with it on, the
/// kernel stops accepting router advertisements, which a host may depend on for its own IPv6.
pub const IPV6_FORWARDING: (&str, &str) = ("net/ipv6/conf/all/forwarding", "1");

pub fn enable_host_sysctls() -> Result<(), FirewallError> {
    for (key, value) in HOST_SYSCTLS {
        set(key, value)?;
    }
    Ok(())
}

pub fn enable_ipv6_forwarding() -> Result<(), FirewallError> {
    let (key, value) = IPV6_FORWARDING;
    // IPv6 may be disabled on the host; its forwarding then does not matter.
    if !std::path::Path::new(&format!("/proc/sys/{key}")).exists() {
        return Ok(());
    }
    set(key, value)
}

fn set(key: &str, value: &str) -> Result<(), FirewallError> {
    let path = format!("/proc/sys/{key}");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current.trim() == value {
        return Ok(());
    }
    std::fs::write(&path, value)
        .map_err(|e| FirewallError::Sysctl(format!("cannot set {key}={value}: {e}")))
}
