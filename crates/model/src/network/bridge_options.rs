//! The bridge driver's `com.docker.network.*` options, parsed into types at create so
//! that a bad value is refused up front and later layers never see strings.

use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

pub const OPT_BRIDGE_NAME: &str = "com.docker.network.bridge.name";
pub const OPT_ENABLE_ICC: &str = "com.docker.network.bridge.enable_icc";
pub const OPT_ENABLE_MASQ: &str = "com.docker.network.bridge.enable_ip_masquerade";
pub const OPT_HOST_BINDING_V4: &str = "com.docker.network.bridge.host_binding_ipv4";
pub const OPT_DEFAULT_BRIDGE: &str = "com.docker.network.bridge.default_bridge";
pub const OPT_MTU: &str = "com.docker.network.driver.mtu";
pub const OPT_ENABLE_IPV6: &str = "com.docker.network.enable_ipv6";
pub const OPT_ENABLE_IPV4: &str = "com.docker.network.enable_ipv4";

/// Linux's IFNAMSIZ is 16 including the terminating NUL.
const MAX_IFNAME: usize = 15;
const DEFAULT_MTU: u32 = 1500;
/// The smallest IPv4 MTU (RFC 791) and the largest a Linux bridge accepts.
const MIN_MTU: u32 = 68;
const MAX_MTU: u32 = 65535;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BridgeSettings {
    pub name: String,
    pub enable_icc: bool,
    pub enable_ip_masquerade: bool,
    pub host_binding_ipv4: IpAddr,
    pub mtu: u32,
    pub default_bridge: bool,
    /// The bridge existed before berth and is used, not owned: rm leaves it in place.
    #[serde(default)]
    pub adopted: bool,
}

impl BridgeSettings {
    /// Parses the options of a bridge network; `generated_name` is used when the user
    /// does not name the bridge.
    pub fn from_options(
        opts: &BTreeMap<String, String>,
        generated_name: String,
    ) -> Result<Self, ApiError> {
        let name = match opts.get(OPT_BRIDGE_NAME) {
            Some(n) => {
                validate_ifname(n)?;
                n.clone()
            }
            None => generated_name,
        };
        let enable_icc = bool_opt(opts, OPT_ENABLE_ICC, true)?;
        let enable_ip_masquerade = bool_opt(opts, OPT_ENABLE_MASQ, true)?;
        let default_bridge = bool_opt(opts, OPT_DEFAULT_BRIDGE, false)?;
        let host_binding_ipv4 = match opts.get(OPT_HOST_BINDING_V4) {
            Some(v) => v.parse::<IpAddr>().map_err(|_| {
                ApiError::invalid(format!(
                    "failed to parse {OPT_HOST_BINDING_V4} value {v:?}: not an IP address"
                ))
            })?,
            None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        };
        let mtu = match opts.get(OPT_MTU) {
            Some(v) => parse_mtu(v)?,
            None => DEFAULT_MTU,
        };
        Ok(BridgeSettings {
            name,
            enable_icc,
            enable_ip_masquerade,
            host_binding_ipv4,
            mtu,
            default_bridge,
            adopted: false,
        })
    }
}

/// Go's `strconv.ParseBool`, which Docker uses for every boolean option.
pub fn parse_go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn bool_opt(opts: &BTreeMap<String, String>, key: &str, default: bool) -> Result<bool, ApiError> {
    match opts.get(key) {
        None => Ok(default),
        Some(v) => parse_go_bool(v).ok_or_else(|| {
            ApiError::invalid(format!(
                "failed to parse {key} value: {v:?} is not a valid bool"
            ))
        }),
    }
}

fn parse_mtu(v: &str) -> Result<u32, ApiError> {
    let mtu: i64 = v.trim().parse().map_err(|_| {
        ApiError::invalid(format!(
            "failed to parse {OPT_MTU} value {v:?}: not a number"
        ))
    })?;
    if !(MIN_MTU as i64..=MAX_MTU as i64).contains(&mtu) {
        return Err(ApiError::invalid(format!(
            "invalid MTU number: {mtu} (must be between {MIN_MTU} and {MAX_MTU})"
        )));
    }
    Ok(mtu as u32)
}

fn validate_ifname(n: &str) -> Result<(), ApiError> {
    let ok = !n.is_empty()
        && n.len() <= MAX_IFNAME
        && n != "."
        && n != ".."
        && n.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'/' && b != b':');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "invalid {OPT_BRIDGE_NAME} {n:?}: an interface name is 1 to {MAX_IFNAME} printable characters without '/' or ':'"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults() {
        let s = BridgeSettings::from_options(&BTreeMap::new(), "br-0123456789ab".into()).unwrap();
        assert_eq!(s.name, "br-0123456789ab");
        assert!(s.enable_icc && s.enable_ip_masquerade && !s.default_bridge);
        assert_eq!(s.mtu, 1500);
        assert_eq!(s.host_binding_ipv4.to_string(), "0.0.0.0");
    }

    #[test]
    fn typed_values() {
        let s = BridgeSettings::from_options(
            &opts(&[
                (OPT_BRIDGE_NAME, "mybr0"),
                (OPT_ENABLE_ICC, "false"),
                (OPT_ENABLE_MASQ, "0"),
                (OPT_HOST_BINDING_V4, "127.0.0.1"),
                (OPT_MTU, "1400"),
            ]),
            "x".into(),
        )
        .unwrap();
        assert_eq!(s.name, "mybr0");
        assert!(!s.enable_icc && !s.enable_ip_masquerade);
        assert_eq!(s.mtu, 1400);
    }

    #[test]
    fn bad_values() {
        for (k, v) in [
            (OPT_MTU, "abc"),
            (OPT_MTU, "-1"),
            (OPT_MTU, "70000"),
            (OPT_ENABLE_ICC, "maybe"),
            (OPT_HOST_BINDING_V4, "notanip"),
            (OPT_BRIDGE_NAME, "a-very-long-bridge-name"),
            (OPT_BRIDGE_NAME, "a/b"),
        ] {
            assert!(
                BridgeSettings::from_options(&opts(&[(k, v)]), "x".into()).is_err(),
                "{k}={v} accepted"
            );
        }
    }
}
