//! The BIC (ISO 9362): bank code, country, location, optionally branch.
//!
//! Only the format is checked — there is no checksum, and whether a bank exists is the bank
//! directory's business. Since the IBAN-only rule (2016) a BIC is optional for debits within
//! SEPA; the pain.008 file then says `NOTPROVIDED`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A BIC of 8 or 11 characters, upper case (`OSDDDE81`, `OSDDDE81XXX`). Persisted as is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bic(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BicError {
    #[error(
        "Ein BIC hat 8 oder 11 Zeichen, dieser hat {found} / a BIC has 8 or 11 characters, this \
         one has {found}"
    )]
    WrongLength { found: usize },
    #[error(
        "Ein BIC besteht aus 4 Buchstaben oder Ziffern (Bank), 2 Buchstaben (Land), 2 Buchstaben \
         oder Ziffern (Ort) und optional 3 für die Filiale, z. B. OSDDDE81 / a BIC is 4 letters or \
         digits (bank), 2 letters (country), 2 letters or digits (location) and optionally 3 for \
         the branch, e.g. OSDDDE81"
    )]
    Malformed,
}

impl Bic {
    /// Reads a BIC as typed: white space ignored, letters in any case. The pattern is the one of
    /// the pain.008.001.08 schema (`BICFIDec2014Identifier`), which since 2014 allows digits in
    /// the bank code.
    pub fn parse(text: &str) -> Result<Bic, BicError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let length = compact.chars().count();
        if length != 8 && length != 11 {
            return Err(BicError::WrongLength { found: length });
        }
        let bytes = compact.as_bytes();
        let alphanumeric = |b: &u8| b.is_ascii_uppercase() || b.is_ascii_digit();
        let well_formed = bytes.len() == length
            && bytes[..4].iter().all(alphanumeric)
            && bytes[4..6].iter().all(u8::is_ascii_uppercase)
            && bytes[6..].iter().all(alphanumeric);
        if !well_formed {
            return Err(BicError::Malformed);
        }
        Ok(Bic(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Bic {
    type Err = BicError;
    fn from_str(text: &str) -> Result<Bic, BicError> {
        Bic::parse(text)
    }
}

impl TryFrom<String> for Bic {
    type Error = BicError;
    fn try_from(text: String) -> Result<Bic, BicError> {
        Bic::parse(&text)
    }
}

impl From<Bic> for String {
    fn from(bic: Bic) -> String {
        bic.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_and_eleven_characters_are_accepted() {
        assert_eq!(Bic::parse("OSDDDE81").unwrap().as_str(), "OSDDDE81");
        assert_eq!(
            Bic::parse("osdd de 81 xxx").unwrap().as_str(),
            "OSDDDE81XXX"
        );
        assert_eq!(
            Bic::parse("COBADEFFXXX").unwrap().to_string(),
            "COBADEFFXXX"
        );
        assert!(
            Bic::parse("1234DEFF").is_ok(),
            "digits in the bank code since 2014"
        );
    }

    #[test]
    fn other_lengths_and_shapes_are_refused() {
        assert_eq!(
            Bic::parse("OSDDDE8"),
            Err(BicError::WrongLength { found: 7 })
        );
        assert_eq!(
            Bic::parse("OSDDDE81XX"),
            Err(BicError::WrongLength { found: 10 })
        );
        assert_eq!(
            Bic::parse("OSDD1281"),
            Err(BicError::Malformed),
            "digits as country"
        );
        assert_eq!(Bic::parse("OSDDDE8-"), Err(BicError::Malformed));
        assert_eq!(Bic::parse("OSDDDÉ81"), Err(BicError::Malformed));
    }

    #[test]
    fn serde_checks_on_reading() {
        let bic: Bic = serde_json::from_str("\"OSDDDE81\"").unwrap();
        assert_eq!(serde_json::to_string(&bic).unwrap(), "\"OSDDDE81\"");
        assert!(serde_json::from_str::<Bic>("\"OSDD\"").is_err());
    }
}
