//! Create bodies checked against the ones the docker 28 CLI sent (API 1.50), captured with
//! a logging proxy in front of a reference Docker Engine: tests/fixtures/create/*.{args,json}.

use clap::Parser;

use super::args::TopLevel;
use super::config::{self, FlagError};
use crate::args::{Cli, Command};

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/create")
}

/// Parses `berth <args>` and builds the create body as `create`/`run` would.
fn body(args: &[String], version: &str) -> Result<String, FlagError> {
    let cli = Cli::try_parse_from(std::iter::once("berth".to_string()).chain(args.iter().cloned()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let (flags, detach) = match cli.command {
        Command::Containers(TopLevel::Create(a)) => (a.c, false),
        Command::Containers(TopLevel::Run(a)) => (a.c, a.detach.unwrap_or(false)),
        _ => panic!("not create/run"),
    };
    config::build(&flags, version, detach, (0, 0)).map(|r| r.body.to_json(true))
}

#[test]
fn create_bodies_match_docker() {
    // `-e B`/env-file `BAZ` take their values from the environment, as in the capture.
    std::env::set_var("BAZ", "fromenv");
    std::env::remove_var("B");
    let dir = fixtures();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "args").then(|| p.file_stem().unwrap().to_string_lossy().to_string())
        })
        .collect();
    names.sort();
    assert!(names.len() > 30);
    for n in names {
        let args: Vec<String> = std::fs::read_to_string(dir.join(format!("{n}.args")))
            .unwrap()
            .lines()
            .map(|l| l.replace("FIX/", &format!("{}/", dir.display())))
            .collect();
        let want = std::fs::read_to_string(dir.join(format!("{n}.json"))).unwrap();
        let got = body(&args, "1.50").unwrap_or_else(|e| panic!("{n}: {e:?}"));
        assert_eq!(sort_binds(&got), sort_binds(want.trim_end()), "fixture {n}");
    }
}

/// docker fills `Binds` from a Go map, so its order varies from run to run.
fn sort_binds(body: &str) -> String {
    use crate::template::Value;
    let mut v = Value::parse_json(body.as_bytes()).unwrap();
    if let Value::Object(top) = &mut v {
        for (k, hc) in top.iter_mut() {
            if k != "HostConfig" {
                continue;
            }
            if let Value::Object(fields) = hc {
                for (hk, binds) in fields.iter_mut() {
                    if let (true, Value::Array(items)) = (hk == "Binds", binds) {
                        items.sort_by_key(|i| i.to_json(false));
                    }
                }
            }
        }
    }
    v.to_json(true)
}

fn err(args: &str) -> FlagError {
    let args: Vec<String> = args.split(' ').map(str::to_string).collect();
    body(&args, "1.50").unwrap_err()
}

fn parse_err(m: &str) -> FlagError {
    FlagError::Parse(m.to_string())
}

fn invalid(flag: &'static str, value: &str, reason: &str) -> FlagError {
    FlagError::Invalid {
        flag,
        value: value.into(),
        reason: reason.into(),
    }
}

