//! Unpacking one layer tarball into a directory, safely.
//!
//! Every entry's path is cleaned (absolute paths and `..` are refused); the directories above
//! it are resolved inside the layer, following symlinks only while they stay inside it (an
//! absolute symlink, or one climbing above the root, is refused when something would be
//! written through it); the entry itself is never followed; device nodes are refused except
//! overlay whiteouts. AUFS-style whiteouts from docker/OCI layers become overlayfs ones
//! (`.wh.name` → char device 0/0, `.wh..wh..opq` → `trusted.overlay.opaque=y`), because
//! container root filesystems stack these directories with overlayfs.

use crate::error::{ImageError, IoContext};
use std::ffi::{CString, OsStr, OsString};
use std::fs;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_MARKER: &str = ".wh..wh..opq";
const MAX_SYMLINK_HOPS: usize = 40;

/// What unpacking a layer found out.
#[derive(Debug, Default, Clone, Copy)]
pub struct LayerStats {
    /// Bytes of regular file content (Docker's layer size).
    pub size: u64,
}

/// Unpacks the (uncompressed) tar stream into `dest`, an empty directory.
pub fn unpack_layer<R: Read>(reader: R, dest: &Path) -> Result<LayerStats, ImageError> {
    let mut archive = tar::Archive::new(reader);
    let mut stats = LayerStats::default();
    let entries = archive
        .entries()
        .map_err(|e| ImageError::bad(format!("invalid tar archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(tar_error)?;
        unpack_entry(&mut entry, dest, &mut stats)?;
    }
    Ok(stats)
}

fn tar_error(e: io::Error) -> ImageError {
    if e.kind() == io::ErrorKind::UnexpectedEof || e.to_string().contains("unexpected EOF") {
        ImageError::bad("invalid tar archive: unexpected EOF (the tarball is truncated)")
    } else {
        ImageError::bad(format!("invalid tar archive: {e}"))
    }
}

/// Turns an entry name into a relative path of normal components.
pub fn clean_entry_path(raw: &Path) -> Result<PathBuf, ImageError> {
    let mut out = PathBuf::new();
    for c in raw.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(ImageError::bad(format!(
                    "invalid tar entry {:?}: path escapes the layer root",
                    raw
                )))
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(ImageError::bad(format!(
                    "invalid tar entry {:?}: absolute paths are not allowed",
                    raw
                )))
            }
        }
    }
    Ok(out)
}

/// Resolves a relative directory path inside `root`, following symlinks that stay inside.
/// Returns a path whose components below `root` are all real (or not yet existing)
/// directories.
pub fn resolve_in_root(root: &Path, rel: &Path) -> Result<PathBuf, ImageError> {
    let escape = || {
        ImageError::bad(format!(
            "invalid tar entry {:?}: a symlink on its path leads outside the layer root",
            rel
        ))
    };
    let mut done: Vec<OsString> = Vec::new();
    let mut todo: Vec<OsString> = rel
        .components()
        .rev()
        .map(|c| c.as_os_str().to_owned())
        .collect();
    let mut hops = 0;
    while let Some(c) = todo.pop() {
        if c == OsStr::new(".") {
            continue;
        }
        if c == OsStr::new("..") {
            done.pop().ok_or_else(escape)?;
            continue;
        }
        let candidate = join_all(root, &done).join(&c);
        match fs::symlink_metadata(&candidate) {
            Ok(m) if m.file_type().is_symlink() => {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return Err(escape());
                }
                let target = fs::read_link(&candidate)
                    .ctx(|| format!("reading link {}", candidate.display()))?;
                if target.is_absolute() {
                    return Err(escape());
                }
                for t in target.components().rev() {
                    todo.push(t.as_os_str().to_owned());
                }
            }
            Ok(m) if !m.is_dir() => {
                return Err(ImageError::bad(format!(
                    "invalid tar entry {:?}: {:?} is not a directory",
                    rel, candidate
                )))
            }
            _ => done.push(c),
        }
    }
    Ok(join_all(root, &done))
}

