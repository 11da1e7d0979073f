//! Published ports over a container's life: chosen at start (after its endpoints exist, so
//! the container's address is known), held while it runs, given back when it stops. Every
//! host port held by a running container is reserved: a second container asking for it fails
//! its start with Docker's `port is already allocated`, and the check and the reservation are
//! one step under one lock, so of two concurrent starts asking for a port exactly one wins.

use super::ContainerTable;
use crate::Engine;
use berth_model::container::port_alloc::{
    allocate, AllocError, AllocRequest, Availability, Ephemeral, Targets,
};
use berth_model::container::ports::Proto;
use berth_model::container::published::PublishedPort;
use berth_model::container::Container;
use berth_model::ApiError;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Mutex, MutexGuard};

/// Docker's fallback when the kernel's local port range cannot be read.
const FALLBACK_EPHEMERAL: (u16, u16) = (49153, 65535);

/// The host ports held by running (or starting) containers.
#[derive(Default)]
pub(crate) struct PortReservations {
    inner: Mutex<Reserved>,
}

#[derive(Default)]
struct Reserved {
    by_container: HashMap<String, Vec<PublishedPort>>,
    /// Where the next ephemeral search starts, per protocol (after the last port handed out).
    last_ephemeral: HashMap<Proto, u16>,
}

