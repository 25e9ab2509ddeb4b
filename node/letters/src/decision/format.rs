//! How a decision prints numbers, dates, months and the payer's IBAN (German conventions,
//! DIN 5008).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar month; fees are owed per month (Satzung § 10 (1)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    // Field order gives the chronological `Ord`.
    year: i32,
    month: u32,
}

impl YearMonth {
    /// `None` unless `month` is 1 to 12 and `year` 1 to 9999.
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        ((1..=12).contains(&month) && (1..=9999).contains(&year))
            .then_some(YearMonth { year, month })
    }

    /// The month a day lies in.
    pub fn of(day: NaiveDate) -> YearMonth {
        YearMonth {
            year: day.year(),
            month: day.month(),
        }
    }

    /// Strictly `YYYY-MM`, as the fee engine writes months.
    pub fn parse(text: &str) -> Option<YearMonth> {
        let bytes = text.as_bytes();
        if bytes.len() != 7 || bytes[4] != b'-' {
            return None;
        }
        if !bytes[..4].iter().chain(&bytes[5..]).all(u8::is_ascii_digit) {
            return None;
        }
        YearMonth::new(text[..4].parse().ok()?, text[5..].parse().ok()?)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// The following month.
    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// As a letter writes it: "September 2026".
    pub fn german(self) -> String {
        const NAMES: [&str; 12] = [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ];
        format!("{} {}", NAMES[self.month as usize - 1], self.year)
    }
}

impl fmt::Display for YearMonth {
    /// `YYYY-MM`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<YearMonth, D::Error> {
        let text = String::deserialize(d)?;
        YearMonth::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a month YYYY-MM")))
    }
}

/// An amount in German notation with the euro sign after it: `1.234,56 €`, `0,00 €`,
/// `-12,30 €`. Rounded half up to the cent (the fee engine's rounding); amounts from the engine
/// are whole cents already.
pub fn format_euro(amount: Decimal) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.2}", rounded.abs());
    let (whole, cents) = text.split_once('.').expect("two decimals");
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped},{cents}\u{a0}€")
}

/// Daily hours as the statute writes them: `9 h`, `4,5 h`.
pub fn format_hours(hours: Decimal) -> String {
    format!("{}\u{a0}h", hours.normalize().to_string().replace('.', ","))
}

/// A date as `28.11.2026` (DIN 5008 numeric form, as annex J prints dates).
pub fn format_date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// The payer's IBAN as the payer's copy prints it: country code, check digits and the last four
/// characters, the rest as `•`, in groups of four joined by no-break spaces (so the IBAN is
/// not broken across lines): `DE89 •••• •••• •••• ••30 00`.
///
/// Annex J (2011) printed account number and bank code in full. A letter can go astray, and
/// the payer recognises the account by its end; banks and SEPA pre-notifications mask the same
/// way. The full IBAN stays in the node for the pain.008 file.
pub fn mask_iban(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    let visible_tail = compact.len().saturating_sub(4);
    let masked: Vec<char> = compact
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < 4 || i >= visible_tail { c } else { '•' })
        .collect();
    masked
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("\u{a0}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn euros_in_german_notation() {
        assert_eq!(format_euro(d("1234.56")), "1.234,56\u{a0}€");
        assert_eq!(format_euro(d("189.36")), "189,36\u{a0}€");
        assert_eq!(format_euro(d("0")), "0,00\u{a0}€");
        assert_eq!(format_euro(d("1234567.8")), "1.234.567,80\u{a0}€");
        assert_eq!(format_euro(d("66.065")), "66,07\u{a0}€");
        assert_eq!(format_euro(d("-12.3")), "-12,30\u{a0}€");
        assert_eq!(format_euro(d("100")), "100,00\u{a0}€");
        assert_eq!(format_euro(d("999.995")), "1.000,00\u{a0}€");
    }

    #[test]
    fn hours_dates_months() {
        assert_eq!(format_hours(d("4.5")), "4,5\u{a0}h");
        assert_eq!(format_hours(d("9.0")), "9\u{a0}h");
        let day = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(format_date(day), "05.03.2026");
        assert_eq!(YearMonth::of(day).german(), "März 2026");
        assert_eq!(
            YearMonth::parse("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
        assert_eq!(YearMonth::parse("2026-13"), None);
        assert_eq!(YearMonth::parse("26-01"), None);
    }

    #[test]
    fn iban_masked_but_for_its_ends() {
        assert_eq!(
            mask_iban("DE89 3704 0044 0532 0130 00"),
            "DE89 •••• •••• •••• ••30 00".replace(' ', "\u{a0}")
        );
        assert_eq!(
            mask_iban("AT611904300234573201"),
            "AT61 •••• •••• •••• 3201".replace(' ', "\u{a0}")
        );
    }
}
