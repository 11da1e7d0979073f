//! IP address management: the default address pools automatic subnets come from, the
//! validation of user-given IPAM configuration (subnet, ip-range, gateway, aux addresses), and
//! the book of addresses in use on each network.

pub mod allocator;
pub mod config;
pub mod net;
pub mod pools;
mod runs;

pub use allocator::AddressBook;
pub use config::{validate_ipam, IpamConfigInput, PoolConfig};
pub use net::{overlaps, Family};
pub use pools::{DefaultPools, PoolSpec};
