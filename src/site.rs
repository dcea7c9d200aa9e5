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
use crate::compose::OutputFile;
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::options::BuildOptions;
use crate::render::{RenderCache, RenderedPages};
use crate::source::{self, MirrorLocks, Mirrors, ReadOptions, Sources};
use crate::theme::Theme;

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
    pub(crate) mirrors: Mirrors,
    pub(crate) read: ReadOptions,
    pub(crate) options: BuildOptions,
    pub(crate) render_cache: RenderCache,
}

impl Site {
    /// Integrations that could not be read.
    pub fn unreadable(&self) -> usize {
        self.sources
            .integrations
            .iter()
            .filter(|r| r.is_err())
            .count()
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
    pub(crate) fn reusing(
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
            source::fetch_remotes(config, &options.fetch_settings(config), earlier);
        Fetched {
            mirrors,
            reading,
            took: clock.elapsed(),
        }
    }
}

/// The previous build and what changed since: what a rebuild may reuse.
pub(crate) struct Previous<'a> {
    pub(crate) files: &'a [OutputFile],
    pub(crate) catalog: &'a Catalog,
    pub(crate) changes: &'a Changes,
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
