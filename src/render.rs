//! Rendering every page (markdown → HTML) in parallel, remembering renderings between
//! builds.
//!
//! Input: the catalog and the site settings. Output: each page's [`Rendered`], in page
//! order, and whether it was rendered afresh. A rendering is reused when the page's text
//! (its blob id), the addresses its links resolve against (`Catalog::link_fingerprint`)
//! and every other page it used (titles, includes) are unchanged: while serving, an edit
//! re-renders only what it can affect, and unchanged archived versions are never
//! rendered again. A one-off build starts with an empty cache.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::catalog::{Catalog, Owner};
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::linkcheck;
use crate::markdown::{self, RenderContext, Rendered};

/// Renderings kept between builds.
#[derive(Default)]
pub struct RenderCache {
    entries: HashMap<RenderKey, CachedRendering>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RenderKey {
    path: String,
    blob: String,
    fingerprint: u64,
    trusted: bool,
    allow_embeds: bool,
}

#[derive(Clone)]
struct CachedRendering {
    rendered: Arc<Rendered>,
    /// (output path, blob id) of the other pages the rendering used.
    dependencies: Vec<(String, String)>,
}

/// Every page's rendering, in page order.
pub struct RenderedPages {
    pub pages: Vec<Arc<Rendered>>,
    /// Which pages were rendered by this call (not taken from the cache).
    pub fresh: Vec<bool>,
    pub diagnostics: Vec<Diagnostic>,
}

impl RenderedPages {
    pub fn fresh_count(&self) -> usize {
        self.fresh.iter().filter(|fresh| **fresh).count()
    }
}

/// Renders every page, reusing `cache` where nothing the page depends on changed; the
/// cache is left holding exactly this build's renderings.
pub fn render_all(
    config: &SiteConfig,
    catalog: &Catalog,
    cache: &mut RenderCache,
) -> RenderedPages {
    let portal_addresses = catalog.portal_addresses();
    let mut fingerprints: HashMap<Owner, u64> = HashMap::new();
    for page in &catalog.pages {
        fingerprints
            .entry(page.owner)
            .or_insert_with(|| catalog.link_fingerprint(page.owner, portal_addresses));
    }
    let still_valid = |cached: &CachedRendering| {
        cached.dependencies.iter().all(|(output_path, blob)| {
            catalog
                .page_at_output(output_path)
                .is_some_and(|page| catalog.pages[page].source.blob == *blob)
        })
    };
    let results: Vec<(RenderKey, CachedRendering, bool)> = (0..catalog.pages.len())
        .into_par_iter()
        .map(|page| {
            let page_ref = &catalog.pages[page];
            let key = RenderKey {
                path: page_ref.source.path.clone(),
                blob: page_ref.source.blob.clone(),
                fingerprint: fingerprints[&page_ref.owner],
                trusted: is_trusted(config, catalog, page_ref.owner),
                allow_embeds: config.site.allow_embeds,
            };
            if let Some(cached) = cache.entries.get(&key).filter(|cached| still_valid(cached)) {
                return (key, cached.clone(), false);
            }
            let resolver = catalog.links_of(page);
            let rendered = markdown::convert(
                &page_ref.source.text(),
                &RenderContext {
                    resolver: &resolver,
                    page: &page_ref.source.path,
                    trusted: key.trusted,
                    allow_embeds: key.allow_embeds,
                },
            );
            let cached = CachedRendering {
                rendered: Arc::new(rendered),
                dependencies: resolver.dependencies(),
            };
            (key, cached, true)
        })
        .collect();

    let mut diagnostics = Vec::new();
    let mut pages = Vec::with_capacity(results.len());
    let mut fresh = Vec::with_capacity(results.len());
    let mut kept = HashMap::with_capacity(results.len());
    for (page, (key, cached, rendered_now)) in results.into_iter().enumerate() {
        for (line, message) in &cached.rendered.problems {
            diagnostics.push(Diagnostic::warning(
                linkcheck::page_location(catalog, page).with_line(*line),
                message.clone(),
            ));
        }
        pages.push(cached.rendered.clone());
        fresh.push(rendered_now);
        kept.insert(key, cached);
    }
    cache.entries = kept;
    RenderedPages {
        pages,
        fresh,
        diagnostics,
    }
}

/// Mattermost-managed docs and the portal's own pages are trusted; community docs are not.
fn is_trusted(config: &SiteConfig, catalog: &Catalog, owner: Owner) -> bool {
    match owner {
        Owner::Portal => true,
        Owner::Version { integration, .. } => {
            let integration = &catalog.integrations[integration];
            config.integrations[integration.config]
                .managed_by
                .is_trusted()
        }
    }
}
