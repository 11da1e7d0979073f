//! The sysctls berth's firewall relies on, set in the network namespace of the calling thread
//! (the daemon's: its host, or the fake host of a test). `/proc/sys/net` shows the namespace of
//! the thread that opens the file.

use crate::FirewallError;

/// Forwarding for both families (containers reach beyond their bridge), and `route_localnet`,
/// so that the host's 127.0.0.1 may be DNAT'd to a container's address.
pub const HOST_SYSCTLS: [(&str, &str); 3] = [
    ("net/ipv4/ip_forward", "1"),
    ("net/ipv6/conf/all/forwarding", "1"),
    ("net/ipv4/conf/all/route_localnet", "1"),
];

pub fn enable_host_sysctls() -> Result<(), FirewallError> {
    for (key, value) in HOST_SYSCTLS {
        let path = format!("/proc/sys/{key}");
        // IPv6 may be disabled on the host; forwarding for it then does not matter.
        if key.contains("ipv6") && !std::path::Path::new(&path).exists() {
            continue;
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current.trim() == value {
            continue;
        }
        std::fs::write(&path, value)
            .map_err(|e| FirewallError::Sysctl(format!("cannot set {key}={value}: {e}")))?;
    }
    Ok(())
}
