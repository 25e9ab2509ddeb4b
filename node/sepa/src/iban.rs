//! The IBAN (ISO 13616): country code, two check digits, the national account number (BBAN).
//!
//! Parsing accepts what people type or paste — spaces anywhere, lower case — and refuses what a
//! bank would: a country outside SEPA, the wrong length for the country, a failed mod-97 check.
//! The national structure of the BBAN is not checked; the checksum catches every single wrong
//! character and every swap of two neighbours.

use crate::checksum::mod97;
use crate::country::{sepa_country, SepaCountry};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A checked IBAN of a SEPA country, held compact and upper-case (`DE89370400440532013000`).
/// `Display` groups it in fours for people (`DE89 3704 0044 0532 0130 00`); [`Iban::compact`]
/// is the form for files. Persisted (serde) in the compact form.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iban(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IbanError {
    #[error("Bitte eine IBAN angeben / please enter an IBAN")]
    Empty,
    #[error(
        "Die IBAN enthält „{character}“ an Stelle {position}; erlaubt sind Buchstaben, Ziffern und \
         Leerzeichen / the IBAN contains '{character}' at position {position}; only letters, \
         digits and spaces are allowed"
    )]
    BadCharacter { character: char, position: usize },
    #[error(
        "Eine IBAN beginnt mit dem Ländercode und zwei Prüfziffern, z. B. DE89 … / an IBAN starts \
         with a country code and two check digits, e.g. DE89 …"
    )]
    Malformed,
    #[error(
        "„{code}“ ist kein Land des SEPA-Raums; Lastschriften gehen nur auf Konten in SEPA-Ländern \
         / '{code}' is not a SEPA country; direct debits reach accounts in SEPA countries only"
    )]
    UnknownCountry { code: String },
    #[error(
        "Eine IBAN aus {} hat {} Zeichen, diese hat {found}; bitte vollständig abschreiben / an \
         IBAN from {} has {} characters, this one has {found}; please copy it in full",
        country.name_de, country.iban_length, country.name_en, country.iban_length
    )]
    WrongLength {
        country: &'static SepaCountry,
        found: usize,
    },
    #[error(
        "Die Prüfziffern der IBAN stimmen nicht, vermutlich ein Tippfehler; bitte mit Kontoauszug \
         oder Bankkarte vergleichen / the IBAN's check digits do not match, probably a typo; \
         please compare it with a bank statement or card"
    )]
    BadChecksum,
}

impl Iban {
    /// Reads an IBAN as typed: white space anywhere (groups of four, spaces pasted from a PDF)
    /// is ignored, letters may be lower case.
    pub fn parse(text: &str) -> Result<Iban, IbanError> {
        let mut compact = String::with_capacity(34);
        for (index, character) in text.chars().enumerate() {
            if character.is_whitespace() {
                continue;
            }
            if !character.is_ascii_alphanumeric() {
                return Err(IbanError::BadCharacter {
                    character,
                    position: index + 1,
                });
            }
            compact.push(character.to_ascii_uppercase());
        }
        if compact.is_empty() {
            return Err(IbanError::Empty);
        }
        let bytes = compact.as_bytes();
        let well_formed = bytes.len() >= 4
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..4].iter().all(u8::is_ascii_digit);
        if !well_formed {
            return Err(IbanError::Malformed);
        }
        let country = sepa_country(&compact[..2]).ok_or_else(|| IbanError::UnknownCountry {
            code: compact[..2].to_owned(),
        })?;
        if compact.len() != country.iban_length {
            return Err(IbanError::WrongLength {
                country,
                found: compact.len(),
            });
        }
        // ISO 13616 allows check digits 02 to 98 only: 00, 01 and 99 never come out of the
        // computation, though 99 passes the remainder test wherever 02 would.
        let check = &compact[2..4];
        let remainder = mod97(bytes[4..].iter().chain(&bytes[..4]).copied());
        if matches!(check, "00" | "01" | "99") || remainder != Some(1) {
            return Err(IbanError::BadChecksum);
        }
        Ok(Iban(compact))
    }

    /// Without spaces, upper case: the form for files and for comparing.
    pub fn compact(&self) -> &str {
        &self.0
    }

    pub fn country(&self) -> &'static SepaCountry {
        sepa_country(&self.0[..2]).expect("a parsed IBAN has a SEPA country")
    }
}

impl fmt::Display for Iban {
    /// In groups of four, the paper format of ISO 13616.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, group) in self.0.as_bytes().chunks(4).enumerate() {
            if index > 0 {
                f.write_str(" ")?;
            }
            // Chunks of an ASCII string are ASCII.
            f.write_str(std::str::from_utf8(group).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iban({self})")
    }
}

impl FromStr for Iban {
    type Err = IbanError;
    fn from_str(text: &str) -> Result<Iban, IbanError> {
        Iban::parse(text)
    }
}

impl TryFrom<String> for Iban {
    type Error = IbanError;
    fn try_from(text: String) -> Result<Iban, IbanError> {
        Iban::parse(&text)
    }
}

