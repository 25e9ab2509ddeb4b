//! Renders the sample receipt, writes it to a file and times the renders.
//!
//! `cargo run --release -p kitanetz-letters --example render_receipt -- receipt.pdf [count]`
//!
//! The first render includes building typst's standard library and parsing the fonts; the
//! others are what a running node pays per letter (each with a different child's name, so typst's
//! caches cannot answer the whole letter).

use std::time::Instant;

use kitanetz_letters::{render, DocumentMeta, RECEIPT};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "receipt.pdf".to_owned());
    let count: u32 = args.next().map(|n| n.parse()).transpose()?.unwrap_or(50);

    let mut data: serde_json::Value =
        serde_json::from_str(include_str!("../templates/receipt.sample.json"))?;
    let meta = DocumentMeta {
        title: "Eingangsbestätigung Ihrer Voranmeldung".into(),
        author: "Stadt Musterstadt, Zentrale Vormerkstelle".into(),
        language: "de".into(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).ok_or("date")?,
        id: "receipt/V-2026-000123".into(),
    };

    let started = Instant::now();
    let letter = render(&RECEIPT, &data, &meta)?;
    let first = started.elapsed();
    std::fs::write(&out, &letter.pdf)?;
    for warning in &letter.warnings.0 {
        eprintln!("{warning}");
    }

    let started = Instant::now();
    for i in 0..count {
        data["children"][0]["name"] = format!("Kind Nummer {i}").into();
        render(&RECEIPT, &data, &meta)?;
    }
    let rest = started.elapsed();
    println!(
        "{out}: {} bytes; first render {:.1} ms, then {:.1} ms per letter ({count} letters)",
        letter.pdf.len(),
        first.as_secs_f64() * 1e3,
        rest.as_secs_f64() * 1e3 / f64::from(count.max(1)),
    );
    Ok(())
}
