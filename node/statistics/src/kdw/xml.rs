//! The StaLa hand-over file (Übergabedatei, L89–100): a [`CheckedExport`] written as XML,
//! "Ausgabeart Stala im XML-Format" (L97). Persisted format `kitanetz-kdw-stala/1`: the element
//! names, their order and the value coding are documented in `node/statistics/KDW_XML.md`; a
//! change there is a new format version.
//!
//! Seed 002 lists what the file carries (facility Zusatzfelder, groups, children and, by the
//! Mandant option, staff) but no element names; the names here are the seed's own terms in
//! ASCII (`ü` → `ue`). The output depends on the export alone: lists in the export's order
//! (sorted by id), optional values omitted when absent, no timestamp unless one is passed in,
//! UTF-8, two-space indentation and a final newline.

use super::export::{CheckedExport, ExportChild, ExportGroup, ExportStaff};
use quick_xml::escape::{escape, partial_escape};
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::Writer;
use serde::Serialize;
use std::borrow::Cow;

/// The `format` attribute of the root element.
pub const XML_FORMAT: &str = "kitanetz-kdw-stala/1";

/// The element name of each of the Mandant's Zusatzfelder (L21, L25, L31), in the order of
/// [`FACILITY_EXTRA_FIELDS`](super::FACILITY_EXTRA_FIELDS).
pub const EXTRA_FIELD_ELEMENTS: [(&str, &str); 8] = [
    ("einrichtungsnummer", "Einrichtungsnummer"),
    ("interaktionsentwicklung", "Interaktionsentwicklung"),
    ("konzeptionsentwicklung", "Konzeptionsentwicklung"),
    ("leitungszeit_umgesetzt", "LeitungszeitUmgesetzt"),
    ("stala_einrichtungsnummer", "StalaEinrichtungsnummer"),
    ("teamentwicklung", "Teamentwicklung"),
    ("ueberzaehlige_gruppen", "UeberzaehligeGruppen"),
    ("woechentliche_oeffnungszeit", "WoechentlicheOeffnungszeit"),
];

/// A value XML 1.0 cannot carry at all, not even as a character reference (a control character
/// other than tab, line feed and carriage return, or U+FFFE/U+FFFF): the file is not written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{record}.{field}: contains a control character XML cannot carry; correct the value and export again")]
pub struct XmlRefused {
    /// `facility`, `group:<id>`, `child:<id>` or `staff:<id>`, as in the check's errors.
    pub record: String,
    /// The element (or `id` for the attribute).
    pub field: String,
}

/// Writes the hand-over file. `created_at` (the caller's clock, e.g. `2024-03-05T10:00:00`)
/// becomes the root's `erstellt` attribute; without it two runs give the same bytes. `Err` lists
/// every value XML 1.0 cannot carry.
pub fn to_xml(
    checked: &CheckedExport,
    created_at: Option<chrono::NaiveDateTime>,
) -> Result<String, Vec<XmlRefused>> {
    let export = checked.export();
    let mut out = Out::new();
    out.declaration();
    let stichtag = export.reference_date.to_string();
    let created = created_at.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string());
    let mut root = vec![("format", XML_FORMAT), ("stichtag", stichtag.as_str())];
    if let Some(created) = &created {
        root.push(("erstellt", created));
    }
    out.record = "export".to_owned();
    out.element("Uebergabedatei", &root, |out| {
        out.record = "facility".to_owned();
        out.element("Einrichtung", &[], |out| {
            out.element("Zusatzfelder", &[], |out| {
                for (key, element) in EXTRA_FIELD_ELEMENTS {
                    if let Some(value) = export.facility.get(key) {
                        out.text(element, &scalar_text(value));
                    }
                }
            })
        });
        out.element("Betreuungsgruppen", &[], |out| {
            export
                .groups
                .iter()
                .for_each(|group| write_group(out, group))
        });
        out.element("Kinder", &[], |out| {
            export
                .children
                .iter()
                .for_each(|child| write_child(out, child))
        });
        // Absent when the Mandant option does not hand staff over (L74, L90).
        if let Some(staff) = &export.staff {
            out.element("Personal", &[], |out| {
                staff.iter().for_each(|member| write_staff(out, member))
            });
        }
    });
    out.finish()
}

fn write_group(out: &mut Out, group: &ExportGroup) {
    out.record = format!("group:{}", group.id);
    // "Namen, Status und die maximale Gruppengröße, diese Informationen werden übergeben" (L34).
    out.element("Betreuungsgruppe", &[("id", &group.id.0)], |out| {
        out.optional("Name", group.name.as_deref());
        out.optional("Status", group.status.as_deref());
        out.optional(
            "MaximaleGruppengroesse",
            group.max_size.map(|n| n.to_string()).as_deref(),
        );
    });
}

