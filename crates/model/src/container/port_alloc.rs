//! Choosing the host ports a starting container publishes: its `PortBindings` (and, with
//! `PublishAllPorts`, every exposed port) become one [`PublishedPort`] per host address family.
//! Pure: what is taken on the host (by other containers, or by the kernel's sockets) is asked
//! through a callback, so the engine decides that and this module only decides the ports.

use super::ports::{PortBinding, PortBindings, PortProto, Proto};
use super::published::PublishedPort;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What the host says about one (protocol, address, port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Free,
    /// Another container publishes it.
    Allocated,
    /// The kernel refused a socket there (`address already in use`, `cannot assign requested
    /// address`), in Go's wording.
    Unbindable(String),
}

/// Where the published ports lead: the container's addresses on the network that gives it
/// its default route, and that network's default binding address
/// (`com.docker.network.bridge.host_binding_ipv4`, `0.0.0.0` unless set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub v4: Option<Ipv4Addr>,
    pub v6: Option<Ipv6Addr>,
    pub default_binding: IpAddr,
}

/// The kernel's local port range (`/proc/sys/net/ipv4/ip_local_port_range`), and the last
/// ephemeral port handed out: like Docker, the search goes on after it, so a restarted
/// container gets a new ephemeral port rather than the one it just gave back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ephemeral {
    pub low: u16,
    pub high: u16,
    pub last: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllocError {
    /// Docker's `ErrPortAlreadyAllocated`.
    Allocated { ip: IpAddr, port: u16 },
    /// The kernel would not let the port be bound.
    Unbindable {
        ip: IpAddr,
        port: u16,
        container_ip: IpAddr,
        container_port: u16,
        proto: Proto,
        reason: String,
    },
    /// No free port in a range (Docker's `ErrAllPortsAllocated`).
    AllAllocated,
    /// A host port that is neither empty, a number nor a range (refused at create already;
    /// kept for records made by older versions).
    Invalid(String),
}

impl std::fmt::Display for AllocError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AllocError::Allocated { ip, port } => {
                write!(f, "Bind for {ip}:{port} failed: port is already allocated")
            }
            AllocError::Unbindable {
                ip,
                port,
                container_ip,
                container_port,
                proto,
                reason,
            } => write!(
                f,
                "failed to bind host port for {ip}:{port}:{container_ip}:{container_port}/{}: {reason}",
                proto.as_str()
            ),
            AllocError::AllAllocated => f.write_str("all ports are allocated"),
            AllocError::Invalid(p) => write!(f, "invalid port specification: \"{p}\""),
        }
    }
}

/// Everything a start needs to choose its ports.
pub struct AllocRequest<'a> {
    pub bindings: &'a PortBindings,
    pub publish_all: bool,
    /// The exposed ports (image, `--expose`, and the bound ones), for `-P`.
    pub exposed: &'a BTreeSet<PortProto>,
    pub targets: Targets,
    pub ephemeral: Ephemeral,
}

/// The chosen ports, in binding order (per binding: IPv4 first, then IPv6), and the last
/// ephemeral port used (to continue from next time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub published: Vec<PublishedPort>,
    pub last_ephemeral: u16,
}

impl PublishedPort {
    /// The host address as a socket would be bound: the unspecified address of the
    /// container address's family when bound to every address.
    pub fn host_addr(&self) -> IpAddr {
        self.host_ip.unwrap_or(match self.container_ip {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        })
    }

    /// Whether this port and `(proto, ip, port)` would catch the same packets: same protocol
    /// and port, and the same address or a wildcard of the same family.
    pub fn overlaps(&self, proto: Proto, ip: IpAddr, port: u16) -> bool {
        self.proto == proto && self.host_port == port && addrs_overlap(self.host_addr(), ip)
    }
}

pub fn addrs_overlap(a: IpAddr, b: IpAddr) -> bool {
    a == b || (a.is_ipv4() == b.is_ipv4() && (a.is_unspecified() || b.is_unspecified()))
}

/// The (container port, binding) pairs to publish, in Docker's order: every binding of
/// `PortBindings`, then (with `-P`) an ephemeral one for each exposed port without bindings.
pub fn requested(req: &AllocRequest<'_>) -> Vec<(PortProto, PortBinding)> {
    let mut out: Vec<(PortProto, PortBinding)> = req
        .bindings
        .iter()
        .flat_map(|(p, list)| list.iter().map(move |b| (*p, b.clone())))
        .collect();
    if req.publish_all {
        for p in req.exposed {
            if !req.bindings.contains_key(p) {
                out.push((
                    *p,
                    PortBinding {
                        host_ip: String::new(),
                        host_port: String::new(),
                    },
                ));
            }
        }
    }
    out
}

