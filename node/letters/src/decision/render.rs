//! From a [`Decision`] and its template to the letter's data, and through typst to PDF.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::format::{format_date, format_euro, format_hours, mask_iban, YearMonth};
use super::template::{DecisionTemplate, Paragraph, Placeholder, Segment, TemplateBook};
use super::{Change, ChildFees, Decision, InputField, LetterCopy, MonthFee, Payment, Pkn};
use crate::{render, DocumentMeta, RenderError, Template};

/// The layout every fee decision shares (letterhead, address field, blocks); the wording comes
/// from the decision template.
const DECISION_LAYOUT: Template<'static> = Template {
    name: "decision.typ",
    source: include_str!("../../templates/decision.typ"),
};

/// Why a fee decision could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// No template of the kind is valid on the decision's `effective_from`.
    #[error(
        "no {kind} decision template is valid on {day}; add a version with an earlier valid_from"
    )]
    NoTemplate { kind: &'static str, day: NaiveDate },
    /// The template uses a placeholder the decision has no value for.
    #[error("the decision template {template} needs the placeholder {{{{{placeholder}}}}}, but the decision has no value for it: {hint}")]
    MissingPlaceholder {
        template: String,
        placeholder: &'static str,
        /// Which part of the [`Decision`] to fill.
        hint: &'static str,
    },
    /// A child's PKN does not belong to the decision's family (Lastenheft 3.10.1.7: the first
    /// six digits are the family's).
    #[error("the child {child} has the PKN {child_pkn}, but the decision's family number is {family}; a child's PKN starts with its family's six digits")]
    PknFamily {
        child: String,
        child_pkn: Pkn,
        family: String,
    },
    /// The other guardian's copy was asked for, but the decision has no other guardian.
    #[error("the decision has no other guardian to address a copy to")]
    NoOtherGuardian,
    /// A Mehrbetreuungsbescheid for a month without extra care: there is nothing to decide.
    #[error("{child} has no extra care in {}; a Mehrbetreuungsbescheid needs at least one day", month.german())]
    NoExtraCare { child: String, month: YearMonth },
    /// The decision's data is inconsistent (say what to fix).
    #[error("the decision cannot be issued: {0}")]
    Invalid(String),
    /// typst failed (a layout bug, or a character no font has).
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// Renders one copy of a decision with the built-in annex J templates
/// ([`TemplateBook::builtin`]).
pub fn fee_decision_pdf(decision: &Decision, copy: LetterCopy) -> Result<Vec<u8>, LetterError> {
    fee_decision_pdf_with(TemplateBook::builtin(), decision, copy)
}

/// Renders one copy of a decision with the template of its kind that `book` has in force on
/// [`Decision::effective_from`].
pub fn fee_decision_pdf_with(
    book: &TemplateBook,
    decision: &Decision,
    copy: LetterCopy,
) -> Result<Vec<u8>, LetterError> {
    validate(decision)?;
    let template =
        book.select(decision.kind, decision.effective_from)
            .ok_or(LetterError::NoTemplate {
                kind: decision.kind.name(),
                day: decision.effective_from,
            })?;
    let letter = Letter {
        decision,
        template,
        copy,
    };
    let (data, title) = letter.data()?;
    let meta = DocumentMeta {
        title,
        author: format!("{}, {}", decision.authority.name, decision.authority.office),
        language: "de".to_owned(),
        date: decision.date,
        id: format!(
            "{}/{}",
            decision.id,
            match copy {
                LetterCopy::Payer => "payer",
                LetterCopy::OtherGuardian => "other-guardian",
            }
        ),
    };
    Ok(render(&DECISION_LAYOUT, &data, &meta)?.pdf)
}

fn validate(decision: &Decision) -> Result<(), LetterError> {
    if decision.children.is_empty() {
        return Err(LetterError::Invalid(
            "it names no child; give at least one in `children`".into(),
        ));
    }
    for child in &decision.children {
        if child.pkn.family() != decision.pkn.family() {
            return Err(LetterError::PknFamily {
                child: child.name.clone(),
                child_pkn: child.pkn,
                family: decision.pkn.family().to_owned(),
            });
        }
        for pair in child.months.windows(2) {
            if pair[0].month >= pair[1].month {
                return Err(LetterError::Invalid(format!(
                    "the months of {} are not ascending ({} before {})",
                    child.name, pair[0].month, pair[1].month
                )));
            }
        }
        for month in &child.months {
            if month.amount.is_sign_negative() && !month.amount.is_zero() {
                return Err(LetterError::Invalid(format!(
                    "{} owes a negative fee in {}; a fee is never below 0",
                    child.name, month.month
                )));
            }
            if month.amount.normalize().scale() > 2 {
                return Err(LetterError::Invalid(format!(
                    "the fee of {} in {} ({}) has more than two decimals; the fee engine rounds to the cent",
                    child.name, month.month, month.amount
                )));
            }
        }
    }
    Ok(())
}

/// Consecutive months of one child with the same printed row (amount, care, hours, facility).
/// Collapsing on the whole row rather than the amount alone keeps a change of facility or
/// care time visible even when the amount stays.
struct Run<'a> {
    first: YearMonth,
    last: YearMonth,
    months: Vec<&'a MonthFee>,
}

