//! A Kita's seat ledger: per care type and month the places, occupancy and reservations by
//! wish pseudonym. Owned by the Kita: the Kita decides its seats.
//!
//! Capacity is a rule of the decision, not of the document: [`SeatLedger::reserve`] refuses a
//! seat that is not free, but two devices of one Kita that both give the last seat while
//! offline merge into a ledger with more holds than places. Such a ledger is still a valid
//! document (refusing it would lose one of the two decisions); [`SeatLedger::overbooked`] shows
//! it as a conflict for a person to settle.

use crate::ids::{FacilityId, WishHandle};
use crate::kinds::facility::CareType;
use crate::scalar::Date;
use crate::validate::{ValidationError, Validator};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum SeatStatus {
    /// Released: the record stays so that the history of the decision is kept.
    Free,
    Reserved,
    /// A contract was signed for the seat.
    Taken,
}

impl SeatStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SeatStatus::Free => "free",
            SeatStatus::Reserved => "reserved",
            SeatStatus::Taken => "taken",
        }
    }

    pub fn parse(s: &str) -> Option<SeatStatus> {
        [SeatStatus::Free, SeatStatus::Reserved, SeatStatus::Taken]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            SeatStatus::Free => "freigegeben",
            SeatStatus::Reserved => "reserviert",
            SeatStatus::Taken => "vergeben (Vertrag)",
        }
    }

    /// Whether the status holds a seat.
    pub fn holds(self) -> bool {
        self != SeatStatus::Free
    }

    /// Which hold keeps a contested seat first: a signed contract, then a reservation.
    pub fn rank(self) -> u8 {
        match self {
            SeatStatus::Taken => 0,
            SeatStatus::Reserved => 1,
            SeatStatus::Free => 2,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct SeatReservation {
    #[key]
    pub wish: WishHandle,
    pub status: SeatStatus,
    pub decided_on: Date,
}

impl SeatReservation {
    /// Which hold keeps its seat when there are more holds than seats: a signed contract first,
    /// then the earlier decision, then the smaller wish id (so every node agrees).
    pub fn precedence(&self) -> (u8, Date, &WishHandle) {
        (self.status.rank(), self.decided_on, &self.wish)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct SeatMonth {
    pub care_type: CareType,
    /// First day of the month.
    pub month: Date,
    pub places: u32,
    /// Seats taken by children under contract before this ledger (as the Kita counted them).
    pub occupied: u32,
    pub reservations: Vec<SeatReservation>,
    /// Children counted in `occupied` who leave for another Kita before this month: the city's
    /// transfer notice (its id) said the new contract is concluded. Each frees its seat from
    /// the transfer date. A list, not a lower count, so that two devices recording different
    /// children offline merge to both.
    #[autosurgeon(missing = "Vec::new")]
    #[serde(default)]
    pub leaving: Vec<String>,
}

impl SeatMonth {
    /// The reservations and contracts that hold a seat, one per wish (two devices that
    /// reserved the same wish offline merge into two entries; it is still one seat), in
    /// precedence order.
    pub fn holds(&self) -> Vec<SeatReservation> {
        let mut holds: Vec<SeatReservation> = self
            .reservations
            .iter()
            .filter(|r| r.status.holds())
            .cloned()
            .collect();
        holds.sort_by(|a, b| a.precedence().cmp(&b.precedence()));
        let mut seen = std::collections::BTreeSet::new();
        holds.retain(|r| seen.insert(r.wish.clone()));
        holds
    }

    /// Seats held by reservations and contracts: one per wish (without cloning the
    /// reservations as [`SeatMonth::holds`] does; `free` runs for every month of every ledger).
    pub fn held(&self) -> u32 {
        let mut holding: Vec<&WishHandle> = self
            .reservations
            .iter()
            .filter(|r| r.status.holds())
            .map(|r| &r.wish)
            .collect();
        holding.sort();
        holding.dedup();
        holding.len() as u32
    }

    /// Seats occupied by contracts this month: `occupied` less the children leaving before it.
    pub fn occupied_now(&self) -> u32 {
        // `free` runs for every month of every ledger; almost no month has a child leaving.
        if self.leaving.is_empty() {
            return self.occupied;
        }
        let mut leaving: Vec<&String> = self.leaving.iter().collect();
        leaving.sort();
        leaving.dedup();
        self.occupied.saturating_sub(leaving.len() as u32)
    }

    /// Seats neither occupied nor held.
    pub fn free(&self) -> u32 {
        self.places
            .saturating_sub(self.occupied_now() + self.held())
    }
}

/// Why a Kita declined a wish: a code, never free text about a family (the ZVS and the
/// statistics read it; the parents see only that the next wish is being checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Reconcile, Hydrate)]
#[serde(rename_all = "kebab-case")]
pub enum DeclineReason {
    /// No seat for the start after all (e.g. a contract was extended).
    NoPlace,
    /// The age structure of the groups does not allow the child.
    AgeStructure,
    /// The hours wished cannot be offered.
    Hours,
    /// No integration place can be offered.
    Integration,
    /// The parents' wishes and the Kita's concept do not go together (after a talk).
    Concept,
    /// The parents said no to the place.
    ParentsDeclined,
    /// The parents could not be reached.
    ParentsUnreachable,
    Other,
}

impl DeclineReason {
    pub const ALL: [DeclineReason; 8] = [
        DeclineReason::NoPlace,
        DeclineReason::AgeStructure,
        DeclineReason::Hours,
        DeclineReason::Integration,
        DeclineReason::Concept,
        DeclineReason::ParentsDeclined,
        DeclineReason::ParentsUnreachable,
        DeclineReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeclineReason::NoPlace => "no-place",
            DeclineReason::AgeStructure => "age-structure",
            DeclineReason::Hours => "hours",
            DeclineReason::Integration => "integration",
            DeclineReason::Concept => "concept",
            DeclineReason::ParentsDeclined => "parents-declined",
            DeclineReason::ParentsUnreachable => "parents-unreachable",
            DeclineReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<DeclineReason> {
        DeclineReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_de(self) -> &'static str {
        match self {
            DeclineReason::NoPlace => "kein freier Platz zum Beginn",
            DeclineReason::AgeStructure => "Altersstruktur der Gruppen passt nicht",
            DeclineReason::Hours => "Betreuungsumfang nicht möglich",
            DeclineReason::Integration => "kein Integrationsplatz möglich",
            DeclineReason::Concept => "Konzeption und Wünsche passen nicht zusammen",
            DeclineReason::ParentsDeclined => "Eltern haben den Platz abgelehnt",
            DeclineReason::ParentsUnreachable => "Eltern nicht erreichbar",
            DeclineReason::Other => "sonstiger Grund",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DeclineReason::NoPlace => "no free seat at the start",
            DeclineReason::AgeStructure => "age structure of the groups does not fit",
            DeclineReason::Hours => "hours cannot be offered",
            DeclineReason::Integration => "no integration place possible",
            DeclineReason::Concept => "concept and wishes do not fit",
            DeclineReason::ParentsDeclined => "parents declined the place",
            DeclineReason::ParentsUnreachable => "parents could not be reached",
            DeclineReason::Other => "other reason",
        }
    }
}

/// A Kita's "no" to a wish: the city moves the application on to the next wish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct WishDecline {
    #[key]
    pub wish: WishHandle,
    pub reason: DeclineReason,
    pub decided_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate)]
pub struct SeatLedger {
    pub facility: FacilityId,
    pub months: Vec<SeatMonth>,
    /// The wishes this Kita declined (the Kita owns its decisions; the city reads them here).
    #[autosurgeon(missing = "Vec::new")]
    #[serde(default)]
    pub declines: Vec<WishDecline>,
}

/// A month of a ledger with more holds than seats (after merging offline decisions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overbooking {
    pub care_type: CareType,
    pub month: Date,
    pub places: u32,
    pub occupied: u32,
    /// The holds that keep their seat by default, in precedence order.
    pub standing: Vec<SeatReservation>,
    /// The holds beyond the seats: a person releases these (or others) until it fits.
    pub over: Vec<SeatReservation>,
}

impl SeatLedger {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        for (i, m) in self.months.iter().enumerate() {
            use chrono::Datelike;
            v.check(
                m.month.0.day() == 1,
                format!("months[{i}].month"),
                "Monatserster / first day of a month",
            );
            v.check(
                m.occupied <= m.places,
                format!("months[{i}].occupied"),
                "mehr belegt als Plätze / more occupied than places",
            );
            if self.months[..i]
                .iter()
                .any(|o| o.care_type == m.care_type && o.month == m.month)
            {
                v.fail(
                    format!("months[{i}].month"),
                    "Monat doppelt / month listed twice",
                );
            }
            for (j, r) in m.reservations.iter().enumerate() {
                if m.reservations[..j].iter().any(|o| o.wish == r.wish) {
                    v.fail(
                        format!("months[{i}].reservations[{j}]"),
                        "Antrag doppelt im Monat / wish listed twice in the month",
                    );
                }
            }
        }
        // Two devices declining the same wish offline merge into two entries: still one "no"
        // (the earlier stands, see `declined`), so the document stays valid.
        v.finish()
    }

    /// This Kita's "no" to `wish`, if it said so (the earliest, when two devices both did).
    pub fn declined(&self, wish: &WishHandle) -> Option<&WishDecline> {
        self.declines
            .iter()
            .filter(|d| &d.wish == wish)
            .min_by_key(|d| d.decided_on)
    }

    /// Declines `wish` with `reason`, decided `today`, and releases a seat reserved for it.
    /// Refuses a wish with a signed contract here and one declined already.
    pub fn decline(
        &mut self,
        wish: &WishHandle,
        reason: DeclineReason,
        today: Date,
    ) -> Result<(), ValidationError> {
        if self.declined(wish).is_some() {
            return Err(ValidationError::field(
                "wish",
                "schon abgelehnt / declined already",
            ));
        }
        match self.hold_of(wish).map(|(_, r)| r.status) {
            Some(SeatStatus::Taken) => {
                return Err(ValidationError::field(
                    "wish",
                    "Platz mit Vertrag: bitte den Vertrag beenden / seat with a contract: end the contract",
                ))
            }
            Some(_) => self.release(wish, today)?,
            None => {}
        }
        self.declines.push(WishDecline {
            wish: wish.clone(),
            reason,
            decided_on: today,
        });
        Ok(())
    }

    /// Free seats of a care type in a month.
    pub fn free(&self, care_type: CareType, month: Date) -> u32 {
        self.month(care_type, month).map_or(0, SeatMonth::free)
    }

    pub fn month(&self, care_type: CareType, month: Date) -> Option<&SeatMonth> {
        self.months
            .iter()
            .find(|m| m.care_type == care_type && m.month == month)
    }

    /// The month in which this ledger holds a seat for `wish`, if any.
    pub fn hold_of(&self, wish: &WishHandle) -> Option<(&SeatMonth, &SeatReservation)> {
        self.months.iter().find_map(|m| {
            m.reservations
                .iter()
                .find(|r| &r.wish == wish && r.status.holds())
                .map(|r| (m, r))
        })
    }

    /// Applications this ledger holds in more than one month (two devices reserved the same
    /// child for different months offline): one child, two seats. With the months held.
    pub fn held_in_several_months(&self) -> Vec<(WishHandle, Vec<Date>)> {
        let mut months: BTreeMap<WishHandle, Vec<Date>> = BTreeMap::new();
        for m in &self.months {
            for r in m.holds() {
                let held = months.entry(r.wish).or_default();
                if !held.contains(&m.month) {
                    held.push(m.month);
                }
            }
        }
        months.into_iter().filter(|(_, ms)| ms.len() > 1).collect()
    }

    /// Settles what a merge of two devices' offline work leaves in the list: a wish
    /// listed twice in one month becomes one entry (the one that takes precedence). Called
    /// before every write, so that a merged ledger stays writable. Changes no decision.
    pub fn settle_merged(&mut self) {
        for m in &mut self.months {
            // Which entry of each wish stands (its index), then drop the others in place: a
            // list rebuilt in a new order is, to automerge, every element deleted and inserted
            // again, and a merge with another device's edit would bring removed entries back.
            let mut best: BTreeMap<&WishHandle, usize> = BTreeMap::new();
            for (i, r) in m.reservations.iter().enumerate() {
                match best.get(&r.wish) {
                    Some(&known) if m.reservations[known].precedence() <= r.precedence() => {}
                    _ => {
                        best.insert(&r.wish, i);
                    }
                }
            }
            let keep: std::collections::BTreeSet<usize> = best.into_values().collect();
            let mut index = 0;
            m.reservations.retain(|_| {
                let kept = keep.contains(&index);
                index += 1;
                kept
            });
        }
    }

    /// Reserves a seat of `care_type` from `month` for `wish`, decided `today`.
    /// Refuses (naming the field) a month without seats of that type, a full month and an
    /// wish this Kita already holds.
    pub fn reserve(
        &mut self,
        wish: &WishHandle,
        care_type: CareType,
        month: Date,
        today: Date,
    ) -> Result<(), ValidationError> {
        if let Some((m, _)) = self.hold_of(wish) {
            return Err(ValidationError::field(
                "wish",
                format!(
                    "hat hier schon einen Platz ab {} / already holds a seat here from {}",
                    m.month, m.month
                ),
            ));
        }
        let Some(m) = self
            .months
            .iter_mut()
            .find(|m| m.care_type == care_type && m.month == month)
        else {
            return Err(ValidationError::field(
                "month",
                format!(
                    "keine Plätze „{}“ im Monat {month} geplant / no {} seats planned for {month}",
                    care_type.label_de(),
                    care_type.as_str()
                ),
            ));
        };
        if m.free() == 0 {
            return Err(ValidationError::field(
                "month",
                format!("kein freier Platz im Monat {month} / no free seat in {month}"),
            ));
        }
        match m.reservations.iter_mut().find(|r| &r.wish == wish) {
            Some(r) => {
                r.status = SeatStatus::Reserved;
                r.decided_on = today;
            }
            None => m.reservations.push(SeatReservation {
                wish: wish.clone(),
                status: SeatStatus::Reserved,
                decided_on: today,
            }),
        }
        Ok(())
    }

    /// Releases this Kita's reservation for `wish` (every month it is held in).
    /// A seat with a signed contract is not released here: the contract is ended instead.
    pub fn release(&mut self, wish: &WishHandle, today: Date) -> Result<(), ValidationError> {
        let mut v = Validator::new();
        let holds: Vec<SeatStatus> = self
            .months
            .iter()
            .flat_map(|m| &m.reservations)
            .filter(|r| &r.wish == wish && r.status.holds())
            .map(|r| r.status)
            .collect();
        v.check(
            !holds.is_empty(),
            "wish",
            "hier ist kein Platz reserviert / no seat is reserved here",
        );
        v.check(
            !holds.contains(&SeatStatus::Taken),
            "wish",
            "Platz mit Vertrag: bitte den Vertrag beenden / seat with a contract: end the contract",
        );
        v.finish()?;
        for r in self
            .months
            .iter_mut()
            .flat_map(|m| m.reservations.iter_mut())
            .filter(|r| &r.wish == wish)
        {
            r.status = SeatStatus::Free;
            r.decided_on = today;
        }
        Ok(())
    }

    /// The contract for `wish` is concluded (Lastenheft 3.6.7): its reservation becomes a taken
    /// seat, which tells the city that the child is placed here. Refuses a wish without a
    /// reservation here (and one already taken: a second contract is a change of the first).
    pub fn take(&mut self, wish: &WishHandle, today: Date) -> Result<(), ValidationError> {
        let holds: Vec<SeatStatus> = self
            .months
            .iter()
            .flat_map(|m| &m.reservations)
            .filter(|r| &r.wish == wish && r.status.holds())
            .map(|r| r.status)
            .collect();
        if holds.contains(&SeatStatus::Taken) {
            return Err(ValidationError::field(
                "wish",
                "hier besteht schon ein Vertrag / a contract exists here already",
            ));
        }
        if holds.is_empty() {
            return Err(ValidationError::field(
                "wish",
                "erst einen Platz reservieren / reserve a seat first",
            ));
        }
        for r in self
            .months
            .iter_mut()
            .flat_map(|m| m.reservations.iter_mut())
            .filter(|r| &r.wish == wish && r.status == SeatStatus::Reserved)
        {
            r.status = SeatStatus::Taken;
            r.decided_on = today;
        }
        Ok(())
    }

    /// Records that the child of the transfer notice `notice` leaves: from `from` on (months
    /// that begin on or after it) a seat of `care_type` frees; `None`: it stays after all (the
    /// record is taken back). Returns whether the ledger changed.
    pub fn record_leaving(&mut self, notice: &str, leaving: Option<(CareType, Date)>) -> bool {
        let mut changed = false;
        for m in &mut self.months {
            let leaves = leaving
                .is_some_and(|(care_type, from)| m.care_type == care_type && m.month >= from);
            let listed = m.leaving.iter().any(|n| n == notice);
            if leaves && !listed {
                m.leaving.push(notice.to_string());
                changed = true;
            } else if !leaves && listed {
                m.leaving.retain(|n| n != notice);
                changed = true;
            }
        }
        changed
    }

    /// Months with more holds than seats, with the default of which holds stand.
    pub fn overbooked(&self) -> Vec<Overbooking> {
        self.months
            .iter()
            .filter_map(|m| {
                let holds = m.holds();
                (m.occupied_now() as usize + holds.len() > m.places as usize).then_some((m, holds))
            })
            .map(|(m, mut holds)| {
                let seats = m.places.saturating_sub(m.occupied_now()) as usize;
                let over = holds.split_off(seats.min(holds.len()));
                Overbooking {
                    care_type: m.care_type,
                    month: m.month,
                    places: m.places,
                    occupied: m.occupied_now(),
                    standing: holds,
                    over,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(s: &str) -> WishHandle {
        WishHandle(s.into())
    }

    fn ledger(places: u32, occupied: u32) -> SeatLedger {
        SeatLedger {
            facility: FacilityId("fac-a".into()),
            months: vec![SeatMonth {
                care_type: CareType::Kindergarten,
                month: Date::ymd(2027, 1, 1),
                places,
                occupied,
                reservations: vec![],
                leaving: vec![],
            }],
            declines: vec![],
        }
    }

    fn january() -> Date {
        Date::ymd(2027, 1, 1)
    }

    #[test]
    fn reserve_takes_a_free_seat_and_refuses_a_full_month() {
        let mut l = ledger(3, 1);
        let today = Date::ymd(2026, 11, 2);
        l.reserve(&app("aaaaaaa1"), CareType::Kindergarten, january(), today)
            .unwrap();
        l.reserve(&app("aaaaaaa2"), CareType::Kindergarten, january(), today)
            .unwrap();
        assert_eq!(l.free(CareType::Kindergarten, january()), 0);
        let full = l
            .reserve(&app("aaaaaaa3"), CareType::Kindergarten, january(), today)
            .unwrap_err();
        assert_eq!(full.errors[0].field, "month", "{full}");
        let twice = l
            .reserve(&app("aaaaaaa1"), CareType::Kindergarten, january(), today)
            .unwrap_err();
        assert_eq!(twice.errors[0].field, "wish");
        let no_month = l
            .reserve(&app("aaaaaaa4"), CareType::Nursery, january(), today)
            .unwrap_err();
        assert_eq!(no_month.errors[0].field, "month");
        assert!(l.overbooked().is_empty());
        assert!(l.validate().is_ok());
    }

    #[test]
    fn a_decline_releases_a_reservation_and_is_said_once() {
        let mut l = ledger(1, 0);
        let today = Date::ymd(2026, 11, 2);
        l.reserve(&app("aaaaaaa1"), CareType::Kindergarten, january(), today)
            .unwrap();
        l.decline(&app("aaaaaaa1"), DeclineReason::ParentsDeclined, today)
            .unwrap();
        assert_eq!(l.free(CareType::Kindergarten, january()), 1);
        assert_eq!(
            l.declined(&app("aaaaaaa1")).map(|d| d.reason),
            Some(DeclineReason::ParentsDeclined)
        );
        let twice = l
            .decline(&app("aaaaaaa1"), DeclineReason::Other, today)
            .unwrap_err();
        assert_eq!(twice.errors[0].field, "wish");
        l.months[0].reservations.push(SeatReservation {
            wish: app("aaaaaaa2"),
            status: SeatStatus::Taken,
            decided_on: today,
        });
        assert!(l
            .decline(&app("aaaaaaa2"), DeclineReason::Other, today)
            .is_err());
        assert!(l.validate().is_ok());
    }

    #[test]
    fn take_turns_the_reservation_into_a_contract_once() {
        let mut l = ledger(2, 0);
        let (a, b) = (app("aaaaaaa1"), app("aaaaaaa2"));
        assert!(l.take(&a, january()).is_err(), "nothing reserved");
        l.reserve(&a, CareType::Kindergarten, january(), january())
            .unwrap();
        l.take(&a, Date::ymd(2026, 12, 3)).unwrap();
        let (_, hold) = l.hold_of(&a).unwrap();
        assert_eq!(
            (hold.status, hold.decided_on),
            (SeatStatus::Taken, Date::ymd(2026, 12, 3))
        );
        assert!(l.take(&a, january()).is_err(), "a second contract");
        assert!(
            l.release(&a, january()).is_err(),
            "a contract is ended, not released"
        );
        assert!(l.take(&b, january()).is_err());
    }

    #[test]
    fn release_frees_the_seat_and_keeps_the_record() {
        let mut l = ledger(1, 0);
        let today = Date::ymd(2026, 11, 2);
        l.reserve(&app("aaaaaaa1"), CareType::Kindergarten, january(), today)
            .unwrap();
        l.release(&app("aaaaaaa1"), Date::ymd(2026, 11, 9)).unwrap();
        assert_eq!(l.free(CareType::Kindergarten, january()), 1);
        let r = &l.months[0].reservations[0];
        assert_eq!(
            (r.status, r.decided_on),
            (SeatStatus::Free, Date::ymd(2026, 11, 9))
        );
        assert!(
            l.release(&app("aaaaaaa1"), today).is_err(),
            "nothing left to release"
        );
        // A released wish can be reserved again: the same record comes back.
        l.reserve(&app("aaaaaaa1"), CareType::Kindergarten, january(), today)
            .unwrap();
        assert_eq!(l.months[0].reservations.len(), 1);
        l.months[0].reservations[0].status = SeatStatus::Taken;
        let err = l.release(&app("aaaaaaa1"), today).unwrap_err();
        assert!(err.to_string().contains("contract"), "{err}");
    }

    #[test]
    fn overbooked_keeps_contracts_then_earlier_decisions() {
        let mut l = ledger(3, 1);
        let hold = |a: &str, status, day| SeatReservation {
            wish: app(a),
            status,
            decided_on: Date::ymd(2026, 11, day),
        };
        l.months[0].reservations = vec![
            hold("aaaaaaa1", SeatStatus::Reserved, 5),
            hold("aaaaaaa2", SeatStatus::Reserved, 3),
            hold("aaaaaaa3", SeatStatus::Taken, 9),
            hold("aaaaaaa4", SeatStatus::Free, 1),
        ];
        let o = l.overbooked();
        assert_eq!(o.len(), 1);
        let ids = |rs: &[SeatReservation]| -> Vec<String> {
            rs.iter().map(|r| r.wish.0.clone()).collect()
        };
        assert_eq!(ids(&o[0].standing), ["aaaaaaa3", "aaaaaaa2"]);
        assert_eq!(ids(&o[0].over), ["aaaaaaa1"]);
        // The document stays valid: the merge must not be refused.
        assert!(l.validate().is_ok());
        l.release(&app("aaaaaaa1"), Date::ymd(2026, 11, 10))
            .unwrap();
        assert!(l.overbooked().is_empty());
    }

    /// The ledger as an automerge document on several devices of one Kita (the first created
    /// it, the others loaded its bytes), to merge their offline work.
    fn devices<const N: usize>(
        ledger: &SeatLedger,
        actors: [&str; N],
    ) -> [crate::doc::StoredDoc; N] {
        use crate::doc::StoredDoc;
        use crate::ids::OrgId;
        use crate::meta::{DocKind, DocMeta};
        let id = crate::DocId("doc-seats-fac-a".into());
        let day = Date::ymd(2026, 11, 1);
        let meta = DocMeta {
            kind: DocKind::SeatLedger,
            schema: 1,
            owner: OrgId("org-fac-a".into()),
            provider: None,
            facilities: vec![FacilityId("fac-a".into())],
            origin_node: "kita-a".into(),
            created_on: day,
        };
        let bytes = StoredDoc::create(id.clone(), meta, ledger, actors[0].as_bytes(), day, 1)
            .unwrap()
            .save();
        std::array::from_fn(|i| StoredDoc::load(id.clone(), &bytes, actors[i].as_bytes()).unwrap())
    }

    #[test]
    fn two_devices_giving_the_last_seat_offline_merge_into_an_overbooking() {
        let day = |d| Date::ymd(2026, 11, d);
        let [mut office, mut laptop] = devices(&ledger(2, 1), ["office", "laptop"]);
        for (doc, wish, d) in [(&mut office, "aaaaaaa1", 4), (&mut laptop, "aaaaaaa2", 3)] {
            let mut l: SeatLedger = doc.value().unwrap();
            l.reserve(&app(wish), CareType::Kindergarten, january(), day(d))
                .unwrap();
            doc.update(&l, day(d), 2, "reserve").unwrap();
        }
        office.merge_bytes(&laptop.save()).unwrap();
        let merged: SeatLedger = office.value().unwrap();
        assert_eq!(merged.months[0].held(), 2, "both decisions are kept");
        let o = merged.overbooked();
        assert_eq!(o.len(), 1);
        assert_eq!(
            o[0].standing[0].wish.0, "aaaaaaa2",
            "the earlier decision stands"
        );
        assert_eq!(o[0].over[0].wish.0, "aaaaaaa1");
        // Releasing the one beyond the seats is a valid write and settles it.
        let mut fixed = merged.clone();
        fixed.release(&app("aaaaaaa1"), day(5)).unwrap();
        office.update(&fixed, day(5), 3, "release").unwrap();
        assert!(office
            .value::<SeatLedger>()
            .unwrap()
            .overbooked()
            .is_empty());
    }

    /// The old Kita's desktop and server each record a different leaving child offline: after
    /// the merge both seats are free; the same child recorded on both frees one; a month
    /// before the transfer date and another care type keep theirs; taking it back undoes it.
    #[test]
    fn children_leaving_recorded_on_two_devices_free_a_seat_each() {
        let mut base = ledger(3, 3);
        base.months.push(SeatMonth {
            care_type: CareType::Nursery,
            ..base.months[0].clone()
        });
        base.months.push(SeatMonth {
            month: Date::ymd(2026, 12, 1),
            ..base.months[0].clone()
        });
        let [mut office, mut laptop] = devices(&base, ["office", "laptop"]);
        let leaves = Some((CareType::Kindergarten, january()));
        for (doc, notices) in [
            (&mut office, ["notice-a", "notice-b"].as_slice()),
            (&mut laptop, ["notice-b"].as_slice()),
        ] {
            let mut l: SeatLedger = doc.value().unwrap();
            for notice in notices {
                assert!(l.record_leaving(notice, leaves));
                assert!(!l.record_leaving(notice, leaves), "recorded once");
            }
            doc.update(&l, Date::ymd(2026, 11, 2), 2, "leaving")
                .unwrap();
        }
        office.merge_bytes(&laptop.save()).unwrap();
        let mut merged: SeatLedger = office.value().unwrap();
        let free = |l: &SeatLedger| {
            (
                l.free(CareType::Kindergarten, january()),
                l.free(CareType::Nursery, january()),
                l.free(CareType::Kindergarten, Date::ymd(2026, 12, 1)),
            )
        };
        assert_eq!(free(&merged), (2, 0, 0));
        assert!(merged.record_leaving("notice-b", None));
        assert_eq!(
            free(&merged),
            (1, 0, 0),
            "the transfer is off: the child stays"
        );
        assert!(merged.validate().is_ok());
    }

    #[test]
    fn the_same_child_reserved_on_two_devices_is_one_seat_and_stays_writable() {
        let day = |d| Date::ymd(2026, 11, d);
        let mut two_months = ledger(3, 0);
        two_months.months.push(SeatMonth {
            month: Date::ymd(2027, 2, 1),
            ..two_months.months[0].clone()
        });
        let [mut office, mut laptop, mut tablet] =
            devices(&two_months, ["office", "laptop", "tablet"]);
        let february = Date::ymd(2027, 2, 1);
        for (doc, month, d) in [
            (&mut office, january(), 4),
            (&mut laptop, january(), 3),
            (&mut tablet, february, 5),
        ] {
            let mut l: SeatLedger = doc.value().unwrap();
            l.reserve(&app("aaaaaaa1"), CareType::Kindergarten, month, day(d))
                .unwrap();
            doc.update(&l, day(d), 2, "reserve").unwrap();
        }
        office.merge_bytes(&laptop.save()).unwrap();
        office.merge_bytes(&tablet.save()).unwrap();
        let mut merged: SeatLedger = office.value().unwrap();
        assert_eq!(
            merged.months[0].reservations.len(),
            2,
            "two entries after the merge"
        );
        assert_eq!(merged.months[0].held(), 1, "but one seat");
        assert_eq!(
            merged.held_in_several_months(),
            [(app("aaaaaaa1"), vec![january(), february])],
            "one child, two months: reported"
        );
        // The next write settles the duplicate and is valid; releasing frees both months.
        merged.settle_merged();
        assert_eq!(merged.months[0].reservations.len(), 1);
        assert_eq!(
            merged.months[0].reservations[0].decided_on,
            day(3),
            "the earlier decision"
        );
        merged.release(&app("aaaaaaa1"), day(6)).unwrap();
        office.update(&merged, day(6), 3, "release").unwrap();
        let after: SeatLedger = office.value().unwrap();
        assert!(after.held_in_several_months().is_empty());
        assert_eq!(after.free(CareType::Kindergarten, february), 3);
    }

    #[test]
    fn settling_a_merge_keeps_the_order_of_what_stays() {
        let hold = |wish: &str, status, d| SeatReservation {
            wish: app(wish),
            status,
            decided_on: Date::ymd(2026, 11, d),
        };
        let mut l = ledger(10, 0);
        l.months[0].reservations = vec![
            hold("aaaaaaa3", SeatStatus::Reserved, 4),
            hold("aaaaaaa1", SeatStatus::Reserved, 5),
            hold("aaaaaaa2", SeatStatus::Reserved, 2),
            hold("aaaaaaa1", SeatStatus::Reserved, 3),
        ];
        l.settle_merged();
        let left: Vec<(&str, u32)> = l.months[0]
            .reservations
            .iter()
            .map(|r| {
                use chrono::Datelike;
                (r.wish.as_str(), r.decided_on.0.day())
            })
            .collect();
        // Only the later duplicate goes; nothing moves (a moved element would be deleted and
        // inserted again, and a concurrent edit could bring the deleted one back).
        assert_eq!(left, [("aaaaaaa3", 4), ("aaaaaaa2", 2), ("aaaaaaa1", 3)]);
    }
}
