//! Kitanetz Kita-Planer 2 export buffer (Schleswig-Holstein's Kita-Datenbank): pure rules, no I/O.
//!
//! The export buffer holds, per child, one row per period of each Kita-Planer contract: the
//! contract's valid lines flagged "Übertragung an Kita Planer" are cut at every date of change
//! ([`period::split_at_changes`]), each period's daily hours are summed and mapped to a
//! `BETREUUNGSZEIT_ID` ([`mapping`]), and every row carries the child's and the main contacts'
//! names and addresses ([`buffer::fill_export_buffer`]). A change in one of six tables rebuilds
//! the child's rows ([`rebuild`]).
//!
//! The rules work on typed tables ([`model`]) so that the node can feed its real contracts; the
//! JSON case ([`case`], `kitanetz-kitaplaner-case/1`) is one adapter, used by
//! `kitanetz kitaplaner export-buffer --case FILE.json`.
//!
//! Sources: seed 001 ("Kita Planer Exportpuffer mit Datensätzen füllen"), seed 000 (the
//! interface's context), `shared/formats/kitaplaner-case.md`.

pub mod buffer;
pub mod case;
pub mod hours;
pub mod ids;
pub mod import;
pub mod mapping;
pub mod model;
pub mod period;
pub mod rebuild;

pub use buffer::{
    fill_export_buffer, Buffer, BufferRow, CareGap, PreconditionError, Status, COLUMNS,
};
pub use case::{parse_case, Case, CaseError};
pub use hours::Hours;
pub use mapping::BetreuungszeitMapping;
pub use period::Period;
pub use rebuild::{plan_rebuild, Rebuild, Table};

/// The case format this crate reads.
pub const CASE_FORMAT: &str = "kitanetz-kitaplaner-case/1";
/// The output format it writes.
pub const BUFFER_FORMAT: &str = "kitanetz-kitaplaner-buffer/1";

/// The exit codes: [`EXIT_OK`] for a computed case, care-gap errors included; [`EXIT_INVALID`]
/// for a case that breaks the format or a precondition (§6).
pub use kitanetz_case::{CaseOutput, EXIT_INVALID, EXIT_OK};

/// Reads a case and computes its buffer (and, with `previous`, the rebuild) as output JSON.
pub fn export_buffer_case(case_json: &str) -> Result<serde_json::Value, CaseError> {
    let case = parse_case(case_json)?;
    let buffer = fill_export_buffer(&case.current, &case.settings)
        .map_err(|e| CaseError::new(precondition_field(&e), e.to_string()))?;
    let rebuild = case
        .previous
        .as_ref()
        .map(|previous| plan_rebuild(previous, &case.current, &case.settings))
        .transpose()
        .map_err(|e| {
            CaseError::new(
                format!("previous.{}", precondition_field(&e)),
                e.to_string(),
            )
        })?;
    Ok(case::buffer_json(&buffer, rebuild.as_ref()))
}

/// The case field a precondition failure points at.
fn precondition_field(error: &PreconditionError) -> &'static str {
    match error {
        PreconditionError::UnknownService { .. } | PreconditionError::ServiceWithoutHours(_) => {
            "services"
        }
        PreconditionError::UnknownContact { .. } => "contact_assignment",
        PreconditionError::NoOrgAssignment { .. } | PreconditionError::UnknownFacility { .. } => {
            "org_assignments"
        }
        PreconditionError::MixedExportability { .. } => "facilities",
    }
}

/// Computes a case (JSON text) into what the CLI prints. Never reads the clock: the output is
/// the same on every day.
pub fn case_output(case_json: &str) -> CaseOutput {
    match export_buffer_case(case_json) {
        Ok(json) => CaseOutput::computed(&json),
        Err(error) => CaseOutput::refused("kitaplaner case refused", &error),
    }
}
