//! Reading a written workbook back: the zip's parts as text and the few XML lookups the tests
//! need, by plain string search (the parts are rust_xlsxwriter's, one element per cell).

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

pub struct Xlsx {
    parts: BTreeMap<String, String>,
}

/// One `<c>` element of a worksheet.
#[derive(Debug)]
pub struct CellXml {
    /// The `t` attribute: `s` for a shared string, absent for a number.
    pub t: Option<String>,
    /// The `s` attribute: index into the styles' `cellXfs`, 0 when absent.
    pub style: usize,
    /// The `<v>` text.
    pub value: Option<String>,
    pub has_formula: bool,
}

impl Xlsx {
    pub fn new(bytes: &[u8]) -> Self {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
        let mut parts = BTreeMap::new();
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            parts.insert(file.name().unwrap().into_owned(), text);
        }
        Self { parts }
    }

    pub fn part(&self, name: &str) -> &str {
        self.parts
            .get(name)
            .unwrap_or_else(|| panic!("no part {name}; parts: {:?}", self.parts.keys()))
    }

    pub fn has_part(&self, name: &str) -> bool {
        self.parts.contains_key(name)
    }

    pub fn sheet(&self, n: usize) -> &str {
        self.part(&format!("xl/worksheets/sheet{n}.xml"))
    }

    /// The cell at `reference` (like `B2`) of sheet `n`, `None` if it was not written.
    pub fn cell(&self, n: usize, reference: &str) -> Option<CellXml> {
        let sheet = self.sheet(n);
        let start = sheet.find(&format!("<c r=\"{reference}\""))?;
        let rest = &sheet[start..];
        let open_end = rest.find('>').unwrap();
        let open = &rest[..open_end];
        let element = if open.ends_with('/') {
            open
        } else {
            &rest[..rest.find("</c>").unwrap()]
        };
        Some(CellXml {
            t: attribute(open, "t"),
            style: attribute(open, "s").map_or(0, |s| s.parse().unwrap()),
            value: between(element, "<v>", "</v>").map(str::to_owned),
            has_formula: element.contains("<f>") || element.contains("<f "),
        })
    }

    /// The shared strings in order, unescaped.
    pub fn shared_strings(&self) -> Vec<String> {
        self.part("xl/sharedStrings.xml")
            .split("<si>")
            .skip(1)
            .map(|si| {
                let t = &si[si.find("<t").unwrap()..];
                let text = &t[t.find('>').unwrap() + 1..t.find("</t>").unwrap()];
                unescape(text)
            })
            .collect()
    }

    /// The text of a shared-string cell.
    pub fn text(&self, n: usize, reference: &str) -> String {
        let cell = self
            .cell(n, reference)
            .unwrap_or_else(|| panic!("no cell {reference}"));
        assert_eq!(cell.t.as_deref(), Some("s"), "{reference} is not a string");
        let index: usize = cell.value.unwrap().parse().unwrap();
        self.shared_strings()[index].clone()
    }

    /// The number in a cell, as written.
    pub fn number(&self, n: usize, reference: &str) -> String {
        let cell = self
            .cell(n, reference)
            .unwrap_or_else(|| panic!("no cell {reference}"));
        assert_eq!(cell.t, None, "{reference} is not a number: {cell:?}");
        cell.value.unwrap()
    }

    /// The number format code of a cell's style (`General` for none).
    pub fn format_code(&self, n: usize, reference: &str) -> String {
        let style = self.cell(n, reference).map_or(0, |c| c.style);
        let styles = self.part("xl/styles.xml");
        let xfs = between(styles, "<cellXfs", "</cellXfs>").unwrap();
        let xf = xfs.split("<xf ").nth(style + 1).unwrap();
        let id = attribute(xf, "numFmtId").unwrap();
        if id == "0" {
            return "General".to_owned();
        }
        let num_fmts = between(styles, "<numFmts", "</numFmts>").unwrap_or("");
        let fmt = num_fmts
            .split("<numFmt ")
            .find(|f| attribute(f, "numFmtId").as_deref() == Some(&id))
            .unwrap_or_else(|| panic!("no numFmt {id}"));
        unescape(&attribute(fmt, "formatCode").unwrap())
    }

    /// Is the cell's font bold?
    pub fn is_bold(&self, n: usize, reference: &str) -> bool {
        let style = self.cell(n, reference).map_or(0, |c| c.style);
        let styles = self.part("xl/styles.xml");
        let xfs = between(styles, "<cellXfs", "</cellXfs>").unwrap();
        let xf = xfs.split("<xf ").nth(style + 1).unwrap();
        let font: usize = attribute(xf, "fontId").unwrap().parse().unwrap();
        let fonts = between(styles, "<fonts", "</fonts>").unwrap();
        fonts
            .split("<font>")
            .nth(font + 1)
            .unwrap()
            .contains("<b/>")
    }
}

/// The value of `name="…"` in `element`.
pub fn attribute(element: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = if element.starts_with(&key) {
        key.len()
    } else {
        element.find(&format!(" {key}"))? + 1 + key.len()
    };
    let len = element[start..].find('"')?;
    Some(element[start..start + len].to_owned())
}

pub fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some(&text[start..start + len])
}

pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}
