//! COPY and ADD: files of the build context put into a mounted root filesystem, as the
//! classic builder copies them (a source directory's contents, not the directory itself; a
//! destination ending in `/` or naming a directory receives sources by their base name;
//! owners root unless `--chown`; ADD unpacks local tar archives). Paths in the root
//! filesystem are resolved with its symlinks kept inside it.

use crate::error::{ImageError, IoContext};
use crate::fsutil::hex;
use sha2::{Digest, Sha256};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

/// A COPY/ADD source found in the context.
pub struct Source {
    /// The path as written (for error messages).
    pub given: String,
    pub path: PathBuf,
    pub is_dir: bool,
}

fn copy_failed(msg: impl std::fmt::Display) -> ImageError {
    ImageError::InvalidParameter(format!("COPY failed: {msg}"))
}

/// Finds the sources in the context; wildcards in the last path component are expanded.
pub fn resolve_sources(context: &Path, srcs: &[String]) -> Result<Vec<Source>, ImageError> {
    let mut out = Vec::new();
    for given in srcs {
        if given.starts_with("http://") || given.starts_with("https://") {
            return Err(ImageError::InvalidParameter(
                "berth does not fetch URLs in ADD (no network access is assumed): download the file into the build context".into(),
            ));
        }
        let rel = context_relative(given)?;
        let name = rel.file_name().map(|n| n.to_string_lossy().into_owned());
        let wild = name.as_deref().is_some_and(|n| n.contains(['*', '?', '[']));
        let candidates: Vec<PathBuf> = if wild {
            let dir = scoped(
                context,
                &rel.parent().unwrap_or(Path::new("")).to_string_lossy(),
            )?;
            let re = regex::Regex::new(&glob_regex(name.as_deref().unwrap_or("")))
                .map_err(copy_failed)?;
            let mut found: Vec<PathBuf> = fs::read_dir(&dir)
                .map(|d| {
                    d.flatten()
                        .filter(|e| re.is_match(&e.file_name().to_string_lossy()))
                        .map(|e| e.path())
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            found
        } else {
            // symlinks in the context are followed only as far as the context goes, so a
            // link to `/` cannot hand out the daemon host's files
            vec![scoped(context, &rel.to_string_lossy())?]
        };
        if candidates.is_empty() {
            return Err(copy_failed("no source files were specified"));
        }
        for path in candidates {
            let meta = fs::symlink_metadata(&path).map_err(|_| {
                copy_failed(format!(
                    "file not found in build context or excluded by .dockerignore: stat {}: file does not exist",
                    given.trim_start_matches("./")
                ))
            })?;
            out.push(Source {
                given: given.clone(),
                is_dir: meta.is_dir(),
                path,
            });
        }
    }
    Ok(out)
}

/// A context path made relative, refused when it climbs out of the context.
fn context_relative(given: &str) -> Result<PathBuf, ImageError> {
    let mut out = PathBuf::new();
    for c in Path::new(given).components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir if !out.pop() => {
                return Err(copy_failed(format!(
                    "forbidden path outside the build context: {given} ()"
                )));
            }
            _ => {}
        }
    }
    Ok(out)
}

