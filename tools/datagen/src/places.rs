//! Dresden geography: Ortsämter and Ortschaften with real street names, their real postcodes and
//! a rough centre, so that addresses, districts and map positions agree with one another
//! (placement prefers nearby Kitas; BVS-KTP offices are responsible per district).

use crate::streets;
use kitanetz_crdt::kinds::Address;
use kitanetz_crdt::scalar::Dec;
use rand::Rng;
use rust_decimal::Decimal;

/// One district (Ortsamt or Ortschaft) of the city.
pub(crate) struct District {
    pub name: &'static str,
    /// Relative number of families with young children.
    pub weight: u32,
    /// Centre in 1e-5 degrees (the real district's approximate centre).
    pub lat: i64,
    pub lon: i64,
    /// Every generated position lies within this distance of the centre. Less than half the
    /// distance to the nearest other centre, so a position is always nearest its own district
    /// (tested in `streets`).
    pub radius_m: u32,
    pub streets: &'static [(&'static str, &'static str)],
}

/// The name of the city all generated addresses are in.
pub const CITY: &str = "Dresden";

/// The ten Ortsämter plus three Ortschaften.
pub(crate) const DISTRICTS: &[District] = &[
    District {
        name: "Altstadt",
        weight: 55,
        lat: 5_105_000,
        lon: 1_374_000,
        radius_m: 900,
        streets: &[
            ("Wilsdruffer Straße", "01067"),
            ("Ostra-Allee", "01067"),
            ("Freiberger Straße", "01067"),
            ("Ammonstraße", "01067"),
            ("Friedrichstraße", "01067"),
            ("Weißeritzstraße", "01067"),
            ("Pillnitzer Straße", "01069"),
            ("Grunaer Straße", "01069"),
            ("Reitbahnstraße", "01069"),
            ("Pfotenhauerstraße", "01307"),
            ("Blumenstraße", "01307"),
            ("Holbeinstraße", "01307"),
            ("Dürerstraße", "01307"),
        ],
    },
    District {
        name: "Neustadt",
        weight: 50,
        lat: 5_106_800,
        lon: 1_375_500,
        radius_m: 900,
        streets: &[
            ("Königsbrücker Straße", "01099"),
            ("Alaunstraße", "01099"),
            ("Louisenstraße", "01099"),
            ("Bautzner Straße", "01099"),
            ("Görlitzer Straße", "01099"),
            ("Rothenburger Straße", "01099"),
            ("Hauptstraße", "01097"),
            ("Große Meißner Straße", "01097"),
            ("Hechtstraße", "01097"),
            ("Stauffenbergallee", "01099"),
            ("Radeberger Straße", "01099"),
            ("Prießnitzstraße", "01099"),
        ],
    },
    District {
        name: "Pieschen",
        weight: 52,
        lat: 5_108_000,
        lon: 1_372_500,
        radius_m: 1000,
        streets: &[
            ("Leipziger Straße", "01127"),
            ("Bürgerstraße", "01127"),
            ("Oschatzer Straße", "01127"),
            ("Konkordienstraße", "01127"),
            ("Wurzener Straße", "01127"),
            ("Großenhainer Straße", "01127"),
            ("Kötzschenbroder Straße", "01139"),
            ("Trachauer Straße", "01139"),
            ("Micktener Straße", "01139"),
            ("Riesaer Straße", "01129"),
        ],
    },
    District {
        name: "Klotzsche",
        weight: 22,
        lat: 5_111_500,
        lon: 1_377_500,
        radius_m: 1500,
        streets: &[
            ("Königsbrücker Landstraße", "01109"),
            ("Karl-Marx-Straße", "01109"),
            ("Boltenhagener Straße", "01109"),
            ("Dörnichtweg", "01109"),
            ("Moritzburger Weg", "01109"),
            ("Karl-Liebknecht-Straße", "01109"),
            ("Zur Wetterwarte", "01109"),
            ("Alexander-Herzen-Straße", "01109"),
        ],
    },
    District {
        name: "Loschwitz",
        weight: 21,
        lat: 5_105_500,
        lon: 1_382_000,
        radius_m: 1000,
        streets: &[
            ("Grundstraße", "01326"),
            ("Pillnitzer Landstraße", "01326"),
            ("Bautzner Landstraße", "01324"),
            ("Plattleite", "01324"),
            ("Körnerplatz", "01326"),
            ("Quohrener Straße", "01324"),
            ("Collenbuschstraße", "01324"),
            ("Schevenstraße", "01326"),
        ],
    },
    District {
        name: "Blasewitz",
        weight: 87,
        lat: 5_104_700,
        lon: 1_378_500,
        radius_m: 1000,
        streets: &[
            ("Schillerplatz", "01309"),
            ("Loschwitzer Straße", "01309"),
            ("Tolkewitzer Straße", "01279"),
            ("Wittenberger Straße", "01309"),
            ("Borsbergstraße", "01309"),
            ("Augsburger Straße", "01309"),
            ("Glashütter Straße", "01309"),
            ("Bärensteiner Straße", "01277"),
            ("Kipsdorfer Straße", "01277"),
            ("Altenberger Straße", "01277"),
            ("Zwinglistraße", "01277"),
            ("Karcherallee", "01277"),
            ("Junghansstraße", "01277"),
        ],
    },
    District {
        name: "Leuben",
        weight: 40,
        lat: 5_101_500,
        lon: 1_383_000,
        radius_m: 1000,
        streets: &[
            ("Pirnaer Landstraße", "01257"),
            ("Stephensonstraße", "01257"),
            ("Hertzstraße", "01257"),
            ("Altleuben", "01257"),
            ("Laubegaster Ufer", "01279"),
            ("Leubener Straße", "01279"),
            ("Österreicher Straße", "01279"),
            ("Meußlitzer Straße", "01259"),
            ("Berthold-Haupt-Straße", "01257"),
            ("Zschierener Straße", "01259"),
        ],
    },
    District {
        name: "Prohlis",
        weight: 63,
        lat: 5_101_000,
        lon: 1_379_500,
        radius_m: 1000,
        streets: &[
            ("Prohliser Allee", "01239"),
            ("Georg-Palitzsch-Straße", "01239"),
            ("Gamigstraße", "01239"),
            ("Albert-Wolf-Platz", "01239"),
            ("Jacob-Winter-Platz", "01239"),
            ("Reicker Straße", "01237"),
            ("Hülßestraße", "01237"),
            ("Dohnaer Straße", "01239"),
            ("Teplitzer Straße", "01219"),
            ("Lockwitzer Straße", "01219"),
            ("Otto-Dix-Ring", "01219"),
        ],
    },
    District {
        name: "Plauen",
        weight: 60,
        lat: 5_102_500,
        lon: 1_372_000,
        radius_m: 1200,
        streets: &[
            ("Chemnitzer Straße", "01187"),
            ("Nöthnitzer Straße", "01187"),
            ("Würzburger Straße", "01187"),
            ("Münchner Straße", "01187"),
            ("Bernhardstraße", "01069"),
            ("Zellescher Weg", "01217"),
            ("Räcknitzhöhe", "01217"),
            ("Kohlenstraße", "01189"),
            ("Coschützer Straße", "01187"),
            ("Altplauen", "01187"),
            ("Hohe Straße", "01069"),
        ],
    },
    District {
        name: "Cotta",
        weight: 75,
        lat: 5_105_000,
        lon: 1_368_000,
        radius_m: 1500,
        streets: &[
            ("Hamburger Straße", "01157"),
            ("Cossebauder Straße", "01157"),
            ("Gottfried-Keller-Straße", "01157"),
            ("Warthaer Straße", "01157"),
            ("Kesselsdorfer Straße", "01159"),
            ("Wernerstraße", "01159"),
            ("Tharandter Straße", "01159"),
            ("Bünaustraße", "01159"),
            ("Omsewitzer Ring", "01169"),
            ("Merianplatz", "01169"),
            ("Leutewitzer Ring", "01169"),
            ("Harthaer Straße", "01169"),
        ],
    },
    District {
        name: "Cossebaude",
        weight: 6,
        lat: 5_108_500,
        lon: 1_363_000,
        radius_m: 1500,
        streets: &[
            ("Dresdner Straße", "01156"),
            ("Talstraße", "01156"),
            ("Brunnenstraße", "01156"),
        ],
    },
    District {
        name: "Weixdorf",
        weight: 6,
        lat: 5_114_500,
        lon: 1_380_000,
        radius_m: 1500,
        streets: &[
            ("Königsbrücker Landstraße", "01108"),
            ("Am Dorfteich", "01108"),
            ("Alte Dresdner Straße", "01108"),
        ],
    },
    District {
        name: "Schönfeld-Weißig",
        weight: 13,
        lat: 5_104_000,
        lon: 1_388_000,
        radius_m: 1500,
        streets: &[
            ("Bautzner Landstraße", "01328"),
            ("Hauptstraße", "01328"),
            ("Am Hutberg", "01328"),
        ],
    },
];

