//! Published ports in the engine, against the recording kernel: reservation across
//! containers, a refused start that changes nothing, stop giving ports back, and ports
//! following the default route on connect and disconnect. Each test runs in a private netns,
//! since choosing a port probes the host's sockets.

use super::{env, req};
use berth_model::container::create::EndpointRequest;
use berth_model::container::ports::{PortBinding, PortProto};
use berth_model::container::{CreateContainer, NetworkMode, Status};
use berth_netsys::testing::in_private_netns;
use std::net::IpAddr;
use std::time::Duration;

fn publishing(name: &str, host_port: &str) -> CreateContainer {
    let mut r = req(name, NetworkMode::Bridge);
    r.host.port_bindings.insert(
        PortProto::parse("80/tcp").unwrap(),
        vec![PortBinding {
            host_ip: String::new(),
            host_port: host_port.into(),
        }],
    );
    r
}

fn target_of(e: &super::Env, name: &str) -> Vec<(u16, IpAddr)> {
    let c = e.engine.inspect_container(name).unwrap();
    c.published
        .iter()
        .map(|p| (p.host_port, p.container_ip))
        .collect()
}

fn v4_on(e: &super::Env, name: &str, network: &str) -> IpAddr {
    let c = e.engine.inspect_container(name).unwrap();
    let a = c
        .networks
        .iter()
        .find(|a| a.network_name == network)
        .unwrap();
    IpAddr::V4(a.endpoint.as_ref().unwrap().ipv4.unwrap().addr())
}

#[test]
fn a_held_port_refuses_a_second_start_and_follows_the_default_route() {
    in_private_netns(|| {
        let e = env();
        let mut web = publishing("web", "8080");
        web.host.publish_all_ports = true;
        web.exposed_ports
            .insert(PortProto::parse("81/tcp").unwrap());
        let id = e.engine.create_container(web).unwrap().id;
        e.engine.start_container(&id).unwrap();
        let bridge_ip = v4_on(&e, "web", "bridge");
        let c = e.engine.inspect_container("web").unwrap();
        assert_eq!(c.published.len(), 2, "{:?}", c.published);
        assert_eq!(
            (c.published[0].host_port, c.published[0].container_ip),
            (8080, bridge_ip)
        );
        assert_eq!(c.published[1].container_port, 81);

        // a second container asking for 8080 fails to start and holds nothing
        let other = e
            .engine
            .create_container(publishing("other", "8080"))
            .unwrap()
            .id;
        let err = e.engine.start_container(&other).unwrap_err();
        assert_eq!(err.kind, berth_model::ErrorKind::Internal);
        assert!(
            err.message.starts_with("failed to set up container networking: driver failed programming external connectivity on endpoint other (")
                && err.message.ends_with("): Bind for 0.0.0.0:8080 failed: port is already allocated"),
            "{}",
            err.message
        );
        let o = e.engine.inspect_container("other").unwrap();
        assert_eq!(o.state.status, Status::Created);
        assert!(o.published.is_empty());
        assert!(o.networks.iter().all(|a| a.endpoint.is_none()));

        // a network with a better claim to the default route takes the ports with it
        e.engine
            .create_network(&berth_model::network::plan::CreateRequest {
                name: "zeta".into(),
                ..Default::default()
            })
            .unwrap();
        let preferred = EndpointRequest {
            gw_priority: 10,
            ..Default::default()
        };
        e.engine.connect_network("zeta", "web", preferred).unwrap();
        let zeta_ip = v4_on(&e, "web", "zeta");
        assert!(target_of(&e, "web").iter().all(|(_, ip)| *ip == zeta_ip));
        assert_eq!(target_of(&e, "web")[0].0, 8080, "the host ports stay");
        e.engine.disconnect_network("zeta", "web", false).unwrap();
        assert!(target_of(&e, "web").iter().all(|(_, ip)| *ip == bridge_ip));

        // stop gives the ports back
        e.engine
            .stop_container("web", Some(Duration::from_secs(5)), None)
            .unwrap();
        assert!(target_of(&e, "web").is_empty());
        e.engine.start_container(&other).unwrap();
        assert_eq!(target_of(&e, "other")[0].0, 8080);
    });
}
