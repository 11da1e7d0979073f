//! Leaving and rejoining running containers, through the berth CLI and the stock docker CLI:
//! the detach keys (ctrl-p ctrl-q, or `--detach-keys`) leave the container running, `attach`
//! streams its output and forwards stdin when it was started with `-i`.

mod harness;

use harness::ctr::*;
use harness::pty::{cli_command, PtyCli};

const TOOLS: [&str; 2] = ["berth", "docker"];
const CTRL_P_CTRL_Q: &[u8] = &[0x10, 0x11];

/// Types `echo <tag>$((N+1))E` and waits for the shell's answer, proving the session is live.
fn shell_answers(p: &mut PtyCli, tag: &str, n: u32) -> bool {
    p.line(&format!("echo {tag}$(({n}+1))E"));
    p.wait_for(&format!("{tag}{}E", n + 1), 30)
}

#[test]
fn detach_keys_leave_the_container_running_and_attach_rejoins_it() {
    let d = daemon_with_busybox();
    for tool in TOOLS {
        let name = format!("dk-{tool}");
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
        let mut p = PtyCli::spawn(cli_command(&d, tool, &args), 24, 80);
        assert!(shell_answers(&mut p, "R", 41), "{tool}: {}", p.output());
        let pid = pid_of(&d, &name);
        p.send(CTRL_P_CTRL_Q);
        assert_eq!(p.exit_code(30), 0, "{tool}: {}", p.output());
        assert_eq!(status(&d, &name), "running", "{tool}");
        assert_eq!(pid_of(&d, &name), pid, "{tool}");

        // attach: the same shell (its variable is still set), left again with the keys
        let mut a = PtyCli::spawn(cli_command(&d, tool, &["attach", &name]), 24, 80);
        a.line("V=kept");
        a.line("echo A$V$((1+1))E");
        assert!(a.wait_for("Akept2E", 30), "{tool}: {}", a.output());
        a.send(CTRL_P_CTRL_Q);
        let code = a.exit_code(30);
        // docker's attach reports the detach as an error: "read escape sequence", exit 1
        assert_eq!(code, 1, "{tool}: {}", a.output());
        // The pty's reader may still be draining the last bytes after the exit.
        assert!(
            a.wait_for("read escape sequence", 10),
            "{tool}: {}",
            a.output()
        );
        assert_eq!(status(&d, &name), "running", "{tool}");

        // --detach-keys: ctrl-p ctrl-q is only typing now; ctrl-x x detaches
        let args = ["attach", "--detach-keys", "ctrl-x,x", &name];
        let mut a = PtyCli::spawn(cli_command(&d, tool, &args), 24, 80);
        assert!(shell_answers(&mut a, "B", 2), "{tool}: {}", a.output());
        a.send(CTRL_P_CTRL_Q);
        // ctrl-u clears whatever the keys did to the shell's line
        a.send(&[0x15]);
        assert!(shell_answers(&mut a, "C", 3), "{tool}: {}", a.output());
        assert!(
            a.wait_exit(0).is_none(),
            "{tool}: detached on ctrl-p ctrl-q"
        );
        a.send(&[0x18, b'x']);
        assert_eq!(a.exit_code(30), 1, "{tool}: {}", a.output());
        assert_eq!(status(&d, &name), "running", "{tool}");
        berth(&d, &["rm", "-f", &name]).ok();
    }

    // `run -it --detach-keys` too
    for tool in TOOLS {
        let name = format!("rk-{tool}");
        let args = [
            "run",
            "-it",
            "--detach-keys",
            "ctrl-a,d",
            "--name",
            &name,
            "--network",
            "none",
            "busybox",
            "sh",
        ];
        let mut p = PtyCli::spawn(cli_command(&d, tool, &args), 24, 80);
        assert!(shell_answers(&mut p, "D", 4), "{tool}: {}", p.output());
        p.send(&[0x01, b'd']);
        assert_eq!(p.exit_code(30), 0, "{tool}: {}", p.output());
        assert_eq!(status(&d, &name), "running", "{tool}");
        berth(&d, &["rm", "-f", &name]).ok();
    }
}

#[test]
fn attach_streams_output_and_forwards_stdin_without_a_tty() {
    let d = daemon_with_busybox();
    let ticker = ["i=0; while :; do echo tick$i; i=$((i+1)); sleep 0.2; done"];
    berth(
        &d,
        &wt("run -d --name ticker --network none busybox sh -c", &ticker),
    )
    .ok();
    // attach only after the first lines are out, so any tick0 an attach shows is a replay
    assert!(wait_until(30, || berth(&d, &w("logs ticker"))
        .stdout
        .contains("tick2")));
    let echoer = ["while read l; do [ \"$l\" = quit ] && exit 7; echo got:$l; done"];
    for tool in TOOLS {
        // output from now on, while the container runs; the client leaving does not stop it
        let a = PtyCli::spawn_piped(cli_command(&d, tool, &w("attach --no-stdin ticker")));
        assert!(a.wait_for("tick", 30), "{tool}: {}", a.output());
        let seen = a.output();
        assert!(
            !seen.contains("tick0\n"),
            "{tool}: attach replayed old output: {seen}"
        );
        assert!(
            wait_until(30, || a.output().matches("tick").count()
                >= seen.matches("tick").count() + 2),
            "{tool}: output not streamed: {}",
            a.output()
        );
        drop(a);
        assert_eq!(status(&d, "ticker"), "running", "{tool}");

        // stdin forwarded to a container started with -i; its exit code ends the attach
        let name = format!("echo-{tool}");
        let args = wt(
            "run -d -i --network none --name",
            &[&name, "busybox", "sh", "-c", echoer[0]],
        );
        berth(&d, &args).ok();
        let mut a = PtyCli::spawn_piped(cli_command(&d, tool, &["attach", &name]));
        // stdin reaches the container only once the attach is up: repeat until it answers
        assert!(
            wait_until(30, || {
                a.send(b"hello\n");
                a.wait_for("got:hello", 1)
            }),
            "{tool}: {}",
            a.output()
        );
        a.send(b"quit\n");
        assert_eq!(a.exit_code(30), 7, "{tool}: {}", a.output());
        assert!(wait_until(10, || status(&d, &name) == "exited"), "{tool}");
        assert_eq!(exit_code(&d, &name), 7, "{tool}");
        berth(&d, &["rm", &name]).ok();
    }
    // attach to a stopped container is refused by both
    berth(&d, &w("create --name cold --network none busybox true")).ok();
    for (tool, out) in both(&d, &w("attach cold")) {
        assert!(
            out.code != 0
                && out
                    .stderr
                    .contains("You cannot attach to a stopped container, start it first"),
            "{tool}: {out:?}"
        );
    }
    berth(&d, &w("rm -f ticker cold")).ok();
}
