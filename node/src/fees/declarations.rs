//! The parents' online income self-assessment (OZG NRW steps 7–10, seed 003: "Einkommens-
//! Selbsteinschätzung der Eltern → vorläufiger Bescheid → Nachweis → endgültiger Bescheid";
//! Lastenheft 3.10.3) across the city's portal and the Träger's Beitragsstelle.
//!
//! 1. **The parents** (portal, city node) fill in the annex C form for the child of an application
//!    that has a place (a Kita reserved a seat or the contract placed it) and may upload proofs
//!    then or later. The city writes one [`IncomeDeclaration`] per family and Träger (a sibling
//!    at a Kita of the same Träger is added to it by sending it again from the sibling's
//!    application), visible to the city and that Träger's office only; it carries the city's
//!    keyed family key, so the Träger finds the family the contract created without learning the
//!    applications.
//! 2. **The Beitragsstelle** (Träger node) sees the declarations that arrived, takes one over into
//!    the family's fee case as a § 90 application ([`reduction::enter`], marked with the
//!    declaration) and decides it *provisionally* (the Bescheid says it rests on the parents'
//!    own figures and asks for the proofs).
//! 3. **The proofs** arrive in the same document; the clerk checks them, takes the declaration
//!    over again (corrected where the proofs say otherwise) and decides it finally: a later grant
//!    wins every month both cover ([`reduction::grants_in_force`]), so the monthly billing turns
//!    the difference into a credit or a back-charge.

use super::reduction::{self, ReductionInput};
use super::{authorize_here, FeeAction};
use crate::action::ActionError;
use crate::applications::sequential::status;
use crate::auth::{authorize, Action, Principal};
use crate::clock::Now;
use crate::storage::{AuditEntry, Store, StoreError};
use kitanetz_crdt::doc::StoredDoc;
use kitanetz_crdt::ids::{city_org, doc_id_for, ApplicationId, FacilityId, FamilyId, ProviderId};
use kitanetz_crdt::kinds::income::{MAX_PROOFS, MAX_PROOF_BYTES, PROOF_MEDIA_TYPES};
use kitanetz_crdt::kinds::{
    Applicant, Application, DeclarationProof, DeclaredChild, Family, IncomeDeclaration, ProofBytes,
};
use kitanetz_crdt::meta::{DocKind, DocMeta};
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::validate::Validator;
use kitanetz_crdt::DocId;
use serde::Serialize;

/// The declaration of a family at one Träger: named by a hash over the family key (a secret of
/// the city), the Träger and the parents' portal address, so the Träger cannot tell the
/// applications from the name, and namesakes at one address (one family key) who apply from
/// different accounts never share one. The siblings of a family at Kitas of one Träger are
/// declared for once, as their fee case there is one.
pub fn family_declaration_doc_id(family_key: &str, provider: &ProviderId, email: &str) -> DocId {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!(
        "kitanetz/income-declaration/2\0{family_key}\0{}\0{}",
        provider.0,
        email.trim().to_lowercase()
    ));
    doc_id_for("income-declaration", &hex::encode(&digest[..16]))
}

/// The name of a declaration sent before declarations were one per family and Träger: one per
/// application. Such a declaration stays the one of its application.
pub fn application_declaration_doc_id(family_key: &str, application: &ApplicationId) -> DocId {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!(
        "kitanetz/income-declaration/1\0{family_key}\0{}",
        application.0
    ));
    doc_id_for("income-declaration", &hex::encode(&digest[..16]))
}

/// The declaration for the child of application `id` (its applicant `applicant`), placed at
/// `place`: the one sent for the application before declarations were per family, else the
/// family's at the Kita's Träger (which may not exist yet, or be for a sibling only).
pub(crate) fn declaration_for(
    store: &Store,
    family_key: &str,
    id: &ApplicationId,
    applicant: &Applicant,
    place: &FacilityId,
) -> Result<DocId, StoreError> {
    let per_application = application_declaration_doc_id(family_key, id);
    if store.find::<IncomeDeclaration>(&per_application)?.is_some() {
        return Ok(per_application);
    }
    let provider = crate::facilities::provider_of(store, place)?;
    Ok(family_declaration_doc_id(
        family_key,
        &provider,
        &applicant.email,
    ))
}

