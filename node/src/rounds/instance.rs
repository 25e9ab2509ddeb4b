//! The engine's input of a round from the city's pseudonymous data (pure, no I/O): which
//! applications take part, the programs and their seats, and the facts the criteria catalogue
//! reads.
//!
//! - **Children.** Every active application in placement (the caller passes only those the
//!   intake admitted) whose desired start falls in the round's window, that is not placed, holds
//!   no seat at any Kita and has no open proposal or offer. Its wishes are the Kitas in the
//!   parents' order, without those that declined it and those whose offer the parents refused.
//!   Kindertagespflege wishes are placed by the district's office, not by the engine. An
//!   application without a wish left is not in the round.
//! - **Programs.** A Kita × the child's care type × the month of the desired start. Seats are the
//!   ledger's free seats that month (places − occupied − held; PLACEMENT.md "seats = approved
//!   places − occupied by contracts ± reservations") less the proposals of earlier rounds the Kita
//!   has not answered yet, so that two rounds never promise one seat twice. A Kita whose ledger
//!   never reached the city has none.
//! - **Transfers.** A Wechselantrag's child keeps the seat it holds at its old Kita as an
//!   implicit last wish (PLACEMENT.md): a program of one seat for it alone, so that it moves
//!   only up and counts as `kept_current`, not as unplaced. The seat is not handed on in the same
//!   round; the old Kita's ledger frees it from the transfer date once the new contract is
//!   concluded (`SeatMonth::leaving`).
//! - **Priorities.** The catalogue (the Lastenheft's default: sibling in this Kita, desired start,
//!   birth date) compiled from the facts; remaining ties by the lottery drawn from the round's
//!   seed. Integration and sibling flags are facts, never the rank a parent gave.
//! - **Statistics.** The home district and the birth date ride along (the instance's optional
//!   fields), the reference date is the window's first day.

use crate::applications::sequential::{status, Ledgers};
use kitanetz_crdt::ids::{ApplicationId, FacilityId, ProviderId};
use kitanetz_crdt::kinds::{Application, CareType};
use kitanetz_crdt::scalar::Date;
use kitanetz_placement::catalogue::{apply_seed, Catalogue, CatalogueError, ChildFacts, Facts};
use kitanetz_placement::instance::{Child, Program, INPUT_FORMAT};
use kitanetz_placement::{ChildId, GroupId, Instance, ProgramId};
use std::collections::{BTreeMap, HashMap};

/// One application the city holds, with what its applicant half adds.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub application: &'a Application,
    /// The Kitas in the parents' order, best first.
    pub ranked: &'a [FacilityId],
    pub birth_date: Date,
    pub district: Option<&'a str>,
    /// As the parents gave it (a flag for local criteria, [`super::catalogue::child_flags`]).
    pub denomination: &'a str,
}

/// The months of desired starts a round takes (first days of months, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Date,
    pub to: Date,
}

impl Window {
    fn contains(&self, day: Date) -> bool {
        let month = first_of_month(day);
        self.from <= month && month <= self.to
    }
}

pub fn first_of_month(day: Date) -> Date {
    Date::ymd(
        chrono::Datelike::year(&day.0),
        chrono::Datelike::month(&day.0),
        1,
    )
}

/// A program's id: Kita, care type and month, e.g. `kita-12/nursery/2027-08`.
pub fn program_id(facility: &FacilityId, care_type: CareType, month: Date) -> ProgramId {
    ProgramId::new(format!(
        "{}/{}/{}",
        facility.0,
        care_type.as_str(),
        month.0.format("%Y-%m")
    ))
}

/// The seat a transfer child holds at its old Kita, as a program of its own, e.g.
/// `kita-3/current/app-17`.
pub fn current_program(old: &FacilityId, application: &ApplicationId) -> ProgramId {
    ProgramId::new(format!("{}/current/{}", old.0, application.0))
}

/// The round's input and how to read its result back.
#[derive(Debug, Clone)]
pub struct Built {
    pub instance: Instance,
    /// The Kita of every program.
    pub facility_of: BTreeMap<ProgramId, FacilityId>,
    /// The application of every child (the child id is the application id).
    pub applications: BTreeMap<ChildId, ApplicationId>,
}

