//! Coordinated placement rounds at the city (PLACEMENT.md, procedure 2; OZG NRW, KitaMatch):
//! when places are scarce the ZVS places all applications of a window of desired starts at once
//! with the engine (`kitanetz-placement`: child-proposing deferred acceptance, the published
//! criteria catalogue, a seeded lottery, a stability certificate).
//!
//! The way of a proposal, on the documents that already carry placement:
//! 1. **Start** ([`start`]): the ZVS picks the window and the parents' deadline. The city builds
//!    the engine's input from its pseudonymous data ([`instance`]), runs it, and writes each
//!    proposal as the status `proposed` of the application's wish; the wish document tells the
//!    Kita (under its own handle, nothing more). The input, the protocol, the statistics, the seed
//!    and its hash are kept ([`queries`]), so anyone can re-run the round and check it.
//! 2. **The Kita** confirms (reserves the seat in its ledger) or declines with a coded reason, on
//!    its seats page, as for any wish. The ledger reaches the city; a confirmation makes the wish
//!    an `offered` (`applications::sequential::Mode::Round`), and the parents get a mail.
//! 3. **The parents** accept or decline in the portal ([`answer_offer`]) within the deadline;
//!    the hourly run reminds them three days before and lets an unanswered offer lapse
//!    ([`lapse_offers`]). On acceptance the wish is a reservation like any other: the Kita gets
//!    the parents' contact data (with their consent) and concludes the contract. A refusal or a
//!    lapse closes the wish, and the Kita's node releases the seat.
//! 4. **Refill**: the next round takes every application of its window that holds no seat and
//!    has no open offer, without the Kitas that declined it or whose offer the parents refused.
//!    A child with a confirmed seat is not in it, so nobody moves down.
//!
//! 5. **Cancel** ([`cancel`]): the ZVS withdraws the proposals no Kita has answered; confirmed
//!    offers stand; the other children return to the sequential procedure.
//!
//! An application that was in a round stays with the rounds: the sequential procedure no longer
//! sends it on from wish to wish by itself (it still records a Kita's answers and the contract).

mod cancel;
pub mod catalogue;
pub mod http;
pub mod instance;
mod offers;
mod protocol;
pub mod queries;

pub use cancel::{cancel, CancelInput, Cancelled};
pub use offers::{answer_offer, lapse_offers, open_offer, Answer, Lapsed, Offer};
use protocol::StoredStatistics;
pub use protocol::{protocol_json, protocol_letter};

use crate::action::ActionError;
use crate::applications::sequential::{status, Ledgers};
use crate::applications::wishes;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, PreparedDoc, Store};
use kitanetz_crdt::doc::{Step, StoredDoc};
use kitanetz_crdt::ids::{ApplicationId, FacilityId};
use kitanetz_crdt::kinds::{Application, ApplicationWish};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::Validator;
use kitanetz_crdt::DocId;
use kitanetz_placement::catalogue::Catalogue;
use kitanetz_placement::{round_statistics, RoundStatistics, SolveOptions};
use queries::{NewRound, RoundRow};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Days the parents have to answer an offer unless the round says otherwise (PLACEMENT.md:
/// "default 14 days").
pub const DEFAULT_OFFER_DAYS: u32 = 14;
/// Days before the deadline the parents are reminded.
pub const REMINDER_DAYS: u32 = 3;
/// The widest window of one round, in months.
const MAX_WINDOW_MONTHS: u32 = 12;

/// The start form as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoundInput {
    /// First month of desired starts, `YYYY-MM`.
    pub from: String,
    /// Last month of desired starts, `YYYY-MM` (empty: the same as `from`).
    pub to: String,
    /// Days the parents have to answer an offer (empty: 14).
    pub offer_days: String,
}

fn month(v: &mut Validator, field: &str, value: &str) -> Option<Date> {
    let value = value.trim();
    let day = format!("{value}-01");
    match day.parse::<Date>() {
        Ok(d) if value.len() == 7 => Some(d),
        _ => {
            v.check(false, field, "Monat als JJJJ-MM / a month as YYYY-MM");
            None
        }
    }
}

