//! Round statistics (persisted as `statistics` in `kitanetz-placement-result/1`).
//!
//! What a city reports after a round: how many children got their first, second, … wish, the
//! first-choice and top-3 shares, and the unplaced children by district and by age band,
//! with the legal claim of § 24 SGB VIII (a place from the first birthday: Abs. 2 until the
//! third, Abs. 3 from the third until school) shown separately.
//!
//! Decisions recorded here:
//! - **Integers only.** Counts, and shares in per mille rounded half up (`first_choice_per_mille
//!   = round(1000 × first_choice / with_wishes)`), so that the figures are the same on every
//!   machine and can be compared byte for byte.
//! - **Who counts where.** A child whose result is its `current` seat counts as `kept_current`
//!   (not in the rank distribution, even if the seat is among its wishes): it did not get a new
//!   place. `children = placed_at_wish + kept_current + unplaced`, and `placed_at_wish` is the
//!   sum of `rank_distribution`. Shares are of the children with at least one wish.
//! - **Age** is counted in completed years on the instance's `reference_date`
//!   ([`Date::age_on`]), from the child's `birth_date`, or failing that from its catalogue facts'
//!   birth date; without a reference date or a birth date the child counts as `unknown`.
//! - **Districts** are the child's `district`; children without one are counted under the empty
//!   string `""`. Maps are sorted by district, so the order is deterministic.

use crate::instance::{Child, Date, Instance};
use crate::protocol::PlacementResult;
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts per age band, in completed years on the reference date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AgeBands {
    /// Under 1 (also children born after the reference date).
    pub under_1: u64,
    /// 1 to under 2.
    pub from_1_to_2: u64,
    /// 2 to under 3.
    pub from_2_to_3: u64,
    /// 3 to under 6.
    pub from_3_to_6: u64,
    /// 6 and older.
    pub from_6: u64,
    /// No birth date or no reference date.
    pub unknown: u64,
}

impl AgeBands {
    fn add(&mut self, age: Option<i32>) {
        match age {
            None => self.unknown += 1,
            Some(a) if a < 1 => self.under_1 += 1,
            Some(1) => self.from_1_to_2 += 1,
            Some(2) => self.from_2_to_3 += 1,
            Some(3..=5) => self.from_3_to_6 += 1,
            Some(_) => self.from_6 += 1,
        }
    }
}

/// Unplaced children with a legal claim to a place (§ 24 SGB VIII).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LegalClaim {
    /// The day ages were counted on (the instance's `reference_date`), if any.
    pub reference_date: Option<String>,
    /// Unplaced children aged 1 or older on the reference date.
    pub unplaced: u64,
    /// Of these, aged 1 to under 3 (§ 24 Abs. 2).
    pub unplaced_1_to_3: u64,
    /// Of these, aged 3 or older (§ 24 Abs. 3, until school entry, which the instance does not
    /// know).
    pub unplaced_from_3: u64,
    /// `unplaced` by district.
    pub unplaced_by_district: BTreeMap<String, u64>,
    /// Unplaced children whose claim cannot be judged (age unknown).
    pub age_unknown: u64,
}

/// Statistics of one round.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RoundStatistics {
    /// Children in the instance.
    pub children: u64,
    /// Children with at least one wish (the base of the shares).
    pub with_wishes: u64,
    /// Children placed at one of their wishes (not at their kept current seat).
    pub placed_at_wish: u64,
    /// Transfer or confirmed children who kept their current seat.
    pub kept_current: u64,
    /// Children without a seat.
    pub unplaced: u64,
    /// `rank_distribution[i]`: children placed at wish `i + 1`; as long as the longest list.
    pub rank_distribution: Vec<u64>,
    /// Children placed at wish 1.
    pub first_choice: u64,
    /// Children placed at wishes 1–3.
    pub top3: u64,
    /// `first_choice` per mille of `with_wishes` (rounded half up; 0 without children).
    pub first_choice_per_mille: u64,
    /// `top3` per mille of `with_wishes`.
    pub top3_per_mille: u64,
    /// Unplaced children by district (`""`: no district given).
    pub unplaced_by_district: BTreeMap<String, u64>,
    /// Unplaced children by age band on the reference date.
    pub unplaced_by_age: AgeBands,
    /// Unplaced children with a legal claim (aged 1 or older).
    pub legal_claim: LegalClaim,
}

