//! Validation of user-given IPAM configuration, with Docker's messages. All problems are
//! collected and reported together under `invalid network config:`, as moby does since API 1.44.

use super::net::{first_host, is_reserved_edge, Family};
use crate::error::ApiError;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// One `IPAM.Config` entry exactly as the client sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpamConfigInput {
    pub subnet: String,
    pub ip_range: String,
    pub gateway: String,
    pub aux_addresses: BTreeMap<String, String>,
}

/// A validated pool of a network: typed, canonical, with its gateway decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolConfig {
    pub subnet: IpNet,
    pub ip_range: Option<IpNet>,
    pub gateway: IpAddr,
    /// Whether the user chose the gateway (kept so inspect can echo the request faithfully).
    pub gateway_given: bool,
    /// Whether the user gave the subnet (false when it came from the default pools): static
    /// endpoint addresses are only accepted on user-given subnets. Records written before this
    /// field existed read as false.
    #[serde(default)]
    pub subnet_given: bool,
    pub aux_addresses: BTreeMap<String, IpAddr>,
}

impl PoolConfig {
    /// A pool for an automatically chosen subnet: gateway is the first host address.
    pub fn automatic(subnet: IpNet) -> Option<Self> {
        Some(PoolConfig {
            subnet,
            ip_range: None,
            gateway: first_host(&subnet)?,
            gateway_given: false,
            subnet_given: false,
            aux_addresses: BTreeMap::new(),
        })
    }

    pub fn family(&self) -> Family {
        Family::of_net(&self.subnet)
    }

    /// The gateway with the subnet's prefix, as it is put on the bridge.
    pub fn gateway_cidr(&self) -> IpNet {
        IpNet::new(self.gateway, self.subnet.prefix_len()).unwrap_or(self.subnet)
    }
}

/// Partially parsed config: subnet may be absent (automatic) when only options are given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedConfig {
    pub subnet: Option<IpNet>,
    pub ip_range: Option<IpNet>,
    pub gateway: Option<IpAddr>,
    pub aux_addresses: BTreeMap<String, IpAddr>,
}

impl ParsedConfig {
    pub fn family(&self) -> Option<Family> {
        self.subnet.as_ref().map(Family::of_net)
    }

    /// Complete the config once its subnet is known (given or allocated). The subnet counts as
    /// user-given exactly when this config carried one.
    pub fn into_pool(self, subnet: IpNet) -> Result<PoolConfig, ApiError> {
        let gateway_given = self.gateway.is_some();
        let subnet_given = self.subnet.is_some();
        let gateway = match self.gateway {
            Some(g) => g,
            None => first_host(&subnet).ok_or_else(|| {
                ApiError::invalid(format!("subnet {subnet} has no room for a gateway"))
            })?,
        };
        Ok(PoolConfig {
            subnet,
            ip_range: self.ip_range,
            gateway,
            gateway_given,
            subnet_given,
            aux_addresses: self.aux_addresses,
        })
    }
}

/// Validates each config and returns them parsed, or one 400 error listing every problem.
pub fn validate_ipam(configs: &[IpamConfigInput]) -> Result<Vec<ParsedConfig>, ApiError> {
    let mut errs: Vec<String> = Vec::new();
    let mut parsed = Vec::new();
    for cfg in configs {
        if let Some(p) = validate_one(cfg, &mut errs) {
            parsed.push(p);
        }
    }
    if errs.is_empty() {
        Ok(parsed)
    } else {
        Err(ApiError::invalid(format!(
            "invalid network config:\n{}",
            errs.join("\n")
        )))
    }
}

