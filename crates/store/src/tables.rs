//! The tables of berth's database. Keys are IDs; values are JSON records.

use redb::TableDefinition;

pub const NETWORKS: TableDefinition<&str, &[u8]> = TableDefinition::new("networks");
pub const CONTAINERS: TableDefinition<&str, &[u8]> = TableDefinition::new("containers");
/// Volumes, keyed by name.
pub const VOLUMES: TableDefinition<&str, &[u8]> = TableDefinition::new("volumes");
/// Daemon-wide values: schema version, IDs of the predefined networks, the IPv6 ULA prefix.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
