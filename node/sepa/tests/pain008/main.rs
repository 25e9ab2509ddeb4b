//! The files this crate writes, validated against the official ISO 20022 XSD
//! (`pain.008.001.08.xsd` as shipped in PyPI `sepaxml`) with PyPI `xmlschema`, through
//! `validate_xsd.py` beside this file; the script also checks NbOfTxs and CtrlSum against the
//! transactions. Needs `pip install sepaxml xmlschema` and fails — never skips — without them.
//! `KITANETZ_PYTHON` names another interpreter (a virtual environment's) than `python3`.

use chrono::{NaiveDate, NaiveDateTime};
use kitanetz_sepa::direct_debit::SCHEMA;
use kitanetz_sepa::{Bic, Creditor, CreditorId, Debit, DirectDebitFile, Iban, SequenceType};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

/// The validator script, found from the crate's directory at run time (a test binary may have
/// been built in another checkout that shares the target directory).
fn script() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/pain008/validate_xsd.py")
}
const INSTALL: &str = "pip install sepaxml xmlschema";

/// The verdict per file name: `Ok` or the validator's reasons.
type Verdicts = BTreeMap<String, Result<(), String>>;

/// Writes the documents into a directory of their own for this test and validates them all in
/// one run of the validator.
fn validate(test: &str, documents: &[(&str, &str)]) -> Verdicts {
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("pain008")
        .join(test);
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).unwrap();
    let paths: Vec<PathBuf> = documents
        .iter()
        .map(|(name, xml)| {
            let path = directory.join(format!("{name}.xml"));
            std::fs::write(&path, xml).unwrap();
            path
        })
        .collect();

    let python = std::env::var("KITANETZ_PYTHON").unwrap_or_else(|_| "python3".into());
    let output = Command::new(&python)
        .arg(script())
        .arg(SCHEMA)
        .args(&paths)
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run {python} ({error}): the pain.008 files are validated by Python; \
                 install Python 3, then `{INSTALL}`"
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0 | 1) => {}
        Some(3) => panic!(
            "{stderr}The XSD validation of the SEPA files needs two Python packages: `{INSTALL}` \
             (for {python}; or set KITANETZ_PYTHON to an interpreter that has them)"
        ),
        _ => panic!(
            "the validator failed ({}):\n{stdout}\n{stderr}",
            output.status
        ),
    }

    let mut lines = stdout.lines();
    let header = lines.next().unwrap_or_default();
    assert!(
        header.starts_with("schema ") && header.contains(&format!("{SCHEMA}.xsd")),
        "the validator names the schema it used: {header:?}"
    );
    let mut verdicts = Verdicts::new();
    for line in lines {
        let (verdict, rest) = line.split_once(' ').unwrap();
        let (path, reasons) = rest.split_once(": ").unwrap_or((rest, ""));
        let name = Path::new(path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let result = match verdict {
            "valid" => Ok(()),
            "invalid" => Err(reasons.to_owned()),
            _ => panic!("unexpected validator output: {line}"),
        };
        verdicts.insert(name, result);
    }
    assert_eq!(
        verdicts.len(),
        documents.len(),
        "one verdict per file:\n{stdout}"
    );
    verdicts
}

fn assert_all_valid(verdicts: &Verdicts) {
    let invalid: Vec<_> = verdicts
        .iter()
        .filter_map(|(name, verdict)| verdict.as_ref().err().map(|why| format!("{name}: {why}")))
        .collect();
    assert!(
        invalid.is_empty(),
        "invalid against {SCHEMA}.xsd:\n{}",
        invalid.join("\n")
    );
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::from_str(text).unwrap()
}

