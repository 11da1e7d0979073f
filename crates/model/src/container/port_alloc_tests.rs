use super::*;
use proptest::prelude::*;

const V4: Ipv4Addr = Ipv4Addr::new(172, 17, 0, 2);
const V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 2);

fn targets(v6: bool) -> Targets {
    Targets {
        v4: Some(V4),
        v6: v6.then_some(V6),
        default_binding: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    }
}

fn key(s: &str) -> PortProto {
    PortProto::parse(s).unwrap()
}

fn b(ip: &str, port: &str) -> PortBinding {
    PortBinding {
        host_ip: ip.into(),
        host_port: port.into(),
    }
}

const EPH: Ephemeral = Ephemeral {
    low: 32768,
    high: 60999,
    last: 60999,
};

fn run(
    bindings: &PortBindings,
    exposed: &BTreeSet<PortProto>,
    publish_all: bool,
    t: Targets,
    taken: &[(Proto, IpAddr, u16)],
) -> Result<Allocation, AllocError> {
    let req = AllocRequest {
        bindings,
        publish_all,
        exposed,
        targets: t,
        ephemeral: EPH,
    };
    allocate(&req, &mut |proto, ip, port| {
        if taken
            .iter()
            .any(|&(p, i, n)| p == proto && n == port && addrs_overlap(i, ip))
        {
            Availability::Allocated
        } else {
            Availability::Free
        }
    })
}

fn any4() -> IpAddr {
    IpAddr::V4(Ipv4Addr::UNSPECIFIED)
}

#[test]
fn explicit_port_on_v4_and_v6() {
    let bindings = PortBindings::from([(key("80/tcp"), vec![b("", "8080")])]);
    let a = run(&bindings, &BTreeSet::new(), false, targets(true), &[]).unwrap();
    assert_eq!(a.published.len(), 2);
    assert_eq!(a.published[0].host_addr(), any4());
    assert_eq!(a.published[0].container_ip, IpAddr::V4(V4));
    assert_eq!(a.published[1].host_addr().to_string(), "::");
    assert_eq!(a.published[1].container_ip, IpAddr::V6(V6));
    assert!(a.published.iter().all(|p| p.host_port == 8080));
    let a = run(&bindings, &BTreeSet::new(), false, targets(false), &[]).unwrap();
    assert_eq!(a.published.len(), 1, "no IPv6 binding without IPv6");
}

#[test]
fn a_taken_port_is_docker_error() {
    let bindings = PortBindings::from([(key("80/tcp"), vec![b("", "8080")])]);
    let e = run(
        &bindings,
        &BTreeSet::new(),
        false,
        targets(false),
        &[(Proto::Tcp, any4(), 8080)],
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Bind for 0.0.0.0:8080 failed: port is already allocated"
    );
    // a specific address collides with a wildcard of the same family, not with the other
    let bindings = PortBindings::from([(key("80/tcp"), vec![b("127.0.0.1", "8080")])]);
    let e = run(
        &bindings,
        &BTreeSet::new(),
        false,
        targets(true),
        &[(Proto::Tcp, any4(), 8080)],
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Bind for 127.0.0.1:8080 failed: port is already allocated"
    );
    let v6any = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
    assert!(run(
        &bindings,
        &BTreeSet::new(),
        false,
        targets(true),
        &[(Proto::Tcp, v6any, 8080), (Proto::Udp, any4(), 8080)]
    )
    .is_ok());
    // the same port twice within one container
    let bindings = PortBindings::from([
        (key("80/tcp"), vec![b("", "8080")]),
        (key("81/tcp"), vec![b("", "8080")]),
    ]);
    let e = run(&bindings, &BTreeSet::new(), false, targets(true), &[]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Bind for 0.0.0.0:8080 failed: port is already allocated"
    );
}

#[test]
fn ranges_take_the_first_free_port() {
    let bindings = PortBindings::from([(key("80/tcp"), vec![b("", "8000-8010")])]);
    let taken = [(Proto::Tcp, any4(), 8000), (Proto::Tcp, any4(), 8001)];
    let a = run(&bindings, &BTreeSet::new(), false, targets(false), &taken).unwrap();
    assert_eq!(a.published[0].host_port, 8002);
    let all: Vec<_> = (8000..=8010).map(|p| (Proto::Tcp, any4(), p)).collect();
    let e = run(&bindings, &BTreeSet::new(), false, targets(false), &all).unwrap_err();
    assert_eq!(e, AllocError::AllAllocated);
}

