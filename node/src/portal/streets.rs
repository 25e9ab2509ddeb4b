//! The city's street directory: turns an address typed into the parents' portal ("Hauptstraße
//! 12a", home or workplace) into a position for the radius search, and suggests street names
//! while the address is typed. Pure: the directory is read once from a file and then only
//! looked up, no geocoding service is asked (addresses of parents never leave the node).
//!
//! The file is `;`-separated UTF-8 with the header `street;house_number;postcode;district;lat;lon`
//! (a persisted format, written by `kitanetz_datagen::write_street_directory_csv` for the demo
//! and by the city's Straßenverzeichnis export in production).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The header a street directory file starts with.
pub const HEADER: &str = "street;house_number;postcode;district;lat;lon";

/// Where an address is, as the directory spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The street as the directory spells it ("Königsbrücker Straße" for "koenigsbruecker str.").
    pub street: String,
    /// The house number found: the plain number when the typed one had a suffix the directory
    /// does not list (then `approximate` is set).
    pub house_number: String,
    pub postcode: String,
    pub district: String,
    /// WGS84, as written in the directory.
    pub lat: Decimal,
    pub lon: Decimal,
    /// The typed house number ("12a") was not listed and the plain number (12) was used.
    pub approximate: bool,
}

impl Location {
    /// Latitude and longitude as floats, for distances (not stored anywhere).
    pub fn lat_lon(&self) -> (f64, f64) {
        (
            self.lat.to_f64().unwrap_or(0.0),
            self.lon.to_f64().unwrap_or(0.0),
        )
    }
}

/// Looks addresses up in the city's streets.
pub trait StreetDirectory: Send + Sync {
    /// The position of a house. `None` when the street or house is unknown, when the postcode
    /// does not match, and when the street name exists under several postcodes and none was
    /// given (ask for it: [`StreetDirectory::postcodes`]).
    fn locate(&self, street: &str, house_number: &str, postcode: Option<&str>) -> Option<Location>;

    /// Street names for an address field being typed: names starting with `prefix` first, then
    /// names with a later word starting with it ("Marx" finds "Karl-Marx-Straße"); each name
    /// once, alphabetical within each group, at most `limit`.
    fn suggest(&self, prefix: &str, limit: usize) -> Vec<String>;

    /// The postcodes a street name exists under, sorted (two for a name in two districts).
    fn postcodes(&self, street: &str) -> Vec<String>;

    /// The address check of an application: is this a residential address of the city? By
    /// default the house must be in the directory; a population register that lists streets
    /// only ([`super::register`]) also knows a house the directory does not list yet.
    fn knows(&self, street: &str, house_number: &str, postcode: Option<&str>) -> bool {
        self.locate(street, house_number, postcode).is_some()
    }

    /// The district (Ortsamt) of a street under a postcode, when the whole street lies in one.
    fn district(&self, street: &str, postcode: &str) -> Option<String> {
        let _ = (street, postcode);
        None
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StreetDirectoryError {
    #[error(
        "Straßenverzeichnis {path} nicht lesbar / street directory {path} cannot be read: {source}"
    )]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "Straßenverzeichnis {file}, Zeile {line} / street directory {file}, line {line}: {message}"
    )]
    Row {
        file: String,
        line: usize,
        message: String,
    },
}

/// A street directory read from a CSV file into memory (Dresden: about 4,000 streets and
/// 100,000 houses, a few megabytes).
#[derive(Debug, Default)]
pub struct CsvStreetDirectory {
    /// One entry per (street, postcode).
    streets: Vec<Street>,
    /// Normalised name → indices into `streets`.
    by_name: HashMap<String, Vec<usize>>,
    /// Distinct names with their normalised form, sorted by it (for `suggest`).
    names: Vec<(String, String)>,
    districts: Vec<String>,
}

#[derive(Debug)]
struct Street {
    name: String,
    postcode: String,
    /// Normalised house number → house.
    houses: HashMap<String, House>,
}

#[derive(Debug)]
struct House {
    number: String,
    district: u16,
    lat: Decimal,
    lon: Decimal,
}

