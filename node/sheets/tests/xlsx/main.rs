//! Workbooks written by kitanetz-sheets and read back: the zip's XML parts checked for concrete
//! values (strings, date serials, number formats, panes, filters, properties, charts).

mod read;

use chrono::NaiveDate;
use kitanetz_sheets::*;
use rust_decimal::Decimal;
use std::str::FromStr;

use read::Xlsx;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn info() -> WorkbookInfo {
    WorkbookInfo {
        title: "Belegung März".into(),
        author: "Kita Sonnenblume".into(),
        created: date(2026, 3, 1).and_hms_opt(8, 30, 5).unwrap(),
    }
}

/// One column of every kind, three rows.
fn children() -> Table {
    let mut table = Table::new(
        "Kinder",
        vec![
            Column::new("Name", ColumnKind::Text),
            Column::new("Aufnahme", ColumnKind::Date),
            Column::new("Stunden", ColumnKind::Integer),
            Column::new("Faktor", ColumnKind::Decimal),
            Column::new("Beitrag", ColumnKind::Money),
            Column::new("Anteil", ColumnKind::Percent),
            Column::new("Geschwister", ColumnKind::YesNo),
        ],
    );
    table.rows = vec![
        vec![
            "Mia Schulz".into(),
            date(2026, 3, 1).into(),
            Cell::Integer(35),
            Cell::Decimal(dec("1.5")),
            Cell::Money(dec("1234.56")),
            Cell::Percent(dec("0.25")),
            true.into(),
        ],
        vec![
            "Ben Öztürk".into(),
            date(1900, 1, 1).into(),
            Cell::Integer(-45),
            Cell::Empty,
            Cell::Money(dec("0.10") + dec("0.20")),
            Cell::Percent(dec("1")),
            false.into(),
        ],
        vec![
            "=HYPERLINK(\"http://example.org\",\"x\")".into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
        ],
    ];
    table
}

fn write(tables: &[Table]) -> Xlsx {
    Xlsx::new(&workbook(tables, &info()).expect("workbook written"))
}

fn chart(kind: ChartKind, value_columns: Vec<usize>) -> Chart {
    Chart {
        kind,
        title: "Beiträge".into(),
        category_column: 0,
        value_columns,
    }
}

// ---- cells and formats ----------------------------------------------------------------------

#[test]
fn the_header_row_is_bold_text() {
    let x = write(&[children()]);
    let headers: Vec<String> = ["A1", "B1", "C1", "D1", "E1", "F1", "G1"]
        .iter()
        .map(|r| x.text(1, r))
        .collect();
    assert_eq!(
        headers,
        [
            "Name",
            "Aufnahme",
            "Stunden",
            "Faktor",
            "Beitrag",
            "Anteil",
            "Geschwister"
        ]
    );
    assert!(x.is_bold(1, "A1") && x.is_bold(1, "G1"));
    assert!(!x.is_bold(1, "A2"));
}

#[test]
fn dates_are_excel_serial_numbers_in_german_format() {
    let x = write(&[children()]);
    assert_eq!(x.number(1, "B2"), "46082"); // 2026-03-01
    assert_eq!(x.number(1, "B3"), "1"); // 1900-01-01, Excel's day 1
    assert_eq!(x.format_code(1, "B2"), "DD.MM.YYYY");
}

#[test]
fn numbers_carry_the_decimal_value_and_their_format() {
    let x = write(&[children()]);
    assert_eq!(x.number(1, "E2"), "1234.56");
    // Decimal 0.10 + 0.20 is 0.30 exactly; the f64 sum would be 0.30000000000000004.
    assert_eq!(x.number(1, "E3"), "0.3");
    assert_eq!(x.format_code(1, "E2"), "#,##0.00 \"€\"");
    assert_eq!(x.number(1, "D2"), "1.5");
    assert_eq!(x.format_code(1, "D2"), "#,##0.00");
    assert_eq!(x.number(1, "C2"), "35");
    assert_eq!(x.number(1, "C3"), "-45");
    assert_eq!(x.format_code(1, "C2"), "0");
    assert_eq!(x.number(1, "F2"), "0.25");
    assert_eq!(x.number(1, "F3"), "1");
    assert_eq!(x.format_code(1, "F2"), "0.0 %");
}

#[test]
fn yes_no_is_written_as_ja_and_nein() {
    let x = write(&[children()]);
    assert_eq!(x.text(1, "G2"), "ja");
    assert_eq!(x.text(1, "G3"), "nein");
}

#[test]
fn empty_cells_are_left_blank() {
    let x = write(&[children()]);
    assert!(x.cell(1, "D3").is_none());
    assert!(x.cell(1, "B4").is_none());
}