impl PortReservations {
    /// The reservations of the containers the store says are running: after a daemon restart
    /// (or kill -9) they keep the ports they had.
    pub(crate) fn from_records(existing: &[Container]) -> PortReservations {
        let by_container: HashMap<String, Vec<PublishedPort>> = existing
            .iter()
            .filter(|c| c.state.is_running() && !c.published.is_empty())
            .map(|c| (c.id.clone(), c.published.clone()))
            .collect();
        // Go on after the highest ephemeral port still held, so containers started now get
        // ports the ones before the restart did not have.
        let (low, high) = ephemeral_range();
        let mut last_ephemeral: HashMap<Proto, u16> = HashMap::new();
        for p in by_container.values().flatten() {
            if (low..=high).contains(&p.host_port) {
                let last = last_ephemeral.entry(p.proto).or_insert(p.host_port);
                *last = (*last).max(p.host_port);
            }
        }
        PortReservations {
            inner: Mutex::new(Reserved {
                by_container,
                last_ephemeral,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Reserved> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn release(&self, id: &str) {
        self.lock().by_container.remove(id);
    }
}

impl Engine {
    /// Chooses and reserves the host ports of a container whose endpoints were just plugged
    /// in, and records them in `c.published`. On error nothing is reserved.
    pub(crate) fn publish_ports(
        &self,
        table: &ContainerTable,
        c: &mut Container,
    ) -> Result<(), ApiError> {
        c.published.clear();
        let h = &c.request.host;
        if !c.request.host.network_mode.owns_netns()
            || (h.port_bindings.is_empty() && !h.publish_all_ports)
        {
            return Ok(());
        }
        // The endpoint that gives the container its IPv4 default route, else its first one.
        let (gw4, _) = self.gateways_with(c, None);
        let Some(attachment) = gw4
            .and_then(|i| c.networks.get(i))
            .or_else(|| c.networks.iter().find(|a| a.endpoint.is_some()))
        else {
            return Ok(());
        };
        let Some(ep) = attachment.endpoint.as_ref() else {
            return Ok(());
        };
        let default_binding = self
            .state
            .networks()
            .iter()
            .find(|n| n.id == attachment.network_id)
            .and_then(|n| n.bridge.as_ref().map(|b| b.host_binding_ipv4))
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let targets = Targets {
            v4: ep.ipv4.map(|n| n.addr()),
            v6: ep.ipv6.map(|n| n.addr()),
            default_binding,
        };
        let (low, high) = ephemeral_range();
        let mut reserved = table.ports.lock();
        let mut last_by_proto = reserved.last_ephemeral.clone();
        let mut result = Ok(Vec::new());
        // Ephemeral ports are searched per protocol, so one allocation per protocol present.
        for proto in [Proto::Tcp, Proto::Udp, Proto::Sctp] {
            let bindings: berth_model::container::ports::PortBindings = h
                .port_bindings
                .iter()
                .filter(|(k, _)| k.proto == proto)
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            let exposed = c
                .config
                .exposed_ports
                .iter()
                .filter(|k| k.proto == proto)
                .copied()
                .collect();
            let req = AllocRequest {
                bindings: &bindings,
                publish_all: h.publish_all_ports,
                exposed: &exposed,
                targets,
                ephemeral: Ephemeral {
                    low,
                    high,
                    last: last_by_proto.get(&proto).copied().unwrap_or(high),
                },
            };
            let Ok(mine) = result.as_mut() else { break };
            let others = &reserved.by_container;
            let mut check = |proto: Proto, ip: IpAddr, port: u16| {
                let held = others
                    .iter()
                    .filter(|(id, _)| **id != c.id)
                    .flat_map(|(_, list)| list.iter())
                    .any(|p| p.overlaps(proto, ip, port));
                if held {
                    Availability::Allocated
                } else {
                    probe_bind(proto, ip, port)
                }
            };
            match allocate(&req, &mut check) {
                Ok(a) => {
                    if a.published.iter().any(|p| p.host_port == a.last_ephemeral) {
                        last_by_proto.insert(proto, a.last_ephemeral);
                    }
                    mine.extend(a.published);
                }
                Err(e) => result = Err(e),
            }
        }
        match result {
            Ok(published) => {
                reserved.last_ephemeral = last_by_proto;
                reserved
                    .by_container
                    .insert(c.id.clone(), published.clone());
                c.published = published;
                Ok(())
            }
            Err(e) => Err(connectivity_error(&c.name, &ep.id, &e)),
        }
    }

    /// Points a running container's published ports at the endpoint that now gives it its
    /// default route (after `network connect` or `disconnect`), keeping the host ports; an
    /// entry whose address family the container no longer has is dropped. True if changed.
    pub(crate) fn retarget_published(&self, table: &ContainerTable, c: &mut Container) -> bool {
        if c.published.is_empty() {
            return false;
        }
        let (gw4, _) = self.gateways_with(c, None);
        let ep = gw4
            .and_then(|i| c.networks.get(i))
            .filter(|a| a.endpoint.is_some())
            .or_else(|| c.networks.iter().find(|a| a.endpoint.is_some()))
            .and_then(|a| a.endpoint.as_ref());
        let v4 = ep.and_then(|e| e.ipv4).map(|n| IpAddr::V4(n.addr()));
        let v6 = ep.and_then(|e| e.ipv6).map(|n| IpAddr::V6(n.addr()));
        let moved: Vec<PublishedPort> = c
            .published
            .iter()
            .filter_map(|p| {
                let target = if p.container_ip.is_ipv4() { v4 } else { v6 };
                target.map(|container_ip| PublishedPort {
                    container_ip,
                    ..p.clone()
                })
            })
            .collect();
        if moved == c.published {
            return false;
        }
        table
            .ports
            .lock()
            .by_container
            .insert(c.id.clone(), moved.clone());
        c.published = moved;
        true
    }

    /// Gives a container's host ports back (it stopped, died, or its start failed).
    pub(crate) fn unpublish_ports(&self, table: &ContainerTable, c: &mut Container) {
        table.ports.release(&c.id);
        c.published.clear();
    }
}

/// Docker 28's wording for a failure to set up port publishing (500).
fn connectivity_error(name: &str, endpoint_id: &str, e: &AllocError) -> ApiError {
    ApiError::internal(format!(
        "failed to set up container networking: driver failed programming external connectivity on endpoint {name} ({endpoint_id}): {e}"
    ))
}

/// `/proc/sys/net/ipv4/ip_local_port_range`, read now, in the daemon's network namespace.
fn ephemeral_range() -> (u16, u16) {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| {
            let mut it = s.split_whitespace().map(|x| x.parse::<u16>().ok());
            match (it.next()??, it.next()??) {
                (l, h) if l > 0 && l <= h => Some((l, h)),
                _ => None,
            }
        })
        .unwrap_or(FALLBACK_EPHEMERAL)
}

/// Asks the kernel whether the port could be bound on the host, with a socket that is bound
/// and closed at once (never listening): a host address that is not the host's, or a port a
/// host process holds, is refused as Docker 28 refuses it.
fn probe_bind(proto: Proto, ip: IpAddr, port: u16) -> Availability {
    use nix::sys::socket::{
        bind, setsockopt, socket, sockopt, AddressFamily, SockFlag, SockProtocol, SockType,
        SockaddrStorage,
    };
    let family = if ip.is_ipv4() {
        AddressFamily::Inet
    } else {
        AddressFamily::Inet6
    };
    // SCTP may not be loaded: the address alone is checked, with a UDP socket on any port.
    let (ty, protocol, port) = match proto {
        Proto::Tcp => (SockType::Stream, SockProtocol::Tcp, port),
        Proto::Udp => (SockType::Datagram, SockProtocol::Udp, port),
        Proto::Sctp => (SockType::Datagram, SockProtocol::Udp, 0),
    };
    let fd = match socket(family, ty, SockFlag::SOCK_CLOEXEC, protocol) {
        Ok(fd) => fd,
        Err(e) => return Availability::Unbindable(go_errno_text(e)),
    };
    if ip.is_ipv6() {
        let _ = setsockopt(&fd, sockopt::Ipv6V6Only, &true);
    }
    if proto == Proto::Tcp {
        // As Go's listeners do: connections in TIME_WAIT do not hold the port.
        let _ = setsockopt(&fd, sockopt::ReuseAddr, &true);
    }
    let addr = SockaddrStorage::from(SocketAddr::new(ip, port));
    use std::os::fd::AsRawFd;
    match bind(fd.as_raw_fd(), &addr) {
        Ok(()) => Availability::Free,
        Err(e) => Availability::Unbindable(go_errno_text(e)),
    }
}

/// Go prints an errno as the C library's text with a lower-case first letter.
fn go_errno_text(e: nix::errno::Errno) -> String {
    let text = e.desc();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_text_as_go_prints_it() {
        assert_eq!(
            go_errno_text(nix::errno::Errno::EADDRINUSE),
            "address already in use"
        );
        assert_eq!(
            go_errno_text(nix::errno::Errno::EADDRNOTAVAIL),
            "cannot assign requested address"
        );
    }

    #[test]
    fn the_local_port_range_is_read() {
        let (l, h) = ephemeral_range();
        assert!(l > 0 && l <= h);
    }
}
