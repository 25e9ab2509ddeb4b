//! Writes the seed corpora of the fuzz targets: `write-seeds FUZZ_DIR` replaces every
//! `FUZZ_DIR/corpus/<target>/seed-*` file with small valid inputs made by the real encoders
//! (sync messages of a real session, signed certificates, saved documents) and the case fixtures
//! of `tests/fixtures`. Deterministic: running it twice writes the same bytes.

use automerge::AutoCommit;
use kitanetz_crdt::kinds::CareContract;
use kitanetz_crdt::scalar::Date;
use kitanetz_crdt::{DocId, StoredDoc};
use kitanetz_fuzz_support::keys::{peer, root_key, root_public, sign_raw, CERT_CONTEXT};
use kitanetz_fuzz_support::session::{self, RECEIVER, SENDERS};
use kitanetz_fuzz_support::{frames, CASE_READERS};
use kitanetz_p2p::codec::{Request, Response};
use kitanetz_p2p::{issue_certificate, issue_revocations, verify_certificate, Keypair};
use kitanetz_sync::fixtures::{self, TS};
use kitanetz_sync::{DocRepo, Msg};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A moment at which the seed certificates are valid.
const NOW: u64 = 1_800_000_000;

struct Corpus {
    dir: PathBuf,
    bytes: usize,
}

impl Corpus {
    fn new(fuzz_dir: &Path, target: &str) -> Corpus {
        let dir = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&dir).expect("corpus directory");
        for entry in std::fs::read_dir(&dir).expect("corpus directory") {
            let path = entry.expect("entry").path();
            if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
            {
                std::fs::remove_file(path).expect("old seed");
            }
        }
        Corpus { dir, bytes: 0 }
    }

    fn put(&mut self, name: &str, bytes: &[u8]) {
        std::fs::write(self.dir.join(format!("seed-{name}")), bytes).expect("write seed");
        self.bytes += bytes.len();
    }
}

fn framed<'a>(messages: impl IntoIterator<Item = &'a (&'static str, Vec<u8>)>) -> Vec<u8> {
    frames::join(messages.into_iter().map(|(s, b)| (*s, b.as_slice())))
}

