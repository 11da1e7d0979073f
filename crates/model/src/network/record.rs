//! The persisted form of a network: what the store keeps and the engine reasons about.

use super::bridge_options::BridgeSettings;
use super::driver::Driver;
use crate::ipam::PoolConfig;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub driver: Driver,
    /// None for the predefined `host` and `none`, which Docker shows with Go's zero time.
    pub created: Option<DateTime<Utc>>,
    pub scope: String,
    pub internal: bool,
    pub attachable: bool,
    pub ingress: bool,
    pub config_only: bool,
    pub config_from: String,
    pub enable_ipv4: bool,
    pub enable_ipv6: bool,
    pub ipam_driver: String,
    pub ipam_options: BTreeMap<String, String>,
    pub pools: Vec<PoolConfig>,
    /// The driver options as shown by inspect (what the user passed; the full set for `bridge`).
    pub options: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    /// Typed settings of a bridge network.
    pub bridge: Option<BridgeSettings>,
    pub predefined: bool,
}

impl Network {
    pub fn subnets(&self) -> impl Iterator<Item = &ipnet::IpNet> {
        self.pools.iter().map(|p| &p.subnet)
    }

    /// The ifalias berth writes on a bridge it creates, so a restarted daemon can tell its own
    /// bridges from everyone else's.
    pub fn bridge_alias(&self) -> String {
        format!("berth network {}", self.id)
    }
}

/// Parses the network ID back out of a bridge ifalias written by [`Network::bridge_alias`].
pub fn network_id_from_alias(alias: &str) -> Option<&str> {
    alias.strip_prefix("berth network ")
}
