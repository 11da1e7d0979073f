//! Named network namespaces, made without fork(): a throw-away thread unshares its netns and
//! bind-mounts it onto a file. setns/unshare change only the calling thread, so every namespace
//! switch happens on a thread that exits afterwards and never on a pooled (e.g. tokio) thread.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{setns, unshare, CloneFlags};

use crate::NetsysError;

fn errno(e: nix::errno::Errno) -> io::Error {
    io::Error::from_raw_os_error(e as i32)
}

/// Runs `f` on a new OS thread and waits for it, mapping a panic or spawn failure to an error.
fn on_fresh_thread<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, NetsysError> {
    let handle = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .map_err(|e| NetsysError::Thread(format!("cannot spawn: {e}")))?;
    handle
        .join()
        .map_err(|panic| NetsysError::Thread(format!("panicked: {}", panic_text(&panic))))
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Creates a new network namespace pinned at `path` (a file, created here; its directory is
/// created if missing). Fails if `path` already exists.
pub fn create_netns(path: &Path) -> Result<(), NetsysError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| NetsysError::netns("create directory for", path, e))?;
    }
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| NetsysError::netns("create", path, e))?;
    let target = path.to_path_buf();
    let pinned = on_fresh_thread("berth-netns-new", move || pin_new_netns(&target));
    let result = match pinned {
        Ok(inner) => inner,
        Err(e) => Err(e),
    };
    if result.is_err() {
        // Leave nothing behind: the mount (if it happened) and the placeholder file.
        let _ = umount2(path, MntFlags::MNT_DETACH);
        let _ = fs::remove_file(path);
    }
    result
}

/// Runs on a throw-away thread: the thread's new netns lives on through the bind mount.
fn pin_new_netns(target: &Path) -> Result<(), NetsysError> {
    unshare(CloneFlags::CLONE_NEWNET)
        .map_err(|e| NetsysError::netns("unshare for", target, errno(e)))?;
    mount(
        Some("/proc/thread-self/ns/net"),
        target,
        None::<&str>,
        MsFlags::MS_BIND,
        None::<&str>,
    )
    .map_err(|e| NetsysError::netns("bind-mount", target, errno(e)))
}

/// Unmounts and removes a namespace made by [`create_netns`]. A missing or unmounted path is
/// fine, so teardown and reconcile can call it blindly. The kernel frees the namespace once no
/// process, socket or mount refers to it any more.
pub fn delete_netns(path: &Path) -> Result<(), NetsysError> {
    match umount2(path, MntFlags::MNT_DETACH) {
        // EINVAL: not a mount point (already unmounted); ENOENT: no such file.
        Ok(()) | Err(nix::errno::Errno::EINVAL) | Err(nix::errno::Errno::ENOENT) => {}
        Err(e) => return Err(NetsysError::netns("unmount", path, errno(e))),
    }
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(NetsysError::netns("remove", path, e)),
    }
}

/// Runs `f` on a fresh thread that has joined the netns at `path` and returns its result. The
/// thread exits afterwards, so no thread is ever left inside another namespace. Sockets opened
/// by `f` stay bound to that namespace: `in_netns(path, Netlink::new)` gives a handle into it.
/// A panic in `f` is returned as [`NetsysError::Thread`].
pub fn in_netns<T: Send + 'static>(
    path: &Path,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, NetsysError> {
    let ns = File::open(path).map_err(|e| NetsysError::netns("open", path, e))?;
    let target = path.to_path_buf();
    on_fresh_thread("berth-netns-in", move || {
        setns(&ns, CloneFlags::CLONE_NEWNET)
            .map_err(|e| NetsysError::netns("enter", &target, errno(e)))?;
        drop(ns);
        Ok(f())
    })?
}
