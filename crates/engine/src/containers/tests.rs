//! The container state machine against fake images and a fake runtime whose processes exit
//! when the test (or a signal) says so.

use super::deps::*;
use super::query::WaitCondition;
use super::ContainerDeps;
use crate::{Engine, EngineConfig};
use berth_model::container::create::ImageDefaults;
use berth_model::container::{CreateContainer, NetworkMode, RestartPolicy, Status};
use berth_model::{ApiError, ErrorKind};
use berth_netsys::RecordingKernel;
use berth_store::Store;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};

struct FakeImages;

impl Images for FakeImages {
    fn resolve(&self, reference: &str) -> Result<ResolvedImage, ApiError> {
        match reference {
            "busybox" | "busybox:latest" => Ok(ResolvedImage {
                id: format!("sha256:{}", "a".repeat(64)),
                defaults: ImageDefaults {
                    cmd: Some(vec!["sh".into()]),
                    ..Default::default()
                },
            }),
            other => Err(ApiError::not_found(format!("No such image: {other}"))),
        }
    }
    fn mount_rootfs(&self, _: &str, _: &Path, _: &Path, _: &Path) -> Result<(), ApiError> {
        Ok(())
    }
    fn unmount_rootfs(&self, _: &Path) -> Result<(), ApiError> {
        Ok(())
    }
}

/// Processes that run until `exit` is called or a signal ends them. A process whose argv
/// contains "ignore-term" ignores SIGTERM, like `sleep` as PID 1.
#[derive(Default)]
struct FakeRuntime {
    procs: Mutex<HashMap<String, (Option<i64>, bool)>>,
    changed: Condvar,
    starts: Mutex<Vec<String>>,
    created: Mutex<HashMap<String, bool>>,
}

impl FakeRuntime {
    fn exit(&self, id: &str, code: i64) {
        let mut p = self.procs.lock().unwrap();
        if let Some(e) = p.get_mut(id) {
            e.0 = Some(code);
        }
        self.changed.notify_all();
    }
}

impl Runtime for FakeRuntime {
    fn create(&self, spec: &RunSpec) -> Result<(), ApiError> {
        if spec.argv.first().map(String::as_str) == Some("nosuch") {
            return Err(ApiError::internal(
                "exec: \"nosuch\": executable file not found in $PATH",
            ));
        }
        let ignore_term = spec.argv.iter().any(|a| a == "ignore-term");
        self.created
            .lock()
            .unwrap()
            .insert(spec.id.clone(), ignore_term);
        Ok(())
    }
    fn start_created(&self, id: &str) -> Result<Started, ApiError> {
        let ignore_term = self.created.lock().unwrap().remove(id).unwrap_or(false);
        self.procs
            .lock()
            .unwrap()
            .insert(id.to_string(), (None, ignore_term));
        self.starts.lock().unwrap().push(id.to_string());
        Ok(Started {
            pid: 4242,
            monitor_pid: 4241,
        })
    }
    fn attach(&self, _: &str, _: bool, _: bool, _: bool) -> Result<Attachment, ApiError> {
        Err(ApiError::not_implemented("fake"))
    }
    fn resize(&self, _: &str, _: u16, _: u16) -> Result<(), ApiError> {
        Ok(())
    }
    fn exec(&self, _: &str, _: &ExecSpec) -> Result<ExecHandle, ApiError> {
        Err(ApiError::not_implemented("fake"))
    }
    fn top(&self, _: &str, _: &str) -> Result<Top, ApiError> {
        Err(ApiError::not_implemented("fake"))
    }
    fn signal(&self, id: &str, _: &Path, signal: i32) -> Result<(), ApiError> {
        let mut p = self.procs.lock().unwrap();
        let e = p
            .get_mut(id)
            .ok_or_else(|| ApiError::internal("no process"))?;
        if signal == libc::SIGKILL || (signal == libc::SIGTERM && !e.1) {
            e.0 = Some(128 + signal as i64);
        }
        self.changed.notify_all();
        Ok(())
    }
    fn wait_exit(&self, id: &str, _: &Path) -> Result<Exited, ApiError> {
        let mut p = self.procs.lock().unwrap();
        loop {
            if let Some((Some(code), _)) = p.get(id) {
                let code = *code;
                p.remove(id);
                return Ok(Exited {
                    code,
                    at: SystemTime::now(),
                    oom_killed: false,
                });
            }
            p = self.changed.wait(p).unwrap();
        }
    }
    fn recover(&self, id: &str, _: &Path) -> Result<Option<Exited>, ApiError> {
        Ok(match self.procs.lock().unwrap().get(id) {
            Some((None, _)) => None,
            _ => Some(Exited {
                code: 3,
                at: SystemTime::now(),
                oom_killed: false,
            }),
        })
    }
    fn delete(&self, _: &str, _: &Path) -> Result<(), ApiError> {
        Ok(())
    }
}

