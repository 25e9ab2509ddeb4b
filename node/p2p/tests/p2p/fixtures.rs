//! The scenario of the transport's tests on top of the sync core's shared fixtures.

pub use kitanetz_sync::fixtures::*;

use kitanetz_crdt::ids::{city_org, facility_org, provider_org};
use kitanetz_crdt::{DocId, DocKind, DocMeta, StoredDoc};

/// Every document of the scenario for Träger 1 with Kitas `kitas` (besides the shared ones), as
/// (id, metadata, creator); the value is built by [`create_value`].
pub fn scenario_docs(kitas: &[&str]) -> Vec<(DocId, DocMeta)> {
    let p = 1;
    let owner_t = provider_org(&prov(p));
    let mut out = vec![(
        id("provider-1"),
        meta(
            DocKind::ProviderProfile,
            owner_t.clone(),
            Some(prov(p)),
            vec![],
            "traeger-1",
        ),
    )];
    for &k in kitas {
        let kita = format!("kita-{k}");
        let here = vec![fac(k)];
        let m = |kind, owner: kitanetz_crdt::OrgId, origin: &str| {
            meta(kind, owner, Some(prov(p)), here.clone(), origin)
        };
        out.push((
            id(&format!("profile-{k}")),
            m(DocKind::FacilityProfile, owner_t.clone(), "traeger-1"),
        ));
        out.push((
            id(&format!("licence-{k}")),
            m(DocKind::FacilityLicence, city_org(), "city"),
        ));
        out.push((
            id(&format!("group-{k}")),
            m(DocKind::Group, facility_org(&fac(k)), &kita),
        ));
        out.push((
            id(&format!("seats-{k}")),
            m(DocKind::SeatLedger, facility_org(&fac(k)), &kita),
        ));
        out.push((
            id(&format!("contract-{k}")),
            m(DocKind::CareContract, owner_t.clone(), &kita),
        ));
    }
    let facilities = vec![fac("a"), fac("c")];
    out.push((
        id("application-1"),
        meta(
            DocKind::Application,
            city_org(),
            None,
            facilities.clone(),
            "city",
        ),
    ));
    out.push((
        id("applicant-1"),
        meta(DocKind::Applicant, city_org(), None, facilities, "city"),
    ));
    out
}

fn mk<T: kitanetz_crdt::Document>(doc: &DocId, m: &DocMeta, value: &T) -> StoredDoc {
    StoredDoc::create(
        doc.clone(),
        m.clone(),
        value,
        m.origin_node.as_bytes(),
        today(),
        TS,
    )
    .expect("valid document")
}

/// The document's initial value, as a new automerge document by its creator.
pub fn create_value(doc: &DocId, m: &DocMeta) -> StoredDoc {
    let k = m
        .facilities
        .first()
        .map(|f| f.0.trim_start_matches("fac-").to_string())
        .unwrap_or_else(|| "a".into());
    let k = k.as_str();
    match m.kind {
        DocKind::ProviderProfile => mk(doc, m, &provider_profile(1)),
        DocKind::FacilityProfile => mk(doc, m, &facility_profile(k, 1)),
        DocKind::FacilityLicence => mk(doc, m, &licence(k, 1)),
        DocKind::Group => mk(doc, m, &group(k)),
        DocKind::SeatLedger => mk(doc, m, &ledger(k)),
        DocKind::CareContract => mk(doc, m, &contract(k)),
        DocKind::Application => mk(doc, m, &application()),
        DocKind::Applicant => mk(doc, m, &applicant()),
        other => panic!("no fixture for {other:?}"),
    }
}
