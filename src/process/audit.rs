//! `portico audit [--strict] [--report FILE.json]`: every integration checked against the
//! branching policy (content/process/branching.md), from git alone.
//!
//! Per integration, one walk of the default branch's first-parent history (`releases`)
//! gives the releases and, per commit, the ids of the docs and of the manifest; the
//! findings come from comparing those ids:
//! - a released minor/major version older than the current one, whose docs changed since
//!   on the default branch, with no archive branch (one finding per version, with the
//!   `portico version cut` command that archives it; a version the build publishes from its
//!   tag, under `version_tags`, needs none);
//! - an archive branch whose label matches no release;
//! - two consecutive releases between which the manifest's `settings_schema` changed and
//!   the docs did not;
//! - docs that did not change across a whole release cycle (older than the two newest
//!   minor/major releases).
//!
//! Remote integrations are read from their cached mirrors, fetched as `list` does. Writes
//! nothing; the binary prints the findings and decides the exit code.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::cut_command;
use super::releases::{self, History, MAX_HISTORY, Release};
use crate::catalog::format_date;
use crate::config::{IntegrationConfig, RepoLocation, redact_url};
use crate::diagnostics::{Diagnostic, Location, Severity, printable};
use crate::options::BuildOptions;
use crate::source::inspect::{self, Branches, Current};
use crate::source::{self, Mirrors};
use crate::version::VersionLabel;

/// What the audit found across the portal.
#[derive(Debug, Default)]
pub struct Audit {
    /// How many integrations were checked.
    pub integrations: usize,
    pub findings: Vec<Finding>,
    /// What is fine but worth knowing (versions whose docs need no archive yet).
    pub notes: Vec<String>,
}

/// One departure from the policy.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub integration: String,
    pub kind: FindingKind,
    pub severity: Severity,
    /// The version concerned, when there is one.
    pub version: Option<String>,
    pub message: String,
    /// The command that fixes it, when there is one.
    pub command: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A released version whose docs changed since, with no archive branch.
    MissingArchive,
    /// An archive branch whose label matches no release.
    ArchiveWithoutRelease,
    /// The manifest's settings changed between two releases; the docs did not.
    SettingsWithoutDocs,
    /// The docs did not change across a whole release cycle.
    StaleDocs,
    /// The default branch's manifest names an older version than the newest release.
    ManifestBehindReleases,
    /// The repository could not be read.
    Unreadable,
}

impl Finding {
    /// The finding as a diagnostic (for workflow annotations, titled with the integration
    /// and version).
    pub fn diagnostic(&self) -> Diagnostic {
        let mut location = Location::integration(&self.integration);
        location.version = self.version.clone();
        Diagnostic {
            location,
            severity: self.severity,
            message: self.message.clone(),
        }
    }
}

impl fmt::Display for Finding {
    /// `warning: jira 2.4 released (…)`: the message names the integration already.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = self.severity.name();
        write!(f, "{severity}: {}", printable(&self.message))
    }
}

impl Audit {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    }

    /// The `--report` document: counts and one entry per finding.
    pub fn json(&self) -> String {
        #[derive(Serialize)]
        struct Document<'a> {
            integrations: usize,
            warnings: usize,
            errors: usize,
            findings: &'a [Finding],
        }
        let document = Document {
            integrations: self.integrations,
            warnings: self.count(Severity::Warning),
            errors: self.count(Severity::Error),
            findings: &self.findings,
        };
        let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".into());
        text.push('\n');
        text
    }
}

/// Audits every integration of the portal at `options.root` (remote ones from their
/// mirrors, fetched first unless `--offline`).
pub fn audit(options: &BuildOptions) -> anyhow::Result<Audit> {
    let config = options.load_config()?;
    let (mirrors, reading) = source::fetch_remotes(&config, &options.fetch_settings(&config), None);
    let results: Vec<(Vec<Finding>, Vec<String>)> = config
        .integrations
        .par_iter()
        .enumerate()
        .map(|(index, integration)| {
            repository_path(integration, index, &mirrors)
                .and_then(|path| audit_integration(&options.root, integration, &path))
                .unwrap_or_else(|message| {
                    let finding = Finding {
                        integration: integration.id.clone(),
                        kind: FindingKind::Unreadable,
                        severity: Severity::Error,
                        version: None,
                        message: format!("{}: cannot be audited: {message}", integration.id),
                        command: None,
                    };
                    (vec![finding], Vec::new())
                })
        })
        .collect();
    // Read: other Portico processes sharing the cache may update the mirrors again.
    drop(reading);
    let mut audit = Audit {
        integrations: config.integrations.len(),
        ..Audit::default()
    };
    for (findings, notes) in results {
        audit.findings.extend(findings);
        audit.notes.extend(notes);
    }
    Ok(audit)
}

