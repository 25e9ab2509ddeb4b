//! A childminder's file: permits, proofs, children, capacity, the year's absences and a
//! month's running payment; and the month's payment list of every childminder.

use super::*;

/// A child with the childminder, as the file lists it.
#[derive(Debug, Clone, Serialize)]
pub struct PlacementRow {
    pub id: String,
    pub child: String,
    pub birth_date: String,
    pub kind: &'static str,
    pub is_reservation: bool,
    pub substitute_for: Option<String>,
    pub period: String,
    pub daily_hours: String,
    /// Not ended by today: it can be ended (or, as a reservation, concluded).
    pub open: bool,
}

/// A range with more children than places.
#[derive(Debug, Clone, Serialize)]
pub struct CapacityLine {
    pub period: String,
    pub children: Vec<String>,
    pub places: u32,
}

/// One allowance of the year: vacation, sick or training days and how many are used.
#[derive(Debug, Clone, Serialize)]
pub struct AllowanceLine {
    pub label: &'static str,
    pub days: u32,
    pub used: u32,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AbsenceRow {
    pub kind: &'static str,
    pub period: String,
    pub care_days: u32,
    pub paid: bool,
    pub explanation: String,
}

/// One line of the running payment.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentRow {
    pub child: String,
    pub period: String,
    pub daily_hours: String,
    pub tier_hours: String,
    pub amount: String,
    pub explanation: Vec<String>,
}

/// The running payment of one month.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    pub month: String,
    pub lines: Vec<PaymentRow>,
    pub subtotal: String,
    pub deduction: Option<(String, String)>,
    /// The care payment after the deduction.
    pub total: String,
    /// The insurance refunds and grants paid with this month (running amounts, a back-payment,
    /// the BGW, one-off grants).
    pub refunds: String,
    pub refund_lines: Vec<String>,
    /// What is paid out: the care payment and the refunds.
    pub payout: String,
    /// Care without a permit in force: not paid, with the reason.
    pub unpaid: Vec<String>,
    /// The amount table is an example, not a municipal decision.
    pub example_table: bool,
    /// The same amounts as numbers, for the payout file.
    #[serde(skip)]
    pub figures: PayoutFigures,
}

/// A month's payment in numbers: what the payout file is written from.
#[derive(Debug, Clone, Copy, Default)]
pub struct PayoutFigures {
    pub care_payment: tp::Money,
    pub deduction: tp::Money,
    pub refunds: tp::Money,
    pub grants: tp::Money,
}

/// A childminder's file: profile, permits and proofs with their states, the children, the
/// capacity conflicts, the year's absences and a month's payment.
#[derive(Debug, Clone, Serialize)]
pub struct ChildminderView {
    pub profile: ChildminderProfile,
    pub watch: Vec<WatchLine>,
    pub permits: Vec<String>,
    pub placements: Vec<PlacementRow>,
    pub over_capacity: Vec<CapacityLine>,
    pub year: i32,
    pub allowances: Vec<AllowanceLine>,
    pub absences: Vec<AbsenceRow>,
    pub payment: PaymentView,
    pub refunds: Vec<RefundView>,
    pub grants: Vec<GrantView>,
    /// Her account for the payments, masked (`DE89 **** **** **** **30 00`); empty: none. The
    /// office's form shows it in full (`bank_account`).
    pub iban: String,
}

/// The file of childminder `id` with the payment of `month`.
pub fn childminder(
    store: &Store,
    who: &Principal,
    rules: &Rules,
    id: &str,
    month: tp::Month,
    today: Date,
) -> Result<ChildminderView, ActionError> {
    authorize_view(store, who)?;
    let profile = load_profile(store, id)?;
    file_of(store, rules, profile, month, today)
}

