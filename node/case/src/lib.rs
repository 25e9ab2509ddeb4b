//! What the `--case` readers of the statute crates (fees, staffing, Tagespflege, Kita-Planer,
//! statistics) share: a refusal that names the offending field the way the case format writes
//! it (`children[1].changes[0].daily_hours`), and the path that builds those names while a
//! reader walks the JSON. Each crate keeps its own reader for the value types of its format.

/// A refused case: the path of the offending input (empty for the case as a whole) and what is
/// wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", if field.is_empty() { message.clone() } else { format!("{field}: {message}") })]
pub struct CaseError {
    /// Keys joined by `.`, list positions as `[i]`; empty for the case as a whole.
    pub field: String,
    pub message: String,
}

impl CaseError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> CaseError {
        CaseError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Where a value sits in the case: keys joined by `.`, list positions as `[i]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Path(String);

impl Path {
    pub fn root() -> Path {
        Path(String::new())
    }

    pub fn key(&self, key: &str) -> Path {
        if self.0.is_empty() {
            Path(key.to_owned())
        } else {
            Path(format!("{}.{key}", self.0))
        }
    }

    pub fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn error(&self, message: impl Into<String>) -> CaseError {
        CaseError::new(self.0.clone(), message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_names_the_field_as_the_format_writes_it() {
        let p = Path::root().key("children").index(1).key("daily_hours");
        assert_eq!(p.as_str(), "children[1].daily_hours");
        assert_eq!(
            p.error("too many").to_string(),
            "children[1].daily_hours: too many"
        );
        assert_eq!(Path::root().error("not JSON").to_string(), "not JSON");
    }
}
