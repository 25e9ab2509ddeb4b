//! Exit certificates: one page per child in one file, each child's data on its own page, one
//! title, data as text, the print run's checks.

use kitanetz_letters::{
    exit_certificates_pdf, exit_certificates_pdf_with, ExitCertificate, ExitCertificateError,
    EXIT_CERTIFICATE,
};

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A school entrant of Kita Elbwiesenkinder leaving at the end of July 2026.
fn school_entrant(given: &str, family: &str) -> ExitCertificate {
    ExitCertificate {
        child_given_name: given.into(),
        child_family_name: family.into(),
        birth_date: day(2020, 3, 14),
        facility_name: "Kita Elbwiesenkinder".into(),
        facility_address: vec!["Am Elbufer 7".into(), "01069 Dresden".into()],
        provider_name: "Eigenbetrieb Kindertageseinrichtungen Dresden".into(),
        care_from: day(2021, 8, 1),
        care_until: day(2026, 7, 31),
        care_types: vec!["Krippe".into(), "Kindergarten".into()],
        reason: "Schuleintritt".into(),
        place: "Dresden".into(),
        issued_on: day(2026, 7, 24),
        signer: "Petra Sommer".into(),
    }
}

fn class_of_2026() -> Vec<ExitCertificate> {
    let mut moving = school_entrant("Emil", "Krause");
    moving.reason = "Umzug".into();
    moving.care_until = day(2026, 6, 30);
    moving.care_types = vec!["Kindergarten".into()];
    vec![
        school_entrant("Lotta", "Weiß-Müller"),
        moving,
        school_entrant("Mia", "Nguyen"),
    ]
}

fn pdf(certificates: &[ExitCertificate]) -> Vec<u8> {
    let letter = exit_certificates_pdf(certificates, "exit-certificates/kita-7/2026-07-24")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        letter.warnings.0.is_empty(),
        "warnings: {}",
        letter.warnings
    );
    letter.pdf
}

