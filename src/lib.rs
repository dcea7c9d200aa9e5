//! Portico: a static documentation portal for integrations whose versioned docs live in git.
//!
//! The build is a pipeline of named stages (see DESIGN.md); this file is that pipeline on
//! one screen:
//!
//! ```text
//! site.toml ─► config::load ─► SiteConfig
//!  --out DIR ─► publish::Output::claim ─► Output                   (checked, locked; build only)
//! remote repos ─► source::fetch_remotes ─► Mirrors                 (bare mirrors, cached)
//! repos (git) + content/ ─► source::aggregate_with ─► Sources      (source: only git2 user)
//!                           catalog::classify ─► Catalog           (versions, addresses)
//!        render::render_all (markdown, rayon) ─► Rendered per page (cached by blob)
//!                           nav::build_site   ─► SiteNavigation
//!                           linkcheck::check  ─► warnings
//! themes/<name>/ ─► theme::load ─► Theme
//!                           compose::compose  ─► Vec<OutputFile>
//!                           search::index     ─► + _portico/search/ (one entry per blob)
//!                      compose::add_manifest  ─► + manifest.json   (build only: hashes all)
//!                            Output::publish  ─► output folder     (only writer, atomic)
//! ```
//!
//! `build` runs it once ([`Site::assemble`]) and publishes; `serve` keeps the [`Site`] and
//! runs it again with [`Changes`], reusing what a change cannot affect (`site.rs`).

mod catalog;
mod compose;
mod config;
pub mod demo;
mod diagnostics;
mod escape;
mod last_build;
mod linkcheck;
pub mod list;
mod markdown;
mod nav;
mod output_paths;
mod paths;
mod publish;
mod render;
pub mod report;
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

use std::path::PathBuf;
use std::time::{Duration, Instant};

use catalog::Catalog;
use config::SiteConfig;
pub use diagnostics::{Diagnostic, Location, Severity, printable};
use render::{RenderCache, RenderedPages};
use source::{FetchSettings, ReadOptions, Sources};
use theme::Theme;

pub use site::{Changes, Site};
pub use source::{DEFAULT_FETCH_JOBS, DEFAULT_NETWORK_TIMEOUT, set_network_timeout};

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
    /// How remote repositories are fetched.
    pub remote: RemoteOptions,
    /// Print errors only.
    pub quiet: bool,
}

/// How remote repositories are fetched (`build`, `check`, `list`, `serve`).
#[derive(Debug, Clone, Default)]
pub struct RemoteOptions {
    /// Overrides `[build] cache_dir` (mirrors of remote repositories).
    pub cache_dir: Option<PathBuf>,
    /// Build from the cached mirrors alone.
    pub offline: bool,
    /// How many repositories to fetch at once (default [`source::DEFAULT_FETCH_JOBS`]).
    pub fetch_jobs: Option<usize>,
}

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
    pub catalog: Vec<report::IntegrationSummary>,
    /// The inputs were exactly those of the build already published in the output folder:
    /// nothing was built or written, and the report is that build's (see `last_build`).
    pub unchanged: bool,
}

