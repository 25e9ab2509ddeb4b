//! Pending applications: babies of families already in a Kita (sibling cases), families new to
//! the system (mostly Krippe starts, some Kindergarten children moving to the city and school
//! entrants wanting a Hort) and a few transfer applications (Wechselanträge).
//!
//! Wishes favour the family's own district, as parents do; the placement record stores them in
//! facility order with a random per-Kita handle, the ranks live only in the applicant half
//! (see the module docs of `kitanetz_crdt::kinds::application`).

use crate::families::{self, hours_for};
use crate::places;
use crate::providers::Plan;
use crate::rules::{add_months, age_months, care_type_on, month_start, month_start_on_or_after};
use crate::Ids;
use chrono::{Datelike, Days, NaiveDate};
use kitanetz_crdt::ids::{ApplicationId, FacilityId, WishHandle};
use kitanetz_crdt::kinds::application::MAX_WISHES;
use kitanetz_crdt::kinds::{
    Applicant, Application, CareContract, CareType, Consents, Family, Guardian, Sex, WishedFacility,
};
use kitanetz_crdt::scalar::Date;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};

/// The child and contact an application is about.
struct Case {
    given_name: String,
    family_name: String,
    birth: NaiveDate,
    sex: Sex,
    integration_need: bool,
    guardian: Guardian,
    district: usize,
    /// Facilities where a sibling has a contract.
    sibling_facilities: Vec<usize>,
    /// For a transfer: the facility the child attends now.
    current: Option<usize>,
}

struct Ctx<'a> {
    plan: &'a Plan,
    today: NaiveDate,
    next_month: NaiveDate,
    fac_index: HashMap<&'a FacilityId, usize>,
    handles: HashSet<u32>,
}

pub(crate) fn generate(
    rng: &mut ChaCha8Rng,
    ids: &mut Ids,
    plan: &Plan,
    families: &[Family],
    contracts: &[CareContract],
    count: usize,
    today: NaiveDate,
) -> Vec<(Application, Applicant)> {
    if plan.facilities.is_empty() {
        return Vec::new();
    }
    let mut ctx = Ctx {
        plan,
        today,
        next_month: add_months(month_start(today), 1),
        fac_index: plan
            .facilities
            .iter()
            .enumerate()
            .map(|(i, f)| (&f.profile.id, i))
            .collect(),
        handles: HashSet::new(),
    };
    let family_index: HashMap<_, usize> = families
        .iter()
        .enumerate()
        .map(|(i, f)| (&f.id, i))
        .collect();
    // Babies under one year whose family already has a child in care: the sibling cases.
    let mut babies: Vec<(usize, usize)> = Vec::new();
    for (fi, f) in families.iter().enumerate() {
        if f.children.iter().any(|c| c.facility.is_some()) {
            for (ci, c) in f.children.iter().enumerate() {
                if c.facility.is_none() && age_months(c.birth_date.0, today) < 12 {
                    babies.push((fi, ci));
                }
            }
        }
    }
    // Kindergarten children who might ask for a transfer.
    let kiga: Vec<usize> = (0..contracts.len())
        .filter(|&i| {
            contracts[i]
                .line_on(Date(today))
                .is_some_and(|l| l.care_type == CareType::Kindergarten)
        })
        .collect();
    let mut used_babies = HashSet::new();
    let mut used_transfers = HashSet::new();

    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let roll = rng.gen_range(0..100);
        let (case, start, transfer) = if roll < 35 && used_babies.len() < babies.len() {
            let (fi, ci) = babies[rng.gen_range(0..babies.len())];
            if !used_babies.insert((fi, ci)) {
                continue;
            }
            let case = family_case(&ctx, &families[fi], ci, None);
            let start = month_start_on_or_after(add_months(case.birth, rng.gen_range(11..=15)))
                .max(ctx.next_month);
            (case, start, false)
        } else if roll < 40 && used_transfers.len() < kiga.len() {
            let k = kiga[rng.gen_range(0..kiga.len())];
            if !used_transfers.insert(k) {
                continue;
            }
            let c = &contracts[k];
            let fam = &families[family_index[&c.family]];
            let ci = fam
                .children
                .iter()
                .position(|x| x.id == c.child)
                .expect("contract child is in its family");
            let current = ctx.fac_index[&c.facility];
            let case = family_case(&ctx, fam, ci, Some(current));
            // The 2-month notice to the old Kita: a transfer starts three to five months ahead.
            let start = add_months(month_start(today), rng.gen_range(3..=5));
            (case, start, true)
        } else {
            let (case, start) = new_case(rng, ids, &ctx);
            (case, start, false)
        };
        let Some(care_type) = care_type_on(case.birth, start) else {
            continue;
        };
        let ranked = wishes(rng, &ctx, &case, care_type);
        if ranked.is_empty() {
            continue;
        }
        out.push(application(
            rng, ids, &mut ctx, case, start, care_type, ranked, transfer,
        ));
    }
    out
}

