//! A contract read under the age rules: the places a child takes day by day, and the moves
//! between them with the rule and the date (so that every figure can be explained).
//!
//! The contract's lines say what was agreed; the statute ends a Krippe place with the 3rd
//! birthday and a Kindergarten place with school entry without notice (Satzung § 9 (5)). Both
//! apply "automatically" (Lastenheft 3.6.10) on every date, today's included: a Krippe line
//! that runs past the 3rd birthday is read as a Kindergarten place from then (or as ended, when
//! the facility has no Kindergarten), a Kindergarten line that runs past school entry as ended.

use crate::age::{completed_months_on, completion_day, first_day_completed, last_day_of_month};
use crate::findings::Finding;
use crate::input::{
    CareType, Child, ChildPseudonym, Contract, ContractEnd, FacilityBook, PlaceKind, SchoolEntry,
};
use crate::period::Period;
use crate::rules::Rules;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

/// Why a child is counted on a place of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "basis")]
pub enum Basis {
    /// The contract line says so.
    Contract,
    /// The contract line says Krippe, but since `since` (the day after completing
    /// [`Rules::latest_switch_months`]) the child counts as a Kindergarten child.
    KrippeToKindergarten { since: NaiveDate },
}

/// One stretch of days on which a child takes one kind of place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub period: Period,
    pub kind: PlaceKind,
    pub daily_hours: Decimal,
    pub employer_seat: bool,
    pub basis: Basis,
}

/// How the school entry date of a child was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "rule")]
pub enum SchoolEntryRule {
    /// Completes the school age by the compulsory cut-off of that year.
    Compulsory,
    /// Completes it by the on-request cut-off, and the parents asked.
    OnRequest,
    /// Schulrücksteller: the statute would have sent the child in `statutory_year`.
    Deferred { statutory_year: i32 },
}

/// When a child goes to school, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SchoolEntryDate {
    /// First day of the school year: the Kindergarten place is free from this day.
    pub first_school_day: NaiveDate,
    pub rule: SchoolEntryRule,
    /// The day at whose end the child completes the school age.
    pub completes_school_age_on: NaiveDate,
    /// The cut-off the rule compared with (for a deferred child: the compulsory one of its
    /// statutory year).
    pub cutoff: NaiveDate,
}

/// A child's school entry under the rules (Lastenheft 3.6.17, SächsSchulG § 27). `None` only
/// for dates beyond chrono's calendar.
pub fn school_entry(child: &Child, rules: &Rules) -> Option<SchoolEntryDate> {
    let completes = completion_day(child.birth_date, rules.school_age_years * 12)?;
    // The first year whose cut-off the completion day does not pass.
    let entry_year = |cutoff: crate::rules::MonthDay| -> Option<(i32, NaiveDate)> {
        let same_year = cutoff.in_year(completes.year())?;
        if completes <= same_year {
            Some((completes.year(), same_year))
        } else {
            Some((completes.year() + 1, cutoff.in_year(completes.year() + 1)?))
        }
    };
    let (statutory_year, compulsory_cutoff) = entry_year(rules.compulsory_cutoff)?;
    let (year, rule, cutoff) = match child.school_entry {
        SchoolEntry::Statutory => (
            statutory_year,
            SchoolEntryRule::Compulsory,
            compulsory_cutoff,
        ),
        SchoolEntry::OnRequest => {
            let (year, cutoff) = entry_year(rules.on_request_cutoff)?;
            if year < statutory_year {
                (year, SchoolEntryRule::OnRequest, cutoff)
            } else {
                (
                    statutory_year,
                    SchoolEntryRule::Compulsory,
                    compulsory_cutoff,
                )
            }
        }
        SchoolEntry::Deferred { school_year } if school_year > statutory_year => (
            school_year,
            SchoolEntryRule::Deferred { statutory_year },
            compulsory_cutoff,
        ),
        // A "deferral" to the statutory year or before defers nothing.
        SchoolEntry::Deferred { .. } => (
            statutory_year,
            SchoolEntryRule::Compulsory,
            compulsory_cutoff,
        ),
    };
    Some(SchoolEntryDate {
        first_school_day: rules.school_year_start.in_year(year)?,
        rule,
        completes_school_age_on: completes,
        cutoff,
    })
}

/// The Krippe → Kindergarten window of a child (Lastenheft 3.6.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SwitchWindow {
    /// First day the switch may happen: the child has completed
    /// [`Rules::earliest_switch_months`].
    pub earliest: NaiveDate,
    /// First day the child is no longer a Krippe child: it has completed
    /// [`Rules::latest_switch_months`] (the 3rd birthday; 1 March for a leap-day child in a
    /// common year). The last Krippe day is the day before.
    pub latest: NaiveDate,
}

