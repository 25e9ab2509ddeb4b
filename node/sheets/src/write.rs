//! The writer: tables checked cell by cell and written with rust_xlsxwriter into memory.

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Chart as XlsxChart, ChartType, ColNum, DocProperties, ExcelDateTime, Format, RowNum, Workbook,
    Worksheet,
};

use crate::error::{
    CellProblem, ChartProblem, SheetError, MAX_COLUMNS, MAX_DATA_ROWS, MAX_EXACT_INTEGER,
    MAX_TEXT_CHARS,
};
use crate::names::sheet_names;
use crate::table::{Cell, Chart, ChartKind, Column, ColumnKind, Table, WorkbookInfo};

/// Number format codes. Excel stores them in its en-US syntax (`.` decimal point, `,` thousands
/// separator) and shows them in the reader's locale: `#,##0.00` is `1.234,56` in German.
pub mod formats {
    pub const INTEGER: &str = "0";
    pub const DECIMAL: &str = "#,##0.00";
    pub const MONEY: &str = "#,##0.00 \"€\"";
    pub const DATE: &str = "DD.MM.YYYY";
    pub const PERCENT: &str = "0.0 %";
}

/// Column widths in Excel's units (the width of a `0`), estimated from the formatted values.
const MIN_WIDTH: f64 = 6.0;
/// Long texts wrap nothing and would make a column wider than a screen.
const MAX_WIDTH: f64 = 60.0;

/// Writes `tables` as a workbook, one worksheet per table in order, and returns the .xlsx bytes.
///
/// Each sheet has a bold header row, frozen below it, an autofilter over the header and the
/// data, the header row repeated on printed pages and column widths estimated from the
/// formatted values (at most 60 characters). Sheet names come from the titles (see
/// [`Table::title`]). A chart, when set and the table has rows, sits right of the table with one
/// series per value column; a table without rows gets no chart.
///
/// The same input gives the same bytes: nothing reads the clock (the creation time is
/// `info.created`) and the zip entries carry a fixed time.
///
/// # Errors
/// [`SheetError`] for a table without columns or with more than Excel's 16,384 columns or
/// 1,048,575 data rows, a row with a different number of cells than columns, a cell of another
/// kind than its column or one Excel cannot hold ([`CellProblem`]), a chart that names missing
/// or non-numeric columns ([`ChartProblem`]), or a creation time outside 1900–9999.
pub fn workbook(tables: &[Table], info: &WorkbookInfo) -> Result<Vec<u8>, SheetError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&properties(info)?);
    let styles = Styles::new();
    let names = sheet_names(tables.iter().map(|t| t.title.as_str()));
    for (table, name) in tables.iter().zip(&names) {
        check_shape(table)?;
        let chart = table
            .chart
            .as_ref()
            .map(|c| chart(table, name, c))
            .transpose()?;
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        write_table(sheet, table, &styles)?;
        // A chart over no rows would be a range Excel cannot have (row 2 to row 1).
        if let Some(chart) = chart.filter(|_| !table.rows.is_empty()) {
            // One empty column between the table and the chart.
            sheet.insert_chart(1, col_num(table.columns.len() + 1), &chart)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

fn properties(info: &WorkbookInfo) -> Result<DocProperties, SheetError> {
    use chrono::{Datelike, Timelike};
    let at = info.created;
    let created = u16::try_from(at.year())
        .ok()
        .and_then(|year| {
            ExcelDateTime::from_ymd(year, at.month() as u8, at.day() as u8)
                .and_then(|d| d.and_hms(at.hour() as u16, at.minute() as u8, at.second()))
                .ok()
        })
        .ok_or(SheetError::CreatedOutOfRange(at))?;
    Ok(DocProperties::new()
        .set_title(&info.title)
        .set_author(&info.author)
        .set_creation_datetime(&created))
}

fn check_shape(table: &Table) -> Result<(), SheetError> {
    let table_name = || table.title.clone();
    if table.columns.is_empty() {
        return Err(SheetError::NoColumns {
            table: table_name(),
        });
    }
    if table.columns.len() > MAX_COLUMNS {
        return Err(SheetError::TooManyColumns {
            table: table_name(),
            columns: table.columns.len(),
        });
    }
    if table.rows.len() > MAX_DATA_ROWS {
        return Err(SheetError::TooManyRows {
            table: table_name(),
            rows: table.rows.len(),
        });
    }
    Ok(())
}

/// The formats, created once: rust_xlsxwriter keys its styles table on the format's value.
struct Styles {
    header: Format,
    integer: Format,
    decimal: Format,
    money: Format,
    date: Format,
    percent: Format,
}

impl Styles {
    fn new() -> Self {
        Self {
            header: Format::new().set_bold(),
            integer: Format::new().set_num_format(formats::INTEGER),
            decimal: Format::new().set_num_format(formats::DECIMAL),
            money: Format::new().set_num_format(formats::MONEY),
            date: Format::new().set_num_format(formats::DATE),
            percent: Format::new().set_num_format(formats::PERCENT),
        }
    }
}

fn write_table(sheet: &mut Worksheet, table: &Table, styles: &Styles) -> Result<(), SheetError> {
    let mut widths: Vec<usize> = table.columns.iter().map(header_width).collect();
    for (c, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, col_num(c), &column.header, &styles.header)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        if row.len() != table.columns.len() {
            return Err(SheetError::RowLength {
                table: table.title.clone(),
                row: r,
                found: row.len(),
                expected: table.columns.len(),
            });
        }
        for (c, (cell, column)) in row.iter().zip(&table.columns).enumerate() {
            let width = write_cell(sheet, row_num(r + 1), col_num(c), cell, column.kind, styles)
                .map_err(|problem| match problem {
                    Failure::Cell(problem) => SheetError::Cell {
                        table: table.title.clone(),
                        row: r,
                        column: c,
                        header: column.header.clone(),
                        problem,
                    },
                    Failure::Xlsx(e) => SheetError::Xlsx(e),
                })?;
            widths[c] = widths[c].max(width);
        }
    }
    for (c, width) in widths.into_iter().enumerate() {
        sheet.set_column_width(col_num(c), (width as f64 + 1.0).clamp(MIN_WIDTH, MAX_WIDTH))?;
    }
    let last_col = col_num(table.columns.len() - 1);
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, row_num(table.rows.len()), last_col)?;
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

enum Failure {
    Cell(CellProblem),
    Xlsx(rust_xlsxwriter::XlsxError),
}

impl From<rust_xlsxwriter::XlsxError> for Failure {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        Self::Xlsx(e)
    }
}

