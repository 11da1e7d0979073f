//! What happens when a container's process ends: a waiter thread per running container
//! learns the exit from the runtime, frees the namespace and the rootfs, records the exit, and
//! applies the restart policy and `--rm`.

use super::deps::Exited;
use super::hold;
use crate::events::container_event;
use crate::Engine;
use berth_model::container::Status;
use std::sync::Arc;
use std::time::Duration;

impl Engine {
    pub(crate) fn spawn_waiter(self: &Arc<Self>, id: String) {
        let engine = self.clone();
        let for_log = id.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("wait-{}", &id[..12.min(id.len())]))
            .spawn(move || {
                let Ok(table) = engine.containers() else { return };
                let runtime_dir = table.paths(&id).runtime_dir;
                let exited = match table.deps.runtime.wait_exit(&id, &runtime_dir) {
                    Ok(e) => e,
                    Err(e) => {
                        tracing::error!(container = %id, error = %e.message, "lost track of a container's process");
                        Exited { code: 255, at: std::time::SystemTime::now(), oom_killed: false }
                    }
                };
                engine.handle_exit(&id, exited);
            });
        if let Err(e) = spawned {
            tracing::error!(container = %for_log, error = %e, "cannot start a waiter thread");
        }
    }

    /// Records an exit and applies the container's policies.
    pub(crate) fn handle_exit(self: &Arc<Self>, id: &str, exited: Exited) {
        let Ok(table) = self.containers() else { return };
        let Some(mut c) = table.get(id) else { return };
        let paths = table.paths(id);
        let plugged = self.joined_networks(&c);
        self.release_network(table, &mut c, &paths);
        self.release_rootfs(table, &paths);
        if let Err(e) = table.deps.runtime.delete(id, &paths.runtime_dir) {
            tracing::warn!(container = %id, error = %e.message, "runtime cleanup failed");
        }
        c.state.status = Status::Exited;
        c.state.pid = 0;
        c.state.monitor_pid = 0;
        c.state.exit_code = exited.code;
        c.state.oom_killed = exited.oom_killed;
        c.state.finished_at = Some(exited.at.into());
        tracing::info!(container = %id, code = exited.code, "container exited");
        // Its published ports leave the table before the exit is recorded, so whoever waits
        // for the stop (docker stop, wait) finds them gone; a failure is retried in the background.
        let firewall = match self.apply_firewall_with(&c) {
            Ok(guard) => Some(guard),
            Err(e) => {
                tracing::error!(container = %id, error = %e.message, "cannot update the firewall; retrying in the background");
                None
            }
        };
        // The signal lock keeps a `kill` event before the die it causes.
        let lock = table.signal_lock(id);
        let held = hold(&lock);
        // dockerd's order: die, then the endpoints let go; announced before the exit is
        // recorded, so a `stop` that waits for it announces its own `stop` after the die.
        let ran_for = match (c.state.started_at, c.state.finished_at) {
            (Some(s), Some(f)) => (f - s).num_seconds().max(0),
            _ => 0,
        };
        // dockerd announces an OOM kill just before the die it causes
        if exited.oom_killed {
            self.events.publish(container_event(&c, "oom", &[]));
        }
        self.events.publish(container_event(
            &c,
            "die",
            &[
                ("exitCode", exited.code.to_string()),
                ("execDuration", ran_for.to_string()),
            ],
        ));
        for (nid, name) in &plugged {
            self.events
                .publish(self.network_event(nid, name, "disconnect", Some(id)));
        }
        // Merged into the current record: a stop or rename may have changed it meanwhile.
        let merged = self.update_container(table, id, move |cur| {
            let stopped_by_user = cur.state.stopped_by_user;
            let name = std::mem::take(&mut cur.name);
            *cur = c;
            cur.state.stopped_by_user |= stopped_by_user;
            cur.name = name;
        });
        // Committed (or, if it could not be, dropped: the table then follows the store).
        if let (Some(guard), Ok(Some(_))) = (firewall, &merged) {
            guard.committed();
        }
        let c = match merged {
            Ok(Some(c)) => c,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(container = %id, error = %e.message, "cannot record an exit");
                return;
            }
        };
        let policy = c.request.host.restart_policy;
        let restart =
            policy.should_restart(exited.code, c.state.restart_count, c.state.stopped_by_user);
        let auto_remove = c.request.host.auto_remove;
        drop(held);
        self.publish_names(table);
        if restart {
            self.schedule_restart(id.to_string());
        } else if auto_remove {
            let engine = self.clone();
            let id = id.to_string();
            let _ = std::thread::Builder::new()
                .name("autoremove".into())
                .spawn(move || {
                    if let Err(e) = engine.remove_container_with_volumes(&id, true, true) {
                        tracing::error!(container = %id, error = %e.message, "--rm failed");
                    }
                });
        }
    }

    /// Restarts after a short back-off that grows with the restart count, as Docker does,
    /// unless the user stops or removes the container meanwhile.
    fn schedule_restart(self: &Arc<Self>, id: String) {
        let engine = self.clone();
        let _ = std::thread::Builder::new()
            .name("restart".into())
            .spawn(move || {
                let Ok(table) = engine.containers() else {
                    return;
                };
                let count = table.get(&id).map(|c| c.state.restart_count).unwrap_or(0);
                let delay = Duration::from_millis(100u64.saturating_mul(1 << count.min(10)));
                std::thread::sleep(delay.min(Duration::from_secs(60)));
                let lock = table.op_lock(&id);
                let _op = hold(&lock);
                let Some(c) = table.get(&id) else { return };
                if c.state.is_running() || c.state.stopped_by_user {
                    return;
                }
                if let Err(e) = engine.start_locked(c, true) {
                    tracing::error!(container = %id, error = %e.message, "restart failed");
                }
            });
    }
}
