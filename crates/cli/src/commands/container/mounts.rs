//! `--mount` and `--tmpfs`: docker's `opts.MountOpt` CSV syntax into `HostConfig.Mounts`
//! entries, and `--tmpfs PATH[:OPTIONS]` into `HostConfig.Tmpfs`.

use super::config::FlagError;
use crate::template::Value;

fn invalid(value: &str, reason: impl Into<String>) -> FlagError {
    FlagError::Invalid {
        flag: "--mount",
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// go-units `RAMInBytes`: `64m`, `1g`, `1024` (binary multiples).
fn ram_in_bytes(s: &str) -> Option<i64> {
    let lower = s.trim().to_ascii_lowercase();
    let digits_end = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(digits_end);
    let n: f64 = num.parse().ok()?;
    let mult: f64 = match unit.trim_end_matches('b').trim_end_matches('i') {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024f64.powi(4),
        _ => return None,
    };
    Some((n * mult) as i64)
}

/// One `--mount` value as the docker CLI turns it into a `mount.Mount`.
pub fn parse_mount(spec: &str) -> Result<Value, FlagError> {
    let mut typ = "volume".to_string();
    let mut source = String::new();
    let mut target = String::new();
    let mut read_only = false;
    let mut no_copy = None;
    let mut labels: Vec<(String, Value)> = Vec::new();
    let mut tmpfs_size = None;
    let mut tmpfs_mode = None;
    let mut propagation = None;
    for field in spec.split(',').filter(|f| !f.is_empty()) {
        let (key, val) = match field.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), Some(v)),
            None => (field.to_ascii_lowercase(), None),
        };
        let flag_value = |v: Option<&str>| -> Result<bool, FlagError> {
            match v {
                None => Ok(true),
                Some(v) => parse_bool(v)
                    .ok_or_else(|| invalid(spec, format!("invalid value for {key}: {v}"))),
            }
        };
        match key.as_str() {
            "readonly" | "ro" => {
                read_only = flag_value(val)?;
                continue;
            }
            "volume-nocopy" => {
                no_copy = Some(flag_value(val)?);
                continue;
            }
            _ => {}
        }
        let Some(v) = val else {
            return Err(invalid(
                spec,
                format!("invalid field '{field}' must be a key=value pair"),
            ));
        };
        match key.as_str() {
            "type" => typ = v.to_ascii_lowercase(),
            "source" | "src" => source = v.to_string(),
            "target" | "dst" | "destination" => target = v.to_string(),
            "bind-propagation" => propagation = Some(v.to_string()),
            "volume-label" => {
                let (k, lv) = v.split_once('=').unwrap_or((v, ""));
                labels.push((k.to_string(), Value::from(lv)));
            }
            "tmpfs-size" => {
                tmpfs_size = Some(
                    ram_in_bytes(v)
                        .ok_or_else(|| invalid(spec, format!("invalid value for {key}: {v}")))?,
                )
            }
            "tmpfs-mode" => {
                tmpfs_mode = Some(
                    u32::from_str_radix(v, 8)
                        .map_err(|_| invalid(spec, format!("invalid value for {key}: {v}")))?,
                )
            }
            _ => {
                return Err(invalid(
                    spec,
                    format!("unexpected key '{key}' in '{field}'"),
                ))
            }
        }
    }
    if target.is_empty() {
        return Err(invalid(spec, "target is required"));
    }
    let mut m = vec![
        ("Type", Value::from(typ.as_str())),
        ("Source", Value::from(source.as_str())),
        ("Target", Value::from(target.as_str())),
    ];
    if read_only {
        m.push(("ReadOnly", Value::Bool(true)));
    }
    if let Some(p) = propagation {
        m.push((
            "BindOptions",
            Value::object(vec![("Propagation", Value::from(p.as_str()))]),
        ));
    }
    if typ == "volume" && (no_copy.is_some() || !labels.is_empty()) {
        let mut vo = Vec::new();
        if let Some(n) = no_copy {
            vo.push(("NoCopy", Value::Bool(n)));
        }
        if !labels.is_empty() {
            vo.push(("Labels", Value::Object(labels.into_iter().collect())));
        }
        m.push(("VolumeOptions", Value::object(vo)));
    }
    if typ == "tmpfs" && (tmpfs_size.is_some() || tmpfs_mode.is_some()) {
        let mut to = Vec::new();
        if let Some(s) = tmpfs_size {
            to.push(("SizeBytes", Value::Number(s.to_string())));
        }
        if let Some(mode) = tmpfs_mode {
            to.push(("Mode", Value::Number(mode.to_string())));
        }
        m.push(("TmpfsOptions", Value::object(to)));
    }
    Ok(Value::object(m))
}

/// `--tmpfs /path[:options]` → (path, options).
pub fn parse_tmpfs(spec: &str) -> (String, String) {
    match spec.split_once(':') {
        Some((p, o)) => (p.to_string(), o.to_string()),
        None => (spec.to_string(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_as_docker_parses_them() {
        let v = parse_mount("type=volume,source=data,target=/d,readonly,volume-nocopy").unwrap();
        assert_eq!(
            v.to_json(false),
            r#"{"Type":"volume","Source":"data","Target":"/d","ReadOnly":true,"VolumeOptions":{"NoCopy":true}}"#
        );
        let t = parse_mount("type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770").unwrap();
        assert_eq!(
            t.to_json(false),
            r#"{"Type":"tmpfs","Source":"","Target":"/t","TmpfsOptions":{"SizeBytes":1048576,"Mode":1016}}"#
        );
        assert_eq!(
            parse_mount("type=bind,src=/a"),
            Err(invalid("type=bind,src=/a", "target is required"))
        );
        assert!(matches!(
            parse_mount("target=/x,bogus=1"),
            Err(FlagError::Invalid { reason, .. }) if reason == "unexpected key 'bogus' in 'bogus=1'"
        ));
        assert_eq!(
            parse_tmpfs("/run:size=1m"),
            ("/run".into(), "size=1m".into())
        );
    }
}
