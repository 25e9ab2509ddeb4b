//! The difference between the decision in force and a new one, per child and month: for the
//! clerk's screen before issuing, and for the Änderungsbescheid's table (Lastenheft 3.10.5:
//! "Alle Änderungen müssen im System nachvollzogen werden können").

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::format::{format_euro, format_hours, YearMonth};
use super::{ChildFees, Decision, MonthFee, Pkn};

/// One child's month that differs: its amount, an input, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The child's PKN (children are matched by it).
    pub child_pkn: Pkn,
    /// The child's name as the new decision (or, for a child no longer in it, the old one) has
    /// it.
    pub child: String,
    pub month: YearMonth,
    /// The amount in force; `None` when the month was not decided before.
    pub old: Option<Decimal>,
    /// The new amount; `None` when the new decision no longer covers the month.
    pub new: Option<Decimal>,
    /// What changed in the inputs, in the order of [`InputField`].
    pub inputs: Vec<InputChange>,
}

impl Change {
    /// Whether the amount differs (not only an input with the same amount).
    pub fn amount_changed(&self) -> bool {
        self.old != self.new
    }
}

/// An input of a child's month fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputField {
    /// Whether the month is decided at all (care starts or ends).
    Covered,
    /// The care type (Krippe, Kindergarten, …).
    Care,
    /// Daily hours.
    Hours,
    /// Facility or Tagespflegeperson.
    Facility,
    /// A step of the fee engine's explanation (a rule applies or no longer does: sibling rank,
    /// single parent, reduction, …).
    Explanation,
}

/// One changed input: its old and new value as printed (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputChange {
    pub field: InputField,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl fmt::Display for InputChange {
    /// German, for the letter and the clerk: "Betreuungszeit: 8 h → 9 h", "neu: …", "entfällt:
    /// …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.field {
            InputField::Covered => "Zeitraum",
            InputField::Care => "Betreuungsart",
            InputField::Hours => "Betreuungszeit",
            InputField::Facility => "Einrichtung",
            InputField::Explanation => "Berechnung",
        };
        match (&self.old, &self.new) {
            (Some(old), Some(new)) => write!(f, "{label}: {old} → {new}"),
            (None, Some(new)) => write!(f, "{label} neu: {new}"),
            (Some(old), None) => write!(f, "{label} entfällt: {old}"),
            (None, None) => f.write_str(label),
        }
    }
}

/// Every child's month where `new` differs from `in_force` in amount or inputs, by child (in
/// `new`'s order, then children only `in_force` has) and month. Months equal on both sides are
/// left out; an empty list means the new decision changes nothing.
pub fn difference(in_force: &Decision, new: &Decision) -> Vec<Change> {
    let mut children: Vec<(&Pkn, &str)> = Vec::new();
    for child in new.children.iter().chain(&in_force.children) {
        if !children.iter().any(|(pkn, _)| **pkn == child.pkn) {
            children.push((&child.pkn, &child.name));
        }
    }
    let months_of = |decision: &Decision, pkn: &Pkn| -> BTreeMap<YearMonth, MonthFee> {
        decision
            .children
            .iter()
            .filter(|c| c.pkn == *pkn)
            .flat_map(|c: &ChildFees| c.months.iter().map(|m| (m.month, m.clone())))
            .collect()
    };
    let mut changes = Vec::new();
    for (pkn, name) in children {
        let old = months_of(in_force, pkn);
        let new = months_of(new, pkn);
        let mut months: Vec<YearMonth> = old.keys().chain(new.keys()).copied().collect();
        months.sort();
        months.dedup();
        for month in months {
            let (old, new) = (old.get(&month), new.get(&month));
            let inputs = input_changes(old, new);
            let old_amount = old.map(|m| m.amount);
            let new_amount = new.map(|m| m.amount);
            if old_amount != new_amount || !inputs.is_empty() {
                changes.push(Change {
                    child_pkn: *pkn,
                    child: name.to_owned(),
                    month,
                    old: old_amount,
                    new: new_amount,
                    inputs,
                });
            }
        }
    }
    changes
}

fn input_changes(old: Option<&MonthFee>, new: Option<&MonthFee>) -> Vec<InputChange> {
    let (old, new) = match (old, new) {
        (Some(old), Some(new)) => (old, new),
        (old, new) => {
            let covered = |m: Option<&MonthFee>| {
                m.map(|m| format!("{} ({})", format_euro(m.amount), m.month.german()))
            };
            return vec![InputChange {
                field: InputField::Covered,
                old: covered(old),
                new: covered(new),
            }];
        }
    };
    let mut changes = Vec::new();
    let mut compare = |field, old: String, new: String| {
        if old != new {
            changes.push(InputChange {
                field,
                old: Some(old),
                new: Some(new),
            });
        }
    };
    compare(InputField::Care, old.care.clone(), new.care.clone());
    compare(
        InputField::Hours,
        format_hours(old.hours),
        format_hours(new.hours),
    );
    compare(
        InputField::Facility,
        old.facility.clone(),
        new.facility.clone(),
    );
    // Explanation lines: a line on both sides is unchanged. Of the others, lines citing the same
    // paragraph are one rule read twice: with a changed amount the parents see "old → new";
    // with the same amount only the wording differs (the engine's text changed between the two
    // decisions, e.g. English lines of decisions issued before the lines were German), which
    // is no change of the decision. A line whose paragraph has no partner is a rule that now
    // applies ("neu") or no longer does ("entfällt").
    let text = |line: &super::ExplanationLine| format!("{} ({})", line.text, line.paragraph);
    let amount_changed = old.amount != new.amount;
    let mut added: Vec<&super::ExplanationLine> = new
        .explanation
        .iter()
        .filter(|line| !old.explanation.contains(line))
        .collect();
    for line in old
        .explanation
        .iter()
        .filter(|l| !new.explanation.contains(l))
    {
        let partner = added.iter().position(|n| n.paragraph == line.paragraph);
        match partner.map(|i| added.remove(i)) {
            Some(_) if !amount_changed => {}
            Some(partner) => changes.push(InputChange {
                field: InputField::Explanation,
                old: Some(text(line)),
                new: Some(text(partner)),
            }),
            None => changes.push(InputChange {
                field: InputField::Explanation,
                old: Some(text(line)),
                new: None,
            }),
        }
    }
    for line in added {
        changes.push(InputChange {
            field: InputField::Explanation,
            old: None,
            new: Some(text(line)),
        });
    }
    changes
}
