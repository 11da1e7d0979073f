//! The networks every daemon has: `bridge` (the default bridge), `host` and `none`. They are
//! created on first start and keep their IDs across restarts; `--bip` can move `bridge`
//! and `--icc` sets its `enable_icc`.

use crate::{internal, Engine};
use berth_model::ids::generate_id;
use berth_model::ipam::{Family, PoolConfig};
use berth_model::network::bridge_options::*;
use berth_model::network::{BridgeSettings, Driver, Network};
use berth_model::ApiError;
use ipnet::IpNet;
use std::collections::BTreeMap;
use std::sync::Arc;

impl Engine {
    pub(crate) fn ensure_predefined(&self) -> Result<(), ApiError> {
        let _guard = self.lock();
        let existing = self.state.networks();
        for (name, driver) in [("none", Driver::Null), ("host", Driver::Host)] {
            if !existing.iter().any(|n| n.name == name && n.predefined) {
                self.commit(plain_network(name, driver))?;
            }
        }
        let wanted_pool = self.default_bridge_pool(&existing)?;
        match existing.iter().find(|n| n.name == "bridge" && n.predefined) {
            Some(b) => {
                // --bip or --icc changed since the last start: move or reconfigure the
                // default bridge, keeping its ID.
                let mut changed = (**b).clone();
                changed.pools = vec![wanted_pool];
                if let Some(settings) = changed.bridge.as_mut() {
                    settings.enable_icc = self.config.icc;
                    changed.options = default_bridge_options(settings);
                }
                if changed != **b {
                    self.commit(changed)?;
                }
            }
            None => {
                let mut net = plain_network("bridge", Driver::Bridge);
                net.created = Some(berth_model::time::now());
                net.enable_ipv4 = true;
                net.pools = vec![wanted_pool];
                let mut settings = default_bridge_settings(&self.config.default_bridge_name);
                settings.enable_icc = self.config.icc;
                net.options = default_bridge_options(&settings);
                net.bridge = Some(settings);
                self.commit(net)?;
            }
        }
        Ok(())
    }

    /// The default bridge's pool: `--bip` if given; else the stored one if there is one; else the
    /// first default pool that overlaps no host route and no other network.
    fn default_bridge_pool(&self, existing: &[Arc<Network>]) -> Result<PoolConfig, ApiError> {
        if let Some(bip) = self.config.bip {
            return Ok(PoolConfig {
                subnet: bip.trunc(),
                ip_range: None,
                gateway: bip.addr(),
                gateway_given: false,
                // --bip is the operator's choice, like a user-given subnet.
                subnet_given: true,
                aux_addresses: BTreeMap::new(),
            });
        }
        if let Some(pool) = existing
            .iter()
            .find(|n| n.name == "bridge" && n.predefined)
            .and_then(|b| b.pools.first())
        {
            return Ok(pool.clone());
        }
        let mut taken: Vec<IpNet> = existing.iter().flat_map(|n| n.subnets().copied()).collect();
        taken.extend(self.host_routes());
        self.config
            .default_pools
            .first_free(Family::V4, &taken)
            .and_then(PoolConfig::automatic)
            .ok_or_else(|| {
                ApiError::internal(
                    "no available address pool for the default bridge: all predefined address pools have been fully subnetted",
                )
            })
    }

    /// Stores a network and publishes it to readers.
    pub(crate) fn commit(&self, network: Network) -> Result<(), ApiError> {
        self.store.put_network(&network).map_err(internal)?;
        self.state.upsert(network);
        Ok(())
    }
}

fn plain_network(name: &str, driver: Driver) -> Network {
    Network {
        id: generate_id(),
        name: name.into(),
        driver,
        created: Some(berth_model::time::now()),
        scope: "local".into(),
        internal: false,
        attachable: false,
        ingress: false,
        config_only: false,
        config_from: String::new(),
        enable_ipv4: false,
        enable_ipv6: false,
        ipam_driver: "default".into(),
        ipam_options: BTreeMap::new(),
        pools: vec![],
        options: BTreeMap::new(),
        labels: BTreeMap::new(),
        bridge: None,
        predefined: true,
    }
}

fn default_bridge_settings(device: &str) -> BridgeSettings {
    BridgeSettings {
        name: device.into(),
        enable_icc: true,
        enable_ip_masquerade: true,
        host_binding_ipv4: std::net::Ipv4Addr::UNSPECIFIED.into(),
        mtu: 1500,
        default_bridge: true,
        adopted: false,
    }
}

/// The options Docker shows for its default bridge, all spelled out.
fn default_bridge_options(s: &BridgeSettings) -> BTreeMap<String, String> {
    [
        (OPT_DEFAULT_BRIDGE, "true".to_string()),
        (OPT_ENABLE_ICC, s.enable_icc.to_string()),
        (OPT_ENABLE_MASQ, s.enable_ip_masquerade.to_string()),
        (OPT_HOST_BINDING_V4, s.host_binding_ipv4.to_string()),
        (OPT_BRIDGE_NAME, s.name.clone()),
        (OPT_MTU, s.mtu.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}