/// Where a child ended up, relative to its own list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Placement {
    /// At wish `n` (1-based).
    Wish(u32),
    /// At its current seat (whether or not among its wishes).
    KeptCurrent,
    /// Without a seat.
    Unplaced,
    /// At a program that is neither a wish nor its current seat (an invalid result; the
    /// certificate reports it, the statistics count it as placed at no rank).
    Other,
}

impl Placement {
    /// Classifies the result `program` of child `c`.
    pub fn of(c: &Child, program: Option<&str>) -> Placement {
        let Some(p) = program else {
            return Placement::Unplaced;
        };
        if c.current.as_ref().is_some_and(|cur| cur.as_str() == p) {
            return Placement::KeptCurrent;
        }
        match c.wishes.iter().position(|w| w.as_str() == p) {
            Some(i) => Placement::Wish(i as u32 + 1),
            None => Placement::Other,
        }
    }
}

/// Per mille, rounded half up; 0 for an empty base.
pub fn per_mille(n: u64, of: u64) -> u64 {
    (n * 1000 + of / 2).checked_div(of).unwrap_or(0)
}

/// Statistics of `result` for `inst` (pure).
pub fn round_statistics(inst: &Instance, result: &PlacementResult) -> RoundStatistics {
    statistics_with(inst, |c| {
        result
            .assignment
            .get(c.id.as_str())
            .and_then(|p| p.as_deref())
    })
}

/// Statistics for an assignment given as a function from child to its program (pure).
pub fn statistics_with<'a>(
    inst: &'a Instance,
    program_of: impl Fn(&'a Child) -> Option<&'a str>,
) -> RoundStatistics {
    let reference = inst.reference_date.as_deref().and_then(Date::parse);
    let max_len = inst.children.iter().map(|c| c.wishes.len()).max();
    let mut s = RoundStatistics {
        children: inst.children.len() as u64,
        rank_distribution: vec![0; max_len.unwrap_or(0)],
        legal_claim: LegalClaim {
            reference_date: reference.map(|d| d.to_string()),
            ..LegalClaim::default()
        },
        ..RoundStatistics::default()
    };
    for c in &inst.children {
        if !c.wishes.is_empty() {
            s.with_wishes += 1;
        }
        match Placement::of(c, program_of(c)) {
            Placement::Wish(r) => {
                s.placed_at_wish += 1;
                s.rank_distribution[r as usize - 1] += 1;
            }
            Placement::KeptCurrent => s.kept_current += 1,
            Placement::Other => {}
            Placement::Unplaced => {
                s.unplaced += 1;
                let district = c.district.clone().unwrap_or_default();
                *s.unplaced_by_district.entry(district.clone()).or_default() += 1;
                let age = reference.and_then(|on| Some(birth_date(inst, c)?.age_on(on)));
                s.unplaced_by_age.add(age);
                let claim = &mut s.legal_claim;
                match age {
                    None => claim.age_unknown += 1,
                    Some(a) if a >= 1 => {
                        claim.unplaced += 1;
                        if a < 3 {
                            claim.unplaced_1_to_3 += 1;
                        } else {
                            claim.unplaced_from_3 += 1;
                        }
                        *claim.unplaced_by_district.entry(district).or_default() += 1;
                    }
                    Some(_) => {}
                }
            }
        }
    }
    s.first_choice = s.rank_distribution.first().copied().unwrap_or(0);
    s.top3 = s.rank_distribution.iter().take(3).sum();
    s.first_choice_per_mille = per_mille(s.first_choice, s.with_wishes);
    s.top3_per_mille = per_mille(s.top3, s.with_wishes);
    s
}

/// The child's birth date: its own field, else its catalogue facts.
fn birth_date(inst: &Instance, c: &Child) -> Option<Date> {
    match &c.birth_date {
        Some(d) => Date::parse(d),
        None => inst
            .facts
            .as_ref()?
            .children
            .get(&c.id)
            .map(|f| Date::from_days(f.birth_date)),
    }
}
