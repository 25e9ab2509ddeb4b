//! Families, children and care contracts.
//!
//! The generator fills every facility's contracted places (≈ 92 % of the approved places) with
//! children. Each unfilled place starts a new family; about 30 % of families have further
//! children, who often take a place in the same Kita (sibling placement is a priority
//! criterion), sometimes in another facility of the district (typically a Hort) or are not in
//! care (babies, older children). Birth dates are drawn so that the care type on `today` and the
//! completed years agree with [`crate::rules`].

use crate::names::Origin;
use crate::places::{self, DISTRICTS};
use crate::providers::{slot, FacilityKind, Plan, SLOT_TYPES};
use crate::rules::{
    add_months, after_school_until, age_months, kindergarten_from, month_start,
    month_start_on_or_after, school_entry,
};
use crate::Ids;
use chrono::{Days, NaiveDate};
use kitanetz_crdt::ids::{ChildId, ContractId, ContractLineId, FamilyId, GuardianId};
use kitanetz_crdt::kinds::{
    Address, CareContract, CareType, Child, ContractLine, Family, Guardian, PaymentMode, Sex,
};
use kitanetz_crdt::period::Period;
use kitanetz_crdt::scalar::{Date, Dec};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use std::collections::HashSet;

/// Daily hours of Krippe and Kindergarten contracts (RULES.md §4 tiers) with how often each is
/// chosen: most families book 8 or 9 hours.
const TIERS: [(i64, u32, u32); 7] = [
    (45, 1, 5),
    (6, 0, 10),
    (7, 0, 10),
    (8, 0, 22),
    (9, 0, 35),
    (10, 0, 13),
    (11, 0, 5),
];

pub(crate) fn hours_for(rng: &mut impl Rng, care_type: CareType) -> Dec {
    if matches!(
        care_type,
        CareType::AfterSchool | CareType::SupportedAfterSchool
    ) {
        return Dec(Decimal::from(if rng.gen_bool(0.6) { 5 } else { 6 }));
    }
    let total: u32 = TIERS.iter().map(|t| t.2).sum();
    let mut x = rng.gen_range(0..total);
    for (mantissa, scale, weight) in TIERS {
        if x < weight {
            return Dec(Decimal::new(mantissa, scale));
        }
        x -= weight;
    }
    unreachable!("weights sum to total")
}

/// A sex as recorded on a registration form (including "divers" and "ohne Angabe").
pub(crate) fn draw_sex(rng: &mut impl Rng) -> Sex {
    match rng.gen_range(0..1000) {
        0..=489 => Sex::Female,
        490..=979 => Sex::Male,
        980..=989 => Sex::Diverse,
        _ => Sex::Unspecified,
    }
}

/// The month starts from `a` to `b` (both month starts) inclusive, one drawn uniformly.
fn month_between(rng: &mut impl Rng, a: NaiveDate, b: NaiveDate) -> NaiveDate {
    if b <= a {
        return a;
    }
    let months = age_months(a, b);
    add_months(a, rng.gen_range(0..=months))
}

/// The family-level data drawn once and shared by its children and by applications.
pub(crate) struct Household {
    pub origin: Origin,
    pub family_name: &'static str,
    pub guardians: Vec<Guardian>,
}

/// Draws the guardians of a family living in `district` (or, rarely, just outside the city).
pub(crate) fn household(rng: &mut ChaCha8Rng, ids: &mut Ids, district: usize) -> Household {
    let origin = Origin::draw(rng);
    let family_name = origin.family_name(rng);
    let outside = rng.gen_bool(0.015);
    let address = if outside {
        places::address_outside(rng)
    } else {
        places::address_in(rng, district)
    };
    let single = rng.gen_bool(0.2);
    let first_female = rng.gen_bool(if single { 0.88 } else { 0.8 });
    let mut guardians = vec![guardian(
        rng,
        ids,
        origin,
        family_name,
        first_female,
        address.clone(),
        !outside,
        single,
    )];
    if !single {
        let same_name = rng.gen_bool(0.65);
        let partner_origin = if rng.gen_bool(0.85) {
            origin
        } else {
            Origin::German
        };
        let partner_name = if same_name {
            family_name
        } else {
            partner_origin.family_name(rng)
        };
        let female = if rng.gen_bool(0.02) {
            first_female
        } else {
            !first_female
        };
        guardians.push(guardian(
            rng,
            ids,
            partner_origin,
            partner_name,
            female,
            address,
            !outside,
            false,
        ));
    } else if rng.gen_bool(0.3) {
        // Separated parents with joint custody: the other parent lives elsewhere in the city.
        let other = places::draw_district(rng);
        let name = if rng.gen_bool(0.5) {
            family_name
        } else {
            origin.family_name(rng)
        };
        let other_address = places::address_in(rng, other);
        guardians.push(guardian(
            rng,
            ids,
            origin,
            name,
            !first_female,
            other_address,
            true,
            false,
        ));
    }
    Household {
        origin,
        family_name,
        guardians,
    }
}