impl From<CellProblem> for Failure {
    fn from(problem: CellProblem) -> Self {
        Self::Cell(problem)
    }
}

/// Writes one cell and returns its estimated display width in characters.
fn write_cell(
    sheet: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    cell: &Cell,
    kind: ColumnKind,
    styles: &Styles,
) -> Result<usize, Failure> {
    if let Some(found) = cell.kind() {
        if found != kind {
            return Err(CellProblem::WrongKind {
                found,
                expected: kind,
            }
            .into());
        }
    }
    Ok(match cell {
        Cell::Empty => 0,
        // write_string always stores a string: a text starting with "=" stays text.
        Cell::Text(text) => {
            let chars = text.chars().count();
            if chars > MAX_TEXT_CHARS {
                return Err(CellProblem::TextTooLong(chars).into());
            }
            sheet.write_string(row, col, text)?;
            text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
        }
        Cell::Integer(n) => {
            if n.unsigned_abs() > MAX_EXACT_INTEGER.unsigned_abs() {
                return Err(CellProblem::IntegerTooLarge(*n).into());
            }
            sheet.write_number_with_format(row, col, *n as f64, &styles.integer)?;
            decimal_digits(*n)
        }
        Cell::Decimal(d) => {
            let (number, width) = number_and_width(*d);
            sheet.write_number_with_format(row, col, number, &styles.decimal)?;
            width
        }
        Cell::Money(d) => {
            let (number, width) = number_and_width(*d);
            sheet.write_number_with_format(row, col, number, &styles.money)?;
            width + " €".chars().count()
        }
        Cell::Percent(d) => {
            let (number, _) = number_and_width(*d);
            sheet.write_number_with_format(row, col, number, &styles.percent)?;
            // "25,0 %": the number times 100 with one place, a space and the sign.
            format!("{:.1}", number * 100.0).len() + 2
        }
        Cell::Date(date) => {
            let excel = excel_date(*date).ok_or(CellProblem::DateOutOfRange(*date))?;
            sheet.write_datetime_with_format(row, col, &excel, &styles.date)?;
            "01.03.2026".chars().count()
        }
        Cell::YesNo(yes) => {
            let text = if *yes { "ja" } else { "nein" };
            sheet.write_string(row, col, text)?;
            text.chars().count()
        }
    })
}

