//! Fixtures of the fee tests: a family with its contract, built in memory.

use super::FamilyFees;
use kitanetz_crdt::ids::{ChildId, ContractId, FacilityId};
use kitanetz_crdt::ids::{ContractLineId, FamilyId, GuardianId};
use kitanetz_crdt::kinds::{
    Address, Child, ContractLine, Family, FeeCase, Guardian, PaymentMode, Sex,
};
use kitanetz_crdt::kinds::{CareContract, CareType};
use kitanetz_crdt::period::Period;
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::scalar::Dec;

pub(crate) fn line(id: &str, from: Date, care: CareType, hours: i64) -> ContractLine {
    ContractLine {
        id: ContractLineId(id.into()),
        valid: Period::from(from),
        care_type: care,
        daily_hours: Dec(hours.into()),
        group: None,
        payment_mode: PaymentMode::DirectDebit,
        reserved_seat: false,
    }
}

/// One child born 2023-05-20 with a Krippe contract from 2025-09 at 9 h, changed to 6 h on
/// 2026-02-10 (mid-month) and to a remedial place on 2026-04-01.
pub(crate) fn family() -> FamilyFees {
    let child = ChildId("child-a".into());
    let mut contract = CareContract {
        id: ContractId("ctr-a".into()),
        family: FamilyId("fam-a".into()),
        child: child.clone(),
        facility: FacilityId("fac-a".into()),
        period: Period::from(Date::ymd(2025, 9, 1)),
        lines: vec![line("l1", Date::ymd(2025, 9, 1), CareType::Nursery, 9)],
        notice_given_on: None,
        notice_reason: None,
        school_entry: None,
    };
    contract
        .change_from(
            Date::ymd(2026, 2, 10),
            line("l2", Date::ymd(2026, 2, 10), CareType::Nursery, 6),
        )
        .unwrap();
    contract
        .change_from(
            Date::ymd(2026, 4, 1),
            line("l3", Date::ymd(2026, 4, 1), CareType::Remedial, 6),
        )
        .unwrap();
    let address = Address {
        street: "Weg 1".into(),
        postcode: "01067".into(),
        city: "Dresden".into(),
        lat: None,
        lon: None,
    };
    FamilyFees {
        family: Family {
            id: FamilyId("fam-a".into()),
            family_number: "123456".into(),
            guardians: vec![Guardian {
                id: GuardianId("g-a".into()),
                given_name: "Anna".into(),
                family_name: "Beispiel".into(),
                address,
                main_residence_in_city: true,
                phone: String::new(),
                email: String::new(),
                single_parent: false,
            }],
            children: vec![Child {
                id: child,
                given_name: "Ben".into(),
                family_name: "Beispiel".into(),
                birth_date: Date::ymd(2023, 5, 20),
                sex: Sex::Male,
                integration_need: false,
                facility: None,
            }],
            family_key: String::new(),
        },
        contracts: vec![contract],
        fee_case: FeeCase {
            family: FamilyId("fam-a".into()),
            payer: None,
            mandate: None,
            statuses: vec![],
            decisions: vec![],
            overrides: vec![],
            extra_care_decisions: vec![],
            reductions: vec![],
        },
        extra_care: vec![],
        others: vec![],
        statutes: super::statute_versions::builtin(),
    }
}

/// `fees` with an older child (Lena, born 2021-03-01) in Kindergarten, 9 h, from 2025-09-01
/// until `until`.
pub(crate) fn with_older_sibling_until(mut fees: FamilyFees, until: Date) -> FamilyFees {
    let child = ChildId("child-b".into());
    let mut older = fees.family.children[0].clone();
    older.id = child.clone();
    older.given_name = "Lena".into();
    older.birth_date = Date::ymd(2021, 3, 1);
    fees.family.children.push(older);
    fees.contracts.push(CareContract {
        id: ContractId("ctr-b".into()),
        family: fees.family.id.clone(),
        child,
        facility: FacilityId("fac-a".into()),
        period: Period::new(Date::ymd(2025, 9, 1), Some(until)).expect("a period"),
        lines: vec![line(
            "l-b",
            Date::ymd(2025, 9, 1),
            CareType::Kindergarten,
            9,
        )],
        notice_given_on: None,
        notice_reason: None,
        school_entry: None,
    });
    fees
}

