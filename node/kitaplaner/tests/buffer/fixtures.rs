//! The case files in `tests/fixtures/kitaplaner/` (which the node's CLI test also runs): each
//! `NAME.case.json` through [`kitanetz_kitaplaner::case_output`], compared with
//! `NAME.expected.json` the way the held-out check compares (§5 of the format): rows one by one,
//! every field equal except STATUS (one of three) and BETREUUNGSSTUNDEN (by value); errors; the
//! rebuild's `required` and `deleted`. A refused case's expected file says
//! `{"exit_code": 2, "stderr_contains": "…"}`.

use rust_decimal::Decimal;
use serde_json::Value;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../tests/fixtures/kitaplaner")
}

fn compare_rows(name: &str, what: &str, got: &Value, want: &Value) {
    let (got, want) = (
        got.as_array().expect("rows"),
        want.as_array().expect("rows"),
    );
    assert_eq!(got.len(), want.len(), "{name}: number of {what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        for (field, expected) in w.as_object().unwrap() {
            let actual = &g[field];
            match field.as_str() {
                "STATUS" => assert!(
                    ["NEUVERTRAG", "VERTRAGSÄNDERUNG", "KÜNDIGUNG"]
                        .contains(&actual.as_str().unwrap()),
                    "{name}: {what}[{i}].STATUS {actual}"
                ),
                "BETREUUNGSSTUNDEN" => {
                    let value = |v: &Value| v.as_str().unwrap().parse::<Decimal>().unwrap();
                    assert_eq!(
                        value(actual),
                        value(expected),
                        "{name}: {what}[{i}].{field}"
                    );
                }
                _ => assert_eq!(actual, expected, "{name}: {what}[{i}].{field}"),
            }
        }
        assert_eq!(
            g.as_object().unwrap().len(),
            w.as_object().unwrap().len(),
            "{name}: {what}[{i}] has other columns than expected"
        );
    }
}

#[test]
fn fixture_cases() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/kitaplaner")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".case.json"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 5, "fixtures missing: {cases:?}");
    for case in cases {
        let name = case
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".case.json", "");
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(fixtures().join(format!("{name}.expected.json")))
                .expect("expected file"),
        )
        .expect("expected JSON");
        let out = kitanetz_kitaplaner::case_output(&std::fs::read_to_string(&case).unwrap());
        if let Some(code) = expected.get("exit_code") {
            assert_eq!(
                u64::from(out.exit_code),
                code.as_u64().unwrap(),
                "{name}: exit code"
            );
            assert!(out.stdout.is_empty(), "{name}: stdout of a refused case");
            let needle = expected["stderr_contains"].as_str().unwrap();
            assert!(
                out.stderr.contains(needle),
                "{name}: {:?} lacks {needle:?}",
                out.stderr
            );
            continue;
        }
        assert_eq!(out.exit_code, 0, "{name}: {}", out.stderr);
        let got: Value = serde_json::from_str(&out.stdout).unwrap();
        compare_rows(&name, "rows", &got["rows"], &expected["rows"]);
        assert_eq!(got["errors"], expected["errors"], "{name}: errors");
        match expected.get("rebuild") {
            None => assert!(got.get("rebuild").is_none(), "{name}: rebuild"),
            Some(rebuild) => {
                assert_eq!(got["rebuild"]["required"], rebuild["required"], "{name}");
                compare_rows(
                    &name,
                    "deleted",
                    &got["rebuild"]["deleted"],
                    &rebuild["deleted"],
                );
            }
        }
    }
}
