//! `docker save`: the format Docker 25+ writes, an OCI image layout that also carries the
//! legacy `manifest.json` and `repositories`, so both old and new `docker load` accept it.

use crate::error::{ImageError, IoContext};
use crate::fsutil::sha256_hex;
use crate::reference::{parse_any, Lookup};
use crate::store::{find_id, ImageStore};
use serde_json::json;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write};

const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

impl ImageStore {
    /// Writes the named images (tags, ids, or bare repository names meaning all their tags)
    /// as one tar archive.
    pub fn save(&self, references: &[String], out: impl Write) -> Result<(), ImageError> {
        // image id → tags to record, in the order the images were named
        let mut order: Vec<String> = Vec::new();
        let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
        {
            let state = self.read_state();
            for r in references {
                let mut picked: Vec<(String, Option<String>)> = Vec::new();
                if let Ok(Lookup::Named(named)) = parse_any(r) {
                    if named.tag.is_none() && named.digest.is_none() {
                        let prefix = format!("{}:", named.name);
                        for (k, id) in state.repos.iter().filter(|(k, _)| k.starts_with(&prefix)) {
                            picked.push((id.clone(), Some(k.clone())));
                        }
                    } else if let Some(id) = state.repos.get(&named.tagged_key()) {
                        picked.push((id.clone(), Some(named.tagged_key())));
                    }
                }
                if picked.is_empty() {
                    picked.push((find_id(&state, r)?, None));
                }
                for (id, tag) in picked {
                    if !order.contains(&id) {
                        order.push(id.clone());
                    }
                    let list = tags.entry(id).or_default();
                    if let Some(t) = tag {
                        if !list.contains(&t) {
                            list.push(t);
                        }
                    }
                }
            }
        }
        let mut b = tar::Builder::new(out);
        let mut written: Vec<String> = Vec::new();
        let mut manifest_json = Vec::new();
        let mut index_entries = Vec::new();
        let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        add_dir(&mut b, "blobs/")?;
        add_dir(&mut b, "blobs/sha256/")?;
        for id in &order {
            let config = self.read_config_bytes(id)?;
            let config_hex = id.trim_start_matches("sha256:").to_string();
            let record = self.resolve(id)?;
            let mut layer_descs = Vec::new();
            let mut layer_paths = Vec::new();
            for d in &record.diff_ids {
                let hex = d.trim_start_matches("sha256:").to_string();
                let path = self.layer_tar_path(d);
                let size = std::fs::metadata(&path)
                    .ctx(|| format!("reading {}", path.display()))?
                    .len();
                if !written.contains(&hex) {
                    let f = File::open(&path).ctx(|| format!("opening {}", path.display()))?;
                    add_file(&mut b, &format!("blobs/sha256/{hex}"), size, f)?;
                    written.push(hex.clone());
                }
                layer_descs.push(json!({
                    "mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": d, "size": size,
                }));
                layer_paths.push(format!("blobs/sha256/{hex}"));
            }
            if !written.contains(&config_hex) {
                add_bytes(&mut b, &format!("blobs/sha256/{config_hex}"), &config)?;
                written.push(config_hex.clone());
            }
            let manifest = serde_json::to_vec(&json!({
                "schemaVersion": 2,
                "mediaType": MANIFEST_TYPE,
                "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": id, "size": config.len(),
                },
                "layers": layer_descs,
            }))
            .map_err(|e| ImageError::io("encoding manifest", io::Error::other(e)))?;
            let manifest_hex = sha256_hex(&manifest);
            if !written.contains(&manifest_hex) {
                add_bytes(&mut b, &format!("blobs/sha256/{manifest_hex}"), &manifest)?;
                written.push(manifest_hex.clone());
            }
            let image_tags = tags.get(id).cloned().unwrap_or_default();
            let descriptor = |annotations: serde_json::Value| {
                json!({
                    "mediaType": MANIFEST_TYPE,
                    "digest": format!("sha256:{manifest_hex}"),
                    "size": manifest.len(),
                    "annotations": annotations,
                })
            };
            if image_tags.is_empty() {
                index_entries.push(descriptor(json!({})));
            }
            for t in &image_tags {
                let (name, tag) = t.rsplit_once(':').unwrap_or((t, "latest"));
                index_entries.push(descriptor(json!({
                    "io.containerd.image.name": full_name(t),
                    "org.opencontainers.image.ref.name": tag,
                })));
                if let Some(top) = record.diff_ids.last() {
                    repositories
                        .entry(name.to_string())
                        .or_default()
                        .insert(tag.to_string(), top.trim_start_matches("sha256:").into());
                }
            }
            manifest_json.push(json!({
                "Config": format!("blobs/sha256/{config_hex}"),
                "RepoTags": if image_tags.is_empty() { serde_json::Value::Null } else { json!(image_tags) },
                "Layers": layer_paths,
            }));
        }
        let index = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": index_entries,
        });
        add_json(&mut b, "index.json", &index)?;
        add_json(&mut b, "manifest.json", &manifest_json)?;
        add_bytes(&mut b, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        if !repositories.is_empty() {
            add_json(&mut b, "repositories", &repositories)?;
        }
        b.into_inner()
            .and_then(|mut w| w.flush())
            .ctx(|| "writing the archive".into())
    }
}

/// `busybox:latest` → `docker.io/library/busybox:latest`, as containerd names images.
fn full_name(familiar: &str) -> String {
    let first = familiar.split('/').next().unwrap_or("");
    let has_domain = familiar.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_domain {
        familiar.to_string()
    } else if familiar.contains('/') {
        format!("docker.io/{familiar}")
    } else {
        format!("docker.io/library/{familiar}")
    }
}

fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h
}

fn add_dir<W: Write>(b: &mut tar::Builder<W>, path: &str) -> Result<(), ImageError> {
    let mut h = header(tar::EntryType::Directory, 0o755, 0);
    b.append_data(&mut h, path, io::empty())
        .ctx(|| "writing the archive".into())
}

fn add_file<W: Write>(
    b: &mut tar::Builder<W>,
    path: &str,
    size: u64,
    data: impl io::Read,
) -> Result<(), ImageError> {
    let mut h = header(tar::EntryType::Regular, 0o644, size);
    b.append_data(&mut h, path, data)
        .ctx(|| "writing the archive".into())
}

fn add_bytes<W: Write>(b: &mut tar::Builder<W>, path: &str, data: &[u8]) -> Result<(), ImageError> {
    add_file(b, path, data.len() as u64, data)
}

fn add_json<W: Write, T: serde::Serialize>(
    b: &mut tar::Builder<W>,
    path: &str,
    value: &T,
) -> Result<(), ImageError> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| ImageError::io("encoding archive metadata", io::Error::other(e)))?;
    add_bytes(b, path, &bytes)
}
