//! The scenario of the sync core's tests on top of the shared fixtures.

pub use kitanetz_sync::fixtures::*;

use kitanetz_crdt::ids::{city_org, facility_org, provider_org};
use kitanetz_crdt::{DocId, DocKind, DocMeta};
use std::collections::BTreeMap;

use crate::sim::SimNet;

/// Creates every document of the scenario at its owner (contracts at the Kita, as in the demo:
/// the Kita writes them on the Träger's behalf). Returns the metadata of every document.
pub fn populate(net: &mut SimNet) -> BTreeMap<DocId, DocMeta> {
    let mut all = BTreeMap::new();
    let add = |all: &mut BTreeMap<DocId, DocMeta>, d: &DocId, m: &DocMeta| {
        all.insert(d.clone(), m.clone());
    };
    for p in [1, 2] {
        let node = format!("traeger-{p}");
        let m = meta(
            DocKind::ProviderProfile,
            provider_org(&prov(p)),
            Some(prov(p)),
            vec![],
            &node,
        );
        let d = id(&format!("provider-{p}"));
        net.create(&node, &d, m.clone(), &provider_profile(p));
        add(&mut all, &d, &m);
    }
    for (k, p) in kitas() {
        let kita = format!("kita-{k}");
        let traeger = format!("traeger-{p}");
        let owner_t = provider_org(&prov(p));
        let here = vec![fac(k)];
        let docs: Vec<(&str, DocId, DocMeta)> = vec![
            (
                "",
                id(&format!("profile-{k}")),
                meta(
                    DocKind::FacilityProfile,
                    owner_t.clone(),
                    Some(prov(p)),
                    here.clone(),
                    &traeger,
                ),
            ),
            (
                "",
                id(&format!("licence-{k}")),
                meta(
                    DocKind::FacilityLicence,
                    city_org(),
                    Some(prov(p)),
                    here.clone(),
                    "city",
                ),
            ),
            (
                "",
                id(&format!("group-{k}")),
                meta(
                    DocKind::Group,
                    facility_org(&fac(k)),
                    Some(prov(p)),
                    here.clone(),
                    &kita,
                ),
            ),
            (
                "",
                id(&format!("seats-{k}")),
                meta(
                    DocKind::SeatLedger,
                    facility_org(&fac(k)),
                    Some(prov(p)),
                    here.clone(),
                    &kita,
                ),
            ),
            (
                "",
                id(&format!("contract-{k}")),
                meta(
                    DocKind::CareContract,
                    owner_t.clone(),
                    Some(prov(p)),
                    here.clone(),
                    &kita,
                ),
            ),
        ];
        for (_, d, m) in docs {
            let node = m.origin_node.clone();
            match m.kind {
                DocKind::FacilityProfile => {
                    net.create(&node, &d, m.clone(), &facility_profile(k, p))
                }
                DocKind::FacilityLicence => net.create(&node, &d, m.clone(), &licence(k, p)),
                DocKind::Group => net.create(&node, &d, m.clone(), &group(k)),
                DocKind::SeatLedger => net.create(&node, &d, m.clone(), &ledger(k)),
                DocKind::CareContract => net.create(&node, &d, m.clone(), &contract(k)),
                _ => unreachable!(),
            }
            add(&mut all, &d, &m);
        }
    }
    let facilities = vec![fac("a"), fac("c")];
    let m = meta(
        DocKind::Application,
        city_org(),
        None,
        facilities.clone(),
        "city",
    );
    net.create("city", &id("application-1"), m.clone(), &application());
    add(&mut all, &id("application-1"), &m);
    // Each wished Kita gets its own wish; the application itself stays at the city.
    for k in ["a", "c"] {
        let doc = id(&format!("wish-1-{k}"));
        let m = meta(
            DocKind::ApplicationWish,
            city_org(),
            None,
            vec![fac(k)],
            "city",
        );
        net.create("city", &doc, m.clone(), &wish(k));
        add(&mut all, &doc, &m);
    }
    let m = meta(DocKind::Applicant, city_org(), None, facilities, "city");
    net.create("city", &id("applicant-1"), m.clone(), &applicant());
    add(&mut all, &id("applicant-1"), &m);
    all
}
