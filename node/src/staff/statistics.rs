//! The Kita-Data-Webhouse data of a person (seed 002 L73–88) as the Träger's admin corrects it
//! with the person's other data (`POST /staff/person`, `/api/staff/person`): every field a text,
//! so that the form and the JSON API take the same input. An empty field keeps what is recorded
//! (as for names and birth date); `-` clears a value that was entered; yes/no fields take `ja`
//! or `nein`. The values' own rules (four-digit key, percent, days) are the document's
//! ([`StaffStatistics`]); this only reads the text.

use kitanetz_crdt::kinds::family::Sex;
use kitanetz_crdt::kinds::staff::{KDW_ACTIVITIES, KDW_EDUCATOR_AREAS};
use kitanetz_crdt::kinds::StaffStatistics;
use kitanetz_crdt::scalar::Dec;
use kitanetz_crdt::validate::Validator;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Clears an entered value.
pub const CLEAR: &str = "-";

/// The sexes as the form and the API spell them (the case format's codes, and `diverse`).
pub const SEXES: [(&str, Sex, &str); 4] = [
    ("female", Sex::Female, "weiblich"),
    ("male", Sex::Male, "männlich"),
    ("diverse", Sex::Diverse, "divers"),
    ("unspecified", Sex::Unspecified, "ohne Angabe"),
];

/// The code of `sex` in [`SEXES`].
pub fn sex_code(sex: Sex) -> &'static str {
    SEXES
        .iter()
        .find(|(_, s, _)| *s == sex)
        .map_or("", |(c, _, _)| c)
}

/// The Webhouse fields of a correction, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StatisticsInput {
    /// `female`, `male`, `diverse`, `unspecified`.
    pub sex: String,
    /// A code of `KDW_ACTIVITIES`.
    pub activity: String,
    /// `ja` / `nein`.
    pub domestic_technical: String,
    /// Four digits.
    pub training_key: String,
    /// `ja` / `nein`.
    pub pia: String,
    /// Percent, the number only.
    pub mps_anrechnung: String,
    pub nachqualifikation: String,
    pub leitung_aufgrund_von: String,
    /// `ja` / `nein`.
    pub erste_ansprechperson: String,
    pub working_days: String,
    /// A code of `KDW_EDUCATOR_AREAS`.
    pub educator_area: String,
}

/// What to do with one field: keep, clear, or set to the trimmed text.
enum Edit<'a> {
    Keep,
    Clear,
    Set(&'a str),
}

fn edit(text: &str) -> Edit<'_> {
    match text.trim() {
        "" => Edit::Keep,
        CLEAR => Edit::Clear,
        t => Edit::Set(t),
    }
}

fn yes_no(v: &mut Validator, field: &str, text: &str, slot: &mut bool) {
    match edit(text) {
        Edit::Keep => {}
        Edit::Clear => *slot = false,
        Edit::Set(t) => match t.to_lowercase().as_str() {
            "ja" | "yes" | "true" | "on" => *slot = true,
            "nein" | "no" | "false" => *slot = false,
            _ => v.fail(field, "„ja“ oder „nein“ / yes or no"),
        },
    }
}

fn text(text: &str, slot: &mut String, normal: impl Fn(&str) -> String) {
    match edit(text) {
        Edit::Keep => {}
        Edit::Clear => slot.clear(),
        Edit::Set(t) => *slot = normal(t),
    }
}

impl StatisticsInput {
    /// Applies the typed fields to `stats`; a text that is no value of its field is a field
    /// error named as the form names it.
    pub fn apply(&self, v: &mut Validator, stats: &mut StaffStatistics) {
        match edit(&self.sex) {
            Edit::Keep => {}
            Edit::Clear => stats.sex = None,
            Edit::Set(t) => match SEXES.iter().find(|(c, _, _)| *c == t.to_lowercase()) {
                Some((_, sex, _)) => stats.sex = Some(*sex),
                None => v.fail(
                    "sex",
                    "weiblich, männlich, divers oder ohne Angabe / female, male, diverse or unspecified",
                ),
            },
        }
        match edit(&self.activity) {
            Edit::Set(t) if !KDW_ACTIVITIES.iter().any(|(c, _)| *c == t) => v.fail(
                "activity",
                format!(
                    "eine Tätigkeit der Liste / one of {}",
                    KDW_ACTIVITIES.map(|(c, _)| c).join(", ")
                ),
            ),
            _ => text(&self.activity, &mut stats.activity, str::to_owned),
        }
        yes_no(
            v,
            "domestic_technical",
            &self.domestic_technical,
            &mut stats.domestic_technical,
        );
        match edit(&self.training_key) {
            Edit::Set(t) if t.len() != 4 || !t.bytes().all(|b| b.is_ascii_digit()) => v.fail(
                "training_key",
                "Schlüssel aus vier Ziffern, z. B. 5010 / a key of four digits, e.g. 5010",
            ),
            _ => text(&self.training_key, &mut stats.training_key, str::to_owned),
        }
        yes_no(v, "pia", &self.pia, &mut stats.pia);
        match edit(&self.mps_anrechnung) {
            Edit::Keep => {}
            Edit::Clear => stats.mps_anrechnung = None,
            Edit::Set(t) => {
                let t = t.trim_end_matches('%').trim().replace(',', ".");
                match Decimal::from_str_exact(&t) {
                    Ok(p) => stats.mps_anrechnung = Some(Dec(p)),
                    Err(_) => v.fail(
                        "mps_anrechnung",
                        "Prozent als Zahl, z. B. 20 / percent as a number, e.g. 20",
                    ),
                }
            }
        }
        text(
            &self.nachqualifikation,
            &mut stats.nachqualifikation,
            str::to_owned,
        );
        text(
            &self.leitung_aufgrund_von,
            &mut stats.leitung_aufgrund_von,
            str::to_owned,
        );
        match edit(&self.erste_ansprechperson) {
            Edit::Set(t) if !["ja", "nein"].contains(&t.to_lowercase().as_str()) => {
                v.fail("erste_ansprechperson", "„ja“ oder „nein“ / yes or no")
            }
            _ => text(
                &self.erste_ansprechperson,
                &mut stats.erste_ansprechperson,
                str::to_lowercase,
            ),
        }
        match edit(&self.working_days) {
            Edit::Keep => {}
            Edit::Clear => stats.working_days = None,
            Edit::Set(t) => match t.parse::<u32>() {
                Ok(d) => stats.working_days = Some(d),
                Err(_) => v.fail(
                    "working_days",
                    "Arbeitstage je Woche als ganze Zahl, z. B. 5 / working days a week, e.g. 5",
                ),
            },
        }
        match edit(&self.educator_area) {
            Edit::Set(t) if !KDW_EDUCATOR_AREAS.iter().any(|(c, _)| *c == t) => v.fail(
                "educator_area",
                format!(
                    "ein Arbeitsbereich der Liste / one of {}",
                    KDW_EDUCATOR_AREAS.map(|(c, _)| c).join(", ")
                ),
            ),
            _ => text(&self.educator_area, &mut stats.educator_area, str::to_owned),
        }
    }
}

