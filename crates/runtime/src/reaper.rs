//! Reaping the monitors. A monitor double-forks so the daemon never waits for it; with the
//! daemon a child subreaper (`PR_SET_CHILD_SUBREAPER`), the orphaned monitor becomes the
//! daemon's child, and when it exits it stays a zombie until the daemon reaps it. Only the
//! monitor PIDs registered here are waited for, each by its PID: a `waitpid(-1)` would steal
//! the exit statuses of the helper processes the runtime waits for itself.
//!
//! A registered PID cannot be reused while it is registered: it is the daemon's child (alive or
//! a zombie) until this reaper waits for it. A PID that is not the daemon's child (the daemon is
//! no subreaper, as in the runtime's own tests) answers ECHILD and is dropped.

use std::collections::HashSet;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

/// How often registered monitors are checked while any is registered.
const INTERVAL: Duration = Duration::from_millis(200);

#[derive(Debug, Default)]
struct Shared {
    pids: Mutex<HashSet<i32>>,
    wake: Condvar,
}

/// The set of monitor PIDs the daemon is to reap, and the thread that reaps them.
#[derive(Debug, Clone, Default)]
pub struct MonitorReaper {
    shared: Arc<Shared>,
}

impl MonitorReaper {
    /// A reaper with its thread running. The thread sleeps while no monitor is registered.
    pub fn start() -> MonitorReaper {
        let reaper = MonitorReaper::default();
        let shared = reaper.shared.clone();
        let spawned = std::thread::Builder::new()
            .name("monitor-reaper".into())
            .spawn(move || loop {
                let pids = shared.pids.lock().unwrap_or_else(|p| p.into_inner());
                let pids = if pids.is_empty() {
                    shared.wake.wait(pids).unwrap_or_else(|p| p.into_inner())
                } else {
                    pids
                };
                drop(pids);
                reap_registered(&shared);
                std::thread::sleep(INTERVAL);
            });
        if let Err(e) = spawned {
            eprintln!("berth: no monitor reaper thread ({e}); exited monitors stay zombies");
        }
        reaper
    }

    /// The monitor `pid` is now the daemon's to reap.
    pub fn register(&self, pid: i32) {
        if pid <= 0 {
            return;
        }
        let mut pids = self.shared.pids.lock().unwrap_or_else(|p| p.into_inner());
        pids.insert(pid);
        self.shared.wake.notify_all();
    }

    /// Reaps every registered monitor that has exited; returns how many are still registered.
    pub fn reap_now(&self) -> usize {
        reap_registered(&self.shared)
    }
}

fn reap_registered(shared: &Shared) -> usize {
    let mut pids = shared.pids.lock().unwrap_or_else(|p| p.into_inner());
    pids.retain(|&pid| {
        match waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => true,
            // Exited or killed: reaped now. ECHILD: not ours to reap.
            Ok(_) | Err(Errno::ECHILD) => false,
            Err(_) => true,
        }
    });
    pids.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    // The point of the test: the child is reaped by the reaper, not by `Child::wait`.
    #[allow(clippy::zombie_processes)]
    fn reaps_a_registered_child_and_drops_a_stranger() {
        let child = std::process::Command::new("true").spawn().unwrap();
        let reaper = MonitorReaper::default();
        reaper.register(child.id() as i32);
        // PID 1 is never this test's child: ECHILD, dropped
        reaper.register(1);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while reaper.reap_now() > 0 {
            assert!(std::time::Instant::now() < deadline, "not reaped");
            std::thread::sleep(Duration::from_millis(10));
        }
        // the child was reaped here: no zombie is left under this PID
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id()));
        assert!(stat.is_err() || !stat.unwrap().contains(") Z "));
    }
}
