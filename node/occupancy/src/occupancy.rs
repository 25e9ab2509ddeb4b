//! Occupancy of a facility on a reference date (Lastenheft 3.6.10, 3.7.6): children under
//! contract per kind of place, reservations and guests separately, against the approved places;
//! flexible use of the total capacity (3.6.19); temporary closures with substitute care
//! (3.7.1.3).

use crate::findings::{Finding, KindCount};
use crate::input::{
    ChildPseudonym, Closure, FacilityBook, FacilityId, PlaceKind, Substitute, WishHandle,
};
use crate::period::Period;
use crate::projection::{
    months_on, project, switch_window, Basis, Movement, MovementReason, Segment, Stay,
};
use crate::rules::{Rules, RulesError};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Input that cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OccupancyError {
    #[error("facility {0} is not among the facilities passed in; pass its book too")]
    UnknownFacility(FacilityId),
    #[error("facility {0} is passed in twice; pass each facility's book once")]
    FacilityListedTwice(FacilityId),
    #[error("the year {0} is outside the calendar; give a year between 1 and 9999")]
    YearOutOfRange(i32),
    #[error("the rules do not hold together: {0}")]
    Rules(#[from] RulesError),
}

/// The figures of one kind of place (or of the whole facility) on a day.
///
/// Always `capacity + borrowed + over == occupied + reserved + guests + lent + free`: what is
/// used beyond the kind's own places is borrowed from other kinds' spare places (flexible use)
/// or over the total; what is not used is lent to other kinds or free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Figures {
    /// Approved places (Betriebserlaubnis).
    pub capacity: u32,
    /// Children under contract (belegt).
    pub occupied: u32,
    /// Of `occupied`, children on an employer's Belegrecht (Lastenheft 3.6.10: shown apart).
    pub employer_seats: u32,
    /// Seats reserved for wishes, not yet contracts (reserviert).
    pub reserved: u32,
    /// Children of a temporarily closed facility cared for here (Lastenheft 3.7.1.3).
    pub guests: u32,
    /// Places of other kinds this kind uses (flexible use).
    pub borrowed: u32,
    /// Places of this kind used by other kinds (flexible use).
    pub lent: u32,
    /// Used beyond the total capacity.
    pub over: u32,
    /// Places neither occupied, reserved, used by guests nor lent (frei).
    pub free: u32,
}

impl Figures {
    /// Places used: children, reservations and guests.
    pub fn used(&self) -> u32 {
        self.occupied + self.reserved + self.guests
    }

    pub(crate) fn add(&mut self, other: &Figures) {
        self.capacity += other.capacity;
        self.occupied += other.occupied;
        self.employer_seats += other.employer_seats;
        self.reserved += other.reserved;
        self.guests += other.guests;
        self.borrowed += other.borrowed;
        self.lent += other.lent;
        self.over += other.over;
        self.free += other.free;
    }
}

/// The figures of one kind of place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KindFigures {
    pub kind: PlaceKind,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Where a child under contract is cared for on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "at")]
pub enum CareLocation {
    /// In its own facility.
    Facility,
    /// The facility is closed; the child is cared for in its substitute building.
    SubstituteLocation { name: String },
    /// The facility is closed; the child is a guest of another facility.
    SubstituteFacility { facility: FacilityId },
    /// The facility is closed without substitute care.
    NotCared,
}

/// A child counted on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildOnDate {
    pub child: ChildPseudonym,
    pub kind: PlaceKind,
    pub daily_hours: Decimal,
    pub employer_seat: bool,
    pub completed_months: u32,
    pub basis: Basis,
    pub cared_at: CareLocation,
}

/// A child whose contract runs on the day but whose place a rule has ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotCounted {
    pub child: ChildPseudonym,
    /// First day without a place.
    pub since: NaiveDate,
    pub reason: MovementReason,
}

/// A child of a closed facility cared for here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guest {
    pub child: ChildPseudonym,
    pub home: FacilityId,
    pub kind: PlaceKind,
}

/// A reserved seat on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReservedSeat {
    pub wish: WishHandle,
    pub kind: PlaceKind,
}

/// The facility's closure in force on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosureOnDate {
    pub period: Period,
    pub reason: String,
    pub substitute: Substitute,
    /// Children under contract and where they are: all at the substitute, or not cared for.
    /// They keep their places (the contract runs and is paid, Satzung § 12 (4)), so the
    /// facility's figures still count them.
    pub children_moved: u32,
}

