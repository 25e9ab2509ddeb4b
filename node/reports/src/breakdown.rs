//! The building blocks every report shares: counts by a key with their shares, the regional
//! breakdown (Ortsamt → Stadtteil → city), months, day statistics, and the anonymity rule.
//!
//! # The anonymity rule (the city's pseudonymous view)
//! [`Breakdown::suppressed`] and friends hide every cell of a breakdown that counts at least one
//! and fewer than `min_children` children: its count and its share become `None` (shown as
//! „< 3“ in the tables). Totals stay: the number of contracts, terminations or demands of the
//! report and the city total of a regional breakdown. Zero cells stay: they describe no child.
//! Day statistics (mean, median, maximum) are hidden when they describe fewer than
//! `min_children` children. The default is [`DEFAULT_MIN_CHILDREN`] = 3.
//!
//! Limits, on purpose small: there is no secondary suppression, so a breakdown with exactly one
//! hidden cell can be recomputed from the total and the other cells (suppress a second cell, or
//! drop the total, where that matters), and the maximum waiting time describes one child when
//! `min_children` or more are counted.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};

use crate::input::Region;

/// The smallest number of children a published cell may describe, unless the caller sets one.
pub const DEFAULT_MIN_CHILDREN: u64 = 3;

/// `part` of `whole` in percent, rounded half up to 0.1; `None` when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> Option<Decimal> {
    if whole == 0 {
        return None;
    }
    let share = Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole);
    Some(round_tenth(share))
}

/// The one rounding of the crate: half up (away from zero; all values here are >= 0) to 0.1.
pub(crate) fn round_tenth(value: Decimal) -> Decimal {
    value
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// Hides a count of 1..min_children children.
fn hide(count: Option<u64>, min_children: u64) -> Option<u64> {
    count.filter(|&n| n == 0 || n >= min_children)
}

/// One cell of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry<K> {
    pub key: K,
    /// `None` only in a suppressed report: between 1 and `min_children - 1` children.
    pub count: Option<u64>,
    /// Of the breakdown's total, in percent rounded half up to 0.1; `None` when the total is 0
    /// or the count is hidden.
    pub percent: Option<Decimal>,
}

/// Counts by a key, with the total they share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breakdown<K> {
    pub entries: Vec<Entry<K>>,
    /// Never hidden.
    pub total: u64,
}

impl<K: Clone> Breakdown<K> {
    /// A breakdown over `keys` in that order (every key listed, zeros included), counted from
    /// `counts`; keys missing from `keys` are not listed but still count in `total`.
    pub(crate) fn over(keys: impl IntoIterator<Item = K>, counts: &BTreeMap<K, u64>) -> Self
    where
        K: Ord,
    {
        let total = counts.values().sum();
        let entries = keys
            .into_iter()
            .map(|key| {
                let count = counts.get(&key).copied().unwrap_or(0);
                Entry {
                    key,
                    count: Some(count),
                    percent: percent(count, total),
                }
            })
            .collect();
        Breakdown { entries, total }
    }

    /// A breakdown over the keys that occur, in `counts`' order.
    pub(crate) fn occurring(counts: &BTreeMap<K, u64>) -> Self
    where
        K: Ord,
    {
        Self::over(counts.keys().cloned(), counts)
    }

    /// The count of `key` (`None` when hidden or not listed).
    pub fn count(&self, key: &K) -> Option<u64>
    where
        K: PartialEq,
    {
        self.entries
            .iter()
            .find(|e| e.key == *key)
            .and_then(|e| e.count)
    }

    /// The same breakdown with cells of 1..`min_children` children hidden (see the module).
    pub fn suppressed(&self, min_children: u64) -> Self {
        let entries = self
            .entries
            .iter()
            .map(|e| {
                let count = hide(e.count, min_children);
                Entry {
                    key: e.key.clone(),
                    count,
                    percent: e.percent.filter(|_| count.is_some()),
                }
            })
            .collect();
        Breakdown {
            entries,
            total: self.total,
        }
    }
}