/// The switch window of a child born on `birth`. `None` only beyond chrono's calendar.
pub fn switch_window(birth: NaiveDate, rules: &Rules) -> Option<SwitchWindow> {
    Some(SwitchWindow {
        earliest: first_day_completed(birth, rules.earliest_switch_months)?,
        latest: first_day_completed(birth, rules.latest_switch_months)?,
    })
}

/// The last day a notice received on `received_on` can end a contract on (Satzung § 9 (7)).
pub fn earliest_exit_after_notice(received_on: NaiveDate, rules: &Rules) -> Option<NaiveDate> {
    // Notice on the 1st still counts for this month ("bis spätestens zum Ersten des vorletzten
    // Monats"), so the notice period starts one month earlier.
    let months = rules
        .notice_months
        .saturating_sub(u32::from(received_on.day() == 1));
    last_day_of_month(
        received_on
            .with_day(1)?
            .checked_add_months(Months::new(months))?,
    )
}

/// Why a child moves (the place it takes changes, starts or ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "reason")]
pub enum MovementReason {
    /// The contract starts.
    ContractStarts,
    /// A contract line (annex) changes the kind of place, or the place resumes after a gap.
    ContractChanges,
    /// The child reaches the latest switch date on a Krippe place and counts as a Kindergarten
    /// child from then on (Lastenheft 3.6.16; SächsKitaG § 1 (2), (3); Satzung § 9 (5)).
    KrippeToKindergarten { window: SwitchWindow },
    /// As above, but the facility has no Kindergarten places: the Krippe place ends.
    KrippeEnds { window: SwitchWindow },
    /// The child goes to school; the Kindergarten place is free from the first school day
    /// (Lastenheft 3.6.17; Satzung § 9 (5)).
    SchoolEntry { entry: SchoolEntryDate },
    /// Exit with notice (Lastenheft 3.6.15; Satzung § 9 (7)).
    ExitWithNotice {
        received_on: NaiveDate,
        last_day: NaiveDate,
    },
    /// The agreed end of the contract.
    ContractEnds { last_day: NaiveDate },
}

impl MovementReason {
    /// The sources of the rule, for the person checking the figure.
    pub fn source(&self) -> &'static str {
        match self {
            MovementReason::ContractStarts | MovementReason::ContractChanges => {
                "Betreuungsvertrag (Lastenheft 3.6.14)"
            }
            MovementReason::KrippeToKindergarten { .. } | MovementReason::KrippeEnds { .. } => {
                "Lastenheft 3.6.10, 3.6.16; SächsKitaG § 1 Abs. 2, 3; Satzung § 9 Abs. 5"
            }
            MovementReason::SchoolEntry { .. } => {
                "Lastenheft 3.6.17; SächsSchulG § 27 Abs. 1, 3; Satzung § 9 Abs. 5"
            }
            MovementReason::ExitWithNotice { .. } => "Lastenheft 3.6.15; Satzung § 9 Abs. 7",
            MovementReason::ContractEnds { .. } => "Betreuungsvertrag",
        }
    }
}

/// A child's move on a day: `from` is the place it had the day before (if any), `to` the place
/// it takes from `on` (if any). `on` is the first day of the new state: a place left is free
/// from `on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Movement {
    pub on: NaiveDate,
    pub child: ChildPseudonym,
    pub from: Option<PlaceKind>,
    pub to: Option<PlaceKind>,
    pub reason: MovementReason,
}

impl Movement {
    /// The move in words (German, as the Kita lead reads it), with the rule's source.
    pub fn explain_de(&self) -> String {
        let child = &self.child;
        let place = |k: Option<PlaceKind>| k.map_or_else(|| "—".to_owned(), |k| k.to_string());
        let what = match &self.reason {
            MovementReason::ContractStarts => format!("{child}: Vertragsbeginn, {}", place(self.to)),
            MovementReason::ContractChanges => format!(
                "{child}: Vertragsänderung {} → {}",
                place(self.from),
                place(self.to)
            ),
            MovementReason::KrippeToKindergarten { window } => format!(
                "{child}: Wechsel Krippe → Kindergarten spätestens am {} (frühestens ab {})",
                window.latest, window.earliest
            ),
            MovementReason::KrippeEnds { window } => format!(
                "{child}: Krippenplatz endet am {} (3. Lebensjahr vollendet, kein Kindergarten in der Einrichtung)",
                window.latest
            ),
            MovementReason::SchoolEntry { entry } => {
                let why = match entry.rule {
                    SchoolEntryRule::Compulsory => format!(
                        "vollendet das Schulalter am {} (bis {})",
                        entry.completes_school_age_on, entry.cutoff
                    ),
                    SchoolEntryRule::OnRequest => format!(
                        "vollendet das Schulalter am {} (bis {}, auf Antrag)",
                        entry.completes_school_age_on, entry.cutoff
                    ),
                    SchoolEntryRule::Deferred { statutory_year } => format!(
                        "Schulrücksteller (schulpflichtig ab {statutory_year})"
                    ),
                };
                format!("{child}: Schuleintritt am {}, {why}", entry.first_school_day)
            }
            MovementReason::ExitWithNotice {
                received_on,
                last_day,
            } => format!("{child}: Austritt nach Kündigung vom {received_on}, letzter Tag {last_day}"),
            MovementReason::ContractEnds { last_day } => {
                format!("{child}: Vertragsende, letzter Tag {last_day}")
            }
        };
        format!("{what} — {}", self.reason.source())
    }
}

