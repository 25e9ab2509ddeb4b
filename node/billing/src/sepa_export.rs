//! The SEPA direct-debit file (pain.008.001.08, written by `kitanetz-sepa`) of a collection:
//! what the payers with a mandate owe by the positions given.
//!
//! # Rules
//! - **One transaction per payer** (family number): all positions of the payer in this
//!   collection — the month's charges, credits and back-charges of earlier months, Mehrbetreuung
//!   — are added up. The remittance text lists the months ([`remittance_text`]).
//! - **Nothing is dropped silently.** A payer whose positions add up to 0 € or less (a credit
//!   balance: the finance system pays it out or sets it off), who has no mandate, several
//!   mandates, a mandate whose IBAN or BIC fails the check, or whose debit the SEPA checks
//!   refuse (a name outside the SEPA character set, a mandate dated after the file) goes to
//!   [`DirectDebitRun::not_collected`] with the reason and the amount. Those payers pay by
//!   transfer (Selbstzahler, Lastenheft 3.10.1, L2553–2560) or are fixed and collected later.
//! - **Sequence type `RCUR` for every debit.** Since the EPC rulebook of November 2016 a first
//!   collection under a recurrent mandate may go as `RCUR`, so no state of "first collection
//!   done" is needed; a mandate's last collection is also an `RCUR`.
//! - **End-to-end id** `FN<family number>-<collection date YYYYMMDD>` (16 characters): unique
//!   within the file (one debit per payer) and, with one collection per date, across files;
//!   returned debits come back with it, so the node can find the payer.
//!
//! The mandates passed must be in force on the collection date (not revoked, not expired after
//! 36 months without a collection — the node keeps that state).

use crate::amount::{euro, german};
use crate::pkn::FamilyNumber;
use crate::soll::{month_de, Charge, Position};
use chrono::{NaiveDate, NaiveDateTime};
use kitanetz_fees::{Money, Month};
use kitanetz_sepa::direct_debit::{Place, REMITTANCE_MAX};
use kitanetz_sepa::{
    Bic, Creditor, Debit, DirectDebitFile, FileRefused, Iban, Pain008, SequenceType,
};
use std::collections::{BTreeMap, BTreeSet};

/// A payer's SEPA mandate (Lastschriftmandat / Einzugsermächtigung, Lastenheft 3.6.7 and
/// 3.10.1), as entered: the IBAN and BIC are checked here, so that a typo sends the payer to the
/// not-collected list instead of refusing the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mandate {
    pub payer: FamilyNumber,
    /// The mandate reference as on the signed mandate.
    pub reference: String,
    pub signed_on: NaiveDate,
    pub iban: String,
    pub bic: Option<String>,
    /// The account holder.
    pub debtor_name: String,
}

/// The file's frame: who collects, when, and under which message id (unique per creditor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    pub message_id: String,
    /// Local time (Europe/Berlin) of writing the file; the node passes it in.
    pub created_at: NaiveDateTime,
    pub collection_date: NaiveDate,
    pub creditor: Creditor,
}

/// Why a payer is not in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotCollectedReason {
    #[error(
        "Guthaben von {}: wird erstattet oder verrechnet, nicht eingezogen / credit balance, to \
         be paid out or set off, not collected", euro(*.0)
    )]
    CreditBalance(Money),
    #[error("Die Positionen heben sich auf (0,00 €) / the positions cancel out (0.00 €)")]
    NothingOwed,
    #[error(
        "Kein Lastschriftmandat: Selbstzahler, Zahlung per Überweisung / no direct-debit mandate: \
         pays by transfer"
    )]
    NoMandate,
    #[error(
        "Mehrere Mandate für diese Familie ({0}); nur das geltende übergeben / several mandates \
         for this family ({0}); pass only the one in force"
    )]
    SeveralMandates(usize),
    #[error("IBAN des Mandats: {0}")]
    InvalidIban(kitanetz_sepa::IbanError),
    #[error("BIC des Mandats: {0}")]
    InvalidBic(kitanetz_sepa::BicError),
    /// A check of `kitanetz-sepa` on this payer's debit (its text, in German and English).
    #[error("{0}")]
    RefusedBySepaCheck(String),
}

