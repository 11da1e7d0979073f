//! A container's overlayfs upper directory as a layer tarball: what a build step changed.
//! Overlay whiteouts (char device 0/0) become AUFS-style `.wh.NAME` entries and opaque
//! directories a `.wh..wh..opq` entry, as Docker writes layers; the mount points the runtime
//! adds (`/proc`, `/sys`, `/dev`, the daemon's `/etc/hosts`, `/etc/hostname`,
//! `/etc/resolv.conf`) are left out, as Docker's init layer keeps them out of commits.

use crate::error::{ImageError, IoContext};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

const SKIPPED: &[&str] = &[
    "proc",
    "sys",
    "dev",
    "etc/hosts",
    "etc/hostname",
    "etc/resolv.conf",
];

/// Writes the tar of `upper` to `out`; returns how many entries it holds.
pub fn write_diff(upper: &Path, out: impl Write) -> Result<usize, ImageError> {
    let mut b = tar::Builder::new(out);
    b.follow_symlinks(false);
    let mut count = 0;
    walk(upper, "", &mut b, &mut count)?;
    b.into_inner()
        .and_then(|mut w| w.flush())
        .ctx(|| "writing the layer".into())?;
    Ok(count)
}

fn walk<W: Write>(
    dir: &Path,
    rel: &str,
    b: &mut tar::Builder<W>,
    count: &mut usize,
) -> Result<(), ImageError> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .ctx(|| format!("reading {}", dir.display()))?
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let path_rel = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if SKIPPED.contains(&path_rel.as_str()) {
            continue;
        }
        let path = e.path();
        let meta = fs::symlink_metadata(&path).ctx(|| format!("stat {}", path.display()))?;
        let ft = meta.file_type();
        let mut h = tar::Header::new_gnu();
        h.set_mode(meta.mode() & 0o7777);
        h.set_uid(meta.uid() as u64);
        h.set_gid(meta.gid() as u64);
        h.set_mtime(meta.mtime().max(0) as u64);
        if ft.is_char_device() && meta.rdev() == 0 {
            let wh = match rel {
                "" => format!(".wh.{name}"),
                r => format!("{r}/.wh.{name}"),
            };
            h.set_entry_type(tar::EntryType::Regular);
            h.set_size(0);
            h.set_mode(0o600);
            b.append_data(&mut h, wh, std::io::empty())
                .ctx(|| "writing the layer".into())?;
        } else if ft.is_dir() {
            h.set_entry_type(tar::EntryType::Directory);
            h.set_size(0);
            b.append_data(&mut h, format!("{path_rel}/"), std::io::empty())
                .ctx(|| "writing the layer".into())?;
            if is_opaque(&path) {
                let mut o = tar::Header::new_gnu();
                o.set_entry_type(tar::EntryType::Regular);
                o.set_size(0);
                o.set_mode(0o600);
                b.append_data(&mut o, format!("{path_rel}/.wh..wh..opq"), std::io::empty())
                    .ctx(|| "writing the layer".into())?;
            }
            walk(&path, &path_rel, b, count)?;
        } else if ft.is_symlink() {
            let target = fs::read_link(&path).ctx(|| format!("readlink {}", path.display()))?;
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            b.append_link(&mut h, &path_rel, target)
                .ctx(|| "writing the layer".into())?;
        } else if ft.is_file() {
            h.set_entry_type(tar::EntryType::Regular);
            h.set_size(meta.len());
            let f = fs::File::open(&path).ctx(|| format!("opening {}", path.display()))?;
            b.append_data(&mut h, &path_rel, f)
                .ctx(|| "writing the layer".into())?;
        } else if ft.is_fifo() {
            h.set_entry_type(tar::EntryType::Fifo);
            h.set_size(0);
            b.append_data(&mut h, &path_rel, std::io::empty())
                .ctx(|| "writing the layer".into())?;
        } else {
            continue; // sockets and device nodes do not go into layers
        }
        *count += 1;
    }
    Ok(())
}

fn is_opaque(path: &Path) -> bool {
    xattr(path, "trusted.overlay.opaque").is_some_and(|v| v == b"y")
}

fn xattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let cpath = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let cname = std::ffi::CString::new(name).ok()?;
    let mut buf = vec![0u8; 16];
    // SAFETY: both strings are NUL-terminated; the buffer is valid for its length
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_dirs_links_and_skipped_mount_points() {
        let d = tempfile::tempdir().unwrap();
        let u = d.path();
        fs::create_dir_all(u.join("app/sub")).unwrap();
        fs::write(u.join("app/sub/f"), "hi").unwrap();
        std::os::unix::fs::symlink("sub/f", u.join("app/l")).unwrap();
        fs::create_dir_all(u.join("proc")).unwrap();
        fs::create_dir_all(u.join("etc")).unwrap();
        fs::write(u.join("etc/hosts"), "").unwrap();
        let mut out = Vec::new();
        let n = write_diff(u, &mut out).unwrap();
        let mut a = tar::Archive::new(out.as_slice());
        let names: Vec<String> = a
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["app/", "app/l", "app/sub/", "app/sub/f", "etc/"]);
        assert_eq!(n, 5);
    }
}
