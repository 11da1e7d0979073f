//! `.dockerignore`: patterns (`*`, `?`, `**`, `[...]`) matched against context paths, where a
//! pattern also matches everything below a directory it matches; `!pattern` re-includes;
//! the last matching pattern wins, as Docker's patternmatcher decides.

use regex::Regex;

pub struct IgnoreRules {
    rules: Vec<(Regex, bool)>,
}

impl IgnoreRules {
    /// Parses a `.dockerignore` file; lines starting with `#` are comments.
    pub fn parse(text: &str) -> IgnoreRules {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (pattern, exclude) = match line.strip_prefix('!') {
                Some(p) => (p.trim(), false),
                None => (line, true),
            };
            let cleaned = clean(pattern);
            if cleaned.is_empty() {
                continue;
            }
            if let Ok(re) = Regex::new(&to_regex(&cleaned)) {
                rules.push((re, exclude));
            }
        }
        IgnoreRules { rules }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether a relative path (`a/b/c`) is excluded from the context.
    pub fn excludes(&self, path: &str) -> bool {
        let path = clean(path);
        let parents: Vec<&str> = path
            .match_indices('/')
            .map(|(i, _)| &path[..i])
            .chain(std::iter::once(path.as_str()))
            .collect();
        let mut excluded = false;
        for (re, exclude) in &self.rules {
            if parents.iter().any(|p| re.is_match(p)) {
                excluded = *exclude;
            }
        }
        excluded
    }
}

/// Like Go's filepath.Clean on a relative path, with a leading `/` dropped.
fn clean(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

fn to_regex(pattern: &str) -> String {
    let mut re = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                i += 1;
                if chars.get(i + 1) == Some(&'/') {
                    // `**/` matches zero or more directories
                    re.push_str("(.*/)?");
                    i += 1;
                } else {
                    re.push_str(".*");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' => {
                let end = chars[i..].iter().position(|&c| c == ']');
                match end {
                    Some(e) => {
                        let class: String = chars[i + 1..i + e].iter().collect();
                        let class = class
                            .strip_prefix('^')
                            .map_or(class.clone(), |c| format!("^{c}"));
                        re.push('[');
                        re.push_str(&class.replace('\\', "\\\\"));
                        re.push(']');
                        i += e;
                    }
                    None => re.push_str("\\["),
                }
            }
            '\\' if i + 1 < chars.len() => {
                i += 1;
                re.push_str(&regex::escape(&chars[i].to_string()));
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push('$');
    re
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_rules() {
        let r = IgnoreRules::parse(
            "# c\nsecret.txt\n*.log\n!keep.log\nnode_modules\n**/*.tmp\n/build/\n",
        );
        assert!(r.excludes("secret.txt"));
        assert!(r.excludes("a.log"));
        assert!(!r.excludes("keep.log"));
        assert!(!r.excludes("sub/a.log"));
        assert!(r.excludes("node_modules/x/y.js"));
        assert!(r.excludes("deep/er/x.tmp"));
        assert!(r.excludes("x.tmp"));
        assert!(r.excludes("build/out"));
        assert!(!r.excludes("app.js"));
    }
}
