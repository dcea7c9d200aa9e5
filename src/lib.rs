//! Portico: a static documentation portal for integrations whose versioned docs live in git.
//!
//! The build is a pipeline of named stages (see DESIGN.md); this file is that pipeline on
//! one screen:
//!
//! ```text
//! site.toml ─► config::load ─► SiteConfig
//! repos (git) + content/ ─► source::aggregate ─► Sources          (only git2 user)
//!                           catalog::classify ─► Catalog          (versions, addresses)
//!          render::render_all (markdown, rayon) ─► Rendered per page (cached by blob)
//!                           nav::build_site   ─► SiteNavigation
//!                           linkcheck::check  ─► warnings
//! themes/<name>/ ─► theme::load ─► Theme
//!                           compose::compose  ─► Vec<OutputFile>
//!                            publish::write   ─► output folder    (only writer, atomic)
//! ```
//!
//! `build` runs it once and publishes; `serve` keeps the [`Site`] and runs it again with
//! [`Changes`], reusing what a change cannot affect.

pub mod catalog;
pub mod compose;
pub mod config;
pub mod demo;
pub mod diagnostics;
pub mod linkcheck;
pub mod list;
pub mod markdown;
pub mod nav;
pub mod publish;
pub mod render;
pub mod serve;

pub mod source;
pub mod theme;
pub mod version;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use catalog::{Catalog, Owner};
use compose::OutputFile;
use config::SiteConfig;
use diagnostics::{Diagnostic, Location, Severity};
use render::{RenderCache, RenderedPages};
use source::{ReadOptions, Reread, Sources};
use theme::Theme;

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The folder holding `site.toml`.
    pub root: PathBuf,
    /// Output folder; default `[build] output_dir`.
    pub out: Option<PathBuf>,
    /// Fail on any warning.
    pub strict: bool,
    /// Build the other integrations when one cannot be read (and still fail).
    pub keep_going: bool,
    /// Overrides `[site] base_url`.
    pub base_url: Option<String>,
}

/// What a build (or check) did.
#[derive(Debug)]
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
}

impl BuildReport {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// A build that did not publish: why, and everything found on the way.
#[derive(Debug, thiserror::Error)]
#[error("{reason}")]
pub struct BuildFailure {
    pub reason: String,
    pub report: Option<Box<BuildReport>>,
}

impl BuildFailure {
    fn early(err: anyhow::Error) -> Self {
        BuildFailure {
            reason: format!("{err:#}"),
            report: None,
        }
    }
}

/// Builds the site and publishes it atomically.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    run(options, true)
}

/// Validates everything `build` validates, writing nothing.
pub fn check(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    run(options, false)
}

/// Loads `site.toml` with the command line's overrides applied.
pub fn load_config(options: &BuildOptions) -> anyhow::Result<SiteConfig> {
    let mut config = config::load(&options.root)?;
    if let Some(base_url) = &options.base_url {
        config.site.base_url = config::BaseUrl::parse(base_url)
            .map_err(|message| anyhow::anyhow!("--base-url: {message}"))?;
    }
    if let Some(out) = &options.out {
        config.build.output_dir = out.clone();
    }
    Ok(config)
}

fn run(options: &BuildOptions, write: bool) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let site = Site::assemble(options, ReadOptions::default()).map_err(BuildFailure::early)?;
    let mut report = site.report(started);
    let unreadable = site.unreadable();

    // With --keep-going, unreadable integrations do not block publishing the others,
    // but the build still fails so that CI notices.
    let errors = report.count(Severity::Error);
    let excused = if options.keep_going { unreadable } else { 0 };
    let warnings = report.count(Severity::Warning);
    let blocked = if unreadable > 0 && !options.keep_going {
        Some(format!(
            "{unreadable} integration(s) could not be read, so nothing was published; fix them or pass --keep-going to publish the others"
        ))
    } else if errors > excused {
        Some(format!(
            "{} error(s), so nothing was published",
            errors - excused
        ))
    } else if options.strict && warnings > 0 {
        Some(format!(
            "{warnings} warning(s) and --strict, so nothing was published"
        ))
    } else {
        None
    };
    if write && blocked.is_none() {
        publish::write(&site.config.build.output_dir, &site.files).map_err(BuildFailure::early)?;
        report.output = Some(site.config.build.output_dir.clone());
    }
    let reason = blocked.or_else(|| {
        (unreadable > 0).then(|| {
            format!(
                "{unreadable} integration(s) could not be read; the others were {}",
                if write { "published" } else { "checked" }
            )
        })
    });
    report.elapsed = started.elapsed();
    match reason {
        Some(reason) => Err(BuildFailure {
            reason,
            report: Some(Box::new(report)),
        }),
        None => Ok(report),
    }
}