/// Occupancy of one facility on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacilityOccupancy {
    pub facility: FacilityId,
    pub date: NaiveDate,
    /// Per kind of place the permit names or a child takes, in `PlaceKind` order.
    pub places: Vec<KindFigures>,
    pub total: Figures,
    pub children: Vec<ChildOnDate>,
    pub not_counted: Vec<NotCounted>,
    pub reservations: Vec<ReservedSeat>,
    pub guests: Vec<Guest>,
    pub closure: Option<ClosureOnDate>,
    pub findings: Vec<Finding>,
}

/// The books with their contracts read under the rules once (a forecast reads them on many
/// days): every book for the Träger's and the city's views, or only one facility and the books
/// that send it guests when one facility is asked for ([`Prepared::for_facility`]), so that one
/// Kita's figures do not read every contract of the city.
pub(crate) struct Prepared<'a> {
    pub books: &'a [FacilityBook],
    pub rules: &'a Rules,
    /// Per book, its contracts read, sorted by start and child (the order of counting); empty
    /// for a book that was not read.
    pub stays: Vec<Vec<Stay<'a>>>,
    /// Per book, the moves of its children as they are counted (a child with several
    /// contracts on a day moves only when the place it is counted on changes), by day; empty
    /// for a book that was not read for its own figures.
    pub movements: Vec<Vec<Movement>>,
    /// Per book, the books whose closures name it as substitute facility (so that the guests
    /// of a day are found without looking at every facility of the city), in book order.
    pub sending: Vec<Vec<usize>>,
}

/// What is counted on a day, before the figures are formed.
#[derive(Default)]
struct Tally {
    occupied: BTreeMap<PlaceKind, u32>,
    employer: BTreeMap<PlaceKind, u32>,
    reserved: BTreeMap<PlaceKind, u32>,
    guests: BTreeMap<PlaceKind, u32>,
}

fn bump(map: &mut BTreeMap<PlaceKind, u32>, kind: PlaceKind) {
    *map.entry(kind).or_default() += 1;
}

