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

/// The CLI's exit code for a computed case.
pub const EXIT_OK: u8 = 0;
/// The CLI's exit code for a refused case (the formats prescribe 2).
pub const EXIT_INVALID: u8 = 2;

/// What a `--case` CLI prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseOutput {
    /// The result JSON (pretty) and a newline; empty for a refused case.
    pub stdout: String,
    /// The refusal naming the offending field and a newline; empty for a computed case.
    pub stderr: String,
    pub exit_code: u8,
}

impl CaseOutput {
    /// A computed case: its result on stdout, exit [`EXIT_OK`].
    pub fn computed(result: &serde_json::Value) -> CaseOutput {
        CaseOutput {
            stdout: format!(
                "{}\n",
                serde_json::to_string_pretty(result).expect("a JSON value serialises")
            ),
            stderr: String::new(),
            exit_code: EXIT_OK,
        }
    }

    /// A refused case (also an unreadable file): `"{refusal}: {error}"` on stderr, exit
    /// [`EXIT_INVALID`].
    pub fn refused(refusal: &str, error: &CaseError) -> CaseOutput {
        CaseOutput {
            stdout: String::new(),
            stderr: format!("{refusal}: {error}\n"),
            exit_code: EXIT_INVALID,
        }
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

    #[test]
    fn an_output_is_the_result_or_the_refusal() {
        let ok = CaseOutput::computed(&serde_json::json!({"a": 1}));
        assert_eq!(
            (ok.stdout.as_str(), ok.exit_code),
            ("{\n  \"a\": 1\n}\n", EXIT_OK)
        );
        let no = CaseOutput::refused("x case refused", &CaseError::new("a", "missing"));
        assert_eq!(
            (no.stdout.as_str(), no.stderr.as_str(), no.exit_code),
            ("", "x case refused: a: missing\n", EXIT_INVALID)
        );
    }
}
