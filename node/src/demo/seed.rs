//! Seeding: every document is created once, at the node that owns it, and copied to every other
//! node whose membership allows it — what sync will do, done here before the nodes start.

use crate::auth::{create_user, insert_user, NewUser, Role};
use crate::clock::Clock;
use crate::config::NodeConfig;
use crate::storage::{AuditEntry, Durability, Store};
use kitanetz_crdt::doc::{Document, StoredDoc};
use kitanetz_crdt::ids::{
    city_org, doc_id_for, facility_org, provider_org, FacilityId, OrgId, ProviderId,
};
use kitanetz_crdt::kinds::{CareType, SeatLedger, SeatMonth};
use kitanetz_crdt::meta::DocMeta;
use kitanetz_crdt::policy::{may_hold, NodeRole};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::DocId;
use kitanetz_datagen::World;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

/// Password of every demo account (printed by `kitanetz demo`). Demo data only.
pub const DEMO_PASSWORD: &str = "kitanetz-demo";

/// Documents per SQLite transaction while seeding.
const BATCH: usize = 500;

#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoNode {
    pub name: String,
    pub logins: Vec<(String, Role)>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SeedReport {
    pub nodes: Vec<DemoNode>,
    /// Documents created (each once, at its owner).
    pub documents: usize,
    /// Copies placed at other nodes.
    pub copies: usize,
}

fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'ä' => s.push_str("ae"),
            'ö' => s.push_str("oe"),
            'ü' => s.push_str("ue"),
            'ß' => s.push_str("ss"),
            c if c.is_ascii_alphanumeric() => s.push(c),
            _ => {
                if !s.ends_with('-') {
                    s.push('-')
                }
            }
        }
    }
    s.trim_matches('-')
        .chars()
        .take(32)
        .collect::<String>()
        .trim_matches('-')
        .to_string()
}

/// A node name from a Kita name without the generic words ("Kita Sonnenschein" → "sonnenschein").
fn short_slug(name: &str) -> String {
    let full = slug(name);
    let generic = [
        "kindertagesstaette-",
        "kindertageseinrichtung-",
        "kinderhaus-",
        "kinderkrippe-",
        "kindergarten-",
        "kita-",
        "hort-",
    ];
    let mut s = full.as_str();
    while let Some(rest) = generic.iter().find_map(|g| s.strip_prefix(g)) {
        s = rest;
    }
    if s.is_empty() {
        full
    } else {
        s.to_string()
    }
}