/// The double nearest to `d`, and the width of `d` as `#,##0.00` shows it.
///
/// Through the decimal string because Rust's float parsing is correctly rounded, so 1234.56
/// becomes the same double as the literal `1234.56` (and Excel, which prints the shortest
/// round-trip form, shows 1234.56). `Decimal::to_f64` rounds in two steps and does not promise
/// that, though it agreed on all 6 million values with 2 and 4 places below 30,000 when tried.
fn number_and_width(d: Decimal) -> (f64, usize) {
    let text = d.to_string();
    // A Decimal can be a negative zero ("-0.00", from negating a zero), which would be
    // written as "-0" and shown as "-0,00".
    let number = if d.is_zero() {
        0.0
    } else {
        text.parse::<f64>()
            .expect("a Decimal's string is a valid float")
    };
    let int_digits = text
        .trim_start_matches('-')
        .split('.')
        .next()
        .map_or(1, str::len);
    let separators = (int_digits - 1) / 3;
    let sign = usize::from(d.is_sign_negative());
    (number, sign + int_digits + separators + ",00".len())
}

fn decimal_digits(n: i64) -> usize {
    let sign = usize::from(n < 0);
    sign + n
        .unsigned_abs()
        .checked_ilog10()
        .map_or(1, |l| l as usize + 1)
}

fn excel_date(date: chrono::NaiveDate) -> Option<ExcelDateTime> {
    use chrono::Datelike;
    // Excel's calendar is 1900–9999. from_ymd also takes 1899-12-31, Excel's day 0, which Excel
    // shows as "00.01.1900"; it counts the serial numbers with Excel's 29 February 1900.
    let year = u16::try_from(date.year()).ok().filter(|&y| y >= 1900)?;
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok()
}

fn header_width(column: &Column) -> usize {
    // The autofilter's drop-down button covers about two characters of the header, and the
    // header is bold.
    column.header.chars().count() + 3
}

fn chart(table: &Table, sheet: &str, spec: &Chart) -> Result<XlsxChart, SheetError> {
    let problem = |problem| SheetError::Chart {
        table: table.title.clone(),
        chart: spec.title.clone(),
        problem,
    };
    let column = |index: usize| {
        table
            .columns
            .get(index)
            .ok_or(problem(ChartProblem::ColumnOutOfRange {
                index,
                columns: table.columns.len(),
            }))
    };
    column(spec.category_column)?;
    if spec.value_columns.is_empty() {
        return Err(problem(ChartProblem::NoValueColumns));
    }
    for &index in &spec.value_columns {
        let value = column(index)?;
        if !value.kind.is_numeric() {
            return Err(problem(ChartProblem::NotNumeric {
                header: value.header.clone(),
                kind: value.kind,
            }));
        }
    }
    if spec.kind == ChartKind::Pie && spec.value_columns.len() > 1 {
        return Err(problem(ChartProblem::PieWithSeveralSeries(
            spec.value_columns.len(),
        )));
    }

    let mut chart = XlsxChart::new(match spec.kind {
        ChartKind::Column => ChartType::Column,
        ChartKind::Bar => ChartType::Bar,
        ChartKind::Line => ChartType::Line,
        ChartKind::Pie => ChartType::Pie,
    });
    if !spec.title.is_empty() {
        chart
            .title()
            .set_name(literal_chart_text(&spec.title).as_str());
    }
    // Axis labels in the columns' formats (1.234,56 € rather than 1234.56). A bar chart's value
    // axis is its x axis in rust_xlsxwriter; a pie has no axes.
    if spec.kind != ChartKind::Pie {
        let bar = spec.kind == ChartKind::Bar;
        let value_kinds = spec.value_columns.iter().map(|&i| table.columns[i].kind);
        if let Some(format) = common_format(value_kinds) {
            if bar { chart.x_axis() } else { chart.y_axis() }.set_num_format(format);
        }
        if let Some(format) = number_format(table.columns[spec.category_column].kind) {
            if bar { chart.y_axis() } else { chart.x_axis() }.set_num_format(format);
        }
    }
    let (first, last) = (1, row_num(table.rows.len()));
    let category = col_num(spec.category_column);
    for &index in &spec.value_columns {
        let value = col_num(index);
        chart
            .add_series()
            .set_name((sheet, 0, value))
            .set_categories((sheet, first, category, last, category))
            .set_values((sheet, first, value, last, value));
    }
    Ok(chart)
}

