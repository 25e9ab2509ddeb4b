//! The Ablehnungsbescheid of an application for the income-based reduction or waiver of the
//! parents' fee (§ 90 SGB VIII). Annex J has no text for it; this one is written in the words of
//! annex J's grant ("Bescheid Ermäßigung Zusage"): what was applied for, that it is refused, the
//! reason, the legal basis and the Rechtsbehelfsbelehrung of the fee decisions. The layout is the
//! fee decision's (DIN 5008 form B, window-envelope address field, fold marks).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{format_date, Authority, Clerk, Guardian, LetterCopy, LetterError, Pkn, YearMonth};
use crate::{render, DocumentMeta, Rendered, Template};

/// The refusal in the city's look; its data is described at the top of
/// `templates/reduction_refusal.typ`.
pub const REDUCTION_REFUSAL: Template<'static> = Template {
    name: "reduction_refusal.typ",
    source: include_str!("../../templates/reduction_refusal.typ"),
};

/// The legal basis printed under "Begründung" after the reason of a refusal issued before it
/// was a field of [`ReductionRefusal`]: § 90 SGB VIII in the wording the Dresden statute of 2011
/// and annex J refer to (Abs. 3 the waiver when the burden is not reasonable, Abs. 4 the income
/// rules of the SGB XII); then the conclusion every refusal prints.
pub const LEGAL_BASIS: [&str; 2] = [
    "Nach § 90 Abs. 3 Sozialgesetzbuch Achtes Buch (SGB VIII) soll der Kostenbeitrag auf Antrag ganz oder teilweise erlassen werden, wenn die Belastung den Eltern und dem Kind nicht zuzumuten ist. Ob die Belastung zumutbar ist, richtet sich nach § 90 Abs. 4 SGB VIII in Verbindung mit den §§ 82 bis 85, 87 und 88 Sozialgesetzbuch Zwölftes Buch (SGB XII) sowie § 13 der Satzung über die Erhebung von Elternbeiträgen.",
    "Die Prüfung Ihres Antrages nach diesen Vorschriften hat ergeben, dass die Voraussetzungen für eine Ermäßigung oder einen Erlass des Elternbeitrages nicht vorliegen.",
];

/// One refusal, as the node assembles it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReductionRefusal {
    /// `reduction-refusal/<family number>/<application number>`: the PDF's identifier.
    pub id: String,
    pub authority: Authority,
    pub clerk: Clerk,
    /// "Unser Zeichen".
    pub file_number: String,
    pub date: NaiveDate,
    /// The first child's PKN (the family's payment reference).
    pub pkn: Pkn,
    pub family_name: String,
    /// The applicant (the payer).
    pub addressee: Guardian,
    /// The other guardian, who gets a copy when living elsewhere.
    pub other_guardian: Option<Guardian>,
    /// The application's number, e.g. `123456-E1`.
    pub application: String,
    pub applied_on: NaiveDate,
    /// The months applied for.
    pub from: YearMonth,
    pub until: YearMonth,
    /// The children in care in those months, e.g. "Ben Beispiel, geboren am 20.05.2023".
    pub children: Vec<String>,
    /// Why it is refused, as the clerk wrote it.
    pub reason: String,
    /// The law it rests on, in the wording in force for the months applied for (the node takes
    /// `kitanetz_fees::sgb8::waiver_legal_basis`). Empty in refusals stored before this field:
    /// those were issued with `LEGAL_BASIS[0]`, and print it again.
    #[serde(default)]
    pub legal_basis: String,
}

impl ReductionRefusal {
    /// The copies to print and post: the applicant's, and the other guardian's when that
    /// guardian lives elsewhere.
    pub fn copies(&self) -> Vec<LetterCopy> {
        match &self.other_guardian {
            Some(other) if !other.same_address(&self.addressee) => {
                vec![LetterCopy::Payer, LetterCopy::OtherGuardian]
            }
            _ => vec![LetterCopy::Payer],
        }
    }
}

