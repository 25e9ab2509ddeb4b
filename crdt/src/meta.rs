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
    /// The city only: pseudonymous placement records that would link a child across Kitas
    /// (the application with all its wishes and handles). Each Kita gets its own wish instead.
    CityPlacement,
    /// The city and the one Kita the document names: what that Kita needs to contact the
    /// parents, issued by the city when the Kita reserves a seat and the parents consented to
    /// forwarding (ARCHITECTURE.md "applicant share").
    ApplicantShare,
    /// The city and the office of the one Träger the document names (`provider`): never its
    /// Kitas, never another Träger (the city's answers for the Träger's fee computation).
    TraegerOffice,
}

impl Visibility {
    pub const ALL: [Visibility; 8] = [
        Visibility::Public,
        Visibility::Placement,
        Visibility::Personal,
        Visibility::KitaOnly,
        Visibility::Applicant,
        Visibility::CityPlacement,
        Visibility::ApplicantShare,
        Visibility::TraegerOffice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Placement => "placement",
            Visibility::Personal => "personal",
            Visibility::KitaOnly => "kita-only",
            Visibility::Applicant => "applicant",
            Visibility::CityPlacement => "placement-city",
            Visibility::ApplicantShare => "applicant-share",
            Visibility::TraegerOffice => "traeger-office",
        }
    }
}

/// Declares the document kinds from one list (see [`crate::kinds`]): the `DocKind` enum with its
/// persisted names and visibility classes, the `KindValue` union, and the [`crate::Document`]
/// impl of each value type with its validation. A new kind is one line there plus its
/// projection in the node.
macro_rules! document_kinds {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $name:literal, $visibility:ident, $ty:ty, |$s:ident, $today:ident| $validate:expr;
    )+) => {
        /// The kinds of documents. Each kind has one visibility class and a schema version.
        /// Persisted format: the names are stored in every document and in every database.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum DocKind {
            $( $(#[$doc])* #[serde(rename = $name)] $variant, )+
        }

        impl DocKind {
            pub const ALL: &'static [DocKind] = &[$(DocKind::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(DocKind::$variant => $name,)+
                }
            }

            /// The visibility class of every document of this kind.
            pub fn visibility(self) -> $crate::meta::Visibility {
                match self {
                    $(DocKind::$variant => $crate::meta::Visibility::$visibility,)+
                }
            }
        }

        /// The value of any document, for code that handles every kind (dump, projections).
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[serde(untagged)]
        pub enum KindValue {
            $($variant($ty),)+
        }

        impl KindValue {
            /// Reads the value of whatever kind `doc` is.
            pub(crate) fn of(doc: &$crate::doc::StoredDoc) -> Result<KindValue, $crate::doc::DocError> {
                Ok(match doc.kind() {
                    $(DocKind::$variant => KindValue::$variant(doc.value()?),)+
                })
            }
        }

        $(
            impl $crate::doc::Document for $ty {
                const KIND: DocKind = DocKind::$variant;
                fn into_kind_value(self) -> KindValue {
                    KindValue::$variant(self)
                }
                fn validate_on(&self, $today: $crate::scalar::Date) -> Result<(), $crate::validate::ValidationError> {
                    let $s = self;
                    let _ = $today;
                    $validate
                }
            }
        )+
    };
}
pub(crate) use document_kinds;

pub use crate::kinds::DocKind;

impl DocKind {
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
            .iter()
            .copied()
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
