//! Errors: they name the template's line, and a template reaches nothing outside its data.

use kitanetz_letters::RenderError;

use super::*;

fn template_error(
    result: Result<Rendered, RenderError>,
) -> (String, kitanetz_letters::Diagnostics) {
    match result {
        Err(RenderError::Template {
            template,
            diagnostics,
        }) => (template, diagnostics),
        Err(other) => panic!("expected a template error, got: {other}"),
        Ok(_) => panic!("expected a template error, the letter rendered"),
    }
}

#[test]
fn a_broken_template_names_its_line() {
    let source = "= Titel\n\nGuten Tag,\n#let x = (1, 2\n\nEnde.\n";
    let error = render_template(source, &receipt_data()).unwrap_err();
    let message = error.to_string();
    let (template, diagnostics) = template_error(Err(error));
    assert_eq!(template, "test.typ");
    let first = &diagnostics.0[0];
    assert!(first.is_error);
    assert_eq!(first.file.as_deref(), Some("test.typ"));
    // The unclosed parenthesis opens on line 4.
    assert_eq!(first.line, Some(4), "{message}");
    assert!(
        message.contains("test.typ:4:10: error: unclosed delimiter"),
        "{message}"
    );
}

#[test]
fn an_unknown_function_names_line_and_column() {
    let source = "Hallo\n\nWelt #nicht_da()\n";
    let (_, diagnostics) = template_error(render_template(source, &receipt_data()));
    let first = &diagnostics.0[0];
    assert_eq!(
        (first.line, first.column),
        (Some(3), Some(7)),
        "{diagnostics}"
    );
    assert!(first.message.contains("nicht_da"), "{diagnostics}");
    assert!(
        diagnostics.to_string().starts_with("test.typ:3:7: error: "),
        "{diagnostics}"
    );
}

#[test]
fn missing_data_names_the_receipts_line() {
    let mut data = receipt_data();
    data.as_object_mut().unwrap().remove("application_ref");
    let (template, diagnostics) = template_error(render(&RECEIPT, &data, &meta()));
    assert_eq!(template, "receipt.typ");
    let first = &diagnostics.0[0];
    assert_eq!(first.file.as_deref(), Some("receipt.typ"));
    assert!(first.line.is_some(), "{diagnostics}");
    assert!(first.message.contains("application_ref"), "{diagnostics}");
}

#[test]
fn more_than_five_wishes_are_refused() {
    let mut data = receipt_data();
    let sixth = serde_json::json!({ "rank": 6, "name": "Kita Extra", "kind": "Kita" });
    data["wishes"].as_array_mut().unwrap().push(sixth);
    let (_, diagnostics) = template_error(render(&RECEIPT, &data, &meta()));
    assert!(
        diagnostics
            .to_string()
            .contains("one to five wishes, got 6"),
        "{diagnostics}"
    );
}

#[test]
fn a_template_cannot_read_files_or_load_packages() {
    for (source, message) in [
        ("#read(\"/etc/passwd\")", "file not found"),
        ("#read(\"../../Cargo.toml\")", "escape the project root"),
        ("#image(\"/logo.png\")", "file not found"),
        (
            "#import \"@preview/example:0.1.0\": *",
            "cannot load packages",
        ),
    ] {
        let (_, diagnostics) = template_error(render_template(source, &receipt_data()));
        assert!(
            diagnostics.to_string().contains(message),
            "{source}: {diagnostics}"
        );
    }
    // Its own data is there.
    let letter = render_template(
        "#let d = json(\"/data.json\")\n#d.application_ref",
        &receipt_data(),
    )
    .unwrap();
    assert_contains(&text(&letter.pdf), "V-2026-000123");
}

#[test]
fn a_glyph_no_font_has_is_a_pdf_error() {
    // PDF/UA-1 forbids the empty ".notdef" glyph; the vendored fonts have no CJK.
    let mut data = receipt_data();
    data["children"][0]["name"] = "王小明".into();
    match render(&RECEIPT, &data, &meta()) {
        Err(error @ RenderError::Pdf { .. }) => {
            let message = error.to_string();
            assert!(message.contains("receipt.typ"), "{message}");
        }
        Err(other) => panic!("expected a PDF error, got: {other}"),
        Ok(_) => panic!("expected a PDF error, the letter rendered"),
    }
}
