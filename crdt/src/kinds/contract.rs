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
    /// Why the contract was given notice: one of [`NOTICE_REASONS`] (the statistic of
    /// terminated contracts, Lastenheft 3.12.1.4).
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub notice_reason: Option<String>,
    /// The child's school entry as the Kita lead recorded it (Lastenheft 3.6.17); none: as the
    /// statute says (school age completed by 30 June).
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub school_entry: Option<SchoolEntryMark>,
}

/// Why a child goes to school in another year than the statute says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "kebab-case")]
pub enum SchoolEntryRule {
    /// The parents asked for school entry in the year the child completes the school age by the
    /// on-request cut-off (30 September).
    OnRequest,
    /// Schulrücksteller: deferred by the school; keeps the Kindergarten place (and pays) until
    /// the school year of [`SchoolEntryMark::school_year`].
    Deferred,
}

impl SchoolEntryRule {
    pub fn as_str(self) -> &'static str {
        match self {
            SchoolEntryRule::OnRequest => "on-request",
            SchoolEntryRule::Deferred => "deferred",
        }
    }
    pub fn parse(s: &str) -> Option<SchoolEntryRule> {
        match s {
            "on-request" => Some(SchoolEntryRule::OnRequest),
            "deferred" => Some(SchoolEntryRule::Deferred),
            _ => None,
        }
    }
    pub fn label_de(self) -> &'static str {
        match self {
            SchoolEntryRule::OnRequest => "Einschulung auf Antrag",
            SchoolEntryRule::Deferred => "Schulrücksteller",
        }
    }
}

/// A recorded school entry decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct SchoolEntryMark {
    pub rule: SchoolEntryRule,
    /// The calendar year in which the child's first school year starts.
    pub school_year: u32,
    /// The day the Kita lead recorded it.
    pub recorded_on: Date,
}

/// The coded reasons of a notice: (code, German label).
pub const NOTICE_REASONS: [(&str, &str); 6] = [
    ("move", "Umzug"),
    ("other-facility", "Wechsel in eine andere Einrichtung"),
    ("school", "Schuleintritt"),
    ("parental-leave", "Elternzeit / Betreuung zu Hause"),
    ("dissatisfied", "Unzufriedenheit"),
    ("other", "Sonstiger Grund"),
];

