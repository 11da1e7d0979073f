//! Legacy links (`--link NAME[:ALIAS]`) on the default bridge: the `/etc/hosts` line and the
//! environment variables a linking container gets, as moby's `links` package builds them.

use super::ports::PortProto;

/// `name[:alias]` → (name, alias); the alias defaults to the name. A leading `/` is dropped.
pub fn parse_link(spec: &str) -> (String, String) {
    let spec = spec.trim_start_matches('/');
    match spec.split_once(':') {
        Some((name, alias)) if !alias.is_empty() => {
            (name.to_string(), alias.trim_start_matches('/').to_string())
        }
        Some((name, _)) => (name.to_string(), name.to_string()),
        None => (spec.to_string(), spec.to_string()),
    }
}

/// What a link needs to know of the linked (child) container.
pub struct LinkedChild<'a> {
    pub name: &'a str,
    pub hostname: &'a str,
    pub ipv4: Option<std::net::Ipv4Addr>,
    pub ipv6: Option<std::net::Ipv6Addr>,
    pub exposed: Vec<PortProto>,
    pub env: &'a [String],
}

/// The `/etc/hosts` lines of one link: `<ip>\t<alias> <hostname>[ <name>]`, IPv4 then IPv6.
/// The name is left out when it equals the alias (Docker's order and rule).
pub fn link_host_lines(alias: &str, child: &LinkedChild<'_>) -> Vec<(String, String)> {
    let mut names = format!("{alias} {}", child.hostname);
    if alias != child.name {
        names.push(' ');
        names.push_str(child.name);
    }
    let mut out = Vec::new();
    if let Some(ip) = child.ipv4 {
        out.push((ip.to_string(), names.clone()));
    }
    if let Some(ip) = child.ipv6 {
        out.push((ip.to_string(), names));
    }
    out
}

/// The environment of one link: `ALIAS_NAME`, `ALIAS_PORT*` for the child's exposed ports,
/// `ALIAS_ENV_*` for the child's own variables (without HOME and PATH).
pub fn link_env(alias: &str, parent_name: &str, child: &LinkedChild<'_>) -> Vec<String> {
    let prefix = alias.to_ascii_uppercase().replace('-', "_");
    let mut env = Vec::new();
    let Some(ip) = child.ipv4 else {
        return env;
    };
    let mut ports = child.exposed.clone();
    ports.sort_by_key(|p| (p.port, p.proto));
    if let Some(first) = ports.first() {
        env.push(format!(
            "{prefix}_PORT={}://{ip}:{}",
            first.proto.as_str(),
            first.port
        ));
    }
    // A run of consecutive ports of one protocol is also described as a range, as moby does.
    let mut i = 0;
    while i < ports.len() {
        let mut j = i;
        while j + 1 < ports.len()
            && ports[j + 1].proto == ports[i].proto
            && ports[j + 1].port == ports[j].port + 1
        {
            j += 1;
        }
        if j > i {
            let (p, proto) = (ports[i].port, ports[i].proto.as_str());
            let up = proto.to_ascii_uppercase();
            let end = ports[j].port;
            env.push(format!("{prefix}_PORT_{p}_{up}_START={proto}://{ip}:{p}"));
            env.push(format!("{prefix}_PORT_{p}_{up}_ADDR={ip}"));
            env.push(format!("{prefix}_PORT_{p}_{up}_PORT_START={p}"));
            env.push(format!("{prefix}_PORT_{p}_{up}_PORT_END={end}"));
            env.push(format!("{prefix}_PORT_{p}_{up}_END={proto}://{ip}:{end}"));
        }
        i = j + 1;
    }
    for p in &ports {
        let proto = p.proto.as_str();
        let up = proto.to_ascii_uppercase();
        let n = p.port;
        env.push(format!("{prefix}_PORT_{n}_{up}={proto}://{ip}:{n}"));
        env.push(format!("{prefix}_PORT_{n}_{up}_ADDR={ip}"));
        env.push(format!("{prefix}_PORT_{n}_{up}_PORT={n}"));
        env.push(format!("{prefix}_PORT_{n}_{up}_PROTO={proto}"));
    }
    env.push(format!("{prefix}_NAME=/{parent_name}/{alias}"));
    for var in child.env {
        let Some((k, v)) = var.split_once('=') else {
            continue;
        };
        if k == "HOME" || k == "PATH" {
            continue;
        }
        env.push(format!("{prefix}_ENV_{k}={v}"));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child<'a>(env: &'a [String]) -> LinkedChild<'a> {
        LinkedChild {
            name: "db",
            hostname: "e8ede99d09d1",
            ipv4: Some("172.17.0.2".parse().unwrap()),
            ipv6: None,
            exposed: vec![
                PortProto::parse("5432").unwrap(),
                PortProto::parse("80").unwrap(),
                PortProto::parse("81").unwrap(),
            ],
            env,
        }
    }

    #[test]
    fn parses_specs() {
        assert_eq!(parse_link("db"), ("db".into(), "db".into()));
        assert_eq!(parse_link("db:data"), ("db".into(), "data".into()));
        assert_eq!(
            parse_link("/db:/web/data"),
            ("db".into(), "web/data".into())
        );
    }

    #[test]
    fn hosts_lines_follow_docker() {
        let env = vec![];
        assert_eq!(
            link_host_lines("db", &child(&env)),
            [("172.17.0.2".to_string(), "db e8ede99d09d1".to_string())]
        );
        assert_eq!(
            link_host_lines("data", &child(&env))[0].1,
            "data e8ede99d09d1 db"
        );
    }

    #[test]
    fn env_follows_docker() {
        let env = vec![
            "PATH=/bin".to_string(),
            "POSTGRES_DB=app".to_string(),
            "HOME=/root".to_string(),
        ];
        let got = link_env("my-db", "web", &child(&env));
        for want in [
            "MY_DB_PORT=tcp://172.17.0.2:80",
            "MY_DB_PORT_80_TCP=tcp://172.17.0.2:80",
            "MY_DB_PORT_80_TCP_ADDR=172.17.0.2",
            "MY_DB_PORT_80_TCP_PORT=80",
            "MY_DB_PORT_80_TCP_PROTO=tcp",
            "MY_DB_PORT_80_TCP_START=tcp://172.17.0.2:80",
            "MY_DB_PORT_80_TCP_PORT_END=81",
            "MY_DB_PORT_5432_TCP=tcp://172.17.0.2:5432",
            "MY_DB_NAME=/web/my-db",
            "MY_DB_ENV_POSTGRES_DB=app",
        ] {
            assert!(got.iter().any(|e| e == want), "{want} missing from {got:?}");
        }
        assert!(!got
            .iter()
            .any(|e| e.contains("_ENV_PATH") || e.contains("_ENV_HOME")));
    }
}
