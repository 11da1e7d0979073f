//! Which bridge networks a new container goes on: the network its mode names, then every
//! other network of `NetworkingConfig.EndpointsConfig` (API 1.44+ allows several), each
//! checked against Docker's rules at create so a bad request stores nothing.

use crate::lookup::find_network;
use crate::Engine;
use berth_model::container::create::EndpointRequest;
use berth_model::container::{Attachment, CreateContainer, NetworkMode};
use berth_model::endpoint::validate::validate_endpoint_by_name;
use berth_model::network::driver::Driver;
use berth_model::network::Network;
use berth_model::ApiError;

pub(crate) const SHARED_NETNS: &str = "container sharing network namespace with another container or host cannot be connected to any other network";
pub(crate) const PRIVATE_NETNS: &str =
    "container cannot be connected to multiple networks with one of the networks in private (none) mode";

impl Engine {
    pub(crate) fn initial_attachments(
        &self,
        req: &CreateContainer,
    ) -> Result<Vec<Attachment>, ApiError> {
        let snapshot = self.state.networks();
        let primary = match &req.host.network_mode {
            NetworkMode::Bridge => Some("bridge"),
            NetworkMode::Network(n) => Some(n.as_str()),
            _ => None,
        };
        let mut out: Vec<Attachment> = Vec::new();
        if let Some(term) = primary {
            // Docker looks the network up at start: a missing one fails `start`, not `create`.
            let net = lookup(&snapshot, term)?;
            if let Some(net) = &net {
                check_driver(net)?;
            }
            let net_id = net.as_ref().map(|n| n.id.as_str());
            // The CLI keys the mode's endpoint by what the user typed; match by network.
            let mut config = req
                .endpoints
                .iter()
                .find(|(k, _)| {
                    k.as_str() == term
                        || (term == "bridge" && k.as_str() == "default")
                        || (net_id.is_some()
                            && find_network(&snapshot, k).ok().map(|n| n.id.as_str()) == net_id)
                })
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            if config.mac_address.is_empty() {
                config.mac_address = req.mac_address.clone();
            }
            out.push(attachment(term, net.as_deref(), config)?);
        }
        for (key, config) in &req.endpoints {
            let mode_key = match &req.host.network_mode {
                NetworkMode::Host => key == "host",
                NetworkMode::None => key == "none",
                NetworkMode::Container(_) => true,
                NetworkMode::Bridge => key == "bridge" || key == "default",
                NetworkMode::Network(n) => key == n,
            };
            if mode_key {
                continue;
            }
            let net = lookup(&snapshot, key)?;
            let duplicate = out.iter().any(|a| {
                a.network_name == *key || net.as_ref().is_some_and(|n| n.id == a.network_id)
            });
            if duplicate {
                continue;
            }
            match &req.host.network_mode {
                NetworkMode::None => return Err(ApiError::invalid(PRIVATE_NETNS)),
                NetworkMode::Host => return Err(ApiError::invalid(SHARED_NETNS)),
                _ => {}
            }
            if let Some(net) = &net {
                check_driver(net)?;
            }
            out.push(attachment(key, net.as_deref(), config.clone())?);
        }
        Ok(out)
    }
}

/// Only bridge networks have endpoints; `host` and `none` are modes, not attachments.
pub(crate) fn check_driver(net: &Network) -> Result<(), ApiError> {
    match net.driver {
        Driver::Bridge => Ok(()),
        Driver::Host => Err(ApiError::invalid(SHARED_NETNS)),
        Driver::Null => Err(ApiError::invalid(PRIVATE_NETNS)),
    }
}

/// A network by what the user typed; `None` if there is no such network (yet).
fn lookup(
    snapshot: &[std::sync::Arc<Network>],
    term: &str,
) -> Result<Option<std::sync::Arc<Network>>, ApiError> {
    match find_network(snapshot, term) {
        Ok(n) => Ok(snapshot.iter().find(|x| x.id == n.id).cloned()),
        Err(e) if e.kind == berth_model::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn attachment(
    term: &str,
    net: Option<&Network>,
    config: EndpointRequest,
) -> Result<Attachment, ApiError> {
    let name = net.map_or(term, |n| n.name.as_str());
    // At create Docker names the network the settings were for.
    validate_endpoint_by_name(name, &config).map_err(|e| ApiError {
        message: format!("invalid config for network {name}: {}", e.message),
        ..e
    })?;
    Ok(Attachment {
        network_id: net.map(|n| n.id.clone()).unwrap_or_default(),
        network_name: name.to_string(),
        config,
        endpoint: None,
    })
}