#[allow(clippy::too_many_arguments)]
fn guardian(
    rng: &mut ChaCha8Rng,
    ids: &mut Ids,
    origin: Origin,
    family: &str,
    female: bool,
    address: Address,
    in_city: bool,
    single: bool,
) -> Guardian {
    let given = origin.adult_given_name(rng, female);
    let family_name = origin.inflect(family, female);
    let email = if rng.gen_bool(0.85) {
        let n = rng.gen_range(0..100);
        let suffix = if n < 60 { String::new() } else { n.to_string() };
        format!(
            "{}.{}{suffix}@example.com",
            places::slug(given),
            places::slug(&family_name)
        )
    } else {
        String::new()
    };
    Guardian {
        id: GuardianId::generate(&mut ids.guardian),
        given_name: given.to_string(),
        family_name,
        address,
        main_residence_in_city: in_city,
        phone: if rng.gen_bool(0.7) {
            places::mobile(rng)
        } else {
            places::landline(rng)
        },
        email,
        single_parent: single,
    }
}

/// A child of the household (not yet placed).
pub(crate) fn child(rng: &mut ChaCha8Rng, ids: &mut Ids, h: &Household, birth: NaiveDate) -> Child {
    let sex = draw_sex(rng);
    let female = match sex {
        Sex::Female => true,
        Sex::Male => false,
        _ => rng.gen_bool(0.5),
    };
    Child {
        id: ChildId::generate(&mut ids.child),
        given_name: h.origin.child_given_name(rng, female).to_string(),
        family_name: h.origin.inflect(h.family_name, female),
        birth_date: Date(birth),
        sex,
        integration_need: rng.gen_bool(0.025),
        facility: None,
    }
}

struct Builder<'a> {
    rng: &'a mut ChaCha8Rng,
    ids: &'a mut Ids,
    plan: &'a Plan,
    today: NaiveDate,
    /// Latest contract start: a month start strictly before today.
    latest_start: NaiveDate,
    /// Contracted places still to fill, per facility and slot.
    remaining: Vec<[u32; 3]>,
    by_district: Vec<Vec<usize>>,
    family_numbers: HashSet<u32>,
    contracts: Vec<CareContract>,
    /// Parallel to `contracts`: the facility index and the child's birth date.
    contract_facility: Vec<usize>,
    contract_birth: Vec<NaiveDate>,
}

pub(crate) fn generate(
    rng: &mut ChaCha8Rng,
    ids: &mut Ids,
    plan: &mut Plan,
    today: NaiveDate,
) -> (Vec<Family>, Vec<CareContract>) {
    // Occupancy varies per facility around 92 % (86–98 %).
    let remaining: Vec<[u32; 3]> = plan
        .places
        .iter()
        .map(|p| {
            let occupancy = rng.gen_range(860..=980);
            p.map(|places| (places * occupancy + 500) / 1000)
        })
        .collect();
    let mut by_district = vec![Vec::new(); DISTRICTS.len()];
    for (i, &d) in plan.districts.iter().enumerate() {
        by_district[d].push(i);
    }
    let mut b = Builder {
        rng: &mut *rng,
        ids,
        plan: &*plan,
        today,
        latest_start: month_start(today - Days::new(1)),
        remaining,
        by_district,
        family_numbers: HashSet::new(),
        contracts: Vec::new(),
        contract_facility: Vec::new(),
        contract_birth: Vec::new(),
    };
    let mut families = Vec::new();
    for fac in 0..b.plan.facilities.len() {
        while let Some(s) = b.draw_slot(fac) {
            families.push(b.family(fac, s));
        }
    }
    let Builder {
        mut contracts,
        contract_facility,
        contract_birth,
        ..
    } = b;
    assign_groups(
        rng,
        plan,
        &mut contracts,
        &contract_facility,
        &contract_birth,
        today,
    );
    (families, contracts)
}

