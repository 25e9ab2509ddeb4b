//! The round's record as the ZVS downloads it: JSON for anyone who wants to re-run it, and a
//! tagged PDF for the file.

use super::queries;
use crate::action::ActionError;
use crate::auth::{authorize, Action, Principal};
use crate::storage::Store;
use kitanetz_crdt::scalar::Date;
use kitanetz_placement::RoundStatistics;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The statistics as stored (the engine's type only serialises).
#[derive(Debug, Deserialize)]
pub(super) struct StoredStatistics {
    children: u64,
    with_wishes: u64,
    placed_at_wish: u64,
    kept_current: u64,
    unplaced: u64,
    rank_distribution: Vec<u64>,
    first_choice: u64,
    top3: u64,
    first_choice_per_mille: u64,
    top3_per_mille: u64,
    unplaced_by_district: BTreeMap<String, u64>,
    unplaced_by_age: serde_json::Value,
    legal_claim: serde_json::Value,
}

impl StoredStatistics {
    pub(super) fn into_statistics(self) -> RoundStatistics {
        let n = |v: &serde_json::Value, k: &str| v[k].as_u64().unwrap_or(0);
        let age = &self.unplaced_by_age;
        let claim = &self.legal_claim;
        RoundStatistics {
            children: self.children,
            with_wishes: self.with_wishes,
            placed_at_wish: self.placed_at_wish,
            kept_current: self.kept_current,
            unplaced: self.unplaced,
            rank_distribution: self.rank_distribution,
            first_choice: self.first_choice,
            top3: self.top3,
            first_choice_per_mille: self.first_choice_per_mille,
            top3_per_mille: self.top3_per_mille,
            unplaced_by_district: self.unplaced_by_district,
            unplaced_by_age: kitanetz_placement::statistics::AgeBands {
                under_1: n(age, "under_1"),
                from_1_to_2: n(age, "from_1_to_2"),
                from_2_to_3: n(age, "from_2_to_3"),
                from_3_to_6: n(age, "from_3_to_6"),
                from_6: n(age, "from_6"),
                unknown: n(age, "unknown"),
            },
            legal_claim: kitanetz_placement::statistics::LegalClaim {
                reference_date: claim["reference_date"].as_str().map(str::to_string),
                unplaced: n(claim, "unplaced"),
                unplaced_1_to_3: n(claim, "unplaced_1_to_3"),
                unplaced_from_3: n(claim, "unplaced_from_3"),
                unplaced_by_district: serde_json::from_value(claim["unplaced_by_district"].clone())
                    .unwrap_or_default(),
                age_unknown: n(claim, "age_unknown"),
            },
        }
    }
}

/// The round's record for download: input, protocol (with the stability certificate),
/// statistics and the seed, so that `kitanetz place --instance` reproduces it.
pub fn protocol_json(store: &Store, who: &Principal, id: i64) -> Result<String, ActionError> {
    authorize(who, Action::ViewPlacementRounds)?;
    let round =
        queries::round(store, id)?.ok_or_else(|| ActionError::NotFound(format!("round {id}")))?;
    let (instance, protocol, statistics) =
        queries::round_json(store, id)?.ok_or_else(|| ActionError::NotFound(id.to_string()))?;
    let value = serde_json::json!({
        "format": "kitanetz-round/1",
        "round": round.id,
        "started_on": round.started_on.to_string(),
        "started_by": round.started_by,
        "window": { "from": round.window_from.to_string(), "to": round.window_to.to_string() },
        "offer_days": round.offer_days,
        "catalogue": round.catalogue,
        "seed": round.seed,
        "seed_hash": round.seed_hash,
        "input_hash": round.input_hash,
        "instance": serde_json::from_str::<serde_json::Value>(&instance).unwrap_or_default(),
        "result": serde_json::from_str::<serde_json::Value>(&protocol).unwrap_or_default(),
        "statistics": serde_json::from_str::<serde_json::Value>(&statistics).unwrap_or_default(),
    });
    Ok(serde_json::to_string_pretty(&value).expect("json"))
}

/// The round's protocol as a letter (`letters::round_protocol_pdf` renders it after the store's
/// lock is released): the record of [`protocol_json`] in words and tables, pseudonymous.
pub fn protocol_letter(
    store: &Store,
    who: &Principal,
    id: i64,
    city: &str,
) -> Result<crate::letters::Letter, ActionError> {
    authorize(who, Action::ViewPlacementRounds)?;
    let round =
        queries::round(store, id)?.ok_or_else(|| ActionError::NotFound(format!("round {id}")))?;
    let (instance, result, statistics) =
        queries::round_json(store, id)?.ok_or_else(|| ActionError::NotFound(id.to_string()))?;
    let unreadable = |what: &str, e: serde_json::Error| {
        ActionError::Conflict(format!("round {id}: the stored {what} is unreadable: {e}"))
    };
    let instance: serde_json::Value =
        serde_json::from_str(&instance).map_err(|e| unreadable("input", e))?;
    let result: serde_json::Value =
        serde_json::from_str(&result).map_err(|e| unreadable("result", e))?;
    let statistics: RoundStatistics = serde_json::from_str::<StoredStatistics>(&statistics)
        .map(StoredStatistics::into_statistics)
        .map_err(|e| unreadable("statistics", e))?;
    let protocol = &result["protocol"];
    let certificate = &protocol["certificate"];
    let german = |d: Date| d.0.format("%d.%m.%Y").to_string();
    let month = |d: Date| d.0.format("%m.%Y").to_string();
    // Admitted children per program, from the assignment.
    let mut admitted: BTreeMap<String, u64> = BTreeMap::new();
    let mut proposals = Vec::new();
    let mut unplaced = Vec::new();
    let wishes: BTreeMap<String, Vec<String>> = instance["children"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some((
                c["id"].as_str()?.to_string(),
                c["wishes"]
                    .as_array()?
                    .iter()
                    .filter_map(|w| w.as_str().map(str::to_string))
                    .collect(),
            ))
        })
        .collect();
    if let Some(assignment) = result["assignment"].as_object() {
        for (child, program) in assignment {
            match program.as_str() {
                Some(p) => {
                    *admitted.entry(p.to_string()).or_default() += 1;
                    let rank = wishes
                        .get(child)
                        .and_then(|w| w.iter().position(|x| x == p))
                        .map_or(String::new(), |i| (i + 1).to_string());
                    proposals.push(serde_json::json!([child, p, rank]));
                }
                None => unplaced.push(child.clone()),
            }
        }
    }
    let programs: Vec<serde_json::Value> = instance["programs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let id = p["id"].as_str()?;
            let cutoff = protocol["cutoffs"][id]["points"]
                .as_i64()
                .map_or(String::new(), |points| points.to_string());
            Some(serde_json::json!([
                id,
                p["capacity"].as_i64().unwrap_or(0),
                admitted.get(id).copied().unwrap_or(0),
                cutoff
            ]))
        })
        .collect();
    let s = &statistics;
    let data = serde_json::json!({
        "city": city,
        "office": "Zentrale Vormerkstelle",
        "round": round.id,
        "started_on": german(round.started_on),
        "started_by": round.started_by,
        "window": format!("{} – {}", month(round.window_from), month(round.window_to)),
        "offer_days": round.offer_days,
        "catalogue": round.catalogue,
        "seed": round.seed,
        "seed_hash": round.seed_hash,
        "input_hash": round.input_hash,
        "engine": format!(
            "{} {} ({})",
            protocol["engine"].as_str().unwrap_or(""),
            protocol["engine_version"].as_str().unwrap_or(""),
            protocol["mode"].as_str().unwrap_or("")
        ),
        "stable": certificate["stable"].as_bool().unwrap_or(false),
        "blocking_pairs": certificate["blocking_pairs"].as_u64().unwrap_or(0),
        "statistics": [
            ["Kinder in der Runde", s.children.to_string()],
            ["mit Platzvorschlag", s.placed_at_wish.to_string()],
            ["Erstwunsch", format!("{} ({} ‰)", s.first_choice, s.first_choice_per_mille)],
            ["einer der ersten drei Wünsche", format!("{} ({} ‰)", s.top3, s.top3_per_mille)],
            ["ohne Platz", s.unplaced.to_string()],
            ["davon mit Rechtsanspruch (§ 24 SGB VIII, ab 1 Jahr)", s.legal_claim.unplaced.to_string()],
            ["davon 1 bis unter 3 Jahre", s.legal_claim.unplaced_1_to_3.to_string()],
            ["davon ab 3 Jahre", s.legal_claim.unplaced_from_3.to_string()],
        ],
        "ranks": s.rank_distribution.iter().enumerate()
            .map(|(i, n)| serde_json::json!([(i + 1).to_string(), n.to_string()]))
            .collect::<Vec<_>>(),
        "programs": programs,
        "proposals": proposals,
        "unplaced": unplaced,
    });
    Ok(crate::letters::Letter {
        data,
        title: format!("Protokoll der Vergaberunde {}", round.id),
        author: format!("Stadt {city}, Zentrale Vormerkstelle"),
        id: format!("round/{}", round.id),
        date: round.started_on,
    })
}
