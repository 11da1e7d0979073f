//! Default address pools: where automatic subnets come from, as dockerd's
//! `--default-address-pool base=CIDR,size=N` describes them.

use super::net::Family;
use ipnet::IpNet;
use std::fmt;
use std::str::FromStr;

/// One pool: `base` carved into subnets of prefix length `size`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSpec {
    pub base: IpNet,
    pub size: u8,
}

impl PoolSpec {
    pub fn new(base: IpNet, size: u8) -> Result<Self, String> {
        if base != base.trunc() {
            return Err(format!(
                "invalid base pool {base}: it should be {}",
                base.trunc()
            ));
        }
        if size < base.prefix_len() || size > base.max_prefix_len() {
            return Err(format!(
                "invalid pools size: {size} (base pool {base} has prefix /{})",
                base.prefix_len()
            ));
        }
        Ok(PoolSpec { base, size })
    }

    /// The subnets this pool holds, lowest first.
    pub fn subnets(&self) -> impl Iterator<Item = IpNet> + '_ {
        self.base.subnets(self.size).into_iter().flatten()
    }
}

impl FromStr for PoolSpec {
    type Err = String;

    /// Parses dockerd's syntax, `base=172.80.0.0/16,size=24` (keys in any order).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut base = None;
        let mut size = None;
        for part in s.split(',') {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("invalid field '{part}' must be a key=value pair"))?;
            match k.trim().to_ascii_lowercase().as_str() {
                "base" => {
                    base = Some(
                        v.trim()
                            .parse::<IpNet>()
                            .map_err(|_| format!("invalid base pool '{v}'"))?,
                    )
                }
                "size" => {
                    size = Some(
                        v.trim()
                            .parse::<u8>()
                            .map_err(|_| format!("invalid size '{v}'"))?,
                    )
                }
                other => return Err(format!("unexpected key '{other}' in '{s}'")),
            }
        }
        let base = base.ok_or_else(|| format!("missing base in '{s}'"))?;
        let size = size.ok_or_else(|| format!("missing size in '{s}'"))?;
        PoolSpec::new(base, size)
    }
}

impl fmt::Display for PoolSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "base={},size={}", self.base, self.size)
    }
}

/// The ordered list of pools automatic subnets are taken from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultPools {
    pools: Vec<PoolSpec>,
}

impl DefaultPools {
    pub fn new(pools: Vec<PoolSpec>) -> Self {
        DefaultPools { pools }
    }

    /// Docker's built-in IPv4 pools: 172.17–172.31 as /16s, then 192.168.0.0/16 as /20s.
    pub fn docker_ipv4() -> Self {
        let mut pools: Vec<PoolSpec> = (17u8..=31)
            .map(|b| PoolSpec {
                base: IpNet::V4(ipnet::Ipv4Net::new([172, b, 0, 0].into(), 16).expect("valid")),
                size: 16,
            })
            .collect();
        pools.push(PoolSpec {
            base: IpNet::V4(ipnet::Ipv4Net::new([192, 168, 0, 0].into(), 16).expect("valid")),
            size: 20,
        });
        DefaultPools { pools }
    }

    pub fn pools(&self) -> &[PoolSpec] {
        &self.pools
    }

    pub fn has_family(&self, family: Family) -> bool {
        self.pools.iter().any(|p| Family::of_net(&p.base) == family)
    }

    /// The lowest subnet of the given family, in pool order, that overlaps none of `taken`.
    /// `taken` is sorted into disjoint ranges once, so each candidate costs a binary search
    /// and allocation stays cheap with thousands of networks.
    pub fn first_free(&self, family: Family, taken: &[IpNet]) -> Option<IpNet> {
        let ranges = merged_ranges(family, taken);
        self.pools
            .iter()
            .filter(|p| Family::of_net(&p.base) == family)
            .flat_map(|p| p.subnets())
            .find(|candidate| {
                let (start, end) = span(candidate);
                let i = ranges.partition_point(|r| r.1 < start);
                i == ranges.len() || ranges[i].0 > end
            })
    }
}

/// First and last address of a network as integers (IPv4 in the low 32 bits).
fn span(net: &IpNet) -> (u128, u128) {
    match net {
        IpNet::V4(n) => (
            u32::from(n.network()) as u128,
            u32::from(n.broadcast()) as u128,
        ),
        IpNet::V6(n) => (u128::from(n.network()), u128::from(n.broadcast())),
    }
}