/// The demo network for a world: the city, one node per Träger, one per Kita. Ports count up
/// from `base_port` (city first).
pub fn plan_network(world: &World, base_port: u16) -> Vec<NodeConfig> {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut port = base_port;
    let mut next = || {
        let p = port;
        port = port.wrapping_add(1);
        SocketAddr::new(ip, p)
    };
    let city_listen = next();
    let mut out = vec![NodeConfig {
        version: 1,
        name: "city".into(),
        role: NodeRole::City,
        organisation: city_org(),
        provider: None,
        facility: None,
        listen: city_listen,
        display_name: format!("Jugendamt {}", world.city_name),
        p2p: None,
        portal: Some(crate::config::PortalSection {
            public_url: format!("http://{city_listen}"),
            city: world.city_name.clone(),
            office: crate::config::OfficeSection {
                name: "Zentrale Vermittlungsstelle Kindertagesbetreuung".into(),
                street: "Rathausplatz 1".into(),
                postcode_town: format!("01067 {}", world.city_name),
                phone: "0351 488-0000".into(),
                email: "kita-portal@dresden.example".into(),
            },
            ..crate::config::PortalSection::with_defaults()
        }),
        // The demo's mails land as .eml files in the city's data directory.
        mail: Some(kitanetz_mail::MailConfig {
            from: kitanetz_mail::Sender {
                address: "kita-portal@dresden.example".into(),
                name: Some(format!("Kita-Portal {}", world.city_name)),
            },
            transport: kitanetz_mail::Transport::Folder {
                path: DEMO_MAIL_FOLDER.into(),
            },
        }),
        tls: None,
        fees: None,
        kita: None,
        backup: Some(demo_backups()),
        storage: Some(demo_storage()),
        tagespflege: None,
        kitaplaner: None,
    }];
    for (i, p) in world.providers.iter().enumerate() {
        out.push(NodeConfig {
            version: 1,
            name: format!("traeger-{}", i + 1),
            role: NodeRole::Traeger,
            organisation: provider_org(&p.id),
            provider: Some(p.id.clone()),
            facility: None,
            listen: next(),
            display_name: p.name.clone(),
            p2p: None,
            portal: None,
            mail: None,
            tls: None,
            fees: Some(demo_fee_office(p, &world.city_name)),
            kita: None,
            backup: Some(demo_backups()),
            storage: Some(demo_storage()),
            tagespflege: None,
            kitaplaner: Some(demo_kitaplaner(world, |f| f.provider == p.id)),
        });
    }
    let mut taken = std::collections::BTreeSet::new();
    for f in &world.facilities {
        // Two Kitas may share a name ("Kita Sonnenschein"); node names must not.
        let base = format!("kita-{}", short_slug(&f.profile.name));
        let name = (1..)
            .map(|i| {
                if i == 1 {
                    base.clone()
                } else {
                    format!("{base}-{i}")
                }
            })
            .find(|n| !taken.contains(n))
            .expect("unbounded");
        taken.insert(name.clone());
        out.push(NodeConfig {
            version: 1,
            name,
            role: NodeRole::Kita,
            organisation: facility_org(&f.profile.id),
            provider: Some(f.profile.provider.clone()),
            facility: Some(f.profile.id.clone()),
            listen: next(),
            display_name: f.profile.name.clone(),
            p2p: None,
            portal: None,
            mail: None,
            tls: None,
            fees: None,
            kita: None,
            backup: Some(demo_backups()),
            storage: Some(demo_storage()),
            tagespflege: None,
            kitaplaner: Some(demo_kitaplaner(world, |g| g.id == f.profile.id)),
        });
    }
    out
}

/// The demo's backups from the UI (*Datensicherung*): beside the nodes, in `backups/`.
/// The demo seals personal documents at rest, as a new node does.
fn demo_storage() -> crate::config::StorageSection {
    crate::config::StorageSection {
        encrypt_personal: true,
    }
}

fn demo_backups() -> crate::config::BackupSection {
    crate::config::BackupSection {
        dir: "backups".into(),
    }
}

/// The demo's Kita-Planer export: files land in the node's `kitaplaner-export` directory, and
/// every Kita the node holds has a made-up `KITA_ID_EXTERN` (seven digits, by its place in
/// the world), the same on the Träger's node and the Kita's.
fn demo_kitaplaner(
    world: &World,
    holds: impl Fn(&kitanetz_crdt::kinds::FacilityProfile) -> bool,
) -> crate::config::KitaplanerSection {
    crate::config::KitaplanerSection {
        drop_dir: Some("kitaplaner-export".into()),
        kita_ids: world
            .facilities
            .iter()
            .enumerate()
            .filter(|(_, f)| holds(&f.profile))
            .map(|(i, f)| (f.profile.id.0.clone(), format!("{:07}", 100_001 + i)))
            .collect(),
    }
}

/// The demo login of a Träger node's Beitragsstelle: `traeger-1` → `beitrag1`.
pub fn fee_office_login(traeger_node: &str) -> String {
    traeger_node.replace("traeger-", "beitrag")
}

/// The Beitragsstelle of a demo Träger: its address, and the SEPA test creditor (the
/// Bundesbank's example creditor id and IBAN: files validate, no bank accepts them).
fn demo_fee_office(
    p: &kitanetz_crdt::kinds::ProviderProfile,
    city: &str,
) -> crate::config::FeesSection {
    crate::config::FeesSection {
        authority: p.name.clone(),
        office: "Beitragsstelle".into(),
        street: p.address.street.clone(),
        postcode_town: format!("{} {}", p.address.postcode, p.address.city),
        phone: p.phone.clone(),
        email: p.email.clone(),
        objection_address: String::new(),
        file_number: "EB".into(),
        billed_since: String::new(),
        creditor: Some(crate::config::CreditorSection {
            name: p.name.clone(),
            iban: "DE89370400440532013000".into(),
            bic: "COBADEFFXXX".into(),
            creditor_id: "DE98ZZZ09999999999".into(),
            bank: format!("Stadtsparkasse {city} (Beispiel)"),
        }),
    }
}

