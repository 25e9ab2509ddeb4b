//! Filling the export buffer (seed 001, "Kita Planer Exportpuffer mit Datensätzen füllen"):
//! rule R1–R10 of `shared/formats/kitaplaner-case.md`, as one pure function over a child's
//! tables and the shared settings.

use crate::hours::Hours;
use crate::ids::{filled, ContactId, ContractLineId, FacilityId, OrgAssignmentId, ServiceId};
use crate::model::{Child, ChildRecord, Contact, ContractLine, ExportSettings, OrgAssignment};
use crate::period::{split_at_changes, uncovered_runs, Period};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::fmt;

/// `NEUANLAGE_ERLAUBT`: for-CARE never creates children in Kita-Planer on its own ("Der
/// Parameter müsste Standardmäßig auf 'n' stehen", seed 001 line 63).
pub const NEUANLAGE_ERLAUBT: &str = "n";
/// `EXPORT_STATUS` of a freshly written row ("Eingefügt: wird gesetzt, wenn die Daten in den
/// Exportpuffer geschrieben werden", seed 001 line 51).
pub const EXPORT_STATUS_INSERTED: &str = "Eingefügt";

/// The contract status a row reports (seed 001 line 67: only these three are transferred).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Neuvertrag,
    Vertragsaenderung,
    Kuendigung,
}

impl Status {
    /// The value as Kita-Planer spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Neuvertrag => "NEUVERTRAG",
            Status::Vertragsaenderung => "VERTRAGSÄNDERUNG",
            Status::Kuendigung => "KÜNDIGUNG",
        }
    }

    /// The seed gives no rule (R10); the row with the notice date says KÜNDIGUNG, the first row
    /// NEUVERTRAG and every later row VERTRAGSÄNDERUNG.
    fn of_row(index: usize, has_notice: bool) -> Status {
        match (has_notice, index) {
            (true, _) => Status::Kuendigung,
            (false, 1) => Status::Neuvertrag,
            (false, _) => Status::Vertragsaenderung,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The export buffer's columns in the order of the seed's flat format (`kitaplaner-case.md` §3),
/// `BETREUUNGSSTUNDEN` included (a helper column of the buffer, not of the file).
pub const COLUMNS: [&str; 30] = [
    "KIND_ID_EXTERN",
    "KITA_ID_EXTERN",
    "STATUS",
    "VER_VERTRAG_AB",
    "VER_KUENDIGUNG",
    "VER_AENDERUNGEN_INDEX",
    "VER_AENDERUNGEN_GESAMT",
    "BETREUUNGSZEIT_ID",
    "BETREUUNGSSTUNDEN",
    "NEUANLAGE_ERLAUBT",
    "EXPORT_STATUS",
    "KIND_NACHNAME",
    "KIND_VORNAME",
    "KIND_GEBDATUM",
    "KIND_STRASSE",
    "KIND_HAUSNUMMER",
    "KIND_POSTLEITZAHL",
    "KIND_ORT",
    "SB1_NACHNAME",
    "SB1_VORNAME",
    "SB1_STRASSE",
    "SB1_HAUSNUMMER",
    "SB1_POSTLEITZAHL",
    "SB1_ORT",
    "SB2_NACHNAME",
    "SB2_VORNAME",
    "SB2_STRASSE",
    "SB2_HAUSNUMMER",
    "SB2_POSTLEITZAHL",
    "SB2_ORT",
];

/// One row of the export buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BufferRow {
    pub kind_id_extern: String,
    pub kita_id_extern: String,
    pub status: Status,
    /// The days the row stands for. Only the start is transferred (`VER_VERTRAG_AB`); the end
    /// is the day before the next row's start, or the contract's end, which Kita-Planer never
    /// learns ("Es können für alle Verträge nur das VER_VERTRAG_AB übergeben werden").
    pub period: Period,
    /// `VER_KUENDIGUNG`: the early discharge date, on the last row only.
    pub notice_date: Option<NaiveDate>,
    /// `VER_AENDERUNGEN_INDEX`, from 1.
    pub change_index: usize,
    /// `VER_AENDERUNGEN_GESAMT`: the contract's number of rows.
    pub change_total: usize,
    pub betreuungszeit_id: i64,
    /// `BETREUUNGSSTUNDEN`: the summed daily hours behind `betreuungszeit_id`.
    pub hours: Hours,
    /// The child's master data (`KIND_*`).
    pub child: Child,
    /// Main contact 1 (`SB1_*`); `None` leaves every field empty.
    pub main_contact_1: Option<Contact>,
    /// Main contact 2 (`SB2_*`).
    pub main_contact_2: Option<Contact>,
}

impl BufferRow {
    /// `VER_VERTRAG_AB`.
    pub fn contract_from(&self) -> NaiveDate {
        self.period.start()
    }
}

/// A contract that cannot be sent because days between its first and its last row have no
/// valid line: Kita-Planer needs a new `KIND_ID_EXTERN` (a new application) after a gap (seed 001
/// line 45).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareGap {
    pub kind_id_extern: String,
    /// The maximal run of uncovered days.
    pub days: Period,
}

