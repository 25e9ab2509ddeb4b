//! Insurance refunds of a childminder (annex K, `kitanetz-tagespflege`'s `decide`): half of her
//! health and care insurance, half of her pension contributions up to 40 € per approved place,
//! and her accident insurance (BGW) in full.
//!
//! The office decides a refund from a form for one calendar year, or from a whole case file in
//! the documented format (`shared/formats/tagespflege-refund-case.md`) when the claim spans
//! years. What is stored is the case as decided (`CaseRefund.case`), never a copied result, so
//! the decision reads back with its explanation and the CLI reproduces it from the same file.
//!
//! How a decision is paid out with the running payments (rule 3 of the format, and our reading
//! where the source is silent):
//! - health and pension: the months from the entitlement to the month before the first payment
//!   month are paid at once, as a back-payment in that first payment month; from it on, the
//!   running amount every month until a later decision of the same kind takes over from its own
//!   first running month;
//! - accident: once, in the month the office decided it.

use super::record::{change_case, new_entry_id};
use super::*;
use kitanetz_crdt::kinds::childminder_case::{CaseRefund, REFUND_KINDS};
use kitanetz_tagespflege::refund::{Decision, YearDetail};
use serde_json::{json, Value};

/// A refund as typed. For one year: the fields of its kind. For several years: `case_json`, a
/// whole case file, which then rules alone.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RefundInput {
    pub childminder: String,
    /// One of `REFUND_KINDS`.
    pub kind: String,
    pub year: String,
    /// `YYYY-MM`: the first month of the claim.
    pub entitlement_from: String,
    /// `YYYY-MM`: the first month paid with the running payments.
    pub payment_from: String,
    // Health and care.
    pub minimum_base: String,
    pub health_rate: String,
    pub care_rate: String,
    pub childless: bool,
    pub proven_contribution: String,
    pub income: String,
    // Pension.
    pub monthly_taxable_income: String,
    pub statutory_contribution: String,
    pub private_contribution: String,
    pub private_until_60: bool,
    // Accident.
    pub assessed_contribution: String,
    pub statutory_minimum: String,
    /// A whole case file instead of the fields (several years).
    pub case_json: String,
}

/// A money or percent text as the case format takes it: decimal point, no spaces.
fn number(text: &str) -> Value {
    Value::String(text.trim().replace(',', "."))
}

fn optional(text: &str) -> Value {
    if text.trim().is_empty() {
        Value::Null
    } else {
        number(text)
    }
}

/// The case file the form describes; `places` are the permit's places today (the pension cap).
fn case_of(input: &RefundInput, places: u32) -> Value {
    let year: Value = input
        .year
        .trim()
        .parse::<i32>()
        .map_or_else(|_| Value::String(input.year.clone()), Value::from);
    let mut case = json!({
        "format": kitanetz_tagespflege::CASE_FORMAT,
        "kind": input.kind.trim(),
    });
    match input.kind.trim() {
        "health" => {
            case["entitlement_from"] = json!(input.entitlement_from.trim());
            case["payment_from"] = json!(input.payment_from.trim());
            case["health"] = json!({
                "childless": input.childless,
                "years": [{
                    "year": year,
                    "minimum_base": number(&input.minimum_base),
                    "income": optional(&input.income),
                    "health_rate": number(&input.health_rate),
                    // The form asks for the rate that applies; the case names it by kind.
                    if input.childless { "care_rate_childless" } else { "care_rate" }: number(&input.care_rate),
                    "proven_contribution": number(&input.proven_contribution),
                }]
            });
        }
        "pension" => {
            case["entitlement_from"] = json!(input.entitlement_from.trim());
            case["payment_from"] = json!(input.payment_from.trim());
            let mut contributions = vec![
                json!({"kind": "statutory", "monthly": number(&input.statutory_contribution)}),
            ];
            if !input.private_contribution.trim().is_empty() {
                contributions.push(json!({
                    "kind": "private",
                    "monthly": number(&input.private_contribution),
                    "until_age_60": input.private_until_60,
                }));
            }
            if input.statutory_contribution.trim().is_empty() {
                contributions.remove(0);
            }
            case["pension"] = json!({
                "approved_places": places,
                "years": [{
                    "year": year,
                    "monthly_taxable_income": number(&input.monthly_taxable_income),
                    "contributions": contributions,
                }]
            });
        }
        _ => {
            case["accident"] = json!({
                "year": year,
                "assessed_contribution": number(&input.assessed_contribution),
                "statutory_minimum": optional(&input.statutory_minimum),
            });
        }
    }
    case
}

