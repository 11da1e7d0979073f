//! A tar unpacked into a container directory. Each entry's parent is resolved through the
//! root (so links in the container or in the archive resolve inside it), and the entry itself
//! is made with the `*at` calls on that parent and its single last name, never following a
//! link there. Entries with `..` make the whole archive refused before anything is written
//! past them; hard links, devices and the like are refused too.

use super::resolve::Root;
use berth_model::ApiError;
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::{Mode, UtimensatFlags};
use nix::sys::time::TimeSpec;
use nix::unistd::{Gid, Uid, UnlinkatFlags};
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Component;

pub(crate) fn unpack(
    root: &Root,
    dest: &str,
    input: impl Read,
    copy_uid_gid: bool,
) -> Result<(), ApiError> {
    let bad = |e: std::io::Error| ApiError::invalid(format!("cannot read the archive: {e}"));
    let mut archive = tar::Archive::new(input);
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        let path = entry.path().map_err(bad)?.into_owned();
        let mut names = Vec::new();
        for c in path.components() {
            match c {
                Component::Normal(n) => names.push(n.to_string_lossy().into_owned()),
                Component::CurDir | Component::RootDir => {}
                _ => {
                    return Err(ApiError::invalid(format!(
                        "the archive's entry {} leaves the extraction point",
                        path.display()
                    )))
                }
            }
        }
        let Some((leaf, parents)) = names.split_last() else {
            continue;
        };
        let parent_path = format!("{}/{}", dest.trim_end_matches('/'), parents.join("/"));
        let parent = root
            .open_in(&parent_path, OFlag::O_PATH | OFlag::O_DIRECTORY)
            .map_err(|e| write_error(&parent_path, e))?;
        let header = entry.header().clone();
        let mode = Mode::from_bits_truncate(header.mode().map_err(bad)? & 0o7777);
        let target = format!("{parent_path}/{leaf}");
        match header.entry_type() {
            tar::EntryType::Directory => {
                match nix::sys::stat::mkdirat(Some(parent.as_raw_fd()), leaf.as_str(), mode) {
                    Ok(()) | Err(Errno::EEXIST) => {}
                    Err(e) => return Err(write_error(&target, e.into())),
                }
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let file = create_file(&parent, leaf, mode).map_err(|e| write_error(&target, e))?;
                let mut file = std::fs::File::from(file);
                std::io::copy(&mut entry, &mut file).map_err(|e| write_error(&target, e))?;
                // The umask may have cut the mode at creation.
                nix::sys::stat::fchmod(file.as_raw_fd(), mode)
                    .map_err(|e| write_error(&target, e.into()))?;
            }
            tar::EntryType::Symlink => {
                let link = entry.link_name().map_err(bad)?.unwrap_or_default();
                match nix::unistd::unlinkat(
                    Some(parent.as_raw_fd()),
                    leaf.as_str(),
                    UnlinkatFlags::NoRemoveDir,
                ) {
                    Ok(()) | Err(Errno::ENOENT) => {}
                    Err(e) => return Err(write_error(&target, e.into())),
                }
                nix::unistd::symlinkat(link.as_ref(), Some(parent.as_raw_fd()), leaf.as_str())
                    .map_err(|e| write_error(&target, e.into()))?;
            }
            other => {
                return Err(ApiError::invalid(format!(
                    "berth does not copy {other:?} entries into containers yet: {}",
                    path.display()
                )))
            }
        }
        let (uid, gid) = if copy_uid_gid {
            (header.uid().map_err(bad)?, header.gid().map_err(bad)?)
        } else {
            (0, 0)
        };
        nix::unistd::fchownat(
            Some(parent.as_raw_fd()),
            leaf.as_str(),
            Some(Uid::from_raw(uid as u32)),
            Some(Gid::from_raw(gid as u32)),
            nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
        )
        .map_err(|e| write_error(&target, e.into()))?;
        if let Ok(mtime) = header.mtime() {
            let t = TimeSpec::new(mtime as i64, 0);
            // Best effort, as for any copy: the contents are what matter.
            let _ = nix::sys::stat::utimensat(
                Some(parent.as_raw_fd()),
                leaf.as_str(),
                &t,
                &t,
                UtimensatFlags::NoFollowSymlink,
            );
        }
    }
    Ok(())
}

/// Creates (or truncates) the regular file `name` in `parent`; a link in its place is replaced.
fn create_file(parent: &OwnedFd, name: &str, mode: Mode) -> std::io::Result<OwnedFd> {
    let flags =
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_TRUNC | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let open = || nix::fcntl::openat(Some(parent.as_raw_fd()), name, flags, mode);
    let fd = match open() {
        Err(Errno::ELOOP) => {
            nix::unistd::unlinkat(Some(parent.as_raw_fd()), name, UnlinkatFlags::NoRemoveDir)?;
            open()?
        }
        other => other?,
    };
    // SAFETY: `openat` returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn write_error(path: &str, e: std::io::Error) -> ApiError {
    if e.kind() == std::io::ErrorKind::NotFound {
        ApiError::not_found(format!("Could not find the file {path} in container"))
    } else {
        ApiError::internal(format!("cannot write {path}: {e}"))
    }
}