/// The Beitragsstelle's answer to a declaration (`declaration-status`), named after it.
pub fn status_doc_id(declaration: &DocId) -> DocId {
    doc_id_for("declaration-status", short_id(declaration))
}

/// Tells the parents' portal what the Beitragsstelle did with the declaration `app` came from
/// (taken over; decided, provisionally or finally): its `declaration-status` on this Träger
/// node, changed or created but not saved — the caller saves it with the fee case in one
/// transaction, from where it syncs to the city. An application entered by hand has none.
pub(crate) fn status_doc(
    store: &Store,
    provider: &kitanetz_crdt::ids::ProviderId,
    app: &kitanetz_crdt::kinds::ReductionApplication,
    now: Now,
) -> Result<Option<StoredDoc>, ActionError> {
    use kitanetz_crdt::kinds::{DeclarationDecision, DeclarationStatus};
    let Some(declaration) = &app.declaration else {
        return Ok(None);
    };
    let id = status_doc_id(&DocId(declaration.clone()));
    let held = store.find::<DeclarationStatus>(&id)?;
    let status = DeclarationStatus {
        provider: provider.clone(),
        declaration: declaration.clone(),
        taken_over_revision: app.declaration_revision,
        taken_over_on: app.entered_on,
        decision: app.decided.as_ref().map(|d| DeclarationDecision {
            decided_on: d.on,
            granted: d.granted,
            provisional: d.provisional,
            from: app.from,
            until: app.until,
        }),
    };
    status.validate()?;
    Ok(Some(match held {
        Some((mut doc, _)) => {
            doc.update(&status, now.today, now.millis, "declaration-status.change")?;
            doc
        }
        None => StoredDoc::create(
            id,
            DocMeta {
                kind: DocKind::DeclarationStatus,
                schema: DocKind::DeclarationStatus.schema_version(),
                owner: kitanetz_crdt::ids::provider_org(provider),
                provider: Some(provider.clone()),
                facilities: vec![],
                origin_node: store.node_name().to_string(),
                created_on: now.today,
            },
            &status,
            store.actor(),
            now.today,
            now.millis,
        )?,
    }))
}

/// What the portal shows the parents of their declaration: sent, taken over, decided.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeclarationState {
    /// YYYY-MM-DD, each once it happened.
    pub sent_on: String,
    pub taken_over_on: Option<String>,
    /// The Beitragsstelle took over an earlier revision: the latest change is not seen yet.
    pub changed_since: bool,
    pub decided_on: Option<String>,
    pub granted: Option<bool>,
    pub provisional: bool,
    /// MM/YYYY–MM/YYYY of the decision.
    pub months: Option<String>,
}

/// The state of the declaration for the child of application `id` (None before the parents
/// sent one for it, or while the child has no place).
pub(crate) fn state_of(
    store: &Store,
    family_key: &str,
    id: &ApplicationId,
    application: &Application,
    applicant: &Applicant,
) -> Result<Option<DeclarationState>, StoreError> {
    use kitanetz_crdt::kinds::DeclarationStatus;
    let Some(place) = place_of(store, application)? else {
        return Ok(None);
    };
    let declaration_id = declaration_for(store, family_key, id, applicant, &place)?;
    let Some((_, declared)) = store.find::<IncomeDeclaration>(&declaration_id)? else {
        return Ok(None);
    };
    if !declared.is_for(
        &applicant.child_given_name,
        &applicant.child_family_name,
        applicant.child_birth_date,
    ) {
        return Ok(None);
    }
    let status = store
        .find::<DeclarationStatus>(&status_doc_id(&declaration_id))?
        .map(|(_, s)| s);
    let month = |d: Date| d.0.format("%m/%Y").to_string();
    Ok(Some(DeclarationState {
        sent_on: declared.submitted_on.to_string(),
        taken_over_on: status.as_ref().map(|s| s.taken_over_on.to_string()),
        changed_since: status
            .as_ref()
            .is_some_and(|s| s.taken_over_revision < declared.revision),
        decided_on: status
            .as_ref()
            .and_then(|s| s.decision.as_ref())
            .map(|d| d.decided_on.to_string()),
        granted: status
            .as_ref()
            .and_then(|s| s.decision.as_ref())
            .map(|d| d.granted),
        provisional: status
            .as_ref()
            .and_then(|s| s.decision.as_ref())
            .is_some_and(|d| d.provisional),
        months: status
            .as_ref()
            .and_then(|s| s.decision.as_ref())
            .map(|d| format!("{}–{}", month(d.from), month(d.until))),
    }))
}

