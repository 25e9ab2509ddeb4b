//! Start, login, logout, language, health: the pages that belong to no domain.

use super::error::{ApiError, AppError};
use super::extract::{
    cookie, ApiSession, Lang, MaybeSession, Session, LANG_COOKIE, SESSION_COOKIE,
};
use super::i18n::{texts, Texts};
use super::render;
use crate::auth::{self, Caller};
use crate::storage::AuditEntry;
use crate::Node;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;
use std::sync::Arc;

/// What every page's layout needs.
pub struct Chrome {
    pub t: &'static Texts,
    /// Who is asking (the navigation asks [`auth::authorize`] for them).
    pub who: auth::Principal,
    /// The staff member, for the staff navigation and header.
    pub user: Option<Caller>,
    pub csrf: String,
    pub node_name: String,
    pub org_name: String,
    pub title: String,
    /// The Kita this node serves, if any: the scope of its conflicts and seats links.
    facility: Option<kitanetz_crdt::ids::FacilityId>,
    /// The Träger whose node this is, if any: the scope of the audit link.
    provider: Option<kitanetz_crdt::ids::ProviderId>,
    /// A portal page: the parents' navigation instead of the staff's, and the map's styles.
    pub portal: bool,
    /// Whether this node runs the parents' portal (the city).
    pub has_portal: bool,
    /// The role of this node (the Beitragsstelle works on the Träger's node).
    node_role: kitanetz_crdt::policy::NodeRole,
    /// This node syncs but reaches no peer (the offline banner on every staff page).
    pub offline: bool,
    /// This node has a folder for backups from the UI (the desktop app; `[backup] dir`).
    backup_folder: bool,
}

impl Chrome {
    /// The logged-in parent's name, on portal pages.
    pub fn guardian_name(&self) -> Option<&str> {
        match &self.who {
            auth::Principal::Guardian(g) => Some(&g.display_name),
            _ => None,
        }
    }
}

impl Chrome {
    pub fn new(
        node: &Node,
        lang: Lang,
        session: Option<&Session>,
        title: impl Into<String>,
    ) -> Chrome {
        Chrome {
            t: texts(lang),
            who: session.map_or(auth::Principal::Visitor, |s| s.who.clone()),
            user: session.and_then(|s| s.who.staff().cloned()),
            csrf: session.map(|s| s.csrf.clone()).unwrap_or_default(),
            node_name: node.config.name.clone(),
            org_name: node.config.display_name.clone(),
            title: title.into(),
            facility: node.config.facility.clone(),
            provider: node.config.provider.clone(),
            portal: false,
            has_portal: node.portal.is_some(),
            node_role: node.config.role,
            offline: node.cut_off(),
            backup_folder: node.backup_dir().is_some(),
        }
    }

    /// The chrome of a parents' portal page.
    pub fn with_portal(mut self) -> Chrome {
        self.portal = true;
        self
    }

    /// Whether the caller may do `action`: the navigation shows exactly the links whose pages
    /// would answer, by asking the one authorisation rule.
    fn may(&self, action: auth::Action<'_>) -> bool {
        auth::authorize(&self.who, action).is_ok()
    }