/// Reads a `;`-separated table file (the street directory, the population register); returns
/// its name for errors and its text.
pub(crate) fn read_table(path: &Path) -> Result<(String, String), StreetDirectoryError> {
    let text = std::fs::read_to_string(path).map_err(|source| StreetDirectoryError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((path.display().to_string(), text))
}

/// The rows of a `;`-separated table after its `header` line (a BOM allowed), each with its line
/// number and its trimmed fields; blank lines skipped. A wrong header is an error on line 1.
pub(crate) fn table_rows<'a>(
    file: &str,
    text: &'a str,
    header: &str,
) -> Result<impl Iterator<Item = (usize, Vec<&'a str>)> + 'a, StreetDirectoryError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let found = lines
        .next()
        .map(|(_, l)| l.trim_start_matches('\u{feff}').trim_end())
        .unwrap_or("");
    if found != header {
        return Err(StreetDirectoryError::Row {
            file: file.to_string(),
            line: 1,
            message: format!(
                "Kopfzeile muss {header:?} sein / header must be {header:?}, found {found:?}"
            ),
        });
    }
    Ok(lines
        .filter(|(_, raw)| !raw.trim().is_empty())
        .map(|(line, raw)| {
            (
                line,
                raw.trim_end_matches('\r')
                    .split(';')
                    .map(str::trim)
                    .collect(),
            )
        }))
}

impl CsvStreetDirectory {
    /// Reads the directory file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, StreetDirectoryError> {
        let (file, text) = read_table(path.as_ref())?;
        Self::from_csv(&file, &text)
    }

    /// Parses directory text; `file` names it in errors. Every bad row is an error (a directory
    /// silently missing streets would send parents to wrong places), reported by line number.
    pub fn from_csv(file: &str, text: &str) -> Result<Self, StreetDirectoryError> {
        let err = |line: usize, message: String| StreetDirectoryError::Row {
            file: file.to_string(),
            line,
            message,
        };
        let mut dir = CsvStreetDirectory::default();
        let mut street_index: HashMap<(String, String), usize> = HashMap::new();
        let mut district_index: HashMap<String, u16> = HashMap::new();
        for (line, fields) in table_rows(file, text, HEADER)? {
            let [street, number, postcode, district, lat, lon] = fields[..] else {
                return Err(err(
                    line,
                    format!(
                        "6 Felder erwartet, {} gefunden / expected 6 fields, found {}",
                        fields.len(),
                        fields.len()
                    ),
                ));
            };
            if street.is_empty() || district.is_empty() {
                return Err(err(line, "Straße und Ortsteil dürfen nicht leer sein / street and district must not be empty".into()));
            }
            if !number.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(err(line, format!("Hausnummer {number:?} beginnt nicht mit einer Ziffer / house number does not start with a digit")));
            }
            if postcode.len() != 5 || !postcode.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(line, format!("Postleitzahl {postcode:?} ist nicht fünfstellig / postcode is not five digits")));
            }
            let coordinate = |value: &str, what: &str, max: i64| {
                Decimal::from_str(value)
                    .ok()
                    .filter(|d| d.abs() <= Decimal::from(max))
                    .ok_or_else(|| {
                        err(
                            line,
                            format!("{what} {value:?} ist keine Koordinate / is not a coordinate"),
                        )
                    })
            };
            let lat = coordinate(lat, "Breite/latitude", 90)?;
            let lon = coordinate(lon, "Länge/longitude", 180)?;
            let district = match district_index.get(district) {
                Some(&d) => d,
                None => {
                    let d = u16::try_from(dir.districts.len()).map_err(|_| {
                        err(line, "mehr als 65535 Ortsteile / too many districts".into())
                    })?;
                    dir.districts.push(district.to_string());
                    district_index.insert(district.to_string(), d);
                    d
                }
            };
            let key = normalise_street(street);
            let s = *street_index
                .entry((key.clone(), postcode.to_string()))
                .or_insert_with(|| {
                    dir.streets.push(Street {
                        name: street.to_string(),
                        postcode: postcode.to_string(),
                        houses: HashMap::new(),
                    });
                    dir.by_name
                        .entry(key)
                        .or_default()
                        .push(dir.streets.len() - 1);
                    dir.streets.len() - 1
                });
            let house = House {
                number: number.to_string(),
                district,
                lat,
                lon,
            };
            if dir.streets[s]
                .houses
                .insert(normalise_number(number), house)
                .is_some()
            {
                return Err(err(
                    line,
                    format!("{street} {number}, {postcode} steht doppelt / is listed twice"),
                ));
            }
        }
        let mut names: Vec<(String, String)> = dir
            .by_name
            .iter()
            .map(|(key, idx)| (key.clone(), dir.streets[idx[0]].name.clone()))
            .collect();
        names.sort();
        dir.names = names;
        for idx in dir.by_name.values_mut() {
            idx.sort_by(|&a, &b| dir.streets[a].postcode.cmp(&dir.streets[b].postcode));
        }
        Ok(dir)
    }

    /// Number of houses listed.
    pub fn len(&self) -> usize {
        self.streets.iter().map(|s| s.houses.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.streets.is_empty()
    }

    fn location(&self, s: &Street, h: &House, approximate: bool) -> Location {
        Location {
            street: s.name.clone(),
            house_number: h.number.clone(),
            postcode: s.postcode.clone(),
            district: self.districts[usize::from(h.district)].clone(),
            lat: h.lat,
            lon: h.lon,
            approximate,
        }
    }
}

