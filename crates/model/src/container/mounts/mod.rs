//! Mounts of a container: the `HostConfig.Mounts` entries as asked (`--mount`), and the mount
//! points a container runs with once binds, mounts, anonymous volumes and the image's
//! `Volumes` are combined by Docker's rules.

use super::create::{Bind, CreateContainer};
use crate::error::ApiError;
use crate::volume::validate_volume_name;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MountType {
    #[default]
    Bind,
    Volume,
    Tmpfs,
}

impl MountType {
    pub fn as_str(self) -> &'static str {
        match self {
            MountType::Bind => "bind",
            MountType::Volume => "volume",
            MountType::Tmpfs => "tmpfs",
        }
    }
}

/// One `HostConfig.Mounts` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MountRequest {
    pub typ: MountType,
    pub source: String,
    pub target: String,
    pub read_only: bool,
    /// `VolumeOptions.NoCopy`: no copy-up of the image's content.
    pub no_copy: bool,
    /// `VolumeOptions.Labels`, given to a volume this mount creates.
    pub volume_labels: BTreeMap<String, String>,
    /// `TmpfsOptions.SizeBytes` (0: the kernel's default) and `Mode` (0: 1777 as Docker).
    pub tmpfs_size: i64,
    pub tmpfs_mode: u32,
    /// Raw JSON sent back in inspect's `HostConfig.Mounts`.
    #[serde(default)]
    pub raw: serde_json::Value,
}

fn mount_error(typ: &str, msg: impl std::fmt::Display) -> ApiError {
    ApiError::invalid(format!("invalid mount config for type \"{typ}\": {msg}"))
}

fn check_absolute(typ: &str, path: &str) -> Result<(), ApiError> {
    if path.starts_with('/') {
        Ok(())
    } else {
        Err(mount_error(
            typ,
            format!("invalid mount path: '{path}' mount path must be absolute"),
        ))
    }
}

impl MountRequest {
    /// moby's `validateMountConfig` for the three types berth has.
    pub fn validate(&self) -> Result<(), ApiError> {
        let t = self.typ.as_str();
        if self.target.is_empty() {
            return Err(mount_error(t, "field Target must not be empty"));
        }
        check_absolute(t, &self.target)?;
        match self.typ {
            MountType::Bind => {
                if self.source.is_empty() {
                    return Err(mount_error(t, "field Source must not be empty"));
                }
                check_absolute(t, &self.source)?;
            }
            MountType::Volume => {
                if !self.source.is_empty() {
                    validate_volume_name(&self.source)?;
                }
            }
            MountType::Tmpfs => {
                if !self.source.is_empty() {
                    return Err(mount_error(t, "field Source must not be specified"));
                }
            }
        }
        Ok(())
    }
}

/// A mount the container runs with (inspect's `Mounts`, and what start wires in).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MountPoint {
    pub typ: MountType,
    /// The volume's name (volumes only).
    pub name: String,
    /// The host path: the bind source or the volume's `_data`; empty for tmpfs.
    pub source: String,
    pub destination: String,
    pub driver: String,
    pub mode: String,
    pub rw: bool,
    pub propagation: String,
    /// Copy the image's content at `destination` into an empty volume on start.
    pub copy_data: bool,
    /// Created for this container without a name; `rm -v` removes it.
    pub anonymous: bool,
    /// Labels for a volume this mount creates.
    #[serde(default)]
    pub volume_labels: BTreeMap<String, String>,
    /// tmpfs mount options (`size=`, `mode=`).
    #[serde(default)]
    pub tmpfs_options: Vec<String>,
}

/// The layout of volumes on disk: `<root>/<name>/_data`.
pub fn volume_data_path(volumes_root: &str, name: &str) -> String {
    format!("{volumes_root}/{name}/_data")
}

/// Combines `-v` binds, `--mount`s, `Config.Volumes` and the image's volumes into the mount
/// points a container runs with, by Docker's rules: a destination may be named once by the
/// user (`Duplicate mount point`), and anonymous volumes fill only the destinations left.
pub fn plan_mounts(
    req: &CreateContainer,
    image_volumes: &BTreeSet<String>,
    volumes_root: &str,
    mut anonymous_name: impl FnMut() -> String,
) -> Result<Vec<MountPoint>, ApiError> {
    let mut out: Vec<MountPoint> = Vec::new();
    let taken = |dest: &str, out: &Vec<MountPoint>| -> Result<(), ApiError> {
        let d = clean_destination(dest);
        if out.iter().any(|m| clean_destination(&m.destination) == d) {
            return Err(ApiError::invalid(format!("Duplicate mount point: {d}")));
        }
        Ok(())
    };
    for b in &req.host.binds {
        taken(&b.destination, &out)?;
        out.push(from_bind(b, volumes_root));
    }
    for m in &req.host.mounts {
        m.validate()?;
        taken(&m.target, &out)?;
        out.push(from_mount(m, volumes_root, &mut anonymous_name));
    }
    for (dest, opts) in &req.host.tmpfs {
        check_absolute("tmpfs", dest)?;
        tmpfs_options(dest, opts)?;
        taken(dest, &out)?;
    }
    let anon: BTreeSet<&String> = req.volumes.iter().chain(image_volumes.iter()).collect();
    for dest in anon {
        check_absolute("volume", dest)?;
        let d = clean_destination(dest);
        if out.iter().any(|m| clean_destination(&m.destination) == d)
            || req.host.tmpfs.keys().any(|t| clean_destination(t) == d)
        {
            continue;
        }
        let name = anonymous_name();
        out.push(MountPoint {
            typ: MountType::Volume,
            source: volume_data_path(volumes_root, &name),
            name,
            destination: dest.clone(),
            driver: crate::volume::LOCAL_DRIVER.into(),
            mode: String::new(),
            rw: true,
            propagation: String::new(),
            copy_data: true,
            anonymous: true,
            ..Default::default()
        });
    }
    Ok(out)
}

