//! Volumes of the `local` driver: records in the store (the truth, so they survive restarts
//! and crashes), data in `<data-root>/volumes/<name>/_data`. A volume referenced by any
//! container, running or not, is in use and cannot be removed.

mod copy_up;
mod disk;

pub(crate) use copy_up::copy_image_content;
pub(crate) use disk::usage as disk_usage;

use crate::{internal, Engine};
use berth_model::container::mounts::{volume_data_path, MountPoint, MountType};
use berth_model::container::Container;
use berth_model::volume::{
    bind_device, validate_driver, validate_local_options, validate_volume_name, Volume,
    VolumeFilter, ANONYMOUS_LABEL, LOCAL_DRIVER,
};
use berth_model::ApiError;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `POST /volumes/create`.
#[derive(Debug, Clone, Default)]
pub struct VolumeCreate {
    pub name: String,
    pub driver: String,
    pub driver_opts: Option<BTreeMap<String, String>>,
    pub labels: Option<BTreeMap<String, String>>,
}

/// A volume with where its data lives.
#[derive(Debug, Clone)]
pub struct VolumeInfo {
    pub volume: Volume,
    pub mountpoint: String,
}

/// What `POST /volumes/prune` removed.
#[derive(Debug, Clone, Default)]
pub struct VolumePruneReport {
    pub deleted: Vec<String>,
    pub space_reclaimed: u64,
}

impl Engine {
    /// `<data-root>/volumes`.
    pub(crate) fn volumes_root(&self) -> Result<PathBuf, ApiError> {
        Ok(self.containers()?.deps.data_root.join("volumes"))
    }

    fn volume_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.volumes_lock.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn info(&self, volume: Volume) -> Result<VolumeInfo, ApiError> {
        let root = self.volumes_root()?;
        Ok(VolumeInfo {
            mountpoint: volume_data_path(&root.display().to_string(), &volume.name),
            volume,
        })
    }

    pub fn create_volume(&self, req: VolumeCreate) -> Result<VolumeInfo, ApiError> {
        let name = if req.name.is_empty() {
            berth_model::ids::generate_id()
        } else {
            req.name.clone()
        };
        validate_volume_name(&name)?;
        validate_driver(&name, &req.driver)?;
        validate_local_options(&name, req.driver_opts.as_ref().unwrap_or(&BTreeMap::new()))?;
        let _v = self.volume_lock();
        if let Some(existing) = self.store.volume(&name).map_err(internal)? {
            // Docker hands back the existing volume of that name.
            return self.info(existing);
        }
        let volume = Volume {
            name,
            driver: LOCAL_DRIVER.into(),
            created: berth_model::time::now(),
            labels: req.labels,
            options: req.driver_opts,
        };
        self.create_volume_locked(volume)
    }

    /// Creates the data directory, then commits the record: a crash in between leaves only
    /// an unrecorded directory, which the next create of that name clears.
    fn create_volume_locked(&self, volume: Volume) -> Result<VolumeInfo, ApiError> {
        let dir = self.volumes_root()?.join(&volume.name);
        if dir.exists() {
            disk::remove_tree(&dir)?;
        }
        std::fs::create_dir_all(dir.join("_data")).map_err(internal)?;
        if let Err(e) = self.store.put_volume(&volume) {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(internal(e));
        }
        tracing::info!(volume = %volume.name, "volume created");
        self.info(volume)
    }

    pub fn inspect_volume(&self, name: &str) -> Result<VolumeInfo, ApiError> {
        match self.store.volume(name).map_err(internal)? {
            Some(v) => self.info(v),
            None => Err(ApiError::not_found(format!("get {name}: no such volume"))),
        }
    }

    pub fn list_volumes(&self, filter: &VolumeFilter) -> Result<Vec<VolumeInfo>, ApiError> {
        let users = self.volume_users()?;
        let mut out = Vec::new();
        for v in self.store.volumes().map_err(internal)? {
            if filter.matches(&v, users.contains_key(&v.name)) {
                out.push(self.info(v)?);
            }
        }
        Ok(out)
    }

    pub fn remove_volume(&self, name: &str, force: bool) -> Result<(), ApiError> {
        let _v = self.volume_lock();
        if self.store.volume(name).map_err(internal)?.is_none() {
            if force {
                return Ok(());
            }
            return Err(ApiError::not_found(format!("get {name}: no such volume")));
        }
        if let Some(ids) = self.volume_users()?.get(name) {
            return Err(ApiError::conflict(format!(
                "remove {name}: volume is in use - [{}]",
                ids.join(" ")
            )));
        }
        self.delete_volume_locked(name).map(|_| ())
    }

