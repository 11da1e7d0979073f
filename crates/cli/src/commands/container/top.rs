//! `berth top CONTAINER [ps OPTIONS]`: the daemon's process table, tab-aligned.

use super::args::TopArgs;
use super::{escape, min_args};
use crate::client::Client;
use crate::error::Result;
use crate::http::query_escape;
use crate::tabwriter::TabWriter;
use crate::template::Value;
use crate::Output;

pub fn run(host: &str, path: &str, a: TopArgs, o: &mut Output) -> Result<()> {
    min_args(path, &a.args, 1)?;
    let mut target = format!("/containers/{}/top", escape(&a.args[0]));
    if a.args.len() > 1 {
        target.push_str(&format!(
            "?ps_args={}",
            query_escape(&a.args[1..].join(" "))
        ));
    }
    let mut c = Client::new(host)?;
    let v = c.get_json(&target)?;
    o.out.push_str(&render(&v));
    Ok(())
}

/// docker's top output: a tabwriter with minwidth 20, padding 1.
pub fn render(v: &Value) -> String {
    let strs = |x: Option<&Value>| -> Vec<String> {
        match x {
            Some(Value::Array(a)) => a
                .iter()
                .map(|s| s.as_str().map(str::to_string).unwrap_or_else(|| s.go_fmt()))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut tw = TabWriter::new(20, 1);
    tw.write(&strs(v.get("Titles")).join("\t"));
    tw.write("\n");
    if let Some(Value::Array(rows)) = v.get("Processes") {
        for r in rows {
            tw.write(&strs(Some(r)).join("\t"));
            tw.write("\n");
        }
    }
    tw.finish()
}