#[test]
fn flag_errors_match_docker() {
    assert_eq!(
        err("create -p foo busybox"),
        parse_err("invalid containerPort: foo")
    );
    assert_eq!(
        err("create --restart on-failure:x busybox"),
        parse_err("invalid restart policy format: maximum retry count must be an integer")
    );
    assert_eq!(
        err("create --rm --restart always busybox"),
        parse_err("conflicting options: cannot specify both --restart and --rm")
    );
    assert_eq!(
        err("create --add-host foo busybox"),
        invalid("--add-host", "foo", "bad format for add-host: \"foo\"")
    );
    assert_eq!(
        err("create --add-host foo:bad busybox"),
        invalid(
            "--add-host",
            "foo:bad",
            "invalid IP address in add-host: \"bad\""
        )
    );
    assert_eq!(
        err("create --dns bad busybox"),
        invalid("--dns", "bad", "IP address is not correctly formatted: bad")
    );
    assert_eq!(
        err("create --mac-address zz busybox"),
        parse_err("zz is not a valid mac address")
    );
    assert_eq!(
        err("create --network host --network-alias x busybox"),
        parse_err("network-scoped aliases are only supported for user-defined networks")
    );
    assert_eq!(
        err("create --network name=,alias=x busybox"),
        invalid(
            "--network",
            "name=,alias=x",
            "network name/id is not specified"
        )
    );
    assert_eq!(
        err("create -v :/x busybox"),
        parse_err("invalid spec: :/x: empty section between colons")
    );
    assert_eq!(
        err("create --network a --network a busybox"),
        parse_err("network \"a\" is specified multiple times")
    );
    assert_eq!(
        err("create --network host --network mynet busybox"),
        parse_err("conflicting options: cannot attach both user-defined and non-user-defined network-modes")
    );
    assert_eq!(
        err("create -a bogus busybox"),
        invalid(
            "-a, --attach",
            "bogus",
            "valid streams are STDIN, STDOUT and STDERR"
        )
    );
    assert_eq!(
        err("create --network name=n,gw-priority=x busybox"),
        invalid(
            "--network",
            "name=n,gw-priority=x",
            "invalid gw-priority (x): invalid syntax"
        )
    );
    assert_eq!(
        err("create --link-local-ip 169.254.1.1 --network name=n,link-local-ip=169.254.2.2 busybox"),
        parse_err("conflicting options: cannot specify both --link-local-ip and per-network link-local IP addresses")
    );
    assert_eq!(
        err("create --network name=n1,alias=x --network-alias y busybox"),
        parse_err("conflicting options: cannot specify both --network-alias and per-network alias")
    );
    assert_eq!(
        err("create --network n1 --network name=n1,alias=x busybox"),
        parse_err("network \"n1\" is specified multiple times")
    );
    assert_eq!(
        err("create --link= busybox"),
        invalid("--link", "", "empty string specified for links")
    );
    assert_eq!(
        err("create --link bad:x:y busybox"),
        invalid("--link", "bad:x:y", "bad format for links: bad:x:y")
    );
    assert_eq!(
        err("create -l = busybox"),
        invalid("-l, --label", "=", "invalid label '=': empty name")
    );
    let args: Vec<String> = "create --mac-address 92:d0:c6:0a:29:33 busybox"
        .split(' ')
        .map(str::to_string)
        .collect();
    assert_eq!(
        body(&args, "1.41").unwrap_err(),
        FlagError::Plain("\"specify mac-address per network\" requires API version 1.44, but the berth daemon API version is 1.41".into())
    );
}

#[test]
fn flag_error_texts() {
    let e = super::create::flag_error(
        invalid("-e, --env", "", "invalid environment variable: "),
        "berth create",
    );
    assert_eq!(e.exit_code(), 125);
    assert_eq!(
        e.to_string(),
        "invalid argument \"\" for \"-e, --env\" flag: invalid environment variable: \n\nUsage:  berth create [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth create --help' for more information"
    );
    let e = super::create::flag_error(parse_err("invalid containerPort: foo"), "berth run");
    assert_eq!(
        e.to_string(),
        "berth: invalid containerPort: foo\n\nRun 'berth run --help' for more information"
    );
}

#[test]
fn usage_errors_read_as_docker() {
    let run = |args: &[&str]| {
        let mut o = crate::Output::default();
        crate::run(args.iter().map(|s| s.to_string()).collect(), &mut o).unwrap_err()
    };
    let e = run(&["create"]);
    assert_eq!(e.exit_code(), 1);
    assert_eq!(e.to_string(), "berth: 'berth create' requires at least 1 argument\n\nUsage:  berth create [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'berth create --help' for more information");
    let e = run(&["container", "ps", "x"]);
    assert_eq!(e.to_string(), "berth: 'berth container ls' accepts no arguments\n\nUsage:  berth container ls [OPTIONS]\n\nRun 'berth container ls --help' for more information");
    let e = run(&["logs"]);
    assert_eq!(e.to_string(), "berth: 'berth logs' requires 1 argument\n\nUsage:  berth logs [OPTIONS] CONTAINER\n\nRun 'berth logs --help' for more information");
    let e = run(&["exec", "a"]);
    assert!(e
        .to_string()
        .starts_with("berth: 'berth exec' requires at least 2 arguments"));
    let e = run(&["run", "--bogus", "busybox"]);
    assert_eq!(e.exit_code(), 125);
    assert_eq!(e.to_string(), "unknown flag: --bogus\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth run --help' for more information");
    let e = run(&["run", "-x", "busybox"]);
    assert!(e
        .to_string()
        .starts_with("unknown shorthand flag: 'x' in -x\n"));
}

#[test]
fn ps_table_matches_docker() {
    let list = crate::template::Value::parse_json(
        &std::fs::read(fixtures().join("../containers-list.json")).unwrap(),
    )
    .unwrap();
    let crate::template::Value::Array(list) = list else {
        panic!("not a list")
    };
    let now = 1795832476;
    let out = super::ps::render(
        &list,
        &super::format::resolve_format("", false, false),
        true,
        now,
    )
    .unwrap();
    assert_eq!(
        out,
        std::fs::read_to_string(fixtures().join("../ps-a.expected")).unwrap()
    );
}
