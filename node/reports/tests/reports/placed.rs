//! Placed places (3.12.1.3) on `fixtures::placed_contracts`.

use kitanetz_reports::{
    placed_report, AgeBand, Filter, PlacedFigures, PlacedReport, ReportError, WaitBand,
};

use crate::fixtures::{d, dec, half_year, placed_contracts};

fn report(filter: &Filter) -> PlacedReport {
    placed_report(&placed_contracts(), filter).unwrap()
}

fn bands(figures: &PlacedFigures) -> Vec<Option<u64>> {
    figures
        .waiting
        .bands
        .entries
        .iter()
        .map(|e| e.count)
        .collect()
}

fn ages(breakdown: &kitanetz_reports::Breakdown<AgeBand>) -> Vec<Option<u64>> {
    AgeBand::ALL.iter().map(|b| breakdown.count(b)).collect()
}

#[test]
fn the_half_year_counts_as_worked_out_by_hand() {
    let r = report(&half_year());
    assert_eq!(r.concluded, 9);
    let p = &r.placed;
    assert_eq!(p.count, 7);

    assert_eq!(p.waiting.days.count, 6);
    assert_eq!(p.waiting.days.mean, Some(dec("77.7")));
    assert_eq!(p.waiting.days.median, Some(dec("37")));
    assert_eq!(p.waiting.days.max, Some(212));
    assert_eq!(p.waiting.without_desired_start, Some(1));
    assert_eq!(p.waiting.started_early, Some(1));
    assert_eq!(bands(p), [Some(2), Some(1), Some(1), Some(1), Some(1)]);
    let keys: Vec<WaitBand> = p.waiting.bands.entries.iter().map(|e| e.key).collect();
    assert_eq!(keys, WaitBand::PLACED);
    assert_eq!(p.waiting.bands.total, 6);
    assert_eq!(p.waiting.bands.entries[0].percent, Some(dec("33.3")));
    assert_eq!(p.waiting.bands.entries[1].percent, Some(dec("16.7")));

    let ranks: Vec<(Option<u8>, Option<u64>)> = p
        .wish_rank
        .entries
        .iter()
        .map(|e| (e.key, e.count))
        .collect();
    assert_eq!(
        ranks,
        [
            (Some(1), Some(2)),
            (Some(2), Some(2)),
            (Some(3), Some(1)),
            (Some(4), Some(0)),
            (Some(5), Some(0)),
            (None, Some(2)),
        ]
    );

    assert_eq!(
        ages(&p.age_at_desired_start),
        [Some(1), Some(3), Some(2), Some(0)]
    );
    assert_eq!(p.age_at_desired_start.total, 6);
    assert_eq!(ages(&p.age_at_start), [Some(1), Some(4), Some(1), Some(1)]);

    let regions = &p.regions;
    assert_eq!(regions.total, 7);
    let order: Vec<&str> = regions
        .ortsaemter
        .iter()
        .map(|o| o.ortsamt.as_str())
        .collect();
    assert_eq!(order, ["Altstadt", "Neustadt", ""]);
    assert_eq!(regions.ortsamt("Altstadt"), Some(4));
    assert_eq!(regions.stadtteil("Altstadt", "Johannstadt"), Some(2));
    assert_eq!(regions.stadtteil("Altstadt", "Seevorstadt"), Some(2));
    assert_eq!(regions.ortsaemter[0].stadtteile[0].key, "Johannstadt");
    assert_eq!(regions.ortsamt("Neustadt"), Some(2));
    assert_eq!(regions.stadtteil("Neustadt", "Leipziger Vorstadt"), Some(2));
    assert_eq!(regions.ortsamt(""), Some(1));

    let hours: Vec<(String, Option<u64>, Option<String>)> = p
        .daily_hours
        .entries
        .iter()
        .map(|e| (e.key.to_string(), e.count, e.percent.map(|p| p.to_string())))
        .collect();
    // "9.0" (C7) and "9" are one value.
    assert_eq!(
        hours,
        [
            ("4.5".into(), Some(1), Some("14.3".into())),
            ("6".into(), Some(1), Some("14.3".into())),
            ("7".into(), Some(1), Some("14.3".into())),
            ("9".into(), Some(4), Some("57.1".into())),
        ]
    );
}

