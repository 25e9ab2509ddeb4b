//! An application in two halves, because they go to different places:
//! the pseudonymous placement record (city and the wished Kitas) and the applicant's contact data
//! (city only). The placement record never carries names, birth dates, addresses or the rank a
//! parent gave a Kita: wishes are stored in facility order, ranks live in the applicant half.

use crate::ids::{ApplicationId, ChildminderId, FacilityId, OrgId, WishHandle};
use crate::kinds::check_contact;
use crate::kinds::daily_hours;
use crate::kinds::facility::{Address, CareType};
use crate::kinds::family::Sex;
use crate::scalar::{Date, Dec};
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// Up to five wishes (Wunscheinrichtungen).
pub const MAX_WISHES: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct WishedFacility {
    #[key]
    pub facility: FacilityId,
    /// Per-Kita handle: what the Kita calls this application (unlinkable across Kitas).
    pub handle: WishHandle,
    /// Where the sequential procedure stands at this Kita (`applications::sequential`):
    /// "pending" (not reached yet), "request" (presented to the Kita for review), "waitlist"
    /// (on the Kita's internal waitlist, gone on to the next wish), "declined" (the Kita said
    /// no), "placed", "placed-elsewhere". "waiting" is what applications from before the
    /// procedure carry: not checked yet, like "pending".
    pub status: String,
    /// The day the status was set (for "request": the day the follow-up counts from).
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub since: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Application {
    pub id: ApplicationId,
    /// Sorted by facility id; see module docs.
    pub wishes: Vec<WishedFacility>,
    pub desired_start: Date,
    pub daily_hours: Dec,
    pub care_type: CareType,
    /// Age in months at the desired start: enough for placement, no birth date needed.
    pub age_months_at_start: u32,
    pub sibling_in_facility: Vec<FacilityId>,
    pub integration_need: bool,
    pub transfer: bool,
    /// A Wechselantrag's urgency as the ZVS decided it (`"urgent"`, `"normal"`); empty until it
    /// decided. A transfer goes to the ZVS first and enters placement only with its decision
    /// (Lastenheft 3.2.2, 3.4.3); the reason stays in the applicant half.
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub transfer_priority: String,
    /// A Wechselantrag's current Kita, as the parents named it (the old Kita is told when
    /// another one reserves a seat: `transfer-notice`). `None`: not a transfer, or not from a
    /// Kita of the city.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub transfer_from: Option<FacilityId>,
    /// "active", "placed", "withdrawn", "inactive"
    pub status: String,
    /// Children applying together (siblings in one application, Lastenheft 3.3.2) share this
    /// pseudonym, so that placement keeps them together; empty for a single child.
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub together: String,
    /// A wish for Kindertagespflege: the BVS-KTP office of the district the parents chose
    /// (its rank stays in the applicant half).
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub childminding_agency: Option<OrgId>,
    /// What the statistics keep once the applicant's personal data were erased after the
    /// placement (the application itself stays, Lastenheft 3.5.1.2: "darf nicht … gelöscht
    /// werden, weil er für Auswertungen zur Verfügung stehen soll").
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub settled: Option<SettledFacts>,
}

/// The pseudonymous facts of a placed application that outlive its applicant half: enough for
/// the placement statistics (age band, home district, rank of the Kita, waiting time), not
/// enough to name the child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct SettledFacts {
    /// The child's month of birth, `YYYY-MM` (not the day).
    pub birth_month: String,
    /// The home district (Ortsamt) of the address at the placement; empty when unknown.
    pub home_district: String,
    /// The wished Kitas in the parents' order (the rank of the placed one counts).
    pub ranked_wishes: Vec<FacilityId>,
    pub submitted_on: Option<Date>,
    /// The day the applicant's personal data were erased.
    pub erased_on: Date,
}

