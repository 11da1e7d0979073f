//! Executes a parsed template over a `Value`, with docker's template functions and Go's
//! wording for execution errors.

use super::funcs;
use super::parse::{Arg, ArgKind, Node, Pipe};
use super::value::Value;

/// What a field lookup does when the key is missing, mirroring the Go type behind the data.
#[derive(Clone, Debug)]
pub enum Missing {
    /// A Go struct: `can't evaluate field X in type T`.
    Struct(String),
    /// A decoded JSON map with `missingkey=error`: `map has no entry for key "X"`.
    MapError,
    /// A plain map: the missing value prints `<no value>`.
    Zero,
    /// A Go struct whose deeper values are maps (docker's `events.Message`, whose
    /// `Actor.Attributes` is one): a missing field at the top is an error, a missing key
    /// below it prints `<no value>`.
    StructOfMaps(String),
}

#[derive(Clone, Copy, PartialEq)]
pub enum FuncSet {
    Basic,
    /// docker's table headers: string functions return their input unchanged.
    Header,
}

pub struct Exec<'a> {
    pub name: &'a str,
    pub src: &'a str,
    pub missing: Missing,
    pub funcs: FuncSet,
    vars: Vec<(String, Value)>,
    out: String,
}

type R<T> = Result<T, String>;

impl<'a> Exec<'a> {
    pub fn new(name: &'a str, src: &'a str, missing: Missing, funcs: FuncSet) -> Self {
        Exec {
            name,
            src,
            missing,
            funcs,
            vars: Vec::new(),
            out: String::new(),
        }
    }

    /// Runs the template; on error the output produced so far is returned with it, as Go's
    /// writer would already have received it.
    pub fn run(mut self, nodes: &[Node], dot: &Value) -> (String, Option<String>) {
        self.vars.push(("$".into(), dot.clone()));
        let res = self.list(nodes, dot);
        (self.out, res.err())
    }

    fn fail(&self, arg: &Arg, msg: &str) -> String {
        let before = &self.src[..arg.pos.min(self.src.len())];
        let line = 1 + before.matches('\n').count();
        let col = before
            .rfind('\n')
            .map(|n| arg.pos - n - 1)
            .unwrap_or(arg.pos);
        format!(
            "template: {}:{line}:{col}: executing {:?} at <{}>: {msg}",
            self.name, self.name, arg.text
        )
    }

    fn list(&mut self, nodes: &[Node], dot: &Value) -> R<()> {
        for n in nodes {
            match n {
                Node::Text(t) => self.out.push_str(t),
                Node::Action(p) => {
                    let v = self.pipe(p, dot)?;
                    if p.decl.is_empty() {
                        self.out.push_str(&v.go_fmt());
                    }
                }
                Node::If(p, body, other) | Node::With(p, body, other) => {
                    let mark = self.vars.len();
                    let v = self.pipe(p, dot)?;
                    let res = if v.truthy() {
                        let d = if matches!(n, Node::With(..)) {
                            v
                        } else {
                            dot.clone()
                        };
                        self.list(body, &d)
                    } else {
                        self.list(other, dot)
                    };
                    self.vars.truncate(mark);
                    res?;
                }
                Node::Range(p, body, other) => {
                    let mark = self.vars.len();
                    let decl = p.decl.clone();
                    let plain = Pipe {
                        decl: Vec::new(),
                        cmds: p.cmds.clone(),
                    };
                    let v = self.pipe(&plain, dot)?;
                    let items: Vec<(Value, Value)> = match v {
                        Value::Array(a) => a
                            .into_iter()
                            .enumerate()
                            .map(|(i, e)| (Value::Number(i.to_string()), e))
                            .collect(),
                        Value::Object(mut o) => {
                            o.sort_by(|a, b| a.0.cmp(&b.0));
                            o.into_iter().map(|(k, e)| (Value::String(k), e)).collect()
                        }
                        Value::Null => Vec::new(),
                        other => {
                            let a = &p.cmds[0].args[0];
                            return Err(self
                                .fail(a, &format!("range can't iterate over {}", other.go_fmt())));
                        }
                    };
                    if items.is_empty() {
                        self.list(other, dot)?;
                    }
                    for (k, e) in items {
                        let inner = self.vars.len();
                        match decl.len() {
                            1 => self.vars.push((decl[0].clone(), e.clone())),
                            2 => {
                                self.vars.push((decl[0].clone(), k));
                                self.vars.push((decl[1].clone(), e.clone()));
                            }
                            _ => {}
                        }
                        let res = self.list(body, &e);
                        self.vars.truncate(inner);
                        res?;
                    }
                    self.vars.truncate(mark);
                }
            }
        }
        Ok(())
    }

