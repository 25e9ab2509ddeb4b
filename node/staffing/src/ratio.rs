//! Exact fractions for the staff need.
//!
//! Annex F rounds every *shown* value to three decimals but sums the unrounded ones (seed 004
//! L8552–8593: the need 22.537 + 2.278 + 2.792 is shown as 27.608, the total as 31.001 where
//! the rounded parts would give 31.002). Decimal arithmetic is not enough: 275/6 RZÄ × 0.9 ÷ 20
//! is exactly 2.0625 (→ 2.063), but 45.8333…3 × 0.9 ÷ 20 in 28 digits is 2.06249…9 (→ 2.062).
//! So every value is a fraction of two `i128`, reduced after each step; an operation that would
//! leave `i128` is reported instead of wrapping.

use rust_decimal::Decimal;

/// An exact rational number `numerator / denominator`, denominator > 0, in lowest terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ratio {
    numerator: i128,
    denominator: i128,
}

/// An exact value left the range of `i128`: only inputs with very many decimals get here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the numbers are too large or have too many decimals to be computed exactly")]
pub struct Overflow;

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Ratio {
    pub const ZERO: Ratio = Ratio {
        numerator: 0,
        denominator: 1,
    };
    pub const ONE: Ratio = Ratio {
        numerator: 1,
        denominator: 1,
    };

    /// `numerator / denominator`; `None` when the denominator is zero.
    pub fn new(numerator: i128, denominator: i128) -> Option<Ratio> {
        if denominator == 0 {
            return None;
        }
        let divisor = gcd(numerator, denominator);
        let sign = if denominator < 0 { -1 } else { 1 };
        Some(Ratio {
            numerator: sign * numerator / divisor,
            denominator: sign * denominator / divisor,
        })
    }

    /// A whole number.
    pub const fn integer(value: i64) -> Ratio {
        Ratio {
            numerator: value as i128,
            denominator: 1,
        }
    }

    /// The exact value of a decimal (mantissa ÷ 10^scale; a `Decimal` has at most 28 decimals,
    /// and 10^28 fits an `i128`).
    pub fn from_decimal(value: Decimal) -> Ratio {
        Ratio::new(value.mantissa(), 10i128.pow(value.scale())).expect("10^scale is not zero")
    }

    pub fn numerator(self) -> i128 {
        self.numerator
    }

    pub fn denominator(self) -> i128 {
        self.denominator
    }

    pub fn is_zero(self) -> bool {
        self.numerator == 0
    }

    pub fn is_positive(self) -> bool {
        self.numerator > 0
    }

    pub fn is_negative(self) -> bool {
        self.numerator < 0
    }

    pub fn checked_add(self, other: Ratio) -> Result<Ratio, Overflow> {
        // Over the least common denominator, so that sums of many rows stay small.
        let divisor = gcd(self.denominator, other.denominator);
        let left_factor = other.denominator / divisor;
        let right_factor = self.denominator / divisor;
        let denominator = self.denominator.checked_mul(left_factor).ok_or(Overflow)?;
        let numerator = self
            .numerator
            .checked_mul(left_factor)
            .and_then(|l| {
                other
                    .numerator
                    .checked_mul(right_factor)
                    .and_then(|r| l.checked_add(r))
            })
            .ok_or(Overflow)?;
        Ratio::new(numerator, denominator).ok_or(Overflow)
    }

    /// `self − other` (the balance's Ist − Soll).
    pub fn checked_sub(self, other: Ratio) -> Result<Ratio, Overflow> {
        let negated = Ratio::new(
            other.numerator.checked_neg().ok_or(Overflow)?,
            other.denominator,
        )
        .ok_or(Overflow)?;
        self.checked_add(negated)
    }

    pub fn checked_mul(self, other: Ratio) -> Result<Ratio, Overflow> {
        // Cross-reduce first so that the products stay as small as the result.
        let a = gcd(self.numerator, other.denominator).max(1);
        let b = gcd(other.numerator, self.denominator).max(1);
        let numerator = (self.numerator / a)
            .checked_mul(other.numerator / b)
            .ok_or(Overflow)?;
        let denominator = (self.denominator / b)
            .checked_mul(other.denominator / a)
            .ok_or(Overflow)?;
        Ratio::new(numerator, denominator).ok_or(Overflow)
    }

    /// `self ÷ other`; `other` must not be zero (callers divide by positive keys and bases).
    pub fn checked_div(self, other: Ratio) -> Result<Ratio, Overflow> {
        let inverse = Ratio::new(other.denominator, other.numerator).ok_or(Overflow)?;
        self.checked_mul(inverse)
    }

    /// `Σ values`, exactly.
    pub fn checked_sum(values: impl IntoIterator<Item = Ratio>) -> Result<Ratio, Overflow> {
        values
            .into_iter()
            .try_fold(Ratio::ZERO, |sum, value| sum.checked_add(value))
    }

    /// Rounded half up (away from zero) to `decimals` places, from the exact value: the one
    /// rounding of every reported figure.
    pub fn round_half_up(self, decimals: u32) -> Result<Decimal, Overflow> {
        let scale = 10i128.checked_pow(decimals).ok_or(Overflow)?;
        let scaled = self.numerator.abs().checked_mul(scale).ok_or(Overflow)?;
        // floor(scaled / den + 1/2) = floor((2·scaled + den) / (2·den)).
        let twice = scaled.checked_mul(2).ok_or(Overflow)?;
        let rounded = twice
            .checked_add(self.denominator)
            .ok_or(Overflow)?
            .checked_div(self.denominator.checked_mul(2).ok_or(Overflow)?)
            .ok_or(Overflow)?;
        let signed = if self.numerator < 0 {
            -rounded
        } else {
            rounded
        };
        Decimal::try_from_i128_with_scale(signed, decimals).map_err(|_| Overflow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn r(n: i128, d: i128) -> Ratio {
        Ratio::new(n, d).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn fractions_are_kept_in_lowest_terms_with_a_positive_denominator() {
        assert_eq!(r(6, -4), r(-3, 2));
        assert_eq!(r(-3, 2).numerator(), -3);
        assert_eq!(r(-3, 2).denominator(), 2);
        assert_eq!(Ratio::new(1, 0), None);
        assert_eq!(Ratio::from_decimal(dec("4.50")), r(9, 2));
        assert_eq!(Ratio::from_decimal(dec("3.76")), r(94, 25));
    }

    #[test]
    fn arithmetic_is_exact() {
        assert_eq!(r(1, 3).checked_add(r(1, 6)).unwrap(), r(1, 2));
        assert_eq!(r(2, 3).checked_mul(r(9, 4)).unwrap(), r(3, 2));
        assert_eq!(r(2, 3).checked_div(r(4, 9)).unwrap(), r(3, 2));
        assert_eq!(r(2, 1).checked_sub(r(11, 3)).unwrap(), r(-5, 3));
        assert_eq!(r(1, 3).checked_sub(r(1, 3)).unwrap(), Ratio::ZERO);
        // Hort in annex F: 275/6 RZÄ × 0.9 ÷ 20 = 2.0625 exactly.
        let need = r(275, 6)
            .checked_mul(Ratio::from_decimal(dec("0.9")))
            .unwrap()
            .checked_div(Ratio::integer(20))
            .unwrap();
        assert_eq!(need, r(33, 16));
    }

    #[test]
    fn rounding_is_half_up_from_the_exact_value() {
        assert_eq!(r(33, 16).round_half_up(3).unwrap(), dec("2.063"));
        assert_eq!(r(2, 3).round_half_up(3).unwrap(), dec("0.667"));
        assert_eq!(r(1, 3).round_half_up(3).unwrap(), dec("0.333"));
        assert_eq!(r(1, 2000).round_half_up(3).unwrap(), dec("0.001"));
        assert_eq!(r(1, 2001).round_half_up(3).unwrap(), dec("0.000"));
        assert_eq!(r(-1, 2000).round_half_up(3).unwrap(), dec("-0.001"));
        assert_eq!(Ratio::ZERO.round_half_up(3).unwrap().to_string(), "0.000");
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        let huge = r(i128::MAX / 2, 1);
        assert_eq!(huge.checked_mul(Ratio::integer(3)), Err(Overflow));
        assert_eq!(
            huge.checked_add(huge).and_then(|x| x.checked_add(huge)),
            Err(Overflow)
        );
    }
}
