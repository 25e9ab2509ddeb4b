//! Decision templates: the wording of each annex J decision as versioned data.
//!
//! A template is a TOML file (format [`TEMPLATE_FORMAT`]):
//!
//! ```toml
//! format = "kitanetz-decision-template/1"
//! kind = "single-child"              # a DecisionKind name
//! version = "dresden-2011"           # names this wording in the decision's record
//! valid_from = "2011-09-01"          # used for decisions effective on or after this day
//! statute = "Satzung … vom 23.06.2011"   # the placeholder {{satzung}}
//! title = "Bescheid über die Erhebung eines Elternbeitrages für Kindertageseinrichtungen"
//! salutation = "Sehr geehrte Familie {{familie}},"
//! body = """
//! Ihr Kind besucht … ab dem {{ab}} folgender monatlicher Elternbeitrag zu zahlen:
//!
//! {{tabelle}}
//!
//! {{zahlung}}
//! """
//! remedy = "Gegen diesen Bescheid kann innerhalb eines Monats … Widerspruch eingelegt werden."
//! closing = "Dieser Bescheid wurde maschinell erstellt und trägt daher keine Unterschrift."
//! payment_debit = "… von Ihrem Konto {{iban}} bei der {{bank}} abgebucht."
//! payment_transfer = "… unter Angabe der PKN {{pkn}} auf das Konto {{empfaenger_iban}} …"
//! payment_debit_other_guardian = "… vom Konto der/des Zahlungspflichtigen abgebucht."
//! ```
//!
//! The body's paragraphs are separated by blank lines (line breaks inside a paragraph are
//! spaces); a paragraph starting with `# ` is a heading; a block placeholder
//! ([`BLOCK_PLACEHOLDERS`]: the fee table, the children, the explanation, the changes, the
//! payment text) stands alone in its paragraph. Inline placeholders ([`INLINE_PLACEHOLDERS`])
//! are replaced by the decision's data as plain text. Everything is checked when the template is
//! loaded: an unknown placeholder, a block inside a sentence, bank data outside
//! `payment_debit` (so the other guardian's copy cannot show it), a payment block without its
//! three texts. A placeholder the decision has no value for is an error when rendering.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::Deserialize;

use super::DecisionKind;

/// The format tag of a template file.
pub const TEMPLATE_FORMAT: &str = "kitanetz-decision-template/1";

