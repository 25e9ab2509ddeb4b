//! Times the monthly billing at Dresden scale (issue 10 item 9: "Soll-Stellung for 42,100
//! contracts (goal ≤ 2 s)"): the Soll-Stellung itself, the finance file and the SEPA
//! direct-debit file of the run.
//!
//! `cargo run --release -p kitanetz-billing --example soll_bench -- [contracts] [months]`
//!
//! Every contract is one child of its own family (the worst case for the per-payer work), with a
//! decided fee in each month of the year up to the billing month. Two runs are timed:
//! - **first run**: nothing charged yet, every month of the year is billed (back-charges for the
//!   past months, the billing month regular) — what the first month of a new system meets;
//! - **steady state**: every earlier month charged, 10 % of the children with a fee changed
//!   retroactively three months back (credits) — a normal month end.
//!
//! Times exclude generating the input. 85 % of the families pay by direct debit.

use chrono::{NaiveDate, NaiveDateTime};
use kitanetz_billing::finance_export::finance_file;
use kitanetz_billing::sepa_export::{direct_debits, Collection, Mandate};
use kitanetz_billing::{soll_stellung, Charge, DecidedAmount, Pkn, Position};
use kitanetz_fees::{Money, Month};
use kitanetz_sepa::{Bic, Creditor, CreditorId, Iban};
use std::time::Instant;

/// A German IBAN with the right check digits for `account`.
fn iban(account: u64) -> String {
    let bban = format!("37040044{account:010}");
    // "DE" = 13 14, check digits 00 → mod 97 of BBAN + "131400".
    let digits = format!("{bban}131400");
    let rest = digits
        .bytes()
        .fold(0u64, |r, b| (r * 10 + u64::from(b - b'0')) % 97);
    format!("DE{:02}{bban}", 98 - rest)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let contracts: u32 = args
        .next()
        .map_or(42_100, |a| a.parse().expect("contracts"));
    let months: u32 = args.next().map_or(12, |a| a.parse().expect("months"));
    let first = Month::new(2026, 1).expect("month");
    let billing = (1..months).fold(first, |m, _| m.next());
    let all_months: Vec<Month> = std::iter::successors(Some(first), |m| Some(m.next()))
        .take(months as usize)
        .collect();

    let pkn = |i: u32| Pkn::parse(&format!("{:06}01", 100_000 + i)).expect("pkn");
    let fee = |i: u32| Money::from_cents(10_000 + i64::from(i % 9_000));
    let decided: Vec<DecidedAmount> = (0..contracts)
        .flat_map(|i| {
            all_months.iter().map(move |m| DecidedAmount {
                pkn: pkn(i),
                month: *m,
                charge: Charge::Fee,
                amount: fee(i),
                explanation: "Krippe 9 h, 1. Zählkind".into(),
            })
        })
        .collect();
    println!(
        "{contracts} contracts, {} decided child-months, billing month {billing}",
        decided.len()
    );

    // First run: nothing charged.
    let started = Instant::now();
    let run = soll_stellung(billing, first, &decided, &[]).expect("first run");
    let first_run = started.elapsed();
    println!(
        "first run: {} positions, {} € in {:.3} s",
        run.positions.len(),
        run.total(),
        first_run.as_secs_f64()
    );

    // Steady state: every month before the billing month charged; 10 % changed three months
    // back.
    let charged: Vec<_> = run
        .positions
        .iter()
        .filter(|p| p.month < billing)
        .map(Position::charged)
        .collect();
    let changed_from = all_months[all_months.len().saturating_sub(4)];
    let decided_now: Vec<DecidedAmount> = decided
        .iter()
        .map(|d| {
            let mut d = d.clone();
            if d.pkn.family().to_string().ends_with('7') && d.month >= changed_from {
                d.amount = Money::from_cents(5_000);
            }
            d
        })
        .collect();
    let started = Instant::now();
    let run = soll_stellung(billing, first, &decided_now, &charged).expect("steady run");
    let steady = started.elapsed();
    println!(
        "steady state: {} positions ({} credits), {} € in {:.3} s",
        run.positions.len(),
        run.positions
            .iter()
            .filter(|p| p.amount < Money::from_cents(0))
            .count(),
        run.total(),
        steady.as_secs_f64()
    );

    let started = Instant::now();
    let file = finance_file(&run.positions);
    println!(
        "finance file: {} records, {} bytes in {:.3} s",
        file.records,
        file.text.len(),
        started.elapsed().as_secs_f64()
    );

    let mandates: Vec<Mandate> = (0..contracts)
        .filter(|i| i % 20 < 17)
        .map(|i| Mandate {
            payer: pkn(i).family(),
            reference: format!("M-{i}"),
            signed_on: NaiveDate::from_ymd_opt(2025, 1, 10).expect("day"),
            iban: iban(u64::from(i) + 1),
            bic: None,
            debtor_name: format!("Familie {i}"),
        })
        .collect();
    let collection = Collection {
        message_id: "KN-BENCH-1".into(),
        created_at: NaiveDateTime::parse_from_str("2026-11-30 18:00:00", "%Y-%m-%d %H:%M:%S")
            .expect("time"),
        collection_date: NaiveDate::from_ymd_opt(2026, 12, 15).expect("day"),
        creditor: Creditor {
            name: "Landeshauptstadt Dresden".into(),
            iban: Iban::parse("DE89370400440532013000").expect("iban"),
            bic: Some(Bic::parse("COBADEFFXXX").expect("bic")),
            creditor_id: CreditorId::parse("DE98ZZZ09999999999").expect("creditor id"),
        },
    };
    let started = Instant::now();
    let debits = direct_debits(&run.positions, &mandates, &collection).expect("debits");
    println!(
        "pain.008: {} debits, {} not collected, {} bytes in {:.3} s",
        debits.collected.len(),
        debits.not_collected.len(),
        debits.file.as_ref().map_or(0, |f| f.xml.len()),
        started.elapsed().as_secs_f64()
    );
    println!(
        "goal (Soll-Stellung ≤ 2 s): first run {}, steady state {}",
        if first_run.as_secs_f64() <= 2.0 {
            "met"
        } else {
            "MISSED"
        },
        if steady.as_secs_f64() <= 2.0 {
            "met"
        } else {
            "MISSED"
        }
    );
}
