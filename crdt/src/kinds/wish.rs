//! One wish of an application as the wished Kita sees it (Lastenheft 3.2; ARCHITECTURE.md
//! "application wish"). The city writes one such document per wished Kita, scoped to that Kita
//! alone, so a Kita learns what it needs to decide on a place and nothing that links the child
//! across Kitas: no application id, no other wishes, no rank, no names or birth date.

use crate::ids::{FacilityId, WishHandle};
use crate::kinds::daily_hours;
use crate::kinds::facility::CareType;
use crate::scalar::{Date, Dec};
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// Where a wish stands at its Kita.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "kebab-case")]
pub enum WishStatus {
    /// On the Kita's internal waitlist (Lastenheft 3.6.4): it had no free seat for the start
    /// when the wish was checked, and the application went on to the next wish. The Kita lead
    /// may still take the child from the list when a seat frees up.
    Waiting,
    /// Presented to the Kita lead for review (Lastenheft 3.6.5): the Kita had a free seat at the
    /// start (or the case goes to the first wish by rule: a sibling here, integration need). The
    /// Kita reserves or declines with a reason; the ZVS is alerted when it does neither in time.
    Requested,
    /// Proposed to the Kita by a coordinated placement round (PLACEMENT.md, procedure 2): the
    /// Kita confirms (reserves a seat) or declines with a coded reason.
    Proposed,
    /// The Kita confirmed a round's proposal; the parents accept or decline the offer within the
    /// round's deadline (the Kita holds the seat meanwhile and gets the parents' contact data
    /// once they accept).
    Offered,
    /// The Kita declined the wish with a coded reason; the application went on to the next wish.
    Declined,
    /// The child got its place here (a contract).
    Placed,
    /// The child got a place elsewhere: a seat held here is to be released.
    PlacedElsewhere,
    /// The parents withdrew the application, or took this Kita off their wishes.
    Withdrawn,
    /// The application was set inactive by the ZVS (it may come back).
    Inactive,
}

impl WishStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WishStatus::Waiting => "waiting",
            WishStatus::Requested => "requested",
            WishStatus::Proposed => "proposed",
            WishStatus::Offered => "offered",
            WishStatus::Declined => "declined",
            WishStatus::Placed => "placed",
            WishStatus::PlacedElsewhere => "placed-elsewhere",
            WishStatus::Withdrawn => "withdrawn",
            WishStatus::Inactive => "inactive",
        }
    }

    pub fn label_de(self) -> &'static str {
        match self {
            WishStatus::Waiting => "Warteliste",
            WishStatus::Requested => "zur Prüfung",
            WishStatus::Proposed => "Vorschlag der Vergaberunde",
            WishStatus::Offered => "bestätigt, Angebot bei den Eltern",
            WishStatus::Declined => "abgelehnt",
            WishStatus::Placed => "hier vermittelt",
            WishStatus::PlacedElsewhere => "anderweitig vermittelt",
            WishStatus::Withdrawn => "zurückgezogen",
            WishStatus::Inactive => "ruhend",
        }
    }

    /// Whether the Kita may still give the wish a seat (from its review list or its waitlist).
    pub fn open(self) -> bool {
        matches!(
            self,
            WishStatus::Waiting
                | WishStatus::Requested
                | WishStatus::Proposed
                | WishStatus::Offered
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ApplicationWish {
    /// What this Kita calls the application (unlinkable across Kitas).
    pub handle: WishHandle,
    pub facility: FacilityId,
    pub care_type: CareType,
    pub desired_start: Date,
    pub daily_hours: Dec,
    /// Age in months at the desired start.
    pub age_months_at_start: u32,
    /// A sibling already attends this Kita (a priority fact of Lastenheft 3.2).
    pub sibling_here: bool,
    pub integration_need: bool,
    /// A Wechselantrag: the child has a place elsewhere and wants to move.
    pub transfer: bool,
    /// The handles (at this Kita) of the siblings who apply together with this child: the Kita
    /// keeps them together. Empty for a single child.
    pub together_here: Vec<WishHandle>,
    pub status: WishStatus,
    /// The day the wish was presented to the Kita for review; the follow-up counts from it.
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub requested_on: Option<Date>,
    /// The child's denomination, if the parents gave it (Lastenheft 3.6.5: shown at review so
    /// that a church provider can contact the parents).
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub denomination: String,
}

impl ApplicationWish {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        daily_hours(&mut v, "daily_hours", self.daily_hours);
        v.check(
            self.age_months_at_start <= 15 * 12,
            "age_months_at_start",
            "Alter unplausibel / implausible age",
        );
        v.check(
            !self.together_here.contains(&self.handle),
            "together_here",
            "ein Kind ist nicht sein eigenes Geschwister / a child is not its own sibling",
        );
        v.finish()
    }
}
