//! A SEPA Basislastschrift (SDD Core) file: the creditor, the debits, and the checks a bank
//! would make before collecting them.
//!
//! [`DirectDebitFile`] takes the creditor, a message id, the creation time and a default
//! collection date, and the debits; [`DirectDebitFile::build`] checks everything, groups the
//! debits into payment blocks (one `PmtInf` per sequence type and collection date — the standard
//! carries both once per block) and writes pain.008.001.08 ([`SCHEMA`], in `pain008.rs`).
//! Nothing reads the clock: the same input gives the same bytes.

mod pain008;
mod problem;

pub use pain008::{NAMESPACE, SCHEMA};
pub use problem::{Field, FileRefused, Place, Problem, ProblemKind};

use crate::amount::Amount;
use crate::bic::Bic;
use crate::creditor_id::CreditorId;
use crate::iban::Iban;
use crate::text::{sepa_identifier, sepa_text, TextError};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Maximum lengths of the EPC Implementation Guidelines (names are 140 in ISO 20022, 70 in
/// SEPA).
pub const NAME_MAX: usize = 70;
pub const IDENTIFIER_MAX: usize = 35;
pub const REMITTANCE_MAX: usize = 140;
/// The message id leaves room for the payment block ids `<MsgId>-<n>` (n ≤ 9999) within the
/// 35 characters a `PmtInfId` may have, so that they too are unique across files.
pub const MESSAGE_ID_MAX: usize = 30;
pub const PAYMENT_BLOCKS_MAX: usize = 9999;

/// Which collection of a mandate this is (EPC AT-21). Since November 2016 the rulebook lets a
/// first collection of a recurrent mandate go as `Recurring` too; `First` is still accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SequenceType {
    /// `FRST`: the first of a recurrent mandate.
    #[serde(rename = "FRST")]
    First,
    /// `RCUR`: a further one of a recurrent mandate.
    #[serde(rename = "RCUR")]
    Recurring,
    /// `FNAL`: the last one of a recurrent mandate (the mandate ends with it).
    #[serde(rename = "FNAL")]
    Final,
    /// `OOFF`: a one-off mandate's only collection.
    #[serde(rename = "OOFF")]
    OneOff,
}

impl SequenceType {
    /// The code in the file.
    pub fn code(self) -> &'static str {
        match self {
            SequenceType::First => "FRST",
            SequenceType::Recurring => "RCUR",
            SequenceType::Final => "FNAL",
            SequenceType::OneOff => "OOFF",
        }
    }
}

/// Who collects: the Träger (or the city's fee office) with its account and creditor id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creditor {
    /// Transliterated into the SEPA character set, at most 70 characters after that.
    pub name: String,
    pub iban: Iban,
    /// Optional within SEPA since 2016 (IBAN-only); written `NOTPROVIDED` when missing.
    pub bic: Option<Bic>,
    pub creditor_id: CreditorId,
}

/// One direct debit: one family's fee for one period under one mandate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debit {
    /// The creditor's reference for this debit, returned with any return or refund; at most 35
    /// characters of the SEPA set, unique within the file.
    pub end_to_end_id: String,
    /// Euros, whole cents, more than 0.
    pub amount: Decimal,
    /// As on the signed mandate; at most 35 characters of the SEPA set, never transliterated.
    pub mandate_reference: String,
    pub mandate_signed_on: NaiveDate,
    pub sequence: SequenceType,
    /// The account holder; transliterated, at most 70 characters after that.
    pub debtor_name: String,
    pub debtor_iban: Iban,
    pub debtor_bic: Option<Bic>,
    /// Verwendungszweck; transliterated, at most 140 characters after that.
    pub remittance_text: Option<String>,
    /// `None`: the file's collection date.
    pub collection_date: Option<NaiveDate>,
}

/// A direct-debit file to be written: see the module documentation.
#[derive(Debug, Clone)]
pub struct DirectDebitFile {
    message_id: String,
    created_at: NaiveDateTime,
    creditor: Creditor,
    collection_date: NaiveDate,
    debits: Vec<Debit>,
}