pub(crate) const PROVIDER: &str = "prov-a";

/// The fee clerk of the Träger `prov-a`.
pub(crate) fn clerk() -> crate::auth::Principal {
    use kitanetz_crdt::ids::{provider_org, ProviderId};
    crate::auth::Principal::Staff(crate::auth::Caller {
        user_id: 1,
        username: "beitrag".into(),
        display_name: "Frau Beitrag".into(),
        role: crate::auth::Role::FeeOffice,
        organisation: provider_org(&ProviderId(PROVIDER.into())),
        provider: Some(ProviderId(PROVIDER.into())),
        facility: None,
        childminder: None,
    })
}

pub(crate) fn issuer() -> super::decisions::Issuer {
    super::decisions::Issuer {
        fees: crate::config::FeesSection::default(),
        display_name: "Kita-Träger e. V.".into(),
        clerk: "Frau Beitrag".into(),
    }
}

/// A Träger node's store in `dir` holding `fees`' family and contracts.
pub(crate) fn store_holding(
    dir: &tempfile::TempDir,
    mut fees: FamilyFees,
) -> crate::storage::Store {
    use crate::storage::{AuditEntry, Durability, Store};
    use kitanetz_crdt::doc::StoredDoc;
    use kitanetz_crdt::ids::{provider_org, ProviderId};
    use kitanetz_crdt::meta::{DocKind, DocMeta};
    use kitanetz_crdt::policy::{Membership, NodeRole};
    let provider = ProviderId(PROVIDER.into());
    let mut store = Store::open(
        &dir.path().join("traeger.db"),
        Durability::Normal,
        "traeger",
        Membership {
            role: NodeRole::Traeger,
            organisation: provider_org(&provider),
            provider: Some(provider.clone()),
            facility: None,
        },
    )
    .unwrap();
    // Stored ids must parse (the fixture's guardian and line ids are short ones).
    fees.family.guardians[0].id = GuardianId("grd-a".into());
    for c in &mut fees.contracts {
        for l in &mut c.lines {
            l.id = ContractLineId(format!("line-{}", l.id.0));
        }
    }
    let meta = |kind: DocKind| DocMeta {
        kind,
        schema: 1,
        owner: provider_org(&provider),
        provider: Some(provider.clone()),
        facilities: vec![fees.contracts[0].facility.clone()],
        origin_node: "traeger".into(),
        created_on: Date::ymd(2025, 1, 1),
    };
    let mut docs = vec![StoredDoc::create(
        crate::families::family_doc_id(&fees.family.id),
        meta(DocKind::Family),
        &fees.family,
        store.actor(),
        Date::ymd(2025, 1, 1),
        1,
    )
    .unwrap()];
    for c in &fees.contracts {
        docs.push(
            StoredDoc::create(
                crate::contracts::contract_doc_id(&c.id),
                meta(DocKind::CareContract),
                c,
                store.actor(),
                Date::ymd(2025, 1, 1),
                1,
            )
            .unwrap(),
        );
    }
    let mut refs: Vec<&mut StoredDoc> = docs.iter_mut().collect();
    let entry = AuditEntry {
        at: 1,
        actor: "user:test".into(),
        action: "test",
        target: None,
        subjects: vec![],
        valid_from: None,
    };
    store.save_docs(&mut refs, &entry).unwrap();
    store
}

/// The audit log's actions, oldest first.
pub(crate) fn audit_actions(store: &crate::storage::Store) -> Vec<String> {
    let mut stmt = store
        .conn()
        .prepare("SELECT action FROM audit_log ORDER BY seq")
        .unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(Result::unwrap).collect()
}
