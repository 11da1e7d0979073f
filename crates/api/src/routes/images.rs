//! `/images` handlers: import, load, list, inspect, tag, remove and save. Store work runs on
//! the blocking pool; tarballs stream between the connection and the store.
//!
//! Image names may hold `/` (`library/busybox:latest`), so everything below `/images/` that
//! is not one of the fixed routes goes through one catch-all route and is split by suffix:
//! `{name}/json`, `{name}/get`, `{name}/tag`, and `{name}` itself for DELETE.

use super::image_events;
use super::image_stream::{BodyReader, BodyWriter};
use super::json;
use crate::error::{HttpError, HttpResult};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use berth_image::{DeleteItem, ImageRecord, ImageStore};
use berth_model::filters::Filters;
use berth_model::ApiError;
use serde_json::{json as j, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

type Pairs = Vec<(String, String)>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/images/json", get(list))
        .route("/images/create", post(create))
        .route("/images/load", post(load))
        .route("/images/get", get(save_many))
        .route(
            "/images/{*rest}",
            get(get_by_name).post(post_by_name).delete(remove),
        )
}

fn first<'a>(q: &'a Pairs, key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn all<'a>(q: &'a Pairs, key: &str) -> Vec<&'a str> {
    q.iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn bool_param(q: &Pairs, key: &str) -> bool {
    first(q, key).is_some_and(|v| {
        !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "no" | "false" | "none"
        )
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("image task failed: {e}")))?
}