impl RoundInput {
    fn check(&self, today: Date) -> Result<(instance::Window, u32), ActionError> {
        let mut v = Validator::new();
        let from = month(&mut v, "from", &self.from);
        let to = if self.to.trim().is_empty() {
            from
        } else {
            month(&mut v, "to", &self.to)
        };
        if let (Some(from), Some(to)) = (from, to) {
            v.check(
                from <= to,
                "to",
                "das Ende liegt vor dem Anfang / the end is before the start",
            );
            v.check(
                to.0 < from.0 + chrono::Months::new(MAX_WINDOW_MONTHS),
                "to",
                "höchstens zwölf Monate je Runde / at most twelve months per round",
            );
            v.check(
                to >= instance::first_of_month(today),
                "to",
                "der Zeitraum liegt in der Vergangenheit / the window is in the past",
            );
        }
        let offer_days = match self.offer_days.trim() {
            "" => Some(DEFAULT_OFFER_DAYS),
            s => match s.parse::<u32>() {
                Ok(n) if (REMINDER_DAYS + 1..=60).contains(&n) => Some(n),
                _ => {
                    v.check(
                        false,
                        "offer_days",
                        "Frist zwischen 4 und 60 Tagen / a deadline of 4 to 60 days",
                    );
                    None
                }
            },
        };
        v.finish()?;
        Ok((
            instance::Window {
                from: from.expect("checked"),
                to: to.expect("checked"),
            },
            offer_days.expect("checked"),
        ))
    }
}

/// The active applications with a desired start in `window` that the intake admitted to
/// placement (their documents have a scope), with what a round reads of their applicant half
/// (from its projection).
fn load_window(
    store: &Store,
    window: instance::Window,
    district_of: DistrictOf<'_>,
) -> Result<Vec<(StoredDoc, Application, ApplicantFacts)>, ActionError> {
    let (ids, applicants): (Vec<ApplicationId>, Vec<queries::ApplicantFacts>) =
        queries::active_in_window(store, window.from, window.to)?
            .into_iter()
            .unzip();
    let application_ids: Vec<DocId> = ids.iter().map(crate::seats::application_doc_id).collect();
    let applications = store.find_many::<Application>(&application_ids)?;
    let mut loaded = Vec::new();
    for (application, applicant) in applications.into_iter().zip(applicants) {
        let Some((doc, application)) = application else {
            continue;
        };
        if doc.meta.facilities.is_empty() {
            continue;
        }
        let facts = ApplicantFacts {
            district: district_of(&applicant.street, &applicant.postcode),
            birth_date: applicant.birth_date,
            denomination: applicant.denomination,
            ranked: applicant.ranked,
        };
        loaded.push((doc, application, facts));
    }
    Ok(loaded)
}

/// A child's home district from the address the parents typed (street and number in one field)
/// and its postcode: the city's street directory.
pub type DistrictOf<'a> = &'a dyn Fn(&str, &str) -> Option<String>;

/// The engine's input for the `loaded` applications under `catalogue`, lottery from `seed`.
fn engine_input(
    store: &Store,
    loaded: &[(StoredDoc, Application, ApplicantFacts)],
    window: instance::Window,
    catalogue: &Catalogue,
    seed: &str,
) -> Result<instance::Built, ActionError> {
    let ledgers = Ledgers::load(store)?;
    // Seats promised by earlier rounds and not answered yet count against the programs: the
    // applications that hold them are outside the window as often as inside.
    let promised = queries::open_proposals(store)?;
    let candidates: Vec<instance::Candidate<'_>> = loaded
        .iter()
        .map(|(_, a, facts)| instance::Candidate {
            application: a,
            ranked: &facts.ranked,
            birth_date: facts.birth_date,
            district: facts.district.as_deref(),
            denomination: &facts.denomination,
        })
        .collect();
    let traeger_of = queries::traeger_of_facilities(store)?;
    let built = instance::build(
        &candidates,
        &ledgers,
        &promised,
        &traeger_of,
        window,
        catalogue,
        seed,
    )
    .map_err(|e| ActionError::Conflict(format!("Kriterienkatalog / criteria: {e}")))?;
    if built.instance.children.is_empty() {
        return Err(ActionError::Conflict(
            "Im Zeitraum wartet kein Antrag ohne Platz und ohne offenes Angebot / no application in the window waits for a place"
                .into(),
        ));
    }
    Ok(built)
}

