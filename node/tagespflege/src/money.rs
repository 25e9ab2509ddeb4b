//! Euro amounts and percentages as decimals, never floats. One rounding: half up (away from
//! zero) to the cent, where an amount is produced (`shared/formats/tagespflege-refund-case.md`).

use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;
use std::ops::{Add, Mul};

/// An amount in euros, always a whole number of cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Rounds half up to the cent (annex K: 851,67 € × 16,5 % = 140,525… → 140,53; its half
    /// 70,265 → 70,27).
    pub fn round(value: Decimal) -> Money {
        Money(value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    }

    /// An input amount: `None` unless it is a whole number of cents (and small enough that its
    /// cents can be counted: an amount beyond 10^26 € is refused, not a panic).
    pub fn exact(value: Decimal) -> Option<Money> {
        let cents = value.checked_mul(Decimal::ONE_HUNDRED)?;
        (cents.fract().is_zero()).then(|| Money::round(value))
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    /// `round(self × percent ÷ 100)`: one rounding after the exact product.
    pub fn percent(self, percent: Decimal) -> Money {
        Money::round(self.0 * percent / Decimal::ONE_HUNDRED)
    }

    /// `round(self ÷ 2)`: the halved refund of § 23 Abs. 2 Nr. 3 and 4 SGB VIII.
    pub fn half(self) -> Money {
        Money::round(self.0 / Decimal::TWO)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl Mul<u32> for Money {
    type Output = Money;
    fn mul(self, times: u32) -> Money {
        Money(self.0 * Decimal::from(times))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl serde::Serialize for Money {
    /// As a decimal string with two places (`"510.00"`), like the case results.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    /// A decimal string (or number) that must be a whole number of cents.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let value = <Decimal as serde::Deserialize>::deserialize(d)?;
        Money::exact(value).ok_or_else(|| {
            serde::de::Error::custom(format!("{value} is not a whole number of cents"))
        })
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

/// Always two decimals (`"690.10"`), as the decisions print them.
impl Money {
    /// The amount as a German letter writes it: `1.234,56 €` (explanations the childminder and
    /// the office read; the case format and files keep the point).
    pub fn german(self) -> String {
        let text = format!("{:.2}", self.0.abs());
        let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
        let mut out = String::new();
        if self.0.is_sign_negative() && !self.0.is_zero() {
            out.push('-');
        }
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push('.');
            }
            out.push(digit);
        }
        format!("{out},{cents} €")
    }
}

/// A number of hours or a share as German text (`7,5`).
pub fn german_decimal(value: Decimal) -> String {
    value.normalize().to_string().replace('.', ",")
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut value = self.0;
        value.rescale(2);
        write!(f, "{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn annex_k_amounts_round_half_up_to_the_cent() {
        let base_2010 = Money::exact(d("851.67")).unwrap();
        assert_eq!(base_2010.percent(d("16.25")).to_string(), "138.40");
        let childless = base_2010.percent(d("16.5"));
        assert_eq!(childless.to_string(), "140.53");
        assert_eq!(childless.half().to_string(), "70.27");
        assert_eq!(
            Money::exact(d("136.50")).unwrap().half().to_string(),
            "68.25"
        );
        assert_eq!(Money::round(d("0.005")).to_string(), "0.01");
        assert_eq!(Money::round(d("0.00499")).to_string(), "0.00");
    }

    #[test]
    fn inputs_are_whole_cents() {
        assert_eq!(
            Money::exact(d("12.340")).map(|m| m.to_string()),
            Some("12.34".into())
        );
        assert_eq!(
            Money::exact(d("12")).map(|m| m.to_string()),
            Some("12.00".into())
        );
        assert_eq!(Money::exact(d("12.345")), None);
    }

    #[test]
    fn an_amount_too_large_to_count_in_cents_is_refused_not_a_panic() {
        // Found by the case_files fuzz target: a city's amount table with "3000…0" (31 digits).
        let huge = Decimal::from_str("30000000000000000000000000000").unwrap();
        assert_eq!(Money::exact(huge), None);
        let table: Result<Money, _> = serde_json::from_str("\"30000000000000000000000000000\"");
        assert!(table.is_err());
        assert_eq!(
            Money::exact(Decimal::from_str("585.00").unwrap()).map(|m| m.to_string()),
            Some("585.00".to_string())
        );
    }

    #[test]
    fn sums_and_multiples_are_exact() {
        let a = Money::exact(d("68.25")).unwrap();
        let b = Money::exact(d("69.20")).unwrap();
        assert_eq!((a * 2 + b * 8).to_string(), "690.10");
        assert_eq!([a, b].into_iter().sum::<Money>().to_string(), "137.45");
    }
}
