//! Reading typed values out of automerge documents, each object read whole.

use automerge::{self as am, AutoCommit, AutomergeError, ObjId, ObjType, Value};
use std::cell::RefCell;
use std::ops::RangeBounds;

/// A document as autosurgeon's `Hydrate` reads it, with each map and list read whole at its
/// first field: one pass over the object's operations instead of one seek per field. A typed
/// value asks for every field of every object it has, and in automerge 0.12 each `get` seeks
/// through the document's columns anew: reading thousands of applications for a placement round
/// spent most of its time there. Everything but `get` (and a list's length) goes to the document.
pub(crate) struct WholeObjects<'a> {
    doc: &'a AutoCommit,
    read: RefCell<Vec<(ObjId, Fields)>>,
}

/// An object's visible fields, each with the value that wins, as `get` would return it.
enum Fields {
    Map(Vec<(String, Value<'static>, ObjId)>),
    List(Vec<(Value<'static>, ObjId)>),
    /// Text and anything else: asked of the document field by field.
    Other,
}

impl<'a> WholeObjects<'a> {
    pub(crate) fn new(doc: &'a AutoCommit) -> Self {
        WholeObjects {
            doc,
            read: RefCell::new(Vec::new()),
        }
    }

    fn fields_of(&self, obj: &ObjId) -> Fields {
        match am::ReadDoc::object_type(self.doc, obj) {
            Ok(ObjType::Map | ObjType::Table) => Fields::Map(
                am::ReadDoc::map_range(self.doc, obj, ..)
                    .map(|item| {
                        let id = item.id();
                        (item.key.to_string(), item.value.into_value(), id)
                    })
                    .collect(),
            ),
            Ok(ObjType::List) => Fields::List(
                am::ReadDoc::list_range(self.doc, obj, ..)
                    .map(|item| {
                        let id = item.id();
                        (item.value.into_value(), id)
                    })
                    .collect(),
            ),
            _ => Fields::Other,
        }
    }

    /// `f` on the fields of `obj`, read at the first call for it.
    fn with_fields<R>(&self, obj: &ObjId, f: impl FnOnce(&Fields) -> R) -> R {
        if let Some((_, fields)) = self.read.borrow().iter().find(|(id, _)| id == obj) {
            return f(fields);
        }
        let fields = self.fields_of(obj);
        let out = f(&fields);
        self.read.borrow_mut().push((obj.clone(), fields));
        out
    }
}

impl autosurgeon::ReadDoc for WholeObjects<'_> {
    type Parents<'b>
        = am::Parents<'b>
    where
        Self: 'b;

    fn get_heads(&self) -> Vec<am::ChangeHash> {
        autosurgeon::ReadDoc::get_heads(self.doc)
    }

    fn get<P: Into<am::Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Option<(Value<'_>, ObjId)>, AutomergeError> {
        let prop = prop.into();
        let found = self.with_fields(obj, |fields| match (fields, &prop) {
            (Fields::Map(fields), am::Prop::Map(key)) => Some(
                fields
                    .iter()
                    .find(|(k, _, _)| k == key)
                    .map(|(_, value, id)| (value.clone(), id.clone())),
            ),
            (Fields::List(items), am::Prop::Seq(index)) => Some(
                items
                    .get(*index)
                    .map(|(value, id)| (value.clone(), id.clone())),
            ),
            // Text, or a key that does not fit the object: the document answers (or errs).
            _ => None,
        });
        match found {
            Some(found) => Ok(found),
            None => am::ReadDoc::get(self.doc, obj, prop),
        }
    }

    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<am::ObjType> {
        autosurgeon::ReadDoc::object_type(self.doc, obj)
    }

    fn map_range<'b, O, R>(&'b self, obj: O, range: R) -> am::iter::MapRange<'b>
    where
        R: RangeBounds<String> + 'b,
        O: AsRef<ObjId>,
        R: RangeBounds<String>,
    {
        am::ReadDoc::map_range(self.doc, obj, range)
    }

    fn list_range<O: AsRef<ObjId>, R: RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> am::iter::ListRange<'_> {
        am::ReadDoc::list_range(self.doc, obj, range)
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        let obj = obj.as_ref();
        match self.with_fields(obj, |fields| match fields {
            Fields::List(items) => Some(items.len()),
            _ => None,
        }) {
            Some(len) => len,
            None => am::ReadDoc::length(self.doc, obj),
        }
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, AutomergeError> {
        am::ReadDoc::text(self.doc, obj)
    }

    fn parents<O: AsRef<ObjId>>(&self, obj: O) -> Result<Self::Parents<'_>, AutomergeError> {
        am::ReadDoc::parents(self.doc, obj)
    }

    fn is_empty(&self) -> bool {
        autosurgeon::ReadDoc::is_empty(self.doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autosurgeon::{hydrate_prop, reconcile_prop, Hydrate, Reconcile};
    use std::collections::BTreeMap;

    #[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
    struct Item {
        name: String,
        count: u32,
        note: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
    struct Value {
        title: String,
        items: Vec<Item>,
        tags: BTreeMap<String, i64>,
        nested: Vec<Vec<String>>,
        absent: Option<Item>,
    }

    /// What `Hydrate` reads through [`WholeObjects`] is what it reads from the document, also
    /// where two nodes wrote the same field at once (the same value wins).
    #[test]
    fn reads_what_the_document_holds_conflicts_included() {
        let value = Value {
            title: "Kita".into(),
            items: vec![
                Item {
                    name: "a".into(),
                    count: 1,
                    note: None,
                },
                Item {
                    name: "b".into(),
                    count: 2,
                    note: Some("x".into()),
                },
            ],
            tags: [("k".to_string(), -3)].into_iter().collect(),
            nested: vec![vec![], vec!["y".into(), "z".into()]],
            absent: None,
        };
        let mut here = AutoCommit::new().with_actor(am::ActorId::from(b"actor-1".as_slice()));
        reconcile_prop(&mut here, am::ROOT, "value", &value).unwrap();
        here.commit();
        let mut there = here
            .fork()
            .with_actor(am::ActorId::from(b"actor-2".as_slice()));
        let mut a = value.clone();
        a.title = "Kita A".into();
        a.items[1].count = 5;
        reconcile_prop(&mut here, am::ROOT, "value", &a).unwrap();
        let mut b = value.clone();
        b.title = "Kita B".into();
        b.items.push(Item {
            name: "c".into(),
            count: 3,
            note: None,
        });
        reconcile_prop(&mut there, am::ROOT, "value", &b).unwrap();
        here.merge(&mut there).unwrap();
        let direct: Value = hydrate_prop(&here, am::ROOT, "value").unwrap();
        let whole: Value = hydrate_prop(&WholeObjects::new(&here), am::ROOT, "value").unwrap();
        assert_eq!(whole, direct);
        assert!(
            hydrate_prop::<_, Value, _, _>(&WholeObjects::new(&here), am::ROOT, "none").is_err()
        );
    }
}