/// The file of `profile`, for whoever was authorised to read it (the office, or the
/// childminder herself).
pub(super) fn file_of(
    store: &Store,
    rules: &Rules,
    profile: ChildminderProfile,
    month: tp::Month,
    today: Date,
) -> Result<ChildminderView, ActionError> {
    // Her own documents only: the file, her placements, and the profiles of the childminders
    // she stands in for.
    let case = case_of(store, &profile.id)?;
    let case = case.as_ref();
    let record = record_of(&profile.id, case);
    let held_placements = placements_of(store, &profile.id)?;
    let mut names: BTreeMap<String, String> =
        BTreeMap::from([(profile.id.0.clone(), profile.name.clone())]);
    for regular in held_placements
        .iter()
        .filter_map(|p| p.substitute_for.as_ref())
    {
        if let Ok(other) = load_profile(store, &regular.0) {
            names.insert(other.id.0, other.name);
        }
    }
    let watch = tp::register::watch(&record, today.0, &rules.register)
        .map_err(rules_error)?
        .iter()
        .map(|w| watch_line(w, &names))
        .collect();
    let permits = record
        .permits
        .iter()
        .map(|p| {
            tp::register::permit_period(&record.id, p, &rules.register)
                .map(|(period, _)| format!("{}: {} Plätze", period_text(&period), p.places))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(rules_error)?;
    let mine: Vec<&ChildminderPlacement> = held_placements.iter().collect();
    let child = child_names(&mine);
    let name_of = |r: &tp::ChildRef| child.get(&r.0).cloned().unwrap_or_else(|| r.0.clone());
    let mut placements: Vec<PlacementRow> = mine
        .iter()
        .map(|p| PlacementRow {
            id: p.id.0.clone(),
            child: format!("{}, {}", p.child_family_name, p.child_given_name),
            birth_date: german(p.birth_date.0),
            kind: p.label(),
            is_reservation: p.kind == "reservation",
            substitute_for: p
                .substitute_for
                .as_ref()
                .map(|r| names.get(&r.0).cloned().unwrap_or_else(|| r.0.clone())),
            period: period_text(&tp_period(&p.period)),
            daily_hours: p.daily_hours.0.normalize().to_string(),
            open: p.period.end().is_none_or(|e| e >= today),
        })
        .collect();
    placements.sort_by(|a, b| (!a.open, &a.child).cmp(&(!b.open, &b.child)));
    let permit_places =
        tp::register::permit_places(&record, &rules.register).map_err(rules_error)?;
    let occupants: Vec<tp::Occupant> = mine.iter().map(|p| occupant(p)).collect();
    let over_capacity = tp::timeline(&permit_places, &occupants, &rules.capacity)
        .map_err(rules_error)?
        .into_iter()
        // Only more children than places: care beyond the permit's end is the renewal's matter
        // (the watch list) and unpaid until then (the payment says so).
        .filter(|s| s.is_over())
        .map(|s| CapacityLine {
            period: period_text(&s.period),
            children: s.present.iter().map(|o| name_of(&o.child)).collect(),
            places: s.capacity.unwrap_or(0),
        })
        .collect();
    let year = month.year();
    let ledger = absence_ledger(&record, case, year, rules)?;
    let allowances = ledger
        .allowances
        .iter()
        .map(|a| AllowanceLine {
            label: match a.allowance {
                tp::absence::Allowance::Vacation => "Urlaub",
                tp::absence::Allowance::Sick => "Krankheit",
                tp::absence::Allowance::Training => "Fortbildung",
            },
            days: a.days,
            used: a.used,
            explanation: a.explanation.to_string(),
        })
        .collect();
    let absences = ledger
        .lines
        .iter()
        .map(|l| AbsenceRow {
            kind: match l.kind {
                tp::AbsenceKind::Vacation { .. } => "Urlaub",
                tp::AbsenceKind::Sick { .. } => "Krankheit",
                tp::AbsenceKind::Training { .. } => "Fortbildung",
                tp::AbsenceKind::Other => "Sonstige",
            },
            period: period_text(&l.period),
            care_days: l.care_days,
            paid: l.paid,
            explanation: l.explanation.to_string(),
        })
        .collect();
    let payment = payment_of(
        case,
        &record,
        &mine,
        month,
        ledger.month(month),
        rules,
        &name_of,
    )?;
    Ok(ChildminderView {
        profile,
        watch,
        permits,
        placements,
        over_capacity,
        year,
        allowances,
        absences,
        payment,
        refunds: refunds_of(case),
        grants: grants_of(case),
        iban: case.map(|c| masked_iban(&c.iban)).unwrap_or_default(),
    })
}

fn absence_ledger(
    record: &tp::ChildminderRecord,
    case: Option<&ChildminderCase>,
    year: i32,
    rules: &Rules,
) -> Result<tp::AbsenceLedger, ActionError> {
    let activity = tp::register::permit_coverage(record, &rules.register).map_err(rules_error)?;
    let absences: Vec<tp::Absence> = case
        .map(|c| c.absences.iter().map(absence_of).collect())
        .unwrap_or_default();
    let holidays = tp::holidays::saxony(year);
    tp::ledger(
        &tp::AbsenceYear {
            year,
            activity: &activity,
            absences: &absences,
            holidays: &holidays,
            curriculum: false,
        },
        &rules.absence,
    )
    .map_err(rules_error)
}

fn absence_of(a: &CaseAbsence) -> tp::Absence {
    let met = a.condition_met;
    tp::Absence {
        kind: match a.kind.as_str() {
            "vacation" => tp::AbsenceKind::Vacation { announced: met },
            "sick" => tp::AbsenceKind::Sick { proven: met },
            "training" => tp::AbsenceKind::Training { approved: met },
            _ => tp::AbsenceKind::Other,
        },
        period: tp_period(&a.period),
    }
}

/// The running payment of `month` for the placements that are paid: agreements and substitute
/// care (a reservation is not care yet).
fn payment_of(
    case: Option<&ChildminderCase>,
    record: &tp::ChildminderRecord,
    placements: &[&ChildminderPlacement],
    month: tp::Month,
    absence: Option<&tp::absence::MonthAbsence>,
    rules: &Rules,
    name_of: &dyn Fn(&tp::ChildRef) -> String,
) -> Result<PaymentView, ActionError> {
    let cares: Vec<tp::CareLine> = placements
        .iter()
        .filter(|p| p.kind != "reservation")
        .map(|p| tp::CareLine {
            child: tp::ChildRef(p.id.0.clone()),
            period: tp_period(&p.period),
            daily_hours: p.daily_hours.0,
        })
        .collect();
    let permits = tp::register::permit_coverage(record, &rules.register).map_err(rules_error)?;
    let paid = tp::monthly_payment(month, &cares, &permits, &rules.amounts, absence)
        .map_err(rules_error)?;
    let example_table =
        tp::explain::in_force(&rules.amounts, |t| t.valid_from, month.period().start())
            .is_some_and(|t| t.example);
    // Refunds and one-off grants are paid with the month's running payment.
    let (refunds, mut refund_lines) = refunds_in(case, month);
    let (granted, grant_lines) = grants_in(case, month);
    let figures = PayoutFigures {
        care_payment: paid.subtotal,
        deduction: paid
            .deduction
            .as_ref()
            .map_or(tp::Money::ZERO, |d| d.amount),
        refunds,
        grants: granted,
    };
    let refunds = refunds + granted;
    refund_lines.extend(grant_lines);
    Ok(PaymentView {
        month: format!("{:02}/{}", month.number(), month.year()),
        lines: paid
            .lines
            .iter()
            .map(|l| PaymentRow {
                child: name_of(&l.child),
                period: period_text(&l.period),
                daily_hours: l.daily_hours.normalize().to_string(),
                tier_hours: l.tier_hours.normalize().to_string(),
                amount: l.amount.to_string(),
                explanation: l.explanation.iter().map(|e| e.to_string()).collect(),
            })
            .collect(),
        subtotal: paid.subtotal.to_string(),
        deduction: paid
            .deduction
            .as_ref()
            .map(|d| (d.amount.to_string(), d.explanation.to_string())),
        total: paid.total.to_string(),
        refunds: refunds.to_string(),
        refund_lines,
        payout: (paid.total + refunds).to_string(),
        unpaid: paid
            .unpaid_without_permit
            .iter()
            .map(|(child, period, why)| {
                format!("{}: {} ({why})", name_of(child), period_text(period))
            })
            .collect(),
        example_table,
        figures,
    })
}

/// One line of the month's payment list: a childminder and her total.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentListRow {
    pub id: String,
    pub name: String,
    pub children: usize,
    pub subtotal: String,
    pub deduction: String,
    /// The care payment after the deduction.
    pub total: String,
    pub refunds: String,
    /// Care payment and refunds.
    pub payout: String,
}

/// The running payments of every childminder for `month`, with the sum.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentList {
    pub month: String,
    pub rows: Vec<PaymentListRow>,
    /// The sum of the payouts.
    pub total: String,
    pub example_table: bool,
    /// One record per row, for the finance system's payout file.
    #[serde(skip)]
    pub payouts: Vec<tp::payout_file::Payout>,
}

