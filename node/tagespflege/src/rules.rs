//! The parameters of the refunds that a city sets, as versioned data; a case may override the
//! pension parameters (the format names their defaults).

use crate::money::Money;
use rust_decimal::Decimal;

/// One version of the refund parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRules {
    /// Names the version, so that a decision can be traced to its parameters.
    pub id: &'static str,
    /// Pension refund cap per approved place: "bis max. 40,00 EUR pro bewilligten Platz"
    /// (TPP agreement § 6, seed 004 L30153–30154; 200,00 € for 5 children, L29444–29447).
    pub cap_per_place: Money,
    /// Statutory pension insurance from a monthly taxable income above 400,00 €
    /// (L29439–29442, L30147–30148).
    pub obligation_income_threshold: Money,
    /// "Bei TPP mit weniger als 3 Kindern besteht keine gesetzliche
    /// Rentenversicherungspflicht" (L29336–29337).
    pub obligation_min_places: u32,
    /// A Kindertagespflege has at most five places (the cap's "bei einer Betreuung von 5 Kindern").
    pub max_places: u32,
}

impl RefundRules {
    /// Dresden's values as annex K states them (decisions of 2010/2011, TPP agreement § 6).
    pub fn annex_k() -> RefundRules {
        RefundRules {
            id: "dresden-annex-k-2010",
            cap_per_place: Money::round(Decimal::new(4000, 2)),
            obligation_income_threshold: Money::round(Decimal::new(40000, 2)),
            obligation_min_places: 3,
            max_places: 5,
        }
    }
}
