//! Excel downloads of the UI's lists (Lastenheft 3.12: every list and report can go to Excel).
//! Each page's list is mapped to [`kitanetz_sheets::Table`]s by its module; this writes them
//! off the async workers and answers with the file, never cached (personal data).

use super::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kitanetz_sheets::{workbook, Cell, Table, WorkbookInfo};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The workbook of `tables` as a download named `file_name` (without `.xlsx`).
pub async fn xlsx_response(
    tables: Vec<Table>,
    title: String,
    author: String,
    file_name: &str,
    now_millis: i64,
) -> Result<Response, AppError> {
    let created = chrono::DateTime::from_timestamp_millis(now_millis)
        .unwrap_or_default()
        .naive_utc();
    let info = WorkbookInfo {
        title,
        author,
        created,
    };
    let bytes = tokio::task::spawn_blocking(move || workbook(&tables, &info))
        .await
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}.xlsx\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// A `YYYY-MM-DD` text as a date cell (empty when it is none).
pub fn date_cell(text: &str) -> Cell {
    text.parse::<chrono::NaiveDate>()
        .map_or(Cell::Empty, Cell::Date)
}

/// A money text ("30.00") as an amount cell (empty when it does not parse).
pub fn money_cell(text: &str) -> Cell {
    text.parse::<rust_decimal::Decimal>()
        .map_or(Cell::Empty, Cell::Money)
}

/// A table as a page shows it: headers, rows of texts, and which columns are numbers (right
/// aligned). The same tables go to Excel, so the page and the file never differ.
pub struct HtmlTable {
    pub title: String,
    pub headers: Vec<(String, bool)>,
    pub rows: Vec<Vec<String>>,
}

impl From<&Table> for HtmlTable {
    fn from(t: &Table) -> Self {
        HtmlTable {
            title: t.title.clone(),
            headers: t
                .columns
                .iter()
                .map(|c| (c.header.clone(), c.kind.is_numeric()))
                .collect(),
            rows: t
                .rows
                .iter()
                .map(|r| r.iter().map(cell_text).collect())
                .collect(),
        }
    }
}

/// A cell in German notation: 1.234,56; 12,5 %; 01.03.2026; ja/nein.
pub fn cell_text(cell: &Cell) -> String {
    fn german(d: rust_decimal::Decimal, places: u32) -> String {
        let s = d.round_dp(places).to_string();
        let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
        let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
        let mut grouped = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push('.');
            }
            grouped.push(ch);
        }
        let mut frac = frac.to_string();
        while (frac.len() as u32) < places {
            frac.push('0');
        }
        if places == 0 {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped},{frac}")
        }
    }
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Integer(n) => german(rust_decimal::Decimal::from(*n), 0),
        Cell::Decimal(d) => german(*d, 2),
        Cell::Money(d) => format!("{} €", german(*d, 2)),
        Cell::Date(d) => d.format("%d.%m.%Y").to_string(),
        Cell::Percent(p) => format!("{} %", german(*p * rust_decimal::Decimal::from(100), 1)),
        Cell::YesNo(b) => if *b { "ja" } else { "nein" }.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn cells_read_in_german_notation() {
        assert_eq!(cell_text(&Cell::Integer(1234567)), "1.234.567");
        assert_eq!(
            cell_text(&Cell::Money(Decimal::new(123456, 2))),
            "1.234,56 €"
        );
        assert_eq!(cell_text(&Cell::Decimal(Decimal::new(-5, 1))), "-0,50");
        assert_eq!(cell_text(&Cell::Percent(Decimal::new(125, 3))), "12,5 %");
        assert_eq!(
            cell_text(&Cell::Date(
                chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
            )),
            "01.03.2026"
        );
        assert_eq!(cell_text(&Cell::Empty), "");
    }
}
