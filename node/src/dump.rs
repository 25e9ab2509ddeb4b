//! `kitanetz dump`: a node's documents as JSON lines, and the check that the dumps of every
//! node of one network agree: no document held where its visibility forbids it, identical
//! heads for every document held more than once.

use crate::config::NodeConfig;
use crate::storage::{Store, StoreError};
use kitanetz_crdt::meta::DocMeta;
use kitanetz_crdt::policy::{may_hold, Membership};
use kitanetz_crdt::DocId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;

/// First line of a dump: which node, and what it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DumpHeader {
    pub node: DumpNode,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DumpNode {
    pub name: String,
    #[serde(flatten)]
    pub membership: Membership,
}

/// One document line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DumpDoc {
    pub id: String,
    pub kind: String,
    pub owner: String,
    pub provider: Option<String>,
    pub visibility: String,
    pub heads: Vec<String>,
    pub meta: DocMeta,
    pub value: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Doc(#[from] kitanetz_crdt::DocError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// Writes the header, then one line per document (sorted by id).
pub fn write_dump(
    store: &Store,
    config: &NodeConfig,
    out: &mut impl Write,
) -> Result<(), DumpError> {
    let header = DumpHeader {
        node: DumpNode {
            name: config.name.clone(),
            membership: config.membership(),
        },
    };
    writeln!(out, "{}", serde_json::to_string(&header)?)?;
    for row in store.doc_rows()? {
        let mut doc = store.load_doc(&DocId(row.doc_id.clone()))?;
        let line = DumpDoc {
            value: serde_json::to_value(doc.any_value()?)?,
            meta: doc.meta,
            id: row.doc_id,
            kind: row.kind,
            owner: row.owner,
            provider: row.provider,
            visibility: row.visibility,
            heads: row.heads,
        };
        writeln!(out, "{}", serde_json::to_string(&line)?)?;
    }
    Ok(())
}

/// Reads a dump written by [`write_dump`].
pub fn read_dump(text: &str) -> Result<(DumpNode, Vec<DumpDoc>), serde_json::Error> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: DumpHeader = serde_json::from_str(lines.next().unwrap_or(""))?;
    let docs = lines
        .map(serde_json::from_str)
        .collect::<Result<Vec<DumpDoc>, _>>()?;
    Ok((header.node, docs))
}

/// What [`check_dumps`] found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DumpCheck {
    pub nodes: usize,
    pub copies: usize,
    /// Documents held by more than one node.
    pub shared: usize,
    /// Each problem in one line; empty when the network is consistent.
    pub problems: Vec<String>,
}

/// Checks the dumps of every node of one network against each other and the policy.
pub fn check_dumps(dumps: &[(DumpNode, Vec<DumpDoc>)]) -> DumpCheck {
    let mut check = DumpCheck {
        nodes: dumps.len(),
        ..DumpCheck::default()
    };
    let mut heads: BTreeMap<&str, Vec<(&str, &Vec<String>)>> = BTreeMap::new();
    for (node, docs) in dumps {
        for d in docs {
            check.copies += 1;
            if !may_hold(&node.membership, &d.meta) {
                check.problems.push(format!(
                    "{} holds {} ({} {}, owner {}) that it may not hold",
                    node.name,
                    d.id,
                    d.meta.visibility(),
                    d.kind,
                    d.meta.owner
                ));
            }
            if d.visibility != d.meta.visibility().as_str() || d.kind != d.meta.kind.as_str() {
                check.problems.push(format!(
                    "{}: {} is listed as {} {} but its metadata says {} {}",
                    node.name,
                    d.id,
                    d.visibility,
                    d.kind,
                    d.meta.visibility(),
                    d.meta.kind
                ));
            }
            heads.entry(&d.id).or_default().push((&node.name, &d.heads));
        }
    }
    for (id, copies) in heads {
        if copies.len() > 1 {
            check.shared += 1;
        }
        if let Some((first_node, first)) = copies.first() {
            for (node, h) in &copies[1..] {
                if h != first {
                    check.problems.push(format!(
                        "{id}: heads differ between {first_node} and {node}"
                    ));
                }
            }
        }
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use kitanetz_crdt::ids::{FacilityId, OrgId, ProviderId};
    use kitanetz_crdt::meta::DocKind;
    use kitanetz_crdt::policy::NodeRole;
    use kitanetz_crdt::scalar::Date;

    fn kita(name: &str, provider: &str, facility: &str) -> DumpNode {
        DumpNode {
            name: name.into(),
            membership: Membership {
                role: NodeRole::Kita,
                organisation: OrgId(format!("org-{facility}")),
                provider: Some(ProviderId(provider.into())),
                facility: Some(FacilityId(facility.into())),
            },
        }
    }

    fn family(id: &str, provider: &str, facility: &str, heads: &[&str]) -> DumpDoc {
        let meta = DocMeta {
            kind: DocKind::Family,
            schema: 1,
            owner: OrgId(format!("org-{provider}")),
            provider: Some(ProviderId(provider.into())),
            facilities: vec![FacilityId(facility.into())],
            origin_node: "traeger".into(),
            created_on: Date::ymd(2026, 11, 2),
        };
        DumpDoc {
            id: id.into(),
            kind: "family".into(),
            owner: meta.owner.0.clone(),
            provider: Some(provider.into()),
            visibility: "personal".into(),
            heads: heads.iter().map(|h| h.to_string()).collect(),
            meta,
            value: serde_json::Value::Null,
        }
    }

    #[test]
    fn finds_a_document_held_where_it_may_not_be_and_diverged_heads() {
        let a = kita("kita-a", "prov-1", "fac-a");
        let b = kita("kita-b", "prov-1", "fac-b");
        let good = check_dumps(&[
            (
                a.clone(),
                vec![family("doc-f1", "prov-1", "fac-a", &["h1"])],
            ),
            (
                b.clone(),
                vec![family("doc-f2", "prov-1", "fac-b", &["h2"])],
            ),
        ]);
        assert!(good.problems.is_empty(), "{:?}", good.problems);
        assert_eq!((good.nodes, good.copies, good.shared), (2, 2, 0));

        let bad = check_dumps(&[
            (a, vec![family("doc-f1", "prov-1", "fac-a", &["h1"])]),
            (b, vec![family("doc-f1", "prov-1", "fac-a", &["h0"])]),
        ]);
        assert_eq!(bad.shared, 1);
        assert_eq!(bad.problems.len(), 2, "{:?}", bad.problems);
        assert!(bad.problems[0].contains("kita-b holds doc-f1"));
        assert!(bad.problems[1].contains("heads differ"));
    }

    #[test]
    fn a_dump_reads_back() {
        let node = kita("kita-a", "prov-1", "fac-a");
        let doc = family("doc-f1", "prov-1", "fac-a", &["h1"]);
        let text = format!(
            "{}\n{}\n",
            serde_json::to_string(&DumpHeader { node }).unwrap(),
            serde_json::to_string(&doc).unwrap()
        );
        let (node, docs) = read_dump(&text).unwrap();
        assert_eq!(node.name, "kita-a");
        assert_eq!(docs[0].meta, doc.meta);
    }
}
