//! The page and the Excel file of the lost-fee reports ([`super::lost_fees`]).

use super::lost_fees::{self, party_name, LostFees, Period};
use crate::http::pages::Chrome;
use crate::http::{render, AppError, Lang, Posted, Session};
use crate::Node;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kitanetz_billing::lost_fees::{LostFeeMonth, Reduction};
use serde::Deserialize;
use std::sync::Arc;

/// `03/2026`, as the reports write a month.
fn month_de(month: kitanetz_fees::Month) -> String {
    format!("{:02}/{}", month.month(), month.year())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    /// `YYYY-MM` (the free Träger's month) or `YYYY-Qn` (other towns); empty: last month.
    pub period: String,
    /// Reported just now: how many parties.
    pub recorded: Option<usize>,
}

impl PeriodQuery {
    fn period(&self, node: &Node) -> Result<Period, AppError> {
        if self.period.trim().is_empty() {
            let today = node.now().today.0;
            let this = kitanetz_fees::Month::of(today);
            let last = kitanetz_fees::Month::new(
                if this.month() == 1 {
                    this.year() - 1
                } else {
                    this.year()
                },
                if this.month() == 1 {
                    12
                } else {
                    this.month() - 1
                },
            )
            .expect("a calendar month");
            return Ok(Period::Month(last));
        }
        Ok(Period::parse(&self.period)?)
    }
}

#[derive(Template)]
#[template(path = "fees_lost.html")]
struct LostFeesPage {
    chrome: Chrome,
    lang: Lang,
    shown: LostFees,
    recorded: Option<usize>,
}

impl LostFeesPage {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    fn period(&self) -> String {
        self.shown.period.field_value()
    }

    fn quarterly(&self) -> bool {
        matches!(self.shown.period, Period::Quarter { .. })
    }

    fn party(&self, party: &kitanetz_billing::lost_fees::LostFeeParty) -> String {
        party_name(party)
    }

    fn month(&self, month: &kitanetz_fees::Month) -> String {
        month_de(*month)
    }

    /// The four reductions of a month in the order of the overview (3.10.12.1).
    fn by_kind(&self, month: &LostFeeMonth) -> Vec<String> {
        Reduction::ALL
            .iter()
            .map(|r| {
                month
                    .by_reduction
                    .get(r)
                    .copied()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }

    fn kinds(&self) -> Vec<&'static str> {
        Reduction::ALL.iter().map(|r| r.label()).collect()
    }
}

/// `GET /fees/lost-fees?period=YYYY-MM|YYYY-Qn`.
pub async fn page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    super::authorize_here(&node.store(), &session.who, super::FeeAction::View)?;
    let period = query.period(&node)?;
    let shown = lost_fees::report(&node.store(), &session.who, period, node.now().today)?;
    let title = if lang == Lang::En {
        "Lost fees"
    } else {
        "Entgangene Elternbeiträge"
    };
    render(&LostFeesPage {
        chrome: Chrome::new(&node, lang, Some(&session), title),
        lang,
        shown,
        recorded: query.recorded,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RecordInput {
    pub period: String,
}

/// `POST /fees/lost-fees/record`: the reports of the period as reported.
pub async fn record(
    State(node): State<Arc<Node>>,
    session: Session,
    Form(form): Form<Posted<RecordInput>>,
) -> Result<Response, AppError> {
    super::authorize_here(&node.store(), &session.who, super::FeeAction::Bill)?;
    session.check_csrf(&form.csrf)?;
    let period = Period::parse(&form.input.period)?;
    let parties = lost_fees::record(&mut node.store(), &session.who, period, node.now())?;
    Ok(Redirect::to(&format!(
        "/fees/lost-fees?period={}&recorded={parties}",
        period.field_value()
    ))
    .into_response())
}

/// `GET /fees/lost-fees.xlsx?period=…`: the overview and every report with its children's lines.
pub async fn xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    super::authorize_here(&node.store(), &session.who, super::FeeAction::View)?;
    let period = query.period(&node)?;
    let shown = lost_fees::report(&node.store(), &session.who, period, node.now().today)?;
    let money = |m: kitanetz_fees::Money| Cell::Money(m.amount());
    let month_columns = || {
        let mut columns = vec![
            Column::new("Monat", ColumnKind::Text),
            Column::new("geschätzt", ColumnKind::Text),
            Column::new("Kinder", ColumnKind::Integer),
            Column::new("Beitrag ohne Ermäßigung", ColumnKind::Money),
        ];
        columns.extend(
            Reduction::ALL
                .iter()
                .map(|r| Column::new(r.label(), ColumnKind::Money)),
        );
        columns.extend([
            Column::new("Entgangen", ColumnKind::Money),
            Column::new("Anteil (%)", ColumnKind::Decimal),
            Column::new("Früher gemeldet", ColumnKind::Money),
            Column::new("Differenz", ColumnKind::Money),
        ]);
        columns
    };
    let month_row = |m: &LostFeeMonth| {
        let mut row = vec![
            Cell::from(month_de(m.month).as_str()),
            Cell::from(if m.estimated { "ja" } else { "" }),
            Cell::Integer(m.children as i64),
            money(m.unreduced),
        ];
        row.extend(
            Reduction::ALL
                .iter()
                .map(|r| money(m.by_reduction.get(r).copied().unwrap_or_default())),
        );
        row.extend([
            money(m.lost),
            Cell::Decimal(m.percent),
            money(m.previously_reported),
            money(m.difference),
        ]);
        row
    };
    let mut overview = Table::new("Übersicht", month_columns());
    overview.rows = shown.overview.iter().map(month_row).collect();
    let mut tables = vec![overview];
    for (index, report) in shown.reports.iter().enumerate() {
        let mut months = Table::new(format!("Meldung {}", index + 1), month_columns());
        months.rows = report.months.iter().map(month_row).collect();
        let mut lines = Table::new(
            format!("Kinder {}", index + 1),
            vec![
                Column::new("Meldung an / von", ColumnKind::Text),
                Column::new("Einrichtung", ColumnKind::Text),
                Column::new("Monat", ColumnKind::Text),
                Column::new("PKN", ColumnKind::Text),
                Column::new("Beitrag ohne Ermäßigung", ColumnKind::Money),
                Column::new("Entgangen", ColumnKind::Money),
                Column::new("Ermäßigungen", ColumnKind::Text),
            ],
        );
        lines.rows = report
            .lines
            .iter()
            .map(|l| {
                vec![
                    Cell::from(party_name(&report.party).as_str()),
                    Cell::from(l.facility.as_str()),
                    Cell::from(month_de(l.month).as_str()),
                    Cell::from(l.pkn.to_string().as_str()),
                    money(l.unreduced),
                    money(l.lost()),
                    Cell::from(
                        l.reductions
                            .iter()
                            .map(|(r, a)| format!("{} {}", r.label(), a.german()))
                            .collect::<Vec<_>>()
                            .join("; ")
                            .as_str(),
                    ),
                ]
            })
            .collect();
        tables.push(months);
        tables.push(lines);
    }
    crate::http::sheets::xlsx_response(
        tables,
        format!("Entgangene Elternbeiträge {}", period.field_value()),
        node.config.display_name.clone(),
        &format!("Entgangene-Elternbeitraege-{}", period.field_value()),
        node.now().millis,
    )
    .await
}
