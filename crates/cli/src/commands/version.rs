//! `berth version`: docker's template over the client's facts and `GET /version`.

use std::rc::Rc;

use crate::args::FormatOnly;
use crate::client::{Client, DEFAULT_API_VERSION};
use crate::error::{CliError, Result};
use crate::tabwriter::TabWriter;
use crate::template::{FuncSet, Missing, Template, Value};
use crate::timefmt;
use crate::{usage, Output};

const DEFAULT_TEMPLATE: &str = r#"{{with .Client -}}
Client:{{if ne .Platform nil}}{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}{{end}}
 Version:	{{.Version}}
 API version:	{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} (downgraded from {{.DefaultAPIVersion}}){{end}}
 Go version:	{{.GoVersion}}
 Git commit:	{{.GitCommit}}
 Built:	{{.BuildTime}}
 OS/Arch:	{{.Os}}/{{.Arch}}
 Context:	{{.Context}}
{{- end}}

{{- if ne .Server nil}}{{with .Server}}

Server:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
 {{- range $component := .Components}}
 {{$component.Name}}:
  {{- if eq $component.Name "Engine" }}
  Version:	{{.Version}}
  API version:	{{index .Details "ApiVersion"}} (minimum version {{index .Details "MinAPIVersion"}})
  Go version:	{{index .Details "GoVersion"}}
  Git commit:	{{index .Details "GitCommit"}}
  Built:	{{index .Details "BuildTime"}}
  OS/Arch:	{{index .Details "Os"}}/{{index .Details "Arch"}}
  Experimental:	{{index .Details "Experimental"}}
  {{- else }}
  Version:	{{$component.Version}}
  {{- range $key, $value := $component.Details}}
  {{$key}}:	{{$value}}
   {{- end}}
  {{- end}}
 {{- end}}
 {{- end}}{{- end}}"#;

/// A field visible to templates under its Go name but absent from JSON output.
fn alias(v: Value) -> Value {
    Value::Method(Rc::new(move |_| Ok(v.clone())))
}

/// The client's facts, as docker's `clientVersion` (Go field names for templates).
pub fn client_facts(api_version: &str) -> Value {
    Value::object(vec![
        ("Platform", Value::Null),
        ("Version", env!("CARGO_PKG_VERSION").into()),
        ("ApiVersion", api_version.into()),
        ("APIVersion", alias(api_version.into())),
        ("DefaultAPIVersion", DEFAULT_API_VERSION.into()),
        (
            "GitCommit",
            option_env!("BERTH_GIT_COMMIT").unwrap_or("unknown").into(),
        ),
        ("GoVersion", "n/a (rust)".into()),
        ("Os", std::env::consts::OS.into()),
        ("Arch", go_arch().into()),
        (
            "BuildTime",
            option_env!("BERTH_BUILD_TIME").unwrap_or("unknown").into(),
        ),
        ("Context", "default".into()),
    ])
}

/// Go's GOARCH names, which docker prints.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

/// `GET /version` with docker's adjustments: an Engine component always present, build
/// times in ANSIC form, and Go-name aliases of JSON keys.
fn server_facts(mut v: Value) -> Value {
    if let Value::Object(fields) = &mut v {
        let top = |k: &str, fields: &[(String, Value)]| {
            fields
                .iter()
                .find(|(f, _)| f == k)
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::from(""))
        };
        let mut comps = match top("Components", fields) {
            Value::Array(c) => c,
            _ => Vec::new(),
        };
        if !comps
            .iter()
            .any(|c| c.get("Name").and_then(Value::as_str) == Some("Engine"))
        {
            let s = |k: &str| top(k, fields);
            let exp = s("Experimental").truthy().to_string();
            let built = timefmt::ansic(s("BuildTime").as_str().unwrap_or(""));
            comps.push(Value::object(vec![
                ("Name", "Engine".into()),
                ("Version", s("Version")),
                (
                    "Details",
                    Value::object(vec![
                        ("ApiVersion", s("ApiVersion")),
                        ("Arch", s("Arch")),
                        ("BuildTime", built.into()),
                        ("Experimental", exp.into()),
                        ("GitCommit", s("GitCommit")),
                        ("GoVersion", s("GoVersion")),
                        ("MinAPIVersion", s("MinAPIVersion")),
                        ("Os", s("Os")),
                    ]),
                ),
            ]));
        } else {
            for c in comps.iter_mut() {
                if c.get("Name").and_then(Value::as_str) != Some("Engine") {
                    continue;
                }
                if let Value::Object(cf) = c {
                    for (k, d) in cf.iter_mut() {
                        if k != "Details" {
                            continue;
                        }
                        if let Value::Object(df) = d {
                            for (dk, dv) in df.iter_mut() {
                                if dk == "BuildTime" {
                                    *dv = timefmt::ansic(dv.as_str().unwrap_or("")).into();
                                }
                            }
                        }
                    }
                }
            }
        }
        if !fields.iter().any(|(k, _)| k == "Platform") {
            fields.insert(
                0,
                ("Platform".into(), Value::object(vec![("Name", "".into())])),
            );
        }
        for (k, c) in fields.iter_mut() {
            if k == "Components" {
                *c = Value::Array(comps.clone());
            }
        }
        if !fields.iter().any(|(k, _)| k == "Components") {
            fields.insert(1, ("Components".into(), Value::Array(comps)));
        }
        let api = top("ApiVersion", fields);
        fields.push(("APIVersion".into(), alias(api)));
    }
    v
}

pub fn run(host: &str, a: FormatOnly, o: &mut Output) -> Result<()> {
    usage::none("berth version", &a.args)?;
    let src = match a.format.as_deref().unwrap_or("") {
        "" => DEFAULT_TEMPLATE,
        "json" => "{{json .}}",
        f => f,
    };
    let tmpl = Template::parse("version", src)
        .map_err(|e| CliError::Status(64, format!("template parsing error: {e}")))?;
    let mut c = Client::new(host)?;
    let (api, server) = match c
        .api_version()
        .and_then(|v| Ok((v, c.get_json("/version")?)))
    {
        Ok((v, s)) => (v, Ok(server_facts(s))),
        Err(e) => (DEFAULT_API_VERSION.to_string(), Err(e)),
    };
    let data = Value::object(vec![
        ("Client", client_facts(&api)),
        (
            "Server",
            server.as_ref().map(|s| s.clone()).unwrap_or(Value::Null),
        ),
    ]);
    let (text, exec_err) = match tmpl.execute(
        &data,
        Missing::Struct("main.versionInfo".into()),
        FuncSet::Basic,
    ) {
        Ok(t) => (t, None),
        Err((partial, e)) => (partial, Some(e)),
    };
    let mut tw = TabWriter::new(20, 1);
    tw.write(&text);
    tw.write("\n");
    o.out.push_str(&tw.finish());
    server?;
    match exec_err {
        Some(e) => Err(CliError::msg(e)),
        None => Ok(()),
    }
}