impl From<Iban> for String {
    fn from(iban: Iban) -> String {
        iban.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::check_digits;
    use proptest::prelude::*;

    /// Published examples: the Bundesbank's, the City of Dresden's fee account (seed 004, annex
    /// J), and the ECBS examples for Austria, the Netherlands, France and others.
    const VALID: &[&str] = &[
        "DE89 3704 0044 0532 0130 00",
        "DE69 8505 0300 3120 0012 43",
        "AT61 1904 3002 3457 3201",
        "NL91 ABNA 0417 1643 00",
        "FR14 2004 1010 0505 0001 3M02 606",
        "CH93 0076 2011 6238 5295 7",
        "GB29 NWBK 6016 1331 9268 19",
        "NO93 8601 1117 947",
        "BE68 5390 0754 7034",
        "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
    ];

    #[test]
    fn published_ibans_are_valid() {
        for text in VALID {
            let iban = Iban::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(iban.to_string(), *text, "printed in groups of four");
            assert_eq!(iban.compact(), text.replace(' ', ""));
        }
    }

    #[test]
    fn spaces_and_lower_case_are_accepted() {
        let iban = Iban::parse("  de89370400440532013000 ").unwrap();
        assert_eq!(iban.compact(), "DE89370400440532013000");
        assert_eq!(iban.country().code, "DE");
        let pasted = Iban::parse("DE89\u{a0}3704\t0044 0532 0130 00").unwrap();
        assert_eq!(pasted, iban);
    }

    #[test]
    fn a_changed_digit_fails_the_checksum() {
        for text in VALID {
            let compact = text.replace(' ', "");
            for position in 4..compact.len() {
                let mut mutated = compact.clone().into_bytes();
                mutated[position] = match mutated[position] {
                    b'9' => b'0',
                    b'Z' => b'A',
                    c => c + 1,
                };
                let mutated = String::from_utf8(mutated).unwrap();
                assert_eq!(
                    Iban::parse(&mutated),
                    Err(IbanError::BadChecksum),
                    "{mutated}"
                );
            }
        }
    }

    #[test]
    fn changed_check_digits_fail() {
        assert_eq!(
            Iban::parse("DE88 3704 0044 0532 0130 00"),
            Err(IbanError::BadChecksum)
        );
        assert_eq!(
            Iban::parse("AT62 1904 3002 3457 3201"),
            Err(IbanError::BadChecksum)
        );
        assert_eq!(
            Iban::parse("NL19 ABNA 0417 1643 00"),
            Err(IbanError::BadChecksum),
            "swapped check digits"
        );
    }

    #[test]
    fn check_digits_99_are_refused_although_the_remainder_fits() {
        // 99 ≡ 02 (mod 97): find a BBAN whose correct check digits are 02.
        let bban = (0u64..)
            .map(|n| format!("{n:018}"))
            .find(|bban| check_digits(bban, "DE") == Some(2))
            .unwrap();
        assert!(Iban::parse(&format!("DE02{bban}")).is_ok());
        assert_eq!(
            Iban::parse(&format!("DE99{bban}")),
            Err(IbanError::BadChecksum)
        );
    }

    #[test]
    fn the_length_must_fit_the_country() {
        let error = Iban::parse("DE89 3704 0044 0532 0130 0").unwrap_err();
        assert_eq!(
            error,
            IbanError::WrongLength {
                country: sepa_country("DE").unwrap(),
                found: 21
            }
        );
        assert_eq!(
            error.to_string(),
            "Eine IBAN aus Deutschland hat 22 Zeichen, diese hat 21; bitte vollständig abschreiben \
             / an IBAN from Germany has 22 characters, this one has 21; please copy it in full"
        );
        // An Austrian account number behind a German prefix.
        assert!(matches!(
            Iban::parse("DE61 1904 3002 3457 3201"),
            Err(IbanError::WrongLength { found: 20, .. })
        ));
    }

    #[test]
    fn countries_outside_sepa_and_bad_characters_are_named() {
        assert_eq!(
            Iban::parse("TR33 0006 1005 1978 6457 8413 26"),
            Err(IbanError::UnknownCountry { code: "TR".into() })
        );
        assert_eq!(
            Iban::parse("DE89-3704"),
            Err(IbanError::BadCharacter {
                character: '-',
                position: 5
            })
        );
        assert_eq!(
            Iban::parse("DÉ89"),
            Err(IbanError::BadCharacter {
                character: 'É',
                position: 2
            })
        );
        assert_eq!(Iban::parse("   "), Err(IbanError::Empty));
        assert_eq!(Iban::parse("3704 0044"), Err(IbanError::Malformed));
        assert_eq!(Iban::parse("DEXX 3704"), Err(IbanError::Malformed));
    }

    #[test]
    fn serde_uses_the_compact_form_and_checks_on_reading() {
        let iban = Iban::parse("DE89 3704 0044 0532 0130 00").unwrap();
        let json = serde_json::to_string(&iban).unwrap();
        assert_eq!(json, "\"DE89370400440532013000\"");
        assert_eq!(serde_json::from_str::<Iban>(&json).unwrap(), iban);
        let error = serde_json::from_str::<Iban>("\"DE88370400440532013000\"").unwrap_err();
        assert!(error.to_string().contains("check digits"), "{error}");
    }

    proptest! {
        /// Any German BBAN with its computed check digits is valid, and swapping two different
        /// neighbouring digits is always caught.
        #[test]
        fn computed_check_digits_pass_and_swaps_fail(
            digits in proptest::collection::vec(0u8..10, 18),
            swap_at in 4usize..21,
        ) {
            let bban: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
            let check = check_digits(&bban, "DE").unwrap();
            let iban = format!("DE{check:02}{bban}");
            prop_assert!(Iban::parse(&iban).is_ok(), "{}", iban);
            let mut swapped = iban.clone().into_bytes();
            swapped.swap(swap_at, swap_at + 1);
            if swapped[swap_at] != swapped[swap_at + 1] {
                let swapped = String::from_utf8(swapped).unwrap();
                prop_assert_eq!(Iban::parse(&swapped), Err(IbanError::BadChecksum));
            }
        }
    }
}