/// Chooses every host port; `check` answers for ports outside this container.
pub fn allocate(
    req: &AllocRequest<'_>,
    check: &mut dyn FnMut(Proto, IpAddr, u16) -> Availability,
) -> Result<Allocation, AllocError> {
    let mut published: Vec<PublishedPort> = Vec::new();
    let mut last_ephemeral = req.ephemeral.last;
    for (port, binding) in requested(req) {
        let addrs = host_addrs(&binding.host_ip, &req.targets)?;
        if addrs.is_empty() {
            continue;
        }
        let mut status = |ip: IpAddr, p: u16| {
            if published.iter().any(|x| x.overlaps(port.proto, ip, p)) {
                Availability::Allocated
            } else {
                check(port.proto, ip, p)
            }
        };
        let host_port = match parse_host_port(&binding.host_port)? {
            HostPort::Fixed(p) => {
                for &(ip, target) in &addrs {
                    match status(ip, p) {
                        Availability::Free => {}
                        Availability::Allocated => {
                            return Err(AllocError::Allocated { ip, port: p })
                        }
                        Availability::Unbindable(reason) => {
                            return Err(AllocError::Unbindable {
                                ip,
                                port: p,
                                container_ip: target,
                                container_port: port.port,
                                proto: port.proto,
                                reason,
                            })
                        }
                    }
                }
                p
            }
            HostPort::Range(low, high) => (low..=high)
                .find(|&p| {
                    addrs
                        .iter()
                        .all(|&(ip, _)| status(ip, p) == Availability::Free)
                })
                .ok_or(AllocError::AllAllocated)?,
            HostPort::Ephemeral => {
                let Ephemeral { low, high, .. } = req.ephemeral;
                let last = last_ephemeral;
                let (low, high) = (low.max(1), high.max(low.max(1)));
                let span = u32::from(high - low) + 1;
                let start = if (low..high).contains(&last) {
                    last + 1
                } else {
                    low
                };
                let chosen = (0..span)
                    .map(|i| {
                        let offset = (u32::from(start - low) + i) % span;
                        // offset < span <= high - low + 1, so this stays within u16.
                        low + offset as u16
                    })
                    .find(|&p| {
                        addrs
                            .iter()
                            .all(|&(ip, _)| status(ip, p) == Availability::Free)
                    })
                    .ok_or(AllocError::AllAllocated)?;
                last_ephemeral = chosen;
                chosen
            }
        };
        for (ip, target) in addrs {
            published.push(PublishedPort {
                proto: port.proto,
                host_ip: (!ip.is_unspecified()).then_some(ip),
                host_port,
                container_port: port.port,
                container_ip: target,
            });
        }
    }
    Ok(Allocation {
        published,
        last_ephemeral,
    })
}

/// The host addresses one binding is published on, each with the container address it leads
/// to. An empty HostIp means the network's default binding address: every IPv4 address and,
/// when the container has IPv6, every IPv6 address too (as Docker binds `0.0.0.0` and `::`).
/// An address of a family the container lacks is skipped: NAT cannot cross families.
fn host_addrs(host_ip: &str, t: &Targets) -> Result<Vec<(IpAddr, IpAddr)>, AllocError> {
    let ip = if host_ip.is_empty() {
        None
    } else {
        let trimmed = host_ip.trim_start_matches('[').trim_end_matches(']');
        Some(
            trimmed
                .parse::<IpAddr>()
                .map_err(|_| AllocError::Invalid(host_ip.to_string()))?,
        )
    };
    let v4 = t.v4.map(IpAddr::V4);
    let v6 = t.v6.map(IpAddr::V6);
    let pair = |ip: IpAddr| match ip {
        IpAddr::V4(_) => v4.map(|c| (ip, c)),
        IpAddr::V6(_) => v6.map(|c| (ip, c)),
    };
    Ok(match ip {
        Some(ip) => pair(ip).into_iter().collect(),
        None if t.default_binding.is_unspecified() => [
            pair(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
            pair(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
        ]
        .into_iter()
        .flatten()
        .collect(),
        None => pair(t.default_binding).into_iter().collect(),
    })
}

enum HostPort {
    Fixed(u16),
    Range(u16, u16),
    Ephemeral,
}

fn parse_host_port(s: &str) -> Result<HostPort, AllocError> {
    let invalid = || AllocError::Invalid(s.to_string());
    let num = |x: &str| x.parse::<u16>().map_err(|_| invalid());
    Ok(match s.split_once('-') {
        _ if s.is_empty() => HostPort::Ephemeral,
        None => match num(s)? {
            0 => HostPort::Ephemeral,
            p => HostPort::Fixed(p),
        },
        Some((a, b)) => {
            let (a, b) = (num(a)?, num(b)?);
            if a == 0 || b < a {
                return Err(invalid());
            }
            if a == b {
                HostPort::Fixed(a)
            } else {
                HostPort::Range(a, b)
            }
        }
    })
}

#[cfg(test)]
#[path = "port_alloc_tests.rs"]
mod tests;