/// Where a document is created.
enum Origin {
    City,
    Traeger(ProviderId),
    Kita(FacilityId),
}

/// A document created at its origin, kept as saved bytes until every node has its copy.
struct Pending {
    origin_node: String,
    id: DocId,
    meta: DocMeta,
    bytes: Vec<u8>,
}

struct Builder<'a> {
    today: Date,
    now: i64,
    pending: Vec<Pending>,
    actors: BTreeMap<String, Vec<u8>>,
    configs: &'a [NodeConfig],
    memberships: Vec<kitanetz_crdt::policy::Membership>,
}

impl Builder<'_> {
    fn origin_name(&self, origin: &Origin) -> String {
        let found = self.configs.iter().find(|c| match origin {
            Origin::City => c.role == NodeRole::City,
            Origin::Traeger(p) => c.role == NodeRole::Traeger && c.provider.as_ref() == Some(p),
            Origin::Kita(f) => c.role == NodeRole::Kita && c.facility.as_ref() == Some(f),
        });
        match (found, origin) {
            (Some(c), _) => c.name.clone(),
            // Not part of this network: a stand-in name, so the document is still created once.
            (None, Origin::City) => "city".into(),
            (None, Origin::Traeger(p)) => format!("traeger-{}", p.0),
            (None, Origin::Kita(f)) => format!("kita-{}", f.0),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add<T: Document>(
        &mut self,
        origin: Origin,
        id: DocId,
        owner: OrgId,
        provider: Option<ProviderId>,
        facilities: Vec<FacilityId>,
        value: &T,
    ) -> anyhow::Result<()> {
        let origin_node = self.origin_name(&origin);
        let actor = self
            .actors
            .entry(origin_node.clone())
            .or_insert_with(|| {
                let mut a =
                    <sha2::Sha256 as sha2::Digest>::digest(origin_node.as_bytes())[..16].to_vec();
                a[0] ^= 0x5e; // seeding actor, distinct from the node's own runtime actor
                a
            })
            .clone();
        let meta = DocMeta {
            kind: T::KIND,
            schema: T::KIND.schema_version(),
            owner,
            provider,
            facilities,
            origin_node,
            created_on: self.today,
        };
        // Documents no node of this network may hold are not created at all.
        if !self.memberships.iter().any(|m| may_hold(m, &meta)) {
            return Ok(());
        }
        let mut doc = StoredDoc::create(id.clone(), meta, value, &actor, self.today, self.now)
            .map_err(|e| anyhow::anyhow!("generated {} {id} does not validate: {e}", T::KIND))?;
        let meta = doc.meta.clone();
        let bytes = doc.save();
        self.pending.push(Pending {
            origin_node: meta.origin_node.clone(),
            id,
            meta,
            bytes,
        });
        Ok(())
    }
}

/// Seat ledger of a Kita for the next six months: places from the licence, occupancy from the
/// contracts whose line on the month's first day has that care type.
fn seat_ledger(world: &World, facility: &kitanetz_datagen::FacilitySet, today: Date) -> SeatLedger {
    use chrono::{Datelike, Months};
    let first = today.0.with_day(1).expect("day 1");
    let mut months = Vec::new();
    for m in 1..=6u32 {
        let month = Date(first + Months::new(m));
        for ct in [
            CareType::Nursery,
            CareType::Kindergarten,
            CareType::AfterSchool,
        ] {
            let Some(places) = facility.licence.places_on(ct, month) else {
                continue;
            };
            let occupied = world
                .contracts
                .iter()
                .filter(|c| c.facility == facility.profile.id)
                .filter(|c| c.line_on(month).is_some_and(|l| l.care_type == ct))
                .count() as u32;
            months.push(SeatMonth {
                care_type: ct,
                month,
                places,
                occupied: occupied.min(places),
                reservations: vec![],
                leaving: vec![],
            });
        }
    }
    SeatLedger {
        facility: facility.profile.id.clone(),
        months,
        declines: vec![],
    }
}

/// Where the demo city writes its mails, relative to its data directory.
pub const DEMO_MAIL_FOLDER: &str = "mails";

/// Creates the node directories of `configs` in `dir` and fills them from `world`.
pub fn seed_network(
    dir: &Path,
    configs: &[NodeConfig],
    world: &World,
    clock: &dyn Clock,
) -> anyhow::Result<SeedReport> {
    let today = clock.today();
    let now = clock.now_millis();
    let mut b = Builder {
        today,
        now,
        pending: Vec::new(),
        actors: BTreeMap::new(),
        configs,
        memberships: configs.iter().map(NodeConfig::membership).collect(),
    };
    let provider_of = |f: &FacilityId| world.facility(f).map(|s| s.profile.provider.clone());

    for p in &world.providers {
        b.add(
            Origin::Traeger(p.id.clone()),
            doc_id_for("provider", &p.id.0),
            provider_org(&p.id),
            Some(p.id.clone()),
            vec![],
            p,
        )?;
    }
    let mut ledgers = Vec::new();
    for f in &world.facilities {
        let fid = &f.profile.id;
        let pid = &f.profile.provider;
        b.add(
            Origin::Traeger(pid.clone()),
            crate::facilities::profile_doc_id(fid),
            provider_org(pid),
            Some(pid.clone()),
            vec![fid.clone()],
            &f.profile,
        )?;
        b.add(
            Origin::City,
            crate::facilities::licence_doc_id(fid),
            city_org(),
            Some(pid.clone()),
            vec![fid.clone()],
            &f.licence,
        )?;
        for g in &f.groups {
            b.add(
                Origin::Kita(fid.clone()),
                doc_id_for("group", &g.id.0),
                facility_org(fid),
                Some(pid.clone()),
                vec![fid.clone()],
                g,
            )?;
        }
        for member in demo_staff(f, today) {
            b.add(
                Origin::Traeger(pid.clone()),
                crate::staff::staff_doc_id(&member.id),
                provider_org(pid),
                Some(pid.clone()),
                member.facilities(),
                &member,
            )?;
        }
        let ledger = seat_ledger(world, f, today);
        ledgers.push(ledger.clone());
        b.add(
            Origin::Kita(fid.clone()),
            doc_id_for("seats", &fid.0),
            facility_org(fid),
            Some(pid.clone()),
            vec![fid.clone()],
            &ledger,
        )?;
    }
    for (i, c) in world.childminders.iter().enumerate() {
        b.add(
            Origin::City,
            doc_id_for("childminder", &c.id.0),
            city_org(),
            None,
            vec![],
            c,
        )?;
        let (case, placements) = demo_childminder_file(c, i, today);
        b.add(
            Origin::City,
            crate::tagespflege::case_doc_id(&c.id),
            city_org(),
            None,
            vec![],
            &case,
        )?;
        for p in &placements {
            b.add(
                Origin::City,
                crate::tagespflege::placement_doc_id(&p.id),
                city_org(),
                None,
                vec![],
                p,
            )?;
        }
    }
    for fam in &world.families {
        let facilities = fam.facilities();
        let Some(first) = facilities.first() else {
            continue;
        };
        let Some(pid) = provider_of(first) else {
            continue;
        };
        b.add(
            Origin::Kita(first.clone()),
            crate::families::family_doc_id(&fam.id),
            provider_org(&pid),
            Some(pid.clone()),
            facilities.clone(),
            fam,
        )?;
    }
    for c in &world.contracts {
        let Some(pid) = provider_of(&c.facility) else {
            continue;
        };
        b.add(
            Origin::Kita(c.facility.clone()),
            crate::contracts::contract_doc_id(&c.id),
            provider_org(&pid),
            Some(pid),
            vec![c.facility.clone()],
            c,
        )?;
    }
    // The sequential procedure as the city would have run it on these ledgers: each Kita
    // holds the wishes that reached it, the others stay at the city.
    let ledgers: crate::applications::sequential::Ledgers = ledgers.into_iter().collect();
    let rules = crate::applications::sequential::Rules {
        ledgers: &ledgers,
        grace_months: crate::intake::IntakeSettings::built_in().grace_months,
        today,
    };
    let mut group_sizes: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for (app, _) in &world.applications {
        if !app.together.is_empty() {
            *group_sizes.entry(app.together.as_str()).or_default() += 1;
        }
    }
    let applications: Vec<(
        kitanetz_crdt::kinds::Application,
        &kitanetz_crdt::kinds::Applicant,
    )> = world
        .applications
        .iter()
        .map(|(app, applicant)| {
            let mut app = app.clone();
            let need = group_sizes.get(app.together.as_str()).copied().unwrap_or(1);
            crate::applications::sequential::advance(
                &mut app,
                &applicant.ranked_wishes,
                &|_| need,
                &rules,
            );
            (app, applicant)
        })
        .collect();
    for (app, applicant) in &applications {
        let applicant = *applicant;
        let facilities = app.facilities();
        b.add(
            Origin::City,
            crate::seats::application_doc_id(&app.id),
            city_org(),
            None,
            facilities.clone(),
            app,
        )?;
        b.add(
            Origin::City,
            doc_id_for("applicant", &app.id.0),
            city_org(),
            None,
            facilities,
            applicant,
        )?;
        // Each wished Kita gets its own wish, under its own handle.
        for wish in &app.wishes {
            let together = crate::applications::wishes::together_at(
                app,
                &wish.facility,
                applications.iter().map(|(a, _)| a),
            );
            let reached = if crate::applications::sequential::reached(wish) {
                vec![wish.facility.clone()]
            } else {
                vec![]
            };
            b.add(
                Origin::City,
                crate::applications::wishes::wish_doc_id(&wish.handle),
                city_org(),
                None,
                reached,
                &crate::applications::wishes::wish_of(
                    app,
                    wish,
                    together,
                    &applicant.child_denomination,
                ),
            )?;
        }
    }

    let mut report = SeedReport {
        nodes: Vec::new(),
        documents: b.pending.len(),
        copies: 0,
    };
    let pending = std::mem::take(&mut b.pending);
    let entry = AuditEntry {
        at: now,
        actor: "system".into(),
        action: "demo.seed",
        target: None,
        subjects: vec![],
        valid_from: Some(today.to_string()),
    };
    for cfg in configs {
        cfg.write(&dir.join(&cfg.name))?;
        if let Some(portal) = &cfg.portal {
            // The city's street directory (KIS): the generator's streets and house numbers.
            let mut out = std::io::BufWriter::new(std::fs::File::create(
                dir.join(&cfg.name).join(&portal.street_directory),
            )?);
            kitanetz_datagen::write_street_directory_csv(
                &kitanetz_datagen::street_directory(),
                &mut out,
            )?;
            std::io::Write::flush(&mut out)?;
        }
        let mut store = Store::open_at_rest(
            &dir.join(&cfg.name).join(crate::config::DATABASE_FILE),
            Durability::Normal,
            &cfg.name,
            cfg.membership(),
            &crate::node::at_rest(&dir.join(&cfg.name), cfg, now),
        )?;
        let membership = cfg.membership();
        let mut held = pending
            .iter()
            .filter(|p| may_hold(&membership, &p.meta))
            .peekable();
        while held.peek().is_some() {
            let mut batch: Vec<(StoredDoc, Vec<u8>)> = Vec::with_capacity(BATCH);
            for p in held.by_ref().take(BATCH) {
                if p.origin_node != cfg.name {
                    report.copies += 1;
                }
                batch.push((
                    StoredDoc::load(p.id.clone(), &p.bytes, store.actor())?,
                    p.bytes.clone(),
                ));
            }
            store.store_received(&mut batch, &entry)?;
        }
        if cfg.role == NodeRole::Traeger {
            // The Kita-Data-Webhouse master data of the Träger's Kitas, so that the StaLa XML
            // can be made in the demo.
            crate::statistics::kdw_master::seed_demo(&mut store, crate::clock::Now::of(clock))
                .map_err(|e| anyhow::anyhow!("KDW master data: {e}"))?;
        }
        let logins = demo_users(&mut store, cfg, world)?;
        report.nodes.push(DemoNode {
            name: cfg.name.clone(),
            logins,
        });
    }
    Ok(report)
}

fn demo_users(
    store: &mut Store,
    cfg: &NodeConfig,
    world: &World,
) -> anyhow::Result<Vec<(String, Role)>> {
    let users: Vec<(String, String, Role)> = match cfg.role {
        NodeRole::City => vec![
            ("admin".into(), "Systemverwaltung".into(), Role::SystemAdmin),
            ("zvs".into(), "Petra Neumann (ZVS)".into(), Role::Zvs),
            (
                "beitrag".into(),
                "Jens Hoffmann (Beitragsstelle)".into(),
                Role::FeeOffice,
            ),
            ("bvs".into(), "Anja Krause (BVS-KTP)".into(), Role::BvsKtp),
        ],
        NodeRole::Traeger => {
            let provider = cfg
                .provider
                .as_ref()
                .and_then(|p| world.provider(p))
                .map_or(String::new(), |p| p.name.clone());
            vec![
                (
                    cfg.name.replace("traeger-", "traeger"),
                    format!("Verwaltung {provider}"),
                    Role::TraegerAdmin,
                ),
                (
                    fee_office_login(&cfg.name),
                    format!("Beitragsstelle {provider}"),
                    Role::FeeOffice,
                ),
            ]
        }
        NodeRole::Kita => {
            let lead = cfg
                .facility
                .as_ref()
                .and_then(|f| world.facility(f))
                .map_or("Kita-Leitung".to_string(), |f| {
                    if f.profile.lead_name.is_empty() {
                        "Kita-Leitung".into()
                    } else {
                        f.profile.lead_name.clone()
                    }
                });
            vec![(
                format!("leitung-{}", cfg.name.trim_start_matches("kita-")),
                lead,
                Role::KitaLead,
            )]
        }
        NodeRole::Tagespflege => vec![("bvs".into(), "BVS-KTP".into(), Role::BvsKtp)],
    };
    let mut out = Vec::new();
    for (username, display, role) in users {
        create_user(
            store,
            &NewUser {
                username: &username,
                display_name: &display,
                password: DEMO_PASSWORD,
                role,
                organisation: cfg.organisation.clone(),
                provider: cfg.provider.clone(),
                facility: cfg.facility.clone(),
            },
        )?;
        out.push((username, role));
    }
    // The first childminder's own login ("Meine Kindertagespflege"), created last so that the
    // other users keep their ids.
    if let (NodeRole::City, Some(childminder)) = (cfg.role, world.childminders.first()) {
        insert_user(
            store.conn(),
            &NewUser {
                username: "tagespflege",
                display_name: &childminder.name,
                password: DEMO_PASSWORD,
                role: Role::Childminder,
                organisation: cfg.organisation.clone(),
                provider: None,
                facility: None,
            },
            Some(&childminder.id),
        )?;
        out.push(("tagespflege".into(), Role::Childminder));
    }
    Ok(out)
}

/// The Kita's staff for the demo: a lead, and per group a full-time and a part-time educator
/// (names from a fixed list, so every run seeds the same people), in post for three years;
/// every fifth part-timer is a Hilfskraft, who does not count for the ratio.
/// A childminder's file for the demo: her permit as the listing states it, the three proofs
/// (the first childminder's health certificate runs out within three months, so the watch list
/// has something to do), one to four children under agreement and, for the first, a
/// reservation; a summer vacation and three sick days this year.
fn demo_childminder_file(
    c: &kitanetz_crdt::kinds::ChildminderProfile,
    index: usize,
    today: Date,
) -> (
    kitanetz_crdt::kinds::ChildminderCase,
    Vec<kitanetz_crdt::kinds::ChildminderPlacement>,
) {
    use chrono::{Datelike, Days, Months};
    use kitanetz_crdt::ids::{CaseEntryId, ChildminderPlacementId};
    use kitanetz_crdt::kinds::{
        CaseAbsence, CasePermit, CaseProof, ChildminderCase, ChildminderPlacement,
    };
    use kitanetz_crdt::period::Period;
    const GIVEN: [&str; 10] = [
        "Mia", "Ben", "Emma", "Paul", "Hanna", "Leon", "Lina", "Finn", "Ella", "Noah",
    ];
    const FAMILY: [&str; 8] = [
        "Schulze", "Richter", "Krause", "Wolf", "Fischer", "Hoffmann", "Neumann", "Schmidt",
    ];
    let key = c.id.0.trim_start_matches("tpp-");
    let entry = |n: usize| CaseEntryId(format!("ent-{key}-{n}"));
    let start = c.permit.start();
    let months_ago = |m: u32| {
        Date(
            today
                .0
                .checked_sub_months(Months::new(m))
                .expect("in range"),
        )
    };
    let this_year = today.0.year();
    // A health certificate from 58 months ago runs out in two months: renewal due.
    let health_issued = if index == 0 {
        months_ago(58)
    } else {
        months_ago(14)
    };
    let case = ChildminderCase {
        childminder: c.id.clone(),
        permits: vec![CasePermit {
            id: entry(0),
            start,
            end: c.permit.end(),
            places: c.places,
            recorded_on: start,
        }],
        proofs: vec![
            CaseProof {
                id: entry(1),
                kind: "first_aid".into(),
                issued_on: months_ago(20),
                valid_until: None,
                recorded_on: months_ago(20),
            },
            CaseProof {
                id: entry(2),
                kind: "health_certificate".into(),
                issued_on: health_issued,
                valid_until: None,
                recorded_on: health_issued,
            },
            CaseProof {
                id: entry(3),
                kind: "police_certificate".into(),
                issued_on: months_ago(30),
                valid_until: None,
                recorded_on: months_ago(30),
            },
        ],
        absences: vec![
            CaseAbsence {
                id: entry(4),
                kind: "vacation".into(),
                condition_met: true,
                period: Period::new(
                    Date::ymd(this_year, 7, 6),
                    Some(Date::ymd(this_year, 7, 17)),
                )
                .expect("ordered"),
                recorded_on: Date::ymd(this_year, 2, 20),
            },
            CaseAbsence {
                id: entry(5),
                kind: "sick".into(),
                condition_met: true,
                period: Period::new(
                    Date::ymd(this_year, 3, 10),
                    Some(Date::ymd(this_year, 3, 12)),
                )
                .expect("ordered"),
                recorded_on: Date::ymd(this_year, 3, 13),
            },
        ],
        refunds: vec![],
        grants: vec![],
        iban: String::new(),
    };
    let children = 1 + (index % 4).min(c.places.saturating_sub(1) as usize);
    let mut placements: Vec<ChildminderPlacement> = (0..children)
        .map(|n| {
            let since = months_ago(2 + 3 * n as u32).0.max(start.0);
            let since = since.with_day(1).expect("first of month");
            let since = if since < start.0 { start.0 } else { since };
            let birth = since
                .checked_sub_months(Months::new(10 + 4 * n as u32))
                .expect("in range");
            ChildminderPlacement {
                id: ChildminderPlacementId(format!("tpk-{key}-{n}")),
                childminder: c.id.clone(),
                child_given_name: GIVEN[(index * 3 + n) % GIVEN.len()].to_string(),
                child_family_name: FAMILY[(index + n * 5) % FAMILY.len()].to_string(),
                birth_date: Date(birth),
                kind: "agreement".into(),
                substitute_for: None,
                period: Period::new(Date(since), None).expect("open"),
                daily_hours: kitanetz_crdt::scalar::Dec(rust_decimal::Decimal::new(
                    [60, 75, 90, 45][n % 4],
                    1,
                )),
                recorded_on: Date(since),
                application: None,
            }
        })
        .collect();
    if index == 0 && c.places as usize > children {
        let from = today
            .0
            .checked_add_months(Months::new(1))
            .and_then(|d| d.with_day(1))
            .expect("in range");
        placements.push(ChildminderPlacement {
            id: ChildminderPlacementId(format!("tpk-{key}-r")),
            childminder: c.id.clone(),
            child_given_name: "Jonas".into(),
            child_family_name: "Weber".into(),
            birth_date: Date(from.checked_sub_days(Days::new(300)).expect("in range")),
            kind: "reservation".into(),
            substitute_for: None,
            period: Period::new(Date(from), None).expect("open"),
            daily_hours: kitanetz_crdt::scalar::Dec(rust_decimal::Decimal::new(8, 0)),
            recorded_on: today,
            application: None,
        });
    }
    (case, placements)
}

fn demo_staff(
    f: &kitanetz_datagen::FacilitySet,
    today: Date,
) -> Vec<kitanetz_crdt::kinds::StaffMember> {
    use kitanetz_crdt::ids::{StaffAssignmentId, StaffId};
    use kitanetz_crdt::kinds::{StaffAssignment, StaffMember, StaffRole};
    const GIVEN: [&str; 16] = [
        "Anne",
        "Birgit",
        "Claudia",
        "Doreen",
        "Franziska",
        "Heike",
        "Ines",
        "Katrin",
        "Lars",
        "Maik",
        "Nadine",
        "Peggy",
        "Ronny",
        "Sandra",
        "Thomas",
        "Ulrike",
    ];
    const FAMILY: [&str; 16] = [
        "Arnold", "Berger", "Dietrich", "Ebert", "Franke", "Günther", "Hahn", "Jahn", "Kühn",
        "Lange", "Lorenz", "Pohl", "Seidel", "Voigt", "Winkler", "Ziegler",
    ];
    use chrono::Datelike;
    let since = Date::ymd(today.0.year() - 3, 8, 1);
    let fid = &f.profile.id;
    let seed = fid
        .0
        .bytes()
        .fold(0usize, |a, b| a.wrapping_mul(31).wrapping_add(b.into()));
    let person = |i: usize, qualification: &str, role: StaffRole, hours: i64| StaffMember {
        id: StaffId(format!("staff-{}-{i}", fid.0.trim_start_matches("fac-"))),
        provider: f.profile.provider.clone(),
        given_name: GIVEN[(seed + i * 7) % GIVEN.len()].to_string(),
        family_name: FAMILY[(seed / 3 + i * 5) % FAMILY.len()].to_string(),
        birth_date: Some(Date::ymd(
            1965 + ((seed + i * 11) % 35) as i32,
            1 + (i % 12) as u32,
            1 + (i % 28) as u32,
        )),
        qualification: qualification.to_string(),
        assignments: vec![StaffAssignment {
            id: StaffAssignmentId(format!("asg-{}-{i}", fid.0.trim_start_matches("fac-"))),
            facility: fid.clone(),
            role,
            period: kitanetz_crdt::period::Period::new(since, None).expect("open period"),
            weekly_hours: kitanetz_crdt::scalar::Dec(rust_decimal::Decimal::new(hours, 0)),
        }],
        absences: vec![],
        statistics: Default::default(),
    };
    let mut staff = vec![person(0, "fachkraft-leitung", StaffRole::Leadership, 40)];
    for g in 0..f.groups.len() {
        let i = 1 + 2 * g;
        staff.push(person(i, "fachkraft", StaffRole::Educator, 40));
        let part_time = if g % 5 == 4 {
            "hilfskraft"
        } else {
            "fachkraft"
        };
        staff.push(person(i + 1, part_time, StaffRole::Educator, 30));
    }
    staff
}
