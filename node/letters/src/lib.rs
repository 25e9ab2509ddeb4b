//! Printable letters as tagged, accessible PDF (PDF/UA-1), rendered with typst as a library.
//!
//! A letter is a typst [`Template`] plus its data as JSON. The data never becomes typst markup:
//! the template reads it with `json("/data.json")` and shows its strings as text, so a name like
//! `#panic("x")` or `*bold* $x$` is printed as it is written. The template sees only its own
//! virtual files (`/data.json`, `/meta.json`); it cannot read the disk or load packages.
//!
//! Output is deterministic: the vendored fonts (Liberation Sans) are the only fonts, the
//! letter's [`DocumentMeta::date`] is typst's "today" and the PDF's creation date, and the PDF's
//! document identifier is derived from [`DocumentMeta::id`]. The same input gives the same bytes.
//!
//! ```no_run
//! use kitanetz_letters::{render, DocumentMeta, RECEIPT};
//!
//! let data = serde_json::json!({ /* the receipt's data, see templates/receipt.typ */ });
//! let meta = DocumentMeta {
//!     title: "Eingangsbestätigung Ihrer Voranmeldung".into(),
//!     author: "Stadt Musterstadt, Zentrale Vormerkstelle".into(),
//!     language: "de".into(),
//!     date: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
//!     id: "receipt/V-2026-000123".into(),
//! };
//! let letter = render(&RECEIPT, &data, &meta)?;
//! std::fs::write("receipt.pdf", &letter.pdf)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Rendering takes a few milliseconds per letter once the process has rendered one; typst keeps
//! caches between renders, which this crate trims after each one.
//!
//! Fee decisions (Beitragsbescheide, annex J of the Lastenheft) are built on [`render`] by the
//! [`decision`] module: [`fee_decision_pdf`] takes a [`Decision`] and the [`LetterCopy`] to
//! print; the wording comes from versioned [`DecisionTemplate`]s. The Mehrbetreuungsbescheid
//! (fees for extra care in a month) is [`extra_care_decision_pdf`] of an [`ExtraCareDecision`].
//!
//! Exit certificates (Austrittsbescheinigungen) are printed in bulk, one page per child, by
//! [`exit_certificates_pdf`] from typed [`ExitCertificate`]s.
//!
//! The Förderbescheid of Kindertagespflege is [`funding_decision_pdf`] of a [`FundingDecision`];
//! the insurance refund and the one-off grant Bescheide are [`refund_decision_pdf`] and
//! [`grant_decision_pdf`].

pub mod decision;
mod error;
mod exit_certificate;
mod funding_decision;
mod tagespflege_decisions;
mod world;

use chrono::NaiveDate;
use typst::diag::Warned;
use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

pub use decision::{
    difference, extra_care_decision_copy_pdf, extra_care_decision_pdf,
    extra_care_decision_pdf_with, fee_decision_pdf, fee_decision_pdf_with, Decision, DecisionKind,
    DecisionTemplate, ExtraCareDay, ExtraCareDecision, LetterCopy, LetterError, Pkn, TemplateBook,
    EXTRA_CARE_DECISION,
};
pub use error::{Diagnostic, Diagnostics, RenderError};
pub use exit_certificate::{
    exit_certificates_pdf, exit_certificates_pdf_with, ExitCertificate, ExitCertificateError,
    EXIT_CERTIFICATE,
};
pub use funding_decision::{
    funding_decision_pdf, FundingDecision, FundingDecisionError, FUNDING_DECISION,
};
pub use tagespflege_decisions::{
    grant_decision_pdf, refund_decision_pdf, GrantDecision, OfficeLetter, RefundDecision,
    RefundYearLine, TagespflegeDecisionError, GRANT_DECISION, REFUND_DECISION,
};
use world::LetterWorld;

/// A letter template: typst source that reads its data with `json("/data.json")`.
#[derive(Debug, Clone, Copy)]
pub struct Template<'a> {
    /// A name for error messages, e.g. `receipt.typ`.
    pub name: &'a str,
    /// The typst source.
    pub source: &'a str,
}

/// The application receipt ("Eingangsbestätigung") for parents who chose notification by post.
/// Its data is described at the top of `templates/receipt.typ`.
pub const RECEIPT: Template<'static> = Template {
    name: "receipt.typ",
    source: include_str!("../templates/receipt.typ"),
};

