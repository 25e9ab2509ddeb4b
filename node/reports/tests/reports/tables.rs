//! The tables of every report: well-formed for the Excel writer (run through
//! `kitanetz_sheets::workbook`), German headers, hidden cells marked.

use kitanetz_reports::{demand_report, placed_report, termination_report, FacilityOwners, Filter};
use kitanetz_sheets::{workbook, Cell, ChartKind, ColumnKind, Table, WorkbookInfo};

use crate::fixtures::{
    d, dec, first_quarter, half_year, open_demands, owners, placed_contracts, terminations,
};

fn info() -> WorkbookInfo {
    WorkbookInfo {
        title: "Auswertung".into(),
        author: "kitanetz-reports tests".into(),
        created: d(2025, 7, 1).and_hms_opt(8, 0, 0).unwrap(),
    }
}

/// Every report, plain and suppressed, over `placed`, `ended` and `open`.
fn all_tables(filter_placed: &Filter, filter_quarter: &Filter, with_data: bool) -> Vec<Vec<Table>> {
    let (contracts, notices, demands) = if with_data {
        (placed_contracts(), terminations(), open_demands())
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let placed = placed_report(&contracts, filter_placed).unwrap();
    let ended = termination_report(&notices, filter_quarter).unwrap();
    let open = demand_report(&demands, &owners(), filter_quarter).unwrap();
    vec![
        placed.tables(),
        placed.suppressed(3).tables(),
        ended.tables(),
        ended.suppressed(3).tables(),
        open.tables(),
        open.suppressed(3).tables(),
    ]
}

fn table<'a>(tables: &'a [Table], title: &str) -> &'a Table {
    tables
        .iter()
        .find(|t| t.title == title)
        .unwrap_or_else(|| panic!("no table {title}"))
}

fn row<'a>(table: &'a Table, first: &str) -> &'a [Cell] {
    table
        .rows
        .iter()
        .find(|r| r[0] == Cell::Text(first.into()))
        .unwrap_or_else(|| panic!("no row {first} in {}", table.title))
}

#[test]
fn every_report_writes_a_workbook_with_data_and_without() {
    for with_data in [true, false] {
        for tables in all_tables(&half_year(), &first_quarter(), with_data) {
            let bytes = workbook(&tables, &info()).unwrap();
            assert!(bytes.starts_with(b"PK"));
        }
    }
    // Also with nothing to count at all in a one-day range.
    let day = Filter::range(d(2025, 2, 1), d(2025, 2, 1));
    for tables in all_tables(&day, &day, false) {
        workbook(&tables, &info()).unwrap();
    }
    let empty = demand_report(&[], &FacilityOwners::new(), &first_quarter()).unwrap();
    workbook(&empty.suppressed(3).tables(), &info()).unwrap();
}

#[test]
fn placed_tables() {
    let tables = placed_report(&placed_contracts(), &half_year())
        .unwrap()
        .tables();
    let titles: Vec<&str> = tables.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Vermittelt – Auswahl",
            "Vermittelt – Überblick",
            "Vermittelt – Wartezeit",
            "Vermittelt – Wunschposition",
            "Vermittelt – Alter",
            "Vermittelt – Regionen",
            "Vermittelt – Betreuungszeit",
            "Belegrecht – Überblick",
            "Belegrecht – Wartezeit",
            "Belegrecht – Wunschposition",
            "Belegrecht – Alter",
            "Belegrecht – Regionen",
            "Belegrecht – Betreuungszeit",
        ]
    );
    let overview = table(&tables, "Vermittelt – Überblick");
    assert_eq!(
        row(overview, "Verträge neu abgeschlossen")[1],
        Cell::Integer(9)
    );
    assert_eq!(
        row(overview, "davon Belegrechtsplätze (gesondert ausgewiesen)")[1],
        Cell::Integer(2)
    );
    assert_eq!(
        row(overview, "Wartezeit Median")[2],
        Cell::Decimal(dec("37"))
    );

    let waiting = table(&tables, "Vermittelt – Wartezeit");
    let headers: Vec<&str> = waiting.columns.iter().map(|c| c.header.as_str()).collect();
    assert_eq!(headers, ["Wartezeit (Tage)", "Anzahl", "Anteil"]);
    assert_eq!(waiting.columns[2].kind, ColumnKind::Percent);
    assert_eq!(
        row(waiting, "0 Tage")[1..],
        [Cell::Integer(2), Cell::Percent(dec("0.333"))]
    );
    assert_eq!(row(waiting, "Gesamt")[1], Cell::Integer(6));

    let ranks = table(&tables, "Vermittelt – Wunschposition");
    let chart = ranks.chart.as_ref().unwrap();
    assert_eq!(
        (chart.kind, chart.value_columns.as_slice()),
        (ChartKind::Column, &[1][..])
    );
    assert_eq!(row(ranks, "keine Wunscheinrichtung")[1], Cell::Integer(2));

    let ages = table(&tables, "Vermittelt – Alter");
    assert_eq!(ages.chart.as_ref().unwrap().value_columns, [1, 2]);
    assert_eq!(
        row(ages, "1 bis unter 2 Jahre")[1..],
        [Cell::Integer(3), Cell::Integer(4)]
    );

    let regions = table(&tables, "Vermittelt – Regionen");
    let labels: Vec<(Cell, Cell, Cell)> = regions
        .rows
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    let t = |s: &str| Cell::Text(s.into());
    assert_eq!(
        labels,
        [
            (t("Altstadt"), t("Johannstadt"), Cell::Integer(2)),
            (t("Altstadt"), t("Seevorstadt"), Cell::Integer(2)),
            (t("Altstadt"), t("Ortsamt gesamt"), Cell::Integer(4)),
            (t("Neustadt"), t("Leipziger Vorstadt"), Cell::Integer(2)),
            (t("Neustadt"), t("Ortsamt gesamt"), Cell::Integer(2)),
            (t("unbekannt"), t("unbekannt"), Cell::Integer(1)),
            (t("unbekannt"), t("Ortsamt gesamt"), Cell::Integer(1)),
            (t("Stadt gesamt"), Cell::Empty, Cell::Integer(7)),
        ]
    );

    let hours = table(&tables, "Vermittelt – Betreuungszeit");
    assert_eq!(hours.columns[0].kind, ColumnKind::Decimal);
    let nine = hours
        .rows
        .iter()
        .find(|r| r[0] == Cell::Decimal(dec("9")))
        .unwrap();
    assert_eq!(nine[1..], [Cell::Integer(4), Cell::Percent(dec("0.571"))]);
}