#[test]
fn publish_all_covers_exposed_ports_without_bindings() {
    let bindings = PortBindings::from([(key("80/tcp"), vec![b("", "8080")])]);
    let exposed = BTreeSet::from([key("80/tcp"), key("53/udp"), key("443/tcp")]);
    let a = run(&bindings, &exposed, true, targets(false), &[]).unwrap();
    let got: Vec<(u16, u16)> = a
        .published
        .iter()
        .map(|p| (p.container_port, p.host_port))
        .collect();
    assert_eq!(got, vec![(80, 8080), (53, 32768), (443, 32769)]);
    assert_eq!(a.last_ephemeral, 32769);
    assert!(run(&bindings, &exposed, false, targets(false), &[])
        .unwrap()
        .published
        .iter()
        .all(|p| p.container_port == 80));
}

#[test]
fn ephemeral_ports_continue_after_the_last_and_wrap() {
    let bindings = PortBindings::from([(key("80/tcp"), vec![b("", "")])]);
    let none = BTreeSet::new();
    let mut req = AllocRequest {
        bindings: &bindings,
        publish_all: false,
        exposed: &none,
        targets: targets(true),
        ephemeral: Ephemeral {
            low: 40000,
            high: 40002,
            last: 40000,
        },
    };
    let mut free = |_: Proto, _: IpAddr, _: u16| Availability::Free;
    let a = allocate(&req, &mut free).unwrap();
    assert!(a.published.iter().all(|p| p.host_port == 40001));
    req.ephemeral.last = 40002;
    let a = allocate(&req, &mut free).unwrap();
    assert_eq!(a.published[0].host_port, 40000, "wraps to the start");
    // the same port on both families: one free in v4 but not v6 is skipped
    let mut only_v6_taken = |_: Proto, ip: IpAddr, port: u16| {
        if ip.is_ipv6() && port == 40000 {
            Availability::Allocated
        } else {
            Availability::Free
        }
    };
    let a = allocate(&req, &mut only_v6_taken).unwrap();
    assert!(a.published.iter().all(|p| p.host_port == 40001));
}

