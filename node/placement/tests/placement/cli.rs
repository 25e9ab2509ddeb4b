//! `run_place`: input format, validation errors, exit codes, `--check`, `--seed`, `--stats`.

use kitanetz_placement::cli::Mode;
use kitanetz_placement::{run_place_with, PlaceArgs};
use std::path::PathBuf;

fn tmp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kitanetz-placement-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn run(text: &str, f: impl FnOnce(&mut PlaceArgs)) -> (Result<i32, String>, String, String) {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = tmp(&format!("case-{n}.json"), text);
    let mut args = PlaceArgs {
        instance: path,
        ..PlaceArgs::default()
    };
    f(&mut args);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_place_with(&args, &mut out, &mut err).map_err(|e| {
        assert_eq!(e.exit_code(), 2);
        e.to_string()
    });
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

const SPEC_EXAMPLE: &str = r#"{
  "format": "kitanetz-placement/1",
  "programs": [ { "id": "K17-krippe-2027-08", "facility": "K17", "capacity": 12 },
                { "id": "K03-krippe-2027-08", "facility": "K03", "capacity": 1 } ],
  "children": [
    { "id": "c1", "wishes": ["K17-krippe-2027-08", "K03-krippe-2027-08"], "lottery": 0.5123,
      "together": null, "current": null },
    { "id": "c9", "wishes": ["K17-krippe-2027-08"], "lottery": 0.1, "extra": {"x": 1} }
  ],
  "priorities": { "K17-krippe-2027-08": { "c1": 10, "c9": 4.0 } },
  "unknown_top_level": true
}"#;

#[test]
fn accepts_the_documented_format_with_extra_fields() {
    let (code, out, _) = run(SPEC_EXAMPLE, |a| a.check = true);
    assert_eq!(code, Ok(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["format"], "kitanetz-placement-result/1");
    assert_eq!(v["assignment"]["c1"], "K17-krippe-2027-08");
    assert_eq!(v["protocol"]["certificate"]["blocking_pairs"], 0);
    assert_eq!(v["protocol"]["certificate"]["waste"], 0);
    assert_eq!(
        v["protocol"]["cutoffs"]["K17-krippe-2027-08"],
        serde_json::Value::Null
    );
    assert_eq!(v["protocol"]["engine_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["protocol"]["input_hash"].as_str().unwrap().len(), 64);
    assert!(v.get("stats").is_none());
}

#[test]
fn stats_and_seed() {
    let (code, out, _) = run(SPEC_EXAMPLE, |a| {
        a.stats = true;
        a.seed = Some("round-2027-1".into());
    });
    assert_eq!(code, Ok(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["stats"]["first_choice_share"], 1.0);
    assert_eq!(v["stats"]["rank_distribution"][0], 2);
    assert_eq!(
        v["protocol"]["seed_hash"],
        kitanetz_placement::catalogue::seed_hash("round-2027-1")
    );
}

#[test]
fn rejects_bad_input_with_exit_code_2() {
    let cases = [
        (
            SPEC_EXAMPLE.replace("placement/1\"", "placement/2\""),
            "unsupported format",
        ),
        (
            SPEC_EXAMPLE.replace("\"K03-krippe-2027-08\"]", "\"K99\"]"),
            "child c1 wishes unknown program K99",
        ),
        (
            SPEC_EXAMPLE.replace("\"c9\", \"wishes\"", "\"c1\", \"wishes\""),
            "child id c1 appears more than once",
        ),
        (
            SPEC_EXAMPLE.replace("\"capacity\": 12", "\"capacity\": -1"),
            "capacity -1",
        ),
        (
            SPEC_EXAMPLE.replace("\"c9\": 4.0", "\"c9\": 4.5"),
            "must be integers",
        ),
        (
            SPEC_EXAMPLE.replace("\"current\": null", "\"current\": \"K00\""),
            "child c1 has unknown current program K00",
        ),
        (SPEC_EXAMPLE.replace("0.5123", "1.5"), "lottery"),
        ("not json".to_owned(), "not valid"),
    ];
    for (text, msg) in cases {
        let (code, out, _) = run(&text, |_| {});
        let e = code.unwrap_err();
        assert!(e.contains(msg), "{e} should contain {msg}");
        assert!(out.is_empty());
    }
    let mut args = PlaceArgs {
        instance: "/nonexistent/x.json".into(),
        ..PlaceArgs::default()
    };
    args.check = true;
    let err = run_place_with(&args, &mut Vec::new(), &mut Vec::new()).unwrap_err();
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn check_fails_with_exit_1_on_blocking_pairs() {
    let text = std::fs::read_to_string(
        std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("tests/golden/sequential.json"),
    )
    .unwrap();
    let (code, _, err) = run(&text, |a| a.mode = Mode::Da);
    assert_eq!(code, Ok(0));
    assert!(err.is_empty());
    let (code, out, err) = run(&text, |a| {
        a.mode = Mode::Sequential;
        a.check = true;
    });
    assert_eq!(code, Ok(1));
    assert!(
        err.contains("blocking_pair: c1 at B (displaces c3)"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["protocol"]["mode"], "sequential");
    assert_eq!(v["protocol"]["waitlists"]["B"][0], "c1");
    assert_eq!(
        v["protocol"]["explanations"]["c1"][1]["reason"],
        "sequential_order"
    );
}

#[test]
fn byte_identical_runs() {
    let (_, a, _) = run(SPEC_EXAMPLE, |a| a.stats = true);
    let (_, b, _) = run(SPEC_EXAMPLE, |a| a.stats = true);
    assert_eq!(a, b);
}

#[test]
fn group_search_budget_zero_reports_the_residual_coalition() {
    let text = std::fs::read_to_string(
        std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("tests/golden/groups_search.json"),
    )
    .unwrap();
    let (code, out, _) = run(&text, |a| {
        a.group_budget = Some(0);
        a.check = true;
    });
    // Singles are stable (there are none) and the groups are feasible, so --check passes.
    assert_eq!(code, Ok(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["assignment"]["a1"], "V");
    let g = &v["protocol"]["groups"];
    assert_eq!(g["budget"], 0);
    assert_eq!(g["budget_exhausted"], true);
    assert_eq!(g["residual_coalitions"][0]["group"], "g1");
    assert_eq!(g["residual_coalitions"][0]["programs"]["a1"], "X");
    assert_eq!(v["protocol"]["explanations"]["a1"][0]["reason"], "group");

    let (_, out, _) = run(&text, |_| {});
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["protocol"]["groups"]["residual_coalitions"],
        serde_json::json!([])
    );
    assert_eq!(v["protocol"]["groups"]["budget_exhausted"], false);
}
