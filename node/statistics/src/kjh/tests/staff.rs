//! H: the staff sheets, and input the count refuses. `L…` are lines of seed 004.

use super::*;

// ---- H: staff -----------------------------------------------------------------------------

#[test]
fn beispiel_1_lead_for_30_hours_and_9_across_groups_l33443() {
    // "Eine Person mit einer vertraglich vereinbarten Wochenarbeitszeit von insgesamt 39
    // Stunden ist für 30 Wochenstunden als Einrichtungsleitung freigestellt und für 9
    // Wochenstunden gruppenübergreifend tätig." (L33444–33449)
    let mut i = input();
    i.staff = vec![person(
        "P1",
        "39",
        vec![
            area(WorkArea::Gruppenuebergreifend, "9", None),
            area(WorkArea::Einrichtungsleitung, "30", None),
        ],
    )];
    assert_eq!(
        areas(&report(&i).staff[0]),
        [
            (WorkArea::Einrichtungsleitung, None, "30.0".to_owned()),
            (WorkArea::Gruppenuebergreifend, None, "9.0".to_owned()),
        ]
    );
}

#[test]
fn beispiel_2_group_lead_of_group_01_for_39_hours_l33450() {
    // "Eine Person ist mit einer vertraglich vereinbarten Wochenarbeitszeit von 39 Stunden als
    // Gruppenleitung in Gruppe 01 tätig." (L33451–33455)
    let r = report(&input());
    assert_eq!(
        areas(&r.staff[0]),
        [(WorkArea::Gruppenleitung, Some(1), "39.0".to_owned())]
    );
    let p1 = &r.staff[0];
    assert_eq!(
        (p1.line, p1.sex, p1.birth_month, p1.birth_year),
        (1, "2", 7, 1972)
    );
}

#[test]
fn beispiel_3_mornings_group_lead_afternoons_across_groups_l33456() {
    // "Eine Person ist vormittags ( 25 Stunden pro Woche ) in Gruppe 01 als Gruppenleitung und
    // nachmittags mit 14 Wochenstunden gruppenübergreifend tätig." (L33457–33463)
    let mut i = input();
    i.staff = vec![person(
        "P1",
        "39",
        vec![
            area(WorkArea::Gruppenleitung, "25", Some("G1")),
            // A group given for a key other than 1 or 2 is not written (L33420–33423).
            area(WorkArea::Gruppenuebergreifend, "14", Some("G2")),
        ],
    )];
    assert_eq!(
        areas(&report(&i).staff[0]),
        [
            (WorkArea::Gruppenleitung, Some(1), "25.0".to_owned()),
            (WorkArea::Gruppenuebergreifend, None, "14.0".to_owned()),
        ]
    );
}

#[test]
fn a_third_work_areas_hours_are_shared_evenly_by_the_two_main_ones_l33438() {
    // "Der Beschäftigungsumfang aus den weiteren Arbeitsbereichen ist dann gleichmäßig auf die
    // beiden anzugebenden Arbeitsbereiche zu verteilen." (L33439–33440)
    let mut i = input();
    i.staff = vec![person(
        "P1",
        "39",
        vec![
            area(WorkArea::Verwaltung, "9", None),
            area(WorkArea::Zweitkraft, "20", Some("G2")),
            area(WorkArea::Gruppenuebergreifend, "10", None),
        ],
    )];
    let r = report(&i);
    assert_eq!(
        areas(&r.staff[0]),
        [
            (WorkArea::Zweitkraft, Some(2), "24.5".to_owned()),
            (WorkArea::Gruppenuebergreifend, None, "14.5".to_owned()),
        ]
    );
    assert_eq!(r.notes.len(), 1);
    assert!(r.notes[0].message.contains("3 work areas"));
}

#[test]
fn hours_have_one_decimal_and_the_areas_keep_the_rounded_total_l33432() {
    // "gegebenenfalls mit einer gerundeten Nachkommastelle" (L33432–33433); the areas add up to
    // the contracted hours (L33435–33437) also after rounding.
    let mut i = input();
    i.staff = vec![person(
        "P1",
        "19.70",
        vec![
            area(WorkArea::Gruppenleitung, "10.25", Some("G1")),
            area(WorkArea::Verwaltung, "9.45", None),
        ],
    )];
    assert_eq!(
        areas(&report(&i).staff[0]),
        [
            (WorkArea::Gruppenleitung, Some(1), "10.2".to_owned()),
            (WorkArea::Verwaltung, None, "9.5".to_owned()),
        ]
    );
}

