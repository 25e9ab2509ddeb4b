//! The parents' income self-assessment (Einkommens-Selbsteinschätzung, OZG NRW steps 7–10 in
//! seed 003; Lastenheft 3.10.3): what the parents declare online in the city's portal for an
//! income-based reduction of the fee of a child placed at a Kita, with the proofs they upload.
//!
//! The city's portal writes it; the Beitragsstelle of the Kita's Träger decides on it (visibility
//! `traeger-office`: the city and that Träger's office, not its Kitas, not another Träger). It
//! matches the family by the city's keyed family key, which the applicant share carried into the
//! family document at the contract. One document per family and Träger (the fee case there is one
//! per family: siblings at Kitas of the same Träger are declared for once); its personal data go
//! whole when the city erases it.

use crate::ids::{FacilityId, ProviderId};
use crate::scalar::Date;
use crate::validate::{ValidationError, Validator};
use autosurgeon::bytes::ByteVec;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The most proofs one declaration takes, and the largest one: the document travels to the
/// Träger in one sync message (libp2p caps those at 10 MiB).
pub const MAX_PROOFS: usize = 6;
pub const MAX_PROOF_BYTES: usize = 1_500_000;

/// The media types a proof may have (what a phone's camera or a scanner gives).
pub const PROOF_MEDIA_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct IncomeDeclaration {
    /// The Kita the child is placed at (reserved or contracted) and its Träger.
    pub facility: FacilityId,
    pub provider: ProviderId,
    /// The city's keyed family key (as in the applicant share and the family document).
    pub family_key: String,
    pub child_given_name: String,
    pub child_family_name: String,
    pub child_birth_date: Date,
    /// Who declared it (the contact parent of the application).
    pub guardian_given_name: String,
    pub guardian_family_name: String,
    pub email: String,
    /// The first submission and the last change.
    pub submitted_on: Date,
    pub changed_on: Date,
    /// Counts every change (corrected figures, a new proof), so the Beitragsstelle sees what
    /// arrived after it took the declaration over.
    pub revision: u32,
    /// The declaration as the annex C form takes it (JSON of the node's `ReductionInput`), so the
    /// Beitragsstelle takes it over into the fee case unchanged.
    pub input: String,
    pub proofs: Vec<DeclarationProof>,
    /// The parents withdrew it.
    pub withdrawn_on: Option<Date>,
    /// The family's further children at Kitas of the same Träger the declaration is for (the
    /// first is the child above); the parents add one by sending the declaration again from
    /// that child's application.
    #[serde(default)]
    #[autosurgeon(missing = "Vec::new")]
    pub further_children: Vec<DeclaredChild>,
}

/// A further child a declaration is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct DeclaredChild {
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Date,
    /// The Kita the child has its place at.
    pub facility: FacilityId,
}

impl IncomeDeclaration {
    /// Whether the declaration is for this child (the first or a further one).
    pub fn is_for(&self, given_name: &str, family_name: &str, birth_date: Date) -> bool {
        (self.child_given_name == given_name
            && self.child_family_name == family_name
            && self.child_birth_date == birth_date)
            || self.further_children.iter().any(|c| {
                c.given_name == given_name
                    && c.family_name == family_name
                    && c.birth_date == birth_date
            })
    }

    /// The children it is for, as "given family" names, the first first.
    pub fn children(&self) -> Vec<String> {
        std::iter::once(format!(
            "{} {}",
            self.child_given_name, self.child_family_name
        ))
        .chain(
            self.further_children
                .iter()
                .map(|c| format!("{} {}", c.given_name, c.family_name)),
        )
        .collect()
    }
}

/// One uploaded proof (pay slip, tax assessment, rent contract, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct DeclarationProof {
    pub name: String,
    pub media_type: String,
    pub uploaded_on: Date,
    pub content: ProofBytes,
}

/// A file's bytes: automerge bytes in the document, hex in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProofBytes(pub Vec<u8>);

impl Reconcile for ProofBytes {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: Reconciler>(&self, reconciler: R) -> Result<(), R::Error> {
        ByteVec::from(self.0.clone()).reconcile(reconciler)
    }
}

