//! Why a workbook was not written. Every variant that comes from the input names the table and,
//! where there is one, the row and column, so the caller can point at the value.

use chrono::{NaiveDate, NaiveDateTime};

use crate::table::ColumnKind;

/// The most data rows below the header: Excel's 1,048,576 rows less the header row.
pub const MAX_DATA_ROWS: usize = 1_048_575;

/// Excel's column count (A to XFD).
pub const MAX_COLUMNS: usize = 16_384;

/// Excel's longest cell text, in characters.
pub const MAX_TEXT_CHARS: usize = 32_767;

/// Excel holds numbers as doubles: integers beyond ±2^53 would be stored as a neighbour.
pub const MAX_EXACT_INTEGER: i64 = 1 << 53;

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("table „{table}“ has no columns; give it at least one")]
    NoColumns { table: String },

    #[error("table „{table}“ has {columns} columns, Excel takes at most 16,384; split the list")]
    TooManyColumns { table: String, columns: usize },

    #[error(
        "table „{table}“ has {rows} rows, an Excel sheet takes at most 1,048,575 below the \
         header; split the list or narrow the filter"
    )]
    TooManyRows { table: String, rows: usize },

    /// `row` is the index into [`crate::Table::rows`]; the message counts from 1.
    #[error(
        "table „{table}“, row {}: {found} cells for {expected} columns; give one cell per column \
         (Cell::Empty for none)",
        .row + 1
    )]
    RowLength {
        table: String,
        row: usize,
        found: usize,
        expected: usize,
    },

    /// `row` and `column` are indices into [`crate::Table::rows`] and [`crate::Table::columns`];
    /// the message counts from 1 and gives the header.
    #[error("table „{table}“, row {}, column {} „{header}“: {problem}", .row + 1, .column + 1)]
    Cell {
        table: String,
        row: usize,
        column: usize,
        header: String,
        problem: CellProblem,
    },

    #[error("table „{table}“, chart „{chart}“: {problem}")]
    Chart {
        table: String,
        chart: String,
        problem: ChartProblem,
    },

    #[error("the workbook's creation time {0} is outside Excel's years 1900–9999")]
    CreatedOutOfRange(NaiveDateTime),

    /// rust_xlsxwriter refused something the checks above let through (a header longer than
    /// Excel's 32,767 characters, for one); a bug in the caller's headers or in this crate.
    #[error("the Excel writer failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// What is wrong with one cell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellProblem {
    #[error("a {found} value in a {expected} column; give a {expected} value or Cell::Empty")]
    WrongKind {
        found: ColumnKind,
        expected: ColumnKind,
    },

    #[error("{0} is outside Excel's dates (years 1900–9999)")]
    DateOutOfRange(NaiveDate),

    #[error("{0} is beyond ±2^53, which Excel cannot hold exactly; write it as text")]
    IntegerTooLarge(i64),

    #[error("the text has {0} characters, an Excel cell holds at most 32,767")]
    TextTooLong(usize),
}

/// What is wrong with a table's chart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartProblem {
    #[error("column index {index} is out of range, the table has {columns} columns")]
    ColumnOutOfRange { index: usize, columns: usize },

    #[error("value column „{header}“ holds {kind}; a chart plots integer, decimal, money or percent columns")]
    NotNumeric { header: String, kind: ColumnKind },

    #[error("no value columns; name at least one")]
    NoValueColumns,

    #[error("a pie chart shows one series, {0} value columns given; give one")]
    PieWithSeveralSeries(usize),
}
