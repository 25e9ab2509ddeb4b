//! Tests of the letter renderer: one binary (STYLE.md 13). The PDFs are read back with lopdf
//! (text through the fonts' ToUnicode maps), so no poppler is needed; the decision tests
//! cross-check with poppler's `pdftotext` and `pdfinfo` where they are installed.

mod contract;
mod decisions;
mod errors;
mod exit_certificate;
mod extra_care;
mod receipt;
mod tagespflege;

use chrono::NaiveDate;
use kitanetz_letters::{render, DocumentMeta, Rendered, Template, RECEIPT};
use lopdf::{Document, Object};
use serde_json::Value;

/// The sample receipt data (also the example's input).
fn receipt_data() -> Value {
    serde_json::from_str(include_str!("../../templates/receipt.sample.json"))
        .expect("the sample is JSON")
}

fn meta() -> DocumentMeta {
    DocumentMeta {
        title: "Eingangsbestätigung Ihrer Voranmeldung".into(),
        author: "Stadt Musterstadt, Zentrale Vormerkstelle".into(),
        language: "de".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        id: "receipt/V-2026-000123".into(),
    }
}

fn render_receipt(data: &Value) -> Rendered {
    render(&RECEIPT, data, &meta()).unwrap_or_else(|e| panic!("{e}"))
}

fn render_template(source: &str, data: &Value) -> Result<Rendered, kitanetz_letters::RenderError> {
    render(
        &Template {
            name: "test.typ",
            source,
        },
        data,
        &meta(),
    )
}

fn parse(pdf: &[u8]) -> Document {
    Document::load_mem(pdf).expect("lopdf reads the PDF")
}

/// All text of all pages, whitespace collapsed to single spaces (line breaks of the layout do not
/// matter to the tests).
fn text(pdf: &[u8]) -> String {
    let document = parse(pdf);
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    let text = document.extract_text(&pages).expect("text extraction");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Asserts `needle` is in `haystack`, showing the haystack otherwise.
#[track_caller]
fn assert_contains(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "{needle:?} not found in the PDF's text:\n{haystack}"
    );
}

/// A value of the document catalog, following references.
fn catalog_entry<'a>(document: &'a Document, key: &[u8]) -> Option<&'a Object> {
    let catalog = document.catalog().ok()?;
    let object = catalog.get(key).ok()?;
    Some(match object {
        Object::Reference(id) => document.get_object(*id).ok()?,
        other => other,
    })
}

/// A PDF text string (UTF-16BE with a byte-order mark or PDFDocEncoding/ASCII) as UTF-8.
fn pdf_string(object: &Object) -> String {
    let bytes = object.as_str().expect("a string object");
    if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .collect();
        String::from_utf16(&units).expect("UTF-16")
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}
