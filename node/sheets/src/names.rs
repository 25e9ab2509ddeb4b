//! Sheet names from table titles. Titles are user text (a facility's name, „Belegung 03/2026“),
//! so this never fails: it makes a name Excel accepts out of any title.
//!
//! Excel's rules: at most 31 characters, none of `[ ] : * ? / \`, no apostrophe at either end,
//! not „History“ (Excel reserves it), unique in the workbook without regard to case.

use std::collections::HashSet;

/// Excel counts a sheet name's length in UTF-16 units (an emoji counts two).
const MAX_UNITS: usize = 31;

/// The name for a title left empty after cleaning.
const FALLBACK: &str = "Tabelle";

/// One sheet name per title, in order, each valid and unique.
pub(crate) fn sheet_names<'a>(titles: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    // Excel compares names case-insensitively; „History“ is taken from the start so that a
    // table titled so becomes „History (2)“.
    let mut taken: HashSet<String> = HashSet::from(["history".to_owned()]);
    titles
        .into_iter()
        .map(|title| {
            let base = clean(title);
            let mut name = cut(&base, MAX_UNITS);
            let mut n = 2;
            while taken.contains(&name.to_lowercase()) {
                let suffix = format!(" ({n})");
                name = format!("{}{suffix}", cut(&base, MAX_UNITS - suffix.len()));
                n += 1;
            }
            taken.insert(name.to_lowercase());
            name
        })
        .collect()
}

/// Forbidden characters replaced by look-alikes that keep the title readable („03/2026“ →
/// „03-2026“), control characters by spaces, ends trimmed of spaces and apostrophes.
fn clean(title: &str) -> String {
    let replaced: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' => '-',
            '[' => '(',
            ']' => ')',
            '*' | '?' => '_',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let trimmed = trim_ends(&replaced);
    if trimmed.is_empty() {
        FALLBACK.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// At most `units` UTF-16 units of `name`, cut at a character boundary and trimmed again (a cut
/// can leave an apostrophe or a space at the end). `name` starts with neither, so the result is
/// never empty.
fn cut(name: &str, units: usize) -> String {
    let mut used = 0;
    let end = name
        .char_indices()
        .find(|&(_, c)| {
            used += c.len_utf16();
            used > units
        })
        .map_or(name.len(), |(i, _)| i);
    trim_ends(&name[..end]).to_owned()
}

fn trim_ends(name: &str) -> &str {
    name.trim_matches(|c: char| c.is_whitespace() || c == '\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(titles: &[&str]) -> Vec<String> {
        sheet_names(titles.iter().copied())
    }

    #[test]
    fn forbidden_characters_are_replaced() {
        assert_eq!(
            names(&[
                "Belegung 03/2026",
                "a\\b:c",
                "[Entwurf] *neu*?",
                "Zeile\nzwei"
            ]),
            [
                "Belegung 03-2026",
                "a-b-c",
                "(Entwurf) _neu__",
                "Zeile zwei"
            ]
        );
    }

    #[test]
    fn names_are_cut_to_31_characters() {
        let long = "Kindertagesstätte Sonnenblume – Warteliste 2026";
        let name = &names(&[long])[0];
        assert_eq!(name, "Kindertagesstätte Sonnenblume –");
        assert_eq!(name.chars().count(), 31);
    }

    #[test]
    fn length_is_counted_in_utf16_units() {
        // 15 emoji are 30 units; a 16th would make 32.
        let title = "🌻".repeat(16);
        assert_eq!(names(&[&title])[0], "🌻".repeat(15));
    }

    #[test]
    fn duplicates_get_a_number_case_insensitively() {
        assert_eq!(
            names(&["Liste", "liste", "LISTE", "Liste (2)"]),
            ["Liste", "liste (2)", "LISTE (3)", "Liste (2) (2)"]
        );
    }

    #[test]
    fn a_number_suffix_keeps_the_name_within_31() {
        let title = "x".repeat(40);
        let got = names(&[&title, &title]);
        assert_eq!(got[0], "x".repeat(31));
        assert_eq!(got[1], format!("{} (2)", "x".repeat(27)));
    }

    #[test]
    fn empty_apostrophe_and_reserved_titles_get_valid_names() {
        assert_eq!(
            names(&["", "  ", "'Zitat'", "'''", "History", "history"]),
            [
                "Tabelle",
                "Tabelle (2)",
                "Zitat",
                "Tabelle (3)",
                "History (2)",
                "history (3)"
            ]
        );
    }

    #[test]
    fn a_cut_that_ends_in_an_apostrophe_is_trimmed() {
        let title = format!("{}' Rest", "a".repeat(30));
        assert_eq!(names(&[&title])[0], "a".repeat(30));
    }
}
