//! The interfaces' files from a Träger node's own documents: small fixtures (two Kitas of one
//! Träger, three children), fixed dates, the files parsed back.

use super::*;
use crate::auth::{Caller, Role};
use crate::storage::{AuditEntry, Durability};
use kitanetz_crdt::doc::{Document, StoredDoc};
use kitanetz_crdt::ids::{
    provider_org, ChildId, ContractId, ContractLineId, FamilyId, GuardianId, OrgId,
};
use kitanetz_crdt::kinds::{
    Address, CareContract, CareType, Child, ContractLine, FacilityProfile, Family, Guardian,
    PaymentMode, Sex,
};
use kitanetz_crdt::meta::DocMeta;
use kitanetz_crdt::period::Period;
use kitanetz_crdt::policy::Membership;
use kitanetz_crdt::scalar::{Date, Dec};
use std::collections::BTreeMap;
use std::io::Read;
use std::str::FromStr;

const PROVIDER: &str = "prov-1";

fn today() -> Date {
    Date::ymd(2026, 11, 20)
}

fn now() -> Now {
    Now {
        today: today(),
        millis: 1_790_000_000_000,
    }
}

fn staff(role: Role, provider: Option<&str>, facility: Option<&str>) -> Principal {
    Principal::Staff(Caller {
        user_id: 1,
        username: format!("{}-{}", role.as_str(), provider.unwrap_or("city")),
        display_name: "Test".into(),
        role,
        organisation: OrgId(format!("org-{}", provider.unwrap_or("city"))),
        provider: provider.map(|p| ProviderId(p.into())),
        facility: facility.map(|f| FacilityId(f.into())),
        childminder: None,
    })
}

fn admin() -> Principal {
    staff(Role::TraegerAdmin, Some(PROVIDER), None)
}

fn create<T: Document>(store: &mut Store, id: kitanetz_crdt::DocId, facility: &str, value: &T) {
    let meta = DocMeta {
        kind: T::KIND,
        schema: T::KIND.schema_version(),
        owner: provider_org(&ProviderId(PROVIDER.into())),
        provider: Some(ProviderId(PROVIDER.into())),
        facilities: vec![FacilityId(facility.into())],
        origin_node: "traeger-1".into(),
        created_on: today(),
    };
    let mut doc = StoredDoc::create(id, meta, value, store.actor(), today(), 1).unwrap();
    store
        .save_doc(
            &mut doc,
            &AuditEntry {
                at: 1,
                actor: "user:test".into(),
                action: "test.create",
                target: None,
                subjects: vec![],
                valid_from: None,
            },
        )
        .unwrap();
}

fn address(street: &str) -> Address {
    Address {
        street: street.into(),
        postcode: "01067".into(),
        city: "Dresden".into(),
        lat: None,
        lon: None,
    }
}

fn kita(store: &mut Store, id: &str, name: &str) {
    let profile: FacilityProfile = serde_json::from_value(serde_json::json!({
        "id": id, "provider": PROVIDER, "name": name,
        "address": {"street": "Hafenstraße 1", "postcode": "01067", "city": "Dresden", "lat": null, "lon": null},
        "district": "Altstadt", "cost_centre": format!("KST-{id}"), "opening_hours": "", "concept": "",
        "email": "", "phone": "", "lead_name": ""
    }))
    .unwrap();
    create(
        store,
        crate::facilities::profile_doc_id(&FacilityId(id.into())),
        id,
        &profile,
    );
}

/// A family with one guardian and one child, and the child's contract at `facility` from
/// `start` (to `end`) on one line.
#[allow(clippy::too_many_arguments)]
fn family_with_contract(
    store: &mut Store,
    n: u32,
    given: &str,
    born: Date,
    facility: &str,
    care_type: CareType,
    hours: &str,
    start: Date,
    end: Option<Date>,
) {
    let family = Family {
        id: FamilyId(format!("fam-{n}")),
        family_number: format!("10000{n}"),
        family_key: String::new(),
        guardians: vec![Guardian {
            id: GuardianId(format!("grd-{n}")),
            given_name: format!("Parent{n}"),
            family_name: format!("Family{n}"),
            address: address(&format!("Holstenstraße {n}")),
            main_residence_in_city: true,
            phone: String::new(),
            email: String::new(),
            single_parent: false,
        }],
        children: vec![Child {
            id: ChildId(format!("child-{n}")),
            given_name: given.into(),
            family_name: format!("Family{n}"),
            birth_date: born,
            sex: Sex::Female,
            integration_need: false,
            facility: Some(FacilityId(facility.into())),
        }],
    };
    create(
        store,
        crate::families::family_doc_id(&family.id),
        facility,
        &family,
    );
    let contract = CareContract {
        id: ContractId(format!("ctr-{n}")),
        family: family.id.clone(),
        child: ChildId(format!("child-{n}")),
        facility: FacilityId(facility.into()),
        period: Period::new(start, end).unwrap(),
        lines: vec![ContractLine {
            id: ContractLineId(format!("line-{n}")),
            valid: Period::new(start, end).unwrap(),
            care_type,
            daily_hours: Dec(rust_decimal::Decimal::from_str(hours).unwrap()),
            group: None,
            payment_mode: PaymentMode::DirectDebit,
            reserved_seat: false,
        }],
        notice_given_on: None,
        notice_reason: None,
        school_entry: None,
    };
    create(
        store,
        crate::contracts::contract_doc_id(&contract.id),
        facility,
        &contract,
    );
}

