//! The libcontainer helper as a stand-alone binary, for the runtime's own tests (berth itself
//! runs it as `berth __runtime`). See `berth_runtime::helper_main`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(berth_runtime::helper_main(&args));
}
