//! Parser for the Go text/template subset docker users write in `--format`: text, actions
//! with pipelines, `if`/`else if`/`else`, `range` (with `$i, $e :=`), `with`, variables,
//! parentheses, literals, trim markers `{{-`/`-}}` and comments.

/// One argument of a command, with the byte offset and source text Go's errors quote.
#[derive(Debug, Clone)]
pub struct Arg {
    pub kind: ArgKind,
    pub pos: usize,
    pub text: String,
}

#[derive(Debug, Clone)]
pub enum ArgKind {
    Dot,
    Nil,
    Bool(bool),
    Number(String),
    Str(String),
    /// `.A.B` evaluated on dot.
    Field(Vec<String>),
    /// `$x.A.B`; the name includes the `$`.
    Var(String, Vec<String>),
    /// A function name.
    Ident(String),
    /// `(pipeline).A.B`
    Sub(Box<Pipe>, Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Cmd {
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone)]
pub struct Pipe {
    pub decl: Vec<String>,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug, Clone)]
pub enum Node {
    Text(String),
    Action(Pipe),
    If(Pipe, Vec<Node>, Vec<Node>),
    Range(Pipe, Vec<Node>, Vec<Node>),
    With(Pipe, Vec<Node>, Vec<Node>),
}

const FUNCS: &[&str] = &[
    "json", "split", "join", "title", "lower", "upper", "pad", "truncate", "index", "len", "eq",
    "ne", "lt", "le", "gt", "ge", "and", "or", "not", "print", "printf", "println", "slice",
];

/// Parses a template; errors are worded as Go's (`template: NAME:LINE: ...`).
pub fn parse(name: &str, src: &str, extra_funcs: &[&str]) -> Result<Vec<Node>, String> {
    let items = split_actions(src).map_err(|(pos, msg)| err(name, src, pos, &msg))?;
    let mut p = Parser {
        items,
        at: 0,
        name,
        src,
        extra_funcs,
    };
    let (list, end) = p.list()?;
    match end {
        End::Eof => Ok(list),
        End::Closed(pos) => Err(err(name, src, pos, "unexpected {{end}}")),
        End::Else(pos, _) => Err(err(name, src, pos, "unexpected {{else}}")),
    }
}

fn err(name: &str, src: &str, pos: usize, msg: &str) -> String {
    let line = 1 + src[..pos.min(src.len())].matches('\n').count();
    format!("template: {name}:{line}: {msg}")
}

enum Item {
    Text(String),
    /// Tokens of one action and its offset.
    Action(Vec<Tok>, usize),
}

#[derive(Debug, Clone, PartialEq)]
enum TokKind {
    LParen,
    RParen,
    Pipe,
    Declare,
    Comma,
    Str(String),
    Number(String),
    Dot,
    Field(Vec<String>),
    Var(String),
    Ident(String),
}

#[derive(Debug, Clone)]
struct Tok {
    kind: TokKind,
    pos: usize,
    end: usize,
}

/// Splits the source into text and action token lists, applying trim markers.
fn split_actions(src: &str) -> Result<Vec<Item>, (usize, String)> {
    let mut items = Vec::new();
    let mut rest = 0;
    let mut trim_next = false;
    while rest <= src.len() {
        let Some(off) = src[rest..].find("{{") else {
            let mut text = &src[rest..];
            if trim_next {
                text = text.trim_start();
            }
            if !text.is_empty() {
                items.push(Item::Text(text.to_string()));
            }
            break;
        };
        let start = rest + off;
        let mut text = &src[rest..start];
        if trim_next {
            text = text.trim_start();
        }
        let mut inner = start + 2;
        let b = src.as_bytes();
        if src[inner..].starts_with("- ")
            || src[inner..].starts_with("-\t")
            || src[inner..].starts_with("-\n")
        {
            text = text.trim_end();
            inner += 1;
        }
        if !text.is_empty() {
            items.push(Item::Text(text.to_string()));
        }
        // Find the closing delimiter outside quotes.
        let mut i = inner;
        let mut close = None;
        while i < b.len() {
            match b[i] {
                b'"' | b'`' => {
                    let q = b[i];
                    i += 1;
                    while i < b.len() && b[i] != q {
                        if q == b'"' && b[i] == b'\\' {
                            i += 1;
                        }
                        if q == b'"' && b[i] == b'\n' {
                            return Err((start, "unterminated quoted string".into()));
                        }
                        i += 1;
                    }
                    if i >= b.len() {
                        return Err((start, "unterminated quoted string".into()));
                    }
                    i += 1;
                }
                b'}' if b.get(i + 1) == Some(&b'}') => {
                    close = Some(i);
                    break;
                }
                _ => i += 1,
            }
        }
        let Some(close) = close else {
            return Err((start, "unclosed action".into()));
        };
        let mut body_end = close;
        trim_next = false;
        if close >= inner + 2 && &src[close - 2..close] == " -"
            || close > inner && src[..close].ends_with("\t-")
        {
            body_end = close - 1;
            trim_next = true;
        }
        let body = &src[inner..body_end];
        let trimmed = body.trim();
        if !(trimmed.starts_with("/*") && trimmed.ends_with("*/")) {
            items.push(Item::Action(lex(body, inner)?, start));
        }
        rest = close + 2;
    }
    Ok(items)
}