    pub fn role_label(&self) -> &'static str {
        self.user.as_ref().map_or("", |u| u.role.label_de())
    }

    pub fn sees_conflicts(&self) -> bool {
        self.may(auth::Action::ViewConflicts {
            facility: self.facility.as_ref(),
        })
    }

    pub fn sees_seats(&self) -> bool {
        self.may(auth::Action::ViewSeats {
            facility: self.facility.as_ref(),
        })
    }

    /// The Kita's groups and extra care: whoever sees its occupancy (its lead, its Träger's
    /// admin).
    pub fn sees_kita_day(&self) -> bool {
        self.sees_occupancy()
    }

    /// Whether the caller changes groups here (the lead of the Kita this node serves).
    pub fn manages_groups(&self) -> bool {
        self.may(auth::Action::ManageGroups {
            facility: self.facility.as_ref(),
        })
    }

    /// Whether the caller records the Kita's day here: extra care, attendance (the lead of the
    /// Kita this node serves).
    pub fn records_kita_day(&self) -> bool {
        self.may(auth::Action::RecordKitaDay {
            facility: self.facility.as_ref(),
        })
    }

    /// Whether the caller admits children here (the lead of the Kita this node serves).
    pub fn admits_children(&self) -> bool {
        self.may(auth::Action::AdmitChild {
            facility: self.facility.as_ref(),
        })
    }

    /// The Kita-Planer export: the Kita's lead on its node, the Träger's admin (on its node for
    /// every Kita).
    pub fn sees_kitaplaner(&self) -> bool {
        let Some(provider) = self.provider.as_ref() else {
            return false;
        };
        match self.node_role {
            kitanetz_crdt::policy::NodeRole::Kita => self.may(auth::Action::ExportKitaplaner {
                facility: self.facility.as_ref(),
                provider,
            }),
            kitanetz_crdt::policy::NodeRole::Traeger => self.may(auth::Action::ExportKitaplaner {
                facility: None,
                provider,
            }),
            _ => false,
        }
    }

    /// The interfaces of Lastenheft 3.19: the Kita's lead on its node, the Träger's admin (on
    /// its node for every Kita).
    pub fn sees_interfaces(&self) -> bool {
        let Some(provider) = self.provider.as_ref() else {
            return false;
        };
        match self.node_role {
            kitanetz_crdt::policy::NodeRole::Kita => self.may(auth::Action::ExportInterfaces {
                facility: self.facility.as_ref(),
                provider,
            }),
            kitanetz_crdt::policy::NodeRole::Traeger => self.may(auth::Action::ExportInterfaces {
                facility: None,
                provider,
            }),
            _ => false,
        }
    }

    /// The audit view (system admin, Träger admin).
    pub fn sees_audit(&self) -> bool {
        self.may(auth::Action::ViewAudit {
            provider: self.provider.as_ref(),
        })
    }

    /// The sessions of the node's staff (system admin, Träger admin).
    /// *Datensicherung*, where this node has a backup folder and for whoever administers it.
    pub fn sees_backup(&self) -> bool {
        self.backup_folder
            && self.may(auth::Action::BackUpNode {
                provider: self.provider.as_ref(),
                facility: self.facility.as_ref(),
            })
    }

    pub fn sees_sessions(&self) -> bool {
        self.may(auth::Action::ManageSessions {
            provider: self.provider.as_ref(),
        })
    }

    /// The ZVS's intake lists (on the city, which runs the portal).
    pub fn sees_intake(&self) -> bool {
        self.has_portal && self.may(auth::Action::ViewIntake)
    }

    /// The Beitragsstelle's clerk, who issues decisions (on the Träger's node).
    pub fn decides_fees(&self) -> bool {
        self.node_role == kitanetz_crdt::policy::NodeRole::Traeger
            && self.may(auth::Action::DecideFees {
                provider: self.provider.as_ref(),
            })
    }

    /// The Beitragsstelle (on the Träger's node).
    pub fn sees_fees(&self) -> bool {
        self.node_role == kitanetz_crdt::policy::NodeRole::Traeger
            && self.may(auth::Action::ViewFees {
                provider: self.provider.as_ref(),
            })
    }

    /// The occupancy of the Kita this node serves, or of the Träger's Kitas.
    pub fn sees_occupancy(&self) -> bool {
        let Some(provider) = self.provider.as_ref() else {
            return false;
        };
        match self.node_role {
            kitanetz_crdt::policy::NodeRole::Kita => self.may(auth::Action::ViewOccupancy {
                facility: self.facility.as_ref(),
                provider,
            }),
            kitanetz_crdt::policy::NodeRole::Traeger => self.may(auth::Action::ViewOccupancy {
                facility: None,
                provider,
            }),
            _ => false,
        }
    }

    /// The Träger's statistics (on the Träger's node).
    pub fn sees_statistics(&self) -> bool {
        self.node_role == kitanetz_crdt::policy::NodeRole::Traeger
            && self.may(auth::Action::ViewStatistics {
                provider: self.provider.as_ref(),
            })
    }

    /// A childminder's own file, for the childminder user linked to one (where the register is).
    pub fn sees_own_childminding(&self) -> bool {
        let Some(own) = self.user.as_ref().and_then(|u| u.childminder.as_ref()) else {
            return false;
        };
        matches!(
            self.node_role,
            kitanetz_crdt::policy::NodeRole::City | kitanetz_crdt::policy::NodeRole::Tagespflege
        ) && self.may(auth::Action::ViewOwnChildminding { childminder: own })
    }

    /// The Kindertagespflege register (on the city node or a BVS-KTP node).
    pub fn sees_childminders(&self) -> bool {
        matches!(
            self.node_role,
            kitanetz_crdt::policy::NodeRole::City | kitanetz_crdt::policy::NodeRole::Tagespflege
        ) && self.may(auth::Action::ViewChildminders)
    }

    pub fn sees_children(&self) -> bool {
        self.may(auth::Action::ListChildren)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub message: String,
}