fn runs(months: &[MonthFee]) -> Vec<Run<'_>> {
    let mut runs: Vec<Run<'_>> = Vec::new();
    for month in months {
        if let Some(run) = runs.last_mut() {
            let previous = run.months[run.months.len() - 1];
            let same_row = previous.amount == month.amount
                && previous.care == month.care
                && previous.hours == month.hours
                && previous.facility == month.facility;
            if same_row && run.last.next() == month.month {
                run.last = month.month;
                run.months.push(month);
                continue;
            }
        }
        runs.push(Run {
            first: month.month,
            last: month.month,
            months: vec![month],
        });
    }
    runs
}

/// "September 2026", "September 2026 – Dezember 2026", or "ab September 2026" for the open end.
fn period_text(first: YearMonth, last: YearMonth, open: bool) -> String {
    if open {
        format!("ab {}", first.german())
    } else if first == last {
        first.german()
    } else {
        format!("{} – {}", first.german(), last.german())
    }
}

fn care_text(month: &MonthFee) -> String {
    format!("{}, {} täglich", month.care, format_hours(month.hours))
}

/// What a provisional decision says first: on what it rests, what the parents owe, what follows.
fn provisional_text(grant: &super::Grant) -> String {
    format!(
        "Dieser Bescheid ergeht vorläufig. Er beruht auf Ihrer Selbstauskunft über Ihr Einkommen \
         vom {}. Bitte reichen Sie die Nachweise Ihres Einkommens (z. B. Lohn- und \
         Gehaltsabrechnungen, Einkommensteuerbescheid) im Elternportal oder bei der o. a. \
         Dienststelle ein. Nach deren Prüfung ergeht ein endgültiger Bescheid; zu viel oder zu \
         wenig gezahlte Beiträge werden dann verrechnet.",
        format_date(grant.applied_on)
    )
}

struct Letter<'a> {
    decision: &'a Decision,
    template: &'a DecisionTemplate,
    copy: LetterCopy,
}

