//! The engine's side of events: the attributes dockerd puts on each kind (a container's
//! labels, `image` and `name`; a network's `name` and `type`; an image's `name`).

use crate::Engine;
use berth_model::container::Container;
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

    /// A network event; `container` for connect and disconnect.
    pub(crate) fn network_event(
        &self,
        network_id: &str,
        network_name: &str,
        action: &str,
        container: Option<&str>,
    ) {
        self.events
            .publish(network_event(network_id, network_name, action, container));
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

pub(crate) fn network_event(
    network_id: &str,
    network_name: &str,
    action: &str,
    container: Option<&str>,
) -> Event {
    let mut attrs = BTreeMap::new();
    attrs.insert("name".to_string(), network_name.to_string());
    // every network berth makes events for is a bridge: host and none are predefined
    attrs.insert("type".to_string(), "bridge".to_string());
    if let Some(c) = container {
        attrs.insert("container".to_string(), c.to_string());
    }
    Event::new(EventType::Network, action, network_id, attrs)
}
