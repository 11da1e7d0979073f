//! `ps --filter` and `ps --format`, through the berth CLI and the stock docker CLI: every filter
//! Docker documents for containers, the same key OR-ed and different keys AND-ed, Go templates,
//! `table` and `json`, with both CLIs printing the same text.

mod harness;

use harness::ctr::*;
use harness::Daemon;
use std::collections::BTreeSet;

/// alpha (running, tier=web), beta (exited 3, tier=db), gamma (created, host network),
/// delta (exited 0), created in that order.
fn four_containers(d: &Daemon) -> Vec<String> {
    let alpha = "run -d --name alpha -l tier=web --network none busybox sleep 300";
    let beta = "run --name beta -l tier=db --network none busybox sh -c";
    let gamma = "create --name gamma --network host busybox true";
    let delta = "run --name delta --network none busybox true";
    let mut ids = vec![berth(d, &w(alpha)).ok().trim().to_string()];
    assert_code(&berth(d, &wt(beta, &["exit 3"])), 3, "beta");
    ids.push(inspect(d, "beta")["Id"].as_str().unwrap().to_string());
    ids.push(berth(d, &w(gamma)).ok().trim().to_string());
    berth(d, &w(delta)).ok();
    ids.push(inspect(d, "delta")["Id"].as_str().unwrap().to_string());
    ids
}