fn glob_regex(pattern: &str) -> String {
    let mut re = String::from("^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    re
}

/// The content hash the cache is keyed on: `file:<hex>` for one file, `dir:<hex>` otherwise,
/// over every path, mode and content below the sources.
pub fn sources_hash(sources: &[Source]) -> Result<String, ImageError> {
    let mut h = Sha256::new();
    for s in sources {
        hash_tree(&s.path, Path::new(""), &mut h)?;
    }
    let kind = if sources.len() == 1 && !sources[0].is_dir {
        "file"
    } else {
        "dir"
    };
    Ok(format!("{kind}:{}", hex(&h.finalize())))
}

fn hash_tree(path: &Path, rel: &Path, h: &mut Sha256) -> Result<(), ImageError> {
    let meta = fs::symlink_metadata(path).ctx(|| format!("stat {}", path.display()))?;
    h.update(rel.to_string_lossy().as_bytes());
    h.update(meta.mode().to_be_bytes());
    if meta.is_dir() {
        let mut names: Vec<_> = fs::read_dir(path)
            .ctx(|| format!("reading {}", path.display()))?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        names.sort();
        for n in names {
            hash_tree(&path.join(&n), &rel.join(&n), h)?;
        }
    } else if meta.file_type().is_symlink() {
        h.update(
            fs::read_link(path)
                .unwrap_or_default()
                .as_os_str()
                .as_encoded_bytes(),
        );
    } else if meta.is_file() {
        let mut f = fs::File::open(path).ctx(|| format!("opening {}", path.display()))?;
        std::io::copy(&mut f, h).ctx(|| format!("reading {}", path.display()))?;
    }
    Ok(())
}

/// Where a path of the container lands on the host: symlinks are followed, but an absolute
/// target or a `..` never leaves `root`; a chain of links too long to follow is an error
/// (the kernel would follow what is left, perhaps out of `root`).
pub fn scoped(root: &Path, path: &str) -> Result<PathBuf, ImageError> {
    let mut done: Vec<String> = Vec::new();
    let mut todo: Vec<String> = path
        .split('/')
        .filter(|c| !c.is_empty())
        .rev()
        .map(String::from)
        .collect();
    let mut hops = 0;
    while let Some(c) = todo.pop() {
        match c.as_str() {
            "." => continue,
            ".." => {
                done.pop();
                continue;
            }
            _ => {}
        }
        let candidate = root.join(done.join("/")).join(&c);
        if let Ok(target) = fs::read_link(&candidate) {
            hops += 1;
            if hops > 255 {
                return Err(ImageError::InvalidParameter(format!(
                    "{path}: too many levels of symbolic links"
                )));
            }
            let t = target.to_string_lossy().into_owned();
            if t.starts_with('/') {
                done.clear();
            }
            for part in t.split('/').filter(|p| !p.is_empty()).rev() {
                todo.push(part.to_string());
            }
            continue;
        }
        done.push(c);
    }
    Ok(root.join(done.join("/")))
}

/// Copies the sources to `dest` (absolute, in the container) inside `rootfs`.
pub fn copy_sources(
    sources: &[Source],
    rootfs: &Path,
    dest: &str,
    owner: Option<(u32, u32)>,
    unpack_archives: bool,
) -> Result<(), ImageError> {
    let target = scoped(rootfs, dest)?;
    let dest_is_dir =
        dest.ends_with('/') || sources.len() > 1 || fs::metadata(&target).is_ok_and(|m| m.is_dir());
    if sources.len() > 1 && !dest.ends_with('/') {
        return Err(ImageError::InvalidParameter(
            "When using COPY with more than one source file, the destination must be a directory and end with a /".into(),
        ));
    }
    for s in sources {
        if s.is_dir {
            make_parents(&target, rootfs)?;
            fs::create_dir_all(&target).ctx(|| format!("creating {}", target.display()))?;
            copy_tree_contents(&s.path, &target, owner)?;
        } else if unpack_archives && is_archive(&s.path) {
            make_parents(&target, rootfs)?;
            fs::create_dir_all(&target).ctx(|| format!("creating {}", target.display()))?;
            let f = fs::File::open(&s.path).ctx(|| format!("opening {}", s.path.display()))?;
            let plain = crate::fsutil::maybe_gunzip(f)
                .map_err(|e| ImageError::bad(format!("cannot read {}: {e}", s.given)))?;
            crate::extract::unpack_layer(plain, &target)?;
        } else {
            let file_dest = if dest_is_dir {
                fs::create_dir_all(&target).ctx(|| format!("creating {}", target.display()))?;
                target.join(s.path.file_name().unwrap_or_default())
            } else {
                make_parents(&target, rootfs)?;
                target.clone()
            };
            copy_entry(&s.path, &file_dest, owner)?;
        }
    }
    Ok(())
}

fn make_parents(target: &Path, rootfs: &Path) -> Result<(), ImageError> {
    if let Some(p) = target.parent() {
        if p.starts_with(rootfs) {
            fs::create_dir_all(p).ctx(|| format!("creating {}", p.display()))?;
        }
    }
    Ok(())
}

fn copy_tree_contents(
    src: &Path,
    dest: &Path,
    owner: Option<(u32, u32)>,
) -> Result<(), ImageError> {
    let mut entries: Vec<_> = fs::read_dir(src)
        .ctx(|| format!("reading {}", src.display()))?
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        copy_entry(&e.path(), &dest.join(e.file_name()), owner)?;
    }
    Ok(())
}