/// The case's first refusal as a field error: the case's own field name (`health.years[0].
/// health_rate`) mapped to the form's field where there is one.
fn refusal(error: &kitanetz_tagespflege::CaseError, from_json: bool) -> ActionError {
    let field = if from_json {
        "case_json".to_string()
    } else {
        let last = error
            .field
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_string();
        match last.as_str() {
            "monthly" | "contributions" => "statutory_contribution".to_string(),
            "care_rate_childless" => "care_rate".to_string(),
            "" => "kind".to_string(),
            other => other.to_string(),
        }
    };
    let mut v = Validator::new();
    v.fail(field, refusal_text(error));
    ActionError::Invalid(v.finish().expect_err("one failure"))
}

/// A refused case as the page shows it: German first, then the case's own (English) message,
/// which is also what `kitanetz tagespflege refund --case` prints and so stays as it is.
fn refusal_text(error: &kitanetz_tagespflege::CaseError) -> String {
    let place = place_of(error);
    format!(
        "{place}{} – die Erstattung wird so nicht festgesetzt / {place}{}; the case is refused",
        case_message_de(&error.message),
        error.message
    )
}

/// A stored case that no longer reads (the file shows it, never drops it).
fn unreadable_text(error: &kitanetz_tagespflege::CaseError) -> String {
    let place = place_of(error);
    format!(
        "{place}{} / {place}{}",
        case_message_de(&error.message),
        error.message
    )
}

fn place_of(error: &kitanetz_tagespflege::CaseError) -> String {
    if error.field.is_empty() {
        String::new()
    } else {
        format!("{}: ", error.field)
    }
}

