//! Capacity of a childminder (Lastenheft 3.5.2, 3.5.6.2; TPP agreement § 3): "Eine
//! Tagespflegeperson kann max. 5 Kinder betreuen" (seed 004 L1743–1744); "Es dürfen jedoch auch im
//! Fall der Ersatzbetreuung nicht mehr fremde Kinder gleichzeitig in der Kindertagespflegestelle
//! anwesend sein, als mit Erlaubniserteilung … genehmigt wurden" (L30067–30069); "Das System
//! muss die Prüfung zur Einhaltung der Betreuungskapazität je Tagespflegeperson sicherstellen"
//! (L1790–1791).
//!
//! The capacity on a day is the places of the permit in force (at most the rules' maximum of 5).
//! Children count with their contract, a reservation (a place marked "reserviert", L1702–1703)
//! and substitute care hosted here. [`timeline`] splits at every date where a child, a permit or
//! the rules change; [`overloads`] reports each range where more children would be present than
//! allowed, naming them; [`check_placement`] refuses a new placement, reservation or substitute
//! care with the children it conflicts with.
//!
//! Days without a permit are not over capacity but reported apart ([`Segment::capacity`] is
//! `None`): funding holds only under a valid permit (L29687–29688) and the agreement ends with it
//! (L30257–30258), yet a contract running past the permit's end is normal while the renewal is
//! pending. So a placement is refused when it *starts* without a permit, and only flagged when it
//! runs past one.

use crate::explain::{in_force, Explanation, Rule};
use crate::period::Period;
use crate::register::ChildminderId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// A child as the crate sees it: the node's pseudonym or id, carried through unchanged.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChildRef(pub String);

impl fmt::Display for ChildRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a child is at the childminder's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OccupantKind {
    /// Under a Tagespflegevereinbarung.
    Contract,
    /// A place reserved by the BVS-KTP while the parents decide (L1701–1704).
    Reservation,
    /// Substitute care (Ersatzbetreuung) for a child of another childminder (L1825–1834).
    Substitute { regular: ChildminderId },
}

impl fmt::Display for OccupantKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OccupantKind::Contract => f.write_str("contract"),
            OccupantKind::Reservation => f.write_str("reservation"),
            OccupantKind::Substitute { regular } => write!(f, "substitute care for {regular}"),
        }
    }
}

/// A child present at the childminder's over a period.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Occupant {
    pub child: ChildRef,
    pub kind: OccupantKind,
    pub period: Period,
}

/// The places a permit allows over its period (from [`crate::register::permit_places`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitPlaces {
    pub period: Period,
    pub places: u32,
}

/// One version of the capacity rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapacityRules {
    pub id: String,
    pub valid_from: NaiveDate,
    /// Children at the same time, whatever the permit says (5, L1744).
    pub max_children: u32,
}

/// Source of the capacity rule.
pub const CAPACITY_SOURCE: &str = "seed 004 L1743–1744, L30067–30069";

impl CapacityRules {
    pub fn lastenheft() -> CapacityRules {
        CapacityRules {
            id: "dresden-lastenheft-4.11".into(),
            valid_from: NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date"),
            max_children: 5,
        }
    }
}

/// A range of days over which the same children are present under the same capacity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub period: Period,
    /// Children allowed at the same time; `None`: no permit in force.
    pub capacity: Option<u32>,
    /// The children present, ordered.
    pub present: Vec<Occupant>,
    pub explanation: Explanation,
}

impl Segment {
    pub fn count(&self) -> u32 {
        self.present.len() as u32
    }

    /// Places still free (0 when over capacity or without a permit).
    pub fn free(&self) -> u32 {
        self.capacity.unwrap_or(0).saturating_sub(self.count())
    }

    /// More children than the permit allows.
    pub fn is_over(&self) -> bool {
        self.capacity.is_some_and(|c| self.count() > c)
    }

    /// Children present while no permit is in force.
    pub fn lacks_permit(&self) -> bool {
        self.capacity.is_none()
    }
}

/// Input that cannot be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapacityError {
    #[error("no capacity rules are in force on {0}; add a version valid from that day or earlier")]
    NoRules(NaiveDate),
}

