//! `GET /events`: the engine's events as a stream of JSON lines. With `since` or `until` the
//! ring's past events come first; with `until` the stream ends at that time (at once, after
//! the replay, when it is already past); otherwise it runs until the client goes away.

use crate::error::HttpResult;
use crate::query::get;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use berth_engine::events::now_nano;
use berth_model::events::{parse_timestamp, Event, EventFilter};
use berth_model::filters::Filters;
use berth_model::ApiError;
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::{error::RecvError, Receiver};
use tokio::sync::watch;
use tokio::time::Instant;

struct Feed {
    replay: VecDeque<Event>,
    live: Receiver<Event>,
    closed: watch::Receiver<bool>,
    filter: EventFilter,
    /// `until` in nanoseconds and as a deadline on the clock; none for an open stream.
    until: Option<(i64, Instant)>,
    only_past: bool,
}

impl Drop for Feed {
    fn drop(&mut self) {
        tracing::debug!("events subscriber gone");
    }
}

pub async fn stream(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> HttpResult<Response> {
    let since_raw = get(&q, "since").unwrap_or("");
    let until_raw = get(&q, "until").unwrap_or("");
    let since = event_time(since_raw)?;
    let until = event_time(until_raw)?;
    let now = now_nano();
    let mut only_past = false;
    let mut deadline = None;
    if let Some(u) = until {
        if since.is_some_and(|s| u < s) {
            return Err(ApiError::invalid(format!(
                "`since` time ({since_raw}) cannot be after `until` time ({until_raw})"
            ))
            .into());
        }
        only_past = u < now;
        let wait = Duration::from_nanos(u.saturating_sub(now).max(0) as u64);
        // an `until` beyond what the clock can hold is as good as none
        deadline = Instant::now().checked_add(wait).map(|at| (u, at));
    }
    let filter = EventFilter::new(Filters::parse(get(&q, "filters"))?);
    let sub = s.engine.events().subscribe(since, until, &filter);
    tracing::debug!(replay = sub.replay.len(), "events subscriber");
    let feed = Feed {
        replay: sub.replay.into(),
        live: sub.live,
        closed: sub.closed,
        filter,
        until: deadline,
        only_past,
    };
    let body = Body::from_stream(futures::stream::unfold(feed, |mut feed| async move {
        let event = next(&mut feed).await?;
        let mut line = serde_json::to_vec(&event.to_wire()).unwrap_or_default();
        line.push(b'\n');
        Some((Ok::<_, Infallible>(line), feed))
    }));
    let mut res = Response::new(body);
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(res)
}

/// The next event for this subscriber; `None` ends the stream.
async fn next(feed: &mut Feed) -> Option<Event> {
    if let Some(e) = feed.replay.pop_front() {
        return Some(e);
    }
    if feed.only_past {
        return None;
    }
    loop {
        let deadline = async {
            match feed.until {
                Some((_, at)) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let received = tokio::select! {
            r = feed.live.recv() => r,
            () = deadline => return None,
            _ = feed.closed.wait_for(|closed| *closed) => return None,
        };
        match received {
            Ok(e) => {
                if feed.until.is_some_and(|(u, _)| e.time_nano > u) {
                    return None;
                }
                if feed.filter.include(&e) {
                    return Some(e);
                }
            }
            Err(RecvError::Lagged(lost)) => {
                tracing::warn!(
                    lost,
                    "an events subscriber fell behind; its oldest events were dropped"
                );
            }
            Err(RecvError::Closed) => return None,
        }
    }
}

/// dockerd takes Unix seconds with an optional fraction; RFC 3339 is taken too, so a client
/// that sends what it was given still works.
fn event_time(raw: &str) -> Result<Option<i64>, ApiError> {
    match parse_timestamp(raw) {
        Ok(t) => Ok(t),
        Err(e) => chrono::DateTime::parse_from_rfc3339(raw)
            .ok()
            .and_then(|t| t.timestamp_nanos_opt())
            .map(Some)
            .ok_or(e),
    }
}
