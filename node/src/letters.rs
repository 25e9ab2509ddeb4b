//! Letters as PDF: the data the domain assembles (e.g. [`ReceiptLetter`]) rendered by the
//! leaf crate `kitanetz-letters` (typst, tagged PDF/UA-1). A render costs milliseconds of CPU
//! (the first one in a process longer), so it runs on a blocking thread, never on an async
//! worker and never while the store is locked: callers gather the data first.

use crate::applications::ReceiptLetter;
use kitanetz_letters::{render, DocumentMeta, RenderError, RECEIPT};

/// Why a letter could not be written.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// The template refused the data (e.g. a character no font of the letter has).
    #[error("Das Schreiben kann nicht erstellt werden / the letter cannot be written: {0}")]
    Render(#[from] RenderError),
    #[error("the rendering thread failed: {0}")]
    Thread(String),
}

/// The receipt (or change confirmation) of an application as a PDF file.
pub async fn receipt_pdf(letter: ReceiptLetter) -> Result<Vec<u8>, LetterError> {
    tokio::task::spawn_blocking(move || receipt_pdf_now(&letter))
        .await
        .map_err(|e| LetterError::Thread(e.to_string()))?
}

fn receipt_pdf_now(letter: &ReceiptLetter) -> Result<Vec<u8>, LetterError> {
    let meta = DocumentMeta {
        title: letter.title.clone(),
        author: letter.author.clone(),
        language: "de".into(),
        date: letter.date.0,
        id: letter.id.clone(),
    };
    let rendered = render(&RECEIPT, &letter.data, &meta)?;
    if !rendered.warnings.0.is_empty() {
        tracing::warn!(letter = %letter.id, warnings = %rendered.warnings, "letter rendered with warnings");
    }
    Ok(rendered.pdf)
}
