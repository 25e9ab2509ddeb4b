//! What a domain action can fail with, shared by every domain module: the caller may not, the
//! input broke a rule (field errors for the form), the thing is not there or in a state that
//! forbids the action, or the store failed. The domain knows nothing of HTTP: the HTTP layer
//! turns these into status codes and pages in one place (`http::error`).

use crate::auth::{authorize, Action, Forbidden, Principal};
use crate::storage::StoreError;
use kitanetz_crdt::ids::FacilityId;
use kitanetz_crdt::validate::FieldError;
use kitanetz_crdt::{DocError, ValidationError};

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// What the caller asked for is not here (or not visible to them).
    #[error("nicht gefunden / not found: {0}")]
    NotFound(String),
    /// The action is not possible in the current state; the message says what to do instead.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ActionError {
    fn from(e: rusqlite::Error) -> Self {
        ActionError::Store(e.into())
    }
}

impl From<DocError> for ActionError {
    fn from(e: DocError) -> Self {
        ActionError::Store(StoreError::Doc(e))
    }
}

impl ActionError {
    /// The field errors to show next to a form, or the error a form cannot show.
    pub fn into_field_errors(self) -> Result<Vec<FieldError>, ActionError> {
        match self {
            ActionError::Invalid(v) => Ok(v.errors),
            ActionError::Store(StoreError::Doc(DocError::Invalid { source, .. })) => {
                Ok(source.errors)
            }
            other => Err(other),
        }
    }
}

/// Checks `action`, a rule that admits only the lead of the Kita this node serves, and returns
/// that Kita (`facility` is the node's own: none on a Träger or city node).
pub fn at_this_kita(
    who: &Principal,
    action: Action<'_>,
    facility: Option<&FacilityId>,
) -> Result<FacilityId, ActionError> {
    authorize(who, action)?;
    facility
        .cloned()
        .ok_or_else(|| ActionError::NotFound("Kita".into()))
}