/// The repository to read: a local `repo`, else the remote's mirror.
fn repository_path(
    integration: &IntegrationConfig,
    index: usize,
    mirrors: &Mirrors,
) -> Result<PathBuf, String> {
    match (&integration.repo, mirrors.get(&index)) {
        (RepoLocation::Local(path), _) => Ok(path.clone()),
        (RepoLocation::Remote(_), Some(mirror)) => mirror.clone(),
        (RepoLocation::Remote(url), None) => {
            Err(format!("repository {} was not fetched", redact_url(url)))
        }
    }
}

/// The findings and notes of one integration.
fn audit_integration(
    root: &Path,
    integration: &IntegrationConfig,
    path: &Path,
) -> Result<(Vec<Finding>, Vec<String>), String> {
    let repo = inspect::open(path)?;
    let branches = inspect::branches(&repo, path, integration)?;
    let current = inspect::current(&repo, integration, branches.tip)?;
    let Some(docs_path) = current.docs_path.clone() else {
        return Err(format!(
            "the default branch {} has no docs (no README.md, docs/ folder or .gitbook.yaml root); add them or set `docs_dir`",
            branches.default_branch
        ));
    };
    let history = History::walk(&repo, branches.tip, Some(&docs_path), MAX_HISTORY)?;
    let releases = releases::merge(
        releases::release_tags(&repo, integration),
        history.manifest_releases(),
    );
    let mut audit = IntegrationAudit {
        root,
        integration,
        branches,
        current,
        docs_path,
        history,
        releases,
        findings: Vec::new(),
        notes: Vec::new(),
    };
    audit.missing_archives();
    audit.archives_without_release();
    audit.settings_without_docs();
    audit.stale_docs();
    if !audit.history.complete {
        audit.notes.push(format!(
            "{}: only the newest {MAX_HISTORY} commits of {} were read",
            integration.id, audit.branches.default_branch
        ));
    }
    Ok((audit.findings, audit.notes))
}

/// One integration being audited: what was read of it, and what was found.
struct IntegrationAudit<'a, 'r> {
    root: &'a Path,
    integration: &'a IntegrationConfig,
    branches: Branches,
    current: Current,
    /// The docs folder (or root landing page) as the build finds it at the tip.
    docs_path: String,
    history: History<'r>,
    /// Every release, oldest first.
    releases: Vec<Release>,
    findings: Vec<Finding>,
    notes: Vec<String>,
}

impl IntegrationAudit<'_, '_> {
    fn warn(
        &mut self,
        kind: FindingKind,
        version: &VersionLabel,
        message: String,
        command: Option<String>,
    ) {
        self.findings.push(Finding {
            integration: self.integration.id.clone(),
            kind,
            severity: Severity::Warning,
            version: Some(version.to_string()),
            message,
            command,
        });
    }

    /// Each minor/major version (`2.4`) with its releases, oldest first.
    fn versions(&self) -> BTreeMap<VersionLabel, Vec<&Release>> {
        let mut versions: BTreeMap<VersionLabel, Vec<&Release>> = BTreeMap::new();
        for release in &self.releases {
            versions
                .entry(release.label.to_major_minor())
                .or_default()
                .push(release);
        }
        versions
    }

