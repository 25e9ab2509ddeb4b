//! The ZVS's outgoing post ("Postausgang"): the letters owed to parents who chose notification
//! by post — the receipt of an application (Lastenheft 3.3.2: "Eingangsbestätigung … per
//! Post") and the confirmation of a change. A letter is queued in the transaction that
//! submits or changes the application, rendered from the application when the ZVS prints it,
//! and marked printed by the person who put it in the envelope.

use super::queries;
use crate::action::ActionError;
use crate::applications::{receipt_letter, ReceiptLetter};
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::config::OfficeSection;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::ids::doc_id_for;
use kitanetz_crdt::kinds::Applicant;
use kitanetz_crdt::scalar::Date;
use serde::Serialize;

/// How long a printed letter stays on the list (to print it again if the envelope got lost).
const PRINTED_SHOWN_DAYS: i64 = 14;

/// What kind of letter a row owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LetterKind {
    /// The receipt of a new application.
    Receipt,
    /// The confirmation of a change.
    Change,
    /// A notice of the procedure (a reservation, a round's offer, the place): the text parents
    /// who chose e-mail receive as a mail.
    Notice,
}

impl LetterKind {
    pub(crate) fn code(self) -> &'static str {
        match self {
            LetterKind::Receipt => "receipt",
            LetterKind::Change => "change",
            LetterKind::Notice => "notice",
        }
    }

    fn from_code(code: &str) -> Option<LetterKind> {
        match code {
            "receipt" => Some(LetterKind::Receipt),
            "change" => Some(LetterKind::Change),
            "notice" => Some(LetterKind::Notice),
            _ => None,
        }
    }
}

/// One letter on the ZVS's outgoing-post list.
#[derive(Debug, Clone, Serialize)]
pub struct OutgoingLetter {
    pub id: i64,
    pub application: String,
    pub kind: LetterKind,
    pub child: String,
    pub recipient: String,
    pub letter_date: Date,
    /// A notice's subject.
    pub subject: Option<String>,
    /// When and by whom it was marked printed; `None` while it waits.
    pub printed: Option<(String, String)>,
}

/// Queues a letter in the transaction that submits or changes the application.
pub(crate) fn queue(
    tx: &rusqlite::Connection,
    application: &kitanetz_crdt::ids::ApplicationId,
    kind: LetterKind,
    letter_date: Date,
    at: i64,
) -> Result<(), StoreError> {
    queries::queue_letter(tx, application, kind.code(), letter_date, at)
}

/// A notice of the procedure to the parents, in German and English: mailed (both) or, to
/// parents who chose the post, queued as a letter (German).
pub(crate) struct ParentsNotice {
    pub subject_de: String,
    pub subject_en: String,
    pub text_de: String,
    pub text_en: String,
}

impl ParentsNotice {
    /// Mails it or queues the letter, in the transaction of the change it tells.
    pub(crate) fn send(
        &self,
        tx: &rusqlite::Connection,
        application: &kitanetz_crdt::ids::ApplicationId,
        (by_post, email): (bool, &str),
        now: Now,
    ) -> Result<(), StoreError> {
        if by_post {
            queue_notice(
                tx,
                application,
                &self.subject_de,
                &self.text_de,
                now.today,
                now.millis,
            )
        } else if !email.is_empty() {
            crate::outbox::enqueue(
                tx,
                email,
                &format!("Kita-Portal: {} / {}", self.subject_de, self.subject_en),
                &format!(
                    "Guten Tag,\n\n{}\n\nHello, {}\n",
                    self.text_de, self.text_en
                ),
                now.millis,
            )
        } else {
            Ok(())
        }
    }
}

/// Queues a notice for parents who chose the post, in the transaction of the change it tells.
pub(crate) fn queue_notice(
    tx: &rusqlite::Connection,
    application: &kitanetz_crdt::ids::ApplicationId,
    subject: &str,
    body: &str,
    letter_date: Date,
    at: i64,
) -> Result<(), StoreError> {
    queries::queue_notice(tx, application, subject, body, letter_date, at)
}

/// The letters waiting to be printed (oldest first), then those printed in the last two weeks.
/// A letter of an application that no longer exists (erased) is left out.
pub fn outgoing(
    store: &Store,
    who: &Principal,
    now: Now,
) -> Result<Vec<OutgoingLetter>, ActionError> {
    authorize(who, Action::ViewIntake)?;
    let since = now.millis - PRINTED_SHOWN_DAYS * 24 * 60 * 60 * 1000;
    let mut out = Vec::new();
    for row in queries::letters(store.conn(), since)? {
        let Some(kind) = LetterKind::from_code(&row.kind) else {
            continue;
        };
        let Some((_, applicant)) =
            store.find::<Applicant>(&doc_id_for("applicant", &row.application.0))?
        else {
            continue;
        };
        out.push(OutgoingLetter {
            id: row.id,
            application: row.application.0,
            kind,
            child: format!(
                "{} {}",
                applicant.child_given_name, applicant.child_family_name
            ),
            recipient: format!(
                "{} {}",
                applicant.guardian_given_name, applicant.guardian_family_name
            ),
            letter_date: row.letter_date,
            subject: row.subject.clone(),
            printed: row.printed_at.map(|at| {
                (
                    crate::clock::format_millis(at),
                    row.printed_by.unwrap_or_default(),
                )
            }),
        });
    }
    Ok(out)
}

/// The data of one queued letter, for printing.
pub fn letter(
    store: &Store,
    who: &Principal,
    id: i64,
    office: &OfficeSection,
    city_name: &str,
) -> Result<ReceiptLetter, ActionError> {
    authorize(who, Action::ViewIntake)?;
    let row =
        queries::letter(store.conn(), id)?.ok_or_else(|| ActionError::NotFound(id.to_string()))?;
    let changed_on = match LetterKind::from_code(&row.kind) {
        Some(LetterKind::Receipt) => None,
        Some(LetterKind::Change) => Some(row.letter_date),
        Some(LetterKind::Notice) => {
            let mut letter = receipt_letter(store, who, &row.application, None, office, city_name)?;
            let subject = row.subject.unwrap_or_default();
            let body = row.body.unwrap_or_default();
            letter.data["date"] = crate::applications::german_date(row.letter_date).into();
            letter.data["notice"] = serde_json::json!({
                "subject": subject,
                "paragraphs": body
                    .split("\n\n")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>(),
            });
            letter.title = subject;
            letter.id = format!("notice/{}/{id}", row.application.0);
            letter.date = row.letter_date;
            return Ok(letter);
        }
        None => return Err(ActionError::NotFound(id.to_string())),
    };
    receipt_letter(store, who, &row.application, changed_on, office, city_name)
}

/// Marks a letter printed; the first mark stands (a second click changes nothing).
pub fn mark_printed(
    store: &mut Store,
    who: &Principal,
    id: i64,
    now: Now,
) -> Result<(), ActionError> {
    authorize(who, Action::DecideIntake)?;
    let row =
        queries::letter(store.conn(), id)?.ok_or_else(|| ActionError::NotFound(id.to_string()))?;
    if row.printed_at.is_some() {
        return Ok(());
    }
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "letter.printed",
        target: Some(row.application.0.clone()),
        subjects: vec![row.application.0.clone()],
        valid_from: None,
    };
    let by = who.display_name().to_string();
    store.write(|tx| {
        // Two clicks at once: only the one that marks it is recorded.
        if queries::mark_printed(tx, id, &by, now.millis)? {
            crate::storage::audit_in(tx, &entry)?;
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(())
}
