//! The daemon-level settings the engine needs.

use berth_model::ipam::DefaultPools;
use ipnet::IpNet;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Pools automatic IPv4 subnets come from (`--default-address-pool`).
    pub default_pools: DefaultPools,
    /// `--bip`: the default bridge's gateway address and prefix, e.g. 172.17.0.1/16.
    pub bip: Option<IpNet>,
    /// The device name of the default bridge network.
    pub default_bridge_name: String,
    /// `--icc`: whether containers on the default bridge may talk to each other freely. With
    /// it off, only legacy links open the linked container's exposed ports.
    pub icc: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            default_pools: DefaultPools::docker_ipv4(),
            bip: None,
            default_bridge_name: "berth0".into(),
            icc: true,
        }
    }
}