impl Chrome {
    /// The chrome of a page that no node serves (yet): an error before the node answered, or
    /// the desktop app's first-start assistant. Nobody is signed in; no navigation.
    pub fn without_node(lang: Lang, title: impl Into<String>) -> Chrome {
        Chrome {
            t: texts(lang),
            who: auth::Principal::Visitor,
            user: None,
            csrf: String::new(),
            node_name: String::new(),
            org_name: String::new(),
            title: title.into(),
            facility: None,
            provider: None,
            portal: false,
            has_portal: false,
            node_role: kitanetz_crdt::policy::NodeRole::City,
            offline: false,
            backup_folder: false,
        }
    }
}

impl ErrorPage {
    pub fn new(status: StatusCode, message: String) -> ErrorPage {
        ErrorPage {
            chrome: Chrome::without_node(
                Lang::De,
                format!(
                    "{} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                ),
            ),
            status: status.as_u16(),
            message,
        }
    }
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    chrome: Chrome,
}

pub async fn start(
    State(node): State<Arc<Node>>,
    lang: Lang,
    MaybeSession(session): MaybeSession,
) -> Result<Response, AppError> {
    let Some(session) = session else {
        // Visitors of the city node come for the parents' portal; staff log in from there.
        let to = if node.portal.is_some() {
            "/portal"
        } else {
            "/login"
        };
        return Ok(Redirect::to(to).into_response());
    };
    if matches!(session.who, auth::Principal::Guardian(_)) {
        return Ok(Redirect::to("/portal/account").into_response());
    }
    let title = texts(lang).start.to_string();
    render(&StartPage {
        chrome: Chrome::new(&node, lang, Some(&session), title),
    })
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    error: Option<String>,
    username: String,
}

pub async fn login_form(State(node): State<Arc<Node>>, lang: Lang) -> Result<Response, AppError> {
    let title = texts(lang).login_title.to_string();
    render(&LoginPage {
        chrome: Chrome::new(&node, lang, None, title),
        error: None,
        username: String::new(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub(crate) fn session_cookie(token: &str) -> String {
    // HttpOnly: scripts never see the token; SameSite=Strict: no cross-site requests carry it.
    // Secure: browsers accept it on https and on http://localhost and 127.0.0.1 (secure contexts).
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=28800")
}

pub async fn login(
    State(node): State<Arc<Node>>,
    lang: Lang,
    headers: HeaderMap,
    super::SourceAddr(source): super::SourceAddr,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    // A foreign page must not log a visitor in (into the attacker's account, say).
    super::check_same_origin(&headers)?;
    let verified = auth::verify_login(&node, form.username.trim(), &form.password, source).await;
    let now = node.clock.now_millis();
    let mut store = node.store();
    match verified {
        Ok(caller) => {
            let tokens = auth::create_session(&mut store, caller.user_id, now)?;
            store.audit(&AuditEntry {
                at: now,
                actor: caller.audit_name(),
                action: "session.login",
                target: None,
                subjects: vec![],
                valid_from: None,
            })?;
            Ok((
                [(header::SET_COOKIE, session_cookie(&tokens.token))],
                Redirect::to("/"),
            )
                .into_response())
        }
        Err(auth::LoginError::Store(e)) => Err(e.into()),
        Err(e) => {
            audit_failed_login(&mut store, &form.username, source, now)?;
            drop(store);
            let title = texts(lang).login_title.to_string();
            // The throttle counts names whether they exist or not, so no answer tells which do.
            let status = match e.retry_after_secs() {
                Some(_) => StatusCode::TOO_MANY_REQUESTS,
                None => StatusCode::UNAUTHORIZED,
            };
            let page = LoginPage {
                chrome: Chrome::new(&node, lang, None, title),
                error: Some(e.to_string()),
                username: form.username,
            };
            let mut res = render(&page)?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf: String,
}

pub async fn logout(
    State(node): State<Arc<Node>>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        auth::end_browser_session(&node.store(), token)?;
    }
    let expired =
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    let to = match session.who {
        auth::Principal::Guardian(_) => "/portal",
        _ => "/login",
    };
    Ok(([(header::SET_COOKIE, expired)], Redirect::to(to)).into_response())
}

pub async fn set_lang(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let lang = if lang == "en" { "en" } else { "de" };
    // Back to the page the visitor came from, if it was ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .map(|i| &r[i + 3..])
                .and_then(|rest| rest.find('/').map(|j| rest[j..].to_string()))
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".to_string());
    let cookie = format!("{LANG_COOKIE}={lang}; Path=/; SameSite=Lax; Max-Age=31536000");
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

pub async fn health(State(node): State<Arc<Node>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "status": "ok",
        "node": node.config.name,
        "role": node.config.role,
        "organisation": node.config.organisation,
    }))
}

pub async fn not_found() -> AppError {
    AppError::NotFound("Seite / page".into())
}

#[derive(Deserialize)]
pub struct ApiLogin {
    username: String,
    password: String,
}

/// API login: returns a bearer token (not a cookie), valid for one working day.
pub async fn api_login(
    State(node): State<Arc<Node>>,
    super::SourceAddr(source): super::SourceAddr,
    Json(body): Json<ApiLogin>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let verified = auth::verify_login(&node, &body.username, &body.password, source).await;
    let now = node.clock.now_millis();
    let mut store = node.store();
    let caller = match verified {
        Ok(c) => c,
        Err(auth::LoginError::Store(e)) => return Err(e.into()),
        Err(e) if e.retry_after_secs().is_some() => {
            audit_failed_login(&mut store, &body.username, source, now)?;
            return Err(ApiError(e.into()));
        }
        Err(e) => {
            audit_failed_login(&mut store, &body.username, source, now)?;
            return Err(ApiError(AppError::BadRequest(e.to_string())).unauthorized());
        }
    };
    let tokens = auth::create_session_of(&mut store, caller.user_id, auth::SessionKind::Api, now)?;
    store.audit(&AuditEntry {
        at: now,
        actor: caller.audit_name(),
        action: "session.login",
        target: None,
        subjects: vec![],
        valid_from: None,
    })?;
    Ok(Json(
        serde_json::json!({ "token": tokens.token, "user": caller }),
    ))
}

impl ApiError {
    fn unauthorized(self) -> ApiError {
        ApiError(AppError::Unauthenticated)
    }
}

/// Ends the session whose token the request carries (bearer first, then the cookie): the
/// token stops working at once.
pub fn end_request_session(node: &Node, headers: &HeaderMap) -> Result<(), AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| cookie(headers, SESSION_COOKIE));
    if let Some(token) = token {
        auth::end_session(&node.store(), token)?;
    }
    Ok(())
}

/// `POST /api/logout`: the API token (or cookie session) ends.
pub async fn api_logout(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    auth::authorize(&session.who, auth::Action::ViewOwnAccount)?;
    end_request_session(&node, &headers)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn api_me(ApiSession(session): ApiSession) -> Result<Json<auth::Principal>, ApiError> {
    auth::authorize(&session.who, auth::Action::ViewOwnAccount)?;
    Ok(Json(session.who))
}

#[derive(Template)]
#[template(path = "sync.html")]
struct SyncPage {
    chrome: Chrome,
    status: Option<crate::sync::SyncStatus>,
}

impl SyncPage {
    fn when(&self, at: &Option<i64>) -> String {
        at.as_ref()
            .map(super::format_millis)
            .unwrap_or_else(|| "–".into())
    }
}

/// Sync status: per peer connected or not and the last sync, documents pending.
pub async fn sync_page(
    State(node): State<Arc<Node>>,
    lang: Lang,
    session: Session,
) -> Result<Response, AppError> {
    auth::authorize(&session.who, auth::Action::ViewSyncStatus)?;
    let title = texts(lang).sync.to_string();
    render(&SyncPage {
        chrome: Chrome::new(&node, lang, Some(&session), title),
        status: node.sync_status(),
    })
}

/// `GET /sync.xlsx`: the peers and their last sync as a workbook.
pub async fn sync_xlsx(
    State(node): State<Arc<Node>>,
    session: Session,
) -> Result<Response, AppError> {
    use kitanetz_sheets::{Cell, Column, ColumnKind, Table};
    auth::authorize(&session.who, auth::Action::ViewSyncStatus)?;
    let status = node.sync_status();
    let mut peers = Table::new(
        "Synchronisation",
        vec![
            Column::new("Knoten", ColumnKind::Text),
            Column::new("Verbunden", ColumnKind::YesNo),
            Column::new("Zuletzt synchronisiert", ColumnKind::Text),
        ],
    );
    if let Some(s) = &status {
        peers.rows = s
            .peers
            .iter()
            .map(|p| {
                vec![
                    Cell::from(p.name.as_str()),
                    Cell::YesNo(p.connected),
                    Cell::from(
                        p.last_sync
                            .as_ref()
                            .map(super::format_millis)
                            .unwrap_or_default()
                            .as_str(),
                    ),
                ]
            })
            .collect();
    }
    let mut summary = Table::new(
        "Stand",
        vec![
            Column::new("Übertragung", ColumnKind::Text),
            Column::new("Erreicht einen Knoten", ColumnKind::YesNo),
            Column::new("Noch nicht angebotene Dokumente", ColumnKind::Integer),
        ],
    );
    summary.rows = status
        .iter()
        .map(|s| {
            vec![
                Cell::from(s.transport),
                Cell::YesNo(s.online),
                Cell::Integer(s.pending_documents as i64),
            ]
        })
        .collect();
    let now = node.now();
    super::sheets::xlsx_response(
        vec![peers, summary],
        format!("Synchronisation {}", now.today),
        node.config.display_name.clone(),
        &format!("Synchronisation-{}", now.today),
        now.millis,
    )
    .await
}

pub async fn api_sync(
    State(node): State<Arc<Node>>,
    ApiSession(session): ApiSession,
) -> Result<Json<Option<crate::sync::SyncStatus>>, ApiError> {
    auth::authorize(&session.who, auth::Action::ViewSyncStatus)?;
    Ok(Json(node.sync_status()))
}

/// Every failed login is audited (the name as typed, cut short, and the source address; never
/// the password).
pub(crate) fn audit_failed_login(
    store: &mut crate::storage::Store,
    username: &str,
    source: Option<std::net::IpAddr>,
    now: i64,
) -> Result<(), crate::storage::StoreError> {
    store.audit(&AuditEntry {
        at: now,
        actor: format!(
            "anonymous:{}",
            username.chars().take(64).collect::<String>()
        ),
        action: "session.login-failed",
        target: source.map(|ip| format!("from {ip}")),
        subjects: vec![],
        valid_from: None,
    })
}