/// A payer left out of the file, with the sum of its positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotCollected {
    pub payer: FamilyNumber,
    pub amount: Money,
    pub position_ids: Vec<String>,
    pub reason: NotCollectedReason,
}

/// A payer in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collected {
    pub payer: FamilyNumber,
    pub amount: Money,
    pub end_to_end_id: String,
    pub remittance_text: String,
    pub position_ids: Vec<String>,
}

/// The result of a collection: the file (none when no payer can be collected), who is in it
/// and who is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectDebitRun {
    pub file: Option<Pain008>,
    pub collected: Vec<Collected>,
    pub not_collected: Vec<NotCollected>,
}

impl DirectDebitRun {
    /// Σ collected + Σ not collected = Σ of the positions given.
    pub fn collected_total(&self) -> Money {
        self.collected.iter().map(|c| c.amount).sum()
    }

    pub fn not_collected_total(&self) -> Money {
        self.not_collected.iter().map(|c| c.amount).sum()
    }
}

/// Builds the direct debits of `positions` (see the module documentation). Fails only for
/// problems of the file itself (message id, creditor name, too many debits for one file), never
/// because of one payer.
pub fn direct_debits(
    positions: &[Position],
    mandates: &[Mandate],
    collection: &Collection,
) -> Result<DirectDebitRun, FileRefused> {
    let mut by_payer: BTreeMap<FamilyNumber, Vec<&Position>> = BTreeMap::new();
    for position in positions {
        by_payer.entry(position.payer()).or_default().push(position);
    }
    let mut mandates_of: BTreeMap<FamilyNumber, Vec<&Mandate>> = BTreeMap::new();
    for mandate in mandates {
        mandates_of.entry(mandate.payer).or_default().push(mandate);
    }

    let mut not_collected = Vec::new();
    let mut candidates: Vec<(Collected, Debit)> = Vec::new();
    for (payer, positions) in by_payer {
        let amount: Money = positions.iter().map(|p| p.amount).sum();
        let position_ids: Vec<String> = positions.iter().map(|p| p.id.clone()).collect();
        let refuse = |reason| NotCollected {
            payer,
            amount,
            position_ids: position_ids.clone(),
            reason,
        };
        if amount < Money::ZERO {
            not_collected.push(refuse(NotCollectedReason::CreditBalance(amount)));
            continue;
        }
        if amount.is_zero() {
            not_collected.push(refuse(NotCollectedReason::NothingOwed));
            continue;
        }
        let mandate = match mandates_of.get(&payer).map(Vec::as_slice) {
            None | Some([]) => {
                not_collected.push(refuse(NotCollectedReason::NoMandate));
                continue;
            }
            Some([mandate]) => *mandate,
            Some(several) => {
                not_collected.push(refuse(NotCollectedReason::SeveralMandates(several.len())));
                continue;
            }
        };
        let iban = match Iban::parse(&mandate.iban) {
            Ok(iban) => iban,
            Err(error) => {
                not_collected.push(refuse(NotCollectedReason::InvalidIban(error)));
                continue;
            }
        };
        let bic = match mandate.bic.as_deref().map(Bic::parse).transpose() {
            Ok(bic) => bic,
            Err(error) => {
                not_collected.push(refuse(NotCollectedReason::InvalidBic(error)));
                continue;
            }
        };
        let end_to_end_id = format!("FN{payer}-{}", collection.collection_date.format("%Y%m%d"));
        let remittance = remittance_text(payer, &positions);
        candidates.push((
            Collected {
                payer,
                amount,
                end_to_end_id: end_to_end_id.clone(),
                remittance_text: remittance.clone(),
                position_ids,
            },
            Debit {
                end_to_end_id,
                amount: amount.amount(),
                mandate_reference: mandate.reference.clone(),
                mandate_signed_on: mandate.signed_on,
                sequence: SequenceType::Recurring,
                debtor_name: mandate.debtor_name.clone(),
                debtor_iban: iban,
                debtor_bic: bic,
                remittance_text: Some(remittance),
                collection_date: None,
            },
        ));
    }

    // The SEPA crate checks texts, dates and amounts for the whole file at once. Debits it
    // refuses go to the not-collected list with its reason and the file is written without
    // them; a problem of the file itself is returned.
    loop {
        if candidates.is_empty() {
            return Ok(DirectDebitRun {
                file: None,
                collected: Vec::new(),
                not_collected: sorted(not_collected),
            });
        }
        let file = DirectDebitFile::new(
            collection.message_id.clone(),
            collection.created_at,
            collection.creditor.clone(),
            collection.collection_date,
        )
        .debits(candidates.iter().map(|(_, debit)| debit.clone()));
        match file.build() {
            Ok(written) => {
                return Ok(DirectDebitRun {
                    file: Some(written),
                    collected: candidates.into_iter().map(|(c, _)| c).collect(),
                    not_collected: sorted(not_collected),
                })
            }
            Err(refused) => {
                let mut reasons: BTreeMap<usize, Vec<String>> = BTreeMap::new();
                for problem in &refused.problems {
                    match &problem.place {
                        Place::Debit { number, .. } => reasons
                            .entry(*number - 1)
                            .or_default()
                            .push(format!("{}: {}", problem.field, problem.kind)),
                        Place::File | Place::Creditor => return Err(refused),
                    }
                }
                if reasons.is_empty() {
                    return Err(refused);
                }
                for (index, texts) in reasons.into_iter().rev() {
                    let (collected, _) = candidates.remove(index);
                    not_collected.push(NotCollected {
                        payer: collected.payer,
                        amount: collected.amount,
                        position_ids: collected.position_ids,
                        reason: NotCollectedReason::RefusedBySepaCheck(texts.join("; ")),
                    });
                }
            }
        }
    }
}

