//! An in-memory kernel for engine unit tests: it keeps links and routes, records every change
//! as a line of text, and can be told to fail the next call of an operation.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use ipnet::IpNet;

use crate::kernel::{is_ipv6_link_local, is_route_noise, validate_link_name};
use crate::{BridgeSpec, EndpointSpec, Kernel, LinkInfo, NetsysError};

mod endpoints;
pub use endpoints::DefaultRoutes;

#[derive(Default)]
struct State {
    links: Vec<LinkInfo>,
    routes: Vec<IpNet>,
    ops: Vec<String>,
    fail_next: HashSet<String>,
    next_index: u32,
    /// Endpoints added and not removed, oldest first.
    endpoints: Vec<EndpointSpec>,
    /// The default routes inside each container namespace.
    default_routes: HashMap<PathBuf, DefaultRoutes>,
}

/// Behaves like [`crate::Netlink`] for the [`Kernel`] operations, without a kernel.
///
/// `ops()` lists the mutating calls in order, e.g.
/// `"ensure_bridge br-x mtu=1500 addrs=[172.18.0.1/16]"` (`mtu=default` when unset),
/// `"delete_link br-x"`, `"delete_bridge br-x"`, `"create_sandbox /p"`, `"delete_sandbox /p"`,
/// `"add_endpoint veth1234567 eth0 br-x mac=02:42:ac:12:00:02 addrs=[172.18.0.2/16]
/// v4gw=172.18.0.1"` (` v4gw=`/` v6gw=` only when set), `"remove_endpoint veth1234567"` and
/// `"set_default_routes /p v4=eth1 via 172.19.0.1 v6=none"`. A call failed through
/// [`RecordingKernel::fail_next`] is recorded with a trailing `" FAILED"` and changes nothing.
/// Reads are not recorded.
///
/// Endpoints are modelled as the kernel keeps them: the host side is a link (kind "veth",
/// with the alias) that `list_links` shows; the container side and default routes are kept per
/// namespace path ([`RecordingKernel::endpoints`], [`RecordingKernel::default_routes`]);
/// removing an endpoint drops the default routes through it, and `delete_sandbox` drops the
/// namespace's endpoints with their host sides, as the kernel does when the namespace dies.
#[derive(Default)]
pub struct RecordingKernel {
    state: Mutex<State>,
}

impl RecordingKernel {
    /// Starts with `lo` (index 1, up) like a fresh network namespace.
    pub fn new() -> Self {
        let kernel = RecordingKernel::default();
        kernel.add_link(LinkInfo {
            name: "lo".to_string(),
            index: 0,
            kind: None,
            alias: None,
            mtu: 65536,
            up: true,
            addresses: vec![],
        });
        kernel
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The mutating operations so far, oldest first.
    pub fn ops(&self) -> Vec<String> {
        self.state().ops.clone()
    }

    /// Makes the next call of `op` (a [`Kernel`] method's name: "ensure_bridge",
    /// "add_endpoint", "list_links", ...) fail with [`NetsysError::Injected`]. Once only.
    pub fn fail_next(&self, op: &str) {
        self.state().fail_next.insert(op.to_string());
    }

    /// The endpoints present (added and not removed), oldest first.
    pub fn endpoints(&self) -> Vec<EndpointSpec> {
        self.state().endpoints.clone()
    }

    /// The default routes inside the namespace at `netns` (none for an unknown path).
    pub fn default_routes(&self, netns: &Path) -> DefaultRoutes {
        self.state()
            .default_routes
            .get(netns)
            .cloned()
            .unwrap_or_default()
    }

    /// Pretends the host has a route to `dst` (main table).
    pub fn add_route(&self, dst: IpNet) {
        self.state().routes.push(dst);
    }

    /// Puts a link in place as if someone else made it (e.g. a foreign dummy, or a bridge left
    /// from a previous run). An `index` of 0 is replaced by the next free index.
    pub fn add_link(&self, mut link: LinkInfo) {
        let mut state = self.state();
        state.next_index += 1;
        if link.index == 0 {
            link.index = state.next_index;
        }
        state.links.retain(|l| l.name != link.name);
        state.links.push(link);
    }
}

impl State {
    /// Records the call; fails it if it was armed. `line` is only built for mutating calls.
    fn enter(&mut self, op: &str, line: Option<String>) -> Result<(), NetsysError> {
        let failing = self.fail_next.remove(op);
        if let Some(line) = line {
            self.ops.push(if failing {
                format!("{line} FAILED")
            } else {
                line
            });
        }
        if failing {
            Err(NetsysError::Injected { op: op.to_string() })
        } else {
            Ok(())
        }
    }
}

fn describe(spec: &BridgeSpec) -> String {
    let mtu = spec
        .mtu
        .map_or_else(|| "default".to_string(), |m| m.to_string());
    let addrs: Vec<String> = spec.addresses.iter().map(|a| a.to_string()).collect();
    format!(
        "ensure_bridge {} mtu={} addrs=[{}]",
        spec.name,
        mtu,
        addrs.join(",")
    )
}

impl Kernel for RecordingKernel {
    fn ensure_bridge(&self, spec: &BridgeSpec) -> Result<(), NetsysError> {
        let mut state = self.state();
        state.enter("ensure_bridge", Some(describe(spec)))?;
        validate_link_name(&spec.name)?;
        if let Some(link) = state.links.iter_mut().find(|l| l.name == spec.name) {
            let ours = link.kind.as_deref() == Some("bridge")
                && link.alias.as_deref().unwrap_or("") == spec.alias;
            if !ours {
                return Err(NetsysError::NameInUse {
                    name: spec.name.clone(),
                });
            }
            link.addresses
                .retain(|a| is_ipv6_link_local(a) || spec.addresses.contains(a));
            for a in &spec.addresses {
                if !link.addresses.contains(a) {
                    link.addresses.push(*a);
                }
            }
            if let Some(mtu) = spec.mtu {
                link.mtu = mtu;
            }
            link.up = true;
            return Ok(());
        }
        state.next_index += 1;
        let index = state.next_index;
        state.links.push(LinkInfo {
            name: spec.name.clone(),
            index,
            kind: Some("bridge".to_string()),
            alias: (!spec.alias.is_empty()).then(|| spec.alias.clone()),
            mtu: spec.mtu.unwrap_or(1500),
            up: true,
            addresses: spec.addresses.clone(),
        });
        Ok(())
    }