impl<'a> Prepared<'a> {
    /// Every book read, for figures of every facility.
    pub fn new(
        books: &'a [FacilityBook],
        rules: &'a Rules,
    ) -> Result<Prepared<'a>, OccupancyError> {
        Prepared::reading(books, rules, None).map(|(prepared, _)| prepared)
    }

    /// Only `facility`'s book and the books sending it guests read, for the figures of
    /// `facility` alone; with the index of its book. Refuses what [`Prepared::new`] refuses,
    /// then a facility without a book.
    pub fn for_facility(
        books: &'a [FacilityBook],
        rules: &'a Rules,
        facility: &FacilityId,
    ) -> Result<(Prepared<'a>, usize), OccupancyError> {
        let (prepared, i) = Prepared::reading(books, rules, Some(facility))?;
        Ok((prepared, i.expect("reading found the facility")))
    }

    fn reading(
        books: &'a [FacilityBook],
        rules: &'a Rules,
        only: Option<&FacilityId>,
    ) -> Result<(Prepared<'a>, Option<usize>), OccupancyError> {
        rules.validate()?;
        let mut index = BTreeMap::new();
        for (i, b) in books.iter().enumerate() {
            if index.insert(&b.facility, i).is_some() {
                return Err(OccupancyError::FacilityListedTwice(b.facility.clone()));
            }
        }
        let only = only
            .map(|facility| {
                index
                    .get(facility)
                    .copied()
                    .ok_or_else(|| OccupancyError::UnknownFacility(facility.clone()))
            })
            .transpose()?;
        let mut sending: Vec<Vec<usize>> = vec![Vec::new(); books.len()];
        for (j, book) in books.iter().enumerate() {
            for c in &book.closures {
                let Substitute::Facility { facility } = &c.substitute else {
                    continue;
                };
                if let Some(&host) = index.get(facility) {
                    // j ascends, so a book naming the same host twice is the last one pushed.
                    if host != j && sending[host].last() != Some(&j) {
                        sending[host].push(j);
                    }
                }
            }
        }
        let own = |k: usize| only.is_none_or(|i| i == k);
        let read = |k: usize| own(k) || only.is_some_and(|i| sending[i].contains(&k));
        let stays = books
            .iter()
            .enumerate()
            .map(|(k, book)| {
                if !read(k) {
                    return Vec::new();
                }
                let mut stays: Vec<Stay<'a>> = book
                    .contracts
                    .iter()
                    .map(|c| project(c, book, rules))
                    .collect();
                stays.sort_by(|a, b| {
                    (a.contract.start, &a.contract.child.pseudonym)
                        .cmp(&(b.contract.start, &b.contract.child.pseudonym))
                });
                stays
            })
            .collect::<Vec<Vec<Stay<'a>>>>();
        let movements = stays
            .iter()
            .enumerate()
            .map(|(k, s)| {
                if own(k) {
                    counted_movements(s)
                } else {
                    Vec::new()
                }
            })
            .collect();
        let prepared = Prepared {
            books,
            rules,
            stays,
            movements,
            sending,
        };
        Ok((prepared, only))
    }

    /// The stays of book `i` that take a place on `day`, one per child (the first in counting
    /// order), with the number of contracts per child.
    fn counted_on(&self, i: usize, day: NaiveDate) -> Vec<(&Stay<'a>, usize)> {
        let mut out: Vec<(&Stay<'a>, usize)> = Vec::new();
        let mut at: BTreeMap<&ChildPseudonym, usize> = BTreeMap::new();
        for stay in &self.stays[i] {
            if stay.segment_on(day).is_none() {
                continue;
            }
            match at.get(&stay.contract.child.pseudonym) {
                Some(&n) => out[n].1 += 1,
                None => {
                    at.insert(&stay.contract.child.pseudonym, out.len());
                    out.push((stay, 1));
                }
            }
        }
        out
    }

    /// Children of other books cared for in book `i` on `day` (their facility is closed and
    /// names `i` as the substitute).
    fn guests_on(&self, i: usize, day: NaiveDate) -> Vec<Guest> {
        let host = &self.books[i].facility;
        let mut guests = Vec::new();
        for &j in &self.sending[i] {
            let book = &self.books[j];
            let hosted_here = matches!(
                book.closure_on(day).map(|c| &c.substitute),
                Some(Substitute::Facility { facility }) if facility == host
            );
            if !hosted_here {
                continue;
            }
            for (stay, _) in self.counted_on(j, day) {
                if let Some(seg) = stay.segment_on(day) {
                    guests.push(Guest {
                        child: stay.contract.child.pseudonym.clone(),
                        home: book.facility.clone(),
                        kind: seg.kind,
                    });
                }
            }
        }
        guests
    }

    fn reservations_on(&self, i: usize, day: NaiveDate) -> Vec<ReservedSeat> {
        let mut seen = BTreeSet::new();
        self.books[i]
            .reservations
            .iter()
            .filter(|r| r.period.contains(day) && seen.insert(&r.wish))
            .map(|r| ReservedSeat {
                wish: r.wish.clone(),
                kind: r.kind,
            })
            .collect()
    }

    /// The figures of book `i` on `day` without the lists (what a forecast needs per change day).
    pub fn figures_on(
        &self,
        i: usize,
        day: NaiveDate,
    ) -> (Vec<KindFigures>, Figures, Vec<Finding>) {
        let mut tally = Tally::default();
        for (stay, _) in self.counted_on(i, day) {
            if let Some(seg) = stay.segment_on(day) {
                bump(&mut tally.occupied, seg.kind);
                if seg.employer_seat {
                    bump(&mut tally.employer, seg.kind);
                }
            }
        }
        for r in self.reservations_on(i, day) {
            bump(&mut tally.reserved, r.kind);
        }
        for g in self.guests_on(i, day) {
            bump(&mut tally.guests, g.kind);
        }
        figures(&self.books[i], day, &tally)
    }

    /// The full occupancy of book `i` on `day`.
    pub fn occupancy_on(&self, i: usize, day: NaiveDate) -> FacilityOccupancy {
        let book = &self.books[i];
        let closure = book.closure_on(day);
        let cared_at = closure.map_or(CareLocation::Facility, |c| match &c.substitute {
            Substitute::None => CareLocation::NotCared,
            Substitute::Location { name } => {
                CareLocation::SubstituteLocation { name: name.clone() }
            }
            Substitute::Facility { facility } => CareLocation::SubstituteFacility {
                facility: facility.clone(),
            },
        });
        let mut findings = Vec::new();
        let mut children = Vec::new();
        let mut tally = Tally::default();
        for (stay, contracts) in self.counted_on(i, day) {
            let Some(seg) = stay.segment_on(day) else {
                continue;
            };
            let child = &stay.contract.child;
            bump(&mut tally.occupied, seg.kind);
            if seg.employer_seat {
                bump(&mut tally.employer, seg.kind);
            }
            if contracts > 1 {
                findings.push(Finding::ChildCountedOnce {
                    child: child.pseudonym.clone(),
                    contracts: u32::try_from(contracts).unwrap_or(u32::MAX),
                });
            }
            let completed_months = months_on(child, day);
            if seg.kind.care_type == crate::input::CareType::Kindergarten
                && completed_months < self.rules.earliest_switch_months
            {
                if let Some(window) = switch_window(child.birth_date, self.rules) {
                    findings.push(Finding::YoungChildOnKindergartenPlace {
                        child: child.pseudonym.clone(),
                        completed_months,
                        earliest_switch: window.earliest,
                    });
                }
            }
            children.push(ChildOnDate {
                child: child.pseudonym.clone(),
                kind: seg.kind,
                daily_hours: seg.daily_hours,
                employer_seat: seg.employer_seat,
                completed_months,
                basis: seg.basis,
                cared_at: cared_at.clone(),
            });
        }
        let counted: BTreeSet<&ChildPseudonym> = children.iter().map(|c| &c.child).collect();
        let mut not_counted = Vec::new();
        for stay in &self.stays[i] {
            let child = &stay.contract.child.pseudonym;
            if counted.contains(child) || !stay.period.is_some_and(|p| p.contains(day)) {
                continue;
            }
            if let Some((since, reason)) = stay.ended_by_rule.filter(|(since, _)| *since <= day) {
                if !not_counted.iter().any(|n: &NotCounted| &n.child == child) {
                    not_counted.push(NotCounted {
                        child: child.clone(),
                        since,
                        reason,
                    });
                }
            }
        }
        for stay in &self.stays[i] {
            if stay.period.is_some_and(|p| p.contains(day)) || stay.period.is_none() {
                findings.extend(stay.findings.iter().cloned());
            }
        }
        let reservations = self.reservations_on(i, day);
        for r in &reservations {
            bump(&mut tally.reserved, r.kind);
        }
        let guests = self.guests_on(i, day);
        for g in &guests {
            bump(&mut tally.guests, g.kind);
        }
        let (places, total, figure_findings) = figures(book, day, &tally);
        findings.extend(figure_findings);
        FacilityOccupancy {
            facility: book.facility.clone(),
            date: day,
            places,
            total,
            closure: closure.map(|c: &Closure| ClosureOnDate {
                period: c.period,
                reason: c.reason.clone(),
                substitute: c.substitute.clone(),
                children_moved: u32::try_from(children.len()).unwrap_or(u32::MAX),
            }),
            children,
            not_counted,
            reservations,
            guests,
            findings,
        }
    }
}

