//! Letters as PDF: the data the domain assembles (a [`Letter`]) rendered by the
//! leaf crate `kitanetz-letters` (typst, tagged PDF/UA-1). A render costs milliseconds of CPU
//! (the first one in a process longer), so it runs on a blocking thread, never on an async
//! worker and never while the store is locked: callers gather the data first.

use kitanetz_crdt::scalar::Date;
use kitanetz_letters::{
    render, DocumentMeta, RenderError, Template, CONTRACT, RECEIPT, ROUND_PROTOCOL,
};

/// A letter's data and metadata, gathered by the domain (under the store's lock) before the
/// render (after it).
#[derive(Debug, Clone)]
pub struct Letter {
    pub data: serde_json::Value,
    pub title: String,
    /// The sender as the PDF's author ("Stadt Musterstadt, Zentrale Vormerkstelle").
    pub author: String,
    /// Stable per letter (the PDF's document identifier derives from it).
    pub id: String,
    pub date: Date,
}

/// Why a letter could not be written.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// The template refused the data (e.g. a character no font of the letter has).
    #[error("Das Schreiben kann nicht erstellt werden / the letter cannot be written: {0}")]
    Render(#[from] RenderError),
    #[error("the rendering thread failed: {0}")]
    Thread(String),
    /// A fee decision that cannot be printed (its data or template).
    #[error("Der Bescheid kann nicht erstellt werden / the decision cannot be written: {0}")]
    Decision(#[from] kitanetz_letters::decision::LetterError),
    /// Exit certificates that cannot be printed (their data).
    #[error("Die Austrittsbescheinigung kann nicht erstellt werden / the exit certificate cannot be written: {0}")]
    Exit(String),
}

/// The receipt (or change confirmation) of an application as a PDF file.
pub async fn receipt_pdf(letter: Letter) -> Result<Vec<u8>, LetterError> {
    pdf(RECEIPT, letter).await
}

/// The protocol of a placement round as a PDF file.
pub async fn round_protocol_pdf(letter: Letter) -> Result<Vec<u8>, LetterError> {
    pdf(ROUND_PROTOCOL, letter).await
}

/// A care contract (Betreuungsvertrag) in its copies as a PDF file.
pub async fn contract_pdf(letter: Letter) -> Result<Vec<u8>, LetterError> {
    pdf(CONTRACT, letter).await
}

/// One copy of a fee decision (Beitragsbescheid) as a PDF file.
pub async fn fee_decision_pdf(
    decision: kitanetz_letters::decision::Decision,
    copy: kitanetz_letters::decision::LetterCopy,
) -> Result<Vec<u8>, LetterError> {
    tokio::task::spawn_blocking(move || {
        kitanetz_letters::decision::fee_decision_pdf(&decision, copy).map_err(LetterError::from)
    })
    .await
    .map_err(|e| LetterError::Thread(e.to_string()))?
}

/// A Mehrbetreuungsbescheid as a PDF file.
pub async fn extra_care_decision_pdf(
    decision: kitanetz_letters::decision::ExtraCareDecision,
    copy: kitanetz_letters::LetterCopy,
) -> Result<Vec<u8>, LetterError> {
    tokio::task::spawn_blocking(move || {
        kitanetz_letters::decision::extra_care_decision_copy_pdf(&decision, copy)
            .map(|r| r.pdf)
            .map_err(LetterError::from)
    })
    .await
    .map_err(|e| LetterError::Thread(e.to_string()))?
}

/// The Ablehnungsbescheid of a § 90 application as a PDF file.
pub async fn reduction_refusal_pdf(
    refusal: kitanetz_letters::decision::ReductionRefusal,
    copy: kitanetz_letters::LetterCopy,
) -> Result<Vec<u8>, LetterError> {
    tokio::task::spawn_blocking(move || {
        kitanetz_letters::decision::reduction_refusal_pdf(&refusal, copy)
            .map(|r| r.pdf)
            .map_err(LetterError::from)
    })
    .await
    .map_err(|e| LetterError::Thread(e.to_string()))?
}

/// Exit certificates (Austrittsbescheinigungen) in one PDF, a page per child; `id` names the
/// print run.
pub async fn exit_certificates_pdf(
    certificates: Vec<kitanetz_letters::ExitCertificate>,
    id: String,
) -> Result<Vec<u8>, LetterError> {
    tokio::task::spawn_blocking(move || {
        kitanetz_letters::exit_certificates_pdf(&certificates, &id)
            .map(|r| r.pdf)
            .map_err(|e| LetterError::Exit(e.to_string()))
    })
    .await
    .map_err(|e| LetterError::Thread(e.to_string()))?
}

/// The Förderbescheid of Kindertagespflege, rendered off the async workers.
pub async fn funding_decision_pdf(
    decision: kitanetz_letters::FundingDecision,
) -> Result<Vec<u8>, LetterError> {
    tokio::task::spawn_blocking(move || {
        kitanetz_letters::funding_decision_pdf(&decision)
            .map(|r| r.pdf)
            .map_err(|e| LetterError::Exit(e.to_string()))
    })
    .await
    .map_err(|e| LetterError::Thread(e.to_string()))?
}

/// The refund Bescheid of Kindertagespflege, rendered off the async workers.
pub async fn refund_decision_pdf(
    decision: kitanetz_letters::RefundDecision,
) -> Result<Vec<u8>, LetterError> {
    tokio::task::spawn_blocking(move || {
        kitanetz_letters::refund_decision_pdf(&decision)
            .map(|r| r.pdf)
            .map_err(|e| LetterError::Exit(e.to_string()))
    })
    .await
    .map_err(|e| LetterError::Thread(e.to_string()))?
}

/// The grant Bescheid of Kindertagespflege, rendered off the async workers.
pub async fn grant_decision_pdf(
    decision: kitanetz_letters::GrantDecision,
) -> Result<Vec<u8>, LetterError> {
    tokio::task::spawn_blocking(move || {
        kitanetz_letters::grant_decision_pdf(&decision)
            .map(|r| r.pdf)
            .map_err(|e| LetterError::Exit(e.to_string()))
    })
    .await
    .map_err(|e| LetterError::Thread(e.to_string()))?
}

async fn pdf(template: Template<'static>, letter: Letter) -> Result<Vec<u8>, LetterError> {
    tokio::task::spawn_blocking(move || pdf_now(&template, &letter))
        .await
        .map_err(|e| LetterError::Thread(e.to_string()))?
}

fn pdf_now(template: &Template<'_>, letter: &Letter) -> Result<Vec<u8>, LetterError> {
    let meta = DocumentMeta {
        title: letter.title.clone(),
        author: letter.author.clone(),
        language: "de".into(),
        date: letter.date.0,
        id: letter.id.clone(),
    };
    let rendered = render(template, &letter.data, &meta)?;
    if !rendered.warnings.0.is_empty() {
        tracing::warn!(letter = %letter.id, warnings = %rendered.warnings, "letter rendered with warnings");
    }
    Ok(rendered.pdf)
}
