//! Kitanetz billing of parent fees: pure rules, no I/O, no clock — the node passes the billing
//! month, the dates and what it has stored, and stores and sends what comes out.
//!
//! - [`soll`]: the monthly **Soll-Stellung** (Lastenheft 3.10.9): at the end of a month the
//!   decided fees of the next month, plus a credit (Gutschrift) or back-charge (Nachforderung)
//!   for every earlier month whose decided amount now differs from what was charged, and the
//!   Mehrbetreuung reported for a month. Idempotent: positions that are charged are not charged
//!   again.
//! - [`arrears`]: payers more than two months in arrears (3.10.10), for the work list.
//! - [`finance_export`]: the flat file for the finance system (SAP-FI), semicolon-separated,
//!   UTF-8, decimal comma; documented for the finance side in `FINANCE_FILE.md`.
//! - [`payments_import`]: the finance system's file of payments received, read back for the
//!   arrears (documented for the finance side in `PAYMENTS_FILE.md`).
//! - [`sepa_export`]: the SEPA direct-debit file (pain.008.001.08 through `kitanetz-sepa`), one
//!   debit per payer; payers with a credit balance or without a usable mandate are listed, not
//!   dropped.
//! - [`lost_fees`]: lost-fee reports (entgangene Elternbeiträge): free Träger monthly, other
//!   towns quarterly with the fourth quarter estimated in the third, and the monthly overview.
//! - [`bulk_change`]: new fees from published operating costs — on the 1st of a month, not
//!   before 1 September (Satzung § 10 (4)) — and the child-months they change.
//!
//! Keys: the child's **PKN** ([`Pkn`], 8 digits) and the payer account, its family part
//! ([`FamilyNumber`], 6 digits; Lastenheft 3.10.1.7). Months are [`kitanetz_fees::Month`], money
//! [`kitanetz_fees::Money`]: `rust_decimal`, whole cents, rounded half up where produced, never
//! floats; credits are negative amounts ([`amount`]).
//!
//! Line numbers `L1234` refer to seed `004_081961f81841d5b5.txt` (the Dresden E-KITA Lastenheft
//! with its annexes), as in `shared/domain/RULES.md`.
//!
//! # How the node calls it
//! ```
//! use kitanetz_billing::{soll_stellung, Charge, DecidedAmount, Pkn};
//! use kitanetz_billing::finance_export::finance_file;
//! use kitanetz_fees::{Money, Month};
//!
//! let march = Month::parse("2025-03").unwrap();
//! // The decisions in force (e.g. from `decided_from_fee_result`) and every stored position.
//! let decided = vec![DecidedAmount {
//!     pkn: Pkn::parse("12345601").unwrap(),
//!     month: march,
//!     charge: Charge::Fee,
//!     amount: Money::from_cents(18936),
//!     explanation: "Krippe 9 h, 1. Zählkind".into(),
//! }];
//! let stored: Vec<kitanetz_billing::Position> = Vec::new();
//! let charged: Vec<_> = stored.iter().map(|p| p.charged()).collect();
//! let run = soll_stellung(march, Month::parse("2020-01").unwrap(), &decided, &charged).unwrap();
//! // Store run.positions in the same transaction as the audit row, then write the files.
//! let file = finance_file(&run.positions);
//! assert_eq!(file.records, 1);
//! ```

pub mod amount;
pub mod arrears;
pub mod bulk_change;
pub mod finance_export;
pub mod lost_fees;
pub mod payments_import;
pub mod pkn;
pub mod sepa_export;
pub mod soll;

#[cfg(test)]
mod testing;

pub use pkn::{FamilyNumber, Pkn, PknError};
pub use soll::{
    decided_from_fee_result, soll_stellung, Charge, ChargedAmount, DecidedAmount, Position,
    PositionKind, SollOutcome, SollProblem, SollRefused,
};