impl Letter<'_> {
    /// The typst data and the letter's title.
    fn data(&self) -> Result<(Value, String), LetterError> {
        let decision = self.decision;
        let recipient = match self.copy {
            LetterCopy::Payer => &decision.payer,
            LetterCopy::OtherGuardian => decision
                .other_guardian
                .as_ref()
                .ok_or(LetterError::NoOtherGuardian)?,
        };
        let provisional = decision.grant.as_ref().is_some_and(|g| g.provisional);
        let mut title = self.text(&self.template.title)?;
        if provisional {
            title = match title.strip_prefix("Bescheid ") {
                Some(rest) => format!("Vorläufiger Bescheid {rest}"),
                None => format!("{title} (vorläufig)"),
            };
        }
        let mut blocks = Vec::new();
        if let Some(grant) = decision.grant.as_ref().filter(|g| g.provisional) {
            blocks.push(json!({ "kind": "par", "text": provisional_text(grant) }));
        }
        for paragraph in &self.template.body {
            blocks.push(match paragraph {
                Paragraph::Heading(segments) => {
                    json!({ "kind": "heading", "text": self.text(segments)? })
                }
                Paragraph::Text(segments) => json!({ "kind": "par", "text": self.text(segments)? }),
                Paragraph::Block(block) => self.block(*block)?,
            });
        }
        let remedy = self
            .template
            .remedy
            .iter()
            .map(|p| self.text(p))
            .collect::<Result<Vec<_>, _>>()?;
        let authority = &decision.authority;
        let mut info = vec![
            json!(["Ihre PKN", decision.pkn.as_str()]),
            json!(["Unser Zeichen", decision.file_number]),
            json!(["Es informiert Sie", decision.clerk.name]),
        ];
        if let Some(room) = &decision.clerk.room {
            info.push(json!(["Zimmer", room]));
        }
        info.extend([
            json!(["Telefon", decision.clerk.phone]),
            json!(["E-Mail", decision.clerk.email]),
            json!(["Datum", format_date(decision.date)]),
        ]);
        let data = json!({
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
            "salutation": self.text(&self.template.salutation)?,
            "blocks": blocks,
            "remedy": remedy,
            "closing": self.text(&self.template.closing)?,
        });
        Ok((data, title))
    }

    fn text(&self, segments: &[Segment]) -> Result<String, LetterError> {
        let mut text = String::new();
        for segment in segments {
            match segment {
                Segment::Text(t) => text.push_str(t),
                Segment::Placeholder(p) => text.push_str(&self.value(*p)?),
            }
        }
        Ok(text)
    }

    fn missing(&self, placeholder: Placeholder, hint: &'static str) -> LetterError {
        LetterError::MissingPlaceholder {
            template: format!("{} ({})", self.template.source_name, self.template.version),
            placeholder: placeholder.name(),
            hint,
        }
    }

    fn first_child(&self) -> &ChildFees {
        &self.decision.children[0]
    }

    fn first_month(&self) -> Option<&MonthFee> {
        self.first_child().months.first()
    }

    /// The value of an inline placeholder, or the error that names it and what to fill.
    fn value(&self, p: Placeholder) -> Result<String, LetterError> {
        let d = self.decision;
        let some = |value: Option<String>, hint| value.ok_or_else(|| self.missing(p, hint));
        let date = |day: Option<NaiveDate>, hint| some(day.map(format_date), hint);
        // Bank data only ever on the payer's copy; the template check keeps it in
        // `payment_debit`, and this keeps it from any other place as well.
        let account = match (&d.payment, self.copy) {
            (Payment::DirectDebit(account), LetterCopy::Payer) => Some(account),
            _ => None,
        };
        const NO_ACCOUNT: &str =
            "bank data needs Payment::DirectDebit and is printed on the payer's copy only";
        match p {
            Placeholder::Familie => Ok(d.family_name.clone()),
            Placeholder::Pkn => Ok(d.pkn.to_string()),
            Placeholder::Datum => Ok(format_date(d.date)),
            Placeholder::Ab => Ok(format_date(d.effective_from)),
            Placeholder::Kind => Ok(self.first_child().name.clone()),
            Placeholder::Geburtsdatum => Ok(format_date(self.first_child().birth_date)),
            Placeholder::Betreuungszeit => some(
                self.first_month().map(|m| format_hours(m.hours)),
                "the first child has no month in `months`",
            ),
            Placeholder::Einrichtung => some(
                self.first_month().map(|m| m.facility.clone()),
                "the first child has no month in `months`",
            ),
            Placeholder::EinrichtungAnschrift => some(
                self.first_child().facility_address.clone(),
                "set the first child's `facility_address`",
            ),
            Placeholder::Betrag => some(
                self.first_month().map(|m| format_euro(m.amount)),
                "the first child has no month in `months`",
            ),
            Placeholder::BetragSumme => {
                let first = self
                    .decision
                    .children
                    .iter()
                    .filter_map(|c| c.months.first().map(|m| m.month))
                    .min();
                some(
                    first.map(|month| format_euro(self.total(month))),
                    "no child has a month in `months`",
                )
            }
            Placeholder::AntragVom => date(
                d.grant.as_ref().map(|g| g.applied_on),
                "set `grant` (the reduction or waiver)",
            ),
            Placeholder::GueltigAb => date(
                d.grant.as_ref().map(|g| g.valid_from),
                "set `grant` (the reduction or waiver)",
            ),
            Placeholder::GueltigBis => date(
                d.grant.as_ref().map(|g| g.valid_until),
                "set `grant` (the reduction or waiver)",
            ),
            Placeholder::VereinbarungVom => date(
                d.tagespflege.as_ref().map(|t| t.agreement_on),
                "set `tagespflege` (the funding)",
            ),
            Placeholder::FoerderungAb => date(
                d.tagespflege.as_ref().map(|t| t.funded_from),
                "set `tagespflege` (the funding)",
            ),
            Placeholder::FoerderungBis => date(
                d.tagespflege.as_ref().map(|t| t.funded_until),
                "set `tagespflege` (the funding)",
            ),
            Placeholder::Anschrift => {
                let to = match self.copy {
                    LetterCopy::Payer => &d.payer,
                    LetterCopy::OtherGuardian => d
                        .other_guardian
                        .as_ref()
                        .ok_or(LetterError::NoOtherGuardian)?,
                };
                Ok(format!("{}, {}", to.street, to.postcode_town))
            }
            Placeholder::AufgehobenZum => date(
                d.end_of_grant.as_ref().map(|e| e.ended_on),
                "set `end_of_grant`",
            ),
            Placeholder::Beendigungsgrund => some(
                d.end_of_grant.as_ref().map(|e| e.reason.clone()),
                "set `end_of_grant`",
            ),
            Placeholder::BisherigerBescheidVom => date(
                d.previous.as_ref().map(|p| p.date),
                "set `previous` (the decision in force)",
            ),
            Placeholder::Satzung => Ok(self.template.statute.clone()),
            Placeholder::Behoerde => Ok(d.authority.name.clone()),
            Placeholder::Dienststelle => Ok(d.authority.office.clone()),
            Placeholder::WiderspruchAnschrift => Ok(d.authority.objection_address.clone()),
            Placeholder::EmpfaengerIban => some(
                d.authority.account.as_ref().map(|a| a.iban.clone()),
                "set the authority's `account`",
            ),
            Placeholder::EmpfaengerBic => some(
                d.authority.account.as_ref().map(|a| a.bic.clone()),
                "set the authority's `account`",
            ),
            Placeholder::EmpfaengerBank => some(
                d.authority.account.as_ref().map(|a| a.bank.clone()),
                "set the authority's `account`",
            ),
            Placeholder::Zahlungspflichtiger => Ok(d.payer.name.clone()),
            Placeholder::Kontoinhaber => some(account.map(|a| a.holder.clone()), NO_ACCOUNT),
            Placeholder::Iban => some(account.map(|a| mask_iban(&a.iban)), NO_ACCOUNT),
            Placeholder::Bic => some(
                account.and_then(|a| a.bic.clone()),
                "set the account's `bic`",
            ),
            Placeholder::Bank => some(account.map(|a| a.bank.clone()), NO_ACCOUNT),
            Placeholder::Mandatsreferenz => some(
                account.and_then(|a| a.mandate_reference.clone()),
                "set the account's `mandate_reference`",
            ),
            Placeholder::GlaeubigerId => some(
                account.and(d.authority.creditor_id.clone()),
                "set the authority's `creditor_id`",
            ),
            Placeholder::Tabelle
            | Placeholder::Kinder
            | Placeholder::Erlaeuterung
            | Placeholder::Aenderungen
            | Placeholder::Zahlung => {
                unreachable!("the template check keeps blocks out of sentences")
            }
        }
    }

    /// The sum of all children's fees in `month`.
    fn total(&self, month: YearMonth) -> Decimal {
        self.decision
            .children
            .iter()
            .flat_map(|c| c.months.iter().filter(|m| m.month == month))
            .map(|m| m.amount)
            .sum()
    }

    /// The last month any child has; the open end of the decision hangs there.
    fn last_month(&self) -> Option<YearMonth> {
        self.decision
            .children
            .iter()
            .filter_map(|c| c.months.last().map(|m| m.month))
            .max()
    }

    fn block(&self, block: Placeholder) -> Result<Value, LetterError> {
        let d = self.decision;
        let open_at = self.last_month().filter(|_| d.open_ended);
        match block {
            Placeholder::Tabelle => {
                let mut rows = Vec::new();
                for child in &d.children {
                    for run in runs(&child.months) {
                        let month = run.months[0];
                        rows.push(json!({
                            "child": child.name,
                            "care": care_text(month),
                            "facility": month.facility,
                            "period": period_text(run.first, run.last, Some(run.last) == open_at),
                            "amount": format_euro(month.amount),
                        }));
                    }
                }
                if rows.is_empty() {
                    return Err(self.missing(block, "no child has a month in `months`"));
                }
                let mut totals = Vec::new();
                if d.children.len() > 1 {
                    let mut months: Vec<YearMonth> = d
                        .children
                        .iter()
                        .flat_map(|c| c.months.iter().map(|m| m.month))
                        .collect();
                    months.sort();
                    months.dedup();
                    let mut runs: Vec<(YearMonth, YearMonth, Decimal)> = Vec::new();
                    for month in months {
                        let total = self.total(month);
                        match runs.last_mut() {
                            Some((_, last, amount)) if *amount == total && last.next() == month => {
                                *last = month;
                            }
                            _ => runs.push((month, month, total)),
                        }
                    }
                    totals = runs
                        .into_iter()
                        .map(|(first, last, amount)| {
                            json!({
                                "period": period_text(first, last, Some(last) == open_at),
                                "amount": format_euro(amount),
                            })
                        })
                        .collect();
                }
                Ok(json!({ "kind": "fees", "rows": rows, "totals": totals }))
            }
            Placeholder::Kinder => {
                let rows: Vec<Value> = d
                    .children
                    .iter()
                    .map(|child| {
                        let first = child.months.first();
                        json!({
                            "child": child.name,
                            "birth_date": format_date(child.birth_date),
                            "care": first.map(care_text).unwrap_or_default(),
                            "facility": first.map(|m| m.facility.clone()).unwrap_or_default(),
                        })
                    })
                    .collect();
                Ok(json!({ "kind": "children", "rows": rows }))
            }
            Placeholder::Erlaeuterung => {
                let mut items = Vec::new();
                for child in &d.children {
                    for run in runs(&child.months) {
                        let mut lines: Vec<String> = Vec::new();
                        for month in &run.months {
                            for line in &month.explanation {
                                let text = format!(
                                    "{} ({})",
                                    keep_amounts_together(&line.text),
                                    line.paragraph
                                );
                                if !lines.contains(&text) {
                                    lines.push(text);
                                }
                            }
                        }
                        if !lines.is_empty() {
                            items.push(json!({
                                "child": child.name,
                                "period": period_text(run.first, run.last, Some(run.last) == open_at),
                                "lines": lines,
                            }));
                        }
                    }
                }
                Ok(json!({ "kind": "explanation", "items": items }))
            }
            Placeholder::Aenderungen => {
                let previous = d
                    .previous
                    .as_ref()
                    .ok_or_else(|| self.missing(block, "set `previous` (the decision in force)"))?;
                Ok(json!({ "kind": "changes", "rows": change_rows(&previous.changes) }))
            }
            Placeholder::Zahlung => {
                let text = match (&d.payment, self.copy) {
                    (Payment::DirectDebit(_), LetterCopy::Payer) => &self.template.payment_debit,
                    (Payment::DirectDebit(_), LetterCopy::OtherGuardian) => {
                        &self.template.payment_debit_other_guardian
                    }
                    (Payment::Transfer, _) => &self.template.payment_transfer,
                    (Payment::None, _) => {
                        return Err(self.missing(
                            block,
                            "the template asks how the fee is paid, but `payment` is None",
                        ))
                    }
                };
                let text = text
                    .as_ref()
                    .expect("the template check requires all payment texts with {{zahlung}}");
                Ok(json!({ "kind": "par", "text": self.text(text)? }))
            }
            _ => unreachable!("only block placeholders stand alone"),
        }
    }
}

