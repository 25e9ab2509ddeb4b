//! When a certificate is valid: the two dates of its `validity` field (RFC 5280 §4.1.2.5).
//!
//! rustls does not look at the server's own certificate (only clients check dates), and webpki
//! keeps the field private. A general X.509 parser (x509-parser: nom, der-parser, asn1-rs, a
//! proc macro) would be the largest dependency of this crate for two dates, so this walks the
//! few DER elements in front of them. The input is the operator's own file, already accepted by
//! webpki when the key was matched; anything unexpected is `None`, never a panic.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The validity period of a certificate, in seconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub not_before: i64,
    pub not_after: i64,
}

/// Whether a certificate can be served at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidityAt {
    Valid,
    /// Valid, but it ends within [`EXPIRY_WARNING`]: the renewal (certbot, the city's CA) has
    /// probably failed.
    EndsSoon,
    NotYetValid,
    Expired,
}

/// Let's Encrypt renews 30 days before the end; a certificate 14 days from its end was not
/// renewed when it should have been.
pub const EXPIRY_WARNING: Duration = Duration::from_secs(14 * 24 * 60 * 60);

impl Validity {
    /// Reads the validity period of a DER-encoded certificate.
    pub fn of_certificate(der: &[u8]) -> Option<Validity> {
        let (certificate, _) = expect(der, SEQUENCE)?;
        let (tbs, _) = expect(certificate, SEQUENCE)?;
        // TBSCertificate: version [0] EXPLICIT (optional), serialNumber, signature, issuer,
        // validity, …
        let (tag, _, after_version) = element(tbs)?;
        let rest = if tag == VERSION { after_version } else { tbs };
        let (_, rest) = expect(rest, INTEGER)?;
        let (_, rest) = expect(rest, SEQUENCE)?;
        let (_, rest) = expect(rest, SEQUENCE)?;
        let (validity, _) = expect(rest, SEQUENCE)?;
        let (first_tag, first, rest) = element(validity)?;
        let (second_tag, second, _) = element(rest)?;
        Some(Validity {
            not_before: time(first_tag, first)?,
            not_after: time(second_tag, second)?,
        })
    }

    pub fn at(&self, now: SystemTime) -> ValidityAt {
        let now = unix_seconds(now);
        if now < self.not_before {
            ValidityAt::NotYetValid
        } else if now > self.not_after {
            ValidityAt::Expired
        } else if self.not_after - now < EXPIRY_WARNING.as_secs() as i64 {
            ValidityAt::EndsSoon
        } else {
            ValidityAt::Valid
        }
    }
}

pub(crate) fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs() as i64,
        Err(before) => -(before.duration().as_secs() as i64),
    }
}

/// `2026-11-28 15:04:05 UTC`, for messages.
pub(crate) fn format_utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let in_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const VERSION: u8 = 0xa0;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// One DER element at the start of `input`: its tag, its content and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        // Long form: the low bits count the length bytes; four cover any certificate.
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, rest) = rest.split_at(count);
        let length = bytes
            .iter()
            .fold(0usize, |length, &byte| (length << 8) | usize::from(byte));
        (length, rest)
    };
    if rest.len() < length {
        return None;
    }
    let (content, rest) = rest.split_at(length);
    Some((tag, content, rest))
}

fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (found, content, rest) = element(input)?;
    (found == tag).then_some((content, rest))
}

/// UTCTime `YYMMDDHHMMSSZ` (years 1950–2049) or GeneralizedTime `YYYYMMDDHHMMSSZ`, the two
/// forms RFC 5280 allows in certificates.
fn time(tag: u8, content: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(content).ok()?.strip_suffix('Z')?;
    if !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let (year, rest) = match (tag, text.len()) {
        (UTC_TIME, 12) => {
            let short: i64 = text[..2].parse().ok()?;
            (
                if short >= 50 {
                    1900 + short
                } else {
                    2000 + short
                },
                &text[2..],
            )
        }
        (GENERALIZED_TIME, 14) => (text[..4].parse().ok()?, &text[4..]),
        _ => return None,
    };
    let two = |at: usize| rest[at..at + 2].parse::<i64>().ok();
    let (month, day, hour, minute, second) = (two(0)?, two(2)?, two(4)?, two(6)?, two(8)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for days in [-800_000, -1, 0, 59, 60, 11_016, 20_000, 2_932_896] {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(1_795_000_000), "2026-11-18 11:06:40 UTC");
    }

    #[test]
    fn both_time_forms_and_nothing_else() {
        assert_eq!(time(UTC_TIME, b"700101000000Z"), Some(0));
        assert_eq!(
            time(UTC_TIME, b"491231235959Z"),
            time(GENERALIZED_TIME, b"20491231235959Z")
        );
        assert_eq!(
            time(UTC_TIME, b"500101000000Z"),
            time(GENERALIZED_TIME, b"19500101000000Z")
        );
        assert_eq!(time(UTC_TIME, b"700101000000"), None);
        assert_eq!(time(UTC_TIME, b"701301000000Z"), None);
        assert_eq!(time(GENERALIZED_TIME, b"700101000000Z"), None);
        assert_eq!(time(UTC_TIME, b"7001010000+0Z"), None);
        assert_eq!(time(INTEGER, b"700101000000Z"), None);
    }

    #[test]
    fn truncated_or_odd_der_is_none() {
        assert_eq!(Validity::of_certificate(&[]), None);
        assert_eq!(Validity::of_certificate(&[0x30, 0x82, 0xff]), None);
        assert_eq!(Validity::of_certificate(&[0x30, 0x85, 1, 1, 1, 1, 1]), None);
        assert_eq!(
            Validity::of_certificate(b"-----BEGIN CERTIFICATE-----"),
            None
        );
    }

    #[test]
    fn the_moment_decides() {
        let validity = Validity {
            not_before: 1_000,
            not_after: 1_000 + 90 * 86_400,
        };
        let at = |seconds: u64| validity.at(UNIX_EPOCH + Duration::from_secs(seconds));
        assert_eq!(at(999), ValidityAt::NotYetValid);
        assert_eq!(at(1_000), ValidityAt::Valid);
        assert_eq!(at(1_000 + 76 * 86_400), ValidityAt::Valid);
        assert_eq!(at(1_000 + 77 * 86_400), ValidityAt::EndsSoon);
        assert_eq!(at(1_000 + 90 * 86_400), ValidityAt::EndsSoon);
        assert_eq!(at(1_001 + 90 * 86_400), ValidityAt::Expired);
    }
}
