//! What changed between two versions of a contract or a family, in words a fee clerk reads
//! (Lastenheft 3.7.3: "Übersicht der vorgenommenen Änderungen … nach dem geänderten Feld
//! selektiert"). Pure: no store, no clock.

use kitanetz_crdt::kinds::contract::{CareContract, ContractLine, PaymentMode};
use kitanetz_crdt::kinds::facility::Address;
use kitanetz_crdt::kinds::family::Family;
use kitanetz_crdt::scalar::Date;
use serde::{Deserialize, Serialize};

/// The field a change touched: what the list is filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    ContractStart,
    ContractEnd,
    CareType,
    Hours,
    PaymentMode,
    Notice,
    SchoolEntry,
    Child,
    Guardian,
    Address,
    Residence,
    SingleParent,
    Contact,
}

impl Field {
    pub const ALL: [Field; 13] = [
        Field::ContractStart,
        Field::ContractEnd,
        Field::CareType,
        Field::Hours,
        Field::PaymentMode,
        Field::Notice,
        Field::SchoolEntry,
        Field::Child,
        Field::Guardian,
        Field::Address,
        Field::Residence,
        Field::SingleParent,
        Field::Contact,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Field::ContractStart => "contract-start",
            Field::ContractEnd => "contract-end",
            Field::CareType => "care-type",
            Field::Hours => "hours",
            Field::PaymentMode => "payment-mode",
            Field::Notice => "notice",
            Field::SchoolEntry => "school-entry",
            Field::Child => "child",
            Field::Guardian => "guardian",
            Field::Address => "address",
            Field::Residence => "residence",
            Field::SingleParent => "single-parent",
            Field::Contact => "contact",
        }
    }

    pub fn parse(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            Field::ContractStart => "Vertragsbeginn",
            Field::ContractEnd => "Vertragsende",
            Field::CareType => "Betreuungsart",
            Field::Hours => "Betreuungszeit",
            Field::PaymentMode => "Zahlungsweise",
            Field::Notice => "Kündigung",
            Field::SchoolEntry => "Schuleintritt",
            Field::Child => "Kind",
            Field::Guardian => "Sorgeberechtigte",
            Field::Address => "Anschrift",
            Field::Residence => "Hauptwohnsitz",
            Field::SingleParent => "Alleinerziehend",
            Field::Contact => "Telefon/E-Mail",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Field::ContractStart => "Contract start",
            Field::ContractEnd => "Contract end",
            Field::CareType => "Care type",
            Field::Hours => "Hours",
            Field::PaymentMode => "Payment",
            Field::Notice => "Notice",
            Field::SchoolEntry => "School entry",
            Field::Child => "Child",
            Field::Guardian => "Guardian",
            Field::Address => "Address",
            Field::Residence => "Main residence",
            Field::SingleParent => "Single parent",
            Field::Contact => "Phone/e-mail",
        }
    }
}

/// One change, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: Field,
    /// "ab 01.03.2027: 9 → 7 Stunden täglich"
    pub what: String,
    /// The day it takes effect, where the change has one.
    pub valid_from: Option<Date>,
}

fn day(d: Date) -> String {
    d.0.format("%d.%m.%Y").to_string()
}

fn open_end(d: Option<Date>) -> String {
    d.map(day).unwrap_or_else(|| "offen".into())
}

fn payment(mode: PaymentMode) -> &'static str {
    match mode {
        PaymentMode::SelfPayer => "Selbstzahler",
        PaymentMode::DirectDebit => "Lastschrift",
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "ja"
    } else {
        "nein"
    }
}

fn line_at(lines: &[ContractLine], d: Date) -> Option<&ContractLine> {
    lines.iter().find(|l| l.valid.contains(d))
}

