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

/// /etc/resolv.conf of a container on a user-defined network: the embedded server instead of
/// any nameserver; the search domains and options of the host unless `--dns-search` /
/// `--dns-option` replace them; and `ndots:0` unless an ndots option is there already (moby's
/// rule: names are tried as given first, so peers resolve without a search domain).
pub fn embedded_resolv_conf(host: &str, search: &[String], options: &[String]) -> String {
    let host = HostResolv::parse(host);
    let mut out = String::from(
        "nameserver 127.0.0.11
",
    );
    let search = host.search_or(search);
    if !search.is_empty() {
        out.push_str(&format!(
            "search {}
",
            search.join(" ")
        ));
    }
    let mut opts = host.options_or(options);
    if !opts.iter().any(|o| o.starts_with("ndots:")) {
        opts.push("ndots:0".to_string());
    }
    out.push_str(&format!(
        "options {}
",
        opts.join(" ")
    ));
    out
}

/// What a container keeps of the host's /etc/resolv.conf.
struct HostResolv {
    /// Nameservers other than loopback ones, which cannot work from a container's namespace.
    nameservers: Vec<String>,
    search: Vec<String>,
    options: Vec<String>,
}

impl HostResolv {
    fn parse(host: &str) -> HostResolv {
        let mut parsed = HostResolv {
            nameservers: Vec::new(),
            search: Vec::new(),
            options: Vec::new(),
        };
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
                            parsed.nameservers.push(ns.to_string());
                        }
                    }
                }
                Some("search") | Some("domain") => {
                    parsed.search = words.map(str::to_string).collect()
                }
                Some("options") => parsed.options.extend(words.map(str::to_string)),
                _ => {}
            }
        }
        parsed
    }

    /// `--dns-search` if given, else the host's domains; `.` alone means none.
    fn search_or(&self, given: &[String]) -> Vec<String> {
        let search = if given.is_empty() {
            &self.search
        } else {
            given
        };
        search.iter().filter(|s| *s != ".").cloned().collect()
    }

    /// `--dns-option` if given, else the host's options.
    fn options_or(&self, given: &[String]) -> Vec<String> {
        if given.is_empty() {
            self.options.clone()
        } else {
            given.to_vec()
        }
    }
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
    let host = HostResolv::parse(host);
    let nameservers = if !dns.is_empty() {
        dns.to_vec()
    } else if host.nameservers.is_empty() {
        vec!["8.8.8.8".into(), "8.8.4.4".into()]
    } else {
        host.nameservers.clone()
    };
    let mut out = String::new();
    for ns in nameservers {
        out.push_str(&format!("nameserver {ns}\n"));
    }
    let search = host.search_or(search);
    if !search.is_empty() {
        out.push_str(&format!("search {}\n", search.join(" ")));
    }
    let options = host.options_or(options);
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

    #[test]
    fn embedded_keeps_the_hosts_search_and_options_and_adds_ndots_0() {
        let host = "nameserver 10.1.1.1\nsearch corp.example\noptions edns0 trust-ad\n";
        assert_eq!(
            embedded_resolv_conf(host, &[], &[]),
            "nameserver 127.0.0.11\nsearch corp.example\noptions edns0 trust-ad ndots:0\n"
        );
        assert_eq!(
            embedded_resolv_conf(host, &["a.test".into()], &["ndots:3".into()]),
            "nameserver 127.0.0.11\nsearch a.test\noptions ndots:3\n"
        );
        assert_eq!(
            embedded_resolv_conf("options ndots:2\n", &[".".into()], &[]),
            "nameserver 127.0.0.11\noptions ndots:2\n"
        );
    }
}
