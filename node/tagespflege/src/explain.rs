//! Explanations: every computed amount, state and count says which rule produced it from which
//! inputs, under which version of the rules and where the source says so. The rule is a stable
//! message key (for translated texts and decision letters), like `kitanetz-fees`' explanations.

use std::fmt;

/// A rule of Kindertagespflege; its `key` is the message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// The permit (§ 43 SGB VIII) runs five years unless it names its own end.
    PermitValidity,
    /// The permit's renewal is watched with a lead time.
    PermitRenewal,
    /// A proof (first aid, health, police certificate, …) is followed up.
    ProofFollowUp,
    /// At most as many children at the same time as the permit allows (≤ 5), also in
    /// substitute care.
    Capacity,
    /// Care only under a valid permit.
    PermitRequired,
    /// Vacation days with continued payment, pro rata in a year not fully worked.
    VacationAllowance,
    /// Sick days with continued payment.
    SickAllowance,
    /// Approved training days with continued payment.
    TrainingAllowance,
    /// Other absences, unannounced vacation, unproven sickness: no payment.
    UnpaidAbsence,
    /// The running payment per child and care tier from the amount table.
    RunningPayment,
    /// Part of a month paid pro rata.
    ProRata,
    /// The running payment reduced for unpaid absence days.
    AbsenceDeduction,
    /// Equipment grant per newly created place.
    EquipmentGrant,
    /// Replacement equipment per place and year.
    ReplacementGrant,
    /// Training grant: a share of the costs up to a yearly cap.
    TrainingGrant,
}

impl Rule {
    pub fn key(self) -> &'static str {
        match self {
            Rule::PermitValidity => "tagespflege.permit.validity",
            Rule::PermitRenewal => "tagespflege.permit.renewal",
            Rule::ProofFollowUp => "tagespflege.proof.follow_up",
            Rule::Capacity => "tagespflege.capacity",
            Rule::PermitRequired => "tagespflege.capacity.permit_required",
            Rule::VacationAllowance => "tagespflege.absence.vacation",
            Rule::SickAllowance => "tagespflege.absence.sick",
            Rule::TrainingAllowance => "tagespflege.absence.training",
            Rule::UnpaidAbsence => "tagespflege.absence.unpaid",
            Rule::RunningPayment => "tagespflege.payment.running",
            Rule::ProRata => "tagespflege.payment.pro_rata",
            Rule::AbsenceDeduction => "tagespflege.payment.absence_deduction",
            Rule::EquipmentGrant => "tagespflege.grant.equipment",
            Rule::ReplacementGrant => "tagespflege.grant.replacement",
            Rule::TrainingGrant => "tagespflege.grant.training",
        }
    }
}

/// One step of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub rule: Rule,
    /// The version of the rules or table the values come from, e.g. `dresden-annex-k-2011`.
    pub version: String,
    /// Where the source says so, e.g. `seed 004 L30166` or `assumption: not in the seed`.
    pub source: String,
    /// The inputs and the arithmetic, e.g. `26 days × 9 full months / 12 = 19.5 → 20 days`.
    pub detail: String,
}

impl Explanation {
    pub fn new(rule: Rule, version: &str, source: &str, detail: impl Into<String>) -> Explanation {
        Explanation {
            rule,
            version: version.to_string(),
            source: source.to_string(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}; {}; {}]",
            self.detail,
            self.rule.key(),
            self.version,
            self.source
        )
    }
}

/// Picks the version in force on `day` from versions that each apply from their `valid_from`:
/// the one with the latest `valid_from` on or before `day`.
pub fn in_force<T>(
    versions: &[T],
    valid_from: impl Fn(&T) -> chrono::NaiveDate,
    day: chrono::NaiveDate,
) -> Option<&T> {
    versions
        .iter()
        .filter(|v| valid_from(v) <= day)
        .max_by_key(|v| valid_from(v))
}