#[test]
fn belegrecht_places_are_counted_apart() {
    let r = report(&half_year());
    let b = &r.employer_seats;
    assert_eq!(b.count, 2);
    assert_eq!(r.placed.count + b.count, r.concluded);
    assert_eq!(b.waiting.days.count, 1);
    assert_eq!(b.waiting.days.mean, Some(dec("14")));
    assert_eq!(b.waiting.days.median, Some(dec("14")));
    assert_eq!(b.waiting.days.max, Some(14));
    assert_eq!(b.waiting.without_desired_start, Some(1));
    assert_eq!(bands(b), [Some(0), Some(1), Some(0), Some(0), Some(0)]);
    assert_eq!(b.wish_rank.count(&None), Some(2));
    assert_eq!(ages(&b.age_at_start), [Some(0), Some(2), Some(0), Some(0)]);
    assert_eq!(b.regions.stadtteil("Altstadt", "Seevorstadt"), Some(1));
    assert_eq!(
        b.regions.stadtteil("Neustadt", "Leipziger Vorstadt"),
        Some(1)
    );
    let hours: Vec<String> = b
        .daily_hours
        .entries
        .iter()
        .map(|e| e.key.to_string())
        .collect();
    assert_eq!(hours, ["8", "9"]);
    // Not mixed in: the placed figures have no 8-hour contract and C8 is not among Seevorstadt's.
    assert!(r.placed.daily_hours.count(&dec("8")).is_none());
    assert_eq!(
        r.placed.regions.stadtteil("Altstadt", "Seevorstadt"),
        Some(2)
    );
}

#[test]
fn range_ends_are_included() {
    // C1 on `from`, C5 on `until` count; C10 the day before, C11 the day after do not.
    let r = report(&half_year());
    assert_eq!(r.placed.wish_rank.count(&Some(1)), Some(2));

    let mut narrower = half_year();
    narrower.from = d(2025, 1, 2);
    narrower.until = d(2025, 6, 29);
    let r = report(&narrower);
    // Without C1 and C5; C9 (concluded 02.01.) stays.
    assert_eq!(r.placed.count, 5);
    assert_eq!(r.employer_seats.count, 2);
    assert_eq!(r.placed.wish_rank.count(&Some(1)), Some(0));

    let mut wider = half_year();
    wider.from = d(2024, 12, 31);
    wider.until = d(2025, 7, 1);
    assert_eq!(report(&wider).placed.count, 9);
}

#[test]
fn region_filters() {
    let mut f = half_year();
    f.ortsamt = Some("Altstadt".into());
    let r = report(&f);
    // C1, C2, C3, C7 placed; C8 Belegrecht.
    assert_eq!(
        (r.placed.count, r.employer_seats.count, r.concluded),
        (4, 1, 5)
    );
    assert_eq!(r.placed.regions.total, 4);
    assert_eq!(r.placed.regions.ortsaemter.len(), 1);

    f.stadtteil = Some("Johannstadt".into());
    let r = report(&f);
    assert_eq!((r.placed.count, r.employer_seats.count), (2, 0));
    assert_eq!(r.placed.waiting.days.max, Some(180));

    // The unknown region is selected by the empty name.
    let mut f = half_year();
    f.ortsamt = Some(String::new());
    assert_eq!(report(&f).placed.count, 1);
}

#[test]
fn provider_municipal_and_facility_filters() {
    let mut f = half_year();
    f.provider = Some("awo".into());
    let r = report(&f);
    // C3, C4 placed; C8 Belegrecht.
    assert_eq!((r.placed.count, r.employer_seats.count), (2, 1));

    let mut f = half_year();
    f.municipal = Some(true);
    let r = report(&f);
    // K1: C1, C2, C6; C9.
    assert_eq!((r.placed.count, r.employer_seats.count), (3, 1));

    f.municipal = Some(false);
    let r = report(&f);
    // K2, K3: C3, C4, C5, C7; C8.
    assert_eq!((r.placed.count, r.employer_seats.count), (4, 1));

    // A free provider with the municipal filter: nothing.
    f.municipal = Some(true);
    f.provider = Some("awo".into());
    assert_eq!(report(&f).concluded, 0);

    let mut f = half_year();
    f.facility = Some("K1".into());
    let r = report(&f);
    assert_eq!((r.placed.count, r.employer_seats.count), (3, 1));
}

