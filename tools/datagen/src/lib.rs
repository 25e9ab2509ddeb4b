//! Deterministic synthetic data for Kitanetz: a city's Träger, Kitas with licences and groups,
//! childminders, families, care contracts and pending applications, as typed `kitanetz-crdt`
//! values that pass their validators.
//!
//! Why synthetic and why deterministic: real family data may never leave a municipality, yet
//! demos, benchmarks and integration tests need a city that looks real (names with umlauts,
//! real street names, siblings, single parents, contract histories). The same `seed` and `today`
//! always give the same [`World`], byte for byte when serialised, so a failing test or a
//! benchmark regression can be reproduced anywhere. Every random decision comes from a seeded
//! ChaCha8 stream (portable across platforms); ids come from [`SeqIdGen`] counters; no hash-map
//! iteration order ever reaches the output.
//!
//! ```no_run
//! use kitanetz_crdt::scalar::Date;
//! let world = kitanetz_datagen::generate(7, &kitanetz_datagen::Scale::demo(), Date::ymd(2026, 3, 16));
//! assert!(world.validation_errors(Date::ymd(2026, 3, 16)).is_empty());
//! ```

mod applications;
mod childminders;
mod families;
mod names;
mod places;
mod portal;
mod providers;
pub mod rules;
mod streets;

use kitanetz_crdt::ids::{ChildId, FacilityId, FamilyId, ProviderId, SeqIdGen};
use kitanetz_crdt::kinds::{
    Applicant, Application, CareContract, ChildminderProfile, FacilityLicence, FacilityProfile,
    Family, Group, ProviderProfile,
};
use kitanetz_crdt::scalar::Date;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

pub use childminders::agency_for_district;
pub use places::CITY;
pub use streets::{street_directory, write_street_directory_csv, StreetRow, STREET_CSV_HEADER};

/// How big a city to generate. Everything else (facility mix, split of places over Krippe,
/// Kindergarten and Hort, occupancy) follows Dresden's proportions, so one number per axis is
/// enough to scale from a demo to the full city.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    /// Träger; the first is the municipal Eigenbetrieb with about half the facilities.
    pub providers: usize,
    pub facilities: usize,
    pub childminders: usize,
    /// Approved places over all facilities on `today` (exact: apportioned, not sampled).
    pub places_target: u32,
    /// Pending applications.
    pub applications: usize,
}

impl Scale {
    /// A small city for demos and UI work: 2 Träger with 2 Kitas each (Krippe + Kindergarten,
    /// 65–85 places and roughly 60–80 contracted children per Kita), 3 childminders,
    /// 40 applications.
    pub fn demo() -> Scale {
        Scale {
            providers: 2,
            facilities: 4,
            childminders: 3,
            places_target: 300,
            applications: 40,
        }
    }

    /// Dresden as described in the Lastenheft (RULES.md §1): 337 facilities (14 Krippen,
    /// 247 Kitas, 76 Horte), 42,100 places (7,250 Krippe, 18,500 Kindergarten, 16,350 Hort),
    /// 341 childminders with 1,650 places, about 60 Träger.
    pub fn dresden() -> Scale {
        Scale {
            providers: 60,
            facilities: 337,
            childminders: 341,
            places_target: 42_100,
            applications: 3_000,
        }
    }
}

/// One Kita's three kinds of documents: the Träger's profile, the city's licence, its groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilitySet {
    pub profile: FacilityProfile,
    pub licence: FacilityLicence,
    /// Groups with members = the children whose contract line on `today` names the group.
    pub groups: Vec<Group>,
}

/// A generated city.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct World {
    /// "Dresden".
    pub city_name: String,
    /// The municipal Eigenbetrieb first, then the free Träger.
    pub providers: Vec<ProviderProfile>,
    pub facilities: Vec<FacilitySet>,
    pub childminders: Vec<ChildminderProfile>,
    /// Every family with at least one child in a Kita; children in care have `facility: Some`,
    /// their siblings (babies, older children) `None`.
    pub families: Vec<Family>,
    /// One contract per child in care, in the order of `families`.
    pub contracts: Vec<CareContract>,
    /// Pending applications (status "active", every wish "waiting") with their applicant half.
    pub applications: Vec<(Application, Applicant)>,
}

/// Generates a world. Same `seed`, `scale` and `today` give the same world.
///
/// `today` is the reference day: children in care are in care on it, contracts started on an
/// earlier month start, applications wish to start after it.
pub fn generate(seed: u64, scale: &Scale, today: Date) -> World {
    let mut ids = Ids::new();
    let mut rng = stream(seed, 1);
    let mut plan = providers::generate(&mut rng, &mut ids, scale, today.0);
    let mut rng = stream(seed, 2);
    let mut childminders = childminders::generate(&mut rng, &mut ids, scale.childminders, today.0);
    let mut rng = stream(seed, 3);
    let (families, mut contracts) = families::generate(&mut rng, &mut ids, &mut plan, today.0);
    let mut rng = stream(seed, 4);
    providers::reserved_seats_and_closures(&mut rng, &mut plan, &mut contracts, today.0);
    let mut rng = stream(seed, 5);
    let applications = applications::generate(
        &mut rng,
        &mut ids,
        &plan,
        &families,
        &contracts,
        scale.applications,
        today.0,
    );
    let mut rng = stream(seed, 6);
    portal::fill_facilities(&mut rng, &mut plan);
    portal::fill_childminders(&mut rng, &mut childminders);
    World {
        city_name: CITY.to_string(),
        providers: plan.providers,
        facilities: plan.facilities,
        childminders,
        families,
        contracts,
        applications,
    }
}