pub fn payments(
    store: &Store,
    who: &Principal,
    rules: &Rules,
    month: tp::Month,
) -> Result<PaymentList, ActionError> {
    authorize_view(store, who)?;
    let held = Holdings::read(store)?;
    let mut rows = Vec::new();
    let mut sum = tp::Money::ZERO;
    let mut example_table = false;
    let mut payouts = Vec::new();
    for profile in &held.profiles {
        let case = held.cases.get(&profile.id.0);
        let record = record_of(&profile.id, case);
        let mine: Vec<&ChildminderPlacement> = held.placements_of(&profile.id).collect();
        let ledger = absence_ledger(&record, case, month.year(), rules)?;
        let name_of = |r: &tp::ChildRef| r.0.clone();
        let view = payment_of(
            case,
            &record,
            &mine,
            month,
            ledger.month(month),
            rules,
            &name_of,
        )?;
        example_table |= view.example_table;
        if view.lines.is_empty() && view.refund_lines.is_empty() {
            continue;
        }
        let payout: Decimal = view.payout.parse().expect("a printed amount");
        sum = sum + tp::Money::round(payout);
        let mut children: Vec<&str> = view.lines.iter().map(|l| l.child.as_str()).collect();
        children.sort();
        children.dedup();
        // No child names: the finance side needs the amounts, not who was cared for.
        let mut explanation = vec![match children.len() {
            1 => "1 Kind".to_string(),
            n => format!("{n} Kinder"),
        }];
        // The deduction's arithmetic is on the childminder's statement; the finance side gets
        // its reason only.
        explanation.extend(view.deduction.is_some().then(|| {
            format!(
                "Abzug {} für Abwesenheitstage ohne Fortzahlung",
                view.figures.deduction.german()
            )
        }));
        explanation.extend(view.refund_lines.iter().cloned());
        payouts.push(tp::payout_file::Payout {
            file_number: profile.id.0.clone(),
            name: profile.name.clone(),
            // Empty when the office has not recorded her account yet.
            iban: case.map(|c| c.iban.clone()).filter(|iban| !iban.is_empty()),
            care_payment: view.figures.care_payment,
            deduction: view.figures.deduction,
            refunds: view.figures.refunds,
            grants: view.figures.grants,
            explanation,
        });
        rows.push(PaymentListRow {
            id: profile.id.0.clone(),
            name: profile.name.clone(),
            children: children.len(),
            subtotal: view.subtotal,
            deduction: view.deduction.map(|(a, _)| a).unwrap_or_default(),
            total: view.total,
            refunds: view.refunds,
            payout: view.payout,
        });
    }
    Ok(PaymentList {
        month: format!("{:02}/{}", month.number(), month.year()),
        rows,
        total: sum.to_string(),
        example_table,
        payouts,
    })
}