/// The part of a declaration's document id after the kind (what the office's URLs carry).
pub fn short_id(id: &DocId) -> &str {
    id.0.strip_prefix("doc-income-declaration-")
        .unwrap_or(&id.0)
}

/// The Kita the child of `application` has a place at: the wish the contract placed, or else
/// the one a Kita holds a reserved seat for (the city issued the parents' data to it).
pub(crate) fn place_of(
    store: &Store,
    application: &Application,
) -> Result<Option<FacilityId>, StoreError> {
    if let Some(w) = application
        .wishes
        .iter()
        .find(|w| w.status == status::PLACED)
    {
        return Ok(Some(w.facility.clone()));
    }
    for w in &application.wishes {
        if crate::applications::shares::held_for(store, &w.handle)?.is_some() {
            return Ok(Some(w.facility.clone()));
        }
    }
    Ok(None)
}

/// What the parents see of their declaration.
#[derive(Debug, Clone, Serialize)]
pub struct OwnDeclaration {
    /// The Kita the child has its place at.
    pub facility: String,
    pub child: String,
    /// The family's declaration at the Kita's Träger, if sent (for this child or a sibling).
    pub declared: Option<IncomeDeclaration>,
    /// The declaration is for this child too (false: sent for a sibling only; sending it again
    /// from here adds this child).
    pub for_this_child: bool,
}

impl OwnDeclaration {
    /// The form's fields as the parents typed them last (empty before the first submission).
    pub fn input(&self) -> Result<ReductionInput, StoreError> {
        match &self.declared {
            Some(d) => serde_json::from_str(&d.input)
                .map_err(|e| StoreError::Corrupt(format!("income declaration: {e}"))),
            None => Ok(ReductionInput::default()),
        }
    }
}

struct Context {
    applicant: Applicant,
    facility: FacilityId,
    family_key: String,
    doc_id: DocId,
}

fn context(store: &Store, who: &Principal, id: &ApplicationId) -> Result<Context, ActionError> {
    authorize(who, Action::DeclareIncome)?;
    crate::applications::contact_parent(store, who, id)?;
    let (_, application) = store.get::<Application>(&crate::seats::application_doc_id(id))?;
    let (_, applicant) = store.get::<Applicant>(&doc_id_for("applicant", &id.0))?;
    let facility = place_of(store, &application)?.ok_or_else(|| {
        ActionError::Conflict(
            "Das Einkommen wird angegeben, sobald eine Kita einen Platz reserviert hat / the income is declared once a Kita has reserved a place".into(),
        )
    })?;
    let family_key = crate::applications::queries::family_key_of(store, &applicant)?;
    let doc_id = declaration_for(store, &family_key, id, &applicant, &facility)?;
    Ok(Context {
        applicant,
        facility,
        family_key,
        doc_id,
    })
}

/// The parents' view of the declaration of their application `id` (only the contact parent's
/// own application, and only once the child has a place).
pub fn own(
    store: &Store,
    who: &Principal,
    id: &ApplicationId,
) -> Result<OwnDeclaration, ActionError> {
    let c = context(store, who, id)?;
    let names = crate::facilities::names(store)?;
    let declared = store.find::<IncomeDeclaration>(&c.doc_id)?.map(|(_, d)| d);
    let a = &c.applicant;
    let for_this_child = declared.as_ref().is_some_and(|d| {
        d.is_for(
            &a.child_given_name,
            &a.child_family_name,
            a.child_birth_date,
        )
    });
    Ok(OwnDeclaration {
        for_this_child,
        facility: names
            .get(&c.facility.0)
            .cloned()
            .unwrap_or_else(|| c.facility.0.clone()),
        child: format!(
            "{} {}",
            c.applicant.child_given_name, c.applicant.child_family_name
        ),
        declared,
    })
}

