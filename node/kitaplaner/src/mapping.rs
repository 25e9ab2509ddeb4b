//! The mapping table from summed daily hours to `BETREUUNGSZEIT_ID` (seed 001 lines 17–35 and
//! 37: "mithilfe einer Mappingtabelle … in die entsprechenden BETREUUNGSZEIT_ID Werte
//! übersetzt"). The Land's table of 14.08.2020 is the default; a city may configure its own.

use crate::hours::Hours;

/// One entry: hours up to and including `max_hours` map to `id`; `None` is "above every other
/// entry" (the seed's "über 9h").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingEntry {
    pub max_hours: Option<Hours>,
    pub id: i64,
}

/// A mapping table that always yields an id: it holds exactly one open-ended entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BetreuungszeitMapping {
    /// Ascending by `max_hours`, the open-ended entry last; entries with equal `max_hours` keep
    /// the order they were given in.
    entries: Vec<MappingEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error(
        "the mapping needs exactly one entry without max_hours (the \"über\" entry); it has {0}"
    )]
    OpenEntries(usize),
}

impl BetreuungszeitMapping {
    /// A mapping from entries in any order.
    pub fn new(mut entries: Vec<MappingEntry>) -> Result<BetreuungszeitMapping, MappingError> {
        let open = entries.iter().filter(|e| e.max_hours.is_none()).count();
        if open != 1 {
            return Err(MappingError::OpenEntries(open));
        }
        // A stable sort; `None` sorts last through the key (bounded entries first).
        entries.sort_by_key(|e| (e.max_hours.is_none(), e.max_hours));
        Ok(BetreuungszeitMapping { entries })
    }

    /// The Land Schleswig-Holstein's table as of 14.08.2020 (seed 001 lines 21–35):
    /// bis 3h → 1, bis 4h → 2, … bis 9h → 7, über 9h → 8.
    pub fn seed_default() -> BetreuungszeitMapping {
        let bounded = (3..=9).map(|hours: i64| MappingEntry {
            max_hours: Some(Hours::new(hours.into()).expect("positive")),
            id: hours - 2,
        });
        let open = MappingEntry {
            max_hours: None,
            id: 8,
        };
        BetreuungszeitMapping::new(bounded.chain(std::iter::once(open)).collect())
            .expect("one open entry")
    }

    /// The id of the first entry, ascending by `max_hours`, with `hours <= max_hours`; "bis 3h"
    /// includes exactly 3 h.
    pub fn id_for(&self, hours: Hours) -> i64 {
        self.entries
            .iter()
            .find(|e| e.max_hours.is_none_or(|max| hours <= max))
            .map(|e| e.id)
            .expect("the open-ended entry matches every number of hours")
    }

    pub fn entries(&self) -> &[MappingEntry] {
        &self.entries
    }
}

impl Default for BetreuungszeitMapping {
    fn default() -> BetreuungszeitMapping {
        BetreuungszeitMapping::seed_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Hours {
        Hours::parse(s).unwrap()
    }

    #[test]
    fn the_seed_table_maps_bounds_inclusively() {
        let m = BetreuungszeitMapping::seed_default();
        let cases = [
            ("0", 1),
            ("3", 1),
            ("3.0", 1),
            ("3.01", 2),
            ("4", 2),
            ("5", 3),
            ("6", 4),
            ("7", 5),
            ("7.5", 6),
            ("8", 6),
            ("9", 7),
            ("9.0", 7),
            ("9.01", 8),
            ("12", 8),
        ];
        for (hours, id) in cases {
            assert_eq!(m.id_for(h(hours)), id, "{hours} h");
        }
    }

    #[test]
    fn entries_may_come_in_any_order() {
        let m = BetreuungszeitMapping::new(vec![
            MappingEntry {
                max_hours: None,
                id: 30,
            },
            MappingEntry {
                max_hours: Some(h("10")),
                id: 20,
            },
            MappingEntry {
                max_hours: Some(h("4.5")),
                id: 10,
            },
        ])
        .unwrap();
        assert_eq!(m.id_for(h("4.5")), 10);
        assert_eq!(m.id_for(h("4.51")), 20);
        assert_eq!(m.id_for(h("10")), 20);
        assert_eq!(m.id_for(h("10.5")), 30);
    }

    #[test]
    fn needs_exactly_one_open_entry() {
        assert_eq!(
            BetreuungszeitMapping::new(vec![MappingEntry {
                max_hours: Some(h("3")),
                id: 1
            }]),
            Err(MappingError::OpenEntries(0))
        );
        let two = vec![
            MappingEntry {
                max_hours: None,
                id: 1,
            },
            MappingEntry {
                max_hours: None,
                id: 2,
            },
        ];
        assert_eq!(
            BetreuungszeitMapping::new(two),
            Err(MappingError::OpenEntries(2))
        );
    }
}
