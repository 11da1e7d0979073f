//! Output checks from fixtures captured on a reference Docker Engine (no daemon needed).

use crate::commands::network::ls;
use crate::template::Value;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn networks() -> Vec<Value> {
    match Value::parse_json(&fixture("networks-list.json")).unwrap() {
        Value::Array(a) => a,
        _ => panic!("not a list"),
    }
}

#[test]
fn network_ls_default_table_matches_docker() {
    let out = ls::render(networks(), &ls::resolve_format("", false), true).unwrap();
    assert_eq!(
        out,
        "NETWORK ID     NAME          DRIVER    SCOPE\n\
         eefac5e57722   clitest-bad   bridge    local\n\
         4eb934128e54   clitest-one   bridge    local\n\
         7705cd48ef44   clitest-two   bridge    local\n"
    );
    let quiet = ls::render(networks(), &ls::resolve_format("", true), true).unwrap();
    assert_eq!(quiet, "eefac5e57722\n4eb934128e54\n7705cd48ef44\n");
}

#[test]
fn network_ls_json_matches_docker() {
    let out = ls::render(networks(), "json", true).unwrap();
    let first = out.lines().nth(1).unwrap();
    assert_eq!(
        first,
        r#"{"CreatedAt":"2026-11-28 01:34:35.167576089 +0000 UTC","Driver":"bridge","ID":"4eb934128e54","IPv4":"false","IPv6":"false","Internal":"false","Labels":"a=b,com.example.x=y","Name":"clitest-one","Scope":"local"}"#
    );
}

#[test]
fn network_ls_custom_table_matches_docker() {
    let f = r#"table {{.ID}}\t{{.Label "a"}}\t{{.IPv6}}\t{{.Internal}}"#;
    let out = ls::render(networks(), f, true).unwrap();
    assert_eq!(
        out,
        "NETWORK ID     a         IPV6      INTERNAL\n\
         eefac5e57722             false     false\n\
         4eb934128e54   b         false     false\n\
         7705cd48ef44             true      true\n"
    );
    let err = ls::render(networks(), "{{.Foo}}", true)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        r#"template parsing error: template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type *network.networkContext"#
    );
}

#[test]
fn network_inspect_default_output_matches_docker() {
    let mut joined = b"[".to_vec();
    joined.extend(fixture("network-inspect-one.json"));
    joined.push(b',');
    joined.extend(fixture("network-inspect-two.json"));
    joined.push(b']');
    let out = crate::jsonindent::indent(&joined, "", "    ") + "\n";
    assert_eq!(
        out,
        String::from_utf8(fixture("network-inspect-one-two.expected")).unwrap()
    );
}

#[test]
fn usage_errors_read_as_docker() {
    let mut o = crate::Output::default();
    let e = crate::run(vec!["network".into(), "create".into()], &mut o).unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert_eq!(
        e.to_string(),
        "berth: 'berth network create' requires 1 argument\n\nUsage:  berth network create [OPTIONS] NETWORK\n\nRun 'berth network create --help' for more information"
    );
    let e = crate::run(
        vec!["network".into(), "ls".into(), "--bogus".into()],
        &mut o,
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 125);
    assert!(e
        .to_string()
        .starts_with("unknown flag: --bogus\n\nUsage:  berth network ls [OPTIONS]"));
    let e = crate::run(vec!["network".into(), "rm".into()], &mut o).unwrap_err();
    assert!(e
        .to_string()
        .ends_with("See 'berth network rm --help' for more information"));
}

#[test]
fn unreachable_daemon_message() {
    let mut o = crate::Output::default();
    let args = ["--host", "unix:///nonexistent/berth.sock", "network", "ls"]
        .map(String::from)
        .to_vec();
    let e = crate::run(args, &mut o).unwrap_err();
    assert_eq!(e.to_string(), "Cannot connect to the berth daemon at unix:///nonexistent/berth.sock. Is the berth daemon running?");
    assert_eq!(e.exit_code(), 1);
}

#[test]
fn info_memory_units() {
    assert_eq!(
        crate::commands::info::bytes_size(25_275_473_920.0),
        "23.54GiB"
    );
    assert_eq!(crate::commands::info::bytes_size(512.0), "512B");
}
