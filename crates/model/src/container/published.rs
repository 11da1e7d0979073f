//! Ports a running container publishes, as resolved at start: every host port chosen (ephemeral
//! ones from the kernel's local port range), one entry per (host port, container port) pair.
//! The container record keeps them while it runs; the firewall renders its DNAT map from them,
//! and inspect's `NetworkSettings.Ports` and `docker port` show them.

use super::ports::Proto;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PublishedPort {
    pub proto: Proto,
    /// The host address the port is bound to; `None` for every address (`0.0.0.0` / `::`).
    pub host_ip: Option<IpAddr>,
    pub host_port: u16,
    pub container_port: u16,
    /// The container's address traffic is forwarded to (on the network that gives it its
    /// default route, as Docker picks it).
    pub container_ip: IpAddr,
}
