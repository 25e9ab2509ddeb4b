//! Signed euro amounts. Billing needs negative amounts (a credit, Gutschrift), which
//! `kitanetz_fees::Money` holds but does not read back (its persisted form has no sign, because
//! a fee is never negative). Amounts stay `Money` — `rust_decimal`, whole cents, rounded half up
//! by `Money::round` where they are produced — and this module adds the signed text forms.

use kitanetz_fees::Money;
use rust_decimal::Decimal;
use std::str::FromStr;

/// `-amount`.
pub fn negate(amount: Money) -> Money {
    Money::ZERO - amount
}

/// German notation for people and for the finance file: decimal comma, two decimals, no
/// thousands separator, a minus sign for credits (`1234,56`, `-18,94`, `0,00`).
pub fn german(amount: Money) -> String {
    amount.to_string().replace('.', ",")
}

/// `12,34 €` in explanations.
pub fn euro(amount: Money) -> String {
    format!("{} €", german(amount))
}

/// Parses a signed amount as written by [`signed::serialize`] (`"-18.94"`, `"189.36"`): an
/// optional minus, digits, optionally a point and at most two decimals.
pub fn parse_signed(text: &str) -> Option<Money> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(whole) && digits(fraction) && fraction.len() <= 2) {
        return None;
    }
    Decimal::from_str(text).ok().map(Money::round)
}

/// Serde for a signed amount as a string with a point and two decimals (`"-18.94"`), the same
/// shape as `Money`'s own form plus the sign.
pub mod signed {
    use super::parse_signed;
    use kitanetz_fees::Money;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(amount: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(amount)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let text = String::deserialize(d)?;
        parse_signed(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{text:?} is not a signed amount in euros with at most two decimals, e.g. \"-18.94\""
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_notation_has_a_comma_and_a_sign() {
        assert_eq!(german(Money::from_cents(123456)), "1234,56");
        assert_eq!(german(Money::from_cents(-1894)), "-18,94");
        assert_eq!(german(Money::ZERO), "0,00");
        assert_eq!(euro(Money::from_cents(500)), "5,00 €");
        assert_eq!(negate(Money::from_cents(500)), Money::from_cents(-500));
    }

    #[test]
    fn signed_amounts_read_back() {
        assert_eq!(parse_signed("-18.94"), Some(Money::from_cents(-1894)));
        assert_eq!(parse_signed("189.36"), Some(Money::from_cents(18936)));
        assert_eq!(parse_signed("5"), Some(Money::from_cents(500)));
        for bad in ["", "-", "+5", "1.234", "1,50", "--1", "1e2", " 1"] {
            assert_eq!(parse_signed(bad), None, "{bad:?}");
        }
    }
}
