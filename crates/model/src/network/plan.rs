//! Turning a create request into a network record: every check Docker makes, in Docker's
//! order, with no side effects. The engine then only has to apply the result.

use super::bridge_options::{parse_go_bool, BridgeSettings, OPT_ENABLE_IPV4, OPT_ENABLE_IPV6};
use super::driver::Driver;
use super::names::validate_network_name;
use super::record::Network;
use crate::error::ApiError;
use crate::ids::{generate_id, short_id};
use crate::ipam::config::ParsedConfig;
use crate::ipam::{overlaps, validate_ipam, DefaultPools, Family, IpamConfigInput, PoolConfig};
use crate::time::Timestamp;
use ipnet::IpNet;
use std::collections::BTreeMap;

/// A `POST /networks/create` request, decoded but not yet validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateRequest {
    pub name: String,
    pub driver: String,
    pub scope: String,
    pub internal: bool,
    pub attachable: bool,
    pub ingress: bool,
    pub config_only: bool,
    pub config_from: String,
    pub ipam_driver: String,
    pub ipam_configs: Vec<IpamConfigInput>,
    pub ipam_options: BTreeMap<String, String>,
    pub enable_ipv4: Option<bool>,
    pub enable_ipv6: Option<bool>,
    pub options: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
}

/// What the daemon knows that a plan depends on.
pub struct PlanContext<'a> {
    pub existing: &'a [&'a Network],
    /// Destinations of the host's routes: automatic subnets must not overlap them.
    pub host_routes: &'a [IpNet],
    pub v4_pools: &'a DefaultPools,
    pub v6_pools: &'a DefaultPools,
    pub now: Timestamp,
}

/// Whether the request leaves some enabled address family without a subnet, so an automatic
/// one (which must avoid the host's routes) will be chosen. Lets the engine skip reading the
/// host's routes when the user gave every subnet.
pub fn needs_automatic_subnet(req: &CreateRequest) -> bool {
    let given = |fam: Family| {
        req.ipam_configs.iter().any(|c| {
            c.subnet
                .parse::<IpNet>()
                .is_ok_and(|s| Family::of_net(&s) == fam)
        })
    };
    let v6 = req.enable_ipv6.unwrap_or(false)
        || req
            .options
            .get(OPT_ENABLE_IPV6)
            .is_some_and(|v| parse_go_bool(v) == Some(true));
    let v4 = req.enable_ipv4.unwrap_or(true);
    (v4 && !given(Family::V4)) || (v6 && !given(Family::V6))
}

pub fn plan_network(req: &CreateRequest, ctx: &PlanContext<'_>) -> Result<Network, ApiError> {
    let parsed = validate_ipam(&req.ipam_configs)?;
    validate_network_name(&req.name)?;
    if ctx.existing.iter().any(|n| n.name == req.name) {
        return Err(ApiError::conflict(format!(
            "network with name {} already exists",
            req.name
        )));
    }
    let driver = Driver::parse(&req.driver)?;
    if driver != Driver::Bridge {
        return Err(ApiError::forbidden(format!(
            "only one instance of \"{}\" network is allowed",
            driver.as_str()
        )));
    }
    if !matches!(req.ipam_driver.as_str(), "" | "default") {
        return Err(ApiError::not_found(format!(
            "plugin \"{}\" not found",
            req.ipam_driver
        )));
    }
    if !matches!(req.scope.as_str(), "" | "local") {
        return Err(ApiError::forbidden(format!(
            "scope {} is not supported by the bridge driver",
            req.scope
        )));
    }
    for fam in [Family::V4, Family::V6] {
        let given = parsed.iter().filter(|p| p.family() == Some(fam)).count();
        if given > 1 {
            return Err(ApiError::forbidden(
                "bridge driver doesn't support multiple subnets",
            ));
        }
    }
    if parsed.iter().filter(|p| p.subnet.is_none()).count() > 1 {
        return Err(ApiError::forbidden(
            "bridge driver doesn't support multiple subnets",
        ));
    }
    let enable_ipv6 = flag(req.enable_ipv6, &req.options, OPT_ENABLE_IPV6, false)?;
    let enable_ipv4 = flag(req.enable_ipv4, &req.options, OPT_ENABLE_IPV4, true)?;
    if !enable_ipv4 && !enable_ipv6 {
        return Err(ApiError::invalid(
            "cannot create a network with neither IPv4 nor IPv6 enabled",
        ));
    }
    let id = generate_id();
    let mut bridge = BridgeSettings::from_options(&req.options, format!("br-{}", short_id(&id)))?;
    if let Some(other) = ctx
        .existing
        .iter()
        .find(|n| n.bridge.as_ref().is_some_and(|b| b.name == bridge.name))
    {
        return Err(ApiError::forbidden(format!(
            "cannot create network {id} ({}): conflicts with network {} ({}): networks have same bridge name",
            bridge.name, other.id, bridge.name
        )));
    }
    bridge.default_bridge = false;
    let pools = allocate_pools(parsed, enable_ipv4, enable_ipv6, ctx)?;
    Ok(Network {
        id,
        name: req.name.clone(),
        driver,
        created: Some(ctx.now),
        scope: "local".into(),
        internal: req.internal,
        attachable: req.attachable,
        ingress: req.ingress,
        config_only: req.config_only,
        config_from: req.config_from.clone(),
        enable_ipv4,
        enable_ipv6,
        ipam_driver: "default".into(),
        ipam_options: req.ipam_options.clone(),
        pools,
        options: req.options.clone(),
        labels: req.labels.clone(),
        bridge: Some(bridge),
        predefined: false,
    })
}

