//! The Bescheide on a childminder's insurance refunds and one-off grants, as the office prints
//! them from her file: the refund decided again from its stored case (the same figures the file
//! and the CLI show), the grant as it was decided (its explanation was stored with it, since it
//! depends on the grants before it in the year).

use super::*;
use kitanetz_letters::{GrantDecision, OfficeLetter, RefundDecision, RefundYearLine};
use kitanetz_tagespflege::refund::{Decision, YearDetail};

/// Money as a German letter prints it: "69,20".
fn comma(m: tp::Money) -> String {
    m.to_string().replace('.', ",")
}

fn office_letter(
    sender: &LetterSender,
    profile: &ChildminderProfile,
    file_number: String,
    who: &Principal,
    today: Date,
) -> OfficeLetter {
    OfficeLetter {
        office_name: sender.name.clone(),
        office_address: sender.address.clone(),
        childminder_name: profile.name.clone(),
        childminder_address: vec![
            profile.address.street.clone(),
            format!("{} {}", profile.address.postcode, profile.address.city),
        ],
        file_number,
        place: sender.place.clone(),
        issued_on: today.0,
        clerk: who.display_name().to_string(),
    }
}

/// The file and the entry `entry_id` in it, or 404 for either.
fn entry_of(
    store: &Store,
    who: &Principal,
    childminder_id: &str,
    entry_id: &str,
) -> Result<(ChildminderProfile, ChildminderCase), ActionError> {
    authorize_manage(store, who)?;
    let profile = load_profile(store, childminder_id)?;
    let case = case_of(store, &profile.id)?
        .ok_or_else(|| ActionError::NotFound(format!("Bescheid {entry_id}")))?;
    Ok((profile, case))
}

/// The refund Bescheid for refund `refund_id` in the file of `childminder_id`.
pub fn refund_decision(
    store: &Store,
    who: &Principal,
    sender: &LetterSender,
    childminder_id: &str,
    refund_id: &str,
    today: Date,
) -> Result<RefundDecision, ActionError> {
    let (profile, case) = entry_of(store, who, childminder_id, refund_id)?;
    let refund = case
        .refunds
        .iter()
        .find(|r| r.id.0 == refund_id.trim())
        .ok_or_else(|| ActionError::NotFound(format!("Erstattung {refund_id}")))?;
    let checked = kitanetz_tagespflege::parse_case(
        &refund.case,
        &kitanetz_tagespflege::RefundRules::annex_k(),
    )
    .map_err(|e| rules_error(format!("{}: {}", e.field, e.message)))?;
    let kind = match refund.kind.as_str() {
        "health" => "Kranken- und Pflegeversicherung",
        "pension" => "Alterssicherung",
        _ => "Unfallversicherung",
    };
    let mut letter = RefundDecision {
        letter: office_letter(
            sender,
            &profile,
            format!("{}/{}", profile.id.0, refund.id.0),
            who,
            today,
        ),
        kind: kind.to_string(),
        granted: true,
        reason: String::new(),
        one_off: false,
        years: vec![],
        back_payment: String::new(),
        running: String::new(),
    };
    match kitanetz_tagespflege::decide(&checked) {
        Decision::Granted {
            years, payments, ..
        } => {
            letter.years = years
                .iter()
                .map(|y| RefundYearLine {
                    period: y.year.to_string(),
                    amount: comma(y.monthly_refund),
                    explanation: year_explanation(&y.detail, y.monthly_refund),
                })
                .collect();
            if let Some((first, last)) = payments.back_payment_months {
                letter.back_payment = format!(
                    "{} € für {} Monate ({:02}/{}–{:02}/{})",
                    comma(payments.back_payment),
                    payments.back_payment_month_count,
                    first.number(),
                    first.year(),
                    last.number(),
                    last.year()
                );
            }
            letter.running = format!(
                "{} € monatlich ab {:02}/{}",
                comma(payments.running_monthly),
                payments.running_from.number(),
                payments.running_from.year()
            );
        }
        Decision::PensionRejected => {
            letter.granted = false;
            letter.reason = "Sie sind rentenversicherungspflichtig, haben aber keine Beiträge \
                             zur gesetzlichen Rentenversicherung nachgewiesen; private Vorsorge \
                             allein kann dann nicht erstattet werden."
                .to_string();
        }
        Decision::Accident { year, refund } => {
            letter.one_off = true;
            letter.years = vec![RefundYearLine {
                period: year.to_string(),
                amount: comma(refund),
                explanation: vec![format!(
                    "Beitrag zur Unfallversicherung (BGW) {year} in voller Höhe, höchstens der \
                     gesetzliche Mindestbeitrag: {} €",
                    comma(refund)
                )],
            }];
        }
    }
    Ok(letter)
}

