//! `POST /networks/{id}/connect` and `/disconnect`: on a running container the endpoint is
//! plugged in or out at once (hot-plug); on a created or stopped one the change is recorded
//! and applied at its next start, as Docker does.

use super::attachments::{check_driver, PRIVATE_NETNS, SHARED_NETNS};
use crate::containers::hold;
use crate::lookup::find_network;
use crate::Engine;
use berth_model::container::create::EndpointRequest;
use berth_model::container::{Attachment, NetworkMode};
use berth_model::endpoint::validate::validate_endpoint;
use berth_model::network::driver::Driver;
use berth_model::ApiError;
use std::sync::Arc;

impl Engine {
    pub fn connect_network(
        self: &Arc<Self>,
        network: &str,
        container: &str,
        config: EndpointRequest,
    ) -> Result<(), ApiError> {
        let table = self.containers()?;
        let snapshot = self.state.networks();
        let net = find_network(&snapshot, network)?.clone();
        let id = table.resolve_id(container)?;
        let lock = table.op_lock(&id);
        let _op = hold(&lock);
        let mut c = table
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("No such container: {container}")))?;
        match &c.request.host.network_mode {
            NetworkMode::Container(_) => return Err(ApiError::invalid(SHARED_NETNS)),
            NetworkMode::Host if net.driver == Driver::Host => return Err(ApiError::invalid(
                "container cannot be disconnected from host network or connected to host network",
            )),
            NetworkMode::Host => return Err(ApiError::invalid(SHARED_NETNS)),
            NetworkMode::None if net.driver == Driver::Null => {}
            NetworkMode::None => return Err(ApiError::invalid(PRIVATE_NETNS)),
            _ => {}
        }
        check_driver(&net)?;
        validate_endpoint(&net, &config)?;
        let running = c.state.is_running();
        // Docker keys a container's networks by name: an attachment made before its network
        // existed, or to a network since re-created under the same name, is this one.
        let same = |a: &Attachment| a.network_id == net.id || a.network_name == net.name;
        if c.networks.iter().any(same) {
            if running {
                return Err(ApiError::forbidden(format!(
                    "endpoint with name {} already exists in network {}",
                    c.name, net.name
                )));
            }
            // Docker replaces the stored settings of a container that isn't running.
            if let Some(a) = c.networks.iter_mut().find(|a| same(a)) {
                a.config = config;
                a.network_id = net.id.clone();
            }
            return self.save_container(table, c);
        }
        c.networks.push(Attachment {
            network_id: net.id.clone(),
            network_name: net.name.clone(),
            config,
            endpoint: None,
        });
        // The attach cost as the benchmarks define it: from "namespace exists" to "interface
        // configured, route set, endpoint stored" (bench/endpoints.sh reads it from the log).
        let started = std::time::Instant::now();
        let mut firewall = None;
        if running {
            let index = c.networks.len() - 1;
            let netns = table.paths(&id).netns;
            self.plug_one(&mut c, index, &netns)?;
            match self.apply_firewall_with(&c) {
                Ok(guard) => firewall = Some(guard),
                Err(e) => {
                    self.unplug_one(&mut c, index, &netns);
                    return Err(e);
                }
            }
        }
        let retargeted = running && self.retarget_published(table, &mut c);
        let plug_us = started.elapsed().as_micros() as u64;
        let saved = self.save_container(table, c.clone());
        if saved.is_err() && running {
            let index = c.networks.len() - 1;
            self.unplug_one(&mut c, index, &table.paths(&id).netns);
        }
        match firewall {
            // Dropped uncommitted, the override re-applies the table from the store.
            Some(guard) if saved.is_ok() => guard.committed(),
            guard => drop(guard),
        }
        saved?;
        if retargeted {
            // The ports now go to the new default route's endpoint.
            self.sync_firewall_or_log("published ports retargeted");
        }
        if running {
            self.events
                .publish(self.network_event(&net.id, &net.name, "connect", Some(&id)));
            let attach_us = started.elapsed().as_micros() as u64;
            self.names_after_connect(table, &c);
            tracing::info!(container = %id, network = %net.name, attach_us, plug_us, "connected");
        } else {
            tracing::info!(container = %id, network = %net.name, "connected");
        }
        Ok(())
    }

    pub fn disconnect_network(
        self: &Arc<Self>,
        network: &str,
        container: &str,
        force: bool,
    ) -> Result<(), ApiError> {
        let table = self.containers()?;
        let snapshot = self.state.networks();
        let found = find_network(&snapshot, network).cloned();
        let id = table.resolve_id(container)?;
        let lock = table.op_lock(&id);
        let _op = hold(&lock);
        let mut c = table
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("No such container: {container}")))?;
        let (net_id, net_name) = match &found {
            Ok(net) => (net.id.clone(), net.name.clone()),
            Err(e) => {
                // With force, a network that is gone can still be let go of by name or ID.
                let stale = c
                    .networks
                    .iter()
                    .find(|a| a.network_name == network || a.network_id.starts_with(network));
                match stale {
                    Some(a) if force => (a.network_id.clone(), a.network_name.clone()),
                    _ => return Err(e.clone()),
                }
            }
        };
        if let Ok(net) = &found {
            if net.driver == Driver::Host && c.request.host.network_mode == NetworkMode::Host {
                return Err(ApiError::invalid(
                    "cannot disconnect container from host network - container was created in host network mode",
                ));
            }
        }
        let Some(index) = c.networks.iter().position(|a| {
            a.network_id == net_id || (a.network_id.is_empty() && a.network_name == net_name)
        }) else {
            // moby words it differently for a container that is not running.
            let the = if c.state.is_running() { "" } else { "the " };
            return Err(ApiError::internal(format!(
                "container {} is not connected to {the}network {net_name}",
                c.id
            )));
        };
        if c.networks[index].endpoint.is_some() {
            let netns = table.paths(&id).netns;
            self.unplug_one(&mut c, index, &netns);
        }
        c.networks.remove(index);
        if c.state.is_running() {
            // The table re-applied below carries the ports to their new endpoint.
            self.retarget_published(table, &mut c);
        }
        self.save_container(table, c.clone())?;
        self.events
            .publish(self.network_event(&net_id, &net_name, "disconnect", Some(&id)));
        if c.state.is_running() {
            self.rewrite_hosts(table, &c);
            self.sync_firewall_or_log("disconnect");
        }
        self.publish_names(table);
        tracing::info!(container = %id, network = %net_name, "disconnected");
        Ok(())
    }
}

