//! C questions 1 and 2: does the facility open at 7:30 or earlier, and close at 16:30 or later,
//! "an den meisten Wochentagen", and at what time (L30855–30909, L33114–33116, L33190–33204)?
//!
//! Rules, with the line they come from:
//! - A day's opening time is its first opening, its closing time the last closing; a closure
//!   over midday does not count ("Schließt eine Einrichtung über Mittag zeitweilig, so sind
//!   diese Zeiten nicht zu berücksichtigen", L33198–33199).
//! - Groups with their own hours count when it holds "für mindestens die Hälfte der in der
//!   Einrichtung betreuten Kinder" (L33194–33197): a day's time is the earliest opening (latest
//!   closing) by which groups with at least half of the children are open (still open).
//! - "An den meisten Wochentagen" (L33114, L33190): on at least three of the five days Monday
//!   to Friday ("an drei von fünf Tagen", L33200). The time given is the one kept on most
//!   weekdays: the third-earliest opening, the third-latest closing.

use super::{ClockTime, Span, WeekHours};
use serde::Serialize;

/// "genau um 7.30 Uhr oder früher" (L33114–33115).
const OPENS_BY: ClockTime = ClockTime(7 * 60 + 30);
/// "genau um 16.30 Uhr oder später" (L33190–33191).
const CLOSES_FROM: ClockTime = ClockTime(16 * 60 + 30);
/// Monday to Friday: "an drei von fünf Tagen" (L33200).
const WEEKDAYS: usize = 5;
/// More than half of them.
const MOST_WEEKDAYS: usize = WEEKDAYS / 2 + 1;

/// The answer to question 1 or 2: Ja with the time, or Nein (the time only "Falls Ja",
/// L30882–30884, L30907–30909).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimeAnswer {
    pub yes: bool,
    pub time: Option<ClockTime>,
}

/// Question 1 for units of (opening hours, children cared for under them): a group each, or the
/// whole facility. Without children every unit weighs the same.
pub fn opening_answer(units: &[(&WeekHours, u32)]) -> TimeAnswer {
    let mut days: Vec<ClockTime> = (0..WEEKDAYS)
        .filter_map(|day| day_time(units, day, first_opening, false))
        .collect();
    days.sort();
    let time = days.get(MOST_WEEKDAYS - 1).copied();
    answer(time.filter(|t| *t <= OPENS_BY))
}

/// Question 2, as [`opening_answer`].
pub fn closing_answer(units: &[(&WeekHours, u32)]) -> TimeAnswer {
    let mut days: Vec<ClockTime> = (0..WEEKDAYS)
        .filter_map(|day| day_time(units, day, last_closing, true))
        .collect();
    days.sort_by(|a, b| b.cmp(a));
    let time = days.get(MOST_WEEKDAYS - 1).copied();
    answer(time.filter(|t| *t >= CLOSES_FROM))
}

fn answer(time: Option<ClockTime>) -> TimeAnswer {
    TimeAnswer {
        yes: time.is_some(),
        time,
    }
}

fn first_opening(spans: &[Span]) -> Option<ClockTime> {
    spans.iter().map(|s| s.from).min()
}

fn last_closing(spans: &[Span]) -> Option<ClockTime> {
    spans.iter().map(|s| s.to).max()
}

/// The time by which units holding at least half of the children are open (`latest_first`:
/// until which they are still open); `None` when those units are closed that day.
fn day_time(
    units: &[(&WeekHours, u32)],
    day: usize,
    time_of: fn(&[Span]) -> Option<ClockTime>,
    latest_first: bool,
) -> Option<ClockTime> {
    let no_children = units.iter().all(|(_, children)| *children == 0);
    let weight = |children: u32| if no_children { 1 } else { u64::from(children) };
    let total: u64 = units.iter().map(|(_, c)| weight(*c)).sum();
    let mut times: Vec<(ClockTime, u64)> = units
        .iter()
        .filter_map(|(hours, c)| Some((time_of(&hours.days[day])?, weight(*c))))
        .collect();
    times.sort_by(|a, b| {
        if latest_first {
            b.0.cmp(&a.0)
        } else {
            a.0.cmp(&b.0)
        }
    });
    let mut covered = 0;
    for (time, weight) in times {
        covered += weight;
        if 2 * covered >= total {
            return Some(time);
        }
    }
    None
}

/// Minutes open in the week: per day the union of all units' spans (L32919).
pub(super) fn weekly_opening_minutes(hours: &[&WeekHours]) -> u32 {
    (0..7)
        .map(|day| {
            let mut spans: Vec<Span> = hours.iter().flat_map(|h| h.days[day].clone()).collect();
            spans.sort_by_key(|s| s.from);
            let mut minutes = 0u32;
            let mut reached: Option<ClockTime> = None;
            for span in spans {
                let start = reached.map_or(span.from, |r| r.max(span.from));
                if span.to > start {
                    minutes += u32::from(span.to.0 - start.0);
                    reached = Some(span.to);
                }
            }
            minutes
        })
        .sum()
}
