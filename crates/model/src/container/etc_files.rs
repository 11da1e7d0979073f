//! The `/etc/hosts`, `/etc/hostname` and `/etc/resolv.conf` berth generates per container,
//! in Docker's layout.

/// Docker's fixed head of every container's /etc/hosts.
const HOSTS_HEAD: &str = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

/// /etc/hosts: the standard entries, then `--add-host` entries, then the container's own
/// addresses with its hostname (none in `none` mode).
pub fn hosts_file(extra_hosts: &[(String, String)], own: &[(String, String)]) -> String {
    let mut out = String::from(HOSTS_HEAD);
    for (name, ip) in extra_hosts.iter() {
        out.push_str(&format!("{ip}\t{name}\n"));
    }
    for (ip, names) in own {
        out.push_str(&format!("{ip}\t{names}\n"));
    }
    out
}

/// /etc/resolv.conf of a container on a user-defined network: the embedded server, the
/// `--dns-search` domains, and `--dns-option`s with `ndots:0` unless one sets ndots (Docker's
/// rule: names are tried as given first, so peers resolve without a search domain).
pub fn embedded_resolv_conf(search: &[String], options: &[String]) -> String {
    let mut out = String::from("nameserver 127.0.0.11\n");
    if !search.is_empty() {
        out.push_str(&format!("search {}\n", search.join(" ")));
    }
    let mut opts: Vec<String> = options.to_vec();
    if !opts.iter().any(|o| o.starts_with("ndots:")) {
        opts.push("ndots:0".to_string());
    }
    out.push_str(&format!("options {}\n", opts.join(" ")));
    out
}

/// Splits `--add-host` entries (`name:ip` or `name=ip`, IPv6 possibly in brackets).
pub fn parse_extra_hosts(entries: &[String]) -> Vec<(String, String)> {
    entries
        .iter()
        .filter_map(|e| {
            let (name, ip) = e.split_once('=').or_else(|| e.split_once(':'))?;
            Some((
                name.to_string(),
                ip.trim_matches(|c| c == '[' || c == ']').to_string(),
            ))
        })
        .collect()
}

/// /etc/resolv.conf from the host's: loopback nameservers cannot work from inside the
/// container's namespace, so they are dropped (Google's public servers step in when nothing is
/// left, as in Docker); `--dns`, `--dns-search` and `--dns-option` replace the host's values.
pub fn resolv_conf(host: &str, dns: &[String], search: &[String], options: &[String]) -> String {
    let mut nameservers: Vec<String> = Vec::new();
    let mut host_search: Vec<String> = Vec::new();
    let mut host_options: Vec<String> = Vec::new();
    for line in host.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") => {
                if let Some(ns) = words.next() {
                    let loopback = ns
                        .parse::<std::net::IpAddr>()
                        .map(|ip| ip.is_loopback())
                        .unwrap_or(false);
                    if !loopback {
                        nameservers.push(ns.to_string());
                    }
                }
            }
            Some("search") | Some("domain") => host_search = words.map(str::to_string).collect(),
            Some("options") => host_options.extend(words.map(str::to_string)),
            _ => {}
        }
    }
    if !dns.is_empty() {
        nameservers = dns.to_vec();
    } else if nameservers.is_empty() {
        nameservers = vec!["8.8.8.8".into(), "8.8.4.4".into()];
    }
    let search = if search.is_empty() {
        host_search
    } else {
        search.to_vec()
    };
    let options = if options.is_empty() {
        host_options
    } else {
        options.to_vec()
    };
    let mut out = String::new();
    for ns in nameservers {
        out.push_str(&format!("nameserver {ns}\n"));
    }
    let search: Vec<String> = search.into_iter().filter(|s| s != ".").collect();
    if !search.is_empty() {
        out.push_str(&format!("search {}\n", search.join(" ")));
    }
    if !options.is_empty() {
        out.push_str(&format!("options {}\n", options.join(" ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_layout() {
        let h = hosts_file(
            &parse_extra_hosts(&["db:10.0.0.5".into(), "v6=[fd00::1]".into()]),
            &[("172.17.0.2".into(), "e8ede99d09d1".into())],
        );
        assert!(h.starts_with("127.0.0.1\tlocalhost\n"));
        assert!(h.ends_with("10.0.0.5\tdb\nfd00::1\tv6\n172.17.0.2\te8ede99d09d1\n"));
    }

    #[test]
    fn resolv_drops_loopback_and_honours_flags() {
        let host =
            "nameserver 127.0.0.53\nnameserver 10.1.1.1\nsearch corp.example\noptions edns0\n";
        assert_eq!(
            resolv_conf(host, &[], &[], &[]),
            "nameserver 10.1.1.1\nsearch corp.example\noptions edns0\n"
        );
        assert_eq!(
            resolv_conf("nameserver 127.0.0.1\n", &[], &[], &[]),
            "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"
        );
        assert_eq!(
            resolv_conf(
                host,
                &["1.1.1.1".into()],
                &["a.b".into()],
                &["ndots:2".into()]
            ),
            "nameserver 1.1.1.1\nsearch a.b\noptions ndots:2\n"
        );
    }
}