/// One contract read under the rules.
#[derive(Debug, Clone)]
pub(crate) struct Stay<'a> {
    pub contract: &'a Contract,
    /// The contract's whole period (`None`: the contract ends before it starts).
    pub period: Option<Period>,
    /// Disjoint, sorted.
    pub segments: Vec<Segment>,
    pub movements: Vec<Movement>,
    /// Days from which a rule ended the place although the contract runs on, with the rule.
    pub ended_by_rule: Option<(NaiveDate, MovementReason)>,
    pub findings: Vec<Finding>,
}

impl Stay<'_> {
    pub fn segment_on(&self, day: NaiveDate) -> Option<&Segment> {
        self.segments.iter().find(|s| s.period.contains(day))
    }

    /// Days on which the child's place changes.
    pub fn change_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.movements.iter().map(|m| m.on)
    }
}

/// Reads a contract of `book` under the rules.
pub(crate) fn project<'a>(contract: &'a Contract, book: &FacilityBook, rules: &Rules) -> Stay<'a> {
    let child = &contract.child;
    let mut stay = Stay {
        contract,
        period: Period::new(contract.start, contract.end.last_day()).ok(),
        segments: Vec::new(),
        movements: Vec::new(),
        ended_by_rule: None,
        findings: Vec::new(),
    };
    let Some(period) = stay.period else {
        stay.findings.push(Finding::ContractWithoutPlace {
            child: child.pseudonym.clone(),
        });
        return stay;
    };
    if contract.lines.is_empty() {
        stay.findings.push(Finding::ContractWithoutPlace {
            child: child.pseudonym.clone(),
        });
        return stay;
    }
    if let ContractEnd::Notice {
        received_on,
        last_day,
    } = contract.end
    {
        if let Some(earliest) = earliest_exit_after_notice(received_on, rules) {
            if last_day < earliest {
                stay.findings.push(Finding::ShortNotice {
                    child: child.pseudonym.clone(),
                    received_on,
                    last_day,
                    earliest_last_day: earliest,
                });
            }
        }
    }

    // The lines as changes from a day; of two from the same day the later in the list holds
    // (the node passes `effective_lines`, which has settled such collisions already).
    let mut lines: Vec<_> = contract.lines.iter().enumerate().collect();
    lines.sort_by_key(|(i, l)| (l.valid_from, *i));
    lines.dedup_by(|later, earlier| {
        if later.1.valid_from == earlier.1.valid_from {
            *earlier = *later;
            true
        } else {
            false
        }
    });
    let mut segments = Vec::with_capacity(lines.len() + 1);
    for (n, (_, line)) in lines.iter().enumerate() {
        // The first line holds from the contract's start, whatever day it names.
        let from = if n == 0 {
            period.start()
        } else {
            line.valid_from
        };
        let until = match lines.get(n + 1) {
            Some((_, next)) => next.valid_from.pred_opt(),
            None => period.end(),
        };
        let Ok(own) = Period::new(from, until) else {
            continue;
        };
        if let Some(p) = own.intersection(&period) {
            segments.push(Segment {
                period: p,
                kind: line.kind,
                daily_hours: line.daily_hours,
                employer_seat: line.employer_seat,
                basis: Basis::Contract,
            });
        }
    }

    // Krippe ends with the latest switch date.
    let mut ended: Option<(NaiveDate, MovementReason)> = None;
    if let Some(window) = switch_window(child.birth_date, rules) {
        let switch = window.latest;
        let kindergarten_here = book.offers_on(CareType::Kindergarten, switch);
        let mut read = Vec::with_capacity(segments.len() + 1);
        for seg in segments {
            if seg.kind.care_type != CareType::Nursery
                || seg.period.end().is_some_and(|e| e < switch)
            {
                read.push(seg);
                continue;
            }
            if let Some(before) = seg.period.before(switch) {
                read.push(Segment {
                    period: before,
                    ..seg.clone()
                });
            }
            let Some(after) = seg.period.on_and_after(switch) else {
                continue;
            };
            if kindergarten_here {
                read.push(Segment {
                    period: after,
                    kind: seg.kind.with_care_type(CareType::Kindergarten),
                    basis: Basis::KrippeToKindergarten {
                        since: after.start(),
                    },
                    ..seg
                });
            } else {
                ended.get_or_insert((after.start(), MovementReason::KrippeEnds { window }));
            }
        }
        segments = read;
    }

    // Kindergarten ends with school entry.
    if let Some(entry) = school_entry(child, rules) {
        let leave = entry.first_school_day;
        let mut read = Vec::with_capacity(segments.len());
        for seg in segments {
            if seg.kind.care_type != CareType::Kindergarten
                || seg.period.end().is_some_and(|e| e < leave)
            {
                read.push(seg);
                continue;
            }
            if let Some(before) = seg.period.before(leave) {
                read.push(Segment {
                    period: before,
                    ..seg.clone()
                });
            }
            if seg.period.on_and_after(leave).is_some() {
                let first_cut = seg.period.start().max(leave);
                if ended.is_none_or(|(day, _)| first_cut < day) {
                    ended = Some((first_cut, MovementReason::SchoolEntry { entry }));
                }
            }
        }
        segments = read;
    }
    segments.sort_by_key(|s| s.period.start());
    stay.ended_by_rule = ended;
    stay.movements = movements(child, contract, &segments, ended, rules);
    stay.segments = segments;
    stay
}

