//! Network operations: create, remove, list, inspect, prune.
//!
//! Order of effects, chosen so that a crash between any two steps is repaired by the next
//! start's reconcile: create makes the bridge first and commits the record last (a bridge
//! without a record is removed at start); remove deletes the record first and the bridge last
//! (a leftover bridge has no record, so it is removed at start).

use crate::events::network_event;
use crate::lookup::find_network;
use crate::reaper;
use crate::reconcile::bridge_spec;
use crate::{internal, Engine};
use berth_model::filters::Filters;
use berth_model::network::plan::{
    needs_automatic_subnet, plan_network, CreateRequest, PlanContext,
};
use berth_model::network::{parse_go_bool, Network};
use berth_model::ApiError;
use berth_netsys::NetsysError;
use chrono::{DateTime, Utc};

/// A network with what list and inspect show beyond the record.
pub type ListedNetwork = Network;

const LIST_FILTERS: [&str; 7] = ["dangling", "driver", "id", "label", "name", "scope", "type"];
const PRUNE_FILTERS: [&str; 3] = ["until", "label", "label!"];

impl Engine {
    pub fn create_network(&self, req: &CreateRequest) -> Result<Network, ApiError> {
        let _guard = self.lock();
        let snapshot = self.state.networks();
        let existing: Vec<&Network> = snapshot.iter().map(|n| n.as_ref()).collect();
        // Reading the host's routes only matters for automatic subnets.
        let routes = if needs_automatic_subnet(req) {
            self.host_routes()
        } else {
            vec![]
        };
        let net = plan_network(
            req,
            &PlanContext {
                existing: &existing,
                host_routes: &routes,
                v4_pools: &self.config.default_pools,
                v6_pools: &self.v6_pools,
                now: berth_model::time::now(),
            },
        )?;
        let spec = bridge_spec(&net);
        if let Some(spec) = &spec {
            let mut made = self.kernel.ensure_bridge(spec);
            // The name may belong to a removed network's bridge still queued for removal.
            if matches!(made, Err(NetsysError::NameInUse { .. }))
                && self.reaper.take_over(&spec.name)
            {
                made = self.kernel.ensure_bridge(spec);
            }
            made.map_err(|e| kernel_error(&net, e))?;
        }
        if let Err(e) = self.commit(net.clone()) {
            if let Some(spec) = &spec {
                if let Err(undo) = self.kernel.delete_link(&spec.name) {
                    tracing::error!(bridge = %spec.name, error = %undo, "cannot undo a bridge");
                }
            }
            return Err(e);
        }
        // The new bridge's isolation and masquerade are in place before the network is
        // acknowledged; without them the network is taken back.
        if let Err(e) = self.sync_firewall() {
            if let Err(undo) = self.remove_unlocked(&net) {
                tracing::error!(network = %net.name, error = %undo.message, "cannot undo a network");
            }
            return Err(e);
        }
        self.events.publish(network_event(
            &net.id,
            &net.name,
            net.driver.as_str(),
            "create",
            None,
        ));
        tracing::info!(network = %net.name, id = %net.id, "network created");
        Ok(net)
    }

    pub fn remove_network(&self, term: &str) -> Result<Network, ApiError> {
        let _guard = self.lock();
        let networks = self.state.networks();
        let net = find_network(&networks, term)?;
        if net.predefined {
            return Err(ApiError::forbidden(format!(
                "{} is a pre-defined network and cannot be removed",
                net.name
            )));
        }
        let on = self.endpoints.endpoints_on(&net.id);
        if !on.is_empty() {
            // moby names each endpoint as `name:"<container>" id:"<12 hex endpoint>"`.
            let mut names: Vec<String> = match self.containers() {
                Ok(table) => {
                    let all = table.lock_all();
                    on.iter()
                        .map(|(ep, c)| {
                            let name = all.get(c).map_or(c.as_str(), |c| c.name.as_str());
                            format!("name:{name:?} id:{:?}", berth_model::ids::short_id(ep))
                        })
                        .collect()
                }
                Err(_) => vec![],
            };
            names.sort();
            return Err(ApiError::forbidden(format!(
                "error while removing network: network {} has active endpoints ({})",
                net.name,
                names.join(", ")
            )));
        }
        self.remove_unlocked(net)?;
        Ok(net.clone())
    }

    fn remove_unlocked(&self, net: &Network) -> Result<(), ApiError> {
        self.store.delete_network(&net.id).map_err(internal)?;
        self.state.remove(&net.id);
        self.endpoints.drop_network(&net.id);
        if let Some(spec) = bridge_spec(net) {
            // The record is gone, so the remove has succeeded; the bridge follows in the
            // background, and if the daemon dies first the next start removes the orphan.
            self.reaper
                .remove(spec.name, spec.alias, reaper::LinkKind::Bridge);
        }
        self.sync_firewall_or_log("network rm");
        self.events.publish(network_event(
            &net.id,
            &net.name,
            net.driver.as_str(),
            "destroy",
            None,
        ));
        tracing::info!(network = %net.name, id = %net.id, "network removed");
        Ok(())
    }

    pub fn inspect_network(&self, term: &str) -> Result<Network, ApiError> {
        let networks = self.state.networks();
        find_network(&networks, term).cloned()
    }

    pub fn list_networks(&self, filters: &Filters) -> Result<Vec<Network>, ApiError> {
        filters.validate(&LIST_FILTERS)?;
        let matcher = ListMatcher::new(filters)?;
        Ok(self
            .state
            .networks()
            .iter()
            .filter(|n| matcher.matches(n, self.in_use(n)))
            .map(|n| (**n).clone())
            .collect())
    }

