//! The Kita-Planer 2 export buffer (Schleswig-Holstein, seed 001 "Kita Planer Exportpuffer mit
//! Datensätzen füllen") from the node's own documents: on the Träger's node for each of its
//! Kitas, on a Kita's node for that Kita. The rules are the crate `kitanetz-kitaplaner`'s; this
//! module feeds it the Kita's care contracts and families, keeps the export status (migration
//! 0020), and hands the rows to a [`Transfer`] (a file drop by default).
//!
//! ## From the documents to the crate's tables
//! Per child with a contract at the Kita (the contracts of one child at this Kita together):
//! - **Betreuter** = the family's child; its address is main contact 1's (Kitanetz keeps the
//!   child's address with the guardians).
//! - **Kontakt / Betreuten Kontaktzuordnung**: the family's first and second guardian are main
//!   contacts 1 and 2 (`SB1_*`, `SB2_*`), in the order the family lists them.
//! - **Betreuungsvereinbarungskopf** = one care contract. *Default:* Kitanetz keeps no
//!   Kita-Planer child id, so `KIND_ID_EXTERN` is the contract's id: it stays the same over the
//!   contract's life and a new contract (after a gap, a new application) has a new one, as seed
//!   001 demands of a new `KIND_ID_EXTERN`.
//! - **Betreuungsvereinbarungszeile** = a contract line: its validity, and its daily hours as the
//!   line's "Abw. täglich erbrachte Stunden" (Kitanetz books hours per line, not per service).
//!   *Default:* lines are never cancelled (a Kitanetz change is a new line from a date).
//! - **Leistung** = the line's care type; *default:* every care type is flagged "Übertragung an
//!   Kita Planer" (Krippe, Elementar and Hort are all in the Kita-Datenbank).
//! - **Betreuten Org.-Zuordnung** = the contract's period at this Kita. *Default:* it counts as
//!   an early discharge (`VER_KUENDIGUNG`) when the contract ended by notice for any reason but
//!   school entry (a contract ending for school ends as the statute says, not early).
//! - **Einrichtung** = this Kita, area `kita` (the only configured area); `KITA_ID_EXTERN` from
//!   `[kitaplaner.kita_ids]` in `node.toml` (the node keeps no such field). Without it the Kita
//!   exports nothing, and the error list says so.
//! - Mapping table: the Land's table of 14.08.2020 (the crate's default).
//! - Street and house number: Kitanetz keeps one street line; *default:* its last word is the
//!   house number when it starts with a digit ("Holstenstraße 12" → "Holstenstraße", "12"),
//!   else the house number is missing and the error list names it.
//!
//! ## Status and transfer
//! A child's rows are **Eingefügt** until an export run takes them; then **Exportiert**, or
//! **Fehler in Kita Planer** when the transfer failed (the next run retries them). The status
//! stores a fingerprint of the rows and of the six source tables (seed 001 line 9): any change
//! to them rebuilds the child's rows and shows them as Eingefügt again (R11), and a run with
//! nothing Eingefügt or failed writes nothing (idempotent). A child with a missing field is
//! listed in the error list and not exported until it is fixed; a care gap refuses only that
//! contract (R6), the child's other contracts go. A dry run shows the file it would write and
//! changes nothing.

pub mod http;
pub mod import;
pub mod queries;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::contracts::contract_doc_id;
use crate::families::family_doc_id;
use crate::storage::{audit_in, AuditEntry, Store, StoreError};
use chrono::NaiveDate;
use kitanetz_crdt::ids::{ContractId, FacilityId};
use kitanetz_crdt::kinds::{CareContract, CareType, Family, Guardian};
use kitanetz_kitaplaner as kp;
use kitanetz_kitaplaner::model;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The only area with Kita-Planer access on a Kitanetz node: its Kitas.
const AREA: &str = "kita";
/// How many runs the page lists.
const RUNS_SHOWN: usize = 20;

