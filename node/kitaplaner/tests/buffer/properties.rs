//! Invariants over random contracts, through the typed API (no JSON): rows never overlap, cover
//! exactly the eligible days, carry the hours in force on every one of their days, and do not
//! depend on the order of the lines.

use chrono::{Days, NaiveDate};
use kitanetz_kitaplaner::ids::{
    ContractHeadId, ContractLineId, FacilityId, OrgAssignmentId, ServiceId,
};
use kitanetz_kitaplaner::model::{
    Address, Child, ChildRecord, ContactAssignment, ContractHead, ContractLine, ExportSettings,
    Facility, OrgAssignment, Service,
};
use kitanetz_kitaplaner::period::split_at_changes;
use kitanetz_kitaplaner::{fill_export_buffer, BetreuungszeitMapping, Hours, Period};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 1, 1).unwrap()
}

fn day(offset: u64) -> NaiveDate {
    base() + Days::new(offset)
}

/// Days examined: a margin before the first possible start and after the last possible end.
const WINDOW: u64 = 400;

#[derive(Debug, Clone)]
struct LineSpec {
    start: u64,
    length: Option<u64>,
    flagged: bool,
    cancelled: bool,
    /// Hours in hundredths.
    service_hours: i64,
    override_hours: Option<i64>,
}

fn line_spec() -> impl Strategy<Value = LineSpec> {
    (
        1..200u64,
        prop::option::weighted(0.8, 0..120u64),
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.15),
        0..1200i64,
        prop::option::weighted(0.2, 0..1200i64),
    )
        .prop_map(
            |(start, length, flagged, cancelled, service_hours, override_hours)| LineSpec {
                start,
                length,
                flagged,
                cancelled,
                service_hours,
                override_hours,
            },
        )
}

fn hundredths(n: i64) -> Hours {
    Hours::new(Decimal::new(n, 2)).unwrap()
}

impl LineSpec {
    fn period(&self) -> Period {
        Period::new(day(self.start), self.length.map(|l| day(self.start + l))).unwrap()
    }

    fn eligible(&self) -> bool {
        self.flagged && !self.cancelled
    }

    fn hours(&self) -> Hours {
        hundredths(self.override_hours.unwrap_or(self.service_hours))
    }
}

/// One child, one exportable facility for all time, one head KP-1 with the lines; every line
/// books a service of its own so that flags and hours vary per line.
fn world(specs: &[LineSpec]) -> (ChildRecord, ExportSettings) {
    let services = specs
        .iter()
        .enumerate()
        .map(|(i, s)| Service {
            id: ServiceId(format!("S{i}")),
            name: None,
            transfer_to_kitaplaner: s.flagged,
            daily_hours: Some(hundredths(s.service_hours)),
        })
        .collect();
    let lines = specs
        .iter()
        .enumerate()
        .map(|(i, s)| ContractLine {
            id: ContractLineId(format!("L{i}")),
            service: ServiceId(format!("S{i}")),
            period: s.period(),
            cancelled: s.cancelled,
            daily_hours_override: s.override_hours.map(hundredths),
        })
        .collect();
    let record = ChildRecord {
        child: Child {
            last_name: "Petersen".into(),
            first_name: "Mia".into(),
            birth_date: NaiveDate::from_ymd_opt(2019, 3, 14).unwrap(),
            address: Address::default(),
        },
        contacts: vec![],
        contact_assignment: ContactAssignment::default(),
        org_assignments: vec![OrgAssignment {
            id: OrgAssignmentId("OA1".into()),
            facility: FacilityId("F1".into()),
            period: Period::starting(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()),
            early_discharge: false,
        }],
        contracts: vec![ContractHead {
            id: ContractHeadId("BV-1".into()),
            kind_id_extern: Some("KP-1".into()),
            lines,
        }],
        facilities: vec![Facility {
            id: FacilityId("F1".into()),
            name: None,
            area: "kita".into(),
            kita_id_extern: Some("0100123".into()),
        }],
    };
    let settings = ExportSettings {
        configured_areas: ["kita".to_owned()].into(),
        mapping: BetreuungszeitMapping::seed_default(),
        services,
    };
    (record, settings)
}

