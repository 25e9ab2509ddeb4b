//! The register: every childminder with her places and the watch list of permits and proofs,
//! the coming permit renewals, and the requests of applications wishing childminding.

use super::*;

/// One childminder in the register list.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterRow {
    pub id: String,
    pub name: String,
    pub district: String,
    /// Places of the permit in force today (0 without one).
    pub places: u32,
    pub permit_until: Option<String>,
    /// Children present today (agreements, reservations, substitute care).
    pub children_today: u32,
    pub free_today: u32,
    /// The most urgent state of the permit and proofs ("abgelaufen", "fehlt", …).
    pub attention: Option<&'static str>,
    /// Her account for the payments, masked (`DE89 **** **** **** **30 00`), for the office;
    /// empty: none, or the caller is the ZVS.
    pub iban: String,
}

/// The register: every childminder, the watch list (what needs doing first) and the coming
/// permit renewals (3.5.6.3: "Eine Liste aller anstehenden Erlaubniserneuerungen").
#[derive(Debug, Clone, Serialize)]
pub struct RegisterView {
    pub rows: Vec<RegisterRow>,
    pub due: Vec<WatchLine>,
    pub renewals: Vec<WatchLine>,
    pub renewal_window_months: u32,
}

pub fn register(
    store: &Store,
    who: &Principal,
    rules: &Rules,
    today: Date,
    renewal_window_months: u32,
) -> Result<RegisterView, ActionError> {
    authorize_view(store, who)?;
    // The account is the office's to see (masked); the ZVS reads the register for placement.
    let sees_accounts = authorize_manage(store, who).is_ok();
    let held = Holdings::read(store)?;
    let names = held.names();
    let records = held.records();
    let day = today.0;
    let watch = tp::watch_list(&records, day, &rules.register).map_err(rules_error)?;
    let mut rows = Vec::new();
    for (profile, record) in held.profiles.iter().zip(&records) {
        let permits = tp::register::permit_places(record, &rules.register).map_err(rules_error)?;
        let places = permits
            .iter()
            .filter(|p| p.period.contains(day))
            .map(|p| p.places)
            .max()
            .unwrap_or(0);
        let coverage =
            tp::register::permit_coverage(record, &rules.register).map_err(rules_error)?;
        let permit_until = coverage
            .iter()
            .find(|p| p.contains(day) || p.start() > day)
            .and_then(|p| p.end())
            .map(german);
        let children_today = held
            .placements_of(&profile.id)
            .filter(|p| p.period.contains(today))
            .count() as u32;
        let attention = watch
            .iter()
            .filter(|w| w.childminder.0 == profile.id.0)
            .map(|w| w.state)
            .min()
            .filter(|s| *s != tp::WatchState::Valid && *s != tp::WatchState::NotYetValid)
            .map(state_label);
        rows.push(RegisterRow {
            id: profile.id.0.clone(),
            name: profile.name.clone(),
            district: profile.district.clone(),
            places,
            permit_until,
            children_today,
            free_today: places.saturating_sub(children_today),
            iban: held
                .cases
                .get(&profile.id.0)
                .filter(|_| sees_accounts)
                .map(|case| masked_iban(&case.iban))
                .unwrap_or_default(),
            attention: if record.permits.is_empty() {
                Some("keine Pflegeerlaubnis erfasst")
            } else {
                attention
            },
        });
    }
    let due = watch
        .iter()
        .map(|w| watch_line(w, &names))
        .filter(|w| w.due)
        .collect();
    let window = tp::Period::closed(
        day,
        tp::period::add_months(day, renewal_window_months as i32),
    )
    .expect("a window ends after it starts");
    let renewals = tp::permit_renewals(&records, day, &window, &rules.register)
        .map_err(rules_error)?
        .iter()
        .map(|w| watch_line(w, &names))
        .collect();
    Ok(RegisterView {
        rows,
        due,
        renewals,
        renewal_window_months,
    })
}

/// An application with a Kindertagespflege wish, as the office's request list shows it
/// (Lastenheft 3.5.6.1: the district's BVS-KTP places the child).
#[derive(Debug, Clone, Serialize)]
pub struct RequestRow {
    pub application: String,
    pub child: String,
    pub birth_date: String,
    pub desired_start: String,
    pub daily_hours: String,
    pub district: String,
    /// The childminder the parents named, if any: (id, name).
    pub wished_childminder: Option<(String, String)>,
    pub note: String,
    /// "2. von 3 Wünschen".
    pub rank: String,
    /// A place reserved or agreed for it already: the childminder's name.
    pub placed_with: Option<String>,
}

/// The active applications with a Kindertagespflege wish that this office places: every
/// district on the city node, its own on a BVS-KTP node. By desired start.
pub fn requests(store: &Store, who: &Principal) -> Result<Vec<RequestRow>, ActionError> {
    authorize_view(store, who)?;
    let membership = store.membership();
    let names: BTreeMap<String, String> = store
        .values_of_kind::<ChildminderProfile>()?
        .into_iter()
        .map(|p| (p.id.0, p.name))
        .collect();
    let placed: BTreeMap<String, String> = store
        .values_of_kind::<ChildminderPlacement>()?
        .into_iter()
        .filter_map(|p| {
            let name = names
                .get(&p.childminder.0)
                .cloned()
                .unwrap_or(p.childminder.0);
            p.application.map(|a| (a.0, name))
        })
        .collect();
    let mut rows = Vec::new();
    for (application_id, agency) in active_childminding_applications(store)? {
        if membership.role == NodeRole::Tagespflege && agency != membership.organisation.0 {
            continue;
        }
        let Ok(id) = application_id.parse::<ApplicationId>() else {
            continue;
        };
        let found = store
            .find::<Application>(&crate::seats::application_doc_id(&id))?
            .zip(store.find::<Applicant>(&doc_id_for("applicant", &id.0))?);
        let Some(((_, application), (_, applicant))) = found else {
            continue;
        };
        let Some(wish) = &applicant.childminding else {
            continue;
        };
        rows.push((
            application.desired_start,
            RequestRow {
                application: application.id.0.clone(),
                child: format!(
                    "{}, {}",
                    applicant.child_family_name, applicant.child_given_name
                ),
                birth_date: german(applicant.child_birth_date.0),
                desired_start: german(application.desired_start.0),
                daily_hours: application.daily_hours.0.normalize().to_string(),
                district: wish.district.clone(),
                wished_childminder: wish.childminder.as_ref().map(|c| {
                    (
                        c.0.clone(),
                        names.get(&c.0).cloned().unwrap_or_else(|| c.0.clone()),
                    )
                }),
                note: wish.note.clone(),
                rank: format!("{}. von {}", wish.rank, application.wishes.len() + 1),
                placed_with: placed.get(&application.id.0).cloned(),
            },
        ));
    }
    rows.sort_by(|a, b| (a.0, &a.1.child).cmp(&(b.0, &b.1.child)));
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

/// The active applications with a Kindertagespflege wish and the office it goes to, from the
/// projection (never decoding every applicant: a city holds tens of thousands).
fn active_childminding_applications(store: &Store) -> Result<Vec<(String, String)>, StoreError> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT id, childminding_agency FROM p_applications
         WHERE status = 'active' AND childminding_agency IS NOT NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
