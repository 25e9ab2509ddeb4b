//! The notice to the Kita a child is leaving (Lastenheft 3.3.3, 3.4.3: a Wechselantrag checks the
//! two-month notice of the current contract, and the old Kita is told in time). The parents name
//! the Kita that cares for the child now; as soon as another Kita reserves a seat for the
//! transfer, the city tells the old Kita who leaves and from when, and again when the new
//! contract is concluded, or that the transfer is off. Visibility class `applicant-share`: the
//! city and exactly that one Kita (not its Träger office, not the new Kita). Written by the city
//! only; one document per application, erased with the applicant.

use crate::ids::FacilityId;
use crate::scalar::Date;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// Where a transfer stands, as the old Kita reads it.
pub mod transfer_state {
    /// Another Kita reserved a seat: the child will probably leave.
    pub const RESERVED: &str = "reserved";
    /// The new contract is concluded: the child leaves.
    pub const PLACED: &str = "placed";
    /// The reservation ended or the parents withdrew: the child stays for now.
    pub const WITHDRAWN: &str = "withdrawn";
    pub const ALL: [&str; 3] = [RESERVED, PLACED, WITHDRAWN];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct TransferNotice {
    /// The Kita the child leaves (the only Kita that holds the notice).
    pub facility: FacilityId,
    pub child_given_name: String,
    pub child_family_name: String,
    pub child_birth_date: Date,
    /// The first day at the new Kita; the last day here is the day before.
    pub new_start: Date,
    /// [`transfer_state`].
    pub state: String,
    /// The day the state was set (the day the old Kita was told).
    pub since: Date,
    /// The new start leaves less than the contract's notice period (two months) after the
    /// parents applied: the old Kita may have to agree to a shorter notice.
    pub notice_short: bool,
}

impl TransferNotice {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.text("child_given_name", &self.child_given_name, 100);
        v.text("child_family_name", &self.child_family_name, 100);
        v.plausible_date("child_birth_date", self.child_birth_date);
        v.plausible_date("new_start", self.new_start);
        v.plausible_date("since", self.since);
        v.check(
            transfer_state::ALL.contains(&self.state.as_str()),
            "state",
            "unbekannter Stand / unknown state",
        );
        v.finish()
    }
}
