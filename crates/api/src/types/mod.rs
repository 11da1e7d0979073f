//! Wire shapes of the Docker Engine API, mirroring moby's swagger field for field.

pub mod container;
pub mod container_request;
pub mod endpoint;
pub mod mounts;
pub mod network;
pub mod network_connect;
pub mod ports;
pub mod volume;

#[cfg(test)]
mod tests;
