//! The Mehrbetreuungsbescheid (Lastenheft 3.10.6): the fees for one child's care beyond the
//! contracted hours in one month. "Im Bescheid müssen die angefallenen Mehrbetreuungszeiten
//! und die Kosten ausgewiesen werden": every day with its times, the tiers exceeded, a pick-up
//! after closing, the amount and the rule, and the month's total.
//!
//! The amounts are the fee engine's (`kitanetz-fees`, Satzung § 5: a flat per exceeded tier, a
//! flat after closing time, nothing for Hort children on school-free days); the letter adds
//! them up and computes nothing else. The salutation, the Rechtsbehelfsbelehrung, the closing
//! line and the statute's name are the fee decisions' ([`TemplateBook`], the single-child text
//! in force for the month), so an authority words its objection notice once.
//!
//! # Filling it from the fee engine
//!
//! | `kitanetz-fees`                          | here                                  |
//! |------------------------------------------|---------------------------------------|
//! | `ExtraCare::date`                        | [`ExtraCareDay::day`]                 |
//! | `ExtraCare::tiers`                       | [`ExtraCareDay::tiers_exceeded`]      |
//! | `ExtraCare::after_closing`               | [`ExtraCareDay::after_closing`]       |
//! | `ExtraCare::school_free_day`             | [`ExtraCareDay::school_free_day`]     |
//! | the `extra_care.*` explanation lines of that date | [`ExtraCareDay::explanation`] |
//! | their charges (per date)                 | [`ExtraCareDay::amount`]              |
//! | the recorded times (Lastenheft 3.6.13)   | [`ExtraCareDay::from`], [`ExtraCareDay::until`] |

use chrono::{Datelike, NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::format::{format_date, format_euro, mask_iban, YearMonth};
use super::template::{DecisionTemplate, Placeholder, Segment, TemplateBook};
use super::{
    Authority, Clerk, DecisionKind, ExplanationLine, Guardian, LetterCopy, LetterError, Payment,
    Pkn,
};
use crate::{render, DocumentMeta, Rendered, Template};

/// The layout of the Mehrbetreuungsbescheid. Its data is described at the top of
/// `templates/extra_care_decision.typ`; `templates/extra_care_decision.sample.json` is an
/// example. [`extra_care_decision_pdf`] fills it from an [`ExtraCareDecision`].
pub const EXTRA_CARE_DECISION: Template<'static> = Template {
    name: "extra_care_decision.typ",
    source: include_str!("../../templates/extra_care_decision.typ"),
};

/// § 5 (1) to (3) and § 12 (6) of the Dresden Satzung of 23 June 2011, word for word, for
/// [`ExtraCareDecision::legal_basis`]. A later Satzung gets its own constant (or the node's
/// configuration): a decision quotes the statute in force for its month.
pub const LEGAL_BASIS_DRESDEN_2011: [&str; 4] = [
    "§ 5 Abs. 1 der Satzung: Personensorgeberechtigte haben die Möglichkeit, in Ausnahmefällen \
     Mehrbetreuung über die im Betreuungsvertrag täglich vereinbarte Betreuungszeit in Anspruch \
     zu nehmen. Für jede weitere Betreuungszeitstufe ist ein zusätzlicher Beitrag von 5 Euro zu \
     entrichten.",
    "§ 5 Abs. 2 der Satzung: Für Kinder, die innerhalb der festgelegten Öffnungszeit der \
     Einrichtung noch nicht abgeholt worden sind, wird ein Beitrag von 25 Euro erhoben.",
    "§ 5 Abs. 3 der Satzung: Wird für Hortkinder an unterrichtsfreien Tagen eine Mehrbetreuung \
     über die vereinbarte Betreuungszeit in Anspruch genommen, so wird kein zusätzlicher Beitrag \
     erhoben.",
    "§ 12 Abs. 6 der Satzung: Bei Inanspruchnahme von Mehrbetreuungszeiten innerhalb eines \
     Betreuungsverhältnisses sind die zusätzlichen Pauschalbeiträge nach § 5 Abs. 1 bis 2 \
     bargeldlos zu zahlen.",
];