impl Builder<'_> {
    /// A new family whose first child takes a place of slot `s` in facility `fac`.
    fn family(&mut self, fac: usize, s: usize) -> Family {
        let district = if self.rng.gen_bool(0.88) {
            self.plan.districts[fac]
        } else {
            places::draw_district(self.rng)
        };
        let h = household(self.rng, self.ids, district);
        let family_id = FamilyId::generate(&mut self.ids.family);
        let family_number = loop {
            let n = self.rng.gen_range(100_000..1_000_000);
            if self.family_numbers.insert(n) {
                break n;
            }
        };
        let first_type = SLOT_TYPES[s];
        // Without siblings to keep apart from, a date is found within a few draws.
        let birth = loop {
            if let Some(b) = self.birth_for(first_type, &[]) {
                break b;
            }
        };
        let mut births = vec![birth];
        let mut children = vec![self.placed_child(&h, &family_id, birth, fac, first_type)];

        let extra = match self.rng.gen_range(0..100) {
            0..=69 => 0,
            70..=92 => 1,
            93..=98 => 2,
            _ => 3,
        };
        for _ in 0..extra {
            let roll = self.rng.gen_range(0..100);
            let target = if roll < 55 {
                Some(fac)
            } else if roll < 75 {
                self.other_facility_in(fac)
            } else {
                None
            };
            let placed = target.and_then(|f| {
                let s = self.draw_slot(f)?;
                let care_type = SLOT_TYPES[s];
                let twin = f == fac && s == slot(first_type) && self.rng.gen_bool(0.03);
                let birth = if twin {
                    Some(births[0])
                } else {
                    self.birth_for(care_type, &births)
                }?;
                Some((f, care_type, birth))
            });
            match placed {
                Some((f, care_type, birth)) => {
                    births.push(birth);
                    let c = self.placed_child(&h, &family_id, birth, f, care_type);
                    children.push(c);
                }
                None => {
                    if let Some(birth) = self.unplaced_birth(&births) {
                        births.push(birth);
                        children.push(child(self.rng, self.ids, &h, birth));
                    }
                }
            }
        }
        Family {
            id: family_id,
            family_number: format!("{family_number:06}"),
            guardians: h.guardians,
            children,
            family_key: String::new(),
        }
    }

    /// Another facility of the same district with a place left, if any.
    fn other_facility_in(&mut self, fac: usize) -> Option<usize> {
        let candidates: Vec<usize> = self.by_district[self.plan.districts[fac]]
            .iter()
            .copied()
            .filter(|&f| f != fac && self.remaining[f].iter().any(|&r| r > 0))
            .collect();
        if candidates.is_empty() {
            None
        } else {
            Some(candidates[self.rng.gen_range(0..candidates.len())])
        }
    }

    /// A slot with places left in `fac`, drawn by how many are left.
    fn draw_slot(&mut self, fac: usize) -> Option<usize> {
        let left = self.remaining[fac];
        let total: u32 = left.iter().sum();
        if total == 0 {
            return None;
        }
        let mut x = self.rng.gen_range(0..total);
        let mut s = 0;
        while x >= left[s] {
            x -= left[s];
            s += 1;
        }
        Some(s)
    }

    /// Whether a birth date is at least ten months from every sibling's.
    fn spaced(birth: NaiveDate, siblings: &[NaiveDate]) -> bool {
        siblings
            .iter()
            .all(|s| (birth - *s).num_days().abs() >= 300)
    }

    /// A birth date for a child in `care_type` on `today` (consistent with the age rules and
    /// with a contract start in the past), spaced from the siblings; `None` if none was found.
    fn birth_for(&mut self, care_type: CareType, siblings: &[NaiveDate]) -> Option<NaiveDate> {
        let (min_days, max_days) = match care_type {
            CareType::Nursery => (365, 3 * 366),
            CareType::Kindergarten => (3 * 365, 7 * 366),
            _ => (6 * 365, 11 * 366),
        };
        for _ in 0..40 {
            let birth = self.today - Days::new(self.rng.gen_range(min_days..=max_days));
            if crate::rules::consistent(birth, self.today, care_type)
                && self.earliest_start(birth, care_type) <= self.latest_start
                && Self::spaced(birth, siblings)
            {
                return Some(birth);
            }
        }
        None
    }

    /// A sibling not in a Kita: a baby, an older school child or (rarely) a child cared for at
    /// home or by a childminder.
    fn unplaced_birth(&mut self, siblings: &[NaiveDate]) -> Option<NaiveDate> {
        for _ in 0..40 {
            let days_back = match self.rng.gen_range(0..100) {
                0..=44 => self.rng.gen_range(14..=364),
                45..=84 => self.rng.gen_range(11 * 366..=14 * 365),
                _ => self.rng.gen_range(365..=10 * 365),
            };
            let birth = self.today - Days::new(days_back);
            if Self::spaced(birth, siblings) {
                return Some(birth);
            }
        }
        None
    }

    /// The earliest month start a contract of this care type can have begun.
    fn earliest_start(&self, birth: NaiveDate, care_type: CareType) -> NaiveDate {
        match care_type {
            CareType::Nursery => month_start_on_or_after(add_months(birth, 12)),
            CareType::Kindergarten => kindergarten_from(birth),
            _ => school_entry(birth),
        }
    }

    fn placed_child(
        &mut self,
        h: &Household,
        family: &FamilyId,
        birth: NaiveDate,
        fac: usize,
        care_type: CareType,
    ) -> Child {
        let mut c = child(self.rng, self.ids, h, birth);
        c.facility = Some(self.plan.facilities[fac].profile.id.clone());
        self.remaining[fac][slot(care_type)] -= 1;
        let contract = self.contract(family, &c.id, birth, fac, care_type);
        self.contracts.push(contract);
        self.contract_facility.push(fac);
        self.contract_birth.push(birth);
        c
    }

    /// The contract of a child in `care_type` on `today` in facility `fac`.
    fn contract(
        &mut self,
        family: &FamilyId,
        child: &ChildId,
        birth: NaiveDate,
        fac: usize,
        care_type: CareType,
    ) -> CareContract {
        let kind = self.plan.kinds[fac];
        let switch = kindergarten_from(birth);
        let nursery_from = month_start_on_or_after(add_months(birth, 12));
        let latest = self.latest_start;
        let start = match care_type {
            CareType::Nursery if self.rng.gen_bool(0.7) => {
                add_months(nursery_from, self.rng.gen_range(0..=2)).min(latest)
            }
            CareType::Nursery => month_between(self.rng, nursery_from, latest),
            // Most Kindergarten children came up from the Kita's own Krippe.
            CareType::Kindergarten if kind == FacilityKind::Kita && self.rng.gen_bool(0.65) => {
                let last_nursery_month = month_start(switch - Days::new(1));
                month_between(self.rng, nursery_from, last_nursery_month.min(latest))
            }
            CareType::Kindergarten => month_between(self.rng, switch, latest),
            _ if self.rng.gen_bool(0.88) => school_entry(birth),
            _ => month_between(self.rng, school_entry(birth), latest),
        };
        let mut end = match (kind, care_type) {
            (FacilityKind::Nursery, _) => Some(switch - Days::new(1)),
            (FacilityKind::Kita, CareType::Kindergarten) if self.rng.gen_bool(0.5) => {
                Some(school_entry(birth) - Days::new(1))
            }
            (FacilityKind::AfterSchool, _) if self.rng.gen_bool(0.35) => {
                Some(after_school_until(birth) - Days::new(1))
            }
            _ => None,
        };
        let mut notice_given_on = None;
        if end.is_none() && self.rng.gen_bool(0.03) {
            // Notice given recently: the contract ends at the end of the month two months on.
            let notice = (self.today - Days::new(self.rng.gen_range(0..=40))).max(start);
            let last_month = add_months(month_start(notice), 2);
            end = Some(add_months(last_month, 1) - Days::new(1));
            notice_given_on = Some(Date(notice));
        }

        // Dates of change: the Krippe → Kindergarten switch (if it already happened inside this
        // contract), a past change of hours, or an agreed future one (two months ahead).
        let mut changes: Vec<(NaiveDate, bool)> = Vec::new();
        if kind == FacilityKind::Kita && start < switch && switch <= self.today {
            changes.push((switch, false));
        }
        let roll = self.rng.gen_range(0..100);
        if roll < 30 && start < latest {
            let c = month_between(self.rng, add_months(start, 1), latest);
            if c != switch {
                changes.push((c, true));
            }
        } else if roll < 36 {
            // Only inside the current care type: a later line would carry a care type the
            // child has outgrown by then.
            let outgrown = match care_type {
                CareType::Nursery => switch,
                CareType::Kindergarten => school_entry(birth),
                _ => after_school_until(birth),
            };
            let c = add_months(month_start(self.today), self.rng.gen_range(2..=3));
            if end.is_none_or(|e| c <= e) && c < outgrown {
                changes.push((c, true));
            }
        }
        changes.sort();
        let mode = if self.rng.gen_bool(0.78) {
            PaymentMode::DirectDebit
        } else {
            PaymentMode::SelfPayer
        };
        let type_on = |day: NaiveDate| match kind {
            FacilityKind::Kita if day >= switch => CareType::Kindergarten,
            FacilityKind::Kita | FacilityKind::Nursery => CareType::Nursery,
            FacilityKind::AfterSchool => CareType::AfterSchool,
        };
        let mut hours = hours_for(self.rng, type_on(start));
        let mut lines = Vec::new();
        let mut from = start;
        for k in 0..=changes.len() {
            let until = match changes.get(k) {
                Some(&(at, _)) => Some(at - Days::new(1)),
                None => end,
            };
            lines.push(ContractLine {
                id: ContractLineId::generate(&mut self.ids.line),
                valid: Period::new(Date(from), until.map(Date))
                    .expect("changes are after the start"),
                care_type: type_on(from),
                daily_hours: hours,
                group: None,
                payment_mode: mode,
                reserved_seat: false,
            });
            if let Some(&(at, hours_change)) = changes.get(k) {
                from = at;
                // A change of hours always changes them; families often also change hours
                // when the child moves up to the Kindergarten.
                if hours_change || self.rng.gen_bool(0.25) {
                    let before = hours;
                    for _ in 0..8 {
                        hours = hours_for(self.rng, type_on(at));
                        if hours != before {
                            break;
                        }
                    }
                }
            }
        }
        let facility = self.plan.facilities[fac].profile.id.clone();
        CareContract {
            id: ContractId::generate(&mut self.ids.contract),
            family: family.clone(),
            child: child.clone(),
            facility,
            period: Period::new(Date(start), end.map(Date)).expect("end after start"),
            lines,
            notice_given_on,
            notice_reason: notice_given_on.map(|_| "move".to_string()),
            school_entry: None,
        }
    }
}