fn join_all(root: &Path, parts: &[OsString]) -> PathBuf {
    let mut p = root.to_path_buf();
    for part in parts {
        p.push(part);
    }
    p
}

fn unpack_entry<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    root: &Path,
    stats: &mut LayerStats,
) -> Result<(), ImageError> {
    let raw = entry.path().map_err(tar_error)?.into_owned();
    let rel = clean_entry_path(&raw)?;
    let Some(name) = rel.file_name().map(|n| n.to_owned()) else {
        return Ok(()); // the root itself ("./")
    };
    let parent_rel = rel.parent().unwrap_or(Path::new(""));
    let parent = resolve_in_root(root, parent_rel)?;
    fs::create_dir_all(&parent).ctx(|| format!("creating {}", parent.display()))?;
    let name_str = name.to_string_lossy();

    if name_str == OPAQUE_MARKER {
        return set_xattr(&parent, "trusted.overlay.opaque", b"y");
    }
    if let Some(hidden) = name_str.strip_prefix(WHITEOUT_PREFIX) {
        if hidden.starts_with(".wh.") {
            return Ok(()); // AUFS metadata (.wh..wh.plnk etc.): nothing to keep
        }
        let target = parent.join(hidden);
        remove_existing(&target)?;
        return make_whiteout(&target);
    }

    let path = parent.join(&name);
    let header = entry.header().clone();
    let kind = header.entry_type();
    let mode = header.mode().map_err(tar_error)? & 0o7777;
    let (uid, gid) = (
        header.uid().map_err(tar_error)? as u32,
        header.gid().map_err(tar_error)? as u32,
    );
    let mtime = header.mtime().unwrap_or(0) as i64;

    match kind {
        tar::EntryType::Directory => {
            match fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    remove_existing(&path)?;
                    fs::create_dir(&path).ctx(|| format!("creating {}", path.display()))?
                }
                Err(_) => fs::create_dir(&path).ctx(|| format!("creating {}", path.display()))?,
            }
            chown_chmod(&path, uid, gid, Some(mode))?;
        }
        tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
            remove_existing(&path)?;
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .ctx(|| format!("creating {}", path.display()))?;
            let n = io::copy(entry, &mut f).map_err(tar_error)?;
            stats.size += n;
            drop(f);
            chown_chmod(&path, uid, gid, Some(mode))?;
            set_mtime(&path, mtime);
        }
        tar::EntryType::Symlink => {
            let target = entry
                .link_name()
                .map_err(tar_error)?
                .ok_or_else(|| ImageError::bad(format!("symlink {raw:?} has no target")))?;
            remove_existing(&path)?;
            std::os::unix::fs::symlink(&target, &path)
                .ctx(|| format!("creating symlink {}", path.display()))?;
            chown_chmod(&path, uid, gid, None)?;
            set_mtime(&path, mtime);
        }
        tar::EntryType::Link => {
            let target_raw = entry
                .link_name()
                .map_err(tar_error)?
                .ok_or_else(|| ImageError::bad(format!("hardlink {raw:?} has no target")))?;
            let target_rel = clean_entry_path(&target_raw)?;
            let tname = target_rel
                .file_name()
                .ok_or_else(|| ImageError::bad(format!("hardlink {raw:?} to the layer root")))?;
            let tparent = resolve_in_root(root, target_rel.parent().unwrap_or(Path::new("")))?;
            let target = tparent.join(tname);
            match fs::symlink_metadata(&target) {
                Ok(m) if !m.is_dir() => {}
                _ => {
                    return Err(ImageError::bad(format!(
                    "invalid hardlink {raw:?}: target {target_raw:?} is not a file in this layer"
                )))
                }
            }
            remove_existing(&path)?;
            fs::hard_link(&target, &path).ctx(|| format!("linking {}", path.display()))?;
        }
        tar::EntryType::Char | tar::EntryType::Block => {
            let major = header.device_major().ok().flatten().unwrap_or(1);
            let minor = header.device_minor().ok().flatten().unwrap_or(1);
            if kind != tar::EntryType::Char || major != 0 || minor != 0 {
                return Err(ImageError::bad(format!(
                    "invalid tar entry {raw:?}: device nodes are not allowed in image layers"
                )));
            }
            remove_existing(&path)?;
            make_whiteout(&path)?;
        }
        tar::EntryType::Fifo => {
            remove_existing(&path)?;
            nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(mode))
                .map_err(|e| ImageError::io(format!("mkfifo {}", path.display()), e.into()))?;
            chown_chmod(&path, uid, gid, Some(mode))?;
        }
        // PAX/GNU headers are consumed by the tar reader; anything else is skipped as
        // Docker's archive package does
        _ => return Ok(()),
    }
    if let Ok(Some(exts)) = entry.pax_extensions() {
        for ext in exts.flatten() {
            if let Ok(key) = ext.key() {
                if let Some(attr) = key.strip_prefix("SCHILY.xattr.") {
                    // best effort, as Docker: a filesystem without xattrs still unpacks
                    let _ = set_xattr(&path, attr, ext.value_bytes());
                }
            }
        }
    }
    Ok(())
}