/// A placeholder a template may use, written `{{name}}`. The doc of each variant names the
/// annex J field it stands for (annex J writes `«Name»`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Placeholder {
    /// `familie`: the family name of the salutation (`«Bez3»`).
    Familie,
    /// `pkn`: the decision's PKN (`«Kto»`).
    Pkn,
    /// `datum`: the letter's date.
    Datum,
    /// `ab`: the first day ruled on (`«PeriodeDatum»`, `«Periode»`).
    Ab,
    /// `kind`: the (first) child's name (`«Kindname»`).
    Kind,
    /// `geburtsdatum`: the (first) child's birth date (`«KindGebDat»`).
    Geburtsdatum,
    /// `betreuungszeit`: the (first) child's daily hours in the first month (`«BetreuungsArt»`).
    Betreuungszeit,
    /// `einrichtung`: the (first) child's facility or Tagespflegeperson (`«KostenstelleName»`).
    Einrichtung,
    /// `einrichtung_anschrift`: its address (`«KstStrasse», «KStPLZ» «KStOrt»`).
    EinrichtungAnschrift,
    /// `betrag`: the (first) child's fee in the first month (`«Betrag»`).
    Betrag,
    /// `betrag_summe`: all children's fees in the first month (`«BetragSumme»`).
    BetragSumme,
    /// `antrag_vom`: the application's date (`«EmpfangsDatum»`, `«AntragsDatum»`).
    AntragVom,
    /// `gueltig_ab`: first day of a reduction or waiver (`«Gueltigab»`).
    GueltigAb,
    /// `gueltig_bis`: its last day (`«Gueltigbis»`).
    GueltigBis,
    /// `vereinbarung_vom`: the Tagespflege agreement's date (`«TagespflegeDatum»`).
    VereinbarungVom,
    /// `foerderung_ab`: first day of Tagespflege funding (`«BeginnFoerderung»`).
    FoerderungAb,
    /// `foerderung_bis`: its last day (`«EndeFoerderung»`).
    FoerderungBis,
    /// `anschrift`: the addressee's street, postcode and town (`«Strasse», «PLZ» «Ort»`).
    Anschrift,
    /// `aufgehoben_zum`: the day a reduction or waiver ends (the Beendigungsbescheid's
    /// `«EmpfangsDatum»`).
    AufgehobenZum,
    /// `beendigungsgrund`: why it ends (the Beendigungsbescheid's ticked reason).
    Beendigungsgrund,
    /// `bisheriger_bescheid_vom`: the date of the decision a change replaces.
    BisherigerBescheidVom,
    /// `satzung`: the statute as the template's `statute` names it.
    Satzung,
    /// `behoerde`: the authority, e.g. "Landeshauptstadt Dresden".
    Behoerde,
    /// `dienststelle`: its office, e.g. "Eigenbetrieb Kindertageseinrichtungen".
    Dienststelle,
    /// `widerspruch_anschrift`: where to object ("Hauptsitz: Rathaus, Dr.-Külz-Ring 19, …").
    WiderspruchAnschrift,
    /// `empfaenger_iban`: the authority's IBAN for transfers (annex J: "Konto 3120001243").
    EmpfaengerIban,
    /// `empfaenger_bic`: the authority's BIC (annex J: "BLZ 85050300").
    EmpfaengerBic,
    /// `empfaenger_bank`: the authority's bank.
    EmpfaengerBank,
    /// `zahlungspflichtiger`: the payer's name (for the other guardian's copy).
    Zahlungspflichtiger,
    /// `kontoinhaber`: the debited account's holder. Bank data: `payment_debit` only.
    Kontoinhaber,
    /// `iban`: the debited IBAN, masked (`«Konto»`). Bank data: `payment_debit` only.
    Iban,
    /// `bic`: the debited account's BIC (`«BLZ»`). Bank data: `payment_debit` only.
    Bic,
    /// `bank`: the debited account's bank (`«Bank»`). Bank data: `payment_debit` only.
    Bank,
    /// `mandatsreferenz`: the SEPA mandate reference. Bank data: `payment_debit` only.
    Mandatsreferenz,
    /// `glaeubiger_id`: the authority's SEPA creditor identifier. `payment_debit` only.
    GlaeubigerId,
    /// Block `tabelle`: the fee table per child and period (with the total for siblings).
    Tabelle,
    /// Block `kinder`: the children with birth date, care and facility, without amounts.
    Kinder,
    /// Block `erlaeuterung`: the fee engine's explanation lines per child and period.
    Erlaeuterung,
    /// Block `aenderungen`: old and new amount per child and period, and what changed.
    Aenderungen,
    /// Block `zahlung`: the payment text for the decision's payment and the copy.
    Zahlung,
}

/// The inline placeholders, each written `{{name}}` inside a sentence.
pub const INLINE_PLACEHOLDERS: [Placeholder; 35] = [
    Placeholder::Familie,
    Placeholder::Pkn,
    Placeholder::Datum,
    Placeholder::Ab,
    Placeholder::Kind,
    Placeholder::Geburtsdatum,
    Placeholder::Betreuungszeit,
    Placeholder::Einrichtung,
    Placeholder::EinrichtungAnschrift,
    Placeholder::Betrag,
    Placeholder::BetragSumme,
    Placeholder::AntragVom,
    Placeholder::GueltigAb,
    Placeholder::GueltigBis,
    Placeholder::VereinbarungVom,
    Placeholder::FoerderungAb,
    Placeholder::FoerderungBis,
    Placeholder::Anschrift,
    Placeholder::AufgehobenZum,
    Placeholder::Beendigungsgrund,
    Placeholder::BisherigerBescheidVom,
    Placeholder::Satzung,
    Placeholder::Behoerde,
    Placeholder::Dienststelle,
    Placeholder::WiderspruchAnschrift,
    Placeholder::EmpfaengerIban,
    Placeholder::EmpfaengerBic,
    Placeholder::EmpfaengerBank,
    Placeholder::Zahlungspflichtiger,
    Placeholder::Kontoinhaber,
    Placeholder::Iban,
    Placeholder::Bic,
    Placeholder::Bank,
    Placeholder::Mandatsreferenz,
    Placeholder::GlaeubigerId,
];

/// The block placeholders, each alone in a paragraph of the body.
pub const BLOCK_PLACEHOLDERS: [Placeholder; 5] = [
    Placeholder::Tabelle,
    Placeholder::Kinder,
    Placeholder::Erlaeuterung,
    Placeholder::Aenderungen,
    Placeholder::Zahlung,
];

