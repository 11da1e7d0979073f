//! `docker exec`: exec instances are created, then started (the API streams their stdio),
//! then inspected for their exit code. Like dockerd, berth keeps them in memory only.

use super::deps::{ExecHandle, ExecSpec};
use crate::Engine;
use berth_model::ApiError;
use std::sync::mpsc::Sender;

#[derive(Debug, Clone, Default)]
pub struct ExecRequest {
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub working_dir: String,
    pub user: String,
    pub tty: bool,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub privileged: bool,
}

#[derive(Debug, Clone)]
pub struct ExecRecord {
    pub id: String,
    pub container_id: String,
    pub request: ExecRequest,
    pub running: bool,
    pub exit_code: Option<i64>,
    pub pid: u32,
    /// Where the API's stream pump takes terminal resizes for a running exec.
    pub resize: Option<Sender<(u16, u16)>>,
}

impl Engine {
    pub fn create_exec(&self, term: &str, req: ExecRequest) -> Result<String, ApiError> {
        let table = self.containers()?;
        let id = table.resolve_id(term)?;
        let c = table
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("No such container: {term}")))?;
        if !c.state.is_running() {
            return Err(ApiError::conflict(format!("container {id} is not running")));
        }
        if req.cmd.is_empty() {
            return Err(ApiError::invalid("No exec command specified"));
        }
        let exec_id = berth_model::ids::generate_id();
        let action = exec_action("exec_create", &req.cmd);
        table
            .execs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                exec_id.clone(),
                ExecRecord {
                    id: exec_id.clone(),
                    container_id: id,
                    request: req,
                    running: false,
                    exit_code: None,
                    pid: 0,
                    resize: None,
                },
            );
        self.container_event(&c, &action, &[("execID", exec_id.clone())]);
        Ok(exec_id)
    }

    /// The container's execs that have not ended (created or running), as Docker lists them
    /// in `ExecIDs`: an exec leaves the list when its process exits.
    pub fn container_exec_ids(&self, container_id: &str) -> Vec<String> {
        let Ok(table) = self.containers() else {
            return Vec::new();
        };
        let execs = table.execs.lock().unwrap_or_else(|p| p.into_inner());
        let mut ids: Vec<String> = execs
            .values()
            .filter(|r| r.container_id == container_id && r.exit_code.is_none())
            .map(|r| r.id.clone())
            .collect();
        ids.sort();
        ids
    }

    pub fn inspect_exec(&self, exec_id: &str) -> Result<ExecRecord, ApiError> {
        let table = self.containers()?;
        let execs = table.execs.lock().unwrap_or_else(|p| p.into_inner());
        execs
            .get(exec_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("No such exec instance: {exec_id}")))
    }

    /// Starts an exec instance's process; the caller relays its stdio and then reports the
    /// exit through [`Engine::finish_exec`].
    pub fn start_exec(
        &self,
        exec_id: &str,
        resize: Sender<(u16, u16)>,
    ) -> Result<(ExecRecord, ExecHandle), ApiError> {
        let table = self.containers()?;
        let rec = {
            let mut execs = table.execs.lock().unwrap_or_else(|p| p.into_inner());
            let rec = execs
                .get_mut(exec_id)
                .ok_or_else(|| ApiError::not_found(format!("No such exec instance: {exec_id}")))?;
            if rec.running || rec.exit_code.is_some() {
                return Err(ApiError::conflict(format!(
                    "Exec command {exec_id} is already running"
                )));
            }
            rec.running = true;
            rec.resize = Some(resize);
            rec.clone()
        };
        let running = table
            .get(&rec.container_id)
            .is_some_and(|c| c.state.is_running());
        let result = if running {
            let r = &rec.request;
            table.deps.runtime.exec(
                &rec.container_id,
                &ExecSpec {
                    args: r.cmd.clone(),
                    env: r.env.clone(),
                    cwd: r.working_dir.clone(),
                    user: r.user.clone(),
                    tty: r.tty,
                    stdin: r.attach_stdin,
                },
            )
        } else {
            Err(ApiError::conflict(format!(
                "container {} is not running",
                rec.container_id
            )))
        };
        match result {
            Ok(handle) => {
                let pid = handle.pid.max(0) as u32;
                let mut execs = table.execs.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(r) = execs.get_mut(exec_id) {
                    r.pid = pid;
                }
                drop(execs);
                self.exec_event(&rec, &exec_action("exec_start", &rec.request.cmd), None);
                Ok((rec, handle))
            }
            Err(e) => {
                // dockerd records 126 for an exec whose command cannot run, found or not.
                self.finish_exec(exec_id, 126);
                Err(e)
            }
        }
    }

    pub fn finish_exec(&self, exec_id: &str, exit_code: i64) {
        let Ok(table) = self.containers() else { return };
        let finished = {
            let mut execs = table.execs.lock().unwrap_or_else(|p| p.into_inner());
            execs.get_mut(exec_id).map(|r| {
                r.running = false;
                r.exit_code = Some(exit_code);
                r.resize = None;
                r.clone()
            })
        };
        if let Some(rec) = finished {
            self.exec_event(&rec, "exec_die", Some(exit_code));
        }
    }

    fn exec_event(&self, rec: &ExecRecord, action: &str, exit_code: Option<i64>) {
        let Ok(table) = self.containers() else { return };
        let Some(c) = table.get(&rec.container_id) else {
            return;
        };
        let mut extra = vec![("execID", rec.id.clone())];
        if let Some(code) = exit_code {
            extra.push(("exitCode", code.to_string()));
        }
        self.container_event(&c, action, &extra);
    }

    pub fn resize_exec(&self, exec_id: &str, height: u16, width: u16) -> Result<(), ApiError> {
        let rec = self.inspect_exec(exec_id)?;
        match rec.resize {
            Some(tx) if rec.running => tx
                .send((height, width))
                .map_err(|_| ApiError::conflict(format!("exec {exec_id} is not running"))),
            _ => Err(ApiError::conflict(format!("exec {exec_id} is not running"))),
        }
    }
}

/// dockerd's exec actions carry the command: `exec_start: sh -c ls` (the entrypoint, a
/// space, and the arguments joined, so a bare command keeps a trailing space).
fn exec_action(kind: &str, cmd: &[String]) -> String {
    let (first, args) = cmd
        .split_first()
        .map_or(("", &[][..]), |(f, a)| (f.as_str(), a));
    format!("{kind}: {first} {}", args.join(" "))
}
