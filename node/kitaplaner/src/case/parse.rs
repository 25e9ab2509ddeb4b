//! Reads a `kitanetz-kitaplaner-case/1` case into the typed tables, checking the format and the
//! preconditions of §6 that can be seen without computing rows. Every refusal names the field.

use super::reader::{Obj, Path};
use super::{Case, CaseError};
use crate::ids::{
    is_filled, ContactId, ContractHeadId, ContractLineId, FacilityId, OrgAssignmentId, ServiceId,
};
use crate::mapping::{BetreuungszeitMapping, MappingEntry};
use crate::model::{
    Address, Child, ChildRecord, Contact, ContactAssignment, ContractHead, ContractLine,
    ExportSettings, Facility, OrgAssignment, Service,
};
use crate::period::Period;
use crate::CASE_FORMAT;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Parses and checks a case.
pub fn parse_case(case_json: &str) -> Result<Case, CaseError> {
    let value: Value = serde_json::from_str(case_json)
        .map_err(|e| CaseError::new("", format!("the case is not valid JSON: {e}")))?;
    let root = Obj::new(&value, Path::root())?;
    let format = root.require_str("format")?;
    if format != CASE_FORMAT {
        return Err(root
            .path
            .key("format")
            .error(format!("is {format:?}; this reads {CASE_FORMAT:?}")));
    }
    let settings = settings(&root)?;
    let current = record(&root, &settings, Completeness::Lenient)?;
    let previous = match root.object("previous")? {
        None => None,
        Some(previous) => {
            let previous_record = record(&previous, &settings, Completeness::AllSixParts)?;
            same_heads(&previous, &previous_record, &current)?;
            Some(previous_record)
        }
    };
    Ok(Case {
        settings,
        current,
        previous,
    })
}

fn settings(root: &Obj) -> Result<ExportSettings, CaseError> {
    let configured_areas = root
        .list("configured_areas", true)?
        .into_iter()
        .map(|(v, p)| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| p.error("must be a string (an area such as \"kita\")"))
        })
        .collect::<Result<BTreeSet<String>, CaseError>>()?;
    let mapping = match root.get("betreuungszeit_mapping") {
        None => BetreuungszeitMapping::seed_default(),
        Some(_) => {
            let path = root.path.key("betreuungszeit_mapping");
            let entries = root
                .objects("betreuungszeit_mapping", true)?
                .iter()
                .map(|entry| {
                    Ok(MappingEntry {
                        max_hours: entry.hours("max_hours")?,
                        id: entry.require_integer("id")?,
                    })
                })
                .collect::<Result<Vec<_>, CaseError>>()?;
            BetreuungszeitMapping::new(entries).map_err(|e| path.error(e.to_string()))?
        }
    };
    let mut services = Vec::new();
    let mut ids = Ids::default();
    for service in root.objects("services", true)? {
        let id = ServiceId(ids.unique(&service)?);
        let transfer_to_kitaplaner = service.require_bool("transfer_to_kitaplaner")?;
        let daily_hours = service.hours("daily_hours")?;
        if transfer_to_kitaplaner && daily_hours.is_none() {
            return Err(service.path.key("daily_hours").error(
                "is required when transfer_to_kitaplaner is true (the hours Kita-Planer maps)",
            ));
        }
        services.push(Service {
            id,
            name: service.str("name")?.map(str::to_owned),
            transfer_to_kitaplaner,
            daily_hours,
        });
    }
    Ok(ExportSettings {
        configured_areas,
        mapping,
        services,
    })
}

/// Whether a state must hold all six tables (`previous`, §6) or may leave out the contacts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Completeness {
    Lenient,
    AllSixParts,
}

/// The keys of a state's six tables (R11).
const SIX_PARTS: [&str; 6] = [
    "child",
    "contacts",
    "contact_assignment",
    "org_assignments",
    "contracts",
    "facilities",
];

