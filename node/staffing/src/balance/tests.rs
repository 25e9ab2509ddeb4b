//! Hand-worked balances: the arithmetic is written next to each expectation.

use super::*;
use crate::case::ChildrenRow;
use crate::rules::{CareType, Conversion, StaffKey, StaffingRules};
use proptest::prelude::*;
use std::str::FromStr;

type Input = BalanceInput<&'static str, &'static str>;
type Assignment = StaffAssignment<&'static str, &'static str>;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn month(y: i32, m: u32) -> Month {
    Month::new(y, m).unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Reported as the balance reports it: three decimals, half up.
fn shown_of(r: Ratio) -> String {
    shown(r).unwrap()
}

/// `count` Krippe children at `hours` daily hours.
fn krippe(count: u32, hours: &str) -> StaffNeedCase {
    StaffNeedCase {
        children: vec![ChildrenRow {
            field: "children[0]".into(),
            care_type: CareType::Krippe,
            hours: Some(dec(hours)),
            count,
            key: None,
        }],
        additional: vec![],
    }
}

/// A Fachkraft working with the children at fac-a from `from` on.
fn educator(person: &'static str, hours: &str, from: NaiveDate) -> Assignment {
    StaffAssignment {
        person,
        facility: "fac-a",
        role: StaffRole::Educator,
        counts_towards_key: true,
        period: DaySpan {
            start: from,
            end: None,
        },
        weekly_hours: dec(hours),
        absences: vec![],
    }
}

/// fac-a with 20 Krippe children at 9 h in every month from `first` to `last`.
fn twenty_krippe_children(first: Month, last: Month, staff: Vec<Assignment>) -> Input {
    BalanceInput {
        facility: "fac-a",
        first_month: first,
        last_month: last,
        cases: first.through(last).map(|m| (m, krippe(20, "9"))).collect(),
        staff,
        today: day(2026, 1, 1),
    }
}

fn two_full_time_educators() -> Vec<Assignment> {
    vec![
        educator("p-anna", "40", day(2025, 8, 1)),
        educator("p-ben", "40", day(2026, 1, 1)),
    ]
}

fn june(staff: Vec<Assignment>) -> MonthBalance<&'static str> {
    let input = twenty_krippe_children(month(2026, 6), month(2026, 6), staff);
    balance(&input, &RuleBook::annex_f())
        .unwrap()
        .months
        .remove(0)
}

#[test]
fn twenty_krippe_children_and_two_full_time_educators() {
    let june = june(two_full_time_educators());
    // Soll: 20 children × 9 h ÷ 9 = 20 RZÄ; × 1 : 6 = 10/3 = 3.333 educators;
    // leadership 0.1 × 10/3 = 1/3 = 0.333; total 11/3 = 3.667.
    assert_eq!(june.soll.educator, Ratio::new(10, 3).unwrap());
    assert_eq!(june.soll.leadership, Ratio::new(1, 3).unwrap());
    assert_eq!(shown_of(june.soll.total), "3.667");
    // Ist: 2 × 40 h ÷ 40 h × 30/30 days = 2.000, all educators.
    assert_eq!(june.ist.educator, Ratio::integer(2));
    assert_eq!(june.ist.leadership, Ratio::ZERO);
    assert_eq!(june.ist.total, Ratio::integer(2));
    // Ist − Soll = 2 − 11/3 = −5/3 = −1.667: short by 1.667 VbE.
    assert_eq!(june.difference.total, Ratio::new(-5, 3).unwrap());
    assert_eq!(shown_of(june.difference.total), "-1.667");
    // Per role: educators 2 − 10/3 = −4/3; leadership 0 − 1/3.
    assert_eq!(shown_of(june.difference.educator), "-1.333");
    assert_eq!(shown_of(june.difference.leadership), "-0.333");
    assert!(june.is_short());
    assert_eq!(june.rules, StaffingRules::annex_f().id);
    assert_eq!(june.full_time_weekly_hours, dec("40"));
    let counted: Vec<(&str, u32, u32, String)> = june
        .staff
        .iter()
        .map(|s| (s.person, s.days_counted, s.days_in_month, shown_of(s.vbe)))
        .collect();
    assert_eq!(
        counted,
        [
            ("p-anna", 30, 30, "1.000".into()),
            ("p-ben", 30, 30, "1.000".into())
        ]
    );
}

