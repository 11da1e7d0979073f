use super::*;
use crate::ipam::PoolSpec;
use crate::ErrorKind;

fn v6_pools() -> DefaultPools {
    DefaultPools::new(vec![PoolSpec::new(
        "fd12:3456:789a::/48".parse().unwrap(),
        64,
    )
    .unwrap()])
}

fn req(name: &str) -> CreateRequest {
    CreateRequest {
        name: name.into(),
        ..Default::default()
    }
}

fn with_subnet(name: &str, subnet: &str) -> CreateRequest {
    let mut r = req(name);
    r.ipam_configs.push(IpamConfigInput {
        subnet: subnet.into(),
        ..Default::default()
    });
    r
}

fn plan(r: &CreateRequest, existing: &[Network], routes: &[IpNet]) -> Result<Network, ApiError> {
    let existing: Vec<&Network> = existing.iter().collect();
    let existing = existing.as_slice();
    let v4 = DefaultPools::docker_ipv4();
    let v6 = v6_pools();
    plan_network(
        r,
        &PlanContext {
            existing,
            host_routes: routes,
            v4_pools: &v4,
            v6_pools: &v6,
            now: crate::time::now(),
        },
    )
}

#[test]
fn first_user_network_gets_next_free_pool() {
    let bridge = plan(&with_subnet("b", "172.17.0.0/16"), &[], &[]).unwrap();
    let n = plan(&req("bridgetest"), &[bridge], &[]).unwrap();
    assert_eq!(n.pools[0].subnet.to_string(), "172.18.0.0/16");
    assert_eq!(n.pools[0].gateway.to_string(), "172.18.0.1");
    assert_eq!(
        n.bridge.as_ref().unwrap().name,
        format!("br-{}", &n.id[..12])
    );
}

#[test]
fn automatic_subnets_skip_host_routes() {
    let routes: Vec<IpNet> = vec![
        "172.17.0.0/16".parse().unwrap(),
        "172.18.5.0/24".parse().unwrap(),
    ];
    let n = plan(&req("x"), &[], &routes).unwrap();
    assert_eq!(n.pools[0].subnet.to_string(), "172.19.0.0/16");
}

#[test]
fn duplicate_name_conflicts() {
    let a = plan(&req("dup"), &[], &[]).unwrap();
    let e = plan(&req("dup"), &[a], &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(e.message, "network with name dup already exists");
}

#[test]
fn explicit_overlap_is_forbidden() {
    let a = plan(&with_subnet("a", "10.10.0.0/16"), &[], &[]).unwrap();
    let e = plan(&with_subnet("b", "10.10.3.0/24"), &[a], &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert_eq!(
        e.message,
        "Pool overlaps with other one on this address space"
    );
}

#[test]
fn pools_run_out() {
    let mut existing = vec![];
    for i in 0..31 {
        existing.push(plan(&req(&format!("n{i}")), &existing, &[]).unwrap());
    }
    let e = plan(&req("last"), &existing, &[]).unwrap_err();
    assert_eq!(
        e.message,
        "all predefined address pools have been fully subnetted"
    );
}

#[test]
fn dual_stack_automatic_v6() {
    let mut r = req("v6");
    r.enable_ipv6 = Some(true);
    let n = plan(&r, &[], &[]).unwrap();
    assert_eq!(n.pools.len(), 2);
    assert_eq!(n.pools[1].subnet.to_string(), "fd12:3456:789a::/64");
    assert_eq!(n.pools[1].gateway.to_string(), "fd12:3456:789a::1");
}

#[test]
fn v6_subnet_without_ipv6_is_refused() {
    let e = plan(&with_subnet("x", "fd00:1::/64"), &[], &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidParameter);
}

#[test]
fn two_v4_subnets_are_forbidden() {
    let mut r = with_subnet("two", "10.1.0.0/24");
    r.ipam_configs.push(IpamConfigInput {
        subnet: "10.2.0.0/24".into(),
        ..Default::default()
    });
    let e = plan(&r, &[], &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert_eq!(e.message, "bridge driver doesn't support multiple subnets");
}

#[test]
fn other_drivers() {
    let mut r = req("h");
    r.driver = "host".into();
    assert_eq!(plan(&r, &[], &[]).unwrap_err().kind, ErrorKind::Forbidden);
    r.driver = "nosuch".into();
    assert_eq!(plan(&r, &[], &[]).unwrap_err().kind, ErrorKind::NotFound);
}

#[test]
fn same_bridge_name_conflicts() {
    let mut r = req("a");
    r.options.insert(
        super::super::bridge_options::OPT_BRIDGE_NAME.into(),
        "mybr".into(),
    );
    let a = plan(&r, &[], &[]).unwrap();
    r.name = "b".into();
    let e = plan(&r, &[a], &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert!(e.message.contains("networks have same bridge name"));
}

#[test]
fn records_which_subnets_the_user_gave() {
    let given = plan(&with_subnet("g", "10.20.0.0/16"), &[], &[]).unwrap();
    assert!(given.pools[0].subnet_given);
    let auto = plan(&req("a"), &[], &[]).unwrap();
    assert!(!auto.pools[0].subnet_given);
    // Dual stack with only the IPv4 subnet given: the automatic IPv6 one is not "given".
    let mut r = with_subnet("d", "10.30.0.0/16");
    r.enable_ipv6 = Some(true);
    let dual = plan(&r, &[], &[]).unwrap();
    assert_eq!(dual.pools.len(), 2);
    assert!(dual.pools[0].subnet_given);
    assert!(!dual.pools[1].subnet_given);
}
