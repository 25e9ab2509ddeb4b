//! `KJH_CASE.md` is the documentation of `kitanetz-kjh-case/1` and `kitanetz-kjh-result/1`: its
//! example case and its output must be the ones the crate reads and writes, byte for byte.
//! Rerun with `KITANETZ_BLESS=1` after a deliberate change of the output, then copy the golden
//! file into `KJH_CASE.md`.

use kitanetz_statistics::kjh;
use std::path::PathBuf;

fn crate_file(name: &str) -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join(name)
}

fn read(name: &str) -> String {
    let path = crate_file(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The contents of the ```` ```json ```` blocks of a Markdown text, in order.
fn json_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```json") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_documented_example_gives_the_golden_output() {
    let out = kjh::case_output(&read("tests/golden/kjh-doc-example.case.json"));
    assert_eq!((out.exit_code, out.stderr.as_str()), (0, ""));
    let golden = crate_file("tests/golden/kjh-doc-example.result.json");
    if std::env::var_os("KITANETZ_BLESS").is_some() {
        std::fs::write(&golden, &out.stdout).expect("golden file written");
    }
    assert_eq!(
        out.stdout,
        read("tests/golden/kjh-doc-example.result.json"),
        "rerun with KITANETZ_BLESS=1 after a deliberate change"
    );
}

#[test]
fn kjh_case_md_shows_the_example_case_and_its_exact_output() {
    let blocks = json_blocks(&read("KJH_CASE.md"));
    assert_eq!(blocks.len(), 2, "KJH_CASE.md has one case and one result");
    assert_eq!(
        blocks[0],
        read("tests/golden/kjh-doc-example.case.json"),
        "the case in KJH_CASE.md"
    );
    assert_eq!(
        blocks[1],
        read("tests/golden/kjh-doc-example.result.json"),
        "the result in KJH_CASE.md"
    );
}
