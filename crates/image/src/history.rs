//! `docker history`: the config's history entries, newest first, each with the size of its
//! layer (0 for the empty ones), and the ids of the image and its build parents on the
//! newest entries as far as the parent chain goes (`<missing>` below), as moby fills them.

use crate::store::{find_id, ImageStore};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HistoryItem {
    pub id: String,
    pub created: i64,
    pub created_by: String,
    pub tags: Vec<String>,
    pub size: u64,
    pub comment: String,
}

impl ImageStore {
    pub fn history(&self, reference: &str) -> Result<Vec<HistoryItem>, crate::ImageError> {
        let state = self.read_state();
        let id = find_id(&state, reference)?;
        let img = &state.images[&id];
        let entries = img.config_file.history.clone().unwrap_or_default();
        let mut layer = 0;
        let mut out = Vec::new();
        for h in &entries {
            let empty = h["empty_layer"].as_bool().unwrap_or(false);
            let size = if empty {
                0
            } else {
                let s = img
                    .diff_ids
                    .get(layer)
                    .and_then(|d| state.layer_sizes.get(d))
                    .copied()
                    .unwrap_or(0);
                layer += 1;
                s
            };
            let created = h["created"]
                .as_str()
                .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
                .map(|t| t.timestamp())
                .unwrap_or(0);
            out.push(HistoryItem {
                id: "<missing>".into(),
                created,
                created_by: h["created_by"].as_str().unwrap_or("").to_string(),
                tags: Vec::new(),
                size,
                comment: h["comment"].as_str().unwrap_or("").to_string(),
            });
        }
        out.reverse();
        let mut current = Some(id);
        for item in out.iter_mut() {
            let Some(cid) = current.take() else { break };
            let Some(cimg) = state.images.get(&cid) else {
                break;
            };
            item.tags = state.tags_of(&cid);
            item.id = cid;
            current = cimg.entry.parent.clone();
        }
        Ok(out)
    }
}
