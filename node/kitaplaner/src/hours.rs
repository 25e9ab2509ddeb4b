//! Daily care hours ("Täglich erbrachte Stunden", seed 001 line 37: a Decimal field): exact
//! decimals, never floats, so that 9.01 h maps above 9 h.

use rust_decimal::Decimal;
use std::fmt;
use std::iter::Sum;
use std::ops::Add;
use std::str::FromStr;

/// A non-negative number of hours per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hours(Decimal);

impl Hours {
    pub const ZERO: Hours = Hours(Decimal::ZERO);

    /// Hours from a non-negative decimal; `None` for a negative one.
    pub fn new(value: Decimal) -> Option<Hours> {
        (value >= Decimal::ZERO).then_some(Hours(value))
    }

    /// Reads a plain decimal string: digits with an optional `.` and fraction (`"8"`, `"0.5"`,
    /// `"9.01"`); no sign, exponent, spaces or thousands separators.
    pub fn parse(text: &str) -> Option<Hours> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(whole) && digits(fraction)) {
            return None;
        }
        Decimal::from_str(text).ok().map(Hours)
    }

    pub fn value(&self) -> Decimal {
        self.0
    }
}

impl Add for Hours {
    type Output = Hours;
    fn add(self, other: Hours) -> Hours {
        Hours(self.0 + other.0)
    }
}

impl Sum for Hours {
    fn sum<I: Iterator<Item = Hours>>(iter: I) -> Hours {
        iter.fold(Hours::ZERO, Add::add)
    }
}

impl fmt::Display for Hours {
    /// Without trailing zeros (`"8.5"`, `"3"`): the buffer compares hours by value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_decimals_only() {
        assert_eq!(Hours::parse("9.01").unwrap().to_string(), "9.01");
        assert_eq!(Hours::parse("3.0").unwrap().to_string(), "3");
        assert_eq!(Hours::parse("0").unwrap(), Hours::ZERO);
        for bad in [
            "", "-1", "+1", "1e2", " 8", "8.", ".5", "8,5", "1.2.3", "NaN",
        ] {
            assert_eq!(Hours::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn sums_exactly() {
        let sum: Hours = ["0.1", "0.2", "8.71"]
            .iter()
            .map(|s| Hours::parse(s).unwrap())
            .sum();
        assert_eq!(sum, Hours::parse("9.01").unwrap());
    }
}
