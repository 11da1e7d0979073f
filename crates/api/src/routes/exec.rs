//! `POST /containers/{id}/exec`, `POST /exec/{id}/start`, `POST /exec/{id}/resize`,
//! `GET /exec/{id}/json`.

use super::containers::blocking;
use super::hijack::{fail_stream, relay, switching_protocols};
use super::json;
use crate::body::read_json;
use crate::error::HttpResult;
use crate::json_obj::Obj;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use berth_engine::containers::ExecRequest;
use std::collections::HashMap;

pub async fn create(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> HttpResult<Response> {
    let value = read_json(&headers, body).await?;
    let o = Obj::new(value.as_ref(), "container.ExecOptions")?;
    let req = ExecRequest {
        cmd: o.string_list("Cmd")?,
        env: o.string_list("Env")?,
        working_dir: o.string("WorkingDir")?,
        user: o.string("User")?,
        tty: o.bool("Tty")?,
        attach_stdin: o.bool("AttachStdin")?,
        attach_stdout: o.bool("AttachStdout")?,
        attach_stderr: o.bool("AttachStderr")?,
        privileged: o.bool("Privileged")?,
    };
    let exec_id = blocking(s.engine.clone(), move |e| e.create_exec(&id, req)).await?;
    Ok(json(
        StatusCode::CREATED,
        &serde_json::json!({"Id": exec_id}),
    ))
}

pub async fn start(
    State(s): State<AppState>,
    Path(exec_id): Path<String>,
    mut req: Request,
) -> HttpResult<Response> {
    let headers = req.headers().clone();
    let on_upgrade = hyper::upgrade::on(&mut req);
    let value = read_json(&headers, std::mem::take(req.body_mut())).await?;
    let o = Obj::new(value.as_ref(), "container.ExecStartOptions")?;
    let detach = o.bool("Detach")?;
    let (resize_tx, resize_rx) = std::sync::mpsc::channel();
    let id = exec_id.clone();
    let started = blocking(s.engine.clone(), move |e| e.start_exec(&id, resize_tx)).await;
    let engine = s.engine.clone();
    let (rec, handle) = match started {
        Ok(v) => v,
        // A command that cannot run: like dockerd, upgrade anyway and report the failure in
        // the stream (the CLI then reads ExitCode 126 from the exec's inspect).
        Err(e) if !detach && e.0.kind == berth_model::ErrorKind::InvalidParameter => {
            let rec = engine.inspect_exec(&exec_id)?;
            let tty = rec.request.tty;
            let message = e.0.message;
            tokio::spawn(async move {
                if let Ok(upgraded) = on_upgrade.await {
                    fail_stream(upgraded, &message, tty).await;
                }
            });
            return Ok(switching_protocols(tty));
        }
        Err(e) => return Err(e),
    };
    if detach {
        tokio::task::spawn_blocking(move || {
            let code = handle.collect().map(|(_, _, c)| c as i64).unwrap_or(-1);
            engine.finish_exec(&exec_id, code);
        });
        return Ok(StatusCode::OK.into_response());
    }
    let tty = rec.request.tty;
    let stdin = rec.request.attach_stdin;
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let (engine2, id2) = (engine.clone(), exec_id.clone());
                let on_exit = Box::new(move |code: Option<i32>| {
                    engine2.finish_exec(&id2, code.map(|c| c as i64).unwrap_or(-1));
                });
                relay(
                    upgraded,
                    handle.output,
                    handle.input,
                    tty,
                    stdin,
                    Some(resize_rx),
                    on_exit,
                )
                .await;
            }
            Err(_) => {
                let code =
                    tokio::task::spawn_blocking(move || handle.collect().ok().map(|(_, _, c)| c))
                        .await
                        .ok()
                        .flatten();
                engine.finish_exec(&exec_id, code.map(|c| c as i64).unwrap_or(-1));
            }
        }
    });
    Ok(switching_protocols(tty))
}

pub async fn inspect(
    State(s): State<AppState>,
    Path(exec_id): Path<String>,
) -> HttpResult<Response> {
    let r = s.engine.inspect_exec(&exec_id)?;
    let q = &r.request;
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({
            "CanRemove": false,
            "ContainerID": r.container_id,
            "DetachKeys": "",
            "ExitCode": r.exit_code,
            "ID": r.id,
            "OpenStderr": q.attach_stderr,
            "OpenStdin": q.attach_stdin,
            "OpenStdout": q.attach_stdout,
            "ProcessConfig": {
                "arguments": q.cmd.iter().skip(1).collect::<Vec<_>>(),
                "entrypoint": q.cmd.first().cloned().unwrap_or_default(),
                "privileged": q.privileged,
                "tty": q.tty,
                "user": q.user,
            },
            "Running": r.running,
            "Pid": r.pid,
        }),
    ))
}

pub async fn resize(
    State(s): State<AppState>,
    Path(exec_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> HttpResult<Response> {
    let (h, w) = super::container_attach::parse_size(&q)?;
    s.engine.resize_exec(&exec_id, h, w)?;
    Ok(StatusCode::OK.into_response())
}
