//! Lists as Excel workbooks (.xlsx) for Kitanetz. Pure: no clock, no files, no network — tables
//! in, bytes out; the node decides where the bytes go.
//!
//! The node maps a list (children of a facility, the waiting list, fees of a month) onto a
//! [`Table`]: a title, [`Column`]s with a [`ColumnKind`], rows of [`Cell`]s and an optional
//! [`Chart`]. [`workbook`] writes one worksheet per table with
//!
//! - a bold header row, frozen so it stays visible, and an autofilter over header and data;
//! - German number formats, stored in Excel's en-US syntax and shown in the reader's locale
//!   ([`formats`]): dates as real Excel dates `DD.MM.YYYY`, money `#,##0.00 "€"`, decimals
//!   `#,##0.00`, percentages `0.0 %` from fractions (0.25 → 25,0 %), yes/no as „ja“/„nein“;
//! - text always as a string, never as a formula: a name like `=HYPERLINK(…)` is shown, not run
//!   (CSV/Excel formula injection);
//! - money and decimals kept as [`rust_decimal::Decimal`] up to the cell and converted to the
//!   double Excel stores only there, to the nearest one (0.10 + 0.20 is written as `0.3`). Excel
//!   keeps 15 significant digits; more are rounded by Excel's format, not refused here.
//!
//! Wrong input is a [`SheetError`] naming table, row and column, never a panic; titles never
//! fail (they are made into valid, unique sheet names). The same input gives the same bytes.
//!
//! ```
//! use chrono::NaiveDate;
//! use kitanetz_sheets::{workbook, Cell, Column, ColumnKind, Table, WorkbookInfo};
//!
//! let mut table = Table::new(
//!     "Warteliste",
//!     vec![
//!         Column::new("Name", ColumnKind::Text),
//!         Column::new("Wunschtermin", ColumnKind::Date),
//!     ],
//! );
//! table.rows.push(vec![
//!     Cell::from("Mia"),
//!     Cell::from(NaiveDate::from_ymd_opt(2026, 8, 1).unwrap()),
//! ]);
//! let info = WorkbookInfo {
//!     title: "Warteliste".into(),
//!     author: "Kitanetz".into(),
//!     created: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(8, 0, 0).unwrap(),
//! };
//! let bytes = workbook(&[table], &info).unwrap();
//! assert!(bytes.starts_with(b"PK"));
//! ```

mod error;
mod names;
mod table;
mod write;

pub use error::{
    CellProblem, ChartProblem, SheetError, MAX_COLUMNS, MAX_DATA_ROWS, MAX_EXACT_INTEGER,
    MAX_TEXT_CHARS,
};
pub use table::{Cell, Chart, ChartKind, Column, ColumnKind, Table, WorkbookInfo};
pub use write::{formats, workbook};
