//! Small mails and senders with fixed content.

use kitanetz_mail::{Attachment, OutgoingMail, Sender, SmtpMailer, TestSmtpServer};
use std::time::Duration;

/// Long enough for a loaded CI machine; a passing test never waits for it.
pub const WAIT: Duration = Duration::from_secs(10);

pub const LINK: &str = "https://portal.musterstadt.example/konto/bestaetigen?token=4f9c2a7e";

pub fn sender() -> Sender {
    Sender {
        address: "kita-portal@musterstadt.example".into(),
        name: Some("Kita-Portal Musterstadt – Jugendamt".into()),
    }
}

/// The verification mail, German, with a link in text and HTML.
pub fn verification() -> OutgoingMail {
    OutgoingMail {
        to: vec!["Jana Müller <jana.mueller@example.org>".into()],
        subject: "Bitte bestätigen Sie Ihre E-Mail-Adresse – Kita-Portal Größenbüttel".into(),
        text: format!(
            "Guten Tag Frau Müller,\n\n\
             bitte bestätigen Sie Ihre E-Mail-Adresse über diesen Link:\n{LINK}\n\n\
             Der Link ist 24 Stunden gültig. Äußerst wichtig: Geben Sie ihn nicht weiter.\n\n\
             Freundliche Grüße\nIhr Jugendamt Größenbüttel\n"
        ),
        html: Some(format!(
            "<p>Guten Tag Frau Müller,</p><p><a href=\"{LINK}\">E-Mail-Adresse bestätigen</a></p>"
        )),
        attachments: Vec::new(),
    }
}

/// A receipt for an application with a small PDF-like attachment (binary bytes included).
pub fn receipt() -> OutgoingMail {
    OutgoingMail {
        to: vec!["jana.mueller@example.org".into()],
        subject: "Eingangsbestätigung Ihres Antrags".into(),
        text: "Ihr Antrag auf einen Kita-Platz ist eingegangen. Die Bestätigung liegt bei.\n"
            .into(),
        html: None,
        attachments: vec![Attachment {
            filename: "Eingangsbestätigung.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: pdf_bytes(),
        }],
    }
}

pub fn pdf_bytes() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    bytes.extend(0u8..=255);
    bytes.extend_from_slice(b"\n.\r\n..\r\n%%EOF\n");
    bytes
}

pub fn smtp_mailer(server: &TestSmtpServer) -> SmtpMailer {
    SmtpMailer::new(&sender(), &server.smtp_config()).expect("loopback settings are valid")
}
