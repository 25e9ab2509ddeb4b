//! Decimals as the cases write them and the results print them. One rounding (half up, away
//! from zero), never floats.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};
use std::str::FromStr;

/// Case decimals stay far below `Decimal`'s range, so that sums and products cannot overflow.
const MAX_INTEGER_DIGITS: usize = 12;
const MAX_FRACTION_DIGITS: usize = 10;

/// Parses a decimal as cases write it: an optional `-`, digits, optionally a point and digits
/// (`"9"`, `"4.5"`, `"-1"`); no exponent, no spaces, no comma.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(whole, MAX_INTEGER_DIGITS)
        || fraction.is_some_and(|f| !digits(f, MAX_FRACTION_DIGITS))
    {
        return None;
    }
    Decimal::from_str(text).ok()
}

/// A JSON number as a decimal: its shortest text (`4.5`, not the binary float's expansion).
pub fn number_to_decimal(number: &serde_json::Number) -> Option<Decimal> {
    let text = number.to_string();
    parse_decimal(&text).or_else(|| {
        // `1e2` and the like; bounded like the written form.
        Decimal::from_scientific(&text)
            .ok()
            .filter(|d| d.abs() < Decimal::from(10_i64.pow(MAX_INTEGER_DIGITS as u32)))
    })
}

/// Rounds half up (away from zero) to `places` decimals and keeps exactly that many
/// (`9` → `9.00`): the forms' "auf zwei Kommastellen gerundet" and "kaufmännisch gerundet".
pub fn round_half_up(value: Decimal, places: u32) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(places);
    rounded
}

/// A decimal printed as a string with two places, rounded half up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TwoPlaces(pub Decimal);

impl Serialize for TwoPlaces {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&round_half_up(self.0, 2))
    }
}

/// A decimal printed as a string with one place, rounded half up (KJH staff hours, seed 004
/// annex L L33431–33433: "mit einer gerundeten Nachkommastelle").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct OnePlace(pub Decimal);

impl Serialize for OnePlace {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl std::fmt::Display for OnePlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", round_half_up(self.0, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn parses_plain_decimals_only() {
        assert_eq!(parse_decimal("4.5"), Some(dec("4.5")));
        assert_eq!(parse_decimal("9"), Some(dec("9")));
        assert_eq!(parse_decimal("-1"), Some(dec("-1")));
        for bad in [
            "",
            ".5",
            "5.",
            "4,5",
            " 4",
            "1e2",
            "+1",
            "1_000",
            "1234567890123",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn json_numbers_keep_their_written_value() {
        let n = |s: &str| number_to_decimal(&serde_json::from_str(s).unwrap());
        assert_eq!(n("4.5"), Some(dec("4.5")));
        assert_eq!(n("0.1"), Some(dec("0.1")));
        assert_eq!(n("9"), Some(dec("9")));
        assert_eq!(n("1e2"), Some(dec("100")));
        assert_eq!(n("1e40"), None);
    }

    #[test]
    fn rounds_half_up_and_keeps_the_places() {
        assert_eq!(round_half_up(dec("36.5"), 0).to_string(), "37");
        assert_eq!(round_half_up(dec("36.49"), 0).to_string(), "36");
        assert_eq!(round_half_up(dec("2.345"), 2).to_string(), "2.35");
        assert_eq!(round_half_up(dec("9"), 2).to_string(), "9.00");
        assert_eq!(round_half_up(dec("30"), 1).to_string(), "30.0");
        assert_eq!(round_half_up(dec("8.25"), 1).to_string(), "8.3");
    }
}
