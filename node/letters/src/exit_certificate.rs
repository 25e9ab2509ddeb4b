//! Exit certificates (Austrittsbescheinigungen, Lastenheft 3.6.15, 3.6.17, 3.10.7): one page
//! per child, many children in one PDF.
//!
//! School entrants leave at the end of July all at once and are deregistered "im
//! Sammelverfahren"; the Kita lead prints their certificates in one go ("Sammeldruck",
//! 3.10.7.1), signs each page and hands them out. So the unit here is a print run: the
//! certificates of one facility, issued on one day, in one file with one title. A single child
//! is a print run of one.
//!
//! A Freier Träger may use its own template (3.10.7.2: "eigene Vorlagen"): any typst source that
//! reads the data described at the top of `templates/exit_certificate.typ`, passed to
//! [`exit_certificates_pdf_with`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::decision::format_date;
use crate::{render, DocumentMeta, RenderError, Rendered, Template};

/// The exit certificate in the city's look. Its data is described at the top of
/// `templates/exit_certificate.typ`; `templates/exit_certificate.sample.json` is an example.
/// [`exit_certificates_pdf`] fills it from [`ExitCertificate`]s.
pub const EXIT_CERTIFICATE: Template<'static> = Template {
    name: "exit_certificate.typ",
    source: include_str!("../templates/exit_certificate.typ"),
};

/// One child's exit certificate, as the node assembles it from the child, the contract and the
/// facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitCertificate {
    pub child_given_name: String,
    pub child_family_name: String,
    pub birth_date: NaiveDate,
    /// The Kita, e.g. "Kita Elbwiesenkinder".
    pub facility_name: String,
    /// The Kita's address as printed, one line each, e.g. `["Am Elbufer 7", "01069 Dresden"]`.
    pub facility_address: Vec<String>,
    /// The Träger, e.g. "Eigenbetrieb Kindertageseinrichtungen Dresden".
    pub provider_name: String,
    /// The first day of care (the contract's start).
    pub care_from: NaiveDate,
    /// The last day of care (the contract's end, the day the place is free after).
    pub care_until: NaiveDate,
    /// The care types as printed, in the order they followed, e.g. `["Krippe", "Kindergarten"]`.
    pub care_types: Vec<String>,
    /// Why the child leaves, in words: the label of the contract's notice reason, e.g.
    /// "Schuleintritt", "Umzug", "Wechsel in eine andere Einrichtung".
    pub reason: String,
    /// Where it is issued, e.g. "Dresden" (printed "Dresden, den 24.07.2026").
    pub place: String,
    pub issued_on: NaiveDate,
    /// The Kita lead's name, printed under the signature line.
    pub signer: String,
}

/// Why exit certificates could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum ExitCertificateError {
    /// Nothing to print; an empty PDF would look like a successful print run.
    #[error("no exit certificate to print: select at least one child")]
    Empty,
    /// The certificates of one file differ in what the file's title and footer name (the
    /// facility, its Träger, the day of issue).
    #[error("the exit certificate of {child} has {field} {other:?}, the first one {first:?}; print one file per facility and day")]
    MixedPrintRun {
        /// The child whose certificate differs.
        child: String,
        field: &'static str,
        first: String,
        other: String,
    },
    /// A certificate's own data is inconsistent (what to fix is in the message).
    #[error("the exit certificate of {child} cannot be issued: {problem}")]
    Invalid { child: String, problem: String },
    /// typst failed (a layout bug, or a character no font has).
    #[error(transparent)]
    Render(#[from] RenderError),
}

impl ExitCertificate {
    /// "Lotta Weiß-Müller".
    pub fn child_name(&self) -> String {
        format!("{} {}", self.child_given_name, self.child_family_name)
    }

