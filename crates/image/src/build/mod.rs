//! `docker build` with the classic builder: a Dockerfile run step by step over a build
//! context, each step committed as an image (a layer when the filesystem changed), RUN steps
//! executed in containers through a [`StepRunner`] the daemon provides, progress written as
//! the classic builder words it.

mod cache;
mod context;
mod copy;
mod diff;
pub mod dockerfile;
mod driver;
mod expand;
mod healthcheck;
mod ignore;
mod mounted;
mod steps;

pub use driver::build;
pub use ignore::IgnoreRules;

use crate::error::ImageError;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Build args every Dockerfile may use without declaring them (Docker's proxy variables).
pub const PREDEFINED_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The query of `POST /build`, parsed.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub tags: Vec<String>,
    /// Path of the Dockerfile in the context (`Dockerfile` when empty).
    pub dockerfile: String,
    /// `--build-arg`s; `None` takes the value from nowhere (declared, unset).
    pub build_args: BTreeMap<String, Option<String>>,
    pub labels: BTreeMap<String, String>,
    pub no_cache: bool,
    /// Remove intermediate containers after a successful step (default true).
    pub rm: bool,
    /// Remove them after a failed step too.
    pub force_rm: bool,
    pub network_mode: String,
    /// `--target`: the stage (by name) the build ends with.
    pub target: String,
}

/// A RUN step's container.
#[derive(Debug, Clone)]
pub struct RunStep {
    pub image_id: String,
    pub argv: Vec<String>,
    pub env: Vec<String>,
    pub working_dir: String,
    pub user: String,
    pub network_mode: String,
}

/// How RUN steps get their containers: the daemon's engine, through the API layer.
pub trait StepRunner {
    /// Creates the step's container (not started); returns its id.
    fn create(&self, step: &RunStep) -> Result<String, ImageError>;
    /// Starts it, passes its output on as it comes, and returns its exit code.
    fn run(&self, id: &str, output: &mut dyn FnMut(&[u8])) -> Result<i64, ImageError>;
    /// The container's overlayfs upper directory: what the step changed.
    fn upper_dir(&self, id: &str) -> Result<PathBuf, ImageError>;
    fn remove(&self, id: &str);
}

/// Where the builder's messages go (the API turns them into JSON lines).
pub trait Progress {
    fn stream(&mut self, text: &str);
    fn aux_id(&mut self, id: &str);
}

/// A failed build: the error, and for a failed RUN the command's exit code.
#[derive(Debug)]
pub struct BuildError {
    pub error: ImageError,
    pub code: Option<i64>,
}

impl From<ImageError> for BuildError {
    fn from(error: ImageError) -> Self {
        BuildError { error, code: None }
    }
}
