//! The Förderbescheid of Kindertagespflege: the office's decision to a childminder that it pays
//! the running payment for one child (annex K, seed 004 L29684–29692). The node computes the
//! amount with `kitanetz-tagespflege`; this module only prints it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::decision::format_date;
use crate::{render, DocumentMeta, RenderError, Rendered, Template};

/// The Förderbescheid in the city's look; its data is described at the top of
/// `templates/funding_decision.typ`.
pub const FUNDING_DECISION: Template<'static> = Template {
    name: "funding_decision.typ",
    source: include_str!("../templates/funding_decision.typ"),
};

/// One decision, as the node assembles it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingDecision {
    pub office_name: String,
    pub office_address: Vec<String>,
    pub childminder_name: String,
    pub childminder_address: Vec<String>,
    pub file_number: String,
    pub place: String,
    pub issued_on: NaiveDate,
    pub child_given_name: String,
    pub child_family_name: String,
    pub birth_date: NaiveDate,
    pub care_from: NaiveDate,
    pub care_until: Option<NaiveDate>,
    /// As printed, e.g. "7,5".
    pub daily_hours: String,
    pub tier_hours: String,
    /// Euros with a decimal comma, e.g. "585,00".
    pub monthly: String,
    pub table: String,
    /// The table is an example, not a municipal decision (printed as a note).
    pub example: bool,
    pub clerk: String,
}

/// Why a Förderbescheid could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum FundingDecisionError {
    #[error("the funding decision cannot be issued: {0}")]
    Invalid(String),
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// Renders the decision as a tagged PDF.
pub fn funding_decision_pdf(decision: &FundingDecision) -> Result<Rendered, FundingDecisionError> {
    let blank = |s: &str| s.trim().is_empty();
    for (field, value) in [
        ("office_name", &decision.office_name),
        ("childminder_name", &decision.childminder_name),
        ("child_given_name", &decision.child_given_name),
        ("child_family_name", &decision.child_family_name),
        ("monthly", &decision.monthly),
    ] {
        if blank(value) {
            return Err(FundingDecisionError::Invalid(format!("`{field}` is empty")));
        }
    }
    if decision.care_until.is_some_and(|u| u < decision.care_from) {
        return Err(FundingDecisionError::Invalid(
            "the funding ends before it begins".into(),
        ));
    }
    let data = json!({
        "office": { "name": decision.office_name, "address": decision.office_address },
        "recipient": { "name": decision.childminder_name, "address": decision.childminder_address },
        "file_number": decision.file_number,
        "place": decision.place,
        "issued_on": format_date(decision.issued_on),
        "child": {
            "given_name": decision.child_given_name,
            "family_name": decision.child_family_name,
            "birth_date": format_date(decision.birth_date),
        },
        "care_from": format_date(decision.care_from),
        "care_until": decision.care_until.map(format_date).unwrap_or_default(),
        "daily_hours": decision.daily_hours,
        "tier_hours": decision.tier_hours,
        "monthly": decision.monthly,
        "table": decision.table,
        "example": decision.example,
        "clerk": decision.clerk,
    });
    let meta = DocumentMeta {
        title: format!(
            "Förderbescheid Kindertagespflege – {} {}",
            decision.child_given_name, decision.child_family_name
        ),
        author: decision.office_name.clone(),
        language: "de".into(),
        date: decision.issued_on,
        id: format!(
            "funding-decision/{}/{}",
            decision.file_number, decision.issued_on
        ),
    };
    Ok(render(&FUNDING_DECISION, &data, &meta)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision() -> FundingDecision {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        FundingDecision {
            office_name: "Stadt Musterstadt, Kindertagespflege".into(),
            office_address: vec!["Rathausplatz 1".into(), "01067 Musterstadt".into()],
            childminder_name: "Maria Sommer".into(),
            childminder_address: vec!["Alaunstraße 3".into(), "01099 Musterstadt".into()],
            file_number: "tpk-1".into(),
            place: "Musterstadt".into(),
            issued_on: d(2026, 11, 2),
            child_given_name: "Ida".into(),
            child_family_name: "#panic(\"x\") *Lorenz*".into(),
            birth_date: d(2025, 4, 2),
            care_from: d(2026, 12, 1),
            care_until: None,
            daily_hours: "7,5".into(),
            tier_hours: "8".into(),
            monthly: "585,00".into(),
            table: "example-2025".into(),
            example: true,
            clerk: "Anja Krause".into(),
        }
    }

    #[test]
    fn a_decision_renders_as_pdf_with_markup_in_names_printed_as_text() {
        let pdf = funding_decision_pdf(&decision()).unwrap();
        assert!(pdf.pdf.starts_with(b"%PDF"));
        assert!(pdf.warnings.0.is_empty(), "{}", pdf.warnings);
    }

    #[test]
    fn a_decision_without_an_amount_or_ending_before_it_begins_is_refused() {
        let mut d = decision();
        d.monthly = " ".into();
        assert!(matches!(
            funding_decision_pdf(&d),
            Err(FundingDecisionError::Invalid(_))
        ));
        let mut d = decision();
        d.care_until = NaiveDate::from_ymd_opt(2026, 11, 30);
        assert!(matches!(
            funding_decision_pdf(&d),
            Err(FundingDecisionError::Invalid(_))
        ));
    }
}