impl CareContract {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            self.period.is_well_formed(),
            "period",
            "Ende vor Beginn / end before start",
        );
        v.check(
            self.period.start().is_plausible()
                && self.period.end().is_none_or(|e| e.is_plausible()),
            "period",
            "Datum außerhalb 1900–2100 / date outside 1900–2100",
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
            // Two lines from the same day are a collision of concurrent changes, reported by
            // `same_day_changes` as a task; refusing them here would make the contract
            // unwritable until then.
            if let Some((j, _)) = self.lines[..i].iter().enumerate().find(|(_, o)| {
                o.valid.overlaps(&line.valid) && o.valid.start() != line.valid.start()
            }) {
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

    /// The line in force on a day, as [`CareContract::effective_lines`] reads it (called in
    /// loops over every contract and month: no list is built).
    pub fn line_on(&self, day: Date) -> Option<ContractLine> {
        let line = self
            .lines
            .iter()
            .filter(|l| l.valid.start() <= day)
            .max_by(|a, b| (a.valid.start(), &a.id).cmp(&(b.valid.start(), &b.id)))?;
        let start = line.valid.start();
        let next = self
            .lines
            .iter()
            .map(|l| l.valid.start())
            .filter(|s| *s > start)
            .min();
        let end = match next {
            Some(next) => next.0.pred_opt().map(Date),
            None => line.valid.end().or(self.period.end()),
        };
        let valid = Period::new(start, end).ok()?;
        valid.contains(day).then(|| ContractLine {
            valid,
            ..line.clone()
        })
    }

    /// The lines as the contract reads: each line is a change "from its start on" and ends the
    /// day before the next line starts.
    ///
    /// Why: two nodes that change one contract offline (the Kita from March, its Träger from
    /// May) each end the line in force before their own new line. Merged, the old line's end is
    /// whichever write won and the two new lines overlap. Read as changes from a date, both
    /// hold: March to April from the Kita, May on from the Träger. Lines with the same start
    /// (two changes from one day) cannot both hold: the one with the larger id is read, and
    /// [`CareContract::same_day_changes`] reports the collision for a person to settle.
    pub fn effective_lines(&self) -> Vec<ContractLine> {
        let mut settled = self.lines.clone();
        settle_ends(&mut settled, self.period.end());
        sort_lines(&mut settled);
        // Of several lines starting on one day keep the last (largest id).
        let mut kept: Vec<ContractLine> = Vec::with_capacity(settled.len());
        for line in settled {
            match kept.last_mut() {
                Some(prev) if prev.valid.start() == line.valid.start() => *prev = line,
                _ => kept.push(line),
            }
        }
        kept
    }

    /// Days from which more than one line starts (concurrent changes from the same day).
    pub fn same_day_changes(&self) -> Vec<Date> {
        let mut starts: Vec<Date> = self.lines.iter().map(|l| l.valid.start()).collect();
        starts.sort();
        let mut twice: Vec<Date> = starts
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        twice.dedup();
        twice
    }

    /// Ends the contract on `end` after notice that arrived on `notice_on` for `reason`: the
    /// period ends then, lines after it are dropped and the line in force ends with it. The
    /// notice period is the caller's rule (it may be shortened by agreement).
    pub fn end_with_notice(
        &mut self,
        notice_on: Date,
        end: Date,
        reason: &str,
    ) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            end >= self.period.start(),
            "end",
            "Ende vor Vertragsbeginn / end before the contract starts",
        );
        v.check(
            self.period.end().is_none_or(|e| end <= e),
            "end",
            "Ende nach dem vereinbarten Vertragsende / end after the agreed end",
        );
        v.check(
            end >= notice_on,
            "end",
            "Ende vor der Kündigung / end before the notice",
        );
        v.check(
            NOTICE_REASONS.iter().any(|(code, _)| *code == reason),
            "reason",
            "Grund wählen / choose a reason",
        );
        v.finish()?;
        self.cut_at(end);
        self.notice_given_on = Some(notice_on);
        self.notice_reason = Some(reason.to_string());
        self.validate()
    }

    /// Ends the contract on `end` without notice because the child goes to school: a
    /// Kindergarten contract ends with the start of compulsory schooling, "es ist keine
    /// Kündigung erforderlich" (Satzung § 9 (5)). The reason is recorded as `school`.
    pub fn end_for_school(&mut self, end: Date) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            end >= self.period.start(),
            "end",
            "Ende vor Vertragsbeginn / end before the contract starts",
        );
        v.check(
            self.period.end().is_none_or(|e| end <= e),
            "end",
            "Ende nach dem vereinbarten Vertragsende / end after the agreed end",
        );
        v.finish()?;
        self.cut_at(end);
        self.notice_given_on = None;
        self.notice_reason = Some("school".to_string());
        self.validate()
    }

    /// Moves the end of a contract that ends with school entry to the day before another school
    /// year: a Schulrücksteller keeps the place a year longer (the line that ended with the
    /// contract runs on), a child entering on request leaves a year earlier (the lines are cut
    /// as by [`CareContract::end_for_school`], without recording an exit).
    pub fn move_school_end(&mut self, end: Date) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            end >= self.period.start(),
            "end",
            "Ende vor Vertragsbeginn / end before the contract starts",
        );
        v.finish()?;
        match self.period.end() {
            Some(old) if end > old => {
                for line in &mut self.lines {
                    if line.valid.end() == Some(old) {
                        line.valid =
                            Period::new(line.valid.start(), Some(end)).expect("start ≤ end");
                    }
                }
                self.period = Period::new(self.period.start(), Some(end)).expect("start ≤ end");
            }
            Some(old) if end < old => self.cut_at(end),
            _ => {}
        }
        self.validate()
    }

    /// The period ends on `end`: lines after it are dropped and the line in force ends then.
    fn cut_at(&mut self, end: Date) {
        settle_ends(&mut self.lines, self.period.end());
        self.lines.retain(|l| l.valid.start() <= end);
        for line in &mut self.lines {
            if line.valid.end().is_none_or(|e| e > end) {
                line.valid = Period::new(line.valid.start(), Some(end)).expect("start ≤ end");
            }
        }
        self.period = Period::new(self.period.start(), Some(end)).expect("start ≤ end");
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
        // A merged contract may hold overlapping lines from concurrent changes: settle them as
        // the contract reads them before this change is applied. Same-day collisions stay
        // until a change from that day replaces them.
        settle_ends(&mut self.lines, self.period.end());
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
        // Inserted before the first later line, and the other lines are never reordered: in
        // the automerge list a moved line is a deleted line plus a new copy, so a node that
        // sorted a merged contract would bring back a line that another node replaced at the
        // same time (found by the convergence proptest in node/sync). A sorted list stays
        // sorted; after a merge the list may be out of order, which no reader depends on
        // (`effective_lines` sorts, `line_on` searches).
        let at = self
            .lines
            .iter()
            .position(|l| l.valid.start() > valid_from)
            .unwrap_or(self.lines.len());
        self.lines.insert(at, new_line);
        self.validate()
    }
}

