//! Portico: a static documentation portal for integrations whose versioned docs live in git.
//!
//! The build is a pipeline of named stages (see DESIGN.md); this file is that pipeline on
//! one screen:
//!
//! ```text
//! site.toml ─► config::load ─► SiteConfig
//! repos (git) + content/ ─► source::aggregate ─► Sources          (only git2 user)
//!                           catalog::classify ─► Catalog          (versions, addresses)
//!                   markdown::convert (rayon) ─► Rendered per page
//!                           nav::build_site   ─► SiteNavigation
//!                           linkcheck::check  ─► warnings
//! themes/<name>/ ─► theme::load ─► Theme
//!                           compose::compose  ─► Vec<OutputFile>
//!                            publish::write   ─► output folder    (only writer, atomic)
//! ```

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
pub mod source;
pub mod theme;
pub mod version;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use catalog::{Catalog, Owner};
use config::SiteConfig;
use diagnostics::{Diagnostic, Location, Severity};
use markdown::{RenderContext, Rendered};

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
    let config = load_config(options).map_err(BuildFailure::early)?;
    let mut diagnostics = config::warnings(&config);
    let theme = theme::load(&config.root, &config.site.theme).map_err(BuildFailure::early)?;

    let sources = source::aggregate(&config);
    diagnostics.extend(sources.diagnostics().cloned());
    let unreadable: Vec<String> = sources
        .integrations
        .iter()
        .filter_map(|result| result.as_ref().err())
        .map(|err| err.to_string())
        .collect();
    for message in &unreadable {
        diagnostics.push(Diagnostic::error(Location::default(), message.clone()));
    }

    let (catalog, found) = catalog::classify(&config, &sources);
    diagnostics.extend(found);
    let rendered = render_pages(&config, &catalog, &mut diagnostics);
    // Titles come from content (first heading) or navigation, so navigation is built
    // between rendering and composing.
    let (navigation, found) =
        nav::build_site(&catalog, &|page| nav::content_title(&rendered[page]));
    diagnostics.extend(found);
    let titles = nav::page_titles(&catalog, &rendered, &navigation);
    let link_problems = linkcheck::check(&catalog, &rendered);
    let broken_links = link_problems.len();
    diagnostics.extend(link_problems);

    let files = compose::compose(&compose::Inputs {
        config: &config,
        catalog: &catalog,
        rendered: &rendered,
        titles: &titles,
        navigation: &navigation,
        theme: &theme,
    })
    .map_err(BuildFailure::early)?;

    diagnostics::normalize(&mut diagnostics);
    let mut report = BuildReport {
        integrations: catalog.integrations.len(),
        versions: catalog.integrations.iter().map(|i| i.versions.len()).sum(),
        pages: catalog.pages.len(),
        files: files.len(),
        broken_links,
        diagnostics,
        output: None,
        elapsed: started.elapsed(),
    };

    // With --keep-going, unreadable integrations do not block publishing the others,
    // but the build still fails so that CI notices.
    let errors = report.count(Severity::Error);
    let excused = if options.keep_going {
        unreadable.len()
    } else {
        0
    };
    let warnings = report.count(Severity::Warning);
    let blocked = if !unreadable.is_empty() && !options.keep_going {
        Some(format!(
            "{} integration(s) could not be read, so nothing was published; fix them or pass --keep-going to publish the others",
            unreadable.len()
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
        publish::write(&config.build.output_dir, &files).map_err(BuildFailure::early)?;
        report.output = Some(config.build.output_dir.clone());
    }
    let reason = blocked.or_else(|| {
        (!unreadable.is_empty()).then(|| {
            format!(
                "{} integration(s) could not be read; the others were {}",
                unreadable.len(),
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

/// Renders every page in parallel; page-level problems become diagnostics.
fn render_pages(
    config: &SiteConfig,
    catalog: &Catalog,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Rendered> {
    let rendered: Vec<Rendered> = (0..catalog.pages.len())
        .into_par_iter()
        .map(|page| {
            let trusted = match catalog.pages[page].owner {
                Owner::Portal => true,
                Owner::Version { integration, .. } => {
                    let integration = &catalog.integrations[integration];
                    config.integrations[integration.config]
                        .managed_by
                        .is_trusted()
                }
            };
            let resolver = catalog.links_of(page);
            markdown::convert(
                &catalog.pages[page].source.text(),
                &RenderContext {
                    resolver: &resolver,
                    trusted,
                    allow_embeds: config.site.allow_embeds,
                },
            )
        })
        .collect();
    for (page, output) in rendered.iter().enumerate() {
        for (line, message) in &output.problems {
            diagnostics.push(Diagnostic::warning(
                linkcheck::page_location(catalog, page).with_line(*line),
                message.clone(),
            ));
        }
    }
    rendered
}
