//! What a build tells CI: the JSON build report (`--report FILE.json`) and GitHub Actions
//! workflow annotations (`::warning file=…,line=…::…`).
//!
//! Pure formatting of a finished build; prints and writes nothing itself.

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Severity};
use crate::{BuildReport, Site};

/// The build report: integrations and their versions (with commit ids), page counts,
/// every warning and error, and how long each stage took.
pub fn json(report: &BuildReport, site: Option<&Site>, failure: Option<&str>) -> String {
    #[derive(Serialize)]
    struct Document<'a> {
        ok: bool,
        failure: Option<&'a str>,
        output: Option<String>,
        pages: usize,
        files: usize,
        broken_links: usize,
        errors: usize,
        warnings: usize,
        elapsed_ms: u128,
        timings_ms: Vec<Timing>,
        integrations: Vec<Integration<'a>>,
        diagnostics: &'a [Diagnostic],
    }
    #[derive(Serialize)]
    struct Timing {
        stage: &'static str,
        ms: u128,
    }
    #[derive(Serialize)]
    struct Integration<'a> {
        id: &'a str,
        name: &'a str,
        default_branch: &'a str,
        versions: Vec<Version<'a>>,
    }
    #[derive(Serialize)]
    struct Version<'a> {
        label: &'a str,
        current: bool,
        #[serde(rename = "ref")]
        ref_name: String,
        commit: &'a str,
        pages: usize,
    }
    let integrations = site
        .map(|site| {
            site.catalog
                .integrations
                .iter()
                .map(|integration| Integration {
                    id: &integration.id,
                    name: &integration.name,
                    default_branch: &integration.default_branch,
                    versions: integration
                        .versions
                        .iter()
                        .map(|version| Version {
                            label: version.label.as_str(),
                            current: version.is_current(),
                            ref_name: version.origin.ref_name(),
                            commit: &version.commit,
                            pages: version.docs.pages.len(),
                        })
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    let document = Document {
        ok: failure.is_none(),
        failure,
        output: report.output.as_ref().map(|p| p.display().to_string()),
        pages: report.pages,
        files: report.files,
        broken_links: report.broken_links,
        errors: report.count(Severity::Error),
        warnings: report.count(Severity::Warning),
        elapsed_ms: report.elapsed.as_millis(),
        timings_ms: report
            .timings
            .iter()
            .map(|(stage, time)| Timing {
                stage,
                ms: time.as_millis(),
            })
            .collect(),
        integrations,
        diagnostics: &report.diagnostics,
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}

/// A GitHub Actions workflow command for a diagnostic: shown as an annotation on the run.
pub fn annotation(diagnostic: &Diagnostic) -> String {
    let command = match diagnostic.severity {
        Severity::Warning => "warning",
        Severity::Error => "error",
    };
    let location = &diagnostic.location;
    let mut properties = Vec::new();
    if let Some(file) = &location.file {
        properties.push(format!("file={}", escape_property(file)));
        if let Some(line) = location.line {
            properties.push(format!("line={line}"));
        }
        if let Some(column) = location.column {
            properties.push(format!("col={column}"));
        }
    }
    let title: Vec<&str> = [location.integration.as_deref(), location.version.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !title.is_empty() {
        properties.push(format!("title={}", escape_property(&title.join(" "))));
    }
    let message = escape_data(&diagnostic.message);
    if properties.is_empty() {
        format!("::{command}::{message}")
    } else {
        format!("::{command} {}::{message}", properties.join(","))
    }
}

/// Workflow command data: `%`, CR and LF are encoded.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command properties: also `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Location;

    #[test]
    fn diagnostics_become_workflow_annotations() {
        let warning = Diagnostic::warning(
            Location::integration("jira")
                .with_version("3.0 (branch 3.0-docs)")
                .with_file("docs/setup.md")
                .with_line(12),
            "broken link \"a.md\": 100% missing, see: b",
        );
        assert_eq!(
            annotation(&warning),
            "::warning file=docs/setup.md,line=12,title=jira 3.0 (branch 3.0-docs)::broken link \"a.md\": 100%25 missing, see: b"
        );
        let error = Diagnostic::error(Location::default(), "two\nlines");
        assert_eq!(annotation(&error), "::error::two%0Alines");
    }
}