/// Sets every line's end as the contract reads (the day before the next later start; the last
/// lines keep their end, or take the contract's). Lines from one day, a collision for a person,
/// keep their ends. Changes no line's place in the list (see [`CareContract::change_from`]).
fn settle_ends(lines: &mut [ContractLine], contract_end: Option<Date>) {
    let mut starts: Vec<Date> = lines.iter().map(|l| l.valid.start()).collect();
    starts.sort();
    starts.dedup();
    for line in lines.iter_mut() {
        let start = line.valid.start();
        let end = match starts.iter().find(|s| **s > start) {
            Some(next) => next.0.pred_opt().map(Date),
            None => line.valid.end().or(contract_end),
        };
        if let Ok(p) = Period::new(start, end) {
            line.valid = p;
        }
    }
}

/// Sorts lines by start and id, the order in which the contract reads them.
fn sort_lines(lines: &mut [ContractLine]) {
    lines.sort_by(|a, b| (a.valid.start(), &a.id).cmp(&(b.valid.start(), &b.id)));
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
            notice_reason: None,
            school_entry: None,
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

    #[test]
    fn concurrent_changes_from_different_days_both_hold_after_the_merge() {
        use crate::doc::StoredDoc;
        use crate::ids::{OrgId, ProviderId};
        use crate::meta::{DocKind, DocMeta};
        use crate::DocId;
        let day = Date::ymd(2026, 11, 2);
        let meta = DocMeta {
            kind: DocKind::CareContract,
            schema: 1,
            owner: OrgId("org-prov-1".into()),
            provider: Some(ProviderId("prov-1".into())),
            facilities: vec![FacilityId("fac-1".into())],
            origin_node: "traeger-1".into(),
            created_on: day,
        };
        let id = DocId("doc-contract-ctr-1".into());
        let mut office =
            StoredDoc::create(id.clone(), meta, &contract(), b"office", day, 1).unwrap();
        let mut kita = StoredDoc::load(id, &office.save(), b"kita").unwrap();
        let (march, may) = (Date::ymd(2027, 3, 1), Date::ymd(2027, 5, 1));
        for (doc, from, line_id, hours) in [
            (&mut kita, march, "line-k", 6),
            (&mut office, may, "line-t", 8),
        ] {
            let mut c: CareContract = doc.value().unwrap();
            c.change_from(from, line(line_id, from, None, hours))
                .unwrap();
            doc.update(&c, day, 2, "change").unwrap();
        }
        office.merge_bytes(&kita.save()).unwrap();
        let mut merged: CareContract = office.value().unwrap();
        assert_eq!(merged.lines.len(), 3, "both changes are kept");
        let read: Vec<(Date, Option<Date>, i64)> = merged
            .effective_lines()
            .iter()
            .map(|l| {
                (
                    l.valid.start(),
                    l.valid.end(),
                    l.daily_hours.0.try_into().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                (Date::ymd(2026, 8, 1), Some(Date::ymd(2027, 2, 28)), 9),
                (march, Some(Date::ymd(2027, 4, 30)), 6),
                (may, None, 8),
            ]
        );
        assert_eq!(
            merged.line_on(Date::ymd(2027, 4, 15)).unwrap().id.0,
            "line-k"
        );
        // line_on reads exactly what effective_lines reads, day by day.
        let read = merged.effective_lines();
        for month in 1..=12 {
            for day in [1, 15, 28] {
                let d = Date::ymd(2027, month, day);
                assert_eq!(
                    merged.line_on(d),
                    read.iter().find(|l| l.valid.contains(d)).cloned(),
                    "{d}"
                );
            }
        }
        assert!(merged.same_day_changes().is_empty());
        // The next change settles the stored lines, so the document is valid again.
        let july = Date::ymd(2027, 7, 1);
        merged
            .change_from(july, line("line-n", july, None, 7))
            .unwrap();
        assert_eq!(merged.lines.len(), 4);
        office.update(&merged, day, 3, "change").unwrap();
    }

    /// Regression (found by the convergence proptest): after the Kita and its office both
    /// changed a contract from February and synced, the office replaced both February lines
    /// while the Kita, at the same time, changed the contract from March. The Kita's change
    /// used to sort the merged lines, which in automerge deletes and re-inserts a line: the
    /// February line the office had replaced came back as a new copy and the contract showed a
    /// same-day collision that nobody had made (and could read the stale line by default).
    #[test]
    fn a_concurrent_change_does_not_bring_back_a_replaced_line() {
        use crate::doc::StoredDoc;
        use crate::ids::{OrgId, ProviderId};
        use crate::meta::{DocKind, DocMeta};
        use crate::DocId;
        let day = Date::ymd(2026, 11, 2);
        let (february, march) = (Date::ymd(2027, 2, 1), Date::ymd(2027, 3, 1));
        let meta = DocMeta {
            kind: DocKind::CareContract,
            schema: 1,
            owner: OrgId("org-prov-1".into()),
            provider: Some(ProviderId("prov-1".into())),
            facilities: vec![FacilityId("fac-1".into())],
            origin_node: "kita-1".into(),
            created_on: day,
        };
        let change = |doc: &mut StoredDoc, from: Date, id: &str| {
            let mut c: CareContract = doc.value().unwrap();
            c.change_from(from, line(id, from, None, 6)).unwrap();
            doc.update(&c, day, 2, "change").unwrap();
        };
        // Which of two concurrent inserts comes first in the merged list depends on the actor
        // ids; with the ids both ways round, one of the runs merges the lines out of order.
        for (kita_line, office_line) in [("line-a", "line-z"), ("line-z", "line-a")] {
            let id = DocId("doc-contract-ctr-1".into());
            let mut kita =
                StoredDoc::create(id.clone(), meta.clone(), &contract(), b"kita", day, 1).unwrap();
            let mut office = StoredDoc::load(id, &kita.save(), b"office").unwrap();
            change(&mut kita, february, kita_line);
            change(&mut office, february, office_line);
            kita.merge_bytes(&office.save()).unwrap();
            office.merge_bytes(&kita.save()).unwrap();
            assert_eq!(
                kita.value::<CareContract>().unwrap().same_day_changes(),
                [february]
            );

            change(&mut office, february, "line-settled");
            change(&mut kita, march, "line-march");
            kita.merge_bytes(&office.save()).unwrap();
            let merged: CareContract = kita.value().unwrap();
            let mut ids: Vec<&str> = merged.lines.iter().map(|l| l.id.0.as_str()).collect();
            ids.sort();
            assert_eq!(
                ids,
                ["line-1", "line-march", "line-settled"],
                "{kita_line} first"
            );
            assert!(merged.same_day_changes().is_empty());
        }
    }

    /// Regression (found by the convergence proptest): a change that keeps a line must keep
    /// that line's list element. similar 2.7.0, through which autosurgeon reconciles lists,
    /// deleted and re-inserted every kept element behind a common prefix, so a line the Kita
    /// replaced at the same time came back (fixed in vendor/similar, see the root Cargo.toml).
    #[test]
    fn a_line_kept_by_a_change_stays_the_same_list_element() {
        use crate::doc::StoredDoc;
        use crate::ids::{OrgId, ProviderId};
        use crate::meta::{DocKind, DocMeta};
        use crate::DocId;
        let day = Date::ymd(2026, 11, 2);
        let month = |m| Date::ymd(2027, m, 1);
        let meta = DocMeta {
            kind: DocKind::CareContract,
            schema: 1,
            owner: OrgId("org-prov-1".into()),
            provider: Some(ProviderId("prov-1".into())),
            facilities: vec![FacilityId("fac-1".into())],
            origin_node: "kita-1".into(),
            created_on: day,
        };
        let change = |doc: &mut StoredDoc, from: Date, id: &str| {
            let mut c: CareContract = doc.value().unwrap();
            c.change_from(from, line(id, from, None, 6)).unwrap();
            doc.update(&c, day, 2, "change").unwrap();
        };
        let id = DocId("doc-contract-ctr-1".into());
        let mut kita = StoredDoc::create(id.clone(), meta, &contract(), b"kita", day, 1).unwrap();
        let mut office = StoredDoc::load(id, &kita.save(), b"office").unwrap();
        // A collision in February, and the office's change from March; both sides see it all.
        change(&mut kita, month(2), "line-k2");
        change(&mut office, month(2), "line-o2");
        change(&mut office, month(3), "line-o3");
        kita.merge_bytes(&office.save()).unwrap();
        office.merge_bytes(&kita.save()).unwrap();
        // Then at the same time: the office settles February (keeping its March line), the
        // Kita replaces the March line.
        change(&mut office, month(2), "line-feb");
        change(&mut kita, month(3), "line-mar");
        kita.merge_bytes(&office.save()).unwrap();
        let merged: CareContract = kita.value().unwrap();
        let mut ids: Vec<&str> = merged.lines.iter().map(|l| l.id.0.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["line-1", "line-feb", "line-mar"]);
        assert!(merged.same_day_changes().is_empty());
    }

    #[test]
    fn two_changes_from_the_same_day_are_reported_not_hidden() {
        let mut c = contract();
        let march = Date::ymd(2027, 3, 1);
        c.lines[0].valid =
            Period::new(Date::ymd(2026, 8, 1), Some(Date::ymd(2027, 2, 28))).unwrap();
        c.lines.push(line("line-a", march, None, 6));
        c.lines.push(line("line-b", march, None, 8));
        assert_eq!(c.same_day_changes(), [march]);
        let read = c.effective_lines();
        assert_eq!(read.len(), 2);
        assert_eq!(
            read[1].id.0, "line-b",
            "deterministic: the larger line id is read"
        );
        // A new change from that day replaces both: the person's decision settles it.
        c.change_from(march, line("line-c", march, None, 7))
            .unwrap();
        assert!(c.same_day_changes().is_empty());
        assert_eq!(c.line_on(march).unwrap().id.0, "line-c");
    }

    #[test]
    fn collisions_on_two_days_can_be_settled_one_after_the_other() {
        // Kita and Träger office both entered the changes from March and from May offline.
        let mut c = contract();
        let (march, may) = (Date::ymd(2027, 3, 1), Date::ymd(2027, 5, 1));
        c.lines[0].valid =
            Period::new(Date::ymd(2026, 8, 1), Some(Date::ymd(2027, 2, 28))).unwrap();
        for (id, start, end) in [
            ("line-k3", march, Some(Date::ymd(2027, 4, 30))),
            ("line-t3", march, Some(Date::ymd(2027, 4, 30))),
            ("line-k5", may, None),
            ("line-t5", may, None),
        ] {
            c.lines.push(line(id, start, end, 6));
        }
        assert_eq!(c.same_day_changes(), [march, may]);
        c.change_from(march, line("line-n3", march, None, 7))
            .expect("the March collision is settled although May's remains");
        assert_eq!(c.same_day_changes(), [may]);
        c.change_from(may, line("line-n5", may, None, 8)).unwrap();
        assert!(c.same_day_changes().is_empty());
        let read: Vec<String> = c.effective_lines().into_iter().map(|l| l.id.0).collect();
        assert_eq!(read, ["line-1", "line-n3", "line-n5"]);
        assert!(c.validate().is_ok());
    }

    #[test]
    fn a_school_exit_ends_the_contract_without_notice_and_keeps_the_reason() {
        let mut c = contract();
        c.lines
            .push(line("line-later", Date::ymd(2027, 9, 1), None, 6));
        c.end_for_school(Date::ymd(2027, 7, 31)).unwrap();
        assert_eq!(c.period.end(), Some(Date::ymd(2027, 7, 31)));
        assert_eq!(c.notice_given_on, None, "Satzung § 9 (5): no notice needed");
        assert_eq!(c.notice_reason.as_deref(), Some("school"));
        assert!(
            c.lines
                .iter()
                .all(|l| l.valid.start() <= Date::ymd(2027, 7, 31)),
            "a line after the exit is dropped"
        );
        let err = c.end_for_school(Date::ymd(2027, 8, 31)).unwrap_err();
        assert_eq!(err.errors[0].field, "end", "not past the agreed end");
    }

    #[test]
    fn a_deferred_child_keeps_the_place_a_year_longer_and_an_early_entrant_leaves_earlier() {
        let mut c = contract();
        c.period = Period::new(Date::ymd(2026, 8, 1), Some(Date::ymd(2027, 7, 31))).unwrap();
        c.lines[0].valid = c.period;
        c.move_school_end(Date::ymd(2028, 7, 31)).unwrap();
        assert_eq!(c.period.end(), Some(Date::ymd(2028, 7, 31)));
        assert_eq!(c.lines[0].valid.end(), Some(Date::ymd(2028, 7, 31)));
        assert_eq!(c.notice_reason, None, "not an exit");
        c.move_school_end(Date::ymd(2026, 7, 31)).unwrap_err();
        c.move_school_end(Date::ymd(2027, 7, 31)).unwrap();
        assert_eq!(
            c.line_on(Date::ymd(2027, 7, 31)).unwrap().valid.end(),
            Some(Date::ymd(2027, 7, 31))
        );
        assert!(c.line_on(Date::ymd(2027, 8, 1)).is_none());
    }

    #[test]
    fn a_contract_written_before_school_marks_existed_reads_without_one() {
        use automerge::transaction::Transactable;
        use automerge::ReadDoc;
        let c = contract();
        let mut doc = automerge::AutoCommit::new();
        autosurgeon::reconcile(&mut doc, &c).unwrap();
        let mut map = doc.get(automerge::ROOT, "school_entry").unwrap();
        assert!(map.is_some(), "written as null");
        doc.delete(automerge::ROOT, "school_entry").unwrap();
        map = doc.get(automerge::ROOT, "school_entry").unwrap();
        assert!(map.is_none());
        let read: CareContract = autosurgeon::hydrate(&doc).unwrap();
        assert_eq!(read.school_entry, None);
        let mut marked = c.clone();
        marked.school_entry = Some(SchoolEntryMark {
            rule: SchoolEntryRule::Deferred,
            school_year: 2028,
            recorded_on: Date::ymd(2027, 3, 1),
        });
        autosurgeon::reconcile(&mut doc, &marked).unwrap();
        let read: CareContract = autosurgeon::hydrate(&doc).unwrap();
        assert_eq!(read.school_entry, marked.school_entry);
    }
}
