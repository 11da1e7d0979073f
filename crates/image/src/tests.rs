//! Store tests: import/load/save round trips, whiteouts, escapes, broken archives, tag and
//! rmi semantics, concurrency, persistence, and overlay mounts (in a private mount namespace).

use crate::testing::{busybox_rootfs_tar, header, tar_of};
use crate::{DeleteItem, ImageError, ImageStore};
use std::io::Write;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

fn store() -> (tempfile::TempDir, ImageStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = ImageStore::open(&dir.path().join("image")).unwrap();
    (dir, s)
}

fn no_users(_: &str) -> Vec<(String, bool)> {
    Vec::new()
}

/// A tar entry written byte for byte, so names the tar crate's builder refuses (`../x`,
/// `/abs`) can be made.
fn raw_entry(
    b: &mut tar::Builder<Vec<u8>>,
    name: &str,
    kind: tar::EntryType,
    link: &str,
    data: &[u8],
) {
    let mut h = header(kind, 0o644, data.len() as u64);
    let old = h.as_old_mut();
    old.name = [0; 100];
    old.name[..name.len()].copy_from_slice(name.as_bytes());
    old.linkname = [0; 100];
    old.linkname[..link.len()].copy_from_slice(link.as_bytes());
    h.set_cksum();
    b.append(&h, data).unwrap();
}

fn layer_count(root: &Path) -> usize {
    std::fs::read_dir(root.join("layers/sha256"))
        .unwrap()
        .count()
}

fn tmp_empty(root: &Path) -> bool {
    std::fs::read_dir(root.join("tmp")).unwrap().count() == 0
}

#[test]
fn import_busybox_and_resolve_every_way() {
    let (_d, s) = store();
    let changes = vec![
        r#"CMD ["sh"]"#.to_string(),
        "ENV PATH=/bin".to_string(),
        "WORKDIR /tmp".to_string(),
        "EXPOSE 80".to_string(),
    ];
    let id = s
        .import(
            busybox_rootfs_tar().as_slice(),
            Some("busybox"),
            &changes,
            "hello",
        )
        .unwrap();
    assert!(id.starts_with("sha256:") && id.len() == 71);
    let hex = &id[7..];
    for r in [
        "busybox",
        "busybox:latest",
        "library/busybox",
        "docker.io/library/busybox:latest",
        &id,
        hex,
        &hex[..12],
        &id[..15],
    ] {
        assert_eq!(s.resolve(r).unwrap().id, id, "{r}");
    }
    let rec = s.resolve("busybox").unwrap();
    assert_eq!(rec.repo_tags, ["busybox:latest"]);
    assert_eq!(rec.config.cmd.as_deref(), Some(&["sh".to_string()][..]));
    assert_eq!(rec.config.working_dir, "/tmp");
    assert_eq!(rec.config_file.comment, "hello");
    assert!(rec.size > 500_000);
    // the id is the sha256 of the stored config
    let raw = s.read_config_bytes(&id).unwrap();
    assert_eq!(format!("sha256:{}", crate::fsutil::sha256_hex(&raw)), id);
    let dirs = s.layer_dirs(&id).unwrap();
    assert_eq!(dirs.len(), 1);
    assert!(dirs[0].join("bin/busybox").is_file());
    assert_eq!(
        std::fs::read_link(dirs[0].join("bin/sh")).unwrap(),
        Path::new("busybox")
    );
    let err = s.resolve("nothere").unwrap_err();
    assert_eq!(err.to_string(), "No such image: nothere:latest");
    let api: berth_model::ApiError = err.into();
    assert_eq!(api.kind.http_status(), 404);
}

#[test]
fn layers_are_shared_and_the_store_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("image");
    let tar = busybox_rootfs_tar();
    {
        let s = ImageStore::open(&root).unwrap();
        s.import(tar.as_slice(), Some("a:1"), &[], "").unwrap();
        s.import(tar.as_slice(), Some("b:2"), &["USER nobody".into()], "")
            .unwrap();
        assert_eq!(s.list().len(), 2);
        assert_eq!(layer_count(&root), 1);
    }
    let s = ImageStore::open(&root).unwrap();
    let tags: Vec<_> = s.list().into_iter().flat_map(|r| r.repo_tags).collect();
    assert!(tags.contains(&"a:1".to_string()) && tags.contains(&"b:2".to_string()));
    assert_eq!(s.resolve("b:2").unwrap().config.user, "nobody");
}

