//! Test fixtures: a busybox root filesystem, a runtime rooted in a temp dir using this
//! package's helper and monitor binaries, a per-fixture cgroup parent, and cleanup of every
//! container, cgroup and netns in `Drop`, even when the test fails. Needs root.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use berth_runtime::{
    AttachOptions, ContainerSpec, NetworkNamespace, Output, Runtime, RuntimeConfig, SeccompMode,
};

static SEQ: AtomicUsize = AtomicUsize::new(0);

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub runtime: Runtime,
    config: RuntimeConfig,
    /// cgroup parent of this fixture's containers, e.g. `/berthtest-123-4`.
    pub cgroup_parent: String,
    pub prefix: String,
    ids: std::sync::Mutex<Vec<String>>,
    netns: std::sync::Mutex<Vec<PathBuf>>,
}

/// A rootfs made from Debian's busybox-static: bin/busybox, a symlink per applet, and an
/// etc/passwd and etc/group with root and nobody.
pub fn busybox_rootfs(root: &Path) {
    for d in ["bin", "etc", "proc", "sys", "dev", "tmp", "root", "mnt"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::copy("/bin/busybox", root.join("bin/busybox"))
        .expect("busybox-static is needed: apt-get install -y busybox-static");
    let list = std::process::Command::new("/bin/busybox")
        .arg("--list")
        .output()
        .unwrap();
    for applet in String::from_utf8_lossy(&list.stdout).lines() {
        let link = root.join("bin").join(applet);
        if applet != "busybox" && !link.exists() {
            std::os::unix::fs::symlink("busybox", link).unwrap();
        }
    }
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    )
    .unwrap();
    std::fs::write(root.join("etc/group"), "root:x:0:\nnogroup:x:65534:\n").unwrap();
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::Builder::new()
            .prefix("brt")
            .tempdir_in("/tmp")
            .unwrap();
        let n = SEQ.fetch_add(1, Ordering::SeqCst);
        let cfg = RuntimeConfig {
            exec_root: dir.path().join("run"),
            // BERTH_TEST_MONITOR / BERTH_TEST_HELPER: measure other builds (e.g. release).
            helper: vec![std::env::var("BERTH_TEST_HELPER")
                .unwrap_or_else(|_| env!("CARGO_BIN_EXE_berth-runtime-helper").to_string())],
            monitor: vec![std::env::var("BERTH_TEST_MONITOR")
                .unwrap_or_else(|_| env!("CARGO_BIN_EXE_berth-monitor").to_string())],
        };
        Fixture {
            runtime: Runtime::new(cfg.clone()),
            config: cfg,
            cgroup_parent: format!("/berthtest-{}-{n}", std::process::id()),
            prefix: format!("t{}-{n}", std::process::id()),
            dir,
            ids: Default::default(),
            netns: Default::default(),
        }
    }

    pub fn runtime_config(&self) -> RuntimeConfig {
        self.config.clone()
    }

    /// A fresh netns with `lo` up, removed at drop.
    pub fn netns(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join("netns").join(name);
        berth_netsys::create_netns(&path).unwrap();
        self.netns.lock().unwrap().push(path.clone());
        let nl = berth_netsys::in_netns(&path, berth_netsys::Netlink::new)
            .unwrap()
            .unwrap();
        let lo = nl.link("lo").unwrap().unwrap();
        nl.set_up(lo.index).unwrap();
        path
    }

    /// A spec with its own busybox rootfs, running `args`, in `network`.
    pub fn spec(&self, name: &str, args: &[&str], network: NetworkNamespace) -> ContainerSpec {
        let id = format!("{}-{name}", self.prefix);
        let rootfs = self.dir.path().join("rootfs").join(&id);
        busybox_rootfs(&rootfs);
        self.ids.lock().unwrap().push(id.clone());
        ContainerSpec {
            log_path: self.dir.path().join("logs").join(format!("{id}-json.log")),
            cgroups_path: Some(format!("{}/{id}", self.cgroup_parent)),
            id,
            rootfs,
            args: args.iter().map(|s| s.to_string()).collect(),
            env: vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()],
            cwd: String::new(),
            user: String::new(),
            hostname: "berthtest".into(),
            tty: false,
            open_stdin: false,
            network,
            host_uts: false,
            mounts: Vec::new(),
            tmpfs: Vec::new(),
            no_new_privileges: false,
            privileged: false,
            cap_add: Vec::new(),
            cap_drop: Vec::new(),
            seccomp: SeccompMode::Default,
        }
    }

    /// create → attach → start → read to the exit: (stdout, stderr, exit code).
    pub fn run(&self, spec: &ContainerSpec) -> (String, String, i32) {
        self.runtime.create(spec).unwrap();
        let opts = AttachOptions {
            stdin: false,
            stdout: true,
            stderr: true,
        };
        let mut att = self.runtime.attach(&spec.id, opts).unwrap();
        self.runtime.start_created(&spec.id).unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        loop {
            match att.output.recv().unwrap() {
                Some(Output::Stdout(d)) => out.extend(d),
                Some(Output::Stderr(d)) => err.extend(d),
                Some(Output::Exit(e)) => {
                    return (
                        String::from_utf8_lossy(&out).into_owned(),
                        String::from_utf8_lossy(&err).into_owned(),
                        e.exit_code,
                    )
                }
                None => panic!("attach stream ended without an exit"),
            }
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        for id in self.ids.lock().unwrap().iter() {
            if self.runtime.status(id).ok().flatten().is_some() {
                let _ = self.runtime.kill(id, libc::SIGKILL);
                let _ = self.runtime.wait(id, Some(Duration::from_secs(5)));
            }
            if let Err(e) = self.runtime.delete(id) {
                eprintln!("cleanup of {id}: {e}");
            }
        }
        if let Ok(entries) = std::fs::read_dir("/sys/fs/cgroup") {
            let rel = self.cgroup_parent.trim_start_matches('/');
            for e in entries.flatten() {
                let _ = std::fs::remove_dir(e.path().join(rel));
            }
        }
        for ns in self.netns.lock().unwrap().iter() {
            let _ = berth_netsys::delete_netns(ns);
        }
    }
}
