//! Annex L's rules and worked examples. `L…` are lines of seed 004; the Stichtag is the form's,
//! 1 March 2012 (L30383).

use super::*;
use rust_decimal::Decimal;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn t(s: &str) -> ClockTime {
    ClockTime::parse(s).unwrap()
}

fn span(from: &str, to: &str) -> Span {
    Span::new(t(from), t(to)).unwrap()
}

fn open_from(start: &str) -> Period {
    Period::new(d(start), None).unwrap()
}

fn period(start: &str, end: &str) -> Period {
    Period::new(d(start), Some(d(end))).unwrap()
}

/// A Diakonie facility with 40 places, groups G1 and G2, open 07:00–17:00 Monday to Friday.
fn facility() -> Facility {
    Facility {
        traeger_art: TraegerArt::Diakonie,
        rechtsform: Rechtsform::GemeinnuetzigerVerein,
        approved_places: 40,
        places_for_employees_children: 0,
        parent_initiative: false,
        fixed_groups: true,
        opening_hours: WeekHours::weekdays(&[span("07:00", "17:00")]),
        closures: Vec::new(),
    }
}

fn group(id: &str) -> Group {
    Group {
        id: GroupId::from(id),
        opening_hours: None,
    }
}

fn contract(group: &str) -> CareContract {
    CareContract {
        term: open_from("2011-08-01"),
        group: Some(GroupId::from(group)),
        weekly_hours: dec("35"),
        days_per_week: 5,
        weekend_care: false,
        midday_break: false,
        lunch_days_per_week: 5,
    }
}

fn child(id: &str, group: &str) -> Child {
    Child {
        id: ChildId::from(id),
        sex: Sex::Female,
        birth_date: d("2008-05-14"),
        contracts: vec![contract(group)],
        in_school: false,
        parents: Vec::new(),
        non_german_family_language: false,
        integration_aid: Vec::new(),
    }
}

fn area(area: WorkArea, hours: &str, group: Option<&str>) -> WorkAreaHours {
    WorkAreaHours {
        area,
        weekly_hours: dec(hours),
        group: group.map(GroupId::from),
    }
}

/// An Erzieherin (Schlüssel B 04) employed since 2010.
fn person(id: &str, hours: &str, areas: Vec<WorkAreaHours>) -> StaffMember {
    StaffMember {
        id: StaffId::from(id),
        sex: Sex::Female,
        birth_date: d("1972-07-01"),
        contract: open_from("2010-01-01"),
        basis: EmploymentBasis::Employment,
        absences: Vec::new(),
        weekly_hours: Some(dec(hours)),
        actual_weekly_hours: None,
        role: StaffRole::Pedagogical {
            position: Position::Employee,
            training_key: TrainingKey::new(4).unwrap(),
            work_areas: areas,
        },
    }
}

fn domestic(id: &str, hours: &str) -> StaffMember {
    StaffMember {
        role: StaffRole::DomesticTechnical {
            external_firm: false,
        },
        ..person(id, hours, Vec::new())
    }
}

/// Five children in G1, one lead of G1: a facility inside the survey's scope.
fn input() -> KjhInput {
    KjhInput {
        reference_date: d("2012-03-01"),
        facility: facility(),
        groups: vec![group("G1"), group("G2")],
        children: ["C1", "C2", "C3", "C4", "C5"]
            .iter()
            .map(|id| child(id, "G1"))
            .collect(),
        staff: vec![person(
            "P1",
            "39",
            vec![area(WorkArea::Gruppenleitung, "39", Some("G1"))],
        )],
    }
}

fn report(input: &KjhInput) -> KjhReport {
    count(input).unwrap_or_else(|errors| panic!("{errors:#?}"))
}

fn counted_child<'a>(report: &'a KjhReport, id: &str) -> &'a ChildRecord {
    report
        .children
        .iter()
        .find(|c| c.id.0 == id)
        .unwrap_or_else(|| panic!("{id} not counted: {:?}", report.exclusions))
}

fn excluded(report: &KjhReport) -> Vec<(&str, ExclusionReason)> {
    report
        .exclusions
        .iter()
        .map(|e| (e.record.as_str(), e.reason))
        .collect()
}

fn areas(record: &StaffRecord) -> Vec<(WorkArea, Option<u32>, String)> {
    record
        .work_areas
        .iter()
        .map(|a| (a.area, a.group_number, a.weekly_hours.to_string()))
        .collect()
}

// ---- C: opening and closing times -------------------------------------------------------------

