//! The daemon's IPv6 unique local prefix. Docker gives an IPv6 network without a subnet a /64
//! from a ULA prefix; berth draws a random /48 (RFC 4193) once and keeps it in the store, so
//! subnets stay stable across restarts and differ between hosts.

use crate::internal;
use berth_model::ipam::{DefaultPools, PoolSpec};
use berth_model::ApiError;
use berth_store::Store;
use ipnet::{IpNet, Ipv6Net};
use rand::RngCore;
use std::net::Ipv6Addr;

const META_KEY: &str = "ula_prefix";

pub fn daemon_pool(store: &Store) -> Result<DefaultPools, ApiError> {
    let prefix: IpNet = match store.meta::<IpNet>(META_KEY).map_err(internal)? {
        Some(p) => p,
        None => {
            let p = random_ula48();
            store.put_meta(META_KEY, &p).map_err(internal)?;
            p
        }
    };
    let spec = PoolSpec::new(prefix, 64).map_err(ApiError::internal)?;
    Ok(DefaultPools::new(vec![spec]))
}

fn random_ula48() -> IpNet {
    let mut global_id = [0u8; 5];
    rand::rng().fill_bytes(&mut global_id);
    let mut octets = [0u8; 16];
    octets[0] = 0xfd;
    octets[1..6].copy_from_slice(&global_id);
    IpNet::V6(Ipv6Net::new(Ipv6Addr::from(octets), 48).unwrap_or_default())
}
