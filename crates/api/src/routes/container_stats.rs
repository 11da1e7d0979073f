//! `GET /containers/{id}/stats` (`docker stats`): Docker's stats JSON, with `precpu_stats` from
//! the sample taken a second before, so the CLI can work out CPU %. `stream=false` waits for
//! that second sample (as dockerd's collector does) unless `one-shot=true`; a stream sends
//! one entry a second until the client goes away or the container stops.

use super::containers::blocking;
use super::json;
use crate::error::HttpResult;
use crate::query::{bool_value, get};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use berth_engine::containers::StatsSample;
use serde_json::{json as j, Value};
use std::collections::HashMap;
use std::time::Duration;

const INTERVAL: Duration = Duration::from_secs(1);

pub async fn stats(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> HttpResult<Response> {
    let stream = get(&q, "stream").is_none_or(|v| !matches!(v, "0" | "false" | "False"));
    let one_shot = bool_value(&q, "one-shot");
    let engine = s.engine.clone();
    let sample = move |id: String| {
        let engine = engine.clone();
        async move { blocking(engine, move |e| e.container_stats(&id)).await }
    };
    let first = sample(id.clone()).await?;
    if !stream {
        if one_shot || !first.running {
            return Ok(json(StatusCode::OK, &entry(&first, None)));
        }
        tokio::time::sleep(INTERVAL).await;
        let second = sample(id.clone()).await?;
        return Ok(json(StatusCode::OK, &entry(&second, Some(&first))));
    }
    let feed = (Some(first), None::<StatsSample>, id, sample);
    let body = Body::from_stream(futures::stream::unfold(
        feed,
        |(next, prev, id, sample)| async move {
            let current = match next {
                Some(n) => n,
                None => {
                    tokio::time::sleep(INTERVAL).await;
                    // The stream ends when the container stops or goes.
                    sample(id.clone()).await.ok().filter(|s| s.running)?
                }
            };
            let mut line = serde_json::to_vec(&entry(&current, prev.as_ref())).ok()?;
            line.push(b'\n');
            Some((
                Ok::<_, std::io::Error>(line),
                (None, Some(current), id, sample),
            ))
        },
    ));
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

fn cpu(s: &StatsSample) -> Value {
    j!({
        "cpu_usage": {
            "total_usage": s.cpu_total,
            "percpu_usage": s.cpu_percpu,
            "usage_in_kernelmode": s.cpu_kernel,
            "usage_in_usermode": s.cpu_user,
        },
        "system_cpu_usage": s.system_cpu,
        "online_cpus": s.online_cpus,
        "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
    })
}

/// One stats entry in dockerd's shape; a container not running reads all zeros.
fn entry(s: &StatsSample, prev: Option<&StatsSample>) -> Value {
    let zero_time = "0001-01-01T00:00:00Z".to_string();
    let time = |t: Option<&StatsSample>| {
        t.filter(|t| t.running).map_or(zero_time.clone(), |t| {
            t.read.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
        })
    };
    let networks: serde_json::Map<String, Value> = s
        .networks
        .iter()
        .map(|(name, n)| {
            (
                name.clone(),
                j!({
                    "rx_bytes": n.rx_bytes, "rx_packets": n.rx_packets,
                    "rx_errors": n.rx_errors, "rx_dropped": n.rx_dropped,
                    "tx_bytes": n.tx_bytes, "tx_packets": n.tx_packets,
                    "tx_errors": n.tx_errors, "tx_dropped": n.tx_dropped,
                }),
            )
        })
        .collect();
    let mut out = j!({
        "name": s.name,
        "id": s.id,
        "read": time(Some(s)),
        "preread": time(prev),
        "pids_stats": {"current": s.pids_current},
        "blkio_stats": {
            "io_service_bytes_recursive": null, "io_serviced_recursive": null,
            "io_queue_recursive": null, "io_service_time_recursive": null,
            "io_wait_time_recursive": null, "io_merged_recursive": null,
            "io_time_recursive": null, "sectors_recursive": null,
        },
        "num_procs": 0,
        "storage_stats": {},
        "cpu_stats": cpu(s),
        "precpu_stats": prev.map_or_else(
            || j!({"cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0},
                   "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}}),
            cpu,
        ),
        "memory_stats": if s.memory_usage > 0 {
            j!({"usage": s.memory_usage, "stats": s.memory_stats, "limit": s.memory_limit})
        } else {
            j!({})
        },
    });
    if let Some(limit) = s.pids_limit {
        out["pids_stats"]["limit"] = j!(limit);
    }
    if !networks.is_empty() {
        out["networks"] = Value::Object(networks);
    }
    out
}
