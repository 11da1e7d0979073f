//! `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}` in instruction arguments, as the
//! builder's shell lexer expands them: not inside single quotes, not after a backslash
//! (the backslash stays, for the word splitter that runs next).

pub fn expand(s: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut single = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            single = !single;
            out.push(c);
            i += 1;
        } else if c == '\\' && !single && i + 1 < chars.len() {
            out.push(c);
            out.push(chars[i + 1]);
            i += 2;
        } else if c == '$' && !single && i + 1 < chars.len() {
            if chars[i + 1] == '{' {
                let Some(end) = chars[i + 2..].iter().position(|&c| c == '}') else {
                    out.push(c);
                    i += 1;
                    continue;
                };
                let inner: String = chars[i + 2..i + 2 + end].iter().collect();
                out.push_str(&braced(&inner, lookup));
                i += 3 + end;
            } else {
                let name: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .collect();
                if name.is_empty() {
                    out.push(c);
                    i += 1;
                } else {
                    out.push_str(&lookup(&name).unwrap_or_default());
                    i += 1 + name.chars().count();
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn braced(inner: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    if let Some((name, word)) = inner.split_once(":-") {
        return lookup(name)
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| expand(word, lookup));
    }
    if let Some((name, word)) = inner.split_once(":+") {
        return match lookup(name).filter(|v| !v.is_empty()) {
            Some(_) => expand(word, lookup),
            None => String::new(),
        };
    }
    lookup(inner).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let env = |k: &str| (k == "A").then(|| "1".to_string());
        assert_eq!(expand("$A-${A}-${B:-d}-${A:+x}-${B:+y}", &env), "1-1-d-x-");
        assert_eq!(expand("'$A' \\$A $", &env), "'$A' \\$A $");
    }
}