fn lex(body: &str, base: usize) -> Result<Vec<Tok>, (usize, String)> {
    let b = body.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let ident_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' => {
                i += 1;
                TokKind::LParen
            }
            b')' => {
                i += 1;
                TokKind::RParen
            }
            b'|' => {
                i += 1;
                TokKind::Pipe
            }
            b',' => {
                i += 1;
                TokKind::Comma
            }
            b':' if b.get(i + 1) == Some(&b'=') => {
                i += 2;
                TokKind::Declare
            }
            b'"' => {
                let mut s = String::new();
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' && i + 1 < b.len() {
                        i += 1;
                        match b[i] {
                            b'n' => s.push('\n'),
                            b't' => s.push('\t'),
                            b'r' => s.push('\r'),
                            b'\\' => s.push('\\'),
                            b'"' => s.push('"'),
                            other => {
                                s.push('\\');
                                s.push(other as char);
                            }
                        }
                        i += 1;
                    } else {
                        let ch = body[i..].chars().next().unwrap_or(' ');
                        s.push(ch);
                        i += ch.len_utf8();
                    }
                }
                i += 1;
                TokKind::Str(s)
            }
            b'`' => {
                let close = body[i + 1..]
                    .find('`')
                    .map(|o| i + 1 + o)
                    .unwrap_or(b.len());
                let s = body[i + 1..close].to_string();
                i = close + 1;
                TokKind::Str(s)
            }
            b'.' if b
                .get(i + 1)
                .is_some_and(|&c| ident_char(c) && !c.is_ascii_digit()) =>
            {
                let mut names = Vec::new();
                while i < b.len() && b[i] == b'.' && b.get(i + 1).is_some_and(|&c| ident_char(c)) {
                    i += 1;
                    let s = i;
                    while i < b.len() && ident_char(b[i]) {
                        i += 1;
                    }
                    names.push(body[s..i].to_string());
                }
                TokKind::Field(names)
            }
            b'.' if !b.get(i + 1).is_some_and(|c| c.is_ascii_digit()) => {
                i += 1;
                TokKind::Dot
            }
            b'$' => {
                i += 1;
                while i < b.len() && ident_char(b[i]) {
                    i += 1;
                }
                TokKind::Var(body[start..i].to_string())
            }
            b'-' | b'+' | b'.' | b'0'..=b'9' => {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_')
                {
                    i += 1;
                }
                TokKind::Number(body[start..i].to_string())
            }
            c if ident_char(c) => {
                while i < b.len() && ident_char(b[i]) {
                    i += 1;
                }
                TokKind::Ident(body[start..i].to_string())
            }
            _ => {
                let ch = body[i..].chars().next().unwrap_or('?');
                return Err((base + i, format!("unexpected {ch:?} in command")));
            }
        };
        toks.push(Tok {
            kind,
            pos: base + start,
            end: base + i,
        });
    }
    Ok(toks)
}

enum End {
    Eof,
    Closed(usize),
    /// `{{else}}` or `{{else if ...}}` (the tokens after `else`).
    Else(usize, Vec<Tok>),
}

struct Parser<'a> {
    items: Vec<Item>,
    at: usize,
    name: &'a str,
    src: &'a str,
    extra_funcs: &'a [&'a str],
}

