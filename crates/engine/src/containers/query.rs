//! Reading containers: list (`ps`), inspect, and waiting for state changes.

use super::lookup::find;
use crate::Engine;
use berth_model::container::port_filter::parse_port_filter;
use berth_model::container::{Container, NetworkMode, Status};
use berth_model::filters::Filters;
use berth_model::network::Network;
use berth_model::ApiError;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The message of a `wait_container` that ran out of time.
pub const WAIT_TIMED_OUT: &str = "timed out waiting for the container";

#[derive(Debug, Default)]
pub struct ListOptions {
    pub all: bool,
    pub limit: Option<usize>,
    pub filters: Filters,
}

const PS_FILTERS: &[&str] = &[
    "id",
    "name",
    "label",
    "status",
    "exited",
    "ancestor",
    "before",
    "since",
    "network",
    "volume",
    "health",
    "isolation",
    "is-task",
    "publish",
    "expose",
];

/// moby's `volume` filter: a mount's volume name (a bind's source) or its destination.
fn uses_volume(c: &Container, term: &str) -> bool {
    c.mounts.iter().any(|m| {
        let key = if m.name.is_empty() {
            &m.source
        } else {
            &m.name
        };
        key == term || m.destination == term
    })
}

/// What `wait` waits for (`condition=` of `POST /containers/{id}/wait`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitCondition {
    NotRunning,
    NextExit,
    Removed,
}

impl WaitCondition {
    pub fn parse(s: &str) -> Result<WaitCondition, ApiError> {
        match s {
            "" | "not-running" => Ok(WaitCondition::NotRunning),
            "next-exit" => Ok(WaitCondition::NextExit),
            "removed" => Ok(WaitCondition::Removed),
            other => Err(ApiError::invalid(format!("invalid condition: \"{other}\""))),
        }
    }
}

impl Engine {
    pub fn inspect_container(&self, term: &str) -> Result<Container, ApiError> {
        let table = self.containers()?;
        let all = table.lock_all();
        find(&all, term).cloned()
    }