fn sorted(mut list: Vec<NotCollected>) -> Vec<NotCollected> {
    list.sort_by_key(|n| n.payer);
    list
}

/// The Verwendungszweck of a payer's debit: the family number, then per kind of charge the
/// months it is for, e.g. `Kita FN 123456 Elternbeitrag 01/2025 03/2025 Mehrbetreuung
/// 02/2025 Summe 398,62`. Months that do not fit into the 140 characters of SEPA are left out
/// and marked `u.a.` (the finance file has every position).
pub fn remittance_text(payer: FamilyNumber, positions: &[&Position]) -> String {
    let mut months: BTreeMap<Charge, BTreeSet<Month>> = BTreeMap::new();
    for position in positions {
        months
            .entry(position.charge)
            .or_default()
            .insert(position.month);
    }
    let total: Money = positions.iter().map(|p| p.amount).sum();
    let head = format!("Kita FN {payer}");
    let tail = format!(" Summe {}", german(total));
    let mut words: Vec<String> = Vec::new();
    for (charge, months) in &months {
        words.push(charge.label().to_owned());
        words.extend(months.iter().map(|m| month_de(*m)));
    }
    const MORE: &str = " u.a.";
    let full_length = head.len() + words.iter().map(|w| w.len() + 1).sum::<usize>() + tail.len();
    let mut text = head;
    if full_length <= REMITTANCE_MAX {
        for word in &words {
            text.push(' ');
            text.push_str(word);
        }
    } else {
        for word in &words {
            if text.len() + 1 + word.len() + MORE.len() + tail.len() > REMITTANCE_MAX {
                break;
            }
            text.push(' ');
            text.push_str(word);
        }
        text.push_str(MORE);
    }
    text.push_str(&tail);
    text
}

#[cfg(test)]
mod tests;