/// The German for a message of the case format's checks (`kitanetz-tagespflege`'s `case.rs`,
/// whose English wording the CLI prints). A message without a translation here is shown as it
/// is, so a new check is never hidden.
fn case_message_de(message: &str) -> String {
    const FIXED: [(&str, &str); 22] = [
        ("must be an object", "muss ein Objekt sein"),
        ("must be a string", "muss ein Text sein"),
        ("must be a list", "muss eine Liste sein"),
        ("must be true or false", "muss true oder false sein"),
        (
            "must be a whole number ≥ 0",
            "muss eine ganze Zahl ≥ 0 sein",
        ),
        ("must not be negative", "darf nicht negativ sein"),
        (
            "is required for this kind",
            "fehlt (für diese Erstattung nötig)",
        ),
        ("is required, e.g. 2010", "fehlt: das Jahr, z. B. 2010"),
        (
            "must be a year with four digits, e.g. 2010",
            "muss ein Jahr mit vier Ziffern sein, z. B. 2010",
        ),
        (
            "must be an amount in euros, e.g. \"851.67\"",
            "muss ein Betrag in Euro sein, z. B. 851,67",
        ),
        (
            "is required: an amount in euros, e.g. \"136.50\"",
            "fehlt: ein Betrag in Euro, z. B. 136,50",
        ),
        (
            "must be a rate in percent from 0 to 100, e.g. \"14.3\"",
            "muss ein Prozentsatz von 0 bis 100 sein, z. B. 14,3",
        ),
        (
            "is required: a rate in percent, e.g. \"14.3\"",
            "fehlt: ein Prozentsatz, z. B. 14,3",
        ),
        (
            "is required (percent, e.g. \"1.95\")",
            "fehlt: der Beitragssatz der Pflegeversicherung in Prozent, z. B. 1,95",
        ),
        (
            "is required when childless is true (percent, e.g. \"2.2\")",
            "fehlt: bei Kinderlosen der Beitragssatz mit Zuschlag in Prozent, z. B. 2,2",
        ),
        (
            "is required: a month \"YYYY-MM\"",
            "fehlt: ein Monat (JJJJ-MM)",
        ),
        (
            "must be a month \"YYYY-MM\"",
            "muss ein Monat sein (JJJJ-MM)",
        ),
        (
            "is required: one row per calendar year",
            "fehlt: eine Zeile je Kalenderjahr",
        ),
        (
            "is required: \"health\", \"pension\" or \"accident\"",
            "fehlt: Kranken- und Pflegeversicherung, Alterssicherung oder Unfallversicherung",
        ),
        (
            "is required: \"statutory\" or \"private\"",
            "fehlt: gesetzlich oder privat",
        ),
        (
            "is not one of \"health\", \"pension\", \"accident\"",
            "ist keine bekannte Erstattung",
        ),
        (
            "is not one of \"statutory\", \"private\"",
            "ist weder gesetzlich noch privat",
        ),
    ];
    if let Some((_, de)) = FIXED.iter().find(|(en, _)| *en == message) {
        return (*de).to_string();
    }
    // The messages that carry a value: match on their fixed part.
    if let Some(detail) = message.strip_prefix("the case is not valid JSON: ") {
        return format!("Der Fall ist kein gültiges JSON ({detail})");
    }
    if let Some(year) = message.strip_suffix(" is given twice") {
        return format!("Das Jahr {year} steht zweimal im Fall");
    }
    if let Some(rest) = message.strip_prefix("the year ") {
        if let Some((year, _)) = rest.split_once(" is missing") {
            return format!(
                "Für das Jahr {year} fehlt eine Zeile: jedes Jahr vom Anspruchsbeginn bis zum \
                 Monat der laufenden Zahlung braucht eine"
            );
        }
    }
    if let Some((places, _)) = message.split_once(" places: a Kindertagespflege has 1 to ") {
        return format!("{places} Plätze: eine Kindertagespflege hat 1 bis 5 Plätze");
    }
    if message.starts_with("is required: the places of the care permit") {
        return "fehlt: die Plätze der Pflegeerlaubnis, 1 bis 5".to_string();
    }
    if message.starts_with("is required: \"") {
        return "fehlt: das Format des Falls".to_string();
    }
    if message.contains(" is not \"") {
        return "ist nicht das Format eines Erstattungsfalls".to_string();
    }
    message.to_string()
}

/// Decides a refund and records it in the childminder's file.
pub fn decide_refund(
    store: &mut Store,
    who: &Principal,
    input: &RefundInput,
    now: Now,
) -> Result<RefundView, ActionError> {
    let owner = authorize_manage(store, who)?;
    let profile = load_profile(store, &input.childminder)?;
    let mut v = Validator::new();
    let from_json = !input.case_json.trim().is_empty();
    let kind = if from_json {
        serde_json::from_str::<Value>(&input.case_json)
            .ok()
            .and_then(|c| c["kind"].as_str().map(str::to_string))
            .unwrap_or_default()
    } else {
        input.kind.trim().to_string()
    };
    v.check(
        REFUND_KINDS.iter().any(|(c, _)| *c == kind),
        if from_json { "case_json" } else { "kind" },
        "eine Erstattung wählen / choose a refund",
    );
    v.finish()?;
    let places = store
        .find::<ChildminderCase>(&case_doc_id(&profile.id))?
        .map(|(_, c)| c)
        .and_then(|c| {
            c.permits
                .iter()
                .filter(|p| p.start <= now.today && p.end.is_none_or(|e| e >= now.today))
                .map(|p| p.places)
                .max()
        })
        .unwrap_or(profile.places);
    let case = if from_json {
        input.case_json.trim().to_string()
    } else {
        case_of(input, places).to_string()
    };
    let decision =
        kitanetz_tagespflege::parse_case(&case, &kitanetz_tagespflege::RefundRules::annex_k())
            .map_err(|e| refusal(&e, from_json))?;
    let refund = CaseRefund {
        id: new_entry_id(),
        kind,
        case,
        decided_on: now.today,
    };
    let view = view_of(&refund, &kitanetz_tagespflege::decide(&decision));
    change_case(
        store,
        who,
        owner,
        &profile.id,
        "childminder.refund",
        now,
        |case, _| case.refunds.push(refund),
    )?;
    Ok(view)
}