    fn validate(&self) -> Result<(), ExitCertificateError> {
        let invalid = |problem: String| ExitCertificateError::Invalid {
            child: self.child_name(),
            problem,
        };
        let blank = |text: &str| text.trim().is_empty();
        for (field, value) in [
            ("child_given_name", &self.child_given_name),
            ("child_family_name", &self.child_family_name),
            ("facility_name", &self.facility_name),
            ("provider_name", &self.provider_name),
            ("reason", &self.reason),
            ("place", &self.place),
            ("signer", &self.signer),
        ] {
            if blank(value) {
                return Err(invalid(format!("`{field}` is empty")));
            }
        }
        if self.facility_address.iter().all(|line| blank(line)) {
            return Err(invalid("`facility_address` has no line".into()));
        }
        if self.care_types.is_empty() || self.care_types.iter().any(|t| blank(t)) {
            return Err(invalid(
                "`care_types` names no care type (or an empty one)".into(),
            ));
        }
        if self.care_until < self.care_from {
            return Err(invalid(format!(
                "the last day of care ({}) is before the first ({})",
                format_date(self.care_until),
                format_date(self.care_from)
            )));
        }
        if self.care_from < self.birth_date {
            return Err(invalid(format!(
                "care starts ({}) before the birth date ({})",
                format_date(self.care_from),
                format_date(self.birth_date)
            )));
        }
        Ok(())
    }

    fn data(&self) -> Value {
        json!({
            "child": {
                "given_name": self.child_given_name,
                "family_name": self.child_family_name,
                "birth_date": format_date(self.birth_date),
            },
            "facility": { "name": self.facility_name, "address": self.facility_address },
            "provider": self.provider_name,
            "care_from": format_date(self.care_from),
            "care_until": format_date(self.care_until),
            "care_types": self.care_types,
            "reason": self.reason,
            "place": self.place,
            "issued_on": format_date(self.issued_on),
            "signer": self.signer,
        })
    }
}

/// Renders `certificates` with the city's [`EXIT_CERTIFICATE`] template into one PDF, one page
/// per child in the given order. `id` names the print run, e.g.
/// `"exit-certificates/<facility id>/2026-07-24"`; its hash is the PDF's document identifier.
///
/// The PDF's title is `Austrittsbescheinigungen – {facility} – {day of issue}` (singular for
/// one child), its author the Träger, its date the day of issue. All certificates must share
/// the facility, its address, the Träger and the day of issue.
pub fn exit_certificates_pdf(
    certificates: &[ExitCertificate],
    id: &str,
) -> Result<Rendered, ExitCertificateError> {
    exit_certificates_pdf_with(&EXIT_CERTIFICATE, certificates, id)
}

/// [`exit_certificates_pdf`] with another template, e.g. a Freier Träger's own (Lastenheft
/// 3.10.7.2); it reads the data described in `templates/exit_certificate.typ`.
pub fn exit_certificates_pdf_with(
    template: &Template<'_>,
    certificates: &[ExitCertificate],
    id: &str,
) -> Result<Rendered, ExitCertificateError> {
    let first = certificates.first().ok_or(ExitCertificateError::Empty)?;
    for certificate in certificates {
        certificate.validate()?;
        let same = |field: &'static str, a: String, b: String| {
            if a == b {
                Ok(())
            } else {
                Err(ExitCertificateError::MixedPrintRun {
                    child: certificate.child_name(),
                    field,
                    first: a,
                    other: b,
                })
            }
        };
        same(
            "facility_name",
            first.facility_name.clone(),
            certificate.facility_name.clone(),
        )?;
        same(
            "facility_address",
            first.facility_address.join(", "),
            certificate.facility_address.join(", "),
        )?;
        same(
            "provider_name",
            first.provider_name.clone(),
            certificate.provider_name.clone(),
        )?;
        same(
            "issued_on",
            format_date(first.issued_on),
            format_date(certificate.issued_on),
        )?;
    }
    let noun = if certificates.len() == 1 {
        "Austrittsbescheinigung"
    } else {
        "Austrittsbescheinigungen"
    };
    let meta = DocumentMeta {
        title: format!(
            "{noun} – {} – {}",
            first.facility_name,
            format_date(first.issued_on)
        ),
        author: first.provider_name.clone(),
        language: "de".to_owned(),
        date: first.issued_on,
        id: id.to_owned(),
    };
    let data = json!({
        "certificates": certificates.iter().map(ExitCertificate::data).collect::<Vec<_>>(),
    });
    Ok(render(template, &data, &meta)?)
}
