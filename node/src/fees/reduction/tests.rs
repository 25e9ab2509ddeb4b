use super::*;
use crate::auth::{Caller, Role};
use crate::clock::Now;
use crate::fees::compute::{by_month, compute};
use crate::fees::decisions::Issuer;
use crate::fees::testing::family;
use crate::storage::{Durability, Store};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{provider_org, ProviderId};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::policy::{Membership, NodeRole};

fn now() -> Now {
    Now {
        today: Date::ymd(2026, 1, 15),
        millis: 1,
    }
}

/// One parent with 1500 € net wages and one child; 400 € rent (cap 402 € for two persons):
/// limit 728 + 255 + 400 = 1383 €, 117 € above it; with 50 % the reasonable burden is 58.50 €.
fn input(from: &str, until: &str) -> ReductionInput {
    ReductionInput {
        applied_on: "2025-09-20".into(),
        from: from.into(),
        until: until.into(),
        members: vec![
            MemberInput {
                id: "m1".into(),
                name: "Anna Beispiel".into(),
                relation: "parent".into(),
            },
            MemberInput {
                id: "m2".into(),
                name: "Ben Beispiel".into(),
                relation: "child".into(),
            },
        ],
        incomes: vec![IncomeInput {
            member: "m1".into(),
            kind: "employee".into(),
            amount: "1500,00".into(),
            sheet: None,
        }],
        housing_cost: "400".into(),
        ..ReductionInput::default()
    }
}

fn granted(number: &str, input: &ReductionInput, granted: bool) -> ReductionApplication {
    let filled = fill(input).unwrap();
    let first = |m: Month| Date::ymd(m.year(), m.month(), 1);
    ReductionApplication {
        number: number.into(),
        applied_on: filled.applied_on,
        from: first(filled.from),
        until: first(filled.until),
        input: serde_json::to_string(input).unwrap(),
        entered_by: "user:test".into(),
        entered_on: now().today,
        decided: Some(ReductionDecided {
            granted,
            on: now().today,
            by: "user:test".into(),
            reason: String::new(),
            setting_from: Some(Date::ymd(2025, 1, 1)),
            reasonable_share_percent: granted.then(|| Dec(Decimal::from(50))),
            allocation: "rank_order".into(),
            above_regular_time: "fee_difference".into(),
            decision: None,
            withdrawn_on: None,
            refusal: None,
            provisional: false,
        }),
        declaration: None,
        declaration_revision: 0,
    }
}

fn fees_by_month(fees: &FamilyFees) -> Vec<(String, String, Vec<String>)> {
    let computed = compute(fees, now().today).unwrap();
    by_month(&computed)
        .into_iter()
        .map(|(m, rows)| {
            (
                m.to_string(),
                rows[0].fee.unwrap().to_string(),
                rows[0].explanation.clone(),
            )
        })
        .collect()
}

#[test]
fn a_grant_lowers_the_fee_of_its_months_only_and_names_section_90() {
    let mut fees = family();
    let before = fees_by_month(&fees);
    fees.fee_case
        .reductions
        .push(granted("123456-E1", &input("2025-10", "2026-01"), true));
    let after = fees_by_month(&fees);
    assert_eq!(before.len(), after.len());
    for ((month, was, _), (m, now, explanation)) in before.iter().zip(&after) {
        assert_eq!(month, m);
        if ("2025-10".."2026-02").contains(&month.as_str()) {
            assert_eq!(was, "189.36");
            assert_eq!(now, "58.50", "{month}");
            assert!(
                explanation
                    .iter()
                    .any(|e| e.contains("§ 90 Abs. 4 SGB VIII") && e.contains("123456-E1")),
                "{explanation:?}"
            );
        } else {
            assert_eq!(was, now, "{month} outside the grant");
            assert!(!explanation.iter().any(|e| e.contains("§ 90")));
        }
    }
}

#[test]
fn a_refused_application_changes_nothing() {
    let mut fees = family();
    let before = fees_by_month(&fees);
    fees.fee_case
        .reductions
        .push(granted("123456-E1", &input("2025-10", "2026-01"), false));
    assert_eq!(fees_by_month(&fees), before);
}

