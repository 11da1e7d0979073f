//! `HostConfig.NetworkMode`, parsed once.

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum NetworkMode {
    /// The default bridge (`bridge`, `default` or empty).
    #[default]
    Bridge,
    Host,
    None,
    /// Share another container's network namespace: `container:<name|id>`.
    Container(String),
    /// A user-defined network, by name or ID.
    Network(String),
}

impl NetworkMode {
    pub fn parse(raw: &str) -> Result<NetworkMode, ApiError> {
        Ok(match raw {
            "" | "default" | "bridge" => NetworkMode::Bridge,
            "host" => NetworkMode::Host,
            "none" => NetworkMode::None,
            other => match other.strip_prefix("container:") {
                Some("") => {
                    return Err(ApiError::invalid(
                        "Invalid network mode: invalid container format container:<name|id>",
                    ))
                }
                Some(target) => NetworkMode::Container(target.to_string()),
                None => NetworkMode::Network(other.to_string()),
            },
        })
    }

    /// The string Docker shows in `HostConfig.NetworkMode`.
    pub fn as_string(&self) -> String {
        match self {
            NetworkMode::Bridge => "bridge".into(),
            NetworkMode::Host => "host".into(),
            NetworkMode::None => "none".into(),
            NetworkMode::Container(t) => format!("container:{t}"),
            NetworkMode::Network(n) => n.clone(),
        }
    }

    /// Whether the container gets its own network namespace from berth.
    pub fn owns_netns(&self) -> bool {
        matches!(
            self,
            NetworkMode::Bridge | NetworkMode::None | NetworkMode::Network(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_docker_modes() {
        assert_eq!(NetworkMode::parse("").unwrap(), NetworkMode::Bridge);
        assert_eq!(NetworkMode::parse("default").unwrap(), NetworkMode::Bridge);
        assert_eq!(NetworkMode::parse("host").unwrap(), NetworkMode::Host);
        assert_eq!(
            NetworkMode::parse("container:db").unwrap(),
            NetworkMode::Container("db".into())
        );
        assert_eq!(
            NetworkMode::parse("mynet").unwrap(),
            NetworkMode::Network("mynet".into())
        );
        assert!(NetworkMode::parse("container:").is_err());
        assert_eq!(
            NetworkMode::parse("container:db").unwrap().as_string(),
            "container:db"
        );
    }
}
