//! What a run tells its caller: [`BuildReport`] (counts, diagnostics, timings, each
//! integration as built) and [`BuildFailure`] (why nothing was published, with the report
//! when the pipeline got that far). Data only.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::config;
use crate::diagnostics::{Diagnostic, Severity};
use crate::site::Site;

/// What a build (or check) did.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Every warning and error, sorted.
    pub diagnostics: Vec<Diagnostic>,
    pub integrations: usize,
    pub versions: usize,
    pub pages: usize,
    pub files: usize,
    /// Broken links, anchors and images found by the link check (also among the warnings).
    pub broken_links: usize,
    /// Where the site was written (`None` for `check`, or when nothing was written).
    pub output: Option<PathBuf>,
    pub elapsed: Duration,
    /// How long each stage took, in pipeline order.
    pub timings: Vec<(&'static str, Duration)>,
    /// Each integration as built: versions, refs, commits.
    pub catalog: Vec<IntegrationSummary>,
    /// Distinct texts parsed by this build, and renderings taken from the cache (a text
    /// shared by several versions is parsed once).
    pub texts_parsed: usize,
    pub texts_cached: usize,
    /// The inputs were exactly those of the build already published in the output folder:
    /// nothing was built or written, and the report is that build's (see `last_build`).
    pub unchanged: bool,
}

impl BuildReport {
    /// A summary of this build, for printing.
    pub(crate) fn of(site: &Site, started: Instant) -> BuildReport {
        BuildReport {
            integrations: site.catalog.integrations.len(),
            versions: site
                .catalog
                .integrations
                .iter()
                .map(|i| i.versions.len())
                .sum(),
            pages: site.catalog.pages.len(),
            files: site.file_count,
            broken_links: site.broken_links,
            diagnostics: site.diagnostics.clone(),
            output: None,
            elapsed: started.elapsed(),
            timings: site.timings.clone(),
            catalog: summarize(&site.catalog),
            texts_parsed: site.rendered.parsed_now,
            texts_cached: site.rendered.from_cache,
            unchanged: false,
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// A build that did not publish: why, and everything found on the way (when the pipeline
/// got that far).
#[derive(thiserror::Error)]
#[error("{reason}")]
pub struct BuildFailure {
    pub reason: String,
    pub report: Option<Box<BuildReport>>,
    pub site: Option<Box<Site>>,
}

impl std::fmt::Debug for BuildFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildFailure")
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

impl BuildFailure {
    /// A failure before there was a site to report on. Problems in `site.toml` become
    /// located diagnostics (so CI can annotate each line); anything else is the reason.
    pub(crate) fn early(err: anyhow::Error) -> Self {
        match err.downcast_ref::<config::ConfigError>() {
            Some(invalid) => BuildFailure {
                reason: format!(
                    "{} has {} problem(s); fix them and run again",
                    config::CONFIG_FILE,
                    invalid.problems.len()
                ),
                report: Some(Box::new(BuildReport {
                    diagnostics: invalid.diagnostics(),
                    ..BuildReport::default()
                })),
                site: None,
            },
            None => BuildFailure {
                reason: format!("{err:#}"),
                report: None,
                site: None,
            },
        }
    }
}

/// An integration as built: its versions with their refs and commits (for the report).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationSummary {
    pub id: String,
    pub name: String,
    pub default_branch: String,
    pub versions: Vec<VersionSummary>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSummary {
    pub label: String,
    pub current: bool,
    #[serde(rename = "ref")]
    pub ref_name: String,
    pub commit: String,
    pub pages: usize,
}

/// What the report says about each integration of `catalog`.
fn summarize(catalog: &Catalog) -> Vec<IntegrationSummary> {
    catalog
        .integrations
        .iter()
        .map(|integration| IntegrationSummary {
            id: integration.id.clone(),
            name: integration.name.clone(),
            default_branch: integration.default_branch.clone(),
            versions: integration
                .versions
                .iter()
                .map(|version| VersionSummary {
                    label: version.label.as_str().to_string(),
                    current: version.is_current(),
                    ref_name: version.origin.ref_name(),
                    commit: version.commit.clone(),
                    pages: version.docs.pages.len(),
                })
                .collect(),
        })
        .collect()
}
