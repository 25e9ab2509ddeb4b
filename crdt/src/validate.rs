//! Validation on every write: errors name the field (a path like `lines[2].daily_hours`) and say
//! what to do. A document that fails validation is not written at all.

use std::fmt;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every problem found in a value, in field order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
pub struct ValidationError {
    pub errors: Vec<FieldError>,
}

impl ValidationError {
    /// An error about one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationError {
            errors: vec![FieldError {
                field: field.into(),
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        write!(f, "{}", parts.join("; "))
    }
}

/// Collects field errors while a value is checked.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Validator::default()
    }

    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn check(&mut self, ok: bool, field: impl Into<String>, message: impl Into<String>) {
        if !ok {
            self.fail(field, message);
        }
    }

    /// A date typed into a form (`YYYY-MM-DD`); `None` and a field error if it is not one.
    /// Years outside [`crate::scalar::Date::PLAUSIBLE_YEARS`] are refused too.
    pub fn date(&mut self, field: &str, value: &str) -> Option<crate::scalar::Date> {
        let parsed: Option<crate::scalar::Date> = value.trim().parse().ok();
        self.check(
            parsed.is_some(),
            field,
            "Datum im Format JJJJ-MM-TT / date as YYYY-MM-DD",
        );
        let plausible = parsed.filter(|d| d.is_plausible());
        if let Some(date) = parsed {
            self.plausible_date(field, date);
        }
        plausible
    }

    /// Refuses a date outside [`crate::scalar::Date::PLAUSIBLE_YEARS`] (for dates that arrive
    /// parsed, e.g. in a JSON body).
    pub fn plausible_date(&mut self, field: &str, date: crate::scalar::Date) {
        let years = crate::scalar::Date::PLAUSIBLE_YEARS;
        self.check(
            date.is_plausible(),
            field,
            format!(
                "Datum außerhalb {}–{} / date outside {}–{}",
                years.start(),
                years.end(),
                years.start(),
                years.end()
            ),
        );
    }

    /// Requires a non-blank text of at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.fail(field, "darf nicht leer sein / must not be empty");
        } else if value.chars().count() > max {
            self.fail(
                field,
                format!("höchstens {max} Zeichen / at most {max} characters"),
            );
        }
    }

    /// An optional text: may be empty, but not longer than `max`.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.fail(
                field,
                format!("höchstens {max} Zeichen / at most {max} characters"),
            );
        }
    }

    pub fn finish(self) -> Result<(), ValidationError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                errors: self.errors,
            })
        }
    }
}