fn from_bind(b: &Bind, volumes_root: &str) -> MountPoint {
    if b.is_volume() {
        MountPoint {
            typ: MountType::Volume,
            name: b.source.clone(),
            source: volume_data_path(volumes_root, &b.source),
            destination: b.destination.clone(),
            driver: crate::volume::LOCAL_DRIVER.into(),
            // Docker shows the mode as given, `z` when none was
            mode: if b.mode.is_empty() {
                "z".into()
            } else {
                b.mode.clone()
            },
            rw: !b.read_only,
            propagation: String::new(),
            copy_data: !b.mode.split(',').any(|m| m == "nocopy"),
            anonymous: false,
            ..Default::default()
        }
    } else {
        MountPoint {
            typ: MountType::Bind,
            source: b.source.clone(),
            destination: b.destination.clone(),
            mode: b.mode.clone(),
            rw: !b.read_only,
            propagation: "rprivate".into(),
            ..Default::default()
        }
    }
}

fn from_mount(
    m: &MountRequest,
    volumes_root: &str,
    anonymous_name: &mut impl FnMut() -> String,
) -> MountPoint {
    match m.typ {
        MountType::Bind => MountPoint {
            typ: MountType::Bind,
            source: m.source.clone(),
            destination: m.target.clone(),
            rw: !m.read_only,
            propagation: "rprivate".into(),
            ..Default::default()
        },
        MountType::Volume => {
            let anonymous = m.source.is_empty();
            let name = if anonymous {
                anonymous_name()
            } else {
                m.source.clone()
            };
            MountPoint {
                typ: MountType::Volume,
                source: volume_data_path(volumes_root, &name),
                name,
                destination: m.target.clone(),
                driver: crate::volume::LOCAL_DRIVER.into(),
                rw: !m.read_only,
                copy_data: !m.no_copy,
                anonymous,
                volume_labels: m.volume_labels.clone(),
                ..Default::default()
            }
        }
        MountType::Tmpfs => {
            let mut tmpfs_options = Vec::new();
            if m.tmpfs_size > 0 {
                tmpfs_options.push(format!("size={}", m.tmpfs_size));
            }
            if m.tmpfs_mode != 0 {
                tmpfs_options.push(format!("mode={:o}", m.tmpfs_mode));
            }
            MountPoint {
                typ: MountType::Tmpfs,
                destination: m.target.clone(),
                rw: !m.read_only,
                tmpfs_options,
                ..Default::default()
            }
        }
    }
}

/// `--tmpfs /path[:opts]` options as the kernel takes them, checked against the options
/// Docker accepts (moby's `mount.ParseTmpfsOptions`).
pub fn tmpfs_options(dest: &str, opts: &str) -> Result<Vec<String>, ApiError> {
    const FLAGS: &[&str] = &[
        "ro",
        "rw",
        "exec",
        "noexec",
        "suid",
        "nosuid",
        "dev",
        "nodev",
        "sync",
        "async",
        "dirsync",
        "remount",
        "mand",
        "nomand",
        "atime",
        "noatime",
        "diratime",
        "nodiratime",
        "relatime",
        "norelatime",
        "strictatime",
        "nostrictatime",
    ];
    const DATA: &[&str] = &[
        "size",
        "mode",
        "uid",
        "gid",
        "nr_inodes",
        "nr_blocks",
        "mpol",
    ];
    let mut out = Vec::new();
    for o in opts.split(',').filter(|o| !o.is_empty()) {
        let key = o.split_once('=').map(|(k, _)| k).unwrap_or(o);
        let known = FLAGS.contains(&o) || (DATA.contains(&key) && o.contains('='));
        if !known {
            return Err(ApiError::invalid(format!(
                "invalid tmpfs option [\"{o}\"] for {dest}"
            )));
        }
        out.push(o.to_string());
    }
    Ok(out)
}

/// The destination as the kernel sees it: no trailing slash, no `//`.
fn clean_destination(p: &str) -> String {
    let parts: Vec<&str> = p
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests;