impl Hydrate for ProofBytes {
    fn hydrate_bytes(bytes: &[u8]) -> Result<Self, HydrateError> {
        Ok(ProofBytes(bytes.to_vec()))
    }
}

impl Serialize for ProofBytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for ProofBytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text)
            .map(ProofBytes)
            .map_err(serde::de::Error::custom)
    }
}

impl IncomeDeclaration {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.text("child_given_name", &self.child_given_name, 100);
        v.text("child_family_name", &self.child_family_name, 100);
        v.text("guardian_given_name", &self.guardian_given_name, 100);
        v.text("guardian_family_name", &self.guardian_family_name, 100);
        super::optional_email(&mut v, "email", &self.email);
        v.check(
            self.family_key.len() == 64 && self.family_key.bytes().all(|b| b.is_ascii_hexdigit()),
            "family_key",
            "kein Familienschlüssel / not a family key",
        );
        v.plausible_date("child_birth_date", self.child_birth_date);
        v.plausible_date("submitted_on", self.submitted_on);
        v.check(
            self.changed_on >= self.submitted_on,
            "changed_on",
            "Änderung vor der Einreichung / changed before submitted",
        );
        v.check(
            serde_json::from_str::<serde_json::Value>(&self.input).is_ok_and(|j| j.is_object()),
            "input",
            "keine Angaben / no declaration",
        );
        v.check(
            self.proofs.len() <= MAX_PROOFS,
            "proofs",
            format!("höchstens {MAX_PROOFS} Nachweise / at most {MAX_PROOFS} proofs"),
        );
        v.check(
            self.further_children.len() < 12,
            "further_children",
            "zu viele Kinder / too many children",
        );
        for (i, c) in self.further_children.iter().enumerate() {
            v.text(
                &format!("further_children[{i}].given_name"),
                &c.given_name,
                100,
            );
            v.text(
                &format!("further_children[{i}].family_name"),
                &c.family_name,
                100,
            );
            v.plausible_date(&format!("further_children[{i}].birth_date"), c.birth_date);
        }
        for (i, p) in self.proofs.iter().enumerate() {
            v.text(&format!("proofs[{i}].name"), &p.name, 120);
            v.check(
                PROOF_MEDIA_TYPES.contains(&p.media_type.as_str()),
                format!("proofs[{i}].media_type"),
                "nur PDF, JPEG oder PNG / only PDF, JPEG or PNG",
            );
            v.check(
                !p.content.0.is_empty() && p.content.0.len() <= MAX_PROOF_BYTES,
                format!("proofs[{i}].content"),
                "leer oder größer als 1,5 MB / empty or larger than 1.5 MB",
            );
        }
        v.finish()
    }
}

/// The Beitragsstelle's answer to a declaration, for the parents in the portal (OZG NRW step
/// 10: they see where their application stands): taken over, decided provisionally or finally,
/// granted or refused, for which months. Written by the Träger's office, held by it and the
/// city (`traeger-office`), named after the declaration. No names: the city knows whose
/// declaration it is; the Bescheid itself goes by post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct DeclarationStatus {
    pub provider: ProviderId,
    /// The declaration's document id.
    pub declaration: String,
    /// The declaration's revision the Beitragsstelle took over last, and when.
    pub taken_over_revision: u32,
    pub taken_over_on: Date,
    /// The decision on that application, once there is one.
    pub decision: Option<DeclarationDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct DeclarationDecision {
    pub decided_on: Date,
    pub granted: bool,
    /// A provisional grant: final once the proofs are checked.
    pub provisional: bool,
    /// The months applied for (first days).
    pub from: Date,
    pub until: Date,
}

impl DeclarationStatus {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        v.check(
            self.declaration.starts_with("doc-income-declaration-"),
            "declaration",
            "keine Selbstauskunft / not a declaration",
        );
        v.plausible_date("taken_over_on", self.taken_over_on);
        if let Some(d) = &self.decision {
            v.plausible_date("decision.decided_on", d.decided_on);
            v.check(
                d.from <= d.until,
                "decision.until",
                "Ende vor Beginn / end before start",
            );
            v.check(
                !d.provisional || d.granted,
                "decision.provisional",
                "nur eine Bewilligung ist vorläufig / only a grant is provisional",
            );
        }
        v.finish()
    }
}