/// One child's Mehrbetreuung in one month, as the node assembles it from the recorded days and
/// the fee engine's result. Addressed to the payer alone: it carries the payer's bank data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraCareDecision {
    /// A stable identifier, e.g. `extra-care-decision/12345601/2026-08/1`; its hash is the PDF's
    /// document identifier (not printed).
    pub id: String,
    /// The deciding authority: letterhead, footer, where to object, its account for transfers.
    pub authority: Authority,
    /// "Es informiert Sie"; `None` for a decision of the automatic run without a named clerk.
    pub clerk: Option<Clerk>,
    /// "Unser Zeichen".
    pub reference: String,
    /// The letter's date.
    pub date: NaiveDate,
    /// The child's PKN, the payment reference.
    pub pkn: Pkn,
    /// The family name of the salutation, "Sehr geehrte Familie …".
    pub family_name: String,
    /// The payer and the postal address.
    pub addressee: Guardian,
    /// The other guardian: a copy goes to them when they live elsewhere (as for the fee
    /// decision); the payer's bank data is never on it. Decisions stored before it existed read
    /// `None`.
    #[serde(default)]
    pub other_guardian: Option<Guardian>,
    pub child_name: String,
    /// The Kita the extra care was given in.
    pub facility_name: String,
    pub month: YearMonth,
    /// The days of extra care, ascending; at least one (a month without extra care gets no
    /// decision).
    pub entries: Vec<ExtraCareDay>,
    /// How the total is paid (Satzung § 12 (6): without cash). Ignored when the total is 0.
    pub payment: Payment,
    /// The day the total is debited or due.
    pub due_on: NaiveDate,
    /// The statute's rules as printed under "Begründung", e.g. [`LEGAL_BASIS_DRESDEN_2011`].
    pub legal_basis: Vec<String>,
}

/// One day of extra care and what it costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraCareDay {
    pub day: NaiveDate,
    /// When the extra care began and ended, as recorded by the Kita (Lastenheft 3.6.13).
    pub from: NaiveTime,
    pub until: NaiveTime,
    /// Care tiers beyond the contracted daily hours; 0 when only [`Self::after_closing`].
    pub tiers_exceeded: u32,
    /// Not picked up within the facility's opening hours (Satzung § 5 (2)).
    pub after_closing: bool,
    /// A school-free day: no tier charge for Hort children (Satzung § 5 (3)).
    pub school_free_day: bool,
    /// The fee engine's charge for the day, in euros with at most two decimals; 0 on a Hort
    /// child's school-free day.
    pub amount: Decimal,
    /// The fee engine's explanation of the amount, in German as printed, at least one line.
    pub explanation: Vec<ExplanationLine>,
}

impl ExtraCareDecision {
    /// The month's total: the sum of the days' amounts (exact, in decimals).
    pub fn total(&self) -> Decimal {
        self.entries.iter().map(|entry| entry.amount).sum()
    }
}

/// Renders the decision with the salutation, Rechtsbehelfsbelehrung and closing of the built-in
/// fee decisions ([`TemplateBook::builtin`]).
pub fn extra_care_decision_pdf(decision: &ExtraCareDecision) -> Result<Rendered, LetterError> {
    extra_care_decision_pdf_with(TemplateBook::builtin(), decision)
}

impl ExtraCareDecision {
    /// The copies to print and post: the payer's, and the other guardian's when that guardian
    /// lives elsewhere (like [`crate::Decision::copies`]).
    pub fn copies(&self) -> Vec<LetterCopy> {
        match &self.other_guardian {
            Some(other) if !other.same_address(&self.addressee) => {
                vec![LetterCopy::Payer, LetterCopy::OtherGuardian]
            }
            _ => vec![LetterCopy::Payer],
        }
    }
}

/// One copy of the decision: the payer's ([`extra_care_decision_pdf`]) or the other
/// guardian's, addressed to them and without the payer's bank data.
pub fn extra_care_decision_copy_pdf(
    decision: &ExtraCareDecision,
    copy: LetterCopy,
) -> Result<Rendered, LetterError> {
    render_copy(TemplateBook::builtin(), decision, copy)
}

/// Renders the decision with the salutation, Rechtsbehelfsbelehrung, closing line and statute
/// of the single-child fee decision that `book` has in force on the first day of the decision's
/// month (a city's own versions, see [`TemplateBook::builtin_and_dir`]).
pub fn extra_care_decision_pdf_with(
    book: &TemplateBook,
    decision: &ExtraCareDecision,
) -> Result<Rendered, LetterError> {
    render_copy(book, decision, LetterCopy::Payer)
}