    /// The current version: the current docs' label, or the newest release when the
    /// manifest on the default branch lags behind the release tags (a finding: the portal
    /// labels the current docs with the manifest's stale version).
    fn current_version(&mut self) -> VersionLabel {
        let labelled = self.current.label.to_major_minor();
        let newest = self
            .releases
            .iter()
            .filter(|release| release.is_tag())
            .max_by(|a, b| a.label.cmp(&b.label))
            .cloned();
        match newest {
            Some(newest)
                if newest.label.to_major_minor() > labelled
                    && self.current.manifest_version.is_some() =>
            {
                let message = format!(
                    "{} {labelled}: the manifest on the default branch {} says version {}, but {} ({}) is a newer release: set the manifest's version to the release these docs describe, or the portal labels them {labelled}",
                    self.integration.id,
                    self.branches.default_branch,
                    self.current.manifest_version.as_deref().unwrap_or_default(),
                    newest.describe(),
                    newest.date(),
                );
                self.warn(
                    FindingKind::ManifestBehindReleases,
                    &labelled,
                    message,
                    None,
                );
                newest.label.to_major_minor()
            }
            _ => labelled,
        }
    }

    /// Released versions older than the current one, whose docs changed since, with no
    /// archive branch.
    fn missing_archives(&mut self) {
        let id = self.integration.id.clone();
        let current = self.current_version();
        let older: Vec<VersionLabel> = self
            .versions()
            .into_keys()
            .filter(|version| *version < current)
            .collect();
        let tip_docs = self.history.commits.first().and_then(|c| c.watched.docs);
        for version in older {
            let archived = self
                .branches
                .archives
                .iter()
                .any(|(label, _)| label.to_major_minor() == version);
            let release = releases::archive_point(&self.releases, &version).cloned();
            let Some(release) = release.filter(|_| !archived) else {
                continue;
            };
            let changes = self.history.docs_changes_since(&release);
            let released = format!(
                "{id} {version} released ({}, {})",
                release.describe(),
                release.date()
            );
            if release.is_tag() && !self.integration.version_tags.is_empty() {
                // With `version_tags` the build publishes the tag itself as that version.
                self.notes.push(format!(
                    "{released}; published from the tag (version_tags): no archive branch needed"
                ));
                continue;
            }
            if changes == 0 || self.history.watched_at(release.last_commit).docs == tip_docs {
                self.notes.push(format!(
                    "{released}; docs unchanged since: no archive needed yet"
                ));
                continue;
            }
            let branch = self.archive_branch(&version);
            let command = self.cut_command(&version);
            let message = format!(
                "{released}; docs changed {changes} {} since; no {branch} branch: run `{command}`{}",
                if changes == 1 { "time" } else { "times" },
                self.clone_hint()
            );
            self.warn(
                FindingKind::MissingArchive,
                &version,
                message,
                Some(command),
            );
        }
    }

    /// Archive branches whose label matches no release (by exact label or major.minor).
    fn archives_without_release(&mut self) {
        let known: Vec<VersionLabel> = self.versions().into_keys().collect();
        let unmatched: Vec<(VersionLabel, String)> = self
            .branches
            .archives
            .iter()
            .filter(|(label, _)| {
                !self.releases.iter().any(|release| {
                    release.label == *label
                        || release.label.to_major_minor() == label.to_major_minor()
                })
            })
            .map(|(label, origin)| (label.clone(), origin.ref_name()))
            .collect();
        let found = if known.is_empty() {
            "the repository has no release tags and no manifest versions".to_string()
        } else {
            let names: Vec<String> = known.iter().map(ToString::to_string).collect();
            format!("releases found: {}", names.join(", "))
        };
        for (label, branch) in unmatched {
            let message = format!(
                "{} archive branch {branch} (version {label}) matches no release: no release tag or manifest version {label} or {}.x ({found}); rename the branch after the release it archives, or tag that release",
                self.integration.id,
                label.to_major_minor()
            );
            self.warn(FindingKind::ArchiveWithoutRelease, &label, message, None);
        }
    }

    /// Consecutive releases between which `settings_schema` changed and the docs did not.
    fn settings_without_docs(&mut self) {
        let releases = self.releases.clone();
        for pair in releases.windows(2) {
            let (before, after) = (&pair[0], &pair[1]);
            let watched_before = self.history.watched_at(before.commit);
            let watched_after = self.history.watched_at(after.commit);
            let settings_changed = self.history.settings_schema(&watched_before)
                != self.history.settings_schema(&watched_after);
            if !settings_changed || watched_before.docs != watched_after.docs {
                continue;
            }
            let manifest = watched_after
                .manifest
                .map_or("plugin.json", |(_, file)| file);
            let message = format!(
                "{} {} ({}, {}) changed {manifest} settings_schema since {} but the docs ({}) did not change: document the new or changed settings",
                self.integration.id,
                after.label,
                after.describe(),
                after.date(),
                before.describe(),
                self.docs_shown()
            );
            self.warn(
                FindingKind::SettingsWithoutDocs,
                &after.label,
                message,
                None,
            );
        }
    }

