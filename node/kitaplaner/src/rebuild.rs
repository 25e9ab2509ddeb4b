//! R11: a change in any of six tables deletes all rows of the child and writes them anew (seed
//! 001 lines 5–9), even when the new rows equal the old ones.

use crate::buffer::{fill_export_buffer, BufferRow, PreconditionError};
use crate::model::{ChildRecord, ExportSettings};
use std::collections::BTreeMap;
use std::fmt;

/// The tables that trigger a rebuild, in the seed's order (001 line 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Betreuter,
    Kontakt,
    BetreutenKontaktzuordnung,
    Betreuungsvereinbarungszeile,
    BetreutenOrgZuordnung,
    Einrichtung,
}

impl Table {
    /// All six, in the seed's order.
    pub const ALL: [Table; 6] = [
        Table::Betreuter,
        Table::Kontakt,
        Table::BetreutenKontaktzuordnung,
        Table::Betreuungsvereinbarungszeile,
        Table::BetreutenOrgZuordnung,
        Table::Einrichtung,
    ];

    /// The table's name as the seed writes it.
    pub fn seed_name(&self) -> &'static str {
        match self {
            Table::Betreuter => "Betreuter",
            Table::Kontakt => "Kontakt",
            Table::BetreutenKontaktzuordnung => "Betreuten Kontaktzuordnung",
            Table::Betreuungsvereinbarungszeile => "Betreuungsvereinbarungszeile",
            Table::BetreutenOrgZuordnung => "Betreuten Org.-Zuordnung",
            Table::Einrichtung => "Einrichtung",
        }
    }

    fn differs(&self, previous: &ChildRecord, current: &ChildRecord) -> bool {
        match self {
            Table::Betreuter => previous.child != current.child,
            Table::Kontakt => {
                by_id(&previous.contacts, |c| &c.id) != by_id(&current.contacts, |c| &c.id)
            }
            Table::BetreutenKontaktzuordnung => {
                previous.contact_assignment != current.contact_assignment
            }
            // Every line of every head, compared with the head it belongs to.
            Table::Betreuungsvereinbarungszeile => lines(previous) != lines(current),
            Table::BetreutenOrgZuordnung => {
                by_id(&previous.org_assignments, |a| &a.id)
                    != by_id(&current.org_assignments, |a| &a.id)
            }
            Table::Einrichtung => {
                by_id(&previous.facilities, |f| &f.id) != by_id(&current.facilities, |f| &f.id)
            }
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.seed_name())
    }
}

/// A list as a table keyed by id: the order of the list does not matter.
fn by_id<'a, T, K: Ord + 'a>(
    items: &'a [T],
    id: impl Fn(&'a T) -> &'a K,
) -> BTreeMap<&'a K, &'a T> {
    items.iter().map(|item| (id(item), item)).collect()
}

fn lines(
    record: &ChildRecord,
) -> BTreeMap<&crate::ids::ContractLineId, (&crate::ids::ContractHeadId, &crate::model::ContractLine)>
{
    record
        .contracts
        .iter()
        .flat_map(|head| {
            head.lines
                .iter()
                .map(move |line| (&line.id, (&head.id, line)))
        })
        .collect()
}

/// The tables that differ between the previous and the current state, in the seed's order.
pub fn changed_tables(previous: &ChildRecord, current: &ChildRecord) -> Vec<Table> {
    Table::ALL
        .into_iter()
        .filter(|table| table.differs(previous, current))
        .collect()
}

/// What happens to the rows the previous state wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuild {
    /// The tables that differ; a rebuild is required when any does.
    pub changed: Vec<Table>,
    /// The rows deleted: all rows of the previous state when a rebuild is required, else none.
    pub deleted: Vec<BufferRow>,
}

impl Rebuild {
    pub fn required(&self) -> bool {
        !self.changed.is_empty()
    }
}

/// Compares the states and, on a change, names the rows of the previous state to delete.
pub fn plan_rebuild(
    previous: &ChildRecord,
    current: &ChildRecord,
    settings: &ExportSettings,
) -> Result<Rebuild, PreconditionError> {
    let changed = changed_tables(previous, current);
    let deleted = if changed.is_empty() {
        Vec::new()
    } else {
        fill_export_buffer(previous, settings)?.rows
    };
    Ok(Rebuild { changed, deleted })
}