fn json_lines(lines: &[Value]) -> Response {
    let mut body = Vec::new();
    for l in lines {
        if let Ok(b) = serde_json::to_vec(l) {
            body.extend_from_slice(&b);
            body.push(b'\n');
        }
    }
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// POST /images/create?fromSrc=-&repo=&tag=&message=&changes=  (import; pulling needs a
/// registry, which berth does not reach)
async fn create(
    State(s): State<AppState>,
    Query(q): Query<Pairs>,
    body: Body,
) -> HttpResult<Response> {
    match first(&q, "fromSrc") {
        Some("-") => {}
        Some(src) => {
            return Err(ApiError::not_implemented(format!(
                "importing from {src} is not supported by berth: send the tarball in the request body (fromSrc=-)"
            ))
            .into())
        }
        None => {
            let image = first(&q, "fromImage").unwrap_or("");
            return Err(ApiError::not_implemented(format!(
                "pulling images is not supported by berth (no registry access): {image}; use load or import"
            ))
            .into());
        }
    }
    let repo = first(&q, "repo").unwrap_or("").to_string();
    let tag = first(&q, "tag").unwrap_or("").to_string();
    let reference = match (repo.is_empty(), tag.is_empty()) {
        (true, _) => None,
        (false, true) => Some(repo),
        (false, false) => Some(format!("{repo}:{tag}")),
    };
    let changes: Vec<String> = all(&q, "changes").into_iter().map(String::from).collect();
    let message = first(&q, "message").unwrap_or("").to_string();
    let reader = BodyReader::new(body);
    let images = s.images.clone();
    let engine = s.engine.clone();
    let id = blocking(move || {
        let id = images
            .import(reader, reference.as_deref(), &changes, &message)
            .map_err(ApiError::from)?;
        image_events::imported(&engine, &id, reference.as_deref());
        Ok(id)
    })
    .await?;
    Ok(json_lines(&[j!({ "status": id })]))
}

/// POST /images/load?quiet=
async fn load(State(s): State<AppState>, body: Body) -> HttpResult<Response> {
    let reader = BodyReader::new(body);
    let images = s.images.clone();
    let engine = s.engine.clone();
    let lines = blocking(move || {
        let lines = images.load(reader).map_err(ApiError::from)?;
        image_events::loaded(&engine, &images, &lines);
        Ok(lines)
    })
    .await?;
    let out: Vec<Value> = lines
        .iter()
        .map(|l| j!({ "stream": format!("{l}\n") }))
        .collect();
    Ok(json_lines(&out))
}

/// GET /images/json?all=&filters=
async fn list(State(s): State<AppState>, Query(q): Query<Pairs>) -> HttpResult<Response> {
    let filters = Filters::parse(first(&q, "filters"))?;
    filters.validate(&["dangling", "reference", "label", "before", "since", "until"])?;
    let images = s.images.clone();
    let all_images = blocking(move || Ok(images.list())).await?;
    let bound = |key: &str| -> Result<Option<String>, ApiError> {
        match filters.get(key).first() {
            None => Ok(None),
            Some(r) => Ok(Some(created_of(&s.images, r)?)),
        }
    };
    let before = bound("before")?;
    let since = bound("since")?;
    let dangling = match filters.get("dangling").first().map(String::as_str) {
        None => None,
        Some("true") | Some("1") => Some(true),
        Some("false") | Some("0") => Some(false),
        Some(v) => {
            return Err(ApiError::invalid(format!("Invalid filter 'dangling=[{v}]'")).into())
        }
    };
    let refs = filters.get("reference");
    // untagged images with children are a build's intermediate steps: shown with all=1 only
    let parents: std::collections::BTreeSet<&str> = all_images
        .iter()
        .filter_map(|i| i.parent.as_deref())
        .collect();
    let show_all = bool_param(&q, "all");
    let out: Vec<Value> = all_images
        .iter()
        .filter(|i| show_all || !i.repo_tags.is_empty() || !parents.contains(i.id.as_str()))
        .filter(|i| dangling.is_none_or(|d| d == i.repo_tags.is_empty()))
        .filter(|i| filters.match_labels("label", &labels_of(i)))
        .filter(|i| before.as_ref().is_none_or(|b| created(i) < *b))
        .filter(|i| since.as_ref().is_none_or(|b| created(i) > *b))
        .filter_map(|i| {
            if refs.is_empty() {
                return Some(summary(i, &i.repo_tags));
            }
            let tags: Vec<String> = i
                .repo_tags
                .iter()
                .filter(|t| refs.iter().any(|p| reference_matches(p, t)))
                .cloned()
                .collect();
            (!tags.is_empty()).then(|| summary(i, &tags))
        })
        .collect();
    Ok(json(StatusCode::OK, &out))
}

fn created(i: &ImageRecord) -> String {
    i.config_file.created.clone().unwrap_or_default()
}

fn created_of(store: &ImageStore, reference: &str) -> Result<String, ApiError> {
    Ok(created(&store.resolve(reference)?))
}

fn labels_of(i: &ImageRecord) -> BTreeMap<String, String> {
    i.config.labels.clone().unwrap_or_default()
}

/// Docker's reference filter: a glob on the familiar `name:tag`, or on the name alone when
/// the pattern has no tag.
fn reference_matches(pattern: &str, tag: &str) -> bool {
    let (name, _) = tag.rsplit_once(':').unwrap_or((tag, ""));
    let pattern_has_tag = pattern
        .rsplit_once('/')
        .map(|(_, last)| last)
        .unwrap_or(pattern)
        .contains(':');
    if pattern_has_tag {
        glob(pattern, tag)
    } else {
        glob(pattern, name)
    }
}

/// Go's path.Match subset: `*` (not across `/`), `?`, literal characters.
fn glob(p: &str, s: &str) -> bool {
    let (p, s) = (p.as_bytes(), s.as_bytes());
    fn rec(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != b'/')
                .any(|i| rec(&p[1..], &s[i..])),
            Some(b'?') => !s.is_empty() && s[0] != b'/' && rec(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && rec(&p[1..], &s[1..]),
        }
    }
    rec(p, s)
}

