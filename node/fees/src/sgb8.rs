//! § 90 SGB VIII as it read in a given month. The Gute-KiTa-Gesetz (Gesetz zur Weiterentwicklung
//! der Qualität und zur Teilhabe in der Kindertagesbetreuung of 19 December 2018, Art. 2)
//! renumbered it from 1 August 2019:
//! - until 31 July 2019 the waiver for day care was Abs. 3 ("soll … auf Antrag ganz oder teilweise
//!   erlassen werden, wenn die Belastung … nicht zuzumuten ist") and the reasonable burden Abs. 4
//!   (§§ 82 bis 85, 87, 88 und 92a SGB XII), the wording the Dresden statute of 2011 cites;
//! - from 1 August 2019 Abs. 3 is the staggering of the fees and the waiver is Abs. 4: Satz 1 the
//!   waiver on application, Satz 2 never reasonable with SGB II, SGB XII (3rd and 4th chapter),
//!   AsylbLG §§ 2, 3, Kinderzuschlag or Wohngeld, Satz 4 with Abs. 2 Satz 3 the income rules of
//!   §§ 82 bis 85, 87, 88 und 92 SGB XII.
//!
//! A month's explanation and a decision cite the law in force in the month they concern.

use chrono::NaiveDate;

/// The first day of § 90 SGB VIII in the wording of the Gute-KiTa-Gesetz.
pub fn renumbered_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 8, 1).expect("a calendar date")
}

/// The paragraphs of the income-based reduction or waiver of a day-care fee in force on `on`.
pub fn waiver_paragraphs(on: NaiveDate) -> &'static str {
    if on < renumbered_on() {
        "§ 90 Abs. 3, 4 SGB VIII"
    } else {
        "§ 90 Abs. 4 SGB VIII"
    }
}

/// The legal basis of a refusal of the reduction or waiver for months from `on`, as printed
/// under "Begründung" (the statute's own § 13 named last).
pub fn waiver_legal_basis(on: NaiveDate) -> &'static str {
    if on < renumbered_on() {
        "Nach § 90 Abs. 3 Sozialgesetzbuch Achtes Buch (SGB VIII) soll der Kostenbeitrag auf Antrag ganz oder teilweise erlassen werden, wenn die Belastung den Eltern und dem Kind nicht zuzumuten ist. Ob die Belastung zumutbar ist, richtet sich nach § 90 Abs. 4 SGB VIII in Verbindung mit den §§ 82 bis 85, 87 und 88 Sozialgesetzbuch Zwölftes Buch (SGB XII) sowie § 13 der Satzung über die Erhebung von Elternbeiträgen."
    } else {
        "Nach § 90 Abs. 4 Satz 1 Sozialgesetzbuch Achtes Buch (SGB VIII) wird der Kostenbeitrag auf Antrag erlassen, wenn die Belastung den Eltern und dem Kind nicht zuzumuten ist; nicht zuzumuten ist er immer dann, wenn Leistungen zur Sicherung des Lebensunterhalts nach dem Zweiten Buch, nach dem dritten und vierten Kapitel des Zwölften Buches oder nach den §§ 2 und 3 des Asylbewerberleistungsgesetzes, Kinderzuschlag oder Wohngeld bezogen werden (§ 90 Abs. 4 Satz 2 SGB VIII). Ob die Belastung im Übrigen zumutbar ist, richtet sich nach § 90 Abs. 4 Satz 4 in Verbindung mit Abs. 2 Satz 3 SGB VIII und den §§ 82 bis 85, 87, 88 und 92 Sozialgesetzbuch Zwölftes Buch (SGB XII) sowie § 13 der Satzung über die Erhebung von Elternbeiträgen."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_waiver_is_abs_3_with_abs_4_until_july_2019_and_abs_4_from_august_2019() {
        assert_eq!(
            waiver_paragraphs(day(2011, 8, 1)),
            "§ 90 Abs. 3, 4 SGB VIII"
        );
        assert_eq!(
            waiver_paragraphs(day(2019, 7, 31)),
            "§ 90 Abs. 3, 4 SGB VIII"
        );
        assert_eq!(waiver_paragraphs(day(2019, 8, 1)), "§ 90 Abs. 4 SGB VIII");
        assert_eq!(waiver_paragraphs(day(2026, 11, 1)), "§ 90 Abs. 4 SGB VIII");
    }

    #[test]
    fn a_refusal_since_august_2019_names_the_benefits_that_always_make_the_fee_unreasonable() {
        let old = waiver_legal_basis(day(2019, 7, 1));
        assert!(
            old.contains("§ 90 Abs. 3 Sozialgesetzbuch Achtes Buch"),
            "{old}"
        );
        assert!(!old.contains("Wohngeld"), "{old}");
        let new = waiver_legal_basis(day(2019, 8, 1));
        assert!(new.contains("§ 90 Abs. 4 Satz 1"), "{new}");
        assert!(new.contains("Kinderzuschlag oder Wohngeld"), "{new}");
        assert!(!new.contains("§ 90 Abs. 3"), "{new}");
    }
}
