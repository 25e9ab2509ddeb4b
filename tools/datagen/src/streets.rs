//! The demo city's street directory: every street the generator uses, with its house numbers
//! and a map position per house, so that the parents' portal can turn a typed address into
//! coordinates (Umkreissuche) and every generated address lies where the directory says.
//!
//! Why computed rather than drawn: the directory does not depend on the seed (it is the city,
//! not its inhabitants), and a house has the same position in every world. Each street is a
//! straight line inside its district, placed and sized by a hash of its name; odd numbers on
//! one side, even numbers on the other. Only integer arithmetic, so the positions are the same
//! on every platform (no `cos` from the system's maths library).

use crate::places::DISTRICTS;
use kitanetz_crdt::scalar::Dec;
use rust_decimal::Decimal;
use std::io::{self, Write};

/// One house of the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreetRow {
    pub street: &'static str,
    pub house_number: u32,
    pub postcode: &'static str,
    /// The district (Ortsamt or Ortschaft) the street lies in.
    pub district: &'static str,
    /// WGS84, five decimals (about a metre).
    pub lat: Dec,
    pub lon: Dec,
}

/// The header of the CSV file (a persisted format: the node's street directory reads it).
pub const STREET_CSV_HEADER: &str = "street;house_number;postcode;district;lat;lon";

/// Unit vectors (cos, sin) × 1000 in steps of 15° over half a turn: a street is a line, so its
/// direction needs no more; the other half is the negated vectors.
const DIRECTIONS: [(i64, i64); 12] = [
    (1000, 0),
    (966, 259),
    (866, 500),
    (707, 707),
    (500, 866),
    (259, 966),
    (0, 1000),
    (-259, 966),
    (-500, 866),
    (-707, 707),
    (-866, 500),
    (-966, 259),
];

/// Metres per degree of latitude, and of longitude at Dresden (51.05° N).
const METRES_PER_DEGREE_LAT: i64 = 111_320;
const METRES_PER_DEGREE_LON: i64 = 69_960;

/// Distance of a house from the middle of the street (odd numbers east/north of the line).
const SIDE_M: i64 = 12;

/// FNV-1a: a fixed, documented hash (std's `DefaultHasher` may change between Rust releases).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes().iter().chain(&[0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A street as a straight line in metres east/north of its district's centre.
struct Line {
    houses: u32,
    mid: (i64, i64),
    dir: (i64, i64),
    length: i64,
}

fn line(district: usize, street: &str, postcode: &str) -> Line {
    let d = &DISTRICTS[district];
    let h = fnv1a(&[d.name, street, postcode]);
    let houses = 20 + (h % 121) as u32;
    let radius = i64::from(d.radius_m);
    // About 16 m of frontage per pair of houses, never more than half the district across.
    let length = (8 * i64::from(houses)).min(radius);
    // The middle stays within half the radius, so that the whole street stays inside it.
    let reach = radius / 2 - 2 * SIDE_M;
    let mid_r = ((h >> 12) % (reach as u64 + 1)) as i64;
    let (c, s) = DIRECTIONS[((h >> 32) % 12) as usize];
    let sign = if (h >> 40) & 1 == 0 { 1 } else { -1 };
    Line {
        houses,
        mid: (sign * c * mid_r / 1000, sign * s * mid_r / 1000),
        dir: DIRECTIONS[((h >> 44) % 12) as usize],
        length,
    }
}

impl Line {
    /// Metres east and north of the district centre of house `n` (1..=houses).
    fn house(&self, n: u32) -> (i64, i64) {
        let pairs = i64::from(self.houses.div_ceil(2));
        let k = i64::from((n.clamp(1, self.houses) - 1) / 2);
        let along = if pairs > 1 {
            -self.length / 2 + k * self.length / (pairs - 1)
        } else {
            0
        };
        let side = if n % 2 == 1 { SIDE_M } else { -SIDE_M };
        let (c, s) = self.dir;
        (
            self.mid.0 + (c * along - s * side) / 1000,
            self.mid.1 + (s * along + c * side) / 1000,
        )
    }
}

/// The highest house number of a street of a district.
pub(crate) fn houses(district: usize, street: &str, postcode: &str) -> u32 {
    line(district, street, postcode).houses
}

/// The position of a house in 1e-5 degrees (latitude, longitude).
pub(crate) fn house_position(district: usize, street: &str, postcode: &str, n: u32) -> (i64, i64) {
    let d = &DISTRICTS[district];
    let (east, north) = line(district, street, postcode).house(n);
    (
        d.lat + north * 100_000 / METRES_PER_DEGREE_LAT,
        d.lon + east * 100_000 / METRES_PER_DEGREE_LON,
    )
}

