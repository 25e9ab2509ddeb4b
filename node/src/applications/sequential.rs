//! The sequential procedure (Lastenheft 3.2.1, 3.6.4, 3.6.5; RULES.md §2), the default way an
//! application travels through its wishes:
//!
//! - The wishes are checked in the parents' order. A Kita is shown the application for review
//!   ("request") only when it has a free seat of the care type at the desired start or within
//!   the grace period after it (Kulanzzeit, 3.2.4: "places that free up shortly after the desired
//!   start"). Otherwise the application goes onto that Kita's internal waitlist ("waitlist") and
//!   on to the next wish at once.
//! - Sibling cases (a sibling already attends the first wish) and integration cases go to the
//!   first wish for review whether or not a seat is free (3.2.1, 3.6.3): they are not forwarded
//!   automatically. After the Kita's explicit "no" they go on like any other.
//! - The Kita lead reserves a seat (from the review list or the waitlist) or declines with a coded
//!   reason; a "no" moves the application on to the next wish.
//! - After the last wish the application is in the ZVS's central pool ([`in_central_pool`]).
//! - "At least one free seat" is enough for every incoming application to be shown (3.6.5: "Sobald
//!   mindestens ein freier Platz in der Einrichtung gemeldet ist, werden alle eingehenden Anträge
//!   der Leitung zur Prüfung eingestellt"): requests do not use up seats, reservations do.
//!
//! The rules ([`advance`]) are pure. The city runs them ([`advance_in_store`]) right after every
//! write of an application, when a Kita's seat ledger arrives (a reservation, a release, a "no")
//! and with the hourly intake run. Running them twice changes nothing.

use super::wishes::{self, Siblings};
use crate::clock::Now;
use crate::intake::post::ParentsNotice;
use crate::storage::{AuditEntry, Store, StoreError};
use chrono::Months;
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{doc_id_for, ApplicationId, FacilityId};
use kitanetz_crdt::kinds::{Applicant, Application, SeatLedger, SeatStatus, WishedFacility};
use kitanetz_crdt::scalar::Date;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

/// The status of a wish at the city (`WishedFacility::status`).
pub mod status {
    /// Not reached yet: the Kita does not see it.
    pub const PENDING: &str = "pending";
    /// What applications from before the procedure carry: not checked yet.
    pub const UNCHECKED: &str = "waiting";
    /// Presented to the Kita for review.
    pub const REQUEST: &str = "request";
    /// On the Kita's internal waitlist; the application went on.
    pub const WAITLIST: &str = "waitlist";
    /// The Kita said no.
    pub const DECLINED: &str = "declined";
    pub const PLACED: &str = "placed";
    pub const PLACED_ELSEWHERE: &str = "placed-elsewhere";
    /// Proposed to the Kita by a coordinated round (`crate::rounds`): it confirms or declines.
    pub const PROPOSED: &str = "proposed";
    /// The Kita confirmed the round's proposal (it holds a seat); the parents accept or decline
    /// within the round's deadline. On acceptance the wish goes to [`REQUEST`] with its seat, as
    /// a reservation of the sequential procedure does.
    pub const OFFERED: &str = "offered";
    /// The parents declined the round's offer or let it lapse; the Kita releases the seat.
    pub const REFUSED: &str = "refused";
}

/// How the city moves an application along its wishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The sequential procedure (the default): wish after wish.
    Sequential,
    /// The application was in a coordinated round (`crate::rounds`): only the rounds propose a
    /// wish to a Kita; the procedure here records the Kitas' answers (a confirmation becomes an
    /// offer to the parents, a "no" closes the wish) and the contract, and never sends the
    /// application on to the next wish by itself.
    Round,
}

/// Whether the wish has reached its Kita (the Kita holds its wish document).
pub fn reached(wish: &WishedFacility) -> bool {
    !matches!(
        wish.status.as_str(),
        status::PENDING | status::UNCHECKED | ""
    )
}

/// The seat ledgers the city holds, by Kita.
#[derive(Debug, Default)]
pub struct Ledgers(HashMap<FacilityId, SeatLedger>);

impl Ledgers {
    pub fn load(store: &Store) -> Result<Ledgers, StoreError> {
        Ok(Ledgers(
            crate::seats::ledgers(store)?
                .into_iter()
                .map(|l| (l.facility.clone(), l))
                .collect(),
        ))
    }

