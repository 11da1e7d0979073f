//! Real containers (root needed): busybox rootfs, libcontainer through the helper binary,
//! one monitor per container.

mod common;

use std::time::{Duration, Instant};

use berth_runtime::{
    Adopted, AttachOptions, BindMount, ExecSpec, NetworkNamespace, Output, Runtime, RuntimeError,
};
use common::Fixture;

fn none(f: &Fixture, name: &str) -> NetworkNamespace {
    NetworkNamespace::Path(f.netns(name))
}

#[test]
fn exit_code_is_recorded() {
    let f = Fixture::new();
    let spec = f.spec("exit", &["sh", "-c", "exit 42"], none(&f, "exit"));
    let (_, _, code) = f.run(&spec);
    assert_eq!(code, 42);
    assert_eq!(f.runtime.exit_status(&spec.id).unwrap().exit_code, 42);
    assert_eq!(f.runtime.wait(&spec.id, None).unwrap().exit_code, 42);
    assert_eq!(
        f.runtime.adopt(&spec.id).unwrap(),
        Adopted::Exited(f.runtime.exit_status(&spec.id).unwrap())
    );
}

#[test]
fn stdout_and_stderr_go_to_the_json_log() {
    let f = Fixture::new();
    let spec = f.spec(
        "log",
        &["sh", "-c", "echo out1; echo err1 >&2; printf 'a<b\"c'"],
        none(&f, "log"),
    );
    let (out, err, code) = f.run(&spec);
    assert_eq!(
        (out.as_str(), err.as_str(), code),
        ("out1\na<b\"c", "err1\n", 0)
    );
    let text = std::fs::read_to_string(&spec.log_path).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut got: Vec<(String, String)> = lines
        .iter()
        .map(|v| {
            (
                v["log"].as_str().unwrap().to_string(),
                v["stream"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("a<b\"c".to_string(), "stdout".to_string()),
            ("err1\n".to_string(), "stderr".to_string()),
            ("out1\n".to_string(), "stdout".to_string()),
        ]
    );
    assert!(
        text.contains("\\u003c"),
        "Docker escapes < in the log: {text}"
    );
    let time = lines[0]["time"].as_str().unwrap();
    assert!(time.ends_with('Z') && time.contains('T'), "{time}");
}

#[test]
fn env_cwd_user_and_hostname() {
    let f = Fixture::new();
    let mut spec = f.spec(
        "env",
        &[
            "sh",
            "-c",
            "echo $FOO; pwd; id -u; id -g; hostname; cat /proc/self/status | grep CapEff",
        ],
        none(&f, "env"),
    );
    spec.env.push("FOO=bar baz".into());
    spec.cwd = "/work/here".into();
    spec.user = "nobody".into();
    spec.hostname = "myhost".into();
    let (out, err, code) = f.run(&spec);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        &lines[..5],
        &["bar baz", "/work/here", "65534", "65534", "myhost"]
    );
    // Non-root: no effective capabilities.
    assert!(lines[5].ends_with("0000000000000000"), "{}", lines[5]);

    let mut spec = f.spec(
        "root",
        &["sh", "-c", "grep CapBnd /proc/self/status; id"],
        none(&f, "root"),
    );
    spec.user = "0:0".into();
    let (out, _, _) = f.run(&spec);
    // Docker's 14 capabilities.
    assert!(out.contains("00000000a80425fb"), "{out}");
    assert!(out.contains("uid=0(root) gid=0(root)"), "{out}");
}

#[test]
fn unknown_user_is_refused_with_dockers_text() {
    let f = Fixture::new();
    let mut spec = f.spec("user", &["true"], none(&f, "user"));
    spec.user = "nosuch".into();
    let err = f.runtime.start(&spec).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unable to find user nosuch: no matching entries in passwd file"
    );
}

