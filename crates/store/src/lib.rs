//! berth's persistent state. The store is the truth of intent: every acknowledged change is
//! committed here (redb, fsync per commit) before the client hears of it, and the kernel is
//! reconciled from it on start.
//!
//! Records are JSON documents keyed by ID in one table per kind, so a record type can gain
//! fields (with serde defaults) without a migration.

mod error;
mod tables;

pub use error::StoreError;

use berth_model::container::Container;
use berth_model::network::Network;
use berth_model::volume::Volume;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{de::DeserializeOwned, Serialize};
use std::path::Path;
use tables::{CONTAINERS, META, NETWORKS, VOLUMES};

pub struct Store {
    db: Database,
}

impl Store {
    /// Opens (or creates) the database file. redb refuses a file another process has open.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let db = Database::create(path).map_err(|e| StoreError::Open(e.to_string()))?;
        let store = Store { db };
        // Create the tables up front so that read transactions never meet a missing table.
        let txn = store.db.begin_write()?;
        txn.open_table(NETWORKS)?;
        txn.open_table(META)?;
        txn.open_table(CONTAINERS)?;
        txn.open_table(VOLUMES)?;
        txn.commit()?;
        Ok(store)
    }

    pub fn networks(&self) -> Result<Vec<Network>, StoreError> {
        self.list(NETWORKS)
    }

    pub fn put_network(&self, network: &Network) -> Result<(), StoreError> {
        self.put(NETWORKS, &network.id, network)
    }

    pub fn delete_network(&self, id: &str) -> Result<bool, StoreError> {
        self.delete(NETWORKS, id)
    }

    pub fn containers(&self) -> Result<Vec<Container>, StoreError> {
        self.list(CONTAINERS)
    }

    pub fn put_container(&self, container: &Container) -> Result<(), StoreError> {
        self.put(CONTAINERS, &container.id, container)
    }

    pub fn delete_container(&self, id: &str) -> Result<bool, StoreError> {
        self.delete(CONTAINERS, id)
    }

    pub fn volumes(&self) -> Result<Vec<Volume>, StoreError> {
        self.list(VOLUMES)
    }

    pub fn volume(&self, name: &str) -> Result<Option<Volume>, StoreError> {
        self.get(VOLUMES, name)
    }

    pub fn put_volume(&self, volume: &Volume) -> Result<(), StoreError> {
        self.put(VOLUMES, &volume.name, volume)
    }

    pub fn delete_volume(&self, name: &str) -> Result<bool, StoreError> {
        self.delete(VOLUMES, name)
    }

    pub fn meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        self.get(META, key)
    }

    pub fn put_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        self.put(META, key, value)
    }

    fn list<T: DeserializeOwned>(
        &self,
        table: TableDefinition<&str, &[u8]>,
    ) -> Result<Vec<T>, StoreError> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(table)?;
        let mut out = Vec::new();
        for row in t.iter()? {
            let (k, v) = row?;
            let record = serde_json::from_slice(v.value()).map_err(|e| StoreError::Corrupt {
                key: k.value().to_string(),
                reason: e.to_string(),
            })?;
            out.push(record);
        }
        Ok(out)
    }

    fn get<T: DeserializeOwned>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(table)?;
        match t.get(key)? {
            None => Ok(None),
            Some(v) => {
                serde_json::from_slice(v.value())
                    .map(Some)
                    .map_err(|e| StoreError::Corrupt {
                        key: key.to_string(),
                        reason: e.to_string(),
                    })
            }
        }
    }

    fn put<T: Serialize>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        key: &str,
        value: &T,
    ) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(value).map_err(|e| StoreError::Encode(e.to_string()))?;
        let txn = self.db.begin_write()?;
        {
            let mut t = txn.open_table(table)?;
            t.insert(key, bytes.as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }

    fn delete(&self, table: TableDefinition<&str, &[u8]>, key: &str) -> Result<bool, StoreError> {
        let txn = self.db.begin_write()?;
        let existed = {
            let mut t = txn.open_table(table)?;
            let removed = t.remove(key)?;
            removed.is_some()
        };
        txn.commit()?;
        Ok(existed)
    }
}

#[cfg(test)]
mod tests;
