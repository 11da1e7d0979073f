//! An in-memory kernel for engine unit tests: it keeps links and routes, records every change
//! as a line of text, and can be told to fail the next call of an operation.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};

use ipnet::IpNet;

use crate::kernel::{is_ipv6_link_local, is_route_noise, validate_link_name};
use crate::{BridgeSpec, Kernel, LinkInfo, NetsysError};

#[derive(Default)]
struct State {
    links: Vec<LinkInfo>,
    routes: Vec<IpNet>,
    ops: Vec<String>,
    fail_next: HashSet<String>,
    next_index: u32,
}

/// Behaves like [`crate::Netlink`] for the four [`Kernel`] operations, without a kernel.
///
/// `ops()` lists the mutating calls (`ensure_bridge`, `delete_link`) in order, e.g.
/// `"ensure_bridge br-x mtu=1500 addrs=[172.18.0.1/16]"` (`mtu=default` when unset) and
/// `"delete_link br-x"`. A call failed through [`RecordingKernel::fail_next`] is recorded with
/// a trailing `" FAILED"` and changes nothing. Reads are not recorded.
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

    /// Makes the next call of `op` ("ensure_bridge", "delete_link", "list_links" or
    /// "route_destinations") fail with [`NetsysError::Injected`]. Once only.
    pub fn fail_next(&self, op: &str) {
        self.state().fail_next.insert(op.to_string());
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
        )
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
}

#[cfg(test)]
mod tests;