impl Placeholder {
    /// The name between the braces.
    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Familie => "familie",
            Placeholder::Pkn => "pkn",
            Placeholder::Datum => "datum",
            Placeholder::Ab => "ab",
            Placeholder::Kind => "kind",
            Placeholder::Geburtsdatum => "geburtsdatum",
            Placeholder::Betreuungszeit => "betreuungszeit",
            Placeholder::Einrichtung => "einrichtung",
            Placeholder::EinrichtungAnschrift => "einrichtung_anschrift",
            Placeholder::Betrag => "betrag",
            Placeholder::BetragSumme => "betrag_summe",
            Placeholder::AntragVom => "antrag_vom",
            Placeholder::GueltigAb => "gueltig_ab",
            Placeholder::GueltigBis => "gueltig_bis",
            Placeholder::VereinbarungVom => "vereinbarung_vom",
            Placeholder::FoerderungAb => "foerderung_ab",
            Placeholder::FoerderungBis => "foerderung_bis",
            Placeholder::Anschrift => "anschrift",
            Placeholder::AufgehobenZum => "aufgehoben_zum",
            Placeholder::Beendigungsgrund => "beendigungsgrund",
            Placeholder::BisherigerBescheidVom => "bisheriger_bescheid_vom",
            Placeholder::Satzung => "satzung",
            Placeholder::Behoerde => "behoerde",
            Placeholder::Dienststelle => "dienststelle",
            Placeholder::WiderspruchAnschrift => "widerspruch_anschrift",
            Placeholder::EmpfaengerIban => "empfaenger_iban",
            Placeholder::EmpfaengerBic => "empfaenger_bic",
            Placeholder::EmpfaengerBank => "empfaenger_bank",
            Placeholder::Zahlungspflichtiger => "zahlungspflichtiger",
            Placeholder::Kontoinhaber => "kontoinhaber",
            Placeholder::Iban => "iban",
            Placeholder::Bic => "bic",
            Placeholder::Bank => "bank",
            Placeholder::Mandatsreferenz => "mandatsreferenz",
            Placeholder::GlaeubigerId => "glaeubiger_id",
            Placeholder::Tabelle => "tabelle",
            Placeholder::Kinder => "kinder",
            Placeholder::Erlaeuterung => "erlaeuterung",
            Placeholder::Aenderungen => "aenderungen",
            Placeholder::Zahlung => "zahlung",
        }
    }

    /// The placeholder written `{{name}}`, if there is one.
    pub fn from_name(name: &str) -> Option<Placeholder> {
        INLINE_PLACEHOLDERS
            .iter()
            .chain(&BLOCK_PLACEHOLDERS)
            .copied()
            .find(|p| p.name() == name)
    }

    /// Whether it stands for a whole block (table, list, payment paragraph).
    pub fn is_block(self) -> bool {
        BLOCK_PLACEHOLDERS.contains(&self)
    }

    /// Whether it shows the payer's bank data, which only the payer's copy may show.
    pub fn is_bank_data(self) -> bool {
        matches!(
            self,
            Placeholder::Kontoinhaber
                | Placeholder::Iban
                | Placeholder::Bic
                | Placeholder::Bank
                | Placeholder::Mandatsreferenz
                | Placeholder::GlaeubigerId
        )
    }
}