/// The summed hours of the eligible lines in force on `d`, `None` when none is.
fn hours_on(specs: &[LineSpec], d: NaiveDate) -> Option<Hours> {
    let active: Vec<&LineSpec> = specs
        .iter()
        .filter(|s| s.eligible() && s.period().contains(d))
        .collect();
    (!active.is_empty()).then(|| active.iter().map(|s| s.hours()).sum())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The pieces are ascending and disjoint, and a day lies in a piece exactly when it lies in
    /// one of the periods.
    #[test]
    fn pieces_partition_the_union(specs in prop::collection::vec(line_spec(), 0..8)) {
        let periods: Vec<Period> = specs.iter().map(LineSpec::period).collect();
        let pieces = split_at_changes(&periods);
        for pair in pieces.windows(2) {
            let end = pair[0].end().expect("only the last piece may be open");
            prop_assert!(end < pair[1].start());
        }
        for offset in 0..WINDOW {
            let d = day(offset);
            let in_pieces = pieces.iter().filter(|p| p.contains(d)).count();
            let in_periods = periods.iter().any(|p| p.contains(d));
            prop_assert_eq!(in_pieces, usize::from(in_periods), "day {}", d);
        }
    }

    /// Without a gap the rows cover exactly the eligible days, never overlap, are indexed 1…n and
    /// carry on each of their days the hours in force then; with a gap there are no rows and the
    /// gaps are exactly the uncovered days between the first and the last eligible day.
    #[test]
    fn rows_cover_exactly_the_eligible_days(specs in prop::collection::vec(line_spec(), 1..7)) {
        let (record, settings) = world(&specs);
        let buffer = fill_export_buffer(&record, &settings).unwrap();
        let eligible_days: Vec<NaiveDate> = (0..WINDOW)
            .map(day)
            .filter(|d| hours_on(&specs, *d).is_some())
            .collect();
        if buffer.care_gaps.is_empty() {
            let n = buffer.rows.len();
            prop_assert_eq!(n == 0, eligible_days.is_empty());
            for (i, row) in buffer.rows.iter().enumerate() {
                prop_assert_eq!(row.change_index, i + 1);
                prop_assert_eq!(row.change_total, n);
                prop_assert_eq!(row.betreuungszeit_id, settings.mapping.id_for(row.hours));
                prop_assert_eq!(row.notice_date, None);
                if let Some(next) = buffer.rows.get(i + 1) {
                    // Without a gap the next row starts the day after this one ends.
                    prop_assert_eq!(row.period.day_after(), Some(next.contract_from()));
                }
            }
            for offset in 0..WINDOW {
                let d = day(offset);
                let covering: Vec<_> = buffer.rows.iter().filter(|r| r.period.contains(d)).collect();
                match hours_on(&specs, d) {
                    None => prop_assert!(covering.is_empty(), "row on a day without line: {}", d),
                    Some(hours) => {
                        prop_assert_eq!(covering.len(), 1, "day {}", d);
                        prop_assert_eq!(covering[0].hours, hours, "hours on {}", d);
                    }
                }
            }
        } else {
            prop_assert!(buffer.rows.is_empty());
            let (first, last) = (eligible_days[0], *eligible_days.last().unwrap());
            let gap_days: Vec<NaiveDate> = (0..WINDOW)
                .map(day)
                .filter(|d| buffer.care_gaps.iter().any(|g| g.days.contains(*d)))
                .collect();
            let uncovered: Vec<NaiveDate> = (0..WINDOW)
                .map(day)
                .filter(|d| first < *d && *d < last && hours_on(&specs, *d).is_none())
                .collect();
            prop_assert_eq!(gap_days, uncovered);
            for pair in buffer.care_gaps.windows(2) {
                // Maximal runs: something covered lies between two gaps.
                prop_assert!(pair[0].days.day_after().unwrap() < pair[1].days.start());
            }
        }
    }

    /// The order of the lines in the case does not matter.
    #[test]
    fn line_order_does_not_matter(specs in prop::collection::vec(line_spec(), 1..7)) {
        let (record, settings) = world(&specs);
        let mut reversed = record.clone();
        reversed.contracts[0].lines.reverse();
        prop_assert_eq!(
            fill_export_buffer(&record, &settings).unwrap(),
            fill_export_buffer(&reversed, &settings).unwrap()
        );
    }

    /// More hours never map to a lower Betreuungszeit (the seed's table is ordered).
    #[test]
    fn the_mapping_is_monotone(a in 0..2000i64, b in 0..2000i64) {
        let m = BetreuungszeitMapping::seed_default();
        let (low, high) = (a.min(b), a.max(b));
        prop_assert!(m.id_for(hundredths(low)) <= m.id_for(hundredths(high)));
    }
}
