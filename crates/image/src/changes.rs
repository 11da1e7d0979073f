//! `--change` instructions of `docker import` (and commit): a Dockerfile subset applied to
//! the new image's config. Docker allows CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL,
//! ONBUILD, STOPSIGNAL, USER, VOLUME and WORKDIR there.

use crate::config::ContainerConfig;
use crate::error::ImageError;
use std::collections::BTreeMap;

pub fn apply_changes(config: &mut ContainerConfig, changes: &[String]) -> Result<(), ImageError> {
    for change in changes {
        for line in change.lines().filter(|l| !l.trim().is_empty()) {
            apply_one(config, line.trim())?;
        }
    }
    Ok(())
}

fn invalid(msg: impl Into<String>) -> ImageError {
    ImageError::InvalidParameter(msg.into())
}

pub(crate) fn apply_one(config: &mut ContainerConfig, line: &str) -> Result<(), ImageError> {
    let (word, rest) = match line.split_once(char::is_whitespace) {
        Some((w, r)) => (w, r.trim()),
        None => (line, ""),
    };
    let instr = word.to_ascii_uppercase();
    match instr.as_str() {
        "CMD" => config.cmd = Some(command_form(rest)),
        "ENTRYPOINT" => config.entrypoint = Some(command_form(rest)),
        "SHELL" => {
            config.shell = Some(
                json_array(rest)
                    .ok_or_else(|| invalid("SHELL requires the arguments to be in JSON form"))?,
            )
        }
        "ENV" => {
            let env = config.env.get_or_insert_with(Vec::new);
            for (k, v) in key_values(rest, "ENV")? {
                env.retain(|e| e.split('=').next() != Some(k.as_str()));
                env.push(format!("{k}={v}"));
            }
        }
        "LABEL" => {
            let labels = config.labels.get_or_insert_with(BTreeMap::new);
            for (k, v) in key_values(rest, "LABEL")? {
                labels.insert(k, v);
            }
        }
        "EXPOSE" => {
            let ports = config.exposed_ports.get_or_insert_with(BTreeMap::new);
            for p in words(rest)? {
                let key = if p.contains('/') {
                    p.to_ascii_lowercase()
                } else {
                    format!("{p}/tcp")
                };
                let (num, proto) = key.split_once('/').unwrap_or((&key, "tcp"));
                let num_ok = num.split('-').all(|n| n.parse::<u16>().is_ok());
                if !num_ok || !matches!(proto, "tcp" | "udp" | "sctp") {
                    return Err(invalid(format!("invalid containerPort: {p}")));
                }
                ports.insert(key, serde_json::json!({}));
            }
        }
        "WORKDIR" => {
            if rest.is_empty() {
                return Err(invalid("WORKDIR requires exactly one argument"));
            }
            let dir = unquote(rest);
            config.working_dir = if dir.starts_with('/') {
                dir
            } else {
                let base = if config.working_dir.is_empty() {
                    "/"
                } else {
                    &config.working_dir
                };
                format!("{}/{}", base.trim_end_matches('/'), dir)
            };
        }
        "USER" => {
            if rest.is_empty() {
                return Err(invalid("USER requires exactly one argument"));
            }
            config.user = unquote(rest);
        }
        "STOPSIGNAL" => config.stop_signal = unquote(rest),
        "VOLUME" => {
            let vols = config.volumes.get_or_insert_with(BTreeMap::new);
            let list = json_array(rest).map(Ok).unwrap_or_else(|| words(rest))?;
            for v in list {
                vols.insert(v, serde_json::json!({}));
            }
        }
        "ONBUILD" => config
            .on_build
            .get_or_insert_with(Vec::new)
            .push(rest.to_string()),
        "HEALTHCHECK" => {
            return Err(invalid(
                "HEALTHCHECK is not supported by berth's import yet",
            ));
        }
        _ => return Err(invalid(format!("{word} is not a valid change command"))),
    }
    Ok(())
}

/// JSON-array ("exec") form, or the shell form wrapped in `/bin/sh -c`.
fn command_form(rest: &str) -> Vec<String> {
    json_array(rest).unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into(), rest.to_string()])
}

pub(crate) fn json_array(s: &str) -> Option<Vec<String>> {
    if !s.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(s).ok()
}

/// `k=v k2="v 2"`, or the legacy single pair `k v w` (value is the rest of the line).
fn key_values(rest: &str, instr: &str) -> Result<Vec<(String, String)>, ImageError> {
    let ws = words(rest)?;
    if ws.is_empty() {
        return Err(invalid(format!("{instr} requires at least one argument")));
    }
    if !ws[0].contains('=') {
        let (k, v) = rest
            .split_once(char::is_whitespace)
            .ok_or_else(|| invalid(format!("{instr} must have two arguments")))?;
        return Ok(vec![(k.to_string(), unquote(v.trim()))]);
    }
    ws.into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(invalid(format!("{instr} names can not be blank"))),
        })
        .collect()
}

fn unquote(s: &str) -> String {
    words(s)
        .map(|w| w.join(" "))
        .unwrap_or_else(|_| s.to_string())
}

/// Splits on whitespace, honouring double and single quotes and backslash escapes.
pub(crate) fn words(s: &str) -> Result<Vec<String>, ImageError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') | (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            (Some(_), c) => cur.push(c),
            (None, '"') | (None, '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err(invalid(format!("unmatched quote in {s:?}")));
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(changes: &[&str]) -> ContainerConfig {
        let mut c = ContainerConfig::default();
        let v: Vec<String> = changes.iter().map(|s| s.to_string()).collect();
        apply_changes(&mut c, &v).unwrap();
        c
    }

    #[test]
    fn dockerfile_forms() {
        let c = apply(&[
            r#"CMD ["/bin/sh", "-c", "echo hi"]"#,
            "ENTRYPOINT /bin/busybox",
            r#"ENV A=1 B="two words""#,
            "ENV LEGACY value with spaces",
            "WORKDIR /srv",
            "WORKDIR app",
            "USER nobody",
            "EXPOSE 80 53/udp",
            r#"LABEL a=b "c d"=e"#,
        ]);
        assert_eq!(c.cmd.unwrap(), ["/bin/sh", "-c", "echo hi"]);
        assert_eq!(c.entrypoint.unwrap(), ["/bin/sh", "-c", "/bin/busybox"]);
        assert_eq!(
            c.env.unwrap(),
            ["A=1", "B=two words", "LEGACY=value with spaces"]
        );
        assert_eq!(c.working_dir, "/srv/app");
        assert_eq!(c.user, "nobody");
        let ports: Vec<_> = c.exposed_ports.unwrap().into_keys().collect();
        assert_eq!(ports, ["53/udp", "80/tcp"]);
        let labels = c.labels.unwrap();
        assert_eq!(labels["a"], "b");
        assert_eq!(labels["c d"], "e");
    }

    #[test]
    fn refuses_other_instructions() {
        let mut c = ContainerConfig::default();
        let err = apply_changes(&mut c, &["RUN echo".into()]).unwrap_err();
        assert_eq!(err.to_string(), "RUN is not a valid change command");
        assert!(apply_changes(&mut c, &["EXPOSE abc".into()]).is_err());
    }
}
