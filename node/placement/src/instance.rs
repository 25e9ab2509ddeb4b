//! The neutral interchange format `kitanetz-placement/1` (persisted format: see PLACEMENT.md).
//!
//! The node maps its rich criteria onto this format; external verifiers read it too. Extra fields
//! are accepted and ignored (no `deny_unknown_fields`), so that newer producers stay readable.
//!
//! Decisions recorded here:
//! - **Points are integers.** `priorities[p][c]` accepts any JSON number whose value is an integer
//!   (`10`, `-3`, `4.0`) and rejects fractional ones (`2.5`) with an error naming the program and
//!   the child. Integers compare exactly, hash canonically and cannot be NaN; a producer with
//!   fractional weights scales them (e.g. by 1000) before writing the instance.
//! - **Lottery** numbers must be finite and in `[0, 1)`; only their order matters (smaller wins),
//!   remaining ties are broken by child id so that the order is total.
//! - Optional extensions (all may be absent): `catalogue` and `seed_hash` (recorded in the
//!   protocol), and per child `first_wish_only` (sibling/integration cases in the sequential
//!   procedure, ignored by deferred acceptance).
//! - Optional **statistics fields** (all may be absent; they never change the matching): per
//!   child `district` (any string, e.g. `"Neustadt"`) and `birth_date` (`"YYYY-MM-DD"`), and at
//!   the top level `reference_date` (`"YYYY-MM-DD"`, the day on which ages are counted, e.g. the
//!   round's start month). [`crate::statistics`] counts unplaced children by district and by
//!   age band from them, and the legal claim of § 24 SGB VIII (from the first birthday). Dates
//!   are validated on load ([`InstanceError::BadDate`]).
//! - Optional top-level `facts`: the facts a criteria catalogue reads (the
//!   [`crate::catalogue::Facts`] shape: `{"children": {"c1": {"desired_start": 20970,
//!   "birth_date": 20100, …}}, "traeger": {…}}`, dates as days since 1970-01-01). A what-if run
//!   ([`crate::whatif`]) recompiles the points under another catalogue from them; a child's
//!   `facts` birth date also serves the age statistics when the child has no `birth_date`.
//! - The canonical hash ([`Instance::canonical_hash`]) leaves the statistics fields and `facts`
//!   out: it identifies the matching problem (the points are hashed, not the facts behind
//!   them), and hashes published before these fields existed stay valid.

use crate::catalogue::Facts;
use crate::ids::{ChildId, FacilityId, GroupId, ProgramId};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// Format tag of an input instance.
pub const INPUT_FORMAT: &str = "kitanetz-placement/1";

/// Largest accepted capacity; keeps every seat count inside `u32` with room to spare.
pub const MAX_CAPACITY: i64 = 1 << 30;

