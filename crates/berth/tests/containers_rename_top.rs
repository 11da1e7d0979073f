//! `rename` and `top`, through the berth CLI, the stock docker CLI and the API: a renamed
//! container answers to its new name only, Docker's errors for a name in use and for the same
//! name; `top` prints Docker's process table and passes ps options through.

mod harness;

use harness::ctr::*;

#[test]
fn rename_moves_the_name_and_refuses_a_name_in_use() {
    let d = daemon_with_busybox();
    let id = berth(
        &d,
        &w("run -d --name first --network none busybox sleep 300"),
    )
    .ok()
    .trim()
    .to_string();
    let other = berth(&d, &w("create --name taken --network none busybox true"))
        .ok()
        .trim()
        .to_string();

    berth(&d, &w("rename first second")).ok();
    assert_eq!(inspect(&d, "second")["Id"], id.as_str());
    assert_eq!(inspect(&d, &id)["Name"], "/second");
    assert_eq!(d.api("GET", "/containers/first/json", None).status, 404);
    docker(&d, &w("rename second third")).ok();
    assert_eq!(inspect(&d, &id)["Name"], "/third");
    for (tool, out) in both(&d, &w("ps --format {{.Names}}")) {
        assert_eq!(out.ok(), "third\n", "{tool}");
    }
    // the old name is free again
    berth(&d, &w("create --name first --network none busybox true")).ok();

    // a name in use: 409 with Docker's message, and nothing changes
    let m = format!(
        "Conflict. The container name \"/taken\" is already in use by container \"{other}\". You have to remove (or rename) that container to be able to reuse that name."
    );
    for (tool, out) in both(&d, &w("rename third taken")) {
        out.fails_with(&m);
        out.fails_with("Error: failed to rename container named third");
        assert_eq!(out.code, 1, "{tool}");
    }
    let r = d.api("POST", &format!("/containers/{id}/rename?name=taken"), None);
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.message(), format!("Error when allocating new name: {m}"));
    // the same name
    let r = d.api("POST", "/containers/third/rename?name=third", None);
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        r.message(),
        "Renaming a container with the same name as its current name"
    );
    for (tool, out) in both(&d, &w("rename third third")) {
        out.fails_with("Renaming a container with the same name as its current name");
        assert_eq!(out.code, 1, "{tool}");
    }
    // a name Docker does not accept, and a missing container
    let r = d.api("POST", "/containers/third/rename?name=bad%20name", None);
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        r.message(),
        "Error when allocating new name: Invalid container name (/bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
    );
    let r = d.api("POST", "/containers/third/rename?name=", None);
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.message(), "Neither old nor new names may be empty");
    for (tool, out) in both(&d, &w("rename nosuch x")) {
        out.fails_with("No such container: nosuch");
        assert_eq!(out.code, 1, "{tool}");
    }
    for (tool, out) in both(&d, &["rename", "third", ""]) {
        out.fails_with("Neither old nor new names may be empty");
        assert_ne!(out.code, 0, "{tool}");
    }
    assert_eq!(inspect(&d, &id)["Name"], "/third");
    assert_eq!(inspect(&d, "taken")["Id"], other.as_str());
    // the renamed container still works under its new name
    assert_eq!(docker(&d, &w("exec third echo hi")).ok(), "hi\n");
    berth(&d, &w("rm -f third taken first")).ok();
}

#[test]
fn top_prints_the_process_table_and_takes_ps_options() {
    let d = daemon_with_busybox();
    let script = ["sleep 300 & exec sleep 301"];
    berth(
        &d,
        &wt("run -d --name busy --network none busybox sh -c", &script),
    )
    .ok();
    let init = pid_of(&d, "busy");
    // the background sleep shows up once the shell has started it
    assert!(wait_until(20, || berth(&d, &w("top busy"))
        .stdout
        .contains("sleep 300")));
    let [(_, b), (_, k)] = both(&d, &w("top busy"));
    assert_eq!(b.ok(), k.ok(), "both CLIs print the same table");
    let text = b.ok();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 2, "{text}");
    let main = rows
        .iter()
        .find(|r| r[1] == init.to_string())
        .expect("the init's row");
    assert_eq!(main[0], "root");
    assert_eq!(main[7..], ["sleep", "301"], "{text}");
    let child = rows.iter().find(|r| r[1] != init.to_string()).unwrap();
    assert_eq!(
        child[2],
        init.to_string(),
        "the background sleep's parent: {text}"
    );

    // ps options: `top busy -o pid,comm`
    for (tool, out) in both(&d, &w("top busy -o pid,comm")) {
        let text = out.ok();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
        assert_eq!(header, ["PID", "COMMAND"], "{tool}");
        let mut pids: Vec<String> = Vec::new();
        for l in lines {
            let cols: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(cols[1], "sleep", "{tool}: {text}");
            pids.push(cols[0].to_string());
        }
        assert!(pids.contains(&init.to_string()), "{tool}: {text}");
        assert_eq!(pids.len(), 2, "{tool}: {text}");
    }
    let v = d.api_json("GET", "/containers/busy/top?ps_args=-o%20pid,comm", None);
    assert_eq!(v["Titles"], serde_json::json!(["PID", "COMMAND"]));
    assert_eq!(v["Processes"].as_array().unwrap().len(), 2);

    // a stopped container: Docker's 409
    berth(&d, &w("stop -t 0 busy")).ok();
    let id = inspect(&d, "busy")["Id"].as_str().unwrap().to_string();
    for (tool, out) in both(&d, &w("top busy")) {
        out.fails_with(&format!("container {id} is not running"));
        assert_eq!(out.code, 1, "{tool}");
    }
    let r = d.api("GET", "/containers/busy/top", None);
    assert_eq!(r.status, 409, "{}", r.text());
    let r = d.api("GET", "/containers/nosuch/top", None);
    assert_eq!(r.status, 404, "{}", r.text());
    berth(&d, &w("rm busy")).ok();
}
