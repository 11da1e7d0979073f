//! docker's template functions (`templates.basicFunctions` and its header variants) and the
//! Go builtins people use in `--format`.

use super::exec::FuncSet;
use super::value::Value;

type R = Result<Value, String>;

pub fn call(name: &str, args: &[Value], set: FuncSet) -> R {
    // Table headers keep their text: docker swaps these functions for the identity there.
    if set == FuncSet::Header
        && matches!(
            name,
            "json" | "split" | "join" | "title" | "lower" | "upper" | "truncate"
        )
    {
        return args
            .first()
            .cloned()
            .ok_or_else(|| "wrong number of args".to_string());
    }
    match name {
        "json" => Ok(Value::String(one(args)?.to_json(false))),
        "split" => {
            let (s, sep) = (string(args, 0)?, string(args, 1)?);
            let parts: Vec<Value> = if sep.is_empty() {
                s.chars().map(|c| Value::String(c.to_string())).collect()
            } else {
                s.split(sep.as_str()).map(Value::from).collect()
            };
            Ok(Value::Array(parts))
        }
        "join" => {
            let sep = string(args, 1)?;
            match args.first() {
                Some(Value::Array(items)) => {
                    let parts: Result<Vec<String>, String> = items
                        .iter()
                        .map(|v| {
                            v.as_str().map(str::to_string).ok_or_else(|| {
                                "wrong type for value; expected []string".to_string()
                            })
                        })
                        .collect();
                    Ok(Value::String(parts?.join(&sep)))
                }
                Some(Value::Null) => Ok(Value::from("")),
                _ => Err("wrong type for value; expected []string".into()),
            }
        }
        "title" => Ok(Value::String(title(&string(args, 0)?))),
        "lower" => Ok(Value::String(string(args, 0)?.to_lowercase())),
        "upper" => Ok(Value::String(string(args, 0)?.to_uppercase())),
        "pad" => {
            let s = string(args, 0)?;
            if s.is_empty() {
                return Ok(Value::String(s));
            }
            let (pre, post) = (int(args, 1)?, int(args, 2)?);
            Ok(Value::String(format!(
                "{}{s}{}",
                " ".repeat(pre.max(0) as usize),
                " ".repeat(post.max(0) as usize)
            )))
        }
        "truncate" => {
            let s = string(args, 0)?;
            let n = int(args, 1)?.max(0) as usize;
            Ok(Value::String(if s.len() < n {
                s.clone()
            } else {
                s.get(..n).unwrap_or(&s).to_string()
            }))
        }
        "index" => {
            let mut v = args
                .first()
                .cloned()
                .ok_or("wrong number of args for index")?;
            for k in &args[1..] {
                v = match (&v, k) {
                    (Value::Object(fields), Value::String(key)) => match v.get(key) {
                        Some(found) => found.clone(),
                        // A string-valued map is a Go map[string]string there: missing is "".
                        None if fields.iter().all(|(_, x)| matches!(x, Value::String(_))) => {
                            Value::from("")
                        }
                        None => Value::Null,
                    },
                    (Value::Array(a), Value::Number(n)) => {
                        let i: usize = n
                            .parse()
                            .map_err(|_| format!("cannot index slice/array with {n}"))?;
                        a.get(i)
                            .cloned()
                            .ok_or_else(|| format!("index out of range: {i}"))?
                    }
                    (Value::Null, _) => return Err("index of untyped nil".into()),
                    _ => return Err(format!("can't index item of type {}", kind(&v))),
                };
            }
            Ok(v)
        }
        "len" => match one(args)? {
            Value::String(s) => Ok(Value::Number(s.len().to_string())),
            Value::Array(a) => Ok(Value::Number(a.len().to_string())),
            Value::Object(o) => Ok(Value::Number(o.len().to_string())),
            v => Err(format!("len of type {}", kind(v))),
        },
        "eq" => {
            let first = args.first().ok_or("missing argument for comparison")?;
            Ok(Value::Bool(args[1..].iter().any(|o| o == first)))
        }
        "ne" => Ok(Value::Bool(two(args)?.0 != two(args)?.1)),
        "lt" | "le" | "gt" | "ge" => {
            let (a, b) = two(args)?;
            let ord = match (a, b) {
                (Value::Number(x), Value::Number(y)) => {
                    let (x, y) = (
                        x.parse::<f64>().unwrap_or(0.0),
                        y.parse::<f64>().unwrap_or(0.0),
                    );
                    x.partial_cmp(&y)
                }
                (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
                _ => return Err("incompatible types for comparison".into()),
            }
            .ok_or("incomparable values")?;
            use std::cmp::Ordering::*;
            Ok(Value::Bool(match name {
                "lt" => ord == Less,
                "le" => ord != Greater,
                "gt" => ord == Greater,
                _ => ord != Less,
            }))
        }
        "and" => Ok(args
            .iter()
            .find(|v| !v.truthy())
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Null)),
        "or" => Ok(args
            .iter()
            .find(|v| v.truthy())
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Null)),
        "not" => Ok(Value::Bool(!one(args)?.truthy())),
        "print" => Ok(Value::String(go_print(args, false))),
        "println" => Ok(Value::String(go_print(args, true) + "\n")),
        "printf" => printf(args),
        _ => Err(format!("function {name:?} not defined")),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(_) => "json.Number",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
        Value::Method(_) => "func",
    }
}