fn euros(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn creditor() -> Creditor {
    Creditor {
        name: "Landeshauptstadt Dresden Eigenbetrieb Kitas".into(),
        iban: Iban::parse("DE69 8505 0300 3120 0012 43").unwrap(),
        bic: Some(Bic::parse("OSDDDE81").unwrap()),
        creditor_id: CreditorId::parse("DE98ZZZ09999999999").unwrap(),
    }
}

fn file() -> DirectDebitFile {
    DirectDebitFile::new(
        "KN-SOLL-2025-02",
        NaiveDateTime::from_str("2025-01-31T16:05:00").unwrap(),
        creditor(),
        date("2025-02-05"),
    )
}

const DEBTOR_IBANS: &[&str] = &[
    "DE89 3704 0044 0532 0130 00",
    "AT61 1904 3002 3457 3201",
    "NL91 ABNA 0417 1643 00",
    "FR14 2004 1010 0505 0001 3M02 606",
];

fn debit(number: usize) -> Debit {
    Debit {
        end_to_end_id: format!("KN-2025-02-{number:04}"),
        amount: euros("189.36"),
        mandate_reference: format!("PKN1234{number:04}"),
        mandate_signed_on: date("2024-08-01"),
        sequence: SequenceType::Recurring,
        debtor_name: "Anna Schmidt".into(),
        debtor_iban: Iban::parse(DEBTOR_IBANS[number % DEBTOR_IBANS.len()]).unwrap(),
        debtor_bic: None,
        remittance_text: Some(format!("Elternbeitrag Februar 2025 PKN 1234{number:04}")),
        collection_date: None,
    }
}

#[test]
fn a_single_debit_is_valid() {
    let written = file().debit(debit(1)).build().unwrap();
    assert_all_valid(&validate("single", &[("single", &written.xml)]));
}

#[test]
fn many_debits_with_mixed_sequence_types_and_dates_are_valid() {
    let sequences = [
        SequenceType::First,
        SequenceType::Recurring,
        SequenceType::Final,
        SequenceType::OneOff,
    ];
    let debits = (1..=300).map(|number| {
        let mut debit = debit(number);
        debit.sequence = sequences[number % 4];
        // Fee amounts of the Dresden statute, with siblings' shares and half fees.
        debit.amount = euros(["189.36", "113.62", "132.13", "66.07", "78.89", "5.00"][number % 6]);
        if number % 3 == 0 {
            debit.collection_date = Some(date("2025-02-15"));
        }
        if number % 5 == 0 {
            debit.debtor_bic = Some(Bic::parse("COBADEFFXXX").unwrap());
        }
        if number % 7 == 0 {
            debit.remittance_text = None;
        }
        debit
    });
    let written = file().debits(debits).build().unwrap();
    assert_eq!(written.transactions, 300);
    assert_eq!(
        written.payment_blocks.len(),
        8,
        "4 sequence types × 2 dates"
    );
    let first_only = file()
        .debits((1..=3).map(|number| Debit {
            sequence: SequenceType::First,
            ..debit(number)
        }))
        .build()
        .unwrap();
    assert_all_valid(&validate(
        "many",
        &[("mixed", &written.xml), ("first-only", &first_only.xml)],
    ));
}

#[test]
fn umlauts_and_special_characters_are_valid() {
    let mut creditor = creditor();
    creditor.name = "Kinder- & Jugendhilfe Löbtau e.V. (Träger)".into();
    creditor.bic = None;
    let specials = [
        (
            "Jörg Müller-Lüdenscheidt",
            "Elternbeitrag März 2025 für Jürgen",
        ),
        (
            "ÄRGER, ÖZIL + ÜBEL",
            "Krippe 9 h: 189,36 EUR / Geschwister 60 Prozent",
        ),
        (
            "Renée D’Angelo-Gonçalves",
            "Nachforderung 01/2025 (Änderung) – Rückfrage?",
        ),
        ("Łukasz Dvořák & Søren Ærø", "Hort 6 h, Förderhort, Weiß"),
        ("O'Brien, Siobhán", "Beitrag 'Mehrbetreuung' +5,00"),
    ];
    let debits = specials
        .iter()
        .enumerate()
        .map(|(index, (name, purpose))| Debit {
            debtor_name: (*name).into(),
            remittance_text: Some((*purpose).into()),
            end_to_end_id: format!("KN/2025-02:({index})+?.,'"),
            mandate_reference: format!("PKN 1234-{index}/A"),
            ..debit(index + 1)
        });
    let written = DirectDebitFile::new(
        "KN-SOLL-2025-02",
        NaiveDateTime::from_str("2025-01-31T16:05:00").unwrap(),
        creditor,
        date("2025-02-05"),
    )
    .debits(debits)
    .build()
    .unwrap();
    assert!(written.xml.is_ascii(), "transliterated into the Latin set");
    assert!(written
        .xml
        .contains("<Nm>Kinder- + Jugendhilfe Loebtau e.V. (Traeger)</Nm>"));
    assert!(written.xml.contains("<Nm>AERGER, OEZIL + UEBEL</Nm>"));
    assert!(written.xml.contains("<Nm>O'Brien, Siobhan</Nm>"));
    assert_all_valid(&validate("special", &[("special", &written.xml)]));
}

#[test]
fn large_amounts_are_valid() {
    let debits = (1..=5)
        .map(|number| Debit {
            amount: euros("999999999.99"),
            ..debit(number)
        })
        .chain([Debit {
            amount: euros("0.01"),
            ..debit(6)
        }]);
    let written = file().debits(debits).build().unwrap();
    assert_eq!(written.control_sum, euros("4999999999.96"));
    assert!(written.xml.contains("<CtrlSum>4999999999.96</CtrlSum>"));
    assert_all_valid(&validate("large", &[("large", &written.xml)]));
}

/// The validator must be able to say no, or the tests above prove nothing.
#[test]
fn broken_documents_are_rejected() {
    let valid = file().debits((1..=3).map(debit)).build().unwrap().xml;
    let broken = |from: &str, to: &str| {
        assert!(valid.contains(from), "{from}");
        valid.replacen(from, to, 1)
    };
    let unknown_sequence = broken("<SeqTp>RCUR</SeqTp>", "<SeqTp>XXXX</SeqTp>");
    let no_message_id = broken("<MsgId>KN-SOLL-2025-02</MsgId>", "");
    let iban_with_spaces = broken(
        "<IBAN>DE69850503003120001243</IBAN>",
        "<IBAN>DE69 8505 0300 3120 0012 43</IBAN>",
    );
    let long_name = broken(
        "<Nm>Anna Schmidt</Nm>",
        &format!("<Nm>{}</Nm>", "A".repeat(141)),
    );
    let wrong_total = broken("<CtrlSum>568.08</CtrlSum>", "<CtrlSum>568.09</CtrlSum>");
    let wrong_count = broken("<NbOfTxs>3</NbOfTxs>", "<NbOfTxs>4</NbOfTxs>");
    let old_namespace = valid.replace("pain.008.001.08", "pain.008.001.02");
    let cut_off = valid[..valid.len() / 2].to_owned();

    let verdicts = validate(
        "broken",
        &[
            ("valid", &valid),
            ("unknown-sequence", &unknown_sequence),
            ("no-message-id", &no_message_id),
            ("iban-with-spaces", &iban_with_spaces),
            ("long-name", &long_name),
            ("wrong-total", &wrong_total),
            ("wrong-count", &wrong_count),
            ("old-namespace", &old_namespace),
            ("cut-off", &cut_off),
        ],
    );
    assert_eq!(verdicts["valid"], Ok(()), "the unbroken original passes");
    for (name, verdict) in &verdicts {
        if name != "valid" {
            let reasons = verdict
                .as_ref()
                .expect_err(&format!("{name} must be rejected"));
            assert!(!reasons.is_empty(), "{name} is rejected with a reason");
        }
    }
    assert!(verdicts["wrong-total"]
        .as_ref()
        .unwrap_err()
        .contains("CtrlSum"));
    assert!(verdicts["wrong-count"]
        .as_ref()
        .unwrap_err()
        .contains("NbOfTxs"));
}
