//! Bytes on the wire: a one-field change after a warm sync, and a reconnect after a restart.

use crate::converged_net;
use crate::fixtures::*;
use kitanetz_crdt::kinds::ProviderProfile;

#[test]
fn a_one_field_change_after_a_warm_sync_costs_about_its_own_size() {
    let (mut net, _) = converged_net();
    let before = net.bytes_between("traeger-1", "city");
    let before_one_way = net
        .bytes
        .get(&("traeger-1".to_string(), "city".to_string()))
        .copied()
        .unwrap_or(0);
    let change = net.edit::<ProviderProfile>("traeger-1", &id("provider-1"), |p| {
        p.phone = "0351 1234567".into();
    });
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "{:?}", net.errors);
    let wire = net.bytes_between("traeger-1", "city") - before;
    let one_way = net
        .bytes
        .get(&("traeger-1".to_string(), "city".to_string()))
        .copied()
        .unwrap_or(0)
        - before_one_way;
    println!(
        "one-field change: change {change} bytes; wire traeger-1 -> city {one_way} bytes, \
         both directions {wire} bytes (framing included)"
    );
    assert!(
        one_way <= 2 * change + 64,
        "change {change} bytes, wire {one_way} bytes"
    );
    assert!(
        wire <= 2 * change + 200,
        "change {change} bytes, wire {wire} bytes both ways"
    );
    assert_eq!(
        net.value::<ProviderProfile>("city", &id("provider-1"))
            .phone,
        "0351 1234567"
    );
}

#[test]
fn reconnecting_after_a_restart_does_not_resend_documents() {
    let (mut net, _) = converged_net();
    let bootstrap = (net.total_bytes(), net.change_bytes);
    let before = (net.total_bytes(), net.change_bytes);
    net.restart("kita-a");
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "{:?}", net.errors);
    let wire = net.total_bytes() - before.0;
    let changes = net.change_bytes - before.1;
    let held = net.repo("kita-a").ids().len();
    println!(
        "restart of kita-a ({held} documents): {wire} bytes on the wire, {changes} bytes of changes \
         (bootstrap of the whole net: {} bytes, {} of changes)",
        bootstrap.0, bootstrap.1
    );
    assert_eq!(changes, 0, "documents resent after a restart");

    // A change made while down travels alone, as a change, not as the document.
    net.partition("kita-a");
    let change = net.edit::<kitanetz_crdt::kinds::CareContract>("kita-a", &id("contract-a"), |c| {
        c.notice_given_on = Some(today());
    });
    let before = (net.total_bytes(), net.change_bytes);
    net.restart("kita-a");
    net.run_until_quiet();
    assert!(net.errors.is_empty(), "{:?}", net.errors);
    let wire = net.total_bytes() - before.0;
    let changes = net.change_bytes - before.1;
    println!("restart with one pending change of {change} bytes: {wire} bytes on the wire, {changes} bytes of changes");
    assert_eq!(
        changes, change,
        "only the pending change travels (to traeger-1)"
    );
    net.assert_converged();
}

#[test]
#[ignore = "debug print"]
fn dump_one_field_change_messages() {
    let (mut net, _) = converged_net();
    net.trace = true;
    net.edit::<ProviderProfile>("traeger-1", &id("provider-1"), |p| {
        p.phone = "0351 1234567".into();
    });
    net.run_until_quiet();
    println!("--- restart");
    net.restart("kita-a");
    net.run_until_quiet();
}