#[test]
fn the_case_with_the_grant_reproduces_the_amounts_with_the_cli_format() {
    let mut fees = family();
    fees.fee_case
        .reductions
        .push(granted("123456-E1", &input("2025-10", "2026-01"), true));
    let computed = compute(&fees, now().today).unwrap();
    assert!(computed.case["waiver"].is_object());
    // What `kitanetz fees compute --case` prints for the downloaded case.
    let output = kitanetz_fees::case_output(&computed.case.to_string());
    let result: Value = output.json;
    for (month, rows) in by_month(&computed) {
        let fee = &result["months"][month.to_string()]["children"]["ctr-a"]["fee"];
        assert_eq!(fee, &json!(rows[0].fee.unwrap().to_string()), "{month}");
    }
    assert_eq!(result["waiver_form"]["reasonable_burden"], "58.50");
}

#[test]
fn two_grants_each_rule_their_own_months() {
    let mut fees = family();
    fees.fee_case
        .reductions
        .push(granted("123456-E1", &input("2025-10", "2025-11"), true));
    let mut higher = input("2026-01", "2026-02");
    higher.incomes[0].amount = "1400".into(); // 17 € above the limit: 8.50 €
    fees.fee_case
        .reductions
        .push(granted("123456-E2", &higher, true));
    let fees: Vec<(String, String)> = fees_by_month(&fees)
        .into_iter()
        .map(|(m, f, _)| (m, f))
        .collect();
    let fee = |m: &str| fees.iter().find(|(x, _)| x == m).unwrap().1.clone();
    assert_eq!(fee("2025-09"), "189.36");
    assert_eq!(fee("2025-10"), "58.50");
    assert_eq!(fee("2025-11"), "58.50");
    assert_eq!(fee("2025-12"), "189.36");
    assert_eq!(fee("2026-01"), "8.50");
    // March: 6 h (126.24 €), R at 6 h: 8.50 € as well.
    assert_eq!(fee("2026-02"), "8.50");
    assert_eq!(fee("2026-03"), "126.24");
}

#[test]
fn the_self_employed_sheet_and_the_riester_sheet_fill_the_form() {
    let mut i = input("2025-10", "2026-01");
    i.incomes = vec![IncomeInput {
        member: "m1".into(),
        kind: "self_employed".into(),
        amount: String::new(),
        sheet: Some(SelfEmployedInput {
            profit: "24000".into(),
            depreciation: "1200".into(),
            investments: "600".into(),
            income_tax: "2400".into(),
            health_insurance: "3000".into(),
            ..SelfEmployedInput::default()
        }),
    }];
    i.pensions = vec![PensionInput {
        member: "m1".into(),
        contribution: "40".into(),
        prior_year_gross: "20000".into(),
        further_allowances: vec!["185".into()],
        ..PensionInput::default()
    }];
    let filled = fill(&i).unwrap();
    // (24000 + 1200 − 600 − 2400 − 3000) / 12 = 1600.00
    assert_eq!(filled.block["income"]["mother_net"], "1600.00");
    assert!(
        filled.sheets[0].contains("1600.00 € monatlich"),
        "{:?}",
        filled.sheets
    );
    assert_eq!(
        filled.block["deductions"]["pension_mother"]["minimum_sheet"]["prior_year_gross"],
        "20000.00"
    );
    assert_eq!(filled.block["limit"]["family_supplements"], 1);
}

#[test]
fn bad_lines_are_field_errors() {
    let mut i = input("2026-03", "2026-01");
    i.incomes[0].amount = "-5".into();
    i.incomes.push(IncomeInput {
        member: "m9".into(),
        kind: "other".into(),
        amount: "10".into(),
        sheet: None,
    });
    let fields: Vec<String> = fill(&i)
        .unwrap_err()
        .errors
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert!(fields.contains(&"until".to_string()), "{fields:?}");
    assert!(
        fields.contains(&"incomes[0].amount".to_string()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"incomes[1].member".to_string()),
        "{fields:?}"
    );
    let long = input("2026-01", "2027-01");
    assert_eq!(fill(&long).unwrap_err().errors[0].field, "until");
}

