//! `berth build`: the context directory (minus what `.dockerignore` excludes, as docker's
//! CLI leaves it out) sent as a tarball to `POST /build`, and the answer printed as docker's
//! classic builder output is: the `stream` text as it arrives, the error text and its code
//! when a step fails, and only the image id with `-q`.

use super::args::BuildArgs;
use crate::client::Client;
use crate::error::{CliError, Result};
use crate::http::query_escape;
use crate::Output;
use berth_image::build::IgnoreRules;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

pub fn run(host: &str, path: &str, a: BuildArgs, o: &mut Output) -> Result<()> {
    if a.args.len() != 1 {
        return Err(CliError::Usage {
            code: 1,
            message: format!("berth: '{path}' requires exactly 1 argument"),
            path: path.to_string(),
        });
    }
    let quiet = a.quiet.unwrap_or(false);
    let (context, dockerfile) = if a.args[0] == "-" {
        (stdin_context()?, a.file.clone().unwrap_or_default())
    } else {
        dir_context(Path::new(&a.args[0]), a.file.as_deref())?
    };
    if !quiet {
        o.out.push_str(&format!(
            "Sending build context to Docker daemon  {}\n",
            crate::units::human_size4(context.len() as f64)
        ));
        flush(o);
    }
    let query = query_of(&a, &dockerfile)?;
    let mut c = Client::new(host)?;
    let (conn, head) = c.open(
        "POST",
        &format!("/build?{query}"),
        &[("Connection", "close")],
        Some(("application/x-tar", &context)),
    )?;
    let reader = BufReader::new(conn.into_body_reader(&head));
    let mut id = String::new();
    let mut quiet_text = String::new();
    for line in reader.lines() {
        let line =
            line.map_err(|e| CliError::msg(format!("error reading the daemon's answer: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let msg: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| CliError::msg(format!("error reading the daemon's answer: {e}")))?;
        if let Some(e) = msg.get("errorDetail") {
            let text = e["message"].as_str().unwrap_or("").to_string();
            let code = e["code"].as_i64().filter(|c| *c != 0).unwrap_or(1);
            return Err(CliError::Status(code as i32, text));
        }
        if let Some(s) = msg.get("stream").and_then(|s| s.as_str()) {
            if quiet {
                quiet_text.push_str(s);
            } else {
                o.out.push_str(s);
                flush(o);
            }
        }
        if let Some(i) = msg.pointer("/aux/ID").and_then(|s| s.as_str()) {
            id = i.to_string();
        }
    }
    if quiet {
        if id.is_empty() {
            o.out.push_str(&quiet_text);
        } else {
            o.out.push_str(&format!("{id}\n"));
        }
    }
    Ok(())
}

/// Build output is printed as it comes, as docker does, not when the command ends.
fn flush(o: &mut Output) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(o.out.as_bytes());
    let _ = out.flush();
    o.out.clear();
}

fn query_of(a: &BuildArgs, dockerfile: &str) -> Result<String> {
    let mut q = String::new();
    for t in &a.tag {
        q.push_str(&format!("t={}&", query_escape(t)));
    }
    if !dockerfile.is_empty() {
        q.push_str(&format!("dockerfile={}&", query_escape(dockerfile)));
    }
    let mut args: BTreeMap<String, Option<String>> = BTreeMap::new();
    for b in &a.build_arg {
        match b.split_once('=') {
            Some((k, v)) => args.insert(k.to_string(), Some(v.to_string())),
            // `--build-arg NAME` takes NAME's value from the environment, as docker does
            None => args.insert(b.clone(), std::env::var(b).ok()),
        };
    }
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    for l in &a.label {
        let (k, v) = l.split_once('=').unwrap_or((l, ""));
        labels.insert(k.to_string(), v.to_string());
    }
    q.push_str(&format!("buildargs={}&", query_escape(&json(&args))));
    q.push_str(&format!("labels={}&", query_escape(&json(&labels))));
    if a.quiet.unwrap_or(false) {
        q.push_str("q=1&");
    }
    if a.no_cache.unwrap_or(false) {
        q.push_str("nocache=1&");
    }
    q.push_str(if a.rm.unwrap_or(true) {
        "rm=1&"
    } else {
        "rm=0&"
    });
    if a.force_rm.unwrap_or(false) {
        q.push_str("forcerm=1&");
    }
    if let Some(t) = &a.target {
        q.push_str(&format!("target={}&", query_escape(t)));
    }
    if let Some(n) = &a.network {
        q.push_str(&format!("networkmode={}&", query_escape(n)));
    }
    Ok(q.trim_end_matches('&').to_string())
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn stdin_context() -> Result<Vec<u8>> {
    let mut data = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut data)
        .map_err(|e| CliError::msg(format!("reading STDIN: {e}")))?;
    let is_gzip = data.starts_with(&[0x1f, 0x8b]);
    let is_tar = data.len() >= 262 && &data[257..262] == b"ustar";
    if is_gzip || is_tar {
        return Ok(data);
    }
    // a Dockerfile alone on stdin: a context holding only it
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(data.len() as u64);
    h.set_mode(0o600);
    h.set_uid(0);
    h.set_gid(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    h.set_mtime(now);
    b.append_data(&mut h, "Dockerfile", data.as_slice())
        .map_err(|e| CliError::msg(e.to_string()))?;
    b.into_inner().map_err(|e| CliError::msg(e.to_string()))
}

/// The context tarball of a directory and the Dockerfile's path in it.
fn dir_context(dir: &Path, file: Option<&str>) -> Result<(Vec<u8>, String)> {
    let meta = std::fs::metadata(dir).map_err(|_| {
        CliError::msg(format!(
            "unable to prepare context: path {:?} not found",
            dir.display().to_string()
        ))
    })?;
    if !meta.is_dir() {
        return Err(CliError::msg(format!(
            "unable to prepare context: path {:?} is not a directory",
            dir.display().to_string()
        )));
    }
    let rules = std::fs::read_to_string(dir.join(".dockerignore"))
        .map(|t| IgnoreRules::parse(&t))
        .unwrap_or_else(|_| IgnoreRules::parse(""));
    // -f is relative to the current directory; inside the context it is sent by its path
    // there, outside it is added to the tarball under a name of its own
    let (dockerfile_rel, extra): (String, Option<PathBuf>) = match file {
        None => (String::new(), None),
        Some(f) => {
            let abs = std::fs::canonicalize(f).map_err(|_| {
                CliError::msg(format!(
                    "unable to prepare context: the Dockerfile ({f}) cannot be found"
                ))
            })?;
            let root = std::fs::canonicalize(dir).map_err(|e| CliError::msg(e.to_string()))?;
            match abs.strip_prefix(&root) {
                Ok(rel) => (rel.display().to_string(), None),
                Err(_) => (".berth-dockerfile".to_string(), Some(abs)),
            }
        }
    };
    let keep = |rel: &str| {
        rel == ".dockerignore"
            || rel == "Dockerfile"
            || rel == dockerfile_rel
            || !rules.excludes(rel)
    };
    let mut b = tar::Builder::new(Vec::new());
    b.follow_symlinks(false);
    add_dir(&mut b, dir, "", &keep)?;
    if let Some(p) = extra {
        b.append_path_with_name(&p, &dockerfile_rel)
            .map_err(|e| CliError::msg(format!("error adding the Dockerfile: {e}")))?;
    }
    let data = b
        .into_inner()
        .map_err(|e| CliError::msg(format!("error creating the build context: {e}")))?;
    Ok((data, dockerfile_rel))
}

fn add_dir(
    b: &mut tar::Builder<Vec<u8>>,
    root: &Path,
    rel: &str,
    keep: &dyn Fn(&str) -> bool,
) -> Result<()> {
    let dir = root.join(rel);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| CliError::msg(format!("error checking context: {e}")))?
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if keep(&r) {
            b.append_path_with_name(e.path(), &r)
                .map_err(|err| CliError::msg(format!("error checking context: {err}")))?;
        }
        if is_dir {
            // an exception (`!pattern`) may bring back something below an excluded directory
            add_dir(b, root, &r, keep)?;
        }
    }
    Ok(())
}