impl StreetDirectory for CsvStreetDirectory {
    fn locate(&self, street: &str, house_number: &str, postcode: Option<&str>) -> Option<Location> {
        let candidates = self.by_name.get(&normalise_street(street))?;
        let postcode = postcode.map(str::trim).filter(|p| !p.is_empty());
        let number = normalise_number(house_number);
        let plain: String = number.chars().take_while(char::is_ascii_digit).collect();
        if plain.is_empty() {
            return None;
        }
        let mut found = None;
        for &i in candidates {
            let s = &self.streets[i];
            if postcode.is_some_and(|p| p != s.postcode) {
                continue;
            }
            let hit = match s.houses.get(&number) {
                Some(h) => Some((h, false)),
                None => s.houses.get(&plain).map(|h| (h, true)),
            };
            if let Some((h, approximate)) = hit {
                if found.is_some() {
                    // The same name and number under two postcodes: which one is meant?
                    return None;
                }
                found = Some(self.location(s, h, approximate));
            }
        }
        found
    }

    fn suggest(&self, prefix: &str, limit: usize) -> Vec<String> {
        let typed = normalise_prefix(prefix);
        if typed.iter().all(|t| t.is_empty()) || limit == 0 {
            return Vec::new();
        }
        let matches_start = |key: &str| {
            typed
                .iter()
                .any(|t| !t.is_empty() && key.starts_with(t.as_str()))
        };
        let matches_word = |key: &str| {
            key.match_indices([' ', '-'])
                .any(|(i, _)| matches_start(&key[i + 1..]))
        };
        let mut out: Vec<String> = self
            .names
            .iter()
            .filter(|(key, _)| matches_start(key))
            .take(limit)
            .map(|(_, name)| name.clone())
            .collect();
        if out.len() < limit {
            let rest = limit - out.len();
            out.extend(
                self.names
                    .iter()
                    .filter(|(key, _)| !matches_start(key) && matches_word(key))
                    .take(rest)
                    .map(|(_, name)| name.clone()),
            );
        }
        out
    }