#[test]
fn the_watch_list_shows_a_grant_ending_soon_and_an_expired_one_with_care() {
    let mut fees = family();
    fees.fee_case
        .reductions
        .push(granted("123456-E1", &input("2025-10", "2026-02"), true));
    let rows = watch_rows(&fees, now().today);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, "ending");
    assert_eq!(rows[0].until, "2026-02");
    assert_eq!(rows[0].family.0, "fam-a");
    // In April it has expired; the open-ended contract goes on.
    let rows = watch_rows(&fees, Date::ymd(2026, 4, 2));
    assert_eq!(rows[0].state, "expired");
    // Far ahead of its end: not on the list; a refused one never is.
    assert!(watch_rows(&fees, Date::ymd(2025, 10, 2)).is_empty());
    fees.fee_case.reductions[0]
        .decided
        .as_mut()
        .unwrap()
        .granted = false;
    assert!(watch_rows(&fees, now().today).is_empty());
}

// ---- through the store: authorisation, audit, nothing stored on a field error ----

const PROVIDER: &str = "prov-a";

fn clerk() -> Principal {
    Principal::Staff(Caller {
        user_id: 1,
        username: "beitrag".into(),
        display_name: "Frau Beitrag".into(),
        role: Role::FeeOffice,
        organisation: provider_org(&ProviderId(PROVIDER.into())),
        provider: Some(ProviderId(PROVIDER.into())),
        facility: None,
        childminder: None,
    })
}

fn store_with_family(dir: &tempfile::TempDir) -> Store {
    let provider = ProviderId(PROVIDER.into());
    let mut store = Store::open(
        &dir.path().join("traeger.db"),
        Durability::Normal,
        "traeger",
        Membership {
            role: NodeRole::Traeger,
            organisation: provider_org(&provider),
            provider: Some(provider.clone()),
            facility: None,
        },
    )
    .unwrap();
    let mut fees = family();
    // Stored ids must parse (the fixture's guardian id is a short one).
    fees.family.guardians[0].id = kitanetz_crdt::ids::GuardianId("grd-a".into());
    for l in &mut fees.contracts[0].lines {
        l.id = kitanetz_crdt::ids::ContractLineId(format!("line-{}", l.id.0));
    }
    let meta = |kind: DocKind| DocMeta {
        kind,
        schema: 1,
        owner: provider_org(&provider),
        provider: Some(provider.clone()),
        facilities: vec![fees.contracts[0].facility.clone()],
        origin_node: "traeger".into(),
        created_on: Date::ymd(2025, 1, 1),
    };
    let mut docs = vec![StoredDoc::create(
        crate::families::family_doc_id(&fees.family.id),
        meta(DocKind::Family),
        &fees.family,
        store.actor(),
        now().today,
        1,
    )
    .unwrap()];
    for c in &fees.contracts {
        docs.push(
            StoredDoc::create(
                crate::contracts::contract_doc_id(&c.id),
                meta(DocKind::CareContract),
                c,
                store.actor(),
                now().today,
                1,
            )
            .unwrap(),
        );
    }
    let mut refs: Vec<&mut StoredDoc> = docs.iter_mut().collect();
    let entry = AuditEntry {
        at: 1,
        actor: "user:test".into(),
        action: "test",
        target: None,
        subjects: vec![],
        valid_from: None,
    };
    store.save_docs(&mut refs, &entry).unwrap();
    store
}

fn issuer() -> Issuer {
    Issuer {
        fees: crate::config::FeesSection::default(),
        display_name: "Kita-Träger e. V.".into(),
        clerk: "Frau Beitrag".into(),
    }
}

