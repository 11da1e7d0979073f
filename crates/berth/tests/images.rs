//! Images end to end: import (berth and docker CLIs, file and stdin), load of docker-save
//! and OCI archives, images / image inspect / tag / rmi / save, with both CLIs against the
//! daemon, and bad input that must leave the store and everything outside it untouched.

mod harness;

use harness::{berth_bin, CmdResult, Daemon};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One tar entry written by hand (so names like `../x` can be made): ustar header + data.
fn entry(name: &str, kind: u8, link: &str, data: &[u8]) -> Vec<u8> {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    let mode = if kind == b'5' {
        "0000755\0"
    } else {
        "0000644\0"
    };
    h[100..108].copy_from_slice(mode.as_bytes());
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
    h[136..148].copy_from_slice(b"14544335000\0");
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut out = h.to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

fn finish(mut entries: Vec<u8>) -> Vec<u8> {
    entries.extend_from_slice(&[0u8; 1024]);
    entries
}

fn file(name: &str, data: &[u8]) -> Vec<u8> {
    entry(name, b'0', "", data)
}

fn sha256_hex(data: &[u8]) -> String {
    // the store's own digest, through its public test helper surface: sha256 via `sha256sum`
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum");
    child.stdin.take().unwrap().write_all(data).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)[..64].to_string()
}

/// A `docker save` archive (legacy layout) of the given layers, tagged `tag`.
fn docker_save_archive(layers: &[Vec<u8>], tag: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut diff_ids = Vec::new();
    let mut paths = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        diff_ids.push(format!("sha256:{}", sha256_hex(l)));
        out.extend(entry(&format!("l{i}/"), b'5', "", b""));
        out.extend(file(&format!("l{i}/layer.tar"), l));
        paths.push(format!("l{i}/layer.tar"));
    }
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05Z",
        "config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap();
    let chex = sha256_hex(&config);
    out.extend(file(&format!("{chex}.json"), &config));
    let manifest = serde_json::to_vec(&serde_json::json!([
        {"Config": format!("{chex}.json"), "RepoTags": [tag], "Layers": paths}
    ]))
    .unwrap();
    out.extend(file("manifest.json", &manifest));
    finish(out)
}

/// An OCI image layout with one image named `name`.
fn oci_archive(layer: &[u8], name: &str) -> Vec<u8> {
    let diff = format!("sha256:{}", sha256_hex(layer));
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "created": "2024-02-03T04:05:06Z",
        "rootfs": {"type": "layers", "diff_ids": [diff]},
    }))
    .unwrap();
    let chex = sha256_hex(&config);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{chex}"), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": diff, "size": layer.len()}],
    }))
    .unwrap();
    let mhex = sha256_hex(&manifest);
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{mhex}"),
            "size": manifest.len(), "annotations": {"io.containerd.image.name": name}}],
    }))
    .unwrap();
    let mut out = file("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
    out.extend(file(&format!("blobs/sha256/{chex}"), &config));
    out.extend(file(&format!("blobs/sha256/{}", &diff[7..]), layer));
    out.extend(file(&format!("blobs/sha256/{mhex}"), &manifest));
    out.extend(file("index.json", &index));
    finish(out)
}

/// `berth ARGS` with `input` on stdin.
fn berth_stdin(d: &Daemon, args: &[&str], input: &[u8]) -> CmdResult {
    let mut child = Command::new(berth_bin())
        .env_remove("DOCKER_HOST")
        .env("BERTH_HOST", d.docker_host())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("berth");
    child.stdin.take().unwrap().write_all(input).unwrap();
    CmdResult::from(child.wait_with_output().unwrap())
}

fn write_temp(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

/// Every path under the image store, with sizes: "unchanged" is compared on this.
fn store_listing(d: &Daemon) -> Vec<String> {
    fn walk(p: &Path, base: &Path, out: &mut Vec<String>) {
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                let path = e.path();
                let meta = std::fs::symlink_metadata(&path).unwrap();
                out.push(format!(
                    "{} {}",
                    path.strip_prefix(base).unwrap().display(),
                    if meta.is_dir() { 0 } else { meta.len() }
                ));
                if meta.is_dir() {
                    walk(&path, base, out);
                }
            }
        }
    }
    let base = d.data_root().join("image");
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out.sort();
    out
}