/// Why a template cannot be loaded. Each names the template's source (file or built-in name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read the decision templates at {path}: {message}")]
    Read { path: String, message: String },
    #[error("the decision template {source_name} is not a valid kitanetz-decision-template/1 file: {message}")]
    Parse {
        source_name: String,
        message: String,
    },
    #[error("the decision template {source_name} has format {found:?}; this version reads \"kitanetz-decision-template/1\"")]
    Format { source_name: String, found: String },
    #[error("the decision template {source_name} uses the unknown placeholder {{{{{placeholder}}}}} in `{field}`; see INLINE_PLACEHOLDERS and BLOCK_PLACEHOLDERS for the known ones")]
    UnknownPlaceholder {
        source_name: String,
        field: &'static str,
        placeholder: String,
    },
    #[error("the decision template {source_name} has an unclosed `{{{{` in `{field}`")]
    Unclosed {
        source_name: String,
        field: &'static str,
    },
    #[error("the decision template {source_name} uses the block {{{{{placeholder}}}}} inside a sentence of `{field}`; a block stands alone in a paragraph of `body`")]
    MisplacedBlock {
        source_name: String,
        field: &'static str,
        placeholder: &'static str,
    },
    #[error("the decision template {source_name} shows the bank data {{{{{placeholder}}}}} in `{field}`; bank data belongs in `payment_debit` only, which only the payer's copy prints")]
    BankDataOutsideDebit {
        source_name: String,
        field: &'static str,
        placeholder: &'static str,
    },
    #[error("the decision template {source_name} uses {{{{zahlung}}}} but has no `{field}`; give payment_debit, payment_transfer and payment_debit_other_guardian")]
    MissingPaymentText {
        source_name: String,
        field: &'static str,
    },
    #[error("the decision template {source_name} has an empty `remedy`; every decision carries its Rechtsbehelfsbelehrung")]
    NoRemedy { source_name: String },
    #[error("the decision templates {first} and {second} are both for {kind} from {valid_from}; give one of them another valid_from")]
    Duplicate {
        kind: &'static str,
        valid_from: NaiveDate,
        first: String,
        second: String,
    },
}

/// A piece of template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Text(String),
    Placeholder(Placeholder),
}

/// A paragraph of a template's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Paragraph {
    Heading(Vec<Segment>),
    Text(Vec<Segment>),
    Block(Placeholder),
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    format: String,
    kind: DecisionKind,
    version: String,
    valid_from: NaiveDate,
    statute: String,
    title: String,
    salutation: String,
    body: String,
    remedy: String,
    closing: String,
    payment_debit: Option<String>,
    payment_transfer: Option<String>,
    payment_debit_other_guardian: Option<String>,
}

/// A checked decision template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionTemplate {
    /// The file or built-in name it came from, for messages.
    pub source_name: String,
    pub kind: DecisionKind,
    /// The wording's version, e.g. `dresden-2011`; record it with the issued decision.
    pub version: String,
    /// Decisions effective on or after this day use it (until a later version's `valid_from`).
    pub valid_from: NaiveDate,
    pub(crate) statute: String,
    pub(crate) title: Vec<Segment>,
    pub(crate) salutation: Vec<Segment>,
    pub(crate) body: Vec<Paragraph>,
    pub(crate) remedy: Vec<Vec<Segment>>,
    pub(crate) closing: Vec<Segment>,
    pub(crate) payment_debit: Option<Vec<Segment>>,
    pub(crate) payment_transfer: Option<Vec<Segment>>,
    pub(crate) payment_debit_other_guardian: Option<Vec<Segment>>,
}

impl DecisionTemplate {
    /// Parses and checks a template file's text; `source_name` names it in errors.
    pub fn parse(source_name: &str, text: &str) -> Result<DecisionTemplate, TemplateError> {
        let file: TemplateFile = toml::from_str(text).map_err(|e| TemplateError::Parse {
            source_name: source_name.to_owned(),
            message: e.to_string(),
        })?;
        if file.format != TEMPLATE_FORMAT {
            return Err(TemplateError::Format {
                source_name: source_name.to_owned(),
                found: file.format,
            });
        }
        let checker = Checker { source_name };
        let body = checker.body(&file.body)?;
        let remedy = paragraphs(&file.remedy)
            .map(|p| checker.inline("remedy", &p))
            .collect::<Result<Vec<_>, _>>()?;
        if remedy.is_empty() {
            return Err(TemplateError::NoRemedy {
                source_name: source_name.to_owned(),
            });
        }
        let optional = |field: &'static str, text: &Option<String>| {
            text.as_deref()
                .map(|t| checker.inline(field, &join_lines(t)))
                .transpose()
        };
        let template = DecisionTemplate {
            source_name: source_name.to_owned(),
            kind: file.kind,
            version: file.version,
            valid_from: file.valid_from,
            statute: file.statute,
            title: checker.inline("title", &join_lines(&file.title))?,
            salutation: checker.inline("salutation", &join_lines(&file.salutation))?,
            body,
            remedy,
            closing: checker.inline("closing", &join_lines(&file.closing))?,
            payment_debit: optional("payment_debit", &file.payment_debit)?,
            payment_transfer: optional("payment_transfer", &file.payment_transfer)?,
            payment_debit_other_guardian: optional(
                "payment_debit_other_guardian",
                &file.payment_debit_other_guardian,
            )?,
        };
        if template
            .body
            .contains(&Paragraph::Block(Placeholder::Zahlung))
        {
            for (field, text) in [
                ("payment_debit", &template.payment_debit),
                ("payment_transfer", &template.payment_transfer),
                (
                    "payment_debit_other_guardian",
                    &template.payment_debit_other_guardian,
                ),
            ] {
                if text.is_none() {
                    return Err(TemplateError::MissingPaymentText {
                        source_name: source_name.to_owned(),
                        field,
                    });
                }
            }
        }
        Ok(template)
    }

    /// Every placeholder the template uses, each once, in the order of [`Placeholder`].
    pub fn placeholders(&self) -> Vec<Placeholder> {
        let mut used = std::collections::BTreeSet::new();
        let mut add = |segments: &[Segment]| {
            for segment in segments {
                if let Segment::Placeholder(p) = segment {
                    used.insert(*p);
                }
            }
        };
        add(&self.title);
        add(&self.salutation);
        for paragraph in &self.body {
            match paragraph {
                Paragraph::Heading(s) | Paragraph::Text(s) => add(s),
                Paragraph::Block(p) => add(&[Segment::Placeholder(*p)]),
            }
        }
        self.remedy.iter().for_each(|p| add(p));
        add(&self.closing);
        for text in [
            &self.payment_debit,
            &self.payment_transfer,
            &self.payment_debit_other_guardian,
        ]
        .into_iter()
        .flatten()
        {
            add(text);
        }
        used.into_iter().collect()
    }
}

