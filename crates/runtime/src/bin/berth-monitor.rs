//! The per-container monitor as its own small binary (no tokio, no libcontainer), installed
//! next to `berth`: `berth-monitor <container runtime dir>`. See `berth_runtime::monitor_main`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(berth_runtime::monitor_main(&args));
}
