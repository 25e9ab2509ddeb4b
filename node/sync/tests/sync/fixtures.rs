//! The network of the demo in small: the city, two Träger, four Kitas, and the documents each of
//! them owns. Fixed dates, simple valid values.

use kitanetz_crdt::ids::{
    city_org, facility_org, provider_org, ApplicationId, ChildId, ContractId, ContractLineId,
    FacilityId, FamilyId, GroupId, ProviderId,
};
use kitanetz_crdt::kinds::facility::ApprovedPlaces;
use kitanetz_crdt::kinds::*;
use kitanetz_crdt::period::{Period, Timeline};
use kitanetz_crdt::policy::{Membership, NodeRole};
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::{DocId, DocKind, DocMeta};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use crate::sim::SimNet;

pub const TS: i64 = 1_790_000_000;

pub fn today() -> Date {
    Date::ymd(2026, 11, 2)
}

pub fn prov(n: u32) -> ProviderId {
    ProviderId(format!("prov-{n}"))
}

pub fn fac(x: &str) -> FacilityId {
    FacilityId(format!("fac-{x}"))
}

/// (node name, membership): city, traeger-1 (Kitas a, b), traeger-2 (Kitas c, d).
pub fn members() -> Vec<(String, Membership)> {
    let mut out = vec![(
        "city".to_string(),
        Membership {
            role: NodeRole::City,
            organisation: city_org(),
            provider: None,
            facility: None,
        },
    )];
    for p in [1, 2] {
        out.push((
            format!("traeger-{p}"),
            Membership {
                role: NodeRole::Traeger,
                organisation: provider_org(&prov(p)),
                provider: Some(prov(p)),
                facility: None,
            },
        ));
    }
    for (k, p) in kitas() {
        out.push((
            format!("kita-{k}"),
            Membership {
                role: NodeRole::Kita,
                organisation: facility_org(&fac(k)),
                provider: Some(prov(p)),
                facility: Some(fac(k)),
            },
        ));
    }
    out
}

pub fn kitas() -> [(&'static str, u32); 4] {
    [("a", 1), ("b", 1), ("c", 2), ("d", 2)]
}

pub fn meta(
    kind: DocKind,
    owner: kitanetz_crdt::OrgId,
    provider: Option<ProviderId>,
    facilities: Vec<FacilityId>,
    origin: &str,
) -> DocMeta {
    DocMeta {
        kind,
        schema: 1,
        owner,
        provider,
        facilities,
        origin_node: origin.to_string(),
        created_on: today(),
    }
}

fn address() -> Address {
    Address {
        street: "Dr.-Külz-Ring 19".into(),
        postcode: "01067".into(),
        city: "Dresden".into(),
        lat: None,
        lon: None,
    }
}

pub fn provider_profile(p: u32) -> ProviderProfile {
    ProviderProfile {
        id: prov(p),
        name: format!("Träger {p}"),
        kind: ProviderKind::Free,
        category: "frei".into(),
        address: address(),
        email: "info@example.org".into(),
        phone: String::new(),
    }
}

pub fn facility_profile(k: &str, p: u32) -> FacilityProfile {
    FacilityProfile {
        id: fac(k),
        provider: prov(p),
        name: format!("Kita {k}"),
        address: address(),
        district: "Altstadt".into(),
        cost_centre: String::new(),
        opening_hours: "6-17".into(),
        concept: String::new(),
        email: String::new(),
        phone: String::new(),
        lead_name: String::new(),
    }
}

pub fn licence(k: &str, p: u32) -> FacilityLicence {
    FacilityLicence {
        id: fac(k),
        provider: prov(p),
        operating_licence_date: None,
        care_types: vec![ApprovedPlaces {
            care_type: CareType::Kindergarten,
            places: Timeline::new(Date::ymd(2020, 1, 1), 60),
        }],
        reserved_seats: vec![],
        closures: vec![],
    }
}

pub fn group(k: &str) -> Group {
    Group {
        id: GroupId(format!("grp-{k}")),
        facility: fac(k),
        name: "Sonnenkäfer".into(),
        care_type: CareType::Kindergarten,
        size: 20,
        lead_educator: String::new(),
        members: vec![],
    }
}

pub fn ledger(k: &str) -> SeatLedger {
    SeatLedger {
        facility: fac(k),
        months: vec![SeatMonth {
            care_type: CareType::Kindergarten,
            month: Date::ymd(2027, 1, 1),
            places: 60,
            occupied: 50,
            reservations: vec![],
        }],
    }
}

pub fn contract(k: &str) -> CareContract {
    let period = Period::new(Date::ymd(2026, 1, 1), None).unwrap();
    CareContract {
        id: ContractId(format!("ctr-{k}")),
        family: FamilyId(format!("fam-{k}")),
        child: ChildId(format!("child-{k}")),
        facility: fac(k),
        period,
        lines: vec![ContractLine {
            id: ContractLineId(format!("line-{k}")),
            valid: period,
            care_type: CareType::Kindergarten,
            daily_hours: Dec(Decimal::new(9, 0)),
            group: None,
            payment_mode: PaymentMode::DirectDebit,
            reserved_seat: false,
        }],
        notice_given_on: None,
    }
}

pub fn application() -> Application {
    Application {
        id: ApplicationId("app-1".into()),
        wishes: vec![
            WishedFacility {
                facility: fac("a"),
                handle: "A-1".into(),
                status: "waiting".into(),
            },
            WishedFacility {
                facility: fac("c"),
                handle: "C-1".into(),
                status: "waiting".into(),
            },
        ],
        desired_start: Date::ymd(2027, 1, 1),
        daily_hours: Dec(Decimal::new(8, 0)),
        care_type: CareType::Kindergarten,
        age_months_at_start: 40,
        sibling_in_facility: vec![],
        integration_need: false,
        transfer: false,
        status: "active".into(),
    }
}

pub fn applicant() -> Applicant {
    Applicant {
        application: ApplicationId("app-1".into()),
        child_given_name: "Mia".into(),
        child_family_name: "Muster".into(),
        child_birth_date: Date::ymd(2023, 9, 1),
        child_sex: Sex::Female,
        guardian_given_name: "Anna".into(),
        guardian_family_name: "Muster".into(),
        address: address(),
        phone: String::new(),
        email: "anna@example.org".into(),
        ranked_wishes: vec![fac("c"), fac("a")],
        consents: Consents {
            data_processing: true,
            forwarding_to_free_providers: true,
            terms: true,
        },
        notify_by_post: false,
    }
}

pub fn id(s: &str) -> DocId {
    DocId(format!("doc-{s}"))
}

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
    let m = meta(DocKind::Applicant, city_org(), None, facilities, "city");
    net.create("city", &id("applicant-1"), m.clone(), &applicant());
    add(&mut all, &id("applicant-1"), &m);
    all
}