/// The columns written to the file: the buffer's (`kitanetz_kitaplaner::COLUMNS`, the seed's
/// order) but the buffer-only hours.
pub fn file_columns() -> Vec<&'static str> {
    kp::COLUMNS
        .iter()
        .copied()
        .filter(|c| *c != "BETREUUNGSSTUNDEN")
        .collect()
}

/// What the node's configuration says about the export.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `KITA_ID_EXTERN` per facility id.
    pub kita_ids: BTreeMap<String, String>,
}

impl Settings {
    pub fn of(section: Option<&crate::config::KitaplanerSection>) -> Settings {
        Settings {
            kita_ids: section.map(|s| s.kita_ids.clone()).unwrap_or_default(),
        }
    }
}

/// Where an export run's file goes. The file drop is the default; another transfer (an upload
/// to Kita-Planer's import) implements the same trait.
pub trait Transfer {
    /// How the run list names the transfer.
    fn name(&self) -> String;
    /// Hands over one run's file; an error is the message the run records ("Fehler in Kita
    /// Planer").
    fn deliver(&self, file_name: &str, bytes: &[u8]) -> Result<(), String>;
}

/// Drops each run's file into a directory (`[kitaplaner] drop_dir`), written whole or not at
/// all (a temporary name, then renamed), never over an existing file.
#[derive(Debug, Clone)]
pub struct FileDrop {
    pub dir: PathBuf,
}

impl FileDrop {
    /// The configured drop directory, relative paths under the data directory.
    pub fn configured(
        data_dir: &std::path::Path,
        section: Option<&crate::config::KitaplanerSection>,
    ) -> Option<FileDrop> {
        section
            .and_then(|s| s.drop_dir.as_ref())
            .map(|dir| FileDrop {
                dir: data_dir.join(dir),
            })
    }
}

impl Transfer for FileDrop {
    fn name(&self) -> String {
        "file-drop".into()
    }

    fn deliver(&self, file_name: &str, bytes: &[u8]) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("{}: {e}", self.dir.display());
        std::fs::create_dir_all(&self.dir).map_err(fail)?;
        let target = self.dir.join(file_name);
        if target.exists() {
            return Err(format!("{} exists already", target.display()));
        }
        let partial = self.dir.join(format!(".{file_name}.partial"));
        std::fs::write(&partial, bytes).map_err(fail)?;
        std::fs::rename(&partial, &target).map_err(fail)
    }
}

/// The export status of a child's rows (seed 001 "Besondere Felder: Export Status").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportStatus {
    /// Eingefügt: the rows are in the buffer, not yet exported (new or rebuilt).
    Inserted,
    /// Exportiert: an export run handed these very rows over.
    Exported,
    /// Fehler in Kita Planer: the last run could not hand them over; the next run retries.
    Failed,
    /// Not exportable until the error list's entries for the child are fixed.
    Blocked,
}

impl ExportStatus {
    /// The status as the seed names it.
    pub fn seed_name(self) -> &'static str {
        match self {
            ExportStatus::Inserted => "Eingefügt",
            ExportStatus::Exported => "Exportiert",
            ExportStatus::Failed => "Fehler in Kita Planer",
            ExportStatus::Blocked => "Nicht exportierbar",
        }
    }

    /// Whether the next export run takes the rows.
    fn pending(self) -> bool {
        matches!(self, ExportStatus::Inserted | ExportStatus::Failed)
    }
}

/// What kind of entry of the error list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A contract with a care gap gives no rows (R6): the child needs a new `KIND_ID_EXTERN`.
    CareGap,
    /// A field the rows need is empty; the child is not exported until it is filled.
    Missing,
    /// The child's data contradicts what the export relies on (overlapping contracts, a line
    /// outside its contract); nothing of the child is exported.
    Refused,
}

/// One entry of the error list: whom it is about, which field, what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The child's id; none for the Kita's own fields.
    pub child: Option<String>,
    /// The child's name, or the Kita's.
    pub name: String,
    /// The Kita-Planer column (or Kitanetz field) concerned.
    pub field: String,
    pub message: String,
    /// A care gap's first and last uncovered day.
    pub gap_from: Option<NaiveDate>,
    pub gap_to: Option<NaiveDate>,
}

