//! The trait through which the engine asks things of the kernel, and its plain data types.

use std::sync::Arc;

use crate::{EndpointSpec, NetsysError};

/// What a bridge network's Linux bridge should look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeSpec {
    /// Interface name (at most 15 bytes), e.g. `br-0123456789ab` or `berth0`.
    pub name: String,
    /// MTU; `None` keeps the kernel's (1500 on creation, unchanged on reconcile).
    pub mtu: Option<u32>,
    /// Gateway addresses with the subnet's prefix length, e.g. `172.18.0.1/16`.
    pub addresses: Vec<ipnet::IpNet>,
    /// Stored in the link's ifalias; marks the bridge as berth's (and which network owns it).
    pub alias: String,
}

/// A link as the kernel reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    pub name: String,
    pub index: u32,
    /// `IFLA_INFO_KIND`: "bridge", "veth", "dummy", ...; `None` for physical devices and `lo`.
    pub kind: Option<String>,
    pub alias: Option<String>,
    pub mtu: u32,
    /// The administrative up flag (IFF_UP), not the carrier.
    pub up: bool,
    /// Every address on the link, including kernel-made IPv6 link-local ones.
    pub addresses: Vec<ipnet::IpNet>,
}

/// Everything the engine asks of the kernel. `Send + Sync` so the daemon can share one.
pub trait Kernel: Send + Sync + 'static {
    /// Create the bridge if absent (name, mtu, ifalias, addresses — IPv6 ones without DAD —, then up).
    /// If a bridge with that name and the same alias exists, make it match the spec: add missing
    /// addresses, remove the others (IPv6 link-local excepted), set the mtu, set it up.
    /// If the name is taken by a link that is not a bridge or whose alias differs, return
    /// `NameInUse` and change nothing.
    fn ensure_bridge(&self, spec: &BridgeSpec) -> Result<(), NetsysError>;

    /// Delete a link by name; `Ok(())` if it does not exist.
    fn delete_link(&self, name: &str) -> Result<(), NetsysError>;

    /// Delete the bridge `name` only if it carries `alias` (checked and deleted by index), so a
    /// late cleanup can never remove a newer bridge that took the same name. `Ok(())` if absent.
    fn delete_bridge(&self, name: &str, alias: &str) -> Result<(), NetsysError>;

    /// Create a container's network namespace, bind-mounted at `path`, with `lo` up (a fresh
    /// namespace has it down, and libcontainer does not raise it).
    fn create_sandbox(&self, path: &std::path::Path) -> Result<(), NetsysError>;

    /// Remove a container's network namespace; `Ok(())` if it is already gone.
    fn delete_sandbox(&self, path: &std::path::Path) -> Result<(), NetsysError>;

    /// All links with their kind, ifalias, mtu, up flag and addresses.
    fn list_links(&self) -> Result<Vec<LinkInfo>, NetsysError>;

    /// Destinations of the IPv4 and IPv6 routes of the main table, without default routes and
    /// without link-local, loopback and multicast destinations; sorted, no duplicates.
    fn route_destinations(&self) -> Result<Vec<ipnet::IpNet>, NetsysError>;

    /// Creates the veth pair with its container side born inside `spec.netns` (never created
    /// on the host and moved), configures both sides, and returns once the container side is
    /// up with its addresses and routes. All or nothing: if a step fails, what was made is
    /// deleted and the error returned. A taken host-side name is `NameInUse`, a taken
    /// container-side name `NameInUseInNetns`, a missing bridge `BridgeNotFound`.
    fn add_endpoint(&self, spec: &EndpointSpec) -> Result<(), NetsysError>;

    /// Deletes the veth pair through its host side `host_ifname`, only if that link is a veth
    /// carrying `alias` (checked and deleted by index, like `delete_bridge`); `Ok(())` and no
    /// change if it is absent or not ours. Blocks for the kernel's veth teardown (~26 ms).
    fn remove_endpoint(&self, host_ifname: &str, alias: &str) -> Result<(), NetsysError>;

    /// Makes `ifname` in `netns` carry the default route of each family given (replacing the
    /// family's default), and removes every default route of a family given as `None`.
    fn set_default_routes(
        &self,
        netns: &std::path::Path,
        v4: Option<(&str, std::net::Ipv4Addr)>,
        v6: Option<(&str, std::net::Ipv6Addr)>,
    ) -> Result<(), NetsysError>;

    /// Gives `lo` in `netns` its `::1` or takes it away. Docker shows no IPv6 inside a
    /// container that has no IPv6 endpoint, not even on `lo`.
    fn set_loopback_ipv6(&self, netns: &std::path::Path, enabled: bool) -> Result<(), NetsysError>;
}

