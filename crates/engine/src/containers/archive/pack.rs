//! A container path as a tar, walked entry by entry through the root (see [`super::resolve`]):
//! directories recursively in name order, regular files with their contents, links as links.
//! Devices, pipes and sockets are left out.

use super::resolve::{kind, read_link, PathStat, Root};
use berth_model::ApiError;
use nix::fcntl::OFlag;
use nix::sys::stat::SFlag;
use std::io::{self, Read, Write};
use std::os::fd::IntoRawFd;

pub(crate) struct Packing<'a, W: Write> {
    pub root: &'a Root,
    pub stat: PathStat,
    pub path: String,
    pub out: W,
}

impl<W: Write> Packing<'_, W> {
    pub(crate) fn run(self) -> Result<(), ApiError> {
        let mut builder = tar::Builder::new(self.out);
        builder.follow_symlinks(false);
        let name = if self.stat.name == "/" {
            ".".to_string()
        } else {
            self.stat.name.clone()
        };
        add(self.root, &self.path, &name, &mut builder)
            .and_then(|()| builder.finish())
            .map_err(|e| ApiError::internal(format!("cannot archive {}: {e}", self.path)))
    }
}

fn add<W: Write>(root: &Root, path: &str, name: &str, b: &mut tar::Builder<W>) -> io::Result<()> {
    let (fd, st) = root.lstat(path)?;
    let mut h = tar::Header::new_gnu();
    h.set_mode(st.st_mode & 0o7777);
    h.set_uid(u64::from(st.st_uid));
    h.set_gid(u64::from(st.st_gid));
    h.set_mtime(st.st_mtime.max(0) as u64);
    h.set_size(0);
    match kind(&st) {
        SFlag::S_IFDIR => {
            h.set_entry_type(tar::EntryType::Directory);
            b.append_data(&mut h, format!("{name}/"), io::empty())?;
            let dir_fd = root.open_in(path, OFlag::O_RDONLY | OFlag::O_DIRECTORY)?;
            let mut dir = nix::dir::Dir::from_fd(dir_fd.into_raw_fd())
                .map_err(|e| io::Error::from_raw_os_error(e as i32))?;
            let mut children: Vec<String> = dir
                .iter()
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != "." && n != "..")
                .collect();
            children.sort();
            let base = path.trim_end_matches('/');
            for child in children {
                add(
                    root,
                    &format!("{base}/{child}"),
                    &format!("{name}/{child}"),
                    b,
                )?;
            }
        }
        SFlag::S_IFREG => {
            let size = st.st_size.max(0) as u64;
            h.set_entry_type(tar::EntryType::Regular);
            h.set_size(size);
            let file = std::fs::File::from(root.open_in(path, OFlag::O_RDONLY)?);
            // A file that shrank meanwhile is padded with zeros: the header's size stands.
            let body = file.take(size).chain(io::repeat(0)).take(size);
            b.append_data(&mut h, name, body)?;
        }
        SFlag::S_IFLNK => {
            h.set_entry_type(tar::EntryType::Symlink);
            b.append_link(&mut h, name, read_link(&fd)?)?;
        }
        _ => {}
    }
    Ok(())
}
