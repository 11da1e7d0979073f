//! Docker's default seccomp profile in real containers (root needed): the filter is on, it
//! refuses what Docker's refuses even where capabilities would allow it, it follows
//! `--cap-add`, it is off for `--privileged` and `seccomp=unconfined`, and exec'd processes
//! run under it too.

mod common;

use std::time::{Duration, Instant};

use berth_runtime::{ExecSpec, NetworkNamespace, SeccompMode};
use common::Fixture;

fn none(f: &Fixture, name: &str) -> NetworkNamespace {
    NetworkNamespace::Path(f.netns(name))
}

/// `unshare -U` needs no capability, only the filter refuses it (Docker allows `unshare`
/// only with CAP_SYS_ADMIN).
const PROBE: &str = "grep -E '^(Seccomp|NoNewPrivs|CapBnd):' /proc/self/status; \
     unshare -U true && echo unshare=ok || echo unshare=refused";

#[test]
fn default_profile_is_on_and_refuses_what_caps_would_allow() {
    let f = Fixture::new();
    let spec = f.spec("filtered", &["sh", "-c", PROBE], none(&f, "filtered"));
    let (out, err, code) = f.run(&spec);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Seccomp:\t2"), "{out}");
    // Docker's default: setuid binaries keep working.
    assert!(out.contains("NoNewPrivs:\t0"), "{out}");
    assert!(out.contains("unshare=refused"), "{out}");
    assert!(err.contains("Operation not permitted"), "{err}");
}

#[test]
fn no_new_privileges_and_the_filter_together() {
    // With no_new_privs libcontainer loads the filter after dropping capabilities.
    let f = Fixture::new();
    let mut spec = f.spec("nnp", &["sh", "-c", PROBE], none(&f, "nnp"));
    spec.no_new_privileges = true;
    spec.user = "nobody".into();
    let (out, err, code) = f.run(&spec);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Seccomp:\t2") && out.contains("NoNewPrivs:\t1"),
        "{out}"
    );
    assert!(out.contains("unshare=refused"), "{out}");
}

/// Builds `tests/fixtures/seccomp_probe.c` statically into the container's /bin.
fn install_probe(rootfs: &std::path::Path) {
    let src = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seccomp_probe.c"
    );
    let out = rootfs.join("bin/seccomp-probe");
    let status = std::process::Command::new("cc")
        .args(["-static", "-O2", "-o"])
        .arg(&out)
        .arg(src)
        .status()
        .expect("a C compiler (cc) with a static libc is needed for this test");
    assert!(status.success(), "building the probe");
}

#[test]
fn argument_rules_clone_personality_socket() {
    let f = Fixture::new();
    let spec = f.spec("probe", &["seccomp-probe"], none(&f, "probe"));
    install_probe(&spec.rootfs);
    let (out, err, code) = f.run(&spec);
    assert_eq!(code, 0, "{err}");
    for line in [
        "clone_plain=ok",
        "clone_newuser=Operation not permitted",
        "clone3=Function not implemented",
        "personality_linux32=ok",
        "personality_norandom=Operation not permitted",
        "socket_alg=Operation not permitted",
        "socket_vsock=Operation not permitted",
        "socket_inet=ok",
    ] {
        assert!(out.lines().any(|l| l == line), "{line} in:\n{out}");
    }

    // The same calls unconfined: the refusals above were the filter's.
    let mut spec = f.spec("probe-free", &["seccomp-probe"], none(&f, "probe-free"));
    spec.seccomp = SeccompMode::Unconfined;
    install_probe(&spec.rootfs);
    let (out, _, _) = f.run(&spec);
    for line in ["clone_newuser=ok", "personality_norandom=ok"] {
        assert!(out.lines().any(|l| l == line), "{line} in:\n{out}");
    }
}

#[test]
fn unconfined_runs_without_a_filter() {
    let f = Fixture::new();
    let mut spec = f.spec("unconfined", &["sh", "-c", PROBE], none(&f, "unconfined"));
    spec.seccomp = SeccompMode::Unconfined;
    let (out, err, code) = f.run(&spec);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Seccomp:\t0"), "{out}");
    // The same call the filter refuses: it was the filter, not the capabilities.
    assert!(out.contains("unshare=ok"), "{out}{err}");
}

#[test]
fn cap_add_sys_admin_opens_the_admin_group() {
    let f = Fixture::new();
    let mut spec = f.spec("admin", &["sh", "-c", PROBE], none(&f, "admin"));
    spec.cap_add = vec!["SYS_ADMIN".into()];
    let (out, err, code) = f.run(&spec);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Seccomp:\t2"), "{out}");
    assert!(out.contains("unshare=ok"), "{out}{err}");
    // Docker's 14 plus CAP_SYS_ADMIN (bit 21).
    assert!(out.contains("CapBnd:\t00000000a82425fb"), "{out}");
}

#[test]
fn cap_drop_takes_capabilities_away() {
    let f = Fixture::new();
    let mut spec = f.spec(
        "dropped",
        &[
            "sh",
            "-c",
            "grep CapBnd /proc/self/status; chown 65534 /tmp",
        ],
        none(&f, "dropped"),
    );
    spec.cap_drop = vec!["chown".into()];
    let (out, err, code) = f.run(&spec);
    assert_ne!(code, 0);
    assert!(out.contains("CapBnd:\t00000000a80425fa"), "{out}");
    assert!(err.contains("Operation not permitted"), "{err}");
}

