//! The hand-over file read back with quick-xml: concrete values, escaping, the staff option,
//! determinism and the refusal of what XML cannot carry.

use super::super::tests::{case, child};
use super::super::{check, parse_case, xml_output, CheckedExport, FACILITY_EXTRA_FIELDS};
use super::*;
use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// An element read back: attributes, text (entities resolved) and child elements.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attributes: BTreeMap<String, String>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    /// The only child of that name.
    fn child(&self, name: &str) -> &Node {
        let found: Vec<&Node> = self.children.iter().filter(|c| c.name == name).collect();
        assert_eq!(found.len(), 1, "{name} in {}: {found:?}", self.name);
        found[0]
    }

    fn has(&self, name: &str) -> bool {
        self.children.iter().any(|c| c.name == name)
    }

    fn text_of(&self, name: &str) -> &str {
        &self.child(name).text
    }

    fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }
}

/// Parses a whole document into its root element; panics on anything not well-formed.
fn read(xml: &str) -> Node {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack = vec![Node::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(start) => {
                let mut node = Node {
                    name: start.name().as_ref().to_owned(),
                    ..Node::default()
                };
                for attribute in start.attributes() {
                    let attribute = attribute.unwrap();
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap();
                    node.attributes
                        .insert(attribute.key.as_ref().to_owned(), value.into_owned());
                }
                stack.push(node);
            }
            Event::End(_) => {
                let node = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(node);
            }
            Event::Empty(_) => panic!("the writer writes no empty-element tags"),
            Event::Text(text) => stack.last_mut().unwrap().text += &text.xml10_content(),
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&reference)
                        .expect("only predefined entities")
                        .to_owned(),
                };
                stack.last_mut().unwrap().text += &resolved;
            }
            Event::Eof => break,
            Event::Decl(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let mut document = stack.pop().unwrap();
    assert!(stack.is_empty());
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}

fn checked(case: &Value) -> CheckedExport {
    check(&parse_case(&case.to_string()).expect("valid case")).expect("no check errors")
}

fn written(case: &Value) -> String {
    to_xml(&checked(case), None).expect("writable")
}

#[test]
fn the_formats_example_reads_back_with_its_values() {
    let xml = written(&case());
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let root = read(&xml);
    assert_eq!(root.name, "Uebergabedatei");
    assert_eq!(root.attributes["format"], "kitanetz-kdw-stala/1");
    assert_eq!(root.attributes["stichtag"], "2024-03-01");
    assert!(!root.attributes.contains_key("erstellt"));
    assert_eq!(
        root.names(),
        ["Einrichtung", "Betreuungsgruppen", "Kinder", "Personal"]
    );

    let fields = root.child("Einrichtung").child("Zusatzfelder");
    assert_eq!(
        fields.names(),
        EXTRA_FIELD_ELEMENTS.map(|(_, element)| element)
    );
    assert_eq!(fields.text_of("StalaEinrichtungsnummer"), "0831150117");
    assert_eq!(fields.text_of("WoechentlicheOeffnungszeit"), "47.5");
    assert_eq!(fields.text_of("Einrichtungsnummer"), "E-204");

    let group = root.child("Betreuungsgruppen").child("Betreuungsgruppe");
    assert_eq!(group.attributes["id"], "G5");
    assert_eq!(group.text_of("Name"), "Igel");
    assert_eq!(group.text_of("Status"), "aktiv");
    assert_eq!(group.text_of("MaximaleGruppengroesse"), "22");

    let kind = root.child("Kinder").child("Kind");
    assert_eq!(kind.attributes["id"], "C1");
    for (element, value) in [
        ("Geschlecht", "2"),
        ("Geburtsmonat", "2"),
        ("Geburtsjahr", "2020"),
        ("InEinrichtungSeitMonat", "8"),
        ("InEinrichtungSeitJahr", "2022"),
        ("Betreuungsgruppe", "G5"),
        // 30.5 h rounded half up to whole hours (L48).
        ("Wochenstunden", "31"),
        ("TageProWoche", "5"),
    ] {
        assert_eq!(kind.text_of(element), value, "{element}");
    }
    assert!(!kind.has("Klassenstufe"), "no school, no element");
    let features = kind.child("Merkmale");
    assert_eq!(features.children.len(), 9);
    assert_eq!(features.text_of("Mittagsverpflegung"), "true");
    assert_eq!(features.text_of("BetreuungAmWochenende"), "false");

    let person = root.child("Personal").child("Mitarbeiter");
    assert_eq!(person.attributes["id"], "P1");
    assert_eq!(person.text_of("Geschlecht"), "1");
    assert_eq!(person.text_of("Geburtsmonat"), "11");
    assert_eq!(person.text_of("Geburtsjahr"), "1978");
    assert_eq!(person.text_of("HauswirtschaftlichTechnisch"), "false");
    assert_eq!(person.text_of("Berufsausbildungsabschluss"), "5010");
    assert!(!person.has("MpsAnrechnung"));
    assert_eq!(person.text_of("Wochenstunden"), "38.5");
    assert_eq!(person.text_of("Arbeitstage"), "5");
    let areas = &person.child("Arbeitsbereiche").children;
    let area = |n: usize| {
        (
            areas[n].attributes["nr"].as_str(),
            areas[n].text_of("Schluessel"),
            areas[n].text_of("Wochenstunden"),
        )
    };
    assert_eq!(areas.len(), 2);
    assert_eq!(area(0), ("1", "4", "30.0"));
    assert_eq!(area(1), ("2", "9", "8.5"));
}