/// Priority points of a child at a program; integral (see the module docs for why).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(transparent)]
pub struct Points(pub i64);

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Points;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("integer priority points")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Points, E> {
                Ok(Points(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Points, E> {
                i64::try_from(v)
                    .map(Points)
                    .map_err(|_| E::custom(format!("priority points {v} exceed the i64 range")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Points, E> {
                // 2^53: beyond it not every integer is representable, so the value is ambiguous.
                if v.is_finite() && v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_992.0 {
                    Ok(Points(v as i64))
                } else {
                    Err(E::custom(format!(
                        "priority points must be integers, got {v}; scale fractional weights \
                         (e.g. by 1000) before writing the instance"
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A program: facility × care type × start month with a number of seats.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Program {
    /// Program id, unique in the instance.
    pub id: ProgramId,
    /// Facility the program belongs to (groups must land in one facility).
    pub facility: FacilityId,
    /// Seats, including the seats held by children whose `current` is this program.
    pub capacity: i64,
}

/// One child (application).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Child {
    /// Child id, unique in the instance.
    pub id: ChildId,
    /// Ranked wishes, best first.
    pub wishes: Vec<ProgramId>,
    /// Single city-wide lottery number: smaller wins remaining ties.
    pub lottery: f64,
    /// Group of children applying together (same facility or none of them).
    #[serde(default)]
    pub together: Option<GroupId>,
    /// Program the child already holds (transfer, or a confirmed seat in a refill round).
    #[serde(default)]
    pub current: Option<ProgramId>,
    /// Sequential procedure only: sibling or integration case that stays with wish 1.
    #[serde(default, skip_serializing_if = "is_false")]
    pub first_wish_only: bool,
    /// Statistics only: district of the child's home; unplaced children are counted per
    /// district.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Statistics only: birth date, `YYYY-MM-DD`; ages are counted on the instance's
    /// `reference_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Deserialises `priorities` with every row collected first and then built in one go.
///
/// Why: serde inserts map entries one by one, each a search from the root over child ids with
/// long common prefixes; at 100,000 children × 5 wishes that was the largest part of reading an
/// instance. `BTreeMap::from_iter` sorts (stably) and builds the tree in bulk; of repeated keys
/// it keeps the last, as one-by-one insertion did.
fn priorities_in_bulk<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<ProgramId, BTreeMap<ChildId, Points>>, D::Error> {
    struct Row(BTreeMap<ChildId, Points>);
    impl<'de> Deserialize<'de> for Row {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Row;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a map from child id to priority points")
                }
                fn visit_map<A: de::MapAccess<'de>>(self, mut m: A) -> Result<Row, A::Error> {
                    let mut pairs: Vec<(ChildId, Points)> =
                        Vec::with_capacity(m.size_hint().unwrap_or(0));
                    while let Some(pair) = m.next_entry()? {
                        pairs.push(pair);
                    }
                    Ok(Row(pairs.into_iter().collect()))
                }
            }
            d.deserialize_map(V)
        }
    }
    let rows: BTreeMap<ProgramId, Row> = Deserialize::deserialize(d)?;
    Ok(rows.into_iter().map(|(p, row)| (p, row.0)).collect())
}

/// Which criteria catalogue produced the points (recorded in the protocol).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CatalogueRef {
    /// Catalogue id.
    pub id: String,
    /// Catalogue version.
    pub version: u32,
    /// City the catalogue belongs to.
    #[serde(default)]
    pub city: String,
}

/// A parsed placement instance.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Instance {
    /// Must be [`INPUT_FORMAT`].
    pub format: String,
    /// Programs with seats.
    pub programs: Vec<Program>,
    /// Children with ranked wishes.
    pub children: Vec<Child>,
    /// `priorities[p][c]`: points of child `c` at program `p`; missing means 0.
    #[serde(default, deserialize_with = "priorities_in_bulk")]
    pub priorities: BTreeMap<ProgramId, BTreeMap<ChildId, Points>>,
    /// Catalogue that produced the points, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<CatalogueRef>,
    /// SHA-256 (hex) of the lottery seed, if the lottery was drawn from a seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed_hash: Option<String>,
    /// Statistics only: the day on which children's ages are counted, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_date: Option<String>,
    /// Facts behind the points, for a what-if run under another catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<Facts>,
}

/// Why an instance was rejected. Every variant names what to fix.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InstanceError {
    /// Not JSON of the expected shape.
    #[error("instance is not valid kitanetz-placement/1 JSON: {0}")]
    Parse(String),
    /// Wrong `format` tag.
    #[error("unsupported format {found:?}: expected \"kitanetz-placement/1\"")]
    WrongFormat {
        /// The tag found.
        found: String,
    },
    /// Two programs share an id.
    #[error("program id {0} appears more than once")]
    DuplicateProgram(ProgramId),
    /// Two children share an id.
    #[error("child id {0} appears more than once")]
    DuplicateChild(ChildId),
    /// Negative or absurd capacity.
    #[error("program {program} has capacity {capacity}: must be between 0 and 2^30")]
    BadCapacity {
        /// Program.
        program: ProgramId,
        /// Capacity given.
        capacity: i64,
    },
    /// A wish names a program that does not exist.
    #[error("child {child} wishes unknown program {program}")]
    UnknownWish {
        /// Child.
        child: ChildId,
        /// Program named.
        program: ProgramId,
    },
    /// A wish appears twice in one list.
    #[error("child {child} lists program {program} more than once")]
    DuplicateWish {
        /// Child.
        child: ChildId,
        /// Program repeated.
        program: ProgramId,
    },
    /// `current` names a program that does not exist.
    #[error("child {child} has unknown current program {program}")]
    UnknownCurrent {
        /// Child.
        child: ChildId,
        /// Program named.
        program: ProgramId,
    },
    /// Lottery number not finite or outside `[0, 1)`.
    #[error("child {child} has lottery {value}: must be a finite number in [0, 1)")]
    BadLottery {
        /// Child.
        child: ChildId,
        /// Value given.
        value: f64,
    },
    /// Points given for a program that does not exist.
    #[error("priorities name unknown program {0}")]
    UnknownPriorityProgram(ProgramId),
    /// Points given for a child that does not exist.
    #[error("priorities of program {program} name unknown child {child}")]
    UnknownPriorityChild {
        /// Program.
        program: ProgramId,
        /// Child named.
        child: ChildId,
    },
    /// A date is not a valid `YYYY-MM-DD` calendar date.
    #[error("{field} is {value:?}: write a calendar date as YYYY-MM-DD, e.g. 2027-08-01")]
    BadDate {
        /// Which field (`reference_date`, or `birth_date of child c1`).
        field: String,
        /// Value given.
        value: String,
    },
    /// More children hold a program as `current` than it has seats.
    #[error(
        "program {program} is held by {holders} children as current but has capacity {capacity}: \
         capacity must include the seats of current holders"
    )]
    CurrentOverCapacity {
        /// Program.
        program: ProgramId,
        /// Children holding it.
        holders: usize,
        /// Capacity given.
        capacity: i64,
    },
}

impl Instance {
    /// Parses and validates an instance from JSON text.
    pub fn from_json(text: &str) -> Result<Self, InstanceError> {
        let inst: Instance =
            serde_json::from_str(text).map_err(|e| InstanceError::Parse(e.to_string()))?;
        inst.validate()?;
        Ok(inst.normalised())
    }

    /// Replaces `-0.0` lotteries by `0.0` so that `==` and the total order agree.
    fn normalised(mut self) -> Self {
        for c in &mut self.children {
            if c.lottery == 0.0 {
                c.lottery = 0.0;
            }
        }
        self
    }

    /// Checks every rule the engine relies on; the first problem found is returned (in input
    /// order; over-full programs in program id order).
    pub fn validate(&self) -> Result<(), InstanceError> {
        if self.format != INPUT_FORMAT {
            return Err(InstanceError::WrongFormat {
                found: self.format.clone(),
            });
        }
        if let Some(d) = &self.reference_date {
            if Date::parse(d).is_none() {
                return Err(InstanceError::BadDate {
                    field: "reference_date".to_owned(),
                    value: d.clone(),
                });
            }
        }
        // Hash sets, not B-trees: at 100,000 children the string comparisons of tree lookups
        // made validation the slowest step of `kitanetz place`.
        let mut programs: HashMap<&str, &Program> = HashMap::with_capacity(self.programs.len());
        for p in &self.programs {
            if programs.insert(p.id.as_str(), p).is_some() {
                return Err(InstanceError::DuplicateProgram(p.id.clone()));
            }
            if !(0..=MAX_CAPACITY).contains(&p.capacity) {
                return Err(InstanceError::BadCapacity {
                    program: p.id.clone(),
                    capacity: p.capacity,
                });
            }
        }
        let mut children: HashSet<&str> = HashSet::with_capacity(self.children.len());
        let mut holders: HashMap<&str, usize> = HashMap::new();
        for c in &self.children {
            if !children.insert(c.id.as_str()) {
                return Err(InstanceError::DuplicateChild(c.id.clone()));
            }
            if !(c.lottery.is_finite() && (0.0..1.0).contains(&c.lottery)) {
                return Err(InstanceError::BadLottery {
                    child: c.id.clone(),
                    value: c.lottery,
                });
            }
            if let Some(d) = &c.birth_date {
                if Date::parse(d).is_none() {
                    return Err(InstanceError::BadDate {
                        field: format!("birth_date of child {}", c.id),
                        value: d.clone(),
                    });
                }
            }
            let mut seen: HashSet<&str> = HashSet::new();
            for (i, w) in c.wishes.iter().enumerate() {
                if !programs.contains_key(w.as_str()) {
                    return Err(InstanceError::UnknownWish {
                        child: c.id.clone(),
                        program: w.clone(),
                    });
                }
                // Short lists (5 wishes) compare with the earlier wishes rather than build a set
                // per child; long ones (the 25-wish stress scale) use a set.
                let repeated = if c.wishes.len() <= 8 {
                    c.wishes[..i].contains(w)
                } else {
                    !seen.insert(w.as_str())
                };
                if repeated {
                    return Err(InstanceError::DuplicateWish {
                        child: c.id.clone(),
                        program: w.clone(),
                    });
                }
            }
            if let Some(cur) = &c.current {
                if !programs.contains_key(cur.as_str()) {
                    return Err(InstanceError::UnknownCurrent {
                        child: c.id.clone(),
                        program: cur.clone(),
                    });
                }
                *holders.entry(cur.as_str()).or_default() += 1;
            }
        }
        let over = holders
            .into_iter()
            .filter(|(p, n)| *n as i64 > programs[p].capacity)
            .min();
        if let Some((p, n)) = over {
            return Err(InstanceError::CurrentOverCapacity {
                program: programs[p].id.clone(),
                holders: n,
                capacity: programs[p].capacity,
            });
        }
        for (p, row) in &self.priorities {
            if !programs.contains_key(p.as_str()) {
                return Err(InstanceError::UnknownPriorityProgram(p.clone()));
            }
            if let Some(c) = row.keys().find(|c| !children.contains(c.as_str())) {
                return Err(InstanceError::UnknownPriorityChild {
                    program: p.clone(),
                    child: c.clone(),
                });
            }
        }
        Ok(())
    }

    /// The instance of a refill round: every confirmed child holds its confirmed program as
    /// `current`, so that the engine can only move it up (nobody moves down, no justified
    /// envy). Capacities stay as given: they must count the confirmed seats.
    pub fn with_confirmed(&self, confirmed: &BTreeMap<ChildId, ProgramId>) -> Instance {
        let mut out = self.clone();
        for c in &mut out.children {
            if let Some(p) = confirmed.get(&c.id) {
                c.current = Some(p.clone());
            }
        }
        out
    }

    /// Points of `child` at `program` (missing means 0).
    pub fn points(&self, program: &ProgramId, child: &ChildId) -> i64 {
        self.priorities
            .get(program)
            .and_then(|row| row.get(child))
            .map_or(0, |p| p.0)
    }

    /// SHA-256 (hex) of the canonical serialisation of the parsed instance.
    ///
    /// Canonical means: only the known fields, programs and children sorted by id (the result
    /// does not depend on their order), wishes in their ranked order, points as integers,
    /// explicit zero points dropped (missing means 0), compact JSON. Reordering the input file
    /// or adding unknown fields therefore keeps the hash; changing anything that can change the
    /// result changes it.
    pub fn canonical_hash(&self) -> String {
        // A borrowed view with the same field names, order and skips as `Instance`, so that the
        // bytes (and the hashes published so far) stay those of the sorted, filtered clone this
        // once was, without cloning 100,000 children and their points (`input_hashes_are_pinned`).
        let mut programs: Vec<&Program> = self.programs.iter().collect();
        programs.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let mut children: Vec<CanonChild> = self
            .children
            .iter()
            .map(|c| CanonChild {
                id: &c.id,
                wishes: &c.wishes,
                lottery: c.lottery,
                together: c.together.as_ref(),
                current: c.current.as_ref(),
                first_wish_only: c.first_wish_only,
            })
            .collect();
        children.sort_unstable_by(|a, b| a.id.cmp(b.id));
        let canon = CanonInstance {
            format: &self.format,
            programs,
            children,
            priorities: NonZero(&self.priorities),
            catalogue: self.catalogue.as_ref(),
            seed_hash: self.seed_hash.as_ref(),
        };
        let bytes = serde_json::to_vec(&canon).expect("instance serialises");
        hex::encode(Sha256::digest(&bytes))
    }
}

/// What [`Instance::canonical_hash`] serialises (field names and order as in [`Instance`]).
#[derive(Serialize)]
struct CanonInstance<'a> {
    format: &'a str,
    programs: Vec<&'a Program>,
    children: Vec<CanonChild<'a>>,
    priorities: NonZero<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    catalogue: Option<&'a CatalogueRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed_hash: Option<&'a String>,
}

/// A child without the statistics fields (field names and order as in [`Child`]).
#[derive(Serialize)]
struct CanonChild<'a> {
    id: &'a ChildId,
    wishes: &'a [ProgramId],
    lottery: f64,
    together: Option<&'a GroupId>,
    current: Option<&'a ProgramId>,
    #[serde(skip_serializing_if = "is_false")]
    first_wish_only: bool,
}

