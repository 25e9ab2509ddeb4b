//! The characters a SEPA file may carry, and how names and remittance texts get there.
//!
//! **The rule.** Every SEPA bank must accept the EPC's Latin character set — `a–z A–Z 0–9`,
//! space and `/ - ? : ( ) . , ' +` (EPC SDD Core Customer-to-Bank Implementation Guidelines,
//! section "Character Set"; the Deutsche Kreditwirtschaft's DFÜ-Abkommen Anlage 3,
//! "Zeichensatz", admits exactly these). The DK additionally commits German banks to accept the
//! characters of the old DTAUS format (Ä Ö Ü ä ö ü ß &), but lets them convert those on the way
//! — Ä to A as in the EPC's best practices, or alternatively to AE — and lets any bank replace
//! other characters by spaces or "bedeutungsähnliche Zeichen", or reject the whole file.
//!
//! **Our choice: transliterate names and remittance texts ourselves, into the Latin set only.**
//! The file is then accepted by every bank, and a parent's statement shows what we wrote, not a
//! bank's guess: German umlauts become `ae oe ue Ae Oe Ue` (`AE OE UE` inside a word in
//! capitals) and `ß` becomes `ss`, the DK's permitted alternative that keeps names readable
//! (Müller → Mueller, not Muller); `&` becomes `+` (the DK's conversion); letters with other
//! diacritics lose them (é → e, ç → c, ł → l; the EPC's conversion to the Latin set); typographic
//! apostrophes, dashes and non-breaking spaces become `'`, `-` and a space. Anything else (`@`,
//! `€`, `;`, line breaks, other scripts) is refused with its position, so a person decides.
//!
//! **Identifiers are never transliterated** (message id, end-to-end id, mandate reference): a
//! changed identifier is another identifier, and a mandate reference must match the signed
//! mandate character for character. They must already be in the Latin set, and — the EPC's rule
//! for references — must not start or end with `/` nor contain `//`.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Is this character in the EPC's Latin character set?
pub fn is_sepa_character(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            ' ' | '/' | '-' | '?' | ':' | '(' | ')' | '.' | ',' | '\'' | '+'
        )
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("fehlt / is missing")]
    Empty,
    #[error(
        "ist {found} Zeichen lang{}, erlaubt sind {max}; bitte kürzen / is {found} characters \
         long{}, at most {max} are allowed; please shorten it",
        if *.transliterated { " (nach Umschreibung von Umlauten und ß)" } else { "" },
        if *.transliterated { " (after spelling out umlauts and ß)" } else { "" }
    )]
    TooLong {
        max: usize,
        found: usize,
        /// The text grew by transliteration (ü → ue): the message says so, since the text as
        /// typed may look short enough.
        transliterated: bool,
    },
    #[error(
        "enthält „{character}“ an Stelle {position}, das im SEPA-Zeichensatz nicht vorkommt; \
         erlaubt sind Buchstaben, Ziffern, Leerzeichen und / - ? : ( ) . , ' + / contains \
         '{character}' at position {position}, which is not in the SEPA character set; letters, \
         digits, spaces and / - ? : ( ) . , ' + are allowed"
    )]
    ForbiddenCharacter { character: char, position: usize },
    #[error(
        "enthält „{character}“ an Stelle {position}; Kennungen werden nicht umgeschrieben und \
         dürfen nur A–Z, a–z, 0–9, Leerzeichen und / - ? : ( ) . , ' + enthalten / contains \
         '{character}' at position {position}; identifiers are never transliterated and may \
         contain only A–Z, a–z, 0–9, spaces and / - ? : ( ) . , ' +"
    )]
    ForbiddenInIdentifier { character: char, position: usize },
    #[error(
        "darf nicht mit „/“ beginnen oder enden und kein „//“ enthalten (EPC-Regel für Kennungen) \
         / must not start or end with '/' nor contain '//' (the EPC's rule for identifiers)"
    )]
    SlashRule,
}

