//! The Kita-Planer export buffer against its sources: the format doc's examples, every rule
//! (R1–R11) of `shared/formats/kitaplaner-case.md` and seed 001, the refusals of §6, the case
//! fixtures in `tests/fixtures/kitaplaner/`, and property tests. One test binary.

mod examples;
mod fixtures;
mod properties;
mod rebuild;
mod refusals;
mod rules;
mod support;
