//! The other interfaces of Lastenheft 3.19 (issue #12 item 4), each a file the node that holds
//! the data writes, documented in `FORMATS.md` next to this file:
//! - [`health_office`]: "Octoware (Gesundheitsamt) – Übergabe der Adressdaten aller Kinder in
//!   Kitas für die Durchführung von Gesundheitsuntersuchungen in den Kitas (Alter 0-5 Jahre),
//!   Export im csv-Format";
//! - [`cost_accounting`]: "SAP-CO – KLR-Daten: Kapazitäten und Auslastungen der Einrichtungen
//!   (nach Betreuungsart, Betr.-Zeit zum Stichtag 20. des Monats)";
//! - [`core_data`]: "Export-Schnittstelle zu Freien Trägern – Kerndaten" (3.14: "die Daten der
//!   betreuten Kinder, PSB, Betreuungsverträge usw."), as CSV tables in a zip and as XML.
//!
//! **Where it runs** (issue item 5): on the Träger's node for every Kita of the Träger (its
//! admin), on a Kita's node for that Kita (its lead, its Träger's admin); a Kita lead on the
//! Träger's node gets her own Kita. The files are built from the node's own families, contracts,
//! profiles and seat ledgers; nothing is copied to another node for the purpose. The city's node
//! holds no families and contracts and writes none of these files.
//!
//! **Adapter, file-based default**: each interface builds an [`ExportFile`] (name, media type,
//! bytes) from the node's data; the default transfer is the download a person hands on (the
//! receiving systems' import paths are "noch abzustimmen", Lastenheft 3.19). A transfer that
//! drops or uploads the file takes the same [`ExportFile`] (compare `kitaplaner::Transfer`).
//!
//! **Audit**: every file is recorded (`interfaces.health-office`, `interfaces.cost-accounting`,
//! `interfaces.core-data`) with the caller, the reference date and the ids of the children
//! whose personal data left the system.

pub mod core_data;
pub mod cost_accounting;
pub mod health_office;
pub mod http;
pub mod queries;
#[cfg(test)]
mod tests;

use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, Store};
use chrono::NaiveDate;
use kitanetz_crdt::ids::{FacilityId, ProviderId};
use kitanetz_crdt::policy::NodeRole;
use rust_decimal::Decimal;

/// The Kitas an export covers, after the caller was authorised for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub provider: ProviderId,
    /// By name.
    pub facilities: Vec<FacilityId>,
}

/// Authorises `who` for the interfaces on this node and returns the Kitas covered: on a Kita's
/// node that Kita; on the Träger's node the one asked for (`facility`), the Kita lead's own, or
/// every Kita of the Träger (its admin). Anywhere else nothing is here.
pub fn scope(
    store: &Store,
    who: &Principal,
    facility: Option<&FacilityId>,
) -> Result<Scope, ActionError> {
    let membership = store.membership();
    match (membership.role, &membership.facility, &membership.provider) {
        (NodeRole::Kita, Some(here), Some(provider)) => {
            authorize(
                who,
                Action::ExportInterfaces {
                    facility: Some(here),
                    provider,
                },
            )?;
            if facility.is_some_and(|f| f != here) {
                return Err(ActionError::NotFound(
                    facility.map(|f| f.0.clone()).unwrap_or_default(),
                ));
            }
            Ok(Scope {
                provider: provider.clone(),
                facilities: vec![here.clone()],
            })
        }
        (NodeRole::Traeger, _, Some(provider)) => {
            // A Kita lead asks for her own Kita whatever she names.
            let own = who.staff().and_then(|c| c.facility.as_ref());
            let asked = facility.or(own);
            authorize(
                who,
                Action::ExportInterfaces {
                    facility: asked,
                    provider,
                },
            )?;
            let all: Vec<FacilityId> = crate::facilities::of_provider(store, provider)?
                .into_iter()
                .map(|(id, _)| FacilityId(id))
                .collect();
            let facilities = match asked {
                None => all,
                Some(f) if all.contains(f) => vec![f.clone()],
                Some(f) => return Err(ActionError::NotFound(f.0.clone())),
            };
            Ok(Scope {
                provider: provider.clone(),
                facilities,
            })
        }
        _ => {
            // Refused for whoever may not export for their own Träger; "not here" for the rest.
            let provider = who
                .staff()
                .and_then(|c| c.provider.clone())
                .unwrap_or_else(|| ProviderId(String::new()));
            authorize(
                who,
                Action::ExportInterfaces {
                    facility: who.staff().and_then(|c| c.facility.as_ref()),
                    provider: &provider,
                },
            )?;
            Err(ActionError::NotFound(
                "Schnittstellen: auf dem Knoten des Trägers oder einer Kita / interfaces: on the Träger's or a Kita's node"
                    .into(),
            ))
        }
    }
}

