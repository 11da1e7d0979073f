//! Container MAC addresses: generated, parsed and printed.

use crate::error::ApiError;
use rand::RngCore;
use std::net::Ipv4Addr;

/// The MAC of a container interface that was not given one: `02:42` followed by the four
/// IPv4 bytes (Docker's `GenerateMACFromIP`, what the walkthrough shows, e.g.
/// `02:42:ac:11:00:02` for 172.17.0.2), so a container that leaves and comes back with the same
/// address keeps a MAC that stale ARP entries still match. Without IPv4 (an IPv6-only network)
/// there is nothing to derive it from: a random locally administered unicast MAC, as moby's
/// `GenerateRandomMAC`.
pub fn mac_for(ipv4: Option<Ipv4Addr>) -> [u8; 6] {
    match ipv4 {
        Some(ip) => {
            let [a, b, c, d] = ip.octets();
            [0x02, 0x42, a, b, c, d]
        }
        None => random_mac(),
    }
}

/// A random MAC that is unicast (bit 0 clear) and locally administered (bit 1 set).
pub fn random_mac() -> [u8; 6] {
    let mut mac = [0u8; 6];
    rand::rng().fill_bytes(&mut mac);
    mac[0] = (mac[0] & 0xfe) | 0x02;
    mac
}

/// Parses a 48-bit MAC in any of the spellings Go's `net.ParseMAC` accepts for Ethernet:
/// `02:42:ac:11:00:02`, `02-42-AC-11-00-02`, `0242.ac11.0002`. Error text as moby's
/// `validateEndpointSettings` (Docker 28): `invalid MAC address X`.
pub fn parse_mac(raw: &str) -> Result<[u8; 6], ApiError> {
    parse_48(raw).ok_or_else(|| ApiError::invalid(format!("invalid MAC address {raw}")))
}

fn parse_48(raw: &str) -> Option<[u8; 6]> {
    let hex: String = if raw.contains('.') {
        // Three groups of four hex digits.
        let groups: Vec<&str> = raw.split('.').collect();
        if groups.len() != 3 || groups.iter().any(|g| g.len() != 4) {
            return None;
        }
        groups.concat()
    } else {
        let sep = if raw.contains(':') { ':' } else { '-' };
        let groups: Vec<&str> = raw.split(sep).collect();
        if groups.len() != 6 || groups.iter().any(|g| g.len() != 2) {
            return None;
        }
        groups.concat()
    };
    let mut mac = [0u8; 6];
    for (i, byte) in mac.iter_mut().enumerate() {
        let pair = hex.get(2 * i..2 * i + 2)?;
        if !pair.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(mac)
}

/// Docker's spelling: lowercase hex, colon-separated.
pub fn format_mac(mac: [u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn derived_from_ipv4() {
        let mac = mac_for(Some(Ipv4Addr::new(172, 17, 0, 2)));
        assert_eq!(format_mac(mac), "02:42:ac:11:00:02");
        assert_eq!(
            format_mac(mac_for(Some(Ipv4Addr::new(172, 18, 0, 2)))),
            "02:42:ac:12:00:02"
        );
    }

    #[test]
    fn random_ones_are_local_unicast() {
        for _ in 0..200 {
            let mac = mac_for(None);
            assert_eq!(mac[0] & 0x01, 0, "unicast");
            assert_eq!(mac[0] & 0x02, 0x02, "locally administered");
        }
        assert_ne!(random_mac(), random_mac());
    }

    #[test]
    fn parses_go_spellings() {
        let want = [0x02, 0x42, 0xac, 0x11, 0x00, 0x02];
        for s in ["02:42:ac:11:00:02", "02-42-AC-11-00-02", "0242.ac11.0002"] {
            assert_eq!(parse_mac(s).unwrap(), want, "{s}");
        }
    }

    #[test]
    fn rejects_everything_else_with_docker_s_message() {
        for s in [
            "",
            "nonsense",
            "02:42:ac:11:00",
            "02:42:ac:11:00:02:03",
            "2:42:ac:11:00:02",
            "02:42:ac:11:00:0g",
            "02:42-ac:11:00:02",
            "0242.ac11.002",
            "+2:42:ac:11:00:02",
            "02:42:ac:11:00:02:00:01", // EUI-64: Go parses it, an Ethernet link cannot take it
        ] {
            let e = parse_mac(s).unwrap_err();
            assert_eq!(e.message, format!("invalid MAC address {s}"));
            assert_eq!(e.kind, crate::ErrorKind::InvalidParameter);
        }
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(mac in any::<[u8; 6]>()) {
            prop_assert_eq!(parse_mac(&format_mac(mac)).unwrap(), mac);
            prop_assert_eq!(parse_mac(&format_mac(mac).to_uppercase().replace(':', "-")).unwrap(), mac);
        }
    }
}