/// The parents send (or correct) their declaration. The form is checked as the Beitragsstelle's
/// entry checks it ([`reduction::fill`]); the day of receipt is today.
pub fn declare(
    store: &mut Store,
    who: &Principal,
    id: &ApplicationId,
    mut input: ReductionInput,
    now: Now,
) -> Result<IncomeDeclaration, ActionError> {
    let c = context(store, who, id)?;
    let held = store.find::<IncomeDeclaration>(&c.doc_id)?;
    if held.as_ref().is_some_and(|(_, d)| d.withdrawn_on.is_some()) {
        return Err(ActionError::Conflict(
            "Die Angaben wurden zurückgezogen / the declaration was withdrawn".into(),
        ));
    }
    input.applied_on = held
        .as_ref()
        .map_or(now.today, |(_, d)| d.submitted_on)
        .to_string();
    reduction::fill(&input)?;
    let provider = crate::facilities::provider_of(store, &c.facility)?;
    let a = &c.applicant;
    let declaration = match &held {
        // The family's declaration, sent before (for this child or a sibling): new figures,
        // and this child added if it was for a sibling only.
        Some((_, before)) => {
            let mut d = before.clone();
            if !d.is_for(
                &a.child_given_name,
                &a.child_family_name,
                a.child_birth_date,
            ) {
                d.further_children.push(DeclaredChild {
                    given_name: a.child_given_name.clone(),
                    family_name: a.child_family_name.clone(),
                    birth_date: a.child_birth_date,
                    facility: c.facility.clone(),
                });
            }
            d.changed_on = now.today;
            d.revision += 1;
            d.input = serde_json::to_string(&input).expect("an input serialises");
            d
        }
        None => IncomeDeclaration {
            facility: c.facility.clone(),
            provider: provider.clone(),
            family_key: c.family_key.clone(),
            child_given_name: a.child_given_name.clone(),
            child_family_name: a.child_family_name.clone(),
            child_birth_date: a.child_birth_date,
            guardian_given_name: a.guardian_given_name.clone(),
            guardian_family_name: a.guardian_family_name.clone(),
            email: a.email.clone(),
            submitted_on: now.today,
            changed_on: now.today,
            revision: 1,
            input: serde_json::to_string(&input).expect("an input serialises"),
            proofs: vec![],
            withdrawn_on: None,
            further_children: vec![],
        },
    };
    declaration.validate()?;
    let mut doc = match held {
        Some((mut doc, _)) => {
            doc.update(
                &declaration,
                now.today,
                now.millis,
                "income-declaration.change",
            )?;
            doc
        }
        None => StoredDoc::create(
            c.doc_id.clone(),
            DocMeta {
                kind: DocKind::IncomeDeclaration,
                schema: DocKind::IncomeDeclaration.schema_version(),
                owner: city_org(),
                provider: Some(provider),
                facilities: vec![c.facility.clone()],
                origin_node: store.node_name().to_string(),
                created_on: now.today,
            },
            &declaration,
            store.actor(),
            now.today,
            now.millis,
        )?,
    };
    store.save_doc(
        &mut doc,
        &entry(who, "fees.declaration.submit", id, &c.doc_id, now),
    )?;
    Ok(declaration)
}

fn entry(
    who: &Principal,
    action: &'static str,
    id: &ApplicationId,
    doc: &DocId,
    now: Now,
) -> AuditEntry {
    AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action,
        target: Some(doc.0.clone()),
        subjects: vec![id.0.clone()],
        valid_from: None,
    }
}