impl Application {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        let count = self.wishes.len() + usize::from(self.childminding_agency.is_some());
        v.check(
            count > 0,
            "wishes",
            "mindestens eine Wunscheinrichtung / at least one wish",
        );
        v.check(
            count <= MAX_WISHES,
            "wishes",
            "höchstens fünf Wunscheinrichtungen / at most five wishes",
        );
        v.check(
            self.wishes
                .windows(2)
                .all(|w| w[0].facility < w[1].facility),
            "wishes",
            "Wünsche doppelt oder unsortiert / duplicate or unsorted wishes",
        );
        daily_hours(&mut v, "daily_hours", self.daily_hours);
        v.check(
            self.age_months_at_start <= 15 * 12,
            "age_months_at_start",
            "Alter unplausibel / implausible age",
        );
        v.finish()
    }

    pub fn facilities(&self) -> Vec<FacilityId> {
        self.wishes.iter().map(|w| w.facility.clone()).collect()
    }
}

/// Einwilligungen (RULES.md §2): all three are required for an application to be accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Consents {
    pub data_processing: bool,
    pub forwarding_to_free_providers: bool,
    pub terms: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct Applicant {
    pub application: ApplicationId,
    pub child_given_name: String,
    pub child_family_name: String,
    pub child_birth_date: Date,
    pub child_sex: Sex,
    pub guardian_given_name: String,
    pub guardian_family_name: String,
    pub address: Address,
    pub phone: String,
    pub email: String,
    /// The wishes in the parents' order, best first.
    pub ranked_wishes: Vec<FacilityId>,
    pub consents: Consents,
    pub notify_by_post: bool,
    /// Konfession (optional, for placement with church providers).
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub child_denomination: String,
    /// Reasons for the wishes (optional).
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub reasons: String,
    /// A Wechselantrag's reason (never shown to a Kita); empty for a first application.
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub transfer_reason: String,
    /// The Kindertagespflege wish with its rank, if any.
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub childminding: Option<ChildmindingWish>,
    /// The address check at submission: "ok" (in the street directory), "not-found" (checked
    /// by the ZVS later), "outside" (not in the city: the ZVS's watch list).
    #[autosurgeon(missing = "String::new")]
    #[serde(default)]
    pub address_check: String,
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub submitted_on: Option<Date>,
    /// The day the address was last checked against the street directory (at submission, and
    /// again 4–6 weeks before the application enters the placement horizon).
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub address_checked_on: Option<Date>,
    /// What changed when, in words (Lastenheft 3.3.4: the history of changes can be traced).
    #[autosurgeon(missing = "Vec::new")]
    #[serde(default)]
    pub history: Vec<ApplicationEvent>,
}

/// One entry of an application's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ApplicationEvent {
    pub on: Date,
    /// Who did it: "parents", "ZVS", a staff member's name.
    pub by: String,
    pub what: String,
}

/// A wish for Kindertagespflege: the district (its BVS-KTP office places the child) and,
/// optionally, a childminder the parents would like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ChildmindingWish {
    /// 1 = first wish.
    pub rank: u32,
    pub district: String,
    pub agency: OrgId,
    /// A named childminder (listed online), or a name in `note`.
    pub childminder: Option<ChildminderId>,
    pub note: String,
}

impl Applicant {
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
        v.check(
            self.notify_by_post || !self.email.is_empty(),
            "email",
            "E-Mail oder Post wählen / give an e-mail address or choose post",
        );
        let count = self.ranked_wishes.len() + usize::from(self.childminding.is_some());
        v.check(
            count > 0 && count <= MAX_WISHES,
            "ranked_wishes",
            "ein bis fünf Wünsche / one to five wishes",
        );
        if let Some(c) = &self.childminding {
            v.check(
                (1..=count as u32).contains(&c.rank),
                "childminding",
                "Rang der Kindertagespflege 1 bis 5 / rank of childminding 1 to 5",
            );
            v.optional_text("childminding.note", &c.note, 500);
        }
        v.optional_text("child_denomination", &self.child_denomination, 50);
        v.optional_text("reasons", &self.reasons, 2000);
        v.optional_text("transfer_reason", &self.transfer_reason, 2000);
        let c = &self.consents;
        v.check(
            c.data_processing && c.forwarding_to_free_providers && c.terms,
            "consents",
            "alle drei Einwilligungen sind nötig / all three consents are required",
        );
        v.finish()
    }
}