/// A file one interface wrote: what the download (the default transfer) hands over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// One value of a table: how it is written depends on the format (see `FORMATS.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    /// `YYYY-MM-DD`; none: empty.
    Date(Option<NaiveDate>),
    /// A decimal comma in CSV (German Excel), a decimal point in XML.
    Decimal(Decimal),
    Count(u32),
    /// `j` / `n`.
    Flag(bool),
    /// No value (empty field, element left out).
    Empty,
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    fn csv(&self) -> String {
        match self {
            Value::Decimal(d) => d.normalize().to_string().replace('.', ","),
            other => other.xml(),
        }
    }

    fn xml(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Date(d) => d.map(|d| d.to_string()).unwrap_or_default(),
            Value::Decimal(d) => d.normalize().to_string(),
            Value::Count(n) => n.to_string(),
            Value::Flag(b) => if *b { "j" } else { "n" }.into(),
            Value::Empty => String::new(),
        }
    }
}

/// A table of a file: its columns (documented in `FORMATS.md`) and rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The CSV file's name without `.csv`, and the XML element of the table.
    pub name: &'static str,
    /// The XML element of one row.
    pub row: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Value>>,
}

/// The byte order mark every CSV file starts with (see `FORMATS.md`: German Excel reads a file
/// without it as Windows-1252 and garbles every umlaut).
pub const BOM: &str = "\u{feff}";

impl Table {
    /// UTF-8 with BOM, `;`-separated, CRLF line ends, a header line of the column names,
    /// quoted where a value holds `;`, `"` or a line break.
    pub fn csv(&self) -> Vec<u8> {
        let mut out = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(BOM.as_bytes().to_vec());
        out.write_record(self.columns).expect("in memory");
        for row in &self.rows {
            out.write_record(row.iter().map(Value::csv))
                .expect("in memory");
        }
        out.into_inner().expect("in memory")
    }
}

/// The XML of `tables` under `root` (with `attributes`): per table an element holding one
/// element per row, whose children are named like the CSV columns; empty values are left out.
/// Characters XML 1.0 cannot carry (control characters) are dropped.
pub fn xml(root: &str, attributes: &[(&str, &str)], tables: &[Table]) -> Vec<u8> {
    use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    let mut event = |e: Event<'_>| w.write_event(e).expect("in memory");
    event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut start = BytesStart::new(root);
    for (key, value) in attributes {
        start.push_attribute((*key, xml_chars(value).as_str()));
    }
    event(Event::Start(start));
    for table in tables {
        event(Event::Start(BytesStart::new(table.name)));
        for row in &table.rows {
            event(Event::Start(BytesStart::new(table.row)));
            for (column, value) in table.columns.iter().zip(row) {
                let text = xml_chars(&value.xml());
                if text.is_empty() {
                    continue;
                }
                event(Event::Start(BytesStart::new(*column)));
                event(Event::Text(BytesText::new(&text)));
                event(Event::End(BytesEnd::new(*column)));
            }
            event(Event::End(BytesEnd::new(table.row)));
        }
        event(Event::End(BytesEnd::new(table.name)));
    }
    event(Event::End(BytesEnd::new(root)));
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    bytes
}

/// Drops what XML 1.0 cannot hold.
fn xml_chars(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r')
                // A Rust `char` is never a surrogate.
                || (c >= ' ' && !matches!(c, '\u{fffe}' | '\u{ffff}'))
        })
        .collect()
}

/// Records that a file left the system: the action, the caller, the Kitas (target), the
/// reference date and the children whose data the file holds.
pub(crate) fn audit_export(
    store: &mut Store,
    who: &Principal,
    action: &'static str,
    scope: &Scope,
    on: NaiveDate,
    subjects: Vec<String>,
    now: Now,
) -> Result<(), ActionError> {
    store.audit(&AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action,
        target: Some(
            scope
                .facilities
                .iter()
                .map(|f| f.0.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        subjects,
        valid_from: Some(on.to_string()),
    })?;
    Ok(())
}

/// The file name's part naming the Kitas: the Kita's id, or the Träger's for all of them.
fn scope_label(scope: &Scope) -> String {
    match scope.facilities.as_slice() {
        [one] => one.0.clone(),
        _ => scope.provider.0.clone(),
    }
}
