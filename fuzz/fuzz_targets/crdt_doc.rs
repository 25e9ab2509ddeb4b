//! Loading a stored automerge document (`kitanetz_crdt::StoredDoc::load`, what the node does with
//! the chunks of its database and what `kitanetz restore` does with a backup) and reading it as
//! its kind: metadata, typed value, validation, writing the value back. Also merging arbitrary
//! bytes into a known document (`StoredDoc::merge_bytes`, an incremental import). Nothing may
//! panic, and a document that loads must survive save and load unchanged.

#![no_main]

use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::{DocId, Document, KindValue, StoredDoc};
use kitanetz_fuzz_support::session;
use libfuzzer_sys::fuzz_target;

const ACTOR: &[u8] = b"fuzz";

fn today() -> Date {
    Date::ymd(2026, 11, 2)
}

/// Validates a value read from the document and, if valid, writes it back: the document must
/// then read back the same value (hydrate and reconcile agree).
fn check_value<T: Document + PartialEq + std::fmt::Debug>(doc: &mut StoredDoc, value: &T) {
    if value.validate_on(today()).is_err() {
        return;
    }
    if doc.update(value, today(), 1, "fuzz").is_ok() {
        let again: T = doc.value().expect("a value just written reads back");
        assert_eq!(&again, value, "value changed by writing it back");
    }
}

fn check_kind(doc: &mut StoredDoc) {
    let Ok(value) = doc.any_value() else { return };
    match &value {
        KindValue::ProviderProfile(v) => check_value(doc, v),
        KindValue::FacilityProfile(v) => check_value(doc, v),
        KindValue::FacilityLicence(v) => check_value(doc, v),
        KindValue::ChildminderProfile(v) => check_value(doc, v),
        KindValue::Family(v) => check_value(doc, v),
        KindValue::CareContract(v) => check_value(doc, v),
        KindValue::Group(v) => check_value(doc, v),
        KindValue::ExtraCareMonth(v) => check_value(doc, v),
        KindValue::StaffMember(v) => check_value(doc, v),
        KindValue::ChildminderCase(v) => check_value(doc, v),
        KindValue::ChildminderPlacement(v) => check_value(doc, v),
        KindValue::AttendanceMonth(v) => check_value(doc, v),
        KindValue::Application(v) => check_value(doc, v),
        KindValue::ApplicationWish(v) => check_value(doc, v),
        KindValue::Applicant(v) => check_value(doc, v),
        KindValue::ApplicantShare(v) => check_value(doc, v),
        KindValue::FeeCase(v) => check_value(doc, v),
        KindValue::SeatLedger(v) => check_value(doc, v),
        KindValue::ConflictDecision(v) => check_value(doc, v),
        KindValue::FeeFacts(v) => check_value(doc, v),
        KindValue::SiblingCount(v) => check_value(doc, v),
        KindValue::IncomeDeclaration(v) => check_value(doc, v),
        KindValue::DeclarationStatus(v) => check_value(doc, v),
        KindValue::TransferNotice(v) => check_value(doc, v),
    }
}

/// The care contract `kita-a` holds in the sync session (built once).
fn held_contract() -> automerge::AutoCommit {
    thread_local! {
        static CONTRACT: automerge::AutoCommit = session::repo_of("kita-a")
            .get(&kitanetz_sync::fixtures::id("contract-a"))
            .expect("fixture document")
            .clone();
    }
    CONTRACT.with(Clone::clone)
}

fuzz_target!(|data: &[u8]| {
    kitanetz_fuzz_support::let_guarded_decoder_panics_unwind();
    let id = DocId("doc-fuzz".into());
    if let Ok(mut doc) = StoredDoc::load(id.clone(), data, ACTOR) {
        let heads = doc.heads_hex();
        let saved = doc.save();
        let mut again = StoredDoc::load(id.clone(), &saved, ACTOR).expect("a saved document loads");
        assert_eq!(again.heads_hex(), heads, "heads changed by save and load");
        assert_eq!(again.meta, doc.meta, "metadata changed by save and load");
        check_kind(&mut doc);
    }

    // Incremental import into a document the node holds.
    let mut doc = StoredDoc::from_automerge(id, held_contract()).expect("fixture reads");
    if doc.merge_bytes(data).is_ok() {
        check_kind(&mut doc);
    }
});