/// The what-if form as typed: a window and another criteria catalogue (JSON, the crate's
/// `Catalogue` format).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WhatIfInput {
    pub from: String,
    pub to: String,
    pub catalogue: String,
}

/// The current applications of a window placed under the city's catalogue and under another,
/// side by side, without touching anything (PLACEMENT.md; #9 item 5: "so a city can see a rule
/// change before its council votes on it"). Both runs use the same lottery.
pub fn what_if(
    store: &Store,
    who: &Principal,
    input: &WhatIfInput,
    district_of: DistrictOf<'_>,
    city: &str,
) -> Result<kitanetz_placement::WhatIf, ActionError> {
    authorize(who, Action::ViewPlacementRounds)?;
    let window_input = RoundInput {
        from: input.from.clone(),
        to: input.to.clone(),
        offer_days: String::new(),
    };
    let mut v = Validator::new();
    let other = catalogue::read(&input.catalogue, "catalogue", &mut v);
    // The window is checked against the first of this month, as a round would be.
    let (window, _) = match window_input.check(Date::ymd(1970, 1, 1)) {
        Ok(w) => w,
        Err(e) => {
            let mut errors = e.into_field_errors()?;
            errors.extend(v.finish().err().map(|e| e.errors).unwrap_or_default());
            return Err(ActionError::Invalid(kitanetz_crdt::ValidationError {
                errors,
            }));
        }
    };
    v.finish()?;
    let other = other.expect("checked");
    let loaded = load_window(store, window, district_of)?;
    let in_force = catalogue::in_force(store, city)?;
    let built = engine_input(store, &loaded, window, &in_force, "what-if")?;
    kitanetz_placement::what_if(&built.instance, &other, None, &SolveOptions::default())
        .map_err(|e| ActionError::Conflict(e.to_string()))
}

/// An application a round changes: its document and value, the applicant's denomination (its
/// wish documents carry it) and the wishes that move (index, Kita).
type Moving = (StoredDoc, Application, String, Vec<(usize, FacilityId)>);

/// Those wishes' documents (`None`: not written yet).
type FoundWishes = Vec<Option<(StoredDoc, ApplicationWish)>>;

/// What a round reads of an applicant half.
struct ApplicantFacts {
    district: Option<String>,
    birth_date: Date,
    denomination: String,
    ranked: Vec<FacilityId>,
}

/// What a started round did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Started {
    /// Milliseconds from the click to the end of each step (read, input, solve, wishes read,
    /// saved: the documents changed and written at once): where a round at city scale spends
    /// its time.
    pub phases_ms: BTreeMap<&'static str, u64>,
    pub round: i64,
    pub children: u32,
    pub proposed: u32,
    pub seed_hash: String,
}

/// A fresh seed for the lottery: 128 random bits, hex. Its hash is shown when the round starts
/// and the seed is in the protocol, so anyone can recompute every child's number.
fn fresh_seed() -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The ZVS starts a round on the applications of `input`'s window (see the module docs).
/// `district_of` names a child's home district for the statistics (the street directory).
pub fn start(
    store: &mut Store,
    who: &Principal,
    input: &RoundInput,
    district_of: DistrictOf<'_>,
    city: &str,
    now: Now,
) -> Result<Started, ActionError> {
    start_with_seed(store, who, input, district_of, city, &fresh_seed(), now)
}