/// The buffer of one child: the rows in the order they are written, and the contracts refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Buffer {
    /// Contracts ascending by their first `VER_VERTRAG_AB` (ties by `KIND_ID_EXTERN` bytes),
    /// each contract's rows by index.
    pub rows: Vec<BufferRow>,
    /// By first uncovered day, then `KIND_ID_EXTERN`.
    pub care_gaps: Vec<CareGap>,
}

/// The child's tables contradict what the export relies on; nothing can be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreconditionError {
    #[error("line {line} books service {service}, which does not exist")]
    UnknownService {
        line: ContractLineId,
        service: ServiceId,
    },
    #[error("service {0} is flagged for Kita-Planer but has no daily hours")]
    ServiceWithoutHours(ServiceId),
    #[error("org assignment {org_assignment} names facility {facility}, which does not exist")]
    UnknownFacility {
        org_assignment: OrgAssignmentId,
        facility: FacilityId,
    },
    #[error("{slot} is contact {contact}, which does not exist")]
    UnknownContact {
        slot: &'static str,
        contact: ContactId,
    },
    #[error(
        "contract {kind_id_extern} has a row from {day}, but no org assignment is in force on \
         that day; add the assignment or correct the contract lines"
    )]
    NoOrgAssignment {
        kind_id_extern: String,
        day: NaiveDate,
    },
    #[error(
        "contract {kind_id_extern} is governed by facilities of which only some may export to \
         Kita-Planer (filled kita_id_extern and a configured area): {exportable} may, \
         {not_exportable} may not"
    )]
    MixedExportability {
        kind_id_extern: String,
        exportable: FacilityId,
        not_exportable: FacilityId,
    },
}

/// A contract's period with everything a row needs, before the contract is accepted or refused.
struct Piece<'a> {
    period: Period,
    hours: Hours,
    governing: &'a OrgAssignment,
    kita_id_extern: Option<&'a str>,
    exportable: bool,
}

/// Fills the export buffer of one child (R1–R10).
pub fn fill_export_buffer(
    record: &ChildRecord,
    settings: &ExportSettings,
) -> Result<Buffer, PreconditionError> {
    let main_contact_1 = main_contact(
        record,
        "main_contact_1",
        &record.contact_assignment.main_contact_1,
    )?;
    let main_contact_2 = main_contact(
        record,
        "main_contact_2",
        &record.contact_assignment.main_contact_2,
    )?;

    let mut contracts: Vec<(NaiveDate, &str, Vec<BufferRow>)> = Vec::new();
    let mut care_gaps = Vec::new();
    for (kind_id_extern, lines) in eligible_lines_by_contract(record, settings)? {
        let pieces = contract_pieces(record, settings, kind_id_extern, &lines)?;
        let Some(first) = pieces.first() else {
            continue;
        };
        // R5: exportability is all or nothing per contract (§6 guarantees it; we check).
        if let Some(other) = pieces.iter().find(|p| p.exportable != first.exportable) {
            let (yes, no) = if first.exportable {
                (first, other)
            } else {
                (other, first)
            };
            return Err(PreconditionError::MixedExportability {
                kind_id_extern: kind_id_extern.to_owned(),
                exportable: yes.governing.facility.clone(),
                not_exportable: no.governing.facility.clone(),
            });
        }
        if !first.exportable {
            continue;
        }
        // R6: a gap refuses the whole contract, one error per uncovered run.
        let periods: Vec<Period> = pieces.iter().map(|p| p.period).collect();
        let gaps = uncovered_runs(&periods);
        if !gaps.is_empty() {
            care_gaps.extend(gaps.into_iter().map(|days| CareGap {
                kind_id_extern: kind_id_extern.to_owned(),
                days,
            }));
            continue;
        }
        let total = pieces.len();
        let rows = pieces
            .iter()
            .enumerate()
            .map(|(i, piece)| {
                let index = i + 1;
                // R8: only the last row, and only after an early discharge from the assignment
                // that governs it (seed 001 line 45).
                let notice_date = (index == total)
                    .then(|| piece.governing.discharge_date())
                    .flatten();
                BufferRow {
                    kind_id_extern: kind_id_extern.to_owned(),
                    kita_id_extern: piece.kita_id_extern.unwrap_or_default().to_owned(),
                    status: Status::of_row(index, notice_date.is_some()),
                    period: piece.period,
                    notice_date,
                    change_index: index,
                    change_total: total,
                    betreuungszeit_id: settings.mapping.id_for(piece.hours),
                    hours: piece.hours,
                    child: record.child.clone(),
                    main_contact_1: main_contact_1.cloned(),
                    main_contact_2: main_contact_2.cloned(),
                }
            })
            .collect();
        contracts.push((first.period.start(), kind_id_extern, rows));
    }
    contracts.sort_by(|a, b| (a.0, a.1.as_bytes()).cmp(&(b.0, b.1.as_bytes())));
    care_gaps.sort_by(|a, b| {
        (a.days.start(), a.kind_id_extern.as_bytes())
            .cmp(&(b.days.start(), b.kind_id_extern.as_bytes()))
    });
    Ok(Buffer {
        rows: contracts
            .into_iter()
            .flat_map(|(_, _, rows)| rows)
            .collect(),
        care_gaps,
    })
}

