//! Legacy links on the default bridge (walkthrough item 9): the linked container's line in
//! `/etc/hosts`, the `ALIAS_*` environment, the line following a restarted container, and
//! Docker's errors — through both CLIs.

mod harness;

use harness::ctr::*;

fn hosts_of(d: &harness::Daemon, c: &str) -> String {
    berth(d, &["exec", c, "cat", "/etc/hosts"]).ok().to_string()
}

#[test]
fn link_writes_hosts_and_env_and_follows_restarts() {
    let d = daemon_with_busybox();
    berth(
        &d,
        &w("run -d --name linktest1 -e SECRET=s3 --expose 6379 busybox sleep 600"),
    )
    .ok();
    let child_id = inspect(&d, "linktest1")["Id"].as_str().unwrap()[..12].to_string();
    docker(
        &d,
        &w("run -d --name linktest2 --link linktest1 --link linktest1:db busybox sleep 600"),
    )
    .ok();
    let hosts = hosts_of(&d, "linktest2");
    assert!(
        hosts.contains(&format!("172.17.0.2\tlinktest1 {child_id}\n")),
        "{hosts}"
    );
    assert!(
        hosts.contains(&format!("172.17.0.2\tdb {child_id} linktest1\n")),
        "{hosts}"
    );
    // its own line comes last
    let own = inspect(&d, "linktest2")["Id"].as_str().unwrap()[..12].to_string();
    assert!(hosts.ends_with(&format!("172.17.0.3\t{own}\n")), "{hosts}");
    // ping by the linked name works
    berth(&d, &w("exec linktest2 ping -c1 -W2 linktest1")).ok();
    // the environment of the process
    let env = berth(&d, &w("exec linktest2 cat /proc/1/environ"))
        .ok()
        .replace('\0', "\n");
    for want in [
        "LINKTEST1_NAME=/linktest2/linktest1",
        "LINKTEST1_PORT=tcp://172.17.0.2:6379",
        "LINKTEST1_PORT_6379_TCP_ADDR=172.17.0.2",
        "LINKTEST1_ENV_SECRET=s3",
        "DB_NAME=/linktest2/db",
    ] {
        assert!(env.lines().any(|l| l == want), "{want} not in\n{env}");
    }
    // inspect shows Docker's stored form
    for (tool, out) in both(
        &d,
        &["inspect", "-f", "{{json .HostConfig.Links}}", "linktest2"],
    ) {
        assert_eq!(
            out.ok().trim(),
            r#"["/linktest1:/linktest2/linktest1","/linktest1:/linktest2/db"]"#,
            "{tool}"
        );
    }
    // the linked container restarts with another address: the line follows
    berth(&d, &w("stop -t 0 linktest1")).ok();
    berth(&d, &w("run -d --name squatter busybox sleep 600")).ok();
    berth(&d, &w("start linktest1")).ok();
    let new_ip = inspect(&d, "linktest1")["NetworkSettings"]["IPAddress"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_ip, "172.17.0.2");
    let hosts = hosts_of(&d, "linktest2");
    assert!(
        hosts.contains(&format!("{new_ip}\tlinktest1 {child_id}\n")),
        "{hosts}"
    );
    berth(&d, &w("exec linktest2 ping -c1 -W2 linktest1")).ok();
}

#[test]
fn link_errors_are_dockers() {
    let d = daemon_with_busybox();
    for (tool, out) in both(&d, &w("run -d --link nosuch busybox true")) {
        assert_code(&out, 125, tool);
        assert!(
            out.stderr
                .contains("could not get container for nosuch: No such container: nosuch"),
            "{tool}: {out:?}"
        );
    }
    let r = d.api(
        "POST",
        "/containers/create",
        Some(r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"Links":["nosuch"]}}"#),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    berth(&d, &w("create --name sleeper busybox sleep 600")).ok();
    let out = berth(
        &d,
        &w("run -d --name linker --link sleeper busybox sleep 600"),
    );
    assert_ne!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("Cannot link to a non running container: /sleeper AS /linker/sleeper"),
        "{out:?}"
    );
    // a container on a user network is not on the default bridge
    berth(&d, &w("network create other")).ok();
    berth(
        &d,
        &w("run -d --name elsewhere --network other busybox sleep 600"),
    )
    .ok();
    let out = berth(
        &d,
        &w("run -d --name linker2 --link elsewhere busybox sleep 600"),
    );
    assert!(
        out.stderr
            .contains("Cannot link to /elsewhere, as it does not belong to the default network"),
        "{out:?}"
    );
}
