//! Volumes as Docker's `local` driver keeps them: the persisted record, name rules, the
//! driver's options, and the list/prune filters.

mod filter;

pub use filter::{list_filter, prune_filter, VolumeFilter};

use crate::error::ApiError;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The label Docker puts on volumes a container creates for itself (`-v /path`, the image's
/// `Volumes`); `prune` without `all=true` removes only these.
pub const ANONYMOUS_LABEL: &str = "com.docker.volume.anonymous";

/// The only driver berth has.
pub const LOCAL_DRIVER: &str = "local";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    pub name: String,
    pub driver: String,
    pub created: Timestamp,
    /// `None` when the creator sent none: Docker shows `null` then, `{}` for an empty map.
    pub labels: Option<BTreeMap<String, String>>,
    pub options: Option<BTreeMap<String, String>>,
}

impl Volume {
    pub fn is_anonymous(&self) -> bool {
        self.labels
            .as_ref()
            .is_some_and(|l| l.contains_key(ANONYMOUS_LABEL))
    }

    pub fn label_map(&self) -> BTreeMap<String, String> {
        self.labels.clone().unwrap_or_default()
    }
}

/// moby's `names.RestrictedNamePattern` as the local driver applies it, with the driver's
/// message, wrapped as the volume service wraps it (`create NAME: ...`).
pub fn validate_volume_name(name: &str) -> Result<(), ApiError> {
    let mut bytes = name.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric());
    let rest_ok = name.len() >= 2
        && name
            .bytes()
            .skip(1)
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    if first_ok && rest_ok {
        return Ok(());
    }
    Err(ApiError::invalid(format!(
        "create {name}: {name:?} includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
    )))
}

/// Docker looks a driver other than `local` up among its plugins; berth has none.
pub fn validate_driver(name: &str, driver: &str) -> Result<(), ApiError> {
    if driver.is_empty() || driver == LOCAL_DRIVER {
        return Ok(());
    }
    Err(ApiError::not_found(format!(
        "create {name}: error looking up volume plugin {driver}: plugin \"{driver}\" not found"
    )))
}

/// The local driver's options: moby accepts `type`, `device`, `o` (and `size` with quotas).
/// berth honours the bind form compose files use (`type=none,o=bind,device=/path`) and names
/// the others instead of silently ignoring them.
pub fn validate_local_options(
    name: &str,
    options: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    for key in options.keys() {
        if !["type", "device", "o", "size"].contains(&key.as_str()) {
            return Err(ApiError::invalid(format!(
                "create {name}: invalid option: {key:?}"
            )));
        }
    }
    // moby's mandatory options: each of these needs the others named with it
    for (opt, required) in [
        ("device", &["type"][..]),
        ("type", &["device"][..]),
        ("o", &["device", "type"][..]),
    ] {
        if options.contains_key(opt) {
            if let Some(missing) = required.iter().find(|r| !options.contains_key(**r)) {
                return Err(ApiError::invalid(format!(
                    "create {name}: missing required option: {missing:?}"
                )));
            }
        }
    }
    if options.is_empty() || bind_device(options).is_some() {
        return Ok(());
    }
    Err(ApiError::invalid(format!(
        "create {name}: berth's local driver supports only bind volumes (type=none,o=bind,device=/path) among driver options, not {}",
        options
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    )))
}

/// The host directory a bind volume (`o=bind`, `device=PATH`) stands for.
pub fn bind_device(options: &BTreeMap<String, String>) -> Option<&str> {
    let is_bind = options
        .get("o")
        .is_some_and(|o| o.split(',').any(|x| x == "bind" || x == "rbind"));
    let typ_ok = options
        .get("type")
        .is_none_or(|t| t.is_empty() || t == "none" || t == "bind");
    let device = options.get("device").map(String::as_str).unwrap_or("");
    (is_bind && typ_ok && !device.is_empty() && !options.contains_key("size")).then_some(device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_docker() {
        for ok in ["ab", "data", "my_vol.1-x", "0abc"] {
            assert!(validate_volume_name(ok).is_ok(), "{ok}");
        }
        for bad in ["a", "", "_x", "-x", ".x", "a/b", "a b", "a:b"] {
            assert!(validate_volume_name(bad).is_err(), "{bad}");
        }
        assert_eq!(
            validate_volume_name("a/b").unwrap_err().message,
            "create a/b: \"a/b\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"
        );
    }

    #[test]
    fn drivers_and_options() {
        assert!(validate_driver("v1", "").is_ok());
        assert!(validate_driver("v1", "local").is_ok());
        let e = validate_driver("v1", "foo").unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::NotFound);
        assert_eq!(
            e.message,
            "create v1: error looking up volume plugin foo: plugin \"foo\" not found"
        );
        let mut o = BTreeMap::new();
        assert!(validate_local_options("v1", &o).is_ok());
        o.insert("bogus".to_string(), "1".to_string());
        assert_eq!(
            validate_local_options("v1", &o).unwrap_err().message,
            "create v1: invalid option: \"bogus\""
        );
        o.clear();
        o.insert("type".to_string(), "tmpfs".to_string());
        assert_eq!(
            validate_local_options("v1", &o).unwrap_err().message,
            "create v1: missing required option: \"device\""
        );
        o.insert("device".to_string(), "tmpfs".to_string());
        assert!(validate_local_options("v1", &o).is_err());
        let bind: BTreeMap<String, String> = [("type", "none"), ("o", "bind"), ("device", "/srv")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert!(validate_local_options("v1", &bind).is_ok());
        assert_eq!(bind_device(&bind), Some("/srv"));
    }
}