/// An application for child `ci` of a family already in the world.
fn family_case(ctx: &Ctx, family: &Family, ci: usize, current: Option<usize>) -> Case {
    let child = &family.children[ci];
    let guardian = family.guardians[0].clone();
    let sibling_facilities = family
        .children
        .iter()
        .filter(|c| c.id != child.id)
        .filter_map(|c| c.facility.as_ref())
        .map(|f| ctx.fac_index[f])
        .collect();
    let district = guardian_district(ctx, family);
    Case {
        given_name: child.given_name.clone(),
        family_name: child.family_name.clone(),
        birth: child.birth_date.0,
        sex: child.sex,
        integration_need: child.integration_need,
        guardian,
        district,
        sibling_facilities,
        current,
    }
}

/// The district a family lives in, from the postcode of its first guardian (families living
/// outside the city look in the district of their children's Kita).
fn guardian_district(ctx: &Ctx, family: &Family) -> usize {
    let postcode = &family.guardians[0].address.postcode;
    places::DISTRICTS
        .iter()
        .position(|d| d.streets.iter().any(|(_, pc)| pc == postcode))
        .or_else(|| {
            family
                .children
                .iter()
                .find_map(|c| c.facility.as_ref())
                .map(|f| ctx.plan.districts[ctx.fac_index[f]])
        })
        .unwrap_or(0)
}

/// A family new to the system.
fn new_case(rng: &mut ChaCha8Rng, ids: &mut Ids, ctx: &Ctx) -> (Case, NaiveDate) {
    let today = ctx.today;
    let (birth, start) = match rng.gen_range(0..100) {
        0..=69 => {
            let birth = today - Days::new(rng.gen_range(20..=700));
            let start = month_start_on_or_after(add_months(birth, rng.gen_range(11..=15)))
                .max(ctx.next_month);
            (birth, start)
        }
        70..=87 => {
            let birth = today - Days::new(rng.gen_range(3 * 365..=5 * 365));
            (birth, add_months(ctx.next_month, rng.gen_range(0..=5)))
        }
        _ => {
            // School entrants of the coming 1 August.
            let year = if today.month() < 8 {
                today.year()
            } else {
                today.year() + 1
            };
            let from = NaiveDate::from_ymd_opt(year - 7, 7, 1).expect("1 July");
            let to = NaiveDate::from_ymd_opt(year - 6, 6, 30).expect("30 June");
            let birth = from + Days::new(rng.gen_range(0..=(to - from).num_days() as u64));
            (
                birth,
                NaiveDate::from_ymd_opt(year, 8, 1).expect("1 August"),
            )
        }
    };
    let district = places::draw_district(rng);
    let h = families::household(rng, ids, district);
    let child = families::child(rng, ids, &h, birth);
    let case = Case {
        given_name: child.given_name,
        family_name: child.family_name,
        birth,
        sex: child.sex,
        integration_need: child.integration_need,
        guardian: h.guardians[0].clone(),
        district,
        sibling_facilities: Vec::new(),
        current: None,
    };
    (case, start)
}