fn one(args: &[Value]) -> Result<&Value, String> {
    match args {
        [v] => Ok(v),
        _ => Err(format!("wrong number of args: got {} want 1", args.len())),
    }
}

fn two(args: &[Value]) -> Result<(&Value, &Value), String> {
    match args {
        [a, b] => Ok((a, b)),
        _ => Err(format!("wrong number of args: got {} want 2", args.len())),
    }
}

fn string(args: &[Value], i: usize) -> Result<String, String> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v) => Err(format!(
            "wrong type for value; expected string; got {}",
            kind(v)
        )),
        None => Err("wrong number of args".into()),
    }
}

fn int(args: &[Value], i: usize) -> Result<i64, String> {
    match args.get(i) {
        Some(Value::Number(n)) => n
            .parse()
            .map_err(|_| format!("expected integer; found {n}")),
        Some(v) => Err(format!(
            "wrong type for value; expected int; got {}",
            kind(v)
        )),
        None => Err("wrong number of args".into()),
    }
}

/// `strings.Title`: upper-cases the first letter of each word.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_letter = false;
    for c in s.chars() {
        if !prev_letter && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_letter = c.is_alphanumeric() || c == '_' || c == '\'';
    }
    out
}

/// `fmt.Sprint` (spaces only between non-string operands) and `fmt.Sprintln` (always).
fn go_print(args: &[Value], ln: bool) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        let is_str = |v: &Value| matches!(v, Value::String(_));
        if i > 0 && (ln || !(is_str(a) || is_str(&args[i - 1]))) {
            out.push(' ');
        }
        out.push_str(&inner_fmt(a));
    }
    out
}

fn inner_fmt(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        v => v.go_fmt(),
    }
}

/// A small `fmt.Sprintf`: %s %v %d %q %t %%, with an optional width.
fn printf(args: &[Value]) -> R {
    let fmt = string(args, 0)?;
    let mut rest = args[1..].iter();
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut width = String::new();
        let mut left = false;
        if chars.peek() == Some(&'-') {
            left = true;
            chars.next();
        }
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(*d);
            chars.next();
        }
        let verb = chars.next().unwrap_or('%');
        if verb == '%' {
            out.push('%');
            continue;
        }
        let s = match rest.next() {
            None => format!("%!{verb}(MISSING)"),
            Some(v) => match verb {
                'q' => v
                    .as_str()
                    .map(|s| format!("{s:?}"))
                    .unwrap_or_else(|| inner_fmt(v)),
                _ => inner_fmt(v),
            },
        };
        let w: usize = width.parse().unwrap_or(0);
        let pad = w.saturating_sub(s.chars().count());
        if left {
            out.push_str(&s);
            out.push_str(&" ".repeat(pad));
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&s);
        }
    }
    Ok(Value::String(out))
}