#[test]
fn opens_at_seven_on_three_of_five_days_closed_over_midday_closes_at_seventeen_l33200() {
    // "Eine Einrichtung öffnet an drei von fünf Tagen morgens um 7.00 Uhr; über Mittag ist die
    // Einrichtung zwischen 12.00 Uhr und 14.00 Uhr geschlossen und nachmittags schließt die
    // Einrichtung um 17.00 Uhr. Als Öffnungszeit ist hier: 07.00 Uhr anzugeben und als
    // Zeitpunkt, zu dem die Einrichtung schließt, ist 17.00 Uhr anzugeben." (L33200–33204)
    let mut i = input();
    let early = vec![span("07:00", "12:00"), span("14:00", "17:00")];
    let late = vec![span("08:00", "12:00"), span("14:00", "17:00")];
    i.facility.opening_hours.days = [
        early.clone(),
        early.clone(),
        early,
        late.clone(),
        late,
        Vec::new(),
        Vec::new(),
    ];
    let r = report(&i);
    assert_eq!(
        r.facility.opens_early,
        TimeAnswer {
            yes: true,
            time: Some(t("07:00"))
        }
    );
    assert_eq!(
        r.facility.closes_late,
        TimeAnswer {
            yes: true,
            time: Some(t("17:00"))
        }
    );
    assert_eq!(
        serde_json::to_value(r.facility.opens_early).unwrap()["time"],
        "07:00"
    );
}

#[test]
fn early_on_only_two_weekdays_is_not_most_weekdays() {
    let mut i = input();
    let mut days = WeekHours::weekdays(&[span("08:00", "16:00")]);
    days.days[0] = vec![span("07:00", "17:00")];
    days.days[1] = vec![span("07:00", "17:00")];
    i.facility.opening_hours = days;
    let r = report(&i);
    assert_eq!(
        r.facility.opens_early,
        TimeAnswer {
            yes: false,
            time: None
        }
    );
    assert!(!r.facility.closes_late.yes);
}

#[test]
fn exactly_0730_and_1630_answer_yes() {
    let mut i = input();
    i.facility.opening_hours = WeekHours::weekdays(&[span("07:30", "16:30")]);
    let r = report(&i);
    assert_eq!(r.facility.opens_early.time, Some(t("07:30")));
    assert_eq!(r.facility.closes_late.time, Some(t("16:30")));
    i.facility.opening_hours = WeekHours::weekdays(&[span("07:31", "16:29")]);
    let r = report(&i);
    assert!(!r.facility.opens_early.yes && !r.facility.closes_late.yes);
}

#[test]
fn a_groups_own_hours_count_for_at_least_half_of_the_children_l33194() {
    // "Sofern die Einrichtung nur für einzelne Gruppen um 7.30 Uhr oder früher öffnet bzw. um
    // 16.30 Uhr oder später schließt, so sind diese Öffnungszeiten zu berücksichtigen;
    // vorausgesetzt, dies ist an den meisten Wochentagen und für mindestens die Hälfte der in
    // der Einrichtung betreuten Kinder der Fall." (L33194–33197)
    let with = |early_group: usize, other: usize| {
        let mut i = input();
        i.facility.opening_hours = WeekHours::weekdays(&[span("08:00", "16:00")]);
        i.groups[0].opening_hours = Some(WeekHours::weekdays(&[span("06:45", "17:15")]));
        i.children = (0..early_group)
            .map(|n| child(&format!("A{n:02}"), "G1"))
            .chain((0..other).map(|n| child(&format!("B{n:02}"), "G2")))
            .collect();
        report(&i).facility
    };
    let half = with(12, 12);
    assert_eq!(half.opens_early.time, Some(t("06:45")));
    assert_eq!(half.closes_late.time, Some(t("17:15")));
    let fewer = with(11, 13);
    assert_eq!(
        (fewer.opens_early, fewer.closes_late),
        (
            TimeAnswer {
                yes: false,
                time: None
            },
            TimeAnswer {
                yes: false,
                time: None
            }
        )
    );
}

// ---- F, G: children ------------------------------------------------------------------------

