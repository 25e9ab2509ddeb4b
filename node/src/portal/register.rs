//! The population register / street directory adapter behind the portal's address check
//! (Lastenheft 3.19 "Einwohnermelderegister / Straßenverzeichnis mit Ortsamtszuordnung", 3.4.2).
//!
//! The address check asks [`StreetDirectory::knows`]: is the typed address a residential address
//! of the city? The house-level directory (`streets.csv`, [`super::streets`]) answers it for the
//! houses it lists, with a position for the radius search. A city whose register office exports
//! only its streets (street → postcode → district, no houses, no coordinates) configures that
//! file as `[portal] population_register`; the default adapter reads it ([`CsvAddressRegister`],
//! format in `node/src/interfaces/FORMATS.md`) and [`WithRegister`] puts it behind the
//! directory: an address whose street the register lists under that postcode passes the check
//! even when the directory lacks the house (a new building), and the districts come from the
//! register where the directory has none. No personal data: streets only. Pure after loading.
//!
//! Another register (an online Melderegister query) would implement [`StreetDirectory`] the
//! same way; the address check and the re-check before placement do not change.

use super::streets::{normalise_street, Location, StreetDirectory, StreetDirectoryError};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

/// The header a register file starts with.
pub const REGISTER_HEADER: &str = "street;postcode;district";

/// A register read from `street;postcode;district` CSV into memory.
#[derive(Debug, Default)]
pub struct CsvAddressRegister {
    /// (normalised street, postcode) → district.
    districts: HashMap<(String, String), String>,
    /// Normalised street → (the name as the register spells it, its postcodes, sorted).
    names: BTreeMap<String, (String, Vec<String>)>,
}

impl CsvAddressRegister {
    /// Reads the register file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, StreetDirectoryError> {
        let (file, text) = super::streets::read_table(path.as_ref())?;
        Self::from_csv(&file, &text)
    }

    /// Parses register text; `file` names it in errors. Every bad row is an error with its line
    /// number (a register silently missing streets would send residents to the watch list).
    pub fn from_csv(file: &str, text: &str) -> Result<Self, StreetDirectoryError> {
        let err = |line: usize, message: String| StreetDirectoryError::Row {
            file: file.to_string(),
            line,
            message,
        };
        let mut register = CsvAddressRegister::default();
        for (line, fields) in super::streets::table_rows(file, text, REGISTER_HEADER)? {
            let [street, postcode, district] = fields[..] else {
                return Err(err(
                    line,
                    format!(
                        "3 Felder erwartet, {} gefunden / expected 3 fields, found {}",
                        fields.len(),
                        fields.len()
                    ),
                ));
            };
            if street.is_empty() || district.is_empty() {
                return Err(err(line, "Straße und Ortsamt dürfen nicht leer sein / street and district must not be empty".into()));
            }
            if postcode.len() != 5 || !postcode.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(line, format!("Postleitzahl {postcode:?} ist nicht fünfstellig / postcode is not five digits")));
            }
            let key = normalise_street(street);
            if register
                .districts
                .insert((key.clone(), postcode.to_string()), district.to_string())
                .is_some()
            {
                return Err(err(
                    line,
                    format!("{street}, {postcode} steht doppelt / is listed twice"),
                ));
            }
            let entry = register
                .names
                .entry(key)
                .or_insert_with(|| (street.to_string(), Vec::new()));
            entry.1.push(postcode.to_string());
            entry.1.sort();
        }
        Ok(register)
    }

    /// Streets listed (a street under two postcodes counts twice).
    pub fn len(&self) -> usize {
        self.districts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.districts.is_empty()
    }
}

impl StreetDirectory for CsvAddressRegister {
    /// The register has no houses and no positions: nothing to locate for the radius search.
    fn locate(&self, _: &str, _: &str, _: Option<&str>) -> Option<Location> {
        None
    }

    fn suggest(&self, prefix: &str, limit: usize) -> Vec<String> {
        let typed = normalise_street(prefix);
        if typed.is_empty() || limit == 0 {
            return Vec::new();
        }
        self.names
            .iter()
            .filter(|(key, _)| key.starts_with(&typed))
            .take(limit)
            .map(|(_, (name, _))| name.clone())
            .collect()
    }

    fn postcodes(&self, street: &str) -> Vec<String> {
        self.names
            .get(&normalise_street(street))
            .map(|(_, postcodes)| postcodes.clone())
            .unwrap_or_default()
    }

    /// The street is listed under the postcode (any house number that starts with a digit);
    /// without a postcode, when the street exists under exactly one.
    fn knows(&self, street: &str, house_number: &str, postcode: Option<&str>) -> bool {
        if !house_number
            .trim()
            .starts_with(|c: char| c.is_ascii_digit())
        {
            return false;
        }
        match postcode.map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => self.district(street, p).is_some(),
            None => self.postcodes(street).len() == 1,
        }
    }

    fn district(&self, street: &str, postcode: &str) -> Option<String> {
        self.districts
            .get(&(normalise_street(street), postcode.trim().to_string()))
            .cloned()
    }
}

