//! A Kita's groups (Lastenheft 3.6.9): name, care type, size and lead educator, and which
//! children belong to each. Groups are the Kita's own documents (kita-only: the Kita and its
//! Träger hold them), written on the Kita's node only, so they work offline and travel to the
//! Träger office when the link is back. A child is in at most one group of its Kita: moving it
//! takes it out of the old group and into the new one in one action.

pub mod http;
pub mod queries;

use crate::action::{at_this_kita, ActionError};
use crate::auth::{Action, Principal};
use crate::clock::Now;
use crate::contracts::os_ids;
use crate::facilities::provider_of;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{doc_id_for, facility_org, ChildId, FacilityId, GroupId};
use kitanetz_crdt::kinds::{CareType, Group};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::validate::Validator;
use kitanetz_crdt::DocId;
use queries::ChildInCare;
use serde::{Deserialize, Serialize};

pub fn group_doc_id(id: &GroupId) -> DocId {
    doc_id_for("group", &id.0)
}

/// A child as the groups page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub birth_date: String,
    pub care_type: String,
    /// Not under contract here any more (or not yet known to this node): still listed so
    /// that the lead can take it out of the group.
    pub gone: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub care_type: String,
    pub size: u32,
    pub lead_educator: String,
    pub members: Vec<Member>,
    /// More children than the group's size: allowed (the lead decides), shown as a warning.
    pub over_size: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupsView {
    pub facility: String,
    pub on: String,
    pub groups: Vec<GroupRow>,
    /// Children under contract who are in no group.
    pub ungrouped: Vec<Member>,
}

/// What a person types for a group. Strings, so that bad input comes back next to its field.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupInput {
    pub name: String,
    /// `nursery`, `kindergarten`, `after-school`, …
    pub care_type: String,
    pub size: String,
    pub lead_educator: String,
}

/// Moving a child: `group` empty takes it out of every group.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MoveInput {
    pub child: String,
    pub group: String,
}

impl GroupInput {
    fn parse(&self, v: &mut Validator) -> Option<(String, CareType, u32, String)> {
        let name = self.name.trim().to_string();
        v.text("name", &name, 100);
        let care_type = CareType::parse(self.care_type.trim());
        v.check(
            care_type.is_some(),
            "care_type",
            "Betreuungsart wählen / choose a care type",
        );
        let size = self.size.trim().parse::<u32>().ok();
        v.check(
            size.is_some_and(|s| (1..=60).contains(&s)),
            "size",
            "Gruppengröße 1 bis 60 / group size 1 to 60",
        );
        let lead = self.lead_educator.trim().to_string();
        v.optional_text("lead_educator", &lead, 200);
        Some((name, care_type?, size?, lead))
    }
}

/// The groups of the Kita, after checking the caller may see them. Reading children's names is
/// audited.
pub fn view(
    store: &mut Store,
    who: &Principal,
    facility: &FacilityId,
    now: Now,
) -> Result<GroupsView, ActionError> {
    crate::attendance::authorize_view(store, who, facility)?;
    let in_care = queries::children_in_care(store, facility, now.today)?;
    let groups = groups_of(store, facility)?;
    let member = |id: &ChildId| -> Member {
        match in_care.iter().find(|c| c.id == id.0) {
            Some(c) => member_of(c, false),
            None => Member {
                id: id.0.clone(),
                name: id.0.clone(),
                birth_date: String::new(),
                care_type: String::new(),
                gone: true,
            },
        }
    };
    let rows: Vec<GroupRow> = groups
        .iter()
        .map(|g| GroupRow {
            id: g.id.0.clone(),
            name: g.name.clone(),
            care_type: g.care_type.as_str().to_string(),
            size: g.size,
            lead_educator: g.lead_educator.clone(),
            members: g.members.iter().map(member).collect(),
            over_size: g.members.len() > g.size as usize,
        })
        .collect();
    let ungrouped: Vec<Member> = in_care
        .iter()
        .filter(|c| !groups.iter().any(|g| g.members.iter().any(|m| m.0 == c.id)))
        .map(|c| member_of(c, false))
        .collect();
    store.audit(&AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "groups.read",
        target: Some(facility.0.clone()),
        subjects: in_care.iter().map(|c| c.id.clone()).collect(),
        valid_from: None,
    })?;
    Ok(GroupsView {
        facility: facility.0.clone(),
        on: now.today.to_string(),
        groups: rows,
        ungrouped,
    })
}

fn member_of(c: &ChildInCare, gone: bool) -> Member {
    Member {
        id: c.id.clone(),
        name: format!("{} {}", c.given_name, c.family_name),
        birth_date: c.birth_date.clone(),
        care_type: c.care_type.clone(),
        gone,
    }
}

/// The Kita's groups as documents, by name.
fn groups_of(store: &Store, facility: &FacilityId) -> Result<Vec<Group>, StoreError> {
    queries::group_doc_ids(store, facility)?
        .into_iter()
        .map(|id| Ok(store.get::<Group>(&DocId(id))?.1))
        .collect()
}