#[test]
fn all_children_with_a_care_relation_on_the_stichtag_count_l33232() {
    // "Es sind alle Kinder zu berücksichtigen, die am Stichtag ein Betreuungsverhältnis in der
    // Einrichtung haben." (L33232)
    let mut i = input();
    let mut ended = child("C6", "G1");
    ended.contracts[0].term = period("2011-08-01", "2012-02-29");
    let mut starts = child("C7", "G2");
    starts.contracts[0].term = open_from("2012-03-01");
    let mut later = child("C8", "G1");
    later.contracts[0].term = open_from("2012-03-02");
    let mut changed = child("C9", "G1");
    changed.contracts = vec![
        CareContract {
            term: period("2011-08-01", "2012-02-29"),
            weekly_hours: dec("25"),
            ..contract("G1")
        },
        CareContract {
            term: open_from("2012-03-01"),
            weekly_hours: dec("45"),
            ..contract("G2")
        },
    ];
    i.children.extend([ended, starts, later, changed]);
    let r = report(&i);
    assert_eq!(r.facility.children, 7);
    assert_eq!(
        excluded(&r),
        [
            ("child:C6", ExclusionReason::NoContractOnReferenceDate),
            ("child:C8", ExclusionReason::NoContractOnReferenceDate),
        ]
    );
    assert_eq!(
        r.exclusions[0].message,
        "child C6 not counted: no care contract running on the Stichtag 2012-03-01 (L33232)"
    );
    let c9 = counted_child(&r, "C9");
    assert_eq!((c9.group_number, c9.weekly_hours), (2, 45));
}

#[test]
fn thirty_hours_on_five_days_with_a_break_from_twelve_to_two_l33319() {
    // "Für ein Kind wird ein Betreuungsvertrag über 30 Stunden pro Woche geschlossen. Die
    // Betreuung des Kindes findet an 5 Tagen pro Woche zwischen 8.00 Uhr und 12.00 Uhr statt
    // sowie zwischen 14.00 Uhr und 16.00 Uhr." (L33319–33323)
    let mut i = input();
    i.children[0].contracts[0].weekly_hours = dec("30");
    i.children[0].contracts[0].midday_break = true;
    let r = report(&i);
    let c1 = counted_child(&r, "C1");
    assert_eq!((c1.weekly_hours, c1.days_per_week), (30, 5));
    assert!(c1.midday_break);
    assert!(r.notes.is_empty());
}

#[test]
fn midday_break_is_not_ticked_for_school_children_l33323() {
    // "Vor- und nachmittags mit Unterbrechung über Mittag ist nicht für Schulkinder
    // anzukreuzen" (L33323–33327).
    let mut i = input();
    i.children[0].contracts[0].midday_break = true;
    i.children[0].in_school = true;
    let r = report(&i);
    let c1 = counted_child(&r, "C1");
    assert!(!c1.midday_break && c1.in_school);
    assert_eq!(r.notes.len(), 1);
    assert!(r.notes[0]
        .message
        .starts_with("child:C1: midday break not ticked"));
}

#[test]
fn lunch_counts_on_at_least_half_of_the_care_days_l33330() {
    // "Mittagsverpflegung ist dann anzukreuzen, wenn das Kind an mindestens der Hälfte der
    // betreuten Tage pro Woche ein über die Einrichtung organisiertes Essen erhält." (L33330–33332)
    for (days, lunch_days, lunch) in [(5, 3, true), (5, 2, false), (4, 2, true), (5, 0, false)] {
        let mut i = input();
        i.children[0].contracts[0].days_per_week = days;
        i.children[0].contracts[0].lunch_days_per_week = lunch_days;
        assert_eq!(
            counted_child(&report(&i), "C1").lunch,
            lunch,
            "{lunch_days} of {days}"
        );
    }
}

#[test]
fn weekly_hours_are_whole_hours_rounded_half_up() {
    for (hours, whole) in [("36.5", 37), ("36.49", 36), ("9.5", 10)] {
        let mut i = input();
        i.children[0].contracts[0].weekly_hours = dec(hours);
        assert_eq!(counted_child(&report(&i), "C1").weekly_hours, whole);
    }
}

#[test]
fn birth_month_year_sex_and_weekend_are_carried_l33305() {
    let mut i = input();
    i.children[0].sex = Sex::Male;
    i.children[0].contracts[0].weekend_care = true;
    i.children[0].non_german_family_language = true;
    let r = report(&i);
    let c1 = counted_child(&r, "C1");
    assert_eq!((c1.birth_month, c1.birth_year, c1.sex), (5, 2008, "1"));
    assert!(c1.weekend_care && c1.non_german_language);
}

fn parent(role: ParentRole, lives_with_child: bool, from_abroad: bool) -> ParentFigure {
    ParentFigure {
        role,
        lives_with_child,
        from_abroad,
    }
}

fn origin(parents: Vec<ParentFigure>) -> bool {
    let mut i = input();
    i.children[0].parents = parents;
    counted_child(&report(&i), "C1").foreign_origin
}