struct Env {
    engine: Arc<Engine>,
    runtime: Arc<FakeRuntime>,
    kernel: Arc<RecordingKernel>,
    _dir: tempfile::TempDir,
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let kernel = Arc::new(RecordingKernel::new());
    let store = Store::open(&dir.path().join("state.redb")).unwrap();
    let engine = Arc::new(Engine::start(EngineConfig::default(), store, kernel.clone()).unwrap());
    let runtime = Arc::new(FakeRuntime::default());
    engine
        .enable_containers(ContainerDeps {
            images: Arc::new(FakeImages),
            runtime: runtime.clone(),
            data_root: dir.path().join("data"),
            exec_root: dir.path().join("run"),
        })
        .unwrap();
    Env {
        engine,
        runtime,
        kernel,
        _dir: dir,
    }
}

fn req(name: &str, mode: NetworkMode) -> CreateContainer {
    let mut r = CreateContainer {
        name: Some(name.into()),
        image: "busybox".into(),
        ..Default::default()
    };
    r.host.network_mode = mode;
    r
}

#[test]
fn create_start_exit_and_remove() {
    let e = env();
    let id = e
        .engine
        .create_container(req("web", NetworkMode::None))
        .unwrap()
        .id;
    let c = e.engine.inspect_container("web").unwrap();
    assert_eq!(c.state.status, Status::Created);
    assert_eq!(c.hostname, &id[..12]);
    assert!(e.engine.start_container("web").unwrap());
    assert!(
        !e.engine.start_container("web").unwrap(),
        "second start is a no-op (304)"
    );
    assert!(e
        .kernel
        .ops()
        .iter()
        .any(|o| o.starts_with("create_sandbox")));
    e.runtime.exit(&id, 42);
    assert_eq!(
        e.engine
            .wait_container(
                "web",
                WaitCondition::NotRunning,
                Some(Duration::from_secs(5)),
                None
            )
            .unwrap(),
        42
    );
    let c = e.engine.inspect_container(&id[..6]).unwrap();
    assert_eq!(c.state.status, Status::Exited);
    assert_eq!(c.state.exit_code, 42);
    assert!(e
        .kernel
        .ops()
        .iter()
        .any(|o| o.starts_with("delete_sandbox")));
    e.engine.remove_container("web", false).unwrap();
    assert_eq!(
        e.engine.inspect_container("web").unwrap_err().message,
        "No such container: web"
    );
}

#[test]
fn names_conflict_and_a_missing_network_fails_at_start() {
    let e = env();
    let id = e
        .engine
        .create_container(req("dup", NetworkMode::None))
        .unwrap()
        .id;
    let err = e
        .engine
        .create_container(req("dup", NetworkMode::Host))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert!(err
        .message
        .contains(&format!("\"/dup\" is already in use by container \"{id}\"")));
    // Docker looks the network up at start, not at create
    e.engine
        .create_container(req("bb", NetworkMode::Network("nosuch".into())))
        .unwrap();
    let err = e.engine.start_container("bb").unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(err.message, "network nosuch not found");
    let err = e
        .engine
        .create_container(CreateContainer {
            image: "nosuch".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.message, "No such image: nosuch");
}

#[test]
fn stop_escalates_to_sigkill_and_rm_refuses_running() {
    let e = env();
    let mut r = req("stubborn", NetworkMode::None);
    r.cmd = Some(vec!["sleep".into(), "ignore-term".into()]);
    e.engine.create_container(r).unwrap();
    e.engine.start_container("stubborn").unwrap();
    let err = e.engine.remove_container("stubborn", false).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert!(e
        .engine
        .stop_container("stubborn", Some(Duration::from_millis(100)), None)
        .unwrap());
    let c = e.engine.inspect_container("stubborn").unwrap();
    assert_eq!(c.state.exit_code, 137);
    assert!(
        !e.engine.stop_container("stubborn", None, None).unwrap(),
        "stop of a stopped container is a no-op"
    );
}

#[test]
fn container_mode_needs_a_running_target() {
    let e = env();
    e.engine
        .create_container(req("db", NetworkMode::None))
        .unwrap();
    let c = e
        .engine
        .create_container(req("app", NetworkMode::Container("db".into())))
        .unwrap();
    let err = e.engine.start_container("app").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict);
    e.engine.start_container("db").unwrap();
    e.engine.start_container(&c.id).unwrap();
    let app = e.engine.inspect_container("app").unwrap();
    let db = e.engine.inspect_container("db").unwrap();
    assert_eq!(app.hostname, db.hostname);
    // Like Docker, the target is looked up at start, not at create.
    e.engine
        .create_container(req("xx", NetworkMode::Container("nosuch".into())))
        .unwrap();
    let err = e.engine.start_container("xx").unwrap_err();
    assert_eq!(err.message, "No such container: nosuch");
}

