//! Exposed ports and port bindings (`80/tcp` keys), parsed and validated at create; the
//! firewall issue applies them.

use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Stored as Docker writes it, `80/tcp`, so it can key a JSON map (`PortBindings`); the
/// `{port, proto}` form of earlier records is still read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortProto {
    pub port: u16,
    pub proto: Proto,
}

impl Serialize for PortProto {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.key())
    }
}

impl<'de> Deserialize<'de> for PortProto {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Key(String),
            Fields { port: u16, proto: Proto },
        }
        match Stored::deserialize(d)? {
            Stored::Key(k) => PortProto::parse(&k).map_err(|e| serde::de::Error::custom(e.message)),
            Stored::Fields { port, proto } => Ok(PortProto { port, proto }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
    Sctp,
}

impl Proto {
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Sctp => "sctp",
        }
    }
}

impl PortProto {
    /// Parses Docker's `80`, `80/tcp`, `53/udp` keys.
    pub fn parse(key: &str) -> Result<PortProto, ApiError> {
        let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
        let proto = match proto.to_ascii_lowercase().as_str() {
            "tcp" | "" => Proto::Tcp,
            "udp" => Proto::Udp,
            "sctp" => Proto::Sctp,
            _ => return Err(ApiError::invalid(format!("invalid proto: {proto}"))),
        };
        let port: u16 =
            port.parse().ok().filter(|p| *p != 0).ok_or_else(|| {
                ApiError::invalid(format!("invalid port specification: \"{port}\""))
            })?;
        Ok(PortProto { port, proto })
    }

    pub fn key(&self) -> String {
        format!("{}/{}", self.port, self.proto.as_str())
    }
}

/// One host binding of a container port: `{"HostIp": "", "HostPort": "8080"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortBinding {
    pub host_ip: String,
    pub host_port: String,
}

pub type PortBindings = BTreeMap<PortProto, Vec<PortBinding>>;

/// Validates a binding's host port: empty (ephemeral), a number, or a `low-high` range.
pub fn validate_host_port(p: &str) -> Result<(), ApiError> {
    if p.is_empty() {
        return Ok(());
    }
    let ok = match p.split_once('-') {
        Some((a, b)) => matches!((a.parse::<u16>(), b.parse::<u16>()), (Ok(x), Ok(y)) if x <= y),
        None => p.parse::<u16>().is_ok(),
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "invalid port specification: \"{p}\""
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(PortProto::parse("80").unwrap().key(), "80/tcp");
        assert_eq!(PortProto::parse("53/udp").unwrap().key(), "53/udp");
        assert!(PortProto::parse("0/tcp").is_err());
        assert!(PortProto::parse("x/tcp").is_err());
        assert!(PortProto::parse("80/icmp").is_err());
        assert!(validate_host_port("8080").is_ok());
        assert!(validate_host_port("8000-8010").is_ok());
        assert!(validate_host_port("99999").is_err());
    }

    #[test]
    fn bindings_store_as_a_json_map() {
        let mut b = PortBindings::new();
        b.insert(
            PortProto::parse("80/tcp").unwrap(),
            vec![PortBinding {
                host_ip: String::new(),
                host_port: "8080".into(),
            }],
        );
        let text = serde_json::to_string(&b).unwrap();
        assert!(text.starts_with("{\"80/tcp\":"), "{text}");
        assert_eq!(serde_json::from_str::<PortBindings>(&text).unwrap(), b);
        let old: PortProto = serde_json::from_str(r#"{"port":53,"proto":"udp"}"#).unwrap();
        assert_eq!(old.key(), "53/udp");
    }
}
