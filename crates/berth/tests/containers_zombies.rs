//! No zombie monitors: each container's monitor double-forks away from the daemon, and the
//! daemon (a child subreaper) becomes its parent and reaps it when the container ends — however
//! it ends: on its own, stop, kill, rm -f, --rm, a failed start, or restarts by policy.

mod harness;

use harness::ctr::*;
use harness::Daemon;

/// `(state, ppid)` of a process, from /proc/PID/stat; `None` once it is gone.
fn stat(pid: i64) -> Option<(char, i64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = text.rsplit_once(')')?.1;
    let mut f = rest.split_whitespace();
    let state = f.next()?.chars().next()?;
    let ppid = f.next()?.parse().ok()?;
    Some((state, ppid))
}

fn is_zombie(pid: i64) -> bool {
    stat(pid).is_some_and(|(s, _)| s == 'Z')
}

/// Zombie processes whose parent is `parent`.
fn zombie_children(parent: i64) -> Vec<i64> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i64>().ok())
        .filter(|&pid| stat(pid) == Some(('Z', parent)))
        .collect()
}

/// The monitor of a running container: the parent of its init.
fn monitor_of(d: &Daemon, name: &str) -> i64 {
    let init = pid_of(d, name);
    stat(init).map(|(_, ppid)| ppid).unwrap_or(0)
}

const WAIT_FOR_GO: &str = "while [ ! -e /tmp/go ]; do sleep 0.1; done; exit 3";

#[test]
fn monitors_are_the_daemons_children_and_are_reaped_when_containers_end() {
    let d = daemon_with_busybox();
    let daemon = d.pid() as i64;
    let names = ["ends", "stopped", "killed", "removed", "execed"];
    let mut monitors = Vec::new();
    for name in names {
        let args = [
            "run",
            "-d",
            "--name",
            name,
            "--network",
            "none",
            "busybox",
            "sh",
            "-c",
        ];
        berth(&d, &wt(&args.join(" "), &[WAIT_FOR_GO])).ok();
        let m = monitor_of(&d, name);
        assert!(m > 1, "{name}: no monitor found");
        let (_, parent) = stat(m).expect("the monitor runs");
        assert_eq!(
            parent, daemon,
            "{name}: the monitor is not the daemon's child"
        );
        monitors.push(m);
    }
    // each ends its own way
    docker(&d, &w("exec ends touch /tmp/go")).ok();
    assert!(wait_until(20, || status(&d, "ends") == "exited"));
    assert_eq!(exit_code(&d, "ends"), 3);
    berth(&d, &w("stop -t 0 stopped")).ok();
    docker(&d, &w("kill killed")).ok();
    berth(&d, &w("rm -f removed")).ok();
    docker(&d, &wt("exec -d execed sh -c", &["touch /tmp/go"])).ok();
    assert!(wait_until(20, || status(&d, "execed") == "exited"));

    // short-lived ones whose monitors the test never sees: --rm, attached, a failed start,
    // and restarts by policy (a monitor per run)
    for (tool, out) in both(&d, &w("run --rm --network none busybox true")) {
        assert_code(&out, 0, tool);
    }
    for (tool, out) in both(&d, &wt("run --network none busybox sh -c", &["exit 4"])) {
        assert_code(&out, 4, tool);
    }
    for (tool, out) in both(&d, &w("run --network none busybox nosuchcmd")) {
        assert_code(&out, 127, tool);
    }
    let line = "run -d --name flaky --restart on-failure:2 --network none busybox sh -c";
    berth(&d, &wt(line, &["exit 1"])).ok();
    assert!(
        wait_until(30, || restart_count(&d, "flaky") == 2
            && status(&d, "flaky") == "exited"),
        "{}",
        d.log()
    );

    // every monitor is reaped: gone, not a zombie under the daemon or PID 1
    for m in &monitors {
        assert!(
            wait_until(20, || stat(*m).is_none() || !is_zombie(*m)),
            "monitor {m} is a zombie under {:?}",
            stat(*m)
        );
    }
    assert!(
        wait_until(20, || zombie_children(daemon).is_empty()),
        "zombies under the daemon: {:?}",
        zombie_children(daemon)
            .iter()
            .map(|p| std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default())
            .collect::<Vec<_>>()
    );
    // the daemon keeps working, and its own child processes (helpers) still report their status
    berth(&d, &w("rm ends stopped killed execed flaky")).ok();
    let out = berth(&d, &w("run --network none busybox sh -c")).code;
    assert_ne!(out, 0, "run without a script fails in the container");
    assert_code(
        &berth(
            &d,
            &wt("run --rm --network none busybox sh -c", &["exit 6"]),
        ),
        6,
        "exit 6",
    );
}