#[test]
fn who_is_not_reported_l33394_l33396() {
    let mut i = input();
    let absent = |id: &str, kind| StaffMember {
        absences: vec![Absence {
            kind,
            period: period("2011-10-01", "2012-09-30"),
        }],
        ..person(
            id,
            "39",
            vec![area(WorkArea::Gruppenleitung, "39", Some("G1"))],
        )
    };
    let basis = |id: &str, basis| StaffMember {
        basis,
        ..person(id, "10", vec![area(WorkArea::Zweitkraft, "10", Some("G1"))])
    };
    let mut left = person(
        "P9",
        "39",
        vec![area(WorkArea::Zweitkraft, "39", Some("G2"))],
    );
    left.contract = period("2010-01-01", "2012-02-29");
    let external = StaffMember {
        role: StaffRole::DomesticTechnical {
            external_firm: true,
        },
        ..domestic("H2", "20")
    };
    // The replacement of P2 on a fixed-term contract is reported (L33391, L33399–33401).
    let mut replacement = person(
        "P6",
        "39",
        vec![area(WorkArea::Gruppenleitung, "39", Some("G1"))],
    );
    replacement.contract = period("2011-10-01", "2012-09-30");
    i.staff = vec![
        absent("P2", AbsenceKind::ParentalLeave),
        absent("P3", AbsenceKind::PartialRetirementRelease),
        absent("P4", AbsenceKind::LongTermIllness),
        basis("P5", EmploymentBasis::OneEuroJob),
        basis("P7", EmploymentBasis::Volunteer),
        left,
        external,
        replacement,
        domestic("H1", "19.75"),
    ];
    let r = report(&i);
    assert_eq!(
        excluded(&r),
        [
            ("staff:P2", ExclusionReason::ParentalLeave),
            ("staff:P3", ExclusionReason::PartialRetirementRelease),
            ("staff:P4", ExclusionReason::LongTermIllness),
            ("staff:P5", ExclusionReason::OneEuroJob),
            ("staff:P7", ExclusionReason::Volunteer),
            ("staff:P9", ExclusionReason::NotEmployedOnReferenceDate),
            ("staff:H2", ExclusionReason::ExternalFirm),
        ]
    );
    assert!(r.exclusions[0]
        .message
        .starts_with("staff P2 not counted: on parental leave on 2012-03-01"));
    let staff: Vec<&str> = r.staff.iter().map(|s| s.id.0.as_str()).collect();
    assert_eq!(staff, ["P6"]);
    assert_eq!(
        r.domestic_staff,
        [DomesticStaffRecord {
            id: StaffId::from("H1"),
            line: 1,
            sex: "2",
            weekly_hours: crate::numbers::OnePlace(dec("19.8")),
        }]
    );
}

#[test]
fn marginal_employment_counts_from_three_months_in_a_row_l33464() {
    // "Personen mit geringfügiger Beschäftigung, z. B. mit Honorarverträgen sind nur dann zu
    // berücksichtigen, wenn sie zusammenhängend mindestens 3 Monate im Jahr beschäftigt werden
    // und zum Zeitpunkt der Erhebung unter Vertrag stehen. Weist der Honorarvertrag keine
    // bestimmte Stundenzahl aus, sind die tatsächlich geleisteten Stunden im Wochendurchschnitt
    // anzugeben." (L33464–33469)
    let honorar = |id: &str, end: &str| StaffMember {
        basis: EmploymentBasis::Marginal,
        contract: period("2012-02-01", end),
        weekly_hours: None,
        actual_weekly_hours: Some(dec("4.25")),
        ..person(id, "0", vec![area(WorkArea::Foerderung, "4.25", None)])
    };
    let mut i = input();
    i.staff = vec![honorar("P2", "2012-04-30"), honorar("P3", "2012-04-29")];
    let r = report(&i);
    assert_eq!(
        excluded(&r),
        [("staff:P3", ExclusionReason::MarginalUnderThreeMonths)]
    );
    assert_eq!(
        areas(&r.staff[0]),
        [(WorkArea::Foerderung, None, "4.3".to_owned())]
    );
    assert!(r.notes[0].message.contains("actual weekly average 4.25"));
}

// ---- Input the count refuses --------------------------------------------------------------

#[test]
fn input_problems_are_listed_and_nothing_is_counted() {
    let mut i = input();
    i.children[0].contracts[0].group = Some(GroupId::from("G9"));
    i.children[1].contracts[0].group = None;
    i.children[2].contracts.push(contract("G2"));
    i.children[3].contracts[0].lunch_days_per_week = 6;
    i.staff = vec![
        person(
            "P1",
            "39",
            vec![area(WorkArea::Gruppenleitung, "30", Some("G1"))],
        ),
        person("P2", "39", Vec::new()),
        StaffMember {
            weekly_hours: None,
            ..person("P3", "1", vec![area(WorkArea::Verwaltung, "1", None)])
        },
    ];
    let errors = count(&i).unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "child:C1: group G9 is not a group of the facility",
            "child:C2: the facility has fixed groups; name the group (L33294-33298, L33420-33423)",
            "child:C3: several care contracts run on the Stichtag 2012-03-01; one contract per day",
            "child:C4: days per week must be 0-7 and lunch days at most the care days",
            "staff:P1: the work areas' hours (30) must add up to the contracted weekly hours (39) (L33435-33437)",
            "staff:P2: at least one work area is required (L33413-33415)",
            "staff:P3: no contracted weekly hours and no actual weekly average (L33467-33469)",
        ]
    );
    assert_eq!(
        serde_json::to_value(&errors[0]).unwrap()["code"],
        "unknown_group"
    );
    let mut i = input();
    i.groups.clear();
    assert_eq!(count(&i).unwrap_err()[0], KjhError::NoGroups);
}

#[test]
fn excluded_records_are_not_checked() {
    // A volunteer without work areas and a former child with an unknown group are simply left
    // out.
    let mut i = input();
    let mut gone = child("C9", "G9");
    gone.contracts[0].term = period("2010-01-01", "2011-07-31");
    i.children.push(gone);
    i.staff.push(StaffMember {
        basis: EmploymentBasis::Volunteer,
        ..person("P8", "2", Vec::new())
    });
    assert_eq!(report(&i).exclusions.len(), 2);
}

#[test]
fn clock_times_and_keys_are_checked_at_construction() {
    assert_eq!(t("07:30").minutes(), 450);
    assert_eq!(t("24:00"), ClockTime::MIDNIGHT_END);
    for bad in ["7:30", "24:01", "07:60", "0730", "ab:cd"] {
        assert_eq!(ClockTime::parse(bad), None, "{bad}");
    }
    assert!(Span::new(t("12:00"), t("12:00")).is_none());
    assert_eq!(TrainingKey::new(0), None);
    assert_eq!(TrainingKey::new(38), None);
    assert_eq!(TrainingKey::new(37).unwrap().to_string(), "37");
    assert_eq!(TrainingKey::new(4).unwrap().to_string(), "04");
}