/// The six tables of one state (the case itself or its `previous`).
fn record(
    obj: &Obj,
    settings: &ExportSettings,
    completeness: Completeness,
) -> Result<ChildRecord, CaseError> {
    let all = completeness == Completeness::AllSixParts;
    if all {
        if let Some(part) = SIX_PARTS.iter().find(|part| !obj.has_key(part)) {
            return Err(obj
                .path
                .key(part)
                .error("is required: `previous` holds all six parts of the earlier state"));
        }
    }
    let child_obj = obj.require_object("child")?;
    let child = Child {
        last_name: child_obj.require_str("last_name")?.to_owned(),
        first_name: child_obj.require_str("first_name")?.to_owned(),
        birth_date: child_obj.require_date("birth_date")?,
        address: address(&child_obj)?,
    };

    let facilities = facilities(obj)?;
    let contacts = contacts(obj)?;
    let contact_assignment = contact_assignment(obj, &contacts)?;
    let org_assignments = org_assignments(obj, &facilities)?;
    let contracts = contracts(obj, settings)?;
    Ok(ChildRecord {
        child,
        contacts,
        contact_assignment,
        org_assignments,
        contracts,
        facilities,
    })
}

/// Collects the ids of one list and refuses a repeat.
#[derive(Default)]
struct Ids(BTreeSet<String>);

impl Ids {
    fn unique(&mut self, item: &Obj) -> Result<String, CaseError> {
        let id = item.require_str("id")?;
        if !self.0.insert(id.to_owned()) {
            return Err(item
                .path
                .key("id")
                .error(format!("{id:?} is used twice; ids must be unique")));
        }
        Ok(id.to_owned())
    }
}

/// An external id (`kita_id_extern`, `kind_id_extern`): `null` or a string; a filled one must
/// not carry surrounding whitespace (§6), which would make the same id look like two.
fn external_id(obj: &Obj, key: &str) -> Result<Option<String>, CaseError> {
    let id = obj.str(key)?;
    if let Some(text) = id {
        if is_filled(Some(text)) && text.trim() != text {
            return Err(obj
                .path
                .key(key)
                .error(format!("{text:?} has surrounding whitespace")));
        }
    }
    Ok(id.map(str::to_owned))
}

fn address(obj: &Obj) -> Result<Address, CaseError> {
    let Some(address) = obj.object("address")? else {
        return Ok(Address::default());
    };
    let field = |key: &str| address.str(key).map(|s| s.map(str::to_owned));
    Ok(Address {
        street: field("street")?,
        house_number: field("house_number")?,
        postal_code: field("postal_code")?,
        city: field("city")?,
    })
}

fn period(obj: &Obj) -> Result<Period, CaseError> {
    let from = obj.require_date("from")?;
    let to = obj.date("to")?;
    Period::new(from, to).map_err(|e| obj.path.key("to").error(e.to_string()))
}

fn facilities(obj: &Obj) -> Result<Vec<Facility>, CaseError> {
    let mut ids = Ids::default();
    obj.objects("facilities", true)?
        .iter()
        .map(|facility| {
            Ok(Facility {
                id: FacilityId(ids.unique(facility)?),
                name: facility.str("name")?.map(str::to_owned),
                area: facility.require_str("area")?.to_owned(),
                kita_id_extern: external_id(facility, "kita_id_extern")?,
            })
        })
        .collect()
}

fn contacts(obj: &Obj) -> Result<Vec<Contact>, CaseError> {
    let mut ids = Ids::default();
    obj.objects("contacts", false)?
        .iter()
        .map(|contact| {
            Ok(Contact {
                id: ContactId(ids.unique(contact)?),
                last_name: contact.require_str("last_name")?.to_owned(),
                first_name: contact.require_str("first_name")?.to_owned(),
                address: address(contact)?,
            })
        })
        .collect()
}

