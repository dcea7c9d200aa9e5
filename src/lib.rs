//! Portico: a static documentation portal for integrations whose versioned docs live in git.
//!
//! The build is a pipeline of named stages (see DESIGN.md); this file is that pipeline and
//! nothing else:
//!
//! ```text
//! site.toml (+ command line) ─► options::load_config ─► SiteConfig
//!   --out DIR ─► publish::claim_output ─► Output              (checked, locked; build only)
//! remote repos ─► Fetched::now (source::fetch_remotes) ─► Mirrors        (cached mirrors)
//!        inputs fingerprint ─► last_build::unchanged ─► done, if nothing changed (build)
//! repos (git) + content/ ─► source::aggregate_with ─► Sources   (the only git2 user)
//!                           catalog::classify ─► Catalog        (versions, every address)
//!      render::render_all (rayon, disk cache) ─► RenderedPages  (each text parsed once by
//!                                                                blob, links per page)
//!        nav::build_site + linkcheck::check   ─► SiteNavigation, warnings
//! themes/<name>/ ─► theme::load ─► Theme
//!                           compose::compose  ─► pages, files  ─┐
//!                           search::index     ─► _portico/search ┴► Sink (staging folder,
//!                                                                   memory for serve)
//!                    publish::Staging::publish ─► output folder  (manifest.json, atomic swap)
//! ```
//!
//! `build` runs it once and publishes; `serve` keeps the [`Site`] and runs it again with
//! [`Changes`] ([`Site::rebuild`]), reusing what a change cannot affect (`site.rs`).
//!
//! Beside the pipeline, the documentation process's commands read the same configuration
//! and repositories through the same stages: `process` (`version cut`, `audit`: releases and
//! archive branches from git history), `new_integration` (`new`: the contribution template
//! of `scaffold` into a repository, an entry into `site.toml`) and `repocheck`
//! (`check --repo`: one working tree through this pipeline, without a portal).

mod catalog;
mod compact;
mod compose;
mod config;
pub mod demo;
mod deployment_check;
mod diagnostics;
mod escape;
mod image_size;
mod last_build;
mod linkcheck;
pub mod list;
mod markdown;
mod nav;
pub mod new_integration;
mod options;
mod outcome;
mod output_paths;
mod paths;
pub mod process;
mod progress;
mod publish;
mod render;
pub mod repocheck;
pub mod report;
mod scaffold;
mod search;
pub mod serve;
mod sidebar;
mod site;
mod source;
#[doc(hidden)]
pub mod testing;
mod theme;
mod version;
mod yaml;

use std::time::Instant;

use catalog::Catalog;
use config::SiteConfig;
use diagnostics::Location;
use progress::{Progress, StageClock};
use render::{RenderCache, RenderedPages};
use site::{Fetched, Previous};
use source::{ReadOptions, Sources};
use theme::Theme;

pub use diagnostics::{Diagnostic, Severity, printable};
pub use options::{BuildOptions, RemoteOptions};
pub use outcome::{BuildFailure, BuildReport, IntegrationSummary, VersionSummary};
pub use site::{Changes, Site};
pub use source::{DEFAULT_FETCH_JOBS, DEFAULT_NETWORK_TIMEOUT, set_network_timeout};

/// Builds the site and publishes it atomically. The site stays available to the caller
/// (for `--report`).
/// The site is `None` when nothing was built because nothing changed (see
/// [`BuildReport::unchanged`]).
pub fn build(options: &BuildOptions) -> Result<(BuildReport, Option<Site>), BuildFailure> {
    run(options, true)
}

/// Validates everything `build` validates, writing nothing.
pub fn check(options: &BuildOptions) -> Result<(BuildReport, Option<Site>), BuildFailure> {
    run(options, false)
}

