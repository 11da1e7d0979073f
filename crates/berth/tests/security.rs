//! Docker's container security end to end: the default seccomp profile, `--privileged`,
//! `--cap-add`/`--cap-drop` and `--security-opt`, through the berth CLI and the docker CLI.

mod harness;

use harness::ctr::*;

const STATUS: &str = "grep -E '^(Seccomp|CapBnd):' /proc/self/status; \
     unshare -U true 2>/dev/null && echo unshare=ok || echo unshare=refused";

#[test]
fn default_profile_privileged_and_unconfined() {
    let d = daemon_with_busybox();
    for (tool, out) in both(&d, &wt("run --rm --network none busybox sh -c", &[STATUS])) {
        let text = out.ok();
        assert!(text.contains("Seccomp:\t2"), "{tool}: {text}");
        assert!(text.contains("CapBnd:\t00000000a80425fb"), "{tool}: {text}");
        assert!(text.contains("unshare=refused"), "{tool}: {text}");
    }
    for flags in ["--privileged", "--security-opt seccomp=unconfined"] {
        let line = format!("run --rm --network none {flags} busybox sh -c");
        for (tool, out) in both(&d, &wt(&line, &[STATUS])) {
            let text = out.ok();
            assert!(text.contains("Seccomp:\t0"), "{tool} {flags}: {text}");
            assert!(text.contains("unshare=ok"), "{tool} {flags}: {text}");
        }
    }
}

#[test]
fn capabilities_follow_cap_add_and_cap_drop() {
    let d = daemon_with_busybox();
    let line = "run --rm --network none --cap-add sys_admin --cap-drop CHOWN busybox sh -c";
    for (tool, out) in both(&d, &wt(line, &[STATUS])) {
        let text = out.ok();
        // Docker's 14 - CHOWN + SYS_ADMIN; the filter opens unshare with CAP_SYS_ADMIN.
        assert!(text.contains("CapBnd:\t00000000a82425fa"), "{tool}: {text}");
        assert!(text.contains("Seccomp:\t2"), "{tool}: {text}");
        assert!(text.contains("unshare=ok"), "{tool}: {text}");
    }
    for (tool, out) in both(&d, &w("create --cap-add FOO busybox true")) {
        out.fails_with("invalid CapAdd: unknown capability: \"CAP_FOO\"");
        let _ = tool;
    }
}

#[test]
fn security_opts_are_checked_and_shown_by_inspect() {
    let d = daemon_with_busybox();
    let id = berth(
        &d,
        &w("create --network none --security-opt seccomp=unconfined --security-opt no-new-privileges busybox true"),
    )
    .ok()
    .trim()
    .to_string();
    let host = &inspect(&d, &id)["HostConfig"];
    assert_eq!(
        host["SecurityOpt"],
        serde_json::json!(["seccomp=unconfined", "no-new-privileges"])
    );
    berth(&d, &["rm", &id]).ok();

    for (_, out) in both(&d, &w("create --security-opt bogus=1 busybox true")) {
        out.fails_with("invalid --security-opt 2: \"bogus=1\"");
    }
    // A custom profile reaches the daemon as JSON, and is refused for now.
    let profile = std::env::temp_dir().join(format!("berth-profile-{}.json", std::process::id()));
    std::fs::write(&profile, "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}").unwrap();
    let opt = format!("seccomp={}", profile.display());
    for (_, out) in both(&d, &["create", "--security-opt", &opt, "busybox", "true"]) {
        out.fails_with("custom seccomp profiles are not supported by berth yet");
    }
    let _ = std::fs::remove_file(&profile);
    assert!(all_ids(&d).is_empty());
}

#[test]
fn no_new_privileges_reaches_the_process() {
    let d = daemon_with_busybox();
    let line = "run --rm --network none --security-opt no-new-privileges busybox grep NoNewPrivs /proc/self/status";
    for (tool, out) in both(&d, &w(line)) {
        assert!(
            out.ok().contains("NoNewPrivs:\t1"),
            "{tool}: {}",
            out.stdout
        );
    }
    let out = berth(
        &d,
        &w("run --rm --network none busybox grep NoNewPrivs /proc/self/status"),
    );
    assert!(out.ok().contains("NoNewPrivs:\t0"), "{}", out.stdout);
}

#[test]
fn exec_runs_under_the_containers_filter() {
    let d = daemon_with_busybox();
    berth(&d, &w("run -d --name sc --network none busybox sleep 300")).ok();
    for (tool, out) in both(&d, &wt("exec sc sh -c", &[STATUS])) {
        let text = out.ok();
        assert!(text.contains("Seccomp:\t2"), "{tool}: {text}");
        assert!(text.contains("unshare=refused"), "{tool}: {text}");
    }
    berth(&d, &w("rm -f sc")).ok();
}