    fn postcodes(&self, street: &str) -> Vec<String> {
        self.by_name
            .get(&normalise_street(street))
            .map(|idx| {
                idx.iter()
                    .map(|&i| self.streets[i].postcode.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn district(&self, street: &str, postcode: &str) -> Option<String> {
        let idx = self.by_name.get(&normalise_street(street))?;
        let s = idx
            .iter()
            .map(|&i| &self.streets[i])
            .find(|s| s.postcode == postcode.trim())?;
        let mut districts = s.houses.values().map(|h| h.district);
        let first = districts.next()?;
        districts
            .all(|d| d == first)
            .then(|| self.districts[usize::from(first)].clone())
    }
}

/// Lower case, single spaces, ß → ss, ä/ö/ü → ae/oe/ue, and "str." / "str" / "strasse" at the
/// end of a word → "strasse", so that "Königsbrücker Str." and "koenigsbruecker strasse" meet.
pub fn normalise_street(street: &str) -> String {
    expand_street_suffix(&fold(street), true)
}

/// What a typed prefix may mean: as typed, and with a trailing "str" read as "straße" (so that
/// "Ostr" still finds "Ostra-Allee" and "Hauptstr" finds "Hauptstraße").
fn normalise_prefix(prefix: &str) -> [String; 2] {
    let folded = fold(prefix);
    let trailing_space = folded.is_empty() || prefix.ends_with(char::is_whitespace);
    [
        expand_street_suffix(&folded, trailing_space),
        expand_street_suffix(&folded, true),
    ]
}

fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            match c {
                'ß' => out.push_str("ss"),
                'ä' => out.push_str("ae"),
                'ö' => out.push_str("oe"),
                'ü' => out.push_str("ue"),
                c => out.push(c),
            }
        }
    }
    out
}

/// Expands "str." / "str" at the end of each word (between spaces and hyphens) to "strasse";
/// the last word only if `last_complete` (a prefix still being typed may go on as "Ostra…").
fn expand_street_suffix(folded: &str, last_complete: bool) -> String {
    let mut out = String::with_capacity(folded.len() + 8);
    let mut word_start = 0;
    let bytes = folded.as_bytes();
    for i in 0..=bytes.len() {
        let end = i == bytes.len();
        if end || bytes[i] == b' ' || bytes[i] == b'-' {
            let word = &folded[word_start..i];
            let word = word
                .strip_suffix('.')
                .filter(|w| w.ends_with("str"))
                .unwrap_or(word);
            if word.ends_with("str") && (!end || last_complete) {
                out.push_str(word);
                out.push_str("asse");
            } else {
                out.push_str(word);
            }
            if !end {
                out.push(bytes[i] as char);
            }
            word_start = i + 1;
        }
    }
    out
}

/// "12 A" → "12a"; "12-14" → "12-14" (falls back to 12 in `locate`).
fn normalise_number(number: &str) -> String {
    number
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The home district (Ortsamt) of an applicant's address, from the street directory; `None`
/// without a directory or when the address is not in it.
pub fn applicant_district(
    streets: Option<&dyn StreetDirectory>,
    applicant: &kitanetz_crdt::kinds::Applicant,
) -> Option<String> {
    address_district(
        streets,
        &applicant.address.street,
        &applicant.address.postcode,
    )
}

/// [`applicant_district`] from the address line as typed ("Hauptstraße 12a") and its postcode.
pub fn address_district(
    streets: Option<&dyn StreetDirectory>,
    street_line: &str,
    postcode: &str,
) -> Option<String> {
    let (street, number) = parse_address(street_line);
    streets?
        .locate(&street, &number, Some(postcode))
        .map(|l| l.district)
}

/// Splits one-field input like "Hauptstraße 12a" into street and house number. The house number
/// is the last word starting with a digit, with a short letter suffix ("12 a"); a number glued
/// to the name ("Hauptstraße12") is split off too; anything after a comma (", 01097 Dresden")
/// is ignored. Without a house number the number is empty ("Straße des 17. Juni").
pub fn parse_address(input: &str) -> (String, String) {
    let head = input.split(',').next().unwrap_or("").trim();
    let words: Vec<&str> = head.split_whitespace().collect();
    for i in (1..words.len()).rev() {
        if !words[i].starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let rest = &words[i + 1..];
        let suffix_ok = match rest {
            [] => true,
            [s] => s.chars().count() <= 2 && s.chars().all(char::is_alphabetic),
            _ => false,
        };
        if suffix_ok {
            return (words[..i].join(" "), words[i..].concat());
        }
        break;
    }
    // "Hauptstraße12a": trailing digits (and up to two letters) glued to a letter.
    let street = words.join(" ");
    let trimmed = street.trim_end_matches(char::is_alphabetic);
    let letters = street.len() - trimmed.len();
    let digits_start = trimmed.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if letters <= 2
        && digits_start < trimmed.len()
        && digits_start > 0
        && street[..digits_start].ends_with(char::is_alphabetic)
    {
        return (
            street[..digits_start].to_string(),
            street[digits_start..].to_string(),
        );
    }
    (street, String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "\
street;house_number;postcode;district;lat;lon
Hauptstraße;1;01097;Neustadt;51.06000;13.74500
Hauptstraße;12;01097;Neustadt;51.06100;13.74600
Hauptstraße;12b;01097;Neustadt;51.06105;13.74605
Hauptstraße;12;01328;Schönfeld-Weißig;51.06000;13.88000
Hauptstraße;40;01328;Schönfeld-Weißig;51.06200;13.88200
Königsbrücker Straße;5;01099;Neustadt;51.07000;13.75500
Karl-Marx-Straße;3;01109;Klotzsche;51.11500;13.77500
Ostra-Allee;9;01067;Altstadt;51.05400;13.73000
Straße des 17. Juni;2;01257;Leuben;51.01500;13.83000
";

    fn dir() -> CsvStreetDirectory {
        CsvStreetDirectory::from_csv("test.csv", CSV).unwrap()
    }

    fn at(l: &Option<Location>) -> Option<(&str, &str, &str, bool)> {
        l.as_ref().map(|l| {
            (
                l.street.as_str(),
                l.house_number.as_str(),
                l.postcode.as_str(),
                l.approximate,
            )
        })
    }

    #[test]
    fn finds_a_house_with_the_directorys_spelling_and_coordinates() {
        let d = dir();
        assert_eq!(d.len(), 9);
        let l = d.locate("Königsbrücker Straße", "5", None).unwrap();
        assert_eq!(l.district, "Neustadt");
        assert_eq!(l.lat, Decimal::from_str("51.07000").unwrap());
        assert_eq!(l.lat.to_string(), "51.07000", "coordinates as given");
        assert_eq!(l.lat_lon(), (51.07, 13.755));
        assert!(!l.approximate);
    }

    #[test]
    fn spelling_variants_meet() {
        let d = dir();
        for typed in [
            "königsbrücker straße",
            "  Königsbrücker   Str. ",
            "Königsbrücker Str",
            "KÖNIGSBRÜCKER STRASSE",
            "Koenigsbruecker Strasse",
            "Königsbrücker Strasse",
        ] {
            assert_eq!(
                at(&d.locate(typed, "5", Some("01099"))),
                Some(("Königsbrücker Straße", "5", "01099", false)),
                "{typed:?}"
            );
        }
        assert_eq!(
            at(&d.locate("Karl-Marx-Str.", "3", None)),
            Some(("Karl-Marx-Straße", "3", "01109", false))
        );
        assert!(d.locate("Ostra-Allee", "9", None).is_some());
        assert!(d.locate("Königsbrücker Landstraße", "5", None).is_none());
    }

    #[test]
    fn house_number_suffixes_fall_back_to_the_plain_number() {
        let d = dir();
        assert_eq!(
            at(&d.locate("Hauptstraße", "12b", Some("01097"))),
            Some(("Hauptstraße", "12b", "01097", false)),
            "listed with its suffix"
        );
        assert_eq!(
            at(&d.locate("Hauptstraße", "12 B", Some("01097"))),
            Some(("Hauptstraße", "12b", "01097", false))
        );
        assert_eq!(
            at(&d.locate("Hauptstraße", "12a", Some("01097"))),
            Some(("Hauptstraße", "12", "01097", true))
        );
        assert!(d.locate("Hauptstraße", "13", Some("01097")).is_none());
        assert!(d.locate("Hauptstraße", "a", Some("01097")).is_none());
        assert!(d.locate("Hauptstraße", "", Some("01097")).is_none());
    }

    #[test]
    fn postcode_is_optional_unless_the_name_is_ambiguous() {
        let d = dir();
        assert_eq!(d.postcodes("Hauptstr."), vec!["01097", "01328"]);
        assert!(
            d.locate("Hauptstraße", "12", None).is_none(),
            "12 exists under both postcodes"
        );
        assert_eq!(
            at(&d.locate("Hauptstraße", "12", Some(" 01328 "))),
            Some(("Hauptstraße", "12", "01328", false))
        );
        assert_eq!(
            d.locate("Hauptstraße", "40", None).unwrap().district,
            "Schönfeld-Weißig",
            "only one of them has number 40"
        );
        assert!(d.locate("Hauptstraße", "40", Some("01097")).is_none());
        assert!(
            d.locate("Hauptstraße", "1", Some("")).is_some(),
            "blank postcode"
        );
    }

    #[test]
    fn suggestions_start_with_the_prefix_then_match_later_words() {
        let d = dir();
        assert_eq!(
            d.suggest("haupt", 10),
            vec!["Hauptstraße"],
            "each name once"
        );
        assert_eq!(
            d.suggest("Königsbrücker Str", 10),
            vec!["Königsbrücker Straße"]
        );
        assert_eq!(d.suggest("Ostr", 10), vec!["Ostra-Allee"]);
        assert_eq!(d.suggest("marx", 10), vec!["Karl-Marx-Straße"]);
        assert_eq!(
            d.suggest("K", 10),
            vec!["Karl-Marx-Straße", "Königsbrücker Straße"]
        );
        assert_eq!(d.suggest("K", 1), vec!["Karl-Marx-Straße"]);
        assert_eq!(d.suggest("s", 10)[0], "Straße des 17. Juni");
        assert!(d.suggest("  ", 10).is_empty());
        assert!(d.suggest("x", 10).is_empty());
        assert!(d.suggest("haupt", 0).is_empty());
    }

    #[test]
    fn bad_rows_are_reported_with_their_line() {
        let bad = |row: &str| {
            let text = format!("{HEADER}\nHauptstraße;1;01097;Neustadt;51.06;13.74\n{row}\n");
            match CsvStreetDirectory::from_csv("s.csv", &text) {
                Err(StreetDirectoryError::Row {
                    line,
                    file,
                    message,
                }) => {
                    assert_eq!((line, file.as_str()), (3, "s.csv"), "{message}");
                    message
                }
                other => panic!("{row:?}: expected a row error, got {other:?}"),
            }
        };
        assert!(bad("Hauptstraße;2;01097;Neustadt;51.06").contains("6"));
        assert!(bad("Hauptstraße;zwei;01097;Neustadt;51.06;13.74").contains("zwei"));
        assert!(bad("Hauptstraße;2;1097;Neustadt;51.06;13.74").contains("1097"));
        assert!(bad("Hauptstraße;2;01097;Neustadt;north;13.74").contains("north"));
        assert!(bad("Hauptstraße;2;01097;Neustadt;91;13.74").contains("91"));
        assert!(bad(";2;01097;Neustadt;51.06;13.74").contains("leer"));
        assert!(bad("Hauptstr.;1;01097;Neustadt;51.06;13.74").contains("doppelt"));
        let err = CsvStreetDirectory::from_csv("s.csv", "street,house\n").unwrap_err();
        assert!(err.to_string().contains("Zeile 1"), "{err}");
        let e = CsvStreetDirectory::from_csv("s.csv", "").unwrap_err();
        assert!(matches!(e, StreetDirectoryError::Row { line: 1, .. }));
    }

    #[test]
    fn a_bom_crlf_and_blank_lines_are_accepted() {
        let text =
            format!("\u{feff}{HEADER}\r\nAlaunstraße;3;01099;Neustadt;51.066;13.754\r\n\r\n");
        let d = CsvStreetDirectory::from_csv("s.csv", &text).unwrap();
        assert_eq!(
            d.locate("Alaunstr.", "3", None).unwrap().lon.to_string(),
            "13.754"
        );
    }

    #[test]
    fn load_reads_a_file_and_names_it_in_errors() {
        let dir = std::env::temp_dir().join(format!("kitanetz-streets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("streets.csv");
        std::fs::write(&path, CSV).unwrap();
        assert_eq!(CsvStreetDirectory::load(&path).unwrap().len(), 9);
        let missing = dir.join("missing.csv");
        let err = CsvStreetDirectory::load(&missing).unwrap_err();
        assert!(matches!(err, StreetDirectoryError::Read { .. }));
        assert!(err.to_string().contains("missing.csv"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn one_field_addresses_split_into_street_and_number() {
        let p = |s: &str| {
            let (a, b) = parse_address(s);
            (a, b)
        };
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(p("Hauptstraße 12a"), pair("Hauptstraße", "12a"));
        assert_eq!(p("  Hauptstraße   12 a "), pair("Hauptstraße", "12a"));
        assert_eq!(
            p("Hauptstraße 12, 01097 Dresden"),
            pair("Hauptstraße", "12")
        );
        assert_eq!(p("Karl-Marx-Str. 3"), pair("Karl-Marx-Str.", "3"));
        assert_eq!(p("Straße des 17. Juni 5"), pair("Straße des 17. Juni", "5"));
        assert_eq!(p("Straße des 17. Juni"), pair("Straße des 17. Juni", ""));
        assert_eq!(p("Hauptstraße12b"), pair("Hauptstraße", "12b"));
        assert_eq!(p("Hauptstraße 12-14"), pair("Hauptstraße", "12-14"));
        assert_eq!(p("Hauptstraße"), pair("Hauptstraße", ""));
        assert_eq!(p("12"), pair("12", ""));
        assert_eq!(p(""), pair("", ""));
    }

    #[test]
    fn parse_then_locate() {
        let d = dir();
        let (street, number) = parse_address("Königsbrücker Str. 5");
        assert!(d.locate(&street, &number, None).is_some());
    }

    #[test]
    fn a_directory_is_shareable_between_request_handlers() {
        fn shared<T: Send + Sync + 'static>() {}
        shared::<CsvStreetDirectory>();
        let d: std::sync::Arc<dyn StreetDirectory> = std::sync::Arc::new(dir());
        assert!(d.locate("Ostra-Allee", "9", None).is_some());
    }
}
