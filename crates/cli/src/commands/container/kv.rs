//! docker's `-e`/`--env-file` and `-l`/`--label-file` handling (`opts.ValidateEnv`,
//! `opts.ReadKVEnvStrings`, `opts.ValidateLabel`, `opts.ConvertKVStringsToMap`).

use std::collections::BTreeMap;

/// `-e NAME` takes NAME's value from the caller's environment when it is set.
pub fn validate_env(v: &str) -> Result<String, String> {
    let (name, has_value) = match v.split_once('=') {
        Some((k, _)) => (k, true),
        None => (v, false),
    };
    if name.is_empty() {
        return Err(format!("invalid environment variable: {v}"));
    }
    if has_value {
        return Ok(v.to_string());
    }
    Ok(match std::env::var(name) {
        Ok(val) => format!("{name}={val}"),
        Err(_) => v.to_string(),
    })
}

/// The variables of `--env-file` files, then the `-e` values (already validated).
pub fn read_env(files: &[String], overrides: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for f in files {
        out.extend(parse_file(f, true)?);
    }
    out.extend(overrides.iter().cloned());
    Ok(out)
}

/// The labels of `--label-file` files, then `-l` values, as a map (the last one wins).
pub fn read_labels(
    files: &[String],
    labels: &[String],
) -> Result<BTreeMap<String, String>, String> {
    let mut all = Vec::new();
    for f in files {
        all.extend(parse_file(f, false)?);
    }
    all.extend(labels.iter().cloned());
    Ok(all
        .into_iter()
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (l, String::new()),
        })
        .collect())
}

pub fn validate_label(v: &str) -> Result<String, String> {
    let name = v.split_once('=').map(|(k, _)| k).unwrap_or(v);
    if name.trim().is_empty() {
        return Err(format!("invalid label '{v}': empty name"));
    }
    Ok(v.to_string())
}

/// docker's `parseKeyValueFile`: `#` comments and blank lines skipped; a bare name takes
/// its value from the environment (env files) or is dropped when unset.
fn parse_file(path: &str, lookup_env: bool) -> Result<Vec<String>, String> {
    let bytes = std::fs::read(path).map_err(|e| go_os_error("open", path, &e))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = if i == 0 {
            raw.trim_start_matches('\u{feff}')
        } else {
            raw
        };
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = match line.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (line, None),
        };
        if name.is_empty() {
            return Err(format!("no variable name on line '{line}'"));
        }
        if name.contains([' ', '\t']) {
            return Err(format!("variable '{name}' contains whitespaces"));
        }
        match value {
            Some(v) => out.push(format!("{name}={v}")),
            None if lookup_env => {
                if let Ok(v) = std::env::var(name) {
                    out.push(format!("{name}={v}"));
                }
            }
            None => out.push(name.to_string()),
        }
    }
    Ok(out)
}

/// An OS error as Go's `*PathError` prints it: `open /x: no such file or directory`.
pub fn go_os_error(op: &str, path: &str, e: &std::io::Error) -> String {
    let text = match e.raw_os_error() {
        Some(libc::ENOENT) => "no such file or directory".to_string(),
        Some(libc::EACCES) => "permission denied".to_string(),
        Some(libc::EISDIR) => "is a directory".to_string(),
        Some(libc::ENOTDIR) => "not a directory".to_string(),
        _ => {
            let s = e.to_string();
            let s = s.split(" (os error").next().unwrap_or(&s).to_string();
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => s,
            }
        }
    };
    format!("{op} {path}: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_rules() {
        assert_eq!(validate_env("A=1").unwrap(), "A=1");
        assert_eq!(
            validate_env("").unwrap_err(),
            "invalid environment variable: "
        );
        assert_eq!(
            validate_env("=x").unwrap_err(),
            "invalid environment variable: =x"
        );
        assert_eq!(
            validate_env("BERTH_SURELY_UNSET_VAR").unwrap(),
            "BERTH_SURELY_UNSET_VAR"
        );
        assert_eq!(
            validate_label("").unwrap_err(),
            "invalid label '': empty name"
        );
    }

    #[test]
    fn env_file() {
        let dir = std::env::temp_dir().join(format!("berth-cli-env-{}", std::process::id()));
        std::fs::write(&dir, "FOO=bar\n# c\n  BERTH_SURELY_UNSET_VAR\n\nQUX=a b\n").unwrap();
        let got = read_env(&[dir.display().to_string()], &["A=1".into()]).unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(got, vec!["FOO=bar", "QUX=a b", "A=1"]);
        assert_eq!(
            read_env(&["/nonexistent/x".into()], &[]).unwrap_err(),
            "open /nonexistent/x: no such file or directory"
        );
    }
}
