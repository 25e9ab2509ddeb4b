//! Walks the case JSON while keeping the path of every value, so that every refusal names the
//! offending field the way the case format writes it: `contracts[0].lines[1].from`.

use super::CaseError;
use crate::hours::Hours;
use chrono::NaiveDate;
use serde_json::{Map, Value};

pub(crate) use kitanetz_case::Path;

/// An object of the case with its path. Keys the format does not list are ignored (§1: "Ignore
/// keys that are not listed here").
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

    /// Whether the key is there at all, `null` included.
    pub fn has_key(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn require(&self, key: &str) -> Result<(&'a Value, Path), CaseError> {
        self.get(key)
            .ok_or_else(|| self.path.key(key).error("is required"))
    }

    pub fn object(&self, key: &str) -> Result<Option<Obj<'a>>, CaseError> {
        self.get(key).map(|(v, p)| Obj::new(v, p)).transpose()
    }

    pub fn require_object(&self, key: &str) -> Result<Obj<'a>, CaseError> {
        let (v, p) = self.require(key)?;
        Obj::new(v, p)
    }

    pub fn str(&self, key: &str) -> Result<Option<&'a str>, CaseError> {
        self.get(key)
            .map(|(v, p)| {
                v.as_str()
                    .ok_or_else(|| p.error("must be a string or null"))
            })
            .transpose()
    }

    pub fn require_str(&self, key: &str) -> Result<&'a str, CaseError> {
        let (v, p) = self.require(key)?;
        v.as_str().ok_or_else(|| p.error("must be a string"))
    }

    /// A boolean; absent or `null` is `default`.
    pub fn bool_or(&self, key: &str, default: bool) -> Result<bool, CaseError> {
        match self.get(key) {
            None => Ok(default),
            Some((v, p)) => v.as_bool().ok_or_else(|| p.error("must be true or false")),
        }
    }

    pub fn require_bool(&self, key: &str) -> Result<bool, CaseError> {
        let (v, p) = self.require(key)?;
        v.as_bool().ok_or_else(|| p.error("must be true or false"))
    }

    pub fn require_integer(&self, key: &str) -> Result<i64, CaseError> {
        let (v, p) = self.require(key)?;
        v.as_i64()
            .ok_or_else(|| p.error("must be a JSON integer (not a string, not 6.0)"))
    }

    pub fn date(&self, key: &str) -> Result<Option<NaiveDate>, CaseError> {
        self.get(key).map(|(v, p)| date(v, &p)).transpose()
    }

    pub fn require_date(&self, key: &str) -> Result<NaiveDate, CaseError> {
        let (v, p) = self.require(key)?;
        date(v, &p)
    }

    pub fn hours(&self, key: &str) -> Result<Option<Hours>, CaseError> {
        self.get(key)
            .map(|(v, p)| {
                v.as_str().and_then(Hours::parse).ok_or_else(|| {
                    p.error(
                        "must be hours ≥ 0 as a decimal string, e.g. \"8\" or \"0.5\" (never a \
                         JSON number)",
                    )
                })
            })
            .transpose()
    }

    /// A list, each item with its path; `required` refuses an absent or `null` list.
    pub fn list(&self, key: &str, required: bool) -> Result<Vec<(&'a Value, Path)>, CaseError> {
        match self.get(key) {
            None if required => Err(self.path.key(key).error("is required (a list)")),
            None => Ok(Vec::new()),
            Some((Value::Array(items), p)) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| (v, p.index(i)))
                .collect()),
            Some((_, p)) => Err(p.error("must be a list")),
        }
    }

    /// A list of objects.
    pub fn objects(&self, key: &str, required: bool) -> Result<Vec<Obj<'a>>, CaseError> {
        self.list(key, required)?
            .into_iter()
            .map(|(v, p)| Obj::new(v, p))
            .collect()
    }
}

/// A valid calendar day written `YYYY-MM-DD`.
pub(crate) fn date(value: &Value, path: &Path) -> Result<NaiveDate, CaseError> {
    value
        .as_str()
        .and_then(parse_date)
        .ok_or_else(|| path.error("must be a valid date \"YYYY-MM-DD\""))
}

/// `YYYY-MM-DD` exactly: four-digit year, no sign, no time.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}