/// Counts `key` once.
pub(crate) fn tally<K: Ord>(counts: &mut BTreeMap<K, u64>, key: K) {
    *counts.entry(key).or_insert(0) += 1;
}

/// The regional breakdown of 3.12.1.3–5: Ortsamt, its Stadtteile, the city ("Stadt gesamt").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Regions {
    /// Known Ortsämter by name (umlauts sorted as their base letters), the unknown one ("")
    /// last.
    pub ortsaemter: Vec<OrtsamtEntry>,
    /// The city: never hidden.
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrtsamtEntry {
    /// Empty: unknown.
    pub ortsamt: String,
    /// The Ortsamt's count: a cell like any other, hidden below `min_children`.
    pub count: Option<u64>,
    pub percent: Option<Decimal>,
    /// Stadtteile ordered like the Ortsämter; percentages of the city total.
    pub stadtteile: Vec<Entry<String>>,
}

impl Regions {
    pub(crate) fn count<'a>(regions: impl IntoIterator<Item = &'a Region>) -> Regions {
        let mut counts: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for region in regions {
            tally(&mut counts, (&region.ortsamt, &region.stadtteil));
        }
        let total: u64 = counts.values().sum();
        let mut ortsaemter: Vec<OrtsamtEntry> = Vec::new();
        for ((ortsamt, stadtteil), count) in counts {
            if ortsaemter.last().is_none_or(|o| o.ortsamt != ortsamt) {
                ortsaemter.push(OrtsamtEntry {
                    ortsamt: ortsamt.to_owned(),
                    count: Some(0),
                    percent: None,
                    stadtteile: Vec::new(),
                });
            }
            let last = ortsaemter.last_mut().expect("pushed above");
            last.count = last.count.map(|n| n + count);
            last.stadtteile.push(Entry {
                key: stadtteil.to_owned(),
                count: Some(count),
                percent: percent(count, total),
            });
        }
        for ortsamt in &mut ortsaemter {
            ortsamt.percent = percent(ortsamt.count.unwrap_or(0), total);
            ortsamt
                .stadtteile
                .sort_by(|a, b| place_order(&a.key, &b.key));
        }
        ortsaemter.sort_by(|a, b| place_order(&a.ortsamt, &b.ortsamt));
        Regions { ortsaemter, total }
    }

    /// The count of one Stadtteil (`None` when hidden or absent).
    pub fn stadtteil(&self, ortsamt: &str, stadtteil: &str) -> Option<u64> {
        self.ortsamt_entry(ortsamt)?
            .stadtteile
            .iter()
            .find(|s| s.key == stadtteil)?
            .count
    }

    /// The count of one Ortsamt (`None` when hidden or absent).
    pub fn ortsamt(&self, ortsamt: &str) -> Option<u64> {
        self.ortsamt_entry(ortsamt)?.count
    }

    fn ortsamt_entry(&self, ortsamt: &str) -> Option<&OrtsamtEntry> {
        self.ortsaemter.iter().find(|o| o.ortsamt == ortsamt)
    }

    /// The same breakdown with cells of 1..`min_children` children hidden; the city total stays.
    pub fn suppressed(&self, min_children: u64) -> Regions {
        let ortsaemter = self
            .ortsaemter
            .iter()
            .map(|o| {
                let count = hide(o.count, min_children);
                OrtsamtEntry {
                    ortsamt: o.ortsamt.clone(),
                    count,
                    percent: o.percent.filter(|_| count.is_some()),
                    stadtteile: Breakdown {
                        entries: o.stadtteile.clone(),
                        total: 0,
                    }
                    .suppressed(min_children)
                    .entries,
                }
            })
            .collect();
        Regions {
            ortsaemter,
            total: self.total,
        }
    }
}

/// Names as a reader looks them up: case and umlauts folded ("Löbtau" between "Leuben" and
/// "Mickten", not after "Z"), the unknown name ("") last.
fn place_order(a: &str, b: &str) -> Ordering {
    fn folded(name: &str) -> String {
        name.to_lowercase()
            .replace('ä', "a")
            .replace('ö', "o")
            .replace('ü', "u")
            .replace('ß', "ss")
    }
    (a.is_empty(), folded(a), a).cmp(&(b.is_empty(), folded(b), b))
}

