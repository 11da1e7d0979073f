//! Container endpoints: Docker's checks of an endpoint request, which endpoint carries the
//! default route, MAC addresses and interface names. Addresses come from
//! [`crate::ipam::AddressBook`].

pub mod gateway;
pub mod ifname;
pub mod mac;
pub mod validate;

pub use gateway::{choose_gateways, GatewayCandidate};
pub use ifname::{ifname, requested_ifname};
pub use mac::{format_mac, mac_for, parse_mac};
pub use validate::{static_addresses, validate_endpoint, EndpointRules, StaticAddresses};
