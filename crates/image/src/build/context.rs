//! The build context: the request's tarball (plain or gzip'd) unpacked into the store's
//! tmp/ directory, the Dockerfile read from it, and the paths `.dockerignore` excludes
//! removed, as the daemon side of the classic builder does.

use super::ignore::IgnoreRules;
use crate::error::{ImageError, IoContext};
use crate::fsutil::{maybe_gunzip, TempDir};
use crate::store::ImageStore;
use std::fs;
use std::io::Read;
use std::path::Path;

pub struct Context {
    pub dir: TempDir,
    pub dockerfile: String,
}

impl ImageStore {
    pub(crate) fn unpack_context(
        &self,
        body: impl Read,
        dockerfile: &str,
    ) -> Result<Context, ImageError> {
        let dir = self.tmp_dir()?;
        let plain = maybe_gunzip(body)
            .map_err(|e| ImageError::bad(format!("reading the build context: {e}")))?;
        crate::extract::unpack_layer(plain, dir.path())?;
        let name = if dockerfile.is_empty() {
            "Dockerfile"
        } else {
            dockerfile
        };
        let rel = name.trim_start_matches("./").trim_start_matches('/');
        let mut path = super::copy::scoped(dir.path(), rel)?;
        if !path.is_file() && dockerfile.is_empty() {
            path = dir.path().join("dockerfile");
        }
        let text = fs::read_to_string(&path).map_err(|_| {
            ImageError::InvalidParameter(format!("Cannot locate specified Dockerfile: {name}"))
        })?;
        if text.trim().is_empty() {
            return Err(ImageError::InvalidParameter(format!(
                "the Dockerfile ({name}) cannot be empty"
            )));
        }
        let ignore_path = dir.path().join(".dockerignore");
        if let Ok(text) = fs::read_to_string(&ignore_path) {
            let rules = IgnoreRules::parse(&text);
            if !rules.is_empty() {
                remove_ignored(dir.path(), "", &rules)?;
            }
        }
        Ok(Context {
            dir,
            dockerfile: text,
        })
    }
}

fn remove_ignored(root: &Path, rel: &str, rules: &IgnoreRules) -> Result<(), ImageError> {
    let dir = root.join(rel);
    for e in fs::read_dir(&dir)
        .ctx(|| format!("reading {}", dir.display()))?
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        let path_rel = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if rules.excludes(&path_rel) {
            if is_dir {
                // an exception may re-include something below an excluded directory
                remove_ignored(root, &path_rel, rules)?;
                let _ = fs::remove_dir(e.path());
            } else {
                fs::remove_file(e.path()).ctx(|| format!("removing {}", e.path().display()))?;
            }
        } else if is_dir {
            remove_ignored(root, &path_rel, rules)?;
        }
    }
    Ok(())
}
