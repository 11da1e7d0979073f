//! Volume JSON: the create request and the volume object as Docker shows it.

use crate::json_obj::Obj;
use berth_engine::volumes::{VolumeCreate, VolumeInfo};
use berth_model::ApiError;
use serde_json::{json, Value};

pub fn parse_volume_create(body: Option<&Value>) -> Result<VolumeCreate, ApiError> {
    let o = Obj::new(body, "volume.CreateOptions")?;
    let map = |name: &str| -> Result<Option<_>, ApiError> {
        Ok(match o.field(name) {
            None => None,
            Some(_) => Some(o.string_map(name)?),
        })
    };
    Ok(VolumeCreate {
        name: o.string("Name")?,
        driver: o.string("Driver")?,
        driver_opts: map("DriverOpts")?,
        labels: map("Labels")?,
    })
}

/// `volume.Volume`: `UsageData` is left out, as dockerd leaves it out outside `system df`.
pub fn volume_json(v: &VolumeInfo) -> Value {
    let vol = &v.volume;
    json!({
        "CreatedAt": vol.created.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "Driver": vol.driver,
        "Labels": vol.labels,
        "Mountpoint": v.mountpoint,
        "Name": vol.name,
        "Options": vol.options,
        "Scope": "local",
    })
}
