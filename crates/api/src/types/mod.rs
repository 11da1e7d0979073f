//! Wire shapes of the Docker Engine API, mirroring moby's swagger field for field.

pub mod network;
