//! Betreuungsvertrag with time-valid lines. Changes are new lines from a date (annexes), never a
//! new contract (RULES.md §3).

use crate::ids::{ChildId, ContractId, ContractLineId, FacilityId, FamilyId, GroupId};
use crate::kinds::daily_hours;
use crate::kinds::facility::CareType;
use crate::period::Period;
use crate::scalar::{Date, Dec};
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum PaymentMode {
    /// Selbstzahler
    SelfPayer,
    /// Lastschrift
    DirectDebit,
}

impl PaymentMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMode::SelfPayer => "self-payer",
            PaymentMode::DirectDebit => "direct-debit",
        }
    }
    pub fn parse(s: &str) -> Option<PaymentMode> {
        match s {
            "self-payer" => Some(PaymentMode::SelfPayer),
            "direct-debit" => Some(PaymentMode::DirectDebit),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct ContractLine {
    #[key]
    pub id: ContractLineId,
    pub valid: Period,
    pub care_type: CareType,
    pub daily_hours: Dec,
    pub group: Option<GroupId>,
    pub payment_mode: PaymentMode,
    /// Uses an employer's Belegrecht.
    pub reserved_seat: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct CareContract {
    pub id: ContractId,
    pub family: FamilyId,
    pub child: ChildId,
    pub facility: FacilityId,
    pub period: Period,
    pub lines: Vec<ContractLine>,
    /// Set when notice was given (date the notice arrived).
    pub notice_given_on: Option<Date>,
}

impl CareContract {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            self.period.is_well_formed(),
            "period",
            "Ende vor Beginn / end before start",
        );
        v.check(
            !self.lines.is_empty(),
            "lines",
            "mindestens eine Vertragszeile / at least one contract line",
        );
        for (i, line) in self.lines.iter().enumerate() {
            v.check(
                line.valid.is_well_formed(),
                format!("lines[{i}].valid"),
                "Ende vor Beginn / end before start",
            );
            v.check(
                self.period.covers(&line.valid),
                format!("lines[{i}].valid"),
                format!("Zeile liegt außerhalb der Vertragslaufzeit {} / line outside the contract period", self.period),
            );
            daily_hours(&mut v, &format!("lines[{i}].daily_hours"), line.daily_hours);
            if let Some((j, _)) = self.lines[..i]
                .iter()
                .enumerate()
                .find(|(_, o)| o.valid.overlaps(&line.valid))
            {
                v.fail(
                    format!("lines[{i}].valid"),
                    format!(
                        "überschneidet sich mit Zeile {} / overlaps line {}",
                        j + 1,
                        j + 1
                    ),
                );
            }
        }
        v.finish()
    }

    /// The line in force on a day.
    pub fn line_on(&self, day: Date) -> Option<&ContractLine> {
        self.lines.iter().find(|l| l.valid.contains(day))
    }

    /// Lines sorted by start.
    pub fn sorted_lines(&self) -> Vec<&ContractLine> {
        let mut lines: Vec<&ContractLine> = self.lines.iter().collect();
        lines.sort_by_key(|l| l.valid.start());
        lines
    }

    /// Changes the contract from `valid_from` on: the line in force then is ended the day
    /// before and a new line starts (split at the date of change). Later lines are kept: a change
    /// never silently drops an agreed future line.
    pub fn change_from(
        &mut self,
        valid_from: Date,
        mut new_line: ContractLine,
    ) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            self.period.contains(valid_from),
            "valid_from",
            format!(
                "Datum außerhalb der Vertragslaufzeit {} / date outside the contract period",
                self.period
            ),
        );
        v.finish()?;
        let next_start = self
            .lines
            .iter()
            .map(|l| l.valid.start())
            .filter(|s| *s > valid_from)
            .min();
        let end = next_start.map(|s| Date(s.0.pred_opt().expect("date after valid_from")));
        let end = match (end, self.period.end()) {
            (Some(a), _) => Some(a),
            (None, e) => e,
        };
        for line in &mut self.lines {
            if line.valid.contains(valid_from) {
                if line.valid.start() == valid_from {
                    continue;
                }
                let day_before = Date(valid_from.0.pred_opt().expect("date after start"));
                line.valid = Period::new(line.valid.start(), Some(day_before))
                    .expect("day before is after start");
            }
        }
        self.lines.retain(|l| l.valid.start() != valid_from);
        new_line.valid = Period::new(valid_from, end).expect("next start after valid_from");
        self.lines.push(new_line);
        self.lines.sort_by_key(|l| l.valid.start());
        self.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn line(id: &str, start: Date, end: Option<Date>, hours: i64) -> ContractLine {
        ContractLine {
            id: ContractLineId(id.into()),
            valid: Period::new(start, end).unwrap(),
            care_type: CareType::Nursery,
            daily_hours: Dec(Decimal::from(hours)),
            group: None,
            payment_mode: PaymentMode::DirectDebit,
            reserved_seat: false,
        }
    }

    fn contract() -> CareContract {
        CareContract {
            id: ContractId("ctr-1".into()),
            family: FamilyId("fam-1".into()),
            child: ChildId("child-1".into()),
            facility: FacilityId("fac-1".into()),
            period: Period::from(Date::ymd(2026, 8, 1)),
            lines: vec![line("line-1", Date::ymd(2026, 8, 1), None, 9)],
            notice_given_on: None,
        }
    }

    #[test]
    fn change_splits_the_line_in_force() {
        let mut c = contract();
        c.change_from(
            Date::ymd(2027, 3, 1),
            line("line-2", Date::ymd(2027, 3, 1), None, 6),
        )
        .unwrap();
        assert_eq!(c.lines.len(), 2);
        assert_eq!(c.lines[0].valid.end(), Some(Date::ymd(2027, 2, 28)));
        assert_eq!(
            c.line_on(Date::ymd(2027, 3, 1)).unwrap().daily_hours,
            Dec(Decimal::from(6))
        );
        assert_eq!(
            c.line_on(Date::ymd(2027, 2, 28)).unwrap().daily_hours,
            Dec(Decimal::from(9))
        );
    }

    #[test]
    fn overlapping_lines_are_refused_with_the_field_named() {
        let mut c = contract();
        c.lines.push(line("line-2", Date::ymd(2027, 1, 1), None, 6));
        let err = c.validate().unwrap_err();
        assert_eq!(err.errors[0].field, "lines[1].valid");
    }

    #[test]
    fn hours_outside_range_are_refused() {
        let mut c = contract();
        c.lines[0].daily_hours = Dec(Decimal::from(13));
        assert_eq!(
            c.validate().unwrap_err().errors[0].field,
            "lines[0].daily_hours"
        );
    }
}