fn names(text: &str) -> BTreeSet<String> {
    text.lines().map(str::to_string).collect()
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn ps_filters_select_as_docker_does() {
    let d = daemon_with_busybox();
    let ids = four_containers(&d);
    let image_id = d.api_json("GET", "/images/busybox/json", None)["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let short_image = image_id.trim_start_matches("sha256:")[..12].to_string();
    let alpha_id = &ids[0][..12];
    let cases: Vec<(Vec<String>, Vec<&str>)> = vec![
        (vec!["status=running".into()], vec!["alpha"]),
        (vec!["status=exited".into()], vec!["beta", "delta"]),
        (vec!["status=created".into()], vec!["gamma"]),
        // the same key twice: either value
        (
            vec!["status=running".into(), "status=created".into()],
            vec!["alpha", "gamma"],
        ),
        (vec!["name=lph".into()], vec!["alpha"]),
        (vec!["name=^/?[bd]".into()], vec!["beta", "delta"]),
        (vec![format!("id={alpha_id}")], vec!["alpha"]),
        (vec!["label=tier".into()], vec!["alpha", "beta"]),
        (vec!["label=tier=db".into()], vec!["beta"]),
        (vec!["exited=3".into()], vec!["beta"]),
        (vec!["exited=0".into()], vec!["delta"]),
        (
            vec!["ancestor=busybox".into()],
            vec!["alpha", "beta", "gamma", "delta"],
        ),
        (
            vec![format!("ancestor={short_image}")],
            vec!["alpha", "beta", "gamma", "delta"],
        ),
        (vec!["network=host".into()], vec!["gamma"]),
        (vec!["network=none".into()], vec!["alpha", "beta", "delta"]),
        (vec!["before=gamma".into()], vec!["alpha", "beta"]),
        (vec!["since=beta".into()], vec!["gamma", "delta"]),
        // different keys: all of them
        (
            vec!["status=exited".into(), "label=tier".into()],
            vec!["beta"],
        ),
        (vec!["label=tier".into(), "exited=0".into()], vec![]),
    ];
    for (filters, want) in &cases {
        let mut args = vec!["ps", "-a", "--format", "{{.Names}}"];
        for f in filters {
            args.extend(["--filter", f.as_str()]);
        }
        for (tool, out) in both(&d, &args) {
            assert_eq!(names(out.ok()), set(want), "{tool} {filters:?}");
        }
    }
    // without -a only running containers, filters or not
    for (tool, out) in both(&d, &w("ps --filter label=tier --format {{.Names}}")) {
        assert_eq!(names(out.ok()), set(&["alpha"]), "{tool}");
    }
    // an unknown filter key is Docker's 400
    for (tool, out) in both(&d, &w("ps -a --filter bogus=1")) {
        out.fails_with("invalid filter 'bogus'");
        assert_ne!(out.code, 0, "{tool}");
    }
    let r = d.api(
        "GET",
        "/containers/json?all=1&filters=%7B%22bogus%22%3A%5B%221%22%5D%7D",
        None,
    );
    assert_eq!(r.status, 400, "{}", r.text());
    for (tool, out) in both(&d, &w("ps -a --filter status=sleepy")) {
        out.fails_with("invalid filter 'status=sleepy'");
        assert_ne!(out.code, 0, "{tool}");
    }
    berth(&d, &w("rm -f alpha beta gamma delta")).ok();
}

#[test]
fn ps_formats_print_what_docker_prints() {
    let d = daemon_with_busybox();
    let ids = four_containers(&d);
    // formats without times print the same bytes through both CLIs
    let formats = [
        "{{.Names}}",
        "{{.ID}} {{.Image}} {{.Command}} {{.State}}",
        "{{.Label \"tier\"}}|{{.Labels}}|{{.Networks}}|{{.Mounts}}|{{.Ports}}",
        "table {{.Names}}\t{{.State}}\t{{.Networks}}",
        "table {{.ID}}\t{{.Image}}",
        "{{json .Names}} {{upper .State}} {{len .Names}}",
    ];
    for f in formats {
        let args = ["ps", "-a", "--format", f];
        let [(_, b), (_, k)] = both(&d, &args);
        assert_eq!(b.ok(), k.ok(), "format {f:?}");
        assert_eq!(
            b.ok().lines().count(),
            if f.starts_with("table") { 5 } else { 4 },
            "{f}"
        );
    }
    let table = berth(
        &d,
        &["ps", "-a", "--format", "table {{.Names}}\t{{.State}}"],
    );
    let mut lines = table.ok().lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("NAMES ") && header.trim_end().ends_with("STATE"),
        "{header:?}"
    );
    // newest first, as Docker lists them
    let order: Vec<&str> = lines
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(order, ["delta", "gamma", "beta", "alpha"]);

    // {{json .}}: one object per line with Docker's keys
    for (tool, out) in both(&d, &["ps", "-a", "--format", "{{json .}}"]) {
        let rows: Vec<serde_json::Value> = out
            .ok()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{tool}: {e}: {l}")))
            .collect();
        assert_eq!(rows.len(), 4, "{tool}");
        let alpha = rows.iter().find(|r| r["Names"] == "alpha").expect("alpha");
        assert_eq!(alpha["ID"], &ids[0][..12], "{tool}");
        assert_eq!(alpha["Image"], "busybox", "{tool}");
        assert_eq!(alpha["State"], "running", "{tool}");
        assert_eq!(alpha["Labels"], "tier=web", "{tool}");
        assert_eq!(alpha["Networks"], "none", "{tool}");
        assert_eq!(alpha["Command"], "\"sleep 300\"", "{tool}");
        for key in [
            "CreatedAt",
            "RunningFor",
            "Status",
            "Ports",
            "Mounts",
            "Size",
            "LocalVolumes",
        ] {
            assert!(alpha.get(key).is_some(), "{tool}: no {key} in {alpha}");
        }
    }
    // `--format json` is the same as {{json .}}, and -q prints short ids
    for (tool, out) in both(&d, &w("ps -a --format json")) {
        assert_eq!(out.ok().lines().count(), 4, "{tool}");
    }
    for (tool, out) in both(&d, &w("ps -a -q --no-trunc")) {
        assert_eq!(names(out.ok()), ids.iter().cloned().collect(), "{tool}");
    }
    // the default table's header
    for (tool, out) in both(&d, &w("ps -a")) {
        let header = out.ok().lines().next().unwrap().to_string();
        let cols: Vec<&str> = header
            .split("  ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(
            cols,
            [
                "CONTAINER ID",
                "IMAGE",
                "COMMAND",
                "CREATED",
                "STATUS",
                "PORTS",
                "NAMES"
            ],
            "{tool}"
        );
    }
    // a template that does not parse, or names a missing field
    for (tool, out) in both(&d, &["ps", "--format", "{{.Names"]) {
        out.fails_with("failed to parse template");
        assert_ne!(out.code, 0, "{tool}");
    }
    for (tool, out) in both(&d, &["ps", "--format", "{{.Nope}}"]) {
        out.fails_with("can't evaluate field Nope");
        assert_ne!(out.code, 0, "{tool}");
    }
    berth(&d, &w("rm -f alpha beta gamma delta")).ok();
}