/// Puts every child into a group of its current care type (ordered by age, so groups are
/// roughly same-aged) and records the group on its contract lines. Earlier lines of another
/// care type (the Krippe years of a Kindergarten child) name one of the Krippe groups.
fn assign_groups(
    rng: &mut ChaCha8Rng,
    plan: &mut Plan,
    contracts: &mut [CareContract],
    contract_facility: &[usize],
    contract_birth: &[NaiveDate],
    today: NaiveDate,
) {
    let mut per_facility: Vec<Vec<usize>> = vec![Vec::new(); plan.facilities.len()];
    for (i, &f) in contract_facility.iter().enumerate() {
        per_facility[f].push(i);
    }
    let today = Date(today);
    for (fac, indices) in per_facility.into_iter().enumerate() {
        let groups = &mut plan.facilities[fac].groups;
        for care_type in SLOT_TYPES {
            let group_idx: Vec<usize> = (0..groups.len())
                .filter(|&g| groups[g].care_type == care_type)
                .collect();
            if group_idx.is_empty() {
                continue;
            }
            let mut kids: Vec<usize> = indices
                .iter()
                .copied()
                .filter(|&c| {
                    contracts[c]
                        .line_on(today)
                        .is_some_and(|l| l.care_type == care_type)
                })
                .collect();
            kids.sort_by_key(|&c| (contract_birth[c], c));
            let n = kids.len();
            for (k, &c) in kids.iter().enumerate() {
                let g = group_idx[k * group_idx.len() / n.max(1)];
                groups[g].members.push(contracts[c].child.clone());
                let id = groups[g].id.clone();
                for line in &mut contracts[c].lines {
                    if line.care_type == care_type {
                        line.group = Some(id.clone());
                    }
                }
            }
        }
        // Past lines of another care type (Krippe years) get a Krippe group of the facility.
        let nursery: Vec<_> = groups
            .iter()
            .filter(|g| g.care_type == CareType::Nursery)
            .map(|g| g.id.clone())
            .collect();
        for &c in &indices {
            for line in &mut contracts[c].lines {
                if line.group.is_none()
                    && line.care_type == CareType::Nursery
                    && !nursery.is_empty()
                {
                    line.group = Some(nursery[rng.gen_range(0..nursery.len())].clone());
                }
            }
        }
        for g in groups.iter_mut() {
            g.members.sort();
        }
    }
}