impl Parser<'_> {
    fn e(&self, pos: usize, msg: &str) -> String {
        err(self.name, self.src, pos, msg)
    }

    fn list(&mut self) -> Result<(Vec<Node>, End), String> {
        let mut nodes = Vec::new();
        while self.at < self.items.len() {
            let item = std::mem::replace(&mut self.items[self.at], Item::Text(String::new()));
            self.at += 1;
            match item {
                Item::Text(t) => nodes.push(Node::Text(t)),
                Item::Action(toks, pos) => {
                    let head = toks.first().map(|t| t.kind.clone());
                    match head {
                        Some(TokKind::Ident(k)) if k == "end" => {
                            return Ok((nodes, End::Closed(pos)))
                        }
                        Some(TokKind::Ident(k)) if k == "else" => {
                            return Ok((nodes, End::Else(pos, toks[1..].to_vec())))
                        }
                        Some(TokKind::Ident(k)) if k == "if" || k == "range" || k == "with" => {
                            nodes.push(self.control(&k, &toks[1..], pos)?);
                        }
                        Some(TokKind::Ident(k))
                            if k == "define" || k == "template" || k == "block" =>
                        {
                            return Err(self.e(pos, &format!("{{{{{k}}}}} is not supported")));
                        }
                        None => return Err(self.e(pos, "missing value for command")),
                        _ => nodes.push(Node::Action(self.pipe(&toks, pos, true)?)),
                    }
                }
            }
        }
        Ok((nodes, End::Eof))
    }

    fn control(&mut self, kind: &str, toks: &[Tok], pos: usize) -> Result<Node, String> {
        let pipe = self.pipe(toks, pos, kind == "range")?;
        let (body, end) = self.list()?;
        let otherwise = match end {
            End::Eof => return Err(self.e(self.src.len(), "unexpected EOF")),
            End::Closed(_) => Vec::new(),
            End::Else(epos, rest) => {
                if let Some(TokKind::Ident(k)) = rest.first().map(|t| &t.kind) {
                    if k == "if" && kind == "if" {
                        // `else if` nests an if that consumes the shared {{end}}.
                        vec![self.control("if", &rest[1..], epos)?]
                    } else {
                        return Err(self.e(epos, "unexpected tokens after else"));
                    }
                } else {
                    let (other, end2) = self.list()?;
                    match end2 {
                        End::Closed(_) => other,
                        End::Eof => return Err(self.e(self.src.len(), "unexpected EOF")),
                        End::Else(p, _) => return Err(self.e(p, "expected end; found {{else}}")),
                    }
                }
            }
        };
        Ok(match kind {
            "if" => Node::If(pipe, body, otherwise),
            "range" => Node::Range(pipe, body, otherwise),
            _ => Node::With(pipe, body, otherwise),
        })
    }

    fn pipe(&self, toks: &[Tok], pos: usize, allow_two_vars: bool) -> Result<Pipe, String> {
        let mut decl = Vec::new();
        let mut rest = toks;
        // Declarations: `$x :=` or `$i, $e :=`.
        if let Some(d) = toks.iter().position(|t| t.kind == TokKind::Declare) {
            for t in &toks[..d] {
                match &t.kind {
                    TokKind::Var(v) => decl.push(v.clone()),
                    TokKind::Comma if allow_two_vars => {}
                    _ => return Err(self.e(pos, "unexpected token in variable declaration")),
                }
            }
            rest = &toks[d + 1..];
        }
        let mut cmds = Vec::new();
        for part in split_top(rest, &TokKind::Pipe) {
            if part.is_empty() {
                return Err(self.e(pos, "missing value for command"));
            }
            cmds.push(self.cmd(part)?);
        }
        if cmds.is_empty() {
            return Err(self.e(pos, "missing value for command"));
        }
        Ok(Pipe { decl, cmds })
    }

    fn cmd(&self, toks: &[Tok]) -> Result<Cmd, String> {
        let mut args = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let t = &toks[i];
            let (kind, mut end) = match &t.kind {
                TokKind::Dot => (ArgKind::Dot, t.end),
                TokKind::Str(s) => (ArgKind::Str(s.clone()), t.end),
                TokKind::Number(n) => (ArgKind::Number(n.clone()), t.end),
                TokKind::Field(f) => (ArgKind::Field(f.clone()), t.end),
                TokKind::Var(v) => (ArgKind::Var(v.clone(), Vec::new()), t.end),
                TokKind::Ident(id) => match id.as_str() {
                    "true" => (ArgKind::Bool(true), t.end),
                    "false" => (ArgKind::Bool(false), t.end),
                    "nil" => (ArgKind::Nil, t.end),
                    f if FUNCS.contains(&f) || self.extra_funcs.contains(&f) => {
                        (ArgKind::Ident(id.clone()), t.end)
                    }
                    f => return Err(self.e(t.pos, &format!("function {f:?} not defined"))),
                },
                TokKind::LParen => {
                    let close = matching_paren(toks, i)
                        .ok_or_else(|| self.e(t.pos, "unclosed left paren"))?;
                    let inner = self.pipe(&toks[i + 1..close], t.pos, false)?;
                    i = close;
                    (ArgKind::Sub(Box::new(inner), Vec::new()), toks[close].end)
                }
                other => return Err(self.e(t.pos, &format!("unexpected {other:?} in operand"))),
            };
            let mut kind = kind;
            // A field chain written directly after a variable or a parenthesis.
            while let Some(TokKind::Field(more)) = toks.get(i + 1).map(|n| &n.kind) {
                if toks[i + 1].pos != end {
                    break;
                }
                match &mut kind {
                    ArgKind::Var(_, chain) | ArgKind::Sub(_, chain) => {
                        chain.extend(more.iter().cloned())
                    }
                    _ => break,
                }
                end = toks[i + 1].end;
                i += 1;
            }
            args.push(Arg {
                kind,
                pos: t.pos,
                text: self.src[t.pos..end].to_string(),
            });
            i += 1;
        }
        Ok(Cmd { args })
    }
}

fn matching_paren(toks: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t.kind {
            TokKind::LParen => depth += 1,
            TokKind::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits tokens on a separator that is not inside parentheses.
fn split_top<'t>(toks: &'t [Tok], sep: &TokKind) -> Vec<&'t [Tok]> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        match &t.kind {
            TokKind::LParen => depth += 1,
            TokKind::RParen => depth -= 1,
            k if depth == 0 && k == sep => {
                parts.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < toks.len() || !parts.is_empty() {
        parts.push(&toks[start..]);
    }
    parts
}
