//! `POST /containers/prune` (`docker container prune`, `docker system prune`): every container
//! that is not running, narrowed by moby's `until` and `label` / `label!` filters. A container
//! that cannot be removed is logged and left, as moby does, and the rest go on.

use crate::networks::parse_until;
use crate::Engine;
use berth_model::filters::Filters;
use berth_model::ApiError;
use chrono::Utc;

const PRUNE_FILTERS: [&str; 3] = ["until", "label", "label!"];

/// What prune removed: the full IDs and the bytes their writable layers held.
#[derive(Debug, Default)]
pub struct ContainerPruneReport {
    pub deleted: Vec<String>,
    pub space_reclaimed: u64,
}

impl Engine {
    pub fn prune_containers(&self, filters: &Filters) -> Result<ContainerPruneReport, ApiError> {
        filters.validate(&PRUNE_FILTERS)?;
        let until = match filters.get("until") {
            [] => None,
            [one] => Some(parse_until(one, Utc::now())?),
            _ => return Err(ApiError::invalid("filters until can only be used once")),
        };
        let table = self.containers()?;
        let candidates: Vec<String> = table
            .lock_all()
            .values()
            .filter(|c| {
                !c.state.is_running()
                    && until.is_none_or(|limit| c.created < limit)
                    && filters.match_labels("label", &c.config.labels)
                    && filters.match_no_labels("label!", &c.config.labels)
            })
            .map(|c| c.id.clone())
            .collect();
        let mut report = ContainerPruneReport::default();
        for id in candidates {
            let size = crate::volumes::disk_usage(&table.paths(&id).upper);
            match self.remove_container(&id, false) {
                Ok(()) => {
                    report.deleted.push(id);
                    report.space_reclaimed += size;
                }
                Err(e) => {
                    tracing::warn!(container = %id, error = %e.message, "prune could not remove a container")
                }
            }
        }
        Ok(report)
    }
}
