//! Admitting a child who comes without an application through the city (Lastenheft 3.6.10: a
//! company's Belegrecht place, whose application the Kita enters itself; a direct admission):
//! the Kita lead enters child, guardian and contract, and one action creates the family and the
//! contract documents of the Kita's Träger on the Kita's node, offline too.

use crate::action::{at_this_kita, ActionError};
use crate::auth::{Action, Principal};
use crate::clock::Now;
use crate::facilities::provider_of;
use crate::input::checked;
use crate::seats::contract::{
    check_person, family_and_contract, ConcludeInput, Concluded, NewPlace,
};
use crate::storage::AuditEntry;
use kitanetz_crdt::ids::FacilityId;
use kitanetz_crdt::kinds::CareType;
use kitanetz_crdt::validate::Validator;
use serde::{Deserialize, Serialize};

/// The admission form: the contract form's child, guardian, hours and payment fields, and the
/// place's start and care type.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AdmitInput {
    #[serde(flatten)]
    pub person: ConcludeInput,
    /// YYYY-MM-DD
    pub start: String,
    /// `nursery`, `kindergarten`, `after-school`, …
    pub care_type: String,
    /// "on"/"true": the child needs integration support.
    pub integration_need: String,
    /// "on"/"true": the place is one a company holds (Belegrecht), reported separately.
    pub employer_seat: String,
    /// The row of the Kita-Planer import buffer this admission works through, if any
    /// (`crate::kitaplaner::import`).
    pub kitaplaner_import: String,
}

/// Admits a child to the Kita this node serves.
pub fn admit(
    store: &mut crate::storage::Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    input: &AdmitInput,
    now: Now,
) -> Result<Concluded, ActionError> {
    let facility = at_this_kita(who, Action::AdmitChild { facility }, facility)?;
    let provider = provider_of(store, &facility)?;
    let mut v = Validator::new();
    let start = v.date("start", &input.start);
    if let Some(day) = start {
        v.plausible_date("start", day);
    }
    let care_type = CareType::parse(input.care_type.trim());
    v.check(
        care_type.is_some(),
        "care_type",
        "Betreuungsart wählen / choose a care type",
    );
    let person = check_person(&mut v, &input.person, now.today);
    // The same child twice is a typing slip, not a second child.
    if let Some(p) = &person {
        let twice = crate::groups::queries::children_in_care(store, &facility, now.today)?
            .iter()
            .any(|c| {
                c.given_name
                    .eq_ignore_ascii_case(input.person.child_given_name.trim())
                    && c.family_name
                        .eq_ignore_ascii_case(input.person.child_family_name.trim())
                    && c.birth_date == p.birth_date().to_string()
            });
        v.check(
            !twice,
            "child_given_name",
            "Ein Kind mit diesem Namen und Geburtsdatum ist hier schon unter Vertrag / a child with this name and birth date is under contract here",
        );
    }
    v.finish()?;
    let place = NewPlace {
        facility: &facility,
        provider: &provider,
        start: start.expect("checked"),
        care_type: care_type.expect("checked"),
        integration_need: checked(&input.integration_need),
        employer_seat: checked(&input.employer_seat),
        // No application through the city, so no family key: siblings at other Träger are not
        // counted for this family.
        family_key: String::new(),
    };
    let (admitted, mut family_doc, mut contract_doc) =
        family_and_contract(store, &input.person, &person.expect("checked"), &place, now)?;
    store.save_docs(
        &mut [&mut family_doc, &mut contract_doc],
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "child.admit",
            target: Some(admitted.contract.0.clone()),
            subjects: vec![admitted.child.0.clone()],
            valid_from: Some(place.start.to_string()),
        },
    )?;
    Ok(admitted)
}
