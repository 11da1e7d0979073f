//! Attaching to a container's stdio. A running container is attached at once; a client that
//! attaches to a container that is not running yet (`docker run` attaches, then starts) waits
//! and is connected between the runtime's create and start, so it misses no output.

use super::deps::Attachment;
use super::ContainerTable;
use crate::Engine;
use berth_model::container::Container;
use berth_model::ApiError;
use std::sync::mpsc::{channel, Receiver, Sender};

pub struct PendingAttach {
    pub streams: (bool, bool, bool),
    pub reply: Sender<Result<Attachment, ApiError>>,
}

pub enum AttachWait {
    Now(Attachment),
    AtStart(Receiver<Result<Attachment, ApiError>>),
}

impl Engine {
    /// Attaches to stdin/stdout/stderr as asked; returns the container too (the API needs its
    /// tty flag to frame the stream).
    pub fn attach_container(
        &self,
        term: &str,
        stdin: bool,
        stdout: bool,
        stderr: bool,
    ) -> Result<(Container, AttachWait), ApiError> {
        let table = self.containers()?;
        let id = table.resolve_id(term)?;
        let lock = table.op_lock(&id);
        let _op = super::hold(&lock);
        let c = table
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("No such container: {term}")))?;
        if c.state.is_running() {
            let a = table.deps.runtime.attach(&id, stdin, stdout, stderr)?;
            self.container_event(&c, "attach", &[]);
            return Ok((c, AttachWait::Now(a)));
        }
        let (tx, rx) = channel();
        table
            .pending_attach
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(id)
            .or_default()
            .push(PendingAttach {
                streams: (stdin, stdout, stderr),
                reply: tx,
            });
        // dockerd announces the attach when the client is taken, before the start
        self.container_event(&c, "attach", &[]);
        Ok((c, AttachWait::AtStart(rx)))
    }

    pub fn resize_container(&self, term: &str, height: u16, width: u16) -> Result<(), ApiError> {
        let table = self.containers()?;
        let id = table.resolve_id(term)?;
        let c = table
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("No such container: {term}")))?;
        if !c.state.is_running() {
            return Err(ApiError::conflict(format!("container {id} is not running")));
        }
        table.deps.runtime.resize(&id, height, width)?;
        self.container_event(
            &c,
            "resize",
            &[("height", height.to_string()), ("width", width.to_string())],
        );
        Ok(())
    }

    pub fn top_container(&self, term: &str, ps_args: &str) -> Result<super::deps::Top, ApiError> {
        let table = self.containers()?;
        let id = table.resolve_id(term)?;
        let c = table
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("No such container: {term}")))?;
        if !c.state.is_running() {
            return Err(ApiError::conflict(format!("container {id} is not running")));
        }
        let top = table.deps.runtime.top(&id, ps_args)?;
        self.container_event(&c, "top", &[]);
        Ok(top)
    }
}

impl ContainerTable {
    pub(crate) fn take_pending_attaches(&self, id: &str) -> Vec<PendingAttach> {
        self.pending_attach
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id)
            .unwrap_or_default()
    }
}
