//! SEPA for Kitanetz's parent fees: account data checks and SEPA Basislastschrift files. Pure:
//! no clock, no files, no network — values in, checked values or bytes out.
//!
//! - [`Iban`]: parse as typed (spaces, lower case), country from the SEPA table
//!   ([`country::SEPA_COUNTRIES`], the IBAN length per country as data), ISO 13616 mod-97 check;
//!   printed in groups of four for people, compact for files.
//! - [`Bic`]: the 8- or 11-character format (ISO 9362). Optional in SEPA since 2016.
//! - [`CreditorId`]: the Gläubiger-Identifikationsnummer (`DE98ZZZ09999999999`), mod 97 over the
//!   national identifier with the business code skipped.
//! - [`DirectDebitFile`]: a SEPA Basislastschrift (SDD Core) file from the creditor, a message
//!   id, the creation time, a collection date and the debits (end-to-end id, amount, mandate
//!   reference and date of signature, sequence type FRST/RCUR/FNAL/OOFF, debtor name, IBAN and
//!   optional BIC, remittance text). Written as **pain.008.001.08**: one payment block (`PmtInf`)
//!   per collection date and sequence type, `NbOfTxs` and `CtrlSum` in the group header and in
//!   every block. Every problem is reported at once ([`FileRefused`]), by debit and field.
//!
//! # The file version
//! pain.008.001.08 is the ISO 20022 (2019) message of the EPC's rulebooks since November 2023
//! and of the Deutsche Kreditwirtschaft's DFÜ-Abkommen Anlage 3 from version 3.7 on. The tests
//! validate every kind of file this crate writes against the official ISO XSD
//! `pain.008.001.08.xsd` as shipped in the PyPI package `sepaxml` (2.7.0, which also ships
//! pain.008.001.02, .09 and .10). German banks also still take pain.008.001.02; should a bank
//! insist on it, it is a second writer beside [`direct_debit`]'s, not a change of the checks.
//!
//! # Characters
//! Only the EPC's Latin set goes into a file (`a–z A–Z 0–9`, space, `/ - ? : ( ) . , ' +`), the
//! set every SEPA bank must accept. Names and remittance texts are transliterated: ä → ae,
//! Ä → Ae (AE in a word in capitals), ß → ss as the DK permits, & → +, other diacritics dropped
//! (é → e), typographic apostrophes and dashes to `'` and `-`; anything else is refused with its
//! position. Identifiers (message id, end-to-end id, mandate reference) are never changed. The
//! reasons and sources are in [`text`].
//!
//! # Lengths and amounts
//! Names 70 characters (after transliteration), end-to-end id and mandate reference 35,
//! remittance text 140, message id 30 (so that the block ids `<MsgId>-<n>` fit 35): longer input
//! is refused, never cut. Amounts are euros in whole cents, more than 0, at most
//! 999 999 999.99 ([`amount`]).
//!
//! # Sources
//! ISO 20022 pain.008.001.08 schema; EPC SEPA Direct Debit Core Rulebook and Customer-to-Bank
//! Implementation Guidelines (character set, lengths, IBAN-only, `NOTPROVIDED`); DK
//! DFÜ-Abkommen Anlage 3 (character set and the conversion of umlauts, ß and &); ISO 13616 and
//! the SWIFT IBAN registry (IBAN); ISO 9362 (BIC); EPC262-08 (creditor identifier); the EPC's
//! list of countries in the SEPA schemes' scope; seed 004 (E-KITA Lastenheft Dresden) 3.6.7 and
//! 3.10 (collection by Lastschrift, the city's fee account).

pub mod amount;
pub mod bic;
mod checksum;
pub mod country;
pub mod creditor_id;
pub mod direct_debit;
pub mod iban;
pub mod text;

pub use amount::{Amount, AmountError};
pub use bic::{Bic, BicError};
pub use creditor_id::{CreditorId, CreditorIdError};
pub use direct_debit::{
    Creditor, Debit, DirectDebitFile, FileRefused, Pain008, PaymentBlockSummary, Problem,
    SequenceType,
};
pub use iban::{Iban, IbanError};
pub use text::TextError;
