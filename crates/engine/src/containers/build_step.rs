//! The containers of `docker build`'s RUN steps: created from the step's image with the
//! command in place of the image's entrypoint and cmd, run to the end with their output
//! passed on, and read back (their upper directory holds what the step changed).

use crate::Engine;
use berth_model::container::create::HostSettings;
use berth_model::container::{CreateContainer, NetworkMode};
use berth_model::ApiError;
use berth_runtime::Output;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How long a finished step's container may take to be recorded as exited.
const EXIT_GRACE: Duration = Duration::from_secs(120);

impl Engine {
    /// Creates a RUN step's container; returns its id.
    pub fn create_build_container(
        &self,
        image_id: &str,
        argv: Vec<String>,
        env: Vec<String>,
        working_dir: &str,
        user: &str,
        network_mode: &str,
    ) -> Result<String, ApiError> {
        let req = CreateContainer {
            image: image_id.to_string(),
            cmd: Some(argv),
            // the step's command replaces the image's entrypoint, as the classic builder does
            entrypoint: Some(Vec::new()),
            env,
            working_dir: working_dir.to_string(),
            user: user.to_string(),
            attach_stdout: true,
            attach_stderr: true,
            host: HostSettings {
                network_mode: NetworkMode::parse(network_mode)?,
                ..Default::default()
            },
            ..Default::default()
        };
        Ok(self.create_container(req)?.id)
    }

    /// Starts the container, passes its output on until it ends, and returns its exit code.
    pub fn run_build_container(
        self: &Arc<Self>,
        id: &str,
        output: &mut dyn FnMut(&[u8]),
    ) -> Result<i64, ApiError> {
        let (_, wait) = self.attach_container(id, false, true, true)?;
        self.start_container(id)?;
        let mut attachment = match wait {
            super::AttachWait::Now(a) => a,
            super::AttachWait::AtStart(rx) => rx
                .recv()
                .map_err(|_| ApiError::internal("the step's container was not attached"))??,
        };
        // the stream ends with the exit, or closes if the monitor goes away
        while let Ok(Some(Output::Stdout(d) | Output::Stderr(d))) = attachment.output.recv() {
            output(&d);
        }
        let table = self.containers()?;
        if !table.wait_not_running(id, EXIT_GRACE) {
            return Err(ApiError::internal(format!(
                "the build step's container {id} did not finish"
            )));
        }
        let c = table
            .get(id)
            .ok_or_else(|| ApiError::not_found(format!("No such container: {id}")))?;
        Ok(c.state.exit_code)
    }

    /// The container's overlayfs upper directory.
    pub fn container_upper_dir(&self, id: &str) -> Result<PathBuf, ApiError> {
        let table = self.containers()?;
        Ok(table.paths(id).upper)
    }
}
