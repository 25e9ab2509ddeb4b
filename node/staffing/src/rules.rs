//! The staffing rules as versioned data: care types, their conversion to full-time child
//! equivalents (Rechnerische Zählkinder-Äquivalente, RZÄ), their staff keys and the leadership
//! share of each section.
//!
//! Lastenheft 3.7.2.7 (seed 004 L2386–2390) asks for these values to be configurable per care
//! type and hour tier "ohne Anpassungsprogrammierung"; [`StaffingRules`] is that configuration,
//! with [`StaffingRules::annex_f`] as the shipped version. A case may override a row's key
//! (`key`, format `kitanetz-staff-need-case/1`).
//!
//! The keys change by law from a date (Saxony lowered the Krippe and Kindergarten keys in
//! steps), so every version says from when it applies and a [`RuleBook`] holds the versions: a
//! month is computed with the version in force on its first day.

use crate::ratio::{Overflow, Ratio};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt;

/// The staffing group of a row of children (annex F's "Betr.-form").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CareType {
    /// KK: Kinderkrippe, under 3 (§ 12 Abs. 2 Nr. 1).
    Krippe,
    /// KK-I: Krippe with integration.
    KrippeIntegration,
    /// KG: Kindergarten, 3 to school (§ 12 Abs. 2 Nr. 2).
    Kindergarten,
    /// KG-I: Kindergarten with integration.
    KindergartenIntegration,
    /// Hort: school children (§ 12 Abs. 2 Nr. 3).
    Hort,
    /// Hort-I: Hort with integration.
    HortIntegration,
    /// GTB-LB: Ganztagsbetreuung (school children in a special school, learning disability).
    GtbLb,
    /// GTB-Kö: Ganztagsbetreuung, physical disability (section GTB KSV).
    GtbKoe,
    /// GTB-HG/GH: Ganztagsbetreuung, hearing impairment (section GTB KSV).
    GtbHg,
    /// HP: heilpädagogische Gruppe; its key is set per group.
    Heilpaedagogisch,
}

impl CareType {
    /// All care types in annex F's (and the result's) order.
    pub const ALL: [CareType; 10] = [
        CareType::Krippe,
        CareType::KrippeIntegration,
        CareType::Kindergarten,
        CareType::KindergartenIntegration,
        CareType::Hort,
        CareType::HortIntegration,
        CareType::GtbLb,
        CareType::GtbKoe,
        CareType::GtbHg,
        CareType::Heilpaedagogisch,
    ];

    /// The name in the case and result format.
    pub fn name(self) -> &'static str {
        match self {
            CareType::Krippe => "krippe",
            CareType::KrippeIntegration => "krippe_integration",
            CareType::Kindergarten => "kindergarten",
            CareType::KindergartenIntegration => "kindergarten_integration",
            CareType::Hort => "hort",
            CareType::HortIntegration => "hort_integration",
            CareType::GtbLb => "gtb_lb",
            CareType::GtbKoe => "gtb_koe",
            CareType::GtbHg => "gtb_hg",
            CareType::Heilpaedagogisch => "heilpaedagogisch",
        }
    }

    pub fn parse(name: &str) -> Option<CareType> {
        CareType::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The names, for messages that list what is accepted.
    pub fn names() -> String {
        CareType::ALL.map(CareType::name).join(", ")
    }
}

impl fmt::Display for CareType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The parts of annex F with their own leadership share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    /// Krippe to GTB-LB: "Zwischensumme", leadership "x 0,1" (seed 004 L8464–8470, L8531).
    Regular,
    /// GTB-Kö and GTB-HG: "GTB (KSV) gesamt", leadership 1 : 100 (L8479–8500).
    GtbKsv,
    /// Heilpädagogische Gruppe: leadership 1 : 50 (L8504–8552).
    Heilpaedagogisch,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Regular, Section::GtbKsv, Section::Heilpaedagogisch];

    pub fn name(self) -> &'static str {
        match self {
            Section::Regular => "regular",
            Section::GtbKsv => "gtb_ksv",
            Section::Heilpaedagogisch => "heilpaedagogisch",
        }
    }
}

/// A staff key "STAFF : CHILDREN": `staff` full-time educators for `children` RZÄ (or
/// children, for per-child care types). Both parts are positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffKey {
    pub staff: Decimal,
    pub children: Decimal,
}

