//! `docker cp` against berth with the stock CLI: a file and a directory out of a running
//! container and back in, a missing path, and links inside the container that point at the
//! host's root staying inside the container.

mod harness;

use harness::ctr::*;

#[test]
fn cp_out_and_in_with_the_docker_cli() {
    let d = daemon_with_busybox();
    docker(&d, &w("run -d --name box busybox sleep 600")).ok();
    docker(
        &d,
        &wt(
            "exec box sh -c",
            &["mkdir -p /data/sub && echo hello > /data/a.txt && echo deep > /data/sub/b.txt && ln -s a.txt /data/link && chmod 640 /data/a.txt"],
        ),
    )
    .ok();
    let dir = tempfile::tempdir().unwrap();
    let local = |p: &str| dir.path().join(p);

    // A file out.
    let out = local("a.txt");
    docker(&d, &["cp", "box:/data/a.txt", out.to_str().unwrap()]).ok();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "hello\n");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o640
    );

    // A directory out, with its link kept a link.
    let tree = local("tree");
    docker(&d, &["cp", "box:/data", tree.to_str().unwrap()]).ok();
    assert_eq!(
        std::fs::read_to_string(tree.join("sub/b.txt")).unwrap(),
        "deep\n"
    );
    assert_eq!(
        std::fs::read_link(tree.join("link")).unwrap().to_str(),
        Some("a.txt")
    );

    // A file and a directory in.
    std::fs::write(local("in.txt"), "from the host\n").unwrap();
    docker(&d, &["cp", local("in.txt").to_str().unwrap(), "box:/tmp/"]).ok();
    std::fs::create_dir_all(local("conf/d")).unwrap();
    std::fs::write(local("conf/d/x.conf"), "x=1\n").unwrap();
    docker(&d, &["cp", local("conf").to_str().unwrap(), "box:/etc/"]).ok();
    let got = docker(
        &d,
        &wt(
            "exec box sh -c",
            &["cat /tmp/in.txt /etc/conf/d/x.conf; stat -c %u /tmp/in.txt"],
        ),
    );
    assert_eq!(got.ok(), "from the host\nx=1\n0\n");

    // A missing path: Docker's 404 and wording.
    let missing = docker(&d, &["cp", "box:/nope", local("x").to_str().unwrap()]);
    assert_ne!(missing.code, 0);
    assert!(
        missing
            .stderr
            .contains("Could not find the file /nope in container box"),
        "{missing:?}"
    );
    let r = d.api("HEAD", "/containers/box/archive?path=/data/a.txt", None);
    assert_eq!(r.status, 200);
    assert!(r.header("X-Docker-Container-Path-Stat").is_some());
}

#[test]
fn links_to_the_hosts_root_resolve_inside_the_container() {
    let d = daemon_with_busybox();
    docker(&d, &w("run -d --name trap busybox sleep 600")).ok();
    // A marker only the host has; links in the container that would reach it on the host.
    let marker = d.data_root().with_file_name("host-only-marker");
    std::fs::write(&marker, "host secret\n").unwrap();
    let m = marker.to_str().unwrap();
    docker(
        &d,
        &wt(
            "exec trap sh -c",
            &[&format!(
                "ln -s / /escape && ln -s {m} /marker && mkdir -p /w && ln -s / /w/up"
            )],
        ),
    )
    .ok();
    let dir = tempfile::tempdir().unwrap();
    // Through a link to /: the container's own file, not the host's.
    let out = dir.path().join("m");
    let via = format!("trap:/escape{m}");
    let r = docker(&d, &["cp", &via, out.to_str().unwrap()]);
    assert_ne!(r.code, 0, "the host's file is not in the container: {r:?}");
    assert!(!out.exists() || std::fs::read_to_string(&out).unwrap() != "host secret\n");
    // Copying in through a link to /: lands in the container's /tmp, not the host's.
    std::fs::write(dir.path().join("planted"), "x").unwrap();
    let host_tmp = std::path::Path::new("/tmp/planted");
    let existed = host_tmp.exists();
    docker(
        &d,
        &[
            "cp",
            dir.path().join("planted").to_str().unwrap(),
            "trap:/w/up/tmp/",
        ],
    )
    .ok();
    assert_eq!(host_tmp.exists(), existed, "nothing written on the host");
    let inside = docker(&d, &w("exec trap cat /tmp/planted"));
    assert_eq!(inside.ok(), "x");
}