/// A written file and what it contains, for the person who sends it to the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pain008 {
    /// UTF-8 XML, pain.008.001.08.
    pub xml: String,
    pub message_id: String,
    pub transactions: usize,
    pub control_sum: Decimal,
    pub payment_blocks: Vec<PaymentBlockSummary>,
}

/// One `PmtInf` block of a written file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentBlockSummary {
    pub id: String,
    pub sequence: SequenceType,
    pub collection_date: NaiveDate,
    pub transactions: usize,
    pub control_sum: Decimal,
}

impl DirectDebitFile {
    /// `message_id` must be unique per creditor and bank (banks refuse a file they have seen);
    /// at most 30 characters of the SEPA set. `created_at` is the creditor's local time
    /// (Europe/Berlin), written without offset. `collection_date` applies to every debit that
    /// names none.
    pub fn new(
        message_id: impl Into<String>,
        created_at: NaiveDateTime,
        creditor: Creditor,
        collection_date: NaiveDate,
    ) -> DirectDebitFile {
        DirectDebitFile {
            message_id: message_id.into(),
            created_at,
            creditor,
            collection_date,
            debits: Vec::new(),
        }
    }

    pub fn debit(mut self, debit: Debit) -> DirectDebitFile {
        self.debits.push(debit);
        self
    }

    pub fn debits(mut self, debits: impl IntoIterator<Item = Debit>) -> DirectDebitFile {
        self.debits.extend(debits);
        self
    }

    /// Checks everything and writes the file, or lists every problem.
    pub fn build(&self) -> Result<Pain008, FileRefused> {
        let checked = self.check()?;
        let xml = pain008::write(&checked);
        Ok(Pain008 {
            xml,
            message_id: checked.message_id,
            transactions: checked.transactions,
            control_sum: checked.control_sum,
            payment_blocks: checked
                .blocks
                .iter()
                .map(|block| PaymentBlockSummary {
                    id: block.id.clone(),
                    sequence: block.sequence,
                    collection_date: block.collection_date,
                    transactions: block.debits.len(),
                    control_sum: block.control_sum,
                })
                .collect(),
        })
    }