/// Main contacts 1 and 2; `null` (or, outside `previous`, absent) is two empty slots.
fn contact_assignment(obj: &Obj, contacts: &[Contact]) -> Result<ContactAssignment, CaseError> {
    let Some(assignment) = obj.object("contact_assignment")? else {
        return Ok(ContactAssignment::default());
    };
    let slot = |key: &str| -> Result<Option<ContactId>, CaseError> {
        let Some(id) = assignment.str(key)? else {
            return Ok(None);
        };
        if !contacts.iter().any(|c| c.id.0 == id) {
            return Err(assignment
                .path
                .key(key)
                .error(format!("{id:?} names no contact in `contacts`")));
        }
        Ok(Some(ContactId(id.to_owned())))
    };
    Ok(ContactAssignment {
        main_contact_1: slot("main_contact_1")?,
        main_contact_2: slot("main_contact_2")?,
    })
}

fn org_assignments(obj: &Obj, facilities: &[Facility]) -> Result<Vec<OrgAssignment>, CaseError> {
    let mut ids = Ids::default();
    let mut assignments: Vec<OrgAssignment> = Vec::new();
    for assignment in obj.objects("org_assignments", true)? {
        let id = OrgAssignmentId(ids.unique(&assignment)?);
        let facility = assignment.require_str("facility")?;
        if !facilities.iter().any(|f| f.id.0 == facility) {
            return Err(assignment
                .path
                .key("facility")
                .error(format!("{facility:?} names no facility in `facilities`")));
        }
        let period = period(&assignment)?;
        let early_discharge = assignment.bool_or("early_discharge", false)?;
        if early_discharge && period.end().is_none() {
            return Err(assignment
                .path
                .key("to")
                .error("is required when early_discharge is true: it is the discharge date"));
        }
        if let Some(other) = assignments.iter().find(|o| o.period.overlaps(&period)) {
            return Err(assignment.path.error(format!(
                "({period}) overlaps org assignment {} ({}); a child's org assignments must not \
                 overlap",
                other.id, other.period
            )));
        }
        assignments.push(OrgAssignment {
            id,
            facility: FacilityId(facility.to_owned()),
            period,
            early_discharge,
        });
    }
    Ok(assignments)
}

fn contracts(obj: &Obj, settings: &ExportSettings) -> Result<Vec<ContractHead>, CaseError> {
    let mut head_ids = Ids::default();
    // Line ids are unique over all heads: the line table is one table (R11).
    let mut line_ids = Ids::default();
    let mut heads = Vec::new();
    for head in obj.objects("contracts", true)? {
        let id = ContractHeadId(head_ids.unique(&head)?);
        let kind_id_extern = external_id(&head, "kind_id_extern")?;
        let mut lines = Vec::new();
        for line in head.objects("lines", false)? {
            let line_id = ContractLineId(line_ids.unique(&line)?);
            let service = line.require_str("service")?;
            if settings.service(&ServiceId::from(service)).is_none() {
                return Err(line
                    .path
                    .key("service")
                    .error(format!("{service:?} names no service in `services`")));
            }
            lines.push(ContractLine {
                id: line_id,
                service: ServiceId(service.to_owned()),
                period: period(&line)?,
                cancelled: line.bool_or("cancelled", false)?,
                daily_hours_override: line.hours("daily_hours_override")?,
            });
        }
        heads.push(ContractHead {
            id,
            kind_id_extern,
            lines,
        });
    }
    Ok(heads)
}

/// §6: `previous` has the same heads (id and `kind_id_extern`) as the case; only lines differ.
fn same_heads(previous: &Obj, old: &ChildRecord, new: &ChildRecord) -> Result<(), CaseError> {
    let heads = |record: &ChildRecord| -> BTreeMap<ContractHeadId, Option<String>> {
        record
            .contracts
            .iter()
            .map(|h| (h.id.clone(), h.kind_id_extern.clone()))
            .collect()
    };
    if heads(old) != heads(new) {
        return Err(previous.path.key("contracts").error(
            "must have the same heads (id and kind_id_extern) as `contracts`; only their lines \
             may differ",
        ));
    }
    Ok(())
}