fn validate_one(cfg: &IpamConfigInput, errs: &mut Vec<String>) -> Option<ParsedConfig> {
    let before = errs.len();
    if cfg.subnet.is_empty() {
        // Without a subnet Docker ignores ip-range/gateway/aux only client-side; the daemon
        // refuses them because nothing can contain them.
        for (what, v) in [("ip-range", &cfg.ip_range), ("gateway", &cfg.gateway)] {
            if !v.is_empty() {
                errs.push(format!("invalid {what} {v}: no subnet was given"));
            }
        }
        for name in cfg.aux_addresses.keys() {
            errs.push(format!(
                "invalid auxiliary address {name}: no subnet was given"
            ));
        }
        if errs.len() > before {
            return None;
        }
        return Some(ParsedConfig {
            subnet: None,
            ip_range: None,
            gateway: None,
            aux_addresses: BTreeMap::new(),
        });
    }
    let subnet: IpNet = match cfg.subnet.parse() {
        Ok(s) => s,
        Err(_) => {
            errs.push(format!(
                "invalid subnet {}: invalid CIDR block notation",
                cfg.subnet
            ));
            return None;
        }
    };
    let family = Family::of_net(&subnet);
    if subnet != subnet.trunc() {
        errs.push(format!(
            "invalid subnet {subnet}: it should be {}",
            subnet.trunc()
        ));
    }
    let ip_range = validate_ip_range(&cfg.ip_range, &subnet, family, errs);
    let gateway = match validate_address(&cfg.gateway, &subnet, family) {
        Ok(g) => g,
        Err(e) => {
            errs.push(format!("invalid gateway {}: {e}", cfg.gateway));
            None
        }
    };
    let mut aux_addresses = BTreeMap::new();
    for (name, addr) in &cfg.aux_addresses {
        match validate_address(addr, &subnet, family) {
            Ok(Some(a)) => {
                if Some(a) == gateway {
                    errs.push(format!(
                        "invalid auxiliary address {name}: address {a} is the gateway"
                    ));
                }
                aux_addresses.insert(name.clone(), a);
            }
            Ok(None) => errs.push(format!("invalid auxiliary address {name}: empty address")),
            Err(e) => errs.push(format!("invalid auxiliary address {name}: {e}")),
        }
    }
    if errs.len() > before {
        return None;
    }
    Some(ParsedConfig {
        subnet: Some(subnet),
        ip_range,
        gateway,
        aux_addresses,
    })
}

fn validate_ip_range(
    raw: &str,
    subnet: &IpNet,
    family: Family,
    errs: &mut Vec<String>,
) -> Option<IpNet> {
    if raw.is_empty() {
        return None;
    }
    let range: IpNet = match raw.parse() {
        Ok(r) => r,
        Err(_) => {
            errs.push(format!(
                "invalid ip-range {raw}: invalid CIDR block notation"
            ));
            return None;
        }
    };
    if Family::of_net(&range) != family {
        errs.push(format!(
            "invalid ip-range {raw}: parent subnet is an {} block",
            family.name()
        ));
        return None;
    }
    let before = errs.len();
    if range.prefix_len() < subnet.prefix_len() {
        errs.push(format!(
            "invalid ip-range {raw}: CIDR block is bigger than its parent subnet {subnet}"
        ));
    }
    if range != range.trunc() {
        errs.push(format!(
            "invalid ip-range {range}: it should be {}",
            range.trunc()
        ));
    }
    if !subnet.trunc().contains(&range.trunc()) && range.prefix_len() >= subnet.prefix_len() {
        errs.push(format!(
            "invalid ip-range {raw}: parent subnet {subnet} doesn't contain ip-range"
        ));
    }
    (errs.len() == before).then(|| range.trunc())
}