/// The number format of a column kind; `None` for the kinds written as text.
fn number_format(kind: ColumnKind) -> Option<&'static str> {
    match kind {
        ColumnKind::Integer => Some(formats::INTEGER),
        ColumnKind::Decimal => Some(formats::DECIMAL),
        ColumnKind::Money => Some(formats::MONEY),
        ColumnKind::Date => Some(formats::DATE),
        ColumnKind::Percent => Some(formats::PERCENT),
        ColumnKind::Text | ColumnKind::YesNo => None,
    }
}

/// The format all `kinds` share, `None` if they differ (the axis then shows Excel's default).
fn common_format(mut kinds: impl Iterator<Item = ColumnKind>) -> Option<&'static str> {
    let first = kinds.next()?;
    kinds.all(|k| k == first).then_some(())?;
    number_format(first)
}

/// rust_xlsxwriter reads a chart title like `Kosten!A1` or `=(…)` as a reference to cells.
/// A word joiner (U+2060, invisible) after every `!` and before a leading `=` keeps the
/// title literal.
fn literal_chart_text(title: &str) -> String {
    let mut text = String::with_capacity(title.len());
    if title.starts_with('=') {
        text.push('\u{2060}');
    }
    for c in title.chars() {
        text.push(c);
        if c == '!' {
            text.push('\u{2060}');
        }
    }
    text
}

/// Rows are checked against [`MAX_DATA_ROWS`] before any is written, so they fit.
fn row_num(index: usize) -> RowNum {
    RowNum::try_from(index).expect("row checked against Excel's limit")
}

/// Columns are checked against [`MAX_COLUMNS`], so they fit (the chart's column, two further
/// right, fits the type too; rust_xlsxwriter refuses it beyond Excel's last column).
fn col_num(index: usize) -> ColNum {
    ColNum::try_from(index).expect("column checked against Excel's limit")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn decimals_become_the_nearest_double() {
        for (text, expected) in [("1234.56", 1234.56), ("0.30", 0.3), ("-0.10", -0.1)] {
            let (number, _) = number_and_width(Decimal::from_str(text).unwrap());
            assert_eq!(number, expected, "{text}");
        }
        let negative_zero = -Decimal::new(0, 2);
        assert_eq!(negative_zero.to_string(), "-0.00");
        assert_eq!(number_and_width(negative_zero).0.to_string(), "0");
        let sum = Decimal::from_str("0.10").unwrap() + Decimal::from_str("0.20").unwrap();
        assert_eq!(number_and_width(sum).0.to_string(), "0.3");
    }

    #[test]
    fn widths_follow_the_german_format() {
        let width = |s| number_and_width(Decimal::from_str(s).unwrap()).1;
        assert_eq!(width("1234.56"), "1.234,56".len());
        assert_eq!(width("-1234567.5"), "-1.234.567,50".len());
        assert_eq!(width("0.5"), "0,50".len());
        assert_eq!(decimal_digits(0), 1);
        assert_eq!(decimal_digits(-120), 4);
    }

    #[test]
    fn chart_titles_stay_literal() {
        assert_eq!(literal_chart_text("Kosten"), "Kosten");
        assert_eq!(literal_chart_text("Kosten!A1"), "Kosten!\u{2060}A1");
        assert_eq!(literal_chart_text("=(A)"), "\u{2060}=(A)");
    }
}
