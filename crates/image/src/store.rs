//! The image store: an in-memory index over files under the store root.
//!
//! ```text
//! ROOT/index.json                      images (id → layers, tag time) and repositories (name:tag → id)
//! ROOT/configs/<hex>.json              image configs, byte for byte (the id is their sha256)
//! ROOT/layers/sha256/<hex>/root/       a layer unpacked (by diff-id), shared by every image using it
//! ROOT/layers/sha256/<hex>/layer.tar   the layer's uncompressed tar stream, for save
//! ROOT/layers/sha256/<hex>/meta.json   its size
//! ROOT/tmp/                            extraction in progress; emptied on open
//! ```
//! Everything is written to tmp/ or a temp file first and renamed into place; index.json is
//! written last, so a kill -9 at any point leaves the previous index, and open() removes the
//! leftovers (unreferenced layers and configs).

use crate::config::{ContainerConfig, ImageConfigFile};
use crate::error::{ImageError, IoContext};
use crate::fsutil::{atomic_write, fsync_dir, remove_tree, sha256_hex, TempDir};
use crate::reference::{parse_any, Lookup, Reference};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

/// Everything known about one image.
#[derive(Debug, Clone)]
pub struct ImageRecord {
    /// `sha256:<64 hex>`
    pub id: String,
    /// Familiar `name:tag` references, sorted.
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    /// The config document (Created, Architecture, Os, Config, RootFS, ...).
    pub config_file: ImageConfigFile,
    /// The container defaults from the config (Env, Cmd, Entrypoint, WorkingDir, ...).
    pub config: ContainerConfig,
    /// The config exactly as stored.
    pub raw_config: serde_json::Value,
    /// Diff ids `sha256:...`, bottom layer first.
    pub diff_ids: Vec<String>,
    /// Sum of the layers' sizes.
    pub size: u64,
    /// The image a build step made this one from, if any.
    pub parent: Option<String>,
    /// When a tag was last set (RFC 3339), as `Metadata.LastTagTime`.
    pub last_tag_time: Option<String>,
}

impl ImageRecord {
    pub fn short_id(&self) -> &str {
        short_id(&self.id)
    }
}

pub fn short_id(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..hex.len().min(12)]
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ImageEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_tag_time: Option<String>,
    /// The image a build step started from (`docker history` walks these).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// What the build step did, hashed: a rebuild of the same step on the same parent finds
    /// this image instead of running the step again (the classic builder's cache).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_key: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct IndexFile {
    pub images: BTreeMap<String, ImageEntry>,
    pub repositories: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Image {
    pub config_file: ImageConfigFile,
    pub raw: serde_json::Value,
    pub diff_ids: Vec<String>,
    pub entry: ImageEntry,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    pub images: BTreeMap<String, Image>,
    pub repos: BTreeMap<String, String>,
    pub layer_sizes: BTreeMap<String, u64>,
}

