//! The real kernel: rtnetlink requests over a synchronous socket.

mod addresses;
mod bridge;
pub use bridge::STAGING_PREFIX;
mod endpoint;
mod links;
mod ns_socket;
mod route_cache;
mod routes;
mod socket;
mod veth;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use ipnet::IpNet;

use crate::{BridgeSpec, EndpointSpec, Kernel, LinkInfo, NetsysError};
use socket::NlSocket;

/// A netlink connection to the network namespace of the thread that called [`Netlink::new`].
/// Requests are serialised by a mutex, so each multi-step operation (e.g. `ensure_bridge`) is
/// atomic with respect to other callers of the same `Netlink`.
pub struct Netlink {
    socket: Mutex<NlSocket>,
    /// A second socket for link deletions: the kernel takes tens of milliseconds to tear a
    /// bridge down, and requests on the main socket must not queue behind that.
    teardown: Mutex<NlSocket>,
    routes: Mutex<route_cache::RouteCache>,
    /// Opens sockets inside container namespaces for endpoint configuration.
    ns_sockets: ns_socket::NsSocketOpener,
}

impl Netlink {
    /// Opens a socket bound to the calling thread's netns; use [`crate::in_netns`] to open one
    /// for another namespace.
    pub fn new() -> Result<Self, NetsysError> {
        Ok(Netlink {
            socket: Mutex::new(NlSocket::open()?),
            teardown: Mutex::new(NlSocket::open()?),
            routes: Mutex::new(route_cache::RouteCache::new()),
            ns_sockets: ns_socket::NsSocketOpener::new()?,
        })
    }

    /// A panic while holding the lock leaves the socket usable: replies to an abandoned request
    /// carry an old sequence number and are skipped.
    fn socket(&self) -> MutexGuard<'_, NlSocket> {
        self.socket
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn teardown_socket(&self) -> MutexGuard<'_, NlSocket> {
        self.teardown
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// One link by name, with its addresses; `None` if absent.
    pub fn link(&self, name: &str) -> Result<Option<LinkInfo>, NetsysError> {
        let mut sock = self.socket();
        let Some(mut link) = links::get(&mut sock, name)? else {
            return Ok(None);
        };
        link.addresses = addresses::of_link(&mut sock, link.index)?;
        Ok(Some(link))
    }

    /// Adds an address (IPv6 without DAD); already present is fine.
    pub fn add_address(&self, index: u32, net: &IpNet) -> Result<(), NetsysError> {
        addresses::add(&mut self.socket(), index, net)
    }

    /// Removes an address; already absent is fine.
    pub fn delete_address(&self, index: u32, net: &IpNet) -> Result<(), NetsysError> {
        addresses::delete(&mut self.socket(), index, net)
    }

    pub fn set_mtu(&self, index: u32, mtu: u32) -> Result<(), NetsysError> {
        links::set_mtu(&mut self.socket(), index, mtu)
    }

    pub fn set_up(&self, index: u32) -> Result<(), NetsysError> {
        links::set_up(&mut self.socket(), index)
    }

    /// Adds a static route to the main table, via `gateway` or directly on link `index`
    /// (e.g. a container's default route: `0.0.0.0/0` via the bridge's gateway).
    pub fn add_route(
        &self,
        index: u32,
        destination: &IpNet,
        gateway: Option<std::net::IpAddr>,
    ) -> Result<(), NetsysError> {
        routes::add(&mut self.socket(), index, destination, gateway)
    }

    pub fn set_down(&self, index: u32) -> Result<(), NetsysError> {
        links::set_down(&mut self.socket(), index)
    }

    /// Creates a (down) dummy link. Needs the `dummy` driver, which some kernels lack; see
    /// [`Netlink::create_veth_pair`].
    pub fn create_dummy(&self, name: &str) -> Result<(), NetsysError> {
        crate::kernel::validate_link_name(name)?;
        links::create_plain(&mut self.socket(), name, None)
    }

    /// Creates a (down) veth pair in this namespace. For tests that need a link that is not a
    /// bridge; veth is built into every kernel that can run containers.
    pub fn create_veth_pair(&self, name: &str, peer: &str) -> Result<(), NetsysError> {
        crate::kernel::validate_link_name(name)?;
        crate::kernel::validate_link_name(peer)?;
        links::create_plain(&mut self.socket(), name, Some(peer))
    }
}

impl Kernel for Netlink {
    fn ensure_bridge(&self, spec: &BridgeSpec) -> Result<(), NetsysError> {
        bridge::ensure(&mut self.socket(), spec)
    }

    fn delete_link(&self, name: &str) -> Result<(), NetsysError> {
        crate::kernel::validate_link_name(name)?;
        links::delete(&mut self.teardown_socket(), name)
    }

    fn create_sandbox(&self, path: &std::path::Path) -> Result<(), NetsysError> {
        crate::netns::create_netns(path)?;
        let raised = crate::netns::in_netns(path, || -> Result<(), NetsysError> {
            let nl = Netlink::new()?;
            // `lo` is always ifindex 1 in a fresh namespace
            nl.set_up(1)
        })
        .and_then(|r| r);
        if let Err(e) = raised {
            let _ = crate::netns::delete_netns(path);
            return Err(e);
        }
        Ok(())
    }

    fn delete_sandbox(&self, path: &std::path::Path) -> Result<(), NetsysError> {
        crate::netns::delete_netns(path)
    }

    fn delete_bridge(&self, name: &str, alias: &str) -> Result<(), NetsysError> {
        crate::kernel::validate_link_name(name)?;
        let mut sock = self.teardown_socket();
        match links::get(&mut sock, name)? {
            Some(link)
                if link.kind.as_deref() == Some("bridge")
                    && link.alias.as_deref() == Some(alias) =>
            {
                links::delete_by_index(&mut sock, link.index)
            }
            _ => Ok(()),
        }
    }

    fn list_links(&self) -> Result<Vec<LinkInfo>, NetsysError> {
        let mut sock = self.socket();
        let mut all = links::dump(&mut sock)?;
        // Thousands of veths are expected on a busy host: join through a map, not a scan.
        let position: HashMap<u32, usize> = all
            .iter()
            .enumerate()
            .map(|(at, link)| (link.index, at))
            .collect();
        for (index, net) in addresses::dump(&mut sock)? {
            if let Some(&at) = position.get(&index) {
                all[at].addresses.push(net);
            }
        }
        Ok(all)
    }

    fn route_destinations(&self) -> Result<Vec<IpNet>, NetsysError> {
        let mut cache = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        cache.destinations(&mut self.socket())
    }

    fn add_endpoint(&self, spec: &EndpointSpec) -> Result<(), NetsysError> {
        endpoint::add(self, spec)
    }

    fn remove_endpoint(&self, host_ifname: &str, alias: &str) -> Result<(), NetsysError> {
        endpoint::remove(self, host_ifname, alias)
    }

    fn set_default_routes(
        &self,
        netns: &std::path::Path,
        v4: Option<(&str, std::net::Ipv4Addr)>,
        v6: Option<(&str, std::net::Ipv6Addr)>,
    ) -> Result<(), NetsysError> {
        endpoint::set_default_routes(self, netns, v4, v6)
    }

    fn set_loopback_ipv6(&self, netns: &std::path::Path, enabled: bool) -> Result<(), NetsysError> {
        endpoint::set_loopback_ipv6(self, netns, enabled)
    }
}
