//! `DELETE /containers/{id}`.

use super::hold;
use crate::{internal, Engine};
use berth_model::ApiError;
use std::time::Duration;

impl Engine {
    pub fn remove_container(&self, term: &str, force: bool) -> Result<(), ApiError> {
        self.remove_container_with_volumes(term, force, false)
    }

    /// `DELETE /containers/{id}?v=true` (`rm -v`, and `--rm`): the container's anonymous
    /// volumes go too.
    pub fn remove_container_with_volumes(
        &self,
        term: &str,
        force: bool,
        remove_volumes: bool,
    ) -> Result<(), ApiError> {
        let table = self.containers()?;
        let id = table.resolve_id(term)?;
        let lock = table.op_lock(&id);
        let _op = hold(&lock);
        let c = table
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("No such container: {term}")))?;
        if c.state.is_running() {
            if !force {
                return Err(ApiError::conflict(format!(
                    "cannot remove container \"/{}\": container is running: stop the container before removing or force remove",
                    c.name
                )));
            }
            self.stop_locked(table, &id, Some(Duration::ZERO), Some(libc::SIGKILL))?;
        }
        let paths = table.paths(&id);
        let _ = table.deps.runtime.delete(&id, &paths.runtime_dir);
        self.store.delete_container(&id).map_err(internal)?;
        if remove_volumes {
            // before waiters hear of the removal, so `run --rm` returns with them gone
            self.remove_anonymous_volumes(&c.mounts, &id);
        }
        {
            let mut all = table.lock_all();
            if let Some(gone) = all.remove(&id) {
                table.remember_removed(&id, gone.state.exit_code);
            }
            self.container_event(&c, "destroy", &[]);
            table.changed.notify_all();
        }
        for dir in [
            Some(paths.dir.as_path()),
            paths.overlay_root(),
            Some(paths.runtime_dir.as_path()),
        ]
        .into_iter()
        .flatten()
        {
            if let Err(e) = std::fs::remove_dir_all(dir) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(path = %dir.display(), error = %e, "cannot remove a container directory");
                }
            }
        }
        table.forget_op_lock(&id);
        tracing::info!(container = %id, "container removed");
        Ok(())
    }
}