    /// Docs last changed before the two newest minor/major releases: a whole release cycle
    /// went by without a docs change (docs updated just before a release are current).
    fn stale_docs(&mut self) {
        let Some(last_change) = self
            .history
            .docs_changes()
            .next()
            .or(self.history.commits.last())
            .cloned()
        else {
            return;
        };
        let released_since: Vec<String> = self
            .versions()
            .into_iter()
            .filter(|(_, releases)| releases.iter().map(|r| r.time).min() > Some(last_change.time))
            .map(|(version, _)| version.to_string())
            .collect();
        if released_since.len() < 2 {
            return;
        }
        let message = format!(
            "{} docs ({}) last changed {} (commit {}), {} releases ago (minor/major versions released since: {}): review the docs against the current release",
            self.integration.id,
            self.docs_shown(),
            format_date(last_change.time),
            releases::short(last_change.id),
            released_since.len(),
            released_since.join(", ")
        );
        let current = self.current.label.clone();
        self.warn(FindingKind::StaleDocs, &current, message, None);
    }

    /// The docs path as readers know it: `docs/`, `README.md`.
    fn docs_shown(&self) -> String {
        if crate::paths::is_markdown(&self.docs_path) {
            self.docs_path.clone()
        } else {
            format!("{}/", self.docs_path)
        }
    }

    /// The branch the first `version_branches` pattern names for `version`.
    fn archive_branch(&self, version: &VersionLabel) -> String {
        self.integration.version_branches.first().map_or_else(
            || format!("{version}-docs"),
            |pattern| pattern.name_for(version),
        )
    }

    /// `portico version cut ID VERSION`, with `--repo CLONE` for a remote repository.
    fn cut_command(&self, version: &VersionLabel) -> String {
        let version = version.to_string();
        let mut words = vec![self.integration.id.as_str(), version.as_str()];
        if matches!(self.integration.repo, RepoLocation::Remote(_)) {
            words.extend(["--repo", "CLONE"]);
        }
        cut_command(self.root, &words)
    }

    /// For a remote repository, what CLONE means in the command.
    fn clone_hint(&self) -> String {
        match &self.integration.repo {
            RepoLocation::Remote(url) => format!(" (CLONE: a local clone of {})", redact_url(url)),
            RepoLocation::Local(_) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(kind: FindingKind, command: Option<&str>) -> Finding {
        Finding {
            integration: "jira".to_string(),
            kind,
            severity: Severity::Warning,
            version: Some("2.4".to_string()),
            message: "jira 2.4 released\u{1b}[2J".to_string(),
            command: command.map(str::to_string),
        }
    }

    #[test]
    fn the_report_names_each_finding_by_kind_with_its_command() {
        let audit = Audit {
            integrations: 2,
            findings: vec![
                finding(
                    FindingKind::MissingArchive,
                    Some("portico version cut jira 2.4"),
                ),
                finding(FindingKind::SettingsWithoutDocs, None),
            ],
            notes: Vec::new(),
        };
        let json: serde_json::Value = serde_json::from_str(&audit.json()).unwrap();
        assert_eq!(json["integrations"], 2);
        assert_eq!(json["warnings"], 2);
        assert_eq!(json["findings"][0]["kind"], "missing-archive");
        assert_eq!(
            json["findings"][0]["command"],
            "portico version cut jira 2.4"
        );
        assert_eq!(json["findings"][1]["kind"], "settings-without-docs");
        assert!(json["findings"][1]["command"].is_null());
    }

    #[test]
    fn printed_findings_escape_what_came_from_a_repository() {
        let printed = finding(FindingKind::MissingArchive, None).to_string();
        assert!(
            printed.starts_with("warning: jira 2.4 released"),
            "{printed}"
        );
        assert!(!printed.contains('\u{1b}'), "{printed:?}");
    }
}