fn render_copy(
    book: &TemplateBook,
    decision: &ExtraCareDecision,
    copy: LetterCopy,
) -> Result<Rendered, LetterError> {
    validate(decision)?;
    let recipient = match copy {
        LetterCopy::Payer => &decision.addressee,
        LetterCopy::OtherGuardian => decision
            .other_guardian
            .as_ref()
            .ok_or(LetterError::NoOtherGuardian)?,
    };
    let first_day = NaiveDate::from_ymd_opt(decision.month.year(), decision.month.month(), 1)
        .expect("a YearMonth has a first day");
    let template =
        book.select(DecisionKind::SingleChild, first_day)
            .ok_or(LetterError::NoTemplate {
                kind: DecisionKind::SingleChild.name(),
                day: first_day,
            })?;
    let title = format!(
        "Bescheid über Mehrbetreuungsbeiträge für {}",
        decision.month.german()
    );
    let data = data(decision, template, &title, recipient, copy)?;
    let meta = DocumentMeta {
        title,
        author: format!("{}, {}", decision.authority.name, decision.authority.office),
        language: "de".to_owned(),
        date: decision.date,
        id: match copy {
            LetterCopy::Payer => decision.id.clone(),
            LetterCopy::OtherGuardian => format!("{}/other-guardian", decision.id),
        },
    };
    Ok(render(&EXTRA_CARE_DECISION, &data, &meta)?)
}

fn validate(d: &ExtraCareDecision) -> Result<(), LetterError> {
    let invalid = |problem: String| Err(LetterError::Invalid(problem));
    if d.entries.is_empty() {
        return Err(LetterError::NoExtraCare {
            child: d.child_name.clone(),
            month: d.month,
        });
    }
    if d.legal_basis.iter().all(|p| p.trim().is_empty()) {
        return invalid(
            "it gives no `legal_basis`; a decision states its reasons (e.g. LEGAL_BASIS_DRESDEN_2011)"
                .into(),
        );
    }
    for entry in &d.entries {
        let day = format_date(entry.day);
        if YearMonth::of(entry.day) != d.month {
            return invalid(format!(
                "the extra care on {day} is not in {}",
                d.month.german()
            ));
        }
        if entry.from >= entry.until {
            return invalid(format!(
                "the extra care on {day} ends ({}) before it begins ({})",
                entry.until.format("%H:%M"),
                entry.from.format("%H:%M")
            ));
        }
        if entry.tiers_exceeded == 0 && !entry.after_closing {
            return invalid(format!(
                "the entry of {day} exceeds no tier and is not after closing time: it is no extra care"
            ));
        }
        if entry.amount.is_sign_negative() && !entry.amount.is_zero() {
            return invalid(format!(
                "the amount on {day} is negative ({})",
                entry.amount
            ));
        }
        if entry.amount.normalize().scale() > 2 {
            return invalid(format!(
                "the amount on {day} ({}) has more than two decimals; the fee engine rounds to the cent",
                entry.amount
            ));
        }
        if entry.explanation.is_empty() {
            return invalid(format!(
                "the entry of {day} has no explanation; give the fee engine's lines for it"
            ));
        }
    }
    for pair in d.entries.windows(2) {
        if (pair[0].day, pair[0].from) >= (pair[1].day, pair[1].from) {
            return invalid(format!(
                "the days of extra care are not ascending ({} {} before {} {})",
                format_date(pair[0].day),
                pair[0].from.format("%H:%M"),
                format_date(pair[1].day),
                pair[1].from.format("%H:%M")
            ));
        }
    }
    if d.total() > Decimal::ZERO && d.payment == Payment::None {
        return invalid(format!(
            "the total is {} but `payment` is None; say how it is paid (Satzung § 12 Abs. 6: without cash)",
            format_euro(d.total())
        ));
    }
    Ok(())
}

const WEEKDAYS: [&str; 7] = ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."];

fn entry_data(entry: &ExtraCareDay) -> Value {
    let mut notes: Vec<String> = Vec::new();
    if entry.school_free_day {
        notes.push("unterrichtsfreier Tag".to_owned());
    }
    notes.extend(
        entry
            .explanation
            .iter()
            .map(|line| format!("{} ({})", line.text, line.paragraph)),
    );
    json!({
        "day": format!(
            "{} {}",
            WEEKDAYS[entry.day.weekday().num_days_from_monday() as usize],
            format_date(entry.day)
        ),
        "time": format!("{}–{}", entry.from.format("%H:%M"), entry.until.format("%H:%M")),
        "tiers": if entry.tiers_exceeded == 0 { "–".to_owned() } else { entry.tiers_exceeded.to_string() },
        "after_closing": if entry.after_closing { "ja" } else { "nein" },
        "notes": notes,
        "amount": format_euro(entry.amount),
    })
}

