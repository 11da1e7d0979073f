//! `docker load`: `docker save` archives (manifest.json, with legacy `<id>/layer.tar` dirs or
//! `blobs/sha256/`) and OCI image layouts (index.json). The archive is first unpacked into a
//! staging directory (regular files, directories and symlinks staying inside only), so its
//! entries may come in any order without holding them in memory.

use crate::error::{ImageError, IoContext};
use crate::extract::{clean_entry_path, resolve_in_root};
use crate::fsutil::maybe_gunzip;
use crate::reference::Reference;
use crate::store::{parse_config, ImageStore};
use serde::Deserialize;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct ManifestItem {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

#[derive(Deserialize)]
struct Descriptor {
    #[serde(rename = "mediaType", default)]
    media_type: String,
    digest: String,
    #[serde(default)]
    annotations: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct OciIndex {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct OciManifest {
    config: Descriptor,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

/// One image found in an archive: paths inside the staging dir, and its tags.
struct Found {
    config: PathBuf,
    layers: Vec<PathBuf>,
    tags: Vec<String>,
}

impl ImageStore {
    /// Loads every image of the archive. Returns Docker's output lines
    /// (`Loaded image: busybox:latest`, `Loaded image ID: sha256:...`).
    pub fn load(&self, archive: impl Read) -> Result<Vec<String>, ImageError> {
        let staging = self.tmp_dir()?;
        let plain = maybe_gunzip(archive)
            .map_err(|e| ImageError::bad(format!("cannot read the archive: {e}")))?;
        unpack_archive(plain, staging.path())?;
        let found = find_images(staging.path())?;
        let mut lines = Vec::new();
        for image in found {
            self.load_one(staging.path(), image, &mut lines)?;
        }
        Ok(lines)
    }

    fn load_one(
        &self,
        staging: &Path,
        image: Found,
        lines: &mut Vec<String>,
    ) -> Result<(), ImageError> {
        let config_bytes =
            fs::read(&image.config).ctx(|| format!("reading config {}", image.config.display()))?;
        let (config, _) = parse_config(&config_bytes)?;
        let expected = &config.rootfs.diff_ids;
        if expected.len() != image.layers.len() {
            return Err(ImageError::bad(format!(
                "invalid manifest, layers length mismatch: expected {}, got {}",
                expected.len(),
                image.layers.len()
            )));
        }
        let mut pending = Vec::new();
        for (i, path) in image.layers.iter().enumerate() {
            let file = File::open(path).ctx(|| {
                format!(
                    "opening layer {}",
                    path.strip_prefix(staging).unwrap_or(path).display()
                )
            })?;
            let layer = self.unpack_pending(io::BufReader::new(file))?;
            if layer.diff_id != expected[i] {
                return Err(ImageError::bad(format!(
                    "invalid diffID for layer {i}: expected {:?}, got {:?}",
                    expected[i], layer.diff_id
                )));
            }
            pending.push(layer);
        }
        let tags = image
            .tags
            .iter()
            .map(|t| Reference::parse(t).map(|r| r.with_default_tag()))
            .collect::<Result<Vec<_>, _>>()?;
        let (id, replaced) = self.commit_image(&config_bytes, pending, &tags)?;
        if tags.is_empty() {
            lines.push(format!("Loaded image ID: {id}"));
        }
        for (tag, old) in tags.iter().zip(replaced) {
            if let Some(old) = old {
                lines.push(format!(
                    "The image {tag} already exists, renaming the old one with ID {old} to empty string"
                ));
            }
            lines.push(format!("Loaded image: {tag}"));
        }
        Ok(())
    }
}

/// Unpacks the outer archive: directories, regular files and symlinks only.
fn unpack_archive(reader: impl Read, dest: &Path) -> Result<(), ImageError> {
    let mut archive = tar::Archive::new(reader);
    let entries = archive
        .entries()
        .map_err(|e| ImageError::bad(format!("invalid tar archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(archive_error)?;
        let raw = entry.path().map_err(archive_error)?.into_owned();
        let rel = clean_entry_path(&raw)?;
        let Some(name) = rel.file_name().map(|n| n.to_owned()) else {
            continue;
        };
        let parent = resolve_in_root(dest, rel.parent().unwrap_or(Path::new("")))?;
        fs::create_dir_all(&parent).ctx(|| format!("creating {}", parent.display()))?;
        let path = parent.join(name);
        match entry.header().entry_type() {
            tar::EntryType::Directory => {
                if !path.is_dir() {
                    fs::create_dir(&path).ctx(|| format!("creating {}", path.display()))?;
                }
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let _ = fs::remove_file(&path);
                let mut f =
                    File::create_new(&path).ctx(|| format!("creating {}", path.display()))?;
                io::copy(&mut entry, &mut f).map_err(archive_error)?;
            }
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name()
                    .map_err(archive_error)?
                    .ok_or_else(|| ImageError::bad(format!("symlink {raw:?} has no target")))?;
                let _ = fs::remove_file(&path);
                std::os::unix::fs::symlink(&target, &path)
                    .ctx(|| format!("creating symlink {}", path.display()))?;
            }
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => {}
            other => {
                return Err(ImageError::bad(format!(
                    "invalid archive entry {raw:?}: {other:?} entries are not allowed"
                )))
            }
        }
    }
    Ok(())
}

fn archive_error(e: io::Error) -> ImageError {
    if e.kind() == io::ErrorKind::UnexpectedEof || e.to_string().contains("unexpected EOF") {
        ImageError::bad("invalid archive: unexpected EOF (the archive is truncated)")
    } else {
        ImageError::bad(format!("invalid archive: {e}"))
    }
}

/// A file named inside the archive, following symlinks that stay inside the staging dir.
fn staged_file(staging: &Path, name: &str) -> Result<PathBuf, ImageError> {
    let mut rel = clean_entry_path(Path::new(name))?;
    for _ in 0..40 {
        let fname = rel
            .file_name()
            .map(|n| n.to_owned())
            .ok_or_else(|| ImageError::bad(format!("invalid archive path {name:?}")))?;
        let parent_rel = rel.parent().unwrap_or(Path::new("")).to_path_buf();
        let parent = resolve_in_root(staging, &parent_rel)?;
        let path = parent.join(&fname);
        match fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&path).ctx(|| format!("reading {}", path.display()))?;
                if target.is_absolute() {
                    return Err(ImageError::bad(format!(
                        "invalid archive: {name:?} links outside the archive"
                    )));
                }
                // re-resolve from the link's directory; resolve_in_root refuses climbing out
                let dir_rel = parent
                    .strip_prefix(staging)
                    .unwrap_or(Path::new(""))
                    .to_path_buf();
                let joined = dir_rel.join(&target);
                let tname = joined
                    .file_name()
                    .map(|n| n.to_owned())
                    .ok_or_else(|| ImageError::bad(format!("invalid link in archive: {name:?}")))?;
                let tparent = resolve_in_root(staging, joined.parent().unwrap_or(Path::new("")))?;
                rel = tparent
                    .strip_prefix(staging)
                    .unwrap_or(Path::new(""))
                    .join(tname);
            }
            Ok(m) if m.is_file() => return Ok(path),
            _ => {
                return Err(ImageError::bad(format!(
                    "invalid archive: {name} is missing from the archive"
                )))
            }
        }
    }
    Err(ImageError::bad(format!(
        "invalid archive: too many links for {name:?}"
    )))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T, ImageError> {
    let bytes = fs::read(path).ctx(|| format!("reading {what}"))?;
    serde_json::from_slice(&bytes).map_err(|e| ImageError::bad(format!("invalid {what}: {e}")))
}

fn find_images(staging: &Path) -> Result<Vec<Found>, ImageError> {
    if staging.join("manifest.json").is_file() {
        let items: Vec<ManifestItem> = read_json(&staging.join("manifest.json"), "manifest.json")?;
        return items
            .into_iter()
            .map(|m| {
                Ok(Found {
                    config: staged_file(staging, &m.config)?,
                    layers: m
                        .layers
                        .iter()
                        .map(|l| staged_file(staging, l))
                        .collect::<Result<_, _>>()?,
                    tags: m.repo_tags.unwrap_or_default(),
                })
            })
            .collect();
    }
    if staging.join("index.json").is_file() {
        let index: OciIndex = read_json(&staging.join("index.json"), "index.json")?;
        let mut out = Vec::new();
        for d in index.manifests {
            collect_oci(staging, &d, 0, &mut out)?;
        }
        return Ok(out);
    }
    Err(ImageError::bad(
        "invalid archive: it holds neither manifest.json (docker save) nor index.json (OCI layout)",
    ))
}

fn blob_path(staging: &Path, digest: &str) -> Result<PathBuf, ImageError> {
    let (algo, hex) = digest
        .split_once(':')
        .filter(|(a, h)| *a == "sha256" && crate::reference::is_full_hex(h))
        .ok_or_else(|| ImageError::bad(format!("invalid digest {digest:?}")))?;
    staged_file(staging, &format!("blobs/{algo}/{hex}"))
}

fn collect_oci(
    staging: &Path,
    d: &Descriptor,
    depth: usize,
    out: &mut Vec<Found>,
) -> Result<(), ImageError> {
    if depth > 4 {
        return Err(ImageError::bad(
            "invalid OCI layout: indexes nested too deeply",
        ));
    }
    let path = blob_path(staging, &d.digest)?;
    if d.media_type.ends_with("image.index.v1+json")
        || d.media_type.ends_with("manifest.list.v2+json")
    {
        let index: OciIndex = read_json(&path, "OCI index")?;
        for m in &index.manifests {
            collect_oci(staging, m, depth + 1, out)?;
        }
        return Ok(());
    }
    let manifest: OciManifest = read_json(&path, "OCI manifest")?;
    let annotations = d.annotations.clone().unwrap_or_default();
    let tag = annotations
        .get("io.containerd.image.name")
        .or_else(|| {
            annotations
                .get("org.opencontainers.image.ref.name")
                .filter(|n| n.contains(':') || n.contains('/'))
        })
        .cloned();
    out.push(Found {
        config: blob_path(staging, &manifest.config.digest)?,
        layers: manifest
            .layers
            .iter()
            .map(|l| blob_path(staging, &l.digest))
            .collect::<Result<_, _>>()?,
        tags: tag.into_iter().collect(),
    });
    Ok(())
}