/// One uploaded file as the portal received it (its type is read from its first bytes).
#[derive(Debug, Clone)]
pub struct UploadedProof {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The parents add a proof to their declaration (after sending it).
pub fn add_proof(
    store: &mut Store,
    who: &Principal,
    id: &ApplicationId,
    proof: UploadedProof,
    now: Now,
) -> Result<(), ActionError> {
    let c = context(store, who, id)?;
    let (mut doc, mut declaration) =
        store.find::<IncomeDeclaration>(&c.doc_id)?.ok_or_else(|| {
            ActionError::Conflict(
                "Bitte zuerst die Angaben senden / please send the declaration first".into(),
            )
        })?;
    let mut v = Validator::new();
    v.check(
        declaration.withdrawn_on.is_none(),
        "file",
        "Die Angaben wurden zurückgezogen / the declaration was withdrawn",
    );
    v.check(
        declaration.proofs.len() < MAX_PROOFS,
        "file",
        format!("Höchstens {MAX_PROOFS} Nachweise / at most {MAX_PROOFS} proofs"),
    );
    let media_type = crate::intake::sniff(&proof.bytes).unwrap_or_default();
    v.check(
        PROOF_MEDIA_TYPES.contains(&media_type),
        "file",
        "Nur PDF, JPEG oder PNG / only PDF, JPEG or PNG",
    );
    v.check(
        !proof.bytes.is_empty() && proof.bytes.len() <= MAX_PROOF_BYTES,
        "file",
        "Die Datei ist leer oder größer als 1,5 MB / the file is empty or larger than 1.5 MB",
    );
    v.finish()?;
    let name: String = proof
        .name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
        .take(120)
        .collect();
    declaration.proofs.push(DeclarationProof {
        name: if name.trim().is_empty() {
            format!("Nachweis {}", declaration.proofs.len() + 1)
        } else {
            name
        },
        media_type: media_type.to_string(),
        uploaded_on: now.today,
        content: ProofBytes(proof.bytes),
    });
    declaration.changed_on = now.today;
    declaration.revision += 1;
    declaration.validate()?;
    doc.update(
        &declaration,
        now.today,
        now.millis,
        "income-declaration.proof",
    )?;
    store.save_doc(
        &mut doc,
        &entry(who, "fees.declaration.proof", id, &c.doc_id, now),
    )?;
    Ok(())
}

/// A declaration as the Beitragsstelle lists it.
#[derive(Debug, Clone, Serialize)]
pub struct OfficeRow {
    pub id: String,
    pub child: String,
    pub child_birth_date: Date,
    pub facility: String,
    pub guardian: String,
    pub submitted_on: Date,
    pub changed_on: Date,
    pub proofs: usize,
    /// The family the family key found (id, family number); `None`: no contract carries the key
    /// yet (the Kita has not concluded it).
    pub family: Option<(String, String)>,
    /// The § 90 applications taken over from it, with the state: (number, taken-over day,
    /// decided: "", "vorläufig", "endgültig", "abgelehnt").
    pub taken_over: Vec<(String, Date, String)>,
    /// The declaration's revision now.
    pub revision: u32,
    /// Changed or proofs added after the last take-over.
    pub changed_since: bool,
    pub withdrawn: bool,
}

impl OfficeRow {
    /// What the clerk has to do next.
    pub fn state(&self) -> &'static str {
        if self.withdrawn {
            "zurückgezogen"
        } else if self.family.is_none() {
            "Familie noch nicht angelegt"
        } else if self.taken_over.is_empty() {
            "neu"
        } else if self.changed_since {
            "geändert / neue Nachweise"
        } else if self
            .taken_over
            .iter()
            .any(|t| t.2 == "endgültig" || t.2 == "abgelehnt")
        {
            "entschieden"
        } else if self.taken_over.iter().any(|t| t.2 == "vorläufig") {
            "vorläufig entschieden: Nachweise prüfen"
        } else {
            "übernommen: zu entscheiden"
        }
    }
}

/// The families of this Träger by their family key (only those with one).
fn families_by_key(store: &Store) -> Result<std::collections::HashMap<String, Family>, StoreError> {
    Ok(store
        .values_of_kind::<Family>()?
        .into_iter()
        .filter(|f| !f.family_key.is_empty())
        .map(|f| (f.family_key.clone(), f))
        .collect())
}

