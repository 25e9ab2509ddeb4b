//! `FolderMailer` and `ConfiguredMailer` without a network.

use crate::fixtures::{self, LINK};
use kitanetz_mail::{
    ConfiguredMailer, FolderMailer, MailConfig, MailError, Mailer, ReceivedMail, TestSmtpServer,
    Transport,
};

#[tokio::test]
async fn the_folder_transport_writes_an_eml_file_a_mail_program_can_open() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = FolderMailer::new(&fixtures::sender(), dir.path().join("mails")).unwrap();
    let path = mailer.write(&fixtures::receipt()).await.unwrap();
    mailer.send(&fixtures::verification()).await.unwrap();

    let name = path.file_name().unwrap().to_str().unwrap();
    let (millis, rest) = name.split_once('-').unwrap();
    assert_eq!(millis.len(), 13, "{name}");
    assert!(millis.bytes().all(|b| b.is_ascii_digit()), "{name}");
    assert_eq!(rest.len(), "01234567.eml".len(), "{name}");
    assert!(rest.ends_with(".eml"), "{name}");
    let mut names: Vec<String> = std::fs::read_dir(mailer.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "no partial files left: {names:?}");
    assert!(names.iter().all(|n| n.ends_with(".eml")), "{names:?}");

    let receipt = ReceivedMail::from_eml(std::fs::read_to_string(&path).unwrap());
    assert!(receipt.raw.contains("\r\n"), "RFC 5322 line ends");
    assert_eq!(
        receipt.subject().as_deref(),
        Some("Eingangsbestätigung Ihres Antrags")
    );
    assert!(receipt.header("Date").is_some());
    assert!(receipt.header("Message-ID").is_some());
    assert_eq!(receipt.attachments()[0].bytes, fixtures::pdf_bytes());
    let other = names.iter().find(|n| **n != name).unwrap();
    let verification =
        ReceivedMail::from_eml(std::fs::read_to_string(mailer.dir().join(other)).unwrap());
    assert!(verification.decoded_text().contains(LINK));
}

#[tokio::test]
async fn a_folder_that_cannot_be_created_is_a_transient_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let mailer = FolderMailer::new(&fixtures::sender(), file.join("mails")).unwrap();
    let err = mailer.send(&fixtures::verification()).await.unwrap_err();
    assert!(matches!(err, MailError::Folder { .. }), "{err:?}");
    assert!(err.is_transient());
}

fn config(transport: &str) -> MailConfig {
    let text = format!(
        "from = {{ address = \"kita-portal@musterstadt.example\", name = \"Kita-Portal\" }}\n\
         [transport]\n{transport}"
    );
    toml::from_str(&text).unwrap()
}

#[tokio::test]
async fn the_configured_mailer_follows_the_transport() {
    let dir = tempfile::tempdir().unwrap();
    let folder = config(&format!(
        "kind = \"folder\"\npath = {:?}\n",
        dir.path().to_str().unwrap()
    ));
    let mailer = ConfiguredMailer::from_config(&folder).unwrap();
    mailer.send(&fixtures::verification()).await.unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let server = TestSmtpServer::start();
    let smtp = config(&format!(
        "kind = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n",
        server.port()
    ));
    assert!(matches!(smtp.transport, Transport::Smtp(_)));
    let mailer = ConfiguredMailer::from_config(&smtp).unwrap();
    mailer.send(&fixtures::verification()).await.unwrap();
    assert_eq!(server.wait_for(1, fixtures::WAIT).await.len(), 1);
}

#[tokio::test]
async fn a_disabled_transport_checks_mails_and_sends_nothing() {
    let mailer = ConfiguredMailer::from_config(&config("kind = \"disabled\"\n")).unwrap();
    mailer.send(&fixtures::verification()).await.unwrap();
    let mut invalid = fixtures::verification();
    invalid.to = vec!["niemand".into()];
    assert!(mailer.send(&invalid).await.unwrap_err().is_permanent());
}

#[test]
fn a_bad_configuration_lists_its_problems_by_key() {
    let mut bad =
        config("kind = \"smtp\"\nhost = \"smtp.musterstadt.example\"\ntimeout_secs = 0\n");
    bad.from.address = "kita-portal".into();
    let err = ConfiguredMailer::from_config(&bad).unwrap_err().to_string();
    assert!(err.contains("mail.from.address"), "{err}");
    assert!(err.contains("mail.transport.timeout_secs"), "{err}");
}
