//! Network drivers berth knows, and Docker's answer for those it does not.

use crate::error::ApiError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Driver {
    Bridge,
    Host,
    Null,
}

impl Driver {
    /// Parses the `Driver` field of a create request ("" means bridge, as in Docker).
    pub fn parse(name: &str) -> Result<Driver, ApiError> {
        match name {
            "" | "bridge" => Ok(Driver::Bridge),
            "host" => Ok(Driver::Host),
            "null" => Ok(Driver::Null),
            "overlay" => Err(ApiError::forbidden(
                "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.",
            )),
            "macvlan" | "ipvlan" => Err(ApiError::not_implemented(format!(
                "the {name} driver is not supported by berth yet"
            ))),
            other => Err(ApiError::not_found(format!("plugin \"{other}\" not found"))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Driver::Bridge => "bridge",
            Driver::Host => "host",
            Driver::Null => "null",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn known_and_unknown_drivers() {
        assert_eq!(Driver::parse("").unwrap(), Driver::Bridge);
        assert_eq!(Driver::parse("null").unwrap(), Driver::Null);
        assert_eq!(
            Driver::parse("nosuch").unwrap_err().kind,
            ErrorKind::NotFound
        );
        assert_eq!(
            Driver::parse("overlay").unwrap_err().kind,
            ErrorKind::Forbidden
        );
    }
}