    /// Removes every user network without endpoints that the filters select; returns their names.
    pub fn prune_networks(&self, filters: &Filters) -> Result<Vec<String>, ApiError> {
        filters.validate(&PRUNE_FILTERS)?;
        let until = match filters.get("until") {
            [] => None,
            [one] => Some(parse_until(one, Utc::now())?),
            _ => return Err(ApiError::invalid("filters until can only be used once")),
        };
        let _guard = self.lock();
        let mut removed = Vec::new();
        for net in self.state.networks().iter() {
            let old_enough = match (until, net.created) {
                (Some(limit), Some(created)) => created < limit,
                (Some(_), None) => false,
                (None, _) => true,
            };
            if net.predefined
                || self.in_use(net)
                || !old_enough
                || !filters.match_labels("label", &net.labels)
                || !filters.match_no_labels("label!", &net.labels)
            {
                continue;
            }
            self.remove_unlocked(net)?;
            removed.push(net.name.clone());
        }
        Ok(removed)
    }

    /// Whether a network has endpoints (containers running on it).
    fn in_use(&self, net: &Network) -> bool {
        !self.endpoints.holders(&net.id).is_empty()
    }

    /// The running containers on a network with their endpoint there, for inspect's
    /// `Containers`: (container ID, container name, endpoint).
    pub fn network_endpoints(
        &self,
        network_id: &str,
    ) -> Vec<(String, String, berth_model::container::EndpointState)> {
        let Ok(table) = self.containers() else {
            return vec![];
        };
        let holders = self.endpoints.holders(network_id);
        let all = table.lock_all();
        let mut out = Vec::new();
        for id in holders {
            let Some(c) = all.get(&id) else { continue };
            if let Some(ep) = c.attachment(network_id).and_then(|a| a.endpoint.clone()) {
                out.push((c.id.clone(), c.name.clone(), ep));
            }
        }
        out
    }
}

fn kernel_error(net: &Network, e: NetsysError) -> ApiError {
    match e {
        NetsysError::NameInUse { name } => ApiError::forbidden(format!(
            "cannot create network {} ({name}): the interface name {name} is in use by a device berth does not manage",
            net.id
        )),
        other => ApiError::internal(format!(
            "cannot create the bridge of network {}: {other}",
            net.name
        )),
    }
}

struct ListMatcher<'a> {
    filters: &'a Filters,
    dangling: Option<bool>,
}

impl<'a> ListMatcher<'a> {
    fn new(filters: &'a Filters) -> Result<Self, ApiError> {
        for t in filters.get("type") {
            if t != "custom" && t != "builtin" {
                return Err(ApiError::invalid(format!("invalid filter: 'type'='{t}'")));
            }
        }
        let dangling = match filters.get("dangling") {
            [] => None,
            [v] => Some(parse_go_bool(v).ok_or_else(|| {
                ApiError::invalid("invalid value for filter 'dangling', must be \"true\" (or \"1\"), or \"false\" (or \"0\")")
            })?),
            _ => return Err(ApiError::invalid("invalid filter 'dangling': only one value is allowed")),
        };
        Ok(ListMatcher { filters, dangling })
    }

    /// Values of one filter are ORed; different filters are ANDed, as in Docker.
    fn matches(&self, n: &Network, in_use: bool) -> bool {
        let f = self.filters;
        let any = |key: &str, pred: &dyn Fn(&str) -> bool| {
            let vals = f.get(key);
            vals.is_empty() || vals.iter().any(|v| pred(v))
        };
        any("driver", &|v| v == n.driver.as_str())
            && any("id", &|v| regex_match(v, &n.id))
            && any("name", &|v| regex_match(v, &n.name))
            && any("scope", &|v| v == n.scope)
            && any("type", &|v| (v == "builtin") == n.predefined)
            && f.match_labels("label", &n.labels)
            && self
                .dangling
                .is_none_or(|d| d == (!n.predefined && !in_use))
    }
}

/// Docker matches `name` and `id` as unanchored regular expressions; a value that is not a
/// valid expression is matched literally.
fn regex_match(pattern: &str, text: &str) -> bool {
    match regex::Regex::new(pattern) {
        Ok(re) => re.is_match(text),
        Err(_) => text.contains(pattern),
    }
}

/// Docker's `until`: a Go duration before now (`10m`, `1h30m`), a Unix timestamp
/// (`1700000000` or with a fraction), or an RFC 3339 / date form.
pub fn parse_until(v: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, ApiError> {
    if let Some(d) = parse_go_duration(v) {
        return Ok(now - d);
    }
    if let Ok(secs) = v.parse::<f64>() {
        let whole = secs.trunc() as i64;
        let nanos = ((secs - secs.trunc()) * 1e9) as u32;
        if let Some(t) = DateTime::from_timestamp(whole, nanos) {
            return Ok(t);
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc());
        }
    }
    Err(ApiError::invalid(format!(
        "failed to parse value as time or duration: \"{v}\""
    )))
}

fn parse_go_duration(v: &str) -> Option<chrono::Duration> {
    let mut total = 0f64;
    let mut rest = v;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let secs = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += n * secs;
        rest = &rest[unit_len..];
    }
    chrono::Duration::try_milliseconds((total * 1000.0) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn until_forms() {
        let now = Utc::now();
        assert_eq!(
            parse_until("1h", now).unwrap(),
            now - chrono::Duration::hours(1)
        );
        assert_eq!(
            parse_until("1h30m", now).unwrap(),
            now - chrono::Duration::minutes(90)
        );
        assert_eq!(
            parse_until("1700000000", now).unwrap().timestamp(),
            1_700_000_000
        );
        assert!(parse_until("2024-01-02T03:04:05Z", now).is_ok());
        assert!(parse_until("2024-01-02", now).is_ok());
        assert!(parse_until("soon", now).is_err());
        assert!(parse_until("5x", now).is_err());
    }
}
