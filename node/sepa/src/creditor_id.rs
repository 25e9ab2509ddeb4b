//! The creditor identifier (Gläubiger-Identifikationsnummer, EPC AT-02): country code, two check
//! digits, a three-character business code (Geschäftsbereichskennung) the creditor chooses
//! freely, and the national identifier.
//!
//! The check digits are ISO 7064 MOD 97-10 over the national identifier followed by the country
//! code, *skipping the business code* — so one creditor keeps its check digits whatever business
//! code it uses (EPC262-08, "Creditor Identifier Overview"). In Germany the Bundesbank issues the
//! identifiers: 18 characters, business code `ZZZ` by default, national part 11 digits.

use crate::checksum::mod97;
use crate::country::sepa_country;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A checked creditor identifier, compact and upper case (`DE98ZZZ09999999999`). Persisted as
/// is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditorId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditorIdError {
    #[error(
        "Bitte die Gläubiger-Identifikationsnummer angeben / please enter the creditor identifier"
    )]
    Empty,
    #[error(
        "Die Gläubiger-ID enthält „{character}“ an Stelle {position}; erlaubt sind Buchstaben und \
         Ziffern / the creditor identifier contains '{character}' at position {position}; only \
         letters and digits are allowed"
    )]
    BadCharacter { character: char, position: usize },
    #[error(
        "Eine Gläubiger-ID hat die Form Ländercode, zwei Prüfziffern, drei Zeichen \
         Geschäftsbereich und die nationale Kennung (8 bis 35 Zeichen), z. B. DE98ZZZ09999999999 \
         / a creditor identifier is a country code, two check digits, a three-character business \
         code and the national identifier (8 to 35 characters), e.g. DE98ZZZ09999999999"
    )]
    Malformed,
    #[error("„{code}“ ist kein Land des SEPA-Raums / '{code}' is not a SEPA country")]
    UnknownCountry { code: String },
    #[error(
        "Eine deutsche Gläubiger-ID hat 18 Zeichen und endet mit 11 Ziffern (z. B. \
         DE98ZZZ09999999999); bitte wie von der Bundesbank vergeben abschreiben / a German \
         creditor identifier has 18 characters ending in 11 digits (e.g. DE98ZZZ09999999999); \
         please copy it as issued by the Bundesbank"
    )]
    NotGermanFormat,
    #[error(
        "Die Prüfziffern der Gläubiger-ID stimmen nicht, vermutlich ein Tippfehler / the creditor \
         identifier's check digits do not match, probably a typo"
    )]
    BadChecksum,
}

impl CreditorId {
    /// Reads an identifier as typed: white space ignored, letters in any case.
    pub fn parse(text: &str) -> Result<CreditorId, CreditorIdError> {
        let mut compact = String::with_capacity(35);
        for (index, character) in text.chars().enumerate() {
            if character.is_whitespace() {
                continue;
            }
            if !character.is_ascii_alphanumeric() {
                return Err(CreditorIdError::BadCharacter {
                    character,
                    position: index + 1,
                });
            }
            compact.push(character.to_ascii_uppercase());
        }
        if compact.is_empty() {
            return Err(CreditorIdError::Empty);
        }
        let bytes = compact.as_bytes();
        // Max35Text in the file; country, check digits, business code and at least one
        // character of national identifier below.
        let well_formed = (8..=35).contains(&bytes.len())
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..4].iter().all(u8::is_ascii_digit);
        if !well_formed {
            return Err(CreditorIdError::Malformed);
        }
        let country = &compact[..2];
        if sepa_country(country).is_none() {
            return Err(CreditorIdError::UnknownCountry {
                code: country.to_owned(),
            });
        }
        let national = &compact[7..];
        if country == "DE" && (bytes.len() != 18 || !national.bytes().all(|b| b.is_ascii_digit())) {
            return Err(CreditorIdError::NotGermanFormat);
        }
        let check = &compact[2..4];
        let remainder = mod97(national.bytes().chain(country.bytes()).chain(check.bytes()));
        if matches!(check, "00" | "01" | "99") || remainder != Some(1) {
            return Err(CreditorIdError::BadChecksum);
        }
        Ok(CreditorId(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CreditorId {
    type Err = CreditorIdError;
    fn from_str(text: &str) -> Result<CreditorId, CreditorIdError> {
        CreditorId::parse(text)
    }
}

impl TryFrom<String> for CreditorId {
    type Error = CreditorIdError;
    fn try_from(text: String) -> Result<CreditorId, CreditorIdError> {
        CreditorId::parse(&text)
    }
}

impl From<CreditorId> for String {
    fn from(id: CreditorId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::check_digits;

    #[test]
    fn the_bundesbank_test_identifier_is_valid() {
        let id = CreditorId::parse("DE98ZZZ09999999999").unwrap();
        assert_eq!(id.as_str(), "DE98ZZZ09999999999");
        assert_eq!(CreditorId::parse("de98 zzz 0999 9999 999").unwrap(), id);
    }

    #[test]
    fn the_business_code_does_not_enter_the_checksum() {
        assert!(CreditorId::parse("DE98ABC09999999999").is_ok());
        assert!(CreditorId::parse("DE98K1T09999999999").is_ok());
    }

    #[test]
    fn mutated_identifiers_are_refused() {
        for mutated in [
            "DE97ZZZ09999999999",
            "DE98ZZZ09999999998",
            "DE98ZZZ09999999899",
            "DE89ZZZ09999999999",
        ] {
            assert_eq!(
                CreditorId::parse(mutated),
                Err(CreditorIdError::BadChecksum),
                "{mutated}"
            );
        }
    }

    #[test]
    fn other_countries_use_the_same_checksum_with_their_own_lengths() {
        // A made-up Austrian national identifier with its computed check digits.
        let national = "00000012345";
        let check = check_digits(national, "AT").unwrap();
        assert!(CreditorId::parse(&format!("AT{check:02}ZZZ{national}")).is_ok());
        assert_eq!(
            CreditorId::parse(&format!("AT{:02}ZZZ{national}", check % 97 + 1)),
            Err(CreditorIdError::BadChecksum)
        );
    }

    #[test]
    fn shape_country_and_characters_are_checked() {
        assert_eq!(
            CreditorId::parse("DE98ZZZ0999999999"),
            Err(CreditorIdError::NotGermanFormat)
        );
        assert_eq!(
            CreditorId::parse("DE98ZZZ0999999999A"),
            Err(CreditorIdError::NotGermanFormat)
        );
        assert_eq!(
            CreditorId::parse("US98ZZZ09999999999"),
            Err(CreditorIdError::UnknownCountry { code: "US".into() })
        );
        assert_eq!(
            CreditorId::parse("DE98ZZZ"),
            Err(CreditorIdError::Malformed)
        );
        assert_eq!(
            CreditorId::parse("DE98-ZZZ"),
            Err(CreditorIdError::BadCharacter {
                character: '-',
                position: 5
            })
        );
        assert_eq!(CreditorId::parse(""), Err(CreditorIdError::Empty));
    }

    #[test]
    fn serde_checks_on_reading() {
        let id: CreditorId = serde_json::from_str("\"DE98ZZZ09999999999\"").unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"DE98ZZZ09999999999\""
        );
        assert!(serde_json::from_str::<CreditorId>("\"DE97ZZZ09999999999\"").is_err());
    }
}
