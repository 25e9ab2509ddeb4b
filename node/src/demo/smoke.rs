//! `kitanetz demo --smoke`: a scripted scenario through the real HTTP API of the running demo
//! network. Every step checks what it got; the run fails on the first broken expectation.

use super::RunningNode;
use kitanetz_crdt::policy::{may_hold, NodeRole};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Outcome of the smoke run.
pub struct SmokeReport {
    pub checks: Vec<String>,
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    fn new(node: &RunningNode) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: format!("http://{}", node.addr),
            token: None,
        }
    }

    async fn login(&mut self, user: &str, password: &str) -> anyhow::Result<()> {
        let res = self
            .http
            .post(format!("{}/api/login", self.base))
            .json(&json!({"username": user, "password": password}))
            .send()
            .await?;
        anyhow::ensure!(
            res.status() == StatusCode::OK,
            "login of {user} at {} answered {}",
            self.base,
            res.status()
        );
        let body: Value = res.json().await?;
        self.token = body["token"].as_str().map(str::to_string);
        Ok(())
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<(StatusCode, Value)> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await?;
        let status = res.status();
        let text = res.text().await?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    async fn get(&self, path: &str) -> anyhow::Result<(StatusCode, Value)> {
        self.call(reqwest::Method::GET, path, None).await
    }
}

fn expect(cond: bool, what: &str, checks: &mut Vec<String>) -> anyhow::Result<()> {
    anyhow::ensure!(cond, "smoke check failed: {what}");
    checks.push(what.to_string());
    Ok(())
}

