//! Netlink sockets inside other network namespaces, opened by one long-lived helper thread.
//!
//! A socket belongs to the namespace of the thread that created it, and `setns` moves only the
//! calling thread, so the socket must be made on a thread that has entered the namespace.
//! Spawning a thread per request (as [`crate::in_netns`] does) costs a clone and a join; this
//! helper is spawned once and, per request, enters the target namespace, opens the socket and
//! goes back to its home namespace at once, so it never keeps a container's namespace alive.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Mutex, MutexGuard};

use nix::sched::{setns, CloneFlags};

use super::socket::NlSocket;
use crate::NetsysError;

type Reply = Result<NlSocket, NetsysError>;

struct Job {
    netns: File,
    path: PathBuf,
    reply: SyncSender<Reply>,
}

pub(crate) struct NsSocketOpener {
    /// The namespace the helper returns to after each job: the one `Netlink::new` ran in.
    home: File,
    /// `None` until the first request, and again after the helper died.
    helper: Mutex<Option<Sender<Job>>>,
}

impl NsSocketOpener {
    /// Remembers the calling thread's namespace as the helper's home.
    pub(crate) fn new() -> Result<Self, NetsysError> {
        let home = File::open("/proc/thread-self/ns/net")
            .map_err(|e| NetsysError::io("open own network namespace", e))?;
        Ok(NsSocketOpener {
            home,
            helper: Mutex::new(None),
        })
    }

    /// A netlink socket inside the namespace `netns` (opened from `path`) refers to.
    pub(crate) fn open(&self, netns: &File, path: &Path) -> Result<NlSocket, NetsysError> {
        // A helper that died (it could not go home) is replaced once.
        for _ in 0..2 {
            let (reply, answer) = mpsc::sync_channel(1);
            let job = Job {
                netns: netns
                    .try_clone()
                    .map_err(|e| NetsysError::io("duplicate netns descriptor", e))?,
                path: path.to_path_buf(),
                reply,
            };
            let sent = self.sender()?.send(job);
            if sent.is_err() {
                *self.slot() = None;
                continue;
            }
            match answer.recv() {
                Ok(result) => return result,
                Err(_) => *self.slot() = None,
            }
        }
        Err(NetsysError::Thread(
            "netns socket helper keeps dying".to_string(),
        ))
    }

    fn slot(&self) -> MutexGuard<'_, Option<Sender<Job>>> {
        self.helper.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn sender(&self) -> Result<Sender<Job>, NetsysError> {
        let mut slot = self.slot();
        if let Some(sender) = slot.as_ref() {
            return Ok(sender.clone());
        }
        let home = self
            .home
            .try_clone()
            .map_err(|e| NetsysError::io("duplicate netns descriptor", e))?;
        let (sender, jobs) = mpsc::channel();
        std::thread::Builder::new()
            .name("berth-netns-sock".to_string())
            .spawn(move || serve(home, jobs))
            .map_err(|e| NetsysError::Thread(format!("cannot spawn: {e}")))?;
        *slot = Some(sender.clone());
        Ok(sender)
    }
}

/// The helper's loop; it ends when the opener is dropped, or when it cannot return home (it
/// must then not serve again, and exiting drops its hold on the foreign namespace).
fn serve(home: File, jobs: Receiver<Job>) {
    if setns(&home, CloneFlags::CLONE_NEWNET).is_err() {
        return;
    }
    for job in jobs {
        let opened = match setns(&job.netns, CloneFlags::CLONE_NEWNET) {
            Ok(()) => NlSocket::open(),
            Err(e) => Err(NetsysError::netns(
                "enter",
                &job.path,
                std::io::Error::from_raw_os_error(e as i32),
            )),
        };
        let home_again = setns(&home, CloneFlags::CLONE_NEWNET).is_ok();
        // The caller may have given up; nothing to do about it.
        let _ = job.reply.send(opened);
        if !home_again {
            return;
        }
    }
}
