//! The receipt: content, accessibility structure, determinism, data as text.

use super::*;

#[test]
fn receipt_shows_the_child_the_wishes_and_the_number() {
    let letter = render_receipt(&receipt_data());
    assert!(letter.pdf.starts_with(b"%PDF-"));
    assert!(
        letter.warnings.0.is_empty(),
        "warnings: {}",
        letter.warnings
    );
    let text = text(&letter.pdf);
    for needle in [
        // Sender, recipient, date.
        "Stadt Musterstadt",
        "Zentrale Vormerkstelle Kindertagesbetreuung",
        "Jörg und Anna Weiß-Müller",
        "Königsbrücker Straße 12",
        "01099 Musterstadt",
        "28.11.2026",
        // Subject and umlauts in the template's own text.
        "Eingangsbestätigung Ihrer Voranmeldung",
        "Mit freundlichen Grüßen",
        // The child.
        "Lotta Weiß-Müller",
        "14.03.2025",
        "01.08.2026",
        // The application number.
        "V-2026-000123",
        // The parents' notes.
        "Nussallergie",
    ] {
        assert_contains(&text, needle);
    }
    let data = receipt_data();
    for wish in data["wishes"].as_array().unwrap() {
        assert_contains(&text, wish["name"].as_str().unwrap());
    }
    assert_contains(&text, "Kindertagespflege");
}

#[test]
fn receipt_is_tagged_pdf_ua_with_language_and_title() {
    let letter = render_receipt(&receipt_data());
    let raw = String::from_utf8_lossy(&letter.pdf);
    let document = parse(&letter.pdf);

    assert!(
        catalog_entry(&document, b"StructTreeRoot").is_some(),
        "no structure tree"
    );
    let mark_info = catalog_entry(&document, b"MarkInfo")
        .and_then(|o| o.as_dict().ok())
        .expect("/MarkInfo");
    assert_eq!(
        mark_info.get(b"Marked").and_then(Object::as_bool).ok(),
        Some(true)
    );
    let lang = catalog_entry(&document, b"Lang").expect("/Lang");
    assert_eq!(pdf_string(lang), "de");
    // PDF/UA: viewers show the title, not the file name.
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
    // The title and the PDF/UA-1 claim are in the XMP metadata (uncompressed, as PDF/A and UA
    // require it to be readable).
    assert!(
        raw.contains("Eingangsbestätigung Ihrer Voranmeldung"),
        "title in XMP"
    );
    assert!(raw.contains("pdfuaid:part"), "no PDF/UA identification");
}

#[test]
fn same_input_gives_the_same_bytes() {
    let first = render_receipt(&receipt_data());
    // Another letter in between: typst's caches must not leak into the next one.
    let mut other = receipt_data();
    other["children"][0]["name"] = "Emil Krause".into();
    let between = render_receipt(&other);
    let second = render_receipt(&receipt_data());
    assert_ne!(first.pdf, between.pdf);
    assert!(
        first.pdf == second.pdf,
        "two renders of the same letter differ"
    );
    assert_contains(&text(&between.pdf), "Emil Krause");
}

#[test]
fn data_is_printed_as_text_never_read_as_markup() {
    let mut data = receipt_data();
    let child = r#"#panic("x")"#;
    let wish = "*bold* $math$ ]";
    let recipient = r#"#set page(width: 1cm) <label> @ref \ _x_"#;
    let notes = r##"]#include "/main.typ" // /* `raw` ="##;
    data["children"][0]["name"] = child.into();
    data["wishes"][0]["name"] = wish.into();
    data["recipient"]["name"] = recipient.into();
    data["notes"] = notes.into();

    let letter = render_receipt(&data);
    let text = text(&letter.pdf);
    for needle in [child, wish, recipient, notes] {
        assert_contains(&text, needle);
    }
}

#[test]
fn names_in_latin_greek_and_cyrillic_script_render() {
    let mut data = receipt_data();
    data["children"][0]["name"] = "Łukasz Ñúñez-Đặng".into();
    data["wishes"][1]["name"] = "Κέντρο Αλέξανδρος".into();
    data["recipient"]["name"] = "Дмитрий Иванов".into();
    let text = text(&render_receipt(&data).pdf);
    for needle in ["Łukasz Ñúñez-Đặng", "Κέντρο Αλέξανδρος", "Дмитрий Иванов"]
    {
        assert_contains(&text, needle);
    }
}

#[test]
fn a_long_letter_goes_on_with_page_numbers() {
    let mut data = receipt_data();
    data["notes"] = "Wir bitten um einen Platz in der Nähe unserer Arbeitsstelle. "
        .repeat(120)
        .into();
    let letter = render_receipt(&data);
    assert!(
        letter.warnings.0.is_empty(),
        "warnings: {}",
        letter.warnings
    );
    let pages = parse(&letter.pdf).get_pages().len();
    assert!(pages >= 2, "{pages} page(s)");
    let text = text(&letter.pdf);
    assert_contains(&text, &format!("Seite 1 von {pages}"));
    assert_contains(&text, &format!("Seite {pages} von {pages}"));
    assert_contains(&text, "Mit freundlichen Grüßen");
}

#[test]
fn a_change_is_confirmed_with_its_own_subject_and_day() {
    let mut data = receipt_data();
    data["changed_on"] = "05.12.2026".into();
    let text = text(&render_receipt(&data).pdf);
    assert_contains(&text, "Bestätigung der Änderung Ihrer Voranmeldung");
    assert_contains(&text, "05.12.2026");
    assert!(
        !text.contains("Eingangsbestätigung"),
        "a change is not a first receipt: {text}"
    );
}