/// A decided refund as the file shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RefundView {
    pub id: String,
    pub kind: &'static str,
    pub decided_on: String,
    /// "granted", "rejected".
    pub decision: &'static str,
    /// One line per year: "2010: 69,20 € monatlich (anerkannter Beitrag 138,40 €, hälftig)".
    pub years: Vec<String>,
    pub back_payment: Option<String>,
    pub running: Option<String>,
    /// The case file, for the CLI (`kitanetz tagespflege refund --case`).
    pub case: String,
}

fn view_of(refund: &CaseRefund, decision: &Decision) -> RefundView {
    let mut view = RefundView {
        id: refund.id.0.clone(),
        kind: kitanetz_crdt::kinds::childminder_case::label_of(&REFUND_KINDS, &refund.kind),
        decided_on: german(refund.decided_on.0),
        decision: "granted",
        years: vec![],
        back_payment: None,
        running: None,
        case: refund.case.clone(),
    };
    match decision {
        Decision::Granted {
            years, payments, ..
        } => {
            view.years = years
                .iter()
                .map(|y| match &y.detail {
                    YearDetail::Health {
                        family_insured: true,
                        ..
                    } => format!("{}: familienversichert, keine Erstattung", y.year),
                    YearDetail::Health {
                        recognised_contribution,
                        ..
                    } => format!(
                        "{}: {} monatlich (anerkannter Beitrag {}, hälftig)",
                        y.year,
                        y.monthly_refund.german(),
                        recognised_contribution.german()
                    ),
                    YearDetail::Pension {
                        recognised_contribution,
                        cap,
                        ..
                    } => format!(
                        "{}: {} monatlich (anerkannt {}, hälftig, höchstens {})",
                        y.year,
                        y.monthly_refund.german(),
                        recognised_contribution.german(),
                        cap.german()
                    ),
                })
                .collect();
            if let Some((first, last)) = payments.back_payment_months {
                view.back_payment = Some(format!(
                    "{} für {} Monate ({:02}/{}–{:02}/{})",
                    payments.back_payment.german(),
                    payments.back_payment_month_count,
                    first.number(),
                    first.year(),
                    last.number(),
                    last.year()
                ));
            }
            view.running = Some(format!(
                "{} monatlich ab {:02}/{}",
                payments.running_monthly.german(),
                payments.running_from.number(),
                payments.running_from.year()
            ));
        }
        Decision::PensionRejected => {
            view.decision = "rejected";
            view.years =
                vec!["abgelehnt: Rentenversicherungspflicht ohne gesetzliche Beiträge".to_string()];
        }
        Decision::Accident { year, refund } => {
            view.years = vec![format!("{year}: {} einmalig", refund.german())];
        }
    }
    view
}

/// The refunds of a file, each decided again from its case (a case that no longer reads is
/// shown as such, never dropped).
pub fn refunds_of(case: Option<&ChildminderCase>) -> Vec<RefundView> {
    let Some(case) = case else {
        return vec![];
    };
    case.refunds
        .iter()
        .map(|r| {
            match kitanetz_tagespflege::parse_case(
                &r.case,
                &kitanetz_tagespflege::RefundRules::annex_k(),
            ) {
                Ok(checked) => view_of(r, &kitanetz_tagespflege::decide(&checked)),
                Err(e) => RefundView {
                    id: r.id.0.clone(),
                    kind: kitanetz_crdt::kinds::childminder_case::label_of(&REFUND_KINDS, &r.kind),
                    decided_on: german(r.decided_on.0),
                    decision: "unreadable",
                    years: vec![unreadable_text(&e)],
                    back_payment: None,
                    running: None,
                    case: r.case.clone(),
                },
            }
        })
        .collect()
}