#[test]
fn privileged_has_no_filter_every_capability_and_the_host_devices() {
    let f = Fixture::new();
    let mut spec = f.spec(
        "privileged",
        &[
            "sh",
            "-c",
            &format!("{PROBE}; grep CapEff /proc/self/status; ls /dev/null /dev/tty; mount -t tmpfs none /mnt && echo mounted; touch /sys/x 2>&1 | grep -q Read-only || echo sys-rw"),
        ],
        none(&f, "privileged"),
    );
    spec.privileged = true;
    let (out, err, code) = f.run(&spec);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Seccomp:\t0"), "{out}");
    assert!(out.contains("unshare=ok"), "{out}{err}");
    // Every capability the host (this test process) has.
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let ours = status
        .lines()
        .find(|l| l.starts_with("CapBnd:"))
        .unwrap()
        .replace("CapBnd:", "CapEff:");
    assert!(out.contains(&ours), "{out}");
    assert!(out.contains("/dev/tty"), "{out}");
    assert!(out.contains("mounted"), "{out}{err}");
    assert!(out.contains("sys-rw"), "{out}{err}");
}

#[test]
fn everyday_commands_still_work_under_the_filter() {
    let f = Fixture::new();
    let script = "set -e; \
        ls / >/dev/null; ps >/dev/null; date >/dev/null; mkdir -p /tmp/d; chmod 700 /tmp/d; \
        echo hi | sed s/hi/ho/ | grep -q ho; \
        ip addr | grep -q 127.0.0.1; \
        ping -c 1 -W 2 127.0.0.1 >/dev/null; \
        (nc -l -p 7000 > /tmp/got &); sleep 0.3; echo over-nc | nc 127.0.0.1 7000; sleep 0.3; \
        grep -q over-nc /tmp/got; \
        echo page > /tmp/index.html; httpd -p 8080 -h /tmp; sleep 0.3; \
        wget -q -O - http://127.0.0.1:8080/index.html | grep -q page; \
        linux32 true; \
        grep Seccomp: /proc/self/status";
    let spec = f.spec("everyday", &["sh", "-c", script], none(&f, "everyday"));
    let (out, err, code) = f.run(&spec);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Seccomp:\t2"), "{out}");
}

#[test]
fn exec_runs_under_the_containers_filter() {
    let f = Fixture::new();
    let spec = f.spec("exec", &["sleep", "1000"], none(&f, "exec"));
    f.runtime.start(&spec).unwrap();
    for user in ["", "nobody"] {
        let exec = ExecSpec {
            args: vec!["sh".into(), "-c".into(), PROBE.into()],
            user: user.into(),
            ..ExecSpec::default()
        };
        let (out, err, code) = f.runtime.exec(&spec.id, &exec).unwrap().collect().unwrap();
        let out = String::from_utf8_lossy(&out);
        assert_eq!(code, 0, "{user}: {err:?}");
        assert!(out.contains("Seccomp:\t2"), "{user}: {out}");
        assert!(out.contains("unshare=refused"), "{user}: {out}");
    }
    // Not-found errors keep Docker's text through the filtering executor.
    let missing = ExecSpec {
        args: vec!["nosuch".into()],
        ..ExecSpec::default()
    };
    let err = f.runtime.exec(&spec.id, &missing).err().unwrap();
    assert_eq!(err.exit_code(), Some(127), "{err}");
}

#[test]
fn exec_in_an_unconfined_container_is_unconfined() {
    let f = Fixture::new();
    let mut spec = f.spec("exec-free", &["sleep", "1000"], none(&f, "exec-free"));
    spec.seccomp = SeccompMode::Unconfined;
    f.runtime.start(&spec).unwrap();
    let exec = ExecSpec {
        args: vec!["sh".into(), "-c".into(), PROBE.into()],
        ..ExecSpec::default()
    };
    let (out, _, code) = f.runtime.exec(&spec.id, &exec).unwrap().collect().unwrap();
    let out = String::from_utf8_lossy(&out);
    assert_eq!(code, 0);
    assert!(out.contains("Seccomp:\t0"), "{out}");
    assert!(out.contains("NoNewPrivs:\t0"), "{out}");
}

/// What the filter costs per container: create + start + exit of `true`, with and without
/// it, interleaved. `cargo test -p berth-runtime --test seccomp seccomp_cost -- --ignored
/// --nocapture`
#[test]
#[ignore]
fn seccomp_cost() {
    let f = Fixture::new();
    let mut times = [Vec::new(), Vec::new()];
    for i in 0..20 {
        for (k, mode) in [SeccompMode::Default, SeccompMode::Unconfined]
            .into_iter()
            .enumerate()
        {
            let name = format!("cost{i}-{k}");
            let mut spec = f.spec(&name, &["true"], none(&f, &name));
            spec.seccomp = mode;
            let t = Instant::now();
            f.runtime.start(&spec).unwrap();
            f.runtime
                .wait(&spec.id, Some(Duration::from_secs(10)))
                .unwrap();
            times[k].push(t.elapsed());
            f.runtime.delete(&spec.id).unwrap();
        }
    }
    for (k, label) in ["default profile", "unconfined"].iter().enumerate() {
        times[k].sort();
        println!(
            "{label}: median {:?}, min {:?}",
            times[k][times[k].len() / 2],
            times[k][0]
        );
    }
}