/// Checks a gateway or aux address against its subnet; Ok(None) when empty.
fn validate_address(raw: &str, subnet: &IpNet, family: Family) -> Result<Option<IpAddr>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    let addr: IpAddr = raw.parse().map_err(|_| "invalid address".to_string())?;
    if Family::of_addr(&addr) != family {
        return Err(format!("parent subnet is an {} block", family.name()));
    }
    if !subnet.trunc().contains(&addr) {
        return Err(format!(
            "parent subnet {subnet} doesn't contain this address"
        ));
    }
    if is_reserved_edge(&subnet.trunc(), &addr) {
        return Err(format!(
            "address {addr} is the network or broadcast address of {}",
            subnet.trunc()
        ));
    }
    Ok(Some(addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(subnet: &str, range: &str, gw: &str) -> IpamConfigInput {
        IpamConfigInput {
            subnet: subnet.into(),
            ip_range: range.into(),
            gateway: gw.into(),
            aux_addresses: BTreeMap::new(),
        }
    }

    fn err(c: Vec<IpamConfigInput>) -> String {
        validate_ipam(&c).unwrap_err().message
    }

    #[test]
    fn accepts_a_full_valid_config() {
        let mut c = cfg("172.20.0.0/16", "172.20.10.0/24", "172.20.10.11");
        c.aux_addresses.insert("router".into(), "172.20.1.5".into());
        let p = validate_ipam(&[c]).unwrap();
        let pool = p[0].clone().into_pool(p[0].subnet.unwrap()).unwrap();
        assert_eq!(pool.gateway, "172.20.10.11".parse::<IpAddr>().unwrap());
        assert!(pool.gateway_given);
        assert!(pool.subnet_given);
        assert_eq!(pool.ip_range, Some("172.20.10.0/24".parse().unwrap()));
        assert_eq!(pool.gateway_cidr().to_string(), "172.20.10.11/16");
    }

    #[test]
    fn default_gateway_is_first_host() {
        let p = validate_ipam(&[cfg("10.1.0.0/24", "", "")]).unwrap();
        let pool = p[0].clone().into_pool(p[0].subnet.unwrap()).unwrap();
        assert_eq!(pool.gateway.to_string(), "10.1.0.1");
        assert!(!pool.gateway_given);
        assert!(pool.subnet_given);
    }

    #[test]
    fn automatic_subnets_are_not_user_given() {
        let auto = PoolConfig::automatic("172.18.0.0/16".parse().unwrap()).unwrap();
        assert!(!auto.subnet_given);
        let options_only = validate_ipam(&[cfg("", "", "")]).unwrap();
        let pool = options_only[0]
            .clone()
            .into_pool("172.18.0.0/16".parse().unwrap())
            .unwrap();
        assert!(!pool.subnet_given);
        // Records stored before the field existed read as "not given".
        let mut json = serde_json::to_value(&auto).unwrap();
        json.as_object_mut().unwrap().remove("subnet_given");
        let old: PoolConfig = serde_json::from_value(json).unwrap();
        assert!(!old.subnet_given);
    }

    #[test]
    fn non_canonical_subnet() {
        assert_eq!(
            err(vec![cfg("172.20.0.5/16", "", "")]),
            "invalid network config:\ninvalid subnet 172.20.0.5/16: it should be 172.20.0.0/16"
        );
    }

    #[test]
    fn invalid_cidr() {
        assert_eq!(
            err(vec![cfg("300.1.1.1/16", "", "")]),
            "invalid network config:\ninvalid subnet 300.1.1.1/16: invalid CIDR block notation"
        );
    }

    #[test]
    fn ip_range_outside_or_bigger() {
        assert_eq!(
            err(vec![cfg("172.20.0.0/16", "172.21.0.0/24", "")]),
            "invalid network config:\ninvalid ip-range 172.21.0.0/24: parent subnet 172.20.0.0/16 doesn't contain ip-range"
        );
        assert_eq!(
            err(vec![cfg("172.20.0.0/16", "172.0.0.0/8", "")]),
            "invalid network config:\ninvalid ip-range 172.0.0.0/8: CIDR block is bigger than its parent subnet 172.20.0.0/16"
        );
    }

    #[test]
    fn gateway_problems_are_all_listed() {
        let m = err(vec![cfg("172.20.0.0/16", "172.30.0.0/24", "10.0.0.1")]);
        assert!(m.starts_with("invalid network config:\n"));
        assert!(m.contains("invalid ip-range 172.30.0.0/24"));
        assert!(m.contains(
            "invalid gateway 10.0.0.1: parent subnet 172.20.0.0/16 doesn't contain this address"
        ));
        assert!(err(vec![cfg("172.20.0.0/16", "", "172.20.0.0")])
            .contains("invalid gateway 172.20.0.0"));
        assert!(err(vec![cfg("172.20.0.0/16", "", "172.20.255.255")])
            .contains("invalid gateway 172.20.255.255"));
        assert!(err(vec![cfg("172.20.0.0/16", "", "fd00::1")])
            .contains("parent subnet is an IPv4 block"));
    }

    #[test]
    fn aux_address_outside() {
        let mut c = cfg("172.20.0.0/16", "", "");
        c.aux_addresses.insert("r".into(), "10.0.0.9".into());
        assert_eq!(
            err(vec![c]),
            "invalid network config:\ninvalid auxiliary address r: parent subnet 172.20.0.0/16 doesn't contain this address"
        );
    }

    #[test]
    fn dual_stack_ok() {
        let p = validate_ipam(&[cfg("10.1.0.0/24", "", ""), cfg("fd00:1::/64", "", "")]).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].family(), Some(Family::V6));
    }
}
