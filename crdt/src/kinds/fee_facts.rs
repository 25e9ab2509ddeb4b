//! Zählkinder across Träger (Satzung § 10 (5), Lastenheft 3.10; ARCHITECTURE.md "fee facts").
//!
//! Children of one family in care at the same time count in age order at *any* Träger. Each
//! Träger knows only its own contracts, so two documents carry what the other Träger need,
//! pseudonymously:
//!
//! - [`FeeFacts`] (`fee-facts`, class `placement-city`): written by the Träger, one per family of
//!   that Träger that carries a family key; held by the Träger and the city only (never a Kita,
//!   never another Träger). Per child: a pseudonym, the birth date (the age order needs it; the
//!   city holds every applicant's birth date anyway), and the care periods with care type and
//!   whether the child counts (foster and home children and heilpädagogische places do not).
//!   No names, no Kita, no address, no family number.
//! - [`SiblingCount`] (`sibling-count`, class `traeger-office`): the city's answer to one Träger
//!   for one family key — the *other* Träger's counting children of that family, with birth date
//!   and counting periods only (no Träger, no Kita, no name). Held by the city and that one
//!   Träger's office.
//!
//! **The family key** is the city's: HMAC-SHA256 under a secret that never leaves the city node
//! of the applying guardian's normalised identity (family name, given name, postcode, street).
//! The city hands it over in the applicant share (only to the Kita that reserved the seat, only
//! when the parents consented to forwarding); the Kita lead's contract copies it into the
//! family document of the Träger; the Träger puts only the key into its fee facts. So two
//! Träger end up with the same key for one family without learning anything of each other, and
//! without the key nobody can test it against a guessed family.

use crate::ids::ProviderId;
use crate::kinds::facility::CareType;
use crate::period::Period;
use crate::scalar::Date;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

/// What one Träger tells the city about one family (its fee-relevant care, pseudonymous).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct FeeFacts {
    /// The city's keyed family key (64 hex digits), as the family document carries it.
    pub family_key: String,
    /// The Träger whose facts these are (the city answers it).
    pub provider: ProviderId,
    pub children: Vec<FactChild>,
}

/// One child of the family at this Träger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct FactChild {
    /// The Träger's pseudonym of the child (hex, not its id): stable, says nothing.
    #[key]
    pub pseudonym: String,
    pub birth_date: Date,
    /// The care periods, split where the care type or whether the child counts changes, as the
    /// fee computation reads them (the state on the 1st of a month rules the month).
    pub periods: Vec<CarePeriod>,
}

/// A period of care of one type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct CarePeriod {
    pub period: Period,
    pub care_type: CareType,
    /// A Zählkind: not a foster or home child (§§ 33, 34 SGB VIII), not on a heilpädagogischer
    /// place (§ 10 (7) Satzung).
    pub counts: bool,
}

/// The city's answer to one Träger about one family key: the counting children of that family
/// at other Träger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct SiblingCount {
    pub family_key: String,
    /// The Träger answered (scopes the document to its office).
    pub provider: ProviderId,
    /// Empty when no child of the family counts elsewhere any more.
    pub others: Vec<OtherChild>,
}

/// A counting child of the family at another Träger (never named, nor where).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct OtherChild {
    #[key]
    pub pseudonym: String,
    pub birth_date: Date,
    /// Only the periods in which it counts.
    pub periods: Vec<CarePeriod>,
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn check_key(v: &mut Validator, key: &str) {
    v.check(
        is_hex(key, 64),
        "family_key",
        "Familienschlüssel: 64 Hexziffern / family key: 64 hex digits",
    );
}

fn check_child(v: &mut Validator, at: &str, pseudonym: &str, periods: &[CarePeriod]) {
    v.check(
        is_hex(pseudonym, 32),
        format!("{at}.pseudonym"),
        "Pseudonym: 32 Hexziffern / pseudonym: 32 hex digits",
    );
    for (j, p) in periods.iter().enumerate() {
        v.check(
            p.period.is_well_formed(),
            format!("{at}.periods[{j}]"),
            "Ende vor Beginn / end before start",
        );
        v.plausible_date(&format!("{at}.periods[{j}].start"), p.period.start());
    }
}

impl FeeFacts {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        check_key(&mut v, &self.family_key);
        for (i, c) in self.children.iter().enumerate() {
            check_child(&mut v, &format!("children[{i}]"), &c.pseudonym, &c.periods);
        }
        v.finish()
    }
}

impl SiblingCount {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        check_key(&mut v, &self.family_key);
        for (i, c) in self.others.iter().enumerate() {
            check_child(&mut v, &format!("others[{i}]"), &c.pseudonym, &c.periods);
            v.check(
                c.periods.iter().all(|p| p.counts),
                format!("others[{i}].periods"),
                "nur zählende Zeiträume / counting periods only",
            );
        }
        v.finish()
    }
}
