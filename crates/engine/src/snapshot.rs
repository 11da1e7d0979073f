//! The in-memory copy of the stored networks. Readers take a cheap `Arc` of an immutable
//! list, so a list or inspect never waits for a create in progress.

use berth_model::network::Network;
use std::sync::{Arc, RwLock};

pub struct Snapshot {
    networks: RwLock<Arc<Vec<Network>>>,
}

impl Snapshot {
    pub fn new(mut networks: Vec<Network>) -> Snapshot {
        sort(&mut networks);
        Snapshot {
            networks: RwLock::new(Arc::new(networks)),
        }
    }

    pub fn networks(&self) -> Arc<Vec<Network>> {
        self.networks
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    pub fn upsert(&self, network: Network) {
        self.update(|list| {
            list.retain(|n| n.id != network.id);
            list.push(network);
        });
    }

    pub fn remove(&self, id: &str) {
        self.update(|list| list.retain(|n| n.id != id));
    }

    fn update(&self, f: impl FnOnce(&mut Vec<Network>)) {
        let mut guard = self.networks.write().unwrap_or_else(|p| p.into_inner());
        let mut list = (**guard).clone();
        f(&mut list);
        sort(&mut list);
        *guard = Arc::new(list);
    }
}

/// A stable order: by creation time, then name (predefined host/none have no time and come first).
fn sort(list: &mut [Network]) {
    list.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.name.cmp(&b.name)));
}
