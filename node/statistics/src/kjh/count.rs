//! The count: who is in the statistic on the Stichtag and what goes on the form.

use super::opening::{closing_answer, opening_answer, weekly_opening_minutes};
use super::report::{
    ChildRecord, DomesticStaffRecord, Exclusion, ExclusionReason, FacilityRecord, KjhError,
    KjhReport, Note, ScopeFinding, StaffRecord, WorkAreaRecord,
};
use super::{
    AbsenceKind, CareContract, Child, Disability, EmploymentBasis, Facility, KjhInput, ParentRole,
    StaffMember, StaffRole, WeekHours, WorkAreaHours,
};
use crate::ids::{ChildId, GroupId};
use crate::numbers::{round_half_up, OnePlace};
use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// "Einrichtungen ohne feste Gruppenstruktur tragen bitte eine „99“ ein" (L33300–33301).
pub const WITHOUT_FIXED_GROUPS: u32 = 99;
/// How far back the closure rule looks for an open month end before giving up.
const MAX_MONTHS_BACK: u32 = 24;

/// Counts one facility. `Err` lists every input problem of the records that count.
pub fn count(input: &KjhInput) -> Result<KjhReport, Vec<KjhError>> {
    let facility = &input.facility;
    let date = effective_reference_date(input.reference_date, facility).ok_or_else(|| {
        vec![KjhError::NoOpenMonthEnd {
            date: input.reference_date,
            months: MAX_MONTHS_BACK,
        }]
    })?;
    let mut run = Run {
        date,
        facility,
        group_numbers: group_numbers(input),
        errors: Vec::new(),
        exclusions: Vec::new(),
        notes: Vec::new(),
    };
    if facility.fixed_groups && input.groups.is_empty() {
        run.errors.push(KjhError::NoGroups);
    }

    let mut children: Vec<ChildRecord> = input
        .children
        .iter()
        .filter_map(|child| run.child(child))
        .collect();
    let mut staff = Vec::new();
    let mut domestic_staff = Vec::new();
    for member in &input.staff {
        match run.staff_member(member) {
            Some(Counted::Pedagogical(record)) => staff.push(record),
            Some(Counted::Domestic(record)) => domestic_staff.push(record),
            None => {}
        }
    }
    if !run.errors.is_empty() {
        return Err(run.errors);
    }

    children.sort_by(|a, b| (a.group_number, &a.id).cmp(&(b.group_number, &b.id)));
    staff.sort_by(|a, b| a.id.cmp(&b.id));
    domestic_staff.sort_by(|a, b| a.id.cmp(&b.id));
    number_lines(&mut children, |c, n| c.line = n);
    number_lines(&mut staff, |s, n| s.line = n);
    number_lines(&mut domestic_staff, |s, n| s.line = n);

    let units = opening_units(input, &children);
    let record = FacilityRecord {
        traeger_art: facility.traeger_art,
        rechtsform: facility.rechtsform,
        opens_early: opening_answer(&units),
        closes_late: closing_answer(&units),
        // "die überwiegende Zahl der Plätze" (L33205).
        mainly_employees_children: 2 * u64::from(facility.places_for_employees_children)
            > u64::from(facility.approved_places),
        parent_initiative: facility.parent_initiative,
        approved_places: facility.approved_places,
        groups: if facility.fixed_groups {
            u32::try_from(input.groups.len()).unwrap_or(u32::MAX)
        } else {
            1
        },
        without_fixed_groups: !facility.fixed_groups,
        children: u32::try_from(children.len()).unwrap_or(u32::MAX),
    };
    let scope = scope_findings(
        input,
        date,
        &record,
        &children,
        staff.len() + domestic_staff.len(),
    );
    Ok(KjhReport {
        reference_date: date,
        facility: record,
        children,
        staff,
        domestic_staff,
        exclusions: run.exclusions,
        notes: run.notes,
        scope,
    })
}

