//! `HostConfig.Mounts` in a create request, and the `Mounts` of container inspect.

use crate::json_obj::Obj;
use berth_model::container::mounts::{MountPoint, MountRequest, MountType};
use berth_model::ApiError;
use serde_json::{json, Value};

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

/// One entry of inspect's `Mounts`, with the fields Docker shows for its type.
pub fn mount_point_json(m: &MountPoint) -> Value {
    match m.typ {
        MountType::Volume => json!({
            "Type": "volume", "Name": m.name, "Source": m.source, "Destination": m.destination,
            "Driver": m.driver, "Mode": m.mode, "RW": m.rw, "Propagation": m.propagation,
        }),
        _ => json!({
            "Type": m.typ.as_str(), "Source": m.source, "Destination": m.destination,
            "Mode": m.mode, "RW": m.rw, "Propagation": m.propagation,
        }),
    }
}
