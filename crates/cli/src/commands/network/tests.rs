//! `network connect` / `disconnect`: bodies and errors checked against what the docker 28.2.2
//! CLI sent and printed (captured against a logging socket that answered as API 1.50).

use clap::Parser;

use crate::args::{Cli, Command, NetworkCommand};
use crate::error::CliError;

enum Parsed {
    Connect(Box<crate::args::ConnectArgs>),
    Disconnect(crate::args::DisconnectArgs),
}

fn parse(args: &str) -> Parsed {
    let argv = std::iter::once("berth")
        .chain(args.split(' '))
        .map(|s| s.replace('~', " "));
    let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{args}: {e}"));
    let Command::Network(n) = cli.command else {
        panic!("not a network command")
    };
    match n.command {
        Some(NetworkCommand::Connect(a)) => Parsed::Connect(a),
        Some(NetworkCommand::Disconnect(a)) => Parsed::Disconnect(a),
        _ => panic!("not connect/disconnect"),
    }
}

/// The body the command would send; `~` in `args` stands for a space inside one argument.
fn body(args: &str) -> Result<String, CliError> {
    match parse(args) {
        Parsed::Connect(a) => super::connect::request_body(&a),
        Parsed::Disconnect(a) => super::disconnect::request_body(&a),
    }
}

const EMPTY_OPERATIONAL: &str = r#""NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null"#;

#[test]
fn connect_bodies_match_docker() {
    assert_eq!(
        body("network connect net1 c1").unwrap(),
        format!(
            r#"{{"Container":"c1","EndpointConfig":{{"IPAMConfig":{{}},"Links":null,"Aliases":[],"MacAddress":"","DriverOpts":{{}},"GwPriority":0,{EMPTY_OPERATIONAL}}}}}"#
        )
    );
    let full = "network connect --ip 10.0.0.5 --ip6 fd00::5 --alias a,b --alias c --link x:y --link z --link-local-ip 169.254.1.1,169.254.1.2 --driver-opt k=v --driver-opt ~k2~=~v2~ --gw-priority -3 net1 c1";
    assert_eq!(
        body(full).unwrap(),
        format!(
            r#"{{"Container":"c1","EndpointConfig":{{"IPAMConfig":{{"IPv4Address":"10.0.0.5","IPv6Address":"fd00::5","LinkLocalIPs":["169.254.1.1","169.254.1.2"]}},"Links":["x:y","z"],"Aliases":["a","b","c"],"MacAddress":"","DriverOpts":{{"k":"v","k2":"v2"}},"GwPriority":-3,{EMPTY_OPERATIONAL}}}}}"#
        )
    );
    // pflag: the last of a repeated single-value flag wins; ints take Go's prefixes.
    let b = body("network connect --ip=1.2.3.4 --ip 5.6.7.8 --gw-priority 1 --gw-priority=0x10 --alias= --driver-opt= n ~c1~").unwrap();
    assert!(b.starts_with(r#"{"Container":"c1","EndpointConfig":{"IPAMConfig":{"IPv4Address":"5.6.7.8"},"Links":null,"Aliases":[],"MacAddress":"","DriverOpts":{},"GwPriority":16,"#), "{b}");
}

#[test]
fn disconnect_bodies_match_docker() {
    assert_eq!(
        body("network disconnect net1 c1").unwrap(),
        r#"{"Container":"c1","Force":false}"#
    );
    assert_eq!(
        body("network disconnect -f net1 c1").unwrap(),
        r#"{"Container":"c1","Force":true}"#
    );
    assert_eq!(
        body("network disconnect --force=false net1 c1").unwrap(),
        r#"{"Container":"c1","Force":false}"#
    );
}

#[test]
fn connect_errors_match_docker() {
    let usage = "\n\nUsage:  berth network connect [OPTIONS] NETWORK CONTAINER\n\nRun 'berth network connect --help' for more information";
    let cases = [
        ("network connect a", 1, format!("berth: 'berth network connect' requires 2 arguments{usage}")),
        ("network connect a b c", 1, format!("berth: 'berth network connect' requires 2 arguments{usage}")),
        ("network connect --link bad:x:y a b", 125, format!("invalid argument \"bad:x:y\" for \"--link\" flag: bad format for links: bad:x:y{usage}")),
        ("network connect --link= a b", 125, format!("invalid argument \"\" for \"--link\" flag: empty string specified for links{usage}")),
        ("network connect --gw-priority x a b", 125, format!("invalid argument \"x\" for \"--gw-priority\" flag: strconv.ParseInt: parsing \"x\": invalid syntax{usage}")),
        ("network connect --gw-priority 99999999999999999999 a b", 125, format!("invalid argument \"99999999999999999999\" for \"--gw-priority\" flag: strconv.ParseInt: parsing \"99999999999999999999\": value out of range{usage}")),
        ("network connect --driver-opt =v a b", 1, "invalid key/value pair format in driver options".to_string()),
        ("network connect ~ c1", 1, "invalid network name or ID: value is empty".to_string()),
        ("network connect n ~~", 1, "invalid container name or ID: value is empty".to_string()),
    ];
    for (args, code, text) in cases {
        let e = body(args).unwrap_err();
        assert_eq!((e.exit_code(), e.to_string()), (code, text), "{args}");
    }
    let e = body("network disconnect a").unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert_eq!(e.to_string(), "berth: 'berth network disconnect' requires 2 arguments\n\nUsage:  berth network disconnect [OPTIONS] NETWORK CONTAINER\n\nRun 'berth network disconnect --help' for more information");
}

#[test]
fn go_int_parsing() {
    use super::connect::parse_go_int as p;
    assert_eq!(p("-3"), Ok(-3));
    assert_eq!(p("+2"), Ok(2));
    assert_eq!(p("0x1_0"), Ok(16));
    assert_eq!(p("010"), Ok(8));
    assert_eq!(p("0b11"), Ok(3));
    assert_eq!(p("-9223372036854775808"), Ok(i64::MIN));
    assert_eq!(p("9223372036854775808"), Err("value out of range"));
    for bad in ["", "-", "1_0", "08", "0x", "0x__1", "1e3", " 1"] {
        assert_eq!(p(bad), Err("invalid syntax"), "{bad:?}");
    }
}

#[test]
fn unknown_flag_on_disconnect_is_a_usage_error() {
    let mut o = crate::Output::default();
    let args = ["network", "disconnect", "-x", "a", "b"]
        .map(String::from)
        .to_vec();
    let e = crate::run(args, &mut o).unwrap_err();
    assert_eq!(e.exit_code(), 125);
    assert!(e.to_string().starts_with(
        "unknown shorthand flag: 'x' in -x\n\nUsage:  berth network disconnect [OPTIONS] NETWORK CONTAINER"
    ));
}
