//! Every route × every role: the expected answer is written down here, independently of the
//! authorisation code, and compared with what the router does.

use axum::http::{Method, StatusCode};
use kitanetz_crdt::policy::NodeRole;
use kitanetz_node::auth::Role;
use kitanetz_node::http::routes;
use kitanetz_tests::{call, every_role, first_child_and_contract, Network};

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// No login needed.
    Public,
    /// Any logged-in staff member.
    Staff,
    /// Only staff scoped to this Kita (its lead, its Träger's admin).
    KitaScope,
    /// Kita leads and Träger admins, each for their own Kitas (lists without an id).
    KitaRoles,
    /// The city's placement office.
    Zvs,
    /// The ZVS, and the lead of the Kita this node serves (its tasks).
    ZvsOrKitaLeadHere,
    /// Only the lead of the Kita this node serves (the Kita decides its seats).
    KitaLeadHere,
    /// The parents' portal: public on the city node, not there on this (Kita) node
    /// (`portal.rs` walks it on the city).
    CityPortal,
    /// The ZVS's intake: the ZVS only, and only on the city node (here: refused for everybody
    /// else, "not here" for the ZVS; `intake.rs` uses it on the city).
    CityZvs,
    /// The audit log: the system admin, and the admin of the Träger whose node it is.
    Audit,
    /// The Beitragsstelle: the Träger's fee office (its admin reads), and only on the Träger's
    /// node (here, a Kita node: "not here" for them, refused for everybody else;
    /// `beitragsstelle.rs` uses it on the Träger node).
    TraegerFees,
    /// The Träger's statistics: its admin, on the Träger's node only (here "not here").
    TraegerStatistics,
    /// The Kindertagespflege register: the BVS-KTP (the ZVS reads), on the city or a BVS-KTP
    /// node only (here, a Kita node: "not here" for them, refused for everybody else;
    /// `childminding.rs` uses it on the city).
    CityChildminding,
    /// A childminder's own file ("Meine Kindertagespflege"): the childminder user linked to a
    /// record, on the city or a BVS-KTP node only (here: "not here" for her, refused for
    /// everybody else; `childminding.rs` uses it on the city).
    OwnChildminding,
    /// Whoever administers this node: the system admin, the Träger's admin, the Kita's lead
    /// (*Datensicherung*: a backup into the seeded network's `backups/`).
    NodeAdmin,
    /// Revoking a session: the audit readers (the walk names no live session: "not found"),
    /// refused for everybody else.
    RevokeSession,
}

