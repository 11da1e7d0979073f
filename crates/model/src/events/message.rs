//! One event and its JSON form (`events.Message` of the Engine API).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Container,
    Image,
    Network,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Container => "container",
            EventType::Image => "image",
            EventType::Network => "network",
        }
    }
}

/// An event as the engine records it. `time_nano` is set when the bus accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventType,
    /// `start`, `die`, ... and for execs `exec_start: <command>`, as moby writes them.
    pub action: String,
    pub actor_id: String,
    pub attributes: BTreeMap<String, String>,
    /// Nanoseconds since the Unix epoch.
    pub time_nano: i64,
}

impl Event {
    pub fn new(
        kind: EventType,
        action: impl Into<String>,
        actor_id: impl Into<String>,
        attributes: BTreeMap<String, String>,
    ) -> Event {
        Event {
            kind,
            action: action.into(),
            actor_id: actor_id.into(),
            attributes,
            time_nano: 0,
        }
    }

    /// The message as the API sends it. Container and image events also carry the fields of
    /// the pre-1.22 format (`status`, `id`, `from`), as dockerd still fills them for API 1.50.
    pub fn to_wire(&self) -> WireMessage {
        let legacy = matches!(self.kind, EventType::Container | EventType::Image);
        WireMessage {
            status: if legacy {
                self.action.clone()
            } else {
                String::new()
            },
            id: if legacy {
                self.actor_id.clone()
            } else {
                String::new()
            },
            from: if self.kind == EventType::Container {
                self.attributes.get("image").cloned().unwrap_or_default()
            } else {
                String::new()
            },
            kind: self.kind.as_str().to_string(),
            action: self.action.clone(),
            actor: WireActor {
                id: self.actor_id.clone(),
                attributes: self.attributes.clone(),
            },
            scope: "local".to_string(),
            time: self.time_nano.div_euclid(1_000_000_000),
            time_nano: self.time_nano,
        }
    }
}

/// `events.Message`, field for field and in Go's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireMessage {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(rename = "Action")]
    pub action: String,
    #[serde(rename = "Actor")]
    pub actor: WireActor,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scope: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub time: i64,
    #[serde(rename = "timeNano", default, skip_serializing_if = "is_zero")]
    pub time_nano: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireActor {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Attributes")]
    pub attributes: BTreeMap<String, String>,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_events_carry_the_legacy_fields() {
        let mut attrs = BTreeMap::new();
        attrs.insert("name".to_string(), "web".to_string());
        attrs.insert("image".to_string(), "busybox".to_string());
        let mut e = Event::new(EventType::Container, "start", "abc", attrs);
        e.time_nano = 1_700_000_000_123_456_789;
        let json = serde_json::to_string(&e.to_wire()).unwrap();
        assert_eq!(
            json,
            r#"{"status":"start","id":"abc","from":"busybox","Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"image":"busybox","name":"web"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789}"#
        );
    }

    #[test]
    fn network_events_have_no_legacy_fields() {
        let e = Event::new(EventType::Network, "create", "n1", BTreeMap::new());
        let json = serde_json::to_value(e.to_wire()).unwrap();
        assert!(json.get("status").is_none());
        assert!(json.get("id").is_none());
        assert_eq!(json["Type"], "network");
    }
}
