//! `berth events`: the daemon's event stream, printed as it comes — docker's line format
//! (`<time> <type> <action> <id> (k=v, ...)`) or a `--format` template per event.

mod since;

use crate::client::{filters_query, parse_filter, Client};
use crate::error::{CliError, Result};
use crate::template::{FuncSet, Missing, Template, Value};
use crate::{usage, Output};
use chrono::{Local, SecondsFormat, TimeZone};
use clap::Args;
use std::io::{BufRead, BufReader, Write};
use std::rc::Rc;

#[derive(Args, Debug)]
pub struct EventsArgs {
    /// Filter output based on conditions provided
    #[arg(short = 'f', long = "filter", value_name = "filter")]
    pub filter: Vec<String>,
    /// Format output using a custom template ('json', 'TEMPLATE')
    #[arg(long)]
    pub format: Option<String>,
    /// Show all events created since timestamp
    #[arg(long, value_name = "string")]
    pub since: Option<String>,
    /// Stream events until this timestamp
    #[arg(long, value_name = "string")]
    pub until: Option<String>,
    #[arg(hide = true)]
    pub args: Vec<String>,
}

pub fn run(host: &str, a: EventsArgs, o: &mut Output) -> Result<()> {
    usage::none("berth events", &a.args)?;
    let template = match a.format.as_deref().unwrap_or("") {
        "" => None,
        "json" => Some(parse_template("{{json .}}")?),
        f => Some(parse_template(f)?),
    };
    let filters = a
        .filter
        .iter()
        .map(|f| parse_filter(f))
        .collect::<Result<Vec<_>>>()?;
    let now = Local::now();
    let mut query = Vec::new();
    for (key, value) in [("since", &a.since), ("until", &a.until)] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            let ts = since::get_timestamp(v, now).map_err(CliError::msg)?;
            query.push(format!("{key}={ts}"));
        }
    }
    let f = filters_query(&filters);
    if !f.is_empty() {
        query.push(f);
    }
    let path = if query.is_empty() {
        "/events".to_string()
    } else {
        format!("/events?{}", query.join("&"))
    };
    let mut client = Client::new(host)?;
    let (conn, head) = client.open("GET", &path, &[], None)?;
    let reader = BufReader::new(conn.into_body_reader(&head));
    // Lines go out as they come: the stream may never end.
    let stdout = std::io::stdout();
    for line in reader.lines() {
        let line = line.map_err(|e| CliError::msg(format!("error reading events: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let event = Value::parse_json(line.as_bytes())
            .map(go_view)
            .map_err(|e| CliError::msg(format!("error decoding an event: {e}")))?;
        let text = match &template {
            None => pretty(&event),
            Some(t) => t
                .execute(
                    &event,
                    Missing::StructOfMaps("events.Message".into()),
                    FuncSet::Basic,
                )
                .map_err(|(_, e)| CliError::msg(e))?,
        };
        let mut out = stdout.lock();
        if writeln!(out, "{text}").and_then(|()| out.flush()).is_err() {
            // the reader went away (`| head`): nothing left to do
            break;
        }
    }
    let _ = o;
    Ok(())
}

/// Parses `--format` and, as docker does, tries it on an empty event so a template that
/// names a field events do not have fails before anything streams.
fn parse_template(src: &str) -> Result<Template> {
    let bad = |e: String| CliError::Status(64, format!("Error parsing format: {e}"));
    let t = Template::parse("", src).map_err(bad)?;
    let empty = Value::parse_json(br#"{"Type":"","Action":"","Actor":{"ID":"","Attributes":{}}}"#)
        .map(go_view)
        .map_err(|e| CliError::msg(e.to_string()))?;
    t.execute(
        &empty,
        Missing::StructOfMaps("*events.Message".into()),
        FuncSet::Basic,
    )
    .map_err(|(_, e)| bad(e))?;
    Ok(t)
}

/// The event as a template sees docker's `events.Message`: the JSON as it came (what
/// `{{json .}}` prints), plus the Go names of the fields whose JSON names differ (`.Status`,
/// `.ID`, `.From`, `.Scope`, `.Time`, `.TimeNano`), empty or zero when the JSON omits them.
fn go_view(event: Value) -> Value {
    let Value::Object(mut fields) = event else {
        return event;
    };
    let find = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let aliases = [
        ("Status", find("status").unwrap_or_else(|| "".into())),
        ("ID", find("id").unwrap_or_else(|| "".into())),
        ("From", find("from").unwrap_or_else(|| "".into())),
        ("Scope", find("scope").unwrap_or_else(|| "".into())),
        ("Time", find("time").unwrap_or(Value::Number("0".into()))),
        (
            "TimeNano",
            find("timeNano").unwrap_or(Value::Number("0".into())),
        ),
    ];
    for (name, v) in aliases {
        fields.push((
            name.to_string(),
            Value::Method(Rc::new(move |_| Ok(v.clone()))),
        ));
    }
    Value::Object(fields)
}

/// docker's `prettyPrintEvent`, times in the local zone.
fn pretty(e: &Value) -> String {
    pretty_in(e, &Local)
}

fn pretty_in<Z: TimeZone>(e: &Value, zone: &Z) -> String
where
    Z::Offset: std::fmt::Display,
{
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    let number = |v: Option<&Value>| match v {
        Some(Value::Number(n)) => n.parse::<i64>().unwrap_or(0),
        _ => 0,
    };
    let mut line = String::new();
    let nanos = number(e.get("timeNano"));
    let secs = number(e.get("time"));
    let when = if nanos != 0 {
        Some(zone.timestamp_nanos(nanos))
    } else if secs != 0 {
        zone.timestamp_opt(secs, 0).single()
    } else {
        None
    };
    if let Some(t) = when {
        // Go's RFC3339NanoFixed: always nine digits of fraction
        line.push_str(&t.to_rfc3339_opts(SecondsFormat::Nanos, true));
        line.push(' ');
    }
    let actor = e.get("Actor");
    line.push_str(&format!(
        "{} {} {}",
        text(e.get("Type")),
        text(e.get("Action")),
        text(actor.and_then(|a| a.get("ID")))
    ));
    if let Some(Value::Object(attrs)) = actor.and_then(|a| a.get("Attributes")) {
        if !attrs.is_empty() {
            let mut pairs: Vec<String> = attrs
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect();
            pairs.sort();
            line.push_str(&format!(" ({})", pairs.join(", ")));
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_line_format() {
        let e = Value::parse_json(br#"{"status":"start","id":"abc","from":"busybox","Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"name":"web","image":"busybox"}},"scope":"local","time":1800000000,"timeNano":1800000000123000000}"#).unwrap();
        assert_eq!(
            pretty_in(&e, &chrono::Utc),
            "2027-01-15T08:00:00.123000000Z container start abc (image=busybox, name=web)"
        );
    }

    #[test]
    fn templates_see_go_field_names_and_json_stays_as_sent() {
        let raw = r#"{"status":"die","id":"abc","from":"busybox","Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"3"}},"scope":"local","time":1800000000,"timeNano":1800000000123000000}"#;
        let e = go_view(Value::parse_json(raw.as_bytes()).unwrap());
        let t = parse_template(
            "{{.Status}} {{.ID}} {{.Scope}} {{.Time}} {{index .Actor.Attributes \"exitCode\"}}",
        )
        .unwrap();
        let out = t
            .execute(
                &e,
                Missing::StructOfMaps("events.Message".into()),
                FuncSet::Basic,
            )
            .unwrap();
        assert_eq!(out, "die abc local 1800000000 3");
        let json = parse_template("{{json .}}").unwrap();
        let out = json
            .execute(
                &e,
                Missing::StructOfMaps("events.Message".into()),
                FuncSet::Basic,
            )
            .unwrap();
        assert_eq!(out, raw);
        assert!(parse_template("{{.Nope}}").is_err());
    }
}
