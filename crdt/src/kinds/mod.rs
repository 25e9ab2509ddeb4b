//! The document kinds. Each is one aggregate written by one organisation.

pub mod application;
pub mod attendance;
pub mod childminder;
pub mod childminder_case;
pub mod conflict;
pub mod contract;
pub mod extra_care;
pub mod facility;
pub mod family;
pub mod fee_case;
pub mod fee_facts;
pub mod group;
pub mod income;
pub mod provider;
pub mod seats;
pub mod share;
pub mod staff;
pub mod transfer;
pub mod wish;

pub use application::{
    Applicant, Application, ApplicationEvent, ChildmindingWish, Consents, SettledFacts,
    WishedFacility,
};
pub use attendance::{AttendanceMark, AttendanceMonth};
pub use childminder::ChildminderProfile;
pub use childminder_case::{
    CaseAbsence, CasePermit, CaseProof, ChildminderCase, ChildminderPlacement,
};
pub use conflict::ConflictDecision;
pub use contract::{CareContract, ContractLine, PaymentMode, SchoolEntryMark, SchoolEntryRule};
pub use extra_care::{ExtraCareEntry, ExtraCareMonth};
pub use facility::{Address, CareType, Closure, FacilityLicence, FacilityProfile, ReservedSeats};
pub use family::{Child, Family, Guardian, Sex};
pub use fee_case::{
    ChildFeeStatus, DebitMandate, ExtraCareDecided, FeeCase, FeeOverride, IssuedDecision,
    ReductionApplication, ReductionDecided,
};
pub use fee_facts::{CarePeriod, FactChild, FeeFacts, OtherChild, SiblingCount};
pub use group::Group;
pub use income::{
    DeclarationDecision, DeclarationProof, DeclarationStatus, DeclaredChild, IncomeDeclaration,
    ProofBytes,
};
pub use provider::{ProviderKind, ProviderProfile};
pub use seats::{DeclineReason, SeatLedger, SeatMonth, SeatReservation, SeatStatus, WishDecline};
pub use share::ApplicantShare;
pub use staff::{
    Qualification, StaffAbsence, StaffAssignment, StaffMember, StaffRole, StaffStatistics,
    ABSENCE_REASONS, QUALIFICATIONS,
};
pub use transfer::{transfer_state, TransferNotice};
pub use wish::{ApplicationWish, WishStatus};

use crate::meta::document_kinds;
use crate::scalar::Dec;
use crate::validate::Validator;
use rust_decimal::Decimal;

