//! Volumes end to end, as Docker's `local` driver has them: `volume create|ls|inspect|rm|prune`
//! through the berth CLI, the stock docker CLI, the HTTP API and the Python Docker SDK; named
//! and anonymous volumes on containers (`-v`, `--mount`, the image's `VOLUME`), copy-up of the
//! image's content, `--tmpfs`, `rm -v` and `--rm`, in-use refusals, and volumes surviving
//! container removal, a daemon restart and a kill -9.

mod harness;

use harness::ctr::*;
use harness::Daemon;
use serde_json::Value;

fn volume_names(d: &Daemon) -> Vec<String> {
    let mut v: Vec<String> = d.api_json("GET", "/volumes", None)["Volumes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v["Name"].as_str().map(str::to_string))
        .collect();
    v.sort();
    v
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The volume mounts of a container, as inspect shows them.
fn mounts(d: &Daemon, name: &str) -> Vec<Value> {
    inspect(d, name)["Mounts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn named_volume_carries_data_across_containers_restarts_and_kill9() {
    let mut d = daemon_with_busybox();
    // created by each CLI: docker's output is the name
    assert_eq!(berth(&d, &w("volume create data")).ok(), "data\n");
    assert_eq!(
        docker(&d, &w("volume create --label env=prod other")).ok(),
        "other\n"
    );
    let generated = berth(&d, &w("volume create")).ok().trim().to_string();
    assert!(is_hex64(&generated), "{generated}");

    // the volume object exactly as Docker shows it
    for (tool, out) in both(&d, &w("volume inspect other")) {
        let v: Value = serde_json::from_str(out.ok()).unwrap();
        let v = &v[0];
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "CreatedAt",
                "Driver",
                "Labels",
                "Mountpoint",
                "Name",
                "Options",
                "Scope"
            ],
            "{tool}"
        );
        assert_eq!(v["Driver"], "local");
        assert_eq!(v["Scope"], "local");
        assert_eq!(v["Labels"]["env"], "prod");
        let mp = d.data_root().join("volumes/other/_data");
        assert_eq!(v["Mountpoint"], mp.display().to_string(), "{tool}");
        assert!(mp.is_dir());
        assert!(v["CreatedAt"].as_str().unwrap().ends_with('Z'));
    }

    // data written by one container is read by another
    berth(
        &d,
        &wt("run --rm -v data:/d busybox sh -c", &["echo hello > /d/f"]),
    )
    .ok();
    for (tool, out) in both(&d, &w("run --rm -v data:/d:ro busybox cat /d/f")) {
        assert_eq!(out.ok(), "hello\n", "{tool}");
    }
    // a read-only mount refuses writes
    let ro = docker(
        &d,
        &wt("run --rm -v data:/d:ro busybox sh -c", &["echo x > /d/g"]),
    );
    assert_ne!(ro.code, 0, "{ro:?}");

    // ls: docker's table, sorted by name; -q; filters
    for (tool, out) in both(&d, &w("volume ls")) {
        let text = out.ok();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(w(lines[0]), ["DRIVER", "VOLUME", "NAME"], "{tool}: {text}");
        assert_eq!(lines.len(), 4, "{tool}: {text}");
        assert!(
            lines.iter().any(|l| w(l) == ["local", "data"]),
            "{tool}: {text}"
        );
    }
    for (tool, out) in both(&d, &w("volume ls -q --filter label=env=prod")) {
        assert_eq!(out.ok(), "other\n", "{tool}");
    }
    for (tool, out) in both(
        &d,
        &[
            "volume",
            "ls",
            "--format",
            "{{.Name}} {{.Driver}}",
            "-f",
            "name=dat",
        ],
    ) {
        assert_eq!(out.ok(), "data local\n", "{tool}");
    }

    // a volume used by any container, running or not, cannot be removed
    let id = berth(&d, &w("create --name user -v data:/d busybox true"))
        .ok()
        .trim()
        .to_string();
    for (tool, out) in both(
        &d,
        &w("ps -a --format {{.Names}}|{{.Mounts}} --filter volume=data"),
    ) {
        assert_eq!(out.ok(), "user|data\n", "{tool}");
    }
    for (tool, out) in both(&d, &w("ps -aq --filter volume=/d")) {
        assert_eq!(out.ok().trim(), &id[..12], "{tool}");
    }
    for (tool, out) in both(&d, &w("volume ls -q --filter dangling=true")) {
        let mut want = vec!["other".to_string(), generated.clone()];
        want.sort();
        let mut got: Vec<String> = out.ok().lines().map(str::to_string).collect();
        got.sort();
        assert_eq!(got, want, "{tool}");
    }
    // `inspect` finds volumes too
    for (tool, out) in both(&d, &["inspect", "--format", "{{.Name}} {{.Scope}}", "data"]) {
        assert_eq!(out.ok(), "data local\n", "{tool}");
    }
    for (_, out) in both(&d, &w("inspect --type volume nope")) {
        out.fails_with("Error response from daemon: get nope: no such volume");
    }
    let r = d.api("DELETE", "/volumes/data", None);
    assert_eq!(r.status, 409);
    assert_eq!(
        r.message(),
        format!("remove data: volume is in use - [{id}]")
    );
    for (_, out) in both(&d, &w("volume rm data")) {
        out.fails_with(&format!("remove data: volume is in use - [{id}]"));
    }
    berth(&d, &w("rm user")).ok();

    // survives a daemon restart and a kill -9: the store is the truth
    d.restart();
    assert_eq!(volume_names(&d), {
        let mut v = vec!["data".to_string(), "other".to_string(), generated.clone()];
        v.sort();
        v
    });
    d.kill9();
    d.start_again();
    for (tool, out) in both(&d, &w("run --rm -v data:/d busybox cat /d/f")) {
        assert_eq!(out.ok(), "hello\n", "{tool}");
    }
    let v = d.api_json("GET", "/volumes/other", None);
    assert_eq!(v["Labels"]["env"], "prod");

    // removal: each CLI prints the name; the data goes
    assert_eq!(berth(&d, &w("volume rm data")).ok(), "data\n");
    assert!(!d.data_root().join("volumes/data").exists());
    assert_eq!(
        docker(&d, &["volume", "rm", "other", &generated]).ok(),
        format!("other\n{generated}\n")
    );
    assert!(volume_names(&d).is_empty());
}

#[test]
fn copy_up_anonymous_volumes_rm_v_and_prune() {
    let d = daemon_with_busybox();
    // copy-up: an empty volume mounted over /etc gets the image's /etc
    berth(&d, &w("run --rm -v conf:/etc busybox true")).ok();
    for (tool, out) in both(&d, &w("run --rm -v conf:/c busybox cat /c/group")) {
        assert!(out.ok().starts_with("root:x:0:"), "{tool}: {}", out.stdout);
    }
    // volume-nocopy: nothing is copied
    docker(
        &d,
        &w("run --rm --mount type=volume,src=bare,dst=/etc,volume-nocopy busybox true"),
    )
    .ok();
    let ls = berth(&d, &w("run --rm -v bare:/b busybox ls /b"))
        .ok()
        .to_string();
    assert!(!ls.contains("group"), "{ls}");
    // a filled volume is not overwritten by the image
    berth(
        &d,
        &wt(
            "run --rm -v conf:/c busybox sh -c",
            &["echo mine > /c/group"],
        ),
    )
    .ok();
    berth(&d, &w("run --rm -v conf:/etc busybox true")).ok();
    assert_eq!(
        berth(&d, &w("run --rm -v conf:/c busybox cat /c/group")).ok(),
        "mine\n"
    );

    // the image's VOLUME gets an anonymous volume with the image's content
    let tar = d.data_root().with_file_name("busybox.tar");
    berth(
        &d,
        &[
            "import",
            "--change",
            "VOLUME /etc",
            tar.to_str().unwrap(),
            "vbox",
        ],
    )
    .ok();
    // -v /path makes an anonymous volume too
    for (tool, out) in both(&d, &w("create -v /scratch vbox true")) {
        let id = out.ok().trim().to_string();
        let ms = mounts(&d, &id);
        assert_eq!(ms.len(), 2, "{tool}: {ms:?}");
        for m in &ms {
            assert_eq!(m["Type"], "volume");
            assert_eq!(m["Driver"], "local");
            assert_eq!(m["Mode"], "");
            assert_eq!(m["RW"], true);
            assert_eq!(m["Propagation"], "");
            let name = m["Name"].as_str().unwrap();
            assert!(is_hex64(name), "{name}");
            let v = d.api_json("GET", &format!("/volumes/{name}"), None);
            assert_eq!(
                v["Labels"],
                serde_json::json!({"com.docker.volume.anonymous": ""})
            );
        }
        let dests: Vec<&str> = ms
            .iter()
            .map(|m| m["Destination"].as_str().unwrap())
            .collect();
        assert_eq!(dests, ["/etc", "/scratch"], "{tool}");
        berth(&d, &["start", "-a", &id]).ok();
        let etc = ms.iter().find(|m| m["Destination"] == "/etc").unwrap();
        let src = etc["Source"].as_str().unwrap();
        assert!(
            std::path::Path::new(src).join("passwd").is_file(),
            "{tool}: copy-up into {src}"
        );
        // rm -v removes the container's anonymous volumes
        let before = volume_names(&d).len();
        assert_eq!(berth(&d, &["rm", "-v", &id]).ok().trim(), id);
        assert_eq!(volume_names(&d).len(), before - 2, "{tool}");
    }
    // a named -v volume shows mode "z" and survives rm -v
    let id = docker(&d, &w("create -v keep:/k busybox true"))
        .ok()
        .trim()
        .to_string();
    let m = &mounts(&d, &id)[0];
    assert_eq!(
        (m["Name"].as_str(), m["Mode"].as_str()),
        (Some("keep"), Some("z"))
    );
    docker(&d, &["rm", "-v", &id]).ok();
    assert!(volume_names(&d).contains(&"keep".to_string()));
    // run --rm removes its anonymous volumes
    let before = volume_names(&d);
    for (tool, out) in both(&d, &w("run --rm -v /tmpdata busybox true")) {
        out.ok();
        assert!(
            wait_until(30, || volume_names(&d) == before),
            "{tool}: {:?}",
            volume_names(&d)
        );
    }

    // prune: anonymous unused volumes only by default, every unused one with -a
    let anon_id = berth(&d, &w("create -v /a1 busybox true"))
        .ok()
        .trim()
        .to_string();
    berth(&d, &["rm", &anon_id]).ok(); // without -v: the anonymous volume stays, unused
    let held = berth(&d, &w("create -v /a2 busybox true"))
        .ok()
        .trim()
        .to_string();
    let names = volume_names(&d);
    assert_eq!(names.len(), 5, "{names:?}"); // conf bare keep + two anonymous
    let out = berth(&d, &w("volume prune -f")).ok().to_string();
    assert!(out.starts_with("Deleted Volumes:\n"), "{out}");
    assert_eq!(out.lines().count(), 4, "one deleted: {out}");
    assert!(out.ends_with("\nTotal reclaimed space: 0B\n"), "{out}");
    assert_eq!(volume_names(&d).len(), 4);
    let r = d.api("POST", "/volumes/prune", None);
    assert_eq!(r.text(), "{\"VolumesDeleted\":null,\"SpaceReclaimed\":0}\n");
    // label filters and -a: conf (which holds data) goes; the held anonymous one stays
    let out = docker(&d, &w("volume prune -af --filter label!=keep"))
        .ok()
        .to_string();
    assert!(
        out.contains("conf\n") && out.contains("bare\n") && out.contains("keep\n"),
        "{out}"
    );
    assert!(
        !out.contains("Total reclaimed space: 0B"),
        "conf held a file: {out}"
    );
    let left = volume_names(&d);
    assert_eq!(left.len(), 1, "{left:?}");
    berth(&d, &["rm", "-v", &held]).ok();
    assert!(volume_names(&d).is_empty());
}

fn proc_mounts_line<'a>(mounts: &'a str, dest: &str) -> Option<&'a str> {
    mounts
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some(dest))
}