/// Later entries replace earlier ones; a directory is replaced only by a non-directory.
fn remove_existing(path: &Path) -> Result<(), ImageError> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            fs::remove_dir_all(path).ctx(|| format!("removing {}", path.display()))
        }
        Ok(_) => fs::remove_file(path).ctx(|| format!("removing {}", path.display())),
        Err(_) => Ok(()),
    }
}

fn make_whiteout(path: &Path) -> Result<(), ImageError> {
    nix::sys::stat::mknod(
        path,
        nix::sys::stat::SFlag::S_IFCHR,
        nix::sys::stat::Mode::empty(),
        0,
    )
    .map_err(|e| ImageError::io(format!("creating whiteout {}", path.display()), e.into()))
}

fn chown_chmod(path: &Path, uid: u32, gid: u32, mode: Option<u32>) -> Result<(), ImageError> {
    std::os::unix::fs::lchown(path, Some(uid), Some(gid))
        .ctx(|| format!("chown {}", path.display()))?;
    if let Some(mode) = mode {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .ctx(|| format!("chmod {}", path.display()))?;
    }
    Ok(())
}

fn set_mtime(path: &Path, mtime: i64) {
    use nix::sys::stat::{utimensat, UtimensatFlags};
    use nix::sys::time::TimeSpec;
    let t = TimeSpec::new(mtime, 0);
    let _ = utimensat(None, path, &t, &t, UtimensatFlags::NoFollowSymlink);
}

pub fn set_xattr(path: &Path, name: &str, value: &[u8]) -> Result<(), ImageError> {
    let cpath = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| ImageError::bad(format!("path {path:?} holds a NUL byte")))?;
    let cname =
        CString::new(name).map_err(|_| ImageError::bad(format!("xattr {name:?} holds NUL")))?;
    // SAFETY: both strings are NUL-terminated and live across the call; value is a valid slice
    let rc = unsafe {
        libc::lsetxattr(
            cpath.as_ptr(),
            cname.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    if rc != 0 {
        return Err(ImageError::io(
            format!("setting {name} on {}", path.display()),
            io::Error::last_os_error(),
        ));
    }
    Ok(())
}

#[cfg(test)]
pub fn get_xattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    let cpath = CString::new(path.as_os_str().as_bytes()).ok()?;
    let cname = CString::new(name).ok()?;
    let mut buf = vec![0u8; 256];
    // SAFETY: buffers are valid for the given length
    let n = unsafe {
        libc::lgetxattr(
            cpath.as_ptr(),
            cname.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    (n >= 0).then(|| {
        buf.truncate(n as usize);
        buf
    })
}
