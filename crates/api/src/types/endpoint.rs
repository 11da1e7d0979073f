//! A container's endpoints as the Engine API shows them: `NetworkSettings.Networks` of inspect
//! and `ps` (Docker's `EndpointSettings`, in API 1.50's field order), and the legacy top-level
//! fields that mirror the endpoint on the default bridge.

use berth_model::container::{Attachment, Container};
use serde::Serialize;
use std::collections::BTreeMap;

/// The predefined network the legacy top-level fields mirror, and the one network where
/// Docker keeps no DNS names (it has no embedded DNS).
pub const DEFAULT_BRIDGE: &str = "bridge";

#[derive(Serialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointSettingsJson {
    #[serde(rename = "IPAMConfig")]
    pub ipam_config: Option<EndpointIpamJson>,
    pub links: Option<Vec<String>>,
    pub aliases: Option<Vec<String>>,
    pub mac_address: String,
    pub driver_opts: Option<BTreeMap<String, String>>,
    pub gw_priority: i64,
    #[serde(rename = "NetworkID")]
    pub network_id: String,
    #[serde(rename = "EndpointID")]
    pub endpoint_id: String,
    pub gateway: String,
    #[serde(rename = "IPAddress")]
    pub ip_address: String,
    #[serde(rename = "IPPrefixLen")]
    pub ip_prefix_len: u8,
    #[serde(rename = "IPv6Gateway")]
    pub ipv6_gateway: String,
    #[serde(rename = "GlobalIPv6Address")]
    pub global_ipv6_address: String,
    #[serde(rename = "GlobalIPv6PrefixLen")]
    pub global_ipv6_prefix_len: u8,
    #[serde(rename = "DNSNames")]
    pub dns_names: Option<Vec<String>>,
}

/// Docker's `EndpointIPAMConfig`: every field is `omitempty`. (`LinkLocalIPs` joins when the
/// model keeps them.)
#[derive(Serialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct EndpointIpamJson {
    #[serde(rename = "IPv4Address", skip_serializing_if = "String::is_empty")]
    pub ipv4_address: String,
    #[serde(rename = "IPv6Address", skip_serializing_if = "String::is_empty")]
    pub ipv6_address: String,
}

fn list_or_null(v: &[String]) -> Option<Vec<String>> {
    (!v.is_empty()).then(|| v.to_vec())
}

/// One bridge-network attachment. The configured half always shows; the operational half
/// only while the endpoint exists (the container runs), except `NetworkID`, which Docker
/// keeps, and `MacAddress`, which falls back to the configured one.
pub fn attachment_json(c: &Container, a: &Attachment) -> EndpointSettingsJson {
    let cfg = &a.config;
    let ipam_config =
        (!cfg.ipv4_address.is_empty() || !cfg.ipv6_address.is_empty()).then(|| EndpointIpamJson {
            ipv4_address: cfg.ipv4_address.clone(),
            ipv6_address: cfg.ipv6_address.clone(),
        });
    let mut out = EndpointSettingsJson {
        ipam_config,
        links: list_or_null(&cfg.links),
        aliases: list_or_null(&cfg.aliases),
        mac_address: cfg.mac_address.clone(),
        driver_opts: (!cfg.driver_opts.is_empty()).then(|| cfg.driver_opts.clone()),
        gw_priority: cfg.gw_priority,
        network_id: a.network_id.clone(),
        ..Default::default()
    };
    let Some(ep) = &a.endpoint else {
        return out;
    };
    out.endpoint_id = ep.id.clone();
    out.mac_address = ep.mac.clone();
    if let Some(v4) = ep.ipv4 {
        out.ip_address = v4.addr().to_string();
        out.ip_prefix_len = v4.prefix_len();
    }
    if let Some(gw) = ep.gateway4 {
        out.gateway = gw.to_string();
    }
    if let Some(v6) = ep.ipv6 {
        out.global_ipv6_address = v6.addr().to_string();
        out.global_ipv6_prefix_len = v6.prefix_len();
    }
    if let Some(gw) = ep.gateway6 {
        out.ipv6_gateway = gw.to_string();
    }
    if a.network_name != DEFAULT_BRIDGE {
        out.dns_names = Some(dns_names(c, &cfg.aliases));
    }
    out
}

/// The names an endpoint answers to (see `Container::dns_names`).
pub fn dns_names(c: &Container, aliases: &[String]) -> Vec<String> {
    c.dns_names(aliases)
}

/// The empty endpoint a host or none container has on that network; its `EndpointID` is
/// set while the container runs, as in Docker.
pub fn mode_endpoint_json(network_id: &str, endpoint_id: &str) -> EndpointSettingsJson {
    EndpointSettingsJson {
        network_id: network_id.to_string(),
        endpoint_id: endpoint_id.to_string(),
        ..Default::default()
    }
}

/// The stable endpoint ID of a host or none container on that network (nothing is stored
/// for those, so it is derived; network inspect uses the same one).
pub fn mode_endpoint_id(container_id: &str, network_id: &str) -> String {
    berth_model::ids::derive_id(&[container_id, network_id, "endpoint"])
}

/// `NetworkSettings.Networks`: keyed by network name (a Go map, so sorted).
pub fn networks_map(
    c: &Container,
    mode_network: Option<&(String, String)>,
) -> BTreeMap<String, EndpointSettingsJson> {
    let mut m = BTreeMap::new();
    if let Some((name, id)) = mode_network {
        let endpoint = if c.state.is_running() {
            mode_endpoint_id(&c.id, id)
        } else {
            String::new()
        };
        m.insert(name.clone(), mode_endpoint_json(id, &endpoint));
    }
    for a in &c.networks {
        m.insert(a.network_name.clone(), attachment_json(c, a));
    }
    m
}

/// The legacy `DefaultNetworkSettings` of `NetworkSettings`: a copy of the default bridge
/// endpoint's addresses, empty when the container is not on that network.
#[derive(Serialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct LegacyDefaultJson {
    #[serde(rename = "EndpointID")]
    pub endpoint_id: String,
    pub gateway: String,
    #[serde(rename = "GlobalIPv6Address")]
    pub global_ipv6_address: String,
    #[serde(rename = "GlobalIPv6PrefixLen")]
    pub global_ipv6_prefix_len: u8,
    #[serde(rename = "IPAddress")]
    pub ip_address: String,
    #[serde(rename = "IPPrefixLen")]
    pub ip_prefix_len: u8,
    #[serde(rename = "IPv6Gateway")]
    pub ipv6_gateway: String,
    pub mac_address: String,
}

pub fn legacy_default(networks: &BTreeMap<String, EndpointSettingsJson>) -> LegacyDefaultJson {
    let Some(ep) = networks.get(DEFAULT_BRIDGE) else {
        return LegacyDefaultJson::default();
    };
    LegacyDefaultJson {
        endpoint_id: ep.endpoint_id.clone(),
        gateway: ep.gateway.clone(),
        global_ipv6_address: ep.global_ipv6_address.clone(),
        global_ipv6_prefix_len: ep.global_ipv6_prefix_len,
        ip_address: ep.ip_address.clone(),
        ip_prefix_len: ep.ip_prefix_len,
        ipv6_gateway: ep.ipv6_gateway.clone(),
        mac_address: ep.mac_address.clone(),
    }
}