    fn check(&self) -> Result<CheckedFile, FileRefused> {
        let mut problems = Vec::new();
        let mut problem = |place: &Place, field: Field, kind: ProblemKind| {
            problems.push(Problem {
                place: place.clone(),
                field,
                kind,
            })
        };
        let created = self.created_at.date();

        let message_id = sepa_identifier(&self.message_id, MESSAGE_ID_MAX)
            .map_err(|e| problem(&Place::File, Field::MessageId, e.into()))
            .ok();
        let creditor_name = sepa_text(&self.creditor.name, NAME_MAX)
            .map_err(|e| problem(&Place::Creditor, Field::CreditorName, e.into()))
            .ok();
        if self.debits.is_empty() {
            problem(&Place::File, Field::Debits, ProblemKind::NoDebits);
        }

        let mut first_with_id: HashMap<&str, usize> = HashMap::new();
        let mut checked_debits = Vec::with_capacity(self.debits.len());
        for (index, debit) in self.debits.iter().enumerate() {
            let number = index + 1;
            let place = Place::Debit {
                number,
                end_to_end_id: debit.end_to_end_id.clone(),
            };
            let mut text = |field: Field, result: Result<String, TextError>| {
                result.map_err(|e| problem(&place, field, e.into())).ok()
            };
            let end_to_end_id = text(
                Field::EndToEndId,
                sepa_identifier(&debit.end_to_end_id, IDENTIFIER_MAX),
            );
            let mandate_reference = text(
                Field::MandateReference,
                sepa_identifier(&debit.mandate_reference, IDENTIFIER_MAX),
            );
            let debtor_name = text(Field::DebtorName, sepa_text(&debit.debtor_name, NAME_MAX));
            let remittance_text = match &debit.remittance_text {
                Some(remittance) => {
                    text(Field::RemittanceText, sepa_text(remittance, REMITTANCE_MAX)).map(Some)
                }
                None => Some(None),
            };
            let amount = Amount::new(debit.amount)
                .map_err(|e| problem(&place, Field::Amount, e.into()))
                .ok();
            let collection_date = debit.collection_date.unwrap_or(self.collection_date);
            if collection_date < created {
                problem(
                    &place,
                    Field::CollectionDate,
                    ProblemKind::CollectionBeforeCreation {
                        collection: collection_date,
                        created,
                    },
                );
            }
            if debit.mandate_signed_on > created {
                problem(
                    &place,
                    Field::MandateSignedOn,
                    ProblemKind::MandateSignedAfterCreation {
                        signed: debit.mandate_signed_on,
                        created,
                    },
                );
            }
            if let Some(&first) = first_with_id.get(debit.end_to_end_id.as_str()) {
                problem(
                    &place,
                    Field::EndToEndId,
                    ProblemKind::DuplicateEndToEndId { first },
                );
            } else {
                first_with_id.insert(&debit.end_to_end_id, number);
            }
            if let (
                Some(end_to_end_id),
                Some(mandate_reference),
                Some(debtor_name),
                Some(remittance_text),
                Some(amount),
            ) = (
                end_to_end_id,
                mandate_reference,
                debtor_name,
                remittance_text,
                amount,
            ) {
                checked_debits.push(CheckedDebit {
                    end_to_end_id,
                    amount,
                    mandate_reference,
                    mandate_signed_on: debit.mandate_signed_on,
                    sequence: debit.sequence,
                    debtor_name,
                    debtor_iban: debit.debtor_iban.clone(),
                    debtor_bic: debit.debtor_bic.clone(),
                    remittance_text,
                    collection_date,
                });
            }
        }

        let control_sum: Decimal = checked_debits.iter().map(|d| d.amount.euros()).sum();
        // CtrlSum is a DecimalNumber of at most 18 digits, two of them decimals.
        if control_sum >= Decimal::from(10u64.pow(16)) {
            problem(
                &Place::File,
                Field::ControlSum,
                ProblemKind::ControlSumTooLarge,
            );
        }
        let mut grouped: BTreeMap<(NaiveDate, SequenceType), Vec<CheckedDebit>> = BTreeMap::new();
        for debit in checked_debits {
            grouped
                .entry((debit.collection_date, debit.sequence))
                .or_default()
                .push(debit);
        }
        if grouped.len() > PAYMENT_BLOCKS_MAX {
            problem(
                &Place::File,
                Field::PaymentBlocks,
                ProblemKind::TooManyPaymentBlocks {
                    blocks: grouped.len(),
                    max: PAYMENT_BLOCKS_MAX,
                },
            );
        }

        match (message_id, creditor_name) {
            (Some(message_id), Some(creditor_name)) if problems.is_empty() => {
                let transactions = grouped.values().map(Vec::len).sum();
                let blocks = grouped
                    .into_iter()
                    .enumerate()
                    .map(
                        |(index, ((collection_date, sequence), debits))| PaymentBlock {
                            id: format!("{message_id}-{}", index + 1),
                            sequence,
                            collection_date,
                            control_sum: debits.iter().map(|d| d.amount.euros()).sum(),
                            debits,
                        },
                    )
                    .collect();
                Ok(CheckedFile {
                    message_id,
                    created_at: self.created_at,
                    creditor_name,
                    creditor: self.creditor.clone(),
                    transactions,
                    control_sum,
                    blocks,
                })
            }
            _ => Err(FileRefused { problems }),
        }
    }
}

/// Everything checked, grouped and in the SEPA character set: what the writer needs.
struct CheckedFile {
    message_id: String,
    created_at: NaiveDateTime,
    /// Transliterated; the IBAN, BIC and creditor id of `creditor` are checked types.
    creditor_name: String,
    creditor: Creditor,
    transactions: usize,
    control_sum: Decimal,
    blocks: Vec<PaymentBlock>,
}

struct PaymentBlock {
    id: String,
    sequence: SequenceType,
    collection_date: NaiveDate,
    control_sum: Decimal,
    debits: Vec<CheckedDebit>,
}

struct CheckedDebit {
    end_to_end_id: String,
    amount: Amount,
    mandate_reference: String,
    mandate_signed_on: NaiveDate,
    sequence: SequenceType,
    debtor_name: String,
    debtor_iban: Iban,
    debtor_bic: Option<Bic>,
    remittance_text: Option<String>,
    collection_date: NaiveDate,
}

#[cfg(test)]
mod tests;