struct Checker<'a> {
    source_name: &'a str,
}

impl Checker<'_> {
    fn body(&self, text: &str) -> Result<Vec<Paragraph>, TemplateError> {
        paragraphs(text)
            .map(|paragraph| {
                let trimmed = paragraph.trim();
                if let Some(heading) = trimmed.strip_prefix("# ") {
                    return Ok(Paragraph::Heading(self.inline("body", heading)?));
                }
                let segments = self.segments("body", trimmed)?;
                if let [Segment::Placeholder(p)] = segments.as_slice() {
                    if p.is_block() {
                        return Ok(Paragraph::Block(*p));
                    }
                }
                self.check_inline("body", &segments)?;
                Ok(Paragraph::Text(segments))
            })
            .collect()
    }

    /// A text that may hold inline placeholders only; bank data only in `payment_debit`.
    fn inline(&self, field: &'static str, text: &str) -> Result<Vec<Segment>, TemplateError> {
        let segments = self.segments(field, text)?;
        self.check_inline(field, &segments)?;
        Ok(segments)
    }

    fn check_inline(&self, field: &'static str, segments: &[Segment]) -> Result<(), TemplateError> {
        for segment in segments {
            if let Segment::Placeholder(p) = segment {
                if p.is_block() {
                    return Err(TemplateError::MisplacedBlock {
                        source_name: self.source_name.to_owned(),
                        field,
                        placeholder: p.name(),
                    });
                }
                if p.is_bank_data() && field != "payment_debit" {
                    return Err(TemplateError::BankDataOutsideDebit {
                        source_name: self.source_name.to_owned(),
                        field,
                        placeholder: p.name(),
                    });
                }
            }
        }
        Ok(())
    }

    fn segments(&self, field: &'static str, text: &str) -> Result<Vec<Segment>, TemplateError> {
        let mut segments = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                segments.push(Segment::Text(rest[..open].to_owned()));
            }
            let after = &rest[open + 2..];
            let close = after.find("}}").ok_or_else(|| TemplateError::Unclosed {
                source_name: self.source_name.to_owned(),
                field,
            })?;
            let name = after[..close].trim();
            let placeholder =
                Placeholder::from_name(name).ok_or_else(|| TemplateError::UnknownPlaceholder {
                    source_name: self.source_name.to_owned(),
                    field,
                    placeholder: name.to_owned(),
                })?;
            segments.push(Segment::Placeholder(placeholder));
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Text(rest.to_owned()));
        }
        Ok(segments)
    }
}

/// Paragraphs separated by blank lines, each with its line breaks as spaces.
fn paragraphs(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split("\n\n").map(join_lines).filter(|p| !p.is_empty())
}