#[test]
fn concurrent_imports() {
    let (_d, s) = store();
    let tar = busybox_rootfs_tar();
    std::thread::scope(|scope| {
        for i in 0..4 {
            let (s, tar) = (&s, &tar);
            scope.spawn(move || {
                s.import(
                    tar.as_slice(),
                    Some(&format!("img{i}")),
                    &[format!("ENV N={i}")],
                    "",
                )
                .unwrap()
            });
        }
    });
    assert_eq!(s.list().len(), 4);
    assert_eq!(layer_count(s.root()), 1);
    assert!(tmp_empty(s.root()));
}

#[test]
fn save_then_load_round_trip() {
    let (_d, s) = store();
    let id = s
        .import(busybox_rootfs_tar().as_slice(), Some("busybox:1"), &[], "")
        .unwrap();
    s.tag("busybox:1", "other/name", Some("v2")).unwrap();
    let mut archive = Vec::new();
    s.save(&["busybox:1".into(), "other/name:v2".into()], &mut archive)
        .unwrap();
    let (_d2, s2) = store();
    let lines = s2.load(archive.as_slice()).unwrap();
    assert_eq!(
        lines,
        ["Loaded image: busybox:1", "Loaded image: other/name:v2"]
    );
    let rec = s2.resolve("other/name:v2").unwrap();
    assert_eq!(rec.id, id);
    assert_eq!(rec.diff_ids, s.resolve(&id).unwrap().diff_ids);
    // loading again over itself is harmless; by id only, Docker's ID line
    let mut by_id = Vec::new();
    s.save(&[id[7..19].to_string()], &mut by_id).unwrap();
    let (_d3, s3) = store();
    assert_eq!(
        s3.load(by_id.as_slice()).unwrap(),
        [format!("Loaded image ID: {id}")]
    );
}

/// Builds a `docker save` archive in the legacy layout (`<dir>/layer.tar`, gzip'd second
/// layer) by hand.
fn legacy_archive(layers: &[Vec<u8>], gzip_second: bool, tag: &str) -> (Vec<u8>, String) {
    let mut b = tar::Builder::new(Vec::new());
    let mut diff_ids = Vec::new();
    let mut paths = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        diff_ids.push(format!("sha256:{}", crate::fsutil::sha256_hex(l)));
        let data = if gzip_second && i == 1 {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(l).unwrap();
            e.finish().unwrap()
        } else {
            l.clone()
        };
        let path = format!("layer{i}/layer.tar");
        let mut h = header(tar::EntryType::Regular, 0o644, data.len() as u64);
        b.append_data(&mut h, &path, data.as_slice()).unwrap();
        paths.push(path);
    }
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05Z",
        "config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap();
    let config_hex = crate::fsutil::sha256_hex(&config);
    let mut h = header(tar::EntryType::Regular, 0o644, config.len() as u64);
    b.append_data(&mut h, format!("{config_hex}.json"), config.as_slice())
        .unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": format!("{config_hex}.json"), "RepoTags": [tag], "Layers": paths,
    }]))
    .unwrap();
    let mut h = header(tar::EntryType::Regular, 0o644, manifest.len() as u64);
    b.append_data(&mut h, "manifest.json", manifest.as_slice())
        .unwrap();
    (b.into_inner().unwrap(), format!("sha256:{config_hex}"))
}

#[test]
fn load_legacy_archive_with_whiteouts() {
    let (_d, s) = store();
    let base = tar_of(&[
        ("etc/", ""),
        ("etc/gone", "x"),
        ("etc/kept", "k"),
        ("opq/", ""),
        ("opq/old", "o"),
    ]);
    let top = tar_of(&[
        ("etc/.wh.gone", ""),
        ("opq/", ""),
        ("opq/.wh..wh..opq", ""),
        ("opq/new", "n"),
    ]);
    let (archive, id) = legacy_archive(&[base, top], true, "wh:test");
    let lines = s.load(archive.as_slice()).unwrap();
    assert_eq!(lines, ["Loaded image: wh:test"]);
    let dirs = s.layer_dirs(&id).unwrap();
    let topdir = &dirs[0];
    let wh = std::fs::symlink_metadata(topdir.join("etc/gone")).unwrap();
    assert!(wh.file_type().is_char_device());
    assert!(!topdir.join("etc/.wh.gone").exists());
    assert_eq!(
        crate::extract::get_xattr(&topdir.join("opq"), "trusted.overlay.opaque").unwrap(),
        b"y"
    );
    assert!(topdir.join("opq/new").is_file());
    // a second load of the same archive says the tag is there already with the same image
    assert_eq!(
        s.load(archive.as_slice()).unwrap(),
        ["Loaded image: wh:test"]
    );
}