#[test]
fn kernel_refusals_are_reported_with_both_ends() {
    let bindings = PortBindings::from([(key("80/tcp"), vec![b("10.9.9.9", "8080")])]);
    let none = BTreeSet::new();
    let req = AllocRequest {
        bindings: &bindings,
        publish_all: false,
        exposed: &none,
        targets: targets(false),
        ephemeral: EPH,
    };
    let e = allocate(&req, &mut |_, _, _| {
        Availability::Unbindable("cannot assign requested address".into())
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "failed to bind host port for 10.9.9.9:8080:172.17.0.2:80/tcp: cannot assign requested address"
    );
}

#[test]
fn default_binding_address_and_families() {
    let bindings = PortBindings::from([(key("80/tcp"), vec![b("", "8080")])]);
    let mut t = targets(true);
    t.default_binding = "127.0.0.1".parse().unwrap();
    let a = run(&bindings, &BTreeSet::new(), false, t, &[]).unwrap();
    assert_eq!(a.published.len(), 1);
    assert_eq!(a.published[0].host_ip, Some("127.0.0.1".parse().unwrap()));
    // an IPv6 host address for a container without IPv6 publishes nothing
    let bindings = PortBindings::from([(key("80/tcp"), vec![b("::1", "8080")])]);
    let a = run(&bindings, &BTreeSet::new(), false, targets(false), &[]).unwrap();
    assert!(a.published.is_empty());
}

fn arb_binding() -> impl Strategy<Value = PortBinding> {
    let ip = prop_oneof![
        Just(String::new()),
        Just("0.0.0.0".to_string()),
        Just("127.0.0.1".to_string()),
        Just("::".to_string()),
    ];
    let port = prop_oneof![
        Just(String::new()),
        (1000u16..1010).prop_map(|p| p.to_string()),
        (1000u16..1005).prop_map(|p| format!("{p}-{}", p + 4)),
    ];
    (ip, port).prop_map(|(host_ip, host_port)| PortBinding { host_ip, host_port })
}

proptest! {
    #[test]
    fn allocations_never_collide_and_respect_requests(
        spec in proptest::collection::vec(
            ((1u16..20), prop_oneof![Just(Proto::Tcp), Just(Proto::Udp)], arb_binding()),
            0..8,
        ),
        taken_ports in proptest::collection::vec((1000u16..1012, any::<bool>()), 0..6),
        v6 in any::<bool>(),
        publish_all in any::<bool>(),
    ) {
        let mut bindings = PortBindings::new();
        for (port, proto, b) in &spec {
            bindings.entry(PortProto { port: *port, proto: *proto }).or_default().push(b.clone());
        }
        let exposed: BTreeSet<PortProto> =
            (18u16..22).map(|port| PortProto { port, proto: Proto::Tcp }).collect();
        let taken: Vec<(Proto, IpAddr, u16)> = taken_ports
            .iter()
            .map(|&(p, udp)| (if udp { Proto::Udp } else { Proto::Tcp }, any4(), p))
            .collect();
        let req = AllocRequest {
            bindings: &bindings,
            publish_all,
            exposed: &exposed,
            targets: targets(v6),
            ephemeral: Ephemeral { low: 1000, high: 1011, last: 1011 },
        };
        let mut check = |proto: Proto, ip: IpAddr, port: u16| {
            if taken.iter().any(|&(p, i, n)| p == proto && n == port && addrs_overlap(i, ip)) {
                Availability::Allocated
            } else {
                Availability::Free
            }
        };
        match allocate(&req, &mut check) {
            Ok(a) => {
                let out = &a.published;
                for (i, p) in out.iter().enumerate() {
                    // nothing taken elsewhere, and no two of ours catch the same packets
                    prop_assert!(!taken.iter().any(|&(pr, ip, n)| p.overlaps(pr, ip, n)));
                    for q in &out[i + 1..] {
                        prop_assert!(!q.overlaps(p.proto, p.host_addr(), p.host_port), "{p:?} vs {q:?}");
                    }
                    prop_assert!(p.host_port >= 1000 && p.host_port <= 1011);
                    prop_assert_eq!(p.container_ip.is_ipv4(), p.host_addr().is_ipv4());
                    if !v6 {
                        prop_assert!(p.container_ip.is_ipv4());
                    }
                }
                // every request is answered on each family it can reach, with its own port
                let reqs = requested(&req);
                let expected: usize = reqs
                    .iter()
                    .map(|(_, b)| match b.host_ip.as_str() {
                        "" => 1 + usize::from(v6),
                        "::" => usize::from(v6),
                        _ => 1,
                    })
                    .sum();
                prop_assert_eq!(out.len(), expected);
                for (port, b) in reqs {
                    let mine: Vec<_> = out.iter().filter(|p| p.container_port == port.port && p.proto == port.proto).collect();
                    if let Ok(fixed) = b.host_port.parse::<u16>() {
                        if b.host_ip != "::" || v6 {
                            prop_assert!(mine.iter().any(|p| p.host_port == fixed));
                        }
                    }
                }
            }
            Err(AllocError::Allocated { ip, port }) => {
                // only when a fixed port really is taken (elsewhere or by an earlier binding)
                let fixed_requested = spec.iter().any(|(_, _, b)| b.host_port == port.to_string());
                prop_assert!(fixed_requested, "{ip}:{port}");
            }
            Err(AllocError::AllAllocated) => {}
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    #[test]
    fn the_same_inputs_give_the_same_ports(
        port in 1u16..100,
        host in 1000u16..2000,
    ) {
        let bindings = PortBindings::from([(PortProto { port, proto: Proto::Tcp }, vec![b("", &host.to_string()), b("", "")])]);
        let a = run(&bindings, &BTreeSet::new(), false, targets(true), &[]);
        let b2 = run(&bindings, &BTreeSet::new(), false, targets(true), &[]);
        prop_assert_eq!(a, b2);
    }
}
