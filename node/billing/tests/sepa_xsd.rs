//! The direct-debit files of a Soll-Stellung, validated against the official ISO 20022 XSD
//! (`pain.008.001.08.xsd` as shipped in PyPI `sepaxml`) with PyPI `xmlschema`, through the
//! validator of `kitanetz-sepa` (`node/sepa/tests/pain008/validate_xsd.py`, which also checks
//! NbOfTxs and CtrlSum). Needs `pip install sepaxml xmlschema` (`tools/setup` installs them) and
//! fails — never skips — without them. `KITANETZ_PYTHON` names another interpreter than
//! `python3`.

use chrono::{NaiveDate, NaiveDateTime};
use kitanetz_billing::sepa_export::{direct_debits, Collection, Mandate, NotCollectedReason};
use kitanetz_billing::{soll_stellung, Charge, ChargedAmount, DecidedAmount, FamilyNumber, Pkn};
use kitanetz_fees::{Money, Month};
use kitanetz_sepa::direct_debit::SCHEMA;
use kitanetz_sepa::{Creditor, CreditorId, Iban};
use std::path::Path;
use std::process::Command;
use std::str::FromStr;

/// The validator script, found from the crate's directory at run time (a test binary may have
/// been built in another checkout that shares the target directory).
fn validator() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../sepa/tests/pain008/validate_xsd.py")
}
const INSTALL: &str = "pip install sepaxml xmlschema";

/// Writes the file and returns the validator's verdict line for it.
fn validate(name: &str, xml: &str) -> String {
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("billing-pain008");
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join(format!("{name}.xml"));
    std::fs::write(&path, xml).unwrap();
    let python = std::env::var("KITANETZ_PYTHON").unwrap_or_else(|_| "python3".into());
    let output = Command::new(&python)
        .arg(validator())
        .arg(SCHEMA)
        .arg(&path)
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run {python} ({error}): install Python 3, then `{INSTALL}`")
        });
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0 | 1) => {}
        Some(3) => panic!(
            "{stderr}The XSD validation needs two Python packages: `{INSTALL}` (for {python}; or \
             set KITANETZ_PYTHON to an interpreter that has them)"
        ),
        _ => panic!(
            "the validator failed ({}):\n{stdout}\n{stderr}",
            output.status
        ),
    }
    let mut lines = stdout.lines();
    let header = lines.next().unwrap_or_default();
    assert!(
        header.contains(&format!("{SCHEMA}.xsd")),
        "the validator names the schema it used: {header:?}"
    );
    lines.next().unwrap_or_default().to_owned()
}

fn m(text: &str) -> Month {
    Month::parse(text).unwrap()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::from_str(text).unwrap()
}

const IBANS: &[&str] = &[
    "DE89 3704 0044 0532 0130 00",
    "AT61 1904 3002 3457 3201",
    "NL91 ABNA 0417 1643 00",
];

#[test]
fn the_direct_debit_file_of_a_soll_stellung_is_valid_pain_008() {
    let march = m("2025-03");
    let mut decided = Vec::new();
    let mut charged = Vec::new();
    let mut mandates = Vec::new();
    for family in 0..60u32 {
        let payer = FamilyNumber::parse(&format!("{:06}", 100_000 + family)).unwrap();
        for child in 1..=(1 + family % 3) as u8 {
            let pkn = Pkn::new(payer, child).unwrap();
            let fee = [18936, 11362, 0][usize::from(child - 1)];
            decided.push(DecidedAmount {
                pkn,
                month: march,
                charge: Charge::Fee,
                amount: Money::from_cents(fee),
                explanation: format!("{child}. Zählkind"),
            });
            if family % 4 == 0 {
                // January was charged in full; a waiver granted later credits it.
                charged.push(ChargedAmount {
                    pkn,
                    month: m("2025-01"),
                    charge: Charge::Fee,
                    amount: Money::from_cents(18936),
                });
                decided.push(DecidedAmount {
                    pkn,
                    month: m("2025-01"),
                    charge: Charge::Fee,
                    amount: Money::from_cents(9468),
                    explanation: "Ermäßigung § 13".into(),
                });
            }
            if family % 5 == 0 {
                decided.push(DecidedAmount {
                    pkn,
                    month: m("2025-02"),
                    charge: Charge::ExtraCare,
                    amount: Money::from_cents(2500),
                    explanation: "nach der Öffnungszeit abgeholt".into(),
                });
            }
        }
        if family % 7 != 6 {
            mandates.push(Mandate {
                payer,
                reference: format!("KN-{payer}-01"),
                signed_on: date("2024-08-01"),
                iban: IBANS[family as usize % IBANS.len()].into(),
                bic: (family % 2 == 0).then(|| "COBADEFFXXX".to_owned()),
                debtor_name: ["Anna Müller", "Jörg Weiß & Söhne", "Zoë Çelik"][family as usize % 3]
                    .into(),
            });
        }
    }
    let run = soll_stellung(march, Month::parse("2020-01").unwrap(), &decided, &charged).unwrap();
    let collection = Collection {
        message_id: "KN-SOLL-2025-03".into(),
        created_at: NaiveDateTime::from_str("2025-02-28T16:00:00").unwrap(),
        collection_date: date("2025-03-05"),
        creditor: Creditor {
            name: "Landeshauptstadt Dresden Eigenbetrieb Kindertageseinrichtungen".into(),
            iban: Iban::parse("DE69 8505 0300 3120 0012 43").unwrap(),
            bic: None,
            creditor_id: CreditorId::parse("DE98ZZZ09999999999").unwrap(),
        },
    };
    let debits = direct_debits(&run.positions, &mandates, &collection).unwrap();
    let file = debits.file.as_ref().expect("a file");
    assert!(file.transactions > 40);
    assert!(debits
        .not_collected
        .iter()
        .any(|n| n.reason == NotCollectedReason::NoMandate));
    assert_eq!(
        debits.collected_total() + debits.not_collected_total(),
        run.total()
    );
    let verdict = validate("soll-2025-03", &file.xml);
    assert!(verdict.starts_with("valid "), "{verdict}");
}
