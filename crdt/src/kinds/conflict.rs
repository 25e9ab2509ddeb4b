//! The city's decision on a place given twice, as one Kita receives it: keep the hold on this
//! wish, or release it because another Kita keeps the child. The city owns the one-place rule and
//! writes one decision per held wish (its document id comes from the handle), scoped to that Kita
//! alone: a Kita learns what it has to do, never which other Kita was wished or keeps the child.
//! The Kitas still own their seats: each releases its reservation itself.

use crate::ids::{FacilityId, WishHandle};
use crate::scalar::Date;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// Longest note a case worker can add to a decision.
pub const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ConflictDecision {
    /// The wish (at this Kita) whose hold was decided.
    pub wish: WishHandle,
    pub facility: FacilityId,
    /// This Kita keeps its hold; otherwise it is asked to release it.
    pub keep: bool,
    pub decided_on: Date,
    /// When exactly (Unix milliseconds): the later of two decisions on one day wins, and the
    /// documents of one decision share it.
    pub decided_at: i64,
    /// Who decided (the case worker's user name; staff, not a data subject).
    pub decided_by: String,
    pub note: String,
}

impl ConflictDecision {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            self.note.chars().count() <= MAX_NOTE_CHARS,
            "note",
            format!("höchstens {MAX_NOTE_CHARS} Zeichen / at most {MAX_NOTE_CHARS} characters"),
        );
        v.check(
            !self.decided_by.trim().is_empty(),
            "decided_by",
            "Entscheider fehlt / who decided is missing",
        );
        v.finish()
    }

    /// Whether the decision was made after (or on the day of) a hold decided on `held_on`: a
    /// hold taken later is a new situation the decision did not see.
    pub fn covers(&self, held_on: Date) -> bool {
        held_on <= self.decided_on
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(decided_by: &str, note: &str) -> ConflictDecision {
        ConflictDecision {
            wish: WishHandle("aaaaaaa1".into()),
            facility: FacilityId("fac-a".into()),
            keep: false,
            decided_on: Date::ymd(2026, 11, 3),
            decided_at: 1,
            decided_by: decided_by.into(),
            note: note.into(),
        }
    }

    #[test]
    fn a_decision_names_who_decided_and_keeps_its_note_short() {
        assert!(decision("zvs", "").validate().is_ok());
        assert!(decision(" ", "").validate().is_err());
        let long = "x".repeat(MAX_NOTE_CHARS + 1);
        let err = decision("zvs", &long).validate().unwrap_err();
        assert!(err.to_string().contains("note"), "{err}");
    }

    #[test]
    fn a_hold_taken_after_the_decision_is_not_covered() {
        let d = decision("zvs", "");
        assert!(d.covers(Date::ymd(2026, 11, 3)));
        assert!(!d.covers(Date::ymd(2026, 11, 4)));
    }
}
