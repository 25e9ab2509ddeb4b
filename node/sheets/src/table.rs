//! The table model the node's lists map onto: a title, typed columns, rows of cells and an
//! optional chart. Plain data with public fields; [`crate::workbook`] checks it while writing.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

/// One list, written as one worksheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Becomes the sheet name: characters Excel forbids in sheet names are replaced, the name is
    /// cut to Excel's 31 characters and made unique in the workbook (see [`crate::workbook`]).
    pub title: String,
    pub columns: Vec<Column>,
    /// One cell per column in every row, [`Cell::Empty`] for none.
    pub rows: Vec<Vec<Cell>>,
    pub chart: Option<Chart>,
}

impl Table {
    /// A table without rows and without a chart.
    pub fn new(title: impl Into<String>, columns: Vec<Column>) -> Self {
        Self {
            title: title.into(),
            columns,
            rows: Vec::new(),
            chart: None,
        }
    }
}

/// A column: its header and the kind of value its cells hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    /// Decides the number format and how the column width is estimated.
    pub kind: ColumnKind,
}

impl Column {
    pub fn new(header: impl Into<String>, kind: ColumnKind) -> Self {
        Self {
            header: header.into(),
            kind,
        }
    }
}

/// What a column holds. Each kind takes the [`Cell`] variant of the same name (and
/// [`Cell::Empty`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    /// A string, never read as a formula.
    Text,
    /// A whole number, format `0` (no thousands separator: numbers like a facility number or a
    /// year read wrong as `2.026`).
    Integer,
    /// Format `#,##0.00` (shown `1.234,56` in a German Excel).
    Decimal,
    /// Format `#,##0.00 "€"` (shown `1.234,56 €`).
    Money,
    /// A real Excel date (a serial day number), format `DD.MM.YYYY`.
    Date,
    /// A fraction (0.25 = 25 %), format `0.0 %` (shown `25,0 %`).
    Percent,
    /// Written as the text „ja“ or „nein“.
    YesNo,
}

impl ColumnKind {
    /// Kinds whose cells are numbers in Excel, the only ones a chart can plot as values.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Self::Integer | Self::Decimal | Self::Money | Self::Percent
        )
    }
}

impl fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Text => "text",
            Self::Integer => "integer",
            Self::Decimal => "decimal",
            Self::Money => "money",
            Self::Date => "date",
            Self::Percent => "percent",
            Self::YesNo => "yes/no",
        })
    }
}

/// One value. Its variant must match its column's [`ColumnKind`]; [`Cell::Empty`] fits every
/// column and leaves the cell blank.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Integer(i64),
    Decimal(Decimal),
    /// Euros; written as given (rounding is the caller's rule, the format shows two places).
    Money(Decimal),
    Date(NaiveDate),
    /// A fraction: 0.25 is 25 %.
    Percent(Decimal),
    YesNo(bool),
}

impl Cell {
    /// The column kind this value belongs in; `None` for [`Cell::Empty`], which fits all.
    pub fn kind(&self) -> Option<ColumnKind> {
        Some(match self {
            Self::Empty => return None,
            Self::Text(_) => ColumnKind::Text,
            Self::Integer(_) => ColumnKind::Integer,
            Self::Decimal(_) => ColumnKind::Decimal,
            Self::Money(_) => ColumnKind::Money,
            Self::Date(_) => ColumnKind::Date,
            Self::Percent(_) => ColumnKind::Percent,
            Self::YesNo(_) => ColumnKind::YesNo,
        })
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<NaiveDate> for Cell {
    fn from(date: NaiveDate) -> Self {
        Self::Date(date)
    }
}

impl From<bool> for Cell {
    fn from(yes: bool) -> Self {
        Self::YesNo(yes)
    }
}

impl From<i64> for Cell {
    fn from(number: i64) -> Self {
        Self::Integer(number)
    }
}

/// A chart beside the table, with one series per value column over all data rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub kind: ChartKind,
    /// Shown above the chart as given (never read as a cell reference); empty for none.
    pub title: String,
    /// Index into [`Table::columns`] of the column that labels the points (any kind).
    pub category_column: usize,
    /// Indices into [`Table::columns`] of the plotted columns; each must be numeric
    /// ([`ColumnKind::is_numeric`]). A pie chart takes exactly one.
    pub value_columns: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// Vertical bars.
    Column,
    /// Horizontal bars.
    Bar,
    Line,
    Pie,
}

/// The workbook's document properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkbookInfo {
    pub title: String,
    pub author: String,
    /// In UTC, as Excel stores it (`docProps/core.xml`). Passed in so that the same input gives
    /// the same bytes; years 1900–9999.
    pub created: NaiveDateTime,
}
