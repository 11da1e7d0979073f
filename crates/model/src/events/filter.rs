//! Which events a subscriber gets: moby's `daemon/events/filter.go` rules. Names and IDs
//! match by prefix (`container=web` takes `web1` too, as dockerd's FuzzyMatch does), event
//! types, actions, scopes and images exactly; every given filter must match. Unknown filter
//! names are accepted and ignored, as dockerd does.

use super::message::{Event, EventType};
use crate::filters::Filters;

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    filters: Filters,
}

/// Event filters whose value may name an exec's action without its command.
const FUZZY_ACTIONS: [&str; 3] = ["health_status", "exec_create", "exec_start"];

impl EventFilter {
    pub fn new(filters: Filters) -> EventFilter {
        EventFilter { filters }
    }

    pub fn include(&self, e: &Event) -> bool {
        self.match_event(e)
            && self.exact("type", e.kind.as_str())
            && self.exact("scope", "local")
            && self.match_name("container", e)
            && self.match_name("network", e)
            && self.match_image(e)
            && self.filters.match_labels("label", &e.attributes)
    }

    fn match_event(&self, e: &Event) -> bool {
        let wanted = self.filters.get("event");
        if wanted.iter().any(|w| FUZZY_ACTIONS.contains(&w.as_str())) {
            self.fuzzy("event", &e.action)
        } else {
            self.exact("event", &e.action)
        }
    }

    /// `container=` and `network=` look at every event's actor, by ID or `name` attribute.
    fn match_name(&self, key: &str, e: &Event) -> bool {
        let name = e.attributes.get("name").map(String::as_str).unwrap_or("");
        self.fuzzy(key, &e.actor_id) || self.fuzzy(key, name)
    }

    /// `image=` takes image events of that image and container events of containers made
    /// from it, by ID, by name as given, or by name without its tag.
    fn match_image(&self, e: &Event) -> bool {
        let attr = if e.kind == EventType::Image {
            "name"
        } else {
            "image"
        };
        let name = e.attributes.get(attr).map(String::as_str).unwrap_or("");
        self.exact("image", &e.actor_id)
            || self.exact("image", name)
            || self.exact("image", &familiar_name(&e.actor_id))
            || self.exact("image", &familiar_name(name))
    }

    fn exact(&self, key: &str, source: &str) -> bool {
        let values = self.filters.get(key);
        values.is_empty() || values.iter().any(|v| v == source)
    }

    fn fuzzy(&self, key: &str, source: &str) -> bool {
        let values = self.filters.get(key);
        values.is_empty() || values.iter().any(|v| source.starts_with(v.as_str()))
    }
}

/// An image reference without its tag or digest and without the implied `docker.io/library/`
/// (distribution's `FamiliarName`); anything that is not a reference comes back as it is.
fn familiar_name(reference: &str) -> String {
    let no_digest = reference.split('@').next().unwrap_or(reference);
    let slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    let name = match no_digest[slash..].find(':') {
        Some(colon) => &no_digest[..slash + colon],
        None => no_digest,
    };
    let name = name.strip_prefix("docker.io/").unwrap_or(name);
    name.strip_prefix("library/").unwrap_or(name).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn container(action: &str, id: &str, name: &str, image: &str) -> Event {
        let mut a = BTreeMap::new();
        a.insert("name".to_string(), name.to_string());
        a.insert("image".to_string(), image.to_string());
        a.insert("com.example.tier".to_string(), "web".to_string());
        Event::new(EventType::Container, action, id, a)
    }

    fn filter(json: &str) -> EventFilter {
        EventFilter::new(Filters::parse(Some(json)).unwrap())
    }

    #[test]
    fn no_filter_takes_everything() {
        assert!(EventFilter::default().include(&container("start", "abc", "web", "busybox")));
    }

    #[test]
    fn type_event_and_scope_are_exact() {
        let e = container("start", "abc", "web", "busybox");
        assert!(filter(r#"{"type":["container"]}"#).include(&e));
        assert!(!filter(r#"{"type":["network"]}"#).include(&e));
        assert!(filter(r#"{"event":["start","die"]}"#).include(&e));
        assert!(!filter(r#"{"event":["sta"]}"#).include(&e));
        assert!(filter(r#"{"scope":["local"]}"#).include(&e));
        assert!(!filter(r#"{"scope":["swarm"]}"#).include(&e));
    }

    #[test]
    fn exec_actions_match_without_their_command() {
        let e = container("exec_start: sh -c true", "abc", "web", "busybox");
        assert!(filter(r#"{"event":["exec_start"]}"#).include(&e));
        assert!(!filter(r#"{"event":["exec_die"]}"#).include(&e));
    }

    #[test]
    fn containers_match_by_id_or_name_prefix() {
        let e = container("start", "abcdef", "web1", "busybox");
        assert!(filter(r#"{"container":["abc"]}"#).include(&e));
        assert!(filter(r#"{"container":["web"]}"#).include(&e));
        assert!(!filter(r#"{"container":["db"]}"#).include(&e));
        let mut n = BTreeMap::new();
        n.insert("name".to_string(), "front".to_string());
        let net = Event::new(EventType::Network, "create", "0123", n);
        assert!(filter(r#"{"network":["front"]}"#).include(&net));
        assert!(!filter(r#"{"network":["back"]}"#).include(&net));
        // a container filter applies to every event's actor, as in dockerd
        assert!(!filter(r#"{"container":["web"]}"#).include(&net));
    }

    #[test]
    fn images_match_with_or_without_tag() {
        let e = container("create", "abc", "web", "busybox:latest");
        assert!(filter(r#"{"image":["busybox"]}"#).include(&e));
        assert!(filter(r#"{"image":["busybox:latest"]}"#).include(&e));
        assert!(!filter(r#"{"image":["alpine"]}"#).include(&e));
        let mut a = BTreeMap::new();
        a.insert("name".to_string(), "docker.io/library/alpine:3".to_string());
        let img = Event::new(EventType::Image, "tag", "sha256:1", a);
        assert!(filter(r#"{"image":["alpine"]}"#).include(&img));
        assert!(filter(r#"{"image":["sha256:1"]}"#).include(&img));
    }

    #[test]
    fn labels_match_key_or_key_value() {
        let e = container("start", "abc", "web", "busybox");
        assert!(filter(r#"{"label":["com.example.tier"]}"#).include(&e));
        assert!(filter(r#"{"label":["com.example.tier=web"]}"#).include(&e));
        assert!(!filter(r#"{"label":["com.example.tier=db"]}"#).include(&e));
    }

    #[test]
    fn familiar_names() {
        assert_eq!(familiar_name("busybox:latest"), "busybox");
        assert_eq!(familiar_name("localhost:5000/x/y:1"), "localhost:5000/x/y");
        assert_eq!(
            familiar_name("docker.io/library/alpine@sha256:00"),
            "alpine"
        );
        assert_eq!(familiar_name("sha256:abc"), "sha256");
    }
}
