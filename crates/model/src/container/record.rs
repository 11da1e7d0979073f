//! The persisted container: what was asked, what it runs with, and its state.

use super::create::{CreateContainer, EffectiveConfig};
use super::state::ContainerState;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Container {
    pub id: String,
    pub name: String,
    pub created: Timestamp,
    /// The image as the user named it, and the ID it resolved to.
    pub image: String,
    pub image_id: String,
    /// The request as made (for inspect's Config/HostConfig).
    pub request: CreateContainer,
    /// Request merged with the image's defaults.
    pub config: EffectiveConfig,
    /// The hostname inside the container (the short ID unless given; the host's in host mode).
    pub hostname: String,
    pub state: ContainerState,
    /// The bridge networks the container is on, in connect order (the network mode's first).
    #[serde(default)]
    pub networks: Vec<super::attachment::Attachment>,
    /// Ports published while the container runs (empty when it is stopped).
    #[serde(default)]
    pub published: Vec<super::published::PublishedPort>,
    /// Binds, volumes and tmpfs mounts, resolved at create (inspect's `Mounts`).
    #[serde(default)]
    pub mounts: Vec<super::mounts::MountPoint>,
}

impl Container {
    pub fn short_id(&self) -> &str {
        crate::ids::short_id(&self.id)
    }

    /// moby's `buildEndpointDNSNames`: the names an endpoint answers to on a user-defined
    /// network — container name, aliases, short ID, hostname, without repeats; the first is
    /// the PTR answer. (A link's alias is not among them: it resolves only for the linker.)
    pub fn dns_names(&self, aliases: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let candidates = std::iter::once(self.name.as_str())
            .chain(aliases.iter().map(String::as_str))
            .chain([self.short_id(), self.hostname.as_str()]);
        for name in candidates {
            if !name.is_empty() && !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
        out
    }

    pub fn attachment(&self, network_id: &str) -> Option<&super::attachment::Attachment> {
        self.networks.iter().find(|a| a.network_id == network_id)
    }

    /// The live endpoints, in connect order.
    pub fn endpoints(
        &self,
    ) -> impl Iterator<
        Item = (
            &super::attachment::Attachment,
            &super::attachment::EndpointState,
        ),
    > {
        self.networks
            .iter()
            .filter_map(|a| a.endpoint.as_ref().map(|e| (a, e)))
    }
}
