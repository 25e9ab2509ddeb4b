//! `SmtpMailer` against `TestSmtpServer`: what arrives, and how failures are classified.

use crate::fixtures::{self, LINK, WAIT};
use kitanetz_mail::{Fault, MailError, Mailer, OutgoingMail, Password, SmtpMailer, TestSmtpServer};
use std::net::TcpListener;
use std::time::Duration;

#[tokio::test]
async fn a_german_mail_with_a_link_arrives_intact() {
    let server = TestSmtpServer::start();
    fixtures::smtp_mailer(&server)
        .send(&fixtures::verification())
        .await
        .unwrap();

    let received = server.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.from, "kita-portal@musterstadt.example");
    assert_eq!(mail.to, ["jana.mueller@example.org"]);
    // On the wire everything is 7-bit: umlauts travel encoded, none is lost to a relay.
    assert!(mail.raw.is_ascii(), "{}", mail.raw);
    assert_eq!(
        mail.subject().as_deref(),
        Some("Bitte bestätigen Sie Ihre E-Mail-Adresse – Kita-Portal Größenbüttel")
    );
    let content_type = mail.header("Content-Type").unwrap();
    assert!(
        content_type.starts_with("multipart/alternative"),
        "{content_type}"
    );
    let text = mail.decoded_text();
    assert!(text.contains("Guten Tag Frau Müller"), "{text}");
    assert!(text.contains("Äußerst wichtig"), "{text}");
    assert!(text.contains("Freundliche Grüße"), "{text}");
    // The link survives quoted-printable line wrapping in one piece.
    assert!(text.contains(LINK), "{text}");
    let html = mail.decoded_html().expect("an HTML alternative");
    assert!(html.contains(&format!("href=\"{LINK}\"")), "{html}");
    assert!(mail.attachments().is_empty());
    let from = mail.header("From").unwrap();
    assert!(
        from.ends_with("<kita-portal@musterstadt.example>"),
        "{from}"
    );
}

#[tokio::test]
async fn a_text_only_mail_is_a_single_utf8_part() {
    let server = TestSmtpServer::start();
    let mut mail = fixtures::verification();
    mail.html = None;
    // Lines that start with a dot are dot-stuffed by lettre and unstuffed by the server.
    mail.text.push_str(".\n..zwei Punkte\n");
    fixtures::smtp_mailer(&server).send(&mail).await.unwrap();
    let received = server.wait_for(1, WAIT).await;
    let content_type = received[0].header("Content-Type").unwrap();
    assert_eq!(
        content_type.to_ascii_lowercase(),
        "text/plain; charset=utf-8"
    );
    assert_eq!(received[0].decoded_html(), None);
    let text = received[0].decoded_text();
    assert!(text.contains(LINK), "{text}");
    assert!(text.contains("\r\n.\r\n..zwei Punkte\r\n"), "{text:?}");
}

#[tokio::test]
async fn an_attachment_arrives_base64_encoded_and_unchanged() {
    let server = TestSmtpServer::start();
    fixtures::smtp_mailer(&server)
        .send(&fixtures::receipt())
        .await
        .unwrap();

    let received = server.wait_for(1, WAIT).await;
    let mail = &received[0];
    assert!(mail
        .header("Content-Type")
        .unwrap()
        .starts_with("multipart/mixed"));
    assert!(
        mail.raw.contains("Content-Transfer-Encoding: base64"),
        "{}",
        mail.raw
    );
    assert!(mail
        .decoded_text()
        .contains("Ihr Antrag auf einen Kita-Platz"));
    let attachments = mail.attachments();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].filename, "Eingangsbestätigung.pdf");
    assert_eq!(attachments[0].content_type, "application/pdf");
    assert_eq!(attachments[0].bytes, fixtures::pdf_bytes());
}

#[tokio::test]
async fn every_recipient_is_in_the_envelope() {
    let server = TestSmtpServer::start();
    let mut mail = fixtures::verification();
    mail.to.push("kai.mueller@example.org".into());
    fixtures::smtp_mailer(&server).send(&mail).await.unwrap();
    let received = server.wait_for(1, WAIT).await;
    assert_eq!(
        received[0].to,
        ["jana.mueller@example.org", "kai.mueller@example.org"]
    );
}