impl StaffKey {
    /// `staff : children`; `None` unless both are positive.
    pub fn new(staff: Decimal, children: Decimal) -> Option<StaffKey> {
        (staff > Decimal::ZERO && children > Decimal::ZERO).then_some(StaffKey { staff, children })
    }

    /// For the shipped tables: `staff` and `children` as `(mantissa, scale)` pairs.
    const fn of(staff: (i64, u32), children: (i64, u32)) -> StaffKey {
        StaffKey {
            staff: Decimal::from_parts(staff.0 as u32, 0, 0, false, staff.1),
            children: Decimal::from_parts(children.0 as u32, 0, 0, false, children.1),
        }
    }

    /// Educators per RZÄ (or per child): `staff ÷ children`, exactly.
    pub fn staff_per_child(self) -> Result<Ratio, Overflow> {
        Ratio::from_decimal(self.staff).checked_div(Ratio::from_decimal(self.children))
    }
}

impl fmt::Display for StaffKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}",
            self.staff.normalize(),
            self.children.normalize()
        )
    }
}

/// How a row of children becomes RZÄ, and its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// RZÄ per child = daily hours ÷ `base_hours` (§ 12 Abs. 2 S. 2: nine hours for Krippe and
    /// Kindergarten, six for Hort). Hours above the base count (annex F: 10 h → 10:9, 11 h →
    /// 11:9, L8263–8325; Hort 11 h → 11:6, L8423–8429).
    DailyHours { base_hours: Decimal, key: StaffKey },
    /// GTB-LB (L8434–8470): `short_hours` count as one RZÄ with `short_key` (5 h → 1, 0,8:15);
    /// `long_from` to `long_until` hours count hours ÷ `base_hours` with `long_key` (6 h → 1,
    /// 7 h → 7:6 … 11 h → 11:6, 0,9:15). Other hours are not offered.
    SchoolDayCare {
        short_hours: Decimal,
        short_key: StaffKey,
        long_from: Decimal,
        long_until: Decimal,
        base_hours: Decimal,
        long_key: StaffKey,
    },
    /// Need per child, hours ignored (GTB KSV, heilpädagogische Gruppe). `None`: the case must
    /// give the key (annex F sets it per HP group: 1:4,5, 1:3,76, 1:4,35, L8508–8511).
    PerChild { key: Option<StaffKey> },
}

/// One care type's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CareTypeRule {
    pub care_type: CareType,
    pub section: Section,
    pub conversion: Conversion,
}

/// How a section's leadership share (Leiteranteil) is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leadership {
    /// A share of the section's educator need: § 12 Abs. 2 Nr. 4, "eine pädagogische Fachkraft
    /// zur Leitung … für je zehn … Fachkräfte", applied proportionally as annex F's "x 0,1".
    ShareOfNeed(Decimal),
    /// One key per child of the section (GTB KSV 1 : 100, HP 1 : 50).
    PerChild(StaffKey),
}

/// One version of the staffing configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffingRules {
    /// Names the version in the result, so that a figure can be traced to its rules.
    pub id: &'static str,
    /// The first day these rules apply to; they hold until the next version of the
    /// [`RuleBook`] begins.
    pub valid_from: NaiveDate,
    /// The weekly hours of one full-time equivalent (VbE): the actual staffing (Ist) counts a
    /// person's contracted weekly hours ÷ these. Neither § 12 nor the Lastenheft fixes them
    /// (3.7.2.3 accepts hours "bzw. Wert als Vollzeitäquivalent", seed 004 L2316; annex F's Ist
    /// sheet shows VbE only, L9700–9760), so they are a setting: the collective agreement of
    /// the Träger (TVöD/TV-L East: 40 h; the KJH statistic's examples use 39 h, L33444).
    pub full_time_weekly_hours: Decimal,
    /// One rule per care type, in [`CareType::ALL`] order.
    pub care_types: [CareTypeRule; 10],
    /// One leadership rule per section, in [`Section::ALL`] order.
    pub leadership: [Leadership; 3],
}