/// One buffer row: the columns the page shows, and all of them as the crate writes them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub kind_id_extern: String,
    pub kita_id_extern: String,
    pub status: String,
    pub contract_from: NaiveDate,
    pub notice_date: Option<NaiveDate>,
    pub change_index: usize,
    pub change_total: usize,
    pub betreuungszeit_id: i64,
    pub hours: String,
    /// Every column of `kitanetz-kitaplaner-buffer/1` (`EXPORT_STATUS` as the buffer writes it).
    pub columns: serde_json::Map<String, Value>,
}

/// A child's rows and their export status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChildBuffer {
    pub child: String,
    pub name: String,
    pub status: ExportStatus,
    pub rows: Vec<Row>,
    /// The run that exported (or failed to export) the rows now shown.
    pub run: Option<i64>,
    /// The transfer's error of a failed run.
    pub message: Option<String>,
    /// Of the rows and their sources; a change means a rebuild (R11).
    #[serde(skip)]
    pub fingerprint: String,
}

/// The export page of one Kita.
#[derive(Debug, Clone, Serialize)]
pub struct KitaplanerView {
    pub facility: String,
    pub facility_name: String,
    pub kita_id_extern: Option<String>,
    pub children: Vec<ChildBuffer>,
    pub problems: Vec<Problem>,
    pub runs: Vec<queries::Run>,
}

impl KitaplanerView {
    /// Children whose rows the next export run takes.
    pub fn pending(&self) -> impl Iterator<Item = &ChildBuffer> {
        self.children
            .iter()
            .filter(|c| c.status.pending() && !c.rows.is_empty())
    }

    pub fn count(&self, status: ExportStatus) -> usize {
        self.children.iter().filter(|c| c.status == status).count()
    }

    pub fn row_count(&self) -> usize {
        self.children.iter().map(|c| c.rows.len()).sum()
    }
}

/// What an export run did (or, dry, would do).
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub dry_run: bool,
    /// The file's name; none when nothing was pending.
    pub file: Option<String>,
    /// The children whose rows the run took.
    pub children: Vec<String>,
    pub rows: usize,
    /// The file's content (CSV).
    pub content: String,
    /// The run's id (not for a dry run or when nothing was pending).
    pub run: Option<i64>,
    /// The transfer's error: the rows are now "Fehler in Kita Planer".
    pub error: Option<String>,
}

fn authorize_export(
    store: &Store,
    who: &Principal,
    facility: &FacilityId,
) -> Result<(), ActionError> {
    let provider = crate::facilities::provider_of(store, facility)?;
    authorize(
        who,
        Action::ExportKitaplaner {
            facility: Some(facility),
            provider: &provider,
        },
    )?;
    Ok(())
}

/// The export buffer of `facility`: each child's rows with their status, and the error list.
pub fn view(
    store: &Store,
    who: &Principal,
    facility: &FacilityId,
    settings: &Settings,
) -> Result<KitaplanerView, ActionError> {
    authorize_export(store, who, facility)?;
    build(store, facility, settings)
}

