//! docker's container formatter context (`ps --format`): the fields of each row, the
//! column titles, and the helpers behind them (`RunningFor`, `Ports`, `Size`, quoting).

use crate::units::rfc3339_utc;
pub use crate::units::{human_duration, human_size};
use std::rc::Rc;

use crate::formatter::truncate_id;
use crate::template::Value;

pub const DEFAULT_TABLE: &str =
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

/// docker's `NewContainerFormat`.
pub fn resolve_format(format: &str, quiet: bool, size: bool) -> String {
    match format {
        "" | "table" if quiet => "{{.ID}}".into(),
        "" | "table" => {
            let mut f = DEFAULT_TABLE.to_string();
            if size {
                f.push_str("\t{{.Size}}");
            }
            f
        }
        "raw" if quiet => "container_id: {{.ID}}".into(),
        "raw" => {
            let mut f = "container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\nstate: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\nlabels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n".to_string();
            if size {
                f.push_str("size: {{.Size}}\\n");
            }
            f
        }
        _ if quiet => "{{.ID}}".into(),
        f => f.into(),
    }
}

/// docker's `Ellipsis` for single-width text: `max-1` characters and `…`.
pub fn ellipsis(s: &str, max: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= max {
        return s.to_string();
    }
    let mut out: String = chars[..max.saturating_sub(1)].iter().collect();
    out.push('…');
    out
}

/// Go's `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// docker's `DisplayablePorts`: consecutive ports grouped, mappings to other host ports last.
pub fn displayable_ports(ports: &[Value]) -> String {
    struct P {
        ip: String,
        private: u32,
        public: u32,
        kind: String,
    }
    let n = |v: &Value, k: &str| match v.get(k) {
        Some(Value::Number(x)) => x.parse().unwrap_or(0),
        _ => 0,
    };
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut list: Vec<P> = ports
        .iter()
        .map(|p| P {
            ip: s(p, "IP"),
            private: n(p, "PrivatePort"),
            public: n(p, "PublicPort"),
            kind: s(p, "Type"),
        })
        .collect();
    list.sort_by(|a, b| {
        (a.private, &a.ip, a.public, &a.kind).cmp(&(b.private, &b.ip, b.public, &b.kind))
    });
    let join_host = |ip: &str, port: &str| {
        if ip.contains(':') {
            format!("[{ip}]:{port}")
        } else {
            format!("{ip}:{port}")
        }
    };
    let form = |key: &str, first: u32, last: u32| {
        let (ip, kind) = match key.split_once('/') {
            Some((ip, k)) => (ip, k),
            None => ("", key),
        };
        let mut g = first.to_string();
        if first != last {
            g = format!("{g}-{last}");
        }
        if !ip.is_empty() {
            g = format!("{}->{g}", join_host(ip, &g));
        }
        format!("{g}/{kind}")
    };
    let mut groups: Vec<(String, u32, u32)> = Vec::new();
    let mut result = Vec::new();
    let mut mappings = Vec::new();
    for p in &list {
        let mut key = p.kind.clone();
        if !p.ip.is_empty() {
            if p.public != p.private {
                mappings.push(format!(
                    "{}->{}/{}",
                    join_host(&p.ip, &p.public.to_string()),
                    p.private,
                    p.kind
                ));
                continue;
            }
            key = format!("{}/{}", p.ip, p.kind);
        }
        match groups.iter_mut().find(|g| g.0 == key) {
            None => groups.push((key, p.private, p.private)),
            Some(g) if p.private == g.2 + 1 => g.2 = p.private,
            Some(g) => {
                result.push(form(&g.0, g.1, g.2));
                g.1 = p.private;
                g.2 = p.private;
            }
        }
    }
    for g in &groups {
        result.push(form(&g.0, g.1, g.2));
    }
    result.extend(mappings);
    result.join(", ")
}