#[test]
fn text_that_looks_like_a_formula_stays_a_string() {
    let x = write(&[children()]);
    let cell = x.cell(1, "A4").unwrap();
    assert!(!cell.has_formula);
    assert_eq!(x.text(1, "A4"), "=HYPERLINK(\"http://example.org\",\"x\")");
    assert!(!x.sheet(1).contains("<f>") && !x.sheet(1).contains("<f "));
}

#[test]
fn control_characters_in_text_are_escaped() {
    let mut table = Table::new("T", vec![Column::new("Notiz", ColumnKind::Text)]);
    table.rows.push(vec!["a\u{1}b & <c>".into()]);
    let x = write(&[table]);
    assert!(x
        .part("xl/sharedStrings.xml")
        .contains("a_x0001_b &amp; &lt;c&gt;"));
}

// ---- sheet layout ---------------------------------------------------------------------------

#[test]
fn the_header_is_frozen_and_filtered() {
    let x = write(&[children()]);
    assert!(x
        .sheet(1)
        .contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#));
    assert!(x.sheet(1).contains(r#"<autoFilter ref="A1:G4"/>"#));
    let book = x.part("xl/workbook.xml");
    assert!(book.contains(r#"<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">Kinder!$A$1:$G$4</definedName>"#));
    // The header row repeats on every printed page.
    assert!(book.contains(
        r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">Kinder!$1:$1</definedName>"#
    ));
}

#[test]
fn a_table_without_rows_still_has_header_and_filter() {
    let mut table = children();
    table.rows.clear();
    let x = write(&[table]);
    assert_eq!(x.text(1, "C1"), "Stunden");
    assert!(x.sheet(1).contains(r#"<autoFilter ref="A1:G1"/>"#));
}

/// The width Excel gets for column `n` (1-based), from `<col min="n" max="n" width="…">`.
fn width(x: &Xlsx, n: usize) -> f64 {
    let key = format!(r#"<col min="{n}" max="{n}" width=""#);
    let sheet = x.sheet(1);
    let start = sheet
        .find(&key)
        .unwrap_or_else(|| panic!("no width for column {n}"))
        + key.len();
    sheet[start..start + sheet[start..].find('"').unwrap()]
        .parse()
        .unwrap()
}

#[test]
fn columns_are_as_wide_as_their_formatted_values() {
    let x = write(&[children()]);
    // rust_xlsxwriter adds Excel's 0.71 of padding to the width it is given.
    // Name: the 36 characters of the formula text, plus one.
    assert_eq!(width(&x, 1), 37.7109375);
    // Beitrag: "1.234,56 €" (10) is as wide as the header with its filter button; plus one.
    assert_eq!(width(&x, 5), 11.7109375);
    // Geschwister: the header (11) and its filter button (3), plus one.
    assert_eq!(width(&x, 7), 15.7109375);
}

#[test]
fn long_texts_do_not_make_a_column_wider_than_60() {
    let mut table = Table::new("T", vec![Column::new("Notiz", ColumnKind::Text)]);
    table.rows.push(vec!["x".repeat(500).into()]);
    assert_eq!(width(&write(&[table]), 1), 60.7109375);
}

#[test]
fn every_table_gets_its_own_sheet_with_a_valid_unique_name() {
    let mut second = children();
    second.title = "kinder".into();
    second.rows.truncate(1);
    second.rows[0][0] = "Zweite Tabelle".into();
    let mut third = Table::new(
        "Belegung 03/2026: [Entwurf]",
        vec![Column::new("A", ColumnKind::Text)],
    );
    third.rows.push(vec!["dritte".into()]);
    let x = write(&[children(), second, third]);
    let book = x.part("xl/workbook.xml");
    assert!(book.contains(
        r#"<sheets><sheet name="Kinder" sheetId="1" r:id="rId1"/><sheet name="kinder (2)" sheetId="2" r:id="rId2"/><sheet name="Belegung 03-2026- (Entwurf)" sheetId="3" r:id="rId3"/></sheets>"#
    ), "{book}");
    assert_eq!(x.text(2, "A2"), "Zweite Tabelle");
    assert_eq!(x.text(3, "A2"), "dritte");
    assert!(x.sheet(2).contains(r#"<autoFilter ref="A1:G2"/>"#));
}

// ---- document properties and determinism ----------------------------------------------------

#[test]
fn document_properties_come_from_the_info() {
    let x = write(&[children()]);
    let core = x.part("docProps/core.xml");
    assert!(core.contains("<dc:title>Belegung März</dc:title>"));
    assert!(core.contains("<dc:creator>Kita Sonnenblume</dc:creator>"));
    assert!(core.contains(
        r#"<dcterms:created xsi:type="dcterms:W3CDTF">2026-03-01T08:30:05Z</dcterms:created>"#
    ));
    assert!(core.contains(
        r#"<dcterms:modified xsi:type="dcterms:W3CDTF">2026-03-01T08:30:05Z</dcterms:modified>"#
    ));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let mut tables = vec![children(), children()];
    tables[1].chart = Some(chart(ChartKind::Line, vec![4, 5]));
    let first = workbook(&tables, &info()).unwrap();
    let second = workbook(&tables, &info()).unwrap();
    assert!(first == second, "two runs differ");
    // The creation time is in the bytes: another one gives other bytes.
    let mut later = info();
    later.created += chrono::Duration::seconds(1);
    assert!(workbook(&tables, &later).unwrap() != first);
}

// ---- charts ----------------------------------------------------------------------------------

#[test]
fn a_chart_plots_each_value_column_over_the_data_rows() {
    let mut table = children();
    table.title = "Belegung März".into();
    table.chart = Some(chart(ChartKind::Column, vec![4, 2]));
    let x = write(&[table]);
    let chart = x.part("xl/charts/chart1.xml");
    assert!(chart.contains(r#"<c:barChart><c:barDir val="col"/>"#));
    assert!(chart.contains("<a:t>Beiträge</a:t>"));
    // Series names from the headers, categories from column A, values from E and C.
    for f in [
        "'Belegung März'!$E$1",
        "'Belegung März'!$A$2:$A$4",
        "'Belegung März'!$E$2:$E$4",
        "'Belegung März'!$C$1",
        "'Belegung März'!$C$2:$C$4",
    ] {
        assert!(
            chart.contains(&format!("<c:f>{f}</c:f>")),
            "{f} missing in {chart}"
        );
    }
    assert_eq!(chart.matches("<c:ser>").count(), 2);
    // Placed right of the 7 columns, one column apart (0-based column 8 is I), at row 2.
    let drawing = x.part("xl/drawings/drawing1.xml");
    assert!(drawing
        .contains("<xdr:from><xdr:col>8</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>"));
}

#[test]
fn the_value_axis_uses_the_columns_format() {
    let mut table = children();
    table.chart = Some(chart(ChartKind::Column, vec![4]));
    let xml = write(&[table]).part("xl/charts/chart1.xml").to_owned();
    let val_ax = read::between(&xml, "<c:valAx>", "</c:valAx>").unwrap();
    assert!(
        val_ax.contains(r##"<c:numFmt formatCode="#,##0.00 &quot;€&quot;" sourceLinked="0"/>"##),
        "{val_ax}"
    );

    // Mixed kinds: Excel's default.
    let mut table = children();
    table.chart = Some(chart(ChartKind::Column, vec![4, 5]));
    let xml = write(&[table]).part("xl/charts/chart1.xml").to_owned();
    let val_ax = read::between(&xml, "<c:valAx>", "</c:valAx>").unwrap();
    assert!(
        val_ax.contains(r#"<c:numFmt formatCode="General" sourceLinked="1"/>"#),
        "{val_ax}"
    );
}

#[test]
fn chart_kinds_map_to_excel_chart_types() {
    for (kind, element) in [
        (ChartKind::Bar, r#"<c:barChart><c:barDir val="bar"/>"#),
        (ChartKind::Line, "<c:lineChart>"),
        (ChartKind::Pie, "<c:pieChart>"),
    ] {
        let mut table = children();
        table.chart = Some(chart(kind, vec![4]));
        let x = write(&[table]);
        assert!(x.part("xl/charts/chart1.xml").contains(element), "{kind:?}");
    }
}

#[test]
fn a_chart_title_is_never_read_as_a_cell_reference() {
    let mut table = children();
    let mut spec = chart(ChartKind::Column, vec![4]);
    spec.title = "Kosten!A1".into();
    table.chart = Some(spec);
    let xml = write(&[table]).part("xl/charts/chart1.xml").to_owned();
    let title = read::between(&xml, "<c:title>", "</c:title>").unwrap();
    assert!(!title.contains("<c:f>"), "{title}");
    assert!(title.contains("<a:t>Kosten!\u{2060}A1</a:t>"), "{title}");
}

#[test]
fn a_table_without_rows_gets_no_chart() {
    let mut table = children();
    table.rows.clear();
    table.chart = Some(chart(ChartKind::Column, vec![4]));
    let x = write(&[table]);
    assert!(!x.has_part("xl/charts/chart1.xml"));
}

// ---- errors ----------------------------------------------------------------------------------

fn error(tables: &[Table]) -> SheetError {
    match workbook(tables, &info()) {
        Ok(bytes) => panic!("input accepted, {} bytes written", bytes.len()),
        Err(e) => e,
    }
}

#[test]
fn a_row_with_too_few_cells_is_refused_by_table_and_row() {
    let mut table = children();
    table.rows[1].pop();
    let e = error(&[table]);
    assert!(
        matches!(&e, SheetError::RowLength { table, row: 1, found: 6, expected: 7 } if table == "Kinder"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "table „Kinder“, row 2: 6 cells for 7 columns; give one cell per column (Cell::Empty for none)"
    );
}

#[test]
fn a_cell_of_another_kind_is_refused_by_table_row_and_column() {
    let mut table = children();
    table.rows[2][4] = "12,50".into();
    let e = error(&[table]);
    assert!(
        matches!(
            &e,
            SheetError::Cell {
                row: 2,
                column: 4,
                problem: CellProblem::WrongKind {
                    found: ColumnKind::Text,
                    expected: ColumnKind::Money
                },
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "table „Kinder“, row 3, column 5 „Beitrag“: a text value in a money column; give a money value or Cell::Empty"
    );
}

#[test]
fn cells_excel_cannot_hold_are_refused() {
    let cases = [
        (
            1,
            Cell::Date(date(1899, 12, 31)),
            CellProblem::DateOutOfRange(date(1899, 12, 31)),
        ),
        (
            2,
            Cell::Integer((1 << 53) + 1),
            CellProblem::IntegerTooLarge((1 << 53) + 1),
        ),
        (
            0,
            Cell::Text("x".repeat(32_768)),
            CellProblem::TextTooLong(32_768),
        ),
    ];
    for (column, cell, expected) in cases {
        let mut table = children();
        table.rows[0][column] = cell;
        match error(&[table]) {
            SheetError::Cell {
                row: 0,
                column: c,
                problem,
                ..
            } if c == column => {
                assert_eq!(problem, expected)
            }
            e => panic!("{e:?}"),
        }
    }
    // The limits themselves are fine.
    let mut table = children();
    table.rows[0][1] = Cell::Date(date(1900, 1, 1));
    table.rows[0][2] = Cell::Integer(1 << 53);
    table.rows[0][0] = Cell::Text("x".repeat(32_767));
    assert!(workbook(&[table], &info()).is_ok());
}

#[test]
fn more_rows_than_excel_holds_are_refused() {
    let mut table = Table::new("Groß", vec![Column::new("A", ColumnKind::Integer)]);
    table.rows = vec![vec![Cell::Empty]; MAX_DATA_ROWS + 1];
    let e = error(&[table]);
    assert!(
        matches!(
            e,
            SheetError::TooManyRows {
                rows: 1_048_576,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn a_table_without_columns_is_refused() {
    let e = error(&[Table::new("Leer", vec![])]);
    assert!(matches!(e, SheetError::NoColumns { table } if table == "Leer"));
}

#[test]
fn a_chart_over_missing_or_non_numeric_columns_is_refused() {
    let cases = [
        (
            chart(ChartKind::Column, vec![4, 7]),
            ChartProblem::ColumnOutOfRange {
                index: 7,
                columns: 7,
            },
        ),
        (
            Chart {
                category_column: 9,
                ..chart(ChartKind::Column, vec![4])
            },
            ChartProblem::ColumnOutOfRange {
                index: 9,
                columns: 7,
            },
        ),
        (
            chart(ChartKind::Line, vec![1]),
            ChartProblem::NotNumeric {
                header: "Aufnahme".into(),
                kind: ColumnKind::Date,
            },
        ),
        (chart(ChartKind::Bar, vec![]), ChartProblem::NoValueColumns),
        (
            chart(ChartKind::Pie, vec![4, 5]),
            ChartProblem::PieWithSeveralSeries(2),
        ),
    ];
    for (spec, expected) in cases {
        let mut table = children();
        table.chart = Some(spec);
        match error(&[table]) {
            SheetError::Chart {
                table,
                chart,
                problem,
            } => {
                assert_eq!((table.as_str(), chart.as_str()), ("Kinder", "Beiträge"));
                assert_eq!(problem, expected);
            }
            e => panic!("{e:?}"),
        }
    }
}

#[test]
fn a_creation_time_before_1900_is_refused() {
    let mut info = info();
    info.created = date(1899, 1, 1).and_hms_opt(0, 0, 0).unwrap();
    assert!(matches!(
        workbook(&[children()], &info),
        Err(SheetError::CreatedOutOfRange(_))
    ));
}