/// The text of each page, whitespace collapsed.
fn page_texts(pdf: &[u8]) -> Vec<String> {
    let document = parse(pdf);
    document
        .get_pages()
        .keys()
        .map(|&page| {
            let text = document.extract_text(&[page]).expect("text extraction");
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect()
}

#[test]
fn one_page_per_child_with_that_childs_data() {
    let certificates = class_of_2026();
    let pages = page_texts(&pdf(&certificates));
    assert_eq!(pages.len(), certificates.len(), "one page per child");
    for (page, certificate) in pages.iter().zip(&certificates) {
        for needle in [
            "Austrittsbescheinigung",
            &certificate.child_given_name,
            &certificate.child_family_name,
            "14.03.2020",
            "Kita Elbwiesenkinder, Am Elbufer 7, 01069 Dresden",
            "Eigenbetrieb Kindertageseinrichtungen Dresden",
            "01.08.2021",
            "Dresden, den 24.07.2026",
            "Petra Sommer",
            "Leitung der Einrichtung",
        ] {
            assert_contains(page, needle);
        }
        assert_contains(page, &certificate.care_types.join(", "));
        assert_contains(page, &certificate.reason);
        let others = certificates
            .iter()
            .filter(|other| other.child_given_name != certificate.child_given_name);
        for other in others {
            assert!(
                !page.contains(&other.child_given_name),
                "{} on the page of {}: {page}",
                other.child_given_name,
                certificate.child_given_name
            );
        }
    }
    assert_contains(&pages[0], "Krippe, Kindergarten");
    assert_contains(&pages[0], "Betreuungsarten");
    assert_contains(&pages[0], "31.07.2026");
    assert_contains(&pages[1], "Umzug");
    assert_contains(&pages[1], "30.06.2026");
    assert_contains(&pages[1], "Betreuungsart Kindergarten");
}

#[test]
fn a_single_child_is_a_print_run_of_one() {
    let letter = pdf(&[school_entrant("Lotta", "Weiß-Müller")]);
    assert_eq!(parse(&letter).get_pages().len(), 1);
    let raw = String::from_utf8_lossy(&letter);
    assert!(
        raw.contains("Austrittsbescheinigung – Kita Elbwiesenkinder – 24.07.2026"),
        "singular title"
    );
}

#[test]
fn the_print_run_is_tagged_pdf_ua_with_one_title() {
    let letter = pdf(&class_of_2026());
    let raw = String::from_utf8_lossy(&letter);
    let document = parse(&letter);
    assert!(catalog_entry(&document, b"StructTreeRoot").is_some());
    let mark_info = catalog_entry(&document, b"MarkInfo")
        .and_then(|o| o.as_dict().ok())
        .expect("/MarkInfo");
    assert_eq!(
        mark_info.get(b"Marked").and_then(Object::as_bool).ok(),
        Some(true)
    );
    assert_eq!(pdf_string(catalog_entry(&document, b"Lang").unwrap()), "de");
    let preferences = catalog_entry(&document, b"ViewerPreferences")
        .and_then(|o| o.as_dict().ok())
        .expect("/ViewerPreferences");
    assert_eq!(
        preferences
            .get(b"DisplayDocTitle")
            .and_then(Object::as_bool)
            .ok(),
        Some(true)
    );
    assert!(raw.contains("pdfuaid:part"), "no PDF/UA identification");
    assert!(
        raw.contains("Austrittsbescheinigungen – Kita Elbwiesenkinder – 24.07.2026"),
        "the title in XMP"
    );
}

#[test]
fn the_same_children_give_the_same_bytes() {
    let first = pdf(&class_of_2026());
    let between = pdf(&[school_entrant("Ida", "Berg")]);
    let second = pdf(&class_of_2026());
    assert_ne!(first, between);
    assert!(first == second, "two renders of the same print run differ");
}

#[test]
fn names_that_look_like_markup_are_printed_as_written() {
    let given = r#"#panic("x") *Lotta*"#;
    let family = r#"$x$ _Weiß_ ]#include "/main.typ" <l> @r \"#;
    let mut certificate = school_entrant(given, family);
    certificate.reason = "Wechsel in eine andere Einrichtung // /* `raw` =".into();
    certificate.facility_address[0] = "#set page(width: 1cm)".into();
    let pages = page_texts(&pdf(&[certificate.clone()]));
    assert_eq!(pages.len(), 1);
    for needle in [given, family, &certificate.reason, "#set page(width: 1cm)"] {
        assert_contains(&pages[0], needle);
    }
}

#[test]
fn nothing_to_print_is_an_error_not_an_empty_pdf() {
    let error = exit_certificates_pdf(&[], "exit-certificates/none").unwrap_err();
    assert!(matches!(error, ExitCertificateError::Empty), "{error}");
    assert!(error.to_string().contains("at least one child"), "{error}");
}

#[test]
fn one_file_is_one_facility_and_one_day() {
    let mut certificates = class_of_2026();
    certificates[2].facility_name = "Kita Sonnenblume".into();
    let error = exit_certificates_pdf(&certificates, "x").unwrap_err();
    assert!(
        matches!(&error, ExitCertificateError::MixedPrintRun { field, child, .. }
            if *field == "facility_name" && child == "Mia Nguyen"),
        "{error}"
    );
    let mut certificates = class_of_2026();
    certificates[1].issued_on = day(2026, 7, 25);
    let message = exit_certificates_pdf(&certificates, "x")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("issued_on") && message.contains("25.07.2026"),
        "{message}"
    );
}

/// A change that breaks a fixture, in a table of cases.
type Breakage = fn(&mut ExitCertificate);

#[test]
fn inconsistent_certificates_are_refused_naming_the_child() {
    let cases: [(Breakage, &str); 4] = [
        (|c| c.care_until = day(2021, 7, 31), "before the first"),
        (|c| c.care_types.clear(), "care_types"),
        (|c| c.reason = "  ".into(), "`reason` is empty"),
        (|c| c.birth_date = day(2022, 1, 1), "before the birth date"),
    ];
    for (change, expected) in cases {
        let mut certificate = school_entrant("Lotta", "Weiß-Müller");
        change(&mut certificate);
        let error = exit_certificates_pdf(&[certificate], "x").unwrap_err();
        let message = error.to_string();
        assert!(
            matches!(error, ExitCertificateError::Invalid { .. }),
            "{message}"
        );
        assert!(
            message.contains(expected) && message.contains("Lotta Weiß-Müller"),
            "{expected:?} not in {message}"
        );
    }
}

#[test]
fn the_sample_data_renders_with_the_template_directly() {
    let data: Value =
        serde_json::from_str(include_str!("../../templates/exit_certificate.sample.json"))
            .expect("the sample is JSON");
    let letter = render(&EXIT_CERTIFICATE, &data, &meta()).unwrap_or_else(|e| panic!("{e}"));
    assert!(letter.warnings.0.is_empty(), "{}", letter.warnings);
    let pages = page_texts(&letter.pdf);
    assert_eq!(pages.len(), 2);
    assert_contains(&pages[0], "Lotta");
    assert_contains(&pages[1], "Emil");
}

#[test]
fn a_provider_may_bring_its_own_template() {
    let own = Template {
        name: "traeger.typ",
        source: "#let d = json(\"/data.json\")\n#for c in d.certificates [\n  = Bestätigung\n  #c.child.given_name verlässt uns am #c.care_until.\n]\n",
    };
    let letter =
        exit_certificates_pdf_with(&own, &class_of_2026(), "x").unwrap_or_else(|e| panic!("{e}"));
    let text = text(&letter.pdf);
    assert_contains(&text, "Lotta verlässt uns am 31.07.2026.");
    assert_contains(&text, "Emil verlässt uns am 30.06.2026.");
}