/// [`start`] with a given seed (tests: a deterministic lottery).
pub fn start_with_seed(
    store: &mut Store,
    who: &Principal,
    input: &RoundInput,
    district_of: DistrictOf<'_>,
    city: &str,
    seed: &str,
    now: Now,
) -> Result<Started, ActionError> {
    authorize(who, Action::RunPlacementRound)?;
    let (window, offer_days) = input.check(now.today)?;
    let clock = std::time::Instant::now();
    let mut phases: BTreeMap<&'static str, u64> = BTreeMap::new();
    let phase = |name: &'static str, phases: &mut BTreeMap<&'static str, u64>| {
        phases.insert(name, clock.elapsed().as_millis() as u64);
    };
    let loaded = load_window(store, window, district_of)?;
    phase("read", &mut phases);
    let catalogue = catalogue::in_force(store, city)?;
    let seed = seed.to_string();
    let built = engine_input(store, &loaded, window, &catalogue, &seed)?;
    phase("input", &mut phases);
    let result =
        kitanetz_placement::protocol::place(&built.instance, &SolveOptions::default(), true);
    let statistics = round_statistics(&built.instance, &result);
    let round = queries::next_round_id(store)?;
    // Proposals: the assigned wish of every placed child, with the rank the parents gave it.
    let mut proposals: BTreeMap<ApplicationId, queries::Proposal> = BTreeMap::new();
    for child in &built.instance.children {
        let Some(Some(program)) = result.assignment.get(child.id.as_str()) else {
            continue;
        };
        let program_id = kitanetz_placement::ProgramId::new(program.clone());
        // A transfer child left at its current seat has no Kita here (`facility_of` names
        // only wished programs): it stays where it is, nothing to propose.
        if let (Some(application), Some(facility)) = (
            built.applications.get(&child.id),
            built.facility_of.get(&program_id),
        ) {
            let rank = child.wishes.iter().position(|w| w == &program_id);
            proposals.insert(
                application.clone(),
                queries::Proposal {
                    program: program.clone(),
                    facility: facility.clone(),
                    rank: rank.map(|r| r as u32 + 1),
                },
            );
        }
    }
    phase("solve", &mut phases);
    // Which wishes the round changes, application by application (pure, cheap).
    let mut children = Vec::new();
    let mut moving = Vec::new();
    for (doc, mut application, facts) in loaded {
        if !built
            .applications
            .contains_key(&kitanetz_placement::ChildId::new(application.id.0.clone()))
        {
            continue;
        }
        let proposal = proposals.get(&application.id).cloned();
        // From now on only rounds propose: a wish a Kita was reviewing under the sequential
        // procedure (it holds no seat, or the application would not be in the round) goes
        // back onto that Kita's waitlist.
        let mut moved = Vec::new();
        for (index, w) in application.wishes.iter_mut().enumerate() {
            let proposed = proposal.as_ref().is_some_and(|p| p.facility == w.facility);
            let to = if proposed {
                status::PROPOSED
            } else if w.status == status::REQUEST {
                status::WAITLIST
            } else {
                continue;
            };
            w.status = to.into();
            w.since = Some(now.today);
            moved.push((index, w.facility.clone()));
        }
        children.push((application.id.clone(), proposal));
        if !moved.is_empty() {
            moving.push((doc, application, facts.denomination, moved));
        }
    }
    // The documents: read here, changed on every core (only the moved wishes' parts are
    // written: reconciling thousands of whole applications was most of a round's time at city
    // scale), stored below in one transaction.
    let wish_ids: Vec<Vec<DocId>> = moving
        .iter()
        .map(|(_, application, _, moved)| {
            let facilities: Vec<FacilityId> = moved.iter().map(|(_, f)| f.clone()).collect();
            wishes::wish_doc_ids(application, &facilities)
        })
        .collect();
    let mut found = store
        .find_many::<ApplicationWish>(&wish_ids.concat())?
        .into_iter();
    let work: Vec<_> = moving
        .into_iter()
        .zip(&wish_ids)
        .map(|(moving, ids)| (moving, found.by_ref().take(ids.len()).collect::<Vec<_>>()))
        .collect();
    phase("wishes", &mut phases);
    let creator = wishes::Creator::of(store);
    let row = RoundRow {
        id: round,
        started_by: who.audit_name(),
        started_on: now.today,
        window_from: window.from,
        window_to: window.to,
        offer_days,
        catalogue: format!("{} v{}", catalogue.id, catalogue.version),
        seed: seed.clone(),
        seed_hash: built.instance.seed_hash.clone().unwrap_or_default(),
        input_hash: result.protocol.input_hash.clone(),
        children: built.instance.children.len() as u32,
        proposed: proposals.len() as u32,
        cancelled: None,
    };
    let json = "round data serialises";
    let instance_json = serde_json::to_string(&built.instance).expect(json);
    let protocol_json = serde_json::to_string(&result).expect(json);
    let statistics_json = serde_json::to_string(&statistics).expect(json);
    let entry = AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "round.start",
        target: Some(format!("round-{round}")),
        subjects: proposals.keys().map(|a| a.0.clone()).collect(),
        valid_from: Some(now.today.to_string()),
    };
    // Each application with its changed wishes is changed and prepared for writing on one
    // core while this thread already writes the rows of those before it, in one transaction
    // (on two cores the writes no longer wait for the last change, nor the changes for them).
    let change = |((mut doc, application, denomination, moved), found): (Moving, FoundWishes)| {
        // Only the moved wishes' status and day changed: written where they sit (see
        // `StoredDoc::update_parts`), in the order reconciling the whole value would.
        doc.update_parts(
            &application,
            now.today,
            now.millis,
            "placement round",
            |parts| {
                for (index, _) in &moved {
                    let wish = &application.wishes[*index];
                    let at = |field| {
                        [
                            Step::Field("wishes"),
                            Step::Item(*index),
                            Step::Field(field),
                        ]
                    };
                    parts.reconcile(&at("status"), &wish.status)?;
                    parts.reconcile(&at("since"), &wish.since)?;
                }
                Ok(())
            },
        )?;
        let scope = doc.meta.facilities.clone();
        let facilities: Vec<FacilityId> = moved.into_iter().map(|(_, f)| f).collect();
        let mut docs = wishes::changed_wish_docs_found(
            &creator,
            &application,
            &scope,
            &facilities,
            found,
            &denomination,
            now,
        )?;
        docs.push(doc);
        docs.into_iter()
            .map(|d| PreparedDoc::of(d).map_err(ActionError::from))
            .collect::<Result<Vec<_>, ActionError>>()
    };
    let saved = store.save_produced_docs_with(
        &entry,
        |write| {
            crate::parallel::map_consumed(work, change, |docs| {
                docs?.into_iter().try_for_each(&mut *write)?;
                Ok::<_, ActionError>(())
            })
        },
        |tx| {
            queries::insert_round(
                tx,
                &NewRound {
                    started_at: now.millis,
                    row: &row,
                    instance: &instance_json,
                    protocol: &protocol_json,
                    statistics: &statistics_json,
                    children: &children,
                },
            )?;
            Ok(())
        },
    )?;
    phase("saved", &mut phases);
    crate::parallel::drop_elsewhere((saved, built, result));
    Ok(Started {
        phases_ms: phases,
        round,
        children: row.children,
        proposed: row.proposed,
        seed_hash: row.seed_hash,
    })
}