#[test]
fn markup_characters_are_escaped_and_read_back_unchanged() {
    let mut c = case();
    let name = "Igel <&> \"Sonne\" 'Mond'";
    let id = "G<&\">'\n\t1";
    c["groups"][0]["id"] = json!(id);
    c["groups"][0]["name"] = json!(name);
    c["groups"][0]["status"] = json!("a\r\nb");
    c["children"][0]["groups"][0]["group"] = json!(id);
    c["facility"]["extra_fields"]["einrichtungsnummer"] = json!("E&<204>");
    let xml = written(&c);
    assert!(
        xml.contains("<Name>Igel &lt;&amp;&gt; \"Sonne\" 'Mond'</Name>"),
        "{xml}"
    );
    assert!(
        xml.contains("id=\"G&lt;&amp;&quot;&gt;&apos;&#10;&#9;1\""),
        "{xml}"
    );
    let root = read(&xml);
    let group = root.child("Betreuungsgruppen").child("Betreuungsgruppe");
    assert_eq!(group.attributes["id"], id);
    assert_eq!(group.text_of("Name"), name);
    assert_eq!(group.text_of("Status"), "a\r\nb");
    let kind = root.child("Kinder").child("Kind");
    assert_eq!(kind.text_of("Betreuungsgruppe"), id);
    let fields = root.child("Einrichtung").child("Zusatzfelder");
    assert_eq!(fields.text_of("Einrichtungsnummer"), "E&<204>");
}

#[test]
fn staff_is_left_out_when_the_mandant_option_says_no() {
    let mut c = case();
    c["export_staff"] = json!(false);
    let root = read(&written(&c));
    assert_eq!(root.names(), ["Einrichtung", "Betreuungsgruppen", "Kinder"]);

    // Handed over, but nobody on the staff list: the element is there and empty.
    c["export_staff"] = json!(true);
    c["staff"] = json!([]);
    let root = read(&written(&c));
    assert!(root.child("Personal").children.is_empty());
}

