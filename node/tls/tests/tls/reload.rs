//! New certificate files are served without a restart; broken ones are not.

use crate::serve::start;
use crate::support::{cert, cert_with, get_root, router};
use kitanetz_tls::{LoadError, ReloadingCertificate, ServeOptions};
use std::time::Duration;

#[tokio::test]
async fn replaced_files_are_served_after_a_reload_without_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = cert("Zertifikat 1");
    let certificate = ReloadingCertificate::load(first.write(dir.path())).unwrap();
    let server = start(&certificate, router(), ServeOptions::default()).await;
    assert_eq!(get_root(server.addr, &first.der).await.1, first.der);

    let second = cert("Zertifikat 2");
    second.write(dir.path());
    certificate.reload().unwrap();
    let (response, shown) = get_root(server.addr, &second.der).await;
    assert_eq!(shown, second.der);
    assert!(response.ends_with("hallo 127.0.0.1"), "{response}");
}

#[tokio::test]
async fn a_broken_or_expired_new_file_keeps_the_old_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let first = cert("Zertifikat 1");
    let files = first.write(dir.path());
    let certificate = ReloadingCertificate::load(files.clone()).unwrap();
    let server = start(&certificate, router(), ServeOptions::default()).await;

    // certbot mid-renewal: the new certificate is there, its key not yet.
    std::fs::write(&files.cert, cert("Zertifikat 2").cert_pem).unwrap();
    assert!(matches!(
        certificate.reload(),
        Err(LoadError::KeyMismatch { .. })
    ));
    assert_eq!(certificate.current().end_entity(), &first.der);

    let expired = cert_with("abgelaufen", &rcgen::PKCS_ECDSA_P256_SHA256, |params| {
        params.not_after = rcgen::date_time_ymd(2020, 1, 1);
    });
    expired.write(dir.path());
    let error = certificate.reload().unwrap_err();
    assert!(matches!(error, LoadError::NotValidNow(_)), "{error}");
    assert!(
        error.to_string().contains("previous certificate stays"),
        "{error}"
    );

    std::fs::remove_file(&files.key).unwrap();
    assert!(matches!(certificate.reload(), Err(LoadError::Read { .. })));
    assert_eq!(get_root(server.addr, &first.der).await.1, first.der);
}

#[tokio::test(start_paused = true)]
async fn the_watcher_notices_changed_files() {
    let dir = tempfile::tempdir().unwrap();
    let first = cert("Zertifikat 1");
    let files = first.write(dir.path());
    let certificate = ReloadingCertificate::load(files.clone()).unwrap();
    assert!(certificate.reload_if_changed().is_none());
    let mut taken = certificate.subscribe();
    let watcher = certificate.watch(Duration::from_secs(60));

    // Another key type: a different size too, should the file system's clock be coarse.
    let second = cert_with("Zertifikat 2", &rcgen::PKCS_ECDSA_P384_SHA384, |_| {});
    second.write(dir.path());
    // Paused time runs ahead to the next poll while the test waits.
    tokio::time::timeout(Duration::from_secs(600), taken.changed())
        .await
        .expect("the watcher reloads within a poll interval")
        .unwrap();
    assert_eq!(certificate.current().end_entity(), &second.der);
    assert!(certificate.reload_if_changed().is_none());
    watcher.abort();
}