/// The month's payout file for the finance system (`kitanetz-tagespflege`'s `PAYOUT_FILE.md`).
/// Names and amounts leave the system: the export is audited with the childminders before the
/// file is handed out (it changes nothing else, so the audit row is its only write).
pub fn payout_file(
    store: &mut Store,
    who: &Principal,
    rules: &Rules,
    month: tp::Month,
    now: Now,
) -> Result<tp::payout_file::PayoutFile, ActionError> {
    let list = payments(store, who, rules, month)?;
    store.audit(&AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "tagespflege.payout_file",
        target: None,
        subjects: list.rows.iter().map(|r| r.id.clone()).collect(),
        valid_from: None,
    })?;
    Ok(tp::payout_file::payout_file(month, &list.payouts))
}

/// The sender of the office's letters: its name and address lines, and the town of its seal.
#[derive(Debug, Clone, Default)]
pub struct LetterSender {
    pub name: String,
    pub address: Vec<String>,
    pub place: String,
}

/// The Förderbescheid for an agreed placement (annex K): the running payment for the child at
/// the start of the care, from the amount table in force then (or today, if it began earlier),
/// signed by who issues it. A reservation has no decision yet.
pub fn funding_decision(
    store: &Store,
    who: &Principal,
    rules: &Rules,
    sender: &LetterSender,
    childminder_id: &str,
    placement_id: &str,
    today: Date,
) -> Result<kitanetz_letters::FundingDecision, ActionError> {
    authorize_manage(store, who)?;
    let profile = load_profile(store, childminder_id)?;
    let unknown = || ActionError::NotFound(format!("Betreuung {placement_id}"));
    let id: ChildminderPlacementId = placement_id.trim().parse().map_err(|_| unknown())?;
    let (_, placement) = store
        .find::<ChildminderPlacement>(&placement_doc_id(&id))?
        .filter(|(_, p)| p.childminder == profile.id)
        .ok_or_else(unknown)?;
    if placement.kind == "reservation" {
        return Err(ActionError::Conflict(
            "Eine Reservierung hat noch keinen Förderbescheid; erst die Vereinbarung abschließen / \
             a reservation has no funding decision yet; conclude the agreement first"
                .into(),
        ));
    }
    let day = placement.period.start().0.max(today.0);
    let table = tp::explain::in_force(&rules.amounts, |t| t.valid_from, day)
        .ok_or_else(|| rules_error(format!("no amount table in force on {day}")))?;
    let tier = table.tier(placement.daily_hours.0).ok_or_else(|| {
        rules_error(format!(
            "{} hours a day are above the table's highest tier",
            placement.daily_hours.0
        ))
    })?;
    let comma = |text: String| text.replace('.', ",");
    Ok(kitanetz_letters::FundingDecision {
        office_name: sender.name.clone(),
        office_address: sender.address.clone(),
        childminder_name: profile.name.clone(),
        childminder_address: vec![
            profile.address.street.clone(),
            format!("{} {}", profile.address.postcode, profile.address.city),
        ],
        file_number: placement.id.0.clone(),
        place: sender.place.clone(),
        issued_on: today.0,
        child_given_name: placement.child_given_name.clone(),
        child_family_name: placement.child_family_name.clone(),
        birth_date: placement.birth_date.0,
        care_from: placement.period.start().0,
        care_until: placement.period.end().map(|d| d.0),
        daily_hours: comma(placement.daily_hours.0.normalize().to_string()),
        tier_hours: comma(tier.up_to_hours.normalize().to_string()),
        monthly: comma(tier.monthly.to_string()),
        table: table.id.clone(),
        example: table.example,
        clerk: who.display_name().to_string(),
    })
}