/// What the Kita changed on a contract: its period, notice and school mark, and per day of
/// change what care applies from then (care type, hours, payment) compared with before. A day
/// whose before/after pair repeats the previous day's pair is the same change, not a new one.
pub fn contract_changes(before: &CareContract, after: &CareContract) -> Vec<Change> {
    let mut out = Vec::new();
    if before.period.start() != after.period.start() {
        out.push(Change {
            field: Field::ContractStart,
            what: format!(
                "{} → {}",
                day(before.period.start()),
                day(after.period.start())
            ),
            valid_from: Some(after.period.start()),
        });
    }
    if before.period.end() != after.period.end() {
        out.push(Change {
            field: Field::ContractEnd,
            what: format!(
                "{} → {}",
                open_end(before.period.end()),
                open_end(after.period.end())
            ),
            valid_from: after.period.end(),
        });
    }
    if before.notice_given_on != after.notice_given_on
        || before.notice_reason != after.notice_reason
    {
        out.push(Change {
            field: Field::Notice,
            what: match after.notice_given_on {
                Some(on) => format!(
                    "gekündigt am {} zum {}{}",
                    day(on),
                    open_end(after.period.end()),
                    after
                        .notice_reason
                        .as_deref()
                        .map(|r| format!(", Grund: {r}"))
                        .unwrap_or_default()
                ),
                None => "Kündigung zurückgenommen".into(),
            },
            valid_from: after.period.end(),
        });
    }
    if before.school_entry != after.school_entry {
        out.push(Change {
            field: Field::SchoolEntry,
            what: match &after.school_entry {
                Some(mark) => format!(
                    "{} zum Schuljahr {}/{}",
                    mark.rule.label_de(),
                    mark.school_year,
                    (mark.school_year + 1) % 100
                ),
                None => "Vermerk zum Schuleintritt entfernt".into(),
            },
            valid_from: None,
        });
    }
    let mut days: Vec<Date> = before
        .lines
        .iter()
        .chain(&after.lines)
        .map(|l| l.valid.start())
        .collect();
    days.sort();
    days.dedup();
    let mut previous: Option<(Option<&ContractLine>, Option<&ContractLine>)> = None;
    for d in days {
        let (b, a) = (line_at(&before.lines, d), line_at(&after.lines, d));
        let same_as_previous = previous.is_some_and(|(pb, pa)| {
            let facts =
                |l: Option<&ContractLine>| l.map(|l| (l.care_type, l.daily_hours, l.payment_mode));
            facts(pb) == facts(b) && facts(pa) == facts(a)
        });
        previous = Some((b, a));
        let (Some(b), Some(a)) = (b, a) else {
            continue; // outside one of the periods: the start or end change says it
        };
        if same_as_previous {
            continue;
        }
        if b.care_type != a.care_type {
            out.push(Change {
                field: Field::CareType,
                what: format!(
                    "ab {}: {} → {}",
                    day(d),
                    b.care_type.label_de(),
                    a.care_type.label_de()
                ),
                valid_from: Some(d),
            });
        }
        if b.daily_hours != a.daily_hours {
            out.push(Change {
                field: Field::Hours,
                what: format!(
                    "ab {}: {} → {} Stunden täglich",
                    day(d),
                    b.daily_hours.to_string().replace('.', ","),
                    a.daily_hours.to_string().replace('.', ",")
                ),
                valid_from: Some(d),
            });
        }
        if b.payment_mode != a.payment_mode {
            out.push(Change {
                field: Field::PaymentMode,
                what: format!(
                    "ab {}: {} → {}",
                    day(d),
                    payment(b.payment_mode),
                    payment(a.payment_mode)
                ),
                valid_from: Some(d),
            });
        }
    }
    out
}

fn address(a: &Address) -> String {
    format!("{}, {} {}", a.street, a.postcode, a.city)
}

/// What changed in a family: its children (names, birth date, integration need, added) and its
/// guardians (names, address, main residence in the city, single parent, phone and e-mail,
/// added or gone).
pub fn family_changes(before: &Family, after: &Family) -> Vec<Change> {
    let mut out = Vec::new();
    let change = |field, what: String| Change {
        field,
        what,
        valid_from: None,
    };
    for c in &after.children {
        let name = format!("{} {}", c.given_name, c.family_name);
        match before.children.iter().find(|b| b.id == c.id) {
            None => out.push(change(
                Field::Child,
                format!("{name}, geboren {}, hinzugekommen", day(c.birth_date)),
            )),
            Some(b) => {
                let old = format!("{} {}", b.given_name, b.family_name);
                if old != name {
                    out.push(change(Field::Child, format!("Name: {old} → {name}")));
                }
                if b.birth_date != c.birth_date {
                    out.push(change(
                        Field::Child,
                        format!(
                            "{name}: Geburtsdatum {} → {}",
                            day(b.birth_date),
                            day(c.birth_date)
                        ),
                    ));
                }
                if b.integration_need != c.integration_need {
                    out.push(change(
                        Field::Child,
                        format!(
                            "{name}: Integrationsbedarf {} → {}",
                            yes_no(b.integration_need),
                            yes_no(c.integration_need)
                        ),
                    ));
                }
            }
        }
    }
    for b in &before.children {
        if !after.children.iter().any(|c| c.id == b.id) {
            out.push(change(
                Field::Child,
                format!(
                    "{} {} nicht mehr in der Familie",
                    b.given_name, b.family_name
                ),
            ));
        }
    }
    for g in &after.guardians {
        let name = format!("{} {}", g.given_name, g.family_name);
        let Some(b) = before.guardians.iter().find(|b| b.id == g.id) else {
            out.push(change(
                Field::Guardian,
                format!("{name} hinzugekommen ({})", address(&g.address)),
            ));
            continue;
        };
        let old = format!("{} {}", b.given_name, b.family_name);
        if old != name {
            out.push(change(Field::Guardian, format!("Name: {old} → {name}")));
        }
        if address(&b.address) != address(&g.address) {
            out.push(change(
                Field::Address,
                format!("{name}: {} → {}", address(&b.address), address(&g.address)),
            ));
        }
        if b.main_residence_in_city != g.main_residence_in_city {
            out.push(change(
                Field::Residence,
                format!(
                    "{name}: Hauptwohnsitz in der Stadt {} → {}",
                    yes_no(b.main_residence_in_city),
                    yes_no(g.main_residence_in_city)
                ),
            ));
        }
        if b.single_parent != g.single_parent {
            out.push(change(
                Field::SingleParent,
                format!(
                    "{name}: alleinerziehend {} → {}",
                    yes_no(b.single_parent),
                    yes_no(g.single_parent)
                ),
            ));
        }
        if b.phone != g.phone {
            out.push(change(
                Field::Contact,
                format!("{name}: Telefon {} → {}", dash(&b.phone), dash(&g.phone)),
            ));
        }
        if b.email != g.email {
            out.push(change(
                Field::Contact,
                format!("{name}: E-Mail {} → {}", dash(&b.email), dash(&g.email)),
            ));
        }
    }
    for b in &before.guardians {
        if !after.guardians.iter().any(|g| g.id == b.id) {
            out.push(change(
                Field::Guardian,
                format!("{} {} nicht mehr eingetragen", b.given_name, b.family_name),
            ));
        }
    }
    out
}

