//! Adoption after a daemon restart: containers that kept running under their monitors are
//! watched again; those that ended meanwhile get their real exit code and their restart policy.

use crate::Engine;
use berth_model::container::Status;
use std::sync::Arc;

impl Engine {
    pub(crate) fn recover_containers(self: &Arc<Self>) {
        let Ok(table) = self.containers() else { return };
        let list: Vec<_> = table.lock_all().values().cloned().collect();
        for c in list {
            let paths = table.paths(&c.id);
            match c.state.status {
                Status::Running | Status::Paused | Status::Restarting => {
                    match table.deps.runtime.recover(&c.id, &paths.runtime_dir) {
                        Ok(None) => {
                            tracing::info!(container = %c.id, "adopted a running container");
                            self.spawn_waiter(c.id.clone());
                        }
                        Ok(Some(exited)) => self.handle_exit(&c.id, exited),
                        Err(e) => {
                            tracing::error!(container = %c.id, error = %e.message, "cannot recover a container");
                            self.handle_exit(
                                &c.id,
                                super::deps::Exited {
                                    code: 255,
                                    at: std::time::SystemTime::now(),
                                    oom_killed: false,
                                },
                            );
                        }
                    }
                }
                Status::Exited | Status::Created
                    if c.request
                        .host
                        .restart_policy
                        .starts_with_daemon(c.state.stopped_by_user)
                        && c.state.started_at.is_some() =>
                {
                    let engine = self.clone();
                    let id = c.id.clone();
                    let _ = std::thread::Builder::new().name("restart-on-boot".into()).spawn(move || {
                        if let Err(e) = engine.start_container(&id) {
                            tracing::error!(container = %id, error = %e.message, "restart at daemon start failed");
                        }
                    });
                }
                _ => {}
            }
        }
    }
}
