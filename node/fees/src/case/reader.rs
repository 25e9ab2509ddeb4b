//! Walks the case JSON while keeping the path of every value, so that every refusal names the
//! offending field the way the case format writes it: `children[1].changes[0].daily_hours`.

use super::CaseError;
use crate::money::{parse_plain_decimal, Money};
use crate::month::{parse_date, Month};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

pub(crate) use kitanetz_case::Path;

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

    /// The value under `key`; absent and `null` are the same.
    pub fn get(&self, key: &str) -> Option<(&'a Value, Path)> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some((v, self.path.key(key))),
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn require(&self, key: &str) -> Result<(&'a Value, Path), CaseError> {
        self.get(key)
            .ok_or_else(|| self.path.key(key).error("is required"))
    }

    /// Refuses keys other than `allowed` (where a misspelt line must not silently vanish).
    pub fn deny_unknown(&self, allowed: &[&str]) -> Result<(), CaseError> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(unknown) => Err(self.path.key(unknown).error(format!(
                "is not a known field here; known: {}",
                allowed.join(", ")
            ))),
            None => Ok(()),
        }
    }

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

    pub fn bool(&self, key: &str) -> Result<Option<bool>, CaseError> {
        self.get(key)
            .map(|(v, p)| v.as_bool().ok_or_else(|| p.error("must be true or false")))
            .transpose()
    }

    /// A whole number ≥ 0.
    pub fn count(&self, key: &str) -> Result<Option<(u32, Path)>, CaseError> {
        self.get(key)
            .map(
                |(v, p)| match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
                    Some(n) => Ok((n, p)),
                    None => Err(p.error("must be a whole number ≥ 0")),
                },
            )
            .transpose()
    }

    pub fn money(&self, key: &str) -> Result<Option<Money>, CaseError> {
        self.get(key).map(|(v, p)| money(v, &p)).transpose()
    }

    /// An amount; absent is 0.00 (the form's empty line).
    pub fn money_or_zero(&self, key: &str) -> Result<Money, CaseError> {
        Ok(self.money(key)?.unwrap_or(Money::ZERO))
    }

    pub fn month(&self, key: &str) -> Result<Option<(Month, Path)>, CaseError> {
        self.get(key)
            .map(|(v, p)| month(v, &p).map(|m| (m, p)))
            .transpose()
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

    /// A list, each item with its path.
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

    /// A list of amounts; absent is empty.
    pub fn money_list(&self, key: &str) -> Result<Vec<Money>, CaseError> {
        self.list(key)?
            .into_iter()
            .map(|(v, p)| money(v, &p))
            .collect()
    }

    /// One of the named values.
    pub fn choice<T: Copy>(
        &self,
        key: &str,
        choices: &[(&str, T)],
    ) -> Result<Option<(T, Path)>, CaseError> {
        self.str(key)?
            .map(|(s, p)| choose(s, &p, choices).map(|c| (c, p)))
            .transpose()
    }
}

pub(crate) fn choose<T: Copy>(
    text: &str,
    path: &Path,
    choices: &[(&str, T)],
) -> Result<T, CaseError> {
    choices
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            path.error(format!("{text:?} is not one of {}", names.join(", ")))
        })
}

pub(crate) fn money(value: &Value, path: &Path) -> Result<Money, CaseError> {
    match value.as_str() {
        Some(s) => Money::parse(s).map_err(|e| path.error(format!("{s:?} {e}"))),
        None => Err(path
            .error("must be an amount written as a string, e.g. \"12.34\" (never a JSON number)")),
    }
}

pub(crate) fn month(value: &Value, path: &Path) -> Result<Month, CaseError> {
    value
        .as_str()
        .and_then(Month::parse)
        .ok_or_else(|| path.error("must be a month \"YYYY-MM\""))
}

/// A decimal written as a string (`"4.5"`, `"50"`): hours and percentages.
pub(crate) fn decimal(value: &Value, path: &Path) -> Result<Decimal, CaseError> {
    value
        .as_str()
        .and_then(parse_plain_decimal)
        .ok_or_else(|| path.error("must be a decimal number written as a string, e.g. \"4.5\""))
}
