//! Cleaning up as tutorials end: `docker container prune`, `docker image prune` and
//! `docker system prune` against berth, through the stock docker CLI, checking what goes and
//! what stays.

mod harness;

use harness::ctr::*;

fn names(d: &harness::Daemon) -> Vec<String> {
    let out = docker(d, &["ps", "-a", "--format", "{{.Names}}"]);
    let mut v: Vec<String> = out.ok().lines().map(String::from).collect();
    v.sort();
    v
}

#[test]
fn container_prune_removes_what_is_not_running_and_honours_labels() {
    let d = daemon_with_busybox();
    docker(&d, &w("run -d --name up busybox sleep 600")).ok();
    docker(&d, &w("run --name done busybox true")).ok();
    docker(&d, &w("create --name fresh busybox true")).ok();
    docker(&d, &w("run --name kept --label keep=yes busybox true")).ok();
    let done_id = inspect(&d, "done")["Id"].as_str().unwrap().to_string();

    let out = docker(
        &d,
        &["container", "prune", "-f", "--filter", "label!=keep=yes"],
    );
    let text = out.ok();
    assert!(text.starts_with("Deleted Containers:\n"), "{text}");
    assert!(text.contains(&done_id), "{text}");
    assert!(text.contains("Total reclaimed space:"), "{text}");
    assert_eq!(names(&d), vec!["kept".to_string(), "up".to_string()]);

    // Nothing left to prune but the labelled one; then nothing at all.
    let r = d.api("POST", "/containers/prune", None);
    assert_eq!(r.status, 200, "{}", r.text());
    let body: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
    assert_eq!(
        body["ContainersDeleted"].as_array().map(|a| a.len()),
        Some(1)
    );
    let again = d.api_json("POST", "/containers/prune", None);
    assert!(again["ContainersDeleted"].is_null(), "{again}");
    assert_eq!(again["SpaceReclaimed"], 0);
    assert_eq!(names(&d), vec!["up".to_string()]);

    // A bad filter changes nothing.
    let bad = d.api(
        "POST",
        "/containers/prune?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D",
        None,
    );
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert_eq!(names(&d), vec!["up".to_string()]);
}

#[test]
fn system_prune_clears_stopped_containers_unused_networks_and_dangling_images() {
    let d = daemon_with_busybox();
    // A dangling image: `old` loses its tag to a second import under the same name.
    let tar = d.data_root().with_file_name("busybox.tar");
    let tar = tar.to_str().unwrap();
    docker(&d, &["import", tar, "old:1"]).ok();
    let old_id = docker(&d, &w("image inspect -f {{.Id}} old:1"))
        .ok()
        .trim()
        .to_string();
    docker(&d, &["import", "-c", "ENV X=2", tar, "old:1"]).ok();
    let listed = docker(&d, &w("images -q --no-trunc")).ok().to_string();
    assert!(
        listed.contains(&old_id),
        "the dangling image is listed: {listed}"
    );

    docker(&d, &w("network create spare")).ok();
    docker(&d, &w("network create busy")).ok();
    docker(&d, &w("run -d --name up --network busy busybox sleep 600")).ok();
    docker(&d, &w("run --name done --network spare busybox true")).ok();

    let out = docker(&d, &w("system prune -f"));
    let text = out.ok();
    assert!(text.contains("Deleted Containers:"), "{text}");
    assert!(text.contains("Deleted Networks:\nspare\n"), "{text}");
    assert!(text.contains(&format!("deleted: {old_id}")), "{text}");
    assert!(text.contains("Total reclaimed space:"), "{text}");

    assert_eq!(names(&d), vec!["up".to_string()]);
    let nets = docker(&d, &w("network ls --format {{.Name}}"))
        .ok()
        .to_string();
    assert!(nets.lines().any(|l| l == "busy"), "{nets}");
    assert!(!nets.lines().any(|l| l == "spare"), "{nets}");
    let images = docker(&d, &w("images --format {{.Repository}}:{{.Tag}}"))
        .ok()
        .to_string();
    assert!(
        images.lines().any(|l| l == "busybox:latest"),
        "in use: {images}"
    );
    assert!(images.lines().any(|l| l == "old:1"), "tagged: {images}");
    let listed = docker(&d, &w("images -q --no-trunc")).ok().to_string();
    assert!(!listed.contains(&old_id), "{listed}");

    // -a: every unused image, tagged or not; the one the running container uses stays.
    let out = docker(&d, &w("image prune -a -f"));
    assert!(out.ok().contains("untagged: old:1"), "{}", out.stdout);
    let images = docker(&d, &w("images --format {{.Repository}}:{{.Tag}}"))
        .ok()
        .to_string();
    assert_eq!(images.trim(), "busybox:latest");
}
