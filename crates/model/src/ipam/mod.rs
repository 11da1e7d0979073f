//! IP address management: the default address pools automatic subnets come from, and the
//! validation of user-given IPAM configuration (subnet, ip-range, gateway, aux addresses).

pub mod config;
pub mod net;
pub mod pools;

pub use config::{validate_ipam, IpamConfigInput, PoolConfig};
pub use net::{overlaps, Family};
pub use pools::{DefaultPools, PoolSpec};