#[test]
fn foreign_origin_goes_by_where_parents_come_from_not_citizenship_l33341() {
    use ParentRole::{Father, Mother, PartnerOfParent};
    // "Die Familienmitglieder sind als Aussiedler aus Russland mit deutscher Staatsangehörigkeit
    // nach Deutschland gekommen. In dem Fall ist „Ja“ anzugeben." (L33342–33344)
    assert!(origin(vec![
        parent(Mother, true, true),
        parent(Father, true, true)
    ]));
    // "Die Eltern sind aus der Türkei nach Deutschland gekommen und haben die deutsche
    // Staatsbürgerschaft angenommen. In diesem Fall ist „Ja“ anzugeben." (L33345–33347)
    assert!(origin(vec![
        parent(Mother, true, true),
        parent(Father, true, false)
    ]));
    // "Die Eltern sind in Deutschland geboren und aufgewachsen und haben die italienische
    // Staatsangehörigkeit … In diesem Fall ist „Nein“ anzugeben." (L33348–33350)
    assert!(!origin(vec![
        parent(Mother, true, false),
        parent(Father, true, false)
    ]));
    // Separated: only the parent the child lives with (L33338–33339) …
    assert!(!origin(vec![
        parent(Mother, true, false),
        parent(Father, false, true)
    ]));
    // … and that parent's new partner (L33339–33340).
    assert!(origin(vec![
        parent(Mother, true, false),
        parent(Father, false, false),
        parent(PartnerOfParent, true, true),
    ]));
}

#[test]
fn integration_aid_needs_an_official_decision_and_several_disabilities_tick_several_boxes() {
    // "Sofern das Kind eine anerkannte Mehrfachbehinderung hat … sind beide Felder anzukreuzen"
    // (L33377–33379); "In keinem Fall … wenn es sich lediglich um eine Einschätzung der
    // Auskunft gebenden Einrichtung handelt" (L33383–33386).
    let mut i = input();
    let aid = |disability, official_decision| IntegrationAid {
        disability,
        official_decision,
    };
    i.children[0].integration_aid = vec![
        aid(Disability::Physical, true),
        aid(Disability::Mental, true),
        aid(Disability::Emotional, false),
    ];
    let r = report(&i);
    let c1 = counted_child(&r, "C1");
    assert_eq!(
        (
            c1.integration_physical,
            c1.integration_mental,
            c1.integration_emotional
        ),
        (true, true, false)
    );
    assert_eq!(r.notes.len(), 1);
    assert!(r.notes[0].message.contains("not ticked"));
}

#[test]
fn groups_are_numbered_in_order_and_children_lines_count_on_l33297() {
    let mut i = input();
    i.groups = vec![group("Z-Igel"), group("A-Bären")];
    i.staff.clear();
    i.children = vec![
        child("K2", "Z-Igel"),
        child("K1", "A-Bären"),
        child("K3", "A-Bären"),
    ];
    let r = report(&i);
    let lines: Vec<(&str, u32, u32)> = r
        .children
        .iter()
        .map(|c| (c.id.0.as_str(), c.group_number, c.line))
        .collect();
    assert_eq!(lines, [("K1", 1, 1), ("K3", 1, 2), ("K2", 2, 3)]);
    assert_eq!(
        (r.facility.groups, r.facility.without_fixed_groups),
        (2, false)
    );
}

#[test]
fn without_fixed_groups_it_is_one_group_and_number_99_l33221_l33300() {
    // "Einrichtungen mit einer offenen Struktur ohne Einzelgruppen … geben hier „1“ an"
    // (L33221–33223); "Einrichtungen ohne feste Gruppenstruktur tragen bitte eine „99“ ein"
    // (L33300–33301).
    let mut i = input();
    i.facility.fixed_groups = false;
    i.children[1].contracts[0].group = None;
    i.staff[0] = person("P1", "39", vec![area(WorkArea::Gruppenleitung, "39", None)]);
    let r = report(&i);
    assert_eq!(
        (r.facility.groups, r.facility.without_fixed_groups),
        (1, true)
    );
    assert!(r
        .children
        .iter()
        .all(|c| c.group_number == WITHOUT_FIXED_GROUPS));
    assert_eq!(
        areas(&r.staff[0]),
        [(WorkArea::Gruppenleitung, Some(99), "39.0".to_owned())]
    );
}