fn unix_created(i: &ImageRecord) -> i64 {
    i.config_file
        .created
        .as_deref()
        .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

/// ImageSummary (Engine API 1.50).
fn summary(i: &ImageRecord, tags: &[String]) -> Value {
    j!({
        "Containers": -1,
        "Created": unix_created(i),
        "Id": i.id,
        "Labels": i.config.labels,
        "ParentId": i.parent.clone().unwrap_or_default(),
        "RepoDigests": i.repo_digests,
        "RepoTags": tags,
        "SharedSize": -1,
        "Size": i.size,
    })
}

/// ImageInspect (Engine API 1.50).
fn inspect_json(store: &ImageStore, i: &ImageRecord) -> Value {
    let layers = store.layer_dirs(&i.id).unwrap_or_default();
    let lower = layers
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(":");
    let f = &i.config_file;
    let mut v = j!({
        "Id": i.id,
        "RepoTags": i.repo_tags,
        "RepoDigests": i.repo_digests,
        "Parent": i.parent.clone().unwrap_or_default(),
        "Comment": f.comment,
        "Created": f.created.clone().unwrap_or_default(),
        "DockerVersion": f.docker_version,
        "Author": f.author,
        "Config": i.config,
        "Architecture": f.architecture,
        "Os": f.os,
        "Size": i.size,
        "GraphDriver": { "Data": { "LowerDir": lower }, "Name": "overlay" },
        "RootFS": { "Type": "layers", "Layers": i.diff_ids },
        "Metadata": {
            "LastTagTime": i.last_tag_time.clone().unwrap_or_else(|| "0001-01-01T00:00:00Z".into())
        },
    });
    if !f.variant.is_empty() {
        v["Variant"] = j!(f.variant);
    }
    v
}

/// GET /images/{name}/json and GET /images/{name}/get
async fn get_by_name(State(s): State<AppState>, Path(rest): Path<String>) -> HttpResult<Response> {
    if let Some(name) = rest.strip_suffix("/json") {
        let images = s.images.clone();
        let name = name.to_string();
        let v = blocking(move || {
            let rec = images.resolve(&name)?;
            Ok(inspect_json(&images, &rec))
        })
        .await?;
        return Ok(json(StatusCode::OK, &v));
    }
    if let Some(name) = rest.strip_suffix("/get") {
        return save(s.images.clone(), vec![name.to_string()]).await;
    }
    if let Some(name) = rest.strip_suffix("/history") {
        let images = s.images.clone();
        let name = name.to_string();
        let items = blocking(move || images.history(&name).map_err(ApiError::from)).await?;
        return Ok(json(StatusCode::OK, &items));
    }
    Err(unknown("GET", &rest))
}

/// Paths under /images/ berth does not serve (history, push, ...).
fn unknown(method: &str, rest: &str) -> HttpError {
    HttpError(ApiError::not_implemented(format!(
        "berth does not implement {method} /images/{rest} yet"
    )))
}

/// POST /images/{name}/tag?repo=&tag=
async fn post_by_name(
    State(s): State<AppState>,
    Path(rest): Path<String>,
    Query(q): Query<Pairs>,
) -> HttpResult<Response> {
    let Some(name) = rest.strip_suffix("/tag") else {
        return Err(unknown("POST", &rest));
    };
    let repo = first(&q, "repo").unwrap_or("").to_string();
    if repo.is_empty() {
        return Err(ApiError::invalid("repo is a required parameter").into());
    }
    let tag = first(&q, "tag").map(String::from);
    let images = s.images.clone();
    let name = name.to_string();
    let engine = s.engine.clone();
    blocking(move || {
        images
            .tag(&name, &repo, tag.as_deref())
            .map_err(ApiError::from)?;
        image_events::tagged_as(&engine, &images, &repo, tag.as_deref());
        Ok(())
    })
    .await?;
    Ok(StatusCode::CREATED.into_response())
}

/// DELETE /images/{name}?force=&noprune=
async fn remove(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<Pairs>,
) -> HttpResult<Response> {
    let force = bool_param(&q, "force");
    let images = s.images.clone();
    let engine = s.engine.clone();
    let items: Vec<DeleteItem> = blocking(move || {
        let in_use = |id: &str| engine.containers_using_image(id);
        let id = images.resolve(&name).map(|r| r.id).ok();
        let items = images
            .remove(&name, force, &in_use)
            .map_err(ApiError::from)?;
        if let Some(id) = id {
            image_events::removed(&engine, &id, &items);
        }
        Ok(items)
    })
    .await?;
    Ok(json(StatusCode::OK, &items))
}

/// GET /images/get?names=a&names=b
async fn save_many(State(s): State<AppState>, Query(q): Query<Pairs>) -> HttpResult<Response> {
    let names: Vec<String> = all(&q, "names")
        .into_iter()
        .flat_map(|n| n.split(','))
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect();
    save(s.images.clone(), names).await
}

/// Streams the archive; names are resolved first so a missing image is a 404, not a broken
/// download.
async fn save(images: Arc<ImageStore>, names: Vec<String>) -> HttpResult<Response> {
    let check = images.clone();
    let checked = names.clone();
    blocking(move || {
        for n in &checked {
            check.resolve(n)?;
        }
        Ok(())
    })
    .await?;
    let (mut writer, body) = BodyWriter::new();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = images.save(&names, &mut writer) {
            tracing::warn!(error = %e, "image save failed midway");
            writer.fail(e.to_string());
        }
    });
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-tar"),
    );
    Ok(res)
}

impl From<berth_image::ImageError> for HttpError {
    fn from(e: berth_image::ImageError) -> Self {
        HttpError(e.into())
    }
}
