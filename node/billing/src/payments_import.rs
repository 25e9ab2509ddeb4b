//! The finance system's file of payments received (Zahlungseingänge), read back into Kitanetz so
//! that the Beitragsstelle sees who is in arrears (Lastenheft 3.10.10, L2966–2982: the payments
//! are booked in the city's finance system, SAP-FI; "Sollte der Zahlungspflichtige mehr als 2
//! Monate im Rückstand … so ist dies im System kenntlich zu machen").
//!
//! The format is Kitanetz's, documented for the finance side in `PAYMENTS_FILE.md` beside this
//! crate's `Cargo.toml` (next to `FINANCE_FILE.md`, the file going the other way); a change here
//! is a change there. In short:
//!
//! - UTF-8 (a byte-order mark is ignored), lines ending in LF or CR LF, fields separated by `;`
//!   and quoted with `"` as in the finance file (RFC 4180 with `;`).
//! - The first line names the columns; they are found by name, in any order, and further
//!   columns are ignored: `Familiennummer`, `Leistungsmonat`, `Betrag`, `Buchungsdatum` are
//!   required, `Beleg` (the finance system's document number) is optional.
//! - `Familiennummer`: the payer account, six digits (the first six of the PKN, leading zeros
//!   kept); an eight-digit PKN is accepted and counts for its family.
//! - `Leistungsmonat`: the month the payment is for, `YYYY-MM` — the month of the charge it
//!   settles (the finance file's `Leistungsmonat`).
//! - `Betrag`: euros with a decimal comma or point, at most two decimals, no thousands
//!   separator; `-` before a reversal (a returned direct debit takes a payment back).
//! - `Buchungsdatum`: `YYYY-MM-DD` or `DD.MM.YYYY`.
//!
//! A file is read whole or not at all: every problem is reported with its line and column, and
//! none of its rows count until the file is clean. Every row gets a [`Payment::key`] so that
//! the node can store a file a second time (or an export that overlaps the last one) without
//! counting a payment twice.

use crate::amount::parse_signed;
use crate::pkn::{FamilyNumber, Pkn};
use chrono::NaiveDate;
use kitanetz_fees::{Money, Month};
use std::collections::HashMap;
use std::fmt;

/// The required columns, by header name.
pub const REQUIRED: [&str; 4] = [
    "Familiennummer",
    "Leistungsmonat",
    "Betrag",
    "Buchungsdatum",
];
/// The optional column with the finance system's document number.
pub const REFERENCE: &str = "Beleg";

/// One payment received, as the file states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// The line of the file it was read from (1 = the header).
    pub line: usize,
    pub payer: FamilyNumber,
    /// The month the payment is for.
    pub month: Month,
    /// Negative for a reversal.
    pub amount: Money,
    pub booked_on: NaiveDate,
    /// The finance system's document number; empty when the file has none.
    pub reference: String,
    /// What makes the row the same payment when it comes again: its fields, and which
    /// occurrence of identical fields in its file it is. Two identical rows in one file are two
    /// payments (two equal transfers on one day happen); the same row in a second upload of the
    /// file, or in an export that overlaps the last one, is the payment already stored.
    pub key: String,
}

/// A problem in the file: where, in which column, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1 = the header line.
    pub line: usize,
    /// The column's header name; empty for a problem of the whole line.
    pub column: String,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(
                f,
                "Zeile {} / line {}: {}",
                self.line, self.line, self.message
            )
        } else {
            write!(
                f,
                "Zeile {} / line {}, {}: {}",
                self.line, self.line, self.column, self.message
            )
        }
    }
}

/// A clean file's payments and its control figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentsFile {
    /// In the order of the file.
    pub payments: Vec<Payment>,
    /// Σ of `Betrag`.
    pub total: Money,
}

