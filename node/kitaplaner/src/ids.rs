//! Typed ids of the tables the export reads, from one macro, so that a line's service id can
//! never be passed where a facility id is expected.

use std::fmt;

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
            pub struct $name(pub String);

            impl fmt::Display for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(&self.0)
                }
            }

            impl From<&str> for $name {
                fn from(id: &str) -> $name {
                    $name(id.to_owned())
                }
            }
        )*
    };
}

typed_id!(
    /// A Leistung (service).
    ServiceId,
    /// An Einrichtung (facility, Orgeinheit/Institution).
    FacilityId,
    /// A Kontakt (a parent or other contact of the child).
    ContactId,
    /// A Betreuten Org.-Zuordnung (the child's assignment to a facility).
    OrgAssignmentId,
    /// A Betreuungsvereinbarungskopf (contract head).
    ContractHeadId,
    /// A Betreuungsvereinbarungszeile (contract line).
    ContractLineId,
);

/// Whether an external id counts as **filled** ("gefüllt", seed 001 line 11): a string that is
/// not empty after trimming. `null` and `"  "` are not filled.
pub fn is_filled(id: Option<&str>) -> bool {
    id.is_some_and(|s| !s.trim().is_empty())
}

/// The filled external id, or `None`.
pub fn filled(id: Option<&str>) -> Option<&str> {
    id.filter(|s| !s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filled_means_not_empty_after_trimming() {
        assert!(is_filled(Some("KP-1")));
        assert!(!is_filled(Some("")));
        assert!(!is_filled(Some(" \t ")));
        assert!(!is_filled(None));
        assert_eq!(filled(Some("0100123")), Some("0100123"));
        assert_eq!(filled(Some(" ")), None);
    }
}