/// Runs the scenario against a started network. `logins` maps node name to demo user name.
pub async fn run(
    nodes: &[RunningNode],
    logins: &[(String, String)],
    password: &str,
    sync: &super::DemoSync,
) -> anyhow::Result<SmokeReport> {
    let mut checks = Vec::new();
    let user_of = |name: &str| {
        logins
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, u)| u.clone())
    };

    // 1. Every node answers and reports its role.
    for n in nodes {
        let (status, body) = Api::new(n).get("/health").await?;
        expect(
            status == StatusCode::OK && body["role"] == json!(n.config.role),
            &format!("{} is up as {}", n.config.name, n.config.role),
            &mut checks,
        )?;
    }
    let counts = |role: NodeRole| nodes.iter().filter(|n| n.config.role == role).count();
    expect(
        counts(NodeRole::City) == 1
            && counts(NodeRole::Traeger) == 2
            && counts(NodeRole::Kita) == 4,
        "network has 1 city, 2 Träger and 4 Kita nodes",
        &mut checks,
    )?;

    // 2. A Kita lead sees her children, a child's guardians and contracts.
    let kitas: Vec<&RunningNode> = nodes
        .iter()
        .filter(|n| n.config.role == NodeRole::Kita)
        .collect();
    let kita = kitas[0];
    let other_kita = kitas[1];
    let mut lead = Api::new(kita);
    lead.login(
        &user_of(&kita.config.name)
            .ok_or_else(|| anyhow::anyhow!("no login for {}", kita.config.name))?,
        password,
    )
    .await?;
    let (status, list) = lead.get("/api/children").await?;
    let children = list["children"].as_array().cloned().unwrap_or_default();
    expect(
        status == StatusCode::OK && !children.is_empty(),
        &format!("Kita lead lists {} children", children.len()),
        &mut checks,
    )?;
    let child_id = children[0]["id"].as_str().unwrap_or_default().to_string();
    let (status, child) = lead.get(&format!("/api/children/{child_id}")).await?;
    expect(
        status == StatusCode::OK && !child["guardians"].as_array().is_none_or(|g| g.is_empty()),
        "child detail shows guardians",
        &mut checks,
    )?;

    // 3. Change the child's contract from the first of next month: one more line.
    let contract = child["contracts"]
        .as_array()
        .and_then(|c| c.last())
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("child {child_id} has no contract"))?;
    let contract_id = contract["id"].as_str().unwrap_or_default().to_string();
    let lines_before = contract["lines"].as_array().map_or(0, |l| l.len());
    let today = kita.node.clock.today();
    let next_month = {
        use chrono::{Datelike, Months};
        today.0.with_day(1).expect("day 1") + Months::new(1)
    };
    let care_type = contract["lines"]
        .as_array()
        .and_then(|l| l.last())
        .map(|l| l["care_type"].clone())
        .unwrap_or(json!("Kindergarten"));
    let care_type = match care_type.as_str() {
        Some("Nursery") => "nursery",
        Some("AfterSchool") => "after-school",
        _ => "kindergarten",
    };
    let (status, changed) = lead
        .call(
            reqwest::Method::POST,
            &format!("/api/contracts/{contract_id}/changes"),
            Some(json!({"valid_from": next_month.to_string(), "care_type": care_type, "daily_hours": 7.5, "payment_mode": "direct-debit"})),
        )
        .await?;
    let lines_after = changed["lines"].as_array().map_or(0, |l| l.len());
    expect(
        status == StatusCode::OK && lines_after >= lines_before && lines_after >= 1,
        &format!("contract changed from {next_month}: {lines_before} → {lines_after} lines"),
        &mut checks,
    )?;

    // 4. Bad input is refused with the field named, and nothing is written.
    let (status, bad) = lead
        .call(reqwest::Method::POST, &format!("/api/contracts/{contract_id}/changes"), Some(json!({"valid_from": "1999-01-01", "care_type": care_type, "daily_hours": 30, "payment_mode": "direct-debit"})))
        .await?;
    expect(
        status == StatusCode::UNPROCESSABLE_ENTITY
            && bad["fields"].to_string().contains("daily_hours"),
        "invalid contract change refused with the field named",
        &mut checks,
    )?;

    // 5. The Kita lead edits her facility profile; the history shows it.
    let facility = kita
        .config
        .facility
        .clone()
        .expect("kita node has a facility");
    let (_, detail) = lead.get(&format!("/api/facilities/{facility}")).await?;
    let mut profile = detail["profile"].clone();
    let new_hours = format!("6:00–17:30 (Smoke {})", kita.node.clock.now_millis());
    let input = json!({
        "name": profile["name"], "street": profile["address"]["street"], "postcode": profile["address"]["postcode"],
        "city": profile["address"]["city"], "district": profile["district"], "cost_centre": profile["cost_centre"],
        "opening_hours": new_hours, "concept": profile["concept"], "email": profile["email"], "phone": profile["phone"],
        "lead_name": profile["lead_name"],
    });
    let (status, _) = lead
        .call(
            reqwest::Method::PUT,
            &format!("/api/facilities/{facility}/profile"),
            Some(input.clone()),
        )
        .await?;
    expect(
        status == StatusCode::OK,
        "Kita lead saves the facility profile",
        &mut checks,
    )?;
    let (_, detail) = lead.get(&format!("/api/facilities/{facility}")).await?;
    profile = detail["profile"].clone();
    expect(
        profile["opening_hours"] == json!(new_hours)
            && detail["history"]
                .as_array()
                .is_some_and(|h| h.iter().any(|e| e["action"] == "facility.profile.update")),
        "new opening hours shown, edit in the history",
        &mut checks,
    )?;
    let mut broken = input.clone();
    broken["postcode"] = json!("12");
    let (status, body) = lead
        .call(
            reqwest::Method::PUT,
            &format!("/api/facilities/{facility}/profile"),
            Some(broken),
        )
        .await?;
    expect(
        status == StatusCode::UNPROCESSABLE_ENTITY
            && body["fields"].to_string().contains("address.postcode"),
        "five-digit postcode enforced",
        &mut checks,
    )?;

    // 6. Authorisation: another Kita's children, and the city's ZVS, are refused.
    let other_facility = other_kita.config.facility.clone().expect("facility");
    let (status, _) = lead
        .get(&format!("/api/children?facility={other_facility}"))
        .await?;
    expect(
        matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "a Kita lead cannot list another Kita's children",
        &mut checks,
    )?;
    let city = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::City)
        .expect("city node");
    let mut zvs = Api::new(city);
    zvs.login("zvs", password).await?;
    let (status, _) = zvs.get("/api/children").await?;
    expect(
        status == StatusCode::FORBIDDEN,
        "the ZVS sees no Kita's personal data",
        &mut checks,
    )?;
    let (status, dir) = zvs.get("/api/facilities").await?;
    expect(
        status == StatusCode::OK && dir["total"].as_u64() == Some(4),
        "the city's directory lists all 4 Kitas",
        &mut checks,
    )?;
    let (status, _) = Api::new(city).get("/api/facilities").await?;
    expect(
        status == StatusCode::UNAUTHORIZED,
        "the API refuses anonymous callers",
        &mut checks,
    )?;

    // 7. Partition and heal: the Kita goes offline; it and its Träger office both change the
    // same contract; after the heal every copy holds both changes.
    expect(
        sync.settle().await,
        "the network is in sync before the partition",
        &mut checks,
    )?;
    let traeger = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::Traeger && n.config.provider == kita.config.provider)
        .ok_or_else(|| anyhow::anyhow!("no Träger node for {}", kita.config.name))?;
    let mut office = Api::new(traeger);
    office
        .login(&user_of(&traeger.config.name).unwrap_or_default(), password)
        .await?;
    sync.go_offline(&kita.config.name).await;
    let month = |n: u32| {
        use chrono::{Datelike, Months};
        (today.0.with_day(1).expect("day 1") + Months::new(n)).to_string()
    };
    let change = |from: String, hours: &str| json!({"valid_from": from, "care_type": care_type, "daily_hours": hours, "payment_mode": "direct-debit"});
    let (s1, _) = lead
        .call(
            reqwest::Method::POST,
            &format!("/api/contracts/{contract_id}/changes"),
            Some(change(month(3), "6")),
        )
        .await?;
    let (s2, _) = office
        .call(
            reqwest::Method::POST,
            &format!("/api/contracts/{contract_id}/changes"),
            Some(change(month(5), "8")),
        )
        .await?;
    expect(
        s1 == StatusCode::OK && s2 == StatusCode::OK,
        "offline Kita and its Träger office both change the contract",
        &mut checks,
    )?;
    let mut other_lead = Api::new(other_kita);
    other_lead
        .login(
            &user_of(&other_kita.config.name).unwrap_or_default(),
            password,
        )
        .await?;
    let (application, handle) = reserve_twice(&lead, &other_lead, &zvs, &mut checks).await?;
    // The city changes data of the offline Kita too: its approved places from a month on.
    let places_path = format!("/api/facilities/{}/places", facility.0);
    let (s3, _) = zvs
        .call(
            reqwest::Method::POST,
            &places_path,
            Some(json!({"care_type": care_type, "places": "77", "valid_from": month(2)})),
        )
        .await?;
    let care_type_value = json!(kitanetz_crdt::kinds::CareType::parse(care_type));
    let places_from = |d: &Value| -> Vec<(String, u64)> {
        d["licence"]["care_types"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["care_type"] == care_type_value)
            .flat_map(|c| {
                c["places"]["changes"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|c| {
                (
                    c["valid_from"].as_str().unwrap_or("").to_string(),
                    c["value"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    };
    let facility_path = format!("/api/facilities/{}", facility.0);
    let (_, at_kita) = lead.get(&facility_path).await?;
    expect(
        s3 == StatusCode::OK && !places_from(&at_kita).contains(&(month(2), 77)),
        "the city changes the offline Kita's approved places; the Kita cannot see it yet",
        &mut checks,
    )?;
    sync.settle().await;
    let (_, status) = lead.get("/api/sync").await?;
    expect(
        status["online"] == json!(false) && status["pending_documents"].as_u64().unwrap_or(0) >= 1,
        "the offline Kita's sync status shows it offline with pending documents",
        &mut checks,
    )?;
    let starts = |c: &Value| -> Vec<String> {
        c["lines"]
            .as_array()
            .map(|l| {
                l.iter()
                    .map(|x| x["valid"]["start"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (_, at_office) = office.get(&format!("/api/contracts/{contract_id}")).await?;
    expect(
        !starts(&at_office).contains(&month(3)),
        "while offline the Träger office does not see the Kita's change",
        &mut checks,
    )?;
    sync.come_online(&kita.config.name).await?;
    expect(
        sync.settle().await,
        "the network converges after the heal",
        &mut checks,
    )?;
    let (_, at_office) = office.get(&format!("/api/contracts/{contract_id}")).await?;
    let (_, at_kita) = lead.get(&format!("/api/contracts/{contract_id}")).await?;
    expect(
        [&at_office, &at_kita]
            .iter()
            .all(|c| starts(c).contains(&month(3)) && starts(c).contains(&month(5))),
        "after the heal both copies hold both changes",
        &mut checks,
    )?;
    let (_, at_kita) = lead.get(&facility_path).await?;
    expect(
        places_from(&at_kita).contains(&(month(2), 77)),
        "after the heal the Kita has the city's new approved places",
        &mut checks,
    )?;
    settle_double_place(&application, &handle, &zvs, &lead, sync, &mut checks).await?;
    let (_, status) = lead.get("/api/sync").await?;
    expect(
        status["online"] == json!(true)
            && status["pending_documents"] == json!(0)
            && status["peers"]
                .as_array()
                .is_some_and(|p| p.len() == 6 && p.iter().all(|x| x["connected"] == json!(true))),
        "after the heal the Kita is connected to all 6 peers, nothing pending",
        &mut checks,
    )?;
    decline_moves_on(&lead, &zvs, sync, &mut checks).await?;
    contract_places_the_child(&lead, &zvs, sync, &mut checks).await?;
    round_journey(&lead, &zvs, sync, &mut checks).await?;
    // The round journey ends as soon as the city shows the offer; what the city wrote for it
    // may still be on its way to the Kita: let it arrive before comparing heads.
    let _ = sync.settle().await;
    let mut heads: std::collections::BTreeMap<String, Vec<Vec<String>>> = Default::default();
    for n in nodes {
        for row in n.node.store().doc_rows()? {
            heads.entry(row.doc_id).or_default().push(row.heads);
        }
    }
    let diverged = heads
        .iter()
        .filter(|(_, h)| h.windows(2).any(|w| w[0] != w[1]))
        .count();
    expect(
        diverged == 0,
        &format!(
            "identical heads for all {} documents held more than once",
            heads.values().filter(|h| h.len() > 1).count()
        ),
        &mut checks,
    )?;

    // 8. The Beitragsstelle of a Träger decides a family's fee and bills it by direct debit.
    let traeger = nodes
        .iter()
        .find(|n| n.config.role == NodeRole::Traeger)
        .ok_or_else(|| anyhow::anyhow!("no Träger node"))?;
    fee_journey(traeger, password, &mut checks).await?;

    // 9. Data minimisation: no node holds a document its membership forbids.
    for n in nodes {
        let store = n.node.store();
        let membership = store.membership().clone();
        let mut held = 0;
        for row in store.doc_rows()? {
            let doc = store.load_doc(&kitanetz_crdt::DocId(row.doc_id.clone()))?;
            anyhow::ensure!(
                may_hold(&membership, &doc.meta),
                "{} holds {} ({}) that it may not hold",
                n.config.name,
                row.doc_id,
                row.visibility
            );
            held += 1;
        }
        checks.push(format!(
            "{} holds {held} documents, all allowed",
            n.config.name
        ));
    }
    Ok(SmokeReport { checks })
}

/// A family of the Träger from its contract to a decision and a direct debit: mandate, decision
/// from the current month, the Soll-Stellung of the month after, the pain.008 file.
async fn fee_journey(
    traeger: &RunningNode,
    password: &str,
    checks: &mut Vec<String>,
) -> anyhow::Result<()> {
    let mut clerk = Api::new(traeger);
    clerk
        .login(
            &super::seed::fee_office_login(&traeger.config.name),
            password,
        )
        .await?;
    let (status, rows) = clerk.get("/api/fees").await?;
    let row = rows.as_array().and_then(|rows| {
        rows.iter().find(|r| {
            r["state"] == "no-decision" && r["computed"].as_str().is_some_and(|m| m != "0.00")
        })
    });
    expect(
        status == StatusCode::OK && row.is_some(),
        "fees: the Beitragsstelle lists families with a fee to decide",
        checks,
    )?;
    let family = row
        .and_then(|r| r["family"].as_str())
        .unwrap_or_default()
        .to_string();
    let (_, view) = clerk.get(&format!("/api/fees/families/{family}")).await?;
    let payer = view["guardians"][0]["id"].clone();
    let from = view["default_from"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (status, _) = clerk
        .call(
            reqwest::Method::PUT,
            &format!("/api/fees/families/{family}/payment"),
            Some(json!({"payer": payer, "mandate": {"holder": "Demo Zahler", "iban": "DE89370400440532013000",
                "reference": "DEMO-1", "signed_on": "2025-01-02"}})),
        )
        .await?;
    expect(
        status == StatusCode::OK,
        "fees: SEPA mandate entered",
        checks,
    )?;
    let (status, decision) = clerk
        .call(
            reqwest::Method::POST,
            &format!("/api/fees/families/{family}/decisions"),
            Some(json!({"from": from})),
        )
        .await?;
    expect(
        status == StatusCode::OK,
        &format!(
            "fees: decision {} issued from {from}",
            decision["number"].as_str().unwrap_or("?")
        ),
        checks,
    )?;
    let next = kitanetz_fees::Month::parse(&from)
        .map(|m| m.next().to_string())
        .unwrap_or_default();
    let (status, run) = clerk
        .call(
            reqwest::Method::POST,
            "/api/fees/billing/runs",
            Some(json!({"month": next})),
        )
        .await?;
    let run_id = run["run"]["id"].as_i64().unwrap_or_default();
    expect(
        status == StatusCode::OK && run["run"]["positions"].as_i64().unwrap_or(0) > 0,
        &format!(
            "fees: Soll-Stellung {next}: {} positions, {} €",
            run["run"]["positions"],
            run["run"]["total"].as_str().unwrap_or("?")
        ),
        checks,
    )?;
    let (status, file) = clerk
        .get(&format!("/fees/billing/{run_id}/pain.008.xml"))
        .await?;
    expect(
        status == StatusCode::OK
            && file
                .as_str()
                .is_some_and(|x| x.contains("DE89370400440532013000")),
        "fees: SEPA direct-debit file (pain.008) written",
        checks,
    )
}

/// The first month of `view` (the `/api/seats` answer) with a free seat of `care_type`.
fn free_month(view: &Value, care_type: &Value) -> Option<String> {
    view["ledger"]["months"].as_array()?.iter().find_map(|m| {
        let held = m["reservations"].as_array().map_or(0, |r| {
            r.iter().filter(|x| x["status"] != json!("Free")).count()
        });
        let free = m["places"].as_u64()? as usize > m["occupied"].as_u64()? as usize + held;
        (m["care_type"] == *care_type && free).then(|| m["month"].as_str().map(str::to_string))?
    })
}

/// While `lead`'s Kita is offline, both Kitas reserve a seat for the same application (one that
/// names both and fits a free month in each). Each Kita knows it only by its own handle; the ZVS
/// tells which handles belong to one application. Returns the application and `lead`'s handle.
async fn reserve_twice(
    lead: &Api,
    other_lead: &Api,
    zvs: &Api,
    checks: &mut Vec<String>,
) -> anyhow::Result<(String, String)> {
    let (_, here) = lead.get("/api/seats").await?;
    let (_, there) = other_lead.get("/api/seats").await?;
    let open = |view: &Value| -> Vec<Value> {
        view["wishes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|w| {
                // Open at the Kita: under review, or on its waitlist (the lead may take a child
                // from there when a seat frees up).
                w["hold"].is_null()
                    && (w["status"] == json!("requested") || w["status"] == json!("waiting"))
            })
            .cloned()
            .collect()
    };
    let application_of = |handle: String| async move {
        let (status, found) = zvs.get(&format!("/api/wishes/{handle}")).await?;
        anyhow::ensure!(status == StatusCode::OK, "the ZVS finds wish {handle}");
        Ok::<String, anyhow::Error>(found["application"].as_str().unwrap_or("").to_string())
    };
    let mut theirs: std::collections::HashMap<String, Value> = Default::default();
    for w in open(&there) {
        let handle = w["handle"].as_str().unwrap_or("").to_string();
        theirs.insert(application_of(handle).await?, w);
    }
    let mut candidate = None;
    for w in open(&here) {
        let handle = w["handle"].as_str().unwrap_or("").to_string();
        let application = application_of(handle.clone()).await?;
        let Some(twin) = theirs.get(&application) else {
            continue;
        };
        if let (Some(month_here), Some(month_there)) = (
            free_month(&here, &w["care_type"]),
            free_month(&there, &twin["care_type"]),
        ) {
            let handle_there = twin["handle"].as_str().unwrap_or("").to_string();
            candidate = Some((application, handle, month_here, handle_there, month_there));
            break;
        }
    }
    let Some((application, handle, month_here, handle_there, month_there)) = candidate else {
        anyhow::bail!("no application names both demo Kitas with free seats");
    };
    let body = |wish: &str, month: &str| Some(json!({"wish": wish, "month": month}));
    let (s1, _) = lead
        .call(
            reqwest::Method::POST,
            "/api/seats/reservations",
            body(&handle, &month_here),
        )
        .await?;
    let (s2, _) = other_lead
        .call(
            reqwest::Method::POST,
            "/api/seats/reservations",
            body(&handle_there, &month_there),
        )
        .await?;
    expect(
        s1 == StatusCode::OK && s2 == StatusCode::OK && handle != handle_there,
        "the offline Kita and another Kita both reserve a seat for one application, each under its own handle",
        checks,
    )?;
    Ok((application, handle))
}

/// After the heal: the ZVS sees the double place, decides for the other Kita, the offline
/// Kita's lead gets the task and releases; then no conflict is left anywhere.
/// The sequential procedure in the running network: the Kita lead declines a wish under review
/// with a reason; the city, woken by the ledger's arrival, moves the application on, and the
/// wish is "declined" at the city too.
async fn decline_moves_on(
    lead: &Api,
    zvs: &Api,
    sync: &super::DemoSync,
    checks: &mut Vec<String>,
) -> anyhow::Result<()> {
    let (_, seats) = lead.get("/api/seats").await?;
    let handle = seats["wishes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["status"] == json!("requested") && w["hold"].is_null())
        .and_then(|w| w["handle"].as_str())
        .map(str::to_string);
    let Some(handle) = handle else {
        anyhow::bail!("smoke check failed: the Kita has a wish under review");
    };
    let (status, _) = lead
        .call(
            reqwest::Method::POST,
            "/api/seats/declines",
            Some(json!({"wish": handle, "reason": "concept"})),
        )
        .await?;
    anyhow::ensure!(status == StatusCode::OK, "decline answered {status}");
    let mut at_city = Value::Null;
    for _ in 0..50 {
        sync.settle().await;
        (_, at_city) = zvs.get(&format!("/api/wishes/{handle}")).await?;
        if at_city["status"] == json!("declined") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    sync.settle().await;
    expect(
        at_city["status"] == json!("declined"),
        "a Kita declines a wish under review; the city moves the application on",
        checks,
    )
}

/// Reservation to contract in the running network (Lastenheft 3.6.5–3.6.7): the Kita lead
/// reserves a seat for an open wish; the city, woken by the ledger, issues the parents' data to
/// that Kita; the lead concludes the contract from it; the city places the child and the wish
/// is "placed" at the Kita. One line `journey: … ok` names the steps.
async fn contract_places_the_child(
    lead: &Api,
    zvs: &Api,
    sync: &super::DemoSync,
    checks: &mut Vec<String>,
) -> anyhow::Result<()> {
    let (_, seats) = lead.get("/api/seats").await?;
    let candidate = seats["wishes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|w| {
            w["hold"].is_null()
                && (w["status"] == json!("requested") || w["status"] == json!("waiting"))
        })
        .find_map(|w| {
            Some((
                w["handle"].as_str()?.to_string(),
                free_month(&seats, &w["care_type"])?,
            ))
        });
    let Some((handle, month)) = candidate else {
        anyhow::bail!("smoke check failed: the Kita has an open wish and a free seat for it");
    };
    let mut steps = vec!["reserve"];
    let (status, _) = lead
        .call(
            reqwest::Method::POST,
            "/api/seats/reservations",
            Some(json!({"wish": handle, "month": month})),
        )
        .await?;
    anyhow::ensure!(status == StatusCode::OK, "reservation answered {status}");
    let mut draft = Value::Null;
    for _ in 0..50 {
        sync.settle().await;
        (_, draft) = lead
            .get(&format!("/api/seats/contract?wish={handle}"))
            .await?;
        if draft["shared"] == json!(true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    expect(
        draft["shared"] == json!(true)
            && draft["input"]["child_given_name"]
                .as_str()
                .is_some_and(|n| !n.is_empty()),
        "the city issues the parents' data to the Kita that reserved",
        checks,
    )?;
    steps.push("parents' data at the Kita");
    let (status, concluded) = lead
        .call(
            reqwest::Method::POST,
            "/api/seats/contracts",
            Some(draft["input"].clone()),
        )
        .await?;
    anyhow::ensure!(
        status == StatusCode::OK,
        "contract answered {status}: {concluded}"
    );
    steps.push("contract");
    let mut at_city = Value::Null;
    for _ in 0..50 {
        sync.settle().await;
        (_, at_city) = zvs.get(&format!("/api/wishes/{handle}")).await?;
        if at_city["status"] == json!("placed") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    sync.settle().await;
    anyhow::ensure!(
        at_city["status"] == json!("placed"),
        "smoke check failed: journey: {} ok, then the city did not place the child ({at_city})",
        steps.join(" → ")
    );
    steps.push("placed at the city");
    let (_, draft_after) = lead
        .get(&format!("/api/seats/contract?wish={handle}"))
        .await?;
    anyhow::ensure!(
        draft_after["shared"].is_null(),
        "smoke check failed: after the contract the wish is closed at the Kita"
    );
    steps.push("closed at the Kita");
    expect(true, &format!("journey: {} ok", steps.join(" → ")), checks)
}

/// A coordinated placement round in the running network (#9 item 5): the ZVS starts it over the
/// next twelve months of desired starts, the proposal reaches the Kita as a wish under its own
/// handle, the Kita confirms it by reserving the seat, and at the city the confirmation becomes
/// an offer to the parents. One line `round journey: … ok`. (The parents' answer is the
/// integration test's: the demo's applicants have no portal account.)
async fn round_journey(
    lead: &Api,
    zvs: &Api,
    sync: &super::DemoSync,
    checks: &mut Vec<String>,
) -> anyhow::Result<()> {
    let today = chrono::Local::now().date_naive();
    let from = today + chrono::Months::new(1);
    let (status, started) = zvs
        .call(
            reqwest::Method::POST,
            "/api/rounds",
            Some(json!({
                "from": from.format("%Y-%m").to_string(),
                "to": (from + chrono::Months::new(11)).format("%Y-%m").to_string(),
            })),
        )
        .await?;
    anyhow::ensure!(
        status == StatusCode::OK,
        "starting a round answered {status}: {started}"
    );
    let round = started["round"].as_i64().unwrap_or(0);
    let mut steps = vec![format!(
        "round {round} ({} children, {} proposals)",
        started["children"], started["proposed"]
    )];
    let (_, view) = zvs.get(&format!("/api/rounds/{round}")).await?;
    expect(
        view["stable"] == json!(true),
        "the round's matching is certified stable",
        checks,
    )?;
    let mut proposed = None;
    for _ in 0..50 {
        sync.settle().await;
        let (_, seats) = lead.get("/api/seats").await?;
        proposed = seats["wishes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|w| w["status"] == json!("proposed") && w["hold"].is_null())
            .and_then(|w| {
                Some((
                    w["handle"].as_str()?.to_string(),
                    w["desired_start"].as_str()?.get(..7)?.to_string(),
                ))
            });
        if proposed.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let Some((handle, month)) = proposed else {
        // The engine proposed no child to this Kita (its seats went to children who rank it
        // higher elsewhere, or it has none free): the round itself is checked.
        return expect(
            true,
            &format!(
                "round journey: {} ok (none for this Kita)",
                steps.join(" → ")
            ),
            checks,
        );
    };
    steps.push("proposal at the Kita".into());
    let (status, answer) = lead
        .call(
            reqwest::Method::POST,
            "/api/seats/reservations",
            Some(json!({"wish": handle, "month": format!("{month}-01")})),
        )
        .await?;
    anyhow::ensure!(
        status == StatusCode::OK,
        "confirming the proposal answered {status}: {answer}"
    );
    steps.push("confirmed".into());
    let mut at_city = Value::Null;
    for _ in 0..50 {
        sync.settle().await;
        (_, at_city) = zvs.get(&format!("/api/wishes/{handle}")).await?;
        if at_city["status"] == json!("offered") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::ensure!(
        at_city["status"] == json!("offered"),
        "smoke check failed: round journey: {} ok, then the city made no offer ({at_city})",
        steps.join(" → ")
    );
    steps.push("offer to the parents".into());
    expect(
        true,
        &format!("round journey: {} ok", steps.join(" → ")),
        checks,
    )
}

async fn settle_double_place(
    application: &str,
    handle: &str,
    zvs: &Api,
    lead: &Api,
    sync: &super::DemoSync,
    checks: &mut Vec<String>,
) -> anyhow::Result<()> {
    let (_, conflicts) = zvs.get("/api/conflicts").await?;
    let double = conflicts["double_places"]
        .as_array()
        .and_then(|d| d.iter().find(|c| c["application"] == json!(application)))
        .cloned()
        .unwrap_or_default();
    expect(
        double["holds"].as_array().is_some_and(|h| h.len() == 2),
        "the city lists the application held by two Kitas, both holds kept",
        checks,
    )?;
    let (_, me) = lead.get("/api/me").await?;
    let keeper = double["holds"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| h["facility"].clone())
        .find(|f| *f != me["facility"])
        .unwrap_or_default();
    let (status, _) = zvs
        .call(
            reqwest::Method::POST,
            "/api/conflicts/decisions",
            Some(json!({"application": application, "keeper": keeper, "note": "demo"})),
        )
        .await?;
    sync.settle().await;
    let (_, tasks) = lead.get("/api/conflicts").await?;
    expect(
        status == StatusCode::OK
            && tasks["release_tasks"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x["handle"] == json!(handle))),
        "the ZVS decides for the other Kita; the decision reaches the Kita as a task",
        checks,
    )?;
    let (status, _) = lead
        .call(
            reqwest::Method::POST,
            "/api/seats/releases",
            Some(json!({"wish": handle})),
        )
        .await?;
    sync.settle().await;
    let (_, after) = zvs.get("/api/conflicts").await?;
    let (_, tasks) = lead.get("/api/conflicts").await?;
    expect(
        status == StatusCode::OK
            && after["double_places"].as_array().is_some_and(Vec::is_empty)
            && tasks["release_tasks"].as_array().is_some_and(Vec::is_empty),
        "the Kita releases its seat; no conflict is left at the city or the Kita",
        checks,
    )
}
