//! Two families on the demo's parents' portal, so that a person trying the demo finds the
//! parents' and the ZVS's side filled: Sabine Krüger (in the city, an application with two
//! wishes) and Jonas Neumann (moving from Radebeul: on the ZVS's watch list, with a proof).
//! Both log in with the demo password. Written through the same domain functions as the portal.

use super::seed::DEMO_PASSWORD;
use crate::applications::{context, submit, ApplicationInput};
use crate::auth::{GuardianAccount, Principal};
use crate::clock::{Clock, Now};
use crate::config::NodeConfig;
use crate::storage::Store;
use kitanetz_crdt::kinds::CareType;
use kitanetz_datagen::World;
use std::path::Path;

/// The demo parents' logins (e-mail addresses; the password is the demo password).
pub const DEMO_PARENTS: [&str; 2] = ["eltern@example.org", "familie.neumann@example.org"];

/// A one-page PDF standing in for a scanned rental contract.
const PROOF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

fn account(store: &Store, email: &str, name: &str, now: i64) -> anyhow::Result<Principal> {
    let hash = crate::auth::passwords::hash(DEMO_PASSWORD).map_err(anyhow::Error::msg)?;
    store.conn().execute(
        "INSERT INTO guardian_accounts (email, display_name, password_hash, verified_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
        rusqlite::params![email, name, hash, now],
    )?;
    Ok(Principal::Guardian(GuardianAccount {
        account_id: store.conn().last_insert_rowid(),
        email: email.into(),
        display_name: name.into(),
    }))
}

/// Seeds the two families into the city's store (`dir` is its data directory).
pub fn seed(
    dir: &Path,
    cfg: &NodeConfig,
    store: &mut Store,
    world: &World,
    clock: &dyn Clock,
) -> anyhow::Result<()> {
    let Some(section) = &cfg.portal else {
        return Ok(());
    };
    let portal = crate::portal::Portal::open(dir, section.clone()).map_err(anyhow::Error::msg)?;
    let now = Now {
        today: clock.today(),
        millis: clock.now_millis(),
    };
    use chrono::Datelike;
    // A start within the placement horizon, on the first of a month.
    let start = kitanetz_crdt::scalar::Date(
        chrono::NaiveDate::from_ymd_opt(now.today.0.year(), now.today.0.month(), 1)
            .expect("first of the month")
            + chrono::Months::new(3),
    );
    let krippen: Vec<String> = world
        .facilities
        .iter()
        .filter(|f| {
            f.licence.care_types.iter().any(|c| {
                c.care_type == CareType::Nursery && c.places.at(start).is_some_and(|&p| p > 0)
            })
        })
        .map(|f| format!("f:{}", f.profile.id.0))
        .take(3)
        .collect();
    if krippen.len() < 3 {
        return Ok(());
    }
    let birth = kitanetz_crdt::scalar::Date(start.0 - chrono::Months::new(14));
    let city = cfg
        .portal
        .as_ref()
        .map_or("", |p| p.city.as_str())
        .to_string();
    let street = kitanetz_datagen::street_directory()
        .first()
        .map(|s| {
            (
                format!("{} {}", s.street, s.house_number),
                s.postcode.to_string(),
            )
        })
        .unwrap_or_default();
    let form = |pairs: &[(&str, &str)]| {
        ApplicationInput::from_pairs(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>(),
        )
    };
    let (start_text, birth_text) = (start.to_string(), birth.to_string());
    let common = [
        ("child1_family_name", "Krüger"),
        ("child1_birth_date", birth_text.as_str()),
        ("child1_sex", "female"),
        ("desired_start", start_text.as_str()),
        ("daily_hours", "8"),
        ("notify", "email"),
        ("consent_data_processing", "true"),
        ("consent_forwarding", "true"),
        ("consent_terms", "true"),
    ];

    let sabine = account(store, DEMO_PARENTS[0], "Sabine Krüger", now.millis)?;
    let mut pairs = common.to_vec();
    pairs.extend([
        ("child1_given_name", "Lotta"),
        ("guardian_given_name", "Sabine"),
        ("guardian_family_name", "Krüger"),
        ("street", street.0.as_str()),
        ("postcode", street.1.as_str()),
        ("city", city.as_str()),
        ("phone", "0351 4567890"),
        ("email", DEMO_PARENTS[0]),
        ("wish1", krippen[0].as_str()),
        ("wish2", krippen[1].as_str()),
    ]);
    let ctx = context(store, &portal, &city, now.today)?;
    submit(store, &ctx, portal.streets(), &sabine, &form(&pairs), now)
        .map_err(|e| anyhow::anyhow!("demo family Krüger: {e}"))?;

    let jonas = account(store, DEMO_PARENTS[1], "Jonas Neumann", now.millis)?;
    let mut pairs: Vec<(&str, &str)> = common
        .iter()
        .map(|(k, v)| match *k {
            "child1_family_name" => (*k, "Neumann"),
            "child1_sex" => (*k, "male"),
            // The Neumanns want letters: their receipt waits in the ZVS's outgoing post.
            "notify" => (*k, "post"),
            _ => (*k, *v),
        })
        .collect();
    pairs.extend([
        ("child1_given_name", "Emil"),
        ("guardian_given_name", "Jonas"),
        ("guardian_family_name", "Neumann"),
        ("street", "Meißner Straße 12"),
        ("postcode", "01445"),
        ("city", "Radebeul"),
        ("phone", "0351 8765432"),
        ("email", DEMO_PARENTS[1]),
        ("wish1", krippen[2].as_str()),
        (
            "reasons",
            "Wir ziehen zum Beginn in die Stadt (Mietvertrag ab dem Monat vor Betreuungsbeginn).",
        ),
    ]);
    let done = submit(store, &ctx, portal.streets(), &jonas, &form(&pairs), now)
        .map_err(|e| anyhow::anyhow!("demo family Neumann: {e}"))?;
    crate::intake::upload_proof(
        store,
        &jonas,
        &done.applications[0],
        "Mietvertrag.pdf",
        PROOF,
        now,
    )
    .map_err(|e| anyhow::anyhow!("demo proof: {e}"))?;
    Ok(())
}