    fn delete_link(&self, name: &str) -> Result<(), NetsysError> {
        let mut state = self.state();
        state.enter("delete_link", Some(format!("delete_link {name}")))?;
        validate_link_name(name)?;
        state.links.retain(|l| l.name != name);
        Ok(())
    }

    fn delete_bridge(&self, name: &str, alias: &str) -> Result<(), NetsysError> {
        let mut state = self.state();
        state.enter("delete_bridge", Some(format!("delete_bridge {name}")))?;
        validate_link_name(name)?;
        state.links.retain(|l| {
            !(l.name == name
                && l.kind.as_deref() == Some("bridge")
                && l.alias.as_deref() == Some(alias))
        });
        Ok(())
    }

    fn create_sandbox(&self, path: &std::path::Path) -> Result<(), NetsysError> {
        let mut state = self.state();
        state.enter(
            "create_sandbox",
            Some(format!("create_sandbox {}", path.display())),
        )
    }

    fn delete_sandbox(&self, path: &std::path::Path) -> Result<(), NetsysError> {
        let mut state = self.state();
        state.enter(
            "delete_sandbox",
            Some(format!("delete_sandbox {}", path.display())),
        )?;
        state.forget_netns(path);
        Ok(())
    }

    fn list_links(&self) -> Result<Vec<LinkInfo>, NetsysError> {
        let mut state = self.state();
        state.enter("list_links", None)?;
        Ok(state.links.clone())
    }

    /// Routes added with `add_route`, plus the connected routes of links that are up, as the
    /// kernel would report them.
    fn route_destinations(&self) -> Result<Vec<IpNet>, NetsysError> {
        let mut state = self.state();
        state.enter("route_destinations", None)?;
        let connected = state
            .links
            .iter()
            .filter(|l| l.up)
            .flat_map(|l| l.addresses.iter().map(|a| a.trunc()));
        let mut all: Vec<IpNet> = state.routes.iter().copied().chain(connected).collect();
        all.retain(|dst| !is_route_noise(dst));
        all.sort();
        all.dedup();
        Ok(all)
    }

    fn add_endpoint(&self, spec: &EndpointSpec) -> Result<(), NetsysError> {
        self.state().add_endpoint(spec)
    }

    fn remove_endpoint(&self, host_ifname: &str, alias: &str) -> Result<(), NetsysError> {
        self.state().remove_endpoint(host_ifname, alias)
    }

    fn set_default_routes(
        &self,
        netns: &Path,
        v4: Option<(&str, std::net::Ipv4Addr)>,
        v6: Option<(&str, std::net::Ipv6Addr)>,
    ) -> Result<(), NetsysError> {
        self.state().set_default_routes(netns, v4, v6)
    }

    fn set_loopback_ipv6(&self, netns: &Path, enabled: bool) -> Result<(), NetsysError> {
        let mut state = self.state();
        let op = format!("set_loopback_ipv6 {} {enabled}", netns.display());
        if state.fail_next.remove("set_loopback_ipv6") {
            state.ops.push(format!("{op} FAILED"));
            return Err(NetsysError::Injected {
                op: "set_loopback_ipv6".to_string(),
            });
        }
        state.ops.push(op);
        Ok(())
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod endpoint_tests;