fn held(store: &Store) -> Result<Vec<(DocId, IncomeDeclaration)>, StoreError> {
    let ids = super::queries::doc_ids_of_kind(store, DocKind::IncomeDeclaration)?;
    let mut out = Vec::new();
    for id in ids {
        if let Some((_, d)) = store.find::<IncomeDeclaration>(&id)? {
            out.push((id, d));
        }
    }
    Ok(out)
}

fn row_of(
    store: &Store,
    id: &DocId,
    d: &IncomeDeclaration,
    family: Option<&Family>,
    names: &std::collections::BTreeMap<String, String>,
) -> Result<OfficeRow, ActionError> {
    let mut taken_over = Vec::new();
    let mut last_revision = None;
    if let Some(f) = family {
        if let Some((_, case)) =
            store.find::<kitanetz_crdt::kinds::FeeCase>(&super::fee_case_doc_id(&f.id))?
        {
            for r in case
                .reductions
                .iter()
                .filter(|r| r.declaration.as_deref() == Some(&id.0))
            {
                let state = match &r.decided {
                    None => "",
                    Some(x) if !x.granted => "abgelehnt",
                    Some(x) if x.provisional => "vorläufig",
                    Some(_) => "endgültig",
                };
                taken_over.push((r.number.clone(), r.entered_on, state.to_string()));
                last_revision = last_revision.max(Some(r.declaration_revision));
            }
        }
    }
    Ok(OfficeRow {
        id: short_id(id).to_string(),
        child: d.children().join(", "),
        child_birth_date: d.child_birth_date,
        facility: names
            .get(&d.facility.0)
            .cloned()
            .unwrap_or_else(|| d.facility.0.clone()),
        guardian: format!("{} {}", d.guardian_given_name, d.guardian_family_name),
        submitted_on: d.submitted_on,
        changed_on: d.changed_on,
        proofs: d.proofs.len(),
        family: family.map(|f| (f.id.0.clone(), f.family_number.clone())),
        changed_since: last_revision.is_some_and(|r| d.revision > r),
        revision: d.revision,
        taken_over,
        withdrawn: d.withdrawn_on.is_some(),
    })
}

/// Every declaration that reached this Träger's office, newest change first.
pub fn office_list(store: &Store, who: &Principal) -> Result<Vec<OfficeRow>, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let declarations = held(store)?;
    if declarations.is_empty() {
        return Ok(vec![]);
    }
    let families = families_by_key(store)?;
    let names = crate::facilities::names(store)?;
    let mut rows = declarations
        .iter()
        .map(|(id, d)| row_of(store, id, d, families.get(&d.family_key), &names))
        .collect::<Result<Vec<_>, _>>()?;
    rows.sort_by(|a, b| (b.changed_on, &a.child).cmp(&(a.changed_on, &b.child)));
    Ok(rows)
}

/// One declaration for the office: its row, the declaration and the form's lines computed.
pub fn office_detail(
    store: &Store,
    who: &Principal,
    short: &str,
) -> Result<(OfficeRow, IncomeDeclaration, ReductionInput), ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let id = doc_id_for("income-declaration", short);
    let (_, d) = store
        .find::<IncomeDeclaration>(&id)?
        .ok_or_else(|| ActionError::NotFound(short.to_string()))?;
    let family = families_by_key(store)?.remove(&d.family_key);
    let names = crate::facilities::names(store)?;
    let row = row_of(store, &id, &d, family.as_ref(), &names)?;
    let input = serde_json::from_str(&d.input)
        .map_err(|e| StoreError::Corrupt(format!("income declaration {short}: {e}")))?;
    Ok((row, d, input))
}

