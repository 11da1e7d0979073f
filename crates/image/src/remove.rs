//! `docker rmi`, with moby's rules: a tag reference untags first and deletes the image only
//! when it was the last reference; an id deletes the image. Containers using the image make
//! it a conflict: a running one always (cannot be forced), a stopped one unless forced.

use crate::error::ImageError;
use crate::fsutil::{remove_tree, sha256_hex};
use crate::reference::{parse_any, Lookup};
use crate::store::{find_id, short_id, ImageStore, State};
use serde::Serialize;

/// One line of rmi's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DeleteItem {
    Untagged(String),
    Deleted(String),
}

/// A container using an image: (container id, running).
pub type ImageUser = (String, bool);

struct Conflict {
    hard: bool,
    used: bool,
    message: String,
}

impl ImageStore {
    /// Removes a reference or an image. `in_use(image_id)` lists the containers using it.
    pub fn remove(
        &self,
        reference: &str,
        force: bool,
        in_use: &dyn Fn(&str) -> Vec<ImageUser>,
    ) -> Result<Vec<DeleteItem>, ImageError> {
        let mut removed_layers: Vec<String> = Vec::new();
        let items = self.change(|state| {
            let id = find_id(state, reference)?;
            let users = in_use(&id);
            let mut records = Vec::new();
            let quiet = if !is_id_prefix(&id, reference) {
                let tags = state.tags_of(&id);
                if !force && tags.len() == 1 {
                    if let Some((c, _)) = users.first() {
                        return Err(ImageError::Conflict(format!(
                            "conflict: unable to remove repository reference \"{reference}\" (must force) - container {} is using its referenced image {}",
                            short_id(c),
                            short_id(&id)
                        )));
                    }
                }
                let key = match parse_any(reference)? {
                    Lookup::Named(r) => r.with_default_tag().tagged_key(),
                    Lookup::Id(i) => i,
                };
                if state.repos.remove(&key).is_none() {
                    return Err(crate::store::not_found(reference));
                }
                records.push(DeleteItem::Untagged(key));
                if !state.tags_of(&id).is_empty() {
                    return Ok(records);
                }
                true
            } else {
                let tags = state.tags_of(&id);
                if tags.len() == 1 {
                    // the single tag goes too, unless a container (a stopped one, when
                    // forcing) keeps the image
                    if let Some(c) = conflict(state, &id, &users, true, false, !force) {
                        return Err(ImageError::Conflict(c.render(&id)));
                    }
                    for t in tags {
                        state.repos.remove(&t);
                        records.push(DeleteItem::Untagged(t));
                    }
                }
                false
            };
            // imageDeleteHelper
            if let Some(c) = conflict(state, &id, &users, true, !force, !force) {
                let dangling = state.tags_of(&id).is_empty();
                if quiet && (!dangling || c.used) {
                    return Ok(records);
                }
                return Err(ImageError::Conflict(c.render(&id)));
            }
            let has_children = state
                .images
                .values()
                .any(|i| i.entry.parent.as_deref() == Some(id.as_str()));
            if has_children {
                if quiet {
                    return Ok(records);
                }
                return Err(ImageError::Conflict(format!(
                    "conflict: unable to delete {} (cannot be forced) - image has dependent child images",
                    short_id(&id)
                )));
            }
            for t in state.tags_of(&id) {
                state.repos.remove(&t);
                records.push(DeleteItem::Untagged(t));
            }
            let Some(img) = state.images.remove(&id) else {
                return Err(crate::store::not_found(reference));
            };
            records.push(DeleteItem::Deleted(id.clone()));
            drop_layers(state, &img.diff_ids, &mut records, &mut removed_layers);
            // untagged parents a build left go too, as moby prunes them, up to the first
            // one that is tagged, has other children, or is used by a container
            let mut parent = img.entry.parent.clone();
            while let Some(p) = parent.take() {
                let keep = !state.images.contains_key(&p)
                    || !state.tags_of(&p).is_empty()
                    || state
                        .images
                        .values()
                        .any(|i| i.entry.parent.as_deref() == Some(p.as_str()))
                    || !in_use(&p).is_empty();
                if keep {
                    break;
                }
                if let Some(pimg) = state.images.remove(&p) {
                    records.push(DeleteItem::Deleted(p.clone()));
                    drop_layers(state, &pimg.diff_ids, &mut records, &mut removed_layers);
                    parent = pimg.entry.parent.clone();
                }
            }
            Ok(records)
        })?;
        // the index no longer names them: a crash from here on leaves garbage open() removes
        for d in removed_layers {
            let path = self.layer_path(&d);
            let doomed = self.root().join("tmp").join(crate::fsutil::random_suffix());
            match std::fs::rename(&path, &doomed) {
                Ok(()) => remove_tree(&doomed),
                Err(_) => remove_tree(&path),
            }
        }
        for item in &items {
            if let DeleteItem::Deleted(id) = item {
                // layer chain ids name no config: removing them is a no-op
                let _ = std::fs::remove_file(
                    self.root()
                        .join("configs")
                        .join(format!("{}.json", id.trim_start_matches("sha256:"))),
                );
            }
        }
        Ok(items)
    }
}

/// Forgets the layers of a deleted image no other image uses (the caller removes their
/// directories once the index is written), recording each by its chain id as moby does.
fn drop_layers(
    state: &mut State,
    diff_ids: &[String],
    records: &mut Vec<DeleteItem>,
    removed_layers: &mut Vec<String>,
) {
    let mut chain = String::new();
    for d in diff_ids {
        chain = if chain.is_empty() {
            d.clone()
        } else {
            format!("sha256:{}", sha256_hex(format!("{chain} {d}").as_bytes()))
        };
        let still_used = state.images.values().any(|i| i.diff_ids.contains(d));
        if !still_used && !removed_layers.contains(d) {
            state.layer_sizes.remove(d);
            removed_layers.push(d.clone());
            records.push(DeleteItem::Deleted(chain.clone()));
        }
    }
}

impl Conflict {
    fn render(&self, id: &str) -> String {
        let force = if self.hard {
            "cannot be forced"
        } else {
            "must be forced"
        };
        format!(
            "conflict: unable to delete {} ({force}) - {}",
            short_id(id),
            self.message
        )
    }
}

/// moby's checkImageDeleteConflict, in its order: running containers (hard), other
/// references, stopped containers.
fn conflict(
    state: &State,
    id: &str,
    users: &[(String, bool)],
    running: bool,
    references: bool,
    stopped: bool,
) -> Option<Conflict> {
    if running {
        if let Some((c, _)) = users.iter().find(|(_, r)| *r) {
            return Some(Conflict {
                hard: true,
                used: true,
                message: format!("image is being used by running container {}", short_id(c)),
            });
        }
    }
    if references && !state.tags_of(id).is_empty() {
        return Some(Conflict {
            hard: false,
            used: false,
            message: "image is referenced in multiple repositories".into(),
        });
    }
    if stopped {
        if let Some((c, _)) = users.iter().find(|(_, r)| !*r) {
            return Some(Conflict {
                hard: false,
                used: true,
                message: format!("image is being used by stopped container {}", short_id(c)),
            });
        }
    }
    None
}

/// moby's isImageIDPrefix: the reference is (a prefix of) the id, with or without `sha256:`.
fn is_id_prefix(id: &str, reference: &str) -> bool {
    let hex = id.trim_start_matches("sha256:");
    id.starts_with(reference) || hex.starts_with(reference)
}