    /// Containers as `ps` lists them: newest first.
    pub fn list_containers(&self, opts: &ListOptions) -> Result<Vec<Container>, ApiError> {
        let table = self.containers()?;
        opts.filters.validate(PS_FILTERS)?;
        let f = &opts.filters;
        for s in f.get("status") {
            if ![
                "created",
                "restarting",
                "running",
                "removing",
                "paused",
                "exited",
                "dead",
            ]
            .contains(&s.as_str())
            {
                return Err(ApiError::invalid(format!("invalid filter 'status={s}'")));
            }
        }
        let exited: Vec<i64> = f
            .get("exited")
            .iter()
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::invalid(format!("invalid filter 'exited={v}'")))
            })
            .collect::<Result<_, _>>()?;
        let publish = parse_port_filter("publish", f.get("publish"))?;
        let expose = parse_port_filter("expose", f.get("expose"))?;
        let all = table.lock_all();
        let bound = |key: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
            match f.get(key).first() {
                None => Ok(None),
                Some(term) => Ok(Some(find(&all, term)?.created)),
            }
        };
        let (before, since) = (bound("before")?, bound("since")?);
        let networks = self.state.networks();
        let mut list: Vec<Container> = all
            .values()
            .filter(|c| {
                let any = |key: &str, pred: &dyn Fn(&str) -> bool| {
                    let vals = f.get(key);
                    vals.is_empty() || vals.iter().any(|v| pred(v))
                };
                let status_filtered = f.contains("status") || f.contains("exited");
                (opts.all || status_filtered || opts.limit.is_some() || c.state.is_running())
                    && any("id", &|v| c.id.starts_with(v))
                    && any("name", &|v| regex_match(v, &c.name))
                    && any("status", &|v| v == c.state.status.as_str())
                    && any("ancestor", &|v| {
                        c.image == v
                            || c.image_id
                                .trim_start_matches("sha256:")
                                .starts_with(v.trim_start_matches("sha256:"))
                    })
                    && any("network", &|v| on_network(c, v, &networks))
                    && (publish.is_empty()
                        || c.request
                            .host
                            .port_bindings
                            .keys()
                            .any(|p| publish.contains(p)))
                    && (expose.is_empty()
                        || c.config.exposed_ports.iter().any(|p| expose.contains(p)))
                    && any("volume", &|v| uses_volume(c, v))
                    && (exited.is_empty()
                        || (c.state.status == Status::Exited
                            && exited.contains(&c.state.exit_code)))
                    && f.match_labels("label", &c.config.labels)
                    && before.is_none_or(|b| c.created < b)
                    && since.is_none_or(|s| c.created > s)
            })
            .cloned()
            .collect();
        list.sort_by_key(|c| std::cmp::Reverse(c.created));
        if let Some(n) = opts.limit {
            list.truncate(n);
        }
        Ok(list)
    }

    /// Blocks until the condition holds; returns the exit code then. For `next-exit`,
    /// `baseline` is the container's `finished_at` when the client registered its wait, so a
    /// wait taken in slices never misses an exit between two slices.
    pub fn wait_container(
        &self,
        term: &str,
        condition: WaitCondition,
        timeout: Option<Duration>,
        baseline: Option<Option<berth_model::time::Timestamp>>,
    ) -> Result<i64, ApiError> {
        let table = self.containers()?;
        let id = table.resolve_id(term)?;
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut all = table.lock_all();
        let start_finished =
            baseline.unwrap_or_else(|| all.get(&id).and_then(|c| c.state.finished_at));
        let mut last_code = all.get(&id).map(|c| c.state.exit_code).unwrap_or(0);
        loop {
            match all.get(&id) {
                None => return Ok(table.removed_exit_code(&id).unwrap_or(last_code)),
                Some(c) => {
                    last_code = c.state.exit_code;
                    let done = match condition {
                        WaitCondition::NotRunning => !c.state.is_running(),
                        WaitCondition::NextExit => {
                            !c.state.is_running() && c.state.finished_at != start_finished
                        }
                        WaitCondition::Removed => false,
                    };
                    if done {
                        return Ok(c.state.exit_code);
                    }
                }
            }
            let wait_for = match deadline {
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return Err(ApiError::internal(WAIT_TIMED_OUT));
                    }
                    d - now
                }
                None => Duration::from_secs(3600),
            };
            all = table
                .changed
                .wait_timeout(all, wait_for)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    pub fn rename_container(&self, term: &str, new_name: &str) -> Result<(), ApiError> {
        // moby's order: empty names, the container, the same name, then the new name's
        // reservation (its pattern and conflicts, wrapped as "Error when allocating new name").
        if term.is_empty() || new_name.is_empty() {
            return Err(ApiError::invalid("Neither old nor new names may be empty"));
        }
        let table = self.containers()?;
        let renamed = {
            let all = table.lock_all();
            let c = find(&all, term)?;
            let canonical = format!("/{}", new_name.strip_prefix('/').unwrap_or(new_name));
            if canonical == format!("/{}", c.name) {
                return Err(ApiError::invalid(
                    "Renaming a container with the same name as its current name",
                ));
            }
            let allocating = |e: ApiError| ApiError {
                message: format!("Error when allocating new name: {}", e.message),
                ..e
            };
            let new_name =
                berth_model::container::validate_container_name(&canonical).map_err(allocating)?;
            if let Some(other) = all.values().find(|o| o.name == new_name) {
                return Err(allocating(ApiError::conflict(format!(
                    "Conflict. The container name \"/{new_name}\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.",
                    other.id
                ))));
            }
            (c.id.clone(), new_name)
        };
        let (id, new_name) = renamed;
        let mut old_name = String::new();
        let updated = self.update_container(table, &id, |c| {
            old_name = std::mem::replace(&mut c.name, new_name);
        })?;
        if let Some(c) = updated {
            self.events.publish(crate::events::container_event(
                &c,
                "rename",
                &[("oldName", format!("/{old_name}"))],
            ));
        }
        self.publish_names(table);
        Ok(())
    }

    /// Paths of a container's files (the API streams logs from the json log).
    pub fn container_paths(&self, id: &str) -> Result<super::ContainerPaths, ApiError> {
        Ok(self.containers()?.paths(id))
    }

    /// Images in use by containers, for `rmi`: (container ID, running).
    pub fn containers_using_image(&self, image_id: &str) -> Vec<(String, bool)> {
        let Ok(table) = self.containers() else {
            return vec![];
        };
        table
            .lock_all()
            .values()
            .filter(|c| c.image_id == image_id)
            .map(|c| (c.id.clone(), c.state.is_running()))
            .collect()
    }
}

