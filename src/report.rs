//! What a build tells CI: the JSON build report (`--report FILE.json`) and GitHub Actions
//! workflow annotations (`::warning file=…,line=…::…`).
//!
//! Pure formatting of a finished build; prints and writes nothing itself.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Severity};
use crate::outcome::{BuildReport, IntegrationSummary};

/// The build report: integrations and their versions (with commit ids), page counts,
/// every warning and error, and how long each stage took.
pub fn json(report: &BuildReport, failure: Option<&str>) -> String {
    #[derive(Serialize)]
    struct Document<'a> {
        ok: bool,
        failure: Option<&'a str>,
        output: Option<String>,
        /// True when the inputs were those of the build already in the output folder, so
        /// nothing was built again.
        unchanged: bool,
        pages: usize,
        /// Distinct texts parsed, and renderings reused from the cache.
        texts_parsed: usize,
        texts_cached: usize,
        files: usize,
        broken_links: usize,
        errors: usize,
        warnings: usize,
        elapsed_ms: u128,
        timings_ms: Vec<Timing>,
        integrations: &'a [IntegrationSummary],
        diagnostics: &'a [Diagnostic],
    }
    #[derive(Serialize)]
    struct Timing {
        stage: &'static str,
        ms: u128,
    }
    let document = Document {
        ok: failure.is_none(),
        failure,
        output: report.output.as_ref().map(|p| p.display().to_string()),
        unchanged: report.unchanged,
        texts_parsed: report.texts_parsed,
        texts_cached: report.texts_cached,
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
        integrations: &report.catalog,
        diagnostics: &report.diagnostics,
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}

/// GitHub Actions workflow commands (`::warning file=…,line=…::…`), shown as annotations
/// on the run and, for files of the workflow's checkout, on those files' lines.
pub struct Annotations {
    /// The workflow's checkout (`$GITHUB_WORKSPACE`), canonical when it exists.
    workspace: PathBuf,
    /// The portal root (where `site.toml` and `content/` are) relative to the checkout, if
    /// it is inside it.
    root_in_workspace: Option<PathBuf>,
    /// For `check --repo`: the integration checked and its working tree relative to the
    /// checkout (the repository's files are the checkout's files there).
    repository: Option<(String, PathBuf)>,
}

impl Annotations {
    /// For a portal at `root`, in a workflow whose checkout is `workspace`
    /// (`$GITHUB_WORKSPACE`).
    pub fn new(root: &Path, workspace: &Path) -> Self {
        let workspace = workspace
            .canonicalize()
            .unwrap_or_else(|_| workspace.to_path_buf());
        Annotations {
            root_in_workspace: in_workspace(root, &workspace),
            workspace,
            repository: None,
        }
    }

    /// Annotates the files of `integration` in place, its repository's working tree being
    /// `work_tree` (`check --repo`: the docs being checked are files of the checkout).
    pub fn with_repository(mut self, integration: &str, work_tree: &Path) -> Self {
        self.repository = in_workspace(work_tree, &self.workspace)
            .map(|relative| (integration.to_string(), relative));
        self
    }