    fn pipe(&mut self, p: &Pipe, dot: &Value) -> R<Value> {
        let mut last: Option<Value> = None;
        for cmd in &p.cmds {
            last = Some(self.cmd(&cmd.args, dot, last)?);
        }
        let v = last.unwrap_or(Value::Null);
        for name in &p.decl {
            self.vars.push((name.clone(), v.clone()));
        }
        Ok(v)
    }

    fn cmd(&mut self, args: &[Arg], dot: &Value, fin: Option<Value>) -> R<Value> {
        let first = &args[0];
        match &first.kind {
            ArgKind::Ident(f) => {
                let mut vals = Vec::new();
                for a in &args[1..] {
                    vals.push(self.arg(a, dot)?);
                }
                if let Some(v) = fin {
                    vals.push(v);
                }
                funcs::call(f, &vals, self.funcs)
                    .map_err(|m| self.fail(first, &format!("error calling {f}: {m}")))
            }
            ArgKind::Field(chain) => {
                let mut extra = Vec::new();
                for a in &args[1..] {
                    extra.push(self.arg(a, dot)?);
                }
                if let Some(v) = fin {
                    extra.push(v);
                }
                self.chain(first, dot.clone(), chain, &extra)
            }
            _ => {
                if args.len() > 1 || fin.is_some() {
                    return Err(self.fail(
                        first,
                        &format!("can't give argument to non-function {}", first.text),
                    ));
                }
                self.arg(first, dot)
            }
        }
    }

    fn arg(&mut self, a: &Arg, dot: &Value) -> R<Value> {
        Ok(match &a.kind {
            ArgKind::Dot => dot.clone(),
            ArgKind::Nil => Value::Null,
            ArgKind::Bool(b) => Value::Bool(*b),
            ArgKind::Number(n) => Value::Number(n.clone()),
            ArgKind::Str(s) => Value::String(s.clone()),
            ArgKind::Field(chain) => self.chain(a, dot.clone(), chain, &[])?,
            ArgKind::Var(name, chain) => {
                let v = self
                    .vars
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| self.fail(a, &format!("undefined variable: {name}")))?;
                self.chain(a, v, chain, &[])?
            }
            ArgKind::Ident(f) => funcs::call(f, &[], self.funcs)
                .map_err(|m| self.fail(a, &format!("error calling {f}: {m}")))?,
            ArgKind::Sub(p, chain) => {
                let v = self.pipe(p, dot)?;
                self.chain(a, v, chain, &[])?
            }
        })
    }

    /// Walks `.A.B.C` from `v`; only the last element may take arguments (a method).
    fn chain(&self, a: &Arg, mut v: Value, chain: &[String], args: &[Value]) -> R<Value> {
        for (i, name) in chain.iter().enumerate() {
            let last = i + 1 == chain.len();
            v = match v {
                Value::Object(ref fields) => match fields.iter().find(|(k, _)| k == name) {
                    Some((_, Value::Method(m))) => {
                        let call_args: &[Value] = if last { args } else { &[] };
                        m(call_args)
                            .map_err(|e| self.fail(a, &format!("error calling {name}: {e}")))?
                    }
                    Some((_, field)) => {
                        if last && !args.is_empty() {
                            return Err(self.fail(
                                a,
                                &format!("{name} has arguments but cannot be invoked as function"),
                            ));
                        }
                        field.clone()
                    }
                    None => match &self.missing {
                        Missing::Struct(t) | Missing::StructOfMaps(t) if i == 0 => {
                            return Err(
                                self.fail(a, &format!("can't evaluate field {name} in type {t}"))
                            )
                        }
                        Missing::Zero | Missing::StructOfMaps(_) => Value::Null,
                        _ => {
                            return Err(self.fail(a, &format!("map has no entry for key {name:?}")))
                        }
                    },
                },
                Value::Null => {
                    return Err(
                        self.fail(a, &format!("nil pointer evaluating interface {{}}.{name}"))
                    )
                }
                other => {
                    let t = match other {
                        Value::Array(_) => "[]interface {}",
                        Value::String(_) => "string",
                        Value::Bool(_) => "bool",
                        _ => "json.Number",
                    };
                    return Err(self.fail(a, &format!("can't evaluate field {name} in type {t}")));
                }
            };
        }
        Ok(v)
    }
}
