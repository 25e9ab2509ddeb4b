//! Explanations: every computed amount says which rule produced it from which inputs, under
//! which statute version and paragraph. The rule is a stable message key (for translated
//! texts and decision letters); the paragraph comes from the statute's data, because another
//! city's statute numbers its paragraphs differently.
//!
//! The `detail` texts are German, in the register of a decision letter: they reach parents in
//! the Bescheid's "Berechnung des Elternbeitrages" unchanged, and the Beitragsstelle on its
//! pages and exports. Amounts are written the German way ([`crate::Money::german`]); the
//! machine-readable parts (rule key, version, paragraph) stay as they are.

use chrono::NaiveDate;
use std::fmt;

/// A rule of the fee computation; its `key` is the message key and the key of the statute's
/// `paragraphs` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// In care this month: liable for the whole month.
    Liability,
    /// The fee group of the care type (Tagespflege pays the Krippe fee).
    FeeGroup,
    /// A `kita` child's fee group by completed months of age.
    SwitchAge,
    /// The first child's fee for the care time, linear in the hours.
    FirstChildFee,
    /// The Zählkind rank and its share.
    SiblingRank,
    /// The single parent's lower share.
    SingleParent,
    /// A family outside the city: no staggering by rank.
    NonResident,
    /// Foster, residential home and remedial places pay nothing and do not count.
    Exempt,
    /// A Zählkind cared for in another municipality's plan: no fee here.
    OutsideCity,
    /// The income-based reduction or waiver of the month.
    IncomeReduction,
    /// Half the fee in the month of starting on/after or ending by the 15th.
    HalfFee,
    /// Mehrbetreuung: a flat amount per exceeded care tier.
    ExtraCareTier,
    /// No tier charge for Hort children on school-free days.
    ExtraCareSchoolFreeDay,
    /// Picked up after closing time.
    ExtraCareAfterClosing,
    /// A line of the form "Feststellung der zumutbaren Belastung".
    WaiverForm,
}

impl Rule {
    pub const ALL: [Rule; 15] = [
        Rule::Liability,
        Rule::FeeGroup,
        Rule::SwitchAge,
        Rule::FirstChildFee,
        Rule::SiblingRank,
        Rule::SingleParent,
        Rule::NonResident,
        Rule::Exempt,
        Rule::OutsideCity,
        Rule::IncomeReduction,
        Rule::HalfFee,
        Rule::ExtraCareTier,
        Rule::ExtraCareSchoolFreeDay,
        Rule::ExtraCareAfterClosing,
        Rule::WaiverForm,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Rule::Liability => "fee.liability",
            Rule::FeeGroup => "fee.group",
            Rule::SwitchAge => "fee.switch_age",
            Rule::FirstChildFee => "fee.first_child",
            Rule::SiblingRank => "fee.sibling_rank",
            Rule::SingleParent => "fee.single_parent",
            Rule::NonResident => "fee.non_resident",
            Rule::Exempt => "fee.exempt",
            Rule::OutsideCity => "fee.outside_city",
            Rule::IncomeReduction => "fee.income_reduction",
            Rule::HalfFee => "fee.half",
            Rule::ExtraCareTier => "extra_care.tier",
            Rule::ExtraCareSchoolFreeDay => "extra_care.school_free_day",
            Rule::ExtraCareAfterClosing => "extra_care.after_closing",
            Rule::WaiverForm => "waiver.form",
        }
    }
}

/// One step of a computation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub rule: Rule,
    /// The statute version the values come from, e.g. `dresden-2011/2011-09`.
    pub statute_version: String,
    /// Where the statute says so, e.g. `§ 10 (5)`.
    pub paragraph: String,
    /// The inputs and the arithmetic in German, e.g. `Beitrag für das erste Kind, Krippe:
    /// 189,36 € × 8 h / 9 h = 168,32 € …`. Free text: match on `rule`, never on this.
    pub detail: String,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}; {} {}]",
            self.detail,
            self.rule.key(),
            self.statute_version,
            self.paragraph
        )
    }
}

/// A date as the decisions print it: `20.05.2009`.
pub(crate) fn german_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}
