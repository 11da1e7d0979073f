//! Container endpoints: add one (all or nothing), remove one by its alias, and move default
//! routes inside a container's namespace.
//!
//! `add` costs three host requests (the bridge's index, the veth pair in one RTM_NEWLINK, its
//! ifalias), a socket opened inside the container's namespace by a cached helper thread, and
//! one datagram of requests there (link up, addresses, default routes) whose replies are read
//! together: about 0.8 ms in all, 70% of it the kernel making the pair (see the
//! `attach_timing` test).

use std::fs::File;
use std::net::IpAddr;
use std::os::fd::AsRawFd;
use std::path::Path;

use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE};
use netlink_packet_route::RouteNetlinkMessage;

use super::socket::{NlSocket, Request};
use super::{addresses, links, routes, veth, Netlink};
use crate::kernel::validate_link_name;
use crate::{EndpointSpec, NetsysError};

/// How many default routes of one family `set_default_routes` removes at most; there is
/// normally one.
const MAX_DEFAULT_ROUTES: usize = 16;

pub(crate) fn add(nl: &Netlink, spec: &EndpointSpec) -> Result<(), NetsysError> {
    spec.validate()?;
    let netns = open_netns(&spec.netns)?;
    let (host_index, peer_index) = create_pair(nl, spec, &netns)?;
    if let Err(e) = configure_container_side(nl, spec, &netns, peer_index) {
        discard(nl, host_index);
        return Err(e);
    }
    Ok(())
}

fn open_netns(path: &Path) -> Result<File, NetsysError> {
    File::open(path).map_err(|e| NetsysError::netns("open", path, e))
}

/// Deleting either side deletes the pair. The error that made us undo is the one worth
/// reporting; a pair left behind by a failed delete carries berth's alias (or vanishes with
/// the namespace), so reconcile finds it.
fn discard(nl: &Netlink, host_index: u32) {
    let _ = links::delete_by_index(&mut nl.teardown_socket(), host_index);
}

/// Makes the pair and labels its host side; returns the host side's index and the container
/// side's index in its namespace when the kernel told it.
fn create_pair(
    nl: &Netlink,
    spec: &EndpointSpec,
    netns: &File,
) -> Result<(u32, Option<u32>), NetsysError> {
    let mut sock = nl.socket();
    let bridge = match links::get(&mut sock, &spec.bridge)? {
        Some(link) if link.kind.as_deref() == Some("bridge") => link.index,
        _ => {
            return Err(NetsysError::BridgeNotFound {
                name: spec.bridge.clone(),
            })
        }
    };
    let op = format!(
        "create veth {} with {} in {}",
        spec.host_ifname,
        spec.ifname,
        spec.netns.display()
    );
    let message = veth::new_pair(spec, bridge, netns.as_raw_fd());
    let echo = match sock.request_echo(
        &op,
        RouteNetlinkMessage::NewLink(message),
        NLM_F_CREATE | NLM_F_EXCL,
    ) {
        Ok(echo) => echo,
        Err(e) if e.errno() == Some(libc::EEXIST) => return Err(which_name(&mut sock, spec, e)),
        // Only an echo can fail to decode, and the kernel sends one only for a link it made:
        // carry on without it rather than leave that link behind.
        Err(NetsysError::Protocol { .. }) => Vec::new(),
        Err(e) => return Err(e),
    };
    let echoed = echo.iter().find_map(|reply| match reply {
        RouteNetlinkMessage::NewLink(link) => Some(veth::indexes_of(link)),
        _ => None,
    });
    let (host_index, peer_index) = match echoed {
        Some(indexes) => indexes,
        // No (readable) echo: look the host side up.
        None => match links::get(&mut sock, &spec.host_ifname)? {
            Some(link) => (link.index, None),
            None => {
                return Err(NetsysError::Protocol {
                    op,
                    detail: "the new veth vanished".to_string(),
                })
            }
        },
    };
    // Until this succeeds the pair is unlabelled, but it dies with the container's namespace,
    // which reconcile removes.
    let mut host_side = vec![Request {
        op: format!("label {} and disable its IPv6 addresses", spec.host_ifname),
        message: RouteNetlinkMessage::SetLink(veth::label_host_side(host_index, &spec.alias)),
        flags: 0,
    }];
    host_side.extend([Request {
        op: format!("set {} up", spec.host_ifname),
        message: RouteNetlinkMessage::SetLink(veth::set_up(host_index)),
        flags: 0,
    }]);
    if let Err(e) = sock.batch(host_side) {
        drop(sock);
        discard(nl, host_index);
        return Err(e);
    }
    Ok((host_index, peer_index))
}

/// EEXIST from the create: either the host-side name or the container-side name is taken;
/// nothing was made. The kernel does not say which, so look on the host.
fn which_name(sock: &mut NlSocket, spec: &EndpointSpec, error: NetsysError) -> NetsysError {
    match links::get(sock, &spec.host_ifname) {
        Ok(Some(_)) => NetsysError::NameInUse {
            name: spec.host_ifname.clone(),
        },
        Ok(None) => NetsysError::NameInUseInNetns {
            name: spec.ifname.clone(),
            netns: spec.netns.clone(),
        },
        Err(_) => error,
    }
}

