//! A build held in memory, and rebuilding it after changes (`portico serve`).
//!
//! [`Site::assemble`] runs the whole pipeline; [`Site::rebuild`] runs it again after
//! [`Changes`], re-reading only the integrations that changed (and reusing their versions
//! whose commit did not move), reusing cached renderings, and composing again only the
//! versions whose content or surroundings changed. The reuse rules live here so that the
//! stages themselves stay unaware of serving.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::catalog::{Catalog, Owner};
use crate::compose::{InMemory, OutputFile, Sink};
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::render::{RenderCache, RenderedPages};
use crate::source::{self, MirrorLocks, Mirrors, ReadOptions, Reread, Sources};
use crate::theme::{self, Theme};
use crate::{BuildOptions, BuildReport, fetch_settings, load_config, stages};

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
    pub(crate) config: SiteConfig,
    pub(crate) theme: Theme,
    pub(crate) sources: Sources,
    pub(crate) catalog: Catalog,
    pub(crate) rendered: RenderedPages,
    /// Every output file, sorted by path, when kept in memory (`serve`); empty when the
    /// build streamed them into a staging folder.
    pub(crate) files: Vec<OutputFile>,
    /// How many output files the last (re)build made.
    pub(crate) file_count: usize,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) broken_links: usize,
    /// How many pages the last (re)build composed rather than reused.
    pub(crate) composed: usize,
    /// How long each stage of the last (re)build took.
    pub(crate) timings: Vec<(&'static str, Duration)>,
    mirrors: Mirrors,
    read: ReadOptions,
    options: BuildOptions,
    render_cache: RenderCache,
}

impl Site {
    /// Runs the whole pipeline (publishing excluded).
    pub fn assemble(options: &BuildOptions, read: ReadOptions) -> anyhow::Result<Site> {
        Site::assemble_from(options, load_config(options)?, read, None, None)
    }

    /// [`Site::assemble`] with `site.toml` already loaded (the build checked its output
    /// folder against it first).
    /// With a `sink`, the files go there instead of into [`Site::files`]; with `fetched`,
    /// remote repositories are not fetched again.
    pub(crate) fn assemble_from(
        options: &BuildOptions,
        config: SiteConfig,
        read: ReadOptions,
        sink: Option<&dyn Sink>,
        fetched: Option<Fetched>,
    ) -> anyhow::Result<Site> {
        let fetched = fetched.unwrap_or_else(|| Fetched::now(options, &config));
        Site::assemble_with(
            options,
            config,
            read,
            &mut RenderCache::default(),
            fetched,
            sink,
        )
    }

    /// The whole pipeline, with renderings from earlier builds (the cache moves into the
    /// site) and, from `earlier`, the mirrors whose fetch settings did not change.
    fn assemble_with(
        options: &BuildOptions,
        config: SiteConfig,
        read: ReadOptions,
        cache: &mut RenderCache,
        fetched: Fetched,
        sink: Option<&dyn Sink>,
    ) -> anyhow::Result<Site> {
        let Fetched {
            mirrors,
            reading,
            took,
        } = fetched;
        let mut timings = vec![("fetch", took)];
        let clock = Instant::now();
        let theme = theme::load(&config.root, &config.site.theme)?;
        let sources = source::aggregate_with(&config, read, None, &mirrors);
        // Read: other Portico processes sharing the cache may update the mirrors again.
        drop(reading);
        timings.push(("read", clock.elapsed()));
        let memory = InMemory::default();
        let built = stages(
            &config,
            &theme,
            &sources,
            cache,
            None,
            sink.unwrap_or(&memory),
        )?;
        timings.extend(built.timings);
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
            timings,
            mirrors,
            read,
            options: options.clone(),
            render_cache: std::mem::take(cache),
        })
    }

    /// Rebuilds after `changes`, reusing everything they cannot affect. On failure the site
    /// is left as it was (the last good build keeps being served).
    pub fn rebuild(&mut self, changes: &Changes) -> anyhow::Result<()> {
        if changes.config {
            // Everything is read again; renderings whose inputs did not change are kept, and
            // remote repositories are fetched again only if their settings changed.
            let config = load_config(&self.options)?;
            let fetched = Fetched::reusing(&self.options, &config, (&self.config, &self.mirrors));
            *self = Site::assemble_with(
                &self.options,
                config,
                self.read,
                &mut self.render_cache,
                fetched,
                None,
            )?;
            return Ok(());
        }
        let clock = Instant::now();
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
            source::aggregate_with(
                &self.config,
                self.read,
                Some((&self.sources, &reread)),
                &self.mirrors,
            )
        } else {
            self.sources.clone()
        };
        let read = clock.elapsed();
        let previous = Previous {
            files: &self.files,
            catalog: &self.catalog,
            changes,
        };
        let memory = InMemory::default();
        let built = stages(
            &self.config,
            theme.as_ref().unwrap_or(&self.theme),
            &sources,
            &mut self.render_cache,
            Some(&previous),
            &memory,
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
        self.timings = std::iter::once(("read", read))
            .chain(built.timings)
            .collect();
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
            files: self.file_count,
            broken_links: self.broken_links,
            diagnostics: self.diagnostics.clone(),
            output: None,
            elapsed: started.elapsed(),
            timings: self.timings.clone(),
            catalog: crate::report::summarize(&self.catalog),
            unchanged: false,
        }
    }
}