/// The Träger prov-1's node with its Kitas fac-1 (Hafenkinder) and fac-2 (Elbkinder): Mia (4 on
/// 20 November 2026, Kindergarten 7 h at fac-1), Tom (7, Hort 5 h at fac-1), Lea (3, whose
/// Kindergarten contract at fac-2 ended on 31 October 2026).
fn seeded() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let provider = ProviderId(PROVIDER.into());
    let mut store = Store::open(
        &dir.path().join("traeger.db"),
        Durability::Normal,
        "traeger-1",
        Membership {
            role: NodeRole::Traeger,
            organisation: provider_org(&provider),
            provider: Some(provider.clone()),
            facility: None,
        },
    )
    .unwrap();
    kita(&mut store, "fac-1", "Kita Hafenkinder");
    kita(&mut store, "fac-2", "Kita Elbkinder");
    family_with_contract(
        &mut store,
        1,
        "Mia",
        Date::ymd(2022, 3, 14),
        "fac-1",
        CareType::Kindergarten,
        "7",
        Date::ymd(2025, 8, 1),
        None,
    );
    family_with_contract(
        &mut store,
        2,
        "Tom",
        Date::ymd(2019, 5, 1),
        "fac-1",
        CareType::AfterSchool,
        "5",
        Date::ymd(2025, 8, 1),
        None,
    );
    family_with_contract(
        &mut store,
        3,
        "Lea",
        Date::ymd(2023, 1, 10),
        "fac-2",
        CareType::Kindergarten,
        "4.5",
        Date::ymd(2025, 8, 1),
        Some(Date::ymd(2026, 10, 31)),
    );
    (dir, store)
}

/// A CSV file back as rows of fields (header first); checks the BOM and the separator.
fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix(BOM).expect("UTF-8 with BOM");
    assert!(text.ends_with("\r\n"), "CRLF line ends");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|c| c == name).unwrap()
}

