//! What a domain action can fail with, shared by every domain module: the caller may not, the
//! input broke a rule (field errors for the form), or the store failed.

use crate::auth::Forbidden;
use crate::http::AppError;
use crate::storage::StoreError;
use kitanetz_crdt::validate::FieldError;
use kitanetz_crdt::{DocError, ValidationError};

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
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

impl From<ActionError> for AppError {
    fn from(e: ActionError) -> Self {
        match e {
            ActionError::Forbidden(f) => AppError::Forbidden(f),
            ActionError::Invalid(v) => AppError::Invalid(v),
            ActionError::Store(s) => s.into(),
        }
    }
}

impl ActionError {
    /// The field errors to show next to a form, or the error a form cannot show.
    pub fn into_field_errors(self) -> Result<Vec<FieldError>, AppError> {
        match self {
            ActionError::Invalid(v) => Ok(v.errors),
            ActionError::Store(StoreError::Doc(DocError::Invalid { source, .. })) => {
                Ok(source.errors)
            }
            other => Err(other.into()),
        }
    }
}
