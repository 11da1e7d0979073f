//! The docker CLI's own checks of `--subnet`, `--ip-range`, `--gateway` and `--aux-address`
//! before it calls the daemon (docker/cli `createIPAMConfig`, v28): each range, gateway and
//! aux address is paired with the subnet that contains it, with docker's messages.

use std::net::IpAddr;

use crate::template::Value;

/// One IPAM pool as sent to the daemon.
#[derive(Debug, Default, PartialEq)]
pub struct Pool {
    pub subnet: String,
    pub ip_range: String,
    pub gateway: String,
    pub aux: Vec<(String, String)>,
}

impl Pool {
    pub fn to_value(&self) -> Value {
        let mut f = vec![("Subnet".to_string(), Value::from(self.subnet.as_str()))];
        if !self.ip_range.is_empty() {
            f.push(("IPRange".into(), Value::from(self.ip_range.as_str())));
        }
        if !self.gateway.is_empty() {
            f.push(("Gateway".into(), Value::from(self.gateway.as_str())));
        }
        if !self.aux.is_empty() {
            f.push((
                "AuxiliaryAddresses".into(),
                Value::Object(
                    self.aux
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                        .collect(),
                ),
            ));
        }
        Value::Object(f)
    }
}

/// Go's `net.ParseCIDR`: the address and the masked network.
fn parse_cidr(s: &str) -> Result<(IpAddr, IpAddr, u8), String> {
    let bad = || format!("invalid CIDR address: {s}");
    let (addr, len) = s.split_once('/').ok_or_else(bad)?;
    let ip: IpAddr = addr.parse().map_err(|_| bad())?;
    let bits = if ip.is_ipv4() { 32 } else { 128 };
    if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let len: u8 = len.parse().map_err(|_| bad())?;
    if len > bits {
        return Err(bad());
    }
    Ok((ip, mask(ip, len), len))
}

fn mask(ip: IpAddr, len: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let m = if len == 0 {
                0
            } else {
                u32::MAX << (32 - len as u32)
            };
            IpAddr::V4((u32::from(a) & m).into())
        }
        IpAddr::V6(a) => {
            let m = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len as u32)
            };
            IpAddr::V6((u128::from(a) & m).into())
        }
    }
}

/// docker's `subnetMatches(subnet, data)`: does `subnet` contain the address in `data`
/// (an address, or the address part of a CIDR)?
fn subnet_matches(subnet: &str, data: &str) -> Result<bool, String> {
    let (_, net, len) = parse_cidr(subnet).map_err(|e| format!("invalid subnet: {e}"))?;
    let ip = if data.contains('/') {
        Some(parse_cidr(data)?.0)
    } else {
        data.parse::<IpAddr>().ok()
    };
    Ok(match ip {
        Some(ip) if ip.is_ipv4() == net.is_ipv4() => mask(ip, len) == net,
        _ => false,
    })
}

pub fn build(
    subnets: &[String],
    ranges: &[String],
    gateways: &[String],
    aux: &[(String, String)],
) -> Result<Vec<Pool>, String> {
    if subnets.len() < ranges.len() || subnets.len() < gateways.len() {
        return Err("every ip-range or gateway must have a corresponding subnet".into());
    }
    let mut pools: Vec<Pool> = Vec::new();
    for s in subnets {
        for k in &pools {
            if subnet_matches(s, &k.subnet)? || subnet_matches(&k.subnet, s)? {
                return Err("multiple overlapping subnet configuration is not supported".into());
            }
        }
        pools.push(Pool {
            subnet: s.clone(),
            ..Pool::default()
        });
    }
    for r in ranges {
        let mut matched = false;
        for p in pools.iter_mut() {
            parse_cidr(r)?;
            if !subnet_matches(&p.subnet, r)? {
                continue;
            }
            if !p.ip_range.is_empty() {
                return Err(format!(
                    "cannot configure multiple ranges ({r}, {}) on the same subnet ({})",
                    p.ip_range, p.subnet
                ));
            }
            p.ip_range = r.clone();
            matched = true;
        }
        if !matched {
            return Err(format!("no matching subnet for range {r}"));
        }
    }
    for g in gateways {
        let mut matched = false;
        for p in pools.iter_mut() {
            if !subnet_matches(&p.subnet, g)? {
                continue;
            }
            if !p.gateway.is_empty() {
                return Err(format!(
                    "cannot configure multiple gateways ({g}, {}) for the same subnet ({})",
                    p.gateway, p.subnet
                ));
            }
            p.gateway = g.clone();
            matched = true;
        }
        if !matched {
            return Err(format!("no matching subnet for gateway {g}"));
        }
    }
    for (key, addr) in dedup_last(aux) {
        let mut matched = false;
        for p in pools.iter_mut() {
            if subnet_matches(&p.subnet, &addr)? {
                p.aux.retain(|(k, _)| *k != key);
                p.aux.push((key.clone(), addr.clone()));
                matched = true;
            }
        }
        if !matched {
            return Err(format!("no matching subnet for aux-address {addr}"));
        }
    }
    Ok(pools)
}

/// A Go map built from repeated `k=v` flags: the last value of a key wins.
pub fn dedup_last(kvs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in kvs {
        if let Some(e) = out.iter_mut().find(|(ek, _)| ek == k) {
            e.1 = v.clone();
        } else {
            out.push((k.clone(), v.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn docker_messages() {
        let sub = s(&["10.78.0.0/16"]);
        assert_eq!(
            build(&sub, &s(&["10.79.0.0/24"]), &[], &[]).unwrap_err(),
            "no matching subnet for range 10.79.0.0/24"
        );
        assert_eq!(
            build(&sub, &[], &s(&["10.79.0.1"]), &[]).unwrap_err(),
            "no matching subnet for gateway 10.79.0.1"
        );
        assert_eq!(
            build(&sub, &[], &[], &[("a".into(), "10.79.0.1".into())]).unwrap_err(),
            "no matching subnet for aux-address 10.79.0.1"
        );
        assert_eq!(
            build(&[], &s(&["10.79.0.0/24"]), &[], &[]).unwrap_err(),
            "every ip-range or gateway must have a corresponding subnet"
        );
        assert_eq!(
            build(&s(&["10.78.0.0/16", "10.78.1.0/24"]), &[], &[], &[]).unwrap_err(),
            "multiple overlapping subnet configuration is not supported"
        );
        assert_eq!(
            build(&sub, &s(&["bogus"]), &[], &[]).unwrap_err(),
            "invalid CIDR address: bogus"
        );
        assert_eq!(
            build(&sub, &[], &s(&["bogus"]), &[]).unwrap_err(),
            "no matching subnet for gateway bogus"
        );
        assert_eq!(
            build(&s(&["bogus", "10.0.0.0/8"]), &[], &[], &[]).unwrap_err(),
            "invalid subnet: invalid CIDR address: bogus"
        );
    }

    #[test]
    fn pairs_each_option_with_its_subnet() {
        let pools = build(
            &s(&["10.77.0.0/16", "fd00:77::/64"]),
            &s(&["10.77.1.0/24"]),
            &s(&["fd00:77::1", "10.77.0.1"]),
            &[("r1".into(), "10.77.0.5".into())],
        )
        .unwrap();
        assert_eq!(pools[0].ip_range, "10.77.1.0/24");
        assert_eq!(pools[0].gateway, "10.77.0.1");
        assert_eq!(
            pools[0].aux,
            vec![("r1".to_string(), "10.77.0.5".to_string())]
        );
        assert_eq!(pools[1].gateway, "fd00:77::1");
    }
}
