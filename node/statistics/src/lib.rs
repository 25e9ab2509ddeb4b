//! Kitanetz state and statistics interfaces: pure rules, no I/O.
//!
//! - [`kdw`]: the Kita-Data-Webhouse Baden-Württemberg (yearly youth-welfare statistic, §§ 98 ff
//!   SGB VIII): the pre-export check, case format `kitanetz-kdw-case/1`
//!   (`shared/formats/kdw-case.md`, seed 002), and the StaLa XML hand-over file written from a
//!   checked export only ([`kdw::to_xml`], format `kitanetz-kdw-stala/1` in `KDW_XML.md`).
//! - [`kjh`]: the federal statistic of children and staff in day-care facilities, KJH Teil III.1
//!   (annex L of seed 004): one facility on the Stichtag with the annex's inclusion rules, the
//!   form's records and a readable list of who was left out and why ([`kjh::count`]); case
//!   format `kitanetz-kjh-case/1`, read strictly, and result `kitanetz-kjh-result/1`, both in
//!   `KJH_CASE.md` ([`kjh::parse_case`], [`kjh::case_output`]).
//! - [`landeszuschuss`]: the Saxon state subsidy count (§ 18 SächsKitaG, annex D of seed 004),
//!   case format `kitanetz-landeszuschuss-case/1` (`shared/formats/landeszuschuss-case.md`).
//!
//! Each module has an entry point over the case text that returns a [`CliOutput`]
//! ([`kdw::case_output`], [`kjh::case_output`], [`landeszuschuss::case_output`]): what the
//! command prints on stdout and stderr and the exit code its format prescribes. Behind it the rules are functions over typed data ([`kdw::check`],
//! [`kjh::count`], [`landeszuschuss::count`]), so that the node can call them on its real
//! contracts later. Decimals are `rust_decimal`, clock times whole minutes, never floats.

pub mod ids;
pub mod kdw;
pub mod kjh;
pub mod landeszuschuss;
pub mod numbers;
pub mod period;
mod reader;

pub use reader::CaseError;

/// What a statistics command prints and how it exits; the CLI only writes these out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliOutput {
    /// Written to stdout as is (empty for an invalid case).
    pub stdout: String,
    /// Written to stderr as is.
    pub stderr: String,
    pub exit_code: u8,
}

/// Exit code of an unreadable or invalid case, in every format.
pub const EXIT_INVALID_CASE: u8 = 2;

impl CliOutput {
    /// An unreadable or invalid case: a message on stderr, nothing on stdout, exit 2.
    pub fn invalid(message: impl std::fmt::Display) -> CliOutput {
        CliOutput {
            stdout: String::new(),
            stderr: format!("invalid case: {message}\n"),
            exit_code: EXIT_INVALID_CASE,
        }
    }

    /// An invalid case with several refusals: one `invalid case:` line each, exit 2.
    pub fn invalid_each(messages: impl IntoIterator<Item = impl std::fmt::Display>) -> CliOutput {
        CliOutput {
            stdout: String::new(),
            stderr: messages
                .into_iter()
                .map(|message| format!("invalid case: {message}\n"))
                .collect(),
            exit_code: EXIT_INVALID_CASE,
        }
    }

    /// A command that cannot run as asked: a message on stderr, exit 2.
    pub fn refused(message: impl std::fmt::Display) -> CliOutput {
        CliOutput {
            stdout: String::new(),
            stderr: format!("{message}\n"),
            exit_code: EXIT_INVALID_CASE,
        }
    }

    /// A result document, pretty-printed with a final newline.
    fn json(result: &impl serde::Serialize, exit_code: u8) -> CliOutput {
        let mut stdout =
            serde_json::to_string_pretty(result).expect("result types serialise without failure");
        stdout.push('\n');
        CliOutput {
            stdout,
            stderr: String::new(),
            exit_code,
        }
    }
}