document_kinds! {
    ProviderProfile = "provider-profile", Public, ProviderProfile, |s, t| s.validate();
    FacilityProfile = "facility-profile", Public, FacilityProfile, |s, t| s.validate();
    /// Care types, approved places, closures, Belegrechte: written by the city.
    FacilityLicence = "facility-licence", Public, FacilityLicence, |s, t| s.validate();
    ChildminderProfile = "childminder-profile", Public, ChildminderProfile, |s, t| s.validate();
    Family = "family", Personal, Family, |s, today| s.validate_on(today);
    CareContract = "care-contract", Personal, CareContract, |s, t| s.validate();
    /// Who pays, a child's fee status and the decisions issued (the Träger's office only).
    FeeCase = "fee-case", Personal, FeeCase, |s, t| s.validate();
    /// A member of the Träger's staff with the Kitas and hours they work (the Träger and those
    /// Kitas).
    StaffMember = "staff-member", Personal, StaffMember, |s, t| s.validate();
    /// A childminder's permits, proofs and absences (the office that keeps the register).
    ChildminderCase = "childminder-case", Personal, ChildminderCase, |s, t| s.validate();
    /// One child placed with a childminder (the office that keeps the register).
    ChildminderPlacement = "childminder-placement", Personal, ChildminderPlacement, |s, t| s.validate();
    Group = "group", KitaOnly, Group, |s, t| s.validate();
    /// A Kita's extra care of one month, reported to the Beitragsstelle (the Kita and its Träger).
    ExtraCareMonth = "extra-care", KitaOnly, ExtraCareMonth, |s, t| s.validate();
    /// Attendance on heilpädagogische places of one month (the Kita and its Träger).
    AttendanceMonth = "attendance", KitaOnly, AttendanceMonth, |s, t| s.validate();
    /// The pseudonymous placement record with all wishes and their handles (the city only).
    Application = "application", CityPlacement, Application, |s, t| s.validate();
    /// One wish of an application as its Kita sees it (the city and that Kita).
    ApplicationWish = "application-wish", Placement, ApplicationWish, |s, t| s.validate();
    /// The parents' contact data of an application (city only).
    Applicant = "applicant", Applicant, Applicant, |s, t| s.validate();
    /// What one wished Kita needs to contact the parents, issued when it reserves a seat (the
    /// city and that Kita).
    ApplicantShare = "applicant-share", ApplicantShare, ApplicantShare, |s, t| s.validate();
    /// A Wechselantrag's notice to the Kita the child leaves: who, from when, how far (the city
    /// and that Kita).
    TransferNotice = "transfer-notice", ApplicantShare, TransferNotice, |s, t| s.validate();
    SeatLedger = "seat-ledger", Placement, SeatLedger, |s, t| s.validate();
    ConflictDecision = "conflict-decision", Placement, ConflictDecision, |s, t| s.validate();
    /// A family's children and care periods under the city's family key, for counting siblings
    /// across Träger (written by the Träger, held by it and the city only).
    FeeFacts = "fee-facts", CityPlacement, FeeFacts, |s, t| s.validate();
    /// The city's answer to one Träger: a family's counting children at other Träger (the city
    /// and that Träger's office).
    SiblingCount = "sibling-count", TraegerOffice, SiblingCount, |s, t| s.validate();
    /// The parents' income self-assessment for a fee reduction with its proofs, from the city's
    /// portal to the Beitragsstelle of the child's Träger (the city and that Träger's office).
    IncomeDeclaration = "income-declaration", TraegerOffice, IncomeDeclaration, |s, t| s.validate();
    /// The Beitragsstelle's answer to a declaration (taken over, decided) for the parents in the
    /// portal (the Träger's office writes it; the city and that office hold it).
    DeclarationStatus = "declaration-status", TraegerOffice, DeclarationStatus, |s, t| s.validate();
}

/// The names, address and e-mail of a child and the contact guardian, as the applicant and its
/// share with a Kita both carry them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_contact(
    v: &mut Validator,
    child_given_name: &str,
    child_family_name: &str,
    guardian_given_name: &str,
    guardian_family_name: &str,
    address: &Address,
    email: &str,
) {
    v.text("child_given_name", child_given_name, 100);
    v.text("child_family_name", child_family_name, 100);
    v.text("guardian_given_name", guardian_given_name, 100);
    v.text("guardian_family_name", guardian_family_name, 100);
    address.check(v, "address");
    optional_email(v, "email", email);
}

/// Checks an e-mail address loosely (one `@`, a dot in the domain); empty is allowed.
pub(crate) fn optional_email(v: &mut Validator, field: &str, email: &str) {
    if email.is_empty() {
        return;
    }
    let ok = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !email.contains(char::is_whitespace);
    v.check(
        ok,
        field,
        "keine gültige E-Mail-Adresse / not a valid e-mail address",
    );
}

/// Daily care hours: more than 0 and at most 12 in steps of a quarter hour.
pub fn daily_hours(v: &mut Validator, field: &str, hours: Dec) {
    let quarter = Decimal::new(25, 2);
    let ok = hours.0 > Decimal::ZERO
        && hours.0 <= Decimal::from(12)
        && (hours.0 / quarter).fract().is_zero();
    v.check(ok, field, "Stunden zwischen 0,25 und 12 in Viertelstunden / hours between 0.25 and 12 in quarter hours");
}