    pub fn of(&self, facility: &FacilityId) -> Option<&SeatLedger> {
        self.0.get(facility)
    }

    /// Every ledger the city holds.
    pub fn all(&self) -> impl Iterator<Item = &SeatLedger> {
        self.0.values()
    }
}

/// The first month from `start` (its month) through `grace_months` after in which `ledger` has
/// `need` free seats (at least one) of `care_type`, if any.
pub fn first_free_month(
    ledger: &SeatLedger,
    care_type: kitanetz_crdt::kinds::CareType,
    start: Date,
    grace_months: u32,
    need: u32,
) -> Option<Date> {
    let first = start.0 - chrono::Days::new(u64::from(chrono::Datelike::day(&start.0)) - 1);
    (0..=grace_months)
        .map(|after| Date(first + Months::new(after)))
        .find(|month| ledger.free(care_type, *month) >= need.max(1))
}

impl FromIterator<SeatLedger> for Ledgers {
    fn from_iter<I: IntoIterator<Item = SeatLedger>>(iter: I) -> Ledgers {
        Ledgers(iter.into_iter().map(|l| (l.facility.clone(), l)).collect())
    }
}

/// What the procedure needs besides the application.
pub struct Rules<'a> {
    pub ledgers: &'a Ledgers,
    pub grace_months: u32,
    pub today: Date,
}

/// Whether `facility` has `need` free seats of the application's care type in the month of the
/// desired start or one of the `grace_months` after it.
fn free_seat(
    rules: &Rules<'_>,
    application: &Application,
    facility: &FacilityId,
    need: u32,
) -> bool {
    let Some(ledger) = rules.ledgers.of(facility) else {
        // A Kita whose ledger never reached the city: nothing is known to be free.
        return false;
    };
    first_free_month(
        ledger,
        application.care_type,
        application.desired_start,
        rules.grace_months,
        need,
    )
    .is_some()
}

/// Moves `application` along its wishes in the parents' order `ranked` (best first); `need`
/// is how many seats of its care type the children applying together need at a Kita (1 for a
/// single child). Returns whether a wish changed.
pub fn advance(
    application: &mut Application,
    ranked: &[FacilityId],
    need: &dyn Fn(&FacilityId) -> u32,
    rules: &Rules<'_>,
) -> bool {
    advance_in(Mode::Sequential, application, ranked, need, rules)
}

/// [`advance`] in `mode`.
pub fn advance_in(
    mode: Mode,
    application: &mut Application,
    ranked: &[FacilityId],
    need: &dyn Fn(&FacilityId) -> u32,
    rules: &Rules<'_>,
) -> bool {
    let mut changed = false;
    let mut set = |wish: &mut WishedFacility, to: &str, on: Date| {
        if wish.status != to {
            wish.status = to.to_string();
            wish.since = Some(on);
            changed = true;
        }
    };
    // The Kita concluded the contract (its ledger shows the seat taken): the child is placed
    // there, every other wish is placed elsewhere, and the application leaves placement
    // (Lastenheft 3.6.7: inactive, never deleted).
    let placed_at = application.wishes.iter().position(|w| {
        rules
            .ledgers
            .of(&w.facility)
            .and_then(|l| l.hold_of(&w.handle))
            .is_some_and(|(_, hold)| hold.status == SeatStatus::Taken)
    });
    if let Some(placed_at) = placed_at {
        for (i, wish) in application.wishes.iter_mut().enumerate() {
            let to = if i == placed_at {
                status::PLACED
            } else {
                status::PLACED_ELSEWHERE
            };
            set(wish, to, rules.today);
        }
        if application.status != "placed" {
            application.status = "placed".into();
            changed = true;
        }
        return changed;
    }
    let first_wish = ranked.first();
    for facility in ranked {
        let special = Some(facility) == first_wish
            && (application.integration_need || application.sibling_in_facility.contains(facility));
        let free = free_seat(rules, application, facility, need(facility));
        let Some(wish) = application
            .wishes
            .iter_mut()
            .find(|w| &w.facility == facility)
        else {
            continue;
        };
        let ledger = rules.ledgers.of(facility);
        if matches!(
            wish.status.as_str(),
            status::PLACED | status::PLACED_ELSEWHERE
        ) {
            break;
        }
        if let Some(decline) = ledger.and_then(|l| l.declined(&wish.handle)) {
            set(wish, status::DECLINED, decline.decided_on);
            continue;
        }
        if mode == Mode::Round {
            let held = ledger.and_then(|l| l.hold_of(&wish.handle)).is_some();
            match wish.status.as_str() {
                // The Kita confirmed the round's proposal: the parents have the offer now.
                status::PROPOSED if held => set(wish, status::OFFERED, rules.today),
                status::PROPOSED | status::OFFERED | status::REQUEST | status::REFUSED => {}
                // A Kita took the child from its list outside the round: as in the sequential
                // procedure, it deals with the child now.
                _ if held => set(wish, status::REQUEST, rules.today),
                _ => continue,
            }
            if wish.status == status::REFUSED {
                continue;
            }
            break;
        }
        if ledger.and_then(|l| l.hold_of(&wish.handle)).is_some() {
            // The Kita reserved a seat (from its review list or its waitlist): it deals with
            // the child now, and the follow-up counts from today if it took the child from
            // its waitlist. The wishes after it wait.
            set(wish, status::REQUEST, rules.today);
            break;
        }
        match wish.status.as_str() {
            status::REQUEST => break,
            status::WAITLIST | status::DECLINED => continue,
            _ if special || free => {
                set(wish, status::REQUEST, rules.today);
                break;
            }
            _ => set(wish, status::WAITLIST, rules.today),
        }
    }
    changed
}