/// "Bei Einrichtungen, die zu diesem Zeitpunkt vorübergehend geschlossen sind, gilt als
/// Stichtag das letzte vorausgehende Monatsende, an dem die Einrichtung noch geöffnet war"
/// (L30410–30412).
pub fn effective_reference_date(date: NaiveDate, facility: &Facility) -> Option<NaiveDate> {
    let closed = |day: NaiveDate| facility.closures.iter().any(|p| p.contains(day));
    if !closed(date) {
        return Some(date);
    }
    let mut month_end = date;
    for _ in 0..MAX_MONTHS_BACK {
        month_end = month_end.with_day(1)? - Days::new(1);
        if !closed(month_end) {
            return Some(month_end);
        }
    }
    None
}

/// Groups numbered 1, 2, … in the order of their ids ("die Gruppe fortlaufend zu nummerieren",
/// L33297–33298); empty without a fixed group structure.
fn group_numbers(input: &KjhInput) -> BTreeMap<&GroupId, u32> {
    if !input.facility.fixed_groups {
        return BTreeMap::new();
    }
    let mut ids: Vec<&GroupId> = input.groups.iter().map(|g| &g.id).collect();
    ids.sort();
    ids.dedup();
    ids.into_iter().zip(1..).collect()
}

fn number_lines<T>(records: &mut [T], set: impl Fn(&mut T, u32)) {
    for (record, n) in records.iter_mut().zip(1..) {
        set(record, n);
    }
}

enum Counted {
    Pedagogical(StaffRecord),
    Domestic(DomesticStaffRecord),
}

/// The state of one count: the Stichtag and what it has found so far.
struct Run<'a> {
    date: NaiveDate,
    facility: &'a Facility,
    group_numbers: BTreeMap<&'a GroupId, u32>,
    errors: Vec<KjhError>,
    exclusions: Vec<Exclusion>,
    notes: Vec<Note>,
}

