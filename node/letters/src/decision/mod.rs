//! Fee decisions (Beitragsbescheide, Lastenheft 3.10.1 and annex J) as tagged PDF/UA-1.
//!
//! A [`Decision`] is plain data: who decides (the [`Authority`] and its clerk), for which family
//! ([`Pkn`], guardians), which children pay what in which month ([`ChildFees`], [`MonthFee`]
//! with the fee engine's explanation lines) and how it is paid ([`Payment`]). Its wording comes
//! from a versioned [`DecisionTemplate`] of its [`DecisionKind`] (the annex J texts are built
//! in, a city adds its own files, see [`TemplateBook`]). [`fee_decision_pdf`] renders one
//! [`LetterCopy`]: both guardians get one when their addresses differ (Lastenheft 3.10.1, "bei
//! abweichenden Adressen der PSB"), and only the payer's copy shows bank data.
//!
//! # Filling a decision from the fee engine
//!
//! `kitanetz-fees` computes a `FeeResult`: per month (`MonthFees`) and child (`ChildFee`) the
//! owed `fee`, the `statute_fee` before an income-based reduction and the `explanation` steps.
//! The node maps one child's months to a [`ChildFees`]:
//!
//! | `kitanetz-fees`                         | here                                   |
//! |-----------------------------------------|----------------------------------------|
//! | `MonthFees::month` (`YYYY-MM`)          | [`MonthFee::month`]                    |
//! | `ChildFee::fee` (`None`: outside city)  | [`MonthFee::amount`] (leave the month out when `None`) |
//! | `Explanation::detail`                   | [`ExplanationLine::text`]              |
//! | `Explanation::paragraph`                | [`ExplanationLine::paragraph`]         |
//! | the case's care type and daily hours    | [`MonthFee::care`], [`MonthFee::hours`] |
//! | the contract's facility (or the TPP)    | [`MonthFee::facility`]                 |
//!
//! Mehrbetreuung (`ChildFee::extra_care`) has its own decision (Lastenheft 3.10.6), an
//! [`ExtraCareDecision`] rendered by [`extra_care_decision_pdf`]; it is not part of a fee
//! decision.

mod difference;
mod extra_care;
mod format;
mod pkn;
mod refusal;
mod render;
mod template;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use difference::{difference, Change, InputChange, InputField};
pub use extra_care::{
    extra_care_decision_copy_pdf, extra_care_decision_pdf, extra_care_decision_pdf_with,
    ExtraCareDay, ExtraCareDecision, EXTRA_CARE_DECISION, LEGAL_BASIS_DRESDEN_2011,
};
pub use format::{format_date, format_euro, format_hours, mask_iban, YearMonth};
pub use pkn::{Pkn, PknError};
pub use refusal::{reduction_refusal_pdf, ReductionRefusal, LEGAL_BASIS, REDUCTION_REFUSAL};
pub use render::{fee_decision_pdf, fee_decision_pdf_with, LetterError};
pub use template::{
    DecisionTemplate, Placeholder, TemplateBook, TemplateError, BLOCK_PLACEHOLDERS,
    INLINE_PLACEHOLDERS, TEMPLATE_FORMAT,
};

/// The decision kinds of annex J. Annex J has an "Abbucher" and a "Selbsteinzahler" text of most
/// kinds; they differ only in the payment paragraph, so here they are one template with both
/// payment texts and the decision's [`Payment`] picks one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionKind {
    /// "Bescheid Einzelkind": one child in a Kita, § 10 Satzung.
    SingleChild,
    /// "Bescheid Geschwisterkinder": several Zählkinder, § 10 (5) Satzung.
    Siblings,
    /// "Bescheid Erlass Zusage": the whole fee waived, § 90 SGB VIII, § 13 Satzung.
    Waiver,
    /// "Bescheid Erlass Zusage Geschwisterkinder".
    WaiverSiblings,
    /// "Bescheid Ermäßigung Zusage": the fee reduced, § 90 SGB VIII, § 13 Satzung.
    Reduction,
    /// "Bescheid Ermäßigung Geschwisterkinder Zusage".
    ReductionSiblings,
    /// "Bescheid Erlass Heimkind": no fee while the child lives in a home (§ 13 (4) Satzung).
    HomeChild,
    /// "Bescheid Erlass Pflegekind": no fee for a foster child (§ 90 (2) with § 39 (2) SGB VIII).
    FosterChild,
    /// "Bescheid Tagespflege": fee and funding of Kindertagespflege (§ 11 (3) Satzung).
    Tagespflege,
    /// "Bescheid Tagespflege Änderung": the Tagespflege decision after a change agreement.
    TagespflegeChange,
    /// Änderungsbescheid for a Kita: the fee after a change of care time, care type, siblings or
    /// single-parent status (Lastenheft 3.10.5). Annex J has a change text only for Tagespflege;
    /// this one is composed from the Einzelkind and Tagespflege-Änderung texts.
    Change,
    /// "Beendigungsbescheid": a reduction or waiver ends early.
    EndOfReduction,
}

