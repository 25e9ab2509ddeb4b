//! The office's other Bescheide to a childminder: the insurance refund (annex K: half of health
//! and care insurance, half of pension contributions up to 40 € per place, accident insurance in
//! full) and the one-off grant (equipment, replacement, training; TPP agreement §§ 7–8). The
//! node decides with `kitanetz-tagespflege` and hands over the lines as the engine explains
//! them; this module only checks that a letter is complete and prints it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::decision::format_date;
use crate::{render, DocumentMeta, RenderError, Rendered, Template};

/// The refund Bescheid; its data is described at the top of `templates/refund_decision.typ`,
/// `templates/refund_decision.sample.json` is an example.
pub const REFUND_DECISION: Template<'static> = Template {
    name: "refund_decision.typ",
    source: include_str!("../templates/refund_decision.typ"),
};

/// The grant Bescheid; its data is described at the top of `templates/grant_decision.typ`,
/// `templates/grant_decision.sample.json` is an example.
pub const GRANT_DECISION: Template<'static> = Template {
    name: "grant_decision.typ",
    source: include_str!("../templates/grant_decision.typ"),
};

/// Sender, recipient and signature: what every Bescheid of the office carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeLetter {
    pub office_name: String,
    pub office_address: Vec<String>,
    pub childminder_name: String,
    pub childminder_address: Vec<String>,
    /// Aktenzeichen: the decision's id in the childminder's file.
    pub file_number: String,
    pub place: String,
    pub issued_on: NaiveDate,
    pub clerk: String,
}

/// One calendar year of a refund: the monthly amount and how it came about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundYearLine {
    /// "2010" or "11/2009–12/2009": the months the amount applies to.
    pub period: String,
    /// Euros with a decimal comma, e.g. "69,20"; for an accident refund the one-off amount.
    pub amount: String,
    pub explanation: Vec<String>,
}

/// One insurance refund decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundDecision {
    pub letter: OfficeLetter,
    /// "Kranken- und Pflegeversicherung", "Alterssicherung", "Unfallversicherung".
    pub kind: String,
    /// `false`: the application is turned down (`reason` says why).
    pub granted: bool,
    pub reason: String,
    /// The amount is paid once (accident insurance), not monthly.
    pub one_off: bool,
    pub years: Vec<RefundYearLine>,
    /// "690,10 € für 10 Monate (11/2009–08/2010)", or empty.
    pub back_payment: String,
    /// "69,20 € monatlich ab 09/2010", or empty.
    pub running: String,
}

/// One grant decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantDecision {
    pub letter: OfficeLetter,
    /// "Ausstattung neuer Plätze", "Fortbildung", …
    pub purpose: String,
    /// What was asked for, e.g. "Kosten 150,00 €" or "2 neue Plätze".
    pub requested: String,
    /// Euros with a decimal comma.
    pub amount: String,
    /// The paid month, e.g. "11/2026".
    pub paid_with: String,
    pub explanation: Vec<String>,
    pub conditions: Vec<String>,
}

/// Why a Bescheid could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum TagespflegeDecisionError {
    #[error("the decision cannot be issued: {0}")]
    Invalid(String),
    #[error(transparent)]
    Render(#[from] RenderError),
}

fn check_letter(letter: &OfficeLetter) -> Result<(), TagespflegeDecisionError> {
    for (field, value) in [
        ("office_name", &letter.office_name),
        ("childminder_name", &letter.childminder_name),
        ("file_number", &letter.file_number),
    ] {
        if value.trim().is_empty() {
            return Err(TagespflegeDecisionError::Invalid(format!(
                "`{field}` is empty"
            )));
        }
    }
    Ok(())
}

fn letter_json(letter: &OfficeLetter) -> serde_json::Value {
    json!({
        "office": { "name": letter.office_name, "address": letter.office_address },
        "recipient": { "name": letter.childminder_name, "address": letter.childminder_address },
        "file_number": letter.file_number,
        "place": letter.place,
        "issued_on": format_date(letter.issued_on),
        "clerk": letter.clerk,
    })
}

fn meta(letter: &OfficeLetter, title: String, kind: &str) -> DocumentMeta {
    DocumentMeta {
        title,
        author: letter.office_name.clone(),
        language: "de".into(),
        date: letter.issued_on,
        id: format!("{kind}/{}/{}", letter.file_number, letter.issued_on),
    }
}