/// What changed since the last build, for `serve`'s cheapest correct rebuild.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// `site.toml`: everything is rebuilt.
    pub config: bool,
    /// Templates or static files: pages are composed again; nothing is re-read or re-rendered.
    pub theme: bool,
    /// `content/`: the portal's own pages.
    pub content: bool,
    /// Integrations (indexes in `site.toml` order) whose branches or working tree changed.
    pub integrations: BTreeSet<usize>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }
}

/// A complete build held in memory: every stage's output, and the caches that let the
/// next build (while serving) redo only what a change can affect.
pub struct Site {
    pub config: SiteConfig,
    pub theme: Theme,
    pub sources: Sources,
    pub catalog: Catalog,
    pub rendered: RenderedPages,
    /// Every output file, sorted by path.
    pub files: Vec<OutputFile>,
    pub diagnostics: Vec<Diagnostic>,
    pub broken_links: usize,
    /// How many pages the last (re)build composed rather than reused.
    pub composed: usize,
    read: ReadOptions,
    options: BuildOptions,
    render_cache: RenderCache,
}

impl Site {
    /// Runs the whole pipeline (publishing excluded).
    pub fn assemble(options: &BuildOptions, read: ReadOptions) -> anyhow::Result<Site> {
        Site::assemble_with(options, read, &mut RenderCache::default())
    }

    /// The whole pipeline, with renderings from earlier builds; the cache moves into the site.
    fn assemble_with(
        options: &BuildOptions,
        read: ReadOptions,
        cache: &mut RenderCache,
    ) -> anyhow::Result<Site> {
        let config = load_config(options)?;
        let theme = theme::load(&config.root, &config.site.theme)?;
        let sources = source::aggregate_with(&config, read, None);
        let (catalog, rendered, files, diagnostics, broken_links, composed) =
            downstream(&config, &theme, &sources, cache, None)?;
        let render_cache = std::mem::take(cache);
        Ok(Site {
            config,
            theme,
            sources,
            catalog,
            rendered,
            files,
            diagnostics,
            broken_links,
            composed,
            read,
            options: options.clone(),
            render_cache,
        })
    }

    /// Rebuilds after `changes`, reusing everything they cannot affect. On failure the site
    /// is left as it was (the last good build keeps being served).
    pub fn rebuild(&mut self, changes: &Changes) -> anyhow::Result<()> {
        if changes.config {
            // Everything is read again; renderings whose inputs did not change are kept.
            *self = Site::assemble_with(&self.options, self.read, &mut self.render_cache)?;
            return Ok(());
        }
        let theme = if changes.theme {
            Some(theme::load(&self.config.root, &self.config.site.theme)?)
        } else {
            None
        };
        let reread = Reread {
            content: changes.content,
            integrations: changes.integrations.clone(),
        };
        let sources = if changes.content || !changes.integrations.is_empty() {
            source::aggregate_with(&self.config, self.read, Some((&self.sources, &reread)))
        } else {
            self.sources.clone()
        };
        let theme_ref = theme.as_ref().unwrap_or(&self.theme);
        let reuse = Reuse {
            previous: &self.files,
            previous_catalog: &self.catalog,
            changes,
        };
        let (catalog, rendered, files, diagnostics, broken_links, composed) = downstream(
            &self.config,
            theme_ref,
            &sources,
            &mut self.render_cache,
            Some(&reuse),
        )?;
        if let Some(theme) = theme {
            self.theme = theme;
        }
        self.sources = sources;
        self.catalog = catalog;
        self.rendered = rendered;
        self.files = files;
        self.diagnostics = diagnostics;
        self.broken_links = broken_links;
        self.composed = composed;
        Ok(())
    }

    /// Integrations that could not be read.
    pub fn unreadable(&self) -> usize {
        self.sources
            .integrations
            .iter()
            .filter(|r| r.is_err())
            .count()
    }

    /// A summary of this build, for printing.
    pub fn report(&self, started: Instant) -> BuildReport {
        BuildReport {
            integrations: self.catalog.integrations.len(),
            versions: self
                .catalog
                .integrations
                .iter()
                .map(|i| i.versions.len())
                .sum(),
            pages: self.catalog.pages.len(),
            files: self.files.len(),
            broken_links: self.broken_links,
            diagnostics: self.diagnostics.clone(),
            output: None,
            elapsed: started.elapsed(),
        }
    }
}

/// The previous build's output and what changed since, for composing only what changed.
struct Reuse<'a> {
    previous: &'a [OutputFile],
    previous_catalog: &'a Catalog,
    changes: &'a Changes,
}

