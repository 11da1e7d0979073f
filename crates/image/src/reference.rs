//! Image references as Docker parses them (distribution's reference grammar): `busybox`,
//! `busybox:1.36`, `library/busybox`, `docker.io/library/busybox:latest`,
//! `localhost:5000/team/app@sha256:...`. Names are kept in their familiar form
//! (`busybox:latest`), the form `docker images` shows and Docker's messages use.

use crate::error::ImageError;

const DEFAULT_DOMAIN: &str = "docker.io";
const LEGACY_DOMAIN: &str = "index.docker.io";
const OFFICIAL_PREFIX: &str = "library/";
const MAX_NAME_LEN: usize = 255;

/// A parsed, normalised named reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Familiar repository name: `busybox`, `team/app`, `localhost:5000/app`.
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Reference {
    /// Parses as `docker tag`/`docker images` do (ParseNormalizedNamed).
    pub fn parse(s: &str) -> Result<Reference, ImageError> {
        let invalid = || ImageError::InvalidReference("invalid reference format".into());
        if s.is_empty() {
            return Err(invalid());
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                validate_digest(d).ok_or_else(invalid)?;
                (r, Some(d.to_string()))
            }
            None => (s, None),
        };
        // a tag is after the last ':' that follows the last '/' (a ':' before is a port)
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => {
                let split = last_slash + i;
                (&rest[..split], Some(rest[split + 1..].to_string()))
            }
            None => (rest, None),
        };
        if let Some(t) = &tag {
            if !valid_tag(t) {
                return Err(invalid());
            }
        }
        let familiar = familiar_name(name)?;
        Ok(Reference {
            name: familiar,
            tag,
            digest,
        })
    }

    /// The reference with `:latest` added when it names neither a tag nor a digest.
    pub fn with_default_tag(mut self) -> Reference {
        if self.tag.is_none() && self.digest.is_none() {
            self.tag = Some("latest".into());
        }
        self
    }

    /// `name:tag` (tag defaulting to latest), the key of the repositories index.
    pub fn tagged_key(&self) -> String {
        format!("{}:{}", self.name, self.tag.as_deref().unwrap_or("latest"))
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// What a lookup string names: an image id (full, with or without `sha256:`) or a reference.
pub enum Lookup {
    Id(String),
    Named(Reference),
}

/// ParseAnyReference: 64 hex digits or `sha256:<64 hex>` are ids, the rest references.
pub fn parse_any(s: &str) -> Result<Lookup, ImageError> {
    if is_full_hex(s) {
        return Ok(Lookup::Id(format!("sha256:{s}")));
    }
    if let Some(hex) = s.strip_prefix("sha256:") {
        if is_full_hex(hex) {
            return Ok(Lookup::Id(s.to_string()));
        }
    }
    Reference::parse(s).map(Lookup::Named)
}

pub fn is_full_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn validate_digest(d: &str) -> Option<()> {
    let (algo, hex) = d.split_once(':')?;
    (algo == "sha256" && is_full_hex(hex)).then_some(())
}

fn valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// Checks the grammar and strips the default domain and `library/`.
fn familiar_name(name: &str) -> Result<String, ImageError> {
    let invalid = || ImageError::InvalidReference("invalid reference format".into());
    if name.is_empty() {
        return Err(invalid());
    }
    let (domain, path) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    };
    if path.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(ImageError::InvalidReference(format!(
            "invalid reference format: repository name ({path}) must be lowercase"
        )));
    }
    if !path.split('/').all(valid_component) {
        return Err(invalid());
    }
    if let Some(d) = domain {
        if !d
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b':'))
        {
            return Err(invalid());
        }
    }
    if name.len() > MAX_NAME_LEN {
        return Err(ImageError::InvalidReference(
            "repository name must not be more than 255 characters".into(),
        ));
    }
    let familiar = match domain {
        None | Some(DEFAULT_DOMAIN) | Some(LEGACY_DOMAIN) => path
            .strip_prefix(OFFICIAL_PREFIX)
            .filter(|p| !p.contains('/'))
            .unwrap_or(path)
            .to_string(),
        Some(d) => format!("{d}/{path}"),
    };
    Ok(familiar)
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !is_alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_familiar_names() {
        let r = Reference::parse("docker.io/library/busybox:1.36").unwrap();
        assert_eq!(r.to_string(), "busybox:1.36");
        assert_eq!(Reference::parse("library/busybox").unwrap().name, "busybox");
        let r = Reference::parse("localhost:5000/team/app").unwrap();
        assert_eq!((r.name.as_str(), r.tag), ("localhost:5000/team/app", None));
        assert_eq!(
            Reference::parse("busybox")
                .unwrap()
                .with_default_tag()
                .tagged_key(),
            "busybox:latest"
        );
    }

    #[test]
    fn refuses_bad_references() {
        for bad in [
            "",
            "Busybox",
            "a:b:c",
            "bad//name",
            "-x",
            "x:",
            "x:-tag",
            "a@sha256:12",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Reference::parse("Busybox").unwrap_err().to_string(),
            "invalid reference format: repository name (Busybox) must be lowercase"
        );
    }

    #[test]
    fn ids_are_recognised() {
        let hex = "a".repeat(64);
        assert!(matches!(parse_any(&hex), Ok(Lookup::Id(_))));
        assert!(matches!(
            parse_any(&format!("sha256:{hex}")),
            Ok(Lookup::Id(_))
        ));
        assert!(matches!(parse_any("abc"), Ok(Lookup::Named(_))));
    }
}
