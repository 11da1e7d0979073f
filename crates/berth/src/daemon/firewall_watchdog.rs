//! The firewall watchdog: a thread that checks twice a second that table `inet berth` is still
//! there with its rules, and re-applies it when a firewall reload, `nft flush ruleset` or a
//! failed apply left the kernel behind the store. The check lists one small chain whose size
//! does not grow with containers or ports, so it costs the same on any host.

use berth_engine::Engine;
use std::sync::Arc;
use std::time::Duration;

const PERIOD: Duration = Duration::from_millis(500);

pub fn spawn(engine: Arc<Engine>) -> Result<(), String> {
    std::thread::Builder::new()
        .name("fw-watchdog".into())
        .spawn(move || loop {
            std::thread::sleep(PERIOD);
            engine.check_firewall();
        })
        .map(|_| ())
        .map_err(|e| format!("cannot start the firewall watchdog: {e}"))
}
