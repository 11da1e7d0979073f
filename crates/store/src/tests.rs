use super::*;
use berth_model::ipam::PoolConfig;
use berth_model::network::Driver;
use std::collections::BTreeMap;

fn sample(id: &str, name: &str) -> Network {
    Network {
        id: id.into(),
        name: name.into(),
        driver: Driver::Bridge,
        created: Some(chrono_now()),
        scope: "local".into(),
        internal: false,
        attachable: false,
        ingress: false,
        config_only: false,
        config_from: String::new(),
        enable_ipv4: true,
        enable_ipv6: false,
        ipam_driver: "default".into(),
        ipam_options: BTreeMap::new(),
        pools: vec![PoolConfig::automatic("172.18.0.0/16".parse().unwrap()).unwrap()],
        options: BTreeMap::new(),
        labels: BTreeMap::new(),
        bridge: None,
        predefined: false,
    }
}

fn chrono_now() -> berth_model::time::Timestamp {
    berth_model::time::now()
}

#[test]
fn networks_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    {
        let s = Store::open(&path).unwrap();
        s.put_network(&sample("a1", "one")).unwrap();
        s.put_network(&sample("b2", "two")).unwrap();
        assert!(s.delete_network("a1").unwrap());
        assert!(!s.delete_network("a1").unwrap());
        s.put_meta("schema", &1u32).unwrap();
    }
    let s = Store::open(&path).unwrap();
    let nets = s.networks().unwrap();
    assert_eq!(nets.len(), 1);
    assert_eq!(nets[0], sample_with_created("b2", "two", &nets[0]));
    assert_eq!(s.meta::<u32>("schema").unwrap(), Some(1));
    assert_eq!(s.meta::<u32>("missing").unwrap(), None);
}

fn sample_with_created(id: &str, name: &str, like: &Network) -> Network {
    let mut n = sample(id, name);
    n.created = like.created;
    n
}

#[test]
fn a_second_open_of_the_same_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let _s = Store::open(&path).unwrap();
    assert!(Store::open(&path).is_err());
}

#[test]
fn volumes_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let v = Volume {
        name: "data".into(),
        driver: "local".into(),
        created: chrono_now(),
        labels: Some(BTreeMap::from([("a".to_string(), "b".to_string())])),
        options: None,
    };
    {
        let s = Store::open(&path).unwrap();
        s.put_volume(&v).unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.volume("data").unwrap(), Some(v.clone()));
    assert_eq!(s.volumes().unwrap(), vec![v]);
    assert!(s.delete_volume("data").unwrap());
    assert!(s.volume("data").unwrap().is_none());
}