/// One to five distinct facilities offering the care type, best first: a sibling's Kita first
/// when it offers the care type, then mostly Kitas of the home district.
fn wishes(rng: &mut ChaCha8Rng, ctx: &Ctx, case: &Case, care_type: CareType) -> Vec<usize> {
    let plan = ctx.plan;
    let eligible = |i: &usize| plan.kinds[*i].offers(care_type) && Some(*i) != case.current;
    let all: Vec<usize> = (0..plan.kinds.len()).filter(eligible).collect();
    let near: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| plan.districts[i] == case.district)
        .collect();
    let want = match rng.gen_range(0..100) {
        0..=7 => 1,
        8..=17 => 2,
        18..=39 => 3,
        40..=59 => 4,
        _ => MAX_WISHES,
    }
    .min(all.len());
    let mut ranked: Vec<usize> = Vec::with_capacity(want);
    if let Some(&s) = case.sibling_facilities.iter().find(|s| eligible(s)) {
        if rng.gen_bool(0.85) {
            ranked.push(s);
        }
    }
    while ranked.len() < want {
        let pool = if rng.gen_bool(0.75) && near.iter().any(|i| !ranked.contains(i)) {
            &near
        } else {
            &all
        };
        let pick = pool[rng.gen_range(0..pool.len())];
        if !ranked.contains(&pick) {
            ranked.push(pick);
        }
    }
    ranked
}

#[allow(clippy::too_many_arguments)]
fn application(
    rng: &mut ChaCha8Rng,
    ids: &mut Ids,
    ctx: &mut Ctx,
    case: Case,
    start: NaiveDate,
    care_type: CareType,
    ranked: Vec<usize>,
    transfer: bool,
) -> (Application, Applicant) {
    let id = ApplicationId::generate(&mut ids.application);
    let fac_id = |i: usize| ctx.plan.facilities[i].profile.id.clone();
    let mut wishes: Vec<WishedFacility> = Vec::with_capacity(ranked.len());
    for &i in &ranked {
        // Random-looking, unique per Kita, unlinkable across Kitas.
        let handle = loop {
            let h: u32 = rng.gen();
            if ctx.handles.insert(h) {
                break h;
            }
        };
        wishes.push(WishedFacility {
            facility: fac_id(i),
            handle: WishHandle(format!("{handle:08x}")),
            status: "waiting".to_string(),
            since: None,
        });
    }
    wishes.sort_by(|a, b| a.facility.cmp(&b.facility));
    let mut sibling_in_facility: Vec<FacilityId> = case
        .sibling_facilities
        .iter()
        .filter(|s| ranked.contains(s))
        .map(|&s| fac_id(s))
        .collect();
    sibling_in_facility.sort();
    sibling_in_facility.dedup();
    let application = Application {
        id: id.clone(),
        wishes,
        desired_start: Date(start),
        daily_hours: hours_for(rng, care_type),
        care_type,
        age_months_at_start: age_months(case.birth, start),
        sibling_in_facility,
        integration_need: case.integration_need,
        transfer,
        // The data set's transfers were decided by the ZVS already (they are in placement).
        transfer_priority: if transfer {
            "normal".into()
        } else {
            String::new()
        },
        transfer_from: None,
        status: "active".to_string(),
        together: String::new(),
        childminding_agency: None,
        settled: None,
    };
    let g = case.guardian;
    let notify_by_post = g.email.is_empty() || rng.gen_bool(0.06);
    let applicant = Applicant {
        application: id,
        child_given_name: case.given_name,
        child_family_name: case.family_name,
        child_birth_date: Date(case.birth),
        child_sex: case.sex,
        guardian_given_name: g.given_name,
        guardian_family_name: g.family_name,
        address: g.address,
        phone: g.phone,
        email: g.email,
        ranked_wishes: ranked.into_iter().map(fac_id).collect(),
        consents: Consents {
            data_processing: true,
            forwarding_to_free_providers: true,
            terms: true,
        },
        notify_by_post,
        child_denomination: String::new(),
        reasons: String::new(),
        transfer_reason: String::new(),
        childminding: None,
        address_check: String::new(),
        submitted_on: None,
        address_checked_on: None,
        history: vec![],
    };
    (application, applicant)
}