fn dash(s: &str) -> &str {
    if s.trim().is_empty() {
        "–"
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kitanetz_crdt::ids::{ChildId, FamilyId, GuardianId};
    use kitanetz_crdt::kinds::family::{Child, Guardian, Sex};

    fn family() -> Family {
        Family {
            id: FamilyId("fam-1".into()),
            family_number: "000001".into(),
            guardians: vec![Guardian {
                id: GuardianId("g-1".into()),
                given_name: "Anna".into(),
                family_name: "Becker".into(),
                address: Address {
                    street: "Weg 1".into(),
                    postcode: "01067".into(),
                    city: "Dresden".into(),
                    lat: None,
                    lon: None,
                },
                main_residence_in_city: true,
                phone: String::new(),
                email: "anna@example.org".into(),
                single_parent: false,
            }],
            children: vec![Child {
                id: ChildId("c-1".into()),
                given_name: "Ben".into(),
                family_name: "Becker".into(),
                birth_date: Date::ymd(2022, 11, 18),
                sex: Sex::Male,
                integration_need: false,
                facility: None,
            }],
            family_key: String::new(),
        }
    }

    #[test]
    fn a_move_out_of_the_city_and_a_new_phone_are_named_by_field() {
        let before = family();
        let mut after = family();
        after.guardians[0].address.street = "Am Markt 3".into();
        after.guardians[0].address.city = "Radebeul".into();
        after.guardians[0].address.postcode = "01445".into();
        after.guardians[0].main_residence_in_city = false;
        after.guardians[0].phone = "0351 123".into();
        let changes = family_changes(&before, &after);
        let fields: Vec<Field> = changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, [Field::Address, Field::Residence, Field::Contact]);
        assert_eq!(
            changes[0].what,
            "Anna Becker: Weg 1, 01067 Dresden → Am Markt 3, 01445 Radebeul"
        );
        assert_eq!(
            changes[1].what,
            "Anna Becker: Hauptwohnsitz in der Stadt ja → nein"
        );
        assert_eq!(changes[2].what, "Anna Becker: Telefon – → 0351 123");
        assert!(family_changes(&before, &before).is_empty());
    }

    #[test]
    fn a_new_sibling_and_a_corrected_birth_date() {
        let before = family();
        let mut after = family();
        after.children[0].birth_date = Date::ymd(2022, 11, 19);
        let mut sibling = after.children[0].clone();
        sibling.id = ChildId("c-2".into());
        sibling.given_name = "Pia".into();
        sibling.birth_date = Date::ymd(2025, 6, 7);
        after.children.push(sibling);
        let what: Vec<String> = family_changes(&before, &after)
            .into_iter()
            .map(|c| c.what)
            .collect();
        assert_eq!(
            what,
            [
                "Ben Becker: Geburtsdatum 18.11.2022 → 19.11.2022",
                "Pia Becker, geboren 07.06.2025, hinzugekommen"
            ]
        );
    }
}
