//! Loading the `[tls]` files, and the errors that name the file and the fix.

use crate::support::{cert, cert_with};
use kitanetz_tls::{LoadError, TlsFiles, Validity, ValidityAt};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[test]
fn ecdsa_and_ed25519_keys_load_and_the_dates_are_read() {
    for algorithm in [
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ECDSA_P384_SHA384,
        &rcgen::PKCS_ED25519,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let test = cert_with("Kita-Portal", algorithm, |params| {
            params.not_before = rcgen::date_time_ymd(2026, 1, 1);
            params.not_after = rcgen::date_time_ymd(2049, 12, 31);
        });
        let loaded = test.write(dir.path()).load().unwrap();
        assert_eq!(loaded.end_entity(), &test.der);
        assert_eq!(
            loaded.validity(),
            Validity {
                not_before: 1_767_225_600,
                not_after: 2_524_521_600,
            }
        );
        assert_eq!(loaded.warning_at(at(1_800_000_000)), None);
    }
}

#[test]
fn relative_paths_are_in_the_data_directory() {
    let files = TlsFiles {
        cert: "tls/fullchain.pem".into(),
        key: "/etc/letsencrypt/live/kita/privkey.pem".into(),
    };
    let resolved = files.relative_to("/var/lib/kitanetz".as_ref());
    assert_eq!(
        resolved.cert,
        std::path::Path::new("/var/lib/kitanetz/tls/fullchain.pem")
    );
    assert_eq!(
        resolved.key,
        std::path::Path::new("/etc/letsencrypt/live/kita/privkey.pem")
    );
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let files = cert("a").write(dir.path());
    std::fs::remove_file(&files.key).unwrap();
    let error = files.load().unwrap_err();
    assert!(matches!(&error, LoadError::Read { path, .. } if *path == files.key));
    let message = error.to_string();
    assert!(message.contains("key.pem"), "{message}");
    assert!(message.contains(" / Cannot read the TLS file"), "{message}");
}

#[test]
fn swapped_files_are_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let files = cert("a").write(dir.path());
    let swapped = TlsFiles {
        cert: files.key.clone(),
        key: files.key.clone(),
    };
    assert!(matches!(swapped.load(), Err(LoadError::NoCertificate { path }) if path == files.key));
    let swapped = TlsFiles {
        cert: files.cert.clone(),
        key: files.cert.clone(),
    };
    let error = swapped.load().unwrap_err();
    assert!(matches!(&error, LoadError::NoKey { path } if *path == files.cert));
    assert!(error.to_string().contains("swapped"), "{error}");
}

#[test]
fn a_key_from_another_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let files = cert("a").write(dir.path());
    std::fs::write(&files.key, cert("b").key_pem).unwrap();
    let error = files.load().unwrap_err();
    assert!(matches!(error, LoadError::KeyMismatch { .. }), "{error}");
    assert!(error.to_string().contains("does not belong"), "{error}");
}

#[test]
fn broken_pem_encrypted_keys_and_garbage_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let files = cert("a").write(dir.path());

    std::fs::write(
        &files.key,
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n",
    )
    .unwrap();
    let error = files.load().unwrap_err();
    assert!(matches!(error, LoadError::EncryptedKey { .. }), "{error}");
    assert!(error.to_string().contains("openssl pkey"), "{error}");

    std::fs::write(
        &files.cert,
        "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    assert!(matches!(files.load(), Err(LoadError::BadPem { path, .. }) if path == files.cert));

    std::fs::write(
        &files.cert,
        "-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    std::fs::write(&files.key, cert("a").key_pem).unwrap();
    assert!(
        matches!(files.load(), Err(LoadError::BadCertificate { path, .. }) if path == files.cert)
    );
}

#[test]
fn an_expired_certificate_loads_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let test = cert_with("alt", &rcgen::PKCS_ECDSA_P256_SHA256, |params| {
        params.not_before = rcgen::date_time_ymd(2019, 1, 1);
        params.not_after = rcgen::date_time_ymd(2020, 1, 1);
    });
    let loaded = test.write(dir.path()).load().unwrap();
    let warning = loaded.warning_at(SystemTime::now()).unwrap();
    assert_eq!(warning.state, ValidityAt::Expired);
    let message = warning.to_string();
    assert!(message.contains("2020-01-01 00:00:00 UTC"), "{message}");
    assert!(message.contains("expired"), "{message}");
    assert_eq!(
        loaded.warning_at(at(1_577_836_800 - 86_400)).unwrap().state,
        ValidityAt::EndsSoon
    );
    assert_eq!(
        loaded.warning_at(at(1_500_000_000)).unwrap().state,
        ValidityAt::NotYetValid
    );
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}