fn main_contact<'a>(
    record: &'a ChildRecord,
    slot: &'static str,
    id: &Option<ContactId>,
) -> Result<Option<&'a Contact>, PreconditionError> {
    id.as_ref()
        .map(|id| {
            record
                .contact(id)
                .ok_or_else(|| PreconditionError::UnknownContact {
                    slot,
                    contact: id.clone(),
                })
        })
        .transpose()
}

/// R1 and R2: the eligible lines (not cancelled, service flagged "Übertragung an Kita Planer")
/// of all heads, grouped by filled `KIND_ID_EXTERN`. Heads with an unfilled id and contracts
/// without an eligible line do not appear.
fn eligible_lines_by_contract<'a>(
    record: &'a ChildRecord,
    settings: &ExportSettings,
) -> Result<BTreeMap<&'a str, Vec<&'a ContractLine>>, PreconditionError> {
    let mut contracts: BTreeMap<&str, Vec<&ContractLine>> = BTreeMap::new();
    for head in &record.contracts {
        let Some(kind_id_extern) = filled(head.kind_id_extern.as_deref()) else {
            continue;
        };
        for line in &head.lines {
            let service = settings.service(&line.service).ok_or_else(|| {
                PreconditionError::UnknownService {
                    line: line.id.clone(),
                    service: line.service.clone(),
                }
            })?;
            if !line.cancelled && service.transfer_to_kitaplaner {
                contracts.entry(kind_id_extern).or_default().push(line);
            }
        }
    }
    Ok(contracts)
}

/// The daily hours a line contributes (R4): its override when set ("0" included), else its
/// service's hours.
fn line_hours(line: &ContractLine, settings: &ExportSettings) -> Result<Hours, PreconditionError> {
    if let Some(hours) = line.daily_hours_override {
        return Ok(hours);
    }
    settings
        .service(&line.service)
        .and_then(|s| s.daily_hours)
        .ok_or_else(|| PreconditionError::ServiceWithoutHours(line.service.clone()))
}

/// R3–R5: the contract's periods cut at every change of its eligible lines, each with its summed
/// hours and the org assignment in force on its first day.
fn contract_pieces<'a>(
    record: &'a ChildRecord,
    settings: &ExportSettings,
    kind_id_extern: &str,
    lines: &[&ContractLine],
) -> Result<Vec<Piece<'a>>, PreconditionError> {
    let line_periods: Vec<Period> = lines.iter().map(|l| l.period).collect();
    split_at_changes(&line_periods)
        .into_iter()
        .map(|period| {
            let mut hours = Hours::ZERO;
            for line in lines.iter().filter(|l| l.period.contains(period.start())) {
                hours = hours + line_hours(line, settings)?;
            }
            let governing = record.org_assignment_on(period.start()).ok_or_else(|| {
                PreconditionError::NoOrgAssignment {
                    kind_id_extern: kind_id_extern.to_owned(),
                    day: period.start(),
                }
            })?;
            let facility = record.facility(&governing.facility).ok_or_else(|| {
                PreconditionError::UnknownFacility {
                    org_assignment: governing.id.clone(),
                    facility: governing.facility.clone(),
                }
            })?;
            let kita_id_extern = filled(facility.kita_id_extern.as_deref());
            Ok(Piece {
                period,
                hours,
                governing,
                kita_id_extern,
                exportable: kita_id_extern.is_some()
                    && settings.configured_areas.contains(&facility.area),
            })
        })
        .collect()
}
