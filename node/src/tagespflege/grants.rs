//! One-off grants to a childminder (TPP agreement §§ 7–8, Lastenheft 3.5.6.6,
//! `kitanetz_tagespflege::grants`): equipment for new places, replacement equipment, training.
//! A grant depends on what was granted before it in the calendar year (the yearly caps), so
//! each is stored as decided, with its explanation, and paid once with the month it was decided
//! in.

use super::record::{change_case, new_entry_id};
use super::*;
use kitanetz_crdt::kinds::childminder_case::{CaseGrant, GRANT_KINDS};
use kitanetz_tagespflege::grants::{
    equipment_grant, replacement_grant, training_grant, GrantRules, Training,
};

/// A grant as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GrantInput {
    pub childminder: String,
    /// One of `GRANT_KINDS`.
    pub kind: String,
    /// New places (equipment); for a replacement empty means the permit's places.
    pub places: String,
    /// The amount asked for (replacement) or the training costs.
    pub amount: String,
}

/// A decided grant as the file shows it.
#[derive(Debug, Clone, Serialize)]
pub struct GrantView {
    /// The entry in the file (its Bescheid's address).
    pub id: String,
    pub kind: &'static str,
    pub decided_on: String,
    pub granted: String,
    pub explanation: String,
}

fn money(v: &mut Validator, field: &str, text: &str) -> Option<tp::Money> {
    let parsed = text
        .trim()
        .replace(',', ".")
        .parse::<Decimal>()
        .ok()
        .and_then(tp::Money::exact)
        .filter(|m| *m >= tp::Money::ZERO);
    v.check(
        parsed.is_some(),
        field,
        "Betrag in Euro, z. B. 180,50 / an amount in euros",
    );
    parsed
}

/// What grants of `kinds` paid in `year` before this one (the yearly caps).
fn granted_in(case: Option<&ChildminderCase>, kinds: &[&str], year: i32) -> tp::Money {
    case.map_or(tp::Money::ZERO, |c| {
        c.grants
            .iter()
            .filter(|g| kinds.contains(&g.kind.as_str()) && g.decided_on.0.year() == year)
            .map(|g| tp::Money::round(g.granted.0))
            .fold(tp::Money::ZERO, |a, b| a + b)
    })
}

/// Decides a grant on today's rules and records it in the childminder's file.
pub fn decide_grant(
    store: &mut Store,
    who: &Principal,
    input: &GrantInput,
    now: Now,
) -> Result<GrantView, ActionError> {
    let owner = authorize_manage(store, who)?;
    let profile = load_profile(store, &input.childminder)?;
    let case = store
        .find::<ChildminderCase>(&case_doc_id(&profile.id))?
        .map(|(_, c)| c);
    let book = [GrantRules::tpp_agreement()];
    let day = now.today.0;
    let year = day.year();
    let kind = input.kind.trim();
    let mut v = Validator::new();
    v.check(
        GRANT_KINDS.iter().any(|(c, _)| *c == kind),
        "kind",
        "einen Zuschuss wählen / choose a grant",
    );
    let permit_places = case
        .as_ref()
        .and_then(|c| {
            c.permits
                .iter()
                .filter(|p| p.start <= now.today && p.end.is_none_or(|e| e >= now.today))
                .map(|p| p.places)
                .max()
        })
        .unwrap_or(profile.places);
    let places = match (kind, input.places.trim()) {
        ("replacement", "") => Some(permit_places),
        (_, text) if kind == "equipment" || kind == "replacement" => {
            let n = text.parse::<u32>().ok().filter(|n| (1..=5).contains(n));
            v.check(n.is_some(), "places", "1 bis 5 Plätze / 1 to 5 places");
            n
        }
        _ => Some(0),
    };
    let amount = if kind == "equipment" {
        Some(tp::Money::ZERO)
    } else {
        money(&mut v, "amount", &input.amount)
    };
    v.finish()?;
    let (places, amount) = (places.expect("checked"), amount.expect("checked"));
    let training = |t| {
        training_grant(
            t,
            amount,
            granted_in(case.as_ref(), &[kind], year),
            day,
            &book,
        )
    };
    let grant = match kind {
        "equipment" => equipment_grant(places, day, &book),
        "replacement" => replacement_grant(
            amount,
            places,
            granted_in(case.as_ref(), &["replacement"], year),
            day,
            &book,
        ),
        "training" => training(Training::Regular),
        "dji_curriculum" => training(Training::DjiCurriculum),
        _ => training(Training::EducationPlanCurriculum),
    }
    .map_err(rules_error)?;
    let record = CaseGrant {
        id: new_entry_id(),
        kind: kind.to_string(),
        places,
        requested: Dec(amount.amount()),
        granted: Dec(grant.amount.amount()),
        explanation: grant
            .explanation
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; "),
        decided_on: now.today,
    };
    let view = view_of(&record);
    change_case(
        store,
        who,
        owner,
        &profile.id,
        "childminder.grant",
        now,
        |case, _| case.grants.push(record),
    )?;
    Ok(view)
}

fn view_of(g: &CaseGrant) -> GrantView {
    GrantView {
        id: g.id.0.clone(),
        kind: kitanetz_crdt::kinds::childminder_case::label_of(&GRANT_KINDS, &g.kind),
        decided_on: german(g.decided_on.0),
        granted: tp::Money::round(g.granted.0).to_string(),
        explanation: g.explanation.clone(),
    }
}

pub fn grants_of(case: Option<&ChildminderCase>) -> Vec<GrantView> {
    case.map(|c| c.grants.iter().map(view_of).collect())
        .unwrap_or_default()
}

/// The grants paid with `month` (those decided in it), with a line each.
pub fn grants_in(case: Option<&ChildminderCase>, month: tp::Month) -> (tp::Money, Vec<String>) {
    let mut total = tp::Money::ZERO;
    let mut lines = Vec::new();
    for g in case.iter().flat_map(|c| c.grants.iter()) {
        if tp::Month::of(g.decided_on.0) == month {
            let view = view_of(g);
            let granted = tp::Money::round(g.granted.0);
            total = total + granted;
            lines.push(format!("{}: {} einmalig", view.kind, granted.german()));
        }
    }
    (total, lines)
}

pub fn grant_options() -> Vec<(&'static str, &'static str)> {
    GRANT_KINDS.to_vec()
}