fn join_lines(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The annex J wording (Landeshauptstadt Dresden, December 2011), one file per kind.
const BUILTIN: [(&str, &str); 12] = [
    (
        "single-child.toml",
        include_str!("../../templates/decisions/single-child.toml"),
    ),
    (
        "siblings.toml",
        include_str!("../../templates/decisions/siblings.toml"),
    ),
    (
        "waiver.toml",
        include_str!("../../templates/decisions/waiver.toml"),
    ),
    (
        "waiver-siblings.toml",
        include_str!("../../templates/decisions/waiver-siblings.toml"),
    ),
    (
        "reduction.toml",
        include_str!("../../templates/decisions/reduction.toml"),
    ),
    (
        "reduction-siblings.toml",
        include_str!("../../templates/decisions/reduction-siblings.toml"),
    ),
    (
        "home-child.toml",
        include_str!("../../templates/decisions/home-child.toml"),
    ),
    (
        "foster-child.toml",
        include_str!("../../templates/decisions/foster-child.toml"),
    ),
    (
        "tagespflege.toml",
        include_str!("../../templates/decisions/tagespflege.toml"),
    ),
    (
        "tagespflege-change.toml",
        include_str!("../../templates/decisions/tagespflege-change.toml"),
    ),
    (
        "change.toml",
        include_str!("../../templates/decisions/change.toml"),
    ),
    (
        "end-of-reduction.toml",
        include_str!("../../templates/decisions/end-of-reduction.toml"),
    ),
];

static BUILTIN_BOOK: LazyLock<TemplateBook> = LazyLock::new(|| {
    let mut book = TemplateBook::default();
    for (name, text) in BUILTIN {
        let template = DecisionTemplate::parse(&format!("built-in {name}"), text)
            .unwrap_or_else(|e| panic!("{e}"));
        book.add(template).unwrap_or_else(|e| panic!("{e}"));
    }
    book
});

/// The templates a node may use, by kind and validity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateBook {
    // Per kind, ascending by `valid_from`.
    by_kind: BTreeMap<DecisionKind, Vec<DecisionTemplate>>,
}