/// The capacity on `day` and why.
fn capacity_on(
    day: NaiveDate,
    permits: &[PermitPlaces],
    book: &[CapacityRules],
) -> Result<(Option<u32>, Explanation), CapacityError> {
    let rules = in_force(book, |r| r.valid_from, day).ok_or(CapacityError::NoRules(day))?;
    // The latest permit in force on the day decides (a renewal may change the places).
    let permit = permits
        .iter()
        .filter(|p| p.period.contains(day))
        .max_by_key(|p| p.period.start());
    Ok(match permit {
        None => (
            None,
            Explanation::new(
                Rule::PermitRequired,
                &rules.id,
                "seed 004 L29687–29688, L30257–30258",
                format!(
                    "ab {} keine Pflegeerlaubnis in Kraft: ohne sie wird keine Betreuung gefördert",
                    day.format("%d.%m.%Y")
                ),
            ),
        ),
        Some(p) => {
            let capacity = p.places.min(rules.max_children);
            let detail = if p.places > rules.max_children {
                format!(
                    "Pflegeerlaubnis {} für {} Kinder, begrenzt auf höchstens {}",
                    p.period, p.places, rules.max_children
                )
            } else {
                format!(
                    "Pflegeerlaubnis {} für {} gleichzeitig anwesende Kinder (höchstens {}), \
                     Vertretung eingeschlossen",
                    p.period, p.places, rules.max_children
                )
            };
            (
                Some(capacity),
                Explanation::new(Rule::Capacity, &rules.id, CAPACITY_SOURCE, detail),
            )
        }
    })
}

/// The childminder's days from the first day anyone is present, split at every date where a
/// child comes or goes, a permit starts or ends, or a rules version begins; adjacent ranges with
/// the same children and capacity are joined. Days with nobody present are left out.
pub fn timeline(
    permits: &[PermitPlaces],
    occupants: &[Occupant],
    book: &[CapacityRules],
) -> Result<Vec<Segment>, CapacityError> {
    let mut cuts: BTreeSet<NaiveDate> = BTreeSet::new();
    for o in occupants {
        cuts.insert(o.period.start());
        cuts.extend(o.period.day_after());
    }
    for p in permits {
        cuts.insert(p.period.start());
        cuts.extend(p.period.day_after());
    }
    cuts.extend(book.iter().map(|r| r.valid_from));
    let cuts: Vec<NaiveDate> = cuts.into_iter().collect();
    let mut segments: Vec<Segment> = Vec::new();
    for (i, &start) in cuts.iter().enumerate() {
        let end = cuts
            .get(i + 1)
            .map(|next| next.pred_opt().expect("date in range"));
        let period = Period::new(start, end).expect("cuts ascend");
        let mut present: Vec<Occupant> = occupants
            .iter()
            .filter(|o| o.period.contains(start))
            .cloned()
            .collect();
        if present.is_empty() {
            continue;
        }
        present.sort();
        let (capacity, explanation) = capacity_on(start, permits, book)?;
        if let Some(last) = segments.last_mut() {
            let adjacent = last.period.day_after() == Some(start);
            if adjacent
                && last.capacity == capacity
                && last.present == present
                && last.explanation == explanation
            {
                last.period = Period::new(last.period.start(), end).expect("joined is ordered");
                continue;
            }
        }
        segments.push(Segment {
            period,
            capacity,
            present,
            explanation,
        });
    }
    Ok(segments)
}

/// Every range where more children would be present than the permit allows.
pub fn overloads(
    permits: &[PermitPlaces],
    occupants: &[Occupant],
    book: &[CapacityRules],
) -> Result<Vec<Segment>, CapacityError> {
    Ok(timeline(permits, occupants, book)?
        .into_iter()
        .filter(Segment::is_over)
        .collect())
}

/// The check of a new placement, reservation or substitute care against the children already
/// there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementCheck {
    pub candidate: Occupant,
    /// The ranges of the candidate's period that would be over capacity, each with everyone
    /// present (the candidate included). Ranges already over without the candidate are not its
    /// conflicts (they show in [`overloads`]).
    pub conflicts: Vec<Segment>,
    /// The ranges of the candidate's period without a permit in force.
    pub without_permit: Vec<Period>,
}

impl PlacementCheck {
    /// Refused: over capacity on some day, or no permit on the first day.
    pub fn is_refused(&self) -> bool {
        !self.conflicts.is_empty() || self.starts_without_permit()
    }

    /// No permit in force on the candidate's first day.
    pub fn starts_without_permit(&self) -> bool {
        self.without_permit
            .first()
            .is_some_and(|p| p.contains(self.candidate.period.start()))
    }

    /// The other children the candidate conflicts with, each once, ordered.
    pub fn conflicting_children(&self) -> Vec<ChildRef> {
        let names: BTreeSet<ChildRef> = self
            .conflicts
            .iter()
            .flat_map(|s| s.present.iter())
            .filter(|o| **o != self.candidate)
            .map(|o| o.child.clone())
            .collect();
        names.into_iter().collect()
    }
}