#[test]
fn suppression_hides_small_cells_and_keeps_totals() {
    let r = report(&half_year()).suppressed(3);
    assert_eq!(r.suppressed_below, Some(3));
    assert_eq!(r.concluded, 9);
    let p = &r.placed;
    assert_eq!(p.count, 7);
    // Bands 2, 1, 1, 1, 1: all below 3.
    assert_eq!(bands(p), [None; 5]);
    assert!(p.waiting.bands.entries.iter().all(|e| e.percent.is_none()));
    assert_eq!(p.waiting.bands.total, 6);
    // 6 waiting times: mean, median and max stay.
    assert_eq!(p.waiting.days.median, Some(dec("37")));
    assert_eq!(p.waiting.without_desired_start, None);
    assert_eq!(p.waiting.started_early, None);
    // Ranks 2, 2, 1, 0, 0, 2: zeros stay.
    let ranks: Vec<Option<u64>> = p.wish_rank.entries.iter().map(|e| e.count).collect();
    assert_eq!(ranks, [None, None, None, Some(0), Some(0), None]);
    assert_eq!(ages(&p.age_at_start), [None, Some(4), None, None]);
    assert_eq!(p.regions.ortsamt("Altstadt"), Some(4));
    assert_eq!(p.regions.stadtteil("Altstadt", "Johannstadt"), None);
    assert_eq!(p.regions.ortsamt("Neustadt"), None);
    assert_eq!(p.regions.ortsamt(""), None);
    assert_eq!(p.regions.total, 7);
    assert_eq!(p.daily_hours.count(&dec("9")), Some(4));
    assert_eq!(p.daily_hours.entries[3].percent, Some(dec("57.1")));
    assert_eq!(p.daily_hours.count(&dec("4.5")), None);
    assert_eq!(p.daily_hours.total, 7);

    // Belegrecht: one waiting time, so its statistics are hidden; the count stays.
    let b = &r.employer_seats;
    assert_eq!(b.count, 2);
    assert_eq!(b.waiting.days.count, 1);
    assert_eq!(
        (
            b.waiting.days.mean,
            b.waiting.days.median,
            b.waiting.days.max
        ),
        (None, None, None)
    );

    // k = 2: only the single children disappear.
    let r = report(&half_year()).suppressed(2);
    let ranks: Vec<Option<u64>> = r.placed.wish_rank.entries.iter().map(|e| e.count).collect();
    assert_eq!(ranks, [Some(2), Some(2), None, Some(0), Some(0), Some(2)]);
}

#[test]
fn wrong_input_is_refused() {
    let mut f = half_year();
    f.from = d(2025, 7, 1);
    assert_eq!(
        placed_report(&placed_contracts(), &f),
        Err(ReportError::ReversedRange {
            from: d(2025, 7, 1),
            until: d(2025, 6, 30)
        })
    );
    let mut contracts = placed_contracts();
    contracts[3].wish_rank = Some(6);
    let err = placed_report(&contracts, &half_year()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "placed contract 4 (facility K2): wish rank 6 is not a wish position; give 1 to 5, or \
         none when the facility was not wished"
    );
    contracts[3].wish_rank = Some(0);
    assert!(placed_report(&contracts, &half_year()).is_err());
}

#[test]
fn empty_input_gives_zero_counts() {
    let r = placed_report(&[], &half_year()).unwrap();
    assert_eq!(r.concluded, 0);
    for figures in [&r.placed, &r.employer_seats] {
        assert_eq!(figures.count, 0);
        assert_eq!(figures.waiting.days.mean, None);
        assert_eq!(figures.waiting.days.median, None);
        assert_eq!(figures.waiting.days.max, None);
        assert_eq!(bands(figures), [Some(0); 5]);
        assert!(figures
            .waiting
            .bands
            .entries
            .iter()
            .all(|e| e.percent.is_none()));
        assert_eq!(figures.wish_rank.entries.len(), 6);
        assert!(figures.regions.ortsaemter.is_empty());
        assert!(figures.daily_hours.entries.is_empty());
    }
    let s = r.suppressed(3);
    assert_eq!(s.placed.count, 0);
    assert_eq!(bands(&s.placed), [Some(0); 5]);
}

#[test]
fn records_and_reports_go_through_json() {
    let json = r#"{
        "facility": "K1", "facility_name": "Kita K1", "provider": "city",
        "provider_is_municipal": true,
        "region": {"ortsamt": "Altstadt", "stadtteil": "Seevorstadt"},
        "birth_date": "2024-03-10", "desired_start": "2025-03-01", "start": "2025-03-01",
        "concluded_on": "2025-01-01", "wish_rank": 1, "daily_hours": "9",
        "care_type": "krippe", "employer_seat": false
    }"#;
    let contract: kitanetz_reports::PlacedContract = serde_json::from_str(json).unwrap();
    assert_eq!(contract, placed_contracts()[0]);
    let unknown = json.replace("\"wish_rank\"", "\"name\": \"Mia\", \"wish_rank\"");
    assert!(serde_json::from_str::<kitanetz_reports::PlacedContract>(&unknown).is_err());

    let filter: Filter =
        serde_json::from_str(r#"{"from": "2025-01-01", "until": "2025-06-30"}"#).unwrap();
    assert_eq!(filter, half_year());

    let value = serde_json::to_value(report(&half_year()).suppressed(3)).unwrap();
    assert_eq!(value["concluded"], 9);
    assert_eq!(value["suppressed_below"], 3);
    assert_eq!(value["placed"]["waiting"]["days"]["median"], "37");
    assert_eq!(value["placed"]["wish_rank"]["entries"][0]["key"], 1);
    assert_eq!(
        value["placed"]["wish_rank"]["entries"][0]["count"],
        serde_json::Value::Null
    );
    assert_eq!(
        value["placed"]["wish_rank"]["entries"][5]["key"],
        serde_json::Value::Null
    );
    assert_eq!(
        value["placed"]["age_at_start"]["entries"][1]["key"],
        "one_to_two"
    );
    assert_eq!(
        value["placed"]["waiting"]["bands"]["entries"][4]["key"],
        "days_over_180"
    );
}
