//! The Personenkennnummer (PKN, Lastenheft 3.10.1.7): eight digits, the first six the family,
//! the last two the child. It is the payment reference parents quote and the key of the fee
//! claims in the finance system.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A valid PKN: exactly eight ASCII digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pkn([u8; 8]);

/// Why a text is not a PKN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PknError {
    #[error("the PKN {0:?} has {1} characters; it has exactly 8 digits (6 for the family, 2 for the child)")]
    Length(String, usize),
    #[error("the PKN {0:?} may contain only the digits 0 to 9")]
    NotDigits(String),
}

impl Pkn {
    /// Parses eight digits; spaces are not allowed (the finance system's key has none).
    pub fn parse(text: &str) -> Result<Pkn, PknError> {
        let count = text.chars().count();
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PknError::NotDigits(text.to_owned()));
        }
        let bytes: [u8; 8] = text
            .as_bytes()
            .try_into()
            .map_err(|_| PknError::Length(text.to_owned(), count))?;
        Ok(Pkn(bytes))
    }

    /// The family part: the first six digits, the same for every child of a family.
    pub fn family(&self) -> &str {
        &self.as_str()[..6]
    }

    /// The child part: the last two digits.
    pub fn child(&self) -> &str {
        &self.as_str()[6..]
    }

    /// All eight digits.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII digits")
    }
}

impl fmt::Display for Pkn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Pkn {
    type Err = PknError;
    fn from_str(text: &str) -> Result<Pkn, PknError> {
        Pkn::parse(text)
    }
}

impl TryFrom<String> for Pkn {
    type Error = PknError;
    fn try_from(text: String) -> Result<Pkn, PknError> {
        Pkn::parse(&text)
    }
}

impl From<Pkn> for String {
    fn from(pkn: Pkn) -> String {
        pkn.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_digits_family_and_child() {
        let pkn = Pkn::parse("12345601").unwrap();
        assert_eq!((pkn.family(), pkn.child()), ("123456", "01"));
        assert_eq!(pkn.to_string(), "12345601");
        assert!(matches!(Pkn::parse("1234560"), Err(PknError::Length(_, 7))));
        assert!(matches!(
            Pkn::parse("123456012"),
            Err(PknError::Length(_, 9))
        ));
        assert!(matches!(
            Pkn::parse("1234 601"),
            Err(PknError::NotDigits(_))
        ));
        assert!(matches!(
            Pkn::parse("12345６01"),
            Err(PknError::NotDigits(_))
        ));
        assert!(matches!(Pkn::parse(""), Err(PknError::Length(_, 0))));
        let json: Result<Pkn, _> = serde_json::from_str("\"1234\"");
        assert!(json.unwrap_err().to_string().contains("exactly 8 digits"));
    }
}