impl fmt::Display for PlacementCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.is_refused() {
            "cannot be placed"
        } else {
            "fits"
        };
        write!(
            f,
            "{} ({}) {verdict}",
            self.candidate.child, self.candidate.kind
        )?;
        for s in &self.conflicts {
            let names: Vec<String> = s.present.iter().map(|o| o.child.to_string()).collect();
            write!(
                f,
                "; {}: {} children for {} places ({})",
                s.period,
                s.count(),
                s.capacity.unwrap_or(0),
                names.join(", ")
            )?;
        }
        for p in &self.without_permit {
            write!(f, "; {p}: no permit in force")?;
        }
        Ok(())
    }
}

/// Checks a new occupant against those already there, day by day over its period.
pub fn check_placement(
    permits: &[PermitPlaces],
    existing: &[Occupant],
    candidate: &Occupant,
    book: &[CapacityRules],
) -> Result<PlacementCheck, CapacityError> {
    let mut all = existing.to_vec();
    all.push(candidate.clone());
    let mut conflicts = Vec::new();
    let mut without_permit: Vec<Period> = Vec::new();
    for s in timeline(permits, &all, book)? {
        if !s.present.contains(candidate) {
            continue;
        }
        if s.lacks_permit() {
            // Join ranges split only by other children's changes.
            match without_permit.last_mut() {
                Some(last) if last.day_after() == Some(s.period.start()) => {
                    *last = Period::new(last.start(), s.period.end()).expect("ordered");
                }
                _ => without_permit.push(s.period),
            }
        } else if s.is_over() {
            conflicts.push(s);
        }
    }
    Ok(PlacementCheck {
        candidate: candidate.clone(),
        conflicts,
        without_permit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::d;
    use proptest::prelude::*;

    fn book() -> Vec<CapacityRules> {
        vec![CapacityRules::lastenheft()]
    }

    fn child(name: &str, start: NaiveDate, end: Option<NaiveDate>) -> Occupant {
        Occupant {
            child: ChildRef(name.into()),
            kind: OccupantKind::Contract,
            period: Period::new(start, end).unwrap(),
        }
    }

    fn permit(places: u32) -> Vec<PermitPlaces> {
        vec![PermitPlaces {
            period: Period::closed(d(2024, 1, 1), d(2028, 12, 31)).unwrap(),
            places,
        }]
    }

    fn five() -> Vec<Occupant> {
        vec![
            child("A", d(2025, 1, 1), None),
            child("B", d(2025, 1, 1), Some(d(2025, 6, 30))),
            child("C", d(2025, 2, 1), None),
            child("D", d(2025, 3, 1), Some(d(2025, 8, 31))),
            child("E", d(2025, 3, 1), None),
        ]
    }

    #[test]
    fn the_sixth_child_is_refused_with_the_five_named() {
        let candidate = child("F", d(2025, 5, 1), Some(d(2025, 7, 31)));
        let check = check_placement(&permit(5), &five(), &candidate, &book()).unwrap();
        assert!(check.is_refused());
        // Over from 1 May until B leaves on 30 June; in July B's place is free again.
        assert_eq!(check.conflicts.len(), 1);
        let s = &check.conflicts[0];
        assert_eq!(
            s.period,
            Period::closed(d(2025, 5, 1), d(2025, 6, 30)).unwrap()
        );
        assert_eq!((s.count(), s.capacity), (6, Some(5)));
        let names: Vec<String> = check
            .conflicting_children()
            .iter()
            .map(|c| c.0.clone())
            .collect();
        assert_eq!(names, ["A", "B", "C", "D", "E"]);
        assert!(check
            .to_string()
            .contains("2025-05-01 – 2025-06-30: 6 children for 5 places (A, B, C, D, E, F)"));
        // From July the sixth fits; past the permit's end it is flagged, not refused.
        let later = child("F", d(2025, 7, 1), None);
        let check = check_placement(&permit(5), &five(), &later, &book()).unwrap();
        assert!(!check.is_refused(), "{check}");
        assert_eq!(check.without_permit, [Period::from(d(2029, 1, 1))]);
        // The fifth child on a full day fits exactly.
        let fifth = child("E", d(2025, 3, 1), None);
        let check = check_placement(&permit(5), &five()[..4], &fifth, &book()).unwrap();
        assert!(check.conflicts.is_empty());
    }

    #[test]
    fn a_permit_for_fewer_places_and_substitute_care_count() {
        let existing = vec![
            child("A", d(2025, 1, 1), None),
            child("B", d(2025, 1, 1), None),
            child("C", d(2025, 1, 1), None),
        ];
        let substitute = Occupant {
            child: ChildRef("S".into()),
            kind: OccupantKind::Substitute {
                regular: ChildminderId("tpp-2".into()),
            },
            period: Period::closed(d(2025, 7, 14), d(2025, 7, 25)).unwrap(),
        };
        let check = check_placement(&permit(3), &existing, &substitute, &book()).unwrap();
        assert!(check.is_refused());
        assert_eq!(check.conflicts[0].period, substitute.period);
        assert_eq!(check.conflicts[0].capacity, Some(3));
        assert!(check.conflicts[0]
            .explanation
            .detail
            .contains("für 3 gleichzeitig anwesende Kinder"));
        assert!(check.to_string().contains("substitute care for tpp-2"));
        let check = check_placement(&permit(4), &existing, &substitute, &book()).unwrap();
        assert!(!check.is_refused());
        // A reservation takes a place like a contract.
        let reserved = Occupant {
            kind: OccupantKind::Reservation,
            ..child("R", d(2025, 7, 1), None)
        };
        let mut with_reservation = existing.clone();
        with_reservation.push(reserved);
        let check = check_placement(&permit(4), &with_reservation, &substitute, &book()).unwrap();
        assert!(check.is_refused());
        assert_eq!(check.conflicting_children().len(), 4);
    }

    #[test]
    fn a_permit_over_five_places_is_capped_and_no_permit_is_apart() {
        let mut six = five();
        six.push(child("F", d(2025, 4, 1), Some(d(2025, 4, 30))));
        let over = overloads(&permit(6), &six, &book()).unwrap();
        assert_eq!(over.len(), 1);
        assert_eq!(over[0].capacity, Some(5));
        assert!(over[0]
            .explanation
            .detail
            .contains("begrenzt auf höchstens 5"));
        // Starting before the permit: refused.
        let early = child("Z", d(2023, 12, 1), Some(d(2024, 3, 31)));
        let check = check_placement(&permit(5), &[], &early, &book()).unwrap();
        assert!(check.is_refused() && check.starts_without_permit());
        assert_eq!(
            check.without_permit,
            [Period::closed(d(2023, 12, 1), d(2023, 12, 31)).unwrap()]
        );
        let segments = timeline(&permit(5), &[early], &book()).unwrap();
        assert_eq!(segments[0].explanation.rule, Rule::PermitRequired);
        assert!(segments[0].lacks_permit() && !segments[0].is_over());
    }

    #[test]
    fn the_timeline_splits_at_every_change_and_shows_free_places() {
        let segments = timeline(&permit(5), &five()[..3], &book()).unwrap();
        let shape: Vec<(String, u32, u32)> = segments
            .iter()
            .map(|s| (s.period.to_string(), s.count(), s.free()))
            .collect();
        assert_eq!(
            shape,
            [
                ("2025-01-01 – 2025-01-31".to_string(), 2, 3),
                ("2025-02-01 – 2025-06-30".to_string(), 3, 2),
                ("2025-07-01 – 2028-12-31".to_string(), 2, 3),
                ("ab 2029-01-01".to_string(), 2, 0),
            ]
        );
    }

    fn arb_occupant() -> impl Strategy<Value = Occupant> {
        (0u8..8, 0u32..60, 0u32..30, any::<bool>()).prop_map(|(name, start, len, open)| {
            let start = d(2025, 1, 1) + chrono::Days::new(start.into());
            let end = (!open).then(|| start + chrono::Days::new(len.into()));
            child(&format!("c{name}"), start, end)
        })
    }

    proptest! {
        /// The timeline agrees with counting children and looking up the permit day by day.
        #[test]
        fn timeline_agrees_with_a_naive_daily_count(
            occupants in proptest::collection::vec(arb_occupant(), 0..10),
            places in 0u32..7,
            permit_end in 10u32..100,
        ) {
            let permits = vec![PermitPlaces {
                period: Period::closed(d(2025, 1, 10), d(2025, 1, 10) + chrono::Days::new(permit_end.into())).unwrap(),
                places,
            }];
            let segments = timeline(&permits, &occupants, &book()).unwrap();
            let window = Period::closed(d(2024, 12, 1), d(2025, 6, 30)).unwrap();
            for day in window.each_day() {
                let naive: Vec<&Occupant> = occupants.iter().filter(|o| o.period.contains(day)).collect();
                let cap = permits[0].period.contains(day).then_some(places.min(5));
                let found: Vec<&Segment> = segments.iter().filter(|s| s.period.contains(day)).collect();
                if naive.is_empty() {
                    prop_assert!(found.is_empty(), "{day}: nobody present but a segment");
                } else {
                    prop_assert_eq!(found.len(), 1, "{} in exactly one segment", day);
                    prop_assert_eq!(found[0].count() as usize, naive.len());
                    prop_assert_eq!(found[0].capacity, cap);
                    let over = cap.is_some_and(|c| naive.len() as u32 > c);
                    prop_assert_eq!(found[0].is_over(), over);
                }
            }
            // Segments do not overlap and adjacent ones differ.
            for pair in segments.windows(2) {
                prop_assert!(pair[0].period.end().is_some_and(|e| e < pair[1].period.start()));
            }
        }
    }
}
