//! The amount of one direct debit: euros, whole cents, more than nothing and at most the SEPA
//! maximum of 999 999 999.99 € (EPC SDD Core rulebook, AT-06).
//!
//! Amounts are refused, never rounded here: the fee engine has already rounded half up to the
//! cent, so a fraction of a cent means an amount that did not come from it.

use rust_decimal::Decimal;
use std::fmt;

/// A checked debit amount in euros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(Decimal);

/// 999 999 999.99 €: 99 999 999 999 cents, split into the 32-bit words `Decimal` is made of.
pub const MAXIMUM: Decimal = Decimal::from_parts(
    (MAXIMUM_CENTS & 0xFFFF_FFFF) as u32,
    (MAXIMUM_CENTS >> 32) as u32,
    0,
    false,
    2,
);
const MAXIMUM_CENTS: u64 = 99_999_999_999;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error(
        "Der Betrag {0} € muss größer als 0 sein; Gutschriften sind keine Lastschrift / the \
         amount {0} € must be more than 0; credits are not direct debits"
    )]
    NotPositive(Decimal),
    #[error(
        "Der Betrag {0} € hat Bruchteile eines Cents; Beträge müssen vorher auf ganze Cent \
         gerundet sein / the amount {0} € has fractions of a cent; amounts must be rounded to \
         whole cents before"
    )]
    FractionOfCent(Decimal),
    #[error(
        "Der Betrag {0} € übersteigt den SEPA-Höchstbetrag von 999.999.999,99 € / the amount \
         {0} € exceeds the SEPA maximum of 999,999,999.99 €"
    )]
    TooLarge(Decimal),
}

impl Amount {
    /// Trailing zeros are the same amount (`12.340` is 12.34 €); a third non-zero decimal is not.
    pub fn new(euros: Decimal) -> Result<Amount, AmountError> {
        if euros <= Decimal::ZERO {
            return Err(AmountError::NotPositive(euros));
        }
        if euros.normalize().scale() > 2 {
            return Err(AmountError::FractionOfCent(euros));
        }
        if euros > MAXIMUM {
            return Err(AmountError::TooLarge(euros));
        }
        Ok(Amount(euros))
    }

    pub fn euros(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Amount {
    /// Always two decimals and a point (`12.30`): the file's format.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn euros(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn cents_are_accepted_and_written_with_two_decimals() {
        assert_eq!(Amount::new(euros("189.36")).unwrap().to_string(), "189.36");
        assert_eq!(Amount::new(euros("5")).unwrap().to_string(), "5.00");
        assert_eq!(Amount::new(euros("0.5")).unwrap().to_string(), "0.50");
        assert_eq!(Amount::new(euros("0.01")).unwrap().to_string(), "0.01");
        assert_eq!(Amount::new(euros("12.340")).unwrap().to_string(), "12.34");
        assert_eq!(MAXIMUM, euros("999999999.99"));
        assert_eq!(Amount::new(MAXIMUM).unwrap().to_string(), "999999999.99");
    }

    #[test]
    fn three_decimals_are_refused() {
        assert_eq!(
            Amount::new(euros("12.345")),
            Err(AmountError::FractionOfCent(euros("12.345")))
        );
        assert_eq!(
            Amount::new(euros("0.001")),
            Err(AmountError::FractionOfCent(euros("0.001")))
        );
    }

    #[test]
    fn zero_negative_and_too_large_amounts_are_refused() {
        assert_eq!(
            Amount::new(euros("0.00")),
            Err(AmountError::NotPositive(euros("0.00")))
        );
        assert_eq!(
            Amount::new(euros("-12.00")),
            Err(AmountError::NotPositive(euros("-12.00")))
        );
        assert_eq!(
            Amount::new(euros("1000000000.00")),
            Err(AmountError::TooLarge(euros("1000000000.00")))
        );
        assert_eq!(
            AmountError::NotPositive(euros("-12.00")).to_string(),
            "Der Betrag -12.00 € muss größer als 0 sein; Gutschriften sind keine Lastschrift / \
             the amount -12.00 € must be more than 0; credits are not direct debits"
        );
    }
}
