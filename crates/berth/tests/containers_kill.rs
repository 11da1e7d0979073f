//! `kill`: as in Docker, a SIGKILL (the default) answers only once the container has exited,
//! so `inspect` right after it shows the exit; other signals answer at once and reach the
//! process. Through the berth CLI, the stock docker CLI and the API.

mod harness;

use harness::ctr::*;

#[test]
fn kill_returns_once_the_container_has_exited() {
    let d = daemon_with_busybox();
    for round in 0..5 {
        for tool in ["berth", "docker"] {
            let name = format!("k{round}-{tool}");
            let args = [
                "run",
                "-d",
                "--name",
                &name,
                "--network",
                "none",
                "busybox",
                "sleep",
                "300",
            ];
            berth(&d, &args).ok();
            let pid = pid_of(&d, &name);
            let out = cli(&d, tool, &["kill", &name]);
            assert_eq!(out.ok().trim(), name, "{tool}");
            // no waiting here: the answer came after the exit
            let i = inspect(&d, &name);
            assert_eq!(i["State"]["Status"], "exited", "{tool} round {round}: {i}");
            assert_eq!(i["State"]["ExitCode"], 137, "{tool}");
            assert_eq!(i["State"]["Running"], false, "{tool}");
            assert!(wait_until(10, || !process_alive(pid)), "{tool}");
        }
    }
    // the same through the API, with the signal named
    berth(&d, &w("run -d --name api --network none busybox sleep 300")).ok();
    let r = d.api("POST", "/containers/api/kill?signal=SIGKILL", None);
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(status(&d, "api"), "exited");
    assert_eq!(exit_code(&d, "api"), 137);

    // another signal is delivered and the answer does not wait for an exit: a shell that traps
    // USR1 keeps running and reports it
    let script = ["trap 'echo got-usr1' USR1; trap 'exit 9' TERM; while :; do sleep 0.1; done"];
    berth(
        &d,
        &wt("run -d --name trap --network none busybox sh -c", &script),
    )
    .ok();
    // one signal at a time: two arriving during the same `sleep` would be merged into one
    for (n, tool) in ["berth", "docker"].into_iter().enumerate() {
        let out = cli(&d, tool, &w("kill -s USR1 trap"));
        assert_eq!(out.ok().trim(), "trap", "{tool}");
        let logs = || berth(&d, &w("logs trap")).stdout;
        assert!(
            wait_until(20, || logs().matches("got-usr1").count() == n + 1),
            "{tool}: {}",
            logs()
        );
    }
    assert_eq!(status(&d, "trap"), "running");
    // the shell's TERM trap ends it with its own code
    docker(&d, &w("kill -s TERM trap")).ok();
    assert!(wait_until(20, || status(&d, "trap") == "exited"));
    assert_eq!(exit_code(&d, "trap"), 9);

    // Docker's errors: a stopped container, a missing one, an unknown signal
    let id = inspect(&d, "api")["Id"].as_str().unwrap().to_string();
    for (tool, out) in both(&d, &w("kill api")) {
        out.fails_with(&format!("container {id} is not running"));
        assert_eq!(out.code, 1, "{tool}");
    }
    let r = d.api("POST", "/containers/api/kill", None);
    assert_eq!(r.status, 409, "{}", r.text());
    let r = d.api("POST", "/containers/nosuch/kill", None);
    assert_eq!(r.status, 404, "{}", r.text());
    berth(
        &d,
        &w("run -d --name alive --network none busybox sleep 300"),
    )
    .ok();
    let r = d.api("POST", "/containers/alive/kill?signal=SIGNOPE", None);
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(status(&d, "alive"), "running");
    berth(&d, &w("rm -f alive api trap")).ok();
    for round in 0..5 {
        for tool in ["berth", "docker"] {
            berth(&d, &["rm", &format!("k{round}-{tool}")]).ok();
        }
    }
}
