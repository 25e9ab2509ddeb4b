//! Projection tables: query-friendly rows derived from documents. Written in the transaction of
//! the document write; `kitanetz rebuild-projections` rebuilds them from the chunks.

use super::StoreError;
use kitanetz_crdt::doc::KindValue;
use kitanetz_crdt::DocId;
use rusqlite::{params, Connection};

const TABLES: &[&str] = &[
    "p_providers",
    "p_facilities",
    "p_facility_places",
    "p_childminders",
    "p_children",
    "p_guardians",
    "p_contracts",
    "p_contract_lines",
    "p_groups",
    "p_applications",
    "p_seat_months",
    "p_seat_holds",
    "p_seat_declines",
    "p_application_wishes",
    "p_applicant_shares",
    "p_extra_care",
    "p_childminder_placements",
    "p_applicants",
];

/// Empties every projection table (they are rebuilt from the chunks).
pub(crate) fn clear_all(conn: &Connection) -> Result<(), StoreError> {
    for t in TABLES {
        conn.execute(&format!("DELETE FROM {t}"), [])?;
    }
    Ok(())
}

pub(super) fn clear_doc(conn: &Connection, id: &DocId) -> Result<(), StoreError> {
    clear_tables(conn, id, TABLES)
}

fn clear_tables(conn: &Connection, id: &DocId, tables: &[&str]) -> Result<(), StoreError> {
    for t in tables {
        conn.prepare_cached(&format!("DELETE FROM {t} WHERE doc_id = ?1"))?
            .execute([&id.0])?;
    }
    Ok(())
}

/// The tables [`project`] writes rows of `value`'s kind to. A document never changes its kind,
/// so rewriting one clears only these: a placement round rewrites some 15,000 documents, half
/// of them wishes with no rows at all, and clearing every table for each was a fifth of its
/// save.
fn tables_of(value: &KindValue) -> &'static [&'static str] {
    match value {
        KindValue::ProviderProfile(_) => &["p_providers"],
        KindValue::FacilityProfile(_) => &["p_facilities"],
        KindValue::FacilityLicence(_) => &["p_facility_places"],
        KindValue::ChildminderProfile(_) => &["p_childminders"],
        KindValue::Family(_) => &["p_children", "p_guardians"],
        KindValue::CareContract(_) => &["p_contracts", "p_contract_lines"],
        KindValue::Group(_) => &["p_groups"],
        KindValue::Application(_) => &["p_applications", "p_application_wishes"],
        KindValue::Applicant(_) => &["p_applicants"],
        KindValue::ExtraCareMonth(_) => &["p_extra_care"],
        KindValue::ChildminderPlacement(_) => &["p_childminder_placements"],
        KindValue::ApplicantShare(_) => &["p_applicant_shares"],
        KindValue::SeatLedger(_) => &["p_seat_holds", "p_seat_declines", "p_seat_months"],
        KindValue::AttendanceMonth(_)
        | KindValue::FeeCase(_)
        | KindValue::ConflictDecision(_)
        | KindValue::StaffMember(_)
        | KindValue::ChildminderCase(_)
        | KindValue::ApplicationWish(_)
        | KindValue::FeeFacts(_)
        | KindValue::SiblingCount(_)
        | KindValue::IncomeDeclaration(_)
        | KindValue::DeclarationStatus(_)
        | KindValue::TransferNotice(_) => &[],
    }
}