/// The changes table: consecutive months of a child with the same old and new amount and the
/// same reasons in one row.
/// The fee engine writes `189,36 €` with a plain space (its lines also go into files and
/// pages); the letter never breaks a line between an amount and its sign.
fn keep_amounts_together(text: &str) -> String {
    text.replace(" €", "\u{a0}€")
}

fn change_rows(changes: &[Change]) -> Vec<Value> {
    let mut rows: Vec<(String, YearMonth, YearMonth, &Change, String)> = Vec::new();
    for change in changes {
        // The letter names the changed contract inputs (care time, facility, …); the lines of
        // the calculation only when nothing else changed (a sibling left, a new statute), since
        // otherwise they just restate the amounts. The clerk's screen has them all.
        let contract_inputs: Vec<String> = change
            .inputs
            .iter()
            .filter(|i| i.field != InputField::Explanation)
            .map(ToString::to_string)
            .collect();
        let what = if contract_inputs.is_empty() {
            keep_amounts_together(
                &change
                    .inputs
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        } else {
            contract_inputs.join("; ")
        };
        if let Some((child, _, last, previous, previous_what)) = rows.last_mut() {
            if *child == change.child
                && last.next() == change.month
                && previous.old == change.old
                && previous.new == change.new
                && *previous_what == what
            {
                *last = change.month;
                continue;
            }
        }
        rows.push((
            change.child.clone(),
            change.month,
            change.month,
            change,
            what,
        ));
    }
    let amount = |a: Option<Decimal>| a.map_or_else(|| "–".to_owned(), format_euro);
    rows.into_iter()
        .map(|(child, first, last, change, what)| {
            json!({
                "child": child,
                "period": period_text(first, last, false),
                "old": amount(change.old),
                "new": amount(change.new),
                "what": what,
            })
        })
        .collect()
}
