//! A family: guardians (PSB) and children. Personal data: one document per family so that it can
//! be erased whole.

use crate::ids::{ChildId, FacilityId, FamilyId, GuardianId};
use crate::kinds::facility::Address;
use crate::kinds::optional_email;
use crate::scalar::Date;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum Sex {
    Female,
    Male,
    Diverse,
    /// "ohne Angabe"
    Unspecified,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Guardian {
    #[key]
    pub id: GuardianId,
    pub given_name: String,
    pub family_name: String,
    pub address: Address,
    pub main_residence_in_city: bool,
    pub phone: String,
    pub email: String,
    pub single_parent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Child {
    #[key]
    pub id: ChildId,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub integration_need: bool,
    /// The Kita the child attends, if any (scopes who may hold the family).
    pub facility: Option<FacilityId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Family {
    pub id: FamilyId,
    /// PKN family part: six digits.
    pub family_number: String,
    pub guardians: Vec<Guardian>,
    pub children: Vec<Child>,
    /// The city's keyed family key (`fee_facts`), handed over with the applicant share; empty
    /// when none came (no forwarding consent, a family entered by hand): then its children are
    /// counted at this Träger only.
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub family_key: String,
}

impl Family {
    /// `today` bounds birth dates (no child born in the future).
    pub fn validate_on(&self, today: Date) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            self.family_number.len() == 6 && self.family_number.bytes().all(|b| b.is_ascii_digit()),
            "family_number",
            "sechsstellige Familiennummer / six-digit family number",
        );
        v.check(
            !self.guardians.is_empty(),
            "guardians",
            "mindestens ein Personensorgeberechtigter / at least one guardian",
        );
        v.check(
            self.guardians.len() <= 4,
            "guardians",
            "höchstens vier / at most four",
        );
        for (i, g) in self.guardians.iter().enumerate() {
            v.text(&format!("guardians[{i}].given_name"), &g.given_name, 100);
            v.text(&format!("guardians[{i}].family_name"), &g.family_name, 100);
            g.address.check(&mut v, &format!("guardians[{i}].address"));
            optional_email(&mut v, &format!("guardians[{i}].email"), &g.email);
            v.optional_text(&format!("guardians[{i}].phone"), &g.phone, 40);
        }
        v.check(
            self.family_key.is_empty()
                || (self.family_key.len() == 64
                    && self.family_key.bytes().all(|b| b.is_ascii_hexdigit())),
            "family_key",
            "Familienschlüssel: 64 Hexziffern / family key: 64 hex digits",
        );
        v.check(
            !self.children.is_empty(),
            "children",
            "mindestens ein Kind / at least one child",
        );
        for (i, c) in self.children.iter().enumerate() {
            v.text(&format!("children[{i}].given_name"), &c.given_name, 100);
            v.text(&format!("children[{i}].family_name"), &c.family_name, 100);
            v.check(
                c.birth_date <= today,
                format!("children[{i}].birth_date"),
                "Geburtsdatum in der Zukunft / birth date in the future",
            );
            v.check(
                c.birth_date.0 >= today.0 - chrono::Days::new(365 * 15),
                format!("children[{i}].birth_date"),
                "Kind älter als 15 Jahre / child older than 15 years",
            );
        }
        v.finish()
    }

    pub fn child(&self, id: &ChildId) -> Option<&Child> {
        self.children.iter().find(|c| &c.id == id)
    }

    /// The Kitas this family's children attend: they scope who may hold the family document.
    pub fn facilities(&self) -> Vec<FacilityId> {
        let mut f: Vec<FacilityId> = self
            .children
            .iter()
            .filter_map(|c| c.facility.clone())
            .collect();
        f.sort();
        f.dedup();
        f
    }
}