/// Towns around Dresden for the few families living outside the city (out-of-town children
/// matter for fees and placement). No coordinates: the map is of Dresden.
const SURROUNDINGS: &[(&str, &str, &str)] = &[
    ("Radebeul", "01445", "Meißner Straße"),
    ("Freital", "01705", "Dresdner Straße"),
    ("Heidenau", "01809", "Pirnaer Straße"),
    ("Pirna", "01796", "Gartenstraße"),
];

/// Draws a district index by weight.
pub(crate) fn draw_district(rng: &mut impl Rng) -> usize {
    let total: u32 = DISTRICTS.iter().map(|d| d.weight).sum();
    let mut x = rng.gen_range(0..total);
    for (i, d) in DISTRICTS.iter().enumerate() {
        if x < d.weight {
            return i;
        }
        x -= d.weight;
    }
    unreachable!("weights sum to total")
}

/// A house number up to `max`, sometimes with a letter (which the street directory does not list:
/// "12a" is found as 12).
fn house_number(rng: &mut impl Rng, max: u32) -> (u32, String) {
    let n = rng.gen_range(1..=max);
    let text = if rng.gen_bool(0.08) {
        format!("{n}{}", ['a', 'b', 'c'][rng.gen_range(0..3)])
    } else {
        n.to_string()
    };
    (n, text)
}