fn label_method(labels: Vec<(String, String)>) -> Value {
    Value::Method(Rc::new(move |args: &[Value]| match args {
        [Value::String(k)] => Ok(Value::String(
            labels
                .iter()
                .find(|(lk, _)| lk == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
        )),
        _ => Err(format!(
            "wrong number of args for Label: want 1 got {}",
            args.len()
        )),
    }))
}

/// One `ps` row (a `GET /containers/json` item) as docker's `ContainerContext`, keys in
/// its JSON order. `now` is the client's clock in Unix seconds.
pub fn row(c: &Value, trunc: bool, now: i64) -> Value {
    let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let num = |k: &str| match c.get(k) {
        Some(Value::Number(n)) => n.parse::<f64>().unwrap_or(0.0),
        _ => 0.0,
    };
    let id = if trunc {
        truncate_id(&s("Id"))
    } else {
        s("Id")
    };
    let names: Vec<String> = match c.get("Names") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(|n| n.trim_start_matches('/').to_string())
            .collect(),
        _ => Vec::new(),
    };
    let names = if trunc {
        names
            .iter()
            .find(|n| !n.contains('/'))
            .cloned()
            .unwrap_or_default()
    } else {
        names.join(",")
    };
    let image = {
        let img = s("Image");
        if img.is_empty() {
            "<no image>".to_string()
        } else if trunc && truncate_id(&s("ImageID")) == truncate_id(&img) {
            truncate_id(&img)
        } else if trunc {
            // A digest is dropped from a tagged reference, as docker shows it.
            match img.split_once('@') {
                Some((name, _)) if name.rsplit('/').next().is_some_and(|l| l.contains(':')) => {
                    name.to_string()
                }
                _ => img,
            }
        } else {
            img
        }
    };
    let command = if trunc {
        ellipsis(&s("Command"), 20)
    } else {
        s("Command")
    };
    let created = num("Created") as i64;
    let mut labels: Vec<(String, String)> = match c.get("Labels") {
        Some(Value::Object(f)) => f
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
            .collect(),
        _ => Vec::new(),
    };
    labels.sort();
    let joined = labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let mounts: Vec<Value> = match c.get("Mounts") {
        Some(Value::Array(m)) => m.clone(),
        _ => Vec::new(),
    };
    let mount_names = mounts
        .iter()
        .map(|m| {
            let name = m.get("Name").and_then(Value::as_str).unwrap_or("");
            let name = if name.is_empty() {
                m.get("Source").and_then(Value::as_str).unwrap_or("")
            } else {
                name
            };
            if trunc {
                ellipsis(name, 15)
            } else {
                name.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    let local = mounts
        .iter()
        .filter(|m| m.get("Driver").and_then(Value::as_str) == Some("local"))
        .count();
    let networks = match c.get("NetworkSettings").and_then(|n| n.get("Networks")) {
        Some(Value::Object(n)) => n
            .iter()
            .map(|(k, _)| k.clone())
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    };
    let ports = match c.get("Ports") {
        Some(Value::Array(p)) => displayable_ports(p),
        _ => String::new(),
    };
    let (rw, rootfs) = (num("SizeRw"), num("SizeRootFs"));
    let size = if rootfs > 0.0 {
        format!("{} (virtual {})", human_size(rw), human_size(rootfs))
    } else {
        human_size(rw)
    };
    Value::object(vec![
        ("Command", Value::String(go_quote(&command))),
        (
            "CreatedAt",
            Value::String(crate::timefmt::go_string(&rfc3339_utc(created))),
        ),
        ("ID", Value::String(id)),
        ("Image", Value::String(image)),
        ("Label", label_method(labels)),
        ("Labels", Value::String(joined)),
        ("LocalVolumes", Value::String(local.to_string())),
        ("Mounts", Value::String(mount_names)),
        ("Names", Value::String(names)),
        ("Networks", Value::String(networks)),
        ("Platform", Value::Null),
        ("Ports", Value::String(ports)),
        (
            "RunningFor",
            Value::String(format!("{} ago", human_duration(now - created))),
        ),
        ("Size", Value::String(size)),
        ("State", Value::String(s("State"))),
        ("Status", Value::String(s("Status"))),
    ])
}

pub fn header() -> Value {
    let label = Value::Method(Rc::new(|args: &[Value]| match args {
        [Value::String(k)] => Ok(Value::String(
            k.rsplit('.').next().unwrap_or("").replace(['-', '_'], " "),
        )),
        _ => Err("wrong number of args for Label".to_string()),
    }));
    Value::object(vec![
        ("Label", label),
        ("ID", "CONTAINER ID".into()),
        ("Names", "NAMES".into()),
        ("Image", "IMAGE".into()),
        ("Command", "COMMAND".into()),
        ("CreatedAt", "CREATED AT".into()),
        ("RunningFor", "CREATED".into()),
        ("Ports", "PORTS".into()),
        ("State", "STATE".into()),
        ("Status", "STATUS".into()),
        ("Size", "SIZE".into()),
        ("Labels", "LABELS".into()),
        ("Mounts", "MOUNTS".into()),
        ("LocalVolumes", "LOCAL VOLUMES".into()),
        ("Networks", "NETWORKS".into()),
        ("Platform", "PLATFORM".into()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humanized_durations() {
        assert_eq!(human_duration(0), "Less than a second");
        assert_eq!(human_duration(1), "1 second");
        assert_eq!(human_duration(59), "59 seconds");
        assert_eq!(human_duration(60), "About a minute");
        assert_eq!(human_duration(119), "About a minute");
        assert_eq!(human_duration(120), "2 minutes");
        assert_eq!(human_duration(3599), "59 minutes");
        assert_eq!(human_duration(5399), "About an hour");
        assert_eq!(human_duration(5400), "2 hours");
        assert_eq!(human_duration(47 * 3600), "47 hours");
        assert_eq!(human_duration(48 * 3600), "2 days");
        assert_eq!(human_duration(15 * 86400), "2 weeks");
        assert_eq!(human_duration(61 * 86400), "2 months");
        assert_eq!(human_duration(800 * 86400), "2 years");
    }

    #[test]
    fn sizes_and_quoting() {
        assert_eq!(human_size(0.0), "0B");
        assert_eq!(human_size(1_980_000.0), "1.98MB");
        assert_eq!(human_size(12_345.0), "12.3kB");
        assert_eq!(human_size(999.0), "999B");
        assert_eq!(
            go_quote(&ellipsis("echo 'a very long command line here \"q\"'", 20)),
            "\"echo 'a very long c…\""
        );
        assert_eq!(go_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }

    #[test]
    fn ports_as_docker_shows_them() {
        let p = |ip: &str, private: u32, public: u32, t: &str| {
            let mut f = vec![
                ("PrivatePort", Value::Number(private.to_string())),
                ("Type", Value::from(t)),
            ];
            if !ip.is_empty() {
                f.insert(0, ("IP", Value::from(ip)));
                f.push(("PublicPort", Value::Number(public.to_string())));
            }
            Value::object(f)
        };
        let ports = vec![
            p("0.0.0.0", 80, 8080, "tcp"),
            p("::", 80, 8080, "tcp"),
            p("", 7000, 0, "tcp"),
            p("127.0.0.1", 9000, 9000, "udp"),
            p("127.0.0.1", 9001, 9001, "udp"),
        ];
        assert_eq!(
            displayable_ports(&ports),
            "7000/tcp, 127.0.0.1:9000-9001->9000-9001/udp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp"
        );
    }

    #[test]
    fn created_at_in_utc() {
        assert_eq!(rfc3339_utc(1795832273), "2026-11-28T02:17:53Z");
    }
}
