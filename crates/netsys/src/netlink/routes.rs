//! Route dumps: the destinations the host already routes, for subnet-overlap checks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::RouteNetlinkMessage;
use rtnetlink::RouteMessageBuilder;

use super::socket::NlSocket;
use crate::kernel::is_route_noise;
use crate::NetsysError;

pub(crate) fn destinations(sock: &mut NlSocket) -> Result<Vec<IpNet>, NetsysError> {
    let mut found: Vec<IpNet> = dump_main_table(sock)?
        .iter()
        .filter_map(destination_of)
        .collect();
    found.retain(|dst| !is_route_noise(dst));
    found.sort();
    found.dedup();
    Ok(found)
}

/// Every route of the main table that claims an address range, IPv4 and IPv6.
pub(crate) fn dump_main_table(sock: &mut NlSocket) -> Result<Vec<RouteMessage>, NetsysError> {
    let mut found = Vec::new();
    for mut request in [
        RouteMessageBuilder::<Ipv4Addr>::new().build(),
        RouteMessageBuilder::<Ipv6Addr>::new().build(),
    ] {
        // With strict checking the kernel returns only the main table's routes, instead of
        // every local and broadcast route of every address on the host. The table is still
        // checked below for kernels that ignore the filter.
        request.header.table = RouteHeader::RT_TABLE_MAIN;
        // Every other non-zero header field is a filter too under strict checking.
        request.header.protocol = RouteProtocol::Unspec;
        request.header.kind = RouteType::Unspec;
        request.header.scope = RouteScope::Universe;
        let replies = match sock.dump("dump routes", RouteNetlinkMessage::GetRoute(request)) {
            Ok(r) => r,
            // A family whose main table does not exist yet has no routes.
            Err(e) if e.errno() == Some(libc::ENOENT) => continue,
            Err(e) => return Err(e),
        };
        found.extend(replies.into_iter().filter_map(|reply| match reply {
            RouteNetlinkMessage::NewRoute(route) if destination_of(&route).is_some() => Some(route),
            _ => None,
        }));
    }
    Ok(found)
}

/// The destination of a route of the main table that claims an address range (unicast, or
/// blackhole/unreachable/prohibit, which also mean "this range is taken"); `None` otherwise.
pub(crate) fn destination_of(route: &RouteMessage) -> Option<IpNet> {
    let claims_range = matches!(
        route.header.kind,
        RouteType::Unicast | RouteType::BlackHole | RouteType::Unreachable | RouteType::Prohibit
    );
    let mut table = u32::from(route.header.table);
    let mut destination = None;
    for attribute in &route.attributes {
        match attribute {
            // RTA_TABLE carries ids above 255 and, when present, is the real one.
            RouteAttribute::Table(id) => table = *id,
            RouteAttribute::Destination(RouteAddress::Inet(ip)) => destination = Some((*ip).into()),
            RouteAttribute::Destination(RouteAddress::Inet6(ip)) => {
                destination = Some((*ip).into())
            }
            _ => {}
        }
    }
    if !claims_range || table != u32::from(RouteHeader::RT_TABLE_MAIN) {
        return None;
    }
    // No RTA_DST means a default route, which is noise anyway.
    let destination = destination?;
    IpNet::new(destination, route.header.destination_prefix_length)
        .ok()
        .map(|net| net.trunc())
}

/// Adds a static unicast route to the main table, through `gateway` or directly on the link.
pub(crate) fn add(
    sock: &mut NlSocket,
    index: u32,
    destination: &IpNet,
    gateway: Option<IpAddr>,
) -> Result<(), NetsysError> {
    let message = match (destination, gateway) {
        (IpNet::V4(dst), gateway) => {
            let mut builder = RouteMessageBuilder::<Ipv4Addr>::new()
                .destination_prefix(dst.network(), dst.prefix_len())
                .output_interface(index);
            match gateway {
                Some(IpAddr::V4(gw)) => builder = builder.gateway(gw),
                Some(IpAddr::V6(_)) => return Err(mixed_families(destination)),
                None => {}
            }
            builder.build()
        }
        (IpNet::V6(dst), gateway) => {
            let mut builder = RouteMessageBuilder::<Ipv6Addr>::new()
                .destination_prefix(dst.network(), dst.prefix_len())
                .output_interface(index);
            match gateway {
                Some(IpAddr::V6(gw)) => builder = builder.gateway(gw),
                Some(IpAddr::V4(_)) => return Err(mixed_families(destination)),
                None => {}
            }
            builder.build()
        }
    };
    sock.request(
        &format!("add route {destination} on link {index}"),
        RouteNetlinkMessage::NewRoute(message),
        NLM_F_CREATE | NLM_F_EXCL,
    )
}

fn mixed_families(destination: &IpNet) -> NetsysError {
    NetsysError::InvalidArgument(format!(
        "the gateway of route {destination} is of another address family"
    ))
}

/// `default via gateway dev index` in the main table. Protocol "boot", as Docker's routes have
/// (`ip route` then prints no `proto`), metric 0.
pub(crate) fn default_via(index: u32, gateway: IpAddr) -> RouteMessage {
    match gateway {
        IpAddr::V4(gw) => RouteMessageBuilder::<Ipv4Addr>::new()
            .output_interface(index)
            .gateway(gw)
            .protocol(RouteProtocol::Boot)
            .build(),
        IpAddr::V6(gw) => RouteMessageBuilder::<Ipv6Addr>::new()
            .output_interface(index)
            .gateway(gw)
            .protocol(RouteProtocol::Boot)
            .build(),
    }
}

/// A delete request matching any default route of the family in the main table, whoever made
/// it: protocol, type and scope left open as `ip route del default` does.
pub(crate) fn any_default(ipv6: bool) -> RouteMessage {
    let mut message = if ipv6 {
        RouteMessageBuilder::<Ipv6Addr>::new().build()
    } else {
        RouteMessageBuilder::<Ipv4Addr>::new().build()
    };
    message.header.protocol = RouteProtocol::Unspec;
    message.header.kind = RouteType::Unspec;
    message.header.scope = RouteScope::NoWhere;
    message
}
