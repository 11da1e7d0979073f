//! The host's routes, kept current by the kernel's route notifications instead of a full dump
//! per request: with hundreds of bridges a dump costs more than the rest of a network create.
//!
//! The cache subscribes to the IPv4 and IPv6 route groups before its first dump, so no change
//! is missed; routes are keyed by their full identity (table, destination, output link,
//! priority, TOS), so a notification that repeats what the dump already showed changes nothing.
//! If the kernel drops notifications (ENOBUFS) the next read dumps again.
//!
//! Linux does not announce the IPv4 routes it flushes when a link goes down or away, so the
//! cache also follows link notifications and drops the routes through such a link itself.

use std::collections::HashSet;

use ipnet::IpNet;
use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
use netlink_packet_route::link::LinkFlags;
use netlink_packet_route::route::{RouteAttribute, RouteMessage};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};

use super::routes::{destination_of, dump_main_table};
use super::socket::NlSocket;
use crate::kernel::is_route_noise;
use crate::NetsysError;

/// RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE and RTNLGRP_IPV6_ROUTE.
const GROUPS: [u32; 3] = [1, 7, 11];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RouteKey {
    destination: IpNet,
    oif: u32,
    priority: u32,
    tos: u8,
}

pub(crate) struct RouteCache {
    events: Option<Socket>,
    routes: HashSet<RouteKey>,
    valid: bool,
    buffer: Vec<u8>,
}

impl RouteCache {
    /// Subscribes in the calling thread's namespace. Without a subscription (the kernel
    /// refused it) every read falls back to a dump.
    pub(crate) fn new() -> RouteCache {
        RouteCache {
            events: subscribe().ok(),
            routes: HashSet::new(),
            valid: false,
            buffer: vec![0; 64 * 1024],
        }
    }

    pub(crate) fn destinations(
        &mut self,
        dumper: &mut NlSocket,
    ) -> Result<Vec<IpNet>, NetsysError> {
        if self.events.is_none() {
            return super::routes::destinations(dumper);
        }
        self.apply_pending();
        if !self.valid {
            // Notifications queued during the dump are applied on the next read; keys make
            // that idempotent.
            let dumped = dump_main_table(dumper)?;
            self.routes = dumped.iter().filter_map(key_of).collect();
            self.valid = true;
        }
        let mut found: Vec<IpNet> = self
            .routes
            .iter()
            .map(|k| k.destination)
            .filter(|d| !is_route_noise(d))
            .collect();
        found.sort();
        found.dedup();
        Ok(found)
    }

    /// Applies every queued notification without blocking.
    fn apply_pending(&mut self) {
        // Taken out for the loop so the handlers below may borrow `self` mutably.
        let Some(sock) = self.events.take() else {
            return;
        };
        self.drain(&sock);
        self.events = Some(sock);
    }

    fn drain(&mut self, sock: &Socket) {
        loop {
            match sock.recv(&mut &mut self.buffer[..], libc::MSG_DONTWAIT) {
                Ok(size) => {
                    let mut offset = 0;
                    while offset < size {
                        let Ok(packet) = NetlinkMessage::<RouteNetlinkMessage>::deserialize(
                            &self.buffer[offset..size],
                        ) else {
                            self.valid = false;
                            break;
                        };
                        let length = packet.header.length as usize;
                        if length == 0 {
                            break;
                        }
                        offset += (length + 3) & !3;
                        match packet.payload {
                            NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewRoute(r)) => {
                                if let Some(k) = key_of(&r) {
                                    self.routes.insert(k);
                                }
                            }
                            NetlinkPayload::InnerMessage(RouteNetlinkMessage::DelRoute(r)) => {
                                if let Some(k) = key_of(&r) {
                                    self.routes.remove(&k);
                                }
                            }
                            NetlinkPayload::InnerMessage(RouteNetlinkMessage::DelLink(l)) => {
                                self.forget_link(l.header.index)
                            }
                            NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewLink(l))
                                if !l.header.flags.contains(LinkFlags::Up) =>
                            {
                                self.forget_link(l.header.index)
                            }
                            _ => {}
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                // ENOBUFS: notifications were lost; start again from a dump.
                Err(_) => {
                    self.valid = false;
                    return;
                }
            }
        }
    }
}

impl RouteCache {
    /// Drops the routes through a link that went down or away. A route without a known output
    /// link (multipath) might have gone too: dump again to be sure.
    fn forget_link(&mut self, index: u32) {
        if self.routes.iter().any(|k| k.oif == 0) {
            self.valid = false;
        }
        self.routes.retain(|k| k.oif != index);
    }
}

fn subscribe() -> std::io::Result<Socket> {
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind(&SocketAddr::new(0, 0))?;
    for g in GROUPS {
        socket.add_membership(g)?;
    }
    Ok(socket)
}

fn key_of(route: &RouteMessage) -> Option<RouteKey> {
    let destination = destination_of(route)?;
    let mut oif = 0;
    let mut priority = 0;
    for a in &route.attributes {
        match a {
            RouteAttribute::Oif(i) => oif = *i,
            RouteAttribute::Priority(p) => priority = *p,
            _ => {}
        }
    }
    Some(RouteKey {
        destination,
        oif,
        priority,
        tos: route.header.tos,
    })
}