impl TemplateBook {
    /// The annex J texts (one version of every [`DecisionKind`], valid from 1 September 2011,
    /// when the Satzung of 23 June 2011 came into force, § 15 (1)).
    pub fn builtin() -> &'static TemplateBook {
        &BUILTIN_BOOK
    }

    /// The built-in texts plus every `*.toml` file in `dir` (a city's own versions, no code).
    /// Files are read in name order; any bad file fails the whole load, naming the file.
    pub fn builtin_and_dir(dir: &Path) -> Result<TemplateBook, TemplateError> {
        let mut book = TemplateBook::builtin().clone();
        let read_error = |e: std::io::Error| TemplateError::Read {
            path: dir.display().to_string(),
            message: e.to_string(),
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(read_error)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(read_error)?;
        paths.retain(|p| p.extension().is_some_and(|e| e == "toml"));
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| TemplateError::Read {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            book.add(DecisionTemplate::parse(&path.display().to_string(), &text)?)?;
        }
        Ok(book)
    }

    /// Adds a template; refused when one of its kind has the same `valid_from` (which would be
    /// ambiguous).
    pub fn add(&mut self, template: DecisionTemplate) -> Result<(), TemplateError> {
        let versions = self.by_kind.entry(template.kind).or_default();
        if let Some(other) = versions
            .iter()
            .find(|t| t.valid_from == template.valid_from)
        {
            return Err(TemplateError::Duplicate {
                kind: template.kind.name(),
                valid_from: template.valid_from,
                first: other.source_name.clone(),
                second: template.source_name,
            });
        }
        versions.push(template);
        versions.sort_by_key(|t| t.valid_from);
        Ok(())
    }

    /// The template of `kind` in force on `day`: the one with the latest `valid_from` not after
    /// it.
    pub fn select(&self, kind: DecisionKind, day: NaiveDate) -> Option<&DecisionTemplate> {
        self.by_kind
            .get(&kind)?
            .iter()
            .rev()
            .find(|t| t.valid_from <= day)
    }

    /// All templates, by kind and then by `valid_from`.
    pub fn templates(&self) -> impl Iterator<Item = &DecisionTemplate> {
        self.by_kind.values().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
format = "kitanetz-decision-template/1"
kind = "single-child"
version = "test"
valid_from = "2030-01-01"
statute = "Satzung"
title = "Bescheid"
salutation = "Sehr geehrte Familie {{familie}},"
body = """
Ab dem {{ab}} gilt:

{{tabelle}}
"""
remedy = "Widerspruch binnen eines Monats."
closing = "Maschinell erstellt."
"#;

    fn parse(text: &str) -> Result<DecisionTemplate, TemplateError> {
        DecisionTemplate::parse("test.toml", text)
    }

    #[test]
    fn the_builtin_texts_load_one_per_kind() {
        let book = TemplateBook::builtin();
        for kind in DecisionKind::ALL {
            let day = NaiveDate::from_ymd_opt(2026, 8, 1).unwrap();
            let template = book.select(kind, day).unwrap_or_else(|| panic!("{kind:?}"));
            assert_eq!(template.kind, kind);
            assert!(!template.remedy.is_empty());
        }
        assert_eq!(book.templates().count(), DecisionKind::ALL.len());
    }

    #[test]
    fn a_minimal_template_lists_its_placeholders() {
        let template = parse(MINIMAL).unwrap();
        assert_eq!(
            template.placeholders(),
            vec![Placeholder::Familie, Placeholder::Ab, Placeholder::Tabelle]
        );
    }

    #[test]
    fn an_unknown_placeholder_is_refused_at_load_naming_it() {
        let text = MINIMAL.replace("{{ab}}", "{{ab_dem}}");
        let error = parse(&text).unwrap_err();
        assert!(
            matches!(&error, TemplateError::UnknownPlaceholder { placeholder, field, .. } if placeholder == "ab_dem" && *field == "body"),
            "{error}"
        );
        assert!(error.to_string().contains("{{ab_dem}}"), "{error}");
        assert!(error.to_string().contains("test.toml"), "{error}");
    }

    #[test]
    fn load_time_checks() {
        let cases = [
            (MINIMAL.replace("{{ab}}", "{{ab"), "unclosed"),
            (
                MINIMAL.replace("Ab dem {{ab}}", "Ab dem {{tabelle}}"),
                "inside a sentence",
            ),
            (
                MINIMAL.replace("{{familie}}", "{{iban}}"),
                "bank data belongs in `payment_debit` only",
            ),
            (
                MINIMAL.replace("{{tabelle}}", "{{zahlung}}"),
                "has no `payment_debit`",
            ),
            (
                MINIMAL.replace("Widerspruch binnen eines Monats.", ""),
                "Rechtsbehelfsbelehrung",
            ),
            (
                MINIMAL.replace("kitanetz-decision-template/1", "v2"),
                "has format \"v2\"",
            ),
            (
                MINIMAL.replace("closing =", "colsing ="),
                "unknown field `colsing`",
            ),
        ];
        for (text, message) in cases {
            let error = parse(&text).unwrap_err().to_string();
            assert!(error.contains(message), "{message:?} not in: {error}");
        }
    }

    #[test]
    fn the_version_in_force_is_selected() {
        let mut book = TemplateBook::builtin().clone();
        book.add(parse(MINIMAL).unwrap()).unwrap();
        let before = NaiveDate::from_ymd_opt(2029, 12, 31).unwrap();
        let after = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        assert_eq!(
            book.select(DecisionKind::SingleChild, before)
                .unwrap()
                .version,
            "dresden-2011"
        );
        assert_eq!(
            book.select(DecisionKind::SingleChild, after)
                .unwrap()
                .version,
            "test"
        );
        let too_early = NaiveDate::from_ymd_opt(2011, 8, 31).unwrap();
        assert!(book.select(DecisionKind::SingleChild, too_early).is_none());
        let error = book.add(parse(MINIMAL).unwrap()).unwrap_err();
        assert!(matches!(error, TemplateError::Duplicate { .. }), "{error}");
    }

    #[test]
    fn a_city_directory_adds_versions() {
        let dir = std::env::temp_dir().join(format!("kt-letters-templates-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("einzelkind-2030.toml"), MINIMAL).unwrap();
        std::fs::write(dir.join("notes.txt"), "not a template").unwrap();
        let book = TemplateBook::builtin_and_dir(&dir).unwrap();
        assert_eq!(book.templates().count(), DecisionKind::ALL.len() + 1);
        std::fs::write(dir.join("bad.toml"), MINIMAL.replace("{{ab}}", "{{nope}}")).unwrap();
        let error = TemplateBook::builtin_and_dir(&dir).unwrap_err().to_string();
        assert!(
            error.contains("bad.toml") && error.contains("{{nope}}"),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
