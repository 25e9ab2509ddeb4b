//! Report → [`Table`] helpers: German headers and labels, counts as integers, shares as
//! percent cells, and the „Hinweis“ column that marks hidden cells in a suppressed report.

use kitanetz_sheets::{Cell, Chart, ChartKind, Column, ColumnKind, Table};
use rust_decimal::Decimal;

use crate::age::AgeBand;
use crate::breakdown::{Breakdown, Entry, Regions};
use crate::input::Filter;

/// The label of an unknown Ortsamt or Stadtteil.
pub(crate) const UNKNOWN: &str = "unbekannt";

/// A table being filled. In a suppressed report a last column „Hinweis“ says which cells of a
/// row are hidden: a hidden count is an empty cell (so the column stays numeric and charts
/// still plot), and Excel shows no difference between empty and hidden without the note.
pub(crate) struct Sheet {
    table: Table,
    min_children: Option<u64>,
    counts: usize,
}

impl Sheet {
    /// `counts`: how many count columns the table has (for the wording of the note).
    pub(crate) fn new(
        title: String,
        mut columns: Vec<Column>,
        counts: usize,
        min_children: Option<u64>,
    ) -> Sheet {
        if min_children.is_some() {
            columns.push(Column::new("Hinweis", ColumnKind::Text));
        }
        Sheet {
            table: Table::new(title, columns),
            min_children,
            counts,
        }
    }

    /// A row; `hidden` names the headers of its hidden cells.
    pub(crate) fn row(&mut self, mut cells: Vec<Cell>, hidden: &[&str]) {
        if let Some(k) = self.min_children {
            cells.push(if hidden.is_empty() {
                Cell::Empty
            } else if self.counts == 1 {
                Cell::Text(format!("< {k}"))
            } else {
                Cell::Text(format!("< {k}: {}", hidden.join(", ")))
            });
        }
        self.table.rows.push(cells);
    }

    /// A row of one label, one count and its share.
    pub(crate) fn entry_row(
        &mut self,
        label: Vec<Cell>,
        count: Option<u64>,
        share: Option<Decimal>,
    ) {
        let mut cells = label;
        cells.push(count_cell(count));
        cells.push(percent_cell(share));
        self.row(cells, if count.is_none() { &["Anzahl"] } else { &[] });
    }

    pub(crate) fn column_chart(&mut self, title: &str, values: Vec<usize>) {
        self.table.chart = Some(Chart {
            kind: ChartKind::Column,
            title: title.to_owned(),
            category_column: 0,
            value_columns: values,
        });
    }

    pub(crate) fn done(self) -> Table {
        self.table
    }
}

pub(crate) fn count_cell(count: Option<u64>) -> Cell {
    count.map_or(Cell::Empty, |n| {
        Cell::Integer(i64::try_from(n).expect("a count fits in i64"))
    })
}

/// A share in percent (33.3) as the fraction a percent cell takes (0.333).
pub(crate) fn percent_cell(percent: Option<Decimal>) -> Cell {
    percent.map_or(Cell::Empty, |p| Cell::Percent(p / Decimal::ONE_HUNDRED))
}

pub(crate) fn text(label: &str) -> Cell {
    Cell::Text(label.to_owned())
}

pub(crate) fn place(name: &str) -> Cell {
    text(if name.is_empty() { UNKNOWN } else { name })
}

/// Label, Anzahl, Anteil for each entry of a breakdown, then „Gesamt“ when `with_total`.
pub(crate) fn breakdown_sheet<K>(
    title: String,
    key_header: &str,
    breakdown: &Breakdown<K>,
    label: impl Fn(&K) -> Cell,
    key_kind: ColumnKind,
    with_total: bool,
    min_children: Option<u64>,
) -> Sheet {
    let mut sheet = Sheet::new(
        title,
        vec![
            Column::new(key_header, key_kind),
            Column::new("Anzahl", ColumnKind::Integer),
            Column::new("Anteil", ColumnKind::Percent),
        ],
        1,
        min_children,
    );
    for Entry {
        key,
        count,
        percent,
    } in &breakdown.entries
    {
        sheet.entry_row(vec![label(key)], *count, *percent);
    }
    if with_total {
        let total = Some(breakdown.total);
        let share = (breakdown.total > 0).then_some(Decimal::ONE_HUNDRED);
        let label = match key_kind {
            ColumnKind::Text => text("Gesamt"),
            _ => Cell::Empty,
        };
        sheet.entry_row(vec![label], total, share);
    }
    sheet
}