/// Renders the refund Bescheid as a tagged PDF.
pub fn refund_decision_pdf(
    decision: &RefundDecision,
) -> Result<Rendered, TagespflegeDecisionError> {
    check_letter(&decision.letter)?;
    if decision.granted && decision.years.is_empty() {
        return Err(TagespflegeDecisionError::Invalid(
            "a granted refund names its amounts".into(),
        ));
    }
    if !decision.granted && decision.reason.trim().is_empty() {
        return Err(TagespflegeDecisionError::Invalid(
            "a rejection gives its reason".into(),
        ));
    }
    let mut data = letter_json(&decision.letter);
    data["kind"] = json!(decision.kind);
    data["granted"] = json!(decision.granted);
    data["reason"] = json!(decision.reason);
    data["one_off"] = json!(decision.one_off);
    data["years"] = json!(decision.years);
    data["back_payment"] = json!(decision.back_payment);
    data["running"] = json!(decision.running);
    let meta = meta(
        &decision.letter,
        format!(
            "Erstattungsbescheid Kindertagespflege – {}",
            decision.letter.childminder_name
        ),
        "refund-decision",
    );
    Ok(render(&REFUND_DECISION, &data, &meta)?)
}

/// Renders the grant Bescheid as a tagged PDF.
pub fn grant_decision_pdf(decision: &GrantDecision) -> Result<Rendered, TagespflegeDecisionError> {
    check_letter(&decision.letter)?;
    if decision.amount.trim().is_empty() || decision.purpose.trim().is_empty() {
        return Err(TagespflegeDecisionError::Invalid(
            "a grant names its purpose and amount".into(),
        ));
    }
    let mut data = letter_json(&decision.letter);
    data["purpose"] = json!(decision.purpose);
    data["requested"] = json!(decision.requested);
    data["amount"] = json!(decision.amount);
    data["paid_with"] = json!(decision.paid_with);
    data["explanation"] = json!(decision.explanation);
    data["conditions"] = json!(decision.conditions);
    let meta = meta(
        &decision.letter,
        format!(
            "Zuschussbescheid Kindertagespflege – {}",
            decision.letter.childminder_name
        ),
        "grant-decision",
    );
    Ok(render(&GRANT_DECISION, &data, &meta)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> OfficeLetter {
        OfficeLetter {
            office_name: "Stadt Musterstadt, Kindertagespflege".into(),
            office_address: vec!["Rathausplatz 1".into(), "01067 Musterstadt".into()],
            childminder_name: "Maria #panic(\"x\") *Sommer*".into(),
            childminder_address: vec!["Alaunstraße 3".into(), "01099 Musterstadt".into()],
            file_number: "tpk-1/e-7".into(),
            place: "Musterstadt".into(),
            issued_on: NaiveDate::from_ymd_opt(2010, 9, 1).unwrap(),
            clerk: "Anja Krause".into(),
        }
    }

    fn refund() -> RefundDecision {
        RefundDecision {
            letter: letter(),
            kind: "Kranken- und Pflegeversicherung".into(),
            granted: true,
            reason: String::new(),
            one_off: false,
            years: vec![RefundYearLine {
                period: "2010".into(),
                amount: "69,20".into(),
                explanation: vec!["anerkannter Beitrag 138,40 €, davon die Hälfte".into()],
            }],
            back_payment: "690,10 € für 10 Monate (11/2009–08/2010)".into(),
            running: "69,20 € monatlich ab 09/2010".into(),
        }
    }

    #[test]
    fn both_decisions_render_without_warnings() {
        let pdf = refund_decision_pdf(&refund()).unwrap();
        assert!(pdf.pdf.starts_with(b"%PDF"));
        assert!(pdf.warnings.0.is_empty(), "{}", pdf.warnings);
        let grant = GrantDecision {
            letter: letter(),
            purpose: "Fortbildung".into(),
            requested: "Kosten 150,00 €".into(),
            amount: "75,00".into(),
            paid_with: "11/2026".into(),
            explanation: vec!["50 % von 150,00 €".into()],
            conditions: vec!["Nachweis der Teilnahme".into()],
        };
        let pdf = grant_decision_pdf(&grant).unwrap();
        assert!(pdf.pdf.starts_with(b"%PDF"));
        assert!(pdf.warnings.0.is_empty(), "{}", pdf.warnings);
    }

    #[test]
    fn a_refund_without_amounts_or_a_rejection_without_reason_is_refused() {
        let mut d = refund();
        d.years.clear();
        assert!(matches!(
            refund_decision_pdf(&d),
            Err(TagespflegeDecisionError::Invalid(_))
        ));
        let mut d = refund();
        d.granted = false;
        assert!(matches!(
            refund_decision_pdf(&d),
            Err(TagespflegeDecisionError::Invalid(_))
        ));
    }
}
