//! The engine's side of the embedded DNS server: the name table is rebuilt from the running
//! containers after every change that could alter an answer (start, stop, rm, rename,
//! connect, disconnect) and swapped in before the API call returns; each running container
//! with an endpoint on a user-defined network is served on its own sockets inside its netns.

use crate::containers::ContainerTable;
use crate::Engine;
use berth_dns::{open_sockets, DnsServer, ForwardConfig, TableBuilder};
use berth_model::container::links::parse_link;
use berth_model::container::Container;
use berth_model::network::Network;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

/// Docker forwards to at most three upstream servers.
const MAX_UPSTREAMS: usize = 3;

/// Only user-defined networks get name resolution; the default bridge has links instead.
pub(crate) fn resolves_names(net: &Network) -> bool {
    !net.predefined
}

impl Engine {
    /// Plugs in the DNS server (the daemon does; engine unit tests run without one).
    pub fn enable_dns(&self, server: Arc<DnsServer>) {
        let _ = self.dns.set(server);
    }

    /// Whether a container asks its names of 127.0.0.11: it has an attachment on a
    /// user-defined network.
    pub(crate) fn wants_resolver(&self, c: &Container) -> bool {
        let snapshot = self.state.networks();
        c.networks.iter().any(|a| {
            snapshot
                .iter()
                .find(|n| {
                    n.id == a.network_id || (a.network_id.is_empty() && n.name == a.network_name)
                })
                .is_some_and(|n| resolves_names(n))
        })
    }

    /// Rebuilds the table from the running containers and swaps it in.
    pub(crate) fn publish_names(&self, table: &ContainerTable) {
        let Some(dns) = self.dns.get() else { return };
        let snapshot = self.state.networks();
        let mut b = TableBuilder::new();
        for net in snapshot.iter().filter(|n| resolves_names(n)) {
            b.network(&net.id, &net.name, net.internal);
        }
        let all = table.lock_all();
        for c in all.values().filter(|c| c.state.is_running()) {
            for (a, ep) in c.endpoints() {
                let Some(net) = snapshot.iter().find(|n| n.id == a.network_id) else {
                    continue;
                };
                if !resolves_names(net) {
                    continue;
                }
                b.endpoint(
                    &c.id,
                    &a.network_id,
                    &c.dns_names(&a.config.aliases),
                    ep.ipv4.map(|n| n.addr()),
                    ep.ipv6.map(|n| n.addr()),
                );
                // On a user-defined network a link is an alias only the linker sees.
                for spec in &a.config.links {
                    let (name, alias) = parse_link(spec);
                    if let Ok(target) = crate::containers::find_container(&all, &name) {
                        b.link(&c.id, &a.network_id, &alias, &target.id);
                    }
                }
            }
        }
        drop(all);
        dns.publish(b.build());
    }

    /// Starts answering at 127.0.0.11 inside a running container's netns, if it is on a
    /// user-defined network. Failing to serve is logged, not fatal: the container runs, its
    /// lookups fail as they would with a dead resolver.
    pub(crate) fn serve_names(&self, c: &Container, netns: &Path) {
        let Some(dns) = self.dns.get() else { return };
        if !self.wants_resolver(c) {
            return;
        }
        let sockets = match open_sockets(netns) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(container = %c.id, error = %e, "cannot open the DNS sockets");
                return;
            }
        };
        if let Err(e) = dns.serve(&c.id, sockets, self.forward_config(c)) {
            tracing::error!(container = %c.id, error = %e, "cannot serve DNS");
        }
    }

    pub(crate) fn serves_names(&self, id: &str) -> bool {
        self.dns
            .get()
            .is_some_and(|d| d.serving().iter().any(|s| s == id))
    }

    pub(crate) fn stop_names(&self, id: &str) {
        if let Some(dns) = self.dns.get() {
            dns.stop(id);
        }
    }

    /// Upstreams: the container's `--dns`, else the host's nameservers (loopback ones too:
    /// forwarding runs in the daemon's namespace, where the host's 127.0.0.53 answers).
    fn forward_config(&self, c: &Container) -> ForwardConfig {
        let h = &c.request.host;
        let mut servers: Vec<IpAddr> = h.dns.iter().filter_map(|s| s.parse().ok()).collect();
        if servers.is_empty() {
            let host = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
            servers = host
                .lines()
                .filter_map(|l| {
                    let mut w = l.split_whitespace();
                    (w.next() == Some("nameserver"))
                        .then(|| w.next())
                        .flatten()
                        .and_then(|ip| ip.parse().ok())
                })
                .collect();
        }
        servers.truncate(MAX_UPSTREAMS);
        let ndots = h
            .dns_options
            .iter()
            .filter_map(|o| o.strip_prefix("ndots:"))
            .filter_map(|n| n.parse::<u32>().ok())
            .next_back()
            .unwrap_or(0);
        let snapshot = self.state.networks();
        let all_internal = c
            .networks
            .iter()
            .filter_map(|a| snapshot.iter().find(|n| n.id == a.network_id))
            .filter(|n| resolves_names(n))
            .all(|n| n.internal);
        ForwardConfig {
            upstreams: servers
                .into_iter()
                .map(|ip| SocketAddr::new(ip, 53))
                .collect(),
            ndots,
            forward: !all_internal,
        }
    }

    /// After a daemon restart: every running container on a user-defined network answers
    /// again.
    pub(crate) fn restore_names(&self) {
        let Ok(table) = self.containers() else { return };
        let running: Vec<Container> = table
            .lock_all()
            .values()
            .filter(|c| c.state.is_running())
            .cloned()
            .collect();
        self.publish_names(table);
        for c in running {
            self.serve_names(&c, &table.paths(&c.id).netns);
        }
    }
}
