//! Euro amounts and daily hours as decimals. One rounding function (half up to the cent), used
//! wherever an amount is produced; never floats.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};
use std::str::FromStr;

/// An amount in euros, always a whole number of cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Rounds half up (away from zero) to the cent: the statute's and the form's rounding.
    pub fn round(value: Decimal) -> Money {
        Money(value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    }

    pub fn from_cents(cents: i64) -> Money {
        Money(Decimal::new(cents, 2))
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    /// `round(self × numerator / denominator)`; multiplies first so that nothing is lost before
    /// the one rounding.
    pub fn scaled(self, numerator: Decimal, denominator: Decimal) -> Money {
        Money::round(self.0 * numerator / denominator)
    }

    /// `round(self × percent / 100)`.
    pub fn percent(self, percent: Decimal) -> Money {
        self.scaled(percent, Decimal::ONE_HUNDRED)
    }

    /// `round(self × factor)`.
    pub fn times(self, factor: Decimal) -> Money {
        Money::round(self.0 * factor)
    }

    /// `self − other`, but not below zero.
    pub fn saturating_sub(self, other: Money) -> Money {
        (self - other).max(Money::ZERO)
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// The amount as German texts write it: thousands with a dot, cents after a comma
    /// (`1.234,56 €`, `-12,00 €`), as the letters crate's `format_euro` and the decisions print
    /// amounts. A plain space before the sign: explanations are plain text that also goes into
    /// the finance file, exports, pages and JSON; the letter binds amount and sign itself. The
    /// result format keeps [`Money`]'s `Display` (`"1234.56"`).
    pub fn german(self) -> GermanEuro {
        GermanEuro(self)
    }

    /// Parses an amount as cases and statutes write it: digits, optionally a point and one or
    /// two decimals (`"12"`, `"12.3"`, `"12.34"`); no sign, no exponent, no spaces.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) {
            return Err(MoneyError::Malformed);
        }
        if let Some(f) = fraction {
            if !digits(f) {
                return Err(MoneyError::Malformed);
            }
            if f.len() > 2 {
                return Err(MoneyError::TooManyDecimals);
            }
        }
        Decimal::from_str(text)
            .map(Money)
            .map_err(|_| MoneyError::Malformed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("must be an amount in euros written as a string of digits with at most two decimals and no sign, e.g. \"12.34\"")]
    Malformed,
    #[error("has more than two decimals; write whole cents, e.g. \"12.34\"")]
    TooManyDecimals,
}

impl fmt::Display for Money {
    /// Always two decimals (`"5.20"`, `"0.00"`): the result format and the explanations.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

/// An amount as German texts write it (explanations, decisions): `1.234,56 €`, see
/// [`Money::german`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GermanEuro(Money);

impl fmt::Display for GermanEuro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let amount = self.0 .0;
        let text = format!("{:.2}", amount.abs());
        let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
        if amount.is_sign_negative() && !amount.is_zero() {
            f.write_str("-")?;
        }
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                f.write_str(".")?;
            }
            write!(f, "{digit}")?;
        }
        write!(f, ",{cents} €")
    }
}

/// A decimal as German texts write it: `22,5`, `60`, `4,5` (percentages, hours).
pub fn german_decimal(value: Decimal) -> String {
    value.normalize().to_string().replace('.', ",")
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let text = String::deserialize(d)?;
        Money::parse(&text).map_err(|e| serde::de::Error::custom(format!("{text:?} {e}")))
    }
}

/// Daily care hours (`"4.5"`, `"9"`); compared by value, so `"9"` and `"9.0"` are one tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hours(Decimal);

impl Hours {
    pub fn from_decimal(value: Decimal) -> Hours {
        Hours(value.normalize())
    }

    pub fn value(self) -> Decimal {
        self.0
    }

    /// Digits with an optional decimal fraction; no sign, no exponent.
    pub fn parse(text: &str) -> Option<Hours> {
        parse_plain_decimal(text).map(|d| Hours(d.normalize()))
    }
}

/// Digits with an optional decimal fraction (`"4.5"`, `"50"`); no sign, no exponent, no spaces.
pub fn parse_plain_decimal(text: &str) -> Option<Decimal> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(whole) && digits(fraction)) {
        return None;
    }
    Decimal::from_str(text).ok()
}

impl fmt::Display for Hours {
    /// German style with a comma, as the statute and the fee table write tiers ("4,5 h").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} h", self.0.normalize().to_string().replace('.', ","))
    }
}

impl<'de> Deserialize<'de> for Hours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Hours, D::Error> {
        let text = String::deserialize(d)?;
        Hours::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a number of hours")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn rounds_half_up_to_the_cent() {
        // Annex C (L6130): Kindergarten 4.5 h = 132.13 × 4.5 / 9 = 66.065 → 66.07, not 66.06.
        assert_eq!(Money::round(d("66.065")).to_string(), "66.07");
        assert_eq!(Money::round(d("66.0649")).to_string(), "66.06");
        assert_eq!(Money::round(d("-0.005")).to_string(), "-0.01");
        assert_eq!(Money::from_cents(520).to_string(), "5.20");
        assert_eq!(Money::ZERO.to_string(), "0.00");
    }

    #[test]
    fn parses_only_plain_amounts() {
        assert_eq!(Money::parse("12").unwrap(), Money::from_cents(1200));
        assert_eq!(Money::parse("12.3").unwrap(), Money::from_cents(1230));
        assert_eq!(Money::parse("0.05").unwrap(), Money::from_cents(5));
        for bad in [
            "", "-1", "+1", "1e3", " 1", "1.", ".5", "1,50", "abc", "1.2.3",
        ] {
            assert_eq!(Money::parse(bad), Err(MoneyError::Malformed), "{bad:?}");
        }
        assert_eq!(Money::parse("1.234"), Err(MoneyError::TooManyDecimals));
    }

    #[test]
    fn german_amounts_group_thousands_and_keep_every_cent() {
        let de = |cents: i64| Money::from_cents(cents).german().to_string();
        assert_eq!(de(18936), "189,36 €");
        assert_eq!(de(0), "0,00 €");
        assert_eq!(de(5), "0,05 €");
        assert_eq!(de(123456), "1.234,56 €");
        assert_eq!(de(100000000), "1.000.000,00 €");
        assert_eq!(de(-1200), "-12,00 €");
        assert_eq!(german_decimal(d("22.50")), "22,5");
        assert_eq!(german_decimal(d("60")), "60");
    }

    #[test]
    fn hours_compare_by_value() {
        assert_eq!(Hours::parse("9"), Hours::parse("9.0"));
        assert_eq!(Hours::parse("4.5").unwrap().to_string(), "4,5 h");
        assert_eq!(Hours::parse("-9"), None);
        assert_eq!(Hours::parse("nine"), None);
        assert_eq!(Hours::parse("9."), None);
    }
}