/// Reads a file of payments received; every problem, or none (see the module documentation).
pub fn parse(bytes: &[u8]) -> Result<PaymentsFile, Vec<LineError>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        vec![LineError {
            line,
            column: String::new(),
            message: "kein UTF-8: als UTF-8 speichern / not UTF-8: save the file as UTF-8".into(),
        }]
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(e)) => return Err(vec![csv_error(text, &e)]),
        None => return Err(vec![whole(1, "die Datei ist leer / the file is empty")]),
    };
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let missing: Vec<LineError> = REQUIRED
        .iter()
        .filter(|name| column(name).is_none())
        .map(|name| LineError {
            line: line_of(text, header.position()),
            column: (*name).to_string(),
            message: format!(
                "Spalte fehlt in der Kopfzeile (erwartet: {}) / column missing from the header line",
                REQUIRED.join(";")
            ),
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let [payer_at, month_at, amount_at, date_at] = REQUIRED.map(|n| column(n).expect("checked"));
    let reference_at = column(REFERENCE);

    let mut errors = Vec::new();
    let mut payments = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(csv_error(text, &e));
                continue;
            }
        };
        let line = line_of(text, record.position());
        if record.iter().all(str::is_empty) {
            continue; // a line of separators only, as spreadsheets write at the end
        }
        let field = |at: usize| record.get(at).unwrap_or("");
        let mut fail = |at: usize, message: String| {
            errors.push(LineError {
                line,
                column: header[at].to_string(),
                message,
            })
        };
        let payer = parse_payer(field(payer_at));
        let month = Month::parse(field(month_at));
        let amount = parse_amount(field(amount_at));
        let booked_on = parse_booking_date(field(date_at));
        if payer.is_none() {
            fail(
                payer_at,
                format!(
                    "{:?}: 6 Ziffern (oder die 8-stellige PKN), z. B. 012345 / 6 digits (or the 8-digit PKN), e.g. 012345",
                    field(payer_at)
                ),
            );
        }
        if month.is_none() {
            fail(
                month_at,
                format!(
                    "{:?}: Monat als JJJJ-MM, z. B. 2025-03 / month as YYYY-MM, e.g. 2025-03",
                    field(month_at)
                ),
            );
        }
        if amount.is_none() {
            fail(
                amount_at,
                format!(
                    "{:?}: Betrag in Euro mit Komma oder Punkt, höchstens 2 Nachkommastellen, ohne Tausenderpunkt, z. B. 189,36 / amount in euros, e.g. 189,36 or 189.36",
                    field(amount_at)
                ),
            );
        }
        if booked_on.is_none() {
            fail(
                date_at,
                format!(
                    "{:?}: Datum als JJJJ-MM-TT oder TT.MM.JJJJ / date as YYYY-MM-DD or DD.MM.YYYY",
                    field(date_at)
                ),
            );
        }
        let (Some(payer), Some(month), Some(amount), Some(booked_on)) =
            (payer, month, amount, booked_on)
        else {
            continue;
        };
        let reference = reference_at.map_or("", field).to_string();
        let content = format!("{payer}|{month}|{amount}|{booked_on}|{reference}");
        let occurrence = seen.entry(content.clone()).or_default();
        *occurrence += 1;
        payments.push(Payment {
            line,
            payer,
            month,
            amount,
            booked_on,
            reference,
            key: format!("{content}|{occurrence}"),
        });
    }
    if payments.is_empty() && errors.is_empty() {
        errors.push(whole(
            2,
            "keine Zahlungen unter der Kopfzeile / no payments below the header line",
        ));
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(errors);
    }
    Ok(PaymentsFile {
        total: payments.iter().map(|p| p.amount).sum(),
        payments,
    })
}

fn whole(line: usize, message: &str) -> LineError {
    LineError {
        line,
        column: String::new(),
        message: message.into(),
    }
}

fn csv_error(text: &str, e: &csv::Error) -> LineError {
    whole(
        line_of(text, e.position()),
        &format!("nicht lesbar / unreadable: {e}"),
    )
}

/// The line a record starts on, counted from the text itself: the reader's own line count lags
/// by one after a CR LF (it stops at the CR and counts the LF into the next record).
fn line_of(text: &str, position: Option<&csv::Position>) -> usize {
    let start = position.map_or(0, |p| p.byte() as usize).min(text.len());
    let rest = &text[start..];
    let skipped = rest.len() - rest.trim_start_matches(['\r', '\n']).len();
    1 + text[..start + skipped].matches('\n').count()
}

/// Six digits, or a PKN's eight (its family part).
fn parse_payer(text: &str) -> Option<FamilyNumber> {
    match text.len() {
        8 => Pkn::parse(text).ok().map(Pkn::family),
        _ => FamilyNumber::parse(text).ok(),
    }
}

/// `189,36`, `189.36`, `-18,94`, `5`: one decimal separator of either kind, at most two
/// decimals. A thousands separator is refused rather than guessed (`1.234` could be either).
fn parse_amount(text: &str) -> Option<Money> {
    parse_signed(&text.replacen(',', ".", 1)).filter(|_| text.matches([',', '.']).count() <= 1)
}

