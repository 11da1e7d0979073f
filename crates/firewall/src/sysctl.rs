//! The sysctls berth's firewall relies on, set in the network namespace of the calling thread
//! (the daemon's: its host, or the fake host of a test). `/proc/sys/net` shows the namespace of
//! the thread that opens the file.

use crate::FirewallError;

/// IPv4 forwarding (containers reach beyond their bridge), and `route_localnet`, so that the
/// host's 127.0.0.1 may be DNAT'd to a container's address.
pub const HOST_SYSCTLS: [(&str, &str); 2] = [
    ("net/ipv4/ip_forward", "1"),
    ("net/ipv4/conf/all/route_localnet", "1"),
];

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
