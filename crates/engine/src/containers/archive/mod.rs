//! `docker cp`: the archive API (`HEAD|GET|PUT /containers/{id}/archive?path=`) on a running
//! container's filesystem as the container sees it, volumes and bind mounts included, through
//! `/proc/<pid>/root`.
//!
//! Every path is resolved with `openat2(RESOLVE_IN_ROOT)` against that root, so `..` and
//! symbolic links (absolute ones included) resolve inside the container and can never reach the
//! host's files: a container that plants `/etc/x -> /` cannot make the daemon read or write the
//! host's root. The last component is never followed, as `docker cp` copies a link as a link.

mod pack;
mod resolve;
mod unpack;

use crate::Engine;
use berth_model::ApiError;
use std::io::{Read, Write};

pub use resolve::PathStat;

impl Engine {
    /// The container's root and its name, for a running container.
    fn archive_root(&self, term: &str) -> Result<(resolve::Root, String), ApiError> {
        let c = self.inspect_container(term)?;
        if !c.state.is_running() || c.state.pid == 0 {
            return Err(ApiError::conflict(format!(
                "berth copies files only from and to running containers: {} is not running",
                c.name
            )));
        }
        let root = resolve::Root::open(c.state.pid)
            .map_err(|e| ApiError::internal(format!("cannot open the container's root: {e}")))?;
        Ok((root, c.name))
    }

    /// `HEAD /containers/{id}/archive`: what `path` is, without following a final link.
    pub fn archive_stat(&self, term: &str, path: &str) -> Result<PathStat, ApiError> {
        let (root, name) = self.archive_root(term)?;
        root.stat(path).map_err(|e| not_found(e, path, &name))
    }

    /// `GET /containers/{id}/archive`: `path` as a tar (a directory with everything under it,
    /// named by its last component), written to `out`.
    pub fn archive_get(
        &self,
        term: &str,
        path: &str,
        out: impl Write,
    ) -> Result<PathStat, ApiError> {
        let (root, name) = self.archive_root(term)?;
        let stat = root.stat(path).map_err(|e| not_found(e, path, &name))?;
        pack::Packing {
            root: &root,
            stat: stat.clone(),
            path: path.to_string(),
            out,
        }
        .run()
        .map(|()| stat)
    }

    /// `PUT /containers/{id}/archive`: a tar unpacked into the directory `path`. Owners come
    /// from the archive with `copy_uid_gid` (`docker cp -a`), else root's.
    pub fn archive_put(
        &self,
        term: &str,
        path: &str,
        input: impl Read,
        copy_uid_gid: bool,
    ) -> Result<(), ApiError> {
        let (root, name) = self.archive_root(term)?;
        let stat = root.stat(path).map_err(|e| not_found(e, path, &name))?;
        if !stat.is_dir() {
            return Err(ApiError::invalid(format!(
                "extraction point is not a directory: {path}"
            )));
        }
        unpack::unpack(&root, path, input, copy_uid_gid)
    }
}

fn not_found(e: std::io::Error, path: &str, container: &str) -> ApiError {
    if e.kind() == std::io::ErrorKind::NotFound {
        ApiError::not_found(format!(
            "Could not find the file {path} in container {container}"
        ))
    } else {
        ApiError::internal(format!("cannot look at {path}: {e}"))
    }
}
