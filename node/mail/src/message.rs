//! The mail the portal wants to send, its checks, and how it becomes an RFC 5322 message.

use crate::MailError;
use lettre::message::header::ContentType;
use lettre::message::{Attachment as LettreAttachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use std::time::{SystemTime, UNIX_EPOCH};

/// One mail to one or more recipients.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutgoingMail {
    /// Recipients, each `a@b.example` or `Name <a@b.example>`.
    pub to: Vec<String>,
    /// UTF-8; sent as an RFC 2047 encoded word when it is not ASCII.
    pub subject: String,
    /// The plain-text body; every mail has one (text-only clients, screen readers).
    pub text: String,
    /// An HTML alternative of `text`; with it the body is `multipart/alternative`.
    pub html: Option<String>,
    /// Files sent along; with any, the mail is `multipart/mixed`.
    pub attachments: Vec<Attachment>,
}

/// A file sent with a mail, base64-encoded on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name the recipient sees, e.g. `Aufnahmebestätigung.pdf`.
    pub filename: String,
    /// A MIME type, e.g. `application/pdf`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl OutgoingMail {
    /// Checks the mail without sending it: every recipient is an e-mail address, the subject
    /// and text are not empty, no header value contains a line break (header injection), and
    /// every attachment has a name and a MIME type. Errors name recipients by position, not by
    /// address, so that they can be logged.
    pub fn validate(&self) -> Result<(), MailError> {
        self.recipients().map(|_| ())?;
        self.check_fields()
    }

    fn recipients(&self) -> Result<Vec<Mailbox>, MailError> {
        if self.to.is_empty() {
            return Err(MailError::InvalidMail("it has no recipient".into()));
        }
        self.to
            .iter()
            .enumerate()
            .map(|(index, to)| {
                to.trim()
                    .parse::<Mailbox>()
                    .map_err(|e| MailError::InvalidRecipient {
                        index,
                        reason: e.to_string(),
                    })
            })
            .collect()
    }

    fn check_fields(&self) -> Result<(), MailError> {
        if self.subject.trim().is_empty() {
            return Err(MailError::InvalidMail("the subject is empty".into()));
        }
        if has_line_break(&self.subject) {
            return Err(MailError::InvalidMail(
                "the subject contains a line break".into(),
            ));
        }
        if self.text.trim().is_empty() {
            return Err(MailError::InvalidMail(
                "the plain text is empty (every mail needs one, also when it has HTML)".into(),
            ));
        }
        for (i, a) in self.attachments.iter().enumerate() {
            if a.filename.trim().is_empty() || has_line_break(&a.filename) {
                return Err(MailError::InvalidMail(format!(
                    "attachment {i}: the file name is empty or contains a line break"
                )));
            }
            if ContentType::parse(&a.content_type).is_err() {
                return Err(MailError::InvalidMail(format!(
                    "attachment {i}: {:?} is not a MIME type such as application/pdf",
                    a.content_type
                )));
            }
        }
        Ok(())
    }

    /// The RFC 5322 message, validated, dated now, with a Message-ID in the sender's domain
    /// (not the machine's host name).
    pub(crate) fn to_message(&self, from: &Mailbox) -> Result<Message, MailError> {
        let recipients = self.recipients()?;
        self.check_fields()?;
        let mut builder = Message::builder()
            .from(from.clone())
            .subject(self.subject.clone())
            .message_id(Some(message_id(from)));
        for to in recipients {
            builder = builder.to(to);
        }
        let body = match &self.html {
            Some(html) => Body::Multi(MultiPart::alternative_plain_html(
                self.text.clone(),
                html.clone(),
            )),
            None => Body::Single(SinglePart::plain(self.text.clone())),
        };
        let built = if self.attachments.is_empty() {
            match body {
                Body::Single(part) => builder.singlepart(part),
                Body::Multi(part) => builder.multipart(part),
            }
        } else {
            let mut mixed = match body {
                Body::Single(part) => MultiPart::mixed().singlepart(part),
                Body::Multi(part) => MultiPart::mixed().multipart(part),
            };
            for a in &self.attachments {
                let content_type =
                    ContentType::parse(&a.content_type).expect("checked in check_fields");
                // `Vec<u8>` bodies are always base64-encoded by lettre.
                mixed = mixed.singlepart(
                    LettreAttachment::new(a.filename.clone()).body(a.bytes.clone(), content_type),
                );
            }
            builder.multipart(mixed)
        };
        built.map_err(|e| MailError::InvalidMail(e.to_string()))
    }
}

enum Body {
    Single(SinglePart),
    Multi(MultiPart),
}

fn has_line_break(s: &str) -> bool {
    s.contains(['\r', '\n'])
}

fn message_id(from: &Mailbox) -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!(
        "<{millis}.{:016x}@{}>",
        fastrand::u64(..),
        from.email.domain()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> OutgoingMail {
        OutgoingMail {
            to: vec!["eltern@example.org".into()],
            subject: "Bestätigung".into(),
            text: "Grüße".into(),
            ..Default::default()
        }
    }

    #[test]
    fn named_and_bare_recipients_parse() {
        let mut m = mail();
        m.to = vec![
            "Jana Müller <jana@example.org>".into(),
            " kai@example.org ".into(),
        ];
        m.validate().unwrap();
    }

    #[test]
    fn problems_are_found_before_sending() {
        type Change = fn(&mut OutgoingMail);
        let cases: Vec<(Change, &str)> = vec![
            (|m| m.to.clear(), "no recipient"),
            (|m| m.to.push("kein-at-zeichen".into()), "recipient 1"),
            (|m| m.subject = " ".into(), "subject is empty"),
            (|m| m.subject = "a\r\nBcc: x@y.z".into(), "line break"),
            (|m| m.text.clear(), "plain text is empty"),
            (
                |m| {
                    m.attachments.push(Attachment {
                        filename: "a.pdf".into(),
                        content_type: "pdf".into(),
                        bytes: vec![],
                    })
                },
                "attachment 0",
            ),
        ];
        for (change, expected) in cases {
            let mut m = mail();
            change(&mut m);
            let err = m.validate().unwrap_err();
            assert!(err.to_string().contains(expected), "{expected}: {err}");
            assert!(err.is_permanent());
        }
    }

    #[test]
    fn message_id_is_in_the_senders_domain() {
        let from: Mailbox = "Kita-Portal <portal@musterstadt.example>".parse().unwrap();
        let raw = String::from_utf8(mail().to_message(&from).unwrap().formatted()).unwrap();
        let id = raw
            .lines()
            .find(|l| l.starts_with("Message-ID:"))
            .expect("a Message-ID header");
        assert!(id.ends_with("@musterstadt.example>"), "{id}");
    }
}