fn audit_actions(store: &Store) -> Vec<String> {
    let mut stmt = store
        .conn()
        .prepare("SELECT action FROM audit_log ORDER BY seq")
        .unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn invalid_input_stores_nothing_and_a_grant_issues_the_reduction_decision() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_family(&dir);
    let family_id = FamilyId("fam-a".into());
    let mut bad = input("2025-10", "2026-01");
    bad.incomes[0].member = "nobody".into();
    let err = enter(&mut store, &clerk(), &family_id, &bad, now()).unwrap_err();
    assert!(matches!(err, ActionError::Invalid(_)), "{err:?}");
    assert!(store
        .find::<kitanetz_crdt::kinds::FeeCase>(&crate::fees::fee_case_doc_id(&family_id))
        .unwrap()
        .is_none());

    let app = enter(
        &mut store,
        &clerk(),
        &family_id,
        &input("2025-10", "2026-01"),
        now(),
    )
    .unwrap();
    assert_eq!(app.number, "123456-E1");
    // Without a setting nothing is granted.
    let grant = DecideInput {
        decision: "grant".into(),
        reason: String::new(),
        provisional: String::new(),
    };
    let err = decide(
        &mut store,
        &clerk(),
        &family_id,
        &app.number,
        &grant,
        &issuer(),
        now(),
    )
    .unwrap_err();
    assert!(matches!(err, ActionError::Conflict(_)), "{err:?}");
    set_setting(
        &mut store,
        &clerk(),
        &SettingInput {
            valid_from: "2025-01-01".into(),
            reasonable_share_percent: "50".into(),
            allocation: "rank_order".into(),
            above_regular_time: "fee_difference".into(),
        },
        now(),
    )
    .unwrap();
    let views = applications(&store, &clerk(), &family_id).unwrap();
    assert_eq!(views[0].state, "open");
    assert!(views[0]
        .lines
        .iter()
        .any(|(n, a, _)| n == "reasonable_burden" && a == "58.50"));
    let decided = decide(
        &mut store,
        &clerk(),
        &family_id,
        &app.number,
        &grant,
        &issuer(),
        now(),
    )
    .unwrap();
    let issued = decided.decision.expect("a decision");
    let letter: kitanetz_letters::decision::Decision =
        serde_json::from_str(&issued.content).unwrap();
    assert_eq!(
        letter.kind,
        kitanetz_letters::decision::DecisionKind::Reduction
    );
    let g = letter.grant.expect("the grant's dates");
    assert_eq!(g.valid_until.to_string(), "2026-01-31");
    assert_eq!(letter.children[0].months[1].amount.to_string(), "58.50");
    // The fee case holds the grant with the share it was computed with, and its decision.
    let fees = crate::fees::load_family(&store, &family_id).unwrap();
    let d = fees.fee_case.reductions[0].in_force().expect("granted");
    assert_eq!(d.reasonable_share_percent, Some(Dec(Decimal::from(50))));
    assert_eq!(d.decision.as_deref(), Some(issued.number.as_str()));
    let actions = audit_actions(&store);
    assert!(
        actions.ends_with(&[
            "fees.reduction.enter".to_string(),
            "fees.reduction.setting".to_string(),
            "fees.reduction.grant".to_string(),
        ]),
        "{actions:?}"
    );
    // Decided once.
    assert!(decide(
        &mut store,
        &clerk(),
        &family_id,
        &app.number,
        &grant,
        &issuer(),
        now()
    )
    .is_err());
    // The application's case reproduces the form's months.
    let (_, case) = case_of_application(&store, &clerk(), &family_id, &app.number).unwrap();
    let output = kitanetz_fees::case_output(&case.to_string());
    let result: Value = output.json;
    assert_eq!(
        result["months"]["2025-11"]["children"]["ctr-a"]["fee"],
        "58.50"
    );
}

#[test]
fn revoking_a_grants_decision_withdraws_the_grant_from_the_next_month() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_family(&dir);
    let family_id = FamilyId("fam-a".into());
    set_setting(
        &mut store,
        &clerk(),
        &SettingInput {
            valid_from: "2025-01-01".into(),
            reasonable_share_percent: "50".into(),
            allocation: "rank_order".into(),
            above_regular_time: "fee_difference".into(),
        },
        now(),
    )
    .unwrap();
    let app = enter(
        &mut store,
        &clerk(),
        &family_id,
        &input("2025-12", "2026-02"),
        now(),
    )
    .unwrap();
    let decided = decide(
        &mut store,
        &clerk(),
        &family_id,
        &app.number,
        &DecideInput {
            decision: "grant".into(),
            reason: String::new(),
            provisional: String::new(),
        },
        &issuer(),
        now(),
    )
    .unwrap();
    let decision = decided.decision.unwrap().number;
    assert_eq!(
        watch_list(&store, &clerk(), now().today).unwrap().len(),
        1,
        "ends in February"
    );

    // Revoked on 15 January: January still has the reduction (the 1st rules the month),
    // February is computed without it and says why.
    crate::fees::decisions::mark(
        &mut store,
        &clerk(),
        &family_id,
        &decision,
        crate::fees::decisions::Mark::Revoked,
        now(),
    )
    .unwrap();
    let fees = crate::fees::load_family(&store, &family_id).unwrap();
    let d = fees.fee_case.reductions[0].decided.as_ref().unwrap();
    assert_eq!(d.withdrawn_on, Some(now().today));
    assert!(fees.fee_case.reductions[0].in_force().is_none());
    let months = fees_by_month(&fees);
    let month = |m: &str| months.iter().find(|(x, _, _)| x == m).unwrap().clone();
    assert_eq!(month("2025-12").1, "58.50");
    assert_eq!(month("2026-01").1, "58.50");
    let (_, february, explanation) = month("2026-02");
    assert_eq!(february, "189.36");
    assert!(
        explanation.iter().any(|e| e.contains("widerrufen")
            && e.contains(&app.number)
            && e.contains(&format!("Bescheid {decision} aufgehoben"))
            && e.contains("ab 02/2026 ohne Ermäßigung")),
        "{explanation:?}"
    );
    assert!(watch_list(&store, &clerk(), now().today)
        .unwrap()
        .is_empty());
    let views = applications(&store, &clerk(), &family_id).unwrap();
    assert_eq!(views[0].state, "withdrawn");
    assert!(audit_actions(&store).ends_with(&["fees.decision.revoke".to_string()]));
}

