//! Test images for every crate's tests: a root filesystem with Debian's busybox-static.

use std::io::Write;
use std::path::Path;
use std::process::Command;

pub const BUSYBOX: &str = "/bin/busybox";

/// A tar of a root filesystem: `bin/busybox`, one symlink per applet (`bin/<applet>` →
/// `busybox`), and `etc/passwd`, `etc/group` with root and nobody.
/// Panics when busybox-static is missing (`apt-get install busybox-static`): it is for tests.
pub fn busybox_rootfs_tar() -> Vec<u8> {
    let busybox = std::fs::read(BUSYBOX)
        .unwrap_or_else(|e| panic!("{BUSYBOX}: {e} (apt-get install busybox-static)"));
    let list = Command::new(BUSYBOX)
        .arg("--list")
        .output()
        .expect("busybox --list");
    let applets = String::from_utf8_lossy(&list.stdout).into_owned();
    let mut b = tar::Builder::new(Vec::new());
    for dir in ["bin", "etc", "tmp", "root", "proc", "sys", "dev"] {
        let mut h = header(
            tar::EntryType::Directory,
            if dir == "tmp" { 0o1777 } else { 0o755 },
            0,
        );
        b.append_data(&mut h, dir, std::io::empty()).expect("tar");
    }
    let mut h = header(tar::EntryType::Regular, 0o755, busybox.len() as u64);
    b.append_data(&mut h, "bin/busybox", busybox.as_slice())
        .expect("tar");
    for applet in applets
        .lines()
        .map(str::trim)
        .filter(|a| !a.is_empty() && *a != "busybox")
    {
        let mut h = header(tar::EntryType::Symlink, 0o777, 0);
        b.append_link(&mut h, format!("bin/{applet}"), "busybox")
            .expect("tar");
    }
    add_text(
        &mut b,
        "etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    );
    add_text(&mut b, "etc/group", "root:x:0:\nnogroup:x:65534:\n");
    b.into_inner().expect("tar")
}

/// Writes [`busybox_rootfs_tar`] to a file.
pub fn write_busybox_rootfs_tar(path: &Path) {
    let mut f = std::fs::File::create(path).expect("create tar");
    f.write_all(&busybox_rootfs_tar()).expect("write tar");
}

/// A tar with the given entries, for layer tests: (path, content); a path ending in `/` is
/// a directory.
pub fn tar_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, content) in entries {
        if path.ends_with('/') {
            let mut h = header(tar::EntryType::Directory, 0o755, 0);
            b.append_data(&mut h, path, std::io::empty()).expect("tar");
        } else {
            add_text(&mut b, path, content);
        }
    }
    b.into_inner().expect("tar")
}

fn add_text(b: &mut tar::Builder<Vec<u8>>, path: &str, content: &str) {
    let mut h = header(tar::EntryType::Regular, 0o644, content.len() as u64);
    b.append_data(&mut h, path, content.as_bytes())
        .expect("tar");
}

pub fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(1_700_000_000);
    h.set_uid(0);
    h.set_gid(0);
    h
}