#[test]
fn bind_mounts_and_read_only() {
    let f = Fixture::new();
    let src = f.dir.path().join("data");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("hello"), "from host\n").unwrap();
    let hosts = f.dir.path().join("hosts");
    std::fs::write(&hosts, "127.0.0.1\tlocalhost\n10.0.0.9\tmyself\n").unwrap();
    let mut spec = f.spec(
        "bind",
        &["sh", "-c", "cat /data/hello; cat /etc/hosts; echo x > /ro/f && echo wrote-ro; echo y > /data/new && echo wrote-rw; true"],
        none(&f, "bind"),
    );
    spec.mounts = vec![
        BindMount {
            source: src.clone(),
            destination: "/data".into(),
            read_only: false,
        },
        BindMount {
            source: src.clone(),
            destination: "/ro".into(),
            read_only: true,
        },
        BindMount {
            source: hosts,
            destination: "/etc/hosts".into(),
            read_only: false,
        },
    ];
    let (out, err, _) = f.run(&spec);
    assert!(out.contains("from host"), "{out}");
    assert!(out.contains("10.0.0.9\tmyself"), "{out}");
    assert!(!out.contains("wrote-ro"), "{out}");
    assert!(err.contains("Read-only file system"), "{err}");
    assert!(out.contains("wrote-rw"), "{out}");
    assert_eq!(std::fs::read_to_string(src.join("new")).unwrap(), "y\n");
}

#[test]
fn fresh_netns_shows_only_lo() {
    let f = Fixture::new();
    let spec = f.spec("lo", &["ip", "-o", "link"], none(&f, "lo"));
    let (out, _, code) = f.run(&spec);
    assert_eq!(code, 0);
    let names: Vec<&str> = out.lines().filter_map(|l| l.split(": ").nth(1)).collect();
    assert_eq!(names, vec!["lo"], "{out}");
    assert!(out.contains("UP"), "lo is up: {out}");
}

#[test]
fn host_network_sees_the_hosts_links() {
    // The "host" is this test's own private netns, so the real host is never touched.
    berth_netsys::testing::in_private_netns(|| {
        let nl = berth_netsys::Netlink::new().unwrap();
        nl.create_veth_pair("bthhost0", "bthhost1").unwrap();
        let f = Fixture::new();
        let mut spec = f.spec(
            "host",
            &["sh", "-c", "ip -o link; hostname"],
            NetworkNamespace::Host,
        );
        spec.host_uts = true;
        let (out, err, code) = f.run(&spec);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("bthhost0"), "{out}");
        let host = nix::unistd::gethostname().unwrap().into_string().unwrap();
        assert_eq!(out.lines().last().unwrap(), host);
    });
}

#[test]
fn stop_escalates_to_sigkill() {
    let f = Fixture::new();
    let spec = f.spec("stop", &["sleep", "1000"], none(&f, "stop"));
    f.runtime.start(&spec).unwrap();
    let t = Instant::now();
    let exit = f.runtime.stop(&spec.id, Duration::from_secs(1)).unwrap();
    assert_eq!(exit.exit_code, 137);
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert!(f.runtime.status(&spec.id).unwrap().is_none());
}

#[test]
fn kill_sends_the_signal() {
    let f = Fixture::new();
    let spec = f.spec(
        "kill",
        &[
            "sh",
            "-c",
            "trap 'exit 3' USR1; while true; do sleep 0.05; done",
        ],
        none(&f, "kill"),
    );
    f.runtime.start(&spec).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    f.runtime.kill(&spec.id, libc::SIGUSR1).unwrap();
    assert_eq!(
        f.runtime
            .wait(&spec.id, Some(Duration::from_secs(5)))
            .unwrap()
            .exit_code,
        3
    );
    assert!(matches!(
        f.runtime.kill(&spec.id, libc::SIGUSR1),
        Err(RuntimeError::NotRunning(_))
    ));
}

#[test]
fn exec_output_exit_code_user_and_top() {
    let f = Fixture::new();
    let mut spec = f.spec("exec", &["sleep", "1000"], none(&f, "exec"));
    spec.env.push("BASE=1".into());
    f.runtime.start(&spec).unwrap();
    let exec = ExecSpec {
        args: vec![
            "sh".into(),
            "-c".into(),
            "echo $BASE $X; pwd; id -u; echo e >&2; exit 5".into(),
        ],
        env: vec!["X=2".into()],
        cwd: "/tmp".into(),
        user: "nobody".into(),
        ..ExecSpec::default()
    };
    let (out, err, code) = f.runtime.exec(&spec.id, &exec).unwrap().collect().unwrap();
    assert_eq!(String::from_utf8_lossy(&out), "1 2\n/tmp\n65534\n");
    assert_eq!(String::from_utf8_lossy(&err), "e\n");
    assert_eq!(code, 5);

    let missing = ExecSpec {
        args: vec!["nosuch".into()],
        ..ExecSpec::default()
    };
    let err = f.runtime.exec(&spec.id, &missing).err().unwrap();
    assert_eq!(err.exit_code(), Some(127));
    assert!(
        err.to_string()
            .contains("exec: \"nosuch\": executable file not found in $PATH"),
        "{err}"
    );

    // stdin to an exec
    let cat = ExecSpec {
        args: vec!["cat".into()],
        stdin: true,
        ..ExecSpec::default()
    };
    let mut h = f.runtime.exec(&spec.id, &cat).unwrap();
    h.input.write_stdin(b"piped\n").unwrap();
    h.input.close_stdin().unwrap();
    let (out, _, code) = h.collect().unwrap();
    assert_eq!(
        (String::from_utf8_lossy(&out).as_ref(), code),
        ("piped\n", 0)
    );

    let top = f.runtime.top(&spec.id, "").unwrap();
    assert_eq!(top.titles[1], "PID");
    assert!(
        top.processes.iter().any(|p| p[7] == "sleep 1000"),
        "{:?}",
        top.processes
    );
}