#[test]
fn a_refusal_issues_the_ablehnungsbescheid_as_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_family(&dir);
    let family_id = FamilyId("fam-a".into());
    let app = enter(
        &mut store,
        &clerk(),
        &family_id,
        &input("2025-10", "2026-01"),
        now(),
    )
    .unwrap();
    // A refusal states its reason.
    let no_reason = DecideInput {
        decision: "refuse".into(),
        reason: " ".into(),
        provisional: String::new(),
    };
    assert!(matches!(
        decide(
            &mut store,
            &clerk(),
            &family_id,
            &app.number,
            &no_reason,
            &issuer(),
            now()
        ),
        Err(ActionError::Invalid(_))
    ));
    let refuse = DecideInput {
        decision: "refuse".into(),
        reason: "Das Einkommen übersteigt die Einkommensgrenze um 117,00 € monatlich; der volle Beitrag ist zumutbar.".into(),
        provisional: String::new(),
    };
    let decided = decide(
        &mut store,
        &clerk(),
        &family_id,
        &app.number,
        &refuse,
        &issuer(),
        now(),
    )
    .unwrap();
    assert!(decided.decision.is_none(), "no fee decision: the fees stay");
    let (refusal, copies) = refusal_letter(&store, &clerk(), &family_id, &app.number).unwrap();
    assert_eq!(copies, [kitanetz_letters::decision::LetterCopy::Payer]);
    assert_eq!(refusal.application, "123456-E1");
    assert_eq!(refusal.children, ["Ben Beispiel, geboren am 20.05.2023"]);
    let pdf = kitanetz_letters::decision::reduction_refusal_pdf(
        &refusal,
        kitanetz_letters::decision::LetterCopy::Payer,
    )
    .unwrap();
    assert!(pdf.pdf.starts_with(b"%PDF"));
    assert!(pdf.warnings.0.is_empty(), "{}", pdf.warnings);
    let file = dir.path().join("refusal.pdf");
    if let Ok(keep) = std::env::var("KEEP_REFUSAL_PDF") {
        std::fs::write(keep, &pdf.pdf).unwrap();
    }
    std::fs::write(&file, &pdf.pdf).unwrap();
    let Ok(out) = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
    else {
        return; // pdftotext not installed: the PDF rendered, its text is checked elsewhere
    };
    let text = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for expected in [
        "Bescheid über die Ablehnung der Ermäßigung bzw. des Erlasses des Elternbeitrages",
        "Sehr geehrte Familie Beispiel",
        "Ihren Antrag vom 20.09.2025",
        "vom 01.10.2025 bis 31.01.2026",
        "lehnen wir ab",
        "117,00 € monatlich",
        // The law in force for the months applied for (§ 90 as renumbered in August 2019).
        "Nach § 90 Abs. 4 Satz 1",
        "Kinderzuschlag oder Wohngeld",
        "§ 90 Abs. 4 Satz 4 in Verbindung mit Abs. 2 Satz 3 SGB VIII",
        "Rechtsbehelfsbelehrung",
        "innerhalb eines Monats ab Bekanntgabe Widerspruch",
        "123456-E1",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
}