/// The Kitas whose wish is an open offer of a round.
fn offered(application: &Application) -> Vec<FacilityId> {
    application
        .wishes
        .iter()
        .filter(|w| w.status == status::OFFERED)
        .map(|w| w.facility.clone())
        .collect()
}

/// Every wish was checked and none is being reviewed, reserved or placed: the application waits
/// in the ZVS's central pool (Lastenheft 3.2.1), which may steer it to any Kita later.
pub fn in_central_pool(application: &Application) -> bool {
    application.status == "active"
        && !application.wishes.is_empty()
        && application
            .wishes
            .iter()
            .all(|w| matches!(w.status.as_str(), status::WAITLIST | status::DECLINED))
}

/// Which applications a run of the procedure looks at.
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    /// Every active application in placement (the hourly run).
    All,
    /// Those with a wish at one of these Kitas (their ledger changed).
    WishingAt(&'a [FacilityId]),
    /// These (and the children applying together with them).
    These(&'a [ApplicationId]),
}

/// What a run changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Advanced {
    /// Applications with a wish that moved.
    pub applications: usize,
    /// Applicant shares issued to Kitas that reserved a seat.
    pub shares_issued: usize,
    /// Applicant shares erased (reservation ended, contract concluded).
    pub shares_erased: usize,
}