fn expected_access(method: &str, path: &str) -> Access {
    match (method, path) {
        (_, p) if kitanetz_node::http::is_portal_path(p) => Access::CityPortal,
        (_, p)
            if p.starts_with("/intake")
                || p.starts_with("/reports")
                || p.starts_with("/rounds")
                || p.starts_with("/api/rounds") =>
        {
            Access::CityZvs
        }
        ("GET", "/audit") | ("GET", "/audit.csv") | ("GET", "/audit.xlsx") => Access::Audit,
        ("POST", "/admin/sessions/revoke") | ("POST", "/api/admin/sessions/revoke") => {
            Access::RevokeSession
        }
        (_, "/backup") => Access::NodeAdmin,
        ("GET", "/admin/sessions")
        | ("GET", "/admin/sessions.xlsx")
        | ("GET", "/api/admin/sessions") => Access::Audit,
        (_, p) if p.starts_with("/fees") || p.starts_with("/api/fees") => Access::TraegerFees,
        ("GET", "/occupancy")
        | ("GET", "/occupancy.xlsx")
        | ("GET", "/api/occupancy")
        | ("GET", "/terminations")
        | ("GET", "/terminations.xlsx")
        | ("GET", "/api/terminations") => Access::KitaScope,
        (_, p) if p.starts_with("/statistics") || p.starts_with("/api/statistics") => {
            Access::TraegerStatistics
        }
        (_, "/tagespflege/mine")
        | (_, "/tagespflege/mine/absences")
        | (_, "/api/tagespflege/mine")
        | (_, "/api/tagespflege/mine/absences") => Access::OwnChildminding,
        (_, p) if p.starts_with("/tagespflege") || p.starts_with("/api/tagespflege") => {
            Access::CityChildminding
        }
        ("GET", "/staff")
        | ("GET", "/staff.xlsx")
        | ("GET", "/api/staff")
        | ("GET", "/staffing")
        | ("GET", "/staffing.xlsx")
        | ("GET", "/api/staffing") => Access::KitaScope,
        (_, p) if p.starts_with("/staff") || p.starts_with("/api/staff") => {
            Access::TraegerStatistics
        }
        (_, "/login")
        | (_, "/lang/{lang}")
        | (_, "/health")
        | (_, "/static/{*path}")
        | (_, "/api/login") => Access::Public,
        (_, "/")
        | (_, "/password")
        | (_, "/logout")
        | (_, "/api/logout")
        | (_, "/api/me")
        | (_, "/sync")
        | (_, "/sync.xlsx")
        | (_, "/api/sync")
        | (_, "/follow-ups")
        | (_, "/follow-ups.xlsx")
        | (_, "/follow-ups/done")
        | (_, "/api/follow-ups")
        | (_, "/api/follow-ups/done") => Access::Staff,
        ("GET", "/facilities")
        | ("GET", "/facilities.xlsx")
        | ("GET", "/facilities/{id}")
        | ("GET", "/api/facilities")
        | ("GET", "/api/facilities/{id}") => Access::Staff,
        ("GET", "/children") | ("GET", "/api/children") => Access::KitaRoles,
        (_, "/facilities/{id}/places") | (_, "/api/facilities/{id}/places") => Access::Zvs,
        ("GET", "/conflicts") | ("GET", "/conflicts.xlsx") | ("GET", "/api/conflicts") => {
            Access::ZvsOrKitaLeadHere
        }
        ("POST", "/conflicts/decide") | ("POST", "/api/conflicts/decisions") => Access::Zvs,
        ("GET", "/api/wishes/{handle}")
        | ("GET", "/api/intake/placement")
        | ("POST", "/api/intake/reactivations") => Access::CityZvs,
        (_, p) if p.starts_with("/seats") || p.starts_with("/api/seats") => Access::KitaLeadHere,
        ("GET", "/groups")
        | ("GET", "/groups.xlsx")
        | ("GET", "/api/groups")
        | ("GET", "/extra-care")
        | ("GET", "/extra-care.xlsx")
        | ("GET", "/api/extra-care")
        | ("GET", "/children.xlsx")
        | ("GET", "/attendance")
        | ("GET", "/attendance.xlsx")
        | ("GET", "/api/attendance") => Access::KitaRoles,
        ("POST", "/attendance") | ("POST", "/api/attendance") => Access::KitaLeadHere,
        ("GET", "/school") | ("GET", "/school.xlsx") | ("GET", "/api/school") => Access::KitaRoles,
        ("GET", "/kitaplaner") | ("GET", "/kitaplaner.xlsx") | ("GET", "/api/kitaplaner") => {
            Access::KitaRoles
        }
        ("POST", "/kitaplaner/export") | ("POST", "/api/kitaplaner/exports") => Access::KitaScope,
        // The import buffer: the lead of the Kita this node serves.
        ("POST", "/kitaplaner/import") | ("POST", "/kitaplaner/import/{id}/discard") => {
            Access::KitaLeadHere
        }
        // Lastenheft 3.19's files: the Kita's lead and its Träger's admin (audited downloads).
        ("GET", p) if p == "/interfaces" || p.starts_with("/interfaces/") => Access::KitaScope,
        (_, p) if p.starts_with("/school") || p.starts_with("/api/school") => Access::KitaScope,
        (_, p)
            if p.starts_with("/groups")
                || p.starts_with("/api/groups")
                || p.starts_with("/extra-care")
                || p.starts_with("/api/extra-care")
                || p == "/children/new"
                || p == "/api/children" =>
        {
            Access::KitaLeadHere
        }
        (_, p) if p.starts_with("/facilities/{id}/edit") || p == "/api/facilities/{id}/profile" => {
            Access::KitaScope
        }
        (_, p)
            if p.starts_with("/children")
                || p.starts_with("/contracts")
                || p.starts_with("/api/children")
                || p.starts_with("/api/contracts") =>
        {
            Access::KitaScope
        }
        other => panic!("route {other:?} has no expectation: add it to this test"),
    }
}