/// Addresses and default routes, in one batch on a socket inside the namespace. The link is
/// up before the addresses come, so each brings its connected route at once and the gateways
/// that follow are reachable.
fn configure_container_side(
    nl: &Netlink,
    spec: &EndpointSpec,
    netns: &File,
    peer_index: Option<u32>,
) -> Result<(), NetsysError> {
    let mut sock = nl.ns_sockets.open(netns, &spec.netns)?;
    let index = match peer_index {
        Some(index) => index,
        None => index_in(&mut sock, &spec.ifname, &spec.netns)?,
    };
    let mut requests = Vec::with_capacity(spec.addresses.len() + 4);
    // Created down (see veth::new_pair): IPv6 address generation off if asked, then up.
    if !spec.ipv6 {
        requests.push(Request {
            op: format!("disable IPv6 addresses on {}", spec.ifname),
            message: RouteNetlinkMessage::SetLink(veth::no_ipv6(index)),
            flags: 0,
        });
    }
    requests.push(Request {
        op: format!("set {} up", spec.ifname),
        message: RouteNetlinkMessage::SetLink(veth::set_up(index)),
        flags: 0,
    });
    requests.extend(spec.addresses.iter().map(|net| Request {
        op: format!("add address {net} to {}", spec.ifname),
        message: RouteNetlinkMessage::NewAddress(addresses::build(index, net)),
        flags: NLM_F_CREATE | NLM_F_EXCL,
    }));
    if let Some(gw) = spec.default_v4 {
        requests.push(default_route(&spec.ifname, index, gw.into()));
    }
    if let Some(gw) = spec.default_v6 {
        requests.push(default_route(&spec.ifname, index, gw.into()));
    }
    sock.batch(requests)
}

/// Replaces the family's default route (same metric, main table) or adds it.
fn default_route(ifname: &str, index: u32, gateway: IpAddr) -> Request {
    Request {
        op: format!("set default route via {gateway} on {ifname}"),
        message: RouteNetlinkMessage::NewRoute(routes::default_via(index, gateway)),
        flags: NLM_F_CREATE | NLM_F_REPLACE,
    }
}

fn index_in(sock: &mut NlSocket, ifname: &str, netns: &Path) -> Result<u32, NetsysError> {
    match links::get(sock, ifname)? {
        Some(link) => Ok(link.index),
        None => Err(NetsysError::Netlink {
            op: format!("find link {ifname} in {}", netns.display()),
            errno: libc::ENODEV,
            message: None,
        }),
    }
}

/// On the teardown socket: the kernel takes tens of milliseconds to delete a veth, and other
/// requests must not queue behind it.
pub(crate) fn remove(nl: &Netlink, host_ifname: &str, alias: &str) -> Result<(), NetsysError> {
    validate_link_name(host_ifname)?;
    let mut sock = nl.teardown_socket();
    match links::get(&mut sock, host_ifname)? {
        Some(link)
            if link.kind.as_deref() == Some("veth") && link.alias.as_deref() == Some(alias) =>
        {
            links::delete_by_index(&mut sock, link.index)
        }
        _ => Ok(()),
    }
}

pub(crate) fn set_default_routes(
    nl: &Netlink,
    netns: &Path,
    v4: Option<(&str, std::net::Ipv4Addr)>,
    v6: Option<(&str, std::net::Ipv6Addr)>,
) -> Result<(), NetsysError> {
    let gateways: [(bool, Option<(&str, IpAddr)>); 2] = [
        (false, v4.map(|(name, gw)| (name, gw.into()))),
        (true, v6.map(|(name, gw)| (name, gw.into()))),
    ];
    for (name, _) in gateways.iter().flat_map(|(_, g)| g) {
        validate_link_name(name)?;
    }
    let file = open_netns(netns)?;
    let mut sock = nl.ns_sockets.open(&file, netns)?;
    let mut requests = Vec::new();
    for (ipv6, gateway) in gateways {
        match gateway {
            Some((ifname, gw)) => {
                let index = index_in(&mut sock, ifname, netns)?;
                requests.push(default_route(ifname, index, gw));
            }
            None => delete_default_routes(&mut sock, ipv6)?,
        }
    }
    sock.batch(requests)
}

/// Deletes the family's default routes until the kernel has none left (ESRCH).
fn delete_default_routes(sock: &mut NlSocket, ipv6: bool) -> Result<(), NetsysError> {
    let op = if ipv6 {
        "delete IPv6 default route"
    } else {
        "delete IPv4 default route"
    };
    for _ in 0..MAX_DEFAULT_ROUTES {
        let message = RouteNetlinkMessage::DelRoute(routes::any_default(ipv6));
        match sock.request(op, message, 0) {
            Ok(()) => continue,
            // ENOENT: the family's table does not exist (e.g. IPv6 unavailable).
            Err(e) if matches!(e.errno(), Some(libc::ESRCH) | Some(libc::ENOENT)) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `lo` is ifindex 1 in every namespace.
const LOOPBACK_INDEX: u32 = 1;

pub(crate) fn set_loopback_ipv6(
    nl: &Netlink,
    netns: &Path,
    enabled: bool,
) -> Result<(), NetsysError> {
    let file = open_netns(netns)?;
    let mut sock = nl.ns_sockets.open(&file, netns)?;
    let localhost = ipnet::IpNet::V6(
        ipnet::Ipv6Net::new(std::net::Ipv6Addr::LOCALHOST, 128)
            .map_err(|e| NetsysError::InvalidArgument(format!("::1/128: {e}")))?,
    );
    if enabled {
        addresses::add(&mut sock, LOOPBACK_INDEX, &localhost)
    } else {
        addresses::delete(&mut sock, LOOPBACK_INDEX, &localhost)
    }
}
