//! Kitanetz documents: the kinds of data a node holds, who owns them, who may receive them.
//!
//! Everything here is pure (no clock, disk or network). A document is an automerge document
//! whose root holds `meta` (kind, schema version, owner, scope, visibility) and `value` (the
//! typed aggregate, reconciled with autosurgeon). See `ARCHITECTURE.md` §2.

pub mod doc;
pub mod ids;
pub mod kinds;
pub mod meta;
pub mod money;
pub mod period;
pub mod policy;
mod read;
pub mod scalar;
pub mod screen;
pub mod validate;

pub use doc::{DocError, Document, KindValue, StoredDoc};
pub use ids::{DocId, IdGen, OrgId};
pub use meta::{DocKind, DocMeta, Visibility};
pub use period::{Period, PeriodError};
pub use validate::{ValidationError, Validator};