/// Priorities without explicit zero points and without rows left empty by dropping them.
struct NonZero<'a>(&'a BTreeMap<ProgramId, BTreeMap<ChildId, Points>>);

impl Serialize for NonZero<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Row<'a>(&'a BTreeMap<ChildId, Points>);
        impl Serialize for Row<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().filter(|(_, p)| p.0 != 0))
            }
        }
        let rows = self
            .0
            .iter()
            .filter(|(_, row)| row.values().any(|p| p.0 != 0));
        s.collect_map(rows.map(|(p, row)| (p, Row(row))))
    }
}

/// A calendar date (proleptic Gregorian), for the statistics fields of the format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD` (exactly that shape); `None` for anything else or a day that does not
    /// exist (`2027-02-29`).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |n, &d| {
                d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
            })
        };
        let (year, month, day) = (num(0..4)? as i32, num(5..7)?, num(8..10)?);
        let date = Date { year, month, day };
        ((1..=12).contains(&month) && (1..=date.days_in_month()).contains(&day)).then_some(date)
    }

    fn days_in_month(&self) -> u32 {
        match self.month {
            2 if self.year % 4 == 0 && (self.year % 100 != 0 || self.year % 400 == 0) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// The date `days` days after 1970-01-01 (the catalogue's day numbers).
    pub fn from_days(days: i32) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = i64::from(days) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Completed years of life on `on` of a child born on `self` (§ 187 Abs. 2, § 188 BGB: the
    /// year is completed at the end of the day before the birthday; a child born on 29 February
    /// completes it with 28 February). Negative if `on` is before the birth.
    pub fn age_on(&self, on: Date) -> i32 {
        let before_birthday = (on.month, on.day) < (self.month, self.day);
        on.year - self.year - i32::from(before_birthday)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}
