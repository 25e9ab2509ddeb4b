//! Writes a checked file as pain.008.001.08 (ISO 20022 CustomerDirectDebitInitiationV08), the
//! version of the EPC's 2023 rulebooks and of the DK's DFÜ-Abkommen Anlage 3 since November
//! 2023. Persisted format: the bytes go to the bank as they are.
//!
//! Shape (EPC SDD Core Implementation Guidelines): a group header with the totals; per block the
//! service level `SEPA`, local instrument `CORE`, the sequence type and collection date, the
//! creditor with account, agent and creditor id (`CdtrSchmeId`, scheme `SEPA`), charges `SLEV`;
//! per debit the end-to-end id, amount, mandate, debtor's agent, name and account, remittance
//! text. An agent without BIC is written `Othr/Id NOTPROVIDED` (IBAN-only).

use super::{CheckedDebit, CheckedFile, PaymentBlock};
use crate::bic::Bic;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::io;

/// The XML namespace of the documents written.
pub const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08";
/// The schema they conform to (the ISO 20022 XSD, as shipped in PyPI `sepaxml`).
pub const SCHEMA: &str = "pain.008.001.08";

type Xml = Writer<Vec<u8>>;

pub(super) fn write(file: &CheckedFile) -> String {
    let mut xml = Writer::new_with_indent(Vec::new(), b' ', 2);
    document(&mut xml, file).expect("writing XML into memory cannot fail");
    String::from_utf8(xml.into_inner()).expect("the writer is given UTF-8 only")
}

fn document(xml: &mut Xml, file: &CheckedFile) -> io::Result<()> {
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    xml.create_element("Document")
        .with_attribute(("xmlns", NAMESPACE))
        .write_inner_content(|xml| {
            nested(xml, "CstmrDrctDbtInitn", |xml| {
                group_header(xml, file)?;
                file.blocks
                    .iter()
                    .try_for_each(|block| payment_information(xml, file, block))
            })
        })?;
    Ok(())
}

fn group_header(xml: &mut Xml, file: &CheckedFile) -> io::Result<()> {
    nested(xml, "GrpHdr", |xml| {
        text(xml, "MsgId", &file.message_id)?;
        let created = file.created_at.format("%Y-%m-%dT%H:%M:%S").to_string();
        text(xml, "CreDtTm", &created)?;
        text(xml, "NbOfTxs", &file.transactions.to_string())?;
        text(xml, "CtrlSum", &format!("{:.2}", file.control_sum))?;
        nested(xml, "InitgPty", |xml| text(xml, "Nm", &file.creditor_name))
    })
}

fn payment_information(xml: &mut Xml, file: &CheckedFile, block: &PaymentBlock) -> io::Result<()> {
    let creditor = &file.creditor;
    nested(xml, "PmtInf", |xml| {
        text(xml, "PmtInfId", &block.id)?;
        text(xml, "PmtMtd", "DD")?;
        text(xml, "NbOfTxs", &block.debits.len().to_string())?;
        text(xml, "CtrlSum", &format!("{:.2}", block.control_sum))?;
        nested(xml, "PmtTpInf", |xml| {
            nested(xml, "SvcLvl", |xml| text(xml, "Cd", "SEPA"))?;
            nested(xml, "LclInstrm", |xml| text(xml, "Cd", "CORE"))?;
            text(xml, "SeqTp", block.sequence.code())
        })?;
        text(xml, "ReqdColltnDt", &block.collection_date.to_string())?;
        nested(xml, "Cdtr", |xml| text(xml, "Nm", &file.creditor_name))?;
        account(xml, "CdtrAcct", creditor.iban.compact())?;
        agent(xml, "CdtrAgt", creditor.bic.as_ref())?;
        text(xml, "ChrgBr", "SLEV")?;
        nested(xml, "CdtrSchmeId", |xml| {
            nested(xml, "Id", |xml| {
                nested(xml, "PrvtId", |xml| {
                    nested(xml, "Othr", |xml| {
                        text(xml, "Id", creditor.creditor_id.as_str())?;
                        nested(xml, "SchmeNm", |xml| text(xml, "Prtry", "SEPA"))
                    })
                })
            })
        })?;
        block
            .debits
            .iter()
            .try_for_each(|debit| transaction(xml, debit))
    })
}

fn transaction(xml: &mut Xml, debit: &CheckedDebit) -> io::Result<()> {
    nested(xml, "DrctDbtTxInf", |xml| {
        nested(xml, "PmtId", |xml| {
            text(xml, "EndToEndId", &debit.end_to_end_id)
        })?;
        xml.create_element("InstdAmt")
            .with_attribute(("Ccy", "EUR"))
            .write_text_content(BytesText::new(&debit.amount.to_string()))?;
        nested(xml, "DrctDbtTx", |xml| {
            nested(xml, "MndtRltdInf", |xml| {
                text(xml, "MndtId", &debit.mandate_reference)?;
                text(xml, "DtOfSgntr", &debit.mandate_signed_on.to_string())
            })
        })?;
        agent(xml, "DbtrAgt", debit.debtor_bic.as_ref())?;
        nested(xml, "Dbtr", |xml| text(xml, "Nm", &debit.debtor_name))?;
        account(xml, "DbtrAcct", debit.debtor_iban.compact())?;
        if let Some(remittance) = &debit.remittance_text {
            nested(xml, "RmtInf", |xml| text(xml, "Ustrd", remittance))?;
        }
        Ok(())
    })
}

fn account(xml: &mut Xml, name: &str, iban: &str) -> io::Result<()> {
    nested(xml, name, |xml| {
        nested(xml, "Id", |xml| text(xml, "IBAN", iban))
    })
}

fn agent(xml: &mut Xml, name: &str, bic: Option<&Bic>) -> io::Result<()> {
    nested(xml, name, |xml| {
        nested(xml, "FinInstnId", |xml| match bic {
            Some(bic) => text(xml, "BICFI", bic.as_str()),
            None => nested(xml, "Othr", |xml| text(xml, "Id", "NOTPROVIDED")),
        })
    })
}

fn nested(
    xml: &mut Xml,
    name: &str,
    content: impl FnOnce(&mut Xml) -> io::Result<()>,
) -> io::Result<()> {
    xml.create_element(name).write_inner_content(content)?;
    Ok(())
}

/// An element with text. Everything passed here is already in the SEPA character set, which
/// has no markup characters; the escaping is the writer's guarantee anyway. In element content
/// only `&`, `<` and `>` need escaping (XML 1.0 § 2.4), so an apostrophe stays readable.
fn text(xml: &mut Xml, name: &str, value: &str) -> io::Result<()> {
    xml.create_element(name)
        .write_text_content(BytesText::from_escaped(partial_escape(value)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_in_text() {
        let mut xml = Writer::new(Vec::new());
        text(&mut xml, "Nm", "A & B <C> O'Brien").unwrap();
        assert_eq!(
            String::from_utf8(xml.into_inner()).unwrap(),
            "<Nm>A &amp; B &lt;C&gt; O'Brien</Nm>"
        );
    }

    #[test]
    fn an_agent_without_bic_is_not_provided() {
        let mut xml = Writer::new(Vec::new());
        agent(&mut xml, "DbtrAgt", None).unwrap();
        assert_eq!(
            String::from_utf8(xml.into_inner()).unwrap(),
            "<DbtrAgt><FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId></DbtrAgt>"
        );
    }
}
