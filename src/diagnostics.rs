//! Warnings and errors found by any stage, with where they come from.
//!
//! Stages return their diagnostics as values; `lib.rs` gathers them, sorts them so the
//! report is deterministic, and the binary prints them once. `--strict` counts warnings as
//! failures. This module never prints and never decides whether a build fails.
//!
//! File names, branch names and messages come from repositories nobody on the portal's side
//! reviewed, so everything shown goes through [`printable`]: a file name must not be able to
//! print a forged CI command on a line of its own, or move a terminal's cursor.

use std::borrow::Cow;
use std::fmt;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A suggestion (a heuristic that may be wrong): printed as `hint:`, never counted as a
    /// warning, so `--strict` does not fail on it.
    Hint,
    Warning,
    Error,
}

impl Severity {
    /// `hint`, `warning`, `error`: how diagnostics print it.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Where a problem is: as much of integration → version (branch) → file → line as is known.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Location {
    pub integration: Option<String>,
    /// The version label, with the git ref it was read from: `2.3 (branch jira-docs-2.3)`.
    pub version: Option<String>,
    /// Path inside the repository (or inside the portal root for `site.toml` and `content/`).
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl Location {
    pub fn integration(id: &str) -> Self {
        Location {
            integration: Some(id.to_string()),
            ..Location::default()
        }
    }

    pub fn file(path: impl Into<String>) -> Self {
        Location {
            file: Some(path.into()),
            ..Location::default()
        }
    }

    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    pub fn with_file(mut self, path: impl Into<String>) -> Self {
        self.file = Some(path.into());
        self
    }

    pub fn with_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    pub fn with_column(mut self, column: u32) -> Self {
        self.column = Some(column);
        self
    }
}

/// `text` with every character that could change how a log or terminal reads escaped as
/// `\n`, `\r`, `\t` or `\u{…}`: control characters (C0, DEL, C1, so ESC and CSI
/// sequences), Unicode line and paragraph separators, bidirectional overrides (which
/// make a line display in another order than it reads) and zero-width characters (which
/// make two different names look the same). Backslashes are kept as they are.
pub fn printable(text: &str) -> Cow<'_, str> {
    fn needs_escape(c: char) -> bool {
        c.is_control()
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
                    | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
                    | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}'
            )
    }
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            c if needs_escape(c) => escaped.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => escaped.push(c),
        }
    }
    Cow::Owned(escaped)
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(integration) = &self.integration {
            parts.push(format!("integration {integration}"));
        }
        if let Some(version) = &self.version {
            parts.push(format!("version {version}"));
        }
        let mut text = parts.join(", ");
        if let Some(file) = &self.file {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(file);
            if let Some(line) = self.line {
                text.push_str(&format!(":{line}"));
                if let Some(column) = self.column {
                    text.push_str(&format!(":{column}"));
                }
            }
        }
        f.write_str(&printable(&text))
    }
}

#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Diagnostic {
    pub location: Location,
    pub severity: Severity,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl Diagnostic {
    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            location,
            severity: Severity::Warning,
            message: message.into(),
        }
    }

    pub fn hint(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            location,
            severity: Severity::Hint,
            message: message.into(),
        }
    }

    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            location,
            severity: Severity::Error,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = self.severity.name();
        let location = self.location.to_string();
        let message = printable(&self.message);
        if location.is_empty() {
            write!(f, "{severity}: {message}")
        } else {
            write!(f, "{severity}: {location}: {message}")
        }
    }
}

/// Sorts into a stable order (by place, then message) and drops exact repeats, so that the
/// report reads the same whichever thread found what first.
pub fn normalize(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort();
    diagnostics.dedup();
}

/// Line starts of a text, for locating many offsets without rescanning it each time.
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn locate(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line as u32, column as u32)
    }
}

/// 1-based line and column of a byte offset in `text`.
pub fn line_and_column(text: &str, offset: usize) -> (u32, u32) {
    LineIndex::new(text).locate(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_read_from_integration_down_to_line() {
        let location = Location::integration("jira")
            .with_version("2.3 (branch jira-docs-2.3)")
            .with_file("docs/setup.md")
            .with_line(12);
        let diagnostic = Diagnostic::warning(location, "broken link");
        assert_eq!(
            diagnostic.to_string(),
            "warning: integration jira, version 2.3 (branch jira-docs-2.3): docs/setup.md:12: broken link"
        );
    }

    #[test]
    fn control_characters_in_names_and_messages_are_shown_escaped() {
        let location = Location::integration("evil")
            .with_version("1.0 (branch 1.0-docs\u{1b}[2J)")
            .with_file("docs/a\n::error::forged\r.md");
        let diagnostic =
            Diagnostic::warning(location, "bad\n::add-mask::x \u{202e}gnp.exe \u{9b}31m");
        let shown = diagnostic.to_string();
        assert_eq!(
            shown,
            "warning: integration evil, version 1.0 (branch 1.0-docs\\u{1b}[2J): docs/a\\n::error::forged\\r.md: bad\\n::add-mask::x \\u{202e}gnp.exe \\u{9b}31m"
        );
        assert!(!shown.chars().any(char::is_control));
        assert_eq!(
            printable("zero\u{200b}width\u{feff}.md"),
            "zero\\u{200b}width\\u{feff}.md"
        );
        assert!(matches!(
            printable("plain ünïcode / \\ path"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn offsets_map_to_one_based_lines_and_character_columns() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 3), (2, 1));
        assert_eq!(line_and_column(text, 8), (3, 1));
        assert_eq!(line_and_column(text, 7), (2, 4));
    }

    #[test]
    fn normalize_orders_and_removes_repeats() {
        let b = Diagnostic::warning(Location::file("b.md"), "x");
        let a = Diagnostic::warning(Location::file("a.md"), "x");
        let mut all = vec![b.clone(), a.clone(), b.clone()];
        normalize(&mut all);
        assert_eq!(all, vec![a, b]);
    }
}
