//! A group inside a Kita (kita-only).

use crate::ids::{ChildId, FacilityId, GroupId};
use crate::kinds::facility::CareType;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Group {
    pub id: GroupId,
    pub facility: FacilityId,
    pub name: String,
    pub care_type: CareType,
    pub size: u32,
    pub lead_educator: String,
    pub members: Vec<ChildId>,
}

impl Group {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.text("name", &self.name, 100);
        v.check(
            (1..=60).contains(&self.size),
            "size",
            "Gruppengröße 1 bis 60 / group size 1 to 60",
        );
        v.optional_text("lead_educator", &self.lead_educator, 200);
        let mut members = self.members.clone();
        members.sort();
        members.dedup();
        v.check(
            members.len() == self.members.len(),
            "members",
            "Kind doppelt in der Gruppe / child listed twice",
        );
        v.finish()
    }
}