/// Forms the figures per kind and in total, lends spare places to kinds over their own
/// (flexible use inside the total capacity, Lastenheft 3.6.19), and names what to check.
fn figures(
    book: &FacilityBook,
    day: NaiveDate,
    tally: &Tally,
) -> (Vec<KindFigures>, Figures, Vec<Finding>) {
    let get = |m: &BTreeMap<PlaceKind, u32>, k: PlaceKind| m.get(&k).copied().unwrap_or(0);
    let kinds: BTreeSet<PlaceKind> = book
        .approved_kinds()
        .chain(tally.occupied.keys().copied())
        .chain(tally.reserved.keys().copied())
        .chain(tally.guests.keys().copied())
        .collect();
    let mut rows: Vec<KindFigures> = kinds
        .iter()
        .map(|&kind| KindFigures {
            kind,
            figures: Figures {
                capacity: book.places_on(kind, day),
                occupied: get(&tally.occupied, kind),
                employer_seats: get(&tally.employer, kind),
                reserved: get(&tally.reserved, kind),
                guests: get(&tally.guests, kind),
                ..Figures::default()
            },
        })
        .collect();
    let mut spare: Vec<u32> = rows
        .iter()
        .map(|r| r.figures.capacity.saturating_sub(r.figures.used()))
        .collect();
    let mut findings = Vec::new();
    for over_at in 0..rows.len() {
        let kind = rows[over_at].kind;
        let mut need = rows[over_at]
            .figures
            .used()
            .saturating_sub(rows[over_at].figures.capacity);
        if need == 0 {
            continue;
        }
        // Lend first from the same care type's other variant (a regular place for an
        // integration child or the reverse), then from the other kinds in order.
        let mut lenders: Vec<usize> = (0..rows.len()).filter(|&j| j != over_at).collect();
        lenders.sort_by_key(|&j| (rows[j].kind.care_type != kind.care_type, rows[j].kind));
        let mut on_places_of = Vec::new();
        for j in lenders {
            let take = need.min(spare[j]);
            if take == 0 {
                continue;
            }
            spare[j] -= take;
            need -= take;
            rows[j].figures.lent += take;
            rows[over_at].figures.borrowed += take;
            on_places_of.push(KindCount {
                kind: rows[j].kind,
                places: take,
            });
        }
        rows[over_at].figures.over = need;
        if !on_places_of.is_empty() {
            findings.push(Finding::FlexibleUse {
                kind,
                children: rows[over_at].figures.borrowed,
                on_places_of,
            });
        }
    }
    for (row, spare) in rows.iter_mut().zip(spare) {
        row.figures.free = spare;
    }
    let mut total = Figures::default();
    for row in &rows {
        total.add(&row.figures);
    }
    let own = total.occupied;
    if own > total.capacity {
        findings.push(Finding::OverTotalCapacity {
            occupied: own,
            capacity: total.capacity,
        });
    } else if own + total.guests > total.capacity {
        findings.push(Finding::SubstituteCareOverbooking {
            guests: total.guests,
            occupied: own,
            capacity: total.capacity,
        });
    } else if total.used() > total.capacity {
        findings.push(Finding::ReservationsBeyondCapacity {
            reserved: total.reserved,
            free_before_reservations: total.capacity - own - total.guests,
        });
    }
    (rows, total, findings)
}