impl BuildReport {
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
    fn early(err: anyhow::Error) -> Self {
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

/// Loads `site.toml` with the command line's overrides applied.
pub(crate) fn load_config(options: &BuildOptions) -> anyhow::Result<SiteConfig> {
    let mut config = config::load(&options.root)?;
    if let Some(base_url) = &options.base_url {
        config.site.base_url = config::BaseUrl::parse(base_url)
            .map_err(|message| anyhow::anyhow!("--base-url: {message}"))?;
    }
    if let Some(out) = &options.out {
        config.build.output_dir = out.clone();
    }
    if let Some(cache_dir) = &options.remote.cache_dir {
        config.build.cache_dir = cache_dir.clone();
    }
    Ok(config)
}

/// How remote repositories are fetched for these options.
fn fetch_settings(options: &BuildOptions, config: &SiteConfig) -> FetchSettings {
    FetchSettings {
        cache_dir: config.build.cache_dir.clone(),
        offline: options.remote.offline,
        jobs: options
            .remote
            .fetch_jobs
            .unwrap_or(source::DEFAULT_FETCH_JOBS),
        progress: !options.quiet,
    }
}

/// The folders of the user's that an output folder must not overlap.
fn protected_folders(config: &SiteConfig) -> Vec<publish::Protected> {
    let folder = |what: String, path: PathBuf, no_output_inside: bool| publish::Protected {
        what,
        path,
        no_output_inside,
    };
    let mut folders = vec![
        folder(
            format!(
                "the portal root (the folder holding {})",
                config::CONFIG_FILE
            ),
            config.root.clone(),
            false,
        ),
        folder(
            format!("the portal's {}/ folder", source::CONTENT_DIR),
            config.root.join(source::CONTENT_DIR),
            true,
        ),
        folder(
            format!("the theme {}", config.site.theme),
            config.root.join(theme::THEMES_DIR).join(&config.site.theme),
            true,
        ),
        folder(
            "the cache of remote repositories (cache_dir)".to_string(),
            config.build.cache_dir.clone(),
            false,
        ),
    ];
    for integration in &config.integrations {
        if let config::RepoLocation::Local(path) = &integration.repo {
            folders.push(folder(
                format!("the repository of integration {}", integration.id),
                path.clone(),
                false,
            ));
        }
    }
    folders
}

/// For `build`: the output folder, claimed (checked, locked, cleared of what killed builds
/// left). For `check`: `None`, once the output folder was found acceptable.
fn claim_output(
    config: &SiteConfig,
    quiet: bool,
    write: bool,
) -> anyhow::Result<Option<publish::Output>> {
    let out = &config.build.output_dir;
    let protected = protected_folders(config);
    if !write {
        publish::check_destination(out, &protected)?;
        return Ok(None);
    }
    let output = publish::Output::claim(out, &protected, || {
        if !quiet {
            eprintln!(
                "another build is writing {}; waiting for it to finish",
                diagnostics::printable(&out.display().to_string())
            );
        }
    })?;
    Ok(Some(output))
}

fn run(options: &BuildOptions, write: bool) -> Result<(BuildReport, Option<Site>), BuildFailure> {
    let started = Instant::now();
    // Before any work: a build that may not write where it was asked to fails at once.
    let config = load_config(options).map_err(BuildFailure::early)?;
    let output = claim_output(&config, options.quiet, write).map_err(BuildFailure::early)?;
    let fetched = site::Fetched::now(options, &config);
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
        .map(publish::Output::stage)
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
        ReadOptions::default(),
        Some(sink),
        Some(fetched),
    )
    .map_err(BuildFailure::early)?;
    site.file_count = staging
        .as_ref()
        .map_or(discard.len(), publish::Staging::len);
    let mut report = site.report(started);
    let unreadable = site.unreadable();
    let blocked = blocked(&report, unreadable, options);
    let mut published = false;
    if let Some(staging) = staging.filter(|_| blocked.is_none()) {
        // With manifest.json.
        report.files = site.file_count + 1;
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

/// What the stages after reading produce (the files are in the sink).
pub(crate) struct Built {
    pub catalog: Catalog,
    pub rendered: RenderedPages,
    pub diagnostics: Vec<Diagnostic>,
    pub broken_links: usize,
    /// How many pages were composed (the rest reused from the previous build).
    pub composed: usize,
    pub timings: Vec<(&'static str, Duration)>,
}

/// Every stage after reading: classify, render, navigate, check links, compose. With
/// `previous` (while serving), unchanged pages keep their previous output.
pub(crate) fn stages(
    config: &SiteConfig,
    theme: &Theme,
    sources: &Sources,
    render_cache: &mut RenderCache,
    previous: Option<&site::Previous>,
    sink: &dyn compose::Sink,
) -> anyhow::Result<Built> {
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str| {
        timings.push((name, clock.elapsed()));
        clock = Instant::now();
    };
    let mut diagnostics = config::warnings(config);
    diagnostics.extend(sources.diagnostics().cloned());
    for err in sources.integrations.iter().filter_map(|r| r.as_ref().err()) {
        diagnostics.push(Diagnostic::error(
            Location::integration(&err.integration),
            err.message.clone(),
        ));
    }

    let (catalog, found) = catalog::classify(config, sources);
    diagnostics.extend(found);
    lap("classify");
    let rendered = render::render_all(config, &catalog, render_cache);
    diagnostics.extend(rendered.diagnostics.iter().cloned());
    lap("render");
    // Titles come from content (first heading) or navigation, so navigation is built
    // between rendering and composing.
    let (navigation, found) =
        nav::build_site(&catalog, &|page| nav::content_title(&rendered.parsed[page]));
    diagnostics.extend(found);
    let titles = nav::page_titles(&catalog, &rendered.parsed, &navigation);
    let link_problems = linkcheck::check(&catalog, &rendered);
    let broken_links = link_problems.len();
    diagnostics.extend(link_problems);
    lap("navigate and check links");

    let reuse = previous.map(|previous| previous.reuse(&catalog, &rendered));
    let composed = (0..catalog.pages.len())
        .filter(|&page| !reuse.as_ref().is_some_and(|r| r.unchanged(page)))
        .count();
    let unchanged = |page: usize| reuse.as_ref().is_some_and(|r| r.unchanged(page));
    compose::compose(
        &compose::Inputs {
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
        },
        sink,
    )?;
    lap("compose");
    if config.search.enabled {
        search::index(&catalog, &rendered, &titles, &config.site.title, sink)?;
        lap("search index");
    }
    diagnostics::normalize(&mut diagnostics);
    Ok(Built {
        catalog,
        rendered,
        diagnostics,
        broken_links,
        composed,
        timings,
    })
}