/// moby's `network` filter: the value names one of the container's networks, or is a prefix
/// of its ID. A host or none container is on that predefined network; a `container:` one
/// is on none of its own.
fn on_network(c: &Container, term: &str, networks: &[Arc<Network>]) -> bool {
    if c.networks
        .iter()
        .any(|a| a.network_name == term || a.network_id.starts_with(term))
    {
        return true;
    }
    let mode_name = match c.request.host.network_mode {
        NetworkMode::Host => "host",
        NetworkMode::None => "none",
        _ => return false,
    };
    mode_name == term
        || networks
            .iter()
            .any(|n| n.name == mode_name && n.id.starts_with(term))
}

fn regex_match(pattern: &str, text: &str) -> bool {
    match regex::Regex::new(pattern) {
        Ok(re) => re.is_match(text),
        Err(_) => text.contains(pattern),
    }
}

#[cfg(test)]
mod network_filter_tests {
    use super::on_network;
    use berth_model::container::create::EndpointRequest;
    use berth_model::container::{Attachment, Container, CreateContainer, NetworkMode};
    use berth_model::network::driver::Driver;
    use berth_model::network::Network;
    use std::sync::Arc;

    fn container(mode: NetworkMode, networks: &[(&str, &str)]) -> Container {
        let mut request = CreateContainer::default();
        request.host.network_mode = mode;
        Container {
            id: "c".repeat(64),
            name: "web".into(),
            created: berth_model::time::now(),
            image: "busybox".into(),
            image_id: String::new(),
            request,
            config: Default::default(),
            hostname: String::new(),
            state: Default::default(),
            networks: networks
                .iter()
                .map(|(id, name)| Attachment {
                    network_id: id.to_string(),
                    network_name: name.to_string(),
                    config: EndpointRequest::default(),
                    endpoint: None,
                })
                .collect(),
            published: Vec::new(),
            mounts: Vec::new(),
        }
    }

    fn predefined(name: &str, id: &str, driver: Driver) -> Arc<Network> {
        Arc::new(Network {
            id: id.into(),
            name: name.into(),
            driver,
            created: None,
            scope: "local".into(),
            internal: false,
            attachable: false,
            ingress: false,
            config_only: false,
            config_from: String::new(),
            enable_ipv4: false,
            enable_ipv6: false,
            ipam_driver: "default".into(),
            ipam_options: Default::default(),
            pools: vec![],
            options: Default::default(),
            labels: Default::default(),
            bridge: None,
            predefined: true,
        })
    }

    #[test]
    fn matches_names_and_id_prefixes_like_moby() {
        let nets = vec![
            predefined("host", &"a".repeat(64), Driver::Host),
            predefined("none", &"b".repeat(64), Driver::Null),
        ];
        let c = container(
            NetworkMode::Network("mynet".into()),
            &[("1234abcd", "mynet"), ("5678ef", "bridge")],
        );
        for term in ["mynet", "bridge", "1234", "5678ef", ""] {
            assert!(on_network(&c, term, &nets), "{term}");
        }
        for term in ["mynetx", "my", "abcd", "host", "aaaa"] {
            assert!(!on_network(&c, term, &nets), "{term}");
        }
        let h = container(NetworkMode::Host, &[]);
        assert!(on_network(&h, "host", &nets));
        assert!(on_network(&h, "aaaa", &nets));
        assert!(!on_network(&h, "none", &nets));
        assert!(!on_network(&h, "bbbb", &nets));
        let n = container(NetworkMode::None, &[]);
        assert!(on_network(&n, "none", &nets) && on_network(&n, "bbb", &nets));
        let shared = container(NetworkMode::Container("db".into()), &[]);
        assert!(!on_network(&shared, "bridge", &nets));
        assert!(!on_network(&shared, "", &nets));
    }
}
