//! Small fixtures for the unit tests: fixed months, PKNs and amounts in cents.

use crate::pkn::Pkn;
use crate::soll::{Charge, DecidedAmount};
use kitanetz_fees::{Money, Month};

pub fn m(text: &str) -> Month {
    Month::parse(text).unwrap()
}

pub fn pkn(text: &str) -> Pkn {
    Pkn::parse(text).unwrap()
}

pub fn cents(cents: i64) -> Money {
    Money::from_cents(cents)
}

pub fn decided(pkn: Pkn, month: &str, amount: i64, why: &str) -> DecidedAmount {
    DecidedAmount {
        pkn,
        month: m(month),
        charge: Charge::Fee,
        amount: cents(amount),
        explanation: why.into(),
    }
}

pub fn extra_care(pkn: Pkn, month: &str, amount: i64, why: &str) -> DecidedAmount {
    DecidedAmount {
        charge: Charge::ExtraCare,
        ..decided(pkn, month, amount, why)
    }
}
