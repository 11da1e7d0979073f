//! `build` end to end with the classic builder, through the berth CLI, the stock docker CLI
//! (`DOCKER_BUILDKIT=0` and plain, which falls back to the classic builder when the daemon
//! says `Builder-Version: 1`) and the API: the walkthrough's Dockerfile shape, config
//! instructions, build args, the cache, .dockerignore, and the failures with Docker's words.

mod harness;

use harness::ctr::{all_ids, berth, daemon_with_busybox, docker};
use harness::{CmdResult, Daemon};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A build context directory next to the daemon's data root.
fn context(d: &Daemon, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = d.data_root().with_file_name(format!("ctx-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    for (path, content) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

/// `docker build` with the classic builder forced, as `DOCKER_BUILDKIT=0` does.
fn docker_build(d: &Daemon, args: &[&str], buildkit_env: bool) -> CmdResult {
    let config = d.data_root().with_file_name("docker-config");
    let mut c = Command::new("timeout");
    c.args(["-k", "5", "300", "docker", "build"])
        .args(args)
        .env("DOCKER_HOST", d.docker_host())
        .env("DOCKER_CONFIG", config)
        .env_remove("DOCKER_BUILDKIT")
        .stdin(Stdio::null());
    if buildkit_env {
        c.env("DOCKER_BUILDKIT", "0");
    }
    CmdResult::from(c.output().expect("docker build"))
}

/// `berth build`, bounded by a deadline generous enough for a loaded CI machine.
fn berth_build(d: &Daemon, args: &[&str]) -> CmdResult {
    let out = Command::new("timeout")
        .args(["-k", "5", "300", harness::berth_bin(), "build"])
        .args(args)
        .env_remove("DOCKER_HOST")
        .env("BERTH_HOST", d.docker_host())
        .stdin(Stdio::null())
        .output()
        .expect("berth build");
    CmdResult::from(out)
}

fn image(d: &Daemon, name: &str) -> Value {
    d.api_json("GET", &format!("/images/{name}/json"), None)
}

fn run_rm(d: &Daemon, args: &[&str]) -> String {
    let mut v = vec!["run", "--rm"];
    v.extend_from_slice(args);
    berth(d, &v).ok().to_string()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

const WALKTHROUGH: &str = "# Dockerfile\nFROM busybox\n\nCOPY . .\nRUN mkdir -p /gen && echo built > /gen/out.txt\\\n&& echo step-output\n\nENTRYPOINT [ \"/bin/cat\" ]\n";

#[test]
fn walkthrough_shape_with_berth_and_docker() {
    let d = daemon_with_busybox();
    let ctx = context(
        &d,
        "walk",
        &[
            ("Dockerfile", WALKTHROUGH),
            ("index.js", "console.log('hi')\n"),
            ("lib/util.js", "u\n"),
        ],
    );
    let out = berth_build(&d, &["-t", "nodebridge", path(&ctx)]);
    let text = out.ok();
    assert!(
        text.starts_with("Sending build context to Docker daemon"),
        "{text}"
    );
    assert!(text.contains("Step 1/4 : FROM busybox\n"), "{text}");
    assert!(text.contains("Step 2/4 : COPY . .\n"), "{text}");
    assert!(text.contains("Step 3/4 : RUN mkdir -p /gen"), "{text}");
    assert!(text.contains(" ---> Running in "), "{text}");
    assert!(text.contains("\nstep-output\n"), "{text}");
    assert!(
        text.contains("---> Removed intermediate container "),
        "{text}"
    );
    // ENTRYPOINT commits from a container of its own too; COPY does not
    let entrypoint_step = text
        .split("Step 4/4 : ENTRYPOINT [ \"/bin/cat\" ]\n")
        .nth(1)
        .expect("step 4");
    assert!(entrypoint_step.starts_with(" ---> Running in "), "{text}");
    assert!(
        entrypoint_step.contains(" ---> Removed intermediate container "),
        "{text}"
    );
    let copy_step = text.split("Step 2/4 : COPY . .\n").nth(1).expect("step 2");
    assert!(
        !copy_step
            .split("Step 3/4")
            .next()
            .unwrap()
            .contains("Running in"),
        "{text}"
    );
    assert!(
        text.contains("Successfully tagged nodebridge:latest\n"),
        "{text}"
    );
    let img = image(&d, "nodebridge");
    let short = &img["Id"].as_str().unwrap()[7..19];
    assert!(
        text.contains(&format!("Successfully built {short}\n")),
        "{text}"
    );
    assert_eq!(img["Config"]["Entrypoint"], serde_json::json!(["/bin/cat"]));
    // busybox's one layer, then COPY's and RUN's
    assert_eq!(
        img["RootFS"]["Layers"].as_array().unwrap().len(),
        3,
        "{img}"
    );
    // the run shows the copied file, the generated one, through the entrypoint
    assert_eq!(
        run_rm(&d, &["nodebridge", "/index.js"]),
        "console.log('hi')\n"
    );
    assert_eq!(run_rm(&d, &["nodebridge", "/lib/util.js"]), "u\n");
    assert_eq!(run_rm(&d, &["nodebridge", "/gen/out.txt"]), "built\n");
    // no intermediate container is left behind
    assert!(all_ids(&d).is_empty(), "{:?}", all_ids(&d));

    // the stock docker CLI, classic builder forced, and by itself: without the buildx plugin
    // it falls back to the classic builder (with buildx it would ask for BuildKit, which
    // berth does not serve, so that variant only runs where docker has no buildx)
    let buildx = Command::new("docker")
        .args(["buildx", "version"])
        .env(
            "DOCKER_CONFIG",
            d.data_root().with_file_name("docker-config"),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let variants: &[bool] = if buildx { &[true] } else { &[true, false] };
    for (i, &forced) in variants.iter().enumerate() {
        let tag = format!("nodebridge-docker{i}");
        let out = docker_build(&d, &["--no-cache", "-t", &tag, path(&ctx)], forced);
        let text = out.ok();
        assert!(text.contains("Step 3/4 : RUN mkdir -p /gen"), "{text}");
        assert!(text.contains("step-output"), "{text}");
        assert!(
            text.contains(&format!("Successfully tagged {tag}:latest")),
            "{text}"
        );
        let r = docker(&d, &["run", "--rm", &tag, "/gen/out.txt"]);
        assert_eq!(r.ok(), "built\n");
    }
    // history: the image and its build parents, newest first, down to busybox
    let hist = docker(
        &d,
        &[
            "history",
            "--no-trunc",
            "--format",
            "{{.ID}}|{{.CreatedBy}}",
            "nodebridge",
        ],
    );
    let lines: Vec<String> = hist.ok().lines().map(String::from).collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(
        lines[0],
        format!(
            "{}|/bin/sh -c #(nop)  ENTRYPOINT [\"/bin/cat\"]",
            img["Id"].as_str().unwrap()
        )
    );
    assert!(
        lines[1]
            .ends_with("|/bin/sh -c mkdir -p /gen && echo built > /gen/out.txt&& echo step-output"),
        "{lines:?}"
    );
    assert!(
        lines[2].contains("|/bin/sh -c #(nop) COPY dir:"),
        "{lines:?}"
    );
    let busybox = image(&d, "busybox");
    assert!(
        lines[3].starts_with(busybox["Id"].as_str().unwrap()),
        "{lines:?}"
    );
    // berth history prints what docker history prints
    let fmt = [
        "history",
        "--no-trunc",
        "--format",
        "{{.ID}}|{{.CreatedBy}}|{{.Size}}",
        "nodebridge",
    ];
    assert_eq!(berth(&d, &fmt).ok(), docker(&d, &fmt).ok());
    let quiet = ["history", "-q", "nodebridge"];
    assert_eq!(berth(&d, &quiet).ok(), docker(&d, &quiet).ok());
    let (b, k) = (
        berth(&d, &["history", "nodebridge"]),
        docker(&d, &["history", "nodebridge"]),
    );
    assert_eq!(
        b.ok().lines().next(),
        k.ok().lines().next(),
        "the table's header"
    );
    let ping = d.api("HEAD", "/_ping", None);
    assert_eq!(ping.header("builder-version"), Some("1"));
    let ping = d.api("GET", "/_ping", None);
    assert_eq!(ping.header("builder-version"), Some("1"));
}

#[test]
fn config_instructions_build_args_and_cache() {
    let d = daemon_with_busybox();
    let df = "\
ARG BASE=busybox
FROM $BASE
ARG GREETING=hello
ENV APP_HOME=/srv/app \\
    MODE=prod
WORKDIR $APP_HOME
COPY app.txt ./
RUN echo \"$GREETING from $(pwd)\" > greeting.txt
EXPOSE 8080 53/udp
LABEL org.example.team=\"net\" version=1
USER nobody
STOPSIGNAL SIGINT
CMD [\"cat\", \"greeting.txt\"]
VOLUME /data
HEALTHCHECK --interval=5s --retries=2 CMD test -f greeting.txt
";
    let ctx = context(&d, "cfg", &[("Dockerfile", df), ("app.txt", "app\n")]);
    let out = berth_build(
        &d,
        &[
            "-t",
            "cfg:v1",
            "--build-arg",
            "GREETING=hi",
            "--label",
            "built-by=test",
            path(&ctx),
        ],
    );
    let text = out.ok();
    assert!(text.contains("Step 1/15 : ARG BASE=busybox\n"), "{text}");
    assert!(
        text.contains("Step 15/15 : LABEL \"built-by\"=\"test\"\n"),
        "{text}"
    );
    let img = image(&d, "cfg:v1");
    let c = &img["Config"];
    assert_eq!(c["WorkingDir"], "/srv/app");
    assert_eq!(c["User"], "nobody");
    assert_eq!(c["StopSignal"], "SIGINT");
    assert_eq!(c["Cmd"], serde_json::json!(["cat", "greeting.txt"]));
    let env: Vec<&str> = c["Env"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        env.contains(&"APP_HOME=/srv/app") && env.contains(&"MODE=prod"),
        "{env:?}"
    );
    assert!(
        !env.iter().any(|e| e.starts_with("GREETING")),
        "build args are not kept: {env:?}"
    );
    assert_eq!(c["Labels"]["org.example.team"], "net");
    assert_eq!(c["Labels"]["version"], "1");
    assert_eq!(c["Labels"]["built-by"], "test");
    assert_eq!(c["Volumes"], serde_json::json!({"/data": {}}));
    assert_eq!(
        c["Healthcheck"],
        serde_json::json!({"Test": ["CMD-SHELL", "test -f greeting.txt"], "Interval": 5_000_000_000u64, "Retries": 2})
    );
    let ports: Vec<&String> = c["ExposedPorts"].as_object().unwrap().keys().collect();
    assert_eq!(ports, ["53/udp", "8080/tcp"]);
    // the running container sees them
    assert_eq!(run_rm(&d, &["cfg:v1"]), "hi from /srv/app\n");
    assert_eq!(
        run_rm(
            &d,
            &["cfg:v1", "sh", "-c", "echo $MODE; id -u; cat app.txt"]
        ),
        "prod\n65534\napp\n"
    );
    // history: one entry per step after FROM, on top of the base image's
    let hist = d.api_json("GET", "/images/cfg:v1/json", None)["Id"].clone();
    assert!(hist.is_string());

    // a rebuild uses the cache for every step and makes the same image
    let again = berth_build(
        &d,
        &[
            "-t",
            "cfg:v2",
            "--build-arg",
            "GREETING=hi",
            "--label",
            "built-by=test",
            path(&ctx),
        ],
    );
    let text2 = again.ok();
    assert_eq!(text2.matches(" ---> Using cache\n").count(), 13, "{text2}");
    assert!(!text2.contains("Running in"), "{text2}");
    assert_eq!(image(&d, "cfg:v2")["Id"], img["Id"]);
    // a changed file invalidates COPY and what follows
    std::fs::write(ctx.join("app.txt"), "changed\n").unwrap();
    let third = berth_build(
        &d,
        &["-t", "cfg:v3", "--build-arg", "GREETING=hi", path(&ctx)],
    );
    let text3 = third.ok();
    assert_eq!(text3.matches(" ---> Using cache\n").count(), 3, "{text3}");
    assert!(text3.contains(" ---> Running in "), "{text3}");
    // an unused build arg is reported
    let fourth = berth_build(
        &d,
        &[
            "-q",
            "--build-arg",
            "NOPE=1",
            "--build-arg",
            "GREETING=hi",
            path(&ctx),
        ],
    );
    assert!(
        fourth.ok().trim().starts_with("sha256:"),
        "{}",
        fourth.stdout
    );
    assert!(fourth.stderr.is_empty(), "{}", fourth.stderr);
    let fifth = berth_build(
        &d,
        &[
            "--build-arg",
            "NOPE=1",
            "--build-arg",
            "GREETING=hi",
            path(&ctx),
        ],
    );
    assert!(
        fifth
            .ok()
            .contains("[Warning] One or more build-args [NOPE] were not consumed\n"),
        "{}",
        fifth.stdout
    );
    // the proxy variables need no ARG, reach RUN, and stay out of the image
    let ctx = context(
        &d,
        "proxy",
        &[(
            "Dockerfile",
            "FROM busybox\nRUN echo \"proxy=$http_proxy\" > /p\n",
        )],
    );
    let out = berth_build(
        &d,
        &[
            "-t",
            "proxied",
            "--build-arg",
            "http_proxy=http://proxy.invalid:3128",
            path(&ctx),
        ],
    );
    assert!(!out.ok().contains("[Warning]"), "{}", out.stdout);
    assert_eq!(
        run_rm(&d, &["proxied", "cat", "/p"]),
        "proxy=http://proxy.invalid:3128\n"
    );
    assert_eq!(
        run_rm(&d, &["proxied", "sh", "-c", "echo \"[$http_proxy]\""]),
        "[]\n"
    );
    assert!(all_ids(&d).is_empty(), "{:?}", all_ids(&d));
}

#[test]
fn dockerignore_add_archive_and_chown() {
    let d = daemon_with_busybox();
    let df = "FROM busybox\nCOPY . /ctx/\nADD files.tar /unpacked/\nCOPY --chown=nobody:nogroup app.txt /owned.txt\nRUN rm /ctx/app.txt\n";
    let ctx = context(
        &d,
        "ign",
        &[
            ("Dockerfile", df),
            (
                ".dockerignore",
                "secret.txt\n*.log\n!keep.log\nnode_modules\n",
            ),
            ("secret.txt", "s"),
            ("debug.log", "d"),
            ("keep.log", "k"),
            ("node_modules/m/index.js", "m"),
            ("app.txt", "a"),
        ],
    );
    std::fs::write(
        ctx.join("files.tar"),
        berth_image::testing::tar_of(&[("inner/", ""), ("inner/x.txt", "x\n")]),
    )
    .unwrap();
    for (cli, tag) in [("berth", "ign-b"), ("docker", "ign-d")] {
        let out = if cli == "berth" {
            berth_build(&d, &["-t", tag, path(&ctx)])
        } else {
            docker_build(&d, &["-t", tag, path(&ctx)], true)
        };
        out.ok();
        let listing = run_rm(
            &d,
            &[
                tag,
                "sh",
                "-c",
                "ls -a /ctx | tr '\\n' ' '; cat /unpacked/inner/x.txt; stat -c %U:%G /owned.txt",
            ],
        );
        assert_eq!(
            listing, ". .. .dockerignore Dockerfile files.tar keep.log x\nnobody:nogroup\n",
            "{cli}"
        );
    }
}

#[test]
fn failures_use_dockers_words() {
    let d = daemon_with_busybox();
    // a failing RUN: the error and its code, no tag; the container stays unless --force-rm
    let ctx = context(
        &d,
        "fail",
        &[("Dockerfile", "FROM busybox\nRUN echo before; exit 3\n")],
    );
    let out = berth_build(&d, &["-t", "failed", path(&ctx)]);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stdout.contains("before\n"), "{out:?}");
    assert_eq!(
        out.stderr,
        "The command '/bin/sh -c echo before; exit 3' returned a non-zero code: 3\n"
    );
    assert_eq!(d.api("GET", "/images/failed/json", None).status, 404);
    assert_eq!(
        all_ids(&d).len(),
        1,
        "Docker keeps the failed step's container without --force-rm"
    );
    berth(&d, &["rm", &all_ids(&d)[0]]).ok();
    let out = docker_build(&d, &["--force-rm", "-t", "failed", path(&ctx)], true);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr
            .contains("The command '/bin/sh -c echo before; exit 3' returned a non-zero code: 3"),
        "{out:?}"
    );
    assert!(all_ids(&d).is_empty(), "{:?}", all_ids(&d));
    assert_eq!(d.api("GET", "/images/failed/json", None).status, 404);

    // COPY of a missing file, of a path outside the context
    let ctx = context(
        &d,
        "nofile",
        &[("Dockerfile", "FROM busybox\nCOPY nope /x\n")],
    );
    for out in [
        berth_build(&d, &[path(&ctx)]),
        docker_build(&d, &[path(&ctx)], true),
    ] {
        assert_eq!(out.code, 1, "{out:?}");
        assert!(out.stderr.contains("COPY failed: file not found in build context or excluded by .dockerignore: stat nope: file does not exist"), "{out:?}");
    }
    let ctx = context(
        &d,
        "outside",
        &[("Dockerfile", "FROM busybox\nCOPY ../x /x\n")],
    );
    berth_build(&d, &[path(&ctx)])
        .fails_with("COPY failed: forbidden path outside the build context: ../x");

    // an unknown instruction: refused before any step, as an HTTP error
    let ctx = context(
        &d,
        "unknown",
        &[("Dockerfile", "FROM busybox\n\nBOGUS x\n")],
    );
    for out in [
        berth_build(&d, &[path(&ctx)]),
        docker_build(&d, &[path(&ctx)], true),
    ] {
        assert_eq!(out.code, 1, "{out:?}");
        assert!(
            out.stderr
                .contains("dockerfile parse error on line 3: unknown instruction: BOGUS"),
            "{out:?}"
        );
        assert!(!out.stdout.contains("Step 1/"), "{out:?}");
    }

    // a missing base image
    let ctx = context(
        &d,
        "nobase",
        &[("Dockerfile", "FROM nosuchimage:1.0\nRUN true\n")],
    );
    let out = berth_build(&d, &[path(&ctx)]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains("Step 1/2 : FROM nosuchimage:1.0\n"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("No such image: nosuchimage:1.0"),
        "{out:?}"
    );
    assert!(all_ids(&d).is_empty(), "{:?}", all_ids(&d));
}

#[test]
fn intermediate_images_hidden_pruned_and_network_mode() {
    let d = daemon_with_busybox();
    let df = "FROM busybox\nENV A=1\nRUN tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort > /links\n";
    let ctx = context(&d, "inter", &[("Dockerfile", df)]);
    berth_build(&d, &["-t", "bridged", path(&ctx)]).ok();
    // the network mode is not part of the cache key (Docker's is the run config)
    let cached = berth_build(&d, &["--network", "none", "-t", "isolated", path(&ctx)]);
    assert_eq!(cached.ok().matches("Using cache").count(), 2);
    berth_build(
        &d,
        &[
            "--no-cache",
            "--network",
            "none",
            "-t",
            "isolated",
            path(&ctx),
        ],
    )
    .ok();
    assert_eq!(run_rm(&d, &["bridged", "cat", "/links"]), "eth0\nlo\n");
    assert_eq!(run_rm(&d, &["isolated", "cat", "/links"]), "lo\n");

    let count = |q: &str| {
        d.api_json("GET", &format!("/images/json{q}"), None)
            .as_array()
            .unwrap()
            .len()
    };
    // busybox and the two tagged images; with all=1 each build's ENV image too
    assert_eq!(count(""), 3);
    assert_eq!(count("?all=1"), 5);
    let tagged = image(&d, "bridged");
    let parent = tagged["Parent"].as_str().unwrap().to_string();
    assert!(parent.starts_with("sha256:"), "{tagged}");
    // an intermediate image with children cannot go
    let r = d.api("DELETE", &format!("/images/{parent}"), None);
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(
        r.message()
            .ends_with("(cannot be forced) - image has dependent child images"),
        "{}",
        r.message()
    );
    // removing a tagged image removes its untagged parents, up to one another image needs
    let out = berth(&d, &["rmi", "isolated"]);
    let text = out.ok();
    assert!(
        text.starts_with("Untagged: isolated:latest\nDeleted: "),
        "{text}"
    );
    assert_eq!(
        text.matches("Deleted: ").count(),
        3,
        "RUN's image, its layer, ENV's: {text}"
    );
    assert_eq!(count("?all=1"), 3);
    let out = berth(&d, &["rmi", "bridged"]);
    assert!(
        out.ok().contains(&format!("Deleted: {parent}")),
        "{}",
        out.stdout
    );
    assert_eq!(count("?all=1"), 1, "only busybox is left");
}

#[test]
fn api_stream_gzip_context_quiet_and_errors() {
    use std::io::Write;
    let d = daemon_with_busybox();
    let tar = berth_image::testing::tar_of(&[
        (
            "build/Dockerfile.app",
            "FROM busybox\nCOPY hello.txt /\nRUN cat /hello.txt\n",
        ),
        ("hello.txt", "hello from gzip\n"),
    ]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    let body = gz.finish().unwrap();
    let lines = |r: &harness::http::HttpResponse| -> Vec<Value> {
        r.text()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    };
    let r = harness::http::request(
        &d.socket(),
        "POST",
        "/v1.50/build?t=gz&dockerfile=build/Dockerfile.app",
        Some(("application/x-tar", &body)),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let msgs = lines(&r);
    let streams: String = msgs.iter().filter_map(|m| m["stream"].as_str()).collect();
    assert!(streams.contains("Step 1/3 : FROM busybox\n"), "{streams}");
    assert!(streams.contains("hello from gzip\n"), "{streams}");
    let id = image(&d, "gz")["Id"].as_str().unwrap().to_string();
    assert!(
        msgs.iter().any(|m| m["aux"]["ID"] == id.as_str()),
        "{msgs:?}"
    );
    assert_eq!(
        msgs.last().unwrap()["stream"],
        "Successfully tagged gz:latest\n"
    );

    // q=1: the id only
    let r = harness::http::request(
        &d.socket(),
        "POST",
        "/build?q=1&dockerfile=build/Dockerfile.app",
        Some(("application/x-tar", &body)),
    )
    .unwrap();
    let msgs = lines(&r);
    let streams: Vec<&str> = msgs.iter().filter_map(|m| m["stream"].as_str()).collect();
    assert_eq!(streams, [format!("{id}\n")], "{msgs:?}");

    // a failing RUN ends the stream with Docker's error message and the code
    let tar = berth_image::testing::tar_of(&[("Dockerfile", "FROM busybox\nRUN false\n")]);
    let r = harness::http::request(
        &d.socket(),
        "POST",
        "/build",
        Some(("application/x-tar", &tar)),
    )
    .unwrap();
    assert_eq!(r.status, 200);
    let last = lines(&r).pop().unwrap();
    let msg = "The command '/bin/sh -c false' returned a non-zero code: 1";
    assert_eq!(
        last,
        serde_json::json!({"errorDetail": {"code": 1, "message": msg}, "error": msg})
    );

    // refused before any step: an HTTP error
    let tar = berth_image::testing::tar_of(&[("Dockerfile", "FROM busybox\nNOPE x\n")]);
    let r = harness::http::request(
        &d.socket(),
        "POST",
        "/build",
        Some(("application/x-tar", &tar)),
    )
    .unwrap();
    assert_eq!(
        (r.status, r.message()),
        (
            400,
            "dockerfile parse error on line 2: unknown instruction: NOPE".to_string()
        )
    );
    let r = harness::http::request(
        &d.socket(),
        "POST",
        "/build?dockerfile=missing",
        Some(("application/x-tar", &tar)),
    )
    .unwrap();
    assert_eq!(
        (r.status, r.message()),
        (
            400,
            "Cannot locate specified Dockerfile: missing".to_string()
        )
    );
}

#[test]
fn multi_stage_and_scratch() {
    let d = daemon_with_busybox();
    let df = "\
FROM busybox AS builder
RUN mkdir /out && echo compiled > /out/bin.txt
FROM scratch
COPY --from=builder /out/bin.txt /app/bin.txt
COPY --from=0 /out /app/out/
COPY --from=busybox /bin/busybox /busybox
CMD [\"/busybox\", \"cat\", \"/app/bin.txt\", \"/app/out/bin.txt\"]
";
    let ctx = context(&d, "stages", &[("Dockerfile", df)]);
    for (cli, tag) in [("berth", "staged-b"), ("docker", "staged-d")] {
        let out = if cli == "berth" {
            berth_build(&d, &["-t", tag, path(&ctx)])
        } else {
            docker_build(&d, &["-t", tag, path(&ctx)], true)
        };
        let text = out.ok();
        assert!(text.contains("Step 3/7 : FROM scratch\n"), "{text}");
        assert_eq!(run_rm(&d, &[tag]), "compiled\ncompiled\n", "{cli}");
        // the final stage alone: three layers, no busybox below them
        let layers = image(&d, tag)["RootFS"]["Layers"].as_array().unwrap().len();
        assert_eq!(layers, 3, "{cli}");
    }
    // --target stops after the stage it names
    let out = berth_build(
        &d,
        &["--target", "builder", "-t", "only-builder", path(&ctx)],
    );
    let text = out.ok();
    assert!(text.contains("Step 2/2 : RUN mkdir /out"), "{text}");
    assert_eq!(
        run_rm(&d, &["only-builder", "cat", "/out/bin.txt"]),
        "compiled\n"
    );
    let out = docker_build(&d, &["--target", "nope", path(&ctx)], true);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("failed to reach build target nope in Dockerfile"),
        "{out:?}"
    );
    assert!(all_ids(&d).is_empty(), "{:?}", all_ids(&d));
}

#[test]
fn onbuild_triggers_and_dockerfile_on_stdin() {
    use std::io::Write;
    let d = daemon_with_busybox();
    let base = context(
        &d,
        "onbase",
        &[(
            "Dockerfile",
            "FROM busybox\nONBUILD RUN echo triggered > /t\n",
        )],
    );
    berth_build(&d, &["-t", "onbase", path(&base)]).ok();
    assert_eq!(
        image(&d, "onbase")["Config"]["OnBuild"],
        serde_json::json!(["RUN echo triggered > /t"])
    );
    // a Dockerfile alone on stdin (`build -`) is a context holding only it
    let mut child = Command::new("timeout")
        .args([
            "-k",
            "5",
            "300",
            harness::berth_bin(),
            "build",
            "-t",
            "onchild",
            "-",
        ])
        .env_remove("DOCKER_HOST")
        .env("BERTH_HOST", d.docker_host())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"FROM onbase\nCMD [\"cat\", \"/t\"]\n")
        .unwrap();
    let out = CmdResult::from(child.wait_with_output().unwrap());
    let text = out.ok();
    assert!(text.contains("# Executing 1 build trigger\n"), "{text}");
    assert_eq!(run_rm(&d, &["onchild"]), "triggered\n");
    // the triggers ran once: the child's image does not carry them on
    assert!(
        image(&d, "onchild")["Config"]["OnBuild"].is_null(),
        "{}",
        image(&d, "onchild")
    );
}

#[test]
fn a_client_that_goes_away_stops_its_run_step() {
    let d = daemon_with_busybox();
    let ctx = context(
        &d,
        "cancel",
        &[(
            "Dockerfile",
            "FROM busybox\nRUN sleep 600\nRUN touch /never\n",
        )],
    );
    let mut cli = Command::new(harness::berth_bin())
        .args(["build", "-t", "cancelled", path(&ctx)])
        .env_remove("DOCKER_HOST")
        .env("BERTH_HOST", d.docker_host())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let running = |d: &Daemon| {
        d.api_json("GET", "/containers/json", None)
            .as_array()
            .map_or(0, |a| a.len())
    };
    assert!(
        harness::ctr::wait_until(120, || running(&d) == 1),
        "the RUN step never started"
    );
    // the client goes away (as a Ctrl-C would take it), killed by the PID this test started
    cli.kill().unwrap();
    cli.wait().unwrap();
    assert!(
        harness::ctr::wait_until(120, || running(&d) == 0),
        "the RUN step kept running"
    );
    assert_eq!(d.api("GET", "/images/cancelled/json", None).status, 404);
}
