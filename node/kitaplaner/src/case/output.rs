//! Writes the buffer as `kitanetz-kitaplaner-buffer/1` JSON (§3 of the format): every field of
//! every row present, `null` where empty, dates `YYYY-MM-DD`, integers as JSON integers.

use crate::buffer::{Buffer, BufferRow, CareGap, EXPORT_STATUS_INSERTED, NEUANLAGE_ERLAUBT};
use crate::model::{Address, Contact};
use crate::rebuild::Rebuild;
use crate::BUFFER_FORMAT;
use chrono::NaiveDate;
use serde_json::{json, Map, Value};

/// The whole output; `rebuild` only when the case had `previous`.
pub fn buffer_json(buffer: &Buffer, rebuild: Option<&Rebuild>) -> Value {
    let mut out = json!({
        "format": BUFFER_FORMAT,
        "rows": buffer.rows.iter().map(row_json).collect::<Vec<_>>(),
        "errors": buffer.care_gaps.iter().map(care_gap_json).collect::<Vec<_>>(),
    });
    if let Some(rebuild) = rebuild {
        out["rebuild"] = json!({
            "required": rebuild.required(),
            "changed": rebuild.changed.iter().map(|t| t.seed_name()).collect::<Vec<_>>(),
            "deleted": rebuild.deleted.iter().map(row_json).collect::<Vec<_>>(),
        });
    }
    out
}

fn date(day: NaiveDate) -> Value {
    Value::String(day.format("%Y-%m-%d").to_string())
}

fn text(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |s| Value::String(s.to_owned()))
}

fn care_gap_json(gap: &CareGap) -> Value {
    json!({
        "error": "care_gap",
        "KIND_ID_EXTERN": gap.kind_id_extern,
        "gap_from": date(gap.days.start()),
        "gap_to": gap.days.end().map_or(Value::Null, date),
    })
}

/// The address columns of one person, with `prefix` (`KIND`, `SB1`, `SB2`).
fn address_fields(fields: &mut Map<String, Value>, prefix: &str, address: Option<&Address>) {
    let columns = [
        ("STRASSE", address.and_then(|a| a.street.as_deref())),
        (
            "HAUSNUMMER",
            address.and_then(|a| a.house_number.as_deref()),
        ),
        (
            "POSTLEITZAHL",
            address.and_then(|a| a.postal_code.as_deref()),
        ),
        ("ORT", address.and_then(|a| a.city.as_deref())),
    ];
    for (column, value) in columns {
        fields.insert(format!("{prefix}_{column}"), text(value));
    }
}

/// A main contact's columns; an empty slot leaves all of them `null` (R9).
fn contact_fields(fields: &mut Map<String, Value>, prefix: &str, contact: Option<&Contact>) {
    fields.insert(
        format!("{prefix}_NACHNAME"),
        text(contact.map(|c| c.last_name.as_str())),
    );
    fields.insert(
        format!("{prefix}_VORNAME"),
        text(contact.map(|c| c.first_name.as_str())),
    );
    address_fields(fields, prefix, contact.map(|c| &c.address));
}

/// One buffer row with all its columns.
pub fn row_json(row: &BufferRow) -> Value {
    let mut fields = Map::new();
    let mut put = |key: &str, value: Value| {
        fields.insert(key.to_owned(), value);
    };
    put("KIND_ID_EXTERN", json!(row.kind_id_extern));
    put("KITA_ID_EXTERN", json!(row.kita_id_extern));
    put("STATUS", json!(row.status.as_str()));
    put("VER_VERTRAG_AB", date(row.contract_from()));
    put("VER_KUENDIGUNG", row.notice_date.map_or(Value::Null, date));
    put("VER_AENDERUNGEN_INDEX", json!(row.change_index));
    put("VER_AENDERUNGEN_GESAMT", json!(row.change_total));
    put("BETREUUNGSZEIT_ID", json!(row.betreuungszeit_id));
    put("BETREUUNGSSTUNDEN", json!(row.hours.to_string()));
    put("NEUANLAGE_ERLAUBT", json!(NEUANLAGE_ERLAUBT));
    put("EXPORT_STATUS", json!(EXPORT_STATUS_INSERTED));
    put("KIND_NACHNAME", json!(row.child.last_name));
    put("KIND_VORNAME", json!(row.child.first_name));
    put("KIND_GEBDATUM", date(row.child.birth_date));
    address_fields(&mut fields, "KIND", Some(&row.child.address));
    contact_fields(&mut fields, "SB1", row.main_contact_1.as_ref());
    contact_fields(&mut fields, "SB2", row.main_contact_2.as_ref());
    Value::Object(fields)
}