/// An independent random stream per generation phase, so that e.g. more applications do not
/// change the families.
fn stream(seed: u64, phase: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(phase);
    rng
}

/// One deterministic id counter per kind; the namespace `g` marks generated data.
pub(crate) struct Ids {
    pub provider: SeqIdGen,
    pub facility: SeqIdGen,
    pub group: SeqIdGen,
    pub childminder: SeqIdGen,
    pub family: SeqIdGen,
    pub guardian: SeqIdGen,
    pub child: SeqIdGen,
    pub contract: SeqIdGen,
    pub line: SeqIdGen,
    pub application: SeqIdGen,
}

impl Ids {
    fn new() -> Ids {
        Ids {
            provider: SeqIdGen::new("g"),
            facility: SeqIdGen::new("g"),
            group: SeqIdGen::new("g"),
            childminder: SeqIdGen::new("g"),
            family: SeqIdGen::new("g"),
            guardian: SeqIdGen::new("g"),
            child: SeqIdGen::new("g"),
            contract: SeqIdGen::new("g"),
            line: SeqIdGen::new("g"),
            application: SeqIdGen::new("g"),
        }
    }
}

impl World {
    pub fn provider(&self, id: &ProviderId) -> Option<&ProviderProfile> {
        self.providers.iter().find(|p| &p.id == id)
    }

    pub fn facility(&self, id: &FacilityId) -> Option<&FacilitySet> {
        self.facilities.iter().find(|f| &f.profile.id == id)
    }

    /// The Träger running a facility.
    pub fn provider_of_facility(&self, id: &FacilityId) -> Option<&ProviderProfile> {
        self.facility(id)
            .and_then(|f| self.provider(&f.profile.provider))
    }

    /// The facilities a Träger runs, in world order.
    pub fn facilities_of_provider<'a>(
        &'a self,
        id: &'a ProviderId,
    ) -> impl Iterator<Item = &'a FacilitySet> + 'a {
        self.facilities
            .iter()
            .filter(move |f| &f.profile.provider == id)
    }

    /// Linear scan; build an index when calling this in a loop over a Dresden-scale world.
    pub fn family(&self, id: &FamilyId) -> Option<&Family> {
        self.families.iter().find(|f| &f.id == id)
    }

    /// The contract of a child in care (linear scan).
    pub fn contract_of_child(&self, id: &ChildId) -> Option<&CareContract> {
        self.contracts.iter().find(|c| &c.child == id)
    }

    /// Contracts of a facility, in world order.
    pub fn contracts_of_facility<'a>(
        &'a self,
        id: &'a FacilityId,
    ) -> impl Iterator<Item = &'a CareContract> + 'a {
        self.contracts.iter().filter(move |c| &c.facility == id)
    }

    /// Every validator failure in the world as "what: error" lines; empty when all values pass
    /// `validate()` / `validate_on(today)`. A generated world is always clean; the method exists
    /// so that consumers who modify a world can re-check it.
    pub fn validation_errors(&self, today: Date) -> Vec<String> {
        let mut out = Vec::new();
        let mut note = |what: &str, r: Result<(), kitanetz_crdt::ValidationError>| {
            if let Err(e) = r {
                out.push(format!("{what}: {e}"));
            }
        };
        for p in &self.providers {
            note(p.id.as_str(), p.validate());
        }
        for f in &self.facilities {
            note(f.profile.id.as_str(), f.profile.validate());
            note(&format!("{} licence", f.licence.id), f.licence.validate());
            for g in &f.groups {
                note(g.id.as_str(), g.validate());
            }
        }
        for c in &self.childminders {
            note(c.id.as_str(), c.validate());
        }
        for f in &self.families {
            note(f.id.as_str(), f.validate_on(today));
        }
        for c in &self.contracts {
            note(c.id.as_str(), c.validate());
        }
        for (a, p) in &self.applications {
            note(a.id.as_str(), a.validate());
            note(&format!("{} applicant", a.id), p.validate());
        }
        out
    }
}

/// The Träger of a facility of a generated world.
///
/// # Panics
/// If the facility is not in the world (every generated facility has its Träger).
pub fn provider_of_facility<'a>(world: &'a World, facility: &FacilityId) -> &'a ProviderProfile {
    world
        .provider_of_facility(facility)
        .unwrap_or_else(|| panic!("facility {facility} is not part of this world"))
}