#[test]
fn domestic_staff_have_no_work_areas_and_the_mps_is_written_as_a_number() {
    let mut c = case();
    c["staff"] = json!([
        { "id": "P2", "sex": "female", "birth_date": "1990-05-01", "domestic_technical": true,
          "weekly_hours": "20", "working_days": 4, "work_areas": [ { "area": "4", "weekly_hours": "3" } ] },
        { "id": "P3", "sex": "unspecified", "birth_date": "1995-12-24", "activity": "other",
          "training_key": "5021", "mps_anrechnung": "20", "weekly_hours": "19.75",
          "working_days": 5, "work_areas": [ { "area": "2", "weekly_hours": "19.75" } ] }
    ]);
    let root = read(&written(&c));
    let staff = &root.child("Personal").children;
    assert_eq!(staff[0].attributes["id"], "P2");
    assert_eq!(staff[0].text_of("HauswirtschaftlichTechnisch"), "true");
    assert!(staff[0].child("Arbeitsbereiche").children.is_empty());
    assert!(!staff[0].has("Berufsausbildungsabschluss"));
    assert_eq!(staff[1].text_of("Geschlecht"), "7");
    assert_eq!(staff[1].text_of("MpsAnrechnung"), "20");
    // One decimal, half up (seed 004 L33432–33433).
    assert_eq!(staff[1].text_of("Wochenstunden"), "19.8");
}

#[test]
fn a_school_child_carries_its_klassenstufe() {
    let mut c = case();
    c["care_forms"][0]["kind"] = json!("hort");
    c["children"][0]["school_grade"] = json!(3);
    let kind = read(&written(&c))
        .child("Kinder")
        .child("Kind")
        .text_of("Klassenstufe")
        .to_owned();
    assert_eq!(kind, "3");
}

#[test]
fn the_same_export_gives_the_same_bytes_and_a_timestamp_only_when_passed() {
    let mut c = case();
    c["children"] = json!([child("C2"), child("C1"), child("C10")]);
    let first = written(&c);
    c["children"] = json!([child("C10"), child("C1"), child("C2")]);
    assert_eq!(written(&c), first);
    let ids: Vec<String> = read(&first)
        .child("Kinder")
        .children
        .iter()
        .map(|k| k.attributes["id"].clone())
        .collect();
    assert_eq!(ids, ["C1", "C10", "C2"]);

    let at = chrono::NaiveDate::from_ymd_opt(2024, 3, 5)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let stamped = to_xml(&checked(&c), Some(at)).unwrap();
    assert_eq!(read(&stamped).attributes["erstellt"], "2024-03-05T10:00:00");
}

#[test]
fn a_control_character_refuses_the_file_naming_record_and_field() {
    let mut c = case();
    c["groups"][0]["name"] = json!("Igel\u{1}");
    c["children"][0]["id"] = json!("C\u{0}1");
    let refused = to_xml(&checked(&c), None).unwrap_err();
    assert_eq!(
        refused,
        [
            XmlRefused {
                record: "group:G5".to_owned(),
                field: "Name".to_owned()
            },
            XmlRefused {
                record: "child:C\u{0}1".to_owned(),
                field: "id".to_owned()
            },
        ]
    );
    assert!(refused[0].to_string().contains("group:G5.Name"));
}

#[test]
fn the_command_writes_the_file_only_for_a_case_without_errors() {
    let out = xml_output(&case().to_string());
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, written(&case()));

    let mut c = case();
    c["facility"]["state"] = json!("Sachsen");
    let out = xml_output(&c.to_string());
    assert_eq!(out.exit_code, 1);
    let result: Value = serde_json::from_str(&out.stdout).expect("the check's result");
    assert_eq!(result["valid"], json!(false));
    assert_eq!(result["errors"][0]["code"], json!("facility_state_not_bw"));
    assert!(!out.stdout.contains("<?xml"));

    assert_eq!(xml_output("{").exit_code, 2);
}

#[test]
fn the_element_table_follows_the_cases_zusatzfelder() {
    assert_eq!(
        EXTRA_FIELD_ELEMENTS.map(|(key, _)| key),
        FACILITY_EXTRA_FIELDS
    );
}
