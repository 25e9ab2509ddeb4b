//! Scalar newtypes stored as canonical strings inside automerge documents.
//!
//! Dates are ISO `YYYY-MM-DD`, money and hours are `rust_decimal` canonical strings: both are
//! persisted formats, read back by every node, so they must never change shape.

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A calendar date (no time zone), stored as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Date(pub NaiveDate);

impl Date {
    pub fn ymd(y: i32, m: u32, d: u32) -> Date {
        Date(NaiveDate::from_ymd_opt(y, m, d).expect("valid calendar date"))
    }

    /// The years a date typed by a person may have: anything outside is a typing error (a
    /// contract from the year 1 or 10000), refused wherever a date comes in.
    pub const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

    /// Whether the date lies in [`Date::PLAUSIBLE_YEARS`].
    pub fn is_plausible(self) -> bool {
        Self::PLAUSIBLE_YEARS.contains(&chrono::Datelike::year(&self.0))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl FromStr for Date {
    type Err = chrono::ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Date)
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

/// A decimal amount (euros, hours, coordinates), stored as its canonical string.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Dec(#[serde(with = "rust_decimal::serde::str")] pub Decimal);

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl FromStr for Dec {
    type Err = rust_decimal::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decimal::from_str(s.trim()).map(Dec)
    }
}

impl From<Decimal> for Dec {
    fn from(d: Decimal) -> Self {
        Dec(d)
    }
}

/// Implements `Reconcile`/`Hydrate` for a type that round-trips through `Display`/`FromStr`.
#[macro_export]
macro_rules! string_scalar {
    ($ty:ty) => {
        impl ::autosurgeon::Reconcile for $ty {
            type Key<'a> = ::autosurgeon::reconcile::NoKey;
            fn reconcile<R: ::autosurgeon::Reconciler>(
                &self,
                mut reconciler: R,
            ) -> Result<(), R::Error> {
                reconciler.str(self.to_string())
            }
        }
        impl ::autosurgeon::Hydrate for $ty {
            fn hydrate_string(s: &'_ str) -> Result<Self, ::autosurgeon::HydrateError> {
                s.parse().map_err(|_| {
                    ::autosurgeon::HydrateError::unexpected(
                        stringify!($ty),
                        format!("unparseable value {s:?}"),
                    )
                })
            }
        }
    };
}

// Written out once by hand so the macro above has a template that is type-checked in this crate.
impl Reconcile for Date {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        reconciler.str(self.to_string())
    }
}
impl Hydrate for Date {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        s.parse()
            .map_err(|_| HydrateError::unexpected("date YYYY-MM-DD", s.to_string()))
    }
}
string_scalar!(Dec);
