//! Which of a container's endpoints carries its default route(s), as moby's sandbox decides
//! (`daemon/libnetwork/sandbox.go` `Endpoint.Less`, `default_gateway.go`
//! `getGatewayEndpoint`).
//!
//! The sandbox keeps its endpoints sorted, best gateway candidate first:
//! 1. higher `GwPriority` first;
//! 2. non-internal networks before internal ones;
//! 3. endpoints with both an IPv4 and an IPv6 gateway, then with one, then with none;
//! 4. network name, ascending (so `bridge` beats `t1`).
//!
//! IPv4 and IPv6 are chosen separately: the IPv4 default route goes through the first endpoint
//! in that order that has an IPv4 gateway, the IPv6 one through the first with an IPv6 gateway.
//! An internal network never has a gateway in its endpoints (the bridge driver does not set
//! one), so it never carries a default route. Host and null networks are not candidates.

/// What the choice needs to know about one endpoint of the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatewayCandidate<'a> {
    pub network_name: &'a str,
    pub internal: bool,
    /// The network has an IPv4 gateway and the endpoint an IPv4 address.
    pub has_v4_gateway: bool,
    /// The network has an IPv6 gateway and the endpoint an IPv6 address.
    pub has_v6_gateway: bool,
    pub gw_priority: i64,
}

impl GatewayCandidate<'_> {
    /// The gateways the endpoint really offers: none on an internal network.
    fn gateways(&self) -> (bool, bool) {
        if self.internal {
            (false, false)
        } else {
            (self.has_v4_gateway, self.has_v6_gateway)
        }
    }
}

/// The candidates' indices in the sandbox's order, best gateway first.
pub fn sandbox_order(candidates: &[GatewayCandidate<'_>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (&candidates[i], &candidates[j]);
        let count = |c: &GatewayCandidate<'_>| {
            let (v4, v6) = c.gateways();
            u8::from(v4) + u8::from(v6)
        };
        b.gw_priority
            .cmp(&a.gw_priority)
            .then(a.internal.cmp(&b.internal))
            .then(count(b).cmp(&count(a)))
            .then(a.network_name.cmp(b.network_name))
    });
    order
}

/// The index of the endpoint carrying the IPv4 default route, and of the one carrying the IPv6
/// default route (the same one when it is dual-stack and first).
pub fn choose_gateways(candidates: &[GatewayCandidate<'_>]) -> (Option<usize>, Option<usize>) {
    let order = sandbox_order(candidates);
    let v4 = order.iter().copied().find(|&i| candidates[i].gateways().0);
    let v6 = order.iter().copied().find(|&i| candidates[i].gateways().1);
    (v4, v6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v4(name: &str) -> GatewayCandidate<'_> {
        GatewayCandidate {
            network_name: name,
            internal: false,
            has_v4_gateway: true,
            has_v6_gateway: false,
            gw_priority: 0,
        }
    }

    #[test]
    fn connecting_bridge_takes_the_default_route_by_name() {
        // Verified on Docker 20.10: on t1, then connected to bridge → default via bridge.
        let c = [v4("t1"), v4("bridge")];
        assert_eq!(choose_gateways(&c), (Some(1), None));
        let c = [v4("t1"), v4("t2")];
        assert_eq!(choose_gateways(&c), (Some(0), None));
    }

    #[test]
    fn priority_beats_name() {
        let mut t2 = v4("t2");
        t2.gw_priority = 1;
        assert_eq!(choose_gateways(&[v4("t1"), t2]), (Some(1), None));
        let mut low = v4("a");
        low.gw_priority = -1;
        assert_eq!(choose_gateways(&[low, v4("z")]), (Some(1), None));
    }

    #[test]
    fn internal_networks_never_get_the_default_route() {
        let mut a = v4("a");
        a.internal = true;
        a.gw_priority = 100;
        assert_eq!(choose_gateways(&[a, v4("z")]), (Some(1), None));
        assert_eq!(choose_gateways(&[a]), (None, None));
    }

    #[test]
    fn dual_stack_first_and_families_chosen_separately() {
        let mut dual = v4("z");
        dual.has_v6_gateway = true;
        assert_eq!(choose_gateways(&[v4("a"), dual]), (Some(1), Some(1)));
        let mut v6only = v4("b");
        v6only.has_v4_gateway = false;
        v6only.has_v6_gateway = true;
        assert_eq!(choose_gateways(&[v6only, v4("a")]), (Some(1), Some(0)));
        assert_eq!(choose_gateways(&[]), (None, None));
    }

    proptest! {
        /// The chosen endpoints always have a gateway of that family, are never internal, and
        /// nothing better placed by Docker's order has one.
        #[test]
        fn choice_is_the_best_by_docker_order(
            specs in proptest::collection::vec((0u8..4, any::<bool>(), any::<bool>(), any::<bool>(), -1i64..2), 0..6)
        ) {
            let names: Vec<String> = specs.iter().enumerate().map(|(i, s)| format!("n{}{i}", s.0)).collect();
            let cands: Vec<GatewayCandidate<'_>> = specs.iter().zip(&names).map(|(s, n)| GatewayCandidate {
                network_name: n, internal: s.1, has_v4_gateway: s.2, has_v6_gateway: s.3, gw_priority: s.4,
            }).collect();
            let (g4, g6) = choose_gateways(&cands);
            let order = sandbox_order(&cands);
            for (chosen, fam) in [(g4, 0), (g6, 1)] {
                let offers = |c: &GatewayCandidate<'_>| !c.internal && if fam == 0 { c.has_v4_gateway } else { c.has_v6_gateway };
                match chosen {
                    Some(i) => {
                        prop_assert!(offers(&cands[i]));
                        let pos = order.iter().position(|&x| x == i).unwrap();
                        prop_assert!(order[..pos].iter().all(|&j| !offers(&cands[j])));
                    }
                    None => prop_assert!(cands.iter().all(|c| !offers(c))),
                }
            }
        }
    }
}
