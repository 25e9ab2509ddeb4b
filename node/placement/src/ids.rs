//! Typed string ids, so that a child id can never be passed where a program id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// Wraps a string.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

string_id!(
    /// A program: facility × care type × start month, the unit that has seats.
    ProgramId
);
string_id!(
    /// A pseudonymous child (application) id.
    ChildId
);
string_id!(
    /// A facility (Kita); programs of one facility share it.
    FacilityId
);
string_id!(
    /// A group of children applying together (siblings on one application).
    GroupId
);
string_id!(
    /// A provider (Träger), used to scope local criteria.
    TraegerId
);