fn build(
    store: &Store,
    facility: &FacilityId,
    settings: &Settings,
) -> Result<KitaplanerView, ActionError> {
    let names = crate::facilities::names(store)?;
    let facility_name = names.get(&facility.0).cloned().unwrap_or_default();
    let kita_id_extern = settings
        .kita_ids
        .get(&facility.0)
        .filter(|id| !id.trim().is_empty())
        .cloned();
    let mut problems = Vec::new();
    if kita_id_extern.is_none() {
        problems.push(Problem {
            kind: ProblemKind::Missing,
            child: None,
            name: facility_name.clone(),
            field: "KITA_ID_EXTERN".into(),
            message: format!(
                "Die Kita hat keine Kita-Planer-ID: in node.toml unter [kitaplaner.kita_ids] {} = \"…\" eintragen / the Kita has no Kita-Planer id: add {} = \"…\" under [kitaplaner.kita_ids] in node.toml",
                facility.0, facility.0
            ),
            gap_from: None,
            gap_to: None,
        });
    }
    let export_settings = model::ExportSettings {
        configured_areas: BTreeSet::from([AREA.to_string()]),
        mapping: kp::BetreuungszeitMapping::seed_default(),
        services: services(),
    };
    let kita = model::Facility {
        id: kp::ids::FacilityId(facility.0.clone()),
        name: Some(facility_name.clone()),
        area: AREA.into(),
        kita_id_extern: kita_id_extern.clone(),
    };
    let stored = queries::statuses(store.conn(), &facility.0)?;
    let mut children = Vec::new();
    for (family, contracts) in contracts_by_child(store, facility)? {
        let Some(child) = family.child(&contracts[0].child) else {
            continue;
        };
        let name = format!("{} {}", child.given_name, child.family_name);
        let mut own = Vec::new();
        let record = child_record(&family, child, &contracts, &kita, &mut own);
        let buffer = kp::fill_export_buffer(&record, &export_settings);
        let mut rows = Vec::new();
        match buffer {
            Ok(buffer) => {
                for gap in &buffer.care_gaps {
                    own.push(Problem {
                        kind: ProblemKind::CareGap,
                        child: None,
                        name: String::new(),
                        field: format!("KIND_ID_EXTERN {}", gap.kind_id_extern),
                        message: format!(
                            "Betreuungslücke {}: der Vertrag wird nicht übertragen; im Kita-Planer braucht das Kind eine neue KIND_ID_EXTERN (neue Bewerbung), hier einen neuen Vertrag / care gap {}: the contract is not transferred; Kita-Planer needs a new KIND_ID_EXTERN (a new application), here a new contract",
                            gap.days, gap.days
                        ),
                        gap_from: Some(gap.days.start()),
                        gap_to: gap.days.end(),
                    });
                }
                rows = buffer.rows.iter().map(row).collect();
            }
            Err(e) => own.push(Problem {
                kind: ProblemKind::Refused,
                child: None,
                name: String::new(),
                field: precondition_field(&e).into(),
                message: e.to_string(),
                gap_from: None,
                gap_to: None,
            }),
        }
        // A child with nothing to send (every contract refused) is not pending either.
        let blocked = rows.is_empty() || own.iter().any(|p| p.kind != ProblemKind::CareGap);
        let fingerprint = fingerprint(&record, &rows);
        let before = stored.get(&child.id.0);
        let (status, run, message) = match before {
            _ if blocked || kita_id_extern.is_none() => (ExportStatus::Blocked, None, None),
            Some(s) if s.fingerprint == fingerprint && s.status == "exported" => {
                (ExportStatus::Exported, Some(s.run), None)
            }
            Some(s) if s.fingerprint == fingerprint => {
                (ExportStatus::Failed, Some(s.run), s.message.clone())
            }
            _ => (ExportStatus::Inserted, None, None),
        };
        for p in &mut own {
            p.child = Some(child.id.0.clone());
            p.name = name.clone();
        }
        problems.extend(own);
        let label = status.seed_name();
        for r in &mut rows {
            r.columns
                .insert("EXPORT_STATUS".into(), Value::String(label.into()));
        }
        children.push(ChildBuffer {
            child: child.id.0.clone(),
            name,
            status,
            rows,
            run,
            message,
            fingerprint,
        });
    }
    children.sort_by(|a, b| a.name.cmp(&b.name).then(a.child.cmp(&b.child)));
    Ok(KitaplanerView {
        facility: facility.0.clone(),
        facility_name,
        kita_id_extern,
        children,
        problems,
        runs: queries::runs(store.conn(), &facility.0, RUNS_SHOWN)?,
    })
}