#[test]
fn load_oci_layout() {
    let (_d, s) = store();
    let layer = tar_of(&[("hello", "world")]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&layer).unwrap();
    let gz = gz.finish().unwrap();
    let diff = format!("sha256:{}", crate::fsutil::sha256_hex(&layer));
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff]},
    }))
    .unwrap();
    let chex = crate::fsutil::sha256_hex(&config);
    let lhex = crate::fsutil::sha256_hex(&gz);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{chex}"), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": format!("sha256:{lhex}"), "size": gz.len()}],
    }))
    .unwrap();
    let mhex = crate::fsutil::sha256_hex(&manifest);
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{mhex}"), "size": manifest.len(),
            "annotations": {"io.containerd.image.name": "docker.io/library/oci:1", "org.opencontainers.image.ref.name": "1"}}],
    }))
    .unwrap();
    let mut b = tar::Builder::new(Vec::new());
    for (p, d) in [
        (
            "oci-layout".to_string(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        (format!("blobs/sha256/{chex}"), config),
        (format!("blobs/sha256/{lhex}"), gz),
        (format!("blobs/sha256/{mhex}"), manifest),
        ("index.json".to_string(), index),
    ] {
        let mut h = header(tar::EntryType::Regular, 0o644, d.len() as u64);
        b.append_data(&mut h, p, d.as_slice()).unwrap();
    }
    let lines = s.load(b.into_inner().unwrap().as_slice()).unwrap();
    assert_eq!(lines, ["Loaded image: oci:1"]);
    let rec = s.resolve("oci:1").unwrap();
    assert!(s.layer_dirs(&rec.id).unwrap()[0].join("hello").is_file());
}

/// Each escape attempt is refused, writes nothing outside, and leaves the store unchanged.
#[test]
fn escaping_tarballs_are_refused() {
    type Build = fn(&mut tar::Builder<Vec<u8>>, &str);
    let cases: Vec<(&str, Build)> = vec![
        ("dotdot", |b, _| {
            raw_entry(
                b,
                "../../../escape-dotdot",
                tar::EntryType::Regular,
                "",
                b"x",
            )
        }),
        ("absolute", |b, out| {
            raw_entry(
                b,
                &format!("{out}/escape-abs"),
                tar::EntryType::Regular,
                "",
                b"x",
            )
        }),
        ("abs symlink then write through", |b, out| {
            raw_entry(b, "evil", tar::EntryType::Symlink, out, b"");
            raw_entry(b, "evil/escape-link", tar::EntryType::Regular, "", b"x");
        }),
        ("relative symlink climbing out", |b, _| {
            raw_entry(
                b,
                "evil",
                tar::EntryType::Symlink,
                "../../../../../../..",
                b"",
            );
            raw_entry(b, "evil/escape-rel", tar::EntryType::Regular, "", b"x");
        }),
        ("symlink chain", |b, out| {
            raw_entry(b, "a", tar::EntryType::Symlink, "b", b"");
            raw_entry(b, "b", tar::EntryType::Symlink, out, b"");
            raw_entry(b, "a/escape-chain", tar::EntryType::Regular, "", b"x");
        }),
        ("hardlink dotdot", |b, _| {
            raw_entry(b, "h", tar::EntryType::Link, "../../../etc/passwd", b"")
        }),
        ("hardlink through symlink", |b, _| {
            raw_entry(b, "etcdir", tar::EntryType::Symlink, "/etc", b"");
            raw_entry(b, "h", tar::EntryType::Link, "etcdir/passwd", b"");
        }),
        ("device node", |b, _| {
            let mut h = header(tar::EntryType::Block, 0o600, 0);
            h.set_device_major(8).unwrap();
            h.set_device_minor(0).unwrap();
            h.set_path("sda").unwrap();
            h.set_cksum();
            b.append(&h, std::io::empty()).unwrap();
        }),
    ];
    let (_d, s) = store();
    s.import(tar_of(&[("a", "b")]).as_slice(), Some("keep"), &[], "")
        .unwrap();
    let before = s.list().len();
    let outside = tempfile::tempdir().unwrap();
    let out = outside.path().to_str().unwrap().to_string();
    for (name, build) in cases {
        let mut b = tar::Builder::new(Vec::new());
        raw_entry(&mut b, "ok-file", tar::EntryType::Regular, "", b"fine");
        build(&mut b, &out);
        let tar = b.into_inner().unwrap();
        let err = s.import(tar.as_slice(), Some("evil"), &[], "").unwrap_err();
        assert!(matches!(err, ImageError::BadArchive(_)), "{name}: {err}");
        assert_eq!(
            std::fs::read_dir(outside.path()).unwrap().count(),
            0,
            "{name}"
        );
        assert_eq!(s.list().len(), before, "{name}");
        assert_eq!(layer_count(s.root()), 1, "{name}");
        assert!(tmp_empty(s.root()), "{name}");
        assert!(s.resolve("evil").is_err());
        // the same inside a docker save archive
        let (archive, _) = legacy_archive(&[tar], false, "evil:1");
        assert!(s.load(archive.as_slice()).is_err(), "{name} via load");
        assert_eq!(
            std::fs::read_dir(outside.path()).unwrap().count(),
            0,
            "{name}"
        );
        assert!(tmp_empty(s.root()));
    }
    assert!(!Path::new("/escape-dotdot").exists());
    // symlinks that stay inside are fine, also written through
    let mut b = tar::Builder::new(Vec::new());
    raw_entry(&mut b, "usr/lib/", tar::EntryType::Directory, "", b"");
    raw_entry(&mut b, "lib", tar::EntryType::Symlink, "usr/lib", b"");
    raw_entry(&mut b, "lib/libx.so", tar::EntryType::Regular, "", b"elf");
    raw_entry(&mut b, "abs", tar::EntryType::Symlink, "/etc/passwd", b"");
    raw_entry(&mut b, "hl", tar::EntryType::Link, "lib/libx.so", b"");
    let id = s
        .import(b.into_inner().unwrap().as_slice(), Some("fine"), &[], "")
        .unwrap();
    let dir = &s.layer_dirs(&id).unwrap()[0];
    assert_eq!(std::fs::read(dir.join("usr/lib/libx.so")).unwrap(), b"elf");
    assert_eq!(std::fs::read(dir.join("hl")).unwrap(), b"elf");
}

#[test]
fn truncated_and_corrupt_archives_leave_nothing() {
    let (_d, s) = store();
    let tar = busybox_rootfs_tar();
    let truncated = &tar[..tar.len() / 2 + 100];
    let err = s.import(truncated, Some("t"), &[], "").unwrap_err();
    assert!(err.to_string().contains("unexpected EOF"), "{err}");
    let mut corrupt = tar.clone();
    corrupt[600..700].fill(0xff); // the second header's checksum no longer matches
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    let gz = gz.finish().unwrap();
    let gz_cut = &gz[..gz.len() - 1000];
    for (name, data) in [
        ("corrupt", &corrupt[..]),
        ("gzip cut", gz_cut),
        (
            "garbage",
            &b"not a tar at all, just text that is long enough to fill a block....."[..],
        ),
    ] {
        let res = s.import(data, Some("t"), &[], "");
        assert!(res.is_err(), "{name}");
    }
    let mut cut_archive = legacy_archive(&[tar_of(&[("a", "b")])], false, "x:1").0;
    cut_archive.truncate(1000);
    assert!(s.load(cut_archive.as_slice()).is_err());
    assert!(s.list().is_empty());
    assert_eq!(layer_count(s.root()), 0);
    assert!(tmp_empty(s.root()));
    // and the gzip'd whole tarball imports
    s.import(gz.as_slice(), Some("gz"), &[], "").unwrap();
}

#[test]
fn tag_and_rmi_semantics() {
    let (_d, s) = store();
    let id = s
        .import(tar_of(&[("f", "1")]).as_slice(), Some("app:1"), &[], "")
        .unwrap();
    let short = &id[7..19];
    s.tag("app:1", "app", Some("2")).unwrap();
    s.tag(short, "other", None).unwrap();
    assert_eq!(
        s.resolve(&id).unwrap().repo_tags,
        ["app:1", "app:2", "other:latest"]
    );
    assert!(s.tag("app:1", &"a".repeat(64), None).is_err());
    assert!(matches!(
        s.tag("nope", "x", None),
        Err(ImageError::NotFound(_))
    ));

    // by id with several tags: must be forced
    let err = s.remove(short, false, &no_users).unwrap_err();
    assert_eq!(err.to_string(), format!("conflict: unable to delete {short} (must be forced) - image is referenced in multiple repositories"));
    // a tag of several: untag only
    assert_eq!(
        s.remove("app:2", false, &no_users).unwrap(),
        [DeleteItem::Untagged("app:2".into())]
    );
    assert_eq!(
        s.remove("other", false, &no_users).unwrap(),
        [DeleteItem::Untagged("other:latest".into())]
    );
    // last tag while a stopped container uses it
    let stopped = |_: &str| vec![("c".repeat(64), false)];
    let err = s.remove("app:1", false, &stopped).unwrap_err();
    assert_eq!(err.to_string(), format!("conflict: unable to remove repository reference \"app:1\" (must force) - container cccccccccccc is using its referenced image {short}"));
    let err = s.remove(short, false, &stopped).unwrap_err();
    assert_eq!(err.to_string(), format!("conflict: unable to delete {short} (must be forced) - image is being used by stopped container cccccccccccc"));
    // running: cannot be forced, by id
    let running = |_: &str| vec![("d".repeat(64), true)];
    let err = s.remove(short, true, &running).unwrap_err();
    assert_eq!(err.to_string(), format!("conflict: unable to delete {short} (cannot be forced) - image is being used by running container dddddddddddd"));
    let api: berth_model::ApiError = err.into();
    assert_eq!(api.kind.http_status(), 409);
    // forced untag of the last tag while running: untagged, image kept (dangling)
    assert_eq!(
        s.remove("app:1", true, &running).unwrap(),
        [DeleteItem::Untagged("app:1".into())]
    );
    assert!(s.resolve(&id).unwrap().repo_tags.is_empty());
    // forced with a stopped container: deleted, with its layer
    let items = s.remove(&id, true, &stopped).unwrap();
    assert_eq!(items[0], DeleteItem::Deleted(id.clone()));
    assert_eq!(items.len(), 2);
    assert!(s.list().is_empty());
    assert_eq!(layer_count(s.root()), 0);
    assert!(matches!(
        s.remove("app:1", false, &no_users),
        Err(ImageError::NotFound(_))
    ));

    // the last tag with no container: untag and delete
    let id = s
        .import(tar_of(&[("f", "2")]).as_slice(), Some("solo"), &[], "")
        .unwrap();
    let items = s.remove("solo", false, &no_users).unwrap();
    assert_eq!(items[0], DeleteItem::Untagged("solo:latest".into()));
    assert_eq!(items[1], DeleteItem::Deleted(id));
}

#[test]
fn overlay_options_fit_in_a_page() {
    let many: Vec<_> = (0..200)
        .map(|i| {
            std::path::PathBuf::from(format!("/var/lib/berth/image/layers/sha256/{i:064}/root"))
        })
        .collect();
    let err = crate::overlay_options(&many, Path::new("/u"), Path::new("/w")).unwrap_err();
    assert!(err.to_string().contains("too many layers (200)"), "{err}");
}

/// Runs `f` on a new thread inside a private mount namespace (with / made rprivate), so
/// mounts made there never reach the host's mount table.
fn in_private_mount_ns<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(move || {
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS).expect("unshare");
        nix::mount::mount(
            None::<&str>,
            "/",
            None::<&str>,
            nix::mount::MsFlags::MS_REC | nix::mount::MsFlags::MS_PRIVATE,
            None::<&str>,
        )
        .expect("make / rprivate");
        f()
    })
    .join()
    .unwrap()
}