/// What the stages after reading produce: the catalog, renderings, output files,
/// diagnostics, the number of broken links, and how many pages were composed.
type Downstream = (
    Catalog,
    RenderedPages,
    Vec<OutputFile>,
    Vec<Diagnostic>,
    usize,
    usize,
);

/// Every stage after reading: classify, render, navigate, check links, compose.
fn downstream(
    config: &SiteConfig,
    theme: &Theme,
    sources: &Sources,
    render_cache: &mut RenderCache,
    reuse: Option<&Reuse>,
) -> anyhow::Result<Downstream> {
    let mut diagnostics = config::warnings(config);
    diagnostics.extend(sources.diagnostics().cloned());
    for err in sources.integrations.iter().filter_map(|r| r.as_ref().err()) {
        diagnostics.push(Diagnostic::error(Location::default(), err.to_string()));
    }

    let (catalog, found) = catalog::classify(config, sources);
    diagnostics.extend(found);
    let rendered = render::render_all(config, &catalog, render_cache);
    diagnostics.extend(rendered.diagnostics.iter().cloned());
    // Titles come from content (first heading) or navigation, so navigation is built
    // between rendering and composing.
    let (navigation, found) =
        nav::build_site(&catalog, &|page| nav::content_title(&rendered.pages[page]));
    diagnostics.extend(found);
    let titles = nav::page_titles(&catalog, &rendered.pages, &navigation);
    let link_problems = linkcheck::check(&catalog, &rendered.pages);
    let broken_links = link_problems.len();
    diagnostics.extend(link_problems);

    let previous: Option<HashMap<&str, Arc<[u8]>>> = reuse.map(|reuse| {
        reuse
            .previous
            .iter()
            .map(|f| (f.path.as_str(), f.bytes.clone()))
            .collect()
    });
    let changed = changed_versions(&catalog, reuse);
    let unchanged = |page: usize| unchanged_page(&catalog, &rendered, changed.as_ref(), page);
    let composed = (0..catalog.pages.len())
        .filter(|&page| !unchanged(page))
        .count();
    let files = compose::compose(&compose::Inputs {
        config,
        catalog: &catalog,
        rendered: &rendered.pages,
        titles: &titles,
        navigation: &navigation,
        theme,
        previous: previous.as_ref().map(|files| compose::Previous {
            files,
            unchanged: &unchanged,
        }),
    })?;
    diagnostics::normalize(&mut diagnostics);
    Ok((
        catalog,
        rendered,
        files,
        diagnostics,
        broken_links,
        composed,
    ))
}

/// Versions (integration, version indexes in `catalog`) whose pages must be composed
/// again: those of re-read integrations whose content changed, or all of an integration's
/// when what its pages show about each other changed (versions, page sets). `None` when
/// every page must be (first build, settings or theme changed).
fn changed_versions(catalog: &Catalog, reuse: Option<&Reuse>) -> Option<HashSet<(usize, usize)>> {
    let reuse = reuse?;
    if reuse.changes.config || reuse.changes.theme {
        return None;
    }
    let old = reuse.previous_catalog;
    let mut changed = HashSet::new();
    for (index, integration) in catalog.integrations.iter().enumerate() {
        if !reuse.changes.integrations.contains(&integration.config) {
            continue;
        }
        let before = old
            .integrations
            .iter()
            .position(|i| i.config == integration.config);
        let same_shape =
            before.is_some_and(|b| old.integration_shape(b) == catalog.integration_shape(index));
        for (version_index, version) in integration.versions.iter().enumerate() {
            let same_content = same_shape
                && before.is_some_and(|b| {
                    old.integrations[b]
                        .versions
                        .iter()
                        .position(|v| v.label == version.label)
                        .is_some_and(|v| {
                            old.version_content(b, v)
                                == catalog.version_content(index, version_index)
                        })
                });
            if !same_content {
                changed.insert((index, version_index));
            }
        }
    }
    Some(changed)
}

/// Whether a page's previous output is still right: its rendering was reused, and its
/// version did not change (see `changed_versions`). The portal's own pages list every
/// integration and are always composed again.
fn unchanged_page(
    catalog: &Catalog,
    rendered: &RenderedPages,
    changed: Option<&HashSet<(usize, usize)>>,
    page: usize,
) -> bool {
    let Some(changed) = changed else { return false };
    if rendered.fresh[page] {
        return false;
    }
    match catalog.pages[page].owner {
        Owner::Portal => false,
        Owner::Version {
            integration,
            version,
        } => !changed.contains(&(integration, version)),
    }
}
