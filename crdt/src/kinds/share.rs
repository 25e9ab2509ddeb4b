//! The applicant share: what one wished Kita needs to contact the parents and to conclude the
//! contract (ARCHITECTURE.md "applicant share", Lastenheft 3.6.5–3.6.7). The city issues it when
//! the Kita reserves a seat for the wish, and only when the parents consented to forwarding
//! their data; it is scoped to that one Kita (visibility class `applicant-share`: not its Träger
//! office, not another Kita) and written once. The city erases it when the reservation ends
//! (released, declined, withdrawn, placed elsewhere) and after the contract: from then on the
//! family document of the Kita's Träger holds the data. One document per wish, so that erasing
//! it removes the personal data whole (automerge keeps history).

use crate::ids::{FacilityId, WishHandle};
use crate::kinds::check_contact;
use crate::kinds::facility::Address;
use crate::kinds::family::Sex;
use crate::scalar::Date;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ApplicantShare {
    /// The wish it belongs to, under the Kita's own handle.
    pub handle: WishHandle,
    pub facility: FacilityId,
    pub child_given_name: String,
    pub child_family_name: String,
    pub child_birth_date: Date,
    pub child_sex: Sex,
    pub guardian_given_name: String,
    pub guardian_family_name: String,
    pub address: Address,
    pub phone: String,
    pub email: String,
    /// The day the city issued it (the day it saw the reservation).
    pub issued_on: Date,
    /// The city's keyed family key (`fee_facts`): the contract copies it into the family
    /// document, so that siblings at other Träger count. Empty in shares issued before.
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub family_key: String,
}

impl ApplicantShare {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        check_contact(
            &mut v,
            &self.child_given_name,
            &self.child_family_name,
            &self.guardian_given_name,
            &self.guardian_family_name,
            &self.address,
            &self.email,
        );
        v.optional_text("phone", &self.phone, 40);
        v.finish()
    }
}