#[test]
fn overlay_rootfs_stacks_layers_with_whiteouts() {
    if !nix::unistd::Uid::effective().is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    in_private_mount_ns(move || {
        let s = ImageStore::open(&root.join("image")).unwrap();
        let base = tar_of(&[
            ("etc/", ""),
            ("etc/gone", "x"),
            ("etc/kept", "k"),
            ("opq/", ""),
            ("opq/old", "o"),
        ]);
        let top = tar_of(&[
            ("etc/.wh.gone", ""),
            ("opq/", ""),
            ("opq/.wh..wh..opq", ""),
            ("opq/new", "n"),
        ]);
        let (archive, id) = legacy_archive(&[base, top], false, "ov:1");
        s.load(archive.as_slice()).unwrap();
        let c = root.join("c1");
        let (upper, work, merged) = (c.join("upper"), c.join("work"), c.join("merged"));
        crate::mount_rootfs(&s.layer_dirs(&id).unwrap(), &upper, &work, &merged).unwrap();
        assert!(merged.join("etc/kept").is_file());
        assert!(!merged.join("etc/gone").exists());
        assert!(!merged.join("opq/old").exists());
        assert!(merged.join("opq/new").is_file());
        std::fs::write(merged.join("etc/written"), "w").unwrap();
        crate::unmount_rootfs(&merged).unwrap();
        assert!(upper.join("etc/written").is_file());
        assert!(!merged.join("etc/kept").exists());
        // an image without layers mounts over an empty lower dir
        let e = root.join("c2");
        crate::mount_rootfs(&[], &e.join("upper"), &e.join("work"), &e.join("merged")).unwrap();
        std::fs::write(e.join("merged/x"), "x").unwrap();
        crate::unmount_rootfs(&e.join("merged")).unwrap();
        assert!(e.join("upper/x").is_file());
    });
}
