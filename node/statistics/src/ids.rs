//! Typed ids of the case records: a contract id never stands where a group id is expected.

use serde::Serialize;
use std::fmt;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
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
    )*};
}

id_type! {
    /// A care contract of the Landeszuschuss count.
    ContractId;
    /// A child of the Kita-Data-Webhouse export.
    ChildId;
    /// A staff member of the Kita-Data-Webhouse export.
    StaffId;
    /// A Betreuungsgruppe.
    GroupId;
    /// A Betreuungsform (weekly hours and days per week, seed 002 L48).
    CareFormId;
}
