//! `run -it` and `exec -it` on a real terminal, through the berth CLI and the stock docker CLI:
//! the container's process gets a pty (`tty` names one), its size follows the user's window
//! (the CLI's SIGWINCH path) and `POST /containers/{id}/resize`, and the CLI exits with the
//! shell's status.

mod harness;

use harness::ctr::*;
use harness::pty::{cli_command, PtyCli};

const TOOLS: [&str; 2] = ["berth", "docker"];

/// Asks the shell for its terminal size until it answers `rows cols`: a resize reaches the
/// container asynchronously (the CLI's SIGWINCH handler, then the API).
fn shell_size_becomes(p: &mut PtyCli, rows: u16, cols: u16) -> bool {
    let want = format!("S{rows} {cols}E");
    // The typed line echoes as `S$(stty size)E`, so only the shell's answer matches.
    wait_until(30, || {
        p.line("echo S$(stty size)E");
        p.wait_for(&want, 1)
    })
}

#[test]
fn run_it_gets_a_pty_that_follows_the_window_and_the_resize_api() {
    let d = daemon_with_busybox();
    for tool in TOOLS {
        let name = format!("tty-{tool}");
        let args = [
            "run",
            "-it",
            "--name",
            &name,
            "--network",
            "none",
            "busybox",
            "sh",
        ];
        let mut p = PtyCli::spawn(cli_command(&d, tool, &args), 30, 100);
        p.line("echo T$(tty)E");
        assert!(p.wait_for("T/dev/pts/", 30), "{tool}: {}", p.output());
        assert!(inspect(&d, &name)["Config"]["Tty"] == true, "{tool}");
        assert!(
            shell_size_becomes(&mut p, 30, 100),
            "{tool}: {}",
            p.output()
        );

        p.resize(40, 120);
        assert!(
            shell_size_becomes(&mut p, 40, 120),
            "{tool}: {}",
            p.output()
        );

        let r = d.api(
            "POST",
            &format!("/containers/{name}/resize?h=50&w=150"),
            None,
        );
        assert_eq!(r.status, 200, "{tool}: {}", r.text());
        assert!(
            shell_size_becomes(&mut p, 50, 150),
            "{tool}: {}",
            p.output()
        );

        p.line("exit 3");
        assert_eq!(p.exit_code(30), 3, "{tool}: {}", p.output());
        assert_eq!(exit_code(&d, &name), 3, "{tool}");
        berth(&d, &["rm", &name]).ok();
    }
    // resizing a container that does not run is Docker's 409; a bad size is 400
    berth(&d, &w("create --name idle --network none -t busybox sh")).ok();
    let r = d.api("POST", "/containers/idle/resize?h=10&w=10", None);
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.message().contains("is not running"), "{}", r.message());
    let r = d.api("POST", "/containers/idle/resize?h=x&w=10", None);
    assert_eq!(r.status, 400, "{}", r.text());
    let r = d.api("POST", "/containers/nosuch/resize?h=10&w=10", None);
    assert_eq!(r.status, 404, "{}", r.text());
}

#[test]
fn exec_it_gets_its_own_pty_that_follows_the_window() {
    let d = daemon_with_busybox();
    berth(&d, &w("run -d --name box --network none busybox sleep 300")).ok();
    for tool in TOOLS {
        let mut p = PtyCli::spawn(cli_command(&d, tool, &w("exec -it box sh")), 24, 80);
        p.line("echo T$(tty)E");
        assert!(p.wait_for("T/dev/pts/", 30), "{tool}: {}", p.output());
        assert!(shell_size_becomes(&mut p, 24, 80), "{tool}: {}", p.output());
        p.resize(33, 99);
        assert!(shell_size_becomes(&mut p, 33, 99), "{tool}: {}", p.output());
        // the running exec is listed by inspect, and resizes through the API too
        let ids = inspect(&d, "box")["ExecIDs"].clone();
        let ids = ids.as_array().expect("ExecIDs lists the running exec");
        assert_eq!(ids.len(), 1, "{tool}: {ids:?}");
        let exec_id = ids[0].as_str().unwrap();
        let r = d.api("POST", &format!("/exec/{exec_id}/resize?h=44&w=111"), None);
        assert!(r.status < 300, "{tool}: {} {}", r.status, r.text());
        assert!(
            shell_size_becomes(&mut p, 44, 111),
            "{tool}: {}",
            p.output()
        );
        // the exec runs beside the container's process
        p.line("echo P$(cat /proc/1/comm)E");
        assert!(p.wait_for("Psleep", 30), "{tool}: {}", p.output());
        p.line("exit 5");
        assert_eq!(p.exit_code(30), 5, "{tool}: {}", p.output());
        assert_eq!(status(&d, "box"), "running", "{tool}");
        assert!(
            wait_until(10, || inspect(&d, "box")["ExecIDs"].is_null()),
            "{tool}: an ended exec is still listed"
        );
    }
    let r = d.api("POST", "/exec/nosuch/resize?h=10&w=10", None);
    assert_eq!(r.status, 404, "{}", r.text());
    // `exec -it` without a terminal is refused by both CLIs before anything runs
    for (tool, out) in both(&d, &w("exec -it box true")) {
        out.fails_with("the input device is not a TTY");
        assert_ne!(out.code, 0, "{tool}");
    }
    berth(&d, &w("rm -f box")).ok();
}