fn body_for(method: &str, path: &str, child: &str) -> Option<(&'static str, String)> {
    let form = "application/x-www-form-urlencoded";
    let json = "application/json";
    match (method, path) {
        ("POST", "/login") => Some((form, "username=nobody&password=wrong-password".into())),
        ("POST", "/logout") => Some((form, String::new())),
        // A new password too short: refused on its field before the current one is checked.
        ("POST", "/password") => Some((form, "current_password=x&password=kurz&password_repeat=kurz".into())),
        ("POST", "/portal/favourites") => Some((form, "key=f:fac-x&op=add&back=/portal".into())),
        ("POST", p) if p.starts_with("/portal/") => Some((form, "email=a%40b.example".into())),
        ("POST", p) if p.starts_with("/intake") => Some((form, "decision=release&note=x".into())),
        ("POST", "/api/login") => Some((json, r#"{"username":"nobody","password":"wrong-password"}"#.into())),
        ("POST", "/facilities/{id}/edit") => Some((form, "name=Kita&street=Weg+1&postcode=01067&city=Dresden&district=Altstadt".into())),
        ("PUT", "/api/facilities/{id}/profile") => Some((json, r#"{"name":"Kita","street":"Weg 1","postcode":"01067","city":"Dresden","district":"Altstadt","cost_centre":"","opening_hours":"","concept":"","email":"","phone":"","lead_name":""}"#.into())),
        ("POST", "/children/{id}/contracts/new") => Some((form, "start=2027-01-01&care_type=kindergarten&daily_hours=8&payment_mode=direct-debit".into())),
        ("POST", "/contracts/{id}/change") => Some((form, "valid_from=2027-03-01&care_type=kindergarten&daily_hours=6&payment_mode=self-payer".into())),
        ("POST", "/api/contracts") => Some((json, format!(r#"{{"child":"{child}","start":"2027-01-01","care_type":"kindergarten","daily_hours":8,"payment_mode":"direct-debit"}}"#))),
        ("POST", "/facilities/{id}/places") => Some((form, "care_type=kindergarten&places=many&valid_from=2027-01-01".into())),
        ("POST", "/api/facilities/{id}/places") => Some((json, r#"{"care_type":"kindergarten","places":"many","valid_from":"2027-01-01"}"#.into())),
        ("POST", "/seats/reserve") => Some((form, "wish=0000000f&month=2027-01-01".into())),
        ("POST", "/seats/release") => Some((form, "wish=0000000f".into())),
        ("POST", "/seats/decline") => Some((form, "wish=0000000f&reason=no-place".into())),
        ("POST", "/api/seats/reservations") => Some((json, r#"{"wish":"0000000f","month":"2027-01-01"}"#.into())),
        ("POST", "/api/seats/releases") => Some((json, r#"{"wish":"0000000f"}"#.into())),
        ("POST", "/api/seats/declines") => Some((json, r#"{"wish":"0000000f","reason":"no-place"}"#.into())),
        ("POST", "/seats/contract") => Some((form, "wish=0000000f&child_given_name=Paul".into())),
        ("POST", "/api/seats/contracts") => Some((json, r#"{"wish":"0000000f","child_given_name":"Paul"}"#.into())),
        ("POST", "/conflicts/decide") => Some((form, "application=app-unknown&keeper=fac-unknown".into())),
        ("POST", "/api/conflicts/decisions") => Some((json, r#"{"application":"app-unknown","keeper":"fac-unknown"}"#.into())),
        ("POST", "/fees/families/{id}/payment") => Some((form, "payer=g-x&mode=self-payer".into())),
        ("POST", "/fees/families/{id}/status") => Some((form, "child=c-x&from=2027-01&status=foster".into())),
        ("POST", "/fees/families/{id}/decisions") => Some((form, "from=2027-01".into())),
        ("POST", "/fees/families/{id}/decisions/{number}/mark") => Some((form, "mark=dispatched".into())),
        ("POST", "/fees/extra-care/decisions") => Some((form, "family=fam-x&child=c-x&month=2026-10".into())),
        ("POST", "/api/fees/extra-care/decisions") => Some((json, r#"{"family":"fam-x","child":"c-x","month":"2026-10"}"#.into())),
        ("POST", "/fees/billing") => Some((form, "month=2027-01".into())),
        ("POST", "/fees/lost-fees/record") => Some((form, "period=2026-10".into())),
        // The page's upload is multipart; a form body is refused after the authorisation.
        ("POST", "/fees/arrears/payments") => Some((form, "file=x".into())),
        ("POST", "/api/fees/payments") => Some((json, r#"{"file_name":"x.csv","text":"Familiennummer;Leistungsmonat;Betrag;Buchungsdatum\n000001;2026-10;1;2026-10-01\n"}"#.into())),
        ("POST", "/admin/sessions/revoke") => Some((form, "session=0000000000000000".into())),
        ("POST", "/backup") => Some((form, "x=1".into())),
        ("POST", "/kitaplaner/import") | ("POST", "/kitaplaner/import/{id}/discard") => Some((form, "x=1".into())),
        ("POST", "/staff/person") => Some((form, "staff=staff-none&given_name=Walk".into())),
        ("POST", "/api/staff/person") => Some((json, r#"{"staff":"staff-none","given_name":"Walk"}"#.into())),
        ("POST", "/children/{id}/guardians/{guardian}") => Some((form, "street=Weg+2&postcode=01067&city=Dresden".into())),
        ("PUT", "/api/children/{id}/guardians/{guardian}") => Some((json, r#"{"street":"Weg 2","postcode":"01067","city":"Dresden"}"#.into())),
        ("POST", "/fees/changes/done") => Some((form, "done=doc-x|[]".into())),
        ("POST", "/api/fees/changes/done") => Some((json, r#"{"reports":[{"doc_id":"doc-x","heads":"[]"}]}"#.into())),
        ("POST", "/api/admin/sessions/revoke") => Some((json, r#"{"session":"0000000000000000"}"#.into())),
        ("POST", "/api/intake/reactivations") => Some((json, r#"{"application":"app-x"}"#.into())),
        // A month that does not parse: refused after the authorisation, no round starts.
        ("POST", "/rounds") => Some((form, "from=bad".into())),
        ("POST", "/rounds/what-if") => Some((form, "from=bad&catalogue=x".into())),
        ("POST", "/api/rounds/what-if") => Some((json, r#"{"from":"bad","catalogue":"x"}"#.into())),
        ("POST", "/rounds/catalogue") => Some((form, "catalogue=x&reason=".into())),
        ("POST", "/api/rounds/catalogue") => Some((json, r#"{"catalogue":"x","reason":""}"#.into())),
        ("POST", "/api/rounds") => Some((json, r#"{"from":"bad"}"#.into())),
        ("POST", "/rounds/{id}/cancel") => Some((form, "reason=".into())),
        ("POST", "/rounds/{id}/offers/{application}") => Some((form, "answer=accept".into())),
        ("POST", "/intake/{id}/transfer") => Some((form, "decision=reject&note=".into())),
        ("POST", "/intake/placement/alternative") => Some((form, "application=x&facility=y&note=".into())),
        ("POST", "/api/rounds/{id}/cancel") => Some((json, r#"{"reason":""}"#.into())),
        ("POST", "/api/portal/applications/{id}/offer") => Some((json, r#"{"answer":"accept"}"#.into())),
        ("POST", "/fees/families/{id}/overrides") => Some((form, "child=c-x&from=2027-01&amount=1&reason=x".into())),
        ("POST", "/fees/families/{id}/overrides/remove") => Some((form, "index=0".into())),
        ("POST", "/api/fees/families/{id}/overrides") => Some((json, r#"{"child":"c-x","from":"2027-01","amount":"1","reason":"x"}"#.into())),
        ("PUT", "/api/fees/families/{id}/payment") => Some((json, r#"{"payer":"g-x"}"#.into())),
        ("POST", "/api/fees/families/{id}/statuses") => Some((json, r#"{"child":"c-x","from":"2027-01","status":"foster"}"#.into())),
        ("POST", "/api/fees/families/{id}/decisions") => Some((json, r#"{"from":"2027-01"}"#.into())),
        ("POST", "/api/fees/families/{id}/decisions/{number}/mark") => Some((json, r#"{"mark":"dispatched"}"#.into())),
        ("POST", "/api/fees/billing/runs") => Some((json, r#"{"month":"2027-01"}"#.into())),
        ("POST", "/fees/families/{id}/reductions") => Some((form, "applied_on=2026-10-01&from=2026-11&until=2027-04&m1_name=Anna&m1_relation=parent&i1_member=m1&i1_kind=employee&i1_amount=1200".into())),
        ("POST", "/api/fees/families/{id}/reductions") => Some((json, r#"{"applied_on":"2026-10-01","from":"2026-11","until":"2027-04","members":[{"id":"m1","name":"Anna","relation":"parent"}],"incomes":[{"member":"m1","kind":"employee","amount":"1200"}]}"#.into())),
        ("POST", "/fees/families/{id}/reductions/{number}/decide") => Some((form, "decision=refuse&reason=x".into())),
        ("POST", "/fees/declarations/{id}/take-over") => Some((form, "x=1".into())),
        ("POST", "/portal/applications/{id}/income") => Some((form, "from=2027-01&until=2027-06".into())),
        ("POST", "/api/fees/families/{id}/reductions/{number}/decision") => Some((json, r#"{"decision":"refuse","reason":"x"}"#.into())),
        ("POST", "/statistics/kdw/master") => Some((form, "facility=fac-x&stala_einrichtungsnummer=x".into())),
        ("POST", "/statistics/kdw/integration") => Some((form, "facility=fac-x&child=c-x&physical=on".into())),
        ("POST", "/fees/reduction-settings") => Some((form, "valid_from=2026-01-01&reasonable_share_percent=50&allocation=rank_order&above_regular_time=fee_difference".into())),
        ("POST", "/api/fees/reduction-settings") => Some((json, r#"{"valid_from":"2026-01-01","reasonable_share_percent":"50","allocation":"rank_order","above_regular_time":"fee_difference"}"#.into())),
        ("POST", "/fees/bulk-change/preview") | ("POST", "/fees/bulk-change") => Some((form, "published_on=2026-06-26&effective_from=2026-09-01&basis=x&krippe=850".into())),
        ("POST", "/api/fees/bulk-change/preview") | ("POST", "/api/fees/bulk-change") => Some((json, r#"{"published_on":"2026-06-26","effective_from":"2026-09-01","basis":"x","krippe":"850"}"#.into())),
        ("POST", "/attendance") => Some((form, format!("date=2026-11-02&mark.{child}=present"))),
        ("POST", "/api/attendance") => Some((json, format!(r#"{{"date":"2026-11-02","marks":{{"{child}":"present"}}}}"#))),
        ("POST", "/staff") => Some((form, "given_name=Walk&family_name=Er&qualification=fachkraft&role=educator&from=2027-01-01&weekly_hours=30".into())),
        ("POST", "/staff/assignments") => Some((form, "staff=staff-none&role=educator&from=2027-01-01&weekly_hours=30".into())),
        ("POST", "/staff/assignments/end") => Some((form, "assignment=staff-none/asg-none&until=2027-01-31".into())),
        ("POST", "/api/staff/assignments/end") => Some((json, r#"{"staff":"staff-none","assignment":"asg-none","until":"2027-01-31"}"#.into())),
        ("POST", "/staff/absences") => Some((form, "staff=staff-none&from=2027-01-01&reason=other".into())),
        ("POST", "/api/staff") => Some((json, r#"{"given_name":"Walk","family_name":"Er","qualification":"fachkraft","role":"educator","from":"2027-01-01","weekly_hours":"30"}"#.into())),
        ("POST", "/api/staff/assignments") => Some((json, r#"{"staff":"staff-none","role":"educator","from":"2027-01-01","weekly_hours":"30"}"#.into())),
        ("POST", "/api/staff/absences") => Some((json, r#"{"staff":"staff-none","from":"2027-01-01","reason":"other"}"#.into())),
        ("POST", "/school/mark") => Some((form, "contract=k-none&rule=deferred".into())),
        ("POST", "/api/school/marks") => Some((json, r#"{"contract":"k-none","rule":"deferred"}"#.into())),
        ("POST", "/school/exit") => Some((form, "school_year=2027&contract.k-none=on".into())),
        ("POST", "/api/school/exits") => Some((json, r#"{"school_year":2027,"contracts":["k-none"]}"#.into())),
        ("POST", "/kitaplaner/export") => Some((form, "dry_run=on".into())),
        ("POST", "/api/kitaplaner/exports") => Some((json, r#"{"dry_run":true}"#.into())),
        ("POST", "/contracts/{id}/notice") => Some((form, "notice_on=2026-11-02&end=2027-01-31&reason=move".into())),
        ("POST", "/api/contracts/{id}/notice") => Some((json, r#"{"notice_on":"2026-11-02","end":"2027-01-31","reason":"move"}"#.into())),
        ("POST", "/follow-ups") => Some((form, "due_on=2027-01-05&subject=Walk".into())),
        ("POST", "/follow-ups/done") => Some((form, "id=999999".into())),
        ("POST", "/api/follow-ups") => Some((json, r#"{"due_on":"2027-01-05","subject":"Walk"}"#.into())),
        ("POST", "/api/follow-ups/done") => Some((json, r#"{"id":"999999"}"#.into())),
        ("POST", "/groups") => Some((form, "name=Walk&care_type=kindergarten&size=12".into())),
        ("POST", "/groups/{id}/edit") => Some((form, "name=Walk2&care_type=kindergarten&size=14".into())),
        ("POST", "/groups/move") => Some((form, format!("child={child}&group="))),
        ("POST", "/api/groups") => Some((json, r#"{"name":"Walk3","care_type":"nursery","size":"10"}"#.into())),
        ("PUT", "/api/groups/{id}") => Some((json, r#"{"name":"Walk4","care_type":"nursery","size":"10"}"#.into())),
        ("POST", "/api/groups/moves") => Some((json, format!(r#"{{"child":"{child}","group":""}}"#))),
        ("POST", "/extra-care") => Some((form, format!("child={child}&date=2026-01-05&from=16:30&to=17:00&extra_tiers=1"))),
        ("POST", "/api/extra-care/entries") => Some((json, format!(r#"{{"child":"{child}","date":"2026-01-05","from":"16:30","to":"17:00","extra_tiers":"1"}}"#))),
        ("POST", "/extra-care/remove") => Some((form, "month=2026-01&entry=xc-none".into())),
        ("POST", "/api/extra-care/removals") => Some((json, r#"{"month":"2026-01","entry":"xc-none"}"#.into())),
        ("POST", "/extra-care/report") => Some((form, "month=2026-01".into())),
        ("POST", "/api/extra-care/reports") => Some((json, r#"{"month":"2026-01"}"#.into())),
        ("POST", "/children/new") => Some((form, "start=2027-01-01&care_type=kindergarten&child_given_name=Walk".into())),
        ("POST", "/api/children") => Some((json, r#"{"start":"2027-01-01","care_type":"kindergarten","child_given_name":"Walk"}"#.into())),
        ("POST", "/api/contracts/{id}/changes") => Some((json, r#"{"valid_from":"2027-03-01","care_type":"kindergarten","daily_hours":6,"payment_mode":"self-payer"}"#.into())),
        ("POST", p) if p.starts_with("/tagespflege") => Some((form, "start=2027-01-01&places=3".into())),
        ("POST", p) if p.starts_with("/api/tagespflege") => Some((json, r#"{"childminder":"tpp-none","start":"2027-01-01","places":"3"}"#.into())),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_for_every_role() {
    let net = Network::seeded();
    let kitas = net.kitas();
    let kita = kitas[0];
    let sibling_kita = kitas
        .iter()
        .find(|k| k.provider == kita.provider && k.name != kita.name)
        .expect("second Kita of the Träger");
    let other_provider = net
        .configs
        .iter()
        .find(|c| c.role == NodeRole::Traeger && c.provider != kita.provider)
        .and_then(|c| c.provider.clone())
        .expect("other Träger");
    let node = net.open(&kita.name);
    let facility = kita.facility.clone().unwrap();
    let provider = kita.provider.clone().unwrap();
    let logins = every_role(
        &node,
        &provider,
        &facility,
        &other_provider,
        sibling_kita.facility.as_ref().unwrap(),
    );
    let (child, contract) = first_child_and_contract(&node, &facility);
    let group: String = node
        .store()
        .conn()
        .query_row(
            "SELECT id FROM p_groups WHERE facility = ?1 ORDER BY id LIMIT 1",
            [&facility.0],
            |r| r.get(0),
        )
        .expect("the seeded Kita has a group");
    let guardian: String = node
        .store()
        .conn()
        .query_row(
            "SELECT g.id FROM p_guardians g JOIN p_children c ON c.family = g.family
             WHERE c.id = ?1 ORDER BY g.id LIMIT 1",
            [&child],
            |r| r.get(0),
        )
        .expect("the child's guardian");
    let router = kitanetz_node::http::router(node.clone());

    let routes = routes();
    let mut checked = 0;
    for (method, pattern) in routes.iter().map(|r| (r.method, r.path)) {
        let path = pattern
            .replace("{lang}", "en")
            .replace("{*path}", "app.css")
            .replace("{guardian}", &guardian)
            .replace(
                "{id}",
                if pattern.starts_with("/facilities") || pattern.starts_with("/api/facilities") {
                    &facility.0
                } else if pattern.contains("contracts/{id}") && !pattern.starts_with("/children") {
                    &contract
                } else if pattern.contains("groups/{id}") {
                    &group
                } else {
                    &child
                },
            );
        let access = expected_access(method, pattern);
        let m: Method = method.parse().unwrap();
        // Anonymous first.
        let (status, _) = call(
            &router,
            m.clone(),
            &path,
            None,
            body_for(method, pattern, &child),
        )
        .await;
        match access {
            Access::CityPortal => {
                assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path} anonymous")
            }
            Access::Public => assert!(
                status != StatusCode::FORBIDDEN && status != StatusCode::NOT_FOUND,
                "{method} {path} anonymous: {status}"
            ),
            _ if path.starts_with("/api/") => assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} anonymous"
            ),
            _ => assert!(
                status.is_redirection(),
                "{method} {path} anonymous should redirect to the login, got {status}"
            ),
        }
        for (login, scoped) in &logins {
            if method == "POST" && (pattern == "/logout" || pattern == "/api/logout") {
                continue; // would end the session the rest of the walk uses; tested in ui.rs
            }
            let (status, body) = call(
                &router,
                m.clone(),
                &path,
                Some(&login.token),
                body_for(method, pattern, &child),
            )
            .await;
            let allowed = match access {
                Access::CityPortal => {
                    assert_eq!(
                        status,
                        StatusCode::NOT_FOUND,
                        "{method} {path} (no portal here)"
                    );
                    checked += 1;
                    continue;
                }
                Access::CityZvs => {
                    let expected = if login.role == Role::Zvs {
                        StatusCode::NOT_FOUND
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(status, expected, "{method} {path} as {}", login.label);
                    checked += 1;
                    continue;
                }
                Access::TraegerFees => {
                    let clerk = login.role == Role::FeeOffice && login.label == "m-fee-traeger";
                    let reader = method == "GET" && login.role == Role::TraegerAdmin && *scoped;
                    let expected = if clerk || reader {
                        StatusCode::NOT_FOUND
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(status, expected, "{method} {path} as {}", login.label);
                    checked += 1;
                    continue;
                }
                Access::RevokeSession => {
                    let admin = login.role == Role::SystemAdmin
                        || (login.role == Role::TraegerAdmin && *scoped);
                    let expected = if admin {
                        StatusCode::NOT_FOUND
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(status, expected, "{method} {path} as {}", login.label);
                    checked += 1;
                    continue;
                }
                Access::CityChildminding => {
                    // The ZVS reads the register; the Förderbescheid is the office's own letter.
                    let keeper = login.role == Role::BvsKtp
                        || (method == "GET"
                            && !pattern.ends_with("decision.pdf")
                            && login.role == Role::Zvs);
                    let expected = if keeper {
                        StatusCode::NOT_FOUND
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(status, expected, "{method} {path} as {}", login.label);
                    checked += 1;
                    continue;
                }
                Access::OwnChildminding => {
                    let expected = if login.role == Role::Childminder {
                        StatusCode::NOT_FOUND
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(status, expected, "{method} {path} as {}", login.label);
                    checked += 1;
                    continue;
                }
                Access::TraegerStatistics => {
                    let expected = if login.role == Role::TraegerAdmin && *scoped {
                        StatusCode::NOT_FOUND
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(status, expected, "{method} {path} as {}", login.label);
                    checked += 1;
                    continue;
                }
                Access::Public | Access::Staff => true,
                Access::KitaScope => *scoped,
                Access::KitaRoles => matches!(login.role, Role::KitaLead | Role::TraegerAdmin),
                Access::Zvs => login.role == Role::Zvs,
                Access::ZvsOrKitaLeadHere => {
                    login.role == Role::Zvs || (login.role == Role::KitaLead && *scoped)
                }
                Access::KitaLeadHere => login.role == Role::KitaLead && *scoped,
                Access::NodeAdmin => {
                    login.role == Role::SystemAdmin
                        || (matches!(login.role, Role::TraegerAdmin | Role::KitaLead) && *scoped)
                }
                Access::Audit => {
                    login.role == Role::SystemAdmin || (login.role == Role::TraegerAdmin && *scoped)
                }
            };
            if access == Access::Public {
                // Public routes answer every caller; a wrong password is a 401, not a refusal.
                assert!(
                    !matches!(
                        status,
                        StatusCode::FORBIDDEN
                            | StatusCode::NOT_FOUND
                            | StatusCode::INTERNAL_SERVER_ERROR
                    ),
                    "{method} {path} as {}: {status}",
                    login.label
                );
            } else if allowed {
                assert!(
                    !matches!(
                        status,
                        StatusCode::UNAUTHORIZED
                            | StatusCode::FORBIDDEN
                            | StatusCode::NOT_FOUND
                            | StatusCode::METHOD_NOT_ALLOWED
                            | StatusCode::INTERNAL_SERVER_ERROR
                    ),
                    "{method} {path} as {} ({:?}) should be allowed, got {status}: {}",
                    login.label,
                    login.role,
                    body.chars().take(300).collect::<String>()
                );
            } else {
                assert!(
                    matches!(status, StatusCode::FORBIDDEN),
                    "{method} {path} as {} ({:?}) should be forbidden, got {status}: {}",
                    login.label,
                    login.role,
                    body.chars().take(300).collect::<String>()
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked >= routes.len() * 8,
        "walked {checked} route × role pairs"
    );
    // The system admin reads the audit log but no personal data.
    assert!(logins.iter().any(|(l, _)| l.role == Role::SystemAdmin));
}
