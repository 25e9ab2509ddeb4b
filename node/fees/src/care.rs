//! The vocabulary of care: care types as contracts state them, the fee groups the statute
//! prices, and a child's status for the fee. Names as in `crdt`'s `CareType` and the glossary;
//! the wire names are those of the case format (`kitanetz-fee-case/1`).

use serde::Deserialize;
use std::fmt;

/// Betreuungsart as the contract states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum CareType {
    /// Krippe.
    #[serde(rename = "krippe")]
    Nursery,
    /// Kindergarten.
    #[serde(rename = "kindergarten")]
    Kindergarten,
    /// Hort (school children; hours on school days).
    #[serde(rename = "hort")]
    AfterSchool,
    /// Förderhort: Hort at a Förderschule.
    #[serde(rename = "foerderhort")]
    SupportedAfterSchool,
    /// Kindertagespflege.
    #[serde(rename = "tagespflege")]
    Childminding,
    /// One facility for both ages ("Kita"): Krippe fee until the switch age, then Kindergarten.
    #[serde(rename = "kita")]
    NurseryThenKindergarten,
}

impl CareType {
    /// The names of the case format.
    pub const WIRE_NAMES: [(&'static str, CareType); 6] = [
        ("krippe", CareType::Nursery),
        ("kindergarten", CareType::Kindergarten),
        ("hort", CareType::AfterSchool),
        ("foerderhort", CareType::SupportedAfterSchool),
        ("tagespflege", CareType::Childminding),
        ("kita", CareType::NurseryThenKindergarten),
    ];

    pub fn wire_name(self) -> &'static str {
        CareType::WIRE_NAMES
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("", |(name, _)| name)
    }
}

impl CareType {
    /// The German name for explanations.
    pub fn german_name(self) -> &'static str {
        match self {
            CareType::Nursery => "Krippe",
            CareType::Kindergarten => "Kindergarten",
            CareType::AfterSchool => "Hort",
            CareType::SupportedAfterSchool => "Förderhort",
            CareType::Childminding => "Kindertagespflege",
            CareType::NurseryThenKindergarten => "Kita",
        }
    }
}

impl fmt::Display for CareType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

/// A group the statute prices on its own (§ 11 (1)): a percentage of its operating cost, a base
/// care time and the offered tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum FeeGroup {
    #[serde(rename = "krippe")]
    Nursery,
    #[serde(rename = "kindergarten")]
    Kindergarten,
    #[serde(rename = "hort")]
    AfterSchool,
    #[serde(rename = "foerderhort")]
    SupportedAfterSchool,
}

impl FeeGroup {
    pub const ALL: [FeeGroup; 4] = [
        FeeGroup::Nursery,
        FeeGroup::Kindergarten,
        FeeGroup::AfterSchool,
        FeeGroup::SupportedAfterSchool,
    ];

    pub fn wire_name(self) -> &'static str {
        match self {
            FeeGroup::Nursery => "krippe",
            FeeGroup::Kindergarten => "kindergarten",
            FeeGroup::AfterSchool => "hort",
            FeeGroup::SupportedAfterSchool => "foerderhort",
        }
    }

    /// The German name, as decisions print the care a fee was taken from (the statute's own
    /// `name` of the group may differ for another city; this is the label of the letter).
    pub fn german_name(self) -> &'static str {
        match self {
            FeeGroup::Nursery => "Krippe",
            FeeGroup::Kindergarten => "Kindergarten",
            FeeGroup::AfterSchool => "Hort",
            FeeGroup::SupportedAfterSchool => "Förderhort",
        }
    }
}

/// What the child's place means for the fee in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// An ordinary place in the city's plan: pays, counts as Zählkind.
    Regular,
    /// In a Kita/Tagespflege of another municipality's plan: counts as Zählkind, no fee here.
    OutsideCity,
    /// Pflegekind (§ 33 SGB VIII): the city pays (§ 13 (4)); not a Zählkind.
    Foster,
    /// Heimkind (§§ 34, 42 SGB VIII): the city pays (§ 13 (4)); not a Zählkind.
    ResidentialHome,
    /// Heilpädagogischer Platz (§ 10 (7)): no fee; not a Zählkind.
    Remedial,
}

impl Status {
    pub const WIRE_NAMES: [(&'static str, Status); 5] = [
        ("regular", Status::Regular),
        ("outside_city", Status::OutsideCity),
        ("foster", Status::Foster),
        ("home", Status::ResidentialHome),
        ("curative", Status::Remedial),
    ];

    /// Zählkinder are children of the family in care in a plan, here or elsewhere (§ 10 (5));
    /// children excluded from the fee by § 10 (7) and § 13 (4) are not.
    pub fn is_countable(self) -> bool {
        matches!(self, Status::Regular | Status::OutsideCity)
    }

    /// The German name of the place, for explanations.
    pub fn german_name(self) -> &'static str {
        match self {
            Status::Regular => "Regulärer Platz",
            Status::OutsideCity => "Platz im Bedarfsplan einer anderen Gemeinde",
            Status::Foster => "Pflegekind",
            Status::ResidentialHome => "Heimkind",
            Status::Remedial => "Heilpädagogischer Platz",
        }
    }

    pub fn wire_name(self) -> &'static str {
        Status::WIRE_NAMES
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("regular", |(name, _)| name)
    }
}
