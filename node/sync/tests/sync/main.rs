//! Multi-node sync tests over the in-process network (STYLE.md 13: one test binary).

mod convergence;
mod fixtures;
mod policy_and_privacy;
mod relay;
mod sim;
mod wire_cost;

use fixtures::*;
use kitanetz_crdt::kinds::{CareContract, FacilityLicence};
use kitanetz_crdt::policy::may_hold;
use kitanetz_crdt::scalar::Date;
use sim::SimNet;
use std::collections::BTreeSet;

/// Builds the network, creates every document at its owner, connects everyone, runs to quiet.
pub fn converged_net() -> (
    SimNet,
    std::collections::BTreeMap<kitanetz_crdt::DocId, kitanetz_crdt::DocMeta>,
) {
    let mut net = SimNet::new(&members());
    let all = populate(&mut net);
    net.connect_all();
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "refusals: {:?}", net.errors);
    (net, all)
}

#[test]
fn every_node_holds_exactly_what_it_may_and_heads_agree() {
    let (mut net, all) = converged_net();
    for name in net.names() {
        let member = net.members[&name].clone();
        let expected: BTreeSet<_> = all
            .iter()
            .filter(|(_, m)| may_hold(&member, m))
            .map(|(d, _)| d.clone())
            .collect();
        assert_eq!(net.repo(&name).ids(), expected, "documents at {name}");
    }
    // The city holds the public and placement documents: 2 providers, per Kita profile, licence
    // and seats, the application, its applicant half and its two wishes.
    assert_eq!(net.repo("city").ids().len(), 2 + 3 * 4 + 2 + 2);
    // A wished Kita holds its own wish and not the application; the other wished Kita's wish
    // stays away from it.
    assert!(net.repo("kita-a").ids().contains(&id("wish-1-a")));
    assert!(!net.repo("kita-a").ids().contains(&id("wish-1-c")));
    assert!(!net.repo("kita-a").ids().contains(&id("application-1")));
    assert!(net.repo("kita-a").ids().contains(&id("contract-a")));
    assert!(net.repo("traeger-1").ids().contains(&id("contract-a")));
    net.assert_converged();
    println!(
        "bootstrap: {} messages, {} bytes",
        net.delivered,
        net.total_bytes()
    );
}

#[test]
fn partitioned_kita_and_its_traeger_edit_one_contract_and_converge() {
    let (mut net, _) = converged_net();
    net.partition("kita-a");
    // Both may write the contract: the Kita records notice, the office changes the hours.
    net.edit::<CareContract>("kita-a", &id("contract-a"), |c| {
        c.notice_given_on = Some(Date::ymd(2026, 11, 2));
    });
    net.edit::<CareContract>("traeger-1", &id("contract-a"), |c| {
        c.lines[0].daily_hours = kitanetz_crdt::scalar::Dec(rust_decimal::Decimal::new(7, 0));
    });
    // The city changes public data meanwhile.
    net.edit::<FacilityLicence>("city", &id("licence-a"), |l| {
        l.operating_licence_date = Some(Date::ymd(2020, 3, 1));
    });
    net.run_until_quiet();
    assert_eq!(
        net.value::<FacilityLicence>("kita-a", &id("licence-a"))
            .operating_licence_date,
        None,
        "the partitioned Kita has not heard yet"
    );
    net.heal("kita-a");
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "refusals: {:?}", net.errors);
    net.assert_converged();
    for node in ["kita-a", "traeger-1"] {
        let c: CareContract = net.value(node, &id("contract-a"));
        assert_eq!(c.notice_given_on, Some(Date::ymd(2026, 11, 2)), "at {node}");
        assert_eq!(
            c.lines[0].daily_hours.0,
            rust_decimal::Decimal::new(7, 0),
            "at {node}"
        );
    }
    for node in net.names() {
        let l: FacilityLicence = net.value(&node, &id("licence-a"));
        assert_eq!(
            l.operating_licence_date,
            Some(Date::ymd(2020, 3, 1)),
            "at {node}"
        );
    }
}
