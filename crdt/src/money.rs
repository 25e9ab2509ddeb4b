//! Money: `rust_decimal`, one rounding rule (half up to the cent, RULES.md §4).

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds an amount in euros half up (away from zero) to whole cents.
pub fn round_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn rounds_half_up() {
        assert_eq!(
            round_cents(Decimal::from_str("189.355").unwrap()),
            Decimal::from_str("189.36").unwrap()
        );
        assert_eq!(
            round_cents(Decimal::from_str("189.354").unwrap()),
            Decimal::from_str("189.35").unwrap()
        );
    }
}