/// Runs the procedure at the city on the applications `which` names, and saves what moved (the
/// application and the wish documents of its Kitas) in one transaction.
pub fn advance_in_store(
    store: &mut Store,
    which: Which<'_>,
    now: Now,
) -> Result<Advanced, StoreError> {
    let candidates = super::queries::active_applications(store, which)?;
    if candidates.is_empty() {
        return Ok(Advanced::default());
    }
    let settings = crate::intake::settings_on(store, now.today)?;
    let ledgers = Ledgers::load(store)?;
    let rules = Rules {
        ledgers: &ledgers,
        grace_months: settings.grace_months,
        today: now.today,
    };
    // Load every candidate in placement, with the children applying together with it.
    let mut loaded: BTreeMap<ApplicationId, (StoredDoc, Application, Applicant)> = BTreeMap::new();
    let mut queue: Vec<ApplicationId> = candidates;
    while let Some(id) = queue.pop() {
        if loaded.contains_key(&id) {
            continue;
        }
        let Some((doc, application)) =
            store.find::<Application>(&crate::seats::application_doc_id(&id))?
        else {
            continue;
        };
        if application.status != "active" || doc.meta.facilities.is_empty() {
            continue;
        }
        let Some((_, applicant)) = store.find::<Applicant>(&doc_id_for("applicant", &id.0))? else {
            continue;
        };
        if !application.together.is_empty() {
            queue.extend(super::queries::together_with(store, &application.together)?);
        }
        loaded.insert(id, (doc, application, applicant));
    }
    // Seats needed per (together, facility, care type).
    let mut needs: HashMap<(String, FacilityId, &'static str), u32> = HashMap::new();
    for (_, application, _) in loaded.values() {
        if application.together.is_empty() {
            continue;
        }
        for w in &application.wishes {
            *needs
                .entry((
                    application.together.clone(),
                    w.facility.clone(),
                    application.care_type.as_str(),
                ))
                .or_default() += 1;
        }
    }
    let shares_held = super::shares::held(store)?;
    let mut moved: Vec<(Option<StoredDoc>, Vec<StoredDoc>, String)> = Vec::new();
    let mut erase: Vec<kitanetz_crdt::DocId> = Vec::new();
    // The parents hear of a reservation and of the place (Lastenheft 3.6.5–3.6.7).
    let mut told: Vec<(ApplicationId, (bool, String), ParentsNotice)> = Vec::new();
    let names = super::queries::facility_names(store)?;
    for (id, (mut doc, mut application, applicant)) in loaded {
        let together = application.together.clone();
        let care = application.care_type.as_str();
        let need = |f: &FacilityId| {
            if together.is_empty() {
                1
            } else {
                needs
                    .get(&(together.clone(), f.clone(), care))
                    .copied()
                    .unwrap_or(1)
            }
        };
        let was_placed = application.status == status::PLACED;
        // One indexed lookup per application: this runs after every write of an application and
        // every arriving ledger, so it must not read every round's children.
        let round = crate::rounds::queries::round_of(store, &id)?;
        let mode = if round.is_some() {
            Mode::Round
        } else {
            Mode::Sequential
        };
        let offered_before: Vec<FacilityId> = offered(&application);
        let advanced = advance_in(
            mode,
            &mut application,
            &applicant.ranked_wishes,
            &need,
            &rules,
        );
        let shares =
            super::shares::reconcile(store, &application, &applicant, &ledgers, &shares_held, now)?;
        let notice =
            super::transfer_notices::reconcile(store, &application, &applicant, &ledgers, now)?;
        // What the parents are told: by mail, or by letter when they chose the post.
        let route = (applicant.notify_by_post, applicant.email.clone());
        {
            let child = format!(
                "{} {}",
                applicant.child_given_name, applicant.child_family_name
            );
            let name = |f: &FacilityId| names.get(f).cloned().unwrap_or_else(|| f.0.clone());
            let mut tell = |notice: ParentsNotice| {
                told.push((application.id.clone(), route.clone(), notice));
            };
            for share in &shares.issue {
                let Some(kita) = share.meta.facilities.first() else {
                    continue;
                };
                tell(ParentsNotice {
                    subject_de: format!("{} hat einen Platz reserviert", name(kita)),
                    subject_en: "a Kita reserved a place".into(),
                    text_de: format!(
                        "die Einrichtung {} hat für {child} (Antrag {}) einen Platz reserviert. Sie meldet sich bei Ihnen, um den Betreuungsvertrag abzuschließen; dafür hat sie Ihre Kontaktdaten erhalten.",
                        name(kita), application.id.0
                    ),
                    text_en: format!(
                        "{} reserved a place for {child} and will contact you to conclude the care contract.",
                        name(kita)
                    ),
                });
            }
            for facility in offered(&application)
                .iter()
                .filter(|f| !offered_before.contains(f))
            {
                let days = round.map_or(crate::rounds::DEFAULT_OFFER_DAYS, |r| r.offer_days);
                let until = Date(now.today.0 + chrono::Days::new(u64::from(days)));
                tell(ParentsNotice {
                    subject_de: format!("Platzangebot für {child}"),
                    subject_en: "an offer of a place".into(),
                    text_de: format!(
                        "in der Vergaberunde hat die Einrichtung {} einen Platz für {child} (Antrag {}) bestätigt. Bitte nehmen Sie das Angebot im Kita-Portal unter „Meine Anträge“ bis zum {} an oder lehnen Sie es ab, oder teilen Sie der Zentralen Vermittlungsstelle Ihre Antwort bis dahin telefonisch oder schriftlich mit; ohne Antwort verfällt es.",
                        name(facility), application.id.0, until.0.format("%d.%m.%Y")
                    ),
                    text_en: format!(
                        "{} confirmed a place for {child}. Please accept or decline the offer in the portal by {}; without an answer it lapses.",
                        name(facility), until
                    ),
                });
            }
            if !was_placed && application.status == status::PLACED {
                if let Some(kita) = application
                    .wishes
                    .iter()
                    .find(|w| w.status == status::PLACED)
                    .map(|w| name(&w.facility))
                {
                    tell(ParentsNotice {
                        subject_de: format!("{child} hat einen Platz"),
                        subject_en: "your child has a place".into(),
                        text_de: format!(
                            "der Betreuungsvertrag für {child} in der Einrichtung {kita} ist abgeschlossen. Ihr Antrag {} ist damit erledigt; die anderen gewünschten Einrichtungen sind informiert.",
                            application.id.0
                        ),
                        text_en: format!(
                            "the care contract for {child} at {kita} is concluded; your application is settled and the other Kitas are told."
                        ),
                    });
                }
            }
        }
        if !advanced && shares.is_empty() && notice.is_none() {
            continue;
        }
        let mut docs = shares.issue;
        docs.extend(notice);
        erase.extend(shares.erase);
        if advanced {
            doc.update(&application, now.today, now.millis, "sequential procedure")?;
            let scope = doc.meta.facilities.clone();
            docs.extend(wishes::wish_docs(
                store,
                &[(&application, &scope)],
                Siblings::Unchanged,
                &[],
                now,
            )?);
        }
        moved.push((advanced.then_some(doc), docs, id.0));
    }
    if moved.is_empty() {
        return Ok(Advanced::default());
    }
    let entry = AuditEntry {
        at: now.millis,
        actor: "system:placement".into(),
        action: "placement.advance",
        target: None,
        subjects: moved.iter().map(|m| m.2.clone()).collect(),
        valid_from: Some(now.today.to_string()),
    };
    let applications = moved.iter().filter(|m| m.0.is_some()).count();
    let shares_issued = moved
        .iter()
        .flat_map(|m| &m.1)
        .filter(|d| d.meta.kind == kitanetz_crdt::meta::DocKind::ApplicantShare)
        .count();
    let shares_erased = erase.len();
    let mut refs: Vec<&mut StoredDoc> = moved
        .iter_mut()
        .flat_map(|(doc, docs, _)| doc.iter_mut().chain(docs.iter_mut()))
        .collect();
    store.save_and_erase_docs_with(&mut refs, &erase, &entry, |tx| {
        for (application, (by_post, email), notice) in &told {
            notice.send(tx, application, (*by_post, email), now)?;
        }
        Ok(())
    })?;
    Ok(Advanced {
        applications,
        shares_issued,
        shares_erased,
    })
}

/// Runs the procedure after a write of `ids` (submission, change, ZVS decision). Failures are
/// logged, not returned: the write stands, and the hourly run catches up.
pub fn advance_after_write(store: &mut Store, ids: &[ApplicationId], now: Now) {
    if let Err(e) = advance_in_store(store, Which::These(ids), now) {
        tracing::error!(error = %e, "sequential procedure after a write");
    }
}

/// The Kitas whose seat ledgers arrived by sync since the city last ran the procedure for them;
/// the intake task wakes on it.
#[derive(Default)]
pub struct Wake {
    facilities: Mutex<BTreeSet<FacilityId>>,
    notify: tokio::sync::Notify,
}

impl Wake {
    /// A ledger of `facility` arrived.
    pub fn ledger_arrived(&self, facility: FacilityId) {
        self.facilities
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(facility);
        self.notify.notify_one();
    }

    /// The Kitas to run for, emptying the list.
    pub fn take(&self) -> Vec<FacilityId> {
        std::mem::take(&mut *self.facilities.lock().unwrap_or_else(|e| e.into_inner()))
            .into_iter()
            .collect()
    }

    /// Waits for the next arrival.
    pub async fn notified(&self) {
        self.notify.notified().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kitanetz_crdt::ids::WishHandle;
    use kitanetz_crdt::kinds::{CareType, DeclineReason, SeatMonth, SeatReservation, SeatStatus};
    use kitanetz_crdt::scalar::Dec;

    fn fac(n: u32) -> FacilityId {
        FacilityId(format!("fac-{n}"))
    }

    fn handle(n: u32) -> WishHandle {
        WishHandle(format!("{n:08x}"))
    }

    /// An application for a Kindergarten place from March 2027 with wishes at `facilities`.
    fn application(facilities: &[u32]) -> Application {
        let mut wishes: Vec<WishedFacility> = facilities
            .iter()
            .map(|&n| WishedFacility {
                facility: fac(n),
                handle: handle(n),
                status: status::PENDING.into(),
                since: None,
            })
            .collect();
        wishes.sort_by(|a, b| a.facility.cmp(&b.facility));
        Application {
            id: ApplicationId("app-1".into()),
            wishes,
            desired_start: Date::ymd(2027, 3, 15),
            daily_hours: Dec(rust_decimal::Decimal::new(8, 0)),
            care_type: CareType::Kindergarten,
            age_months_at_start: 40,
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

    /// A ledger with `free` Kindergarten seats in each of the given months of 2027.
    fn ledger(n: u32, months: &[(u32, u32)]) -> SeatLedger {
        SeatLedger {
            facility: fac(n),
            months: months
                .iter()
                .map(|&(month, free)| SeatMonth {
                    care_type: CareType::Kindergarten,
                    month: Date::ymd(2027, month, 1),
                    places: 10,
                    occupied: 10 - free,
                    reservations: vec![],
                    leaving: vec![],
                })
                .collect(),
            declines: vec![],
        }
    }

    fn statuses(a: &Application) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = a
            .wishes
            .iter()
            .map(|w| (w.facility.0.clone(), w.status.clone()))
            .collect();
        v.sort();
        v
    }

    fn today() -> Date {
        Date::ymd(2026, 11, 20)
    }

    fn run(a: &mut Application, ranked: &[u32], ledgers: &Ledgers, grace: u32) -> bool {
        let ranked: Vec<FacilityId> = ranked.iter().map(|&n| fac(n)).collect();
        advance(
            a,
            &ranked,
            &|_| 1,
            &Rules {
                ledgers,
                grace_months: grace,
                today: today(),
            },
        )
    }

    fn expect(pairs: &[(u32, &str)]) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, s)| (fac(*n).0, s.to_string()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_full_first_wish_puts_the_child_on_its_waitlist_and_the_next_wish_with_a_seat_reviews_it() {
        // Ranked 3, 1, 2: Kita 3 is full, Kita 1 has a seat, Kita 2 is never reached.
        let mut a = application(&[1, 2, 3]);
        let ledgers: Ledgers = [
            ledger(1, &[(3, 1)]),
            ledger(2, &[(3, 5)]),
            ledger(3, &[(3, 0)]),
        ]
        .into_iter()
        .collect();
        assert!(run(&mut a, &[3, 1, 2], &ledgers, 0));
        assert_eq!(
            statuses(&a),
            expect(&[(1, "request"), (2, "pending"), (3, "waitlist")])
        );
        assert_eq!(a.wishes[0].since, Some(today()));
        assert!(
            !run(&mut a, &[3, 1, 2], &ledgers, 0),
            "twice changes nothing"
        );
        assert!(!in_central_pool(&a));
    }

    #[test]
    fn a_seat_within_the_grace_period_counts_and_one_after_it_does_not() {
        let ledgers: Ledgers = [ledger(1, &[(3, 0), (4, 0), (5, 1)])].into_iter().collect();
        let mut a = application(&[1]);
        run(&mut a, &[1], &ledgers, 1);
        assert_eq!(statuses(&a), expect(&[(1, "waitlist")]));
        assert!(in_central_pool(&a), "every wish checked: the central pool");
        let mut a = application(&[1]);
        run(&mut a, &[1], &ledgers, 2);
        assert_eq!(statuses(&a), expect(&[(1, "request")]));
    }

    #[test]
    fn reservations_use_up_seats_and_requests_do_not() {
        let mut l = ledger(1, &[(3, 1)]);
        let mut a = application(&[1, 2]);
        let ledgers: Ledgers = [l.clone(), ledger(2, &[(3, 1)])].into_iter().collect();
        run(&mut a, &[1, 2], &ledgers, 0);
        let mut b = application(&[1, 2]);
        b.wishes[0].handle = handle(11);
        b.wishes[1].handle = handle(12);
        run(&mut b, &[1, 2], &ledgers, 0);
        assert_eq!(statuses(&b), expect(&[(1, "request"), (2, "pending")]));
        // Kita 1 reserves its one seat for `a`: the next application goes on to Kita 2.
        l.reserve(
            &handle(1),
            CareType::Kindergarten,
            Date::ymd(2027, 3, 1),
            today(),
        )
        .unwrap();
        let ledgers: Ledgers = [l, ledger(2, &[(3, 1)])].into_iter().collect();
        let mut c = application(&[1, 2]);
        c.wishes[0].handle = handle(21);
        c.wishes[1].handle = handle(22);
        run(&mut c, &[1, 2], &ledgers, 0);
        assert_eq!(statuses(&c), expect(&[(1, "waitlist"), (2, "request")]));
        assert!(
            !run(&mut a, &[1, 2], &ledgers, 0),
            "a's seat is held: it stays"
        );
    }

    #[test]
    fn a_decline_moves_the_application_on_and_after_the_last_wish_it_is_in_the_pool() {
        let mut a = application(&[1, 2]);
        let mut l1 = ledger(1, &[(3, 2)]);
        let ledgers: Ledgers = [l1.clone(), ledger(2, &[(3, 0)])].into_iter().collect();
        run(&mut a, &[1, 2], &ledgers, 0);
        assert_eq!(statuses(&a), expect(&[(1, "request"), (2, "pending")]));
        l1.decline(
            &handle(1),
            DeclineReason::AgeStructure,
            Date::ymd(2026, 11, 25),
        )
        .unwrap();
        let ledgers: Ledgers = [l1, ledger(2, &[(3, 0)])].into_iter().collect();
        assert!(run(&mut a, &[1, 2], &ledgers, 0));
        assert_eq!(statuses(&a), expect(&[(1, "declined"), (2, "waitlist")]));
        assert_eq!(a.wishes[0].since, Some(Date::ymd(2026, 11, 25)));
        assert!(in_central_pool(&a));
    }

    #[test]
    fn sibling_and_integration_cases_stay_with_the_first_wish_without_a_seat() {
        let ledgers: Ledgers = [ledger(1, &[(3, 0)]), ledger(2, &[(3, 3)])]
            .into_iter()
            .collect();
        let mut sibling = application(&[1, 2]);
        sibling.sibling_in_facility = vec![fac(1)];
        run(&mut sibling, &[1, 2], &ledgers, 0);
        assert_eq!(
            statuses(&sibling),
            expect(&[(1, "request"), (2, "pending")])
        );
        let mut integration = application(&[1, 2]);
        integration.integration_need = true;
        run(&mut integration, &[1, 2], &ledgers, 0);
        assert_eq!(
            statuses(&integration),
            expect(&[(1, "request"), (2, "pending")])
        );
        // A sibling at the second wish changes nothing: the rule is for the first.
        let mut later = application(&[1, 2]);
        later.sibling_in_facility = vec![fac(2)];
        run(&mut later, &[1, 2], &ledgers, 0);
        assert_eq!(statuses(&later), expect(&[(1, "waitlist"), (2, "request")]));
    }

    #[test]
    fn a_seat_taken_from_the_waitlist_stops_the_procedure_there() {
        let mut l1 = ledger(1, &[(3, 0), (4, 1)]);
        let ledgers: Ledgers = [l1.clone(), ledger(2, &[(3, 0)])].into_iter().collect();
        let mut a = application(&[1, 2]);
        run(&mut a, &[1, 2], &ledgers, 0);
        assert_eq!(statuses(&a), expect(&[(1, "waitlist"), (2, "waitlist")]));
        l1.months[1].reservations.push(SeatReservation {
            wish: handle(1),
            status: SeatStatus::Reserved,
            decided_on: today(),
        });
        let ledgers: Ledgers = [l1, ledger(2, &[(3, 0)])].into_iter().collect();
        assert!(run(&mut a, &[1, 2], &ledgers, 0));
        assert_eq!(statuses(&a), expect(&[(1, "request"), (2, "waitlist")]));
        assert!(!in_central_pool(&a), "a seat is reserved for the child");
    }

    #[test]
    fn children_applying_together_need_a_seat_each() {
        let ledgers: Ledgers = [ledger(1, &[(3, 1)]), ledger(2, &[(3, 2)])]
            .into_iter()
            .collect();
        let mut a = application(&[1, 2]);
        let ranked = [fac(1), fac(2)];
        advance(
            &mut a,
            &ranked,
            &|_| 2,
            &Rules {
                ledgers: &ledgers,
                grace_months: 0,
                today: today(),
            },
        );
        assert_eq!(statuses(&a), expect(&[(1, "waitlist"), (2, "request")]));
    }

    #[test]
    fn applications_from_before_the_procedure_are_checked_like_new_ones() {
        let ledgers: Ledgers = [ledger(1, &[(3, 1)])].into_iter().collect();
        let mut a = application(&[1]);
        a.wishes[0].status = status::UNCHECKED.into();
        assert!(!reached(&a.wishes[0]));
        run(&mut a, &[1], &ledgers, 0);
        assert_eq!(statuses(&a), expect(&[(1, "request")]));
        assert!(reached(&a.wishes[0]));
    }
}