#[test]
fn someone_starting_on_the_16th_of_a_30_day_month_counts_half_the_month() {
    let mut staff = two_full_time_educators();
    staff.push(educator("p-clara", "30", day(2026, 6, 16)));
    let input = twenty_krippe_children(month(2026, 6), month(2026, 7), staff);
    let b = balance(&input, &RuleBook::annex_f()).unwrap();
    // June has 30 days; the 16th to the 30th are 15: 30 h ÷ 40 h × 15/30 = 0.75 × 0.5 = 0.375.
    let clara = &b.months[0].staff[2];
    assert_eq!(
        (clara.person, clara.days_counted, clara.days_in_month),
        ("p-clara", 15, 30)
    );
    assert_eq!(clara.vbe, Ratio::new(3, 8).unwrap());
    assert_eq!(shown_of(b.months[0].ist.total), "2.375");
    // July: the whole month, 0.75; Ist 2.75.
    assert_eq!(b.months[1].ist.total, Ratio::new(11, 4).unwrap());
}

#[test]
fn a_person_split_across_two_kitas_counts_only_the_hours_at_each() {
    let mut staff = two_full_time_educators();
    let mobile = educator("p-mobil", "20", day(2026, 1, 1));
    staff.push(mobile.clone());
    staff.push(StaffAssignment {
        facility: "fac-b",
        weekly_hours: dec("19.5"),
        ..mobile
    });
    // At fac-a: 20 h ÷ 40 h = 0.5; Ist 2 + 0.5 = 2.5. The fac-b hours are not listed there.
    let at_a = june(staff.clone());
    assert_eq!(at_a.ist.total, Ratio::new(5, 2).unwrap());
    assert_eq!(at_a.staff.len(), 3);
    assert!(at_a.staff.iter().all(|s| s.weekly_hours != dec("19.5")));
    // At fac-b (no children there): 19.5 h ÷ 40 h = 0.4875 → 0.488, a surplus of 0.488.
    let mut input = twenty_krippe_children(month(2026, 6), month(2026, 6), staff);
    input.facility = "fac-b";
    input.cases = [(month(2026, 6), krippe(0, "9"))].into();
    let at_b = balance(&input, &RuleBook::annex_f()).unwrap();
    let at_b = &at_b.months[0];
    assert_eq!(at_b.ist.total, Ratio::new(39, 80).unwrap());
    assert_eq!(shown_of(at_b.difference.total), "0.488");
    assert!(!at_b.is_short());
}

#[test]
fn a_helper_is_listed_but_does_not_count() {
    let mut staff = two_full_time_educators();
    staff.push(StaffAssignment {
        counts_towards_key: false,
        ..educator("p-hilfe", "40", day(2026, 1, 1))
    });
    let june = june(staff);
    // § 12 (1) S. 2: "weitere geeignete Mitarbeiter" support the Fachkräfte; Ist stays 2.
    assert_eq!(june.ist.total, Ratio::integer(2));
    let helper = june.staff.iter().find(|s| s.person == "p-hilfe").unwrap();
    assert_eq!((helper.days_counted, helper.vbe), (30, Ratio::ZERO));
}

#[test]
fn absent_days_count_nothing() {
    let mut staff = two_full_time_educators();
    // Parental leave from 11 June: 10 of 30 days worked, 1 × 10/30 = 1/3.
    staff[1].absences = vec![DaySpan {
        start: day(2026, 6, 11),
        end: None,
    }];
    let june = june(staff);
    assert_eq!(june.staff[1].days_counted, 10);
    assert_eq!(june.ist.total, Ratio::new(4, 3).unwrap());
}

#[test]
fn months_after_today_are_a_forecast() {
    let mut input =
        twenty_krippe_children(month(2026, 5), month(2026, 8), two_full_time_educators());
    input.today = day(2026, 6, 10);
    let b = balance(&input, &RuleBook::annex_f()).unwrap();
    let forecast: Vec<(String, bool)> = b
        .months
        .iter()
        .map(|m| (m.month.to_string(), m.forecast))
        .collect();
    // June has begun on the 10th: its rows are those in force, not a forecast.
    assert_eq!(
        forecast,
        [
            ("2026-05".into(), false),
            ("2026-06".into(), false),
            ("2026-07".into(), true),
            ("2026-08".into(), true)
        ]
    );
    assert_eq!(b.years[0].forecast_months, 2);
}

