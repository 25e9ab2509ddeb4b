//! The fee engine against its sources: every worked example of annex B/C and RULES.md, the
//! case format's refusals, month-by-month cases and property tests. One test binary.

mod annex_c;
mod cases;
mod properties;
mod refusals;
mod support;