impl Run<'_> {
    fn exclude(&mut self, kind: &str, id: &str, reason: ExclusionReason) {
        let message = format!("{kind} {id} not counted: {}", reason.explain(self.date));
        self.exclusions.push(Exclusion {
            record: format!("{kind}:{id}"),
            reason,
            message,
        });
    }

    fn note(&mut self, record: &str, message: String) {
        self.notes.push(Note {
            record: record.to_owned(),
            message: format!("{record}: {message}"),
        });
    }

    fn invalid(&mut self, record: &str, what: impl Into<String>) {
        self.errors.push(KjhError::InvalidValue {
            record: record.to_owned(),
            what: what.into(),
        });
    }

    /// The group number of a contract or work area: 99 without fixed groups (L33300–33301).
    fn group_number(&mut self, record: &str, group: Option<&GroupId>) -> Option<u32> {
        if !self.facility.fixed_groups {
            return Some(WITHOUT_FIXED_GROUPS);
        }
        let Some(group) = group else {
            self.errors.push(KjhError::GroupMissing {
                record: record.to_owned(),
            });
            return None;
        };
        let number = self.group_numbers.get(group).copied();
        if number.is_none() {
            self.errors.push(KjhError::UnknownGroup {
                record: record.to_owned(),
                group: group.0.clone(),
            });
        }
        number
    }

    fn child(&mut self, child: &Child) -> Option<ChildRecord> {
        let record = format!("child:{}", child.id);
        let running: Vec<&CareContract> = child
            .contracts
            .iter()
            .filter(|c| c.term.contains(self.date))
            .collect();
        let contract = match running[..] {
            [] => {
                self.exclude(
                    "child",
                    &child.id.0,
                    ExclusionReason::NoContractOnReferenceDate,
                );
                return None;
            }
            [one] => one,
            _ => {
                self.errors.push(KjhError::OverlappingContracts {
                    record,
                    date: self.date,
                });
                return None;
            }
        };
        let errors_before = self.errors.len();
        let group_number = self.group_number(&record, contract.group.as_ref());
        if contract.weekly_hours < Decimal::ZERO {
            self.invalid(&record, "weekly hours must not be negative");
        }
        if contract.days_per_week > 7 || contract.lunch_days_per_week > contract.days_per_week {
            self.invalid(
                &record,
                "days per week must be 0-7 and lunch days at most the care days",
            );
        }
        if self.errors.len() > errors_before {
            return None;
        }

        // "Vor- und nachmittags mit Unterbrechung über Mittag ist nicht für Schulkinder
        // anzukreuzen" (L33323–33327).
        let midday_break = contract.midday_break && !child.in_school;
        if contract.midday_break && child.in_school {
            self.note(
                &record,
                "midday break not ticked for a school child (L33323-33327)".to_owned(),
            );
        }
        let (physical, mental, emotional) = self.integration_aid(&record, child);
        Some(ChildRecord {
            id: child.id.clone(),
            group_number: group_number?,
            line: 0,
            birth_month: child.birth_date.month(),
            birth_year: child.birth_date.year(),
            sex: child.sex.code(),
            weekly_hours: round_half_up(contract.weekly_hours, 0)
                .to_u32()
                .unwrap_or(u32::MAX),
            days_per_week: contract.days_per_week,
            weekend_care: contract.weekend_care,
            midday_break,
            // "an mindestens der Hälfte der betreuten Tage pro Woche" (L33330–33332).
            lunch: contract.lunch_days_per_week > 0
                && 2 * contract.lunch_days_per_week >= contract.days_per_week,
            in_school: child.in_school,
            foreign_origin: foreign_origin(child),
            non_german_language: child.non_german_family_language,
            integration_physical: physical,
            integration_mental: mental,
            integration_emotional: emotional,
        })
    }

    /// Ticked only with an official decision or expert opinion (L33376, L33383–33386); several
    /// disabilities tick several boxes (L33377–33379).
    fn integration_aid(&mut self, record: &str, child: &Child) -> (bool, bool, bool) {
        let mut ticked = (false, false, false);
        for aid in &child.integration_aid {
            if !aid.official_decision {
                self.note(
                    record,
                    format!(
                        "integration aid ({:?}) not ticked: no official decision or expert opinion (L33383-33386)",
                        aid.disability
                    ),
                );
                continue;
            }
            match aid.disability {
                Disability::Physical => ticked.0 = true,
                Disability::Mental => ticked.1 = true,
                Disability::Emotional => ticked.2 = true,
            }
        }
        ticked
    }

    fn staff_member(&mut self, member: &StaffMember) -> Option<Counted> {
        let record = format!("staff:{}", member.id);
        if let Some(reason) = self.staff_exclusion(member) {
            self.exclude("staff", &member.id.0, reason);
            return None;
        }
        // "Weist der Honorarvertrag keine bestimmte Stundenzahl aus, sind die tatsächlich
        // geleisteten Stunden im Wochendurchschnitt anzugeben" (L33467–33469).
        let hours = match (member.weekly_hours, member.actual_weekly_hours) {
            (Some(hours), _) => hours,
            (None, Some(actual)) => {
                self.note(
                    &record,
                    format!("no contracted hours: the actual weekly average {actual} is reported (L33467-33469)"),
                );
                actual
            }
            (None, None) => {
                self.errors.push(KjhError::NoHours { record });
                return None;
            }
        };
        if hours < Decimal::ZERO {
            self.invalid(&record, "weekly hours must not be negative");
            return None;
        }
        match &member.role {
            StaffRole::DomesticTechnical { .. } => Some(Counted::Domestic(DomesticStaffRecord {
                id: member.id.clone(),
                line: 0,
                sex: member.sex.code(),
                weekly_hours: OnePlace(round_half_up(hours, 1)),
            })),
            StaffRole::Pedagogical {
                position,
                training_key,
                work_areas,
            } => {
                let work_areas = self.work_areas(&record, hours, work_areas)?;
                Some(Counted::Pedagogical(StaffRecord {
                    id: member.id.clone(),
                    line: 0,
                    sex: member.sex.code(),
                    birth_month: member.birth_date.month(),
                    birth_year: member.birth_date.year(),
                    position: *position,
                    training_key: *training_key,
                    work_areas,
                }))
            }
        }
    }

    /// The first rule that leaves the person out, in the order of the Erläuterungen.
    fn staff_exclusion(&self, member: &StaffMember) -> Option<ExclusionReason> {
        if !member.contract.contains(self.date) {
            return Some(ExclusionReason::NotEmployedOnReferenceDate);
        }
        match member.basis {
            EmploymentBasis::OneEuroJob => return Some(ExclusionReason::OneEuroJob),
            EmploymentBasis::Volunteer => return Some(ExclusionReason::Volunteer),
            EmploymentBasis::Employment | EmploymentBasis::Marginal => {}
        }
        if let Some(absence) = member
            .absences
            .iter()
            .find(|a| a.period.contains(self.date))
        {
            return Some(match absence.kind {
                AbsenceKind::ParentalLeave => ExclusionReason::ParentalLeave,
                AbsenceKind::PartialRetirementRelease => ExclusionReason::PartialRetirementRelease,
                AbsenceKind::LongTermIllness => ExclusionReason::LongTermIllness,
            });
        }
        if member.basis == EmploymentBasis::Marginal && !member.contract.lasts_at_least_months(3) {
            return Some(ExclusionReason::MarginalUnderThreeMonths);
        }
        if matches!(
            member.role,
            StaffRole::DomesticTechnical {
                external_firm: true
            }
        ) {
            return Some(ExclusionReason::ExternalFirm);
        }
        None
    }

    /// Up to two areas, most hours first (L33413–33419). Further areas' hours are shared
    /// evenly by the two (L33438–33440). Rounded to one place, the first area takes what keeps
    /// the sum equal to the rounded total (L33435–33437).
    fn work_areas(
        &mut self,
        record: &str,
        total: Decimal,
        areas: &[WorkAreaHours],
    ) -> Option<Vec<WorkAreaRecord>> {
        if areas.is_empty() {
            self.errors.push(KjhError::NoWorkArea {
                record: record.to_owned(),
            });
            return None;
        }
        if areas.iter().any(|a| a.weekly_hours < Decimal::ZERO) {
            self.invalid(record, "work-area hours must not be negative");
            return None;
        }
        let sum: Decimal = areas.iter().map(|a| a.weekly_hours).sum();
        if sum != total {
            self.errors.push(KjhError::WorkAreaHoursMismatch {
                record: record.to_owned(),
                areas: sum,
                total,
            });
            return None;
        }
        let mut sorted: Vec<&WorkAreaHours> = areas.iter().collect();
        sorted.sort_by_key(|a| std::cmp::Reverse(a.weekly_hours));
        let rest: Decimal = sorted.iter().skip(2).map(|a| a.weekly_hours).sum();
        if sorted.len() > 2 {
            self.note(
                record,
                format!(
                    "{} work areas: the two with most hours are reported, the other {rest} hours shared evenly between them (L33418-33419, L33438-33440)",
                    sorted.len()
                ),
            );
        }
        sorted.truncate(2);
        let share = rest / Decimal::from(sorted.len());
        let mut hours: Vec<Decimal> = sorted
            .iter()
            .map(|a| round_half_up(a.weekly_hours + share, 1))
            .collect();
        hours[0] = round_half_up(total, 1) - hours[1..].iter().copied().sum::<Decimal>();

        let mut records = Vec::new();
        for (area, hours) in sorted.into_iter().zip(hours) {
            let group_number = if area.area.names_group() {
                Some(self.group_number(record, area.group.as_ref())?)
            } else {
                None
            };
            records.push(WorkAreaRecord {
                area: area.area,
                group_number,
                weekly_hours: OnePlace(hours),
            });
        }
        Some(records)
    }
}

