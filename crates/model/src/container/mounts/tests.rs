use super::*;
use crate::container::create::HostSettings;

fn req(binds: &[&str], mounts: Vec<MountRequest>, volumes: &[&str]) -> CreateContainer {
    CreateContainer {
        image: "busybox".into(),
        host: HostSettings {
            binds: binds.iter().map(|b| Bind::parse(b).unwrap()).collect(),
            mounts,
            ..Default::default()
        },
        volumes: volumes.iter().map(|v| v.to_string()).collect(),
        ..Default::default()
    }
}

fn counter() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("anon{n}")
    }
}

#[test]
fn binds_volumes_and_anonymous() {
    let image: BTreeSet<String> = ["/data".to_string(), "/cache".to_string()].into();
    let r = req(&["/h:/h:ro", "db:/data"], vec![], &["/scratch"]);
    let got = plan_mounts(&r, &image, "/v", counter()).unwrap();
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(got[0].typ, MountType::Bind);
    assert!(!got[0].rw);
    assert_eq!(got[0].propagation, "rprivate");
    let db = &got[1];
    assert_eq!(
        (db.name.as_str(), db.source.as_str()),
        ("db", "/v/db/_data")
    );
    assert_eq!(db.mode, "z");
    assert!(!db.anonymous && db.copy_data);
    // the image's /data is taken by the named volume; /cache and /scratch are anonymous
    let anon: Vec<&str> = got[2..].iter().map(|m| m.destination.as_str()).collect();
    assert_eq!(anon, ["/cache", "/scratch"]);
    assert!(got[2..]
        .iter()
        .all(|m| m.anonymous && m.name.starts_with("anon")));
}

#[test]
fn mount_requests() {
    let vol = MountRequest {
        typ: MountType::Volume,
        target: "/v".into(),
        no_copy: true,
        read_only: true,
        ..Default::default()
    };
    let tmp = MountRequest {
        typ: MountType::Tmpfs,
        target: "/t".into(),
        tmpfs_size: 1 << 20,
        tmpfs_mode: 0o700,
        ..Default::default()
    };
    let got = plan_mounts(
        &req(&[], vec![vol, tmp], &[]),
        &BTreeSet::new(),
        "/v",
        counter(),
    )
    .unwrap();
    assert!(got[0].anonymous && !got[0].copy_data && !got[0].rw);
    assert_eq!(got[1].tmpfs_options, ["size=1048576", "mode=700"]);
}

#[test]
fn docker_errors() {
    let dup = req(&["/a:/x", "b1:/x/"], vec![], &[]);
    assert_eq!(
        plan_mounts(&dup, &BTreeSet::new(), "/v", counter())
            .unwrap_err()
            .message,
        "Duplicate mount point: /x"
    );
    let bad = |m: MountRequest| m.validate().unwrap_err().message;
    assert_eq!(
        bad(MountRequest {
            typ: MountType::Bind,
            target: "/x".into(),
            ..Default::default()
        }),
        "invalid mount config for type \"bind\": field Source must not be empty"
    );
    assert_eq!(
        bad(MountRequest {
            typ: MountType::Bind,
            source: "rel".into(),
            target: "/x".into(),
            ..Default::default()
        }),
        "invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute"
    );
    assert_eq!(
        bad(MountRequest {
            typ: MountType::Tmpfs,
            source: "x".into(),
            target: "/x".into(),
            ..Default::default()
        }),
        "invalid mount config for type \"tmpfs\": field Source must not be specified"
    );
    assert_eq!(
        bad(MountRequest {
            typ: MountType::Volume,
            target: "rel".into(),
            ..Default::default()
        }),
        "invalid mount config for type \"volume\": invalid mount path: 'rel' mount path must be absolute"
    );
    assert!(tmpfs_options("/t", "size=64m,noexec").is_ok());
    assert_eq!(
        tmpfs_options("/t", "bogus").unwrap_err().message,
        "invalid tmpfs option [\"bogus\"] for /t"
    );
}