#[test]
fn a_rule_change_applies_from_the_first_month_that_begins_under_it() {
    // From 15 September: Krippe 1 : 5 and a full-time week of 39 h.
    let mut lower = StaffingRules::annex_f();
    lower.id = "krippe-1-5-39h";
    lower.valid_from = day(2026, 9, 15);
    lower.full_time_weekly_hours = dec("39");
    lower.care_types[0].conversion = Conversion::DailyHours {
        base_hours: dec("9"),
        key: StaffKey::new(dec("1"), dec("5")).unwrap(),
    };
    let book = RuleBook::new(vec![StaffingRules::annex_f(), lower]).unwrap();
    let staff = vec![
        educator("p-anna", "39", day(2026, 1, 1)),
        educator("p-ben", "39", day(2026, 1, 1)),
    ];
    let input = twenty_krippe_children(month(2026, 9), month(2026, 10), staff);
    let b = balance(&input, &book).unwrap();
    let (september, october) = (&b.months[0], &b.months[1]);
    // September began under annex F: Soll 11/3; Ist 2 × 39/40 = 1.95.
    assert_eq!(september.rules, StaffingRules::annex_f().id);
    assert_eq!(september.soll.total, Ratio::new(11, 3).unwrap());
    assert_eq!(september.ist.total, Ratio::new(39, 20).unwrap());
    // October: 20 RZÄ × 1/5 = 4, leadership 0.4, total 4.4; Ist 2 × 39/39 = 2; −2.4.
    assert_eq!(october.rules, "krippe-1-5-39h");
    assert_eq!(october.soll.total, Ratio::new(22, 5).unwrap());
    assert_eq!(october.ist.total, Ratio::integer(2));
    assert_eq!(shown_of(october.difference.total), "-2.400");
}

#[test]
fn the_year_averages_its_months_and_names_the_months_short() {
    let mut staff = vec![
        educator("p-anna", "40", day(2025, 1, 1)),
        educator("p-ben", "40", day(2025, 1, 1)),
        educator("p-clara", "40", day(2025, 1, 1)),
    ];
    staff.push(StaffAssignment {
        role: StaffRole::Leadership,
        ..educator("p-leitung", "40", day(2026, 7, 1))
    });
    let input = twenty_krippe_children(month(2026, 1), month(2026, 12), staff);
    let b = balance(&input, &RuleBook::annex_f()).unwrap();
    assert_eq!(b.months.len(), 12);
    let year = &b.years[0];
    // Soll 11/3 every month. Ist 3 in January to June, 4 from July (the leader):
    // (6 × 3 + 6 × 4) ÷ 12 = 3.5; difference 3.5 − 11/3 = −1/6 = −0.167.
    assert_eq!((year.year, year.months), (2026, 12));
    assert_eq!(year.average_soll, Ratio::new(11, 3).unwrap());
    assert_eq!(year.average_ist, Ratio::new(7, 2).unwrap());
    assert_eq!(shown_of(year.average_difference), "-0.167");
    let short: Vec<String> = year.months_short.iter().map(Month::to_string).collect();
    assert_eq!(
        short,
        ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    );
    // July per role: educators 3 − 10/3 = −1/3, leadership 1 − 1/3 = 2/3.
    let july = &b.months[6];
    assert_eq!(july.difference.educator, Ratio::new(-1, 3).unwrap());
    assert_eq!(july.difference.leadership, Ratio::new(2, 3).unwrap());
}

#[test]
fn a_range_over_two_years_gives_one_summary_per_year() {
    let input = twenty_krippe_children(month(2026, 11), month(2027, 2), two_full_time_educators());
    let b = balance(&input, &RuleBook::annex_f()).unwrap();
    let years: Vec<(i32, u32)> = b.years.iter().map(|y| (y.year, y.months)).collect();
    assert_eq!(years, [(2026, 2), (2027, 2)]);
}

#[test]
fn the_report_shows_every_figure_with_three_decimals() {
    let input = twenty_krippe_children(month(2026, 6), month(2026, 6), two_full_time_educators());
    let json = balance(&input, &RuleBook::annex_f())
        .unwrap()
        .to_json()
        .unwrap();
    let june = &json["months"][0];
    assert_eq!(june["month"], "2026-06");
    assert_eq!(june["soll"]["total_vbe"], "3.667");
    assert_eq!(june["ist"]["total_vbe"], "2.000");
    assert_eq!(june["difference"]["total_vbe"], "-1.667");
    assert_eq!(june["short"], true);
    assert_eq!(june["need"]["lines"][0]["rzae"], "20.000");
    assert_eq!(june["staff"][0]["person"], "p-anna");
    assert_eq!(june["staff"][0]["vbe"], "1.000");
    assert_eq!(june["staff"][0]["until"], Value::Null);
    assert_eq!(json["years"][0]["average_ist_vbe"], "2.000");
    assert_eq!(json["years"][0]["months_short"][0], "2026-06");
}

