//! Helpers for kernel tests, here and in later crates: each test runs in a network namespace
//! of its own, so it can neither see nor damage the host's network, and leaves nothing behind.
//! Needs root (CAP_SYS_ADMIN).

use crate::Netlink;

/// Runs `f` on a new thread that first unshares its network namespace. The namespace starts
/// with only `lo` (down) and is freed when the thread ends, unless `f` pinned it somewhere.
/// A panic in `f` (a failed assertion) is re-raised in the caller.
pub fn in_private_netns<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::spawn(move || {
        if let Err(e) = nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET) {
            panic!("unshare(CLONE_NEWNET) failed ({e}); kernel tests need root");
        }
        f()
    });
    match handle.join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Like [`in_private_netns`], handing `f` a [`Netlink`] bound to that private namespace.
pub fn with_private_netlink<T: Send + 'static>(
    f: impl FnOnce(&Netlink) -> T + Send + 'static,
) -> T {
    in_private_netns(move || {
        let netlink = match Netlink::new() {
            Ok(netlink) => netlink,
            Err(e) => panic!("cannot open netlink in the private netns: {e}"),
        };
        f(&netlink)
    })
}