impl DecisionKind {
    /// Every kind, in annex J's order.
    pub const ALL: [DecisionKind; 12] = [
        DecisionKind::SingleChild,
        DecisionKind::Siblings,
        DecisionKind::Waiver,
        DecisionKind::WaiverSiblings,
        DecisionKind::Reduction,
        DecisionKind::ReductionSiblings,
        DecisionKind::HomeChild,
        DecisionKind::FosterChild,
        DecisionKind::Tagespflege,
        DecisionKind::TagespflegeChange,
        DecisionKind::Change,
        DecisionKind::EndOfReduction,
    ];

    /// The name in template files, e.g. `single-child`.
    pub fn name(self) -> &'static str {
        match self {
            DecisionKind::SingleChild => "single-child",
            DecisionKind::Siblings => "siblings",
            DecisionKind::Waiver => "waiver",
            DecisionKind::WaiverSiblings => "waiver-siblings",
            DecisionKind::Reduction => "reduction",
            DecisionKind::ReductionSiblings => "reduction-siblings",
            DecisionKind::HomeChild => "home-child",
            DecisionKind::FosterChild => "foster-child",
            DecisionKind::Tagespflege => "tagespflege",
            DecisionKind::TagespflegeChange => "tagespflege-change",
            DecisionKind::Change => "change",
            DecisionKind::EndOfReduction => "end-of-reduction",
        }
    }
}

/// Which of the guardians' copies to render (Lastenheft 3.10.1: "Die Angaben zur Bankverbindung
/// des zahlungspflichtigen PSB dürfen jedoch nur auf dem Bescheid des Zahlungspflichtigen
/// enthalten sein").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LetterCopy {
    /// The payer's copy, addressed to [`Decision::payer`]; shows the bank data of a direct debit.
    Payer,
    /// The other guardian's copy, addressed to [`Decision::other_guardian`]; never shows bank
    /// data (the template's `payment_debit_other_guardian` text instead of `payment_debit`).
    OtherGuardian,
}

/// One fee decision, as the node assembles it from the family, the contracts and the fee
/// engine's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Which annex J text.
    pub kind: DecisionKind,
    /// A stable identifier of this decision, e.g. `fee-decision/12345601/2026-08-01/1`; its hash
    /// is the PDF's document identifier (not printed).
    pub id: String,
    /// The deciding authority: letterhead, footer, where to object.
    pub authority: Authority,
    /// "Es informiert Sie": the clerk to ask.
    pub clerk: Clerk,
    /// "Unser Zeichen", e.g. `55.2.1`.
    pub file_number: String,
    /// The letter's date.
    pub date: NaiveDate,
    /// "Ihre PKN" (annex J `«Kto»`): the number to quote on transfers. For siblings the PKN of
    /// the first child; every child's PKN shares its family part (Lastenheft 3.10.1.7).
    pub pkn: Pkn,
    /// The family name of the salutation, "Sehr geehrte Familie …" (annex J `«Bez3»`).
    pub family_name: String,
    /// The guardian who pays (Satzung § 10 (3): guardians are jointly liable; one is the payer).
    pub payer: Guardian,
    /// The other guardian, when the decision goes to both; `None` when there is one guardian.
    pub other_guardian: Option<Guardian>,
    /// The first day the decision rules on (annex J `«PeriodeDatum»`, `«Periode»`); also what
    /// picks the template version.
    pub effective_from: NaiveDate,
    /// Whether the last amount goes on until a new decision ("ab …") rather than ending with
    /// the last month listed.
    pub open_ended: bool,
    /// The children and their fees, in the fee engine's order (Zählkind order).
    pub children: Vec<ChildFees>,
    /// How the fee is paid.
    pub payment: Payment,
    /// The application and period of a waiver or reduction (Satzung § 13).
    pub grant: Option<Grant>,
    /// The funding of a Kindertagespflege.
    pub tagespflege: Option<TagespflegeFunding>,
    /// The early end of a reduction or waiver.
    pub end_of_grant: Option<EndOfGrant>,
    /// The decision this one changes (for [`DecisionKind::Change`] and
    /// [`DecisionKind::TagespflegeChange`]).
    pub previous: Option<PreviousDecision>,
}

