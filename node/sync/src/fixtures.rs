//! Test fixtures shared by the sync core's tests and the transport's tests: the network of the
//! demo in small (the city, two Träger, four Kitas) and simple valid documents with fixed dates.
//! Compiled only with the `fixtures` feature (dev-dependencies enable it).

use kitanetz_crdt::ids::{
    city_org, facility_org, provider_org, ApplicationId, ChildId, ContractId, ContractLineId,
    FacilityId, FamilyId, GroupId, ProviderId, WishHandle,
};
use kitanetz_crdt::kinds::facility::ApprovedPlaces;
use kitanetz_crdt::kinds::*;
use kitanetz_crdt::period::{Period, Timeline};
use kitanetz_crdt::policy::{Membership, NodeRole};
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::{DocId, DocKind, DocMeta};
use rust_decimal::Decimal;

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
        website: String::new(),
        age_from_months: 0,
        age_to_months: 72,
        opens: String::new(),
        closes: String::new(),
        concept_tags: vec![],
        extra_fees: String::new(),
        accessible: false,
        integration: false,
        profile_text: String::new(),
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
        declines: vec![],
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
                handle: WishHandle("a0000001".into()),
                status: "request".into(),
                since: Some(Date::ymd(2026, 11, 2)),
            },
            WishedFacility {
                facility: fac("c"),
                handle: WishHandle("c0000001".into()),
                status: "waitlist".into(),
                since: Some(Date::ymd(2026, 11, 2)),
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
        together: String::new(),
        childminding_agency: None,
    }
}

/// The wish of [`application()`] at Kita `k` ("a" or "c"), as that Kita receives it.
pub fn wish(k: &str) -> ApplicationWish {
    let app = application();
    let wished = app
        .wishes
        .iter()
        .find(|w| w.facility == fac(k))
        .expect("the application wishes Kitas a and c");
    ApplicationWish {
        handle: wished.handle.clone(),
        facility: wished.facility.clone(),
        care_type: app.care_type,
        desired_start: app.desired_start,
        daily_hours: app.daily_hours,
        age_months_at_start: app.age_months_at_start,
        sibling_here: false,
        integration_need: app.integration_need,
        transfer: app.transfer,
        together_here: vec![],
        status: if wished.status == "request" {
            WishStatus::Requested
        } else {
            WishStatus::Waiting
        },
        requested_on: (wished.status == "request")
            .then_some(wished.since)
            .flatten(),
        denomination: String::new(),
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
        child_denomination: String::new(),
        reasons: String::new(),
        transfer_reason: String::new(),
        childminding: None,
        address_check: String::new(),
        submitted_on: None,
        address_checked_on: None,
        history: vec![],
    }
}

pub fn id(s: &str) -> DocId {
    DocId(format!("doc-{s}"))
}
