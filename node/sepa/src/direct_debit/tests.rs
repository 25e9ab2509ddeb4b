use super::*;
use crate::amount::AmountError;
use std::str::FromStr;

fn date(text: &str) -> NaiveDate {
    NaiveDate::from_str(text).unwrap()
}

fn euros(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

/// The city's fee office with the account printed on its fee decisions (seed 004, annex J) and
/// the Bundesbank's test creditor id.
fn creditor() -> Creditor {
    Creditor {
        name: "Landeshauptstadt Dresden Eigenbetrieb Kitas".into(),
        iban: Iban::parse("DE69 8505 0300 3120 0012 43").unwrap(),
        bic: Some(Bic::parse("OSDDDE81").unwrap()),
        creditor_id: CreditorId::parse("DE98ZZZ09999999999").unwrap(),
    }
}

/// A recurring debit of the Krippe fee, collected on the file's date.
fn debit(number: usize) -> Debit {
    Debit {
        end_to_end_id: format!("KN-2025-02-{number:04}"),
        amount: euros("189.36"),
        mandate_reference: format!("PKN1234{number:04}"),
        mandate_signed_on: date("2024-08-01"),
        sequence: SequenceType::Recurring,
        debtor_name: "Anna Schmidt".into(),
        debtor_iban: Iban::parse("DE89 3704 0044 0532 0130 00").unwrap(),
        debtor_bic: None,
        remittance_text: Some("Elternbeitrag Februar 2025".into()),
        collection_date: None,
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

fn problems(file: &DirectDebitFile) -> Vec<Problem> {
    file.build().expect_err("the file must be refused").problems
}

fn kinds(file: &DirectDebitFile) -> Vec<(Field, ProblemKind)> {
    problems(file)
        .into_iter()
        .map(|p| (p.field, p.kind))
        .collect()
}

#[test]
fn a_single_debit_is_written_completely() {
    let written = file().debit(debit(1)).build().unwrap();
    let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.08">
  <CstmrDrctDbtInitn>
    <GrpHdr>
      <MsgId>KN-SOLL-2025-02</MsgId>
      <CreDtTm>2025-01-31T16:05:00</CreDtTm>
      <NbOfTxs>1</NbOfTxs>
      <CtrlSum>189.36</CtrlSum>
      <InitgPty>
        <Nm>Landeshauptstadt Dresden Eigenbetrieb Kitas</Nm>
      </InitgPty>
    </GrpHdr>
    <PmtInf>
      <PmtInfId>KN-SOLL-2025-02-1</PmtInfId>
      <PmtMtd>DD</PmtMtd>
      <NbOfTxs>1</NbOfTxs>
      <CtrlSum>189.36</CtrlSum>
      <PmtTpInf>
        <SvcLvl>
          <Cd>SEPA</Cd>
        </SvcLvl>
        <LclInstrm>
          <Cd>CORE</Cd>
        </LclInstrm>
        <SeqTp>RCUR</SeqTp>
      </PmtTpInf>
      <ReqdColltnDt>2025-02-05</ReqdColltnDt>
      <Cdtr>
        <Nm>Landeshauptstadt Dresden Eigenbetrieb Kitas</Nm>
      </Cdtr>
      <CdtrAcct>
        <Id>
          <IBAN>DE69850503003120001243</IBAN>
        </Id>
      </CdtrAcct>
      <CdtrAgt>
        <FinInstnId>
          <BICFI>OSDDDE81</BICFI>
        </FinInstnId>
      </CdtrAgt>
      <ChrgBr>SLEV</ChrgBr>
      <CdtrSchmeId>
        <Id>
          <PrvtId>
            <Othr>
              <Id>DE98ZZZ09999999999</Id>
              <SchmeNm>
                <Prtry>SEPA</Prtry>
              </SchmeNm>
            </Othr>
          </PrvtId>
        </Id>
      </CdtrSchmeId>
      <DrctDbtTxInf>
        <PmtId>
          <EndToEndId>KN-2025-02-0001</EndToEndId>
        </PmtId>
        <InstdAmt Ccy="EUR">189.36</InstdAmt>
        <DrctDbtTx>
          <MndtRltdInf>
            <MndtId>PKN12340001</MndtId>
            <DtOfSgntr>2024-08-01</DtOfSgntr>
          </MndtRltdInf>
        </DrctDbtTx>
        <DbtrAgt>
          <FinInstnId>
            <Othr>
              <Id>NOTPROVIDED</Id>
            </Othr>
          </FinInstnId>
        </DbtrAgt>
        <Dbtr>
          <Nm>Anna Schmidt</Nm>
        </Dbtr>
        <DbtrAcct>
          <Id>
            <IBAN>DE89370400440532013000</IBAN>
          </Id>
        </DbtrAcct>
        <RmtInf>
          <Ustrd>Elternbeitrag Februar 2025</Ustrd>
        </RmtInf>
      </DrctDbtTxInf>
    </PmtInf>
  </CstmrDrctDbtInitn>
</Document>"#;
    assert_eq!(written.xml, expected);
    assert_eq!(written.transactions, 1);
    assert_eq!(written.control_sum, euros("189.36"));
}

#[test]
fn blocks_are_one_per_collection_date_and_sequence_type_in_that_order() {
    let mut first = debit(1);
    first.sequence = SequenceType::First;
    let mut later = debit(3);
    later.collection_date = Some(date("2025-02-15"));
    later.amount = euros("78.89");
    let mut final_one = debit(4);
    final_one.sequence = SequenceType::Final;
    let mut one_off = debit(5);
    one_off.sequence = SequenceType::OneOff;
    one_off.amount = euros("25.00");
    let written = file()
        .debits([later, debit(2), one_off, first, final_one, debit(6)])
        .build()
        .unwrap();

    let blocks: Vec<_> = written
        .payment_blocks
        .iter()
        .map(|b| {
            (
                b.id.as_str(),
                b.collection_date.to_string(),
                b.sequence.code(),
                b.transactions,
                b.control_sum.to_string(),
            )
        })
        .collect();
    assert_eq!(
        blocks,
        [
            (
                "KN-SOLL-2025-02-1",
                "2025-02-05".into(),
                "FRST",
                1,
                "189.36".into()
            ),
            (
                "KN-SOLL-2025-02-2",
                "2025-02-05".into(),
                "RCUR",
                2,
                "378.72".into()
            ),
            (
                "KN-SOLL-2025-02-3",
                "2025-02-05".into(),
                "FNAL",
                1,
                "189.36".into()
            ),
            (
                "KN-SOLL-2025-02-4",
                "2025-02-05".into(),
                "OOFF",
                1,
                "25.00".into()
            ),
            (
                "KN-SOLL-2025-02-5",
                "2025-02-15".into(),
                "RCUR",
                1,
                "78.89".into()
            ),
        ]
    );
    assert_eq!(written.transactions, 6);
    assert_eq!(written.control_sum, euros("861.33"));
    assert_eq!(written.xml.matches("<PmtInf>").count(), 5);
    assert_eq!(written.xml.matches("<DrctDbtTxInf>").count(), 6);
    // Within a block the debits keep their order.
    let second = written.xml.find("KN-2025-02-0002").unwrap();
    let sixth = written.xml.find("KN-2025-02-0006").unwrap();
    assert!(second < sixth);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let build = || file().debits((1..=20).map(debit)).build().unwrap().xml;
    assert_eq!(build(), build());
}

#[test]
fn names_and_remittance_texts_are_transliterated_identifiers_kept() {
    let mut special = debit(1);
    special.debtor_name = "Jörg Müller-Lüdenscheidt & Søren O’Brien".into();
    special.remittance_text = Some("Elternbeitrag März 2025, Kita „Sonnenblume“".into());
    let refused = file().debit(special.clone());
    assert_eq!(
        kinds(&refused),
        [(
            Field::RemittanceText,
            ProblemKind::Text(TextError::ForbiddenCharacter {
                character: '„',
                position: 31
            })
        )],
        "typographic quotes have no meaning-similar SEPA character"
    );
    special.remittance_text =
        Some("Elternbeitrag März 2025, Kita Sonnenblume (Kräutergarten)".into());
    let written = file().debit(special).build().unwrap();
    assert!(written
        .xml
        .contains("<Nm>Joerg Mueller-Luedenscheidt + Soren O'Brien</Nm>"));
    assert!(written
        .xml
        .contains("<Ustrd>Elternbeitrag Maerz 2025, Kita Sonnenblume (Kraeutergarten)</Ustrd>"));
    assert!(written.xml.is_ascii());
}

#[test]
fn amounts_must_be_whole_cents_and_positive() {
    let mut fraction = debit(1);
    fraction.amount = euros("189.365");
    let mut zero = debit(2);
    zero.amount = euros("0.00");
    let mut negative = debit(3);
    negative.amount = euros("-5.00");
    assert_eq!(
        kinds(&file().debits([fraction, zero, negative])),
        [
            (
                Field::Amount,
                ProblemKind::Amount(AmountError::FractionOfCent(euros("189.365")))
            ),
            (
                Field::Amount,
                ProblemKind::Amount(AmountError::NotPositive(euros("0.00")))
            ),
            (
                Field::Amount,
                ProblemKind::Amount(AmountError::NotPositive(euros("-5.00")))
            ),
        ]
    );
}

#[test]
fn maximum_lengths_are_enforced_not_cut() {
    let mut at_limits = debit(1);
    at_limits.end_to_end_id = "E".repeat(35);
    at_limits.mandate_reference = "M".repeat(35);
    at_limits.debtor_name = "N".repeat(70);
    at_limits.remittance_text = Some("U".repeat(140));
    let mut creditor_at_limit = creditor();
    creditor_at_limit.name = "C".repeat(70);
    let at_limit = DirectDebitFile::new(
        "I".repeat(30),
        NaiveDateTime::from_str("2025-01-31T16:05:00").unwrap(),
        creditor_at_limit,
        date("2025-02-05"),
    );
    assert!(at_limit.clone().debit(at_limits).build().is_ok());

    let mut over = debit(1);
    over.end_to_end_id = "E".repeat(36);
    over.mandate_reference = "M".repeat(36);
    over.debtor_name = "N".repeat(71);
    over.remittance_text = Some("U".repeat(141));
    let too_long = |max, found| {
        ProblemKind::Text(TextError::TooLong {
            max,
            found,
            transliterated: false,
        })
    };
    assert_eq!(
        kinds(&file().debit(over)),
        [
            (Field::EndToEndId, too_long(35, 36)),
            (Field::MandateReference, too_long(35, 36)),
            (Field::DebtorName, too_long(70, 71)),
            (Field::RemittanceText, too_long(140, 141)),
        ]
    );

    let mut long_creditor = creditor();
    long_creditor.name = "C".repeat(71);
    let long_header = DirectDebitFile::new(
        "I".repeat(31),
        NaiveDateTime::from_str("2025-01-31T16:05:00").unwrap(),
        long_creditor,
        date("2025-02-05"),
    )
    .debit(debit(1));
    assert_eq!(
        kinds(&long_header),
        [
            (Field::MessageId, too_long(30, 31)),
            (Field::CreditorName, too_long(70, 71)),
        ]
    );
}

#[test]
fn every_problem_is_listed_with_its_debit() {
    let mut umlaut_mandate = debit(2);
    umlaut_mandate.mandate_reference = "MÜLLER-1".into();
    let mut too_early = debit(3);
    too_early.collection_date = Some(date("2025-01-30"));
    let mut signed_later = debit(4);
    signed_later.mandate_signed_on = date("2025-02-01");
    let duplicate = debit(1);
    let refused = file()
        .debits([debit(1), umlaut_mandate, too_early, signed_later, duplicate])
        .build()
        .unwrap_err();
    let summary: Vec<(Place, Field)> = refused
        .problems
        .iter()
        .map(|p| (p.place.clone(), p.field))
        .collect();
    let place = |number: usize, id: &str| Place::Debit {
        number,
        end_to_end_id: id.into(),
    };
    assert_eq!(
        summary,
        [
            (place(2, "KN-2025-02-0002"), Field::MandateReference),
            (place(3, "KN-2025-02-0003"), Field::CollectionDate),
            (place(4, "KN-2025-02-0004"), Field::MandateSignedOn),
            (place(5, "KN-2025-02-0001"), Field::EndToEndId),
        ]
    );
    assert_eq!(
        refused.problems[3].kind,
        ProblemKind::DuplicateEndToEndId { first: 1 }
    );
    let message = refused.to_string();
    assert!(message.starts_with(
        "Die Lastschriftdatei wurde nicht erstellt / the direct-debit file was not written:\n- "
    ));
    assert!(message.contains(
        "- Lastschrift 3 / debit 3 (\"KN-2025-02-0003\"), Fälligkeitstag / collection date \
         (ReqdColltnDt): Fälligkeitstag 2025-01-30 liegt vor dem Erstellungstag der Datei \
         (2025-01-31)"
    ));
    assert!(
        message.contains("identifiers are never transliterated"),
        "{message}"
    );
}

#[test]
fn a_file_without_debits_is_refused() {
    assert_eq!(kinds(&file()), [(Field::Debits, ProblemKind::NoDebits)]);
}

#[test]
fn collection_on_the_day_of_creation_and_mandates_signed_that_day_are_fine() {
    let mut same_day = debit(1);
    same_day.collection_date = Some(date("2025-01-31"));
    same_day.mandate_signed_on = date("2025-01-31");
    assert!(file().debit(same_day).build().is_ok());
}

#[test]
fn sequence_types_persist_as_their_codes() {
    for sequence in [
        SequenceType::First,
        SequenceType::Recurring,
        SequenceType::Final,
        SequenceType::OneOff,
    ] {
        let json = serde_json::to_string(&sequence).unwrap();
        assert_eq!(json, format!("\"{}\"", sequence.code()));
        assert_eq!(
            serde_json::from_str::<SequenceType>(&json).unwrap(),
            sequence
        );
    }
}
