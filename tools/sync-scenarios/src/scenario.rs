//! What both benchmarks build: node memberships, document metadata, the small documents and
//! the one-field edits of the wire scenario.

use automerge::AutoCommit;
use kitanetz_crdt::ids::{
    city_org, facility_org, provider_org, ChildId, ContractId, ContractLineId, FacilityId,
    FamilyId, GuardianId, ProviderId,
};
use kitanetz_crdt::kinds::{Address, CareContract, Child, Family, Guardian, Sex};
use kitanetz_crdt::policy::{Membership, NodeRole};
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::{DocId, DocKind, DocMeta, Document, OrgId, StoredDoc};
use kitanetz_sync::fixtures::{self, today};
use rust_decimal::Decimal;

/// Unix milliseconds at midnight of a day: the timestamps of history commits.
pub fn millis(day: Date) -> i64 {
    day.0
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_millis()
}

// ------------------------------------------------------------------------------------------
// Nodes
// ------------------------------------------------------------------------------------------

pub fn traeger(name: &str, p: &ProviderId) -> (String, Membership) {
    (
        name.to_string(),
        Membership {
            role: NodeRole::Traeger,
            organisation: provider_org(p),
            provider: Some(p.clone()),
            facility: None,
        },
    )
}

pub fn kita(name: &str, p: &ProviderId, f: &FacilityId) -> (String, Membership) {
    (
        name.to_string(),
        Membership {
            role: NodeRole::Kita,
            organisation: facility_org(f),
            provider: Some(p.clone()),
            facility: Some(f.clone()),
        },
    )
}

pub fn city() -> (String, Membership) {
    (
        "city".to_string(),
        Membership {
            role: NodeRole::City,
            organisation: city_org(),
            provider: None,
            facility: None,
        },
    )
}

// ------------------------------------------------------------------------------------------
// Documents
// ------------------------------------------------------------------------------------------

fn meta(
    kind: DocKind,
    owner: OrgId,
    provider: Option<ProviderId>,
    facilities: Vec<FacilityId>,
    origin: &str,
) -> DocMeta {
    DocMeta {
        kind,
        schema: kind.schema_version(),
        owner,
        provider,
        facilities,
        origin_node: origin.to_string(),
        created_on: today(),
    }
}

/// Metadata of the provider profile of Träger `p`, created at `origin`.
pub fn provider_profile_meta(p: &ProviderId, origin: &str) -> DocMeta {
    meta(
        DocKind::ProviderProfile,
        provider_org(p),
        Some(p.clone()),
        vec![],
        origin,
    )
}

/// Metadata of a document about Kita `f` of Träger `p`, created at `origin`. The owner follows
/// the kind as in the demo: the city owns the licence, the Kita its groups and seat ledger, the
/// Träger the profile, the families and the contracts.
pub fn kita_meta(kind: DocKind, p: &ProviderId, f: &FacilityId, origin: &str) -> DocMeta {
    let owner = match kind {
        DocKind::FacilityLicence => city_org(),
        DocKind::Group | DocKind::SeatLedger => facility_org(f),
        DocKind::FacilityProfile | DocKind::Family | DocKind::CareContract => provider_org(p),
        other => panic!("no benchmark scenario creates a {other} of a Kita"),
    };
    meta(kind, owner, Some(p.clone()), vec![f.clone()], origin)
}

/// A new document as its creating node commits it.
pub fn created<T: Document>(
    id: &DocId,
    meta: &DocMeta,
    value: &T,
    node: &str,
    ts: i64,
) -> AutoCommit {
    StoredDoc::create(
        id.clone(),
        meta.clone(),
        value,
        node.as_bytes(),
        today(),
        ts,
    )
    .unwrap_or_else(|e| panic!("{id}: {e}"))
    .into_automerge()
}

/// Applies a typed edit as one automerge commit. Returns the new metadata, the document and the
/// size of the change (as it travels in a sync message).
pub fn edit_doc<T: Document>(
    id: &DocId,
    am: AutoCommit,
    ts: i64,
    f: impl FnOnce(&mut T),
) -> (DocMeta, AutoCommit, usize) {
    let mut sd = StoredDoc::from_automerge(id.clone(), am).expect("readable");
    let before = sd.heads();
    let mut value: T = sd.value().expect("kind");
    f(&mut value);
    sd.update(&value, today(), ts, "edit")
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let meta = sd.meta.clone();
    let mut am = sd.into_automerge();
    let size = am
        .get_changes(&before)
        .iter()
        .map(|c| c.raw_bytes().len())
        .sum();
    (meta, am, size)
}

