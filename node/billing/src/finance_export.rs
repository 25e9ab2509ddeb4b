//! The flat file for the finance system (SAP-FI in Dresden; Lastenheft 3.19, L3783–3786:
//! "Debitoren (Sorgeberechtigte) und Sollstellungen"; 3.10.9, L2955–2960): one record per
//! position of a Soll-Stellung. The format is documented for the finance side in
//! `FINANCE_FILE.md` beside this crate's `Cargo.toml`; a change here is a change there, and the
//! file is persisted on the other side: keep it stable and add columns only at the end.
//!
//! - UTF-8 without byte-order mark; lines end with CR LF; the first line names the columns
//!   ([`COLUMNS`]).
//! - Fields separated by `;`. A field is quoted with `"` only when it holds `;`, `"`, CR or LF;
//!   a `"` inside is doubled (RFC 4180 with `;`).
//! - Amounts with a decimal comma and two decimals, no thousands separator, `-` before a credit
//!   (`189,36`, `-18,94`): German finance systems and spreadsheets read that as a number, and the
//!   separator `;` is why a comma is free for it.
//! - Months as `YYYY-MM`, PKN with eight digits and the family number with six (leading zeros
//!   kept).

use crate::amount::german;
use crate::soll::Position;
use kitanetz_fees::Money;

/// The header line's column names, in order (ASCII, so that any import tool maps them).
pub const COLUMNS: [&str; 11] = [
    "Satzart",
    "PositionsID",
    "Buchungsmonat",
    "Leistungsmonat",
    "Familiennummer",
    "PKN",
    "Art",
    "Betrag",
    "BisherBerechnet",
    "Festgesetzt",
    "Erlaeuterung",
];

/// A written file and its control figures, for the person who hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinanceFile {
    /// The file's content (UTF-8).
    pub text: String,
    /// Records without the header line.
    pub records: usize,
    /// Σ of the column `Betrag`.
    pub total: Money,
}

/// One record per position, in the order given.
pub fn finance_file(positions: &[Position]) -> FinanceFile {
    let mut text = String::with_capacity(200 * (positions.len() + 1));
    push_record(&mut text, COLUMNS.iter().copied());
    for p in positions {
        let fields = [
            p.kind.code().to_owned(),
            p.id.clone(),
            p.billing_month.to_string(),
            p.month.to_string(),
            p.payer().to_string(),
            p.pkn.to_string(),
            p.charge.code().to_owned(),
            german(p.amount),
            german(p.previously_charged),
            german(p.decided),
            p.explanation.clone(),
        ];
        push_record(&mut text, fields.iter().map(String::as_str));
    }
    FinanceFile {
        text,
        records: positions.len(),
        total: positions.iter().map(|p| p.amount).sum(),
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
    use crate::soll::{soll_stellung, Charge, ChargedAmount};
    use crate::testing::{cents, decided, m, pkn};

    /// Splits the file as an importer would (quotes, doubled quotes, `;`, CR LF).
    fn read(text: &str) -> Vec<Vec<String>> {
        let mut records = Vec::new();
        let mut record = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') => quoted = true,
                (false, ';') => record.push(std::mem::take(&mut field)),
                (false, '\r') => {
                    assert_eq!(chars.next(), Some('\n'), "CR LF");
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                (false, c) => field.push(c),
            }
        }
        assert!(
            record.is_empty() && field.is_empty(),
            "the last line ends with CR LF"
        );
        records
    }

    #[test]
    fn one_record_per_position_with_german_amounts() {
        let child = pkn("00012301");
        let charged = [ChargedAmount {
            pkn: child,
            month: m("2025-01"),
            charge: Charge::Fee,
            amount: cents(18936),
        }];
        let decisions = vec![
            decided(
                child,
                "2025-01",
                17042,
                "alleinerziehend; \"Nachweis\" vom 03.02.2025",
            ),
            decided(child, "2025-02", 17042, "alleinerziehend"),
        ];
        let run = soll_stellung(m("2025-02"), m("2020-01"), &decisions, &charged).unwrap();
        let file = finance_file(&run.positions);
        assert_eq!(file.records, 2);
        assert_eq!(file.total, cents(17042 - 1894));
        let records = read(&file.text);
        assert_eq!(records[0], COLUMNS);
        assert_eq!(
            records[1][..10],
            [
                "GUTSCHRIFT",
                "202502-00012301-202501-EB-2",
                "2025-02",
                "2025-01",
                "000123",
                "00012301",
                "EB",
                "-18,94",
                "189,36",
                "170,42"
            ]
        );
        assert!(records[1][10].ends_with("Grund: alleinerziehend; \"Nachweis\" vom 03.02.2025"));
        assert_eq!(records[2][0], "SOLL");
        assert_eq!(records[2][7], "170,42");
        assert!(
            file.text.contains("\"Gutschrift Elternbeitrag"),
            "the explanation with ; and \" is quoted"
        );
        assert!(file.text.starts_with("Satzart;PositionsID;"));
    }

    #[test]
    fn an_empty_run_is_the_header_only() {
        let file = finance_file(&[]);
        assert_eq!(file.text, format!("{}\r\n", COLUMNS.join(";")));
        assert_eq!(file.records, 0);
        assert_eq!(file.total, Money::ZERO);
    }
}
