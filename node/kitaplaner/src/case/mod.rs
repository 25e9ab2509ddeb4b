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

pub use kitanetz_case::CaseError;

/// A parsed and checked case: the shared settings, the child's current tables and, optionally,
/// their previous state.
#[derive(Debug, Clone)]
pub struct Case {
    pub settings: ExportSettings,
    pub current: ChildRecord,
    pub previous: Option<ChildRecord>,
}
