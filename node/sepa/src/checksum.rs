//! ISO 7064 MOD 97-10, the check of IBANs (ISO 13616) and of SEPA creditor identifiers: digits
//! count as themselves, letters as two digits (A = 10 … Z = 35), and a correct number leaves the
//! remainder 1.

/// The remainder modulo 97 of the number the characters spell, or `None` for a character that
/// is neither a digit nor an upper-case ASCII letter. Computed piecewise, so any length fits.
pub(crate) fn mod97(characters: impl IntoIterator<Item = u8>) -> Option<u32> {
    characters
        .into_iter()
        .try_fold(0u32, |remainder, c| match c {
            b'0'..=b'9' => Some((remainder * 10 + u32::from(c - b'0')) % 97),
            b'A'..=b'Z' => Some((remainder * 100 + u32::from(c - b'A') + 10) % 97),
            _ => None,
        })
}

/// The two check digits (02 … 98) that make `body` followed by `country` and the check digits
/// leave remainder 1: the computation shared by IBANs and creditor identifiers. Only tests
/// need it (to make valid numbers); the checks test the remainder directly.
#[cfg(test)]
pub(crate) fn check_digits(body: &str, country: &str) -> Option<u32> {
    let remainder = mod97(body.bytes().chain(country.bytes()).chain(*b"00"))?;
    Some(98 - remainder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_count_as_two_digits() {
        assert_eq!(mod97(*b"A"), Some(10));
        assert_eq!(mod97(*b"Z"), Some(35));
        assert_eq!(mod97(*b"1A"), Some(110 % 97));
        assert_eq!(mod97(*b"a"), None);
        assert_eq!(mod97(*b"-"), None);
    }

    #[test]
    fn check_digits_of_the_standard_example() {
        // DE89 3704 0044 0532 0130 00, the example of ISO 13616 and the Bundesbank.
        assert_eq!(check_digits("370400440532013000", "DE"), Some(89));
    }
}