#[tokio::test]
async fn an_unknown_mailbox_is_a_permanent_failure() {
    let server = TestSmtpServer::start();
    server.inject(Fault::RejectRecipient);
    let err = fixtures::smtp_mailer(&server)
        .send(&fixtures::verification())
        .await
        .unwrap_err();
    assert!(err.is_permanent(), "{err}");
    assert!(
        matches!(&err, MailError::Rejected { code: 550, message } if message.contains("5.1.1")),
        "{err:?}"
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_deferred_recipient_is_transient_and_the_retry_arrives() {
    let server = TestSmtpServer::start();
    server.inject(Fault::DeferRecipient);
    let mailer = fixtures::smtp_mailer(&server);
    let err = mailer.send(&fixtures::verification()).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(
        matches!(err, MailError::Deferred { code: 451, .. }),
        "{err:?}"
    );
    mailer.send(&fixtures::verification()).await.unwrap();
    assert_eq!(server.wait_for(1, WAIT).await.len(), 1);
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn a_server_greeting_with_421_is_transient() {
    let server = TestSmtpServer::start();
    server.inject(Fault::Unavailable);
    let err = fixtures::smtp_mailer(&server)
        .send(&fixtures::verification())
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(
        matches!(err, MailError::Deferred { code: 421, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_closed_port_is_transient() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mailer = SmtpMailer::new(
        &fixtures::sender(),
        &kitanetz_mail::SmtpConfig::loopback(port),
    )
    .unwrap();
    let err = mailer.send(&fixtures::verification()).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(matches!(err, MailError::Unreachable(_)), "{err:?}");
    assert!(
        err.to_string().contains("check mail.transport.host"),
        "{err}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_as_transient() {
    let server = TestSmtpServer::start();
    server.inject(Fault::Silent);
    let timeout = Duration::from_millis(300);
    let mailer = fixtures::smtp_mailer(&server).with_timeout(timeout);
    let err = mailer.send(&fixtures::verification()).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(
        matches!(err, MailError::TimedOut(t) if t == timeout),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_login_is_sent_and_a_refused_one_is_transient() {
    let server = TestSmtpServer::start();
    let mut smtp = server.smtp_config();
    smtp.username = Some("kita-portal".into());
    smtp.password = Some(Password::new("geheim"));
    let mailer = SmtpMailer::new(&fixtures::sender(), &smtp).unwrap();
    mailer.send(&fixtures::verification()).await.unwrap();
    assert_eq!(server.wait_for(1, WAIT).await.len(), 1);

    server.inject(Fault::RejectLogin);
    let err = mailer.send(&fixtures::verification()).await.unwrap_err();
    // A wrong password hits every mail: retry until an operator fixes it, never drop.
    assert!(err.is_transient(), "{err}");
    assert!(
        matches!(err, MailError::LoginRefused { code: 535, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("mail.transport.password"), "{err}");
}

#[tokio::test]
async fn invalid_mails_are_refused_before_any_connection() {
    let server = TestSmtpServer::start();
    let mailer = fixtures::smtp_mailer(&server);
    type Change = fn(&mut OutgoingMail);
    type Expected = fn(&MailError) -> bool;
    let cases: [(Change, Expected); 4] = [
        (
            |m| m.to = vec!["jana.mueller(at)example.org".into()],
            |e| matches!(e, MailError::InvalidRecipient { index: 0, .. }),
        ),
        (
            |m| m.to.push("kai@".into()),
            |e| matches!(e, MailError::InvalidRecipient { index: 1, .. }),
        ),
        (|m| m.to.clear(), |e| matches!(e, MailError::InvalidMail(_))),
        (
            |m| m.subject.clear(),
            |e| matches!(e, MailError::InvalidMail(_)),
        ),
    ];
    for (change, expected) in cases {
        let mut mail = fixtures::verification();
        change(&mut mail);
        let err = mailer.send(&mail).await.unwrap_err();
        assert!(expected(&err), "{err:?}");
        assert!(err.is_permanent(), "{err}");
        // The address itself is not in the message (errors get logged).
        assert!(!err.to_string().contains("example.org"), "{err}");
    }
    assert_eq!(server.connections(), 0);
}
