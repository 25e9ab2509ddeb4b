//! The city's decision on a place given twice: which Kita keeps the application, which Kitas are
//! asked to release it. Owned by the city (it owns the one-place rule) and held by the Kitas it
//! names, which is how a Kita learns about a collision it cannot see itself (it holds only its
//! own seat ledger). The Kitas still own their seats: each releases its reservation itself.

use crate::ids::{ApplicationId, FacilityId};
use crate::scalar::Date;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// Longest note a case worker can add to a decision.
pub const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ConflictDecision {
    pub application: ApplicationId,
    /// The Kita whose hold stands.
    pub keeper: FacilityId,
    /// The Kitas asked to release their hold (sorted, without the keeper).
    pub release: Vec<FacilityId>,
    pub decided_on: Date,
    /// When exactly (Unix milliseconds): the later of two decisions on one day wins.
    pub decided_at: i64,
    /// Who decided (the case worker's user name; staff, not a data subject).
    pub decided_by: String,
    pub note: String,
}

impl ConflictDecision {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            !self.release.is_empty(),
            "release",
            "mindestens eine Kita gibt den Platz frei / at least one Kita releases the place",
        );
        v.check(
            !self.release.contains(&self.keeper),
            "keeper",
            "die behaltende Kita gibt nicht frei / the keeping Kita does not release",
        );
        v.check(
            self.release.windows(2).all(|w| w[0] < w[1]),
            "release",
            "Kitas doppelt oder unsortiert / duplicate or unsorted Kitas",
        );
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

    /// Every Kita the decision names (the document's `facilities`).
    pub fn facilities(&self) -> Vec<FacilityId> {
        let mut all = self.release.clone();
        all.push(self.keeper.clone());
        all.sort();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(keeper: &str, release: &[&str]) -> ConflictDecision {
        ConflictDecision {
            application: ApplicationId("app-1".into()),
            keeper: FacilityId(keeper.into()),
            release: release.iter().map(|f| FacilityId((*f).into())).collect(),
            decided_on: Date::ymd(2026, 11, 3),
            decided_at: 1,
            decided_by: "zvs".into(),
            note: String::new(),
        }
    }

    #[test]
    fn the_keeper_is_not_asked_to_release() {
        assert!(decision("fac-a", &["fac-b"]).validate().is_ok());
        let err = decision("fac-a", &["fac-a", "fac-b"])
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("keeper"), "{err}");
        assert!(decision("fac-a", &[]).validate().is_err());
        assert!(decision("fac-a", &["fac-c", "fac-b"]).validate().is_err());
    }
}
