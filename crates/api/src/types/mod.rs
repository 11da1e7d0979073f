//! Wire shapes of the Docker Engine API, mirroring moby's swagger field for field.

pub mod container;
pub mod container_request;
pub mod network;