fn run(options: &BuildOptions, write: bool) -> Result<(BuildReport, Option<Site>), BuildFailure> {
    let started = Instant::now();
    // Before any work: a build that may not write where it was asked to fails at once.
    let config = options.load_config().map_err(BuildFailure::early)?;
    let output =
        publish::claim_output(&config, options.quiet, write).map_err(BuildFailure::early)?;
    let progress = Progress::on_terminal(options.quiet);
    let fetched = Fetched::now(options, &config);
    // A build of exactly the inputs of the one already published has nothing to do.
    let inputs = write
        .then(|| last_build::inputs(&config, options, &fetched.mirrors))
        .flatten();
    if let Some(mut report) = inputs
        .as_deref()
        .and_then(|inputs| last_build::unchanged(&config, inputs))
    {
        report.elapsed = started.elapsed();
        return match blocked(&report, 0, options) {
            Some(reason) => Err(BuildFailure {
                reason,
                report: Some(Box::new(report)),
                site: None,
            }),
            None => Ok((report, None)),
        };
    }
    if write {
        last_build::forget(&config);
    }
    // A build writes its files into a staging folder as they are made; `check` counts them.
    let staging = output
        .as_ref()
        .map(|output| output.stage(last_build::page_keys_path(&config)))
        .transpose()
        .map_err(BuildFailure::early)?;
    let discard = compose::Discard::default();
    let sink: &dyn compose::Sink = match &staging {
        Some(staging) => staging,
        None => &discard,
    };
    let mut site = Site::assemble_from(
        options,
        config,
        ReadOptions {
            // `check` writes nothing, not even the dates of pages it computed.
            page_dates: match write {
                true => source::PageDates::ReadAndStore,
                false => source::PageDates::Read,
            },
            ..ReadOptions::default()
        },
        Some(sink),
        Some(fetched),
        &progress,
        // `check` writes nothing, not even to the rendering cache.
        RenderCache::new(!write),
    )
    .map_err(BuildFailure::early)?;
    site.file_count = staging
        .as_ref()
        .map_or(discard.len(), publish::Staging::len);
    let mut report = BuildReport::of(&site, started);
    let unreadable = site.unreadable();
    let blocked = blocked(&report, unreadable, options);
    let mut published = false;
    if let Some(staging) = staging.filter(|_| blocked.is_none()) {
        // With manifest.json.
        report.files = site.file_count + 1;
        progress.stage("publish");
        let publishing = Instant::now();
        staging.publish().map_err(BuildFailure::early)?;
        site.timings.push(("publish", publishing.elapsed()));
        report.timings = site.timings.clone();
        report.output = Some(site.config.build.output_dir.clone());
        published = true;
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
    if let (true, None, Some(inputs)) = (published, &reason, &inputs) {
        last_build::remember(&site.config, inputs, &report);
    }
    match reason {
        Some(reason) => Err(BuildFailure {
            reason,
            report: Some(Box::new(report)),
            site: Some(Box::new(site)),
        }),
        None => Ok((report, Some(site))),
    }
}

/// Why a build with this report may not publish, if it may not. With --keep-going,
/// unreadable integrations do not block publishing the others (the build still fails, so
/// that CI notices).
fn blocked(report: &BuildReport, unreadable: usize, options: &BuildOptions) -> Option<String> {
    let errors = report.count(Severity::Error);
    let excused = if options.keep_going { unreadable } else { 0 };
    let warnings = report.count(Severity::Warning);
    if unreadable > 0 && !options.keep_going {
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
    }
}

impl Site {
    /// Runs the whole pipeline (publishing excluded).
    pub fn assemble(options: &BuildOptions, read: ReadOptions) -> anyhow::Result<Site> {
        Site::assemble_from(
            options,
            options.load_config()?,
            read,
            None,
            None,
            &Progress::none(),
            RenderCache::default(),
        )
    }

    /// [`Site::assemble`] with `site.toml` already loaded (the build checked its output
    /// folder against it first).
    /// With a `sink`, the files go there instead of into [`Site::files`]; with `fetched`,
    /// remote repositories are not fetched again.
    pub(crate) fn assemble_from(
        options: &BuildOptions,
        config: SiteConfig,
        read: ReadOptions,
        sink: Option<&dyn compose::Sink>,
        fetched: Option<Fetched>,
        progress: &Progress,
        mut cache: RenderCache,
    ) -> anyhow::Result<Site> {
        let fetched = fetched.unwrap_or_else(|| Fetched::now(options, &config));
        Site::assemble_with(options, config, read, &mut cache, fetched, sink, progress)
    }

    /// The whole pipeline after fetching, with renderings from earlier builds (the cache
    /// moves into the site).
    #[allow(clippy::too_many_arguments)]
    fn assemble_with(
        options: &BuildOptions,
        config: SiteConfig,
        read: ReadOptions,
        cache: &mut RenderCache,
        fetched: Fetched,
        sink: Option<&dyn compose::Sink>,
        progress: &Progress,
    ) -> anyhow::Result<Site> {
        let mut clock = StageClock::new(progress);
        let Fetched {
            mirrors,
            reading,
            took,
        } = fetched;
        clock.start("read");
        let theme = theme::load(&config.root, &config.site.theme)?;
        let sources = source::aggregate_with(&config, read, None, &mirrors);
        // Read: other Portico processes sharing the cache may update the mirrors again.
        drop(reading);
        let memory = compose::InMemory::default();
        let built = stages(
            &config,
            &theme,
            &sources,
            cache,
            None,
            sink.unwrap_or(&memory),
            &mut clock,
        )?;
        let files = memory.into_files();
        Ok(Site {
            config,
            theme,
            sources,
            catalog: built.catalog,
            rendered: built.rendered,
            file_count: files.len(),
            files,
            diagnostics: built.diagnostics,
            broken_links: built.broken_links,
            composed: built.composed,
            timings: std::iter::once(("fetch", took))
                .chain(clock.timings())
                .collect(),
            mirrors,
            read,
            options: options.clone(),
            render_cache: std::mem::take(cache),
        })
    }

    /// Rebuilds after `changes`, reusing everything they cannot affect. On failure the site
    /// is left as it was (the last good build keeps being served).
    pub fn rebuild(&mut self, changes: &Changes) -> anyhow::Result<()> {
        let progress = Progress::none();
        if changes.config {
            // Everything is read again; renderings whose inputs did not change are kept, and
            // remote repositories are fetched again only if their settings changed.
            let config = self.options.load_config()?;
            let fetched = Fetched::reusing(&self.options, &config, (&self.config, &self.mirrors));
            *self = Site::assemble_with(
                &self.options,
                config,
                self.read,
                &mut self.render_cache,
                fetched,
                None,
                &progress,
            )?;
            return Ok(());
        }
        let mut clock = StageClock::new(&progress);
        clock.start("read");
        let theme = match changes.theme {
            true => Some(theme::load(&self.config.root, &self.config.site.theme)?),
            false => None,
        };
        let reread = source::Reread {
            content: changes.content,
            integrations: changes.integrations.clone(),
        };
        let sources = if changes.content || !changes.integrations.is_empty() {
            let previous = Some((&self.sources, &reread));
            source::aggregate_with(&self.config, self.read, previous, &self.mirrors)
        } else {
            self.sources.clone()
        };
        let previous = Previous {
            files: &self.files,
            catalog: &self.catalog,
            changes,
        };
        let memory = compose::InMemory::default();
        let built = stages(
            &self.config,
            theme.as_ref().unwrap_or(&self.theme),
            &sources,
            &mut self.render_cache,
            Some(&previous),
            &memory,
            &mut clock,
        )?;
        if let Some(theme) = theme {
            self.theme = theme;
        }
        self.sources = sources;
        self.catalog = built.catalog;
        self.rendered = built.rendered;
        self.files = memory.into_files();
        self.file_count = self.files.len();
        self.diagnostics = built.diagnostics;
        self.broken_links = built.broken_links;
        self.composed = built.composed;
        self.timings = clock.timings();
        Ok(())
    }
}

/// What the stages after reading produce (the files are in the sink).
pub(crate) struct Built {
    pub catalog: Catalog,
    pub rendered: RenderedPages,
    pub diagnostics: Vec<Diagnostic>,
    pub broken_links: usize,
    /// How many pages were composed (the rest reused from the previous build).
    pub composed: usize,
}

/// Every stage after reading: classify, render, navigate, check links, compose, index.
/// With `previous` (while serving), unchanged pages keep their previous output.
pub(crate) fn stages(
    config: &SiteConfig,
    theme: &Theme,
    sources: &Sources,
    render_cache: &mut RenderCache,
    previous: Option<&Previous>,
    sink: &dyn compose::Sink,
    clock: &mut StageClock,
) -> anyhow::Result<Built> {
    let mut diagnostics = config::warnings(config);
    diagnostics.extend(sources.diagnostics().cloned());
    for err in sources.integrations.iter().filter_map(|r| r.as_ref().err()) {
        diagnostics.push(Diagnostic::error(
            Location::integration(&err.integration),
            err.message.clone(),
        ));
    }

    clock.start("classify");
    let (catalog, found) = catalog::classify(config, sources);
    diagnostics.extend(found);

    clock.start("render");
    let rendered = render::render_all(config, &catalog, render_cache);
    diagnostics.extend(linkcheck::page_problems(&catalog, &rendered));
    diagnostics.extend(deployment_check::unmarked_install_hints(
        &catalog, &rendered,
    ));

    // Titles come from content (first heading) or navigation, so navigation is built
    // between rendering and composing.
    clock.start("navigate and check links");
    let (navigation, found) = nav::build_site(
        &catalog,
        &|page| nav::content_title(&rendered.parsed[page]),
        &|page| rendered.pages_reached_from(&catalog, page),
    );
    diagnostics.extend(found);
    let titles = nav::page_titles(&catalog, &rendered.parsed, &navigation);
    let link_problems = linkcheck::check(&catalog, &rendered);
    let broken_links = link_problems.len();
    diagnostics.extend(link_problems);

    clock.start("compose");
    let reuse = previous.map(|previous| previous.reuse(&catalog, &rendered));
    let unchanged = |page: usize| reuse.as_ref().is_some_and(|r| r.unchanged(page));
    let composed = (0..catalog.pages.len())
        .filter(|&page| !unchanged(page))
        .count();
    let inputs = compose::Inputs {
        config,
        catalog: &catalog,
        rendered: &rendered,
        titles: &titles,
        navigation: &navigation,
        theme,
        previous: reuse.as_ref().map(|reuse| compose::Previous {
            files: reuse.files(),
            unchanged: &unchanged,
        }),
    };
    compose::compose(&inputs, sink)?;

    if config.search.enabled {
        clock.start("search index");
        let cache_dir = &config.build.cache_dir;
        search::index(
            &catalog,
            &rendered,
            &titles,
            &config.site.title,
            cache_dir,
            sink,
        )?;
    }
    clock.stop();
    diagnostics::normalize(&mut diagnostics);
    Ok(Built {
        catalog,
        rendered,
        diagnostics,
        broken_links,
        composed,
    })
}