impl StaffingRules {
    /// SächsKitaG § 12 Abs. 2 with the table of annex F "Ermittlung Personalbedarf", Dez 11
    /// (seed 004 L4785–4801, L8188–8593).
    pub fn annex_f() -> StaffingRules {
        let nine = Decimal::from(9);
        let six = Decimal::from(6);
        let daily = |base_hours, key| Conversion::DailyHours { base_hours, key };
        let rule = |care_type, section, conversion| CareTypeRule {
            care_type,
            section,
            conversion,
        };
        use CareType as C;
        use Section as S;
        StaffingRules {
            id: "saechskitag-12-annex-f-2011",
            // Annex F is the sheet of December 2011 ("Dez 11", L8188ff).
            valid_from: NaiveDate::from_ymd_opt(2011, 12, 1).expect("a calendar date"),
            full_time_weekly_hours: Decimal::from(40),
            care_types: [
                rule(
                    C::Krippe,
                    S::Regular,
                    daily(nine, StaffKey::of((1, 0), (6, 0))),
                ),
                rule(
                    C::KrippeIntegration,
                    S::Regular,
                    daily(nine, StaffKey::of((1, 0), (3, 0))),
                ),
                rule(
                    C::Kindergarten,
                    S::Regular,
                    daily(nine, StaffKey::of((1, 0), (13, 0))),
                ),
                rule(
                    C::KindergartenIntegration,
                    S::Regular,
                    daily(nine, StaffKey::of((1, 0), (4, 0))),
                ),
                rule(
                    C::Hort,
                    S::Regular,
                    daily(six, StaffKey::of((9, 1), (20, 0))),
                ),
                rule(
                    C::HortIntegration,
                    S::Regular,
                    daily(six, StaffKey::of((1, 0), (10, 0))),
                ),
                rule(
                    C::GtbLb,
                    S::Regular,
                    Conversion::SchoolDayCare {
                        short_hours: Decimal::from(5),
                        short_key: StaffKey::of((8, 1), (15, 0)),
                        long_from: six,
                        long_until: Decimal::from(11),
                        base_hours: six,
                        long_key: StaffKey::of((9, 1), (15, 0)),
                    },
                ),
                rule(
                    C::GtbKoe,
                    S::GtbKsv,
                    Conversion::PerChild {
                        key: Some(StaffKey::of((8, 1), (45, 1))),
                    },
                ),
                rule(
                    C::GtbHg,
                    S::GtbKsv,
                    Conversion::PerChild {
                        key: Some(StaffKey::of((8, 1), (8, 0))),
                    },
                ),
                rule(
                    C::Heilpaedagogisch,
                    S::Heilpaedagogisch,
                    Conversion::PerChild { key: None },
                ),
            ],
            leadership: [
                Leadership::ShareOfNeed(Decimal::new(1, 1)),
                Leadership::PerChild(StaffKey::of((1, 0), (100, 0))),
                Leadership::PerChild(StaffKey::of((1, 0), (50, 0))),
            ],
        }
    }

    pub fn care_type(&self, care_type: CareType) -> &CareTypeRule {
        self.care_types
            .iter()
            .find(|r| r.care_type == care_type)
            .expect("the rules name every care type")
    }

    pub fn leadership(&self, section: Section) -> Leadership {
        let index = Section::ALL
            .iter()
            .position(|s| *s == section)
            .expect("every section is listed");
        self.leadership[index]
    }
}

/// The versions of the staffing rules, each from its `valid_from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleBook {
    /// Sorted by `valid_from`, no two on the same day.
    versions: Vec<StaffingRules>,
}

/// Rule versions that cannot form a [`RuleBook`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleBookError {
    #[error("a rule book needs at least one version of the rules")]
    Empty,
    #[error("two versions of the rules begin on {0}: keep one")]
    SameDay(NaiveDate),
    #[error("rules {id}: full-time weekly hours must be more than 0 and at most 60")]
    FullTimeHours { id: &'static str },
}

impl RuleBook {
    /// The versions in any order; each applies from its `valid_from` to the day before the
    /// next one.
    pub fn new(mut versions: Vec<StaffingRules>) -> Result<RuleBook, RuleBookError> {
        versions.sort_by_key(|r| r.valid_from);
        if versions.is_empty() {
            return Err(RuleBookError::Empty);
        }
        if let Some(pair) = versions
            .windows(2)
            .find(|w| w[0].valid_from == w[1].valid_from)
        {
            return Err(RuleBookError::SameDay(pair[0].valid_from));
        }
        if let Some(r) = versions.iter().find(|r| {
            r.full_time_weekly_hours <= Decimal::ZERO
                || r.full_time_weekly_hours > Decimal::from(60)
        }) {
            return Err(RuleBookError::FullTimeHours { id: r.id });
        }
        Ok(RuleBook { versions })
    }

