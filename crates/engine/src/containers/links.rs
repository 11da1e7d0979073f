//! Legacy links on the default bridge (`--link NAME[:ALIAS]`): checked at create, resolved at
//! start into `/etc/hosts` lines and environment variables, and followed when a linked
//! container starts again with a new address. On user-defined networks a link is a DNS alias
//! instead, and none of this applies (as in Docker).

use super::lookup::find;
use super::ContainerTable;
use crate::Engine;
use berth_model::container::links::{link_env, link_host_lines, parse_link, LinkedChild};
use berth_model::container::{Container, NetworkMode};
use berth_model::ApiError;
use std::collections::HashMap;

/// What a container's links give it at start.
#[derive(Default)]
pub(crate) struct LinkSetup {
    /// (ip, names) pairs for /etc/hosts.
    pub hosts: Vec<(String, String)>,
    pub env: Vec<String>,
}

/// Whether a container uses legacy links (only in the default bridge mode).
pub(crate) fn uses_legacy_links(c: &Container) -> bool {
    c.request.host.network_mode == NetworkMode::Bridge && !c.request.host.links.is_empty()
}

impl Engine {
    /// At create: every linked container must exist. Docker answers 400 here, not 404, so
    /// clients don't mistake it for a missing image.
    pub(crate) fn check_links_exist(
        all: &HashMap<String, Container>,
        c: &berth_model::container::CreateContainer,
    ) -> Result<(), ApiError> {
        if c.host.network_mode != NetworkMode::Bridge {
            return Ok(());
        }
        for spec in &c.host.links {
            let (name, _) = parse_link(spec);
            if let Err(e) = find(all, &name) {
                return Err(ApiError::invalid(format!(
                    "could not get container for {name}: {}",
                    e.message
                )));
            }
        }
        Ok(())
    }

    /// At start: each linked container must run on the default bridge; Docker's errors.
    pub(crate) fn resolve_links(
        &self,
        table: &ContainerTable,
        c: &Container,
    ) -> Result<LinkSetup, ApiError> {
        let mut setup = LinkSetup::default();
        if !uses_legacy_links(c) {
            return Ok(setup);
        }
        let all = table.lock_all();
        for spec in &c.request.host.links {
            let (name, alias) = parse_link(spec);
            let child = find(&all, &name).map_err(|e| {
                ApiError::invalid(format!("could not get container for {name}: {}", e.message))
            })?;
            if !child.state.is_running() {
                return Err(ApiError::internal(format!(
                    "Cannot link to a non running container: /{} AS /{}/{alias}",
                    child.name, c.name
                )));
            }
            let Some(linked) = self.linked_child(child) else {
                return Err(ApiError::internal(format!(
                    "Cannot link to /{}, as it does not belong to the default network",
                    child.name
                )));
            };
            setup.hosts.extend(link_host_lines(&alias, &linked));
            setup.env.extend(link_env(&alias, &c.name, &linked));
        }
        Ok(setup)
    }

    /// The /etc/hosts lines of a running container's links as things stand now (after a
    /// linked container restarted elsewhere); links that can't be resolved are left out.
    pub(crate) fn current_link_hosts(
        &self,
        all: &HashMap<String, Container>,
        c: &Container,
    ) -> Vec<(String, String)> {
        let mut lines = Vec::new();
        if !uses_legacy_links(c) {
            return lines;
        }
        for spec in &c.request.host.links {
            let (name, alias) = parse_link(spec);
            let Ok(child) = find(all, &name) else {
                continue;
            };
            if let Some(linked) = self.linked_child(child) {
                lines.extend(link_host_lines(&alias, &linked));
            }
        }
        lines
    }

    /// A container's endpoint on the default bridge, as a link sees it.
    fn linked_child<'a>(&self, child: &'a Container) -> Option<LinkedChild<'a>> {
        let (_, ep) = child
            .endpoints()
            .find(|(a, _)| a.network_name == "bridge")?;
        Some(LinkedChild {
            name: &child.name,
            hostname: &child.hostname,
            ipv4: ep.ipv4.map(|n| n.addr()),
            ipv6: ep.ipv6.map(|n| n.addr()),
            exposed: child.config.exposed_ports.iter().copied().collect(),
            env: &child.config.env,
        })
    }

    /// After `child` started: rewrite the /etc/hosts of running containers linking to it, so
    /// their line follows its new address (Docker does the same).
    pub(crate) fn refresh_linking_hosts(&self, table: &ContainerTable, child_id: &str) {
        let all = table.lock_all();
        let Some(child) = all.get(child_id) else {
            return;
        };
        for parent in all.values() {
            if !parent.state.is_running() || !uses_legacy_links(parent) {
                continue;
            }
            let links_here = parent.request.host.links.iter().any(|spec| {
                let (name, _) = parse_link(spec);
                name == child.name || child.id.starts_with(&name)
            });
            if !links_here {
                continue;
            }
            let hosts = self.hosts_content(parent, &self.current_link_hosts(&all, parent));
            let path = table.paths(&parent.id).hosts;
            if let Err(e) = std::fs::write(&path, hosts) {
                tracing::warn!(container = %parent.id, error = %e, "cannot update /etc/hosts for a link");
            }
        }
    }
}
