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
