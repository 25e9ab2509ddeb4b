use super::*;
use crate::testing::{cents, m, pkn};
use std::str::FromStr;

fn traeger(name: &str) -> LostFeeParty {
    LostFeeParty::FreeTraeger(name.into())
}

fn town(name: &str) -> LostFeeParty {
    LostFeeParty::OtherTown(name.into())
}

fn line(
    party: LostFeeParty,
    child: &str,
    month: &str,
    facility: &str,
    unreduced: i64,
    reductions: &[(Reduction, i64)],
) -> LostFeeLine {
    LostFeeLine {
        party,
        pkn: pkn(child),
        month: m(month),
        facility: facility.into(),
        unreduced: cents(unreduced),
        reductions: reductions.iter().map(|(r, c)| (*r, cents(*c))).collect(),
        municipal_share: Money::ZERO,
    }
}

fn lines() -> Vec<LostFeeLine> {
    vec![
        // A waiver at a free Träger's Kita, and a second child with the sibling share.
        line(
            traeger("Volkssolidarität"),
            "12345601",
            "2025-03",
            "Kita Sonnenschein",
            18936,
            &[(Reduction::IncomeBased, 18936)],
        ),
        line(
            traeger("Volkssolidarität"),
            "12345602",
            "2025-03",
            "Hort Am Park",
            7889,
            &[(Reduction::Sibling, 3156)],
        ),
        line(
            traeger("Caritas"),
            "22222201",
            "2025-03",
            "Kita St. Marien",
            13213,
            &[(Reduction::SingleParent, 1321)],
        ),
        line(
            traeger("Caritas"),
            "22222201",
            "2025-02",
            "Kita St. Marien",
            13213,
            &[(Reduction::SingleParent, 1321)],
        ),
        line(
            LostFeeParty::OwnFacility,
            "33333301",
            "2025-03",
            "Kita 101",
            18936,
            &[(Reduction::FosterOrResidentialHome, 18936)],
        ),
    ]
}

#[test]
fn free_traeger_get_one_report_per_month_with_the_children_and_facilities() {
    let reports = free_traeger_reports(&lines(), m("2025-03"), &[]);
    assert_eq!(
        reports.len(),
        2,
        "Caritas and Volkssolidarität, not the city's own"
    );
    let vs = &reports[1];
    assert_eq!(vs.party, traeger("Volkssolidarität"));
    assert_eq!(vs.period, "03/2025");
    assert_eq!(vs.lost, cents(18936 + 3156));
    assert_eq!(vs.difference, vs.lost);
    assert_eq!(vs.lines.len(), 2);
    assert_eq!(vs.lines[0].facility, "Hort Am Park", "ordered by facility");
    assert_eq!(vs.by_facility["Kita Sonnenschein"], cents(18936));
    let march = &vs.months[0];
    assert_eq!(march.children, 2);
    assert_eq!(march.by_reduction[&Reduction::IncomeBased], cents(18936));
    assert_eq!(march.by_reduction[&Reduction::Sibling], cents(3156));
    assert_eq!(march.by_reduction[&Reduction::SingleParent], Money::ZERO);
    // 220.92 / 268.25 = 82.3560… %
    assert_eq!(march.percent, Decimal::from_str("82.36").unwrap());
    assert_eq!(reports[0].lost, cents(1321), "Caritas: March only");
}

#[test]
fn a_corrected_month_settles_only_the_difference() {
    let reported = [ReportedAmount {
        party: traeger("Caritas"),
        month: m("2025-02"),
        lost: cents(2642),
    }];
    let reports = free_traeger_reports(&lines(), m("2025-02"), &reported);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].months[0].previously_reported, cents(2642));
    assert_eq!(reports[0].difference, cents(1321 - 2642));
    // A party reported before with no lines now is owed back in full.
    let gone = [ReportedAmount {
        party: traeger("AWO"),
        month: m("2025-03"),
        lost: cents(500),
    }];
    let reports = free_traeger_reports(&lines(), m("2025-03"), &gone);
    let awo = reports.iter().find(|r| r.party == traeger("AWO")).unwrap();
    assert_eq!(awo.difference, cents(-500));
}

#[test]
fn the_third_quarter_reports_the_fourth_ahead_and_the_fourth_settles_the_rest() {
    let mut lines = Vec::new();
    for month in [
        "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12",
    ] {
        let mut l = line(
            town("Radebeul"),
            "44444401",
            month,
            "Kita 17",
            18936,
            &[(Reduction::Sibling, 7574)],
        );
        l.municipal_share = cents(60000);
        lines.push(l);
    }
    let q3 = other_town_reports(&lines, 2025, 3, &[]).unwrap();
    assert_eq!(q3.len(), 1);
    let report = &q3[0];
    assert_eq!(report.period, "Q3/2025 (Q4 geschätzt)");
    assert_eq!(report.months.len(), 6);
    let estimated: Vec<bool> = report.months.iter().map(|m| m.estimated).collect();
    assert_eq!(estimated, [false, false, false, true, true, true]);
    assert_eq!(report.lost, cents(6 * 7574));
    assert_eq!(report.municipal_share, cents(6 * 60000));

    // In November the child left: the Q4 report bills back what was estimated for December.
    lines.pop();
    let reported: Vec<ReportedAmount> = report
        .months
        .iter()
        .map(|m| ReportedAmount {
            party: town("Radebeul"),
            month: m.month,
            lost: m.lost,
        })
        .collect();
    let q4 = other_town_reports(&lines, 2025, 4, &reported).unwrap();
    assert_eq!(q4[0].period, "Q4/2025");
    assert_eq!(q4[0].months.len(), 3);
    assert!(q4[0].months.iter().all(|m| !m.estimated));
    assert_eq!(q4[0].difference, cents(-7574));
    assert!(other_town_reports(&lines, 2025, 5, &[]).is_err());
    // Free Träger lines are not billed to towns, and the other way round.
    assert!(free_traeger_reports(&lines, m("2025-07"), &[]).is_empty());
}

#[test]
fn the_overview_counts_every_line_of_the_month() {
    let overview = monthly_overview(&lines(), m("2025-03"));
    assert_eq!(overview.children, 4);
    assert_eq!(overview.lost, cents(18936 + 3156 + 1321 + 18936));
    assert_eq!(
        overview.by_reduction[&Reduction::FosterOrResidentialHome],
        cents(18936)
    );
    assert_eq!(monthly_overview(&[], m("2025-03")).percent, Decimal::ZERO);
}
