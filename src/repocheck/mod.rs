//! `portico check --repo PATH`: a plugin repository's own CI checks its docs, without a
//! portal.
//!
//! The repository's working tree (uncommitted edits and new files included, git-ignored
//! files never) is read as the integration's current version, whatever is checked out (a
//! pull request's detached merge commit in CI included); archive branches are not read.
//! It goes through the same pipeline as `build` and `check` (`Site::assemble_from`: reading,
//! classifying, rendering, navigation, link check, composing into nothing), with the
//! settings `settings` chooses, and `findings` adds what only this check reports: what a
//! community-managed portal would strip, and the contribution template's missing sections.
//! Writes nothing. Only what concerns the repository is reported (not the portal's own
//! `site.toml` or `content/`).

mod findings;
mod settings;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::compose::Discard;
use crate::config::SiteConfig;
use crate::diagnostics::{self, Severity};
use crate::options::BuildOptions;
use crate::outcome::{BuildFailure, BuildReport};
use crate::progress::Progress;
use crate::render::RenderCache;
use crate::scaffold::Template;
use crate::site::Site;
use crate::source::{self, ReadOptions};
use settings::SettingsFrom;

/// What `check --repo` was asked.
#[derive(Debug, Clone, Default)]
pub struct RepoCheckOptions {
    /// The portal root (`--root`): its `site.toml`, when there is one, gives the settings.
    pub root: PathBuf,
    /// The repository to check (`--repo`).
    pub repo: PathBuf,
    /// Fail on warnings too.
    pub strict: bool,
    /// Print errors only.
    pub quiet: bool,
}

/// A repository ready to be checked: its working tree found and its settings chosen.
pub struct RepoCheck {
    options: RepoCheckOptions,
    config: SiteConfig,
    template: Template,
    work_tree: PathBuf,
    from: SettingsFrom,
}

impl RepoCheck {
    /// Opens the repository at `options.repo` (which must be a git repository with a
    /// working tree) and chooses the settings to check it with.
    pub fn prepare(options: &RepoCheckOptions) -> anyhow::Result<RepoCheck> {
        let work_tree = source::work_tree_of(&options.repo)?;
        let (config, from) = settings::choose(&options.root, &work_tree)?;
        // A portal's theme may have its own contribution template.
        let template = match from {
            SettingsFrom::BuiltIn {
                portal_without_entry: None,
            } => Template::builtin(),
            _ => Template::load(&config.root, &config.site.theme)?,
        };
        Ok(RepoCheck {
            options: options.clone(),
            config,
            template,
            work_tree,
            from,
        })
    }

    /// The id the integration is checked under (diagnostics name it).
    pub fn integration(&self) -> &str {
        self.config
            .integrations
            .first()
            .map_or("", |integration| integration.id.as_str())
    }

    /// The repository's working tree, canonical (where annotated files are).
    pub fn work_tree(&self) -> &Path {
        &self.work_tree
    }

    /// Which settings the check uses, in a sentence.
    pub fn settings(&self) -> String {
        let id = self.integration();
        match &self.from {
            SettingsFrom::Portal { site_toml } => format!(
                "checking {} as integration {id} of {}",
                self.work_tree.display(),
                site_toml.display()
            ),
            SettingsFrom::BuiltIn {
                portal_without_entry: Some(site_toml),
            } => format!(
                "checking {} as integration {id}: no integration of {} has this repository as its repo, so the built-in integration settings are used",
                self.work_tree.display(),
                site_toml.display()
            ),
            SettingsFrom::BuiltIn {
                portal_without_entry: None,
            } => format!(
                "checking {} as integration {id} with the built-in settings (no site.toml in the portal root)",
                self.work_tree.display()
            ),
        }
    }

    /// Runs the pipeline on the working tree and adds this check's own warnings. Fails on
    /// errors, and on warnings with `strict`.
    pub fn run(self) -> Result<(BuildReport, Option<Site>), BuildFailure> {
        let started = Instant::now();
        let build_options = BuildOptions {
            root: self.options.root.clone(),
            strict: self.options.strict,
            quiet: self.options.quiet,
            ..BuildOptions::default()
        };
        let read = ReadOptions {
            only_work_tree: true,
            // Nothing is published, so no page needs its date.
            page_dates: source::PageDates::Skip,
            ..ReadOptions::default()
        };
        let discard = Discard::default();
        let progress = Progress::on_terminal(self.options.quiet);
        let mut site = Site::assemble_from(
            &build_options,
            self.config,
            read,
            Some(&discard),
            None,
            &progress,
            RenderCache::new(true),
        )
        .map_err(BuildFailure::early)?;
        site.file_count = discard.len();
        let id = site.config.integrations[0].id.clone();
        site.diagnostics
            .retain(|found| found.location.integration.as_deref() == Some(id.as_str()));
        let before = site.diagnostics.len();
        site.diagnostics.retain(|found| {
            !findings::is_about_unread_portal_page(found, &site.catalog, &site.rendered)
        });
        site.broken_links = site
            .broken_links
            .saturating_sub(before - site.diagnostics.len());
        site.diagnostics
            .extend(findings::community_sanitizing(&site.config, &site.catalog));
        let parsed = &site.rendered.parsed;
        let titles = |page: usize| {
            [&parsed[page].title, &parsed[page].front_matter.title]
                .into_iter()
                .flatten()
                .cloned()
                .collect()
        };
        let missing = findings::missing_sections(&site.catalog, titles, &self.template);
        site.diagnostics.extend(missing);
        diagnostics::normalize(&mut site.diagnostics);
        let mut report = BuildReport::of(&site, started);
        // The repository's pages, not the portal's generated ones.
        report.pages = site
            .catalog
            .integrations
            .iter()
            .flat_map(|integration| &integration.versions)
            .map(|version| version.docs.pages.len())
            .sum();
        match failure(&report, self.options.strict) {
            Some(reason) => Err(BuildFailure {
                reason,
                report: Some(Box::new(report)),
                site: Some(Box::new(site)),
            }),
            None => Ok((report, Some(site))),
        }
    }
}

/// Why the check fails, if it does.
fn failure(report: &BuildReport, strict: bool) -> Option<String> {
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    if errors > 0 {
        Some(format!("{errors} error(s) in the repository's docs"))
    } else if strict && warnings > 0 {
        Some(format!("{warnings} warning(s) and --strict"))
    } else {
        None
    }
}