/// The recorded Webhouse data in a line for the staff list ("weiblich, 5010, 5 Tage"); empty
/// when nothing is entered.
pub fn summary(stats: &StaffStatistics) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(sex) = stats.sex {
        parts.extend(
            SEXES
                .iter()
                .find(|(_, s, _)| *s == sex)
                .map(|x| x.2.to_owned()),
        );
    }
    if let Some((_, label)) = KDW_ACTIVITIES.iter().find(|(c, _)| *c == stats.activity) {
        parts.push((*label).to_owned());
    }
    if stats.domestic_technical {
        parts.push("hauswirtschaftlich/technisch".into());
    }
    if !stats.training_key.is_empty() {
        parts.push(format!("Abschluss {}", stats.training_key));
    }
    if stats.pia {
        parts.push("PIA".into());
    }
    if let Some(p) = stats.mps_anrechnung {
        parts.push(format!("MPS {} %", p.0.normalize()));
    }
    if !stats.nachqualifikation.is_empty() {
        parts.push(format!("Nachqualifikation {}", stats.nachqualifikation));
    }
    if !stats.leitung_aufgrund_von.is_empty() {
        parts.push(format!(
            "Leitung aufgrund von {}",
            stats.leitung_aufgrund_von
        ));
    }
    if !stats.erste_ansprechperson.is_empty() {
        parts.push(format!(
            "erste Ansprechperson {}",
            stats.erste_ansprechperson
        ));
    }
    if let Some(d) = stats.working_days {
        parts.push(format!("{d} Tage/Woche"));
    }
    if let Some((c, label)) = KDW_EDUCATOR_AREAS
        .iter()
        .find(|(c, _)| *c == stats.educator_area)
    {
        parts.push(format!("Arbeitsbereich {c} {label}"));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(v: Validator) -> Vec<String> {
        v.finish()
            .err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn empty_keeps_a_dash_clears_and_a_typo_is_a_field_error() {
        let mut stats = StaffStatistics::default();
        let mut v = Validator::new();
        StatisticsInput {
            sex: "Female".into(),
            activity: "gruppenleitung".into(),
            training_key: " 5021 ".into(),
            pia: "ja".into(),
            mps_anrechnung: "20,5 %".into(),
            working_days: "5".into(),
            erste_ansprechperson: "Nein".into(),
            ..StatisticsInput::default()
        }
        .apply(&mut v, &mut stats);
        assert_eq!(fields(v), Vec::<String>::new());
        assert_eq!(stats.sex, Some(Sex::Female));
        assert_eq!(stats.training_key, "5021");
        assert!(stats.pia);
        assert_eq!(stats.mps_anrechnung.unwrap().0.to_string(), "20.5");
        assert_eq!(stats.erste_ansprechperson, "nein");
        assert_eq!(
            summary(&stats),
            "weiblich, Päd. Fachkraft / berechtigt zur Gruppenleitung, Abschluss 5021, PIA, MPS 20.5 %, erste Ansprechperson nein, 5 Tage/Woche"
        );

        let mut v = Validator::new();
        StatisticsInput {
            training_key: CLEAR.into(),
            pia: "nein".into(),
            ..StatisticsInput::default()
        }
        .apply(&mut v, &mut stats);
        assert_eq!(fields(v), Vec::<String>::new());
        assert_eq!(stats.training_key, "");
        assert!(!stats.pia);
        assert_eq!(stats.working_days, Some(5), "empty keeps");

        let mut v = Validator::new();
        StatisticsInput {
            sex: "w".into(),
            activity: "Leitung".into(),
            domestic_technical: "vielleicht".into(),
            training_key: "04".into(),
            mps_anrechnung: "zwanzig".into(),
            erste_ansprechperson: "x".into(),
            working_days: "fünf".into(),
            educator_area: "4".into(),
            ..StatisticsInput::default()
        }
        .apply(&mut v, &mut stats);
        assert_eq!(
            fields(v),
            [
                "sex",
                "activity",
                "domestic_technical",
                "training_key",
                "mps_anrechnung",
                "erste_ansprechperson",
                "working_days",
                "educator_area"
            ]
        );
    }
}