impl Engine {
    /// A running container that joins its first user-defined network starts asking
    /// 127.0.0.11, as Docker rewrites its resolv.conf then; every peer sees its names at once.
    fn names_after_connect(
        &self,
        table: &crate::containers::ContainerTable,
        c: &berth_model::container::Container,
    ) {
        let paths = table.paths(&c.id);
        self.rewrite_hosts(table, c);
        if self.wants_resolver(c) && !self.serves_names(&c.id) {
            self.serve_names(c, &paths.netns);
            if let Err(e) = std::fs::write(&paths.resolv_conf, self.resolv_content(c)) {
                tracing::warn!(container = %c.id, error = %e, "cannot rewrite resolv.conf");
            }
        }
        self.publish_names(table);
    }

    /// A running container's /etc/hosts after its endpoints changed: a line for each endpoint's
    /// addresses, as Docker adds one when an endpoint joins and removes it when it leaves.
    fn rewrite_hosts(
        &self,
        table: &crate::containers::ContainerTable,
        c: &berth_model::container::Container,
    ) {
        let link_hosts = {
            let all = table.lock_all();
            self.current_link_hosts(&all, c)
        };
        let path = table.paths(&c.id).hosts;
        if let Err(e) = std::fs::write(&path, self.hosts_content(c, &link_hosts)) {
            tracing::warn!(container = %c.id, error = %e, "cannot rewrite /etc/hosts");
        }
    }
}
