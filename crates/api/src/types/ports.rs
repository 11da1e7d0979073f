//! A container's ports as the API shows them: inspect's `NetworkSettings.Ports` (a `PortMap`:
//! every exposed port, with its host bindings or `null`) and the list's `Ports`. Both come
//! from what the running container publishes; a stopped container publishes nothing.

use berth_model::container::published::PublishedPort;
use berth_model::container::Container;
use serde_json::{json, Map, Value};

/// Whether the container has ports to show: running in a namespace of its own, plugged in.
fn shows_ports(c: &Container) -> bool {
    c.state.is_running()
        && c.request.host.network_mode.owns_netns()
        && c.endpoints().next().is_some()
}

fn host_ip(p: &PublishedPort) -> String {
    p.host_addr().to_string()
}

/// `NetworkSettings.Ports`: keys in Go's map order (sorted as strings), bindings in the
/// order they were made (IPv4 before IPv6).
pub fn network_settings_ports(c: &Container) -> Value {
    let mut m = Map::new();
    if !shows_ports(c) {
        return Value::Object(m);
    }
    for port in &c.config.exposed_ports {
        m.insert(port.key(), Value::Null);
    }
    for p in &c.published {
        let key = format!("{}/{}", p.container_port, p.proto.as_str());
        let entry = json!({"HostIp": host_ip(p), "HostPort": p.host_port.to_string()});
        match m.get_mut(&key) {
            Some(Value::Array(list)) => list.push(entry),
            _ => {
                m.insert(key, Value::Array(vec![entry]));
            }
        }
    }
    Value::Object(m)
}

/// `Ports` of `GET /containers/json`: one item per host binding, and one without `IP` and
/// `PublicPort` per exposed port that is not published.
pub fn summary_ports(c: &Container) -> Vec<Value> {
    if !shows_ports(c) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for port in &c.config.exposed_ports {
        let mine: Vec<&PublishedPort> = c
            .published
            .iter()
            .filter(|p| p.container_port == port.port && p.proto == port.proto)
            .collect();
        if mine.is_empty() {
            out.push(json!({"PrivatePort": port.port, "Type": port.proto.as_str()}));
        }
        for p in mine {
            out.push(json!({"IP": host_ip(p), "PrivatePort": p.container_port,
                            "PublicPort": p.host_port, "Type": p.proto.as_str()}));
        }
    }
    out
}
