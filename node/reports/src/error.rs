//! Why a report was not computed. Every variant names the input to correct.

use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("the range ends on {until} before it starts on {from}; give `from` <= `until`")]
    ReversedRange { from: NaiveDate, until: NaiveDate },

    /// `index` is the position in the input slice; the message counts from 1.
    #[error(
        "placed contract {} (facility {facility}): wish rank {rank} is not a wish position; \
         give 1 to 5, or none when the facility was not wished",
        .index + 1
    )]
    WishRank {
        index: usize,
        facility: String,
        rank: u8,
    },

    /// The provider or municipal filter needs the owner of every wished facility of an open
    /// demand; without it a demand would silently drop out of the report.
    #[error(
        "open demand {}: wished facility {facility} has no owner in the facility list; pass \
         the provider of every wished facility, or filter without provider and municipal",
        .index + 1
    )]
    UnknownFacility { index: usize, facility: String },
}
