//! One Soll-Stellung at Dresden scale: 42,100 contracts (Lastenheft L3896–3925: about 42,100
//! places), each with twelve months already charged and the decisions of thirteen months, 2 %
//! of them changed retroactively, 5 % with Mehrbetreuung. Goal (issue #10 item 9): ≤ 2 s.
//!
//! `cargo run --release -p kitanetz-billing --example soll_bench [contracts] [seed]`
//!
//! The data come from a seeded linear congruential generator (no `rand`), so a run is
//! repeatable; the seed is printed.

use kitanetz_billing::finance_export::finance_file;
use kitanetz_billing::{soll_stellung, Charge, ChargedAmount, DecidedAmount, FamilyNumber, Pkn};
use kitanetz_fees::{Money, Month};
use std::time::Instant;

/// Knuth's MMIX LCG; the upper bits are the good ones.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }

    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

/// Dresden 2011 fees (9 h, Hort 6 h) and shares: 1st child, 2nd child (60 %), single parent.
const FEES: [i64; 9] = [18936, 11362, 17042, 13213, 7928, 11892, 7889, 4733, 7100];

fn main() {
    let mut args = std::env::args().skip(1);
    let contracts: usize = args
        .next()
        .map_or(42_100, |a| a.parse().expect("contracts"));
    let seed: u64 = args.next().map_or(20_251_130, |a| a.parse().expect("seed"));
    println!("soll_bench: {contracts} contracts, seed {seed}");

    let mut rng = Lcg(seed);
    let billing = Month::parse("2025-03").unwrap();
    let history: Vec<Month> = std::iter::successors(Month::parse("2024-03"), |m| Some(m.next()))
        .take(14)
        .collect(); // 2024-03 … 2025-04: 12 charged, the billing month, one ahead
    let mut decided = Vec::with_capacity(contracts * history.len());
    let mut charged = Vec::with_capacity(contracts * 12);
    let mut family = 100_000u32;
    let mut child = 0u8;
    for _ in 0..contracts {
        // Families of one to three children in care.
        if child == 0 || rng.below(100) < 70 || child >= 3 {
            family += 1;
            child = 0;
        }
        child += 1;
        let pkn = Pkn::new(FamilyNumber::parse(&format!("{family:06}")).unwrap(), child).unwrap();
        let fee_cents = FEES[rng.below(FEES.len() as u32) as usize];
        let fee = Money::from_cents(fee_cents);
        let explanation = format!("Betreuung lt. Vertrag, {child}. Zählkind");
        let changed_from = (rng.below(100) < 2).then(|| rng.below(12) as usize);
        for (index, &month) in history.iter().enumerate() {
            let amount = match changed_from {
                Some(from) if index >= from => Money::from_cents(fee_cents * 9 / 10),
                _ => fee,
            };
            decided.push(DecidedAmount {
                pkn,
                month,
                charge: Charge::Fee,
                amount,
                explanation: explanation.clone(),
            });
            if month < billing {
                charged.push(ChargedAmount {
                    pkn,
                    month,
                    charge: Charge::Fee,
                    amount: fee,
                });
            }
        }
        if rng.below(100) < 5 {
            decided.push(DecidedAmount {
                pkn,
                month: Month::parse("2025-02").unwrap(),
                charge: Charge::ExtraCare,
                amount: Money::from_cents(500 * i64::from(1 + rng.below(5))),
                explanation: "Stufen überschritten".into(),
            });
        }
    }
    println!(
        "input: {} decisions, {} amounts charged before",
        decided.len(),
        charged.len()
    );

    let started = Instant::now();
    let run = soll_stellung(
        billing,
        Month::parse("2020-01").unwrap(),
        &decided,
        &charged,
    )
    .expect("a valid run");
    let soll = started.elapsed();
    let started = Instant::now();
    let file = finance_file(&run.positions);
    let export = started.elapsed();
    println!(
        "Soll-Stellung {billing}: {} positions, total {} €, in {:.3} s",
        run.positions.len(),
        run.total(),
        soll.as_secs_f64()
    );
    println!(
        "finance file: {} records, {} bytes, in {:.3} s",
        file.records,
        file.text.len(),
        export.as_secs_f64()
    );
    let verdict = if soll.as_secs_f64() <= 2.0 {
        "within"
    } else {
        "OVER"
    };
    println!("goal ≤ 2 s: {verdict}");
}
