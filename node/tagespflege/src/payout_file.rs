//! The payout file for the finance system: one record per childminder paid in a month (the
//! running payment after its absence deduction, the insurance refunds and the one-off grants
//! paid with it). The format is documented for the finance side in `PAYOUT_FILE.md` beside this
//! crate's `Cargo.toml`; it is persisted on the other side: keep it stable and add columns only
//! at the end.
//!
//! It follows the fee billing's finance file (`kitanetz-billing`'s `FINANCE_FILE.md`) so that
//! the finance side imports both the same way:
//! - UTF-8 without byte-order mark; lines end with CR LF; the first line names the columns
//!   ([`COLUMNS`]).
//! - Fields separated by `;`. A field is quoted with `"` only when it holds `;`, `"`, CR or LF;
//!   a `"` inside is doubled (RFC 4180 with `;`).
//! - Amounts with a decimal comma and two decimals, no thousands separator (`731,02`).
//! - The month as `YYYY-MM`.

use crate::money::Money;
use crate::month::Month;

/// The header line's column names, in order (ASCII, so that any import tool maps them).
pub const COLUMNS: [&str; 10] = [
    "Auszahlungsmonat",
    "Aktenzeichen",
    "Name",
    "IBAN",
    "Geldleistung",
    "Abzug",
    "Erstattungen",
    "Zuschuesse",
    "Auszahlung",
    "Erlaeuterung",
];

/// What one childminder is paid with a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    /// The childminder's file number (her id in the register).
    pub file_number: String,
    pub name: String,
    /// Her account for the payment, when her record has one.
    pub iban: Option<String>,
    /// The running payment before the deduction.
    pub care_payment: Money,
    /// The deduction for unpaid absence days (zero when none).
    pub deduction: Money,
    /// Insurance refunds: running amounts, a back-payment, the accident insurance.
    pub refunds: Money,
    /// One-off grants decided in the month.
    pub grants: Money,
    /// One line per amount, in German, as the payment explains it.
    pub explanation: Vec<String>,
}

impl Payout {
    /// `Geldleistung − Abzug + Erstattungen + Zuschüsse`.
    pub fn payout(&self) -> Money {
        self.care_payment - self.deduction + self.refunds + self.grants
    }
}

/// A written file and its control figures, for the person who hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutFile {
    /// The file's content (UTF-8).
    pub text: String,
    /// Records without the header line.
    pub records: usize,
    /// Σ of the column `Auszahlung`.
    pub total: Money,
}

/// Money with a decimal comma: `731,02`.
fn german(m: Money) -> String {
    m.to_string().replace('.', ",")
}

/// One record per payout, in the order given.
pub fn payout_file(month: Month, payouts: &[Payout]) -> PayoutFile {
    let mut text = String::with_capacity(160 * (payouts.len() + 1));
    push_record(&mut text, COLUMNS.iter().copied());
    let month = month.to_string();
    for p in payouts {
        let fields = [
            month.clone(),
            p.file_number.clone(),
            p.name.clone(),
            p.iban.clone().unwrap_or_default(),
            german(p.care_payment),
            german(p.deduction),
            german(p.refunds),
            german(p.grants),
            german(p.payout()),
            p.explanation.join(" | "),
        ];
        push_record(&mut text, fields.iter().map(String::as_str));
    }
    PayoutFile {
        text,
        records: payouts.len(),
        total: payouts.iter().map(Payout::payout).sum(),
    }
}

fn push_record<'a>(text: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (index, field) in fields.enumerate() {
        if index > 0 {
            text.push(';');
        }
        if field.contains([';', '"', '\r', '\n']) {
            text.push('"');
            text.push_str(&field.replace('"', "\"\""));
            text.push('"');
        } else {
            text.push_str(field);
        }
    }
    text.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn eur(s: &str) -> Money {
        Money::exact(Decimal::from_str(s).unwrap()).unwrap()
    }

    #[test]
    fn one_record_per_childminder_with_german_amounts_and_quoted_text() {
        let payouts = [
            Payout {
                file_number: "cm-1".into(),
                name: "Sommer; Maria \"Mia\"".into(),
                iban: Some("DE89370400440532013000".into()),
                care_payment: eur("769.50"),
                deduction: eur("38.48"),
                refunds: eur("549.00"),
                grants: eur("480.00"),
                explanation: vec!["Anna: 585.00 €".into(), "Bruno: 165.00 €".into()],
            },
            Payout {
                file_number: "cm-2".into(),
                name: "Lena Berg".into(),
                iban: None,
                care_payment: eur("585"),
                deduction: Money::ZERO,
                refunds: Money::ZERO,
                grants: Money::ZERO,
                explanation: vec![],
            },
        ];
        let file = payout_file(Month::parse("2026-11").unwrap(), &payouts);
        assert_eq!(
            file.text,
            "Auszahlungsmonat;Aktenzeichen;Name;IBAN;Geldleistung;Abzug;Erstattungen;Zuschuesse;Auszahlung;Erlaeuterung\r\n\
             2026-11;cm-1;\"Sommer; Maria \"\"Mia\"\"\";DE89370400440532013000;769,50;38,48;549,00;480,00;1760,02;Anna: 585.00 € | Bruno: 165.00 €\r\n\
             2026-11;cm-2;Lena Berg;;585,00;0,00;0,00;0,00;585,00;\r\n"
        );
        assert_eq!((file.records, file.total), (2, eur("2345.02")));
    }
}
