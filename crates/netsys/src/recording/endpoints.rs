//! The recording kernel's container endpoints: host sides as links, container sides and
//! default routes per namespace path, with the same refusals as the real kernel.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use super::State;
use crate::endpoint::format_mac;
use crate::kernel::validate_link_name;
use crate::{EndpointSpec, LinkInfo, NetsysError};

/// The default route of each family inside one namespace: (link name, gateway).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefaultRoutes {
    pub v4: Option<(String, Ipv4Addr)>,
    pub v6: Option<(String, Ipv6Addr)>,
}

fn describe(spec: &EndpointSpec) -> String {
    let addrs: Vec<String> = spec.addresses.iter().map(|a| a.to_string()).collect();
    let mut line = format!(
        "add_endpoint {} {} {} mac={} addrs=[{}]",
        spec.host_ifname,
        spec.ifname,
        spec.bridge,
        format_mac(&spec.mac),
        addrs.join(",")
    );
    if let Some(gw) = spec.default_v4 {
        line.push_str(&format!(" v4gw={gw}"));
    }
    if let Some(gw) = spec.default_v6 {
        line.push_str(&format!(" v6gw={gw}"));
    }
    line
}

fn describe_route<A: std::fmt::Display>(route: Option<(&str, A)>) -> String {
    match route {
        Some((ifname, gw)) => format!("{ifname} via {gw}"),
        None => "none".to_string(),
    }
}

impl State {
    pub(super) fn add_endpoint(&mut self, spec: &EndpointSpec) -> Result<(), NetsysError> {
        self.enter("add_endpoint", Some(describe(spec)))?;
        spec.validate()?;
        let bridge_ok = self
            .links
            .iter()
            .any(|l| l.name == spec.bridge && l.kind.as_deref() == Some("bridge"));
        if !bridge_ok {
            return Err(NetsysError::BridgeNotFound {
                name: spec.bridge.clone(),
            });
        }
        if self.links.iter().any(|l| l.name == spec.host_ifname) {
            return Err(NetsysError::NameInUse {
                name: spec.host_ifname.clone(),
            });
        }
        if self
            .endpoints
            .iter()
            .any(|e| e.netns == spec.netns && e.ifname == spec.ifname)
        {
            return Err(NetsysError::NameInUseInNetns {
                name: spec.ifname.clone(),
                netns: spec.netns.clone(),
            });
        }
        self.next_index += 1;
        self.links.push(LinkInfo {
            name: spec.host_ifname.clone(),
            index: self.next_index,
            kind: Some("veth".to_string()),
            alias: (!spec.alias.is_empty()).then(|| spec.alias.clone()),
            mtu: spec.mtu,
            up: true,
            addresses: vec![],
        });
        self.endpoints.push(spec.clone());
        let routes = self.default_routes.entry(spec.netns.clone()).or_default();
        if let Some(gw) = spec.default_v4 {
            routes.v4 = Some((spec.ifname.clone(), gw));
        }
        if let Some(gw) = spec.default_v6 {
            routes.v6 = Some((spec.ifname.clone(), gw));
        }
        Ok(())
    }

    pub(super) fn remove_endpoint(
        &mut self,
        host_ifname: &str,
        alias: &str,
    ) -> Result<(), NetsysError> {
        self.enter(
            "remove_endpoint",
            Some(format!("remove_endpoint {host_ifname}")),
        )?;
        validate_link_name(host_ifname)?;
        let ours = self.links.iter().any(|l| {
            l.name == host_ifname
                && l.kind.as_deref() == Some("veth")
                && l.alias.as_deref() == Some(alias)
        });
        if !ours {
            return Ok(());
        }
        self.links.retain(|l| l.name != host_ifname);
        let Some(at) = self
            .endpoints
            .iter()
            .position(|e| e.host_ifname == host_ifname)
        else {
            return Ok(());
        };
        let gone = self.endpoints.remove(at);
        // The kernel drops the routes through a deleted link.
        if let Some(routes) = self.default_routes.get_mut(&gone.netns) {
            if routes
                .v4
                .as_ref()
                .is_some_and(|(name, _)| *name == gone.ifname)
            {
                routes.v4 = None;
            }
            if routes
                .v6
                .as_ref()
                .is_some_and(|(name, _)| *name == gone.ifname)
            {
                routes.v6 = None;
            }
        }
        Ok(())
    }

    pub(super) fn set_default_routes(
        &mut self,
        netns: &Path,
        v4: Option<(&str, Ipv4Addr)>,
        v6: Option<(&str, Ipv6Addr)>,
    ) -> Result<(), NetsysError> {
        let line = format!(
            "set_default_routes {} v4={} v6={}",
            netns.display(),
            describe_route(v4),
            describe_route(v6)
        );
        self.enter("set_default_routes", Some(line))?;
        for name in v4.map(|r| r.0).into_iter().chain(v6.map(|r| r.0)) {
            validate_link_name(name)?;
            if !self
                .endpoints
                .iter()
                .any(|e| e.netns == netns && e.ifname == name)
            {
                // What the real kernel answers for a missing link.
                return Err(NetsysError::Netlink {
                    op: format!("find link {name} in {}", netns.display()),
                    errno: libc::ENODEV,
                    message: None,
                });
            }
        }
        self.default_routes.insert(
            netns.to_path_buf(),
            DefaultRoutes {
                v4: v4.map(|(name, gw)| (name.to_string(), gw)),
                v6: v6.map(|(name, gw)| (name.to_string(), gw)),
            },
        );
        Ok(())
    }

    /// The namespace died: its container sides went with it, and so did their host sides.
    pub(super) fn forget_netns(&mut self, netns: &Path) {
        let (gone, kept): (Vec<EndpointSpec>, Vec<EndpointSpec>) =
            std::mem::take(&mut self.endpoints)
                .into_iter()
                .partition(|e| e.netns == netns);
        self.endpoints = kept;
        self.links
            .retain(|l| !gone.iter().any(|e| e.host_ifname == l.name));
        self.default_routes.remove(netns);
    }
}
