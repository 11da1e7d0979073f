//! The one RTM_NEWLINK that makes a container endpoint's veth pair: the host side already a
//! port of its bridge (brought up after IPv6 is switched off on it), the container side born inside the container's namespace with
//! its name, MAC and MTU, and up. Creating the peer in place is about ten times cheaper than
//! creating it on the host and moving it (the move costs 20–30 ms in the kernel).

use std::os::fd::RawFd;

use netlink_packet_route::link::{
    AfSpecInet6, AfSpecUnspec, In6AddrGenMode, InfoData, InfoKind, InfoVeth, LinkAttribute,
    LinkMessage,
};
use rtnetlink::{LinkMessageBuilder, LinkUnspec, LinkVeth};

use crate::EndpointSpec;

/// The request for `spec`'s veth pair; `netns_fd` must stay open until it has been sent.
///
/// The host side's ifalias is not part of it: the kernel ignores IFLA_IFALIAS on creation.
pub(crate) fn new_pair(spec: &EndpointSpec, bridge_index: u32, netns_fd: RawFd) -> LinkMessage {
    // The container side is born down, and brought up by a request inside its namespace:
    // veth refuses to open a peer while it is still being made (ENOTCONN), and the kernel
    // refuses IFLA_AF_SPEC on creation (EAFNOSUPPORT), so [`no_ipv6`] must come before
    // [`set_up`] anyway.
    let peer = LinkUnspec::new_with_name(&spec.ifname)
        .setns_by_fd(netns_fd)
        .address(spec.mac.to_vec())
        .mtu(spec.mtu);
    LinkMessageBuilder::<LinkVeth>::new_with_info_kind(InfoKind::Veth)
        .name(spec.host_ifname.clone())
        .mtu(spec.mtu)
        .controller(bridge_index)
        .set_info_data(InfoData::Veth(InfoVeth::Peer(peer.build())))
        .build()
}

/// Switches IPv6 address generation off (IFLA_INET6_ADDR_GEN_MODE = none) on a link that has
/// never been up, so the kernel never makes a link-local address: the container then shows no
/// inet6 line at all, as Docker's do. It must be a request of its own: in one RTM_SETLINK the
/// kernel applies the up flag before IFLA_AF_SPEC.
pub(crate) fn no_ipv6(index: u32) -> LinkMessage {
    LinkUnspec::new_with_index(index)
        .append_extra_attribute(no_ipv6_address_generation())
        .build()
}

/// Labels the host side with `alias` (the kernel ignores IFLA_IFALIAS on creation) and switches
/// IPv6 address generation off on it, in one request while it is still down. A bridge port
/// needs no address of its own; with one, every new port costs the kernel a link-local address,
/// duplicate address detection and MLD reports that grow with the ports already there.
pub(crate) fn label_host_side(index: u32, alias: &str) -> LinkMessage {
    LinkUnspec::new_with_index(index)
        .alias(alias)
        .append_extra_attribute(no_ipv6_address_generation())
        .build()
}

pub(crate) fn set_up(index: u32) -> LinkMessage {
    LinkUnspec::new_with_index(index).up().build()
}

/// IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE = none } }.
fn no_ipv6_address_generation() -> LinkAttribute {
    LinkAttribute::AfSpecUnspec(vec![AfSpecUnspec::Inet6(vec![AfSpecInet6::AddrGenMode(
        In6AddrGenMode::None,
    )])])
}

/// The host side's ifindex and, from IFLA_LINK, the container side's ifindex in its own
/// namespace, as the kernel echoes them for the new link.
pub(crate) fn indexes_of(echo: &LinkMessage) -> (u32, Option<u32>) {
    let peer = echo.attributes.iter().find_map(|a| match a {
        LinkAttribute::Link(index) => Some(*index),
        _ => None,
    });
    (echo.header.index, peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use netlink_packet_route::link::{LinkFlags, LinkInfo};

    fn spec(ipv6: bool) -> EndpointSpec {
        EndpointSpec {
            host_ifname: "veth1234567".into(),
            alias: "berth endpoint x".into(),
            bridge: "br-x".into(),
            netns: "/run/berth/netns/c".into(),
            ifname: "eth0".into(),
            mac: [0x02, 0x42, 0xac, 0x12, 0, 2],
            mtu: 1450,
            addresses: vec![],
            ipv6,
            default_v4: None,
            default_v6: None,
        }
    }

    fn peer_of(message: &LinkMessage) -> LinkMessage {
        for a in &message.attributes {
            if let LinkAttribute::LinkInfo(infos) = a {
                for info in infos {
                    if let LinkInfo::Data(InfoData::Veth(InfoVeth::Peer(peer))) = info {
                        return peer.clone();
                    }
                }
            }
        }
        panic!("no peer in {message:?}");
    }

    #[test]
    fn host_side_is_born_down_as_a_port_of_the_bridge_with_the_mtu() {
        let message = new_pair(&spec(false), 7, 42);
        let a = &message.attributes;
        assert!(a.contains(&LinkAttribute::IfName("veth1234567".into())));
        assert!(a.contains(&LinkAttribute::Controller(7)));
        assert!(a.contains(&LinkAttribute::Mtu(1450)));
        assert!(!message.header.flags.contains(LinkFlags::Up));
    }

    #[test]
    fn host_side_label_switches_ipv6_off_and_leaves_the_up_flag_alone() {
        let message = label_host_side(9, "berth endpoint x");
        assert_eq!(message.header.index, 9);
        assert!(message
            .attributes
            .contains(&LinkAttribute::IfAlias("berth endpoint x".into())));
        assert!(message.attributes.contains(&no_ipv6_address_generation()));
        assert!(!message.header.change_mask.contains(LinkFlags::Up));
    }

    #[test]
    fn container_side_is_born_down_in_the_netns_with_name_mac_and_mtu() {
        let peer = peer_of(&new_pair(&spec(true), 7, 42));
        let a = &peer.attributes;
        assert!(a.contains(&LinkAttribute::IfName("eth0".into())));
        assert!(a.contains(&LinkAttribute::NetNsFd(42)));
        assert!(a.contains(&LinkAttribute::Address(vec![0x02, 0x42, 0xac, 0x12, 0, 2])));
        assert!(a.contains(&LinkAttribute::Mtu(1450)));
        assert!(
            !peer.header.flags.contains(LinkFlags::Up),
            "brought up inside"
        );
        assert!(!a.contains(&no_ipv6_address_generation()));
        assert!(no_ipv6(9)
            .attributes
            .contains(&no_ipv6_address_generation()));
        assert!(set_up(9).header.flags.contains(LinkFlags::Up));
    }
}