/// A small family of a fixture Kita (the sync fixtures have none), numbered so that a Kita can
/// have several.
pub fn family(k: &str, n: usize, f: &FacilityId) -> Family {
    let address = Address {
        street: "Dr.-Külz-Ring 19".into(),
        postcode: "01067".into(),
        city: "Dresden".into(),
        lat: None,
        lon: None,
    };
    Family {
        id: FamilyId(format!("fam-{k}-{n}")),
        family_number: format!("{:06}", 100_000 + n),
        guardians: vec![Guardian {
            id: GuardianId(format!("grd-{k}-{n}")),
            given_name: "Anna".into(),
            family_name: "Müller".into(),
            address,
            main_residence_in_city: true,
            phone: "0351 000000".into(),
            email: String::new(),
            single_parent: false,
        }],
        children: vec![Child {
            id: ChildId(format!("child-{k}-{n}")),
            given_name: "Mia".into(),
            family_name: "Müller".into(),
            birth_date: Date::ymd(2022, 5, 1),
            sex: Sex::Female,
            integration_need: false,
            facility: Some(f.clone()),
        }],
        family_key: String::new(),
    }
}

/// The contract of the fixture Kita, renamed to go with [`family`] `n`.
pub fn contract(k: &str, n: usize) -> CareContract {
    let mut c = fixtures::contract(k);
    c.id = ContractId(format!("ctr-{k}-{n}"));
    c.family = FamilyId(format!("fam-{k}-{n}"));
    c.child = ChildId(format!("child-{k}-{n}"));
    c.lines[0].id = ContractLineId(format!("line-{k}-{n}"));
    c
}

// ------------------------------------------------------------------------------------------
// Edits: one field each
// ------------------------------------------------------------------------------------------

/// The Kita records notice on a contract.
pub fn set_notice(day: Date) -> impl FnOnce(&mut CareContract) {
    move |c| c.notice_given_on = Some(day)
}

/// The daily hours of a contract's first line change.
pub fn set_daily_hours(hours: i64) -> impl FnOnce(&mut CareContract) {
    move |c| c.lines[0].daily_hours = Dec(Decimal::new(hours, 0))
}

/// The office changes a guardian's phone: one scalar string field in a map.
pub fn set_phone(phone: &'static str) -> impl FnOnce(&mut Family) {
    move |fam| fam.guardians[0].phone = phone.into()
}

// ------------------------------------------------------------------------------------------
// The wire scenario: a Träger office and one of its Kitas
// ------------------------------------------------------------------------------------------

/// The office's node name.
pub const OFFICE: &str = "traeger-1";
/// The Kita's node name.
pub const KITA: &str = "kita-a";
/// Families, each with one contract, the Kita creates.
const WIRE_FAMILIES: usize = 3;

/// The office and the Kita with their memberships, the office first.
pub fn wire_nodes() -> [(String, Membership); 2] {
    let (p, f) = (fixtures::prov(1), fixtures::fac("a"));
    [traeger(OFFICE, &p), kita(KITA, &p, &f)]
}

/// A document as its creating node holds it.
pub struct NewDoc {
    pub node: &'static str,
    pub id: DocId,
    pub meta: DocMeta,
    pub doc: AutoCommit,
}

/// The 8 documents of the wire scenario in order of creation: the provider and the Kita's
/// profile at the office, the Kita's group and three families with a contract each at the Kita.
pub fn wire_docs(ts: i64) -> Vec<NewDoc> {
    let (p, f) = (fixtures::prov(1), fixtures::fac("a"));
    let mut docs = vec![
        new_doc(
            OFFICE,
            "provider-1",
            provider_profile_meta(&p, OFFICE),
            &fixtures::provider_profile(1),
            ts,
        ),
        new_doc(
            OFFICE,
            "profile-a",
            kita_meta(DocKind::FacilityProfile, &p, &f, OFFICE),
            &fixtures::facility_profile("a", 1),
            ts,
        ),
        new_doc(
            KITA,
            "group-a",
            kita_meta(DocKind::Group, &p, &f, KITA),
            &fixtures::group("a"),
            ts,
        ),
    ];
    for n in 0..WIRE_FAMILIES {
        docs.push(new_doc(
            KITA,
            &format!("family-a-{n}"),
            kita_meta(DocKind::Family, &p, &f, KITA),
            &family("a", n, &f),
            ts,
        ));
        docs.push(new_doc(
            KITA,
            &format!("contract-a-{n}"),
            kita_meta(DocKind::CareContract, &p, &f, KITA),
            &contract("a", n),
            ts,
        ));
    }
    docs
}

/// A fixture document (`fixtures::id(name)`) created at `node`.
pub fn new_doc<T: Document>(
    node: &'static str,
    name: &str,
    meta: DocMeta,
    value: &T,
    ts: i64,
) -> NewDoc {
    let id = fixtures::id(name);
    let doc = created(&id, &meta, value, node, ts);
    NewDoc {
        node,
        id,
        meta,
        doc,
    }
}
