//! Reading a file of children from Kita-Planer (seed 000: "Daten aus Kita Planer importieren"):
//! the columns of the export buffer (`IMPORT_FILE.md`), `;`-separated, a header line first. Pure:
//! the node puts what is read into the Kita's import buffer. A reader may refuse anything and
//! names every error by line and column; it never panics (fuzzed with the other file imports).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One child of the file, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedChild {
    pub kind_id_extern: String,
    pub kita_id_extern: String,
    /// VER_VERTRAG_AB: the wished or agreed start.
    pub start: NaiveDate,
    /// BETREUUNGSSTUNDEN, else the upper end of BETREUUNGSZEIT_ID in the mapping table.
    pub daily_hours: String,
    pub child_family_name: String,
    pub child_given_name: String,
    pub child_birth_date: NaiveDate,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub guardian_family_name: String,
    pub guardian_given_name: String,
}

/// An error of the file, for the person who reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    /// 1 = the header.
    pub line: usize,
    pub column: String,
    pub message: String,
}

const REQUIRED: [&str; 9] = [
    "KIND_ID_EXTERN",
    "KITA_ID_EXTERN",
    "VER_VERTRAG_AB",
    "KIND_NACHNAME",
    "KIND_VORNAME",
    "KIND_GEBDATUM",
    "KIND_POSTLEITZAHL",
    "SB1_NACHNAME",
    "SB1_VORNAME",
];

/// Reads a Kita-Planer import file (semicolon-separated, header line, UTF-8). Dates as
/// YYYY-MM-DD or DD.MM.YYYY; the hours from BETREUUNGSSTUNDEN, else from BETREUUNGSZEIT_ID
/// through `mapping` (the id's upper bound; the open-ended id reads as 10 h).
pub fn parse(
    text: &str,
    mapping: &crate::mapping::BetreuungszeitMapping,
) -> Result<Vec<ImportedChild>, Vec<FileError>> {
    let mut errors = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_uppercase()).collect(),
        Err(e) => {
            return Err(vec![FileError {
                line: 1,
                column: String::new(),
                message: format!("keine Kopfzeile lesbar / no header: {e}"),
            }])
        }
    };
    for column in REQUIRED {
        if !header.iter().any(|h| h == column) {
            errors.push(FileError {
                line: 1,
                column: column.into(),
                message: "Spalte fehlt / column missing".into(),
            });
        }
    }
    if !header
        .iter()
        .any(|h| h == "BETREUUNGSSTUNDEN" || h == "BETREUUNGSZEIT_ID")
    {
        errors.push(FileError {
            line: 1,
            column: "BETREUUNGSSTUNDEN".into(),
            message: "BETREUUNGSSTUNDEN oder BETREUUNGSZEIT_ID fehlt / hours missing".into(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(FileError {
                    line,
                    column: String::new(),
                    message: format!("Zeile nicht lesbar / unreadable line: {e}"),
                });
                continue;
            }
        };
        let get = |column: &str| -> String {
            header
                .iter()
                .position(|h| h == column)
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .trim()
                .to_string()
        };
        let mut fail = |column: &str, message: &str| {
            errors.push(FileError {
                line,
                column: column.into(),
                message: message.into(),
            })
        };
        for column in REQUIRED {
            if get(column).is_empty() {
                fail(column, "leer / empty");
            }
        }
        let date = |column: &str| {
            let text = get(column);
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(&text, "%d.%m.%Y"))
                .ok()
        };
        let start = date("VER_VERTRAG_AB");
        let birth = date("KIND_GEBDATUM");
        if start.is_none() && !get("VER_VERTRAG_AB").is_empty() {
            fail(
                "VER_VERTRAG_AB",
                "kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ) / not a date",
            );
        }
        if birth.is_none() && !get("KIND_GEBDATUM").is_empty() {
            fail(
                "KIND_GEBDATUM",
                "kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ) / not a date",
            );
        }
        let postcode = get("KIND_POSTLEITZAHL");
        let five_digits = postcode.len() == 5 && postcode.bytes().all(|b| b.is_ascii_digit());
        if !postcode.is_empty() && !five_digits {
            fail(
                "KIND_POSTLEITZAHL",
                "fünfstellige Postleitzahl / five-digit postcode",
            );
        }
        let hours = match (get("BETREUUNGSSTUNDEN"), get("BETREUUNGSZEIT_ID")) {
            (h, _) if !h.is_empty() => {
                crate::hours::Hours::parse(&h).map(|h| h.value().to_string())
            }
            (_, id) if !id.is_empty() => id.parse::<i64>().ok().and_then(|id| {
                let entries = mapping.entries();
                entries.iter().find(|e| e.id == id).map(|e| {
                    e.max_hours
                        .map(|h| h.value().to_string())
                        .unwrap_or_else(|| "10".into())
                })
            }),
            _ => None,
        };
        if hours.is_none() {
            fail(
                "BETREUUNGSSTUNDEN",
                "keine Betreuungszeit (Stunden oder eine BETREUUNGSZEIT_ID der Zuordnung) / no hours",
            );
        }
        let (Some(start), Some(child_birth_date), Some(daily_hours)) = (start, birth, hours) else {
            continue;
        };
        let street = [get("KIND_STRASSE"), get("KIND_HAUSNUMMER")]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        out.push(ImportedChild {
            kind_id_extern: get("KIND_ID_EXTERN"),
            kita_id_extern: get("KITA_ID_EXTERN"),
            start,
            daily_hours,
            child_family_name: get("KIND_NACHNAME"),
            child_given_name: get("KIND_VORNAME"),
            child_birth_date,
            street,
            postcode,
            city: get("KIND_ORT"),
            guardian_family_name: get("SB1_NACHNAME"),
            guardian_given_name: get("SB1_VORNAME"),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