/// The house-level directory (if any) with the register behind it.
pub struct WithRegister {
    pub directory: Option<Arc<dyn StreetDirectory>>,
    pub register: CsvAddressRegister,
}

impl StreetDirectory for WithRegister {
    fn locate(&self, street: &str, house_number: &str, postcode: Option<&str>) -> Option<Location> {
        self.directory
            .as_ref()?
            .locate(street, house_number, postcode)
    }

    fn suggest(&self, prefix: &str, limit: usize) -> Vec<String> {
        match &self.directory {
            Some(d) => d.suggest(prefix, limit),
            None => self.register.suggest(prefix, limit),
        }
    }

    fn postcodes(&self, street: &str) -> Vec<String> {
        let mut out = self
            .directory
            .as_ref()
            .map(|d| d.postcodes(street))
            .unwrap_or_default();
        out.extend(self.register.postcodes(street));
        out.sort();
        out.dedup();
        out
    }

    fn knows(&self, street: &str, house_number: &str, postcode: Option<&str>) -> bool {
        self.directory
            .as_ref()
            .is_some_and(|d| d.knows(street, house_number, postcode))
            || self.register.knows(street, house_number, postcode)
    }

    fn district(&self, street: &str, postcode: &str) -> Option<String> {
        self.register.district(street, postcode).or_else(|| {
            self.directory
                .as_ref()
                .and_then(|d| d.district(street, postcode))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::streets::CsvStreetDirectory;

    const REGISTER: &str = "\u{feff}street;postcode;district\r\n\
        Königsbrücker Straße;01099;Neustadt\r\n\
        Hauptstraße;01097;Neustadt\r\n\
        Hauptstraße;01326;Loschwitz\r\n\
        Neubaugasse;01069;Altstadt\r\n";

    fn register() -> CsvAddressRegister {
        CsvAddressRegister::from_csv("register.csv", REGISTER).unwrap()
    }

    #[test]
    fn the_register_maps_street_and_postcode_to_the_district() {
        let r = register();
        assert_eq!(r.len(), 4);
        assert_eq!(
            r.district("koenigsbruecker str.", "01099").as_deref(),
            Some("Neustadt")
        );
        assert_eq!(
            r.district("Hauptstraße", "01326").as_deref(),
            Some("Loschwitz")
        );
        assert_eq!(r.district("Hauptstraße", "01069"), None);
        assert_eq!(r.postcodes("Hauptstr."), ["01097", "01326"]);
        assert_eq!(r.suggest("haupt", 5), ["Hauptstraße"]);
        // The address check: street under the postcode, any house number; without a postcode
        // only a street that exists once.
        assert!(r.knows("Neubaugasse", "17b", Some("01069")));
        assert!(r.knows("Neubaugasse", "17", None));
        assert!(!r.knows("Hauptstraße", "1", None), "two postcodes: which?");
        assert!(!r.knows("Neubaugasse", "", Some("01069")));
        assert!(!r.knows("Neubaugasse", "1", Some("01099")));
        assert!(r.locate("Neubaugasse", "1", Some("01069")).is_none());
    }

    #[test]
    fn a_bad_register_row_is_named_by_its_line() {
        for (text, line, says) in [
            ("street;postcode\nA;01067\n", 1, "header"),
            ("street;postcode;district\nA;1067;X\n", 2, "five digits"),
            (
                "street;postcode;district\nA;01067;X\nB;01067\n",
                3,
                "expected 3",
            ),
            (
                "street;postcode;district\nA;01067;\n",
                2,
                "must not be empty",
            ),
            (
                "street;postcode;district\nA;01067;X\na;01067;Y\n",
                3,
                "twice",
            ),
        ] {
            let e = CsvAddressRegister::from_csv("r.csv", text).unwrap_err();
            let message = e.to_string();
            assert!(
                message.contains(&format!("line {line}")) && message.contains(says),
                "{text:?}: {message}"
            );
        }
    }

    #[test]
    fn behind_the_directory_the_register_knows_a_house_the_directory_lacks() {
        let directory = CsvStreetDirectory::from_csv(
            "streets.csv",
            "street;house_number;postcode;district;lat;lon\n\
             Neubaugasse;1;01069;Altstadt;51.05;13.74\n",
        )
        .unwrap();
        assert!(!directory.knows("Neubaugasse", "3", Some("01069")));
        let both = WithRegister {
            directory: Some(Arc::new(directory)),
            register: register(),
        };
        assert!(both.knows("Neubaugasse", "3", Some("01069")));
        assert!(both.locate("Neubaugasse", "3", Some("01069")).is_none());
        assert!(both.locate("Neubaugasse", "1", Some("01069")).is_some());
        assert!(!both.knows("Gibtsnichtweg", "3", Some("01069")));
        assert_eq!(
            both.district("Königsbrücker Straße", "01099").as_deref(),
            Some("Neustadt")
        );
        assert_eq!(
            both.postcodes("Neubaugasse"),
            ["01069"],
            "one postcode, from both"
        );
    }
}
