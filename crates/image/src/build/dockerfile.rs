//! The Dockerfile's syntax: parser directives (`# escape=`, `# syntax=` ignored), comments,
//! line continuations with the escape character, and one [`Instruction`] per logical line,
//! with its `--flag=value`s split off and its JSON ("exec") form recognised.

use crate::error::ImageError;

/// The instructions the classic builder knows; anything else is an unknown instruction.
const KNOWN: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper case: `RUN`, `COPY`, ...
    pub name: String,
    /// `--chown=1:1` → ("chown", "1:1"), in order.
    pub flags: Vec<(String, String)>,
    /// The arguments after the flags, continuations joined.
    pub args: String,
    /// The line as the builder echoes it in `Step N/M : ...`.
    pub original: String,
    pub line: usize,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The JSON array form (`["a", "b"]`), if the arguments are one.
    pub fn json_args(&self) -> Option<Vec<String>> {
        let a = self.args.trim();
        if !a.starts_with('[') {
            return None;
        }
        serde_json::from_str::<Vec<String>>(a).ok()
    }
}

fn parse_error(line: usize, msg: impl std::fmt::Display) -> ImageError {
    ImageError::InvalidParameter(format!("dockerfile parse error on line {line}: {msg}"))
}

/// Parses a whole Dockerfile.
pub fn parse(text: &str) -> Result<Vec<Instruction>, ImageError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut escape = '\\';
    let mut i = 0;
    // parser directives: only at the very top, before any other line (comments included)
    while i < lines.len() {
        let Some(d) = directive(lines[i]) else { break };
        if d.0 == "escape" {
            escape = match d.1.as_str() {
                "\\" => '\\',
                "`" => '`',
                other => {
                    return Err(parse_error(
                        i + 1,
                        format!("invalid ESCAPE '{other}'. Must be ` or \\"),
                    ))
                }
            };
        }
        i += 1;
    }
    let mut out = Vec::new();
    while i < lines.len() {
        let start = i;
        let first = lines[i].trim_start();
        i += 1;
        if first.is_empty() || first.starts_with('#') {
            continue;
        }
        let mut logical = String::new();
        let mut cur = first.to_string();
        loop {
            let trimmed = cur.trim_end();
            if let Some(body) = trimmed.strip_suffix(escape) {
                logical.push_str(body);
                // the next line that is not a comment or empty continues this one
                let mut next = None;
                while i < lines.len() {
                    let l = lines[i];
                    i += 1;
                    let t = l.trim_start();
                    if t.starts_with('#') || t.is_empty() {
                        continue;
                    }
                    next = Some(l.to_string());
                    break;
                }
                match next {
                    Some(n) => cur = n,
                    None => break,
                }
            } else {
                logical.push_str(trimmed);
                break;
            }
        }
        out.push(instruction(&logical, start + 1)?);
    }
    Ok(out)
}

/// The flags the classic builder knows per instruction; BuildKit's are refused as Docker
/// refuses them without BuildKit.
fn check_flag(name: &str, flag: &str, line: usize) -> Result<(), ImageError> {
    let known: &[&str] = match name {
        "ADD" => &["chown"],
        "COPY" => &["chown", "from"],
        "FROM" => &["platform"],
        "HEALTHCHECK" => &[
            "interval",
            "timeout",
            "start-period",
            "start-interval",
            "retries",
        ],
        _ => &[],
    };
    if known.contains(&flag) {
        return Ok(());
    }
    let buildkit_only = [
        "chmod",
        "link",
        "mount",
        "network",
        "security",
        "parents",
        "exclude",
        "checksum",
        "keep-git-dir",
    ];
    if buildkit_only.contains(&flag) {
        return Err(parse_error(
            line,
            format!("the --{flag} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled"),
        ));
    }
    Err(parse_error(line, format!("Unknown flag: {flag}")))
}

fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix('#')?;
    let (k, v) = rest.split_once('=')?;
    let k = k.trim().to_ascii_lowercase();
    if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some((k, v.trim().to_string()))
}

fn instruction(logical: &str, line: usize) -> Result<Instruction, ImageError> {
    let logical = logical.trim();
    let (word, rest) = match logical.split_once(char::is_whitespace) {
        Some((w, r)) => (w, r.trim_start()),
        None => (logical, ""),
    };
    let name = word.to_ascii_uppercase();
    if !KNOWN.contains(&name.as_str()) {
        return Err(parse_error(
            line,
            format!("unknown instruction: {}", word.to_ascii_uppercase()),
        ));
    }
    let mut flags = Vec::new();
    let mut args = rest;
    if matches!(
        name.as_str(),
        "ADD" | "COPY" | "FROM" | "RUN" | "HEALTHCHECK"
    ) {
        while let Some(f) = args.strip_prefix("--") {
            let (flag, tail) = match f.split_once(char::is_whitespace) {
                Some((a, b)) => (a, b.trim_start()),
                None => (f, ""),
            };
            let (k, v) = flag.split_once('=').unwrap_or((flag, "true"));
            flags.push((k.to_string(), v.to_string()));
            args = tail;
        }
    }
    for (k, _) in &flags {
        check_flag(&name, k, line)?;
    }
    let needs_args = !matches!(name.as_str(), "HEALTHCHECK");
    if needs_args && args.trim().is_empty() {
        return Err(parse_error(
            line,
            format!("{name} requires at least one argument"),
        ));
    }
    Ok(Instruction {
        name,
        flags,
        args: args.trim().to_string(),
        original: logical.to_string(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_flags() {
        let df = "# syntax=docker/dockerfile:1\nFROM busybox\n# a comment\nRUN echo a \\\n  # inside\n  && echo b\nCOPY --chown=1:2 . /app\nCMD [\"sh\", \"-c\", \"x\"]\n";
        let p = parse(df).unwrap();
        assert_eq!(p.len(), 4);
        assert_eq!(p[1].name, "RUN");
        assert_eq!(p[1].args, "echo a   && echo b");
        assert_eq!(p[2].flag("chown"), Some("1:2"));
        assert_eq!(p[2].args, ". /app");
        assert_eq!(p[3].json_args().unwrap(), ["sh", "-c", "x"]);
        assert_eq!(p[3].line, 8);
    }

    #[test]
    fn escape_directive() {
        let p = parse("# escape=`\nFROM x\nRUN dir c:\\ `\n  && echo\n").unwrap();
        assert_eq!(p[1].args, "dir c:\\   && echo");
    }

    #[test]
    fn flags_checked() {
        let e = parse("FROM x\nCOPY --chmod=755 a b\n").unwrap_err();
        assert!(
            e.to_string().starts_with(
                "dockerfile parse error on line 2: the --chmod option requires BuildKit."
            ),
            "{e}"
        );
        let e = parse("FROM x\nRUN --foo true\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "dockerfile parse error on line 2: Unknown flag: foo"
        );
    }

    #[test]
    fn unknown_instruction() {
        let e = parse("FROM x\n\nBOGUS y\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "dockerfile parse error on line 3: unknown instruction: BOGUS"
        );
    }
}