#[test]
fn missing_command_is_recorded_like_docker() {
    let e = env();
    let mut r = req("broken", NetworkMode::None);
    r.cmd = Some(vec!["nosuch".into()]);
    e.engine.create_container(r).unwrap();
    assert!(e.engine.start_container("broken").is_err());
    let c = e.engine.inspect_container("broken").unwrap();
    assert_eq!(c.state.status, Status::Created);
    assert_eq!(c.state.exit_code, 127);
    assert!(c.state.error.contains("executable file not found"));
}

#[test]
fn on_failure_restarts_until_the_limit() {
    let e = env();
    let mut r = req("flaky", NetworkMode::None);
    r.host.restart_policy = RestartPolicy::OnFailure { max_retries: 2 };
    let id = e.engine.create_container(r).unwrap().id;
    e.engine.start_container("flaky").unwrap();
    for _ in 0..3 {
        // wait for the (re)started process, then fail it
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        // a live process not yet told to exit (the last one may still await its waiter)
        while !matches!(e.runtime.procs.lock().unwrap().get(&id), Some((None, _))) {
            assert!(std::time::Instant::now() < deadline, "not restarted");
            std::thread::sleep(Duration::from_millis(10));
        }
        e.runtime.exit(&id, 1);
    }
    // the third exit is final: wait for it to be recorded, however slow the machine
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let c = loop {
        let c = e.engine.inspect_container("flaky").unwrap();
        if (c.state.restart_count == 2 && c.state.status == Status::Exited)
            || std::time::Instant::now() > deadline
        {
            break c;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(c.state.restart_count, 2);
    assert_eq!(c.state.status, Status::Exited);
    assert_eq!(e.runtime.starts.lock().unwrap().len(), 3);
}

#[test]
fn auto_remove_removes_after_exit() {
    let e = env();
    let mut r = req("tmp", NetworkMode::Host);
    r.host.auto_remove = true;
    let id = e.engine.create_container(r).unwrap().id;
    e.engine.start_container("tmp").unwrap();
    e.runtime.exit(&id, 0);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while e.engine.inspect_container(&id).is_ok() {
        assert!(std::time::Instant::now() < deadline, "--rm did not remove");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[path = "endpoint_tests.rs"]
mod endpoint_tests;

#[path = "firewall_tests.rs"]
mod firewall_tests;

#[path = "ports_tests.rs"]
mod ports_tests;
/// Every event published since `sub` was taken, as `Type Action`.
fn drain(
    sub: &mut crate::events::Subscription,
) -> Vec<(String, std::collections::BTreeMap<String, String>)> {
    let mut out = Vec::new();
    while let Ok(ev) = sub.live.try_recv() {
        out.push((format!("{} {}", ev.kind.as_str(), ev.action), ev.attributes));
    }
    out
}

#[test]
fn events_follow_the_lifecycle_and_an_exit_dies_once() {
    let e = env();
    let mut sub = e.engine.events().subscribe(None, None, &Default::default());
    let id = e
        .engine
        .create_container(req("web", NetworkMode::None))
        .unwrap()
        .id;
    e.engine.start_container("web").unwrap();
    e.runtime.exit(&id, 42);
    e.engine
        .wait_container(
            "web",
            WaitCondition::NotRunning,
            Some(Duration::from_secs(5)),
            None,
        )
        .unwrap();
    // a stop of a stopped container changes nothing and announces nothing
    assert!(!e.engine.stop_container("web", None, None).unwrap());
    e.engine.remove_container("web", false).unwrap();
    let events = drain(&mut sub);
    let actions: Vec<&str> = events.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "container create",
            "network connect",
            "container start",
            "container die",
            "network disconnect",
            "container destroy"
        ]
    );
    assert_eq!(events[3].1["exitCode"], "42");
    assert_eq!(events[3].1["name"], "web");
    assert_eq!(events[1].1["name"], "none");
    assert_eq!(events[1].1["type"], "null");
    assert_eq!(events[1].1["container"], id);
}

#[test]
fn a_stop_that_escalates_announces_both_signals() {
    let e = env();
    let mut r = req("stubborn", NetworkMode::None);
    r.cmd = Some(vec!["sleep".into(), "ignore-term".into()]);
    e.engine.create_container(r).unwrap();
    e.engine.start_container("stubborn").unwrap();
    let mut sub = e.engine.events().subscribe(None, None, &Default::default());
    assert!(e.engine.remove_container("stubborn", false).is_err());
    e.engine
        .stop_container("stubborn", Some(Duration::from_millis(100)), None)
        .unwrap();
    let events = drain(&mut sub);
    let summary: Vec<String> = events
        .iter()
        .filter(|(a, _)| a.starts_with("container"))
        .map(|(a, attrs)| {
            let detail = attrs
                .get("signal")
                .or_else(|| attrs.get("exitCode"))
                .cloned()
                .unwrap_or_default();
            format!("{a} {detail}").trim().to_string()
        })
        .collect();
    assert_eq!(
        summary,
        [
            "container kill 15",
            "container kill 9",
            "container die 137",
            "container stop"
        ]
    );
}