/// Lets the engine hold an `Arc<RecordingKernel>` (or `Arc<dyn Kernel>`) and tests keep a clone.
impl<K: Kernel + ?Sized> Kernel for Arc<K> {
    fn ensure_bridge(&self, spec: &BridgeSpec) -> Result<(), NetsysError> {
        (**self).ensure_bridge(spec)
    }
    fn delete_link(&self, name: &str) -> Result<(), NetsysError> {
        (**self).delete_link(name)
    }
    fn delete_bridge(&self, name: &str, alias: &str) -> Result<(), NetsysError> {
        (**self).delete_bridge(name, alias)
    }
    fn create_sandbox(&self, path: &std::path::Path) -> Result<(), NetsysError> {
        (**self).create_sandbox(path)
    }
    fn delete_sandbox(&self, path: &std::path::Path) -> Result<(), NetsysError> {
        (**self).delete_sandbox(path)
    }
    fn list_links(&self) -> Result<Vec<LinkInfo>, NetsysError> {
        (**self).list_links()
    }
    fn route_destinations(&self) -> Result<Vec<ipnet::IpNet>, NetsysError> {
        (**self).route_destinations()
    }
    fn add_endpoint(&self, spec: &EndpointSpec) -> Result<(), NetsysError> {
        (**self).add_endpoint(spec)
    }
    fn remove_endpoint(&self, host_ifname: &str, alias: &str) -> Result<(), NetsysError> {
        (**self).remove_endpoint(host_ifname, alias)
    }
    fn set_default_routes(
        &self,
        netns: &std::path::Path,
        v4: Option<(&str, std::net::Ipv4Addr)>,
        v6: Option<(&str, std::net::Ipv6Addr)>,
    ) -> Result<(), NetsysError> {
        (**self).set_default_routes(netns, v4, v6)
    }
    fn set_loopback_ipv6(&self, netns: &std::path::Path, enabled: bool) -> Result<(), NetsysError> {
        (**self).set_loopback_ipv6(netns, enabled)
    }
}

/// The kernel's rules for interface names (dev_valid_name): 1..=15 bytes, no '/', ':' or
/// whitespace, not "." or "..". Checked up front so the error names the problem.
pub fn validate_link_name(name: &str) -> Result<(), NetsysError> {
    let reason = if name.is_empty() {
        Some("empty")
    } else if name.len() > 15 {
        Some("longer than 15 bytes")
    } else if name == "." || name == ".." {
        Some("reserved name")
    } else if name
        .chars()
        .any(|c| c == '/' || c == ':' || c.is_whitespace())
    {
        Some("contains '/', ':' or whitespace")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(NetsysError::InvalidName {
            name: name.to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Destinations `route_destinations` leaves out: default routes and link-local, loopback and
/// multicast ranges, none of which a network's subnet could sensibly collide with.
pub(crate) fn is_route_noise(dst: &ipnet::IpNet) -> bool {
    if dst.prefix_len() == 0 {
        return true;
    }
    match dst.addr() {
        std::net::IpAddr::V4(a) => a.is_link_local() || a.is_loopback() || a.is_multicast(),
        std::net::IpAddr::V6(a) => {
            a.is_loopback() || a.is_multicast() || (a.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// IPv6 link-local addresses are made by the kernel; reconcile must leave them alone.
pub(crate) fn is_ipv6_link_local(net: &ipnet::IpNet) -> bool {
    matches!(net.addr(), std::net::IpAddr::V6(a) if (a.segments()[0] & 0xffc0) == 0xfe80)
}
