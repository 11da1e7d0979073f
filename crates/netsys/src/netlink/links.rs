//! Link messages: get, dump, create a bridge, change attributes, delete.

use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::link::{
    LinkAttribute, LinkExtentMask, LinkFlags, LinkInfo as NlLinkInfo, LinkMessage,
};
use netlink_packet_route::RouteNetlinkMessage;
use rtnetlink::{LinkBridge, LinkMessageBuilder, LinkUnspec};

use super::socket::NlSocket;
use crate::{LinkInfo, NetsysError};

/// ENODEV: "no such device", the kernel's answer for an unknown link name or index.
fn is_no_such_link(error: &NetsysError) -> bool {
    error.errno() == Some(libc::ENODEV)
}

/// Stats are the bulk of a link message and nobody here reads them.
fn skip_stats() -> LinkAttribute {
    LinkAttribute::ExtMask(vec![LinkExtentMask::SkipStats])
}

/// One link by name, without its addresses; `None` if there is none.
pub(crate) fn get(sock: &mut NlSocket, name: &str) -> Result<Option<LinkInfo>, NetsysError> {
    let message = LinkUnspec::new_with_name(name)
        .append_extra_attribute(skip_stats())
        .build();
    match sock.get(
        &format!("get link {name}"),
        RouteNetlinkMessage::GetLink(message),
    ) {
        Ok(replies) => Ok(replies.into_iter().find_map(|reply| match reply {
            RouteNetlinkMessage::NewLink(link) => Some(parse(link)),
            _ => None,
        })),
        Err(e) if is_no_such_link(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every link, without addresses.
pub(crate) fn dump(sock: &mut NlSocket) -> Result<Vec<LinkInfo>, NetsysError> {
    let mut message = LinkMessage::default();
    message.attributes.push(skip_stats());
    let replies = sock.dump("dump links", RouteNetlinkMessage::GetLink(message))?;
    Ok(replies
        .into_iter()
        .filter_map(|reply| match reply {
            RouteNetlinkMessage::NewLink(link) => Some(parse(link)),
            _ => None,
        })
        .collect())
}

fn parse(message: LinkMessage) -> LinkInfo {
    let mut info = LinkInfo {
        name: String::new(),
        index: message.header.index,
        kind: None,
        alias: None,
        mtu: 0,
        up: message.header.flags.contains(LinkFlags::Up),
        addresses: Vec::new(),
    };
    for attribute in message.attributes {
        match attribute {
            LinkAttribute::IfName(name) => info.name = name,
            LinkAttribute::IfAlias(alias) => info.alias = Some(alias),
            LinkAttribute::Mtu(mtu) => info.mtu = mtu,
            LinkAttribute::LinkInfo(infos) => {
                for item in infos {
                    if let NlLinkInfo::Kind(kind) = item {
                        info.kind = Some(kind.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    info
}

/// Creates a bridge that is down, with no alias and no IP address, with MAC address `mac`.
/// Fails with EEXIST if the name is taken.
pub(crate) fn create_bridge(
    sock: &mut NlSocket,
    name: &str,
    mtu: Option<u32>,
    mac: [u8; 6],
) -> Result<(), NetsysError> {
    let mut builder = LinkMessageBuilder::<LinkBridge>::new(name).address(mac.to_vec());
    if let Some(mtu) = mtu {
        builder = builder.mtu(mtu);
    }
    sock.request(
        &format!("create bridge {name}"),
        RouteNetlinkMessage::NewLink(builder.build()),
        NLM_F_CREATE | NLM_F_EXCL,
    )
}

/// Creates a link of `kind` "dummy" or a veth pair (`peer` given), both down. Used by tests to
/// occupy a name with a link that is not a bridge.
pub(crate) fn create_plain(
    sock: &mut NlSocket,
    name: &str,
    peer: Option<&str>,
) -> Result<(), NetsysError> {
    let message = match peer {
        Some(peer) => rtnetlink::LinkVeth::new(name, peer).build(),
        None => rtnetlink::LinkDummy::new(name).build(),
    };
    sock.request(
        &format!("create link {name}"),
        RouteNetlinkMessage::NewLink(message),
        NLM_F_CREATE | NLM_F_EXCL,
    )
}

fn set(sock: &mut NlSocket, op: String, message: LinkMessage) -> Result<(), NetsysError> {
    sock.request(&op, RouteNetlinkMessage::SetLink(message), 0)
}

pub(crate) fn set_alias(sock: &mut NlSocket, index: u32, alias: &str) -> Result<(), NetsysError> {
    let message = LinkUnspec::new_with_index(index).alias(alias).build();
    set(sock, format!("set alias of link {index}"), message)
}

/// Renames a link; the kernel only allows it while the link is down.
pub(crate) fn rename(sock: &mut NlSocket, index: u32, name: &str) -> Result<(), NetsysError> {
    let message = LinkUnspec::new_with_index(index)
        .name(name.to_string())
        .build();
    set(sock, format!("rename link {index} to {name}"), message)
}

pub(crate) fn set_mtu(sock: &mut NlSocket, index: u32, mtu: u32) -> Result<(), NetsysError> {
    let message = LinkUnspec::new_with_index(index).mtu(mtu).build();
    set(sock, format!("set mtu {mtu} on link {index}"), message)
}

pub(crate) fn set_up(sock: &mut NlSocket, index: u32) -> Result<(), NetsysError> {
    let message = LinkUnspec::new_with_index(index).up().build();
    set(sock, format!("set link {index} up"), message)
}

pub(crate) fn set_down(sock: &mut NlSocket, index: u32) -> Result<(), NetsysError> {
    let message = LinkUnspec::new_with_index(index).down().build();
    set(sock, format!("set link {index} down"), message)
}

/// Deletes a link by name; a missing link is not an error.
pub(crate) fn delete(sock: &mut NlSocket, name: &str) -> Result<(), NetsysError> {
    let message = LinkUnspec::new_with_name(name).build();
    match sock.request(
        &format!("delete link {name}"),
        RouteNetlinkMessage::DelLink(message),
        0,
    ) {
        Err(e) if is_no_such_link(&e) => Ok(()),
        other => other,
    }
}

pub(crate) fn delete_by_index(sock: &mut NlSocket, index: u32) -> Result<(), NetsysError> {
    let message = LinkUnspec::new_with_index(index).build();
    match sock.request(
        &format!("delete link {index}"),
        RouteNetlinkMessage::DelLink(message),
        0,
    ) {
        Err(e) if is_no_such_link(&e) => Ok(()),
        other => other,
    }
}
