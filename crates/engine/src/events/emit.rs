//! The engine's side of events: the attributes dockerd puts on each kind (a container's
//! labels, `image` and `name`; a network's `name` and `type`; an image's `name`).

use crate::Engine;
use berth_model::container::{Container, NetworkMode};
use berth_model::events::{Event, EventType};
use std::collections::BTreeMap;

impl Engine {
    pub fn events(&self) -> &super::EventBus {
        &self.events
    }

    /// A container event: its labels, then `image` and `name` over them, then `extra`.
    pub(crate) fn container_event(&self, c: &Container, action: &str, extra: &[(&str, String)]) {
        self.events.publish(container_event(c, action, extra));
    }

    /// A network event about a network the engine knows; `container` for connect and
    /// disconnect.
    pub(crate) fn network_event(
        &self,
        network_id: &str,
        network_name: &str,
        action: &str,
        container: Option<&str>,
    ) -> Event {
        let networks = self.state.networks();
        let driver = networks
            .iter()
            .find(|n| n.id == network_id)
            .map_or("bridge", |n| n.driver.as_str());
        network_event(network_id, network_name, driver, action, container)
    }

    /// The networks a running container is on, as (ID, name): its endpoints, or the
    /// predefined `none` or `host` network its mode joins (dockerd announces those too).
    pub(crate) fn joined_networks(&self, c: &Container) -> Vec<(String, String)> {
        let mode_network = match c.request.host.network_mode {
            NetworkMode::None => Some("none"),
            NetworkMode::Host => Some("host"),
            _ => None,
        };
        if let Some(name) = mode_network {
            let networks = self.state.networks();
            return networks
                .iter()
                .filter(|n| n.predefined && n.name == name)
                .map(|n| (n.id.clone(), n.name.clone()))
                .collect();
        }
        c.endpoints()
            .map(|(a, _)| (a.network_id.clone(), a.network_name.clone()))
            .collect()
    }

    /// An image event: `name` is the reference it concerns (or the ID, for deletes).
    pub fn image_event(&self, image_id: &str, name: &str, action: &str) {
        let mut attrs = BTreeMap::new();
        attrs.insert("name".to_string(), name.to_string());
        self.events
            .publish(Event::new(EventType::Image, action, image_id, attrs));
    }
}

pub(crate) fn container_event(c: &Container, action: &str, extra: &[(&str, String)]) -> Event {
    let mut attrs = c.config.labels.clone();
    attrs.insert("image".to_string(), c.image.clone());
    attrs.insert("name".to_string(), c.name.clone());
    for (k, v) in extra {
        attrs.insert(k.to_string(), v.clone());
    }
    Event::new(EventType::Container, action, c.id.clone(), attrs)
}

/// A network event; `container` for connect and disconnect. `driver` is the network's
/// (`bridge` for every network users make; `null` or `host` for the predefined ones).
pub(crate) fn network_event(
    network_id: &str,
    network_name: &str,
    driver: &str,
    action: &str,
    container: Option<&str>,
) -> Event {
    let mut attrs = BTreeMap::new();
    attrs.insert("name".to_string(), network_name.to_string());
    attrs.insert("type".to_string(), driver.to_string());
    if let Some(c) = container {
        attrs.insert("container".to_string(), c.to_string());
    }
    Event::new(EventType::Network, action, network_id, attrs)
}
