//! Network JSON: the create request as clients send it, and the network object as
//! `GET /networks` and `GET /networks/{id}` return it. Every field Docker always emits is
//! emitted here too, empty or not, because clients index into them.

use crate::json_obj::Obj;
use berth_model::container::EndpointState;
use berth_model::ipam::IpamConfigInput;
use berth_model::network::plan::CreateRequest;
use berth_model::network::Network;
use berth_model::time::{rfc3339_nano, GO_ZERO_TIME};
use berth_model::ApiError;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

pub fn parse_create_request(body: Option<&Value>) -> Result<CreateRequest, ApiError> {
    let o = Obj::new(body, "network.CreateRequest")?;
    let ipam = o.object("IPAM", "network.IPAM")?;
    let mut ipam_configs = Vec::new();
    for c in ipam.objects("Config", "network.IPAMConfig")? {
        ipam_configs.push(IpamConfigInput {
            subnet: c.string("Subnet")?,
            ip_range: c.string("IPRange")?,
            gateway: c.string("Gateway")?,
            aux_addresses: c.string_map("AuxiliaryAddresses")?,
        });
    }
    let config_from = o.object("ConfigFrom", "network.ConfigReference")?;
    Ok(CreateRequest {
        name: o.string("Name")?,
        driver: o.string("Driver")?,
        scope: o.string("Scope")?,
        internal: o.bool("Internal")?,
        attachable: o.bool("Attachable")?,
        ingress: o.bool("Ingress")?,
        config_only: o.bool("ConfigOnly")?,
        config_from: config_from.string("Network")?,
        ipam_driver: ipam.string("Driver")?,
        ipam_configs,
        ipam_options: ipam.string_map("Options")?,
        enable_ipv4: o.opt_bool("EnableIPv4")?,
        enable_ipv6: o.opt_bool("EnableIPv6")?,
        options: o.string_map("Options")?,
        labels: o.string_map("Labels")?,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkJson {
    name: String,
    id: String,
    created: String,
    scope: String,
    driver: String,
    #[serde(rename = "EnableIPv4")]
    enable_ipv4: bool,
    #[serde(rename = "EnableIPv6")]
    enable_ipv6: bool,
    #[serde(rename = "IPAM")]
    ipam: IpamJson,
    internal: bool,
    attachable: bool,
    ingress: bool,
    config_from: ConfigFromJson,
    config_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    containers: Option<BTreeMap<String, EndpointResourceJson>>,
    options: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct IpamJson {
    driver: String,
    options: Option<BTreeMap<String, String>>,
    config: Vec<IpamConfigJson>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct IpamConfigJson {
    subnet: String,
    #[serde(rename = "IPRange", skip_serializing_if = "String::is_empty")]
    ip_range: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    gateway: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    auxiliary_addresses: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ConfigFromJson {
    network: String,
}

/// One entry of an inspected network's `Containers` (Docker's `EndpointResource`), keyed by
/// container ID. Addresses carry their prefix here, unlike in `EndpointSettings`.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointResourceJson {
    pub name: String,
    #[serde(rename = "EndpointID")]
    pub endpoint_id: String,
    pub mac_address: String,
    #[serde(rename = "IPv4Address")]
    pub ipv4_address: String,
    #[serde(rename = "IPv6Address")]
    pub ipv6_address: String,
}

impl EndpointResourceJson {
    pub fn from_endpoint(container_name: &str, ep: &EndpointState) -> EndpointResourceJson {
        EndpointResourceJson {
            name: container_name.to_string(),
            endpoint_id: ep.id.clone(),
            mac_address: ep.mac.clone(),
            ipv4_address: ep.ipv4.map(|n| n.to_string()).unwrap_or_default(),
            ipv6_address: ep.ipv6.map(|n| n.to_string()).unwrap_or_default(),
        }
    }

    /// A host or none container: an endpoint without an interface.
    pub fn without_interface(container_name: &str, endpoint_id: String) -> EndpointResourceJson {
        EndpointResourceJson {
            name: container_name.to_string(),
            endpoint_id,
            mac_address: String::new(),
            ipv4_address: String::new(),
            ipv6_address: String::new(),
        }
    }
}

/// Whether the object is for inspect (with `Containers`) or for the list.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum View {
    List,
    Inspect,
}

impl NetworkJson {
    pub fn from_network(n: &Network, view: View) -> NetworkJson {
        NetworkJson {
            name: n.name.clone(),
            id: n.id.clone(),
            created: n
                .created
                .as_ref()
                .map(rfc3339_nano)
                .unwrap_or_else(|| GO_ZERO_TIME.to_string()),
            scope: n.scope.clone(),
            driver: n.driver.as_str().to_string(),
            enable_ipv4: n.enable_ipv4,
            enable_ipv6: n.enable_ipv6,
            ipam: IpamJson {
                driver: n.ipam_driver.clone(),
                options: (!n.ipam_options.is_empty()).then(|| n.ipam_options.clone()),
                config: n
                    .pools
                    .iter()
                    .map(|p| IpamConfigJson {
                        subnet: p.subnet.to_string(),
                        ip_range: p.ip_range.map(|r| r.to_string()).unwrap_or_default(),
                        gateway: p.gateway.to_string(),
                        auxiliary_addresses: p
                            .aux_addresses
                            .iter()
                            .map(|(k, v)| (k.clone(), v.to_string()))
                            .collect(),
                    })
                    .collect(),
            },
            internal: n.internal,
            attachable: n.attachable,
            ingress: n.ingress,
            config_from: ConfigFromJson {
                network: n.config_from.clone(),
            },
            config_only: n.config_only,
            containers: (view == View::Inspect).then(BTreeMap::new),
            options: n.options.clone(),
            labels: n.labels.clone(),
        }
    }

    /// Inspect's `Containers`: the containers with an endpoint on the network now.
    pub fn with_containers(mut self, c: BTreeMap<String, EndpointResourceJson>) -> NetworkJson {
        self.containers = Some(c);
        self
    }
}