/// "ob die Mutter und/oder der Vater des Kindes aus dem Ausland stammen … die aktuelle
/// Staatsangehörigkeit der Eltern nicht maßgeblich. Leben die Eltern nicht mehr zusammen …
/// nur die Situation des Elternteils …, bei dem das Kind lebt. Im Falle einer neuen
/// Partnerschaft … die Situation des neuen Partners mitberücksichtigt" (L33336–33340). The
/// figures living with the child count; when none does, mother and father.
fn foreign_origin(child: &Child) -> bool {
    let living_with: Vec<_> = child
        .parents
        .iter()
        .filter(|p| p.lives_with_child)
        .collect();
    if living_with.is_empty() {
        child
            .parents
            .iter()
            .filter(|p| p.role != ParentRole::PartnerOfParent)
            .any(|p| p.from_abroad)
    } else {
        living_with.iter().any(|p| p.from_abroad)
    }
}

/// For C 1/2: each group with its children, or the facility as one unit.
fn opening_units<'a>(input: &'a KjhInput, children: &[ChildRecord]) -> Vec<(&'a WeekHours, u32)> {
    let facility = &input.facility;
    if !facility.fixed_groups || input.groups.is_empty() {
        let all = u32::try_from(children.len()).unwrap_or(u32::MAX);
        return vec![(&facility.opening_hours, all)];
    }
    let numbers = group_numbers(input);
    input
        .groups
        .iter()
        .map(|group| {
            let number = numbers[&group.id];
            let in_group = children.iter().filter(|c| c.group_number == number).count();
            (
                group
                    .opening_hours
                    .as_ref()
                    .unwrap_or(&facility.opening_hours),
                u32::try_from(in_group).unwrap_or(u32::MAX),
            )
        })
        .collect()
}