#[test]
fn missing_months_rules_and_bad_assignments_are_refused() {
    let rules = RuleBook::annex_f();
    let mut input = twenty_krippe_children(month(2026, 1), month(2026, 3), vec![]);
    input.cases.remove(&month(2026, 2));
    assert_eq!(
        balance(&input, &rules),
        Err(BalanceError::MissingMonth(month(2026, 2)))
    );
    let early = twenty_krippe_children(month(2011, 11), month(2011, 12), vec![]);
    assert_eq!(
        balance(&early, &rules),
        Err(BalanceError::NoRules(day(2011, 11, 1)))
    );
    let mut reversed = twenty_krippe_children(month(2026, 3), month(2026, 3), vec![]);
    reversed.first_month = month(2026, 4);
    assert!(matches!(
        balance(&reversed, &rules),
        Err(BalanceError::Range { .. })
    ));
    let mut no_hours = educator("p-x", "0", day(2026, 1, 1));
    let bad = twenty_krippe_children(month(2026, 3), month(2026, 3), vec![no_hours.clone()]);
    assert!(matches!(
        balance(&bad, &rules),
        Err(BalanceError::Assignment { index: 0, .. })
    ));
    no_hours.weekly_hours = dec("40");
    no_hours.period.end = Some(day(2025, 12, 31));
    let bad = twenty_krippe_children(month(2026, 3), month(2026, 3), vec![no_hours]);
    let err = balance(&bad, &rules).unwrap_err();
    assert_eq!(
        err.to_string(),
        "staff[0]: the period ends before it begins"
    );
}

fn any_assignment() -> impl Strategy<Value = Assignment> {
    (
        prop::sample::select(vec!["p-1", "p-2", "p-3", "p-4"]),
        prop::sample::select(vec!["fac-a", "fac-b"]),
        any::<bool>(),
        any::<bool>(),
        0u64..500,
        prop::option::of(0u64..400),
        1i64..=192,
        prop::option::of((0u64..500, 0u64..60)),
    )
        .prop_map(
            |(person, facility, leads, counts, start, length, quarters, absence)| {
                let origin = day(2025, 10, 1);
                let start = origin + chrono::Days::new(start);
                StaffAssignment {
                    person,
                    facility,
                    role: if leads {
                        StaffRole::Leadership
                    } else {
                        StaffRole::Educator
                    },
                    counts_towards_key: counts,
                    period: DaySpan {
                        start,
                        end: length.map(|l| start + chrono::Days::new(l)),
                    },
                    // A quarter hour to 48 hours.
                    weekly_hours: Decimal::new(quarters * 25, 2),
                    absences: absence
                        .map(|(from, length)| {
                            let from = origin + chrono::Days::new(from);
                            DaySpan {
                                start: from,
                                end: Some(from + chrono::Days::new(length)),
                            }
                        })
                        .into_iter()
                        .collect(),
                }
            },
        )
}

fn year_of(staff: Vec<Assignment>) -> Balance<&'static str> {
    let input = twenty_krippe_children(month(2026, 1), month(2026, 12), staff);
    balance(&input, &RuleBook::annex_f()).unwrap()
}

proptest! {
    #[test]
    fn the_ist_does_not_depend_on_the_order_of_the_assignments(
        (staff, shuffled) in prop::collection::vec(any_assignment(), 0..8)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
    ) {
        prop_assert_eq!(year_of(staff), year_of(shuffled));
    }

    #[test]
    fn another_counting_person_never_lowers_the_ist(
        staff in prop::collection::vec(any_assignment(), 0..8),
        extra in any_assignment(),
    ) {
        let before = year_of(staff.clone());
        let mut more = staff;
        more.push(StaffAssignment { facility: "fac-a", counts_towards_key: true, ..extra });
        let after = year_of(more);
        for (b, a) in before.months.iter().zip(&after.months) {
            prop_assert!(!a.ist.total.checked_sub(b.ist.total).unwrap().is_negative(), "{}", a.month);
            prop_assert_eq!(a.soll, b.soll);
        }
        prop_assert!(!after.years[0].average_ist.checked_sub(before.years[0].average_ist).unwrap().is_negative());
    }
}
