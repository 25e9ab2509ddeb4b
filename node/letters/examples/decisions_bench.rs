//! Renders fee decisions and times them (issue 10 item 9: "rendering 1,000 decisions as PDF
//! (report per decision)").
//!
//! `cargo run --release -p kitanetz-letters --example decisions_bench -- [count] [out.pdf]`
//!
//! Every decision has another family name, child and amount (so typst's caches cannot answer a
//! whole letter), and the kinds take turns: single child, siblings, reduction, Tagespflege,
//! waiver. The first render (typst's standard library, the fonts) is reported apart.

use std::str::FromStr;
use std::time::Instant;

use chrono::NaiveDate;
use kitanetz_letters::decision::{
    Authority, AuthorityAccount, BankAccount, ChildFees, Clerk, ExplanationLine, Grant, Guardian,
    MonthFee, Payment, TagespflegeFunding, YearMonth,
};
use kitanetz_letters::{fee_decision_pdf, Decision, DecisionKind, LetterCopy, Pkn};
use rust_decimal::Decimal;

const KINDS: [DecisionKind; 5] = [
    DecisionKind::SingleChild,
    DecisionKind::Siblings,
    DecisionKind::Reduction,
    DecisionKind::Tagespflege,
    DecisionKind::Waiver,
];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn child(family: u32, number: u32, name: String, amount: Decimal, care: &str) -> ChildFees {
    let months = (8..=12)
        .map(|m| MonthFee {
            month: YearMonth::new(2026, m).expect("a month"),
            amount,
            care: care.to_owned(),
            hours: Decimal::from(9),
            facility: "Kita Sonnenblume".to_owned(),
            explanation: vec![ExplanationLine {
                text: format!("189,36 € × 9 h / 9 h = {amount} €"),
                paragraph: "§ 11 Abs. 1 Satzung".to_owned(),
            }],
        })
        .collect();
    ChildFees {
        pkn: Pkn::parse(&format!("{family:06}{number:02}")).expect("8 digits"),
        name,
        birth_date: day(2024, 5, 17),
        facility_address: Some("Musterweg 3, 01099 Dresden".to_owned()),
        months,
    }
}

fn decision(i: u32) -> Decision {
    let kind = KINDS[i as usize % KINDS.len()];
    let family = 100_000 + i;
    let amount = Decimal::new(10_000 + i64::from(i), 2);
    let mut children = vec![child(
        family,
        1,
        format!("Kind Nummer {i}"),
        amount,
        "Krippe",
    )];
    if kind == DecisionKind::Siblings {
        children.push(child(
            family,
            2,
            format!("Geschwister {i}"),
            Decimal::from_str("79.28").expect("decimal"),
            "Kindergarten",
        ));
    }
    if kind == DecisionKind::Waiver {
        children[0]
            .months
            .iter_mut()
            .for_each(|m| m.amount = Decimal::ZERO);
    }
    Decision {
        kind,
        id: format!("fee-decision/{family}01/2026-08-01/1"),
        authority: Authority {
            name: "Landeshauptstadt Dresden".into(),
            office: "Eigenbetrieb Kindertageseinrichtungen".into(),
            return_address: "Landeshauptstadt Dresden · Postfach 12 00 20 · 01001 Dresden".into(),
            street: "Dr.-Külz-Ring 19".into(),
            postcode_town: "01067 Dresden".into(),
            phone: "0351 488-5131".into(),
            email: "kindertageseinrichtungen@dresden.example".into(),
            objection_address: "Hauptsitz: Rathaus, Dr.-Külz-Ring 19, 01067 Dresden".into(),
            account: Some(AuthorityAccount {
                bank: "Ostsächsische Sparkasse Dresden".into(),
                iban: "DE69 8505 0300 3120 0012 43".into(),
                bic: "OSDDDE81".into(),
            }),
            creditor_id: None,
        },
        clerk: Clerk {
            name: "Frau Beispiel".into(),
            room: None,
            phone: "0351 488-5199".into(),
            email: "beitragsstelle@dresden.example".into(),
        },
        file_number: "55.2.1".into(),
        date: day(2026, 7, 20),
        pkn: Pkn::parse(&format!("{family:06}01")).expect("8 digits"),
        family_name: format!("Familienname {i}"),
        payer: Guardian {
            name: format!("Frau Anna Familienname {i}"),
            street: "Königsbrücker Straße 12".into(),
            postcode_town: "01099 Dresden".into(),
        },
        other_guardian: None,
        effective_from: day(2026, 8, 1),
        open_ended: true,
        children,
        payment: if kind == DecisionKind::Waiver {
            Payment::None
        } else {
            Payment::DirectDebit(BankAccount {
                holder: format!("Anna Familienname {i}"),
                iban: "DE89 3704 0044 0532 0130 00".into(),
                bic: None,
                bank: "Commerzbank Dresden".into(),
                mandate_reference: None,
            })
        },
        grant: matches!(kind, DecisionKind::Reduction | DecisionKind::Waiver).then(|| Grant {
            applied_on: day(2026, 7, 3),
            valid_from: day(2026, 8, 1),
            valid_until: day(2027, 1, 31),
            provisional: false,
        }),
        tagespflege: (kind == DecisionKind::Tagespflege).then(|| TagespflegeFunding {
            agreement_on: day(2026, 6, 15),
            funded_from: day(2026, 8, 1),
            funded_until: day(2027, 7, 31),
        }),
        end_of_grant: None,
        previous: None,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: u32 = args.next().map(|n| n.parse()).transpose()?.unwrap_or(1000);
    let out = args.next();

    let started = Instant::now();
    let first = fee_decision_pdf(&decision(0), LetterCopy::Payer)?;
    let first_time = started.elapsed();
    if let Some(out) = &out {
        std::fs::write(out, &first)?;
    }

    let mut bytes = 0usize;
    let started = Instant::now();
    for i in 1..=count {
        bytes += fee_decision_pdf(&decision(i), LetterCopy::Payer)?.len();
    }
    let total = started.elapsed();
    println!(
        "{count} decisions in {:.2} s: {:.1} ms per decision (first render {:.0} ms, average PDF {} bytes)",
        total.as_secs_f64(),
        total.as_secs_f64() * 1e3 / f64::from(count.max(1)),
        first_time.as_secs_f64() * 1e3,
        bytes / count.max(1) as usize,
    );
    Ok(())
}