impl State {
    pub fn tags_of(&self, id: &str) -> Vec<String> {
        self.repos
            .iter()
            .filter(|(_, v)| *v == id)
            .map(|(k, _)| k.clone())
            .collect()
    }
    fn index(&self) -> IndexFile {
        IndexFile {
            images: self
                .images
                .iter()
                .map(|(k, v)| (k.clone(), v.entry.clone()))
                .collect(),
            repositories: self.repos.clone(),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct LayerMeta {
    pub size: u64,
}

/// A layer unpacked into the store's tmp/ directory, not yet in place.
pub(crate) struct PendingLayer {
    pub diff_id: String,
    pub dir: TempDir,
}

pub struct ImageStore {
    root: PathBuf,
    state: RwLock<State>,
    /// Serialises changes to the index (readers use the RwLock only).
    write: Mutex<()>,
}

impl ImageStore {
    /// Opens (creating if needed) the store at `root`, dropping leftovers of interrupted work.
    pub fn open(root: &Path) -> Result<ImageStore, ImageError> {
        for d in ["configs", "layers/sha256", "tmp"] {
            let p = root.join(d);
            fs::create_dir_all(&p).ctx(|| format!("creating {}", p.display()))?;
        }
        let tmp = root.join("tmp");
        if let Ok(entries) = fs::read_dir(&tmp) {
            for e in entries.flatten() {
                remove_tree(&e.path());
            }
        }
        let index_path = root.join("index.json");
        let index: IndexFile = match fs::read(&index_path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                ImageError::io(
                    format!("reading {}", index_path.display()),
                    std::io::Error::other(e),
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => IndexFile::default(),
            Err(e) => {
                return Err(ImageError::io(
                    format!("reading {}", index_path.display()),
                    e,
                ))
            }
        };
        let store = ImageStore {
            root: root.to_path_buf(),
            state: RwLock::new(State::default()),
            write: Mutex::new(()),
        };
        let mut state = State::default();
        for (id, entry) in index.images {
            match store.read_image(&id, entry) {
                Ok(img) => {
                    for d in &img.diff_ids {
                        if let Ok(size) = store.read_layer_size(d) {
                            state.layer_sizes.insert(d.clone(), size);
                        }
                    }
                    if img
                        .diff_ids
                        .iter()
                        .all(|d| state.layer_sizes.contains_key(d))
                    {
                        state.images.insert(id, img);
                    } else {
                        tracing::warn!(%id, "image has missing layers; dropped from the store");
                    }
                }
                Err(e) => {
                    tracing::warn!(%id, error = %e, "unreadable image; dropped from the store")
                }
            }
        }
        state.repos = index
            .repositories
            .into_iter()
            .filter(|(_, id)| state.images.contains_key(id))
            .collect();
        store.collect_garbage(&state);
        *store.state.write().unwrap_or_else(|p| p.into_inner()) = state;
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn tmp_dir(&self) -> Result<TempDir, ImageError> {
        TempDir::new(&self.root.join("tmp"))
    }

    pub(crate) fn layer_path(&self, diff_id: &str) -> PathBuf {
        let hex = diff_id.strip_prefix("sha256:").unwrap_or(diff_id);
        self.root.join("layers/sha256").join(hex)
    }

    fn config_path(&self, id: &str) -> PathBuf {
        let hex = id.strip_prefix("sha256:").unwrap_or(id);
        self.root.join("configs").join(format!("{hex}.json"))
    }

    pub(crate) fn read_config_bytes(&self, id: &str) -> Result<Vec<u8>, ImageError> {
        let p = self.config_path(id);
        fs::read(&p).ctx(|| format!("reading {}", p.display()))
    }

    fn read_image(&self, id: &str, entry: ImageEntry) -> Result<Image, ImageError> {
        let bytes = self.read_config_bytes(id)?;
        if format!("sha256:{}", sha256_hex(&bytes)) != id {
            return Err(ImageError::bad(format!(
                "config of {id} does not match its digest"
            )));
        }
        let (config_file, raw) = parse_config(&bytes)?;
        Ok(Image {
            diff_ids: config_file.rootfs.diff_ids.clone(),
            config_file,
            raw,
            entry,
        })
    }

    fn read_layer_size(&self, diff_id: &str) -> Result<u64, ImageError> {
        let p = self.layer_path(diff_id).join("meta.json");
        let bytes = fs::read(&p).ctx(|| format!("reading {}", p.display()))?;
        let meta: LayerMeta = serde_json::from_slice(&bytes)
            .map_err(|e| ImageError::bad(format!("bad layer metadata {}: {e}", p.display())))?;
        Ok(meta.size)
    }

    /// Removes layer dirs and configs no image refers to (left by an interrupted change).
    fn collect_garbage(&self, state: &State) {
        let used_layers: BTreeSet<String> = state
            .images
            .values()
            .flat_map(|i| i.diff_ids.iter())
            .map(|d| d.trim_start_matches("sha256:").to_string())
            .collect();
        if let Ok(entries) = fs::read_dir(self.root.join("layers/sha256")) {
            for e in entries.flatten() {
                if !used_layers.contains(&*e.file_name().to_string_lossy()) {
                    remove_tree(&e.path());
                }
            }
        }
        if let Ok(entries) = fs::read_dir(self.root.join("configs")) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                let id = format!("sha256:{}", name.trim_end_matches(".json"));
                if !state.images.contains_key(&id) {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
    }

    pub(crate) fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs a change to the index: `f` edits a copy of the state, which is written to disk
    /// and only then becomes the store's state.
    pub(crate) fn change<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T, ImageError>,
    ) -> Result<T, ImageError> {
        let _guard = self.write.lock().unwrap_or_else(|p| p.into_inner());
        let mut next = self.read_state().clone();
        let out = f(&mut next)?;
        let bytes = serde_json::to_vec_pretty(&next.index())
            .map_err(|e| ImageError::io("encoding index", std::io::Error::other(e)))?;
        atomic_write(&self.root.join("index.json"), &bytes)?;
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = next;
        Ok(out)
    }

    /// Puts a new image in place: its layers (unless present), its config, then the index.
    /// Returns the image id and, per tag, the id it replaced (if any).
    pub(crate) fn commit_image(
        &self,
        config_bytes: &[u8],
        layers: Vec<PendingLayer>,
        tags: &[Reference],
    ) -> Result<(String, Vec<Option<String>>), ImageError> {
        self.commit_image_with(config_bytes, layers, tags, None)
    }

    /// [`commit_image`](Self::commit_image) for a build step: the entry also records the
    /// step's parent and cache key, in the same index write.
    pub(crate) fn commit_image_with(
        &self,
        config_bytes: &[u8],
        layers: Vec<PendingLayer>,
        tags: &[Reference],
        step: Option<(Option<String>, String)>,
    ) -> Result<(String, Vec<Option<String>>), ImageError> {
        let id = format!("sha256:{}", sha256_hex(config_bytes));
        let (config_file, raw) = parse_config(config_bytes)?;
        let diff_ids = config_file.rootfs.diff_ids.clone();
        self.change(|state| {
            for layer in layers {
                let dest = self.layer_path(&layer.diff_id);
                if !dest.exists() {
                    let size = read_meta_size(layer.dir.path())?;
                    fs::rename(layer.dir.path(), &dest)
                        .ctx(|| format!("moving layer into {}", dest.display()))?;
                    layer.dir.keep();
                    state.layer_sizes.insert(layer.diff_id.clone(), size);
                } else if !state.layer_sizes.contains_key(&layer.diff_id) {
                    let size = self.read_layer_size(&layer.diff_id)?;
                    state.layer_sizes.insert(layer.diff_id.clone(), size);
                }
            }
            fsync_dir(&self.root.join("layers/sha256"))?;
            for d in &diff_ids {
                if !state.layer_sizes.contains_key(d) {
                    return Err(ImageError::bad(format!(
                        "layer {d} is missing from the archive"
                    )));
                }
            }
            let cpath = self.config_path(&id);
            if !cpath.exists() {
                atomic_write(&cpath, config_bytes)?;
            }
            let now = now_rfc3339();
            let mut entry = state
                .images
                .get(&id)
                .map(|i| i.entry.clone())
                .unwrap_or_default();
            if let Some((parent, key)) = step {
                entry.parent = parent;
                entry.build_key = Some(key);
            }
            state.images.insert(
                id.clone(),
                Image {
                    config_file,
                    raw,
                    diff_ids,
                    entry,
                },
            );
            let mut replaced = Vec::new();
            for t in tags {
                let old = state.repos.insert(t.tagged_key(), id.clone());
                replaced.push(old.filter(|o| *o != id));
                if let Some(img) = state.images.get_mut(&id) {
                    img.entry.last_tag_time = Some(now.clone());
                }
            }
            Ok((id.clone(), replaced))
        })
    }

    /// Finds an image as Docker's GetImage does: full id, then `name:tag`, then id prefix.
    pub fn resolve(&self, reference: &str) -> Result<ImageRecord, ImageError> {
        let state = self.read_state();
        let id = find_id(&state, reference)?;
        Ok(record(&state, &id))
    }

    /// All images, newest first.
    pub fn list(&self) -> Vec<ImageRecord> {
        let state = self.read_state();
        let mut out: Vec<ImageRecord> = state.images.keys().map(|id| record(&state, id)).collect();
        out.sort_by(|a, b| {
            b.config_file
                .created
                .cmp(&a.config_file.created)
                .then(a.id.cmp(&b.id))
        });
        out
    }

    /// Same as [`resolve`](Self::resolve); the name `docker image inspect` uses.
    pub fn inspect(&self, reference: &str) -> Result<ImageRecord, ImageError> {
        self.resolve(reference)
    }

    /// The image's layer directories, top layer first (overlayfs `lowerdir` order).
    pub fn layer_dirs(&self, image_id: &str) -> Result<Vec<PathBuf>, ImageError> {
        let state = self.read_state();
        let img = state
            .images
            .get(image_id)
            .ok_or_else(|| ImageError::NotFound(format!("No such image: {image_id}")))?;
        Ok(img
            .diff_ids
            .iter()
            .rev()
            .map(|d| self.layer_path(d).join("root"))
            .collect())
    }

    /// `docker tag SOURCE REPO[:TAG]`.
    pub fn tag(&self, source: &str, repo: &str, tag: Option<&str>) -> Result<(), ImageError> {
        let target = parse_tag_target(repo, tag)?;
        self.change(|state| {
            let id = find_id(state, source)?;
            state.repos.insert(target.tagged_key(), id.clone());
            if let Some(img) = state.images.get_mut(&id) {
                img.entry.last_tag_time = Some(now_rfc3339());
            }
            Ok(())
        })
    }

    pub(crate) fn layer_tar_path(&self, diff_id: &str) -> PathBuf {
        self.layer_path(diff_id).join("layer.tar")
    }
}

/// The `repo` and `tag` of a tag request, as moby's RepoTagReference checks them.
pub fn parse_tag_target(repo: &str, tag: Option<&str>) -> Result<Reference, ImageError> {
    if crate::reference::is_full_hex(repo) {
        return Err(ImageError::InvalidReference(format!(
            "invalid repository name ({repo}), cannot specify 64-byte hexadecimal strings"
        )));
    }
    let mut r = Reference::parse(repo)?;
    if r.digest.is_some() {
        return Err(ImageError::InvalidReference(
            "refusing to create a tag with a digest reference".into(),
        ));
    }
    if let Some(t) = tag.filter(|t| !t.is_empty()) {
        r = Reference::parse(&format!("{}:{t}", r.name))?;
    }
    Ok(r.with_default_tag())
}

pub(crate) fn read_meta_size(dir: &Path) -> Result<u64, ImageError> {
    let p = dir.join("meta.json");
    let bytes = fs::read(&p).ctx(|| format!("reading {}", p.display()))?;
    serde_json::from_slice::<LayerMeta>(&bytes)
        .map(|m| m.size)
        .map_err(|e| ImageError::bad(format!("bad layer metadata: {e}")))
}

pub(crate) fn parse_config(
    bytes: &[u8],
) -> Result<(ImageConfigFile, serde_json::Value), ImageError> {
    let raw: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ImageError::bad(format!("invalid image config: {e}")))?;
    let file: ImageConfigFile = serde_json::from_value(raw.clone())
        .map_err(|e| ImageError::bad(format!("invalid image config: {e}")))?;
    Ok((file, raw))
}

pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

pub(crate) fn not_found(reference: &str) -> ImageError {
    let shown = match parse_any(reference) {
        Ok(Lookup::Named(r)) => r.with_default_tag().to_string(),
        Ok(Lookup::Id(id)) => id,
        Err(_) => reference.to_string(),
    };
    ImageError::NotFound(shown)
}

pub(crate) fn find_id(state: &State, reference: &str) -> Result<String, ImageError> {
    match parse_any(reference)? {
        Lookup::Id(id) => {
            if state.images.contains_key(&id) {
                return Ok(id);
            }
            Err(not_found(reference))
        }
        Lookup::Named(r) => {
            if r.digest.is_none() {
                if let Some(id) = state.repos.get(&r.clone().with_default_tag().tagged_key()) {
                    return Ok(id.clone());
                }
            }
            search_prefix(state, reference).ok_or_else(|| not_found(reference))
        }
    }
}

fn search_prefix(state: &State, s: &str) -> Option<String> {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut found = state
        .images
        .keys()
        .filter(|id| id.trim_start_matches("sha256:").starts_with(hex));
    let first = found.next()?;
    found.next().is_none().then(|| first.clone())
}

pub(crate) fn record(state: &State, id: &str) -> ImageRecord {
    let img = &state.images[id];
    ImageRecord {
        id: id.to_string(),
        repo_tags: state.tags_of(id),
        repo_digests: Vec::new(),
        config: img.config_file.config.clone().unwrap_or_default(),
        config_file: img.config_file.clone(),
        raw_config: img.raw.clone(),
        diff_ids: img.diff_ids.clone(),
        size: img
            .diff_ids
            .iter()
            .map(|d| state.layer_sizes.get(d).copied().unwrap_or(0))
            .sum(),
        last_tag_time: img.entry.last_tag_time.clone(),
        parent: img.entry.parent.clone(),
    }
}
