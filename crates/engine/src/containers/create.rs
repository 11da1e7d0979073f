//! `POST /containers/create`.

use super::lookup::find;
use super::ContainerTable;
use crate::{internal, Engine};
use berth_model::container::create::EffectiveConfig;
use berth_model::container::mounts::{plan_mounts, MountPoint, MountType};
use berth_model::container::{
    random_name, validate_container_name, Container, ContainerState, CreateContainer, NetworkMode,
};
use berth_model::ids::{generate_id, short_id};
use berth_model::ApiError;

#[derive(Debug)]
pub struct Created {
    pub id: String,
    pub warnings: Vec<String>,
}

impl Engine {
    pub fn create_container(&self, req: CreateContainer) -> Result<Created, ApiError> {
        let table = self.containers()?;
        let name = match &req.name {
            Some(n) if !n.is_empty() => Some(validate_container_name(n)?),
            _ => None,
        };
        req.validate_network_settings()?;
        let image = table.deps.images.resolve(&req.image)?;
        let mut warnings = Vec::new();
        match &req.host.network_mode {
            NetworkMode::Host
                if !req.host.port_bindings.is_empty() || req.host.publish_all_ports =>
            {
                warnings
                    .push("Published ports are discarded when using host network mode".to_string());
            }
            _ => {}
        }
        let networks = self.initial_attachments(&req)?;
        let config = EffectiveConfig::merge(&req, &image.defaults)?;
        let volumes_root = self.volumes_root()?.display().to_string();
        let mounts = plan_mounts(&req, &image.defaults.volumes, &volumes_root, generate_id)?;
        check_bind_sources(&req)?;
        let id = generate_id();
        let created = berth_model::time::now();
        let mount_points = mounts.clone();
        let id = self.with_container_volumes(&mount_points, move || {
            self.record_container(
                table, name, req, image.id, config, networks, mounts, id, created,
            )
        })?;
        Ok(Created { id, warnings })
    }

    #[allow(clippy::too_many_arguments)]
    fn record_container(
        &self,
        table: &ContainerTable,
        name: Option<String>,
        req: CreateContainer,
        image_id: String,
        config: EffectiveConfig,
        networks: Vec<berth_model::container::Attachment>,
        mounts: Vec<MountPoint>,
        id: String,
        created: berth_model::time::Timestamp,
    ) -> Result<String, ApiError> {
        let mut all = table.lock_all();
        Engine::check_links_exist(&all, &req)?;
        let hostname = match &req.host.network_mode {
            // Docker checks the target only at start; the hostname follows it then.
            NetworkMode::Container(target) => find(&all, target)
                .map(|t| t.hostname.clone())
                .unwrap_or_default(),
            NetworkMode::Host => host_hostname(),
            _ if !req.hostname.is_empty() => req.hostname.clone(),
            _ => short_id(&id).to_string(),
        };
        let name = match name {
            Some(n) => {
                if let Some(other) = all.values().find(|c| c.name == n) {
                    return Err(ApiError::conflict(format!(
                        "Conflict. The container name \"/{n}\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.",
                        other.id
                    )));
                }
                n
            }
            None => unique_random_name(&all),
        };
        let container = Container {
            id: id.clone(),
            name,
            created,
            image: req.image.clone(),
            image_id,
            request: req,
            config,
            hostname,
            state: ContainerState::default(),
            networks,
            published: Vec::new(),
            mounts,
        };
        let paths = table.paths(&id);
        std::fs::create_dir_all(&paths.dir).map_err(internal)?;
        if let Err(e) = self.store.put_container(&container) {
            let _ = std::fs::remove_dir_all(&paths.dir);
            return Err(internal(e));
        }
        self.container_event(&container, "create", &[]);
        all.insert(id.clone(), container);
        table.changed.notify_all();
        tracing::info!(container = %id, "container created");
        Ok(id)
    }

    pub(crate) fn containers(&self) -> Result<&ContainerTable, ApiError> {
        self.containers.get().ok_or_else(|| {
            ApiError::not_implemented("this daemon was started without a container runtime")
        })
    }
}

fn unique_random_name(all: &std::collections::HashMap<String, Container>) -> String {
    for attempt in 0..64 {
        let n = random_name(attempt.min(1));
        if !all.values().any(|c| c.name == n) {
            return n;
        }
    }
    format!("berth_{}", &generate_id()[..12])
}

fn host_hostname() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_default()
}

/// `--mount type=bind` needs its source to exist (a `-v` bind does not: Docker creates it).
fn check_bind_sources(req: &CreateContainer) -> Result<(), ApiError> {
    for m in req.host.mounts.iter().filter(|m| m.typ == MountType::Bind) {
        if std::fs::symlink_metadata(&m.source).is_err() {
            return Err(ApiError::invalid(format!(
                "invalid mount config for type \"bind\": bind source path does not exist: {}",
                m.source
            )));
        }
    }
    Ok(())
}
