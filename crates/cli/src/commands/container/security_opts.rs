//! `--security-opt` as the docker CLI sends it (`parseSecurityOpts`): every option but
//! `no-new-privileges` needs a value, and `seccomp=FILE` is replaced by the profile's
//! compacted JSON, read here on the client side.

use super::config::FlagError;

/// The options for `HostConfig.SecurityOpt`.
pub fn security_opts(opts: &[String]) -> Result<Vec<String>, FlagError> {
    opts.iter().map(|opt| one(opt)).collect()
}

fn one(opt: &str) -> Result<String, FlagError> {
    let mut cut = opt.split_once('=');
    if cut.is_none() && opt != "no-new-privileges" {
        cut = opt.split_once(':');
    }
    let (key, value) = cut.unwrap_or((opt, ""));
    if value.is_empty() && key != "no-new-privileges" {
        return Err(FlagError::Parse(format!("Invalid --security-opt: {opt:?}")));
    }
    if key != "seccomp" || value == "builtin" || value == "unconfined" {
        return Ok(opt.to_string());
    }
    let text = std::fs::read(value)
        .map_err(|e| FlagError::Parse(format!("opening seccomp profile ({value}) failed: {e}")))?;
    let json = compact(&text).ok_or_else(|| {
        FlagError::Parse(format!(
            "compacting json for seccomp profile ({value}) failed: invalid JSON"
        ))
    })?;
    Ok(format!("seccomp={json}"))
}

/// Go's `json.Compact`: the document unchanged but for the whitespace between tokens.
fn compact(text: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(text).ok()?;
    let text = std::str::from_utf8(text).ok()?;
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(opts: &[&str]) -> Vec<String> {
        opts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn plain_options_pass_unchanged() {
        let opts = v(&[
            "no-new-privileges",
            "seccomp=unconfined",
            "seccomp:builtin",
            "label=disable",
        ]);
        assert_eq!(security_opts(&opts).unwrap(), opts);
    }

    #[test]
    fn options_need_a_value() {
        assert_eq!(
            security_opts(&v(&["seccomp"])).unwrap_err(),
            FlagError::Parse("Invalid --security-opt: \"seccomp\"".into())
        );
    }

    #[test]
    fn a_profile_file_is_sent_as_compact_json() {
        let path = std::env::temp_dir().join(format!("berth-seccomp-{}.json", std::process::id()));
        std::fs::write(
            &path,
            "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"x\": \"a b\"\n}\n",
        )
        .unwrap();
        let got = security_opts(&[format!("seccomp={}", path.display())]).unwrap();
        let _ = std::fs::remove_file(&path);
        assert_eq!(
            got,
            vec![r#"seccomp={"defaultAction":"SCMP_ACT_ALLOW","x":"a b"}"#]
        );
        let missing = security_opts(&v(&["seccomp=/nonexistent.json"])).unwrap_err();
        assert!(
            matches!(missing, FlagError::Parse(m) if m.starts_with("opening seccomp profile (/nonexistent.json) failed"))
        );
    }
}