fn copy_entry(src: &Path, dest: &Path, owner: Option<(u32, u32)>) -> Result<(), ImageError> {
    let meta = fs::symlink_metadata(src).ctx(|| format!("stat {}", src.display()))?;
    let (uid, gid) = owner.unwrap_or((0, 0));
    if meta.is_dir() {
        match fs::symlink_metadata(dest) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                fs::remove_file(dest).ctx(|| format!("removing {}", dest.display()))?;
                fs::create_dir(dest).ctx(|| format!("creating {}", dest.display()))?;
            }
            Err(_) => fs::create_dir(dest).ctx(|| format!("creating {}", dest.display()))?,
        }
        copy_tree_contents(src, dest, owner)?;
        fs::set_permissions(dest, fs::Permissions::from_mode(meta.mode() & 0o7777))
            .ctx(|| format!("chmod {}", dest.display()))?;
    } else {
        if let Ok(m) = fs::symlink_metadata(dest) {
            if m.is_dir() {
                fs::remove_dir_all(dest)
            } else {
                fs::remove_file(dest)
            }
            .ctx(|| format!("replacing {}", dest.display()))?;
        }
        if meta.file_type().is_symlink() {
            let t = fs::read_link(src).ctx(|| format!("readlink {}", src.display()))?;
            std::os::unix::fs::symlink(t, dest).ctx(|| format!("linking {}", dest.display()))?;
        } else if meta.is_file() {
            fs::copy(src, dest).ctx(|| format!("copying to {}", dest.display()))?;
            fs::set_permissions(dest, fs::Permissions::from_mode(meta.mode() & 0o7777))
                .ctx(|| format!("chmod {}", dest.display()))?;
        } else {
            return Ok(()); // fifos, sockets and devices of the context are not copied
        }
    }
    std::os::unix::fs::lchown(dest, Some(uid), Some(gid))
        .ctx(|| format!("chown {}", dest.display()))?;
    Ok(())
}

/// A tar (plain or gzip'd), as ADD recognises local archives to unpack.
fn is_archive(path: &Path) -> bool {
    use std::io::Read;
    let Ok(f) = fs::File::open(path) else {
        return false;
    };
    let Ok(mut r) = crate::fsutil::maybe_gunzip(f) else {
        return false;
    };
    let mut block = vec![0u8; 512];
    if r.read_exact(&mut block).is_err() {
        return false;
    }
    &block[257..262] == b"ustar"
}

/// `--chown=user:group` with names looked up in the image's /etc/passwd and /etc/group.
pub fn parse_chown(spec: &str, rootfs: &Path) -> Result<(u32, u32), ImageError> {
    let (user, group) = spec.split_once(':').unwrap_or((spec, spec));
    let lookup = |file: &str, name: &str| -> Result<u32, ImageError> {
        if let Ok(n) = name.parse::<u32>() {
            return Ok(n);
        }
        let text = fs::read_to_string(scoped(rootfs, file)?).unwrap_or_default();
        text.lines()
            .map(|l| l.split(':').collect::<Vec<_>>())
            .find(|f| f.first() == Some(&name))
            .and_then(|f| f.get(2).and_then(|v| v.parse().ok()))
            .ok_or_else(|| {
                ImageError::InvalidParameter(format!(
                    "unable to convert uid/gid chown string to host mapping: can't find uid for user {name}: no such user: {name}"
                ))
            })
    };
    let uid = lookup("/etc/passwd", user)?;
    let gid = if spec.contains(':') {
        lookup("/etc/group", group)?
    } else {
        uid
    };
    Ok((uid, gid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_keeps_links_inside() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        fs::create_dir_all(r.join("real")).unwrap();
        std::os::unix::fs::symlink("/real", r.join("abs")).unwrap();
        std::os::unix::fs::symlink("../../..", r.join("up")).unwrap();
        assert_eq!(scoped(r, "/abs/x").unwrap(), r.join("real/x"));
        assert_eq!(scoped(r, "up/etc").unwrap(), r.join("etc"));
        std::os::unix::fs::symlink("loop", r.join("loop")).unwrap();
        assert!(scoped(r, "/loop/x").is_err());
    }

    #[test]
    fn context_links_stay_in_the_context() {
        let d = tempfile::tempdir().unwrap();
        let ctx = d.path().join("ctx");
        fs::create_dir_all(&ctx).unwrap();
        std::os::unix::fs::symlink("/", ctx.join("root")).unwrap();
        let e = resolve_sources(&ctx, &["root/etc/passwd".into()])
            .err()
            .unwrap();
        assert!(
            e.to_string().contains("file not found in build context"),
            "{e}"
        );
    }

    #[test]
    fn missing_and_escaping_sources() {
        let d = tempfile::tempdir().unwrap();
        let e = resolve_sources(d.path(), &["nope".into()]).err().unwrap();
        assert_eq!(
            e.to_string(),
            "COPY failed: file not found in build context or excluded by .dockerignore: stat nope: file does not exist"
        );
        let e = resolve_sources(d.path(), &["../x".into()]).err().unwrap();
        assert!(e.to_string().contains("outside the build context"));
    }
}