fn write_child(out: &mut Out, child: &ExportChild) {
    out.record = format!("child:{}", child.id);
    out.element("Kind", &[("id", &child.id.0)], |out| {
        out.text("Geschlecht", child.sex);
        out.text("Geburtsmonat", &child.birth_month.to_string());
        out.text("Geburtsjahr", &child.birth_year.to_string());
        out.text(
            "InEinrichtungSeitMonat",
            &child.in_facility_since_month.to_string(),
        );
        out.text(
            "InEinrichtungSeitJahr",
            &child.in_facility_since_year.to_string(),
        );
        out.text("Betreuungsgruppe", &child.group.0);
        out.text("Wochenstunden", &child.weekly_hours.to_string());
        out.text("TageProWoche", &child.days_per_week.to_string());
        // Present exactly for a school child (L50–54).
        out.optional(
            "Klassenstufe",
            child.school_grade.as_ref().map(scalar_text).as_deref(),
        );
        let f = &child.features;
        out.element("Merkmale", &[], |out| {
            for (name, value) in [
                ("BetreuungAmWochenende", f.weekend_care),
                ("UnterbrechungUeberMittag", f.midday_break),
                ("Mittagsverpflegung", f.lunch),
                ("AuslaendischeHerkunft", f.foreign_origin),
                ("DeutschNichtVorrangigeSprache", f.non_german_language),
                ("EingliederungshilfeKoerperlich", f.integration_physical),
                ("EingliederungshilfeGeistig", f.integration_mental),
                ("EingliederungshilfeSeelisch", f.integration_emotional),
                ("ErzieherischeHilfe", f.educational_help),
            ] {
                out.text(name, boolean(value));
            }
        });
    });
}

fn write_staff(out: &mut Out, member: &ExportStaff) {
    out.record = format!("staff:{}", member.id);
    out.element("Mitarbeiter", &[("id", &member.id.0)], |out| {
        out.text("Geschlecht", member.sex);
        out.text("Geburtsmonat", &member.birth_month.to_string());
        out.text("Geburtsjahr", &member.birth_year.to_string());
        out.text(
            "HauswirtschaftlichTechnisch",
            boolean(member.domestic_technical),
        );
        out.optional("Berufsausbildungsabschluss", member.training_key.as_deref());
        out.optional("MpsAnrechnung", member.mps_anrechnung.as_deref());
        out.text("Wochenstunden", &member.weekly_hours.to_string());
        out.text("Arbeitstage", &member.working_days.to_string());
        // At most two (L83, L85); none for domestic/technical staff (L84).
        out.element("Arbeitsbereiche", &[], |out| {
            for (n, area) in member.work_areas.iter().enumerate() {
                let nr = (n + 1).to_string();
                out.element("Arbeitsbereich", &[("nr", &nr)], |out| {
                    out.optional("Schluessel", area.area.as_deref());
                    out.text("Wochenstunden", &area.weekly_hours.to_string());
                });
            }
        });
    });
}

/// `true` / `false` (xs:boolean).
fn boolean(value: bool) -> &'static str {
    if value {
        "true"
    } else {
        "false"
    }
}

/// A case scalar as text: a string as given, a number as written, a boolean as `true`/`false`.
fn scalar_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The writer with the record being written, collecting what XML cannot carry.
struct Out {
    xml: Writer<Vec<u8>>,
    record: String,
    refused: Vec<XmlRefused>,
}

impl Out {
    fn new() -> Out {
        Out {
            xml: Writer::new_with_indent(Vec::new(), b' ', 2),
            record: String::new(),
            refused: Vec::new(),
        }
    }

    fn declaration(&mut self) {
        self.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    }

    fn element(&mut self, name: &str, attributes: &[(&str, &str)], content: impl FnOnce(&mut Out)) {
        let mut start = BytesStart::new(name);
        for (key, value) in attributes {
            if self.allowed(value, key) {
                start.push_attribute(Attribute {
                    key: QName(key),
                    value: Cow::Owned(attribute_escape(value)),
                });
            }
        }
        self.event(Event::Start(start));
        content(self);
        self.event(Event::End(BytesEnd::new(name)));
    }

    /// `<name>value</name>` on one line.
    fn text(&mut self, name: &str, value: &str) {
        let value = if self.allowed(value, name) { value } else { "" };
        self.event(Event::Start(BytesStart::new(name)));
        self.event(Event::Text(BytesText::from_escaped(text_escape(value))));
        self.event(Event::End(BytesEnd::new(name)));
    }

    /// Omitted when absent.
    fn optional(&mut self, name: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.text(name, value);
        }
    }

    fn allowed(&mut self, value: &str, field: &str) -> bool {
        let allowed = value.chars().all(is_xml_char);
        if !allowed {
            self.refused.push(XmlRefused {
                record: self.record.clone(),
                field: field.to_owned(),
            });
        }
        allowed
    }

    fn event(&mut self, event: Event<'_>) {
        self.xml
            .write_event(event)
            .expect("writing XML into memory cannot fail");
    }

    fn finish(self) -> Result<String, Vec<XmlRefused>> {
        if !self.refused.is_empty() {
            return Err(self.refused);
        }
        let mut text = String::from_utf8(self.xml.into_inner()).expect("only UTF-8 is written");
        text.push('\n');
        Ok(text)
    }
}

/// `Char` of XML 1.0 § 2.2. Rust's `char` has no surrogates, so only the C0 controls other than
/// tab, line feed and carriage return, and U+FFFE/U+FFFF are out.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Element content: `&`, `<`, `>` as entities (XML 1.0 § 2.4), a carriage return as `&#13;` so
/// that a reader's line-end normalisation (§ 2.11) keeps it.
fn text_escape(value: &str) -> Cow<'_, str> {
    let escaped = partial_escape(value);
    if escaped.contains('\r') {
        Cow::Owned(escaped.replace('\r', "&#13;"))
    } else {
        escaped
    }
}

/// Attribute values: also both quotes, and tab, line feed and carriage return as character
/// references, which attribute-value normalisation (§ 3.3.3) would otherwise turn into spaces.
fn attribute_escape(value: &str) -> String {
    escape(value)
        .replace('\t', "&#9;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

#[cfg(test)]
mod tests;
