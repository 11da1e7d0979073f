//! The in-memory copy of the stored networks. Readers take a cheap `Arc` of an immutable
//! list, so a list or inspect never waits for a create in progress; a change copies only the
//! list of pointers, so its cost does not grow with the size of the records.

use berth_model::network::Network;
use std::sync::{Arc, RwLock};

pub struct Snapshot {
    networks: RwLock<Arc<Vec<Arc<Network>>>>,
}

impl Snapshot {
    pub fn new(networks: Vec<Network>) -> Snapshot {
        let mut networks: Vec<Arc<Network>> = networks.into_iter().map(Arc::new).collect();
        sort(&mut networks);
        Snapshot {
            networks: RwLock::new(Arc::new(networks)),
        }
    }

    pub fn networks(&self) -> Arc<Vec<Arc<Network>>> {
        self.networks
            .read()
            .map(|g| g.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    pub fn upsert(&self, network: Network) {
        self.update(|list| {
            list.retain(|n| n.id != network.id);
            list.push(Arc::new(network));
        });
    }

    pub fn remove(&self, id: &str) {
        self.update(|list| list.retain(|n| n.id != id));
    }

    fn update(&self, f: impl FnOnce(&mut Vec<Arc<Network>>)) {
        let mut guard = self.networks.write().unwrap_or_else(|p| p.into_inner());
        let mut list = (**guard).clone();
        f(&mut list);
        sort(&mut list);
        *guard = Arc::new(list);
    }
}

/// A stable order: by creation time, then name (predefined host/none have no time and come first).
fn sort(list: &mut [Arc<Network>]) {
    list.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.name.cmp(&b.name)));
}
