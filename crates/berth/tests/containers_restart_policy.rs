//! `--restart on-failure[:N]` counts as Docker counts: N restarts after failures and then the
//! container stays exited with its code; a clean exit is not restarted; bad policies are refused
//! with Docker's messages and create nothing. Through both CLIs and the API.

mod harness;

use harness::ctr::*;

#[test]
fn on_failure_restarts_at_most_n_times_and_only_after_a_failure() {
    let d = daemon_with_busybox();
    for tool in ["berth", "docker"] {
        let clean = format!("clean-{tool}");
        let flaky = format!("flaky-{tool}");
        let args = [
            "run",
            "-d",
            "--name",
            &clean,
            "--restart",
            "on-failure:3",
            "--network",
            "none",
        ];
        cli(
            &d,
            tool,
            &wt(&args.join(" "), &["busybox", "sh", "-c", "exit 0"]),
        )
        .ok();
        let args = [
            "run",
            "-d",
            "--name",
            &flaky,
            "--restart",
            "on-failure:2",
            "--network",
            "none",
        ];
        cli(
            &d,
            tool,
            &wt(
                &args.join(" "),
                &["busybox", "sh", "-c", "echo run; exit 1"],
            ),
        )
        .ok();
        assert!(
            wait_until(60, || restart_count(&d, &flaky) == 2
                && status(&d, &flaky) == "exited"),
            "{tool}: count {} status {}\n{}",
            restart_count(&d, &flaky),
            status(&d, &flaky),
            d.log()
        );
        assert_eq!(exit_code(&d, &flaky), 1, "{tool}");
        // three runs, one log
        assert!(
            wait_until(20, || cli(&d, tool, &["logs", &flaky]).stdout
                == "run\nrun\nrun\n"),
            "{tool}: {}",
            cli(&d, tool, &["logs", &flaky]).stdout
        );
        let policy = &inspect(&d, &flaky)["HostConfig"]["RestartPolicy"];
        assert_eq!(policy["Name"], "on-failure", "{tool}");
        assert_eq!(policy["MaximumRetryCount"], 2, "{tool}");
        let out = cli(
            &d,
            tool,
            &[
                "inspect",
                "-f",
                "{{.RestartCount}} {{.State.ExitCode}}",
                &flaky,
            ],
        );
        assert_eq!(out.ok().trim(), "2 1", "{tool}");
        let out = cli(
            &d,
            tool,
            &[
                "ps",
                "-a",
                "--filter",
                &format!("name={flaky}"),
                "--format",
                "{{.Status}}",
            ],
        );
        assert!(
            out.ok().starts_with("Exited (1) "),
            "{tool}: {}",
            out.stdout
        );

        // the clean exit was never restarted (its chance came long before the flaky one's end)
        assert_eq!(status(&d, &clean), "exited", "{tool}");
        assert_eq!(restart_count(&d, &clean), 0, "{tool}");
        assert_eq!(exit_code(&d, &clean), 0, "{tool}");
        berth(&d, &["rm", &clean, &flaky]).ok();
    }

    // on-failure without a count keeps going until the user stops it
    let line = "run -d --name forever --restart on-failure --network none busybox sh -c";
    berth(&d, &wt(line, &["sleep 0.2; exit 5"])).ok();
    assert!(
        wait_until(60, || restart_count(&d, "forever") >= 3),
        "{}",
        d.log()
    );
    berth(&d, &w("stop -t 1 forever")).ok();
    assert!(wait_until(20, || status(&d, "forever") == "exited"));
    berth(&d, &w("rm -f forever")).ok();
}

#[test]
fn bad_restart_policies_are_refused_and_create_nothing() {
    let d = daemon_with_busybox();
    for (policy, message) in [
        (
            "bogus",
            "invalid restart policy: unknown policy 'bogus'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'",
        ),
        (
            "always:3",
            "invalid restart policy: maximum retry count can only be used with 'on-failure'",
        ),
    ] {
        for (tool, out) in both(&d, &["run", "-d", "--restart", policy, "--network", "none", "busybox", "true"]) {
            out.fails_with(message);
            assert_eq!(out.code, 125, "{tool} {policy}");
        }
    }
    // --rm and a restart policy do not go together (Docker's message)
    for (tool, out) in both(
        &d,
        &w("run --rm --restart always --network none busybox true"),
    ) {
        assert_eq!(out.code, 125, "{tool}: {out:?}");
        assert!(out.stderr.contains("--restart"), "{tool}: {out:?}");
    }
    let body = r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"none","RestartPolicy":{"Name":"on-failure","MaximumRetryCount":-1}}}"#;
    let r = d.api("POST", "/containers/create", Some(body));
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.message().starts_with("invalid restart policy"),
        "{}",
        r.message()
    );
    assert!(all_ids(&d).is_empty(), "{:?}", all_ids(&d));
    berth(&d, &w("run --rm --network none busybox true")).ok();
}
