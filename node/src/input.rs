//! Typed command fields as the JSON API takes them: care types and payment modes by their
//! persisted names (`"kindergarten"`, `"direct-debit"`), hours and amounts as JSON numbers (a
//! string is accepted too). Forms parse their strings into the same typed commands.

use kitanetz_crdt::kinds::{CareType, PaymentMode};
use kitanetz_crdt::scalar::Dec;
use serde::de::{self, Deserializer, Visitor};
use serde::Serializer;
use std::fmt;
use std::str::FromStr;

/// A decimal from a JSON number or string. JSON numbers arrive as `f64`; the shortest text that
/// reads back as the same `f64` is what the sender wrote (`7.25`), so no float arithmetic
/// touches the value.
pub mod decimal {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Dec, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Dec, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Dec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number such as 7.5")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dec, E> {
                Ok(Dec(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dec, E> {
                Ok(Dec(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dec, E> {
                if !v.is_finite() {
                    return Err(E::custom("not a finite number"));
                }
                Dec::from_str(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dec, E> {
                Dec::from_str(&v.replace(',', ".")).map_err(|_| E::custom("not a number"))
            }
        }
        d.deserialize_any(V)
    }
}

/// A text field that a JSON client may also send as a number (`"daily_hours": 7.5`): kept as
/// the text the form would have, for the same checks and messages.
pub mod text {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = String;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text or a number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
                Ok(v.to_string())
            }
        }
        d.deserialize_any(V)
    }
}

/// Implements a serde module for an enum with `as_str`/`parse` (its persisted names).
macro_rules! named_enum {
    ($module:ident, $ty:ty, $what:literal) => {
        pub mod $module {
            use super::*;

            pub fn serialize<S: Serializer>(v: &$ty, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(v.as_str())
            }

            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                let s: std::borrow::Cow<'de, str> = serde::Deserialize::deserialize(d)?;
                <$ty>::parse(s.trim()).ok_or_else(|| {
                    de::Error::custom(format!(concat!("unknown ", $what, " {:?}"), s))
                })
            }
        }
    };
}

named_enum!(care_type, CareType, "care type");
named_enum!(payment_mode, PaymentMode, "payment mode");

/// A yes/no field as a form checkbox sends it (`"on"`, or its `value`, e.g. `"true"`; absent
/// when unchecked) and as the JSON API sends it (`true`/`false`). Forms go through
/// `#[serde(flatten)]`, which hands every value over as a string.
pub mod flag {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = bool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
                Ok(v)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
                match v.trim() {
                    "on" | "true" | "1" => Ok(true),
                    "" | "off" | "false" | "0" => Ok(false),
                    other => Err(E::custom(format!("not yes or no: {other:?}"))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Whether a yes/no field is set: a form checkbox sends "on", the JSON API `"true"`.
pub fn checked(flag: &str) -> bool {
    matches!(flag.trim(), "on" | "true" | "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Line {
        #[serde(with = "care_type")]
        care_type: CareType,
        #[serde(with = "decimal")]
        hours: Dec,
    }

    #[test]
    fn a_flag_from_a_checkbox_through_flatten_or_from_json() {
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct Inner {
            #[serde(deserialize_with = "flag::deserialize")]
            withdraw: bool,
        }
        #[derive(serde::Deserialize)]
        struct Posted {
            #[serde(flatten)]
            input: Inner,
        }
        // A form's values are strings (as `Form` hands them to a flattened struct).
        let form = |body: &str| serde_json::from_str::<Posted>(body).map(|p| p.input.withdraw);
        assert!(form(r#"{"withdraw":"true"}"#).unwrap());
        assert!(form(r#"{"withdraw":"on"}"#).unwrap());
        assert!(!form("{}").unwrap());
        assert!(form(r#"{"withdraw":"maybe"}"#).is_err());
        let json = |body: &str| serde_json::from_str::<Inner>(body).map(|i| i.withdraw);
        assert!(json(r#"{"withdraw":true}"#).unwrap());
        assert!(!json(r#"{"withdraw":false}"#).unwrap());
        assert!(json(r#"{"withdraw":1}"#).is_err());
    }

    #[test]
    fn numbers_and_names_as_the_api_takes_them() {
        let l: Line = serde_json::from_str(r#"{"care_type":"kindergarten","hours":7.25}"#).unwrap();
        assert_eq!(l.care_type, CareType::Kindergarten);
        assert_eq!(l.hours.to_string(), "7.25");
        let l: Line = serde_json::from_str(r#"{"care_type":"nursery","hours":"8,5"}"#).unwrap();
        assert_eq!(l.hours.to_string(), "8.5");
        let l: Line = serde_json::from_str(r#"{"care_type":"nursery","hours":9}"#).unwrap();
        assert_eq!(l.hours.to_string(), "9");
        assert!(serde_json::from_str::<Line>(r#"{"care_type":"Krippe","hours":9}"#).is_err());
        assert!(serde_json::from_str::<Line>(r#"{"care_type":"nursery","hours":"many"}"#).is_err());
    }
}