    /// The shipped book: [`StaffingRules::annex_f`] alone.
    pub fn annex_f() -> RuleBook {
        RuleBook::new(vec![StaffingRules::annex_f()]).expect("the shipped rules are valid")
    }

    /// The version in force on `day`; `None` before the first one begins.
    pub fn on(&self, day: NaiveDate) -> Option<&StaffingRules> {
        self.versions.iter().rev().find(|r| r.valid_from <= day)
    }

    pub fn versions(&self) -> &[StaffingRules] {
        &self.versions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn care_type_names_round_trip_in_table_order() {
        for (i, care_type) in CareType::ALL.into_iter().enumerate() {
            assert_eq!(CareType::parse(care_type.name()), Some(care_type));
            assert_eq!(
                StaffingRules::annex_f().care_types[i].care_type,
                care_type,
                "rules listed in table order"
            );
        }
        assert_eq!(CareType::parse("Krippe"), None);
    }

    #[test]
    fn annex_f_keys_are_those_of_the_statute_and_the_annex() {
        let rules = StaffingRules::annex_f();
        let key_of = |c| match rules.care_type(c).conversion {
            Conversion::DailyHours { key, .. } => key.to_string(),
            Conversion::PerChild { key } => key.map(|k| k.to_string()).unwrap_or_default(),
            Conversion::SchoolDayCare {
                short_key,
                long_key,
                ..
            } => format!("{short_key}/{long_key}"),
        };
        assert_eq!(key_of(CareType::Krippe), "1:6");
        assert_eq!(key_of(CareType::KrippeIntegration), "1:3");
        assert_eq!(key_of(CareType::Kindergarten), "1:13");
        assert_eq!(key_of(CareType::KindergartenIntegration), "1:4");
        assert_eq!(key_of(CareType::Hort), "0.9:20");
        assert_eq!(key_of(CareType::HortIntegration), "1:10");
        assert_eq!(key_of(CareType::GtbLb), "0.8:15/0.9:15");
        assert_eq!(key_of(CareType::GtbKoe), "0.8:4.5");
        assert_eq!(key_of(CareType::GtbHg), "0.8:8");
        assert_eq!(key_of(CareType::Heilpaedagogisch), "");
        assert_eq!(
            rules.leadership(Section::Regular),
            Leadership::ShareOfNeed(Decimal::new(1, 1))
        );
    }

    #[test]
    fn the_rule_book_picks_the_version_in_force_on_a_day() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let mut lower = StaffingRules::annex_f();
        lower.id = "lower-krippe-key";
        lower.valid_from = day(2026, 9, 1);
        let book = RuleBook::new(vec![lower.clone(), StaffingRules::annex_f()]).unwrap();
        assert_eq!(book.on(day(2011, 11, 30)), None, "before the first version");
        assert_eq!(
            book.on(day(2026, 8, 31)).unwrap().id,
            StaffingRules::annex_f().id
        );
        assert_eq!(book.on(day(2026, 9, 1)).unwrap().id, "lower-krippe-key");
        assert_eq!(book.versions().len(), 2);
        assert_eq!(
            RuleBook::annex_f()
                .on(day(2030, 1, 1))
                .unwrap()
                .full_time_weekly_hours,
            Decimal::from(40)
        );

        assert_eq!(RuleBook::new(vec![]), Err(RuleBookError::Empty));
        let mut same_day = lower.clone();
        same_day.id = "same-day";
        assert_eq!(
            RuleBook::new(vec![lower.clone(), same_day]),
            Err(RuleBookError::SameDay(day(2026, 9, 1)))
        );
        lower.full_time_weekly_hours = Decimal::ZERO;
        assert_eq!(
            RuleBook::new(vec![lower]),
            Err(RuleBookError::FullTimeHours {
                id: "lower-krippe-key"
            })
        );
    }
}
