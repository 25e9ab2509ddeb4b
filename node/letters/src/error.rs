//! Errors and warnings of a render, with the template's line and column.

use std::fmt;

use typst::diag::{Severity, SourceDiagnostic};
use typst::syntax::DiagSpanKind;
use typst::World;

use crate::world::LetterWorld;

/// Why a letter could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The template does not compile with this data: a syntax error, a field the data lacks, a
    /// `panic` in the template. Fix the template (or the data the caller builds).
    #[error("the letter template {template} failed: {diagnostics}")]
    Template {
        /// The template's name, as in [`crate::Template::name`].
        template: String,
        /// typst's errors, each with its place in the template.
        diagnostics: Diagnostics,
    },
    /// The laid-out letter breaks a rule of PDF/UA-1 (for example a glyph that none of the
    /// embedded fonts has, or an image without alternative text). Change the template so it
    /// complies; the standard is not switched off.
    #[error("the letter {template} cannot be written as PDF/UA-1: {diagnostics}")]
    Pdf {
        /// The template's name, as in [`crate::Template::name`].
        template: String,
        /// The exporter's errors, each with its place in the template where known.
        diagnostics: Diagnostics,
    },
    /// The [`crate::DocumentMeta`] cannot be used (a date typst cannot represent).
    #[error("bad letter metadata: {0}")]
    Meta(String),
}

/// One error or warning of typst, located in the template where possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `true` for an error, `false` for a warning.
    pub is_error: bool,
    /// The file: the template's name, or `main.typ`/`data.json`/`meta.json` (the crate's own
    /// virtual files); `None` if typst gave no place.
    pub file: Option<String>,
    /// 1-based line in `file`.
    pub line: Option<usize>,
    /// 1-based column (in characters) in `file`.
    pub column: Option<usize>,
    /// typst's message.
    pub message: String,
    /// typst's hints, if any.
    pub hints: Vec<String>,
}

impl fmt::Display for Diagnostic {
    /// `receipt.typ:12:5: error: unknown variable: foo (hint: …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
            if let Some(line) = self.line {
                write!(f, "{line}:")?;
                if let Some(column) = self.column {
                    write!(f, "{column}:")?;
                }
            }
            f.write_str(" ")?;
        }
        let severity = if self.is_error { "error" } else { "warning" };
        write!(f, "{severity}: {}", self.message)?;
        for hint in &self.hints {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Several diagnostics; shown joined by `; `.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl Diagnostics {
    pub(crate) fn convert(
        world: &LetterWorld,
        template_name: &str,
        diagnostics: &[SourceDiagnostic],
    ) -> Self {
        Self(
            diagnostics
                .iter()
                .map(|diagnostic| convert(world, template_name, diagnostic))
                .collect(),
        )
    }
}

fn convert(world: &LetterWorld, template_name: &str, diagnostic: &SourceDiagnostic) -> Diagnostic {
    let mut file = None;
    let mut line = None;
    let mut column = None;
    let id = match diagnostic.span.get() {
        DiagSpanKind::Detached => None,
        DiagSpanKind::Number { id, .. } | DiagSpanKind::Range { id, .. } => Some(id),
    };
    if let Some(id) = id {
        file = Some(if world.is_template(id) {
            template_name.to_owned()
        } else {
            id.vpath().get_without_slash().to_owned()
        });
        // `WorldExt::range` resolves a span to bytes in its source.
        let range = typst::WorldExt::range(world, diagnostic.span);
        if let (Some(range), Ok(source)) = (range, world.source(id)) {
            if let Some((l, c)) = source.lines().byte_to_line_column(range.start) {
                line = Some(l + 1);
                column = Some(c + 1);
            }
        }
    }
    Diagnostic {
        is_error: diagnostic.severity == Severity::Error,
        file,
        line,
        column,
        message: diagnostic.message.to_string(),
        hints: diagnostic
            .hints
            .iter()
            .map(|hint| hint.v.to_string())
            .collect(),
    }
}
