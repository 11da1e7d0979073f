//! A container's place on a bridge network: what was asked for it (kept for the container's
//! life, like Docker's `EndpointSettings` config half) and, while the container runs, the
//! endpoint that was made for it (the operational half, cleared on stop).

use super::create::EndpointRequest;
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub network_id: String,
    /// The network's name when it was attached: inspect keys `Networks` by it.
    pub network_name: String,
    pub config: EndpointRequest,
    /// Present while the container runs with this endpoint plugged in.
    pub endpoint: Option<EndpointState>,
}

/// The endpoint as made: its kernel objects and its addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointState {
    /// 64 hex, Docker's `EndpointID`.
    pub id: String,
    /// The interface inside the container (`eth0`, `eth1`, ...).
    pub ifname: String,
    /// The host side of the veth pair (`veth` + 7 hex of the endpoint ID).
    pub host_ifname: String,
    pub ipv4: Option<ipnet::Ipv4Net>,
    pub ipv6: Option<ipnet::Ipv6Net>,
    pub gateway4: Option<Ipv4Addr>,
    pub gateway6: Option<Ipv6Addr>,
    /// `02:42:ac:12:00:02`.
    pub mac: String,
}

impl EndpointState {
    /// The ifalias on the host-side veth, so a restarted daemon can tell its own veths (and
    /// which endpoint each one is) from everyone else's.
    pub fn host_alias(&self) -> String {
        endpoint_alias(&self.id)
    }
}

pub fn endpoint_alias(endpoint_id: &str) -> String {
    format!("berth endpoint {endpoint_id}")
}

/// The endpoint ID back out of a host-side veth's ifalias.
pub fn endpoint_id_from_alias(alias: &str) -> Option<&str> {
    alias.strip_prefix("berth endpoint ")
}

/// The host side veth's name for an endpoint: `veth` and 7 hex of its ID, as Docker's look.
pub fn host_ifname(endpoint_id: &str) -> String {
    format!("veth{}", &endpoint_id[..endpoint_id.len().min(7)])
}