/// Where a proposal of a round stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalRow {
    pub application: ApplicationId,
    pub facility: FacilityId,
    pub facility_name: String,
    /// The wish's status at the city now (`proposed`, `offered`, `request`, `declined`,
    /// `refused`, `placed`, …).
    pub status: String,
    /// The rank the parents gave the Kita (1 = first wish).
    pub rank: Option<usize>,
    /// The parents' deadline, once the Kita confirmed.
    pub answer_by: Option<Date>,
}

/// A round as the ZVS sees it.
#[derive(Debug, Clone, Serialize)]
pub struct RoundView {
    pub round: RoundRow,
    pub statistics: RoundStatistics,
    pub stable: bool,
    pub proposals: Vec<ProposalRow>,
    /// The proposals per Kita, by where they stand (in the Kitas' name order).
    pub by_kita: Vec<KitaSummary>,
    pub unplaced: usize,
}

/// Every round, the latest first (the ZVS).
pub fn list(store: &Store, who: &Principal) -> Result<Vec<RoundRow>, ActionError> {
    authorize(who, Action::ViewPlacementRounds)?;
    Ok(queries::rounds(store)?)
}

/// One round with its statistics and where each proposal stands (the ZVS). Reads the round's
/// record and the projection of the applications' wishes, no document.
pub fn view(store: &Store, who: &Principal, id: i64) -> Result<RoundView, ActionError> {
    authorize(who, Action::ViewPlacementRounds)?;
    let round =
        queries::round(store, id)?.ok_or_else(|| ActionError::NotFound(format!("round {id}")))?;
    let (_, protocol, statistics) =
        queries::round_json(store, id)?.ok_or_else(|| ActionError::NotFound(id.to_string()))?;
    let statistics: RoundStatistics = serde_json::from_str::<StoredStatistics>(&statistics)
        .map(StoredStatistics::into_statistics)
        .map_err(|e| ActionError::Conflict(format!("round {id}: statistics unreadable: {e}")))?;
    let stable = serde_json::from_str::<serde_json::Value>(&protocol)
        .ok()
        .and_then(|p| p["protocol"]["certificate"]["stable"].as_bool())
        .unwrap_or(false);
    let names = crate::applications::queries::facility_names(store)?;
    let mut proposals: Vec<ProposalRow> = queries::proposal_states(store, id)?
        .into_iter()
        .map(|p| {
            let status = match p.application_status.as_str() {
                "" => "erased".to_string(),
                "withdrawn" => "withdrawn".to_string(),
                _ if p.status.is_empty() => "erased".to_string(),
                _ => p.status,
            };
            ProposalRow {
                answer_by: p
                    .since
                    .filter(|_| status == status::OFFERED)
                    .map(|d| Date(d.0 + chrono::Days::new(u64::from(round.offer_days)))),
                rank: p.rank.map(|r| r as usize),
                facility_name: names
                    .get(&p.facility)
                    .cloned()
                    .unwrap_or_else(|| p.facility.0.clone()),
                facility: p.facility,
                application: p.application,
                status,
            }
        })
        .collect();
    proposals.sort_by(|a, b| {
        (&a.facility_name, &a.application).cmp(&(&b.facility_name, &b.application))
    });
    let mut by_kita: Vec<KitaSummary> = Vec::new();
    for p in &proposals {
        if by_kita.last().is_none_or(|k| k.facility != p.facility) {
            by_kita.push(KitaSummary {
                facility: p.facility.clone(),
                name: p.facility_name.clone(),
                proposals: 0,
                waiting: 0,
                offered: 0,
                accepted: 0,
                placed: 0,
                declined: 0,
                closed: 0,
            });
        }
        let k = by_kita.last_mut().expect("pushed");
        k.proposals += 1;
        match p.status.as_str() {
            status::PROPOSED => k.waiting += 1,
            status::OFFERED => k.offered += 1,
            status::REQUEST => k.accepted += 1,
            status::PLACED => k.placed += 1,
            status::DECLINED => k.declined += 1,
            _ => k.closed += 1,
        }
    }
    Ok(RoundView {
        unplaced: queries::unplaced_count(store, id)?,
        round,
        statistics,
        stable,
        proposals,
        by_kita,
    })
}

/// A Kita's proposals of a round, by where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KitaSummary {
    pub facility: FacilityId,
    pub name: String,
    pub proposals: usize,
    /// Not answered by the Kita yet.
    pub waiting: usize,
    /// Confirmed by the Kita, with the parents.
    pub offered: usize,
    /// Accepted by the parents; the contract follows.
    pub accepted: usize,
    pub placed: usize,
    /// Declined by the Kita.
    pub declined: usize,
    /// Refused or let lapse by the parents, withdrawn, placed elsewhere.
    pub closed: usize,
}
