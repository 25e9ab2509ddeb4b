//! The Personenkennnummer (PKN): eight digits, the first six the family, the last two the child
//! (Lastenheft 3.10.1.7, L2699–2716). The PKN is how the finance system (SAP-FI) assigns a
//! charge to the person who pays it (L2707–2708), so billing is keyed by it: a position names
//! the child's PKN, and the **payer account** is its family part.
//!
//! A custody change gives the child a new PKN under another family number (L2712–2716); the
//! old one keeps its positions, the new one starts its own. Leading zeros are part of the
//! number (`00012301` is a valid PKN), so it is written with all eight digits everywhere.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A child's PKN: eight digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pkn(u32);

/// The family part of a PKN: six digits. One family number is one payer account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FamilyNumber(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PknError {
    #[error(
        "{0:?} ist keine PKN: genau 8 Ziffern, 6 für die Familie und 2 für das Kind, z. B. \
         \"12345601\" / {0:?} is not a PKN: exactly 8 digits, 6 for the family and 2 for the \
         child, e.g. \"12345601\""
    )]
    Pkn(String),
    #[error(
        "{0:?} ist keine Familiennummer: genau 6 Ziffern, z. B. \"123456\" / {0:?} is not a \
         family number: exactly 6 digits, e.g. \"123456\""
    )]
    FamilyNumber(String),
}

/// `digits` ASCII digits and nothing else (no sign, no spaces), as a number.
fn parse_digits(text: &str, digits: usize) -> Option<u32> {
    (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

impl Pkn {
    /// Exactly eight ASCII digits.
    pub fn parse(text: &str) -> Result<Pkn, PknError> {
        parse_digits(text, 8)
            .map(Pkn)
            .ok_or_else(|| PknError::Pkn(text.to_owned()))
    }

    /// The PKN of child `child` (0–99) of `family`.
    pub fn new(family: FamilyNumber, child: u8) -> Option<Pkn> {
        (child < 100).then(|| Pkn(family.0 * 100 + u32::from(child)))
    }

    /// The first six digits: the payer account.
    pub fn family(self) -> FamilyNumber {
        FamilyNumber(self.0 / 100)
    }

    /// The last two digits.
    pub fn child(self) -> u8 {
        (self.0 % 100) as u8
    }
}

impl FamilyNumber {
    /// Exactly six ASCII digits.
    pub fn parse(text: &str) -> Result<FamilyNumber, PknError> {
        parse_digits(text, 6)
            .map(FamilyNumber)
            .ok_or_else(|| PknError::FamilyNumber(text.to_owned()))
    }
}

impl fmt::Display for Pkn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08}", self.0)
    }
}

impl fmt::Display for FamilyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl Serialize for Pkn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Pkn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Pkn, D::Error> {
        let text = String::deserialize(d)?;
        Pkn::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for FamilyNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FamilyNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FamilyNumber, D::Error> {
        let text = String::deserialize(d)?;
        FamilyNumber::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pkn_is_eight_digits_family_six_and_child_two() {
        let pkn = Pkn::parse("12345602").unwrap();
        assert_eq!(pkn.family().to_string(), "123456");
        assert_eq!(pkn.child(), 2);
        assert_eq!(pkn.to_string(), "12345602");
        assert_eq!(Pkn::new(pkn.family(), 2), Some(pkn));
        assert_eq!(Pkn::new(pkn.family(), 100), None);
    }

    #[test]
    fn leading_zeros_are_kept() {
        let pkn = Pkn::parse("00012301").unwrap();
        assert_eq!(pkn.to_string(), "00012301");
        assert_eq!(pkn.family().to_string(), "000123");
        assert_eq!(FamilyNumber::parse("000123").unwrap(), pkn.family());
    }

    #[test]
    fn anything_but_eight_digits_is_refused() {
        for bad in [
            "",
            "1234567",
            "123456789",
            "1234567a",
            " 12345678",
            "+1234567",
            "1234 5678",
            "１２３４５６７８",
        ] {
            assert_eq!(Pkn::parse(bad), Err(PknError::Pkn(bad.into())), "{bad:?}");
        }
        assert!(FamilyNumber::parse("12345").is_err());
        assert!(FamilyNumber::parse("12345a").is_err());
    }

    #[test]
    fn serialises_as_the_eight_digit_string() {
        let pkn = Pkn::parse("00012301").unwrap();
        assert_eq!(serde_json::to_string(&pkn).unwrap(), "\"00012301\"");
        assert_eq!(serde_json::from_str::<Pkn>("\"00012301\"").unwrap(), pkn);
        assert!(serde_json::from_str::<Pkn>("\"12301\"").is_err());
    }
}