/// Replaces the projection rows of one document.
pub(super) fn project(conn: &Connection, id: &DocId, value: &KindValue) -> Result<(), StoreError> {
    clear_tables(conn, id, tables_of(value))?;
    let doc = &id.0;
    match value {
        KindValue::ProviderProfile(p) => {
            conn.prepare_cached("INSERT INTO p_providers (id, doc_id, name, kind, category, city) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
                .execute(params![p.id.0, doc, p.name, format!("{:?}", p.kind), p.category, p.address.city])?;
        }
        KindValue::FacilityProfile(f) => {
            conn.prepare_cached(
                "INSERT INTO p_facilities (id, doc_id, provider, name, district, street, postcode, city, lat, lon, opening_hours)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                f.id.0,
                doc,
                f.provider.0,
                f.name,
                f.district,
                f.address.street,
                f.address.postcode,
                f.address.city,
                f.address.lat.map(|d| d.to_string()),
                f.address.lon.map(|d| d.to_string()),
                f.opening_hours
            ])?;
        }
        KindValue::FacilityLicence(l) => {
            let mut stmt = conn.prepare_cached(
                "INSERT INTO p_facility_places (facility, doc_id, care_type, valid_from, places) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for ct in &l.care_types {
                for change in &ct.places.changes {
                    stmt.execute(params![
                        l.id.0,
                        doc,
                        ct.care_type.as_str(),
                        change.valid_from.to_string(),
                        change.value
                    ])?;
                }
            }
        }
        KindValue::ChildminderProfile(c) => {
            conn.prepare_cached("INSERT INTO p_childminders (id, doc_id, name, district, places) VALUES (?1, ?2, ?3, ?4, ?5)")?
                .execute(params![c.id.0, doc, c.name, c.district, c.places])?;
        }
        KindValue::Family(f) => {
            let mut children = conn.prepare_cached(
                "INSERT INTO p_children (id, doc_id, family, given_name, family_name, birth_date, facility) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for c in &f.children {
                children.execute(params![
                    c.id.0,
                    doc,
                    f.id.0,
                    c.given_name,
                    c.family_name,
                    c.birth_date.to_string(),
                    c.facility.as_ref().map(|x| x.0.clone())
                ])?;
            }
            let mut guardians = conn.prepare_cached(
                "INSERT INTO p_guardians (id, doc_id, family, given_name, family_name, email, phone) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for g in &f.guardians {
                guardians.execute(params![
                    g.id.0,
                    doc,
                    f.id.0,
                    g.given_name,
                    g.family_name,
                    g.email,
                    g.phone
                ])?;
            }
        }
        KindValue::CareContract(c) => {
            conn.prepare_cached(
                "INSERT INTO p_contracts (id, doc_id, child, family, facility, start, end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                c.id.0,
                doc,
                c.child.0,
                c.family.0,
                c.facility.0,
                c.period.start().to_string(),
                c.period.end().map(|d| d.to_string())
            ])?;
            let mut lines = conn.prepare_cached(
                "INSERT INTO p_contract_lines (id, doc_id, contract, start, end, care_type, daily_hours, grp, payment_mode)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            // The lines as the contract reads (concurrent changes settled), not as stored.
            for l in &c.effective_lines() {
                lines.execute(params![
                    l.id.0,
                    doc,
                    c.id.0,
                    l.valid.start().to_string(),
                    l.valid.end().map(|d| d.to_string()),
                    l.care_type.as_str(),
                    l.daily_hours.to_string(),
                    l.group.as_ref().map(|g| g.0.clone()),
                    l.payment_mode.as_str()
                ])?;
            }
        }
        KindValue::Group(g) => {
            conn.prepare_cached(
                "INSERT INTO p_groups (id, doc_id, facility, name, care_type, size, members) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![g.id.0, doc, g.facility.0, g.name, g.care_type.as_str(), g.size, g.members.len() as i64])?;
        }
        KindValue::Application(a) => {
            conn.prepare_cached(
                "INSERT INTO p_applications (id, doc_id, desired_start, care_type, status, wishes, together, childminding_agency) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![a.id.0, doc, a.desired_start.to_string(), a.care_type.as_str(), a.status, a.wishes.len() as i64, a.together, a.childminding_agency.as_ref().map(|o| o.0.as_str())])?;
            let mut wishes = conn.prepare_cached(
                "INSERT INTO p_application_wishes (handle, doc_id, application, facility, status, since)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for w in &a.wishes {
                wishes.execute(params![
                    w.handle.0,
                    doc,
                    a.id.0,
                    w.facility.0,
                    w.status,
                    w.since.map(|d| d.to_string())
                ])?;
            }
        }
        KindValue::Applicant(a) => {
            let ranked = serde_json::to_string(&a.ranked_wishes).expect("ids");
            conn.prepare_cached(
                "INSERT INTO p_applicants (application, doc_id, birth_date, denomination, ranked, street, postcode)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                a.application.0,
                doc,
                a.child_birth_date.to_string(),
                a.child_denomination,
                ranked,
                a.address.street,
                a.address.postcode
            ])?;
        }
        KindValue::ExtraCareMonth(m) => {
            let mut insert = conn.prepare_cached(
                "INSERT INTO p_extra_care (doc_id, facility, month, entry, child, day, time_from, time_to, extra_tiers, outside_opening_hours, school_free_day, reported_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for e in &m.entries {
                insert.execute(params![
                    doc,
                    m.facility.0,
                    m.month.to_string(),
                    e.id,
                    e.child.0,
                    e.date.to_string(),
                    e.from,
                    e.to,
                    e.extra_tiers,
                    e.outside_opening_hours,
                    e.school_free_day,
                    m.reported_on.map(|d| d.to_string()),
                ])?;
            }
        }
        KindValue::AttendanceMonth(_)
        | KindValue::FeeCase(_)
        | KindValue::ConflictDecision(_)
        | KindValue::StaffMember(_)
        | KindValue::ChildminderCase(_)
        | KindValue::ApplicationWish(_)
        | KindValue::FeeFacts(_)
        | KindValue::SiblingCount(_)
        | KindValue::IncomeDeclaration(_)
        | KindValue::DeclarationStatus(_)
        | KindValue::TransferNotice(_) => {}
        KindValue::ChildminderPlacement(p) => {
            conn.prepare_cached(
                "INSERT INTO p_childminder_placements (doc_id, id, childminder) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![doc, p.id.0, p.childminder.0])?;
        }
        KindValue::ApplicantShare(share) => {
            conn.prepare_cached(
                "INSERT INTO p_applicant_shares (doc_id, handle, facility) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![doc, share.handle.0, share.facility.0])?;
        }
        KindValue::SeatLedger(s) => {
            let mut holds = conn.prepare_cached(
                "INSERT INTO p_seat_holds (facility, doc_id, care_type, month, wish, status, decided_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for m in &s.months {
                for r in &m.reservations {
                    holds.execute(params![
                        s.facility.0,
                        doc,
                        m.care_type.as_str(),
                        m.month.to_string(),
                        r.wish.0,
                        r.status.as_str(),
                        r.decided_on.to_string()
                    ])?;
                }
            }
            let mut declines = conn.prepare_cached(
                "INSERT INTO p_seat_declines (facility, doc_id, wish, reason, decided_on) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for d in &s.declines {
                declines.execute(params![
                    s.facility.0,
                    doc,
                    d.wish.0,
                    d.reason.as_str(),
                    d.decided_on.to_string()
                ])?;
            }
            let mut stmt = conn.prepare_cached(
                "INSERT INTO p_seat_months (facility, doc_id, care_type, month, places, occupied) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for m in &s.months {
                stmt.execute(params![
                    s.facility.0,
                    doc,
                    m.care_type.as_str(),
                    m.month.to_string(),
                    m.places,
                    // Children leaving before the month no longer occupy their seat.
                    m.occupied_now()
                ])?;
            }
        }
    }
    Ok(())
}

/// A canonical text dump of every projection table (for comparing before and after a rebuild).
pub fn snapshot(conn: &Connection) -> Result<String, StoreError> {
    let mut out = String::new();
    for t in TABLES {
        let n = conn
            .prepare(&format!("SELECT * FROM {t} LIMIT 0"))?
            .column_count();
        let order: Vec<String> = (1..=n.min(4)).map(|i| i.to_string()).collect();
        let mut stmt = conn.prepare(&format!("SELECT * FROM {t} ORDER BY {}", order.join(", ")))?;
        let mut rows = stmt.query([])?;
        out.push_str(t);
        out.push('\n');
        while let Some(r) = rows.next()? {
            let cells: Vec<String> = (0..n)
                .map(|i| match r.get_ref(i) {
                    Ok(v) => format!("{v:?}"),
                    Err(e) => format!("<{e}>"),
                })
                .collect();
            out.push_str(&cells.join("|"));
            out.push('\n');
        }
    }
    Ok(out)
}