/// Brings a name or remittance text into the Latin set by the rule above, or says which
/// character cannot be brought there (position counted in characters from 1).
pub fn transliterate(text: &str) -> Result<String, TextError> {
    let characters: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (index, &c) in characters.iter().enumerate() {
        if is_sepa_character(c) {
            out.push(c);
            continue;
        }
        let capitals = || word_in_capitals(&characters, index);
        let replacement: &str = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            'Ä' if capitals() => "AE",
            'Ö' if capitals() => "OE",
            'Ü' if capitals() => "UE",
            'Ä' => "Ae",
            'Ö' => "Oe",
            'Ü' => "Ue",
            'ẞ' => "SS",
            '&' => "+",
            // Letters without a canonical decomposition.
            'Æ' if capitals() => "AE",
            'Œ' if capitals() => "OE",
            'Æ' => "Ae",
            'æ' => "ae",
            'Œ' => "Oe",
            'œ' => "oe",
            'Ø' => "O",
            'ø' => "o",
            'Ł' => "L",
            'ł' => "l",
            'Đ' | 'Ð' => "D",
            'đ' | 'ð' => "d",
            'Þ' => "TH",
            'þ' => "th",
            'ı' => "i",
            // Smart punctuation from phones and word processors.
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' | '`' | '´' => "'",
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => "-",
            '\u{00A0}' | '\u{202F}' => " ",
            _ => match without_diacritics(c) {
                Some(base) => {
                    out.push(base);
                    continue;
                }
                None => {
                    return Err(TextError::ForbiddenCharacter {
                        character: c,
                        position: index + 1,
                    })
                }
            },
        };
        out.push_str(replacement);
    }
    Ok(out)
}

/// An upper-case umlaut (and Æ, Œ) is written `AE` inside a word in capitals (MÜLLER →
/// MUELLER) and `Ae` otherwise (Ärger → Aerger): capitals when the next letter is upper case,
/// or when there is no next letter and the previous one is.
fn word_in_capitals(characters: &[char], index: usize) -> bool {
    match characters.get(index + 1) {
        Some(next) if next.is_alphabetic() => next.is_uppercase(),
        _ => index
            .checked_sub(1)
            .and_then(|previous| characters.get(previous))
            .is_some_and(|previous| previous.is_alphabetic() && previous.is_uppercase()),
    }
}

/// The base letter of a letter with diacritics (é → e), when it is in the Latin set.
fn without_diacritics(c: char) -> Option<char> {
    let mut base = None;
    let mut extra = false;
    decompose_canonical(c, |part| {
        if is_combining_mark(part) {
            return;
        }
        if base.is_none() {
            base = Some(part);
        } else {
            extra = true;
        }
    });
    base.filter(|&b| b != c && !extra && b.is_ascii_alphabetic())
}

/// A name or remittance text for the file: transliterated, not empty, at most `max` characters
/// after transliteration (never cut: a cut name or purpose is a wrong one).
pub(crate) fn sepa_text(text: &str, max: usize) -> Result<String, TextError> {
    // Trimmed after transliterating, so that a refused character's position counts from the
    // text as given.
    let written = transliterate(text)?;
    let written = written.trim();
    if written.is_empty() {
        return Err(TextError::Empty);
    }
    let found = written.chars().count();
    if found > max {
        return Err(TextError::TooLong {
            max,
            found,
            transliterated: found > text.trim().chars().count(),
        });
    }
    Ok(written.to_owned())
}

/// An identifier for the file: as given, in the Latin set, 1 to `max` characters, the EPC's
/// slash rule.
pub(crate) fn sepa_identifier(text: &str, max: usize) -> Result<String, TextError> {
    if text.is_empty() {
        return Err(TextError::Empty);
    }
    if let Some((index, character)) = text
        .chars()
        .enumerate()
        .find(|&(_, c)| !is_sepa_character(c))
    {
        return Err(TextError::ForbiddenInIdentifier {
            character,
            position: index + 1,
        });
    }
    let found = text.chars().count();
    if found > max {
        return Err(TextError::TooLong {
            max,
            found,
            transliterated: false,
        });
    }
    if text.starts_with('/') || text.ends_with('/') || text.contains("//") {
        return Err(TextError::SlashRule);
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn umlauts_are_spelled_out_as_the_dk_permits() {
        assert_eq!(transliterate("Müller").unwrap(), "Mueller");
        assert_eq!(transliterate("Jörg Weiß").unwrap(), "Joerg Weiss");
        assert_eq!(
            transliterate("Ärger Öl Übung").unwrap(),
            "Aerger Oel Uebung"
        );
        assert_eq!(transliterate("MÜLLER").unwrap(), "MUELLER");
        assert_eq!(transliterate("GRÜN-WEIẞ").unwrap(), "GRUEN-WEISS");
        assert_eq!(
            transliterate("SCHÜTZ Ö").unwrap(),
            "SCHUETZ Oe",
            "a lone Ö is a word"
        );
        assert_eq!(transliterate("HÄ").unwrap(), "HAE");
    }

    #[test]
    fn other_diacritics_fall_to_the_base_letter() {
        assert_eq!(transliterate("Renée Gonçalves").unwrap(), "Renee Goncalves");
        assert_eq!(transliterate("Şahin Yılmaz").unwrap(), "Sahin Yilmaz");
        assert_eq!(transliterate("Łukasz Dvořák").unwrap(), "Lukasz Dvorak");
        assert_eq!(transliterate("Søren Ærø").unwrap(), "Soren Aero");
        assert_eq!(transliterate("Ñandú").unwrap(), "Nandu");
    }

    #[test]
    fn ampersand_and_smart_punctuation_become_latin_characters() {
        assert_eq!(
            transliterate("Kinder & Familie").unwrap(),
            "Kinder + Familie"
        );
        assert_eq!(transliterate("D’Angelo – Kita").unwrap(), "D'Angelo - Kita");
        assert_eq!(
            transliterate("01067\u{a0}Dresden").unwrap(),
            "01067 Dresden"
        );
        assert_eq!(transliterate("O'Brien (2/3)?").unwrap(), "O'Brien (2/3)?");
    }

    #[test]
    fn other_characters_are_refused_with_their_position() {
        assert_eq!(
            transliterate("Elternbeitrag 12 €"),
            Err(TextError::ForbiddenCharacter {
                character: '€',
                position: 18
            })
        );
        assert_eq!(
            transliterate("a@b"),
            Err(TextError::ForbiddenCharacter {
                character: '@',
                position: 2
            })
        );
        assert!(transliterate("Zeile 1\nZeile 2").is_err());
        assert!(
            transliterate("Αλέξης").is_err(),
            "Greek is not transliterated"
        );
        assert!(transliterate("<b>").is_err());
        assert!(transliterate("a;b").is_err());
    }

    #[test]
    fn lengths_count_after_transliteration_and_say_so() {
        let seventy = "ü".repeat(35);
        assert_eq!(sepa_text(&seventy, 70).unwrap().len(), 70);
        let error = sepa_text(&"ü".repeat(36), 70).unwrap_err();
        assert_eq!(
            error,
            TextError::TooLong {
                max: 70,
                found: 72,
                transliterated: true
            }
        );
        assert!(error.to_string().contains("nach Umschreibung"));
        assert_eq!(
            sepa_text(&"a".repeat(141), 140),
            Err(TextError::TooLong {
                max: 140,
                found: 141,
                transliterated: false
            })
        );
        assert_eq!(sepa_text("   ", 70), Err(TextError::Empty));
        assert_eq!(sepa_text("  Anna  ", 70).unwrap(), "Anna");
    }

    #[test]
    fn identifiers_are_checked_not_changed() {
        assert_eq!(
            sepa_identifier("KN-2025/02 (1)", 35).unwrap(),
            "KN-2025/02 (1)"
        );
        assert_eq!(
            sepa_identifier("MANDAT-MÜLLER", 35),
            Err(TextError::ForbiddenInIdentifier {
                character: 'Ü',
                position: 9
            })
        );
        assert_eq!(
            sepa_identifier(&"A".repeat(36), 35),
            Err(TextError::TooLong {
                max: 35,
                found: 36,
                transliterated: false
            })
        );
        for bad in ["/KN-1", "KN-1/", "KN//1"] {
            assert_eq!(sepa_identifier(bad, 35), Err(TextError::SlashRule), "{bad}");
        }
        assert_eq!(sepa_identifier("", 35), Err(TextError::Empty));
    }

    proptest! {
        /// Whatever goes in, what comes out is in the Latin set.
        #[test]
        fn transliterated_text_is_always_in_the_latin_set(text in "\\PC{0,40}") {
            if let Ok(written) = transliterate(&text) {
                prop_assert!(written.chars().all(is_sepa_character), "{:?} -> {:?}", text, written);
            }
        }

        /// German text made of letters, umlauts and ß always goes through.
        #[test]
        fn german_names_always_go_through(text in "[a-zA-ZäöüÄÖÜß ]{0,40}") {
            prop_assert!(transliterate(&text).is_ok());
        }
    }
}