/// Runs an export of `facility`: the rows of every child that is Eingefügt or failed last time
/// go into one file handed to `transfer`; their status becomes Exportiert (or Fehler in Kita
/// Planer), recorded with the run and the audit entry in one transaction. Nothing pending:
/// nothing is written. `dry_run`: the file is built and returned, nothing is written or changed.
pub fn export(
    store: &mut Store,
    who: &Principal,
    facility: &FacilityId,
    settings: &Settings,
    transfer: Option<&dyn Transfer>,
    dry_run: bool,
    now: Now,
) -> Result<ExportReport, ActionError> {
    authorize_export(store, who, facility)?;
    let view = build(store, facility, settings)?;
    let pending: Vec<&ChildBuffer> = view.pending().collect();
    let mut report = ExportReport {
        dry_run,
        file: None,
        children: pending.iter().map(|c| c.child.clone()).collect(),
        rows: pending.iter().map(|c| c.rows.len()).sum(),
        content: String::new(),
        run: None,
        error: None,
    };
    if pending.is_empty() {
        return Ok(report);
    }
    let file = format!("kitaplaner-{}-{}.csv", facility.0, now.millis);
    report.content = csv(pending.iter().flat_map(|c| &c.rows));
    report.file = Some(file.clone());
    if dry_run {
        return Ok(report);
    }
    let transfer = transfer.ok_or_else(|| {
        ActionError::Conflict(
            "Kein Ablageverzeichnis: in node.toml unter [kitaplaner] drop_dir eintragen; bis dahin nur Probelauf / no drop directory: set drop_dir under [kitaplaner] in node.toml; until then dry runs only".into(),
        )
    })?;
    let delivered = transfer.deliver(&file, report.content.as_bytes());
    report.error = delivered.err();
    let ok = report.error.is_none();
    let run = queries::Run {
        id: 0,
        at: now.millis,
        actor: who.audit_name(),
        transfer: transfer.name(),
        file,
        children: pending.len() as i64,
        rows: report.rows as i64,
        ok,
        message: report.error.clone(),
    };
    let id = store.write(|tx| -> Result<i64, StoreError> {
        let id = queries::insert_run(tx, &facility.0, &run)?;
        for child in &pending {
            queries::set_status(
                tx,
                &facility.0,
                &child.child,
                &child.fingerprint,
                ok,
                id,
                child.rows.len(),
            )?;
        }
        audit_in(
            tx,
            &AuditEntry {
                at: now.millis,
                actor: who.audit_name(),
                action: if ok {
                    "kitaplaner.export"
                } else {
                    "kitaplaner.export-failed"
                },
                target: Some(facility.0.clone()),
                subjects: report.children.clone(),
                valid_from: None,
            },
        )?;
        Ok(id)
    })?;
    report.run = Some(id);
    Ok(report)
}

/// The rows as the file holds them: `;`-separated UTF-8 with a header line of the column
/// names, dates `YYYY-MM-DD`, empty fields for `null`, quoted where a value holds `;`, `"` or a
/// line break.
pub fn csv<'a>(rows: impl Iterator<Item = &'a Row>) -> String {
    let mut out = file_columns().join(";");
    out.push('\n');
    for row in rows {
        let fields: Vec<String> = file_columns()
            .iter()
            .map(|column| {
                let text = match row.columns.get(*column) {
                    // The file holds the buffer as written: its status is Eingefügt (R9).
                    _ if *column == "EXPORT_STATUS" => {
                        kp::buffer::EXPORT_STATUS_INSERTED.to_string()
                    }
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                };
                if text.contains([';', '"', '\n', '\r']) {
                    format!("\"{}\"", text.replace('"', "\"\""))
                } else {
                    text
                }
            })
            .collect();
        out.push_str(&fields.join(";"));
        out.push('\n');
    }
    out
}

/// Every care type as a service flagged for Kita-Planer; the hours come from each line.
fn services() -> Vec<model::Service> {
    [
        CareType::Nursery,
        CareType::Kindergarten,
        CareType::AfterSchool,
        CareType::Remedial,
        CareType::SupportedAfterSchool,
    ]
    .into_iter()
    .map(|care_type| model::Service {
        id: kp::ids::ServiceId(care_type.as_str().into()),
        name: Some(care_type.as_str().into()),
        transfer_to_kitaplaner: true,
        daily_hours: None,
    })
    .collect()
}