/// The engine's figures of one year in words (annex K rules 1 and 2).
fn year_explanation(detail: &YearDetail, monthly: tp::Money) -> Vec<String> {
    match detail {
        YearDetail::Health {
            family_insured: true,
            ..
        } => vec![
            "Einkommen unter der Geringfügigkeitsgrenze: beitragsfreie Familienversicherung, \
             keine Erstattung"
                .to_string(),
        ],
        YearDetail::Health {
            contribution_base,
            appropriate_contribution,
            recognised_contribution,
            ..
        } => vec![
            format!(
                "Bemessungsgrundlage {} €: angemessener Beitrag zur Kranken- und \
                 Pflegeversicherung {} €",
                comma(*contribution_base),
                comma(*appropriate_contribution)
            ),
            format!(
                "anerkannt {} € (höchstens der nachgewiesene Beitrag), davon die Hälfte: {} €",
                comma(*recognised_contribution),
                comma(monthly)
            ),
        ],
        YearDetail::Pension {
            statutory_obligation,
            recognised_contribution,
            cap,
        } => {
            let mut lines = vec![];
            if *statutory_obligation {
                lines.push("rentenversicherungspflichtig: gesetzliche Beiträge".to_string());
            }
            lines.push(format!(
                "anerkannter Beitrag {} €, davon die Hälfte, höchstens {} € (40 € je \
                 genehmigtem Platz): {} €",
                comma(*recognised_contribution),
                comma(*cap),
                comma(monthly)
            ));
            lines
        }
    }
}

/// The grant Bescheid for grant `grant_id` in the file of `childminder_id`.
pub fn grant_decision(
    store: &Store,
    who: &Principal,
    sender: &LetterSender,
    childminder_id: &str,
    grant_id: &str,
    today: Date,
) -> Result<GrantDecision, ActionError> {
    let (profile, case) = entry_of(store, who, childminder_id, grant_id)?;
    let grant = case
        .grants
        .iter()
        .find(|g| g.id.0 == grant_id.trim())
        .ok_or_else(|| ActionError::NotFound(format!("Zuschuss {grant_id}")))?;
    let requested = comma(tp::Money::round(grant.requested.0));
    let (purpose, asked, conditions): (&str, String, &[&str]) = match grant.kind.as_str() {
        "equipment" => (
            "Ausstattung neuer Plätze",
            format!("{} neue Plätze", grant.places),
            &[
                "Der Zuschuss ist für die Ausstattung der neu geschaffenen Plätze zu verwenden.",
                "Die Plätze müssen von Ihrer Pflegeerlaubnis gedeckt sein.",
            ],
        ),
        "replacement" => (
            "Ersatzbeschaffung",
            format!("Kosten {requested} € für {} Plätze", grant.places),
            &["Der Zuschuss ist für den Ersatz verbrauchter Ausstattung zu verwenden."],
        ),
        "dji_curriculum" => (
            "Qualifizierung nach dem DJI-Curriculum",
            format!("Kosten {requested} €"),
            &["Die Teilnahmebescheinigung ist nach Abschluss vorzulegen."],
        ),
        "education_plan_curriculum" => (
            "Curriculum Sächsischer Bildungsplan",
            format!("Kosten {requested} €"),
            &["Die Teilnahmebescheinigung ist nach Abschluss vorzulegen."],
        ),
        _ => (
            "Fortbildung",
            format!("Kosten {requested} €"),
            &["Die Teilnahmebescheinigung ist nach Abschluss vorzulegen."],
        ),
    };
    // Our wording, not the TPP agreement's: every grant is paid against receipts.
    let mut conditions: Vec<String> = conditions.iter().map(|c| c.to_string()).collect();
    conditions.push("Die Belege sind aufzubewahren und auf Verlangen vorzulegen.".to_string());
    let paid = tp::Month::of(grant.decided_on.0);
    Ok(GrantDecision {
        letter: office_letter(
            sender,
            &profile,
            format!("{}/{}", profile.id.0, grant.id.0),
            who,
            today,
        ),
        purpose: purpose.to_string(),
        requested: asked,
        amount: comma(tp::Money::round(grant.granted.0)),
        paid_with: format!("{:02}/{}", paid.number(), paid.year()),
        explanation: grant_explanation(grant),
        conditions,
    })
}