    /// The command for one diagnostic. Files of the portal (`site.toml`, `content/`) are
    /// annotated in place; a file inside an integration's repository is not a file of the
    /// checkout (and on an archive branch not even of its working tree), so it is named in
    /// the title instead, where GitHub would otherwise pin it on an unrelated file, unless
    /// it is the repository `check --repo` reads from the checkout ([`Self::with_repository`]).
    pub fn diagnostic(&self, diagnostic: &Diagnostic) -> String {
        let command = match diagnostic.severity {
            Severity::Hint => "notice",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        let location = &diagnostic.location;
        let mut properties = Vec::new();
        let mut title: Vec<String> = [&location.integration, &location.version]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let in_checkout = match (&location.integration, &self.repository) {
            (None, _) => self.root_in_workspace.as_ref(),
            (Some(id), Some((checked, work_tree))) if id == checked => Some(work_tree),
            (Some(_), _) => None,
        };
        match (&location.file, in_checkout) {
            (Some(file), Some(folder)) => {
                let path = folder.join(file);
                properties.push(format!("file={}", escape_property(&path.to_string_lossy())));
                if let Some(line) = location.line {
                    properties.push(format!("line={line}"));
                }
                if let Some(column) = location.column {
                    properties.push(format!("col={column}"));
                }
            }
            (Some(file), None) => title.push(match location.line {
                Some(line) => format!("{file}:{line}"),
                None => file.clone(),
            }),
            _ => {}
        }
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

    /// The command that marks the run failed, with the reason.
    pub fn failure(&self, what: &str, reason: &str) -> String {
        format!("::error::{what} failed: {}", escape_data(reason))
    }
}

/// `path` relative to `workspace` (canonical), when it is inside it.
fn in_workspace(path: &Path, workspace: &Path) -> Option<PathBuf> {
    let path = path.canonicalize().ok()?;
    path.strip_prefix(workspace).ok().map(Path::to_path_buf)
}

/// Workflow command data: `%`, CR and LF are encoded as the workflow-command format
/// requires, then any other control character is escaped (GitHub's log viewer renders
/// terminal escape sequences).
fn escape_data(text: &str) -> String {
    let encoded = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    crate::diagnostics::printable(&encoded).into_owned()
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
        let workspace = tempfile::tempdir().unwrap();
        let root = workspace.path().join("portal");
        std::fs::create_dir(&root).unwrap();
        let annotations = Annotations::new(&root, workspace.path());
        let warning = Diagnostic::warning(
            Location::integration("jira")
                .with_version("3.0 (branch 3.0-docs)")
                .with_file("docs/setup.md")
                .with_line(12),
            "broken link \"a.md\": 100% missing, see: b",
        );
        assert_eq!(
            annotations.diagnostic(&warning),
            "::warning title=jira 3.0 (branch 3.0-docs) docs/setup.md%3A12::broken link \"a.md\": 100%25 missing, see: b"
        );
        let config = Diagnostic::error(
            Location::file("site.toml").with_line(4).with_column(1),
            "unknown field, x",
        );
        assert_eq!(
            annotations.diagnostic(&config),
            "::error file=portal/site.toml,line=4,col=1::unknown field, x"
        );
        let outside = Annotations::new(workspace.path(), &root);
        assert_eq!(
            outside.diagnostic(&config),
            "::error title=site.toml%3A4::unknown field, x"
        );
        let error = Diagnostic::error(Location::default(), "two\r\nlines");
        assert_eq!(annotations.diagnostic(&error), "::error::two%0D%0Alines");
        let forged = Diagnostic::warning(
            Location::integration("x").with_file("a\n::add-mask::b,c:d\u{1b}[31m.md"),
            "m\u{1b}]0;title\u{7}",
        );
        assert_eq!(
            annotations.diagnostic(&forged),
            "::warning title=x a%0A%3A%3Aadd-mask%3A%3Ab%2Cc%3Ad\\u{1b}[31m.md::m\\u{1b}]0;title\\u{7}"
        );
        assert_eq!(
            annotations.failure("build", "50% done\r\n"),
            "::error::build failed: 50%25 done%0D%0A"
        );
    }

    #[test]
    fn the_checked_repository_s_files_are_annotated_in_place() {
        let workspace = tempfile::tempdir().unwrap();
        let repo = workspace.path().join("plugin");
        std::fs::create_dir(&repo).unwrap();
        let annotations =
            Annotations::new(workspace.path(), workspace.path()).with_repository("demo", &repo);
        let warning = |integration: &str| {
            Diagnostic::warning(
                Location::integration(integration)
                    .with_version("1.2 (branch HEAD)")
                    .with_file("docs/setup.md")
                    .with_line(5),
                "broken link",
            )
        };
        assert_eq!(
            annotations.diagnostic(&warning("demo")),
            "::warning file=plugin/docs/setup.md,line=5,title=demo 1.2 (branch HEAD)::broken link"
        );
        assert_eq!(
            annotations.diagnostic(&warning("other")),
            "::warning title=other 1.2 (branch HEAD) docs/setup.md%3A5::broken link"
        );
        let outside = tempfile::tempdir().unwrap();
        let elsewhere = Annotations::new(workspace.path(), workspace.path())
            .with_repository("demo", outside.path());
        assert_eq!(
            elsewhere.diagnostic(&warning("demo")),
            "::warning title=demo 1.2 (branch HEAD) docs/setup.md%3A5::broken link"
        );
    }
}