/// The care contract (Betreuungsvertrag, Lastenheft 3.6.7) in the copies the data names (the
/// Kita, the Träger's office, the parents). Its data is described at the top of
/// `templates/contract.typ`; `templates/contract.sample.json` is an example.
pub const CONTRACT: Template<'static> = Template {
    name: "contract.typ",
    source: include_str!("../templates/contract.typ"),
};

/// The protocol of a coordinated placement round (PLACEMENT.md "Output and proof"):
/// pseudonymous, for the file and for a court. Its data is described at the top of
/// `templates/round_protocol.typ`.
pub const ROUND_PROTOCOL: Template<'static> = Template {
    name: "round_protocol.typ",
    source: include_str!("../templates/round_protocol.typ"),
};

/// The PDF's metadata. Title and language are what PDF/UA requires; screen readers announce
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMeta {
    /// The document title, e.g. "Eingangsbestätigung Ihrer Voranmeldung" (shown as the window
    /// title of a PDF viewer).
    pub title: String,
    /// The author, e.g. "Stadt Musterstadt, Zentrale Vormerkstelle".
    pub author: String,
    /// The document's language as an ISO 639 code, e.g. `"de"`; the PDF's `/Lang` and typst's
    /// text language (hyphenation, quotes).
    pub language: String,
    /// The letter's date: the PDF's creation date and typst's `datetime.today()`.
    pub date: NaiveDate,
    /// A stable identifier of this letter, e.g. `"receipt/V-2026-000123"`; its hash is the PDF's
    /// document identifier (the identifier itself does not appear in the PDF).
    pub id: String,
}

/// A rendered letter.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The PDF file (PDF/UA-1, tagged).
    pub pdf: Vec<u8>,
    /// typst's warnings (the letter was written nonetheless); a tested template has none.
    pub warnings: Diagnostics,
}

/// Renders `template` with `data` into a tagged PDF/UA-1 file.
///
/// `data` is given to the template as the virtual file `/data.json`; `meta` sets the PDF's
/// title, author, language and date (the template may read it as `/meta.json`).
pub fn render(
    template: &Template<'_>,
    data: &serde_json::Value,
    meta: &DocumentMeta,
) -> Result<Rendered, RenderError> {
    let timestamp = world::to_datetime(meta.date)
        .map(Timestamp::new_utc)
        .ok_or_else(|| RenderError::Meta(format!("the date {} is out of range", meta.date)))?;
    // A `Value` has string keys only, so serialising it cannot fail.
    let data = serde_json::to_vec(data).expect("a JSON value serialises");
    let meta_json = serde_json::to_vec(&serde_json::json!({
        "title": meta.title,
        "author": meta.author,
        "language": meta.language,
    }))
    .expect("a JSON value serialises");
    let world = LetterWorld::new(template.source, data, meta_json, meta.date);

    let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
    let result = output
        .map_err(|errors| RenderError::Template {
            template: template.name.to_owned(),
            diagnostics: Diagnostics::convert(&world, template.name, &errors),
        })
        .and_then(|document| {
            typst_pdf::pdf(&document, &pdf_options(meta, timestamp)).map_err(|errors| {
                RenderError::Pdf {
                    template: template.name.to_owned(),
                    diagnostics: Diagnostics::convert(&world, template.name, &errors),
                }
            })
        })
        .map(|pdf| Rendered {
            pdf,
            warnings: Diagnostics::convert(&world, template.name, &warnings),
        });
    // typst memoises across compilations (globally); drop what the last few renders did not
    // use, so a node that writes thousands of letters does not grow without bound.
    typst::comemo::evict(10);
    result
}

fn pdf_options(meta: &DocumentMeta, timestamp: Timestamp) -> PdfOptions {
    PdfOptions {
        ident: Smart::Custom(meta.id.clone()),
        creator: Smart::Custom(Some("Kitanetz".to_owned())),
        timestamp: Some(timestamp),
        page_ranges: None,
        standards: PdfStandards::new(&[PdfStandard::Ua_1])
            .expect("PDF/UA-1 alone is a valid set of standards"),
        tagged: true,
        pretty: false,
    }
}