    /// Drops the record first: a crash before the data is gone leaves an orphan directory,
    /// never a record whose data was deleted. Returns the bytes the data took.
    fn delete_volume_locked(&self, name: &str) -> Result<u64, ApiError> {
        let dir = self.volumes_root()?.join(name);
        let size = disk::usage(&dir);
        self.store.delete_volume(name).map_err(internal)?;
        disk::remove_tree(&dir)?;
        tracing::info!(volume = %name, "volume removed");
        Ok(size)
    }

    pub fn prune_volumes(&self, filter: &VolumeFilter) -> Result<VolumePruneReport, ApiError> {
        let _v = self.volume_lock();
        let users = self.volume_users()?;
        let mut report = VolumePruneReport::default();
        for v in self.store.volumes().map_err(internal)? {
            if filter.prunes(&v, users.contains_key(&v.name)) {
                report.space_reclaimed += self.delete_volume_locked(&v.name)?;
                report.deleted.push(v.name);
            }
        }
        Ok(report)
    }

    /// Volume name → IDs of the containers that refer to it.
    fn volume_users(&self) -> Result<BTreeMap<String, Vec<String>>, ApiError> {
        let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let Some(table) = self.containers.get() else {
            return Ok(users);
        };
        let all = table.lock_all();
        let mut containers: Vec<&Container> = all.values().collect();
        containers.sort_by_key(|c| c.created);
        for c in containers {
            for m in c.mounts.iter().filter(|m| m.typ == MountType::Volume) {
                let ids = users.entry(m.name.clone()).or_default();
                if !ids.contains(&c.id) {
                    ids.push(c.id.clone());
                }
            }
        }
        Ok(users)
    }

    /// Runs `create` (which records the container) with every volume its mounts name
    /// present, under the volume lock so no removal slips between the two. Volumes created
    /// here are removed again if `create` fails.
    pub(crate) fn with_container_volumes<T>(
        &self,
        mounts: &[MountPoint],
        create: impl FnOnce() -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let _v = self.volume_lock();
        let mut created = Vec::new();
        let mut result = Ok(());
        for m in mounts.iter().filter(|m| m.typ == MountType::Volume) {
            match self.store.volume(&m.name).map_err(internal) {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            let labels = if m.anonymous {
                let mut l = m.volume_labels.clone();
                l.insert(ANONYMOUS_LABEL.into(), String::new());
                Some(l)
            } else if m.volume_labels.is_empty() {
                None
            } else {
                Some(m.volume_labels.clone())
            };
            let volume = Volume {
                name: m.name.clone(),
                driver: LOCAL_DRIVER.into(),
                created: berth_model::time::now(),
                labels,
                options: None,
            };
            match self.create_volume_locked(volume) {
                Ok(_) => created.push(m.name.clone()),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        let out = result.and_then(|()| create());
        if out.is_err() {
            for name in created {
                let _ = self.delete_volume_locked(&name);
            }
        }
        out
    }

    /// Volume name → host directory, for the bind volumes (`o=bind,device=PATH`) `mounts`
    /// name: those are mounted from their device rather than from `_data`.
    pub(crate) fn volume_bind_devices(&self, mounts: &[MountPoint]) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for m in mounts.iter().filter(|m| m.typ == MountType::Volume) {
            if let Ok(Some(v)) = self.store.volume(&m.name) {
                if let Some(dev) = v.options.as_ref().and_then(bind_device) {
                    out.insert(m.name.clone(), dev.to_string());
                }
            }
        }
        out
    }

    /// `rm -v` and `--rm`: the container's anonymous volumes go with it, unless another
    /// container uses one too (Docker keeps it then, and says so only in its log).
    pub(crate) fn remove_anonymous_volumes(&self, mounts: &[MountPoint], removed_id: &str) {
        let _v = self.volume_lock();
        let Ok(users) = self.volume_users() else {
            return;
        };
        for m in mounts
            .iter()
            .filter(|m| m.typ == MountType::Volume && m.anonymous)
        {
            // the container being removed may still be listed while its removal finishes
            let others = users
                .get(&m.name)
                .is_some_and(|ids| ids.iter().any(|i| i != removed_id));
            if others {
                tracing::warn!(volume = %m.name, "anonymous volume kept: still in use");
                continue;
            }
            if let Err(e) = self.delete_volume_locked(&m.name) {
                tracing::warn!(volume = %m.name, error = %e.message, "cannot remove an anonymous volume");
            }
        }
    }
}
