//! Small instances worked by hand (`tests/golden/*.json`, each with its expected assignment).

use crate::common::solve_mode;
use kitanetz_placement::check::check;
use kitanetz_placement::cli::Mode;
use kitanetz_placement::{ChildId, Instance, ProgramId};
use std::collections::BTreeMap;

fn expected(v: &serde_json::Value) -> BTreeMap<ChildId, Option<ProgramId>> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(c, p)| (ChildId::new(c.clone()), p.as_str().map(ProgramId::from)))
        .collect()
}

#[test]
fn golden_instances() {
    let dir = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/golden");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "golden instances missing");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
        let inst = Instance::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let got = solve_mode(&inst, Mode::Da);
        assert_eq!(
            got,
            expected(&raw["expected_assignment"]),
            "{}",
            f.display()
        );
        let cert = check(&inst, &got);
        assert!(cert.stable, "{}: {:?}", f.display(), cert.violations);
        if let Some(seq) = raw.get("expected_sequential") {
            let got = solve_mode(&inst, Mode::Sequential);
            assert_eq!(got, expected(seq), "{} (sequential)", f.display());
        }
    }
}

#[test]
fn sequential_procedure_is_not_stable_and_says_so() {
    let dir = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/golden");
    let inst = Instance::from_json(&std::fs::read_to_string(dir.join("sequential.json")).unwrap())
        .unwrap();
    let got = solve_mode(&inst, Mode::Sequential);
    let cert = check(&inst, &got);
    assert_eq!(cert.blocking_pairs, 1);
    assert_eq!(cert.violations[0].child, "c1");
    assert_eq!(cert.violations[0].displaces.as_deref(), Some("c3"));
}