/// One proof of a declaration, for the clerk to check (the read is audited: personal data).
pub fn proof(
    store: &mut Store,
    who: &Principal,
    short: &str,
    index: usize,
    now: Now,
) -> Result<DeclarationProof, ActionError> {
    let (_, d, _) = office_detail(store, who, short)?;
    let proof = d
        .proofs
        .get(index)
        .cloned()
        .ok_or_else(|| ActionError::NotFound(format!("{short}/{index}")))?;
    store.audit(&AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "fees.declaration.proof.read",
        target: Some(doc_id_for("income-declaration", short).0),
        subjects: vec![],
        valid_from: None,
    })?;
    Ok(proof)
}

/// The clerk takes a declaration over into the family's fee case as a § 90 application, received
/// on the day the parents first sent it (its figures as they stand now). Returns the family and
/// the application's number.
pub fn take_over(
    store: &mut Store,
    who: &Principal,
    short: &str,
    now: Now,
) -> Result<(FamilyId, String), ActionError> {
    authorize_here(store, who, FeeAction::Decide)?;
    let (row, d, input) = office_detail(store, who, short)?;
    if d.withdrawn_on.is_some() {
        return Err(ActionError::Conflict(
            "Die Eltern haben die Angaben zurückgezogen / the parents withdrew the declaration"
                .into(),
        ));
    }
    let Some((family, _)) = row.family else {
        return Err(ActionError::Conflict(
            "Zu diesen Angaben gibt es noch keine Familie (Vertrag nicht geschlossen) / no family carries this declaration yet (no contract)".into(),
        ));
    };
    if !row.taken_over.is_empty() && !row.changed_since {
        return Err(ActionError::Conflict(
            "Schon übernommen; seitdem unverändert / already taken over and unchanged since".into(),
        ));
    }
    let family = FamilyId(family);
    let app = reduction::enter_declared(
        store,
        who,
        &family,
        &input,
        Some(reduction::Declared {
            doc: doc_id_for("income-declaration", short).0,
            revision: row.revision,
            proofs: &d.proofs,
        }),
        now,
    )?;
    Ok((family, app.number))
}

pub use super::queries::KeptProof;

/// The proofs the Beitragsstelle kept for a family from the self-assessments it took over.
pub fn kept_proofs(
    store: &Store,
    who: &Principal,
    family: &FamilyId,
) -> Result<Vec<KeptProof>, ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    Ok(super::queries::kept_proofs(store, family)?)
}

/// One kept proof with its bytes (the read is audited: personal data).
pub fn kept_proof(
    store: &mut Store,
    who: &Principal,
    family: &FamilyId,
    short: &str,
    idx: i64,
    now: Now,
) -> Result<(KeptProof, Vec<u8>), ActionError> {
    authorize_here(store, who, FeeAction::View)?;
    let declaration = doc_id_for("income-declaration", short);
    let found = super::queries::kept_proof(store, family, &declaration.0, idx)?
        .ok_or_else(|| ActionError::NotFound(format!("{short}/{idx}")))?;
    store.audit(&AuditEntry {
        at: now.millis,
        actor: who.audit_name(),
        action: "fees.declaration.proof.read",
        target: Some(declaration.0),
        subjects: vec![family.0.clone()],
        valid_from: None,
    })?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_family_declaration_is_one_per_traeger_and_portal_account() {
        let key = "ab".repeat(32);
        let (a, b) = (ProviderId("prov-a".into()), ProviderId("prov-b".into()));
        let id =
            |provider: &ProviderId, email: &str| family_declaration_doc_id(&key, provider, email);
        // Siblings from one account at one Träger: one document (however the address is typed).
        assert_eq!(
            id(&a, "jonas.berg@example.org"),
            id(&a, " Jonas.Berg@Example.org ")
        );
        // Another Träger: another fee case, another declaration.
        assert_ne!(
            id(&a, "jonas.berg@example.org"),
            id(&b, "jonas.berg@example.org")
        );
        // Namesakes at one address (the same family key) from another account share nothing.
        assert_ne!(
            id(&a, "jonas.berg@example.org"),
            id(&a, "j.berg@example.net")
        );
        // Neither is a declaration named per application.
        let per_application = application_declaration_doc_id(&key, &ApplicationId("app-1".into()));
        assert_ne!(per_application, id(&a, "jonas.berg@example.org"));
    }
}
