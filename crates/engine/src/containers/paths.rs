//! Where a container's files live (see the layout in the shared decisions).

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct ContainerPaths {
    /// D/containers/<id>: hosts, hostname, resolv.conf, the json log.
    pub dir: PathBuf,
    pub hosts: PathBuf,
    pub hostname: PathBuf,
    pub resolv_conf: PathBuf,
    pub log: PathBuf,
    /// D/overlay/<id>/{upper,work,merged}
    pub upper: PathBuf,
    pub work: PathBuf,
    pub merged: PathBuf,
    /// E/containers/<id>: bundle, monitor socket, exit file.
    pub runtime_dir: PathBuf,
    /// E/netns/<id>: the container's own network namespace (SandboxKey).
    pub netns: PathBuf,
}

impl ContainerPaths {
    pub fn new(data_root: &Path, exec_root: &Path, id: &str) -> ContainerPaths {
        let dir = data_root.join("containers").join(id);
        let overlay = data_root.join("overlay").join(id);
        ContainerPaths {
            hosts: dir.join("hosts"),
            hostname: dir.join("hostname"),
            resolv_conf: dir.join("resolv.conf"),
            log: dir.join(format!("{id}-json.log")),
            dir,
            upper: overlay.join("upper"),
            work: overlay.join("work"),
            merged: overlay.join("merged"),
            runtime_dir: exec_root.join("containers").join(id),
            netns: exec_root.join("netns").join(id),
        }
    }

    pub fn overlay_root(&self) -> Option<&Path> {
        self.merged.parent()
    }
}