/// Creates a group of the Kita this node serves.
pub fn create(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    input: &GroupInput,
    now: Now,
) -> Result<Group, ActionError> {
    let facility = at_this_kita(who, Action::ManageGroups { facility }, facility)?;
    let provider = provider_of(store, &facility)?;
    let mut v = Validator::new();
    let parsed = input.parse(&mut v);
    let taken = groups_of(store, &facility)?;
    if let Some((name, ..)) = &parsed {
        v.check(
            !taken.iter().any(|g| g.name.eq_ignore_ascii_case(name)),
            "name",
            "Es gibt schon eine Gruppe mit diesem Namen / a group of that name exists",
        );
    }
    v.finish()?;
    let (name, care_type, size, lead_educator) = parsed.expect("checked");
    let group = Group {
        id: GroupId::generate(&mut os_ids()),
        facility: facility.clone(),
        name,
        care_type,
        size,
        lead_educator,
        members: vec![],
    };
    let meta = DocMeta {
        kind: DocKind::Group,
        schema: DocKind::Group.schema_version(),
        owner: facility_org(&facility),
        provider: Some(provider),
        facilities: vec![facility.clone()],
        origin_node: store.node_name().to_string(),
        created_on: now.today,
    };
    let mut doc = StoredDoc::create(
        group_doc_id(&group.id),
        meta,
        &group,
        store.actor(),
        now.today,
        now.millis,
    )
    .map_err(StoreError::from)?;
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "group.create",
            target: Some(group.id.0.clone()),
            subjects: vec![],
            valid_from: None,
        },
    )?;
    Ok(group)
}

/// A group of the Kita this node serves, for changing.
fn load_here(
    store: &Store,
    facility: &FacilityId,
    id: &GroupId,
) -> Result<(StoredDoc, Group), ActionError> {
    match store.find::<Group>(&group_doc_id(id))? {
        Some((doc, group)) if &group.facility == facility => Ok((doc, group)),
        _ => Err(ActionError::NotFound(id.0.clone())),
    }
}

/// Changes name, care type, size and lead educator of a group.
pub fn edit(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    id: &GroupId,
    input: &GroupInput,
    now: Now,
) -> Result<Group, ActionError> {
    let facility = at_this_kita(who, Action::ManageGroups { facility }, facility)?;
    let (mut doc, mut group) = load_here(store, &facility, id)?;
    let mut v = Validator::new();
    let parsed = input.parse(&mut v);
    if let Some((name, ..)) = &parsed {
        v.check(
            !groups_of(store, &facility)?
                .iter()
                .any(|g| g.id != group.id && g.name.eq_ignore_ascii_case(name)),
            "name",
            "Es gibt schon eine Gruppe mit diesem Namen / a group of that name exists",
        );
    }
    v.finish()?;
    let (name, care_type, size, lead_educator) = parsed.expect("checked");
    group.name = name;
    group.care_type = care_type;
    group.size = size;
    group.lead_educator = lead_educator;
    doc.update(&group, now.today, now.millis, "group.edit")?;
    store.save_doc(
        &mut doc,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "group.edit",
            target: Some(group.id.0.clone()),
            subjects: vec![],
            valid_from: None,
        },
    )?;
    Ok(group)
}

/// Where a child went.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    pub child: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Moves a child into a group (or out of every group): out of the old group and into the new
/// one in one transaction. The child must be under contract at this Kita, unless it is only
/// taken out.
pub fn move_child(
    store: &mut Store,
    who: &Principal,
    facility: Option<&FacilityId>,
    input: &MoveInput,
    now: Now,
) -> Result<Moved, ActionError> {
    let facility = at_this_kita(who, Action::ManageGroups { facility }, facility)?;
    let mut v = Validator::new();
    let child = input.child.trim().parse::<ChildId>().ok();
    v.check(child.is_some(), "child", "Kind wählen / choose a child");
    let target = match input.group.trim() {
        "" => None,
        g => {
            let id = g.parse::<GroupId>().ok();
            v.check(id.is_some(), "group", "Gruppe wählen / choose a group");
            id
        }
    };
    v.finish()?;
    let child = child.expect("checked");
    let mut docs: Vec<(StoredDoc, Group)> = Vec::new();
    for id in queries::group_doc_ids(store, &facility)? {
        docs.push(store.get::<Group>(&DocId(id))?);
    }
    if let Some(t) = &target {
        if !docs.iter().any(|(_, g)| &g.id == t) {
            return Err(ActionError::NotFound(t.0.clone()));
        }
        let mut v = Validator::new();
        v.check(
            queries::children_in_care(store, &facility, now.today)?
                .iter()
                .any(|c| c.id == child.0),
            "child",
            "Kind ist hier nicht unter Vertrag / child has no contract here",
        );
        v.finish()?;
    }
    let from = docs
        .iter()
        .find(|(_, g)| g.members.contains(&child))
        .map(|(_, g)| g.id.0.clone());
    let mut changed: Vec<StoredDoc> = Vec::new();
    for (mut doc, mut group) in docs {
        let before = group.members.len();
        group.members.retain(|m| m != &child);
        let joins = target.as_ref() == Some(&group.id);
        if joins {
            group.members.push(child.clone());
        }
        if group.members.len() != before || joins {
            doc.update(&group, now.today, now.millis, "group.move")?;
            changed.push(doc);
        }
    }
    let mut refs: Vec<&mut StoredDoc> = changed.iter_mut().collect();
    store.save_docs(
        &mut refs,
        &AuditEntry {
            at: now.millis,
            actor: who.audit_name(),
            action: "group.move",
            target: target.as_ref().map(|t| t.0.clone()),
            subjects: vec![child.0.clone()],
            valid_from: None,
        },
    )?;
    Ok(Moved {
        child: child.0,
        from,
        to: target.map(|t| t.0),
    })
}