#[test]
fn mount_and_tmpfs_flags() {
    let d = daemon_with_busybox();
    let host_dir = d.data_root().with_file_name("hostdir");
    std::fs::create_dir_all(&host_dir).unwrap();
    std::fs::write(host_dir.join("h"), "from host\n").unwrap();
    let bind = format!("type=bind,source={},target=/h,readonly", host_dir.display());
    for (tool, out) in both(
        &d,
        &[
            "run",
            "--rm",
            "--name",
            "m1",
            "--mount",
            "type=volume,source=mv,target=/v",
            "--mount",
            &bind,
            "--mount",
            "type=tmpfs,target=/t,tmpfs-size=1m",
            "--tmpfs",
            "/run2:size=2m,exec",
            "busybox",
            "sh",
            "-c",
            "cat /h/h; cat /proc/mounts",
        ],
    ) {
        let text = out.ok();
        assert!(text.starts_with("from host\n"), "{tool}: {text}");
        let t = proc_mounts_line(text, "/t").unwrap_or_else(|| panic!("{tool}: no /t: {text}"));
        assert!(
            t.starts_with("tmpfs /t tmpfs rw,nosuid,nodev,noexec"),
            "{tool}: {t}"
        );
        assert!(t.contains("size=1024k"), "{tool}: {t}");
        let r2 = proc_mounts_line(text, "/run2").unwrap_or_else(|| panic!("{tool}: {text}"));
        assert!(
            r2.contains("size=2048k") && !r2.contains("noexec"),
            "{tool}: {r2}"
        );
        let h = proc_mounts_line(text, "/h").unwrap_or_else(|| panic!("{tool}: {text}"));
        assert!(h.contains(" ro,"), "{tool}: {h}");
        let v = proc_mounts_line(text, "/v").unwrap_or_else(|| panic!("{tool}: {text}"));
        assert!(v.contains(" rw,"), "{tool}: {v}");
    }
    // inspect's Mounts and HostConfig as Docker shows them
    let id = docker(
        &d,
        &[
            "create",
            "--mount",
            "type=volume,source=mv,target=/v",
            "--mount",
            &bind,
            "--mount",
            "type=tmpfs,target=/t",
            "--tmpfs",
            "/run2",
            "busybox",
            "true",
        ],
    )
    .ok()
    .trim()
    .to_string();
    let c = inspect(&d, &id);
    let ms = c["Mounts"].as_array().unwrap();
    assert_eq!(ms.len(), 3, "--tmpfs is not among Mounts: {ms:?}");
    assert_eq!(
        ms[0],
        serde_json::json!({
        "Type": "volume", "Name": "mv",
        "Source": d.data_root().join("volumes/mv/_data").display().to_string(),
        "Destination": "/v", "Driver": "local", "Mode": "", "RW": true, "Propagation": ""})
    );
    assert_eq!(
        ms[1],
        serde_json::json!({
        "Type": "bind", "Source": host_dir.display().to_string(), "Destination": "/h",
        "Mode": "", "RW": false, "Propagation": "rprivate"})
    );
    assert_eq!(
        ms[2],
        serde_json::json!({
        "Type": "tmpfs", "Source": "", "Destination": "/t", "Mode": "", "RW": true, "Propagation": ""})
    );
    // fields in Docker's order, Name and Driver only for volumes
    let raw = d.api("GET", &format!("/containers/{id}/json"), None).text();
    assert!(
        raw.contains("\"Mounts\":[{\"Type\":\"volume\",\"Name\":\"mv\",\"Source\":"),
        "{raw}"
    );
    assert!(raw.contains("{\"Type\":\"tmpfs\",\"Source\":\"\",\"Destination\":\"/t\",\"Mode\":\"\",\"RW\":true,\"Propagation\":\"\"}"), "{raw}");
    assert_eq!(c["HostConfig"]["Tmpfs"], serde_json::json!({"/run2": ""}));
    assert_eq!(c["HostConfig"]["Mounts"].as_array().map(Vec::len), Some(3));
    berth(&d, &["rm", &id]).ok();

    // a local volume bound to a host directory, as compose's driver_opts write it
    let device = format!("device={}", host_dir.display());
    for (tool, name) in [("berth", "bv1"), ("docker", "bv2")] {
        let args = [
            "volume",
            "create",
            "-o",
            "type=none",
            "-o",
            "o=bind",
            "-o",
            &device,
            name,
        ];
        let out = if tool == "berth" {
            berth(&d, &args)
        } else {
            docker(&d, &args)
        };
        assert_eq!(out.ok().trim(), name);
        let v = d.api_json("GET", &format!("/volumes/{name}"), None);
        assert_eq!(v["Options"]["o"], "bind", "{tool}");
        let script = format!("cat /b/h; echo {tool} > /b/{name}");
        berth(
            &d,
            &[
                "run",
                "--rm",
                "-v",
                &format!("{name}:/b"),
                "busybox",
                "sh",
                "-c",
                &script,
            ],
        )
        .ok();
        let written = std::fs::read_to_string(host_dir.join(name)).unwrap();
        assert_eq!(written, format!("{tool}\n"));
    }
    // removing the volume leaves the host directory alone
    docker(&d, &w("volume rm bv1 bv2")).ok();
    assert!(host_dir.join("h").is_file());
    // a device that went missing fails the start with Docker's message
    let gone = d.data_root().with_file_name("gone");
    std::fs::create_dir_all(&gone).unwrap();
    let dev = format!("device={}", gone.display());
    berth(
        &d,
        &[
            "volume",
            "create",
            "-o",
            "type=none",
            "-o",
            "o=bind",
            "-o",
            &dev,
            "bv3",
        ],
    )
    .ok();
    std::fs::remove_dir(&gone).unwrap();
    for (_, out) in both(&d, &w("run --rm -v bv3:/b busybox true")) {
        out.fails_with("failed to mount local volume: mount ");
    }
    // other driver options are refused clearly
    for (_, out) in both(&d, &w("volume create -o type=tmpfs -o device=tmpfs tv")) {
        out.fails_with("create tv: berth's local driver supports only bind volumes");
    }
    for (_, out) in both(&d, &w("volume create -o type=tmpfs tv")) {
        out.fails_with("create tv: missing required option: \"device\"");
    }
}