/// The Kita's contracts grouped by child, each with the child's family.
fn contracts_by_child(
    store: &Store,
    facility: &FacilityId,
) -> Result<Vec<(Family, Vec<CareContract>)>, ActionError> {
    let mut by_child: BTreeMap<String, Vec<CareContract>> = BTreeMap::new();
    for id in queries::contract_ids(store.conn(), &facility.0)? {
        if let Some((_, contract)) =
            store.find::<CareContract>(&contract_doc_id(&ContractId(id)))?
        {
            by_child
                .entry(contract.child.0.clone())
                .or_default()
                .push(contract);
        }
    }
    let mut out = Vec::new();
    for (_, contracts) in by_child {
        if let Some((_, family)) = store.find::<Family>(&family_doc_id(&contracts[0].family))? {
            out.push((family, contracts));
        }
    }
    Ok(out)
}

fn period(p: &kitanetz_crdt::period::Period) -> Option<kp::Period> {
    kp::Period::new(p.start().0, p.end().map(|d| d.0)).ok()
}

/// "Holstenstraße 12" → ("Holstenstraße", "12"); the last word is the house number when it
/// starts with a digit.
pub fn split_street(line: &str) -> (Option<String>, Option<String>) {
    let line = line.trim();
    if line.is_empty() {
        return (None, None);
    }
    match line.rsplit_once(char::is_whitespace) {
        Some((street, number)) if number.starts_with(|c: char| c.is_ascii_digit()) => (
            Some(street.trim_end().to_string()),
            Some(number.to_string()),
        ),
        _ => (Some(line.to_string()), None),
    }
}

fn address(a: &kitanetz_crdt::kinds::Address) -> model::Address {
    let (street, house_number) = split_street(&a.street);
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    model::Address {
        street,
        house_number,
        postal_code: text(&a.postcode),
        city: text(&a.city),
    }
}

fn missing(field: impl Into<String>, message: &str) -> Problem {
    Problem {
        kind: ProblemKind::Missing,
        child: None,
        name: String::new(),
        field: field.into(),
        message: message.into(),
        gap_from: None,
        gap_to: None,
    }
}

/// Names and address of a main contact; every empty column is a problem.
fn contact(
    slot: &str,
    guardian: &Guardian,
    problems: &mut Vec<Problem>,
    what: &str,
) -> model::Contact {
    let contact = model::Contact {
        id: kp::ids::ContactId(guardian.id.0.clone()),
        last_name: guardian.family_name.trim().to_string(),
        first_name: guardian.given_name.trim().to_string(),
        address: address(&guardian.address),
    };
    let a = &contact.address;
    for (column, empty) in [
        ("NACHNAME", contact.last_name.is_empty()),
        ("VORNAME", contact.first_name.is_empty()),
        ("STRASSE", a.street.is_none()),
        ("HAUSNUMMER", a.house_number.is_none()),
        ("POSTLEITZAHL", a.postal_code.is_none()),
        ("ORT", a.city.is_none()),
    ] {
        if empty {
            problems.push(missing(
                format!("{slot}_{column}"),
                &format!("{what}: in der Familie ergänzen / {what}: fill it in in the family"),
            ));
        }
    }
    contact
}

