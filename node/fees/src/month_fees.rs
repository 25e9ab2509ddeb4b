//! The fees of a month, step by step (fee-case.md "Fee of a month"):
//! 1. the fee group and the first child's fee for the hours,
//! 2. the Zählkind rank and its share (single parents their own table),
//! 3. the income-based reduction in the months of its grant,
//! 4. the half fee in a flagged start or end month,
//! 5. Mehrbetreuung on top, without any reduction.
//!
//! Every period-valued input is read at the month: contract terms and the family's status from
//! their timelines, the statute from the version in force.

use crate::care::{FeeGroup, Status};
use crate::case::{
    regular_hours_key, AboveRegularTime, AgeOrder, Allocation, Attendance, Care, Case, CaseError,
    CaseRules, Child, WaiverCase,
};
use crate::explain::{german_date, Explanation, Rule};
use crate::income_reduction::{
    above_regular, fill_in_form, reduced_fee, share_burden, Claim, WaiverForm, WaiverOutcome,
};
use crate::money::{german_decimal, Hours, Money};
use crate::month::Month;
use crate::result::{ChildFee, FeeResult, MonthFees, Reductions};
use crate::statute::{FeeGroupOfCareType, Statute, StatuteVersion};
use chrono::Datelike;
use rust_decimal::Decimal;

