//! `HostConfig.Mounts` in a create request, and the `Mounts` of container inspect.

use crate::json_obj::Obj;
use berth_model::container::mounts::{MountPoint, MountRequest, MountType};
use berth_model::ApiError;
use serde::Serialize;
use serde_json::Value;

pub fn parse_mounts(h: &Obj<'_>) -> Result<Vec<MountRequest>, ApiError> {
    let mut out = Vec::new();
    for m in h.objects("Mounts", "mount.Mount")? {
        let typ_name = m.string("Type")?;
        let typ = match typ_name.as_str() {
            "bind" => MountType::Bind,
            "volume" => MountType::Volume,
            "tmpfs" => MountType::Tmpfs,
            other => {
                return Err(ApiError::invalid(format!(
                    "invalid mount config for type \"{other}\": mount type unknown"
                )))
            }
        };
        let volume = m.object("VolumeOptions", "mount.VolumeOptions")?;
        let tmpfs = m.object("TmpfsOptions", "mount.TmpfsOptions")?;
        if typ != MountType::Volume && volume.raw_self().is_some() {
            return Err(ApiError::invalid(format!(
                "invalid mount config for type \"{typ_name}\": must not set VolumeOptions"
            )));
        }
        if typ != MountType::Tmpfs && tmpfs.raw_self().is_some() {
            return Err(ApiError::invalid(format!(
                "invalid mount config for type \"{typ_name}\": must not set TmpfsOptions"
            )));
        }
        let mode = tmpfs.opt_int("Mode")?.unwrap_or(0);
        out.push(MountRequest {
            typ,
            source: m.string("Source")?,
            target: m.string("Target")?,
            read_only: m.bool("ReadOnly")?,
            no_copy: volume.bool("NoCopy")?,
            volume_labels: volume.string_map("Labels")?,
            tmpfs_size: tmpfs.opt_int("SizeBytes")?.unwrap_or(0),
            tmpfs_mode: u32::try_from(mode & 0o7777).unwrap_or(0),
            raw: m.raw_self().cloned().unwrap_or(Value::Null),
        });
    }
    Ok(out)
}

/// One entry of inspect's `Mounts` (moby's `container.MountPoint`, fields in its order;
/// `Name` and `Driver` only for volumes).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MountPointJson {
    #[serde(rename = "Type")]
    pub typ: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub source: String,
    pub destination: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub driver: String,
    pub mode: String,
    #[serde(rename = "RW")]
    pub rw: bool,
    pub propagation: String,
}

pub fn mount_point_json(m: &MountPoint) -> MountPointJson {
    MountPointJson {
        typ: m.typ.as_str(),
        name: m.name.clone(),
        source: m.source.clone(),
        destination: m.destination.clone(),
        driver: m.driver.clone(),
        mode: m.mode.clone(),
        rw: m.rw,
        propagation: m.propagation.clone(),
    }
}