/// The moves along a child's segments: the start, every change of kind, gaps and the end.
fn movements(
    child: &Child,
    contract: &Contract,
    segments: &[Segment],
    ended: Option<(NaiveDate, MovementReason)>,
    rules: &Rules,
) -> Vec<Movement> {
    let who = &child.pseudonym;
    let mut out = Vec::new();
    let end_reason = |day: NaiveDate| -> MovementReason {
        match ended {
            Some((cut, reason)) if cut == day => reason,
            _ => match contract.end {
                ContractEnd::Notice {
                    received_on,
                    last_day,
                } => MovementReason::ExitWithNotice {
                    received_on,
                    last_day,
                },
                ContractEnd::Fixed { last_day } => MovementReason::ContractEnds { last_day },
                // An open contract has no end of its own; a gap in it is a change.
                ContractEnd::Open => MovementReason::ContractChanges,
            },
        }
    };
    let mut previous: Option<&Segment> = None;
    for seg in segments {
        match previous {
            None => out.push(Movement {
                on: seg.period.start(),
                child: who.clone(),
                from: None,
                to: Some(seg.kind),
                reason: MovementReason::ContractStarts,
            }),
            Some(prev) if prev.period.day_after() == Some(seg.period.start()) => {
                if prev.kind != seg.kind {
                    let reason = match (seg.basis, switch_window(child.birth_date, rules)) {
                        (Basis::KrippeToKindergarten { .. }, Some(window))
                            if prev.kind.care_type == CareType::Nursery =>
                        {
                            MovementReason::KrippeToKindergarten { window }
                        }
                        _ => MovementReason::ContractChanges,
                    };
                    out.push(Movement {
                        on: seg.period.start(),
                        child: who.clone(),
                        from: Some(prev.kind),
                        to: Some(seg.kind),
                        reason,
                    });
                }
            }
            Some(prev) => {
                if let Some(free_from) = prev.period.day_after() {
                    out.push(Movement {
                        on: free_from,
                        child: who.clone(),
                        from: Some(prev.kind),
                        to: None,
                        reason: end_reason(free_from),
                    });
                }
                out.push(Movement {
                    on: seg.period.start(),
                    child: who.clone(),
                    from: None,
                    to: Some(seg.kind),
                    reason: MovementReason::ContractChanges,
                });
            }
        }
        previous = Some(seg);
    }
    if let Some(last) = previous {
        if let Some(free_from) = last.period.day_after() {
            out.push(Movement {
                on: free_from,
                child: who.clone(),
                from: Some(last.kind),
                to: None,
                reason: end_reason(free_from),
            });
        }
    }
    out
}

/// Completed months of a child on a day (re-exported for the lists).
pub(crate) fn months_on(child: &Child, day: NaiveDate) -> u32 {
    completed_months_on(child.birth_date, day)
}