#[test]
fn more_children_than_places_is_no_error_wechselgruppen_l33289() {
    let mut i = input();
    i.facility.approved_places = 10;
    i.children = (0..14).map(|n| child(&format!("C{n:02}"), "G1")).collect();
    let r = report(&i);
    assert_eq!((r.facility.children, r.facility.approved_places), (14, 10));
    assert!(r.scope.is_empty(), "{:?}", r.scope);
}

// ---- A–E: facility ------------------------------------------------------------------------

#[test]
fn most_places_for_employees_children_answers_question_3_l33205() {
    let mut i = input();
    i.facility.approved_places = 20;
    i.facility.places_for_employees_children = 11;
    assert!(report(&i).facility.mainly_employees_children);
    i.facility.places_for_employees_children = 10;
    assert!(!report(&i).facility.mainly_employees_children);
}

#[test]
fn the_facility_sheet_serialises_with_the_forms_keys() {
    let mut i = input();
    i.facility.parent_initiative = true;
    let json = serde_json::to_value(report(&i)).unwrap();
    assert_eq!(json["facility"]["traeger_art"], "08");
    assert_eq!(json["facility"]["rechtsform"], "02");
    assert_eq!(json["facility"]["parent_initiative"], true);
    assert_eq!(json["staff"][0]["training_key"], "04");
    assert_eq!(json["staff"][0]["position"], "1");
    assert_eq!(json["staff"][0]["work_areas"][0]["area"], "1");
    assert_eq!(json["staff"][0]["work_areas"][0]["weekly_hours"], "39.0");
    assert_eq!(TraegerArt::ALL.len(), 15);
    assert_eq!(Rechtsform::ALL.len(), 11);
}

#[test]
fn a_temporarily_closed_facility_reports_on_the_last_month_end_it_was_open_l30410() {
    // "Bei Einrichtungen, die zu diesem Zeitpunkt vorübergehend geschlossen sind, gilt als
    // Stichtag das letzte vorausgehende Monatsende, an dem die Einrichtung noch geöffnet war."
    // (L30410–30412)
    let mut i = input();
    i.facility.closures = vec![period("2012-03-01", "2012-03-02")];
    assert_eq!(report(&i).reference_date, d("2012-02-29"));
    i.facility.closures = vec![period("2012-02-20", "2012-03-10")];
    let mut new = child("C6", "G1");
    new.contracts[0].term = open_from("2012-02-01");
    i.children.push(new);
    let r = report(&i);
    assert_eq!(r.reference_date, d("2012-01-31"));
    assert_eq!(
        excluded(&r),
        [("child:C6", ExclusionReason::NoContractOnReferenceDate)]
    );
    assert!(r.exclusions[0].message.contains("2012-01-31"));
    i.facility.closures = Vec::new();
    assert_eq!(report(&i).reference_date, d("2012-03-01"));
}

#[test]
fn scope_criteria_not_met_are_reported_not_decided_l32906() {
    // "mindestens 10 Plätze …, von denen mindestens 5 belegt sein müssen", "mindestens eine
    // nicht ehrenamtlich tätige Person", "Mindestöffnungszeit von 10 Stunden pro Woche",
    // "Mindestbesuchszeit des Kindes von 10 Stunden in der Woche" (L32910–32924).
    let mut i = input();
    i.facility.approved_places = 8;
    i.facility.opening_hours = WeekHours::weekdays(&[span("09:00", "10:30")]);
    i.children.truncate(3);
    i.children[2].contracts[0].weekly_hours = dec("7.5");
    i.staff[0].basis = EmploymentBasis::Volunteer;
    let r = report(&i);
    let messages: Vec<&str> = r.scope.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "facility: 8 approved places, the survey needs at least 10 (L32910)",
            "facility: 3 places taken, the survey needs at least 5 (L32910-32911)",
            "facility: nobody counted works other than as a volunteer (L32915)",
            "facility: open 7.5 hours a week, the survey needs at least 10 (L32919)",
            "child:C3: contracted for 7.5 hours a week, under the regular minimum attendance of 10 (L32923-32924)",
        ]
    );
    assert_eq!(r.facility.children, 3, "the form is filled all the same");
}

#[test]
fn weekly_opening_is_the_union_of_facility_and_group_hours() {
    let facility_hours = WeekHours::weekdays(&[span("08:00", "12:00"), span("14:00", "16:00")]);
    let group_hours = WeekHours::weekdays(&[span("07:00", "09:00"), span("11:00", "15:00")]);
    // Per day 07:00–16:00 = 9 h.
    assert_eq!(
        opening::weekly_opening_minutes(&[&facility_hours, &group_hours]),
        5 * 9 * 60
    );
}

mod case;
mod staff;
