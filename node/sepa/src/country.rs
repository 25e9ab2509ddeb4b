//! The countries of the SEPA schemes' geographical scope and the length of their IBANs.
//!
//! Sources: the EPC's "List of countries and territories included in the SEPA schemes'
//! geographical scope" (36 countries until 2024; Albania and Montenegro admitted November 2024,
//! Moldova and North Macedonia March 2025, Serbia May 2025: 41) and the SWIFT IBAN registry for
//! the lengths. Territories without an IBAN prefix of their own bank under their country's prefix
//! (Åland FI; French overseas departments and territories FR; Guernsey, Jersey, Isle of Man GB),
//! so the table is by IBAN prefix, not by territory.

/// One SEPA country: its ISO 3166 code (the IBAN prefix), its name for messages and the number
/// of characters of its IBANs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SepaCountry {
    pub code: &'static str,
    /// In the dative, as messages say it: „eine IBAN aus der Schweiz“.
    pub name_de: &'static str,
    pub name_en: &'static str,
    pub iban_length: usize,
}

const fn country(
    code: &'static str,
    name_de: &'static str,
    name_en: &'static str,
    iban_length: usize,
) -> SepaCountry {
    SepaCountry {
        code,
        name_de,
        name_en,
        iban_length,
    }
}

/// Sorted by code.
pub const SEPA_COUNTRIES: &[SepaCountry] = &[
    country("AD", "Andorra", "Andorra", 24),
    country("AL", "Albanien", "Albania", 28),
    country("AT", "Österreich", "Austria", 20),
    country("BE", "Belgien", "Belgium", 16),
    country("BG", "Bulgarien", "Bulgaria", 22),
    country("CH", "der Schweiz", "Switzerland", 21),
    country("CY", "Zypern", "Cyprus", 28),
    country("CZ", "Tschechien", "Czechia", 24),
    country("DE", "Deutschland", "Germany", 22),
    country("DK", "Dänemark", "Denmark", 18),
    country("EE", "Estland", "Estonia", 20),
    country("ES", "Spanien", "Spain", 24),
    country("FI", "Finnland", "Finland", 18),
    country("FR", "Frankreich", "France", 27),
    country("GB", "dem Vereinigten Königreich", "the United Kingdom", 22),
    country("GI", "Gibraltar", "Gibraltar", 23),
    country("GR", "Griechenland", "Greece", 27),
    country("HR", "Kroatien", "Croatia", 21),
    country("HU", "Ungarn", "Hungary", 28),
    country("IE", "Irland", "Ireland", 22),
    country("IS", "Island", "Iceland", 26),
    country("IT", "Italien", "Italy", 27),
    country("LI", "Liechtenstein", "Liechtenstein", 21),
    country("LT", "Litauen", "Lithuania", 20),
    country("LU", "Luxemburg", "Luxembourg", 20),
    country("LV", "Lettland", "Latvia", 21),
    country("MC", "Monaco", "Monaco", 27),
    country("MD", "Moldau", "Moldova", 24),
    country("ME", "Montenegro", "Montenegro", 22),
    country("MK", "Nordmazedonien", "North Macedonia", 19),
    country("MT", "Malta", "Malta", 31),
    country("NL", "den Niederlanden", "the Netherlands", 18),
    country("NO", "Norwegen", "Norway", 15),
    country("PL", "Polen", "Poland", 28),
    country("PT", "Portugal", "Portugal", 25),
    country("RO", "Rumänien", "Romania", 24),
    country("RS", "Serbien", "Serbia", 22),
    country("SE", "Schweden", "Sweden", 24),
    country("SI", "Slowenien", "Slovenia", 19),
    country("SK", "der Slowakei", "Slovakia", 24),
    country("SM", "San Marino", "San Marino", 27),
    country("VA", "der Vatikanstadt", "Vatican City", 22),
];

/// The SEPA country with this (upper-case) code.
pub fn sepa_country(code: &str) -> Option<&'static SepaCountry> {
    SEPA_COUNTRIES
        .binary_search_by(|country| country.code.cmp(code))
        .ok()
        .map(|index| &SEPA_COUNTRIES[index])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_without_repeats_so_binary_search_finds_every_country() {
        assert!(SEPA_COUNTRIES.windows(2).all(|w| w[0].code < w[1].code));
        for country in SEPA_COUNTRIES {
            assert_eq!(sepa_country(country.code), Some(country));
        }
        assert_eq!(
            SEPA_COUNTRIES.len(),
            42,
            "41 countries plus Gibraltar's own prefix"
        );
    }

    #[test]
    fn countries_outside_sepa_are_unknown() {
        assert_eq!(sepa_country("US"), None);
        assert_eq!(sepa_country("TR"), None);
        assert_eq!(sepa_country("de"), None, "callers upper-case first");
    }
}
