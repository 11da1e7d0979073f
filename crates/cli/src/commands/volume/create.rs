//! `berth volume create`

use super::args::CreateArgs;
use crate::args::key_values;
use crate::client::{self, Client};
use crate::error::{CliError, Result};
use crate::template::Value;
use crate::Output;

fn map(kvs: &[(String, String)]) -> Value {
    Value::Object(
        kvs.iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}

pub fn run(host: &str, a: CreateArgs, o: &mut Output) -> Result<()> {
    const PATH: &str = "berth volume create";
    if a.args.len() > 1 {
        return Err(CliError::Usage {
            code: 1,
            message: format!("berth: '{PATH}' requires at most 1 argument"),
            path: PATH.into(),
        });
    }
    let name = match (a.args.first(), a.name.as_deref()) {
        (Some(p), Some(n)) if p != n => {
            return Err(CliError::msg(
                "conflicting options: cannot specify a volume-name through both --name and as a positional arg",
            ))
        }
        (Some(p), _) => p.clone(),
        (None, Some(n)) => n.to_string(),
        (None, None) => String::new(),
    };
    let body = Value::object(vec![
        ("Driver", Value::from(a.driver.as_str())),
        ("DriverOpts", map(&key_values(&a.opt))),
        ("Labels", map(&key_values(&a.label))),
        ("Name", Value::from(name.as_str())),
    ]);
    let mut c = Client::new(host)?;
    let json = body.to_json(false);
    let v = client::parse(&c.call("POST", "/volumes/create", Some(json.as_bytes()))?)?;
    o.out
        .push_str(v.get("Name").and_then(Value::as_str).unwrap_or(""));
    o.out.push('\n');
    Ok(())
}
