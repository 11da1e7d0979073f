//! Address messages: dump, add (IPv6 without DAD), delete.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::address::{AddressAttribute, AddressHeaderFlags, AddressMessage};
use netlink_packet_route::RouteNetlinkMessage;
use rtnetlink::AddressMessageBuilder;

use super::socket::NlSocket;
use crate::NetsysError;

/// Every address of every link, as (link index, address with prefix).
pub(crate) fn dump(sock: &mut NlSocket) -> Result<Vec<(u32, IpNet)>, NetsysError> {
    let replies = sock.dump(
        "dump addresses",
        RouteNetlinkMessage::GetAddress(AddressMessage::default()),
    )?;
    Ok(replies
        .into_iter()
        .filter_map(|reply| match reply {
            RouteNetlinkMessage::NewAddress(message) => parse(message),
            _ => None,
        })
        .collect())
}

/// The addresses of one link.
pub(crate) fn of_link(sock: &mut NlSocket, index: u32) -> Result<Vec<IpNet>, NetsysError> {
    Ok(dump(sock)?
        .into_iter()
        .filter(|(link, _)| *link == index)
        .map(|(_, net)| net)
        .collect())
}

/// IFA_LOCAL is the interface's own address (IFA_ADDRESS is the peer on point-to-point links);
/// IPv6 only sends IFA_ADDRESS.
fn parse(message: AddressMessage) -> Option<(u32, IpNet)> {
    let mut local = None;
    let mut address = None;
    for attribute in message.attributes {
        match attribute {
            AddressAttribute::Local(ip) => local = Some(ip),
            AddressAttribute::Address(ip) => address = Some(ip),
            _ => {}
        }
    }
    let ip = local.or(address)?;
    let net = IpNet::new(ip, message.header.prefix_len).ok()?;
    Some((message.header.index, net))
}

pub(crate) fn build(index: u32, net: &IpNet) -> AddressMessage {
    match net.addr() {
        IpAddr::V4(ip) => AddressMessageBuilder::<Ipv4Addr>::new()
            .index(index)
            .address(ip, net.prefix_len())
            .build(),
        IpAddr::V6(ip) => {
            let mut message = AddressMessageBuilder::<Ipv6Addr>::new()
                .index(index)
                .address(ip, net.prefix_len())
                .build();
            // A gateway address must be usable at once; duplicate detection would keep it
            // tentative for a second or more (Docker sets nodad too).
            message.header.flags |= AddressHeaderFlags::Nodad;
            message
        }
    }
}

/// Adds an address; an address that is already there is not an error.
pub(crate) fn add(sock: &mut NlSocket, index: u32, net: &IpNet) -> Result<(), NetsysError> {
    match sock.request(
        &format!("add address {net} to link {index}"),
        RouteNetlinkMessage::NewAddress(build(index, net)),
        NLM_F_CREATE | NLM_F_EXCL,
    ) {
        Err(e) if e.errno() == Some(libc::EEXIST) => Ok(()),
        other => other,
    }
}

/// Deletes an address; an address that is already gone is not an error.
pub(crate) fn delete(sock: &mut NlSocket, index: u32, net: &IpNet) -> Result<(), NetsysError> {
    match sock.request(
        &format!("delete address {net} from link {index}"),
        RouteNetlinkMessage::DelAddress(build(index, net)),
        0,
    ) {
        Err(e) if e.errno() == Some(libc::EADDRNOTAVAIL) => Ok(()),
        other => other,
    }
}
