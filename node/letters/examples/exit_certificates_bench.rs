//! Renders the exit certificates of a Kita's school entrants in one PDF and times it (the
//! "Sammeldruck" of Lastenheft 3.10.7.1 at the end of July).
//!
//! `cargo run --release -p kitanetz-letters --example exit_certificates_bench -- [count] [out.pdf]`
//!
//! Every child has another name and birth date. A first print run of one child is rendered
//! before the timed one, so typst's standard library and the fonts are not in the figure.
//!
//! Measured (release, a shared 2-core machine): 100 certificates in 0.17 to 0.40 s, one PDF of
//! 848 kB (the fonts are embedded once for all pages).

use std::time::Instant;

use chrono::{Days, NaiveDate};
use kitanetz_letters::{exit_certificates_pdf, ExitCertificate};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn school_entrant(i: u32) -> ExitCertificate {
    ExitCertificate {
        child_given_name: format!("Kind {i}"),
        child_family_name: format!("Familienname {i}"),
        birth_date: day(2019, 10, 1) + Days::new(u64::from(i % 365)),
        facility_name: "Kita Elbwiesenkinder".into(),
        facility_address: vec!["Am Elbufer 7".into(), "01069 Dresden".into()],
        provider_name: "Eigenbetrieb Kindertageseinrichtungen Dresden".into(),
        care_from: day(2021, 8, 1),
        care_until: day(2026, 7, 31),
        care_types: vec!["Krippe".into(), "Kindergarten".into()],
        reason: "Schuleintritt".into(),
        place: "Dresden".into(),
        issued_on: day(2026, 7, 24),
        signer: "Petra Sommer".into(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: u32 = args.next().map(|n| n.parse()).transpose()?.unwrap_or(100);
    let out = args.next();

    let started = Instant::now();
    exit_certificates_pdf(&[school_entrant(0)], "exit-certificates/warm-up")?;
    let first = started.elapsed();

    let certificates: Vec<ExitCertificate> = (1..=count).map(school_entrant).collect();
    let started = Instant::now();
    let letter = exit_certificates_pdf(&certificates, "exit-certificates/kita-7/2026-07-24")?;
    let total = started.elapsed();
    if let Some(out) = &out {
        std::fs::write(out, &letter.pdf)?;
    }
    println!(
        "{count} exit certificates in one PDF in {:.2} s ({:.1} ms per child; first render {:.0} ms; {} bytes)",
        total.as_secs_f64(),
        total.as_secs_f64() * 1e3 / f64::from(count.max(1)),
        first.as_secs_f64() * 1e3,
        letter.pdf.len(),
    );
    Ok(())
}
