//! `rm -f` right after `run -d`, many times in a row: the removal must win over a start that has
//! only just returned (the monitor, the exit watcher and the restart bookkeeping all in flight),
//! leave nothing behind and never fail.

mod harness;

use harness::ctr::*;

#[test]
fn rm_f_right_after_run_d_twenty_times() {
    let d = daemon_with_busybox();
    let mut pids = Vec::new();
    for i in 0..20 {
        let name = format!("r{i}");
        // alternate the CLIs, and a process that exits at once with one that stays
        let cmd = if i % 2 == 0 { "sleep 300" } else { "true" };
        let run = format!("run -d --name {name} --network none busybox {cmd}");
        let id = berth(&d, &w(&run)).ok().trim().to_string();
        pids.push(pid_of(&d, &id));
        let out = if i % 4 < 2 {
            berth(&d, &["rm", "-f", &name])
        } else {
            docker(&d, &["rm", "-f", &name])
        };
        assert_code(&out, 0, &format!("rm -f #{i}\n{}", d.log()));
        assert_eq!(out.stdout.trim(), name);
        assert_eq!(
            d.api("GET", &format!("/containers/{id}/json"), None).status,
            404
        );
        assert!(!d.exec_root().join("containers").join(&id).exists(), "#{i}");
        assert!(!d.data_root().join("containers").join(&id).exists(), "#{i}");
    }
    assert!(all_ids(&d).is_empty(), "{:?}", all_ids(&d));
    assert!(wait_until(10, || pids
        .iter()
        .all(|p| *p == 0 || !process_alive(*p))));
    // the same with both CLIs racing each other on a fresh container
    for i in 0..5 {
        let name = format!("both{i}");
        berth(
            &d,
            &[
                "run",
                "-d",
                "--name",
                &name,
                "--network",
                "none",
                "busybox",
                "sleep",
                "300",
            ],
        )
        .ok();
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| berth(&d, &["rm", "-f", &name]));
            let b = s.spawn(|| docker(&d, &["rm", "-f", &name]));
            (a.join().unwrap(), b.join().unwrap())
        });
        // one removes it; the other removes it too or finds it gone (Docker's 404)
        let ok = [&a, &b].iter().filter(|r| r.code == 0).count();
        assert!(ok >= 1, "{a:?} {b:?}");
        for r in [&a, &b] {
            assert!(
                r.code == 0
                    || r.stderr.contains("No such container")
                    || r.stderr.contains("is already in progress"),
                "{r:?}\n{}",
                d.log()
            );
        }
    }
    assert!(all_ids(&d).is_empty(), "{:?}", all_ids(&d));
    // and the daemon is unharmed
    berth(&d, &w("run --rm --network none busybox true")).ok();
}
