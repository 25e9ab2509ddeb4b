//! The Kita of the bootstrap scenario: 200 children with three years of history, built from the
//! demo city.

use automerge::AutoCommit;
use chrono::{Datelike, Months, NaiveDate};
use kitanetz_crdt::ids::{doc_id_for, ChildId, ContractLineId, FacilityId, ProviderId};
use kitanetz_crdt::kinds::{CareContract, Family, Group};
use kitanetz_crdt::scalar::{Date, Dec};
use kitanetz_crdt::{DocId, DocKind, DocMeta, Document, StoredDoc};
use kitanetz_sync::fixtures::today;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

use crate::scenario::{created, kita_meta, millis};

/// A Kita's documents as the Kita holds them, with history.
pub struct KitaData {
    pub provider: ProviderId,
    pub facility: FacilityId,
    pub children: usize,
    pub docs: Vec<(DocId, DocMeta, AutoCommit)>,
    pub commits: usize,
}

/// The node that creates the Kita's documents and commits their history.
const NODE: &str = "kita";

/// The Kita's documents being built, in order of creation, and the commits made so far.
struct Docs {
    provider: ProviderId,
    facility: FacilityId,
    list: Vec<(DocId, DocMeta, AutoCommit)>,
    position: BTreeMap<DocId, usize>,
    commits: usize,
}

impl Docs {
    fn new(provider: ProviderId, facility: FacilityId) -> Docs {
        Docs {
            provider,
            facility,
            list: Vec::new(),
            position: BTreeMap::new(),
            commits: 0,
        }
    }

    /// Creates a document (one commit) and returns its id.
    fn create<T: Document>(&mut self, id: DocId, kind: DocKind, value: &T, ts: i64) -> DocId {
        let meta = kita_meta(kind, &self.provider, &self.facility, NODE);
        let am = created(&id, &meta, value, NODE, ts);
        self.position.insert(id.clone(), self.list.len());
        self.list.push((id.clone(), meta, am));
        self.commits += 1;
        id
    }

    /// Runs `edit` on a document: `edit` either commits and returns true or leaves the document
    /// alone and returns false. Returns whether it committed.
    fn apply(&mut self, id: &DocId, edit: impl FnOnce(&mut StoredDoc) -> bool) -> bool {
        let entry = &mut self.list[self.position[id]];
        let mut sd = StoredDoc::from_automerge(id.clone(), entry.2.clone()).expect("readable");
        if !edit(&mut sd) {
            return false;
        }
        entry.1 = sd.meta.clone();
        entry.2 = sd.into_automerge();
        self.commits += 1;
        true
    }
}

/// Builds one Kita of `children_wanted` children with `months` months of history from the demo
/// city: the demo's Kitas have 60–80 children each, so the children of the other Kitas move into
/// the first one (their families and contracts re-pointed; contract lines lose their old group).
/// History: per month `per_month` contract changes (`CareContract::change_from`), half as many
/// guardian phone edits, and one group move, each its own commit with increasing timestamps.
pub fn build_kita(children_wanted: usize, months: u32, per_month: usize) -> KitaData {
    let world = kitanetz_datagen::generate(7, &kitanetz_datagen::Scale::demo(), today());
    let set = &world.facilities[0];
    let fid = set.profile.id.clone();
    let pid = set.profile.provider.clone();
    let start = Date(
        NaiveDate::from_ymd_opt(today().0.year(), today().0.month(), 1).expect("day")
            - Months::new(months),
    );
    let mut ts = millis(start);

    // Families in world order until there are enough children in care.
    let mut families = Vec::new();
    let mut moved: BTreeSet<ChildId> = BTreeSet::new();
    for fam in &world.families {
        if moved.len() >= children_wanted {
            break;
        }
        let mut fam = fam.clone();
        for c in &mut fam.children {
            if c.facility.is_some() {
                c.facility = Some(fid.clone());
                moved.insert(c.id.clone());
            }
        }
        families.push(fam);
    }
    let mut contracts: Vec<CareContract> = world
        .contracts
        .iter()
        .filter(|c| moved.contains(&c.child))
        .cloned()
        .collect();
    for c in &mut contracts {
        if c.facility != fid {
            c.facility = fid.clone();
            for l in &mut c.lines {
                l.group = None;
            }
        }
    }

    let mut docs = Docs::new(pid.clone(), fid.clone());
    docs.create(
        doc_id_for("profile", &fid.0),
        DocKind::FacilityProfile,
        &set.profile,
        ts,
    );
    let group_ids: Vec<DocId> = set
        .groups
        .iter()
        .map(|g| docs.create(doc_id_for("group", &g.id.0), DocKind::Group, g, ts))
        .collect();
    let family_ids: Vec<DocId> = families
        .iter()
        .map(|f| docs.create(doc_id_for("family", &f.id.0), DocKind::Family, f, ts))
        .collect();
    let contract_ids: Vec<DocId> = contracts
        .iter()
        .map(|c| {
            let id = doc_id_for("contract", &c.id.0);
            docs.create(id, DocKind::CareContract, c, ts)
        })
        .collect();

    // History. Deterministic round-robin over the documents (no randomness needed: the point is
    // many small commits spread over many documents, as a Kita's office produces them).
    let mut next_contract = 0usize;
    let mut next_family = 0usize;
    let mut line_no = 0usize;
    for m in 0..months {
        let month = Date(start.0 + Months::new(m));
        for e in 0..per_month {
            ts += 3_600_000;
            // Contract change from the first of the month; skip contracts not running then.
            for _ in 0..contract_ids.len() {
                let id = &contract_ids[next_contract % contract_ids.len()];
                next_contract += 1;
                line_no += 1;
                let hours = Decimal::new(5 + (line_no % 6) as i64, 0);
                let new_id = ContractLineId(format!("line-h{line_no}"));
                let done = docs.apply(id, |sd| {
                    let mut c: CareContract = sd.value().expect("contract");
                    if !c.period.contains(month) {
                        return false;
                    }
                    let Some(mut line) = c.line_on(month) else {
                        return false;
                    };
                    line.id = new_id;
                    line.daily_hours = Dec(hours);
                    if c.change_from(month, line).is_err() {
                        return false;
                    }
                    sd.update(&c, today(), ts, "contract.change")
                        .expect("valid")
                });
                if done {
                    break;
                }
            }
            if e % 2 == 0 {
                ts += 3_600_000;
                let id = &family_ids[next_family % family_ids.len()];
                next_family += 1;
                let phone = format!("0351 {:07}", 1_000_000 + line_no);
                docs.apply(id, |sd| {
                    let mut f: Family = sd.value().expect("family");
                    f.guardians[0].phone = phone;
                    sd.update(&f, today(), ts, "family.update").expect("valid")
                });
            }
        }
        // One group move a month: a child from one group to the next group.
        if group_ids.len() >= 2 {
            ts += 3_600_000;
            let from = &group_ids[m as usize % group_ids.len()];
            let to = &group_ids[(m as usize + 1) % group_ids.len()];
            let mut child = None;
            if docs.apply(from, |sd| {
                let mut g: Group = sd.value().expect("group");
                child = g.members.pop();
                child.is_some() && sd.update(&g, today(), ts, "group.move").expect("valid")
            }) {
                let child = child.expect("moved");
                docs.apply(to, |sd| {
                    let mut g: Group = sd.value().expect("group");
                    g.members.push(child);
                    sd.update(&g, today(), ts, "group.move").expect("valid")
                });
            }
        }
    }
    KitaData {
        provider: pid,
        facility: fid,
        children: moved.len(),
        docs: docs.list,
        commits: docs.commits,
    }
}
