//! Why a direct-debit file was not written: every problem at once, each with the debit and the
//! field it concerns, so that a Soll-Stellung run of hundreds of families is fixed in one pass.

use crate::amount::AmountError;
use crate::text::TextError;
use chrono::NaiveDate;
use std::fmt;

/// The file was refused; `problems` lists every reason, in the order of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Die Lastschriftdatei wurde nicht erstellt / the direct-debit file was not written:\n{}",
    .problems.iter().map(|problem| format!("- {problem}")).collect::<Vec<_>>().join("\n")
)]
pub struct FileRefused {
    pub problems: Vec<Problem>,
}

/// One problem: where, which field, what is wrong (and what to do).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}, {field}: {kind}")]
pub struct Problem {
    pub place: Place,
    pub field: Field,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    File,
    Creditor,
    /// `number` counts the debits as given, from 1.
    Debit {
        number: usize,
        end_to_end_id: String,
    },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::File => f.write_str("Datei / file"),
            Place::Creditor => f.write_str("Gläubiger / creditor"),
            Place::Debit {
                number,
                end_to_end_id,
            } => write!(
                f,
                "Lastschrift {number} / debit {number} ({end_to_end_id:?})"
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    MessageId,
    Debits,
    PaymentBlocks,
    ControlSum,
    CreditorName,
    EndToEndId,
    Amount,
    MandateReference,
    MandateSignedOn,
    DebtorName,
    RemittanceText,
    CollectionDate,
}

impl Field {
    /// German / English, and the pain.008 element for those who compare with the bank's report.
    pub fn label(self) -> &'static str {
        match self {
            Field::MessageId => "Nachrichten-ID / message id (MsgId)",
            Field::Debits => "Lastschriften / debits",
            Field::PaymentBlocks => "Sammler / payment blocks (PmtInf)",
            Field::ControlSum => "Summe / total (CtrlSum)",
            Field::CreditorName => "Name / name (Cdtr/Nm)",
            Field::EndToEndId => "End-to-End-ID / end-to-end id (EndToEndId)",
            Field::Amount => "Betrag / amount (InstdAmt)",
            Field::MandateReference => "Mandatsreferenz / mandate reference (MndtId)",
            Field::MandateSignedOn => "Unterschrift des Mandats / mandate signed on (DtOfSgntr)",
            Field::DebtorName => "Zahlungspflichtige(r) / debtor name (Dbtr/Nm)",
            Field::RemittanceText => "Verwendungszweck / remittance text (Ustrd)",
            Field::CollectionDate => "Fälligkeitstag / collection date (ReqdColltnDt)",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    #[error(transparent)]
    Text(#[from] TextError),
    #[error(transparent)]
    Amount(#[from] AmountError),
    #[error("Die Datei enthält keine Lastschrift / the file contains no debit")]
    NoDebits,
    #[error(
        "Fälligkeitstag {collection} liegt vor dem Erstellungstag der Datei ({created}); \
         Lastschriften werden nicht rückwirkend eingezogen / the collection date {collection} is \
         before the day the file is created ({created}); debits are not collected retroactively"
    )]
    CollectionBeforeCreation {
        collection: NaiveDate,
        created: NaiveDate,
    },
    #[error(
        "Das Mandat ist auf den {signed} datiert, nach dem Erstellungstag der Datei ({created}); \
         bitte das Datum der Unterschrift prüfen / the mandate is dated {signed}, after the day \
         the file is created ({created}); please check the date of signature"
    )]
    MandateSignedAfterCreation {
        signed: NaiveDate,
        created: NaiveDate,
    },
    #[error(
        "dieselbe End-to-End-ID wie Lastschrift {first}; Rücklastschriften werden über sie \
         zugeordnet, sie muss je Datei eindeutig sein / the same end-to-end id as debit {first}; \
         returned debits are matched by it, so it must be unique within the file"
    )]
    DuplicateEndToEndId { first: usize },
    #[error(
        "Die Summe aller Beträge hat mehr Stellen, als eine Datei fassen kann (18); bitte auf \
         mehrere Dateien aufteilen / the total has more digits than a file can hold (18); please \
         split the debits into several files"
    )]
    ControlSumTooLarge,
    #[error(
        "Die Datei hätte {blocks} Sammler (einen je Sequenztyp und Fälligkeitstag), höchstens \
         {max} sind möglich; bitte aufteilen / the file would have {blocks} payment blocks (one \
         per sequence type and collection date), at most {max} are possible; please split it"
    )]
    TooManyPaymentBlocks { blocks: usize, max: usize },
}
