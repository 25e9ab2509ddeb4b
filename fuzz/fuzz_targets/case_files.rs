//! Every file import of the pure rules crates, as the `--case FILE` commands read them: the
//! first byte picks the reader (`kitanetz_fuzz_support::CASE_READERS`), the rest is the file's
//! text. Each reader goes the whole way the command goes (parse, check, compute, write the
//! result), so an input that parses but breaks an arithmetic or a lookup further on is caught
//! too. A reader may refuse anything; it may never panic.

#![no_main]

use kitanetz_fuzz_support::CASE_READERS;
use libfuzzer_sys::fuzz_target;

/// The shipped statutes, built once.
fn fee_book() -> &'static kitanetz_fees::StatuteBook {
    static BOOK: std::sync::OnceLock<kitanetz_fees::StatuteBook> = std::sync::OnceLock::new();
    BOOK.get_or_init(kitanetz_fees::StatuteBook::builtin)
}

/// The fixture fee case, computed under a statute read from the input (a city adds its own
/// statute as JSON; a statute that passes its check must not break the computation).
const FEE_CASE: &str = include_str!("../../tests/fixtures/fees/family-year.case.json");

/// Runs the reader named `name` (one of `CASE_READERS`) on a file's text.
fn read(name: &str, text: &str) {
    match name {
        "fee-case" => {
            let _ = kitanetz_fees::case_output(text);
        }
        "fee-statute" => {
            let Ok(statute) = kitanetz_fees::Statute::from_json(text) else {
                return;
            };
            let mut book = fee_book().clone();
            let id = statute.id.clone();
            book.add(statute);
            let mut case: serde_json::Value =
                serde_json::from_str(FEE_CASE).expect("fixture is JSON");
            case["statute"] = serde_json::Value::String(id);
            let _ = kitanetz_fees::compute_case(&case.to_string(), &book).map(|r| r.to_json());
        }
        "staff-need-case" => {
            let _ = kitanetz_staffing::case_output(text);
        }
        "tagespflege-case" => {
            let _ = kitanetz_tagespflege::case_output(text);
        }
        "kitaplaner-case" => {
            let _ = kitanetz_kitaplaner::case_output(text);
        }
        "kdw-case" => {
            let _ = kitanetz_statistics::kdw::case_output(text, true);
        }
        "landeszuschuss-case" => {
            let _ = kitanetz_statistics::landeszuschuss::case_output(text);
        }
        "tagespflege-amounts" => {
            // A table that passes its check must not break the monthly payment.
            let Ok(tables) = kitanetz_tagespflege::AmountTable::from_json(text) else {
                return;
            };
            let _ = running_payment(&tables);
        }
        "kitaplaner-import" => {
            let mapping = kitanetz_kitaplaner::mapping::BetreuungszeitMapping::seed_default();
            let _ = kitanetz_kitaplaner::import::parse(text, &mapping);
        }
        other => unreachable!("reader {other} has no arm here"),
    }
}

/// One month's running payment of two children (one part-month) under `tables`.
fn running_payment(
    tables: &[kitanetz_tagespflege::AmountTable],
) -> Result<kitanetz_tagespflege::MonthlyPayment, kitanetz_tagespflege::payment::PaymentError> {
    use kitanetz_tagespflege::{CareLine, Month, Period};
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date");
    let care = |child: &str, start, hours: &str| CareLine {
        child: kitanetz_tagespflege::ChildRef(child.into()),
        period: Period::new(start, None).expect("open"),
        daily_hours: hours.parse().expect("decimal"),
    };
    let month = Month::new(2026, 11).expect("month");
    let permits = [Period::closed(day(2026, 1, 1), day(2030, 12, 31)).expect("permit")];
    kitanetz_tagespflege::monthly_payment(
        month,
        &[
            care("a", day(2026, 2, 1), "7.5"),
            care("b", day(2026, 11, 16), "4"),
        ],
        &permits,
        tables,
        None,
    )
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let reader = CASE_READERS[usize::from(selector) % CASE_READERS.len()];
    // The payments file is read from its bytes (it names the line of invalid UTF-8 itself).
    if reader == "payments-file" {
        let _ = kitanetz_billing::payments_import::parse(rest);
        return;
    }
    // The commands read the file as UTF-8 text and refuse anything else before parsing.
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    read(reader, text);
});
