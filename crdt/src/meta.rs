//! Document metadata: kind, owner, scope and visibility. Stored in every document under `meta`
//! and mirrored in the node's `documents` table. Persisted format: names are part of it.

use crate::ids::{FacilityId, OrgId, ProviderId};
use crate::scalar::Date;
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Who may receive a document (ARCHITECTURE.md §2). Deny by default: see [`crate::policy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Visibility {
    /// Every member node; published on the portal.
    Public,
    /// The city and the Kitas the record names (pseudonymous).
    Placement,
    /// Nodes of the owning Träger (its office and the Kitas in scope).
    Personal,
    /// The owning Kita and its Träger office.
    KitaOnly,
    /// The city only (parents' contact data).
    Applicant,
}

impl Visibility {
    pub const ALL: [Visibility; 5] = [
        Visibility::Public,
        Visibility::Placement,
        Visibility::Personal,
        Visibility::KitaOnly,
        Visibility::Applicant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Placement => "placement",
            Visibility::Personal => "personal",
            Visibility::KitaOnly => "kita-only",
            Visibility::Applicant => "applicant",
        }
    }
}

/// The kinds of documents. Each kind has one visibility class and a schema version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocKind {
    ProviderProfile,
    FacilityProfile,
    FacilityLicence,
    ChildminderProfile,
    Family,
    CareContract,
    Group,
    Application,
    Applicant,
    SeatLedger,
    ConflictDecision,
}

impl DocKind {
    pub const ALL: [DocKind; 11] = [
        DocKind::ProviderProfile,
        DocKind::FacilityProfile,
        DocKind::FacilityLicence,
        DocKind::ChildminderProfile,
        DocKind::Family,
        DocKind::CareContract,
        DocKind::Group,
        DocKind::Application,
        DocKind::Applicant,
        DocKind::SeatLedger,
        DocKind::ConflictDecision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::ProviderProfile => "provider-profile",
            DocKind::FacilityProfile => "facility-profile",
            DocKind::FacilityLicence => "facility-licence",
            DocKind::ChildminderProfile => "childminder-profile",
            DocKind::Family => "family",
            DocKind::CareContract => "care-contract",
            DocKind::Group => "group",
            DocKind::Application => "application",
            DocKind::Applicant => "applicant",
            DocKind::SeatLedger => "seat-ledger",
            DocKind::ConflictDecision => "conflict-decision",
        }
    }

    /// The visibility class of every document of this kind.
    pub fn visibility(self) -> Visibility {
        match self {
            DocKind::ProviderProfile
            | DocKind::FacilityProfile
            | DocKind::FacilityLicence
            | DocKind::ChildminderProfile => Visibility::Public,
            DocKind::Family | DocKind::CareContract => Visibility::Personal,
            DocKind::Group => Visibility::KitaOnly,
            DocKind::Application | DocKind::SeatLedger | DocKind::ConflictDecision => {
                Visibility::Placement
            }
            DocKind::Applicant => Visibility::Applicant,
        }
    }

    /// Current schema version written by this binary. A document with a newer version is
    /// refused rather than misread.
    pub fn schema_version(self) -> u32 {
        1
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DocKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown document kind {s:?}"))
    }
}
crate::string_scalar!(DocKind);

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Visibility {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Visibility::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown visibility {s:?}"))
    }
}
crate::string_scalar!(Visibility);

/// Metadata of one document. `provider` and `facilities` scope who may receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct DocMeta {
    pub kind: DocKind,
    pub schema: u32,
    /// The organisation that writes this document (and decides its invariants).
    pub owner: OrgId,
    /// The Träger whose data this is, for personal and kita-only documents.
    pub provider: Option<ProviderId>,
    /// The Kitas this document concerns (a family's Kitas; the Kitas an application names).
    pub facilities: Vec<FacilityId>,
    /// The node that created the document (created at exactly one node).
    pub origin_node: String,
    pub created_on: Date,
}

impl DocMeta {
    pub fn visibility(&self) -> Visibility {
        self.kind.visibility()
    }
}