fn flag(
    field: Option<bool>,
    opts: &BTreeMap<String, String>,
    key: &str,
    default: bool,
) -> Result<bool, ApiError> {
    match opts.get(key) {
        Some(v) => {
            let b = parse_go_bool(v).ok_or_else(|| {
                ApiError::invalid(format!("driver-opt \"{key}\" is not a valid bool"))
            })?;
            Ok(field.unwrap_or(b))
        }
        None => Ok(field.unwrap_or(default)),
    }
}

/// Picks the subnets: user-given ones must not overlap any other network; automatic ones are
/// the lowest free subnet of the default pools that overlaps neither networks nor host routes.
fn allocate_pools(
    parsed: Vec<ParsedConfig>,
    enable_ipv4: bool,
    enable_ipv6: bool,
    ctx: &PlanContext<'_>,
) -> Result<Vec<PoolConfig>, ApiError> {
    let in_use: Vec<IpNet> = ctx
        .existing
        .iter()
        .flat_map(|n| n.subnets().copied())
        .collect();
    let mut pools = Vec::new();
    for fam in [Family::V4, Family::V6] {
        let enabled = match fam {
            Family::V4 => enable_ipv4,
            Family::V6 => enable_ipv6,
        };
        let given: Vec<&ParsedConfig> = parsed.iter().filter(|p| p.family() == Some(fam)).collect();
        if !enabled {
            if let Some(p) = given.first() {
                let subnet = p.subnet.map(|s| s.to_string()).unwrap_or_default();
                return Err(ApiError::invalid(format!(
                    "invalid network config:\n{} subnet {subnet} given but {} is not enabled",
                    fam.name(),
                    fam.name()
                )));
            }
            continue;
        }
        match given.first() {
            Some(p) => {
                let subnet = p.subnet.unwrap_or_else(|| unreachable_subnet(fam));
                if in_use.iter().any(|u| overlaps(u, &subnet)) {
                    return Err(ApiError::forbidden(
                        "Pool overlaps with other one on this address space",
                    ));
                }
                pools.push((*p).clone().into_pool(subnet)?);
            }
            None => {
                let (source, taken) = match fam {
                    Family::V4 => (
                        ctx.v4_pools,
                        in_use
                            .iter()
                            .chain(ctx.host_routes)
                            .copied()
                            .collect::<Vec<_>>(),
                    ),
                    Family::V6 => (
                        ctx.v6_pools,
                        in_use
                            .iter()
                            .chain(ctx.host_routes)
                            .copied()
                            .collect::<Vec<_>>(),
                    ),
                };
                let subnet = source.first_free(fam, &taken).ok_or_else(|| {
                    ApiError::invalid("all predefined address pools have been fully subnetted")
                })?;
                // An automatic subnet may still carry a user ip-range/gateway-less config entry
                // (Docker allows an IPAM config with only options); use its aux addresses.
                let base = parsed
                    .iter()
                    .find(|p| p.subnet.is_none())
                    .cloned()
                    .unwrap_or(ParsedConfig {
                        subnet: None,
                        ip_range: None,
                        gateway: None,
                        aux_addresses: BTreeMap::new(),
                    });
                pools.push(base.into_pool(subnet)?);
            }
        }
    }
    Ok(pools)
}

/// Configs passed to this point always carry a subnet; keep the compiler happy without panicking.
fn unreachable_subnet(fam: Family) -> IpNet {
    match fam {
        Family::V4 => IpNet::V4(ipnet::Ipv4Net::default()),
        Family::V6 => IpNet::V6(ipnet::Ipv6Net::default()),
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