/// What the refunds add to `month`'s payment, with a line per refund that pays in it.
pub fn refunds_in(case: Option<&ChildminderCase>, month: tp::Month) -> (tp::Money, Vec<String>) {
    let Some(case) = case else {
        return (tp::Money::ZERO, vec![]);
    };
    let decided: Vec<(&CaseRefund, Decision)> = case
        .refunds
        .iter()
        .filter_map(|r| {
            kitanetz_tagespflege::parse_case(&r.case, &kitanetz_tagespflege::RefundRules::annex_k())
                .ok()
                .map(|c| (r, kitanetz_tagespflege::decide(&c)))
        })
        .collect();
    let mut total = tp::Money::ZERO;
    let mut lines = Vec::new();
    for kind in ["health", "pension"] {
        // The latest decision of the kind whose running amount has begun rules the month.
        let ruling = decided
            .iter()
            .filter_map(|(r, d)| match d {
                Decision::Granted { payments, .. } if r.kind == kind => Some((r, payments)),
                _ => None,
            })
            .filter(|(_, p)| p.running_from <= month)
            .max_by_key(|(r, p)| (p.running_from, r.decided_on));
        if let Some((r, p)) = ruling {
            let label = kitanetz_crdt::kinds::childminder_case::label_of(&REFUND_KINDS, &r.kind);
            total = total + p.running_monthly;
            lines.push(format!("{label}: {} laufend", p.running_monthly.german()));
            if p.running_from == month && p.back_payment > tp::Money::ZERO {
                total = total + p.back_payment;
                lines.push(format!(
                    "{label}: {} Nachzahlung für {} Monate",
                    p.back_payment.german(),
                    p.back_payment_month_count
                ));
            }
        }
    }
    for (r, d) in &decided {
        if let Decision::Accident { refund, year } = d {
            if tp::Month::of(r.decided_on.0) == month {
                total = total + *refund;
                lines.push(format!(
                    "Unfallversicherung {year}: {} einmalig",
                    refund.german()
                ));
            }
        }
    }
    (total, lines)
}

pub fn refund_options() -> Vec<(&'static str, &'static str)> {
    REFUND_KINDS.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(case: &str) -> String {
        let error =
            kitanetz_tagespflege::parse_case(case, &kitanetz_tagespflege::RefundRules::annex_k())
                .expect_err("a broken case");
        refusal_text(&error)
    }

    #[test]
    fn a_refused_case_reads_in_german_first_and_keeps_the_cli_wording_after() {
        let format = kitanetz_tagespflege::CASE_FORMAT;
        let text = refused(&format!(
            r#"{{"format":"{format}","kind":"health","entitlement_from":"2026-09","payment_from":"2026-11",
               "health":{{"years":[{{"year":2026,"minimum_base":"1248.33","health_rate":"140","care_rate":"3.6","proven_contribution":"227.20"}}]}}}}"#
        ));
        assert!(
            text.starts_with("health.years[0].health_rate: muss ein Prozentsatz von 0 bis 100 sein, z. B. 14,3 – die Erstattung wird so nicht festgesetzt / health.years[0].health_rate: must be a rate in percent from 0 to 100"),
            "{text}"
        );
        let text = refused(&format!(
            r#"{{"format":"{format}","kind":"health","entitlement_from":"2025-09","payment_from":"2026-11",
               "health":{{"years":[{{"year":2026,"minimum_base":"1248.33","health_rate":"14.6","care_rate":"3.6","proven_contribution":"227.20"}}]}}}}"#
        ));
        assert!(
            text.starts_with("health.years: Für das Jahr 2025 fehlt eine Zeile"),
            "{text}"
        );
        let text = refused("{");
        assert!(
            text.starts_with("Der Fall ist kein gültiges JSON"),
            "{text}"
        );
        let text = refused(&format!(
            r#"{{"format":"{format}","kind":"accident","accident":{{"year":2026}}}}"#
        ));
        assert!(
            text.starts_with(
                "accident.assessed_contribution: fehlt: ein Betrag in Euro, z. B. 136,50"
            ),
            "{text}"
        );
    }
}