/// The networks of one family as sorted, disjoint, inclusive ranges.
fn merged_ranges(family: Family, taken: &[IpNet]) -> Vec<(u128, u128)> {
    let mut ranges: Vec<(u128, u128)> = taken
        .iter()
        .filter(|t| Family::of_net(t) == family)
        .map(span)
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(u128, u128)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1.saturating_add(1) => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipam::net::overlaps;
    use proptest::prelude::*;

    fn n(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn parses_dockerd_syntax() {
        let p: PoolSpec = "base=10.10.0.0/16,size=24".parse().unwrap();
        assert_eq!(p.base, n("10.10.0.0/16"));
        assert_eq!(p.size, 24);
        let q: PoolSpec = "size=24,base=10.10.0.0/16".parse().unwrap();
        assert_eq!(p, q);
        assert!("base=10.10.0.1/16,size=24".parse::<PoolSpec>().is_err());
        assert!("base=10.10.0.0/16,size=8".parse::<PoolSpec>().is_err());
        assert!("base=10.10.0.0/16".parse::<PoolSpec>().is_err());
        assert!("bogus".parse::<PoolSpec>().is_err());
    }

    #[test]
    fn docker_defaults_in_order() {
        let pools = DefaultPools::docker_ipv4();
        assert_eq!(pools.first_free(Family::V4, &[]), Some(n("172.17.0.0/16")));
        assert_eq!(
            pools.first_free(Family::V4, &[n("172.17.0.0/16")]),
            Some(n("172.18.0.0/16"))
        );
        let all16: Vec<IpNet> = (17..=31).map(|b| n(&format!("172.{b}.0.0/16"))).collect();
        assert_eq!(
            pools.first_free(Family::V4, &all16),
            Some(n("192.168.0.0/20"))
        );
        // 15 /16s + 16 /20s in all
        let mut taken = vec![];
        while let Some(s) = pools.first_free(Family::V4, &taken) {
            taken.push(s);
        }
        assert_eq!(taken.len(), 31);
        assert_eq!(pools.first_free(Family::V6, &[]), None);
    }

    #[test]
    fn skips_subnets_overlapping_routes() {
        let pools = DefaultPools::docker_ipv4();
        // a host route inside 172.17/16 makes the whole /16 unusable
        assert_eq!(
            pools.first_free(Family::V4, &[n("172.17.3.0/24")]),
            Some(n("172.18.0.0/16"))
        );
        // a covering route (172.16/12) makes every 172 pool unusable
        assert_eq!(
            pools.first_free(Family::V4, &[n("172.16.0.0/12")]),
            Some(n("192.168.0.0/20"))
        );
    }

    proptest! {
        /// Allocating until exhaustion, with random releases and reallocations in between,
        /// never yields overlapping subnets nor anything outside the pools.
        #[test]
        fn allocation_never_overlaps(ops in proptest::collection::vec(any::<(bool, u8)>(), 1..120),
                                     size in 20u8..=26) {
            let pools = DefaultPools::new(vec![
                PoolSpec::new(n("10.0.0.0/16"), size).unwrap(),
                PoolSpec::new(n("10.200.0.0/20"), size.max(20)).unwrap(),
            ]);
            let mut taken: Vec<IpNet> = vec![];
            for (alloc, pick) in ops {
                if alloc || taken.is_empty() {
                    if let Some(s) = pools.first_free(Family::V4, &taken) {
                        prop_assert!(pools.pools().iter().any(|p| p.base.contains(&s)));
                        prop_assert!(!taken.iter().any(|t| overlaps(t, &s)));
                        // lowest-free: no lower free candidate exists
                        let lower_free = pools.pools().iter().flat_map(|p| p.subnets())
                            .take_while(|c| *c != s)
                            .any(|c| !taken.iter().any(|t| overlaps(t, &c)));
                        prop_assert!(!lower_free);
                        taken.push(s);
                    } else {
                        let total: usize = pools.pools().iter().map(|p| p.subnets().count()).sum();
                        prop_assert_eq!(taken.len(), total);
                    }
                } else {
                    let idx = pick as usize % taken.len();
                    let released = taken.remove(idx);
                    // the released subnet is the lowest free one again unless a lower one is free
                    let again = pools.first_free(Family::V4, &taken).unwrap();
                    prop_assert!(again <= released || taken.iter().all(|t| !overlaps(t, &again)));
                }
            }
        }
    }
}