/// Replaces 64/12-hex ids so outputs of the two CLIs compare.
fn scrub(s: &str) -> String {
    let re_chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < re_chars.len() {
        let run = re_chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            .count();
        let boundary = i == 0 || !re_chars[i - 1].is_ascii_alphanumeric();
        if boundary && (run == 64 || run == 12) {
            out.push_str(if run == 64 { "<ID>" } else { "<ID12>" });
            i += run;
        } else {
            out.push(re_chars[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn import_with_both_clis_then_list_inspect_tag_rmi() {
    let d = Daemon::start();
    let tmp = tempfile::tempdir().unwrap();
    let tar = berth_image::testing::busybox_rootfs_tar();
    let tar_path = write_temp(tmp.path(), "rootfs.tar", &tar);
    let tp = tar_path.to_str().unwrap();

    let out = d.berth(&[
        "import",
        "-c",
        r#"CMD ["sh"]"#,
        "-c",
        "ENV A=1",
        "-m",
        "from berth",
        tp,
        "bb:berth",
    ]);
    let id = out.ok().trim().to_string();
    assert!(id.starts_with("sha256:") && id.len() == 71, "{id}");
    let out = d.docker(&[
        "import",
        "-c",
        "CMD [\"sh\"]",
        "-c",
        "ENV A=1",
        tp,
        "bb:docker",
    ]);
    assert!(out.ok().trim().starts_with("sha256:"), "{out:?}");
    let out = berth_stdin(&d, &["import", "-", "bb:stdin"], &tar);
    assert!(out.ok().starts_with("sha256:"));
    // one layer, shared by the three images
    assert_eq!(
        std::fs::read_dir(d.data_root().join("image/layers/sha256"))
            .unwrap()
            .count(),
        1
    );

    // images: the same table from both CLIs
    let b = d.berth(&["images"]);
    let k = d.docker(&["images"]);
    assert_eq!(scrub(b.ok()), scrub(k.ok()), "berth vs docker images");
    assert!(
        b.stdout
            .starts_with("REPOSITORY   TAG       IMAGE ID       CREATED"),
        "{}",
        b.stdout
    );
    assert!(b.stdout.contains("bb           berth"), "{}", b.stdout);
    assert!(
        // go-units' HumanDuration: "Less than a second", "1 second", then "N seconds"
        b.stdout.contains("Less than a second ago")
            || b.stdout.contains("1 second ago")
            || b.stdout.contains("seconds ago"),
        "{}",
        b.stdout
    );
    assert_eq!(
        d.berth(&["images", "-q"]).ok(),
        d.docker(&["images", "-q"]).ok()
    );
    assert_eq!(
        d.berth(&[
            "images",
            "--format",
            "{{.Repository}}:{{.Tag}}",
            "--filter",
            "reference=bb:b*"
        ])
        .ok(),
        "bb:berth\n"
    );

    // inspect, by name, id prefix, and library/ path form
    let fmt = "{{.Config.Cmd}} {{.Config.Env}} {{.Comment}} {{.Os}} {{.RootFS.Type}} {{len .RootFS.Layers}}";
    let b = d.berth(&["image", "inspect", "-f", fmt, "bb:berth"]);
    assert_eq!(b.ok(), "[sh] [A=1] from berth linux layers 1\n");
    assert_eq!(
        d.docker(&["image", "inspect", "-f", fmt, "bb:berth"]).ok(),
        b.stdout
    );
    assert_eq!(
        d.berth(&["inspect", "--type", "image", "-f", "{{.Id}}", &id[7..19]])
            .ok()
            .trim(),
        id
    );
    assert_eq!(
        d.berth(&["inspect", "-f", "{{.Id}}", "bb:berth"])
            .ok()
            .trim(),
        id
    );
    assert_eq!(
        d.docker(&["inspect", "--type", "image", "-f", "{{.Id}}", "bb:berth"])
            .ok()
            .trim(),
        id
    );
    for path in ["library/bb:berth", "docker.io/library/bb:berth"] {
        let r = d.api("GET", &format!("/v1.50/images/{path}/json"), None);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert_eq!(r.json()["Id"], id.as_str());
    }

    // tag, then rmi semantics with both CLIs
    d.berth(&["tag", "bb:berth", "team/app:v1"]).ok();
    d.docker(&["tag", "bb:berth", "team/app:v2"]).ok();
    let tags = d.api_json("GET", &format!("/images/{}/json", &id[7..]), None)["RepoTags"].clone();
    assert_eq!(
        tags,
        serde_json::json!(["bb:berth", "team/app:v1", "team/app:v2"])
    );
    assert_eq!(
        d.berth(&["rmi", "team/app:v1"]).ok(),
        "Untagged: team/app:v1\n"
    );
    assert_eq!(
        d.docker(&["rmi", "team/app:v2"]).ok(),
        "Untagged: team/app:v2\n"
    );
    let b = d.berth(&["rmi", "nope"]);
    let k = d.docker(&["rmi", "nope"]);
    assert_eq!((b.code, b.stderr.as_str()), (k.code, k.stderr.as_str()));
    assert_eq!(
        b.stderr,
        "Error response from daemon: No such image: nope:latest\n"
    );
    let b = d.berth(&["image", "inspect", "nope"]);
    let k = d.docker(&["image", "inspect", "nope"]);
    assert_eq!((b.code, b.stdout.as_str()), (k.code, k.stdout.as_str()));
    assert!(b.stderr.contains("No such image: nope"), "{}", b.stderr);
    // rmi by tag deletes when it is the last reference
    let out = d.berth(&["rmi", "bb:stdin"]);
    let lines: Vec<&str> = out.ok().lines().collect();
    assert_eq!(lines[0], "Untagged: bb:stdin");
    assert!(lines[1].starts_with("Deleted: sha256:"), "{lines:?}");
    // the shared layer stays while other images use it
    assert_eq!(
        std::fs::read_dir(d.data_root().join("image/layers/sha256"))
            .unwrap()
            .count(),
        1
    );
    let out = d.docker(&["rmi", "bb:docker"]);
    assert!(out.ok().contains("Deleted: sha256:"));
    let out = d.berth(&["image", "rm", "bb:berth"]);
    assert_eq!(
        out.ok().lines().count(),
        3,
        "untag, image, layer: {}",
        out.stdout
    );
    assert_eq!(
        std::fs::read_dir(d.data_root().join("image/layers/sha256"))
            .unwrap()
            .count(),
        0
    );
    assert_eq!(d.berth(&["images", "-q"]).ok(), "");
}

#[test]
fn load_docker_and_oci_archives_and_save_round_trip() {
    let d = Daemon::start();
    let tmp = tempfile::tempdir().unwrap();
    let busybox = berth_image::testing::busybox_rootfs_tar();
    let top = finish(
        [
            file("etc/.wh.group", b""),
            entry("tmp/", b'5', "", b""),
            file("tmp/.wh..wh..opq", b""),
            file("hello.txt", b"hi\n"),
        ]
        .concat(),
    );
    let archive = write_temp(
        tmp.path(),
        "save.tar",
        &docker_save_archive(&[busybox.clone(), top], "ld:1"),
    );
    let out = d.berth(&["load", "-i", archive.to_str().unwrap()]);
    assert_eq!(out.ok(), "Loaded image: ld:1\n");
    // docker's CLI prints the same for the same archive (the image is there already)
    assert_eq!(
        d.docker(&["load", "-i", archive.to_str().unwrap()]).ok(),
        "Loaded image: ld:1\n"
    );
    let rec = d.api_json("GET", "/images/ld:1/json", None);
    assert_eq!(rec["RootFS"]["Layers"].as_array().unwrap().len(), 2);
    // the whiteout is an overlay whiteout in the top layer dir
    let layers = std::fs::read_dir(d.data_root().join("image/layers/sha256"))
        .unwrap()
        .count();
    assert_eq!(layers, 2);

    let oci = write_temp(
        tmp.path(),
        "oci.tar",
        &oci_archive(&busybox, "docker.io/library/oci:2"),
    );
    let out = berth_stdin(&d, &["load"], &std::fs::read(&oci).unwrap());
    assert_eq!(out.ok(), "Loaded image: oci:2\n");
    // the OCI image's layer is the busybox layer: shared, not unpacked twice
    assert_eq!(
        std::fs::read_dir(d.data_root().join("image/layers/sha256"))
            .unwrap()
            .count(),
        2
    );

    // save → rmi → load gives back the same image id
    let id = rec["Id"].as_str().unwrap().to_string();
    let saved = tmp.path().join("out.tar");
    d.berth(&["save", "-o", saved.to_str().unwrap(), "ld:1", "oci:2"])
        .ok();
    let via_docker = tmp.path().join("docker-out.tar");
    d.docker(&["save", "-o", via_docker.to_str().unwrap(), "ld:1"])
        .ok();
    assert!(std::fs::metadata(&via_docker).unwrap().len() > 1_000_000);
    d.berth(&["rmi", "ld:1", "oci:2"]).ok();
    assert_eq!(d.berth(&["images", "-q"]).ok(), "");
    let out = d.berth(&["load", "-i", saved.to_str().unwrap()]);
    assert_eq!(out.ok(), "Loaded image: ld:1\nLoaded image: oci:2\n");
    assert_eq!(
        d.api_json("GET", "/images/ld:1/json", None)["Id"],
        id.as_str()
    );
    d.berth(&["rmi", "ld:1"]).ok();
    assert_eq!(
        d.docker(&["load", "-i", via_docker.to_str().unwrap()]).ok(),
        "Loaded image: ld:1\n"
    );
    // save of a missing image: Docker's 404, nothing written
    let missing = tmp.path().join("missing.tar");
    d.berth(&["save", "-o", missing.to_str().unwrap(), "nope"])
        .fails_with("No such image: nope:latest");
}

#[test]
fn bad_tarballs_change_nothing() {
    let d = Daemon::start();
    let tmp = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let out_dir = outside.path().to_str().unwrap().to_string();
    let keep = berth_image::testing::busybox_rootfs_tar();
    berth_stdin(&d, &["import", "-", "keep:1"], &keep).ok();
    let before = store_listing(&d);
    let busybox = keep.clone();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "dotdot",
            finish(file("../../../../../../escape-dotdot", b"x")),
        ),
        (
            "absolute",
            finish(file(&format!("{out_dir}/escape-abs"), b"x")),
        ),
        (
            "absolute symlink",
            finish(
                [
                    entry("evil", b'2', &out_dir, b""),
                    file("evil/escape-link", b"x"),
                ]
                .concat(),
            ),
        ),
        (
            "relative symlink",
            finish(
                [
                    entry("evil", b'2', "../../../../../../../..", b""),
                    file(&format!("evil{out_dir}/escape-rel"), b"x"),
                ]
                .concat(),
            ),
        ),
        (
            "hardlink",
            finish(entry("h", b'1', "../../../../etc/passwd", b"")),
        ),
        ("device", finish(entry("sda", b'4', "", b""))),
        ("truncated", busybox[..busybox.len() / 2 + 7].to_vec()),
        ("garbage", vec![b'x'; 4096]),
    ];
    for (name, data) in &cases {
        let p = write_temp(tmp.path(), &format!("{name}.tar"), data);
        let b = d.berth(&["import", p.to_str().unwrap(), "evil:1"]);
        assert_ne!(b.code, 0, "{name}: {b:?}");
        assert!(
            b.stderr.starts_with("Error response from daemon: "),
            "{name}: {}",
            b.stderr
        );
        let k = d.docker(&["import", p.to_str().unwrap(), "evil:2"]);
        assert_ne!(k.code, 0, "{name}: {k:?}");
        // the same layer inside a docker save archive
        let archive = write_temp(
            tmp.path(),
            &format!("{name}-save.tar"),
            &docker_save_archive(std::slice::from_ref(data), "evil:3"),
        );
        d.berth(&["load", "-i", archive.to_str().unwrap()])
            .fails_with("Error response from daemon");
        assert_eq!(
            std::fs::read_dir(outside.path()).unwrap().count(),
            0,
            "{name} wrote outside"
        );
        assert_eq!(store_listing(&d), before, "{name} changed the store");
    }
    assert!(!Path::new("/escape-dotdot").exists());
    let r = d.api("GET", "/images/evil:1/json", None);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["message"], "No such image: evil:1");
    // a truncated outer archive
    let mut cut = docker_save_archive(std::slice::from_ref(&keep), "cut:1");
    cut.truncate(cut.len() / 3);
    let p = write_temp(tmp.path(), "cut.tar", &cut);
    d.berth(&["load", "-i", p.to_str().unwrap()])
        .fails_with("truncated");
    assert_eq!(store_listing(&d), before);
    // the daemon is unharmed
    assert_eq!(d.api("GET", "/_ping", None).status, 200);
    assert_eq!(
        d.berth(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
            .ok(),
        "keep:1\n"
    );
}
