//! Waiting time in days and its bands.

use serde::Serialize;

/// The bands of a waiting time in days: 0, 1–30, 31–90, 91–180, over 180; both ends of a band
/// included (exactly 30 days is 1–30, exactly 180 days is 91–180). An open demand whose desired
/// start is still ahead is "not yet due".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum WaitBand {
    #[serde(rename = "not_yet_due")]
    NotYetDue,
    #[serde(rename = "days_0")]
    None,
    #[serde(rename = "days_1_30")]
    UpTo30,
    #[serde(rename = "days_31_90")]
    UpTo90,
    #[serde(rename = "days_91_180")]
    UpTo180,
    #[serde(rename = "days_over_180")]
    Over180,
}

impl WaitBand {
    /// The bands of a realised start (a start before the wished one waited 0 days).
    pub const PLACED: [WaitBand; 5] = [
        WaitBand::None,
        WaitBand::UpTo30,
        WaitBand::UpTo90,
        WaitBand::UpTo180,
        WaitBand::Over180,
    ];

    /// The bands of an open demand.
    pub const OPEN: [WaitBand; 6] = [
        WaitBand::NotYetDue,
        WaitBand::None,
        WaitBand::UpTo30,
        WaitBand::UpTo90,
        WaitBand::UpTo180,
        WaitBand::Over180,
    ];

    /// The band of `days`; negative days are not yet due.
    pub fn of_days(days: i64) -> WaitBand {
        match days {
            ..0 => WaitBand::NotYetDue,
            0 => WaitBand::None,
            1..=30 => WaitBand::UpTo30,
            31..=90 => WaitBand::UpTo90,
            91..=180 => WaitBand::UpTo180,
            _ => WaitBand::Over180,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WaitBand::NotYetDue => "noch nicht fällig",
            WaitBand::None => "0 Tage",
            WaitBand::UpTo30 => "1–30 Tage",
            WaitBand::UpTo90 => "31–90 Tage",
            WaitBand::UpTo180 => "91–180 Tage",
            WaitBand::Over180 => "über 180 Tage",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_include_both_ends() {
        assert_eq!(WaitBand::of_days(-1), WaitBand::NotYetDue);
        assert_eq!(WaitBand::of_days(0), WaitBand::None);
        assert_eq!(WaitBand::of_days(1), WaitBand::UpTo30);
        assert_eq!(WaitBand::of_days(30), WaitBand::UpTo30);
        assert_eq!(WaitBand::of_days(31), WaitBand::UpTo90);
        assert_eq!(WaitBand::of_days(90), WaitBand::UpTo90);
        assert_eq!(WaitBand::of_days(91), WaitBand::UpTo180);
        assert_eq!(WaitBand::of_days(180), WaitBand::UpTo180);
        assert_eq!(WaitBand::of_days(181), WaitBand::Over180);
    }
}