/// The authority that decides (annex J letterhead and footer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
    /// E.g. "Landeshauptstadt Dresden".
    pub name: String,
    /// E.g. "Eigenbetrieb Kindertageseinrichtungen".
    pub office: String,
    /// The return line above the address field, e.g. "Landeshauptstadt Dresden · Postfach 12 00 20
    /// · 01001 Dresden".
    pub return_address: String,
    /// Street of the office, e.g. "Dr.-Külz-Ring 19".
    pub street: String,
    /// E.g. "01067 Dresden".
    pub postcode_town: String,
    /// E.g. "0351 488-5131".
    pub phone: String,
    /// E.g. "kindertageseinrichtungen@dresden.de".
    pub email: String,
    /// Where an objection is lodged, e.g. "Rathaus, Dr.-Külz-Ring 19, 01067 Dresden"
    /// (placeholder `widerspruch_anschrift`).
    pub objection_address: String,
    /// The authority's own account for transfers (Selbsteinzahler); `None` if it takes none.
    pub account: Option<AuthorityAccount>,
    /// The SEPA creditor identifier, shown with a direct debit on the payer's copy.
    pub creditor_id: Option<String>,
}

/// The authority's account, printed for transfers and in the footer (not the family's data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorityAccount {
    pub bank: String,
    pub iban: String,
    pub bic: String,
}

/// The clerk of the information block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clerk {
    pub name: String,
    /// "Zimmer".
    pub room: Option<String>,
    pub phone: String,
    pub email: String,
}

/// A guardian (Personensorgeberechtigte/r) and the postal address the copy goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardian {
    /// The addressee line, e.g. "Frau Anna Weiß".
    pub name: String,
    pub street: String,
    pub postcode_town: String,
}

impl Guardian {
    /// Whether a letter to `self` reaches `other` too: same street and town, ignoring case and
    /// runs of spaces (the clerk typed both).
    pub fn same_address(&self, other: &Guardian) -> bool {
        let norm = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        norm(&self.street) == norm(&other.street)
            && norm(&self.postcode_town) == norm(&other.postcode_town)
    }
}

/// One child of the decision and its fee per month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildFees {
    /// The child's PKN; its first six digits are the family's.
    pub pkn: Pkn,
    pub name: String,
    pub birth_date: NaiveDate,
    /// The facility's (or Tagespflegeperson's) address, e.g. "Musterweg 3, 01099 Dresden";
    /// needed by the Tagespflege texts (annex J `«KstStrasse», «KStPLZ» «KStOrt»`).
    pub facility_address: Option<String>,
    /// Ascending, each month at most once.
    pub months: Vec<MonthFee>,
}

/// One child's fee in one month, from the fee engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthFee {
    pub month: YearMonth,
    /// The fee owed this month, in euros with at most two decimals, not negative.
    pub amount: Decimal,
    /// The care type as printed, e.g. "Krippe", "Kindergarten", "Kindertagespflege".
    pub care: String,
    /// Daily care hours of the contract, e.g. `9` or `4.5`.
    pub hours: Decimal,
    /// The facility or Tagespflegeperson (annex J `«KostenstelleName»`).
    pub facility: String,
    /// The fee engine's explanation of this amount.
    pub explanation: Vec<ExplanationLine>,
}

