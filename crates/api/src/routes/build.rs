//! `POST /build`: the classic builder. The context tarball streams from the request into
//! the image store's builder on the blocking pool; its messages stream back as JSON lines
//! (`stream`, `aux`, and `error`/`errorDetail` when a step fails). A failure before any
//! message is an HTTP error, as dockerd answers when nothing has been flushed yet.

use super::image_stream::BodyReader;
use crate::error::HttpResult;
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use berth_engine::Engine;
use berth_image::build::{BuildOptions, Progress, RunStep, StepRunner};
use berth_image::ImageError;
use berth_model::ApiError;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

type Pairs = Vec<(String, String)>;

fn first<'a>(q: &'a Pairs, key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn flag(q: &Pairs, key: &str, default: bool) -> bool {
    match first(q, key) {
        None => default,
        Some(v) => !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "no" | "false" | "none"
        ),
    }
}

fn options(q: &Pairs) -> Result<(BuildOptions, bool), ApiError> {
    let build_args: BTreeMap<String, Option<String>> = match first(q, "buildargs") {
        Some(s) if !s.is_empty() => serde_json::from_str(s)
            .map_err(|e| ApiError::invalid(format!("invalid buildargs: {e}")))?,
        _ => BTreeMap::new(),
    };
    let labels: BTreeMap<String, String> = match first(q, "labels") {
        Some(s) if !s.is_empty() => serde_json::from_str(s)
            .map_err(|e| ApiError::invalid(format!("invalid labels: {e}")))?,
        _ => BTreeMap::new(),
    };
    let opts = BuildOptions {
        tags: q
            .iter()
            .filter(|(k, v)| k == "t" && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect(),
        dockerfile: first(q, "dockerfile").unwrap_or("").to_string(),
        build_args,
        labels,
        no_cache: flag(q, "nocache", false),
        rm: flag(q, "rm", true),
        force_rm: flag(q, "forcerm", false),
        network_mode: first(q, "networkmode").unwrap_or("").to_string(),
        target: first(q, "target").unwrap_or("").to_string(),
    };
    Ok((opts, flag(q, "q", false)))
}

/// The engine as the builder's step runner; remembers the RUN container running now, so a
/// client that goes away can have it stopped.
struct EngineRunner {
    engine: Arc<Engine>,
    running: Arc<Mutex<Option<String>>>,
    /// Set once the client is gone: no further step container is made.
    cancelled: Arc<AtomicBool>,
}

fn to_image(e: ApiError) -> ImageError {
    ImageError::InvalidParameter(e.message)
}

impl StepRunner for EngineRunner {
    fn create(&self, s: &RunStep) -> Result<String, ImageError> {
        if self.cancelled.load(Ordering::SeqCst) {
            return Err(ImageError::InvalidParameter(
                "the build was cancelled: its client went away".into(),
            ));
        }
        self.engine
            .create_build_container(
                &s.image_id,
                s.argv.clone(),
                s.env.clone(),
                &s.working_dir,
                &s.user,
                &s.network_mode,
            )
            .map_err(to_image)
    }
    fn run(&self, id: &str, output: &mut dyn FnMut(&[u8])) -> Result<i64, ImageError> {
        *lock(&self.running) = Some(id.to_string());
        let code = self
            .engine
            .run_build_container(id, output)
            .map_err(to_image);
        *lock(&self.running) = None;
        code
    }
    fn upper_dir(&self, id: &str) -> Result<PathBuf, ImageError> {
        self.engine.container_upper_dir(id).map_err(to_image)
    }
    fn remove(&self, id: &str) {
        if let Err(e) = self.engine.remove_container(id, true) {
            tracing::warn!(container = %id, error = %e.message, "cannot remove a build container");
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sends each message as a JSON line; remembers whether anything went out.
struct Lines {
    tx: mpsc::Sender<Bytes>,
    sent: bool,
    quiet: bool,
}

impl Lines {
    fn send(&mut self, v: Value) {
        let mut b = serde_json::to_vec(&v).unwrap_or_default();
        b.push(b'\n');
        self.sent = true;
        let _ = self.tx.blocking_send(Bytes::from(b));
    }
}

impl Progress for Lines {
    fn stream(&mut self, text: &str) {
        if !self.quiet && !text.is_empty() {
            self.send(json!({ "stream": text }));
        }
    }
    fn aux_id(&mut self, id: &str) {
        self.send(json!({ "aux": { "ID": id } }));
        if self.quiet {
            self.send(json!({ "stream": format!("{id}\n") }));
        }
    }
}

pub async fn build(
    State(s): State<AppState>,
    Query(q): Query<Pairs>,
    body: Body,
) -> HttpResult<Response> {
    let (opts, quiet) = options(&q)?;
    let (tx, mut rx) = mpsc::channel::<Bytes>(64);
    let reader = BodyReader::new(body);
    let images = s.images.clone();
    let running = Arc::new(Mutex::new(None));
    let cancelled = Arc::new(AtomicBool::new(false));
    let runner = EngineRunner {
        engine: s.engine.clone(),
        running: running.clone(),
        cancelled: cancelled.clone(),
    };
    // the response stream holds `gone`: when the client leaves (or the stream ends), the RUN
    // container running then is killed, as dockerd cancels a build whose client went away
    let (gone, client_gone) = tokio::sync::oneshot::channel::<()>();
    let engine = s.engine.clone();
    tokio::spawn(async move {
        let _ = client_gone.await;
        cancelled.store(true, Ordering::SeqCst);
        let id = lock(&running).clone();
        if let Some(id) = id {
            tracing::info!(container = %id, "build client went away; stopping its RUN step");
            let _ = tokio::task::spawn_blocking(move || engine.kill_container(&id, libc::SIGKILL))
                .await;
        }
    });
    let task = tokio::task::spawn_blocking(move || -> Result<(), ApiError> {
        let mut lines = Lines {
            tx,
            sent: false,
            quiet,
        };
        match berth_image::build::build(&images, &runner, reader, &opts, &mut lines) {
            Ok(_) => Ok(()),
            Err(e) if !lines.sent => Err(ApiError::from(e.error)),
            Err(e) => {
                let msg = e.error.to_string();
                let mut detail = json!({ "message": msg });
                if let Some(code) = e.code {
                    detail["code"] = code.into();
                }
                lines.send(json!({ "errorDetail": detail, "error": msg }));
                Ok(())
            }
        }
    });
    let first_line = match rx.recv().await {
        Some(l) => l,
        None => {
            task.await
                .map_err(|e| ApiError::internal(format!("build task failed: {e}")))??;
            Bytes::new()
        }
    };
    let rest = futures::stream::unfold((rx, gone), |(mut rx, gone)| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::io::Error>(b), (rx, gone)))
    });
    let stream = futures::StreamExt::chain(
        futures::stream::once(async move { Ok::<_, std::io::Error>(first_line) }),
        rest,
    );
    let mut res = (StatusCode::OK, Body::from_stream(stream)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(res)
}