/// Occupancy of `facility` on `date` (Lastenheft 3.6.10, 3.7.6). Pass the books of every
/// facility that may be involved: a facility whose closure names `facility` as substitute sends
/// its children here as guests.
pub fn occupancy_on(
    books: &[FacilityBook],
    facility: &FacilityId,
    date: NaiveDate,
    rules: &Rules,
) -> Result<FacilityOccupancy, OccupancyError> {
    let (prepared, i) = Prepared::for_facility(books, rules, facility)?;
    Ok(prepared.occupancy_on(i, date))
}

/// The moves of a facility's children as they are counted: one child is counted once a day, on
/// the place of its first contract (in counting order) that has one that day.
fn counted_movements(stays: &[Stay<'_>]) -> Vec<Movement> {
    let mut by_child: BTreeMap<&ChildPseudonym, Vec<&Stay<'_>>> = BTreeMap::new();
    for stay in stays {
        by_child
            .entry(&stay.contract.child.pseudonym)
            .or_default()
            .push(stay);
    }
    let mut out = Vec::new();
    for (child, stays) in by_child {
        if let [only] = stays.as_slice() {
            out.extend(only.movements.iter().cloned());
            continue;
        }
        let counted = |day: Option<NaiveDate>| -> Option<&Segment> {
            let day = day?;
            stays.iter().find_map(|s| s.segment_on(day))
        };
        let days: BTreeSet<NaiveDate> = stays.iter().flat_map(|s| s.change_days()).collect();
        for on in days {
            let (before, after) = (counted(on.pred_opt()), counted(Some(on)));
            let (from, to) = (before.map(|s| s.kind), after.map(|s| s.kind));
            if from == to {
                continue;
            }
            // The reason of the contract whose move this is: the one taking the place, else the
            // one leaving it.
            let reason = stays
                .iter()
                .flat_map(|s| &s.movements)
                .filter(|m| m.on == on)
                .find(|m| to.is_some() && m.to == to)
                .or_else(|| {
                    stays
                        .iter()
                        .flat_map(|s| &s.movements)
                        .find(|m| m.on == on && m.from == from)
                })
                .map_or(MovementReason::ContractChanges, |m| m.reason);
            out.push(Movement {
                on,
                child: child.clone(),
                from,
                to,
                reason,
            });
        }
    }
    out.sort_by(|a, b| (a.on, &a.child).cmp(&(b.on, &b.child)));
    out
}
