//! Paths inside a container's root, resolved by the kernel within that root
//! (`openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`), and what `docker cp` reports of them.

use nix::fcntl::{openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{fstat, FileStat, Mode, SFlag};
use serde::Serialize;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// A running container's root directory, held open.
pub(crate) struct Root {
    fd: OwnedFd,
}

/// `X-Docker-Container-Path-Stat`: Go's `os.FileMode` bits in `mode`.
#[derive(Debug, Clone, Serialize)]
pub struct PathStat {
    pub name: String,
    pub size: i64,
    pub mode: u32,
    pub mtime: String,
    #[serde(rename = "linkTarget")]
    pub link_target: String,
}

/// Go's `os.FileMode` type bits.
const GO_DIR: u32 = 1 << 31;
const GO_SYMLINK: u32 = 1 << 27;
const GO_DEVICE: u32 = 1 << 26;
const GO_PIPE: u32 = 1 << 25;
const GO_SOCKET: u32 = 1 << 24;
const GO_SETUID: u32 = 1 << 23;
const GO_SETGID: u32 = 1 << 22;
const GO_CHARDEV: u32 = 1 << 21;
const GO_STICKY: u32 = 1 << 20;

impl PathStat {
    pub fn is_dir(&self) -> bool {
        self.mode & GO_DIR != 0
    }
}

fn errno(e: nix::Error) -> io::Error {
    io::Error::from_raw_os_error(e as i32)
}

impl Root {
    pub(crate) fn open(pid: u32) -> io::Result<Root> {
        let fd = nix::fcntl::open(
            format!("/proc/{pid}/root").as_str(),
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(errno)?;
        // SAFETY: `open` returned a new descriptor that nothing else owns.
        Ok(Root {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// Opens `path` inside the root with `flags`; a final symbolic link is not followed.
    pub(crate) fn open_in(&self, path: &str, flags: OFlag) -> io::Result<OwnedFd> {
        let how = OpenHow::new()
            .flags(flags | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        let rel = path.trim_start_matches('/');
        let rel = if rel.is_empty() { "." } else { rel };
        let fd = openat2(self.fd.as_raw_fd(), rel, how).map_err(errno)?;
        // SAFETY: `openat2` returned a new descriptor that nothing else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// What `path` is (a final link itself, not its target).
    pub(crate) fn lstat(&self, path: &str) -> io::Result<(OwnedFd, FileStat)> {
        let fd = self.open_in(path, OFlag::O_PATH)?;
        let st = fstat(fd.as_raw_fd()).map_err(errno)?;
        Ok((fd, st))
    }

    pub(crate) fn stat(&self, path: &str) -> io::Result<PathStat> {
        let (fd, st) = self.lstat(path)?;
        let link_target = if kind(&st) == SFlag::S_IFLNK {
            read_link(&fd)?
        } else {
            String::new()
        };
        Ok(PathStat {
            name: base_name(path),
            size: st.st_size,
            mode: go_mode(&st),
            mtime: chrono::DateTime::from_timestamp(st.st_mtime, st.st_mtime_nsec as u32)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            link_target,
        })
    }
}

pub(crate) fn kind(st: &FileStat) -> SFlag {
    SFlag::from_bits_truncate(st.st_mode & SFlag::S_IFMT.bits())
}

/// The target of the link `fd` (opened with O_PATH | O_NOFOLLOW) points at.
pub(crate) fn read_link(fd: &OwnedFd) -> io::Result<String> {
    let target = nix::fcntl::readlinkat(Some(fd.as_raw_fd()), "").map_err(errno)?;
    Ok(target.to_string_lossy().into_owned())
}

/// The last component of a container path, `/` for the root.
pub(crate) fn base_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "/".into())
}

fn go_mode(st: &FileStat) -> u32 {
    let mut m = st.st_mode & 0o777;
    m |= match kind(st) {
        SFlag::S_IFDIR => GO_DIR,
        SFlag::S_IFLNK => GO_SYMLINK,
        SFlag::S_IFBLK => GO_DEVICE,
        SFlag::S_IFCHR => GO_DEVICE | GO_CHARDEV,
        SFlag::S_IFIFO => GO_PIPE,
        SFlag::S_IFSOCK => GO_SOCKET,
        _ => 0,
    };
    if st.st_mode & 0o4000 != 0 {
        m |= GO_SETUID;
    }
    if st.st_mode & 0o2000 != 0 {
        m |= GO_SETGID;
    }
    if st.st_mode & 0o1000 != 0 {
        m |= GO_STICKY;
    }
    m
}
