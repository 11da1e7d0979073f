//! `berth daemon`: opens the store (refusing a data root another daemon holds), reconciles
//! the kernel, and serves the API on a unix socket until SIGTERM or SIGINT.

mod firewall_watchdog;
mod host_info;
mod images_adapter;
mod lock;
mod options;
mod runtime_adapter;
mod socket;

use berth_api::AppState;
use berth_engine::containers::ContainerDeps;
use berth_engine::{Engine, EngineConfig};
use berth_model::ipam::DefaultPools;
use berth_netsys::{Kernel, Netlink};
use berth_store::Store;
use options::DaemonOptions;
use std::path::Path;
use std::sync::Arc;

pub fn main(args: &[String]) -> i32 {
    let opts = match options::parse(args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    init_logging(&opts.log_level);
    match run(opts) {
        Ok(()) => 0,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("berth daemon: {e}");
            1
        }
    }
}

fn init_logging(level: &str) {
    let level = match level {
        "fatal" => "error",
        other => other,
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("BERTH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// A unix socket path holds at most 107 bytes (sun_path less its NUL); each container's
/// monitor listens at `<exec-root>/containers/<64 hex>/monitor.sock`, so a long exec root
/// would fail every start. Refuse it up front, with the limit in the message.
fn check_exec_root_length(exec_root: &std::path::Path) -> Result<(), String> {
    const SUN_PATH_MAX: usize = 107;
    let longest = exec_root
        .join("containers")
        .join("0".repeat(64))
        .join(berth_runtime::protocol::MONITOR_SOCKET);
    let len = longest.as_os_str().len();
    if len > SUN_PATH_MAX {
        return Err(format!(
            "--exec-root {} is too long: container sockets under it would need {len} bytes, and a unix socket path holds at most {SUN_PATH_MAX} (use an exec root of at most {} bytes)",
            exec_root.display(),
            exec_root.as_os_str().len() - (len - SUN_PATH_MAX)
        ));
    }
    Ok(())
}

fn run(opts: DaemonOptions) -> Result<(), String> {
    check_exec_root_length(&opts.exec_root)?;
    // The monitors double-fork: as a subreaper the daemon becomes their parent and reaps
    // them when they exit (else they linger as zombies under PID 1 until it reaps them).
    nix::sys::prctl::set_child_subreaper(true)
        .map_err(|e| format!("cannot become a child subreaper: {e}"))?;
    create_dir(&opts.data_root)?;
    create_dir(&opts.exec_root)?;
    let _lock = lock::DataRootLock::acquire(&opts.data_root)?;
    let store = Store::open(&opts.data_root.join("berth.redb")).map_err(|e| e.to_string())?;
    let engine_id = host_info::engine_id(&store)?;
    // The netlink socket is bound to the netns of the thread that opens it: this one, the
    // daemon's own, before any runtime thread exists.
    let kernel: Arc<dyn Kernel> =
        Arc::new(Netlink::new().map_err(|e| format!("cannot open netlink: {e}"))?);
    let pools = if opts.default_address_pools.is_empty() {
        DefaultPools::docker_ipv4()
    } else {
        DefaultPools::new(opts.default_address_pools.clone())
    };
    let config = EngineConfig {
        default_pools: pools.clone(),
        bip: opts.bip,
        default_bridge_name: "berth0".into(),
        icc: opts.icc,
    };
    let engine = Arc::new(Engine::start(config, store, kernel).map_err(|e| e.message)?);
    let info = host_info::gather(engine_id, &opts, pools.pools().to_vec());
    let images = Arc::new(
        berth_image::ImageStore::open(&opts.data_root.join("image"))
            .map_err(|e| format!("cannot open the image store: {e}"))?,
    );
    let runtime = berth_runtime::Runtime::new(
        berth_runtime::RuntimeConfig::for_current_exe(&opts.exec_root)
            .map_err(|e| format!("cannot set up the container runtime: {e}"))?,
    )
    .with_reaper(berth_runtime::MonitorReaper::start());
    // Before the containers are adopted: their DNS servers run from the start.
    engine.enable_dns(Arc::new(berth_dns::DnsServer::new(dns_runtime()?)));
    engine
        .enable_containers(ContainerDeps {
            images: Arc::new(images_adapter::StoreImages(images.clone())),
            runtime: Arc::new(runtime_adapter::LibcontainerRuntime(runtime)),
            data_root: opts.data_root.clone(),
            exec_root: opts.exec_root.clone(),
        })
        .map_err(|e| e.message)?;
    // After the containers are adopted: the first table carries their published ports.
    engine
        .enable_firewall(Arc::new(berth_firewall::NftFirewall::new()))
        .map_err(|e| format!("cannot set up the firewall: {}", e.message))?;
    firewall_watchdog::spawn(engine.clone())?;
    let state = AppState {
        engine,
        info: Arc::new(info),
        images,
    };
    let async_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    async_runtime.block_on(serve(opts, state))
}

/// The embedded DNS servers' runtime: one thread of its own, where each wake-up from epoll runs
/// the container's receive loop right there. On the API's multi-thread runtime a readiness
/// event is often handed to another worker (an eventfd write and a context switch per burst),
/// which showed as added latency one query at a time and as CPU under load.
fn dns_runtime() -> Result<tokio::runtime::Handle, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the DNS runtime: {e}"))?;
    let handle = runtime.handle().clone();
    std::thread::Builder::new()
        .name("berth-dns".to_string())
        .spawn(move || runtime.block_on(std::future::pending::<()>()))
        .map_err(|e| format!("cannot start the DNS thread: {e}"))?;
    Ok(handle)
}

const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

async fn serve(opts: DaemonOptions, state: AppState) -> Result<(), String> {
    let (listener, guard) = socket::bind(&opts.socket_path)?;
    tracing::info!(socket = %opts.socket_path.display(), "API listening");
    let engine = state.engine.clone();
    let events_engine = engine.clone();
    let app = berth_api::app(state);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        // event streams never end by themselves: they end now, as dockerd's do
        events_engine.events().close();
        let _ = stop_tx.send(true);
    });
    // Open streams (attach, logs -f, wait) may last as long as their containers: after the
    // signal, in-flight requests get a grace period, then the daemon exits anyway. Containers
    // keep running under their monitors either way.
    let grace = async move {
        let mut rx = stop_rx;
        while !*rx.borrow() {
            if rx.changed().await.is_err() {
                return;
            }
        }
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        r = server => r.map_err(|e| format!("the API server failed: {e}"))?,
        () = grace => tracing::warn!("streams still open after {SHUTDOWN_GRACE:?}; exiting"),
    }
    drop(guard);
    // Queued bridge removals finish before exit, off the async threads.
    let _ = tokio::task::spawn_blocking(move || engine.shutdown()).await;
    tracing::info!("daemon shut down");
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot install signal handlers; stop the daemon with SIGKILL");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
        _ = int.recv() => tracing::info!("SIGINT: shutting down"),
    }
}

fn create_dir(p: &Path) -> Result<(), String> {
    std::fs::create_dir_all(p).map_err(|e| format!("cannot create {}: {e}", p.display()))
}
