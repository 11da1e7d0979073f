//! What a container endpoint on a bridge network looks like, and the checks made before any
//! kernel call, shared by the real kernel and the recording fake.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;

use ipnet::IpNet;

use crate::kernel::validate_link_name;
use crate::NetsysError;

/// One container endpoint on a bridge network: a veth pair whose host side is a port of
/// `bridge` and whose container side is born inside `netns`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSpec {
    /// Host side, e.g. `veth1a2b3c4`: enslaved to `bridge`, up.
    pub host_ifname: String,
    /// ifalias written on the host side, e.g. `berth endpoint <64 hex>`; reconcile finds
    /// orphaned host sides by it, and `remove_endpoint` only deletes a link carrying it.
    pub alias: String,
    /// The bridge's name; it must exist already.
    pub bridge: String,
    /// The container's network namespace, bind-mounted at this path.
    pub netns: PathBuf,
    /// The container side's name inside `netns`: `eth0`, `eth1`, ...
    pub ifname: String,
    /// The container side's MAC.
    pub mac: [u8; 6],
    /// MTU of both sides.
    pub mtu: u32,
    /// Container addresses with the subnet's prefix. IPv4 ones get the subnet's broadcast
    /// (`brd +`), IPv6 ones are added without duplicate address detection.
    pub addresses: Vec<IpNet>,
    /// `false`: the container side gets no IPv6 at all, not even a link-local address, so
    /// `ip addr` inside shows only the `inet` line, as Docker's does.
    pub ipv6: bool,
    /// Default route via this gateway on `ifname`, replacing any IPv4 default in the netns.
    pub default_v4: Option<Ipv4Addr>,
    /// Default route via this gateway on `ifname`, replacing any IPv6 default in the netns.
    pub default_v6: Option<Ipv6Addr>,
}

impl EndpointSpec {
    /// Refuses what the kernel would refuse with a less helpful error, and contradictions
    /// (IPv6 addresses or gateway on an endpoint without IPv6).
    pub(crate) fn validate(&self) -> Result<(), NetsysError> {
        validate_link_name(&self.host_ifname)?;
        validate_link_name(&self.ifname)?;
        validate_link_name(&self.bridge)?;
        if self.mac[0] & 1 != 0 || self.mac == [0; 6] {
            return Err(NetsysError::InvalidArgument(format!(
                "{} is not a unicast MAC address",
                format_mac(&self.mac)
            )));
        }
        if !self.ipv6 {
            let has_v6 = self.addresses.iter().any(|a| matches!(a, IpNet::V6(_)));
            if has_v6 || self.default_v6.is_some() {
                return Err(NetsysError::InvalidArgument(format!(
                    "endpoint {} has IPv6 disabled but an IPv6 address or gateway",
                    self.host_ifname
                )));
            }
        }
        Ok(())
    }
}

/// `02:42:ac:12:00:02`, as `ip link` prints it.
pub fn format_mac(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> EndpointSpec {
        EndpointSpec {
            host_ifname: "veth1234567".into(),
            alias: "berth endpoint x".into(),
            bridge: "br-x".into(),
            netns: "/run/berth/netns/c".into(),
            ifname: "eth0".into(),
            mac: [0x02, 0x42, 0xac, 0x12, 0, 2],
            mtu: 1500,
            addresses: vec!["172.18.0.2/16".parse().unwrap()],
            ipv6: false,
            default_v4: Some("172.18.0.1".parse().unwrap()),
            default_v6: None,
        }
    }

    #[test]
    fn a_plain_ipv4_spec_is_valid() {
        spec().validate().unwrap();
        assert_eq!(format_mac(&spec().mac), "02:42:ac:12:00:02");
    }

    #[test]
    fn bad_names_macs_and_ipv6_contradictions_are_refused() {
        let mut s = spec();
        s.ifname = "a-name-that-is-too-long".into();
        assert!(matches!(s.validate(), Err(NetsysError::InvalidName { .. })));

        let mut s = spec();
        s.mac = [0x03, 0, 0, 0, 0, 1];
        assert!(matches!(s.validate(), Err(NetsysError::InvalidArgument(_))));
        s.mac = [0; 6];
        assert!(matches!(s.validate(), Err(NetsysError::InvalidArgument(_))));

        let mut s = spec();
        s.addresses.push("fd00::2/64".parse().unwrap());
        assert!(matches!(s.validate(), Err(NetsysError::InvalidArgument(_))));
        s.ipv6 = true;
        s.validate().unwrap();

        let mut s = spec();
        s.default_v6 = Some("fd00::1".parse().unwrap());
        assert!(matches!(s.validate(), Err(NetsysError::InvalidArgument(_))));
    }
}