fn audit_rows(store: &Store, action: &str) -> Vec<(String, Vec<String>, Option<String>)> {
    let mut stmt = store
        .conn()
        .prepare("SELECT actor, subjects, valid_from FROM audit_log WHERE action = ?1")
        .unwrap();
    stmt.query_map([action], |r| {
        let subjects: String = r.get(1)?;
        Ok((
            r.get(0)?,
            serde_json::from_str(&subjects).unwrap(),
            r.get(2)?,
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn health_office_lists_a_four_year_old_in_care_with_the_guardians_address_not_a_seven_year_old_nor_an_ended_contract(
) {
    let (_dir, mut store) = seeded();
    let file = health_office::export(&mut store, &admin(), None, today().0, now()).unwrap();
    assert_eq!(file.name, "gesundheitsamt-prov-1-2026-11-20.csv");
    let rows = parse_csv(&file.bytes);
    assert_eq!(rows[0], health_office::COLUMNS);
    assert_eq!(rows.len(), 2, "Mia only: {rows:?}");
    let mia = &rows[1];
    let at = |name| mia[column(&rows, name)].as_str();
    assert_eq!(at("KIND_VORNAME"), "Mia");
    assert_eq!(at("KIND_GEBURTSDATUM"), "2022-03-14");
    assert_eq!(at("KIND_ALTER_JAHRE"), "4");
    assert_eq!(at("KIND_STRASSE"), "Holstenstraße 1");
    assert_eq!(at("KIND_PLZ"), "01067");
    assert_eq!(at("KIND_ORT"), "Dresden");
    assert_eq!(at("SORGEBERECHTIGTE_VORNAME"), "Parent1");
    assert_eq!(at("EINRICHTUNG_NAME"), "Kita Hafenkinder");
    assert_eq!(at("STICHTAG"), "2026-11-20");
    // While her contract ran, Lea (3) was listed at her Kita.
    let before =
        health_office::export(&mut store, &admin(), None, Date::ymd(2026, 10, 1).0, now()).unwrap();
    let rows = parse_csv(&before.bytes);
    let names: Vec<&str> = rows[1..].iter().map(|r| r[8].as_str()).collect();
    assert_eq!(names, ["Lea", "Mia"], "by Kita name: Elbkinder first");
}

#[test]
fn the_age_limit_is_the_day_before_the_sixth_birthday() {
    let born = Date::ymd(2020, 11, 21).0;
    assert_eq!(health_office::age_years(born, Date::ymd(2026, 11, 20).0), 5);
    assert_eq!(health_office::age_years(born, Date::ymd(2026, 11, 21).0), 6);
}

#[test]
fn every_export_is_audited_with_the_children_whose_data_left() {
    let (_dir, mut store) = seeded();
    health_office::export(&mut store, &admin(), None, today().0, now()).unwrap();
    let entries = audit_rows(&store, "interfaces.health-office");
    assert_eq!(
        entries,
        [(
            "user:traeger-admin-prov-1".to_string(),
            vec!["child-1".to_string()],
            Some("2026-11-20".to_string())
        )]
    );
    cost_accounting::export(&mut store, &admin(), None, 2026, 11, now()).unwrap();
    assert_eq!(audit_rows(&store, "interfaces.cost-accounting").len(), 1);
    core_data::export(&mut store, &admin(), None, core_data::Format::Xml, now()).unwrap();
    let core = audit_rows(&store, "interfaces.core-data");
    assert_eq!(core.len(), 1);
    for id in ["child-1", "child-2", "child-3", "grd-1", "grd-2", "grd-3"] {
        assert!(core[0].1.contains(&id.to_string()), "{id}: {core:?}");
    }
    let runs = queries::recent_exports(store.conn(), 10).unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[0].action, "interfaces.core-data", "newest first");
    assert_eq!(runs[2].target, "fac-2 fac-1", "the Kitas by name");
}

#[test]
fn cost_accounting_counts_the_contracts_in_force_on_the_twentieth_by_care_type_and_hours() {
    let (_dir, mut store) = seeded();
    let file = cost_accounting::export(&mut store, &admin(), None, 2026, 11, now()).unwrap();
    assert_eq!(file.name, "kostenrechnung-prov-1-2026-11.csv");
    let rows = parse_csv(&file.bytes);
    assert_eq!(rows[0], cost_accounting::COLUMNS);
    let find = |facility: &str, care: &str, time: &str| {
        rows.iter()
            .find(|r| r[2] == facility && r[5] == care && r[7] == time)
            .unwrap_or_else(|| panic!("{facility} {care} {time}: {rows:?}"))
    };
    let kiga = find("fac-1", "Kindergarten", "gesamt");
    assert_eq!(kiga[0], "2026-11-20");
    assert_eq!(kiga[1], "2026-11");
    assert_eq!(kiga[3], "KST-fac-1");
    assert_eq!(kiga[9], "1", "Mia");
    assert_eq!(find("fac-1", "Kindergarten", "7")[9], "1");
    assert_eq!(find("fac-1", "Hort", "gesamt")[9], "1", "Tom");
    assert_eq!(
        find("fac-1", "Hort", "5")[8],
        "",
        "no places on an hours row"
    );
    // Lea's contract ended in October: nobody at fac-2 on 20 November …
    assert!(rows[1..]
        .iter()
        .filter(|r| r[2] == "fac-2")
        .all(|r| r[9] == "0"));
    // … but on 20 October she was there, at 4.5 h written with a decimal comma.
    let october = cost_accounting::export(&mut store, &admin(), None, 2026, 10, now()).unwrap();
    let rows = parse_csv(&october.bytes);
    let lea = rows
        .iter()
        .find(|r| r[2] == "fac-2" && r[7] == "4,5")
        .unwrap();
    assert_eq!(lea[9], "1");
    assert_eq!(
        cost_accounting::reference_date(2026, 2),
        Some(Date::ymd(2026, 2, 20).0)
    );
}

#[test]
fn core_data_csv_and_xml_read_back_with_every_record() {
    let (_dir, mut store) = seeded();
    let expected = [
        ("einrichtungen", "einrichtung", 2),
        ("kinder", "kind", 3),
        ("sorgeberechtigte", "sorgeberechtigter", 3),
        ("vertraege", "vertrag", 3),
        ("vertragszeilen", "zeile", 3),
    ];
    let zip =
        core_data::export(&mut store, &admin(), None, core_data::Format::CsvZip, now()).unwrap();
    assert_eq!(zip.name, "kerndaten-prov-1-2026-11-20.zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.bytes)).unwrap();
    assert_eq!(archive.len(), expected.len());
    for (table, _, count) in expected {
        let mut bytes = Vec::new();
        archive
            .by_name(&format!("{table}.csv"))
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        let rows = parse_csv(&bytes);
        assert_eq!(rows.len() - 1, count, "{table}");
        assert!(
            rows[1..].iter().all(|r| r.len() == rows[0].len()),
            "{table}"
        );
        if table == "vertragszeilen" {
            let lea = rows.iter().find(|r| r[0] == "ctr-3").unwrap();
            assert_eq!(lea[5], "4,5");
            assert_eq!(lea[3], "2026-10-31");
        }
    }
    let xml = core_data::export(&mut store, &admin(), None, core_data::Format::Xml, now()).unwrap();
    assert_eq!(xml.media_type, "application/xml; charset=utf-8");
    let text = String::from_utf8(xml.bytes).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().check_end_names = true;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut path: Vec<String> = Vec::new();
    let mut hours = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) => {
                let name: String = e.name().as_ref().to_owned();
                if path.len() == 2 {
                    *counts.entry(format!("{}/{name}", path[1])).or_default() += 1;
                }
                path.push(name);
            }
            quick_xml::events::Event::End(_) => {
                path.pop();
            }
            quick_xml::events::Event::Text(t)
                if path.last().map(String::as_str) == Some("STUNDEN_TAEGLICH") =>
            {
                hours.push(t.xml10_content().into_owned());
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    for (table, row, count) in expected {
        assert_eq!(
            counts.get(&format!("{table}/{row}")),
            Some(&count),
            "{table}: {counts:?}"
        );
    }
    assert!(text.contains("<kerndaten version=\"1\" traeger=\"prov-1\" stand=\"2026-11-20\">"));
    hours.sort();
    assert_eq!(hours, ["4.5", "5", "7"], "a decimal point in XML");
}

#[test]
fn refused_for_another_traegers_admin_and_the_city_zvs() {
    let (_dir, mut store) = seeded();
    for who in [
        staff(Role::TraegerAdmin, Some("prov-2"), None),
        staff(Role::Zvs, None, None),
        staff(Role::FeeOffice, Some(PROVIDER), None),
    ] {
        let refused = |r: Result<ExportFile, ActionError>| {
            assert!(
                matches!(r, Err(ActionError::Forbidden(_))),
                "{who:?}: {r:?}"
            );
        };
        refused(health_office::export(
            &mut store,
            &who,
            None,
            today().0,
            now(),
        ));
        refused(cost_accounting::export(
            &mut store,
            &who,
            None,
            2026,
            11,
            now(),
        ));
        refused(core_data::export(
            &mut store,
            &who,
            None,
            core_data::Format::CsvZip,
            now(),
        ));
    }
    assert!(audit_rows(&store, "interfaces.health-office").is_empty());
    assert!(audit_rows(&store, "interfaces.core-data").is_empty());
}

#[test]
fn a_kita_lead_on_the_traeger_node_exports_her_own_kita_only() {
    let (_dir, mut store) = seeded();
    let lead = staff(Role::KitaLead, Some(PROVIDER), Some("fac-2"));
    let s = scope(&store, &lead, None).unwrap();
    assert_eq!(s.facilities, [FacilityId("fac-2".into())]);
    assert!(matches!(
        scope(&store, &lead, Some(&FacilityId("fac-1".into()))),
        Err(ActionError::Forbidden(_))
    ));
    let file =
        core_data::export(&mut store, &lead, None, core_data::Format::CsvZip, now()).unwrap();
    assert_eq!(file.name, "kerndaten-fac-2-2026-11-20.zip");
    // The Träger's admin may choose one Kita; a Kita of another Träger is not here.
    let one = scope(&store, &admin(), Some(&FacilityId("fac-1".into()))).unwrap();
    assert_eq!(one.facilities, [FacilityId("fac-1".into())]);
    assert!(matches!(
        scope(&store, &admin(), Some(&FacilityId("fac-9".into()))),
        Err(ActionError::NotFound(_))
    ));
}

#[test]
fn xml_drops_characters_it_cannot_carry_and_escapes_the_rest() {
    let table = Table {
        name: "t",
        row: "r",
        columns: &["A", "B"],
        rows: vec![vec![Value::text("x\u{1}<&>\"y"), Value::Empty]],
    };
    let text = String::from_utf8(xml("root", &[], &[table])).unwrap();
    assert!(text.contains("<A>x&lt;&amp;&gt;&quot;y</A>"), "{text}");
    assert!(!text.contains("<B>"), "empty values are left out");
}