/// `2025-03-14` or `14.03.2025`.
fn parse_booking_date(text: &str) -> Option<NaiveDate> {
    kitanetz_fees::month::parse_date(text).or_else(|| {
        let b = text.as_bytes();
        let shape = b.len() == 10
            && b[2] == b'.'
            && b[5] == b'.'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit());
        shape
            .then(|| NaiveDate::parse_from_str(text, "%d.%m.%Y").ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{cents, m};

    const HEADER: &str = "Familiennummer;Leistungsmonat;Betrag;Buchungsdatum;Beleg\r\n";

    #[test]
    fn a_clean_file_is_read_with_its_total() {
        let text = format!(
            "\u{feff}{HEADER}012345;2025-01;189,36;2025-01-15;1400000001\r\n\
             01234501;2025-02;189.36;14.02.2025;\r\n\
             012345;2025-02;-189,36;2025-02-20;1400000007\r\n\
             ;;;;\r\n"
        );
        let file = parse(text.as_bytes()).unwrap();
        assert_eq!(file.payments.len(), 3);
        let p = &file.payments[1];
        assert_eq!(p.payer.to_string(), "012345", "a PKN counts for its family");
        assert_eq!(p.month, m("2025-02"));
        assert_eq!(p.amount, cents(18936));
        assert_eq!(p.booked_on, NaiveDate::from_ymd_opt(2025, 2, 14).unwrap());
        assert_eq!(
            file.payments.iter().map(|p| p.line).collect::<Vec<_>>(),
            [2, 3, 4]
        );
        assert_eq!(file.total, cents(18936));
    }

    #[test]
    fn columns_are_found_by_name_and_the_reference_is_optional() {
        let text = "Buchungsdatum;Betrag;Leistungsmonat;Familiennummer;Kostenstelle\n\
                    2025-03-03;5;2025-03;000123;4711\n";
        let file = parse(text.as_bytes()).unwrap();
        assert_eq!(file.payments[0].amount, cents(500));
        assert_eq!(file.payments[0].reference, "");
    }

    #[test]
    fn every_problem_is_named_by_line_and_column() {
        let text = format!(
            "{HEADER}012345;2025-01;189,36;2025-01-15;1\n\
             12345;2025-13;1.234,56;2025-02-30;2\n\
             012345;2025-02;18,936;15.02.25;3\n"
        );
        let errors = parse(text.as_bytes()).unwrap_err();
        let at: Vec<_> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            at,
            [
                (3, "Familiennummer"),
                (3, "Leistungsmonat"),
                (3, "Betrag"),
                (3, "Buchungsdatum"),
                (4, "Betrag"),
                (4, "Buchungsdatum"),
            ]
        );
        assert!(errors[2]
            .to_string()
            .starts_with("Zeile 3 / line 3, Betrag: \"1.234,56\""));
    }

    #[test]
    fn a_missing_column_or_an_empty_file_is_refused() {
        let errors =
            parse(b"Familiennummer;Betrag;Buchungsdatum\n012345;5;2025-01-01\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].line, errors[0].column.as_str()),
            (1, "Leistungsmonat")
        );
        assert_eq!(parse(b"").unwrap_err()[0].line, 1);
        assert_eq!(parse(HEADER.as_bytes()).unwrap_err()[0].line, 2);
        assert_eq!(parse(b"Familiennummer\n\xff\n").unwrap_err()[0].line, 2);
    }

    #[test]
    fn identical_rows_are_two_payments_with_two_keys() {
        let row = "012345;2025-01;50,00;2025-01-15;\n";
        let text = format!("{HEADER}{row}{row}");
        let file = parse(text.as_bytes()).unwrap();
        assert_ne!(file.payments[0].key, file.payments[1].key);
        // The same file again gives the same keys: the node stores nothing twice.
        assert_eq!(parse(text.as_bytes()).unwrap(), file);
        // An export that repeats the first row and adds one: the first key is the stored one.
        let later = parse(format!("{HEADER}{row}").as_bytes()).unwrap();
        assert_eq!(later.payments[0].key, file.payments[0].key);
    }

    #[test]
    fn amounts_take_a_comma_or_a_point_but_no_thousands_separator() {
        assert_eq!(parse_amount("189,36"), Some(cents(18936)));
        assert_eq!(parse_amount("189.36"), Some(cents(18936)));
        assert_eq!(parse_amount("-18,9"), Some(cents(-1890)));
        assert_eq!(parse_amount("7"), Some(cents(700)));
        for bad in [
            "", "1.234,56", "1,234", "12,345", "1,2,3", "€5", "5 €", "+5", "1e2",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
    }
}