/// Minimum weekly opening and attendance: "mindestens 10 Stunden".
const TEN_HOURS: Decimal = Decimal::from_parts(10, 0, 0, false, 0);

/// The survey counts only facilities with at least 10 places of which at least 5 are taken, at
/// least one person not working as a volunteer, opening at least 10 hours a week, and a
/// contracted regular minimum attendance of 10 hours a week (L32906–32924).
fn scope_findings(
    input: &KjhInput,
    date: NaiveDate,
    facility: &FacilityRecord,
    children: &[ChildRecord],
    staff: usize,
) -> Vec<ScopeFinding> {
    let mut findings = Vec::new();
    let mut finding = |record: &str, message: String| {
        findings.push(ScopeFinding {
            record: record.to_owned(),
            message: format!("{record}: {message}"),
        })
    };
    if facility.approved_places < 10 {
        finding(
            "facility",
            format!(
                "{} approved places, the survey needs at least 10 (L32910)",
                facility.approved_places
            ),
        );
    }
    if facility.children < 5 {
        finding(
            "facility",
            format!(
                "{} places taken, the survey needs at least 5 (L32910-32911)",
                facility.children
            ),
        );
    }
    if staff == 0 {
        finding(
            "facility",
            "nobody counted works other than as a volunteer (L32915)".to_owned(),
        );
    }
    let mut hours: Vec<&WeekHours> = vec![&input.facility.opening_hours];
    hours.extend(input.groups.iter().filter_map(|g| g.opening_hours.as_ref()));
    let minutes = weekly_opening_minutes(&hours);
    if Decimal::from(minutes) < TEN_HOURS * Decimal::from(60) {
        finding(
            "facility",
            format!(
                "open {} hours a week, the survey needs at least 10 (L32919)",
                (Decimal::from(minutes) / Decimal::from(60)).normalize()
            ),
        );
    }
    let counted: std::collections::BTreeSet<&ChildId> = children.iter().map(|c| &c.id).collect();
    for child in input.children.iter().filter(|c| counted.contains(&c.id)) {
        let hours = child
            .contracts
            .iter()
            .find(|c| c.term.contains(date))
            .map(|c| c.weekly_hours);
        if let Some(hours) = hours.filter(|h| *h < TEN_HOURS) {
            finding(
                &format!("child:{}", child.id),
                format!("contracted for {hours} hours a week, under the regular minimum attendance of 10 (L32923-32924)"),
            );
        }
    }
    findings
}
