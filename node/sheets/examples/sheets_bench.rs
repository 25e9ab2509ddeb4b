//! Time and size of a large list: 100,000 rows × 8 columns (every kind, one text column of
//! mostly repeated values as real lists have), written once in memory.
//!
//! `cargo run --release -p kitanetz-sheets --example sheets_bench [ROWS]`
//!
//! Measured on the 2-core development machine (release): 100,000 rows in 0.85–0.90 s, 4.1 MiB,
//! 160 MB peak resident memory (rust_xlsxwriter holds the whole sheet before zipping it). So
//! the node should call `workbook` off its async threads (`spawn_blocking`) for long lists.

use std::time::Instant;

use chrono::{Days, NaiveDate};
use kitanetz_sheets::{workbook, Cell, Column, ColumnKind, Table, WorkbookInfo};
use rust_decimal::Decimal;

fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .map_or(100_000, |n| n.parse().expect("ROWS is a number"));
    let start_date = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let groups = ["Krippe", "Kindergarten", "Hort", "Tagespflege"];

    let built = Instant::now();
    let mut table = Table::new(
        "Kinder",
        vec![
            Column::new("Name", ColumnKind::Text),
            Column::new("Gruppe", ColumnKind::Text),
            Column::new("Aufnahme", ColumnKind::Date),
            Column::new("Stunden", ColumnKind::Integer),
            Column::new("Faktor", ColumnKind::Decimal),
            Column::new("Beitrag", ColumnKind::Money),
            Column::new("Ermäßigung", ColumnKind::Percent),
            Column::new("Geschwister", ColumnKind::YesNo),
        ],
    );
    table.rows = (0..rows)
        .map(|i| {
            let n = i as i64;
            vec![
                Cell::Text(format!("Kind {i:06}")),
                Cell::Text(groups[i % groups.len()].to_owned()),
                Cell::Date(start_date + Days::new((i % 2000) as u64)),
                Cell::Integer(20 + n % 30),
                Cell::Decimal(Decimal::new(100 + n % 150, 2)),
                Cell::Money(Decimal::new(5_000 + n * 7 % 40_000, 2)),
                Cell::Percent(Decimal::new(n % 100, 2)),
                Cell::YesNo(i % 3 == 0),
            ]
        })
        .collect();
    let info = WorkbookInfo {
        title: "Bench".into(),
        author: "sheets_bench".into(),
        created: start_date.and_hms_opt(0, 0, 0).unwrap(),
    };
    let build_time = built.elapsed();

    let written = Instant::now();
    let bytes = workbook(&[table], &info).expect("workbook written");
    let write_time = written.elapsed();

    println!(
        "{rows} rows × 8 columns: workbook() {:.2} s, {:.1} MiB ({} bytes); building the table {:.2} s",
        write_time.as_secs_f64(),
        bytes.len() as f64 / (1024.0 * 1024.0),
        bytes.len(),
        build_time.as_secs_f64(),
    );
}