fn sync_wire(fuzz_dir: &Path) -> usize {
    let mut corpus = Corpus::new(fuzz_dir, "sync_wire");
    let mut session = session::recorded_session();
    let bootstrap = session.to_receiver.clone();
    corpus.put("bootstrap", &framed(&bootstrap));
    for sender in SENDERS {
        // The first message from each peer on its own (the decoder alone, and a fresh start).
        if let Some(first) = bootstrap.iter().find(|(s, _)| *s == sender) {
            corpus.put(&format!("first-from-{sender}"), &framed([first]));
        }
    }

    // A change the Kita makes to the contract after the bootstrap: incremental messages.
    let contract = fixtures::id("contract-a");
    session.edit::<CareContract>("kita-a", &contract, |c| {
        c.notice_given_on = Some(Date::ymd(2026, 11, 3));
    });
    session.run_until_quiet();
    corpus.put("bootstrap-then-edit", &framed(&session.to_receiver));

    // The Kita erases the contract (a writer may).
    let before_erase = session.to_receiver.len();
    session.erase("kita-a", &contract);
    session.run_until_quiet();
    assert!(
        session.to_receiver.len() > before_erase,
        "erasure reached {RECEIVER}"
    );
    corpus.put("bootstrap-edit-erase", &framed(&session.to_receiver));

    // One automerge message in two fragments (reassembly), from the Kita.
    let fragmented: Vec<(&'static str, Vec<u8>)> = bootstrap
        .iter()
        .filter(|(s, _)| *s == "kita-a")
        .flat_map(|(s, bytes)| match Msg::decode(bytes).expect("recorded") {
            Msg::Sync {
                doc,
                meta,
                more: false,
                data,
            } if data.len() > 16 => {
                let (head, tail) = data.split_at(data.len() / 2);
                vec![
                    (
                        *s,
                        Msg::Sync {
                            doc: doc.clone(),
                            meta,
                            more: true,
                            data: head.to_vec(),
                        }
                        .encode(),
                    ),
                    (
                        *s,
                        Msg::Sync {
                            doc,
                            meta: None,
                            more: false,
                            data: tail.to_vec(),
                        }
                        .encode(),
                    ),
                ]
            }
            _ => vec![(*s, bytes.clone())],
        })
        .collect();
    corpus.put("bootstrap-fragmented", &framed(&fragmented));

    // Regression: a change that makes automerge's decoder panic, from a peer that may write.
    let message = automerge::sync::Message {
        heads: vec![],
        need: vec![],
        have: vec![],
        changes: vec![automerge_load_panic(fuzz_dir)].into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    };
    let hostile = Msg::Sync {
        doc: contract,
        meta: None,
        more: false,
        data: message.encode(),
    }
    .encode();
    corpus.put(
        "regression-automerge-panic",
        &framed(bootstrap.iter().chain([&("kita-a", hostile)])),
    );
    corpus.bytes
}

/// The input that made automerge 0.12's loader panic (found by `crdt_doc`), kept as test data
/// of the crdt crate.
fn automerge_load_panic(fuzz_dir: &Path) -> Vec<u8> {
    let repo = fuzz_dir.parent().expect("fuzz/ is in the repository");
    std::fs::read(repo.join("crdt/testdata/automerge-load-panic.bin")).expect("test data")
}

fn signed_certificate() -> Vec<u8> {
    let membership = kitanetz_sync::fixtures::members()
        .into_iter()
        .find(|(n, _)| n == "kita-a")
        .expect("kita-a")
        .1;
    let cert = issue_certificate(
        root_key(),
        &peer(0),
        "kita-a",
        membership,
        NOW - 10,
        NOW + 10,
    );
    // The fuzz targets sign raw bodies under the same context as kitanetz_p2p does.
    assert_eq!(cert.signature, sign_raw(CERT_CONTEXT, cert.body.as_bytes()));
    verify_certificate(&cert, &root_public(), &peer(0), NOW, &BTreeSet::new())
        .expect("seed certificate verifies");
    cert.to_json().into_bytes()
}

fn signed_revocations() -> Vec<u8> {
    issue_revocations(root_key(), 3, &[peer(1), peer(2)], NOW)
        .to_json()
        .into_bytes()
}

fn p2p_codec(fuzz_dir: &Path) -> usize {
    let mut corpus = Corpus::new(fuzz_dir, "p2p_codec");
    let session = session::recorded_session();
    let batch: Vec<Vec<u8>> = session
        .to_receiver
        .iter()
        .filter(|(s, _)| *s == "kita-a")
        .take(3)
        .map(|(_, b)| b.clone())
        .collect();
    let bodies = [
        (
            "certificate",
            Request::Certificate(signed_certificate()).encode(),
        ),
        ("batch", Request::Batch(batch).encode()),
        ("empty-batch", Request::Batch(vec![]).encode()),
        (
            "revocations",
            Request::Revocations(signed_revocations()).encode(),
        ),
        ("ok", Response::Ok.encode()),
        ("refused", Response::Refused("not a writer".into()).encode()),
    ];
    for (name, body) in bodies {
        corpus.put(name, &body);
        // The same body as it travels on a stream (length prefix), for RawCodec's reader.
        let mut frame = (body.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(&body);
        corpus.put(&format!("{name}-framed"), &frame);
    }
    corpus.bytes
}

fn certificate(fuzz_dir: &Path) -> usize {
    let mut corpus = Corpus::new(fuzz_dir, "certificate");
    corpus.put("certificate", &signed_certificate());
    corpus.put("revocations", &signed_revocations());
    corpus.put("root-public-key", root_public().to_string().as_bytes());
    let mut secret = [7u8; 32];
    let identity = Keypair::ed25519_from_bytes(&mut secret).expect("32 bytes");
    corpus.put(
        "identity",
        &identity.to_protobuf_encoding().expect("ed25519 encodes"),
    );
    corpus.bytes
}

fn crdt_doc(fuzz_dir: &Path) -> usize {
    let mut corpus = Corpus::new(fuzz_dir, "crdt_doc");
    for node in std::iter::once(RECEIVER).chain(SENDERS) {
        let repo = session::repo_of(node);
        for (id, _) in repo.list() {
            let mut am: AutoCommit = repo.get(&id).expect("listed").clone();
            corpus.put(&id.0, &am.save());
        }
    }
    // A contract with history, saved as the store keeps it: a snapshot and an incremental chunk.
    let mut repo = session::repo_of("kita-a");
    let id: DocId = fixtures::id("contract-a");
    let am = repo.doc_mut(&id).expect("memory").expect("held").clone();
    let mut doc = StoredDoc::from_automerge(id, am).expect("readable");
    let snapshot = doc.save();
    let mut contract: CareContract = doc.value().expect("contract");
    contract.notice_given_on = Some(Date::ymd(2026, 11, 3));
    doc.update(&contract, fixtures::today(), TS + 1, "notice")
        .expect("valid edit");
    let chunk = doc.save_incremental();
    corpus.put("contract-chunk", &chunk);
    corpus.put("contract-snapshot-and-chunk", &[snapshot, chunk].concat());
    corpus.put(
        "regression-automerge-panic",
        &automerge_load_panic(fuzz_dir),
    );
    corpus.bytes
}

/// A payments file as `node/billing/PAYMENTS_FILE.md` describes it: a header, a payment with a
/// decimal comma, a reversal, a PKN and the document number column.
const PAYMENTS_SAMPLE: &str = "Familiennummer;Leistungsmonat;Betrag;Buchungsdatum;Beleg\n\
    123456;2026-10;145,50;2026-10-05;B-1\n\
    123456;2026-09;-20.00;02.10.2026;B-2\n\
    65432101;2026-10;88;2026-10-30;\n";

/// A city's amount table of the running payment (the shape of `AmountTable::from_json`).
const AMOUNTS_SAMPLE: &str = r#"[{"id":"city-2026","valid_from":"2026-01-01","source":"seed","example":false,"tiers":[{"up_to_hours":"4.5","monthly":"330.00"},{"up_to_hours":"8","monthly":"585.00"},{"up_to_hours":"11","monthly":"800.00"}]}]"#;

/// A Kita-Planer file of children as `node/kitaplaner/IMPORT_FILE.md` describes it: hours by
/// mapping id and as hours, both date forms, a second contact left empty.
const KITAPLANER_IMPORT_SAMPLE: &str = "KIND_ID_EXTERN;KITA_ID_EXTERN;VER_VERTRAG_AB;BETREUUNGSZEIT_ID;BETREUUNGSSTUNDEN;KIND_NACHNAME;KIND_VORNAME;KIND_GEBDATUM;KIND_STRASSE;KIND_HAUSNUMMER;KIND_POSTLEITZAHL;KIND_ORT;SB1_NACHNAME;SB1_VORNAME\n\
    K-17;1234567;01.08.2027;5;;Becker;Ben;2024-11-18;Weg;1;24103;Kiel;Becker;Anna\n\
    K-18;1234567;2027-09-01;;7,5;Olsen;Ida;03.02.2025;Ring;12a;24105;Kiel;;\n";

/// Which fixture directory (under `tests/fixtures`) feeds which case reader.
fn fixture_dir(reader: &str) -> Option<&'static str> {
    match reader {
        "fee-case" => Some("fees"),
        "staff-need-case" => Some("staff"),
        "tagespflege-case" => Some("tagespflege"),
        "kitaplaner-case" => Some("kitaplaner"),
        "kdw-case" => Some("kdw"),
        "landeszuschuss-case" => Some("landeszuschuss"),
        _ => None,
    }
}

fn case_files(fuzz_dir: &Path) -> usize {
    let mut corpus = Corpus::new(fuzz_dir, "case_files");
    let repo = fuzz_dir.parent().expect("fuzz/ is in the repository");
    for (selector, reader) in CASE_READERS.iter().enumerate() {
        let mut files: Vec<(String, Vec<u8>)> = match fixture_dir(reader) {
            Some(dir) => {
                let mut files: Vec<_> = std::fs::read_dir(repo.join("tests/fixtures").join(dir))
                    .expect("fixture directory")
                    .map(|e| e.expect("entry").path())
                    .filter(|p| p.to_string_lossy().ends_with(".case.json"))
                    .map(|p| {
                        let name = p.file_name().expect("file").to_string_lossy();
                        (
                            name.trim_end_matches(".case.json").to_string(),
                            std::fs::read(&p).expect("fixture"),
                        )
                    })
                    .collect();
                files.sort();
                files
            }
            None if *reader == "payments-file" => {
                vec![("sample".to_string(), PAYMENTS_SAMPLE.as_bytes().to_vec())]
            }
            None if *reader == "kitaplaner-import" => vec![(
                "sample".to_string(),
                KITAPLANER_IMPORT_SAMPLE.as_bytes().to_vec(),
            )],
            None if *reader == "tagespflege-amounts" => {
                vec![("example".to_string(), AMOUNTS_SAMPLE.as_bytes().to_vec())]
            }
            None => vec![(
                "dresden-2011".to_string(),
                std::fs::read(repo.join("node/fees/src/statute/dresden-2011.json"))
                    .expect("shipped statute"),
            )],
        };
        for (name, text) in files.drain(..) {
            let mut input = vec![selector as u8];
            input.extend_from_slice(&text);
            corpus.put(&format!("{reader}-{name}"), &input);
        }
    }
    corpus.bytes
}

fn main() {
    let fuzz_dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."));
    let fuzz_dir = fuzz_dir.canonicalize().expect("fuzz directory");
    let mut total = 0;
    for (target, write) in [
        ("sync_wire", sync_wire as fn(&Path) -> usize),
        ("p2p_codec", p2p_codec),
        ("certificate", certificate),
        ("crdt_doc", crdt_doc),
        ("case_files", case_files),
    ] {
        let bytes = write(&fuzz_dir);
        println!("{target}: {bytes} bytes of seeds");
        total += bytes;
    }
    println!("total: {total} bytes");
}
