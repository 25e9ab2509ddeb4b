//! Walks a case's JSON while keeping the path of every value, so that every refusal names the
//! offending field as the case writes it: `contracts[1].daily_hours`.
//!
//! "Empty" is one notion for every optional field: absent, `null` or a string of only blanks
//! (kdw-case.md: "Empty = null, missing or only blanks").

use crate::numbers::{number_to_decimal, parse_decimal};
use crate::period::Period;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

pub use kitanetz_case::CaseError;

pub(crate) use kitanetz_case::Path;

/// Parses the case text and checks its `format`.
pub(crate) fn case_root<'a>(value: &'a Value, format: &str) -> Result<Obj<'a>, CaseError> {
    let root = Obj::new(value, Path::root())?;
    match root.str("format")? {
        Some((f, _)) if f == format => Ok(root),
        Some((f, p)) => Err(p.error(format!("is {f:?}, this command reads {format:?}"))),
        None => Err(root
            .path
            .key("format")
            .error(format!("is required: {format:?}"))),
    }
}

/// The case text as JSON.
pub(crate) fn parse_json(text: &str) -> Result<Value, CaseError> {
    serde_json::from_str(text).map_err(|e| Path::root().error(format!("not valid JSON: {e}")))
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// An object of the case with its path.
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    pub path: Path,
}

impl<'a> Obj<'a> {
    /// `value` at `path` must be an object.
    pub fn new(value: &'a Value, path: Path) -> Result<Obj<'a>, CaseError> {
        match value {
            Value::Object(map) => Ok(Obj { map, path }),
            _ => Err(path.error("must be an object")),
        }
    }

    /// Refuses a key that is not one of `fields`, so that a misspelt field is not silently
    /// taken for an absent one; the error names the unknown key's path.
    pub fn only_fields(&self, fields: &[&str]) -> Result<(), CaseError> {
        match self.map.keys().find(|key| !fields.contains(&key.as_str())) {
            None => Ok(()),
            Some(key) => Err(self.path.key(key).error(format!(
                "is not a field here; the fields are {}",
                fields.join(", ")
            ))),
        }
    }

    /// The value under `key` unless it is empty.
    pub fn get(&self, key: &str) -> Option<(&'a Value, Path)> {
        self.map
            .get(key)
            .filter(|v| !is_blank(v))
            .map(|v| (v, self.path.key(key)))
    }

    /// The object under `key`; empty when absent or `null`.
    pub fn object(&self, key: &str) -> Result<Option<Obj<'a>>, CaseError> {
        self.get(key).map(|(v, p)| Obj::new(v, p)).transpose()
    }

    pub fn str(&self, key: &str) -> Result<Option<(&'a str, Path)>, CaseError> {
        self.get(key)
            .map(|(v, p)| match v.as_str() {
                Some(s) => Ok((s, p)),
                None => Err(p.error("must be a string")),
            })
            .transpose()
    }