fn last_day(month: YearMonth) -> NaiveDate {
    let (y, m) = if month.month() == 12 {
        (month.year() + 1, 1)
    } else {
        (month.year(), month.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).expect("a calendar month") - chrono::Days::new(1)
}

/// Renders one copy of the refusal as a tagged PDF.
pub fn reduction_refusal_pdf(
    refusal: &ReductionRefusal,
    copy: LetterCopy,
) -> Result<Rendered, LetterError> {
    let invalid = |problem: &str| Err(LetterError::Invalid(problem.to_owned()));
    if refusal.reason.trim().is_empty() {
        return invalid("a refusal states its reason; `reason` is empty");
    }
    if refusal.children.is_empty() {
        return invalid("a refusal names the children the application was for");
    }
    if refusal.until < refusal.from {
        return invalid("the months applied for end before they begin");
    }
    let recipient = match copy {
        LetterCopy::Payer => &refusal.addressee,
        LetterCopy::OtherGuardian => refusal
            .other_guardian
            .as_ref()
            .ok_or(LetterError::NoOtherGuardian)?,
    };
    let a = &refusal.authority;
    let mut info = vec![
        json!(["Ihre PKN", refusal.pkn.as_str()]),
        json!(["Unser Zeichen", refusal.file_number]),
        json!(["Antrag", refusal.application]),
        json!(["Es informiert Sie", refusal.clerk.name]),
    ];
    if let Some(room) = &refusal.clerk.room {
        info.push(json!(["Zimmer", room]));
    }
    info.push(json!(["Telefon", refusal.clerk.phone]));
    info.push(json!(["E-Mail", refusal.clerk.email]));
    info.push(json!(["Datum", format_date(refusal.date)]));
    let first_day = NaiveDate::from_ymd_opt(refusal.from.year(), refusal.from.month(), 1)
        .expect("a calendar month");
    let title = "Bescheid über die Ablehnung der Ermäßigung bzw. des Erlasses des Elternbeitrages";
    let data = json!({
        "authority": {
            "name": a.name, "office": a.office, "return_address": a.return_address,
            "street": a.street, "postcode_town": a.postcode_town, "phone": a.phone, "email": a.email,
        },
        "recipient": [recipient.name, recipient.street, recipient.postcode_town],
        "copy_note": match copy {
            LetterCopy::Payer => "",
            LetterCopy::OtherGuardian => "Ausfertigung für den weiteren Personensorgeberechtigten",
        },
        "info": info,
        "title": title,
        "salutation": format!("Sehr geehrte Familie {},", refusal.family_name),
        "applied_on": format_date(refusal.applied_on),
        "from": format_date(first_day),
        "until": format_date(last_day(refusal.until)),
        "children": refusal.children,
        "reason": refusal.reason.trim(),
        "legal_basis": [
            if refusal.legal_basis.trim().is_empty() { LEGAL_BASIS[0] } else { refusal.legal_basis.trim() },
            LEGAL_BASIS[1],
        ],
        "remedy": [
            "Gegen diesen Bescheid kann innerhalb eines Monats ab Bekanntgabe Widerspruch eingelegt werden.",
            format!(
                "Der Widerspruch ist schriftlich oder zur Niederschrift bei der {} einzulegen ({}).",
                a.name, a.objection_address
            ),
        ],
        "closing": "Dieser Bescheid wurde maschinell erstellt und trägt daher keine Unterschrift.",
    });
    let meta = DocumentMeta {
        title: title.to_owned(),
        author: format!("{}, {}", a.name, a.office),
        language: "de".to_owned(),
        date: refusal.date,
        id: match copy {
            LetterCopy::Payer => refusal.id.clone(),
            LetterCopy::OtherGuardian => format!("{}/other-guardian", refusal.id),
        },
    };
    Ok(render(&REDUCTION_REFUSAL, &data, &meta)?)
}