/// A street (without number) and postcode of a district.
pub(crate) fn street_in(rng: &mut impl Rng, district: usize) -> (&'static str, &'static str) {
    let streets = DISTRICTS[district].streets;
    streets[rng.gen_range(0..streets.len())]
}

/// An address in the district, positioned where the street directory has the house.
pub(crate) fn address_in(rng: &mut impl Rng, district: usize) -> Address {
    let (street, postcode) = street_in(rng, district);
    address_on(rng, district, street, postcode)
}

/// An address on a given street of the district, positioned as in the street directory.
pub(crate) fn address_on(
    rng: &mut impl Rng,
    district: usize,
    street: &str,
    postcode: &str,
) -> Address {
    let (n, number) = house_number(rng, streets::houses(district, street, postcode));
    let (lat, lon) = streets::house_position(district, street, postcode, n);
    Address {
        street: format!("{street} {number}"),
        postcode: postcode.to_string(),
        city: CITY.to_string(),
        lat: Some(Dec(Decimal::new(lat, 5))),
        lon: Some(Dec(Decimal::new(lon, 5))),
    }
}

/// An address in a town next to the city (no coordinates).
pub(crate) fn address_outside(rng: &mut impl Rng) -> Address {
    let (city, postcode, street) = SURROUNDINGS[rng.gen_range(0..SURROUNDINGS.len())];
    Address {
        street: format!("{street} {}", house_number(rng, 140).1),
        postcode: postcode.to_string(),
        city: city.to_string(),
        lat: None,
        lon: None,
    }
}

/// A Dresden landline number (area code 0351, seven digits).
pub(crate) fn landline(rng: &mut impl Rng) -> String {
    format!("0351 {}", rng.gen_range(2_000_000..9_000_000))
}

/// A German mobile number.
pub(crate) fn mobile(rng: &mut impl Rng) -> String {
    const PREFIXES: &[&str] = &[
        "0151", "0152", "0157", "0160", "0162", "0170", "0171", "0172", "0176", "0177",
    ];
    let prefix = PREFIXES[rng.gen_range(0..PREFIXES.len())];
    format!("{prefix} {}", rng.gen_range(10_000_000..100_000_000))
}

/// Lower-case ASCII slug for e-mail local parts: umlauts transliterated, everything else that
/// is not a letter or digit becomes a single `-`.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let mapped: &str = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            'ı' => "i",
            'ş' => "s",
            'ç' => "c",
            'ğ' => "g",
            'ł' => "l",
            'ś' => "s",
            'ą' => "a",
            'ę' => "e",
            'ó' => "o",
            'ń' => "n",
            'ć' => "c",
            'ź' | 'ż' => "z",
            'é' | 'è' => "e",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if mapped == "-" {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push_str(mapped);
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Kita Sonnenschein"), "kita-sonnenschein");
        assert_eq!(
            slug("Hort an der 30. Grundschule"),
            "hort-an-der-30-grundschule"
        );
        assert_eq!(
            slug("Müller-Lüdenscheidt, Öztürk"),
            "mueller-luedenscheidt-oeztuerk"
        );
        assert_eq!(slug("Yılmaz"), "yilmaz");
    }

    #[test]
    fn postcodes_are_in_the_city_range() {
        for d in DISTRICTS {
            for (_, pc) in d.streets {
                assert!(("01067"..="01328").contains(pc), "{pc}");
            }
        }
    }
}
