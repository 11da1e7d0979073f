//! Containers: names, network modes, restart policies, the typed create request, and the
//! persisted record with its state machine.

pub mod attachment;
pub mod capabilities;
pub mod create;
pub mod etc_files;
pub mod links;
pub mod mounts;
pub mod names;
pub mod network_mode;
pub mod port_alloc;
pub mod port_filter;
pub mod ports;
pub mod published;
pub mod record;
pub mod restart;
pub mod security_opts;
pub mod state;

pub use attachment::{Attachment, EndpointState};
pub use create::CreateContainer;
pub use names::{random_name, validate_container_name};
pub use network_mode::NetworkMode;
pub use record::Container;
pub use restart::RestartPolicy;
pub use state::{ContainerState, Status};
