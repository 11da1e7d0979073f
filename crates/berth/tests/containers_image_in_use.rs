//! `rmi` of an image a container uses is refused as Docker refuses it: a tag in use by a
//! stopped container needs `-f`, an image under a running container cannot be removed even with
//! `-f`; the image and the container stay. Through both CLIs and the API.

mod harness;

use harness::ctr::*;

#[test]
fn rmi_is_refused_while_a_container_uses_the_image() {
    let d = daemon_with_busybox();
    let image = d.api_json("GET", "/images/busybox/json", None)["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let short_image = image.trim_start_matches("sha256:")[..12].to_string();
    let stopped = berth(&d, &w("create --name user --network none busybox true"))
        .ok()
        .trim()
        .to_string();
    let m = format!(
        "conflict: unable to remove repository reference \"busybox\" (must force) - container {} is using its referenced image {short_image}",
        &stopped[..12]
    );
    for (tool, out) in both(&d, &w("rmi busybox")) {
        out.fails_with(&m);
        assert_eq!(out.code, 1, "{tool}");
    }
    let r = d.api("DELETE", "/images/busybox", None);
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.message(), m);

    let running = berth(
        &d,
        &w("run -d --name busy --network none busybox sleep 300"),
    )
    .ok()
    .trim()
    .to_string();
    let m = format!(
        "conflict: unable to delete {short_image} (cannot be forced) - image is being used by running container {}",
        &running[..12]
    );
    for (tool, out) in both(&d, &["rmi", "-f", &short_image]) {
        out.fails_with(&m);
        assert_eq!(out.code, 1, "{tool}");
    }
    // nothing changed: the image is listed, both containers work
    for (tool, out) in both(&d, &w("images --format {{.Repository}}:{{.Tag}}")) {
        assert_eq!(out.ok(), "busybox:latest\n", "{tool}");
    }
    assert_eq!(docker(&d, &w("exec busy echo ok")).ok(), "ok\n");
    berth(&d, &w("start user")).ok();
    assert_eq!(berth(&d, &w("wait user")).ok().trim(), "0");

    // once no container uses it, it goes
    berth(&d, &w("rm -f busy user")).ok();
    docker(&d, &w("rmi busybox")).ok();
    assert_eq!(d.api("GET", "/images/busybox/json", None).status, 404);
}