/// The crate's tables for one child at this Kita (see the module doc for each default).
fn child_record(
    family: &Family,
    child: &kitanetz_crdt::kinds::Child,
    contracts: &[CareContract],
    kita: &model::Facility,
    problems: &mut Vec<Problem>,
) -> model::ChildRecord {
    let mut contacts = Vec::new();
    for (i, guardian) in family.guardians.iter().take(2).enumerate() {
        let slot = format!("SB{}", i + 1);
        let what = if i == 0 {
            "Hauptkontakt 1 (auch die Anschrift des Kindes) / main contact 1 (also the child's address)"
        } else {
            "Hauptkontakt 2 / main contact 2"
        };
        contacts.push(contact(&slot, guardian, problems, what));
    }
    for (column, empty) in [
        ("KIND_NACHNAME", child.family_name.trim().is_empty()),
        ("KIND_VORNAME", child.given_name.trim().is_empty()),
    ] {
        if empty {
            problems.push(missing(
                column,
                "Name des Kindes ergänzen / fill in the child's name",
            ));
        }
    }
    let mut heads = Vec::new();
    let mut org_assignments = Vec::new();
    for contract in contracts {
        let Some(contract_period) = period(&contract.period) else {
            problems.push(missing(
                format!("Vertrag {}", contract.id.0),
                "Vertragszeitraum endet vor dem Beginn / the contract ends before it starts",
            ));
            continue;
        };
        let mut lines = Vec::new();
        for line in &contract.lines {
            let hours = kp::Hours::new(line.daily_hours.0);
            let (Some(valid), Some(hours)) = (period(&line.valid), hours) else {
                problems.push(missing(
                    format!("Vertrag {} Zeile {}", contract.id.0, line.id.0),
                    "Zeitraum oder tägliche Stunden ungültig / period or daily hours invalid",
                ));
                continue;
            };
            lines.push(model::ContractLine {
                id: kp::ids::ContractLineId(format!("{}/{}", contract.id.0, line.id.0)),
                service: kp::ids::ServiceId(line.care_type.as_str().into()),
                period: valid,
                cancelled: false,
                daily_hours_override: Some(hours),
            });
        }
        heads.push(model::ContractHead {
            id: kp::ids::ContractHeadId(contract.id.0.clone()),
            kind_id_extern: Some(contract.id.0.clone()),
            lines,
        });
        let early_discharge = contract.notice_given_on.is_some()
            && contract.notice_reason.as_deref() != Some("school")
            && contract_period.end().is_some();
        org_assignments.push(model::OrgAssignment {
            id: kp::ids::OrgAssignmentId(contract.id.0.clone()),
            facility: kita.id.clone(),
            period: contract_period,
            early_discharge,
        });
    }
    let main_contact = |i: usize| contacts.get(i).map(|c: &model::Contact| c.id.clone());
    model::ChildRecord {
        child: model::Child {
            last_name: child.family_name.trim().to_string(),
            first_name: child.given_name.trim().to_string(),
            birth_date: child.birth_date.0,
            address: contacts
                .first()
                .map(|c| c.address.clone())
                .unwrap_or_default(),
        },
        contact_assignment: model::ContactAssignment {
            main_contact_1: main_contact(0),
            main_contact_2: main_contact(1),
        },
        contacts,
        org_assignments,
        contracts: heads,
        facilities: vec![kita.clone()],
    }
}

fn precondition_field(e: &kp::PreconditionError) -> &'static str {
    use kp::PreconditionError as E;
    match e {
        E::UnknownService { .. } | E::ServiceWithoutHours(_) => "Leistung",
        E::UnknownContact { .. } => "Betreuten Kontaktzuordnung",
        E::NoOrgAssignment { .. } | E::UnknownFacility { .. } => "Betreuten Org.-Zuordnung",
        E::MixedExportability { .. } => "Einrichtung",
    }
}

fn row(r: &kp::BufferRow) -> Row {
    let Value::Object(columns) = kp::case::row_json(r) else {
        unreachable!("a row is a JSON object")
    };
    Row {
        kind_id_extern: r.kind_id_extern.clone(),
        kita_id_extern: r.kita_id_extern.clone(),
        status: r.status.as_str().into(),
        contract_from: r.contract_from(),
        notice_date: r.notice_date,
        change_index: r.change_index,
        change_total: r.change_total,
        betreuungszeit_id: r.betreuungszeit_id,
        hours: r.hours.to_string(),
        columns,
    }
}

/// SHA-256 of the six source tables (as the crate holds them) and of the rows: equal only when
/// neither changed (R11; a change of the mapping or a Kita's id changes the rows).
fn fingerprint(record: &model::ChildRecord, rows: &[Row]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(format!("{record:?}").as_bytes());
    for r in rows {
        hash.update(b"\n");
        hash.update(Value::Object(r.columns.clone()).to_string().as_bytes());
    }
    hex::encode(hash.finalize())
}

#[cfg(test)]
mod tests;