/// Whether `application` may take part in a round at all (before its window and wishes).
fn free_to_place(application: &Application, ledgers: &Ledgers) -> bool {
    application.status == "active"
        && !application.wishes.iter().any(|w| {
            matches!(
                w.status.as_str(),
                status::PLACED | status::PLACED_ELSEWHERE | status::PROPOSED | status::OFFERED
            ) || ledgers
                .of(&w.facility)
                .and_then(|l| l.hold_of(&w.handle))
                .is_some()
        })
}

/// The wishes a round may propose for `candidate`, best first.
fn open_wishes(candidate: &Candidate<'_>, ledgers: &Ledgers) -> Vec<FacilityId> {
    candidate
        .ranked
        .iter()
        .filter(|f| {
            candidate
                .application
                .wishes
                .iter()
                .find(|w| &w.facility == *f)
                .is_some_and(|w| {
                    !matches!(w.status.as_str(), status::DECLINED | status::REFUSED)
                        && ledgers
                            .of(&w.facility)
                            .and_then(|l| l.declined(&w.handle))
                            .is_none()
                })
        })
        .cloned()
        .collect()
}

/// Builds the round's input from `candidates`, the Kitas' `ledgers` (less the seats `promised`
/// by earlier rounds' unanswered proposals) and the published `catalogue` (the Träger of each
/// Kita from `traeger_of`, for a Träger's local criteria), with the lottery drawn from `seed`.
pub fn build(
    candidates: &[Candidate<'_>],
    ledgers: &Ledgers,
    promised: &HashMap<(FacilityId, CareType, Date), i64>,
    traeger_of: &HashMap<FacilityId, ProviderId>,
    window: Window,
    catalogue: &Catalogue,
    seed: &str,
) -> Result<Built, CatalogueError> {
    let mut programs: BTreeMap<ProgramId, Program> = BTreeMap::new();
    let mut facility_of = BTreeMap::new();
    let mut children = Vec::new();
    let mut applications = BTreeMap::new();
    let mut facts = Facts::default();
    // The transfer children's seats at their old Kitas; not in `facility_of`: a child left at
    // its current seat gets no proposal.
    let mut current_seats: BTreeMap<ProgramId, FacilityId> = BTreeMap::new();
    let days = |d: Date| (d.0 - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days();
    for c in candidates {
        let a = c.application;
        if !window.contains(a.desired_start) || !free_to_place(a, ledgers) {
            continue;
        }
        let wishes = open_wishes(c, ledgers);
        if wishes.is_empty() {
            continue;
        }
        let month = first_of_month(a.desired_start);
        let mut program_ids = Vec::new();
        for f in &wishes {
            let id = program_id(f, a.care_type, month);
            programs.entry(id.clone()).or_insert_with(|| {
                let free = ledgers
                    .of(f)
                    .map_or(0, |l| i64::from(l.free(a.care_type, month)));
                let promised = promised
                    .get(&(f.clone(), a.care_type, month))
                    .copied()
                    .unwrap_or(0);
                Program {
                    id: id.clone(),
                    facility: kitanetz_placement::FacilityId::new(f.0.clone()),
                    capacity: (free - promised).max(0),
                }
            });
            facility_of.insert(id.clone(), f.clone());
            if let Some(traeger) = traeger_of.get(f) {
                facts.traeger.insert(
                    kitanetz_placement::FacilityId::new(f.0.clone()),
                    kitanetz_placement::TraegerId::new(traeger.0.clone()),
                );
            }
            program_ids.push(id);
        }
        let child = ChildId::new(a.id.0.clone());
        facts.children.insert(
            child.clone(),
            ChildFacts {
                sibling_in_facility: a
                    .sibling_in_facility
                    .iter()
                    .map(|f| kitanetz_placement::FacilityId::new(f.0.clone()))
                    .collect(),
                desired_start: days(a.desired_start) as i32,
                birth_date: days(c.birth_date) as i32,
                integration: a.integration_need,
                // The ZVS's urgency of a Wechselantrag, for a catalogue that weighs it (the
                // Lastenheft default does not; a what-if shows what it would change).
                transfer_priority: match a.transfer_priority.as_str() {
                    "urgent" => 2,
                    "normal" => 1,
                    _ => 0,
                },
                flags: super::catalogue::child_flags(c.denomination, c.district),
            },
        );
        let current = a.transfer_from.as_ref().filter(|_| a.transfer).map(|old| {
            let program = current_program(old, &a.id);
            current_seats.insert(program.clone(), old.clone());
            program
        });
        children.push(Child {
            id: child.clone(),
            wishes: program_ids,
            lottery: 0.0,
            together: (!a.together.is_empty()).then(|| GroupId::new(a.together.clone())),
            current,
            first_wish_only: false,
            district: c.district.map(str::to_string),
            birth_date: Some(c.birth_date.to_string()),
        });
        applications.insert(child, a.id.clone());
    }
    // A transfer child keeps the seat it holds as an implicit last wish (PLACEMENT.md): a
    // program of its own, so that the engine moves it only up, and the seat is not handed on in
    // the same round — it frees only when the new contract is concluded (the old Kita's ledger
    // counts it free from the transfer date, `SeatMonth::leaving`), and a chain of offers that
    // each hang on the parents of another child accepting would be no offer at all.
    for (program, old) in current_seats {
        programs.insert(
            program.clone(),
            Program {
                id: program,
                facility: kitanetz_placement::FacilityId::new(old.0),
                capacity: 1,
            },
        );
    }
    let mut instance = Instance {
        format: INPUT_FORMAT.to_string(),
        programs: programs.into_values().collect(),
        children,
        priorities: BTreeMap::new(),
        catalogue: None,
        seed_hash: None,
        reference_date: Some(window.from.to_string()),
        facts: None,
    };
    catalogue.compile_into(&mut instance, &facts)?;
    instance.facts = Some(facts);
    apply_seed(&mut instance, seed);
    Ok(Built {
        instance,
        facility_of,
        applications,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kitanetz_crdt::ids::WishHandle;
    use kitanetz_crdt::kinds::{
        DeclineReason, SeatLedger, SeatMonth, SeatReservation, SeatStatus, WishDecline,
        WishedFacility,
    };
    use std::collections::BTreeSet;

    fn fac(n: u32) -> FacilityId {
        FacilityId(format!("kita-{n}"))
    }

    fn application(id: &str, wishes: &[u32], start: Date) -> Application {
        Application {
            id: ApplicationId(id.into()),
            wishes: wishes
                .iter()
                .map(|&n| WishedFacility {
                    facility: fac(n),
                    handle: WishHandle(format!("{id}-h{n}")),
                    status: status::WAITLIST.into(),
                    since: None,
                })
                .collect(),
            desired_start: start,
            daily_hours: "8".parse().unwrap(),
            care_type: CareType::Nursery,
            age_months_at_start: 14,
            sibling_in_facility: vec![],
            integration_need: false,
            transfer: false,
            transfer_priority: String::new(),
            transfer_from: None,
            status: "active".into(),
            together: String::new(),
            childminding_agency: None,
            settled: None,
        }
    }

    fn ledger(n: u32, month: Date, places: u32, holds: &[&str]) -> SeatLedger {
        SeatLedger {
            facility: fac(n),
            months: vec![SeatMonth {
                care_type: CareType::Nursery,
                month,
                places,
                occupied: 0,
                reservations: holds
                    .iter()
                    .map(|h| SeatReservation {
                        wish: WishHandle((*h).into()),
                        status: SeatStatus::Reserved,
                        decided_on: month,
                    })
                    .collect(),
                leaving: vec![],
            }],
            declines: vec![],
        }
    }

    fn window() -> Window {
        Window {
            from: Date::ymd(2027, 8, 1),
            to: Date::ymd(2027, 8, 1),
        }
    }

    fn built(apps: &[Application], ranked: &[Vec<FacilityId>], ledgers: &Ledgers) -> Built {
        built_with(apps, ranked, ledgers, &HashMap::new())
    }

    fn built_with(
        apps: &[Application],
        ranked: &[Vec<FacilityId>],
        ledgers: &Ledgers,
        promised: &HashMap<(FacilityId, CareType, Date), i64>,
    ) -> Built {
        let candidates: Vec<Candidate<'_>> = apps
            .iter()
            .zip(ranked)
            .map(|(a, r)| Candidate {
                application: a,
                ranked: r,
                birth_date: Date::ymd(2026, 5, 1),
                district: Some("Altstadt"),
                denomination: "",
            })
            .collect();
        build(
            &candidates,
            ledgers,
            promised,
            &HashMap::new(),
            window(),
            &Catalogue::lastenheft_default("Dresden"),
            "seed",
        )
        .unwrap()
    }

    /// A confessional Träger's local criterion (PLACEMENT.md: per-Träger local criteria) orders
    /// the children the city's criteria leave tied, at its Kitas only: the child whose parents
    /// gave its denomination comes first there; a Kita's criterion for its quarter puts the
    /// child from that home district first at that Kita.
    #[test]
    fn local_criteria_of_a_traeger_and_a_kita_break_the_citys_ties_where_they_apply() {
        let aug = Date::ymd(2027, 8, 1);
        let start = Date::ymd(2027, 8, 15);
        let apps = [
            application("a-none", &[1, 2], start),
            application("b-catholic", &[1, 2], start),
        ];
        let ledgers: Ledgers = [ledger(1, aug, 1, &[]), ledger(2, aug, 1, &[])]
            .into_iter()
            .collect();
        let ranked = [fac(1), fac(2)];
        let candidates: Vec<Candidate<'_>> = apps
            .iter()
            .zip([("", Some("Neustadt")), (" Katholisch ", None)])
            .map(|(a, (denomination, district))| Candidate {
                application: a,
                ranked: &ranked,
                birth_date: Date::ymd(2026, 5, 1),
                district,
                denomination,
            })
            .collect();
        let catalogue: Catalogue = serde_json::from_value(serde_json::json!({
            "id": "dresden", "version": 2, "city": "Dresden",
            "criteria": [
                {"id": "sibling", "kind": "sibling_in_facility"},
                {"id": "desired_start", "kind": "desired_start"},
                {"id": "birth_date", "kind": "birth_date"}
            ],
            "local": [{
                "scope": {"traeger": "prov-caritas"},
                "criteria": [{"id": "catholic", "kind": "flag", "flag": "denomination:katholisch"}]
            }, {
                "scope": {"facility": "kita-2"},
                "criteria": [{"id": "quarter", "kind": "flag", "flag": "district:neustadt"}]
            }]
        }))
        .unwrap();
        let traeger_of = HashMap::from([(fac(1), ProviderId("prov-caritas".into()))]);
        let built = build(
            &candidates,
            &ledgers,
            &HashMap::new(),
            &traeger_of,
            window(),
            &catalogue,
            "seed",
        )
        .unwrap();
        let points = |program: &ProgramId, child: &str| {
            built.instance.priorities[program][&ChildId::new(child.to_string())].0
        };
        let at = |n: u32| program_id(&fac(n), CareType::Nursery, aug);
        assert!(points(&at(1), "b-catholic") > points(&at(1), "a-none"));
        assert!(
            points(&at(2), "a-none") > points(&at(2), "b-catholic"),
            "kita-2 prefers its quarter, not the denomination"
        );
        let facts = built.instance.facts.as_ref().unwrap();
        assert_eq!(
            facts.children[&ChildId::new("b-catholic".to_string())].flags,
            BTreeSet::from(["denomination:katholisch".to_string()])
        );
        assert_eq!(
            facts.children[&ChildId::new("a-none".to_string())].flags,
            BTreeSet::from(["district:neustadt".to_string()])
        );
    }

    #[test]
    fn programs_take_the_free_seats_of_the_start_month_and_wishes_keep_the_parents_order() {
        let aug = Date::ymd(2027, 8, 1);
        let a = application("a1", &[1, 2], Date::ymd(2027, 8, 15));
        let ledgers: Ledgers = [ledger(1, aug, 3, &["x", "y"]), ledger(2, aug, 2, &[])]
            .into_iter()
            .collect();
        let b = built(&[a], &[vec![fac(2), fac(1)]], &ledgers);
        let child = &b.instance.children[0];
        assert_eq!(
            child.wishes,
            [
                program_id(&fac(2), CareType::Nursery, aug),
                program_id(&fac(1), CareType::Nursery, aug)
            ],
            "the parents' order, not the facility order of the application"
        );
        let capacity = |n: u32| {
            b.instance
                .programs
                .iter()
                .find(|p| p.id == program_id(&fac(n), CareType::Nursery, aug))
                .unwrap()
                .capacity
        };
        assert_eq!((capacity(1), capacity(2)), (1, 2), "holds use up seats");
        assert_eq!(child.district.as_deref(), Some("Altstadt"));
        assert!(b.instance.seed_hash.is_some() && child.lottery > 0.0);
        assert!(b.instance.validate().is_ok());
    }

    #[test]
    fn outside_the_window_holding_a_seat_or_with_an_open_offer_an_application_is_not_in_the_round()
    {
        let aug = Date::ymd(2027, 8, 1);
        let later = application("late", &[1], Date::ymd(2027, 9, 1));
        let holding = application("holding", &[1], aug);
        let mut offered = application("offered", &[1], aug);
        offered.wishes[0].status = status::OFFERED.into();
        let mut proposed = application("proposed", &[2], aug);
        proposed.wishes[0].status = status::PROPOSED.into();
        let fresh = application("fresh", &[2], aug);
        let ledgers: Ledgers = [
            ledger(1, aug, 5, &["holding-h1", "offered-h1"]),
            ledger(2, aug, 3, &[]),
        ]
        .into_iter()
        .collect();
        let apps = [later, holding, offered, proposed, fresh];
        let ranked: Vec<Vec<FacilityId>> = apps.iter().map(|a| a.facilities()).collect();
        // The city's projection counts the proposal of the earlier round without a hold.
        let promised = HashMap::from([((fac(2), CareType::Nursery, aug), 1)]);
        let b = built_with(&apps, &ranked, &ledgers, &promised);
        let ids: Vec<&str> = b.instance.children.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["fresh"]);
        assert_eq!(
            b.instance.programs[0].capacity, 2,
            "the unanswered proposal of an earlier round keeps its seat"
        );
    }

    /// PLACEMENT.md: "Children changing Kita keep their current seat as an implicit last wish."
    /// A transfer child whose wish is full stays where it is (kept, not unplaced, no proposal);
    /// one whose wish has a seat moves; the seat it leaves is not given to another child in the
    /// same round (the move is not concluded yet).
    #[test]
    fn a_transfer_child_keeps_its_current_seat_as_an_implicit_last_wish() {
        let aug = Date::ymd(2027, 8, 1);
        let transfer = |id: &str, wish: u32| {
            let mut a = application(id, &[wish], aug);
            a.transfer = true;
            a.transfer_priority = "normal".into();
            a.transfer_from = Some(fac(9));
            a
        };
        let apps = [
            transfer("stays", 1),
            transfer("moves", 2),
            application("wants-9", &[9], aug),
        ];
        let ledgers: Ledgers = [
            ledger(1, aug, 0, &[]),
            ledger(2, aug, 1, &[]),
            ledger(9, aug, 0, &[]),
        ]
        .into_iter()
        .collect();
        let ranked: Vec<Vec<FacilityId>> = apps.iter().map(|a| a.facilities()).collect();
        let b = built(&apps, &ranked, &ledgers);
        assert!(b.instance.validate().is_ok());
        let stays = ChildId::new("stays".to_string());
        assert_eq!(
            b.instance.children[0].current,
            Some(current_program(&fac(9), &ApplicationId("stays".into())))
        );
        assert!(
            !b.facility_of
                .contains_key(b.instance.children[0].current.as_ref().unwrap()),
            "a kept seat is no proposal"
        );
        let result = kitanetz_placement::protocol::place(
            &b.instance,
            &kitanetz_placement::SolveOptions::default(),
            true,
        );
        let at = |c: &str| result.assignment[c].clone();
        assert_eq!(at(stays.as_str()).as_deref(), Some("kita-9/current/stays"));
        assert_eq!(at("moves").as_deref(), Some("kita-2/nursery/2027-08"));
        assert_eq!(
            at("wants-9"),
            None,
            "the seat frees only with the new contract"
        );
        let statistics = kitanetz_placement::round_statistics(&b.instance, &result);
        assert_eq!(
            (
                statistics.placed_at_wish,
                statistics.kept_current,
                statistics.unplaced
            ),
            (1, 1, 1)
        );
    }

    #[test]
    fn wishes_a_kita_declined_or_the_parents_refused_are_left_out() {
        let aug = Date::ymd(2027, 8, 1);
        let mut a = application("a1", &[1, 2, 3], aug);
        a.wishes[1].status = status::REFUSED.into();
        let mut l1 = ledger(1, aug, 2, &[]);
        l1.declines.push(WishDecline {
            wish: WishHandle("a1-h1".into()),
            reason: DeclineReason::Other,
            decided_on: aug,
        });
        let ledgers: Ledgers = [l1, ledger(2, aug, 2, &[]), ledger(3, aug, 2, &[])]
            .into_iter()
            .collect();
        let b = built(&[a], &[vec![fac(1), fac(2), fac(3)]], &ledgers);
        assert_eq!(
            b.instance.children[0].wishes,
            [program_id(&fac(3), CareType::Nursery, aug)]
        );
    }
}
