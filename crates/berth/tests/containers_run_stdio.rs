//! `run` attached without a TTY: stdout and stderr arrive apart (Docker's multiplexed stream),
//! `-i` forwards the CLI's stdin to the process until it ends, and `-a` picks the streams.
//! Through both CLIs.

mod harness;

use harness::ctr::*;
use harness::pty::{cli_command, PtyCli};

#[test]
fn attached_run_keeps_streams_apart_and_forwards_stdin_with_i() {
    let d = daemon_with_busybox();
    let script = ["echo out; echo err >&2; echo out2"];
    for (tool, out) in both(&d, &wt("run --rm --network none busybox sh -c", &script)) {
        assert_eq!(out.ok(), "out\nout2\n", "{tool}");
        assert_eq!(out.stderr, "err\n", "{tool}");
    }
    // -a stdout: only stdout is attached
    for (tool, out) in both(
        &d,
        &wt("run --rm -a stdout --network none busybox sh -c", &script),
    ) {
        assert_eq!(out.ok(), "out\nout2\n", "{tool}");
        assert_eq!(out.stderr, "", "{tool}");
    }
    for tool in ["berth", "docker"] {
        let args = w("run --rm -i --network none busybox sh -c");
        let mut args: Vec<&str> = args;
        args.push("tr a-z A-Z; echo done; exit 2");
        let mut p = PtyCli::spawn_piped(cli_command(&d, tool, &args));
        p.send(b"hello\nworld\n");
        p.close_input();
        assert_eq!(p.exit_code(30), 2, "{tool}: {}", p.output());
        assert_eq!(p.output(), "HELLO\nWORLD\ndone\n", "{tool}");
    }
    assert!(
        wait_until(10, || all_ids(&d).is_empty()),
        "{:?}",
        all_ids(&d)
    );
}
