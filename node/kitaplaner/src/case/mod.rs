//! The case adapter, formats `kitanetz-kitaplaner-case/1` in and `kitanetz-kitaplaner-buffer/1`
//! out (`shared/formats/kitaplaner-case.md`). The rules themselves work on the typed tables of
//! [`crate::model`]; this module only reads and writes JSON.

mod output;
mod parse;
mod reader;

pub use output::{buffer_json, row_json};
pub use parse::parse_case;
pub use reader::parse_date;

use crate::model::{ChildRecord, ExportSettings};

/// A case that breaks the format or a precondition (§6): the path of the offending input
/// (`contracts[0].lines[1].to`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if field.is_empty() { String::new() } else { format!("{field}: ") })]
pub struct CaseError {
    /// Keys joined by `.`, list positions as `[i]`; empty for the case as a whole.
    pub field: String,
    pub message: String,
}

impl CaseError {
    pub fn new(field: &str, message: impl Into<String>) -> CaseError {
        CaseError {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// A parsed and checked case: the shared settings, the child's current tables and, optionally,
/// their previous state.
#[derive(Debug, Clone)]
pub struct Case {
    pub settings: ExportSettings,
    pub current: ChildRecord,
    pub previous: Option<ChildRecord>,
}