/// Ortsamt, Stadtteil, Anzahl, Anteil: each Stadtteil, then its Ortsamt („Ortsamt gesamt“),
/// then the city („Stadt gesamt“).
pub(crate) fn regions_table(title: String, regions: &Regions, min_children: Option<u64>) -> Table {
    let mut sheet = Sheet::new(
        title,
        vec![
            Column::new("Ortsamt", ColumnKind::Text),
            Column::new("Stadtteil", ColumnKind::Text),
            Column::new("Anzahl", ColumnKind::Integer),
            Column::new("Anteil", ColumnKind::Percent),
        ],
        1,
        min_children,
    );
    for ortsamt in &regions.ortsaemter {
        for stadtteil in &ortsamt.stadtteile {
            sheet.entry_row(
                vec![place(&ortsamt.ortsamt), place(&stadtteil.key)],
                stadtteil.count,
                stadtteil.percent,
            );
        }
        sheet.entry_row(
            vec![place(&ortsamt.ortsamt), text("Ortsamt gesamt")],
            ortsamt.count,
            ortsamt.percent,
        );
    }
    sheet.entry_row(
        vec![text("Stadt gesamt"), Cell::Empty],
        Some(regions.total),
        (regions.total > 0).then_some(Decimal::ONE_HUNDRED),
    );
    sheet.done()
}

/// Altersbereich and one count column per breakdown (e.g. at desired start, at start), with a
/// column chart; no total row, so the chart shows the bands only.
pub(crate) fn ages_table(
    title: String,
    series: &[(&str, &Breakdown<AgeBand>)],
    min_children: Option<u64>,
) -> Table {
    let mut columns = vec![Column::new("Altersbereich", ColumnKind::Text)];
    columns.extend(
        series
            .iter()
            .map(|(header, _)| Column::new(*header, ColumnKind::Integer)),
    );
    let mut sheet = Sheet::new(title, columns, series.len(), min_children);
    for band in AgeBand::ALL {
        let mut cells = vec![text(band.label())];
        let mut hidden = Vec::new();
        for (header, breakdown) in series {
            let count = breakdown.count(&band);
            if count.is_none() {
                hidden.push(*header);
            }
            cells.push(count_cell(count));
        }
        sheet.row(cells, &hidden);
    }
    sheet.column_chart("Altersbereiche", (1..=series.len()).collect());
    sheet.done()
}

/// What the report selected, for the reader of the workbook: range, filters, anonymity.
pub(crate) fn selection_table(
    title: String,
    range_label: &str,
    filter: &Filter,
    extra: &[(&str, String)],
    min_children: Option<u64>,
) -> Table {
    let mut table = Table::new(
        title,
        vec![
            Column::new("Auswahl", ColumnKind::Text),
            Column::new("Wert", ColumnKind::Text),
        ],
    );
    let any = "alle".to_owned();
    let mut rows = vec![(
        range_label,
        format!(
            "{} bis {}",
            filter.from.format("%d.%m.%Y"),
            filter.until.format("%d.%m.%Y")
        ),
    )];
    rows.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
    rows.extend([
        ("Ortsamt", filter.ortsamt.clone().unwrap_or(any.clone())),
        ("Stadtteil", filter.stadtteil.clone().unwrap_or(any.clone())),
        ("Träger", filter.provider.clone().unwrap_or(any.clone())),
        (
            "Trägerart",
            match filter.municipal {
                None => any.clone(),
                Some(true) => "kommunale Einrichtungen".to_owned(),
                Some(false) => "Einrichtungen freier Träger".to_owned(),
            },
        ),
        ("Einrichtung", filter.facility.clone().unwrap_or(any)),
        (
            "Anonymisierung",
            match min_children {
                None => "keine".to_owned(),
                Some(k) if k <= 1 => "keine (Mindestzahl 1)".to_owned(),
                Some(k) => format!(
                    "Felder mit 1 bis {} Kindern ausgeblendet („< {k}“), Summen vollständig",
                    k.saturating_sub(1)
                ),
            },
        ),
    ]);
    table.rows = rows
        .into_iter()
        .map(|(k, v)| vec![text(k), Cell::Text(v)])
        .collect();
    table
}