fn payment_data(d: &ExtraCareDecision, copy: LetterCopy) -> Result<Value, LetterError> {
    if d.total().is_zero() {
        return Ok(json!({ "mode": "none" }));
    }
    let due_on = format_date(d.due_on);
    Ok(match (&d.payment, copy) {
        // The other guardian's copy never shows the payer's account.
        (Payment::DirectDebit(_), LetterCopy::OtherGuardian) => json!({
            "mode": "debit-other",
            "due_on": due_on,
            "payer": d.addressee.name,
        }),
        _ => match &d.payment {
            Payment::DirectDebit(account) => json!({
                "mode": "debit",
                "due_on": due_on,
                "iban": mask_iban(&account.iban),
                "bank": account.bank,
            }),
            Payment::Transfer => {
                let account = d.authority.account.as_ref().ok_or_else(|| {
                    LetterError::Invalid(
                        "the total is paid by transfer, but the authority has no `account`".into(),
                    )
                })?;
                json!({
                    "mode": "transfer",
                    "due_on": due_on,
                    "iban": account.iban,
                    "bic": account.bic,
                    "bank": account.bank,
                })
            }
            Payment::None => unreachable!("validate refuses a total without payment"),
        },
    })
}

/// A text of the fee decision template (Rechtsbehelfsbelehrung, closing) with its placeholders
/// filled; only those that make sense without a fee table are available.
fn fill(
    d: &ExtraCareDecision,
    template: &DecisionTemplate,
    segments: &[Segment],
) -> Result<String, LetterError> {
    let mut text = String::new();
    for segment in segments {
        match segment {
            Segment::Text(t) => text.push_str(t),
            Segment::Placeholder(p) => text.push_str(&match p {
                Placeholder::Behoerde => d.authority.name.clone(),
                Placeholder::Dienststelle => d.authority.office.clone(),
                Placeholder::WiderspruchAnschrift => d.authority.objection_address.clone(),
                Placeholder::Satzung => template.statute.clone(),
                Placeholder::Datum => format_date(d.date),
                Placeholder::Pkn => d.pkn.to_string(),
                Placeholder::Familie => d.family_name.clone(),
                Placeholder::Kind => d.child_name.clone(),
                Placeholder::Einrichtung => d.facility_name.clone(),
                other => {
                    return Err(LetterError::MissingPlaceholder {
                        template: format!("{} ({})", template.source_name, template.version),
                        placeholder: other.name(),
                        hint: "the extra-care decision reuses only the salutation, \
                               Rechtsbehelfsbelehrung and closing, which may use behoerde, \
                               dienststelle, widerspruch_anschrift, satzung, datum, pkn, \
                               familie, kind and einrichtung",
                    })
                }
            }),
        }
    }
    Ok(text)
}

fn data(
    d: &ExtraCareDecision,
    template: &DecisionTemplate,
    title: &str,
    recipient: &Guardian,
    copy: LetterCopy,
) -> Result<Value, LetterError> {
    let authority = &d.authority;
    let mut info = vec![
        json!(["Ihre PKN", d.pkn.as_str()]),
        json!(["Unser Zeichen", d.reference]),
    ];
    if let Some(clerk) = &d.clerk {
        info.push(json!(["Es informiert Sie", clerk.name]));
        if let Some(room) = &clerk.room {
            info.push(json!(["Zimmer", room]));
        }
        info.push(json!(["Telefon", clerk.phone]));
        info.push(json!(["E-Mail", clerk.email]));
    } else {
        info.push(json!(["Telefon", authority.phone]));
        info.push(json!(["E-Mail", authority.email]));
    }
    info.push(json!(["Datum", format_date(d.date)]));
    let remedy = template
        .remedy
        .iter()
        .map(|paragraph| fill(d, template, paragraph))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({
        "authority": {
            "name": authority.name,
            "office": authority.office,
            "return_address": authority.return_address,
            "street": authority.street,
            "postcode_town": authority.postcode_town,
            "phone": authority.phone,
            "email": authority.email,
        },
        "recipient": [recipient.name, recipient.street, recipient.postcode_town],
        "info": info,
        "title": title,
        "salutation": fill(d, template, &template.salutation)?,
        "child": d.child_name,
        "facility": d.facility_name,
        "month": d.month.german(),
        "statute": template.statute,
        "entries": d.entries.iter().map(entry_data).collect::<Vec<_>>(),
        "total": format_euro(d.total()),
        "pkn": d.pkn.as_str(),
        "payment": payment_data(d, copy)?,
        "legal_basis": d.legal_basis.iter().filter(|p| !p.trim().is_empty()).collect::<Vec<_>>(),
        "remedy": remedy,
        "closing": fill(d, template, &template.closing)?,
    }))
}