#[test]
fn attach_stdin() {
    let f = Fixture::new();
    let mut spec = f.spec(
        "stdin",
        &["sh", "-c", "read line; echo got:$line"],
        none(&f, "stdin"),
    );
    spec.open_stdin = true;
    f.runtime.create(&spec).unwrap();
    let opts = AttachOptions {
        stdin: true,
        stdout: true,
        stderr: true,
    };
    let mut att = f.runtime.attach(&spec.id, opts).unwrap();
    f.runtime.start_created(&spec.id).unwrap();
    att.input.write_stdin(b"hello\n").unwrap();
    let mut out = Vec::new();
    loop {
        match att.output.recv().unwrap().unwrap() {
            Output::Stdout(d) => out.extend(d),
            Output::Stderr(_) => {}
            Output::Exit(e) => {
                assert_eq!(e.exit_code, 0);
                break;
            }
        }
    }
    assert_eq!(String::from_utf8_lossy(&out), "got:hello\n");
}

#[test]
fn tty_container_with_resize() {
    let f = Fixture::new();
    let mut spec = f.spec(
        "tty",
        &["sh", "-c", "tty; sleep 0.5; stty size; echo done"],
        none(&f, "tty"),
    );
    spec.tty = true;
    spec.open_stdin = true;
    f.runtime.create(&spec).unwrap();
    let opts = AttachOptions {
        stdin: true,
        stdout: true,
        stderr: true,
    };
    let mut att = f.runtime.attach(&spec.id, opts).unwrap();
    f.runtime.start_created(&spec.id).unwrap();
    f.runtime.resize(&spec.id, 30, 100).unwrap();
    let mut out = Vec::new();
    let code = loop {
        match att.output.recv().unwrap().unwrap() {
            Output::Stdout(d) => out.extend(d),
            Output::Stderr(d) => panic!("a tty has no stderr: {d:?}"),
            Output::Exit(e) => break e.exit_code,
        }
    };
    let out = String::from_utf8_lossy(&out);
    assert_eq!(code, 0);
    assert!(out.contains("/dev/pts/0\r\n"), "{out:?}");
    assert!(out.contains("30 100\r\n"), "{out:?}");
    assert!(out.contains("done\r\n"), "{out:?}");
    // tty exec
    let log = std::fs::read_to_string(&spec.log_path).unwrap();
    assert!(log.contains("done\\r\\n"), "{log}");
}

#[test]
fn tty_exec() {
    let f = Fixture::new();
    let spec = f.spec("ttyexec", &["sleep", "1000"], none(&f, "ttyexec"));
    f.runtime.start(&spec).unwrap();
    let exec = ExecSpec {
        args: vec!["sh".into(), "-c".into(), "tty; exit 4".into()],
        tty: true,
        ..ExecSpec::default()
    };
    let (out, _, code) = f.runtime.exec(&spec.id, &exec).unwrap().collect().unwrap();
    assert_eq!(code, 4);
    assert!(
        String::from_utf8_lossy(&out).contains("/dev/pts/"),
        "{out:?}"
    );
}

#[test]
fn missing_command_is_127_with_dockers_message() {
    let f = Fixture::new();
    let spec = f.spec("nosuch", &["nosuch"], none(&f, "nosuch"));
    let err = f.runtime.start(&spec).unwrap_err();
    assert_eq!(err.exit_code(), Some(127), "{err:?}");
    assert!(
        err.to_string()
            .contains("exec: \"nosuch\": executable file not found in $PATH"),
        "{err}"
    );
    assert!(f.runtime.status(&spec.id).unwrap().is_none());
    // Nothing left behind: no libcontainer state, no runtime dir.
    assert!(!f.runtime.container_dir(&spec.id).exists());
}