/// The grant's arithmetic in German, from what was stored with it and the rules it was decided
/// on (the stored explanation is the engine's, in English, for the file and the CLI).
fn grant_explanation(grant: &kitanetz_crdt::kinds::childminder_case::CaseGrant) -> Vec<String> {
    let rules = tp::GrantRules::tpp_agreement();
    let pct = |p: Decimal| p.normalize().to_string().replace('.', ",");
    let requested = comma(tp::Money::round(grant.requested.0));
    let granted = comma(tp::Money::round(grant.granted.0));
    let line = match grant.kind.as_str() {
        "equipment" => format!(
            "{} neue Plätze × {} € = {granted} €",
            grant.places,
            comma(rules.equipment_per_new_place)
        ),
        "replacement" => format!(
            "beantragt {requested} €; höchstens {} Plätze × {} € im Kalenderjahr, abzüglich der \
             in diesem Jahr schon gewährten Ersatzbeschaffung: {granted} €",
            grant.places,
            comma(rules.replacement_per_place_year)
        ),
        "dji_curriculum" => format!(
            "{} % der Kosten von {requested} €, höchstens {} €: {granted} €",
            pct(rules.dji_curriculum_percent),
            comma(rules.dji_curriculum_cap)
        ),
        "education_plan_curriculum" => format!(
            "{} % der Kosten von {requested} €: {granted} €",
            pct(rules.education_plan_curriculum_percent)
        ),
        _ => format!(
            "{} % der Kosten von {requested} €, höchstens {} € im Kalenderjahr abzüglich der in \
             diesem Jahr schon gewährten Fortbildungszuschüsse: {granted} €",
            pct(rules.training_percent),
            comma(rules.training_cap_per_year)
        ),
    };
    vec![
        line,
        format!(
            "Grundlage: Vereinbarung zur Kindertagespflege §§ 7–8 (Regelstand {})",
            rules.id
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use kitanetz_crdt::ids::CaseEntryId;
    use kitanetz_crdt::kinds::childminder_case::CaseGrant;
    use std::str::FromStr;

    fn eur(s: &str) -> tp::Money {
        tp::Money::exact(Decimal::from_str(s).unwrap()).unwrap()
    }

    #[test]
    fn annex_k_health_year_in_words() {
        // Annex K 2010: 851.67 € × 16.25 % = 138.40 €, proven 138.40 €, half 69.20 €.
        let lines = year_explanation(
            &YearDetail::Health {
                family_insured: false,
                contribution_base: eur("851.67"),
                appropriate_contribution: eur("138.40"),
                recognised_contribution: eur("138.40"),
            },
            eur("69.20"),
        );
        assert_eq!(
            lines,
            [
                "Bemessungsgrundlage 851,67 €: angemessener Beitrag zur Kranken- und \
                 Pflegeversicherung 138,40 €",
                "anerkannt 138,40 € (höchstens der nachgewiesene Beitrag), davon die Hälfte: \
                 69,20 €"
            ]
        );
    }

    #[test]
    fn a_training_grant_in_words_from_its_stored_figures() {
        let grant = CaseGrant {
            id: CaseEntryId("e-1".into()),
            kind: "training".into(),
            places: 0,
            requested: Dec(Decimal::from(100)),
            granted: Dec(Decimal::from(25)),
            explanation: "100 € × 50 % = 50.00 €; at most … [k; v; s]".into(),
            decided_on: Date::ymd(2026, 11, 2),
        };
        assert_eq!(
            grant_explanation(&grant)[0],
            "50 % der Kosten von 100,00 €, höchstens 100,00 € im Kalenderjahr abzüglich der in \
             diesem Jahr schon gewährten Fortbildungszuschüsse: 25,00 €"
        );
    }
}