/// Computes every month of a checked case.
pub fn compute(case: &Case, statute: &Statute) -> Result<FeeResult, CaseError> {
    let waiver_form = match &case.waiver {
        None => None,
        Some(w) => {
            let v = statute
                .versions
                .iter()
                .find(|v| v.version == w.form_version)
                .ok_or_else(|| CaseError::new("waiver", "the form's statute version is gone"))?;
            Some(fill_in_form(w, v))
        }
    };
    let months = case
        .months
        .iter()
        .map(|&month| {
            let v = statute.version_at(month).ok_or_else(|| {
                CaseError::new(
                    "month",
                    format!("no version of {} in force in {month}", statute.id),
                )
            })?;
            month_fees(case, v, month, waiver_form.as_ref())
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FeeResult {
        months,
        waiver_form,
    })
}

/// How a regular child's statute fee came about; the reduction prices the regular time alike.
#[derive(Debug, Clone, Copy)]
struct Priced {
    care: Care,
    group: FeeGroup,
    share: Decimal,
}

fn month_fees(
    case: &Case,
    v: &StatuteVersion,
    month: Month,
    form: Option<&WaiverForm>,
) -> Result<MonthFees, CaseError> {
    let single_parent = *case.family.single_parent.at(month);
    let in_care: Vec<(&Child, &Attendance)> = case
        .children
        .iter()
        .filter(|c| c.in_care(month))
        .map(|c| (c, c.attendance.at(month)))
        .collect();

    // Zählkinder in age order; equal birth dates keep the case's order (stable sort).
    let mut countable: Vec<usize> = (0..in_care.len())
        .filter(|&i| in_care[i].1.status().is_countable())
        .collect();
    if let Some(order) = case.rules.age_order {
        countable.sort_by(|&a, &b| {
            let (x, y) = (in_care[a].0.birth_date, in_care[b].0.birth_date);
            match order {
                AgeOrder::OldestFirst => x.cmp(&y),
                AgeOrder::YoungestFirst => y.cmp(&x),
            }
        });
    }
    let staggered =
        case.family.residence_in_city || case.rules.non_resident_sibling_reduction == Some(true);
    let rank_of = |i: usize| {
        staggered
            .then(|| countable.iter().position(|&c| c == i).map(|p| p + 1))
            .flatten()
    };

    let mut fees = Vec::with_capacity(in_care.len());
    let mut priced: Vec<Option<Priced>> = Vec::with_capacity(in_care.len());
    // Per child: the first child's fee and the share two parents would pay, for the reductions.
    let mut before_reductions: Vec<Option<(Money, Money, bool)>> =
        Vec::with_capacity(in_care.len());
    for (i, (child, attendance)) in in_care.iter().enumerate() {
        let rank = rank_of(i);
        let mut explanation = vec![liability(v, child)];
        let (fee, group, pricing) = match attendance {
            Attendance::OutsideCity { .. } => {
                explanation.push(
                    v.explain(
                        Rule::OutsideCity,
                        match rank {
                            Some(r) => format!(
                                "Betreuung im Bedarfsplan einer anderen Gemeinde: hier kein \
                             Elternbeitrag; zählt für die Geschwister als {r}. Zählkind"
                            ),
                            None => "Betreuung im Bedarfsplan einer anderen Gemeinde: hier kein \
                                 Elternbeitrag"
                                .into(),
                        },
                    ),
                );
                before_reductions.push(None);
                (None, None, None)
            }
            Attendance::InCity {
                status: Status::Regular,
                care,
            } => {
                let group = fee_group(v, &case.rules, child, care, month, &mut explanation)?;
                let (first, first_text) = first_child_fee(v, group, care.daily_hours);
                explanation.push(v.explain(Rule::FirstChildFee, first_text));
                let share = share(
                    v,
                    rank,
                    countable.len(),
                    case.rules.age_order,
                    single_parent,
                    first,
                    &mut explanation,
                );
                let pricing = Priced {
                    care: *care,
                    group,
                    share,
                };
                let two_parents = first.percent(v.sibling_share(rank.unwrap_or(1), false));
                before_reductions.push(Some((first, two_parents, false)));
                (Some(first.percent(share)), Some(group), Some(pricing))
            }
            Attendance::InCity { status, care } => {
                // A foster or residential-home child's lost fee is what a first child pays for
                // the care; a remedial place is no reduced fee.
                let lost = matches!(status, Status::Foster | Status::ResidentialHome)
                    .then(|| {
                        let mut unsaid = Vec::new();
                        let group =
                            fee_group(v, &case.rules, child, care, month, &mut unsaid).ok()?;
                        Some(first_child_fee(v, group, care.daily_hours).0)
                    })
                    .flatten();
                before_reductions.push(lost.map(|first| (first, first, true)));
                explanation.push(v.explain(
                    Rule::Exempt,
                    format!(
                        "{}: kein Elternbeitrag, kein Zählkind",
                        status.german_name()
                    ),
                ));
                (Some(Money::ZERO), None, None)
            }
        };
        fees.push(ChildFee {
            child: child.id.clone(),
            fee,
            countable_rank: rank,
            statute_fee: fee,
            extra_care: Money::ZERO,
            group,
            reductions: None,
            explanation,
        });
        priced.push(pricing);
    }

    let waiver_outcome = match (&case.waiver, form) {
        (Some(w), Some(form)) if w.grants(month) => {
            let order: Vec<usize> = countable
                .iter()
                .copied()
                .filter(|&i| priced[i].is_some())
                .collect();
            Some(reduce(w, form, v, &order, &priced, &mut fees)?)
        }
        _ => None,
    };

    for (((child, attendance), fee), before) in
        in_care.iter().zip(fees.iter_mut()).zip(&before_reductions)
    {
        let halved = halve_if_flagged(v, child, month, fee);
        fee.extra_care = extra_care(v, child, attendance, month, &mut fee.explanation);
        fee.reductions = before.map(|(first, two_parents, exempt)| {
            let half = |m: Money| {
                if halved {
                    m.times(Decimal::new(5, 1))
                } else {
                    m
                }
            };
            let (unreduced, two_parents) = (half(first), half(two_parents));
            if exempt {
                return Reductions {
                    unreduced,
                    foster_or_home: unreduced,
                    ..Reductions::default()
                };
            }
            let statute_fee = fee.statute_fee.unwrap_or(Money::ZERO);
            let owed = fee.fee.unwrap_or(Money::ZERO);
            Reductions {
                unreduced,
                sibling: unreduced - two_parents,
                single_parent: two_parents - statute_fee,
                income_based: statute_fee - owed,
                foster_or_home: Money::ZERO,
            }
        });
    }
    let total = fees
        .iter()
        .map(|f| f.fee.unwrap_or(Money::ZERO) + f.extra_care)
        .sum();
    Ok(MonthFees {
        month,
        children: fees,
        total,
        waiver_outcome,
    })
}

fn liability(v: &StatuteVersion, child: &Child) -> Explanation {
    let until = |until: Option<chrono::NaiveDate>| {
        until.map_or("Vertrag ohne Enddatum".to_owned(), |d| {
            format!("Vertrag bis {}", german_date(d))
        })
    };
    let dates = match (child.care_from, child.care_until) {
        (None, None) => "ohne Vertragsdaten: in jedem Monat des Zeitraums".to_owned(),
        (None, to) => until(to),
        (Some(from), to) => format!("erster Betreuungstag {}, {}", german_date(from), until(to)),
    };
    // The month is the line's own (page, result, letter): a text without it reads the same in
    // every month, so that a decision prints it once for a run of equal months.
    v.explain(
        Rule::Liability,
        format!(
            "In Betreuung ({dates}): Beitrag für jeden Monat in voller Höhe, keine tageweise \
             Berechnung"
        ),
    )
}

/// The fee group of the month: as the care type says, a `kita` by completed months of age at
/// the 1st of the month.
fn fee_group(
    v: &StatuteVersion,
    rules: &CaseRules,
    child: &Child,
    care: &Care,
    month: Month,
    explanation: &mut Vec<Explanation>,
) -> Result<FeeGroup, CaseError> {
    match v.care_types[&care.care_type] {
        FeeGroupOfCareType::FeeGroup(group) => {
            explanation.push(v.explain(
                Rule::FeeGroup,
                format!(
                    "Betreuungsart {}: Beitrag nach dem Satz für {}",
                    care.care_type.german_name(),
                    v.rates(group).name
                ),
            ));
            Ok(group)
        }
        FeeGroupOfCareType::ByAge {
            until_switch,
            from_switch,
        } => {
            let switch = rules
                .kindergarten_fee_from_completed_months
                .ok_or_else(|| {
                    CaseError::new(
                        "rules.kindergarten_fee_from_completed_months",
                        "is required: a child is in a kita",
                    )
                })?;
            let age = month.completed_months_of(child.birth_date);
            let group = if age >= switch {
                from_switch
            } else {
                until_switch
            };
            explanation.push(v.explain(
                Rule::SwitchAge,
                format!(
                    "Kita: geboren am {}, am 01.{:02}.{} {age} vollendete Lebensmonate; Beitrag \
                     für {} ab {switch} vollendeten Lebensmonaten, daher Beitrag für {}",
                    german_date(child.birth_date),
                    month.month(),
                    month.year(),
                    v.rates(from_switch).name,
                    v.rates(group).name
                ),
            ));
            Ok(group)
        }
    }
}

/// `round(fee at base hours × hours / base hours)`.
fn first_child_fee(v: &StatuteVersion, group: FeeGroup, hours: Hours) -> (Money, String) {
    let rates = v.rates(group);
    let (base, how) = rates.fee_at_base_hours();
    let fee = base.scaled(hours.value(), rates.base_hours.value());
    (
        fee,
        format!(
            "Beitrag für das erste Kind, {}: {} × {hours} / {} = {} (bei {}: {how})",
            rates.name,
            base.german(),
            rates.base_hours,
            fee.german(),
            rates.base_hours
        ),
    )
}

/// The share of the first child's fee in percent, explained.
fn share(
    v: &StatuteVersion,
    rank: Option<usize>,
    countable: usize,
    order: Option<AgeOrder>,
    single_parent: bool,
    first: Money,
    explanation: &mut Vec<Explanation>,
) -> Decimal {
    let share = v.sibling_share(rank.unwrap_or(1), single_parent);
    let fee = first.percent(share);
    match rank {
        Some(r) => {
            let order = order.map_or(String::new(), |o| format!(", {o}"));
            explanation.push(v.explain(
                Rule::SiblingRank,
                format!(
                    "{r}. Zählkind von {countable} in diesem Monat betreuten Zählkindern \
                     (Altersreihenfolge{order})"
                ),
            ));
        }
        None => explanation.push(v.explain(
            Rule::NonResident,
            "Familie mit Wohnsitz außerhalb der Stadt, ohne Geschwisterermäßigung: keine \
             Zählkindfolge, Anteil wie für das erste Kind",
        )),
    }
    let whose = rank.map_or("das erste Kind".to_owned(), |r| {
        format!("das {r}. Zählkind")
    });
    if single_parent {
        let two_parents = v.sibling_share(rank.unwrap_or(1), false);
        explanation.push(v.explain(
            Rule::SingleParent,
            format!(
                "Alleinerziehend, Anteil für {whose}: {} % (bei zwei Elternteilen {} %) von {} \
                 = {}",
                german_decimal(share),
                german_decimal(two_parents),
                first.german(),
                fee.german()
            ),
        ));
    } else {
        explanation.push(v.explain(
            Rule::SiblingRank,
            format!(
                "Anteil für {whose}: {} % von {} = {}",
                german_decimal(share),
                first.german(),
                fee.german()
            ),
        ));
    }
    share
}

/// Line 7 of the form for one month: regular children in rank order share the reasonable
/// burden; each pays its share plus what is owed above the regular care time.
fn reduce(
    w: &WaiverCase,
    form: &WaiverForm,
    v: &StatuteVersion,
    rank_order: &[usize],
    priced: &[Option<Priced>],
    fees: &mut [ChildFee],
) -> Result<WaiverOutcome, CaseError> {
    let mut claims = Vec::with_capacity(rank_order.len());
    let mut regular_hours = Vec::with_capacity(rank_order.len());
    for &i in rank_order {
        // `rank_order` lists only priced (regular) children.
        let Some(p) = priced[i] else { continue };
        let key = regular_hours_key(p.care.care_type, p.group);
        let regular = *w.regular_care_hours.get(&key).ok_or_else(|| {
            CaseError::new(
                format!("waiver.regular_care_hours.{}", key.wire_name()),
                "is required",
            )
        })?;
        let capped = p.care.daily_hours.min(regular);
        let regular_fee = first_child_fee(v, p.group, capped).0.percent(p.share);
        let statute_fee = fees[i].statute_fee.unwrap_or(Money::ZERO);
        let tiers_above = v
            .rates(p.group)
            .tiers
            .iter()
            .filter(|t| **t > regular && **t <= p.care.daily_hours)
            .count();
        claims.push(Claim {
            statute_fee,
            regular_fee,
            above_regular: above_regular(
                w.above_regular_time,
                statute_fee,
                regular_fee,
                tiers_above,
                v.extra_care.per_tier,
            ),
        });
        regular_hours.push((i, regular));
    }
    let burden = form.reasonable_burden.amount;
    let shares = share_burden(burden, &claims, w.allocation);
    let outcome = WaiverOutcome::of(&shares, &claims);
    for ((claim, share), (i, regular)) in claims.iter().zip(&shares).zip(regular_hours) {
        let fee = reduced_fee(claim, *share);
        fees[i].fee = Some(fee);
        fees[i].explanation.push(v.explain(
            Rule::IncomeReduction,
            format!(
                "Einkommensabhängig: {}; Beitrag bei der Regelbetreuungszeit {regular} (R) = {}; \
                 Anteil an der zumutbaren Belastung von {} ({}) = {}; über der \
                 Regelbetreuungszeit ({}) {}; zu zahlen {} + {}, höchstens der Satzungsbeitrag \
                 {}: {}",
                outcome.german_name(),
                claim.regular_fee.german(),
                burden.german(),
                match w.allocation {
                    Allocation::RankOrder => "nach der Zählkindfolge",
                    Allocation::Proportional => "im Verhältnis zu R",
                },
                share.german(),
                match w.above_regular_time {
                    AboveRegularTime::FeeDifference => "Satzungsbeitrag − R",
                    AboveRegularTime::FlatPerTier => "Pauschale je Stufe",
                },
                claim.above_regular.german(),
                share.german(),
                claim.above_regular.german(),
                claim.statute_fee.german(),
                fee.german()
            ),
        ));
    }
    Ok(outcome)
}

/// § 10 (1): half the fee, when flagged, in the month of a start on or after the 15th or of an
/// end on or before the 15th; applied last, to the statute fee and the fee alike. Whether it
/// halved the month.
fn halve_if_flagged(v: &StatuteVersion, child: &Child, month: Month, fee: &mut ChildFee) -> bool {
    if !child.half_fee_exception || fee.fee.is_none() {
        return false;
    }
    let day = v.half_fee_day;
    let starts = child
        .care_from
        .filter(|d| Month::of(*d) == month && d.day() >= day);
    let ends = child
        .care_until
        .filter(|d| Month::of(*d) == month && d.day() <= day);
    let Some(reason) = starts
        .map(|d| format!("Betreuungsbeginn am {}", german_date(d)))
        .or_else(|| ends.map(|d| format!("Betreuungsende am {}", german_date(d))))
    else {
        return false;
    };
    let half = Decimal::new(5, 1);
    let statute_fee = fee.statute_fee.map(|f| f.times(half));
    let owed = fee.fee.map(|f| f.times(half));
    fee.explanation.push(v.explain(
        Rule::HalfFee,
        format!(
            "Halber Beitrag (begründeter Ausnahmefall; {reason}): Beitrag nach Satzung {}, zu \
             zahlen {}",
            statute_fee.map_or("–".into(), |f| f.german().to_string()),
            owed.map_or("–".into(), |f| f.german().to_string())
        ),
    ));
    fee.statute_fee = statute_fee;
    fee.fee = owed;
    true
}

/// Mehrbetreuung of the month (§ 5): a flat per exceeded tier (none for Hort children on
/// school-free days) and a flat for a pick-up after closing; no reduction of any kind
/// (Lastenheft 3.10.6).
fn extra_care(
    v: &StatuteVersion,
    child: &Child,
    attendance: &Attendance,
    month: Month,
    explanation: &mut Vec<Explanation>,
) -> Money {
    let rates = &v.extra_care;
    let free_on_school_free_days = attendance.care_type().is_some_and(|c| {
        v.fee_groups_of(c)
            .iter()
            .all(|g| rates.no_tier_charge_on_school_free_days.contains(g))
    });
    let mut total = Money::ZERO;
    for record in child
        .extra_care
        .iter()
        .filter(|r| Month::of(r.date) == month)
    {
        if record.tiers > 0 {
            if record.school_free_day && free_on_school_free_days {
                explanation.push(v.explain(
                    Rule::ExtraCareSchoolFreeDay,
                    format!(
                        "{}: {} Stufe(n) über der vertraglichen Betreuungszeit an einem unterrichtsfreien Tag: für Hortkinder keine Gebühr",
                        german_date(record.date),
                        record.tiers
                    ),
                ));
            } else {
                let charge = rates.tier_charge(record.tiers, false);
                total = total + charge;
                explanation.push(v.explain(
                    Rule::ExtraCareTier,
                    format!(
                        "{}: Mehrbetreuung {} Stufe(n) über der vertraglichen Betreuungszeit × {} = {}",
                        german_date(record.date),
                        record.tiers,
                        rates.per_tier.german(),
                        charge.german()
                    ),
                ));
            }
        }
        if record.after_closing {
            total = total + rates.after_closing;
            explanation.push(v.explain(
                Rule::ExtraCareAfterClosing,
                format!(
                    "{}: Abholung nach der Schließzeit: {}",
                    german_date(record.date),
                    rates.after_closing.german()
                ),
            ));
        }
    }
    total
}
