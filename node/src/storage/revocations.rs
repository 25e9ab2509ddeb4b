//! The highest revocation list in force on this node (ARCHITECTURE.md, "Sync between machines").
//! The store keeps it as opaque signed JSON; `node::links` verifies it against the root.

use super::{Store, StoreError};
use rusqlite::OptionalExtension;

impl Store {
    /// The revocation list kept for the root key `root` (hex), as (version, signed JSON).
    pub fn revocation_list(&self, root: &str) -> Result<Option<(u32, String)>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT version, list FROM revocations WHERE root = ?1")?
            .query_row([root], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Keeps `list` (signed JSON of version `version`) for `root` unless a list of this version
    /// or a higher one is kept already: the version kept never goes down. Returns whether the
    /// list was kept.
    pub fn keep_revocation_list(
        &self,
        root: &str,
        version: u32,
        list: &str,
    ) -> Result<bool, StoreError> {
        let changed = self
            .conn
            .prepare_cached(
                "INSERT INTO revocations (root, version, list) VALUES (?1, ?2, ?3)
             ON CONFLICT (root) DO UPDATE SET version = excluded.version, list = excluded.list
             WHERE excluded.version > revocations.version",
            )?
            .execute(rusqlite::params![root, version, list])?;
        Ok(changed > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::open_temp;

    #[test]
    fn the_kept_revocation_list_never_goes_down() {
        let (_dir, store) = open_temp();
        assert_eq!(store.revocation_list("root-a").unwrap(), None);
        assert!(store.keep_revocation_list("root-a", 3, "v3").unwrap());
        assert!(!store.keep_revocation_list("root-a", 2, "v2").unwrap());
        assert!(!store.keep_revocation_list("root-a", 3, "other v3").unwrap());
        assert_eq!(
            store.revocation_list("root-a").unwrap(),
            Some((3, "v3".into()))
        );
        assert!(store.keep_revocation_list("root-a", 4, "v4").unwrap());
        // Another root key's lists are kept apart (a city that starts a new root).
        assert!(store.keep_revocation_list("root-b", 1, "b1").unwrap());
        assert_eq!(
            store.revocation_list("root-a").unwrap(),
            Some((4, "v4".into()))
        );
        assert_eq!(
            store.revocation_list("root-b").unwrap(),
            Some((1, "b1".into()))
        );
    }
}