    /// A required, non-empty string (ids).
    pub fn required_str(&self, key: &str) -> Result<&'a str, CaseError> {
        self.str(key)?
            .map(|(s, _)| s)
            .ok_or_else(|| self.path.key(key).error("is required"))
    }

    /// Free text: a string, or a number written as text (`"0"` and `0` are the same entry).
    pub fn text(&self, key: &str) -> Result<Option<(String, Path)>, CaseError> {
        self.get(key)
            .map(|(v, p)| match v {
                Value::String(s) => Ok((s.clone(), p)),
                Value::Number(n) => Ok((n.to_string(), p)),
                _ => Err(p.error("must be a string")),
            })
            .transpose()
    }

    /// `true` or `false`; absent is `default`.
    pub fn bool_or(&self, key: &str, default: bool) -> Result<bool, CaseError> {
        match self.get(key) {
            None => Ok(default),
            Some((v, p)) => v.as_bool().ok_or_else(|| p.error("must be true or false")),
        }
    }

    /// `true` or `false`, no default.
    pub fn required_bool(&self, key: &str) -> Result<bool, CaseError> {
        match self.get(key) {
            None => Err(self.path.key(key).error("is required: true or false")),
            Some(_) => self.bool_or(key, false),
        }
    }

    pub fn date(&self, key: &str) -> Result<Option<NaiveDate>, CaseError> {
        self.get(key)
            .map(|(v, p)| {
                v.as_str()
                    .and_then(parse_date)
                    .ok_or_else(|| p.error("must be a date \"YYYY-MM-DD\""))
            })
            .transpose()
    }

    pub fn required_date(&self, key: &str) -> Result<NaiveDate, CaseError> {
        self.date(key)?.ok_or_else(|| {
            self.path
                .key(key)
                .error("is required (a date \"YYYY-MM-DD\")")
        })
    }

    /// From `start_key` (required) to `end_key` inclusive; an empty end is open.
    pub fn period(&self, start_key: &str, end_key: &str) -> Result<Period, CaseError> {
        let start = self.required_date(start_key)?;
        let end = self.date(end_key)?;
        Period::new(start, end).ok_or_else(|| {
            self.path
                .key(end_key)
                .error(format!("is before {start_key}"))
        })
    }

    /// A decimal as a string (`"4.5"`) or a JSON number.
    pub fn decimal(&self, key: &str) -> Result<Option<(Decimal, Path)>, CaseError> {
        self.get(key)
            .map(|(v, p)| {
                let parsed = match v {
                    Value::String(s) => parse_decimal(s.trim()),
                    Value::Number(n) => number_to_decimal(n),
                    _ => None,
                };
                parsed
                    .map(|d| (d, p.clone()))
                    .ok_or_else(|| p.error("must be a decimal number, e.g. \"4.5\""))
            })
            .transpose()
    }

    /// Hours (per week or day): a decimal ≥ 0.
    pub fn hours(&self, key: &str) -> Result<Option<Decimal>, CaseError> {
        match self.decimal(key)? {
            Some((hours, path)) if hours < Decimal::ZERO => Err(path.error("must not be negative")),
            other => Ok(other.map(|(hours, _)| hours)),
        }
    }

    /// A whole number ≥ 0, as a JSON number or a string of digits.
    pub fn whole(&self, key: &str) -> Result<Option<(u32, Path)>, CaseError> {
        self.get(key)
            .map(|(v, p)| {
                let parsed = match v {
                    Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
                    Value::String(s) => s.trim().parse::<u32>().ok(),
                    _ => None,
                };
                parsed
                    .map(|n| (n, p.clone()))
                    .ok_or_else(|| p.error("must be a whole number ≥ 0"))
            })
            .transpose()
    }

    /// Days per week: 0 to 7.
    pub fn days_per_week(&self, key: &str) -> Result<Option<u32>, CaseError> {
        match self.whole(key)? {
            Some((days, path)) if days > 7 => {
                Err(path.error("must be a number of days from 0 to 7"))
            }
            other => Ok(other.map(|(days, _)| days)),
        }
    }

    /// A list, each item with its path; absent is empty.
    pub fn list(&self, key: &str) -> Result<Vec<(&'a Value, Path)>, CaseError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some((Value::Array(items), p)) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| (v, p.index(i)))
                .collect()),
            Some((_, p)) => Err(p.error("must be a list")),
        }
    }

    /// The list under `key` read by `parse`, each item an object; `id` must be unique in it.
    pub fn records<T>(
        &self,
        key: &str,
        parse: impl Fn(&Obj<'a>) -> Result<T, CaseError>,
        id: impl Fn(&T) -> &str,
    ) -> Result<Vec<T>, CaseError> {
        let mut seen = std::collections::BTreeSet::new();
        let mut records = Vec::new();
        for (value, path) in self.list(key)? {
            let obj = Obj::new(value, path)?;
            let record = parse(&obj)?;
            check_unique(&mut seen, id(&record), &obj.path)?;
            records.push(record);
        }
        Ok(records)
    }

    /// One of the named values.
    pub fn choice<T: Copy>(
        &self,
        key: &str,
        choices: &[(&str, T)],
    ) -> Result<Option<T>, CaseError> {
        self.str(key)?
            .map(|(text, p)| {
                choices
                    .iter()
                    .find(|(name, _)| *name == text)
                    .map(|(_, value)| *value)
                    .ok_or_else(|| {
                        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
                        p.error(format!("{text:?} is not one of {}", names.join(", ")))
                    })
            })
            .transpose()
    }

    pub fn required_choice<T: Copy>(
        &self,
        key: &str,
        choices: &[(&str, T)],
    ) -> Result<T, CaseError> {
        self.choice(key, choices)?.ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            self.path
                .key(key)
                .error(format!("is required: one of {}", names.join(", ")))
        })
    }
}

/// An ISO date `YYYY-MM-DD`, zero-padded.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let well_formed = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    well_formed
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
}

/// Ids must be unique within their list.
pub(crate) fn check_unique(
    seen: &mut std::collections::BTreeSet<String>,
    id: &str,
    path: &Path,
) -> Result<(), CaseError> {
    if seen.insert(id.to_owned()) {
        Ok(())
    } else {
        Err(path.key("id").error(format!("{id:?} is used twice")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_are_strict_iso() {
        assert!(parse_date("2011-04-01").is_some());
        for bad in ["2011-4-1", "2011-02-30", "01.04.2011", "2011-04-01T00:00"] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn blanks_are_empty_and_errors_name_the_path() {
        let v = json!({ "a": "  ", "b": null, "c": [ { "d": "x" } ] });
        let root = Obj::new(&v, Path::root()).unwrap();
        assert!(root.get("a").is_none() && root.get("b").is_none() && root.get("z").is_none());
        let (item, path) = root.list("c").unwrap().remove(0);
        let item = Obj::new(item, path).unwrap();
        let err = item.decimal("d").unwrap_err();
        assert_eq!(err.field, "c[0].d");
        assert_eq!(
            err.to_string(),
            "c[0].d: must be a decimal number, e.g. \"4.5\""
        );
        assert_eq!(Path::root().error("x").to_string(), "x");
    }

    #[test]
    fn unknown_fields_and_missing_booleans_are_named() {
        let v = json!({ "id": "a", "birthdate": "2010-01-01", "flag": null });
        let obj = Obj::new(&v, Path::root().key("children").index(2)).unwrap();
        let err = obj.only_fields(&["id", "flag"]).unwrap_err();
        assert_eq!(err.field, "children[2].birthdate");
        assert!(obj.only_fields(&["id", "flag", "birthdate"]).is_ok());
        assert_eq!(
            obj.required_bool("flag").unwrap_err().to_string(),
            "children[2].flag: is required: true or false"
        );
    }

    #[test]
    fn periods_hours_and_days_are_checked_where_they_are_read() {
        let v = json!({ "from": "2012-03-01", "until": "2012-02-29", "h": "-1", "d": 8 });
        let obj = Obj::new(&v, Path::root()).unwrap();
        assert_eq!(
            obj.period("from", "until").unwrap_err().to_string(),
            "until: is before from"
        );
        assert!(obj.period("from", "none").unwrap().end().is_none());
        assert_eq!(obj.hours("h").unwrap_err().field, "h");
        assert_eq!(obj.days_per_week("d").unwrap_err().field, "d");
    }
}