/// Remote repositories fetched (mirrors, held for reading) before the sources are read.
pub(crate) struct Fetched {
    pub mirrors: Mirrors,
    pub reading: MirrorLocks,
    pub took: Duration,
}

impl Fetched {
    /// Fetches every remote repository (or, offline, finds its mirror).
    pub(crate) fn now(options: &BuildOptions, config: &SiteConfig) -> Fetched {
        Fetched::fetch(options, config, None)
    }

    /// Fetches again only the repositories whose settings changed since `earlier`.
    fn reusing(
        options: &BuildOptions,
        config: &SiteConfig,
        earlier: (&SiteConfig, &Mirrors),
    ) -> Fetched {
        Fetched::fetch(options, config, Some(earlier))
    }

    fn fetch(
        options: &BuildOptions,
        config: &SiteConfig,
        earlier: Option<(&SiteConfig, &Mirrors)>,
    ) -> Fetched {
        let clock = Instant::now();
        let (mirrors, reading) =
            source::fetch_remotes(config, &fetch_settings(options, config), earlier);
        Fetched {
            mirrors,
            reading,
            took: clock.elapsed(),
        }
    }
}

/// The previous build and what changed since: what a rebuild may reuse.
pub(crate) struct Previous<'a> {
    files: &'a [OutputFile],
    catalog: &'a Catalog,
    changes: &'a Changes,
}

impl<'a> Previous<'a> {
    /// What of the previous output is still right for the new `catalog`.
    pub(crate) fn reuse<'r>(
        &'a self,
        catalog: &'r Catalog,
        rendered: &'r RenderedPages,
    ) -> Reuse<'a, 'r> {
        Reuse {
            files: self
                .files
                .iter()
                .map(|f| (f.path.as_str(), f.bytes.clone()))
                .collect(),
            changed: changed_versions(self.catalog, catalog, self.changes),
            catalog,
            rendered,
        }
    }
}

/// The previous output by path, and which pages it is still right for.
pub(crate) struct Reuse<'a, 'r> {
    files: HashMap<&'a str, Arc<[u8]>>,
    /// Versions to compose again; `None` when every page must be.
    changed: Option<HashSet<(usize, usize)>>,
    catalog: &'r Catalog,
    rendered: &'r RenderedPages,
}

impl Reuse<'_, '_> {
    pub(crate) fn files(&self) -> &HashMap<&str, Arc<[u8]>> {
        &self.files
    }

    /// Whether a page's previous output is still right: its rendering was reused, and its
    /// version did not change. The portal's own pages list every integration and are always
    /// composed again.
    pub(crate) fn unchanged(&self, page: usize) -> bool {
        let Some(changed) = &self.changed else {
            return false;
        };
        if self.rendered.fresh[page] {
            return false;
        }
        match self.catalog.pages[page].owner {
            Owner::Portal => false,
            Owner::Version {
                integration,
                version,
            } => !changed.contains(&(integration, version)),
        }
    }
}

/// Versions (integration, version indexes in `catalog`) whose pages must be composed
/// again: those of re-read integrations whose content changed, or all of an integration's
/// when what its pages show about each other changed (versions, page sets). `None` when
/// every page must be (settings or theme changed).
fn changed_versions(
    old: &Catalog,
    catalog: &Catalog,
    changes: &Changes,
) -> Option<HashSet<(usize, usize)>> {
    if changes.config || changes.theme {
        return None;
    }
    let mut changed = HashSet::new();
    for (index, integration) in catalog.integrations.iter().enumerate() {
        if !changes.integrations.contains(&integration.config) {
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