/// A calendar month; serialized as `YYYY-MM`, shown as `MM.YYYY` like the source's
/// "mm.jjjj".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    /// 1–12.
    pub month: u32,
}

impl YearMonth {
    pub fn of(day: NaiveDate) -> YearMonth {
        YearMonth {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The months from the one of `from` to the one of `until`, both included.
    pub(crate) fn span(from: NaiveDate, until: NaiveDate) -> Vec<YearMonth> {
        let last = YearMonth::of(until);
        let mut months = Vec::new();
        let mut month = YearMonth::of(from);
        while month <= last {
            months.push(month);
            month = month.next();
        }
        months
    }

    /// `MM.YYYY`.
    pub fn label(self) -> String {
        format!("{:02}.{:04}", self.month, self.year)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Mean, median and maximum of a number of days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayStats {
    /// How many values the figures describe; never hidden.
    pub count: u64,
    /// Rounded half up to 0.1 day; `None` without values or when hidden.
    pub mean: Option<Decimal>,
    /// The middle value, or the mean of the two middle values for an even count (so it may end
    /// in .5); `None` without values or when hidden.
    pub median: Option<Decimal>,
    pub max: Option<i64>,
}

impl DayStats {
    /// Sorts `days` in place.
    pub(crate) fn of(days: &mut [i64]) -> DayStats {
        days.sort_unstable();
        let count = days.len() as u64;
        if days.is_empty() {
            return DayStats {
                count,
                mean: None,
                median: None,
                max: None,
            };
        }
        let sum: i128 = days.iter().map(|&d| i128::from(d)).sum();
        let mean = round_tenth(Decimal::from(sum) / Decimal::from(count));
        let middle = days.len() / 2;
        let median = if days.len() % 2 == 1 {
            Decimal::from(days[middle])
        } else {
            (Decimal::from(days[middle - 1]) + Decimal::from(days[middle])) / Decimal::TWO
        };
        DayStats {
            count,
            mean: Some(mean),
            median: Some(median.normalize()),
            max: days.last().copied(),
        }
    }

    /// Figures over fewer than `min_children` children hidden.
    pub fn suppressed(&self, min_children: u64) -> DayStats {
        if self.count >= min_children {
            return self.clone();
        }
        DayStats {
            count: self.count,
            mean: None,
            median: None,
            max: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_half_up_to_a_tenth() {
        assert_eq!(percent(1, 3), Some(Decimal::new(333, 1)));
        assert_eq!(percent(2, 3), Some(Decimal::new(667, 1)));
        // 1/16 = 6.25 % → 6.3 (half up, not to even).
        assert_eq!(percent(1, 16), Some(Decimal::new(63, 1)));
        assert_eq!(percent(0, 0), None);
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let stats = DayStats::of(&mut [10, 0, 3, 5]);
        assert_eq!(stats.median, Some(Decimal::new(4, 0)));
        let stats = DayStats::of(&mut [1, 2]);
        assert_eq!(stats.median, Some(Decimal::new(15, 1)));
        assert_eq!(stats.mean, Some(Decimal::new(15, 1)));
        assert_eq!(stats.max, Some(2));
    }

    #[test]
    fn months_span_the_range() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let months = YearMonth::span(d(2025, 11, 30), d(2026, 2, 1));
        let shown: Vec<String> = months.iter().map(|m| m.label()).collect();
        assert_eq!(shown, ["11.2025", "12.2025", "01.2026", "02.2026"]);
        assert_eq!(months[0].to_string(), "2025-11");
    }

    #[test]
    fn unknown_places_sort_last_and_umlauts_with_their_letters() {
        let mut names = vec!["", "Zschertnitz", "Löbtau", "Leuben", "Mickten"];
        names.sort_by(|a, b| place_order(a, b));
        assert_eq!(names, ["Leuben", "Löbtau", "Mickten", "Zschertnitz", ""]);
    }
}