/// One step of the fee computation as the letter prints it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ExplanationLine {
    /// The inputs and the arithmetic, e.g. "189,36 € × 8 h / 9 h = 168,32 €".
    pub text: String,
    /// Where the statute says so, e.g. "§ 10 Abs. 5 Satzung".
    pub paragraph: String,
}

/// How the family pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Payment {
    /// "Abbucher": collected by SEPA direct debit from the payer's account.
    DirectDebit(BankAccount),
    /// "Selbsteinzahler": the payer transfers to the authority's account quoting the PKN.
    Transfer,
    /// Nothing to pay (waiver, Heim-/Pflegekind).
    None,
}

/// The payer's account of a direct debit. Printed only on the payer's copy, and then with the
/// IBAN masked but for its country code, check digits and last four digits (see [`mask_iban`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccount {
    /// The account holder.
    pub holder: String,
    pub iban: String,
    pub bic: Option<String>,
    /// The bank's name.
    pub bank: String,
    /// The SEPA mandate reference.
    pub mandate_reference: Option<String>,
}

/// An income-based reduction or waiver (Satzung § 13, § 90 SGB VIII).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The application's date (annex J `«EmpfangsDatum»`, `«AntragsDatum»`).
    pub applied_on: NaiveDate,
    /// Annex J `«Gueltigab»`.
    pub valid_from: NaiveDate,
    /// Annex J `«Gueltigbis»`.
    pub valid_until: NaiveDate,
    /// Decided provisionally on the parents' own figures (OZG: "vorläufiger Bescheid"): the
    /// letter says so and asks for the proofs; a final decision follows.
    #[serde(default)]
    pub provisional: bool,
}

/// The funding of a Kindertagespflege (annex J Tagespflege texts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagespflegeFunding {
    /// The Tagespflege agreement or change agreement (annex J `«TagespflegeDatum»`).
    pub agreement_on: NaiveDate,
    /// Annex J `«BeginnFoerderung»`.
    pub funded_from: NaiveDate,
    /// Annex J `«EndeFoerderung»`.
    pub funded_until: NaiveDate,
}

/// The early end of a reduction or waiver (annex J "Beendigungsbescheid").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndOfGrant {
    /// The day the grant is lifted (annex J uses `«EmpfangsDatum»` for it).
    pub ended_on: NaiveDate,
    /// The reason as printed; annex J offers three, see [`EndOfGrant::ANNEX_J_REASONS`].
    pub reason: String,
}

impl EndOfGrant {
    /// The three reasons annex J's Beendigungsbescheid offers to tick.
    pub const ANNEX_J_REASONS: [&'static str; 3] = [
        "Bitte beantragen Sie die Kostenübernahme beim Jobcenter/Agentur für Arbeit und legen uns \
         dann den entsprechenden Bescheid vor.",
        "Ihr Familieneinkommen hat sich geändert und liegt über der Einkommensgrenze.",
        "Sie nehmen Ihren Wohnsitz außerhalb der Landeshauptstadt Dresden. Die Hilfegewährung ist \
         bei dem für Ihren Wohnort zuständigen Jugendamt zu beantragen.",
    ];
}

/// The decision in force that a change decision replaces, and what changed (see
/// [`difference`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousDecision {
    /// The date of the decision in force.
    pub date: NaiveDate,
    /// Its differences to this one, as [`difference`] lists them.
    pub changes: Vec<Change>,
}

impl Decision {
    /// The copies to print and post: the payer's, and the other guardian's when that guardian
    /// lives elsewhere (Lastenheft 3.10.1; handbook: "an beide Eltern, falls sie getrennt
    /// wohnen").
    pub fn copies(&self) -> Vec<LetterCopy> {
        match &self.other_guardian {
            Some(other) if !other.same_address(&self.payer) => {
                vec![LetterCopy::Payer, LetterCopy::OtherGuardian]
            }
            _ => vec![LetterCopy::Payer],
        }
    }
}
