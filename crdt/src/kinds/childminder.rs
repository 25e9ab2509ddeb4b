//! Kindertagespflege: a childminder's public listing.

use crate::ids::{ChildminderId, OrgId};
use crate::kinds::facility::Address;
use crate::kinds::optional_email;
use crate::period::Period;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// A childminder (Tagespflegeperson) cares for at most five children at once (RULES.md §1).
pub const MAX_CHILDMINDER_PLACES: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ChildminderProfile {
    pub id: ChildminderId,
    /// The BVS-KTP office responsible for the childminder's district.
    pub agency: OrgId,
    pub name: String,
    pub address: Address,
    pub district: String,
    pub places: u32,
    /// Pflegeerlaubnis, five years.
    pub permit: Period,
    pub email: String,
    pub phone: String,
}

impl ChildminderProfile {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.text("name", &self.name, 200);
        self.address.check(&mut v, "address");
        v.text("district", &self.district, 100);
        v.check(
            (1..=MAX_CHILDMINDER_PLACES).contains(&self.places),
            "places",
            "1 bis 5 Plätze / 1 to 5 places",
        );
        v.check(
            self.permit.is_well_formed(),
            "permit",
            "Ende vor Beginn / end before start",
        );
        optional_email(&mut v, "email", &self.email);
        v.optional_text("phone", &self.phone, 40);
        v.finish()
    }
}