#[test]
fn bad_input_gets_dockers_errors_and_changes_nothing() {
    let d = daemon_with_busybox();
    let bad_name = "create a/b: \"a/b\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path";
    let r = d.api("POST", "/volumes/create", Some(r#"{"Name":"a/b"}"#));
    assert_eq!((r.status, r.message()), (400, bad_name.to_string()));
    for (_, out) in both(&d, &w("volume create a/b")) {
        out.fails_with(bad_name);
    }
    // a relative path where a host path was meant is a volume name, and a bad one
    for (_, out) in both(&d, &w("run --rm -v a/b:/x busybox true")) {
        out.fails_with(bad_name);
    }
    for (_, out) in both(&d, &w("run --rm -v data:rel busybox true")) {
        out.fails_with("invalid mount path: 'rel' mount path must be absolute");
    }
    let r = d.api(
        "POST",
        "/volumes/create",
        Some(r#"{"Name":"v1","Driver":"nfs"}"#),
    );
    assert_eq!(
        (r.status, r.message()),
        (
            404,
            "create v1: error looking up volume plugin nfs: plugin \"nfs\" not found".to_string()
        )
    );
    for (_, out) in both(&d, &w("volume create -d nfs v1")) {
        out.fails_with("error looking up volume plugin nfs: plugin \"nfs\" not found");
    }
    let r = d.api(
        "POST",
        "/volumes/create",
        Some(r#"{"Name":"v1","DriverOpts":{"bogus":"1"}}"#),
    );
    assert_eq!(
        (r.status, r.message()),
        (400, "create v1: invalid option: \"bogus\"".to_string())
    );
    let r = d.api(
        "POST",
        "/volumes/create",
        Some(r#"{"Name":"v1","DriverOpts":{"type":"tmpfs"}}"#),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    // missing volumes
    let r = d.api("GET", "/volumes/nope", None);
    assert_eq!(
        (r.status, r.message()),
        (404, "get nope: no such volume".to_string())
    );
    let r = d.api("DELETE", "/volumes/nope", None);
    assert_eq!(
        (r.status, r.message()),
        (404, "get nope: no such volume".to_string())
    );
    assert_eq!(d.api("DELETE", "/volumes/nope?force=1", None).status, 204);
    for (_, out) in both(&d, &w("volume inspect nope")) {
        out.fails_with("get nope: no such volume");
    }
    for (_, out) in both(&d, &w("volume rm nope")) {
        out.fails_with("get nope: no such volume");
    }
    // filters
    let r = d.api(
        "GET",
        "/volumes?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D",
        None,
    );
    assert_eq!(
        (r.status, r.message()),
        (400, "invalid filter 'bogus'".to_string())
    );
    // bad --mount values, through the API
    for (body, msg) in [
        (r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"Mounts":[{"Type":"bind","Source":"/nonexistent-x","Target":"/x"}]}}"#,
         "invalid mount config for type \"bind\": bind source path does not exist: /nonexistent-x"),
        (r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"Mounts":[{"Type":"bind","Source":"rel","Target":"/x"}]}}"#,
         "invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute"),
        (r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"Mounts":[{"Type":"tmpfs","Source":"x","Target":"/x"}]}}"#,
         "invalid mount config for type \"tmpfs\": field Source must not be specified"),
        (r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"Mounts":[{"Type":"volume","Target":"/x"},{"Type":"tmpfs","Target":"/x"}]}}"#,
         "Duplicate mount point: /x"),
        (r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"Mounts":[{"Type":"bogus","Target":"/x"}]}}"#,
         "invalid mount config for type \"bogus\": mount type unknown"),
    ] {
        let r = d.api("POST", "/containers/create", Some(body));
        assert_eq!((r.status, r.message()), (400, msg.to_string()), "{body}");
    }
    for (_, out) in both(&d, &w("create --tmpfs /t:bogus busybox true")) {
        out.fails_with("invalid tmpfs option [\"bogus\"] for /t");
    }
    for (_, out) in both(&d, &w("create --mount type=bind,target=/x busybox true")) {
        out.fails_with("field Source must not be empty");
    }
    // nothing was created by any of it
    assert!(volume_names(&d).is_empty(), "{:?}", volume_names(&d));
    assert!(all_ids(&d).is_empty());
    let vols = d.data_root().join("volumes");
    let left: Vec<_> = std::fs::read_dir(&vols)
        .map(|r| r.flatten().collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn python_docker_sdk_creates_and_lists_volumes() {
    let d = Daemon::start();
    let script = r#"
import docker, sys
c = docker.DockerClient(base_url=sys.argv[1])
v = c.volumes.create(name="pyvol", labels={"k": "v"})
print(v.name, v.attrs["Driver"], v.attrs["Labels"]["k"])
print(sorted(x.name for x in c.volumes.list()))
print(c.volumes.get("pyvol").attrs["Scope"])
v.remove()
print(len(c.volumes.list()))
"#;
    let out = std::process::Command::new("timeout")
        .args(["60", "python3", "-c", script, &d.docker_host()])
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout, "pyvol local v\n['pyvol']\nlocal\n0\n");
}
