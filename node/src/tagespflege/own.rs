//! The childminder as a user ("Meine Kindertagespflege", `Role::Childminder`): a login linked
//! to her record in the register shows her own file — permits and proofs with their due dates,
//! the children placed with her, the month's payment statement with its explanation, the year's
//! absences with what is left of the allowances — and lets her record her own vacation and sick
//! days. The office (BVS-KTP) creates the login for her from her file.
//!
//! Her id comes from the login, never from the request: there is no route that takes another
//! childminder's id, and every function authorises for the linked id before it reads anything.

use super::record::{add_absence, new_entry_id};
use super::*;
use crate::auth::{insert_user, require_password_change, NewUser, Role};
use crate::storage::audit_in;

/// The caller's own record, or an id no caller is linked to (so the authorisation refuses).
fn linked(who: &Principal) -> ChildminderId {
    who.staff()
        .and_then(|c| c.childminder.clone())
        .unwrap_or_else(|| ChildminderId(String::new()))
}

/// The caller's own record, when she may read it here.
pub fn authorize_own(store: &Store, who: &Principal) -> Result<ChildminderId, ActionError> {
    let id = linked(who);
    authorize(who, Action::ViewOwnChildminding { childminder: &id })?;
    keeps_register(store)?;
    Ok(id)
}

/// The file of the childminder who is asking, with the payment of `month`.
pub fn own_file(
    store: &Store,
    who: &Principal,
    rules: &Rules,
    month: tp::Month,
    today: Date,
) -> Result<ChildminderView, ActionError> {
    let id = authorize_own(store, who)?;
    let profile = load_profile(store, &id.0)?;
    file_of(store, rules, profile, month, today)
}

/// An absence as the childminder types it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OwnAbsenceInput {
    /// `vacation` or `sick`; other kinds (training, other) are the office's to record.
    pub kind: String,
    pub from: String,
    pub until: String,
    /// Sick: she hands in a medical certificate.
    pub certificate: bool,
}

/// The kinds a childminder records herself.
pub const OWN_ABSENCE_KINDS: [(&str, &str); 2] = [("vacation", "Urlaub"), ("sick", "Krankheit")];

/// Records the caller's own vacation or sick days in her file.
///
/// Continued payment needs a vacation announced ahead and sickness proven (RULES.md §5): a
/// vacation she records before its first day counts as announced; a sick period as proven when
/// she hands in a certificate (the office sees which and can correct the file).
pub fn record_own_absence(
    store: &mut Store,
    who: &Principal,
    input: &OwnAbsenceInput,
    now: Now,
) -> Result<ChildminderCase, ActionError> {
    let id = linked(who);
    authorize(who, Action::RecordOwnAbsence { childminder: &id })?;
    keeps_register(store)?;
    let owner = store.membership().organisation.clone();
    let profile = load_profile(store, &id.0)?;
    let mut v = Validator::new();
    let kind = input.kind.trim();
    v.check(
        OWN_ABSENCE_KINDS.iter().any(|(c, _)| *c == kind),
        "kind",
        "Urlaub oder Krankheit wählen / choose vacation or sick",
    );
    let from = v.date("from", &input.from);
    let until = v.date("until", &input.until);
    let period = typed_period(&mut v, from, until.map(Some), "until");
    v.finish()?;
    let period = period.expect("checked");
    let condition_met = match kind {
        "vacation" => period.start() > now.today,
        _ => input.certificate,
    };
    add_absence(
        store,
        who,
        owner,
        &profile.id,
        "childminder.own_absence",
        CaseAbsence {
            id: new_entry_id(),
            kind: kind.to_string(),
            condition_met,
            period,
            recorded_on: now.today,
        },
        now,
    )
}

/// A login for a childminder, as the office types it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountInput {
    pub childminder: String,
    pub username: String,
    /// Empty: her name in the register.
    pub display_name: String,
    /// The first password; she must change it at her first login (it leaves the office by a
    /// safe way).
    pub password: String,
}

/// The login created.
#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub user_id: i64,
    pub username: String,
    pub childminder: String,
}

/// The office creates the login of a childminder in its register: one per childminder, linked
/// to her record; the user and the audit entry in one transaction.
pub fn create_account(
    store: &mut Store,
    who: &Principal,
    input: &AccountInput,
    now: Now,
) -> Result<AccountView, ActionError> {
    let owner = authorize_manage(store, who)?;
    let profile = load_profile(store, &input.childminder)?;
    let username = input.username.trim();
    let mut v = Validator::new();
    let well_formed = (3..=64).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    v.check(
        well_formed,
        "username",
        "3 bis 64 Zeichen aus a–z, 0–9, Punkt, Binde- und Unterstrich / 3 to 64 characters a–z, 0–9, '.', '-', '_'",
    );
    let taken: bool = store.conn().query_row(
        "SELECT EXISTS(SELECT 1 FROM users WHERE username = ?1)",
        [username],
        |r| r.get(0),
    )?;
    v.check(
        !taken,
        "username",
        "Der Benutzername ist vergeben / the user name is taken",
    );
    v.check(
        input.password.chars().count() >= crate::auth::passwords::MIN_PASSWORD_CHARS,
        "password",
        format!(
            "mindestens {0} Zeichen / at least {0} characters",
            crate::auth::passwords::MIN_PASSWORD_CHARS
        ),
    );
    let existing: bool = store.conn().query_row(
        "SELECT EXISTS(SELECT 1 FROM users WHERE childminder = ?1)",
        [&profile.id.0],
        |r| r.get(0),
    )?;
    v.check(
        !existing,
        "username",
        "Die Tagespflegeperson hat schon einen Zugang / the childminder has a login already",
    );
    v.finish()?;
    let display_name = match input.display_name.trim() {
        "" => profile.name.clone(),
        name => name.to_string(),
    };
    let user_id = store.write(|tx| -> Result<i64, StoreError> {
        let id = insert_user(
            tx,
            &NewUser {
                username,
                display_name: &display_name,
                password: &input.password,
                role: Role::Childminder,
                organisation: owner,
                provider: None,
                facility: None,
            },
            Some(&profile.id),
        )?;
        // The office chose the first password: she sets her own before anything else.
        require_password_change(tx, id)?;
        audit_in(
            tx,
            &AuditEntry {
                at: now.millis,
                actor: who.audit_name(),
                action: "childminder.account",
                target: Some(profile.id.0.clone()),
                subjects: vec![profile.id.0.clone()],
                valid_from: None,
            },
        )?;
        Ok(id)
    })?;
    Ok(AccountView {
        user_id,
        username: username.to_string(),
        childminder: profile.id.0,
    })
}

/// Whether the childminder has a login (the file shows the form until she has).
pub fn has_account(store: &Store, id: &ChildminderId) -> Result<bool, StoreError> {
    Ok(store.conn().query_row(
        "SELECT EXISTS(SELECT 1 FROM users WHERE childminder = ?1)",
        [&id.0],
        |r| r.get(0),
    )?)
}