#[test]
fn monitor_outlives_its_parent_and_records_the_exit() {
    let f = Fixture::new();
    let spec = f.spec(
        "orphan",
        &["sh", "-c", "sleep 1; exit 7"],
        none(&f, "orphan"),
    );
    let started = f.runtime.start(&spec).unwrap();
    // The monitor is not our child (its first process exited) and has its own session.
    let status = std::fs::read_to_string(format!("/proc/{}/status", started.monitor_pid)).unwrap();
    let ppid: u32 = status
        .lines()
        .find_map(|l| l.strip_prefix("PPid:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_ne!(ppid, std::process::id());
    let sid = nix::unistd::getsid(Some(nix::unistd::Pid::from_raw(started.monitor_pid))).unwrap();
    assert_eq!(sid.as_raw(), started.monitor_pid);
    // The init is the monitor's child.
    let init = std::fs::read_to_string(format!("/proc/{}/status", started.init_pid)).unwrap();
    assert!(
        init.contains(&format!("PPid:\t{}", started.monitor_pid)),
        "{init}"
    );
    // A "restarted daemon": a fresh Runtime adopts it, then finds the code in the exit file.
    let again = Runtime::new(f.runtime_config());
    assert!(again.list_running().iter().any(|(id, _)| *id == spec.id));
    assert!(matches!(
        again.adopt(&spec.id).unwrap(),
        Adopted::Running(_)
    ));
    let deadline = Instant::now() + Duration::from_secs(10);
    while again.exit_status(&spec.id).is_none() {
        assert!(Instant::now() < deadline, "no exit file");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(again.exit_status(&spec.id).unwrap().exit_code, 7);
    match again.adopt(&spec.id).unwrap() {
        Adopted::Exited(e) => assert_eq!(e.exit_code, 7),
        other => panic!("{other:?}"),
    }
}

#[test]
fn twenty_containers_concurrently() {
    let f = std::sync::Arc::new(Fixture::new());
    let specs: Vec<_> = (0..20)
        .map(|i| {
            f.spec(
                &format!("c{i}"),
                &["sleep", "1000"],
                none(&f, &format!("c{i}")),
            )
        })
        .collect();
    let threads: Vec<_> = specs
        .iter()
        .cloned()
        .map(|spec| {
            let f = f.clone();
            std::thread::spawn(move || f.runtime.start(&spec).map(|_| ()))
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
    let running = f.runtime.list_running();
    assert_eq!(
        running.iter().filter(|(_, s)| s.state == "running").count(),
        20
    );
    let threads: Vec<_> = specs
        .iter()
        .cloned()
        .map(|spec| {
            let f = f.clone();
            std::thread::spawn(move || {
                f.runtime
                    .stop(&spec.id, Duration::from_secs(2))
                    .map(|e| e.exit_code)
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().unwrap(), 137);
    }
    for spec in &specs {
        f.runtime.delete(&spec.id).unwrap();
        assert!(!std::path::Path::new("/sys/fs/cgroup/pids")
            .join(spec.cgroups_path.as_ref().unwrap().trim_start_matches('/'))
            .exists());
    }
}

/// Prints the monitor's memory: `cargo test -p berth-runtime --test containers monitor_memory
/// -- --ignored --nocapture`, with BERTH_TEST_MONITOR pointing at a release build.
#[test]
#[ignore]
fn monitor_memory() {
    let f = Fixture::new();
    let spec = f.spec(
        "rss",
        &["sh", "-c", "while true; do echo tick; sleep 0.2; done"],
        none(&f, "rss"),
    );
    let started = f.runtime.start(&spec).unwrap();
    let exec = ExecSpec {
        args: vec!["true".into()],
        ..ExecSpec::default()
    };
    f.runtime.exec(&spec.id, &exec).unwrap().collect().unwrap();
    std::thread::sleep(Duration::from_secs(1));
    let status = std::fs::read_to_string(format!("/proc/{}/status", started.monitor_pid)).unwrap();
    let rollup =
        std::fs::read_to_string(format!("/proc/{}/smaps_rollup", started.monitor_pid)).unwrap();
    let pick = |text: &str, key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .unwrap_or("")
            .to_string()
    };
    println!(
        "monitor {}: {} | {} | {}",
        started.monitor_pid,
        pick(&status, "VmRSS"),
        pick(&rollup, "Pss:"),
        pick(&rollup, "Private_Dirty")
    );
    f.runtime.stop(&spec.id, Duration::from_secs(1)).unwrap();
}