#[test]
fn suppressed_tables_mark_hidden_cells() {
    let tables = placed_report(&placed_contracts(), &half_year())
        .unwrap()
        .suppressed(3)
        .tables();
    let ranks = table(&tables, "Vermittelt – Wunschposition");
    assert_eq!(ranks.columns.last().unwrap().header, "Hinweis");
    assert_eq!(
        row(ranks, "1. Wunsch")[1..],
        [Cell::Empty, Cell::Empty, Cell::Text("< 3".into())]
    );
    assert_eq!(
        row(ranks, "4. Wunsch")[1..],
        [Cell::Integer(0), Cell::Percent(dec("0")), Cell::Empty]
    );

    let ages = table(&tables, "Vermittelt – Alter");
    assert_eq!(
        row(ages, "unter 1 Jahr")[1..],
        [
            Cell::Empty,
            Cell::Empty,
            Cell::Text("< 3: bei Wunschtermin, bei Betreuungsbeginn".into())
        ]
    );
    assert_eq!(
        row(ages, "1 bis unter 2 Jahre")[1..],
        [Cell::Integer(3), Cell::Integer(4), Cell::Empty]
    );

    let regions = table(&tables, "Vermittelt – Regionen");
    assert_eq!(row(regions, "Stadt gesamt")[2], Cell::Integer(7));

    let overview = table(&tables, "Belegrecht – Überblick");
    assert_eq!(
        row(overview, "Wartezeit Median")[2..],
        [Cell::Empty, Cell::Text("< 3".into())]
    );
    let selection = table(&tables, "Vermittelt – Auswahl");
    assert_eq!(
        row(selection, "Anonymisierung")[1],
        Cell::Text("Felder mit 1 bis 2 Kindern ausgeblendet („< 3“), Summen vollständig".into())
    );
    assert_eq!(
        row(selection, "Verträge abgeschlossen")[1],
        Cell::Text("01.01.2025 bis 30.06.2025".into())
    );
}

#[test]
fn termination_and_demand_tables() {
    let ended = termination_report(&terminations(), &first_quarter())
        .unwrap()
        .tables();
    let reasons = table(&ended, "Kündigungen – Gründe");
    assert_eq!(row(reasons, "Umzug")[1], Cell::Integer(2));
    assert_eq!(row(reasons, "kita_closed")[1], Cell::Integer(1));
    let months = table(&ended, "Kündigungen – Monate");
    assert_eq!(
        row(months, "03.2025")[1..],
        [Cell::Integer(2), Cell::Percent(dec("0.4"))]
    );

    let open = demand_report(&open_demands(), &owners(), &first_quarter())
        .unwrap()
        .suppressed(2)
        .tables();
    let selection = table(&open, "Bedarfe – Auswahl");
    assert_eq!(
        row(selection, "Stichtag")[1],
        Cell::Text("31.03.2025".into())
    );
    let registrations = table(&open, "Bedarfe – Anmeldungen");
    let headers: Vec<&str> = registrations
        .columns
        .iter()
        .map(|c| c.header.as_str())
        .collect();
    assert_eq!(
        headers,
        [
            "Monat der Anmeldung",
            "unter 1 Jahr",
            "1 bis unter 2 Jahre",
            "2 bis unter 2,75 Jahre",
            "ab 2,75 Jahre",
            "Gesamt",
            "Hinweis"
        ]
    );
    assert_eq!(
        row(registrations, "01.2025")[1..],
        [
            Cell::Integer(0),
            Cell::Empty,
            Cell::Integer(0),
            Cell::Integer(0),
            Cell::Empty,
            Cell::Text("< 2: 1 bis unter 2 Jahre, Gesamt".into())
        ]
    );
    assert_eq!(row(registrations, "Zeitraum gesamt")[5], Cell::Integer(3));
    let waiting = table(&open, "Bedarfe – Wartezeit");
    assert_eq!(row(waiting, "91–180 Tage")[1], Cell::Integer(2));
    assert_eq!(row(waiting, "noch nicht fällig")[1], Cell::Empty);
}