/// Every house of every street the generator uses, by district, street (in the generator's
/// order) and house number. The same for every seed.
pub fn street_directory() -> Vec<StreetRow> {
    let mut rows = Vec::new();
    for (i, d) in DISTRICTS.iter().enumerate() {
        for &(street, postcode) in d.streets {
            for n in 1..=houses(i, street, postcode) {
                let (lat, lon) = house_position(i, street, postcode, n);
                rows.push(StreetRow {
                    street,
                    house_number: n,
                    postcode,
                    district: d.name,
                    lat: Dec(Decimal::new(lat, 5)),
                    lon: Dec(Decimal::new(lon, 5)),
                });
            }
        }
    }
    rows
}

/// Writes rows as UTF-8 CSV, `;`-separated, with [`STREET_CSV_HEADER`] (no quoting: a field
/// containing `;`, `"` or a line break is refused rather than written ambiguously).
pub fn write_street_directory_csv(rows: &[StreetRow], out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{STREET_CSV_HEADER}")?;
    for r in rows {
        for field in [r.street, r.postcode, r.district] {
            if field.contains([';', '"', '\n', '\r']) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("field {field:?} cannot be written without quoting"),
                ));
            }
        }
        writeln!(
            out,
            "{};{};{};{};{};{}",
            r.street, r.house_number, r.postcode, r.district, r.lat.0, r.lon.0
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn metres(a: (i64, i64), b: (i64, i64)) -> f64 {
        let dy = (a.0 - b.0) as f64 * 1.1132;
        let dx = (a.1 - b.1) as f64 * 0.6996;
        dx.hypot(dy)
    }

    #[test]
    fn every_house_lies_in_its_district_and_nearest_its_centre() {
        for (i, d) in DISTRICTS.iter().enumerate() {
            for &(street, postcode) in d.streets {
                for n in 1..=houses(i, street, postcode) {
                    let p = house_position(i, street, postcode, n);
                    let own = metres(p, (d.lat, d.lon));
                    assert!(own <= f64::from(d.radius_m), "{street} {n}: {own} m");
                    for o in DISTRICTS.iter().filter(|o| o.name != d.name) {
                        assert!(
                            metres(p, (o.lat, o.lon)) > own,
                            "{street} {n} ({}) is nearer {}",
                            d.name,
                            o.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn houses_run_along_the_street() {
        let (i, (street, postcode)) = (0, DISTRICTS[0].streets[0]);
        let n = houses(i, street, postcode);
        assert!((20..=140).contains(&n));
        let first = house_position(i, street, postcode, 1);
        let opposite = house_position(i, street, postcode, 2);
        let last = house_position(i, street, postcode, n);
        assert!(
            (15.0..=35.0).contains(&metres(first, opposite)),
            "across the street"
        );
        assert!(metres(first, last) > 100.0, "along the street");
    }

    #[test]
    fn directory_rows_are_unique_and_numbered_from_one() {
        let rows = street_directory();
        let mut keys = HashSet::new();
        let mut districts_of = std::collections::HashMap::new();
        for r in &rows {
            assert!(keys.insert((r.street, r.postcode, r.house_number)));
            let d = districts_of
                .entry((r.street, r.postcode))
                .or_insert(r.district);
            assert_eq!(*d, r.district, "a street and postcode lie in one district");
        }
        let streets: usize = DISTRICTS.iter().map(|d| d.streets.len()).sum();
        assert_eq!(districts_of.len(), streets);
        assert!(rows.iter().any(|r| r.house_number == 1));
        assert_eq!(rows, street_directory(), "deterministic");
    }

    #[test]
    fn csv_has_the_header_and_one_line_per_house() {
        let rows = street_directory();
        let mut out = Vec::new();
        write_street_directory_csv(&rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(STREET_CSV_HEADER));
        let first = lines.next().unwrap();
        let f: Vec<&str> = first.split(';').collect();
        assert_eq!(f.len(), 6);
        assert_eq!(f[0], rows[0].street);
        assert_eq!(f[1], "1");
        assert_eq!(f[3], "Altstadt");
        assert!(f[4].starts_with("51.") && f[4].len() == 8, "{}", f[4]);
        assert_eq!(text.lines().count(), rows.len() + 1);

        let bad = StreetRow {
            street: "A;B",
            ..rows[0].clone()
        };
        assert!(write_street_directory_csv(&[bad], &mut Vec::new()).is_err());
    }
}
