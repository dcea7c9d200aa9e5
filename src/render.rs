//! Rendering every page: each distinct text once (stage (b), [`Parsed`]), then each page's
//! links against its own version (stage (c), [`Linked`]).
//!
//! Input: the catalog and the site settings. Output: [`RenderedPages`], each page's parsed
//! rendering (shared by every page with the same blob and trust) and its resolved links, in
//! page order. A rendering is keyed by what it depends on and nothing else: the blob id, the
//! trust of its repository and `[site] allow_embeds` (plus, for the rare page with
//! `{% include %}`, the included files, checked on use). It is kept in memory between
//! `serve`'s rebuilds and on disk in `cache_dir` between builds (see `disk_cache`): a build
//! renders only the texts no earlier build rendered with this Portico binary.

mod disk_cache;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;

use crate::catalog::{Catalog, Owner, PageLinks};
use crate::config::SiteConfig;
use crate::markdown::{self, Linked, ParseContext, Parsed, gitbook};

pub(crate) use disk_cache::{DiskCache, binary_identity};

/// Renderings kept between builds while serving, and the previous build's links (to tell
/// which pages changed).
#[derive(Default)]
pub struct RenderCache {
    /// Read the disk cache but write nothing to it (`check`).
    read_only: bool,
    entries: HashMap<RenderKey, Arc<Parsed>>,
    /// The previous build's pages by output path: their rendering and a hash of their links.
    previous: HashMap<String, (Arc<Parsed>, u64)>,
}

impl RenderCache {
    /// A cache that keeps renderings on disk in `cache_dir`, or with `read_only` only reads
    /// those there.
    pub(crate) fn new(read_only: bool) -> Self {
        RenderCache {
            read_only,
            ..RenderCache::default()
        }
    }
}

/// What a page's rendering depends on besides included files.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct RenderKey {
    pub blob: String,
    pub trusted: bool,
    pub allow_embeds: bool,
}

/// Every page's rendering, in page order.
pub struct RenderedPages {
    /// Stage (b), shared between pages of the same text.
    pub parsed: Vec<Arc<Parsed>>,
    /// Stage (c): each page's links resolved against its version.
    pub linked: Vec<Linked>,
    /// Which pages differ from the previous build (rendered anew, or links resolving
    /// elsewhere); every page on a first build.
    pub fresh: Vec<bool>,
    /// How many distinct texts were parsed by this build, and how many renderings came from
    /// the cache (in memory while serving, else on disk).
    pub parsed_now: usize,
    pub from_cache: usize,
    /// What each page's rendering was made from (to make it again should its HTML no
    /// longer be readable from the cache).
    keys: Vec<RenderKey>,
    writable: bool,
}

impl RenderedPages {
    /// The deployments a page is for (its front matter `deployments:`, known values only,
    /// sorted), empty when the page is for every deployment of its integration. What the
    /// page's label, `data-deployments`, sidebar and previous/next marks and search
    /// documents read.
    pub fn page_deployments(&self, page: usize) -> &[crate::config::Deployment] {
        &self.parsed[page].deployments.page
    }

    /// [`Self::page_deployments`] as the HTML contract writes it (`cloud self-managed`), or
    /// `None` for an unmarked page.
    pub fn page_deployments_attribute(&self, page: usize) -> Option<String> {
        crate::markdown::deployments::attribute_value(self.page_deployments(page))
    }

    /// [`Self::page_deployments_attribute`] of every page, by page id (for the sidebar).
    pub fn page_deployments_attributes(&self) -> Vec<Option<String>> {
        (0..self.parsed.len())
            .map(|page| self.page_deployments_attribute(page))
            .collect()
    }

    pub fn fresh_count(&self) -> usize {
        self.fresh.iter().filter(|fresh| **fresh).count()
    }

    /// Names a page's final body HTML without making it: its rendering's key and the hash
    /// of its links.
    pub fn identity(&self, page: usize) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (&self.keys[page], &self.linked[page]).hash(&mut hasher);
        hasher.finish()
    }

    /// The pages `page` links to, or pulls in with `{% include %}`: how readers (and
    /// navigation) reach pages that SUMMARY.md does not list.
    pub fn pages_reached_from(&self, catalog: &Catalog, page: usize) -> Vec<usize> {
        let linked = self.linked[page]
            .links
            .iter()
            .filter_map(|link| match &link.resolution {
                markdown::Resolution::Rewritten {
                    target: markdown::LinkTarget::Page { output_path, .. },
                    ..
                } => catalog.page_at_output(output_path),
                _ => None,
            });
        let set = catalog.doc_set(catalog.pages[page].owner);
        let included = self.parsed[page]
            .included_paths()
            .filter_map(|path| set.find_page(path, false));
        linked.chain(included).collect()
    }

    /// Whether the disk caches may be written (not for `check`).
    pub fn caches_writable(&self) -> bool {
        self.writable
    }

    /// A page's final body HTML. Should the rendering cache have lost it since (another
    /// build sharing the cache pruned it), the page is rendered again.
    pub fn html(&self, catalog: &Catalog, page: usize) -> String {
        match self.parsed[page].html(&self.linked[page]) {
            Ok(html) => html,
            Err(_) => parse_page(catalog, page, &self.keys[page])
                .html(&self.linked[page])
                .unwrap_or_default(),
        }
    }
}

/// The includes a page's `{% include %}` may use: its version's files.
struct PageIncludes<'c>(&'c PageLinks<'c>);

impl gitbook::Includes for PageIncludes<'_> {
    fn include(&self, from: &str, target: &str) -> Result<(String, String), String> {
        markdown::LinkResolver::include(self.0, from, target)
    }
}

/// Renders every page, each distinct text once, taking renderings from `cache` (and the
/// disk cache in `cache_dir`) where they are still right; `cache` is left holding exactly
/// this build's renderings.
pub fn render_all(
    config: &SiteConfig,
    catalog: &Catalog,
    cache: &mut RenderCache,
) -> RenderedPages {
    let disk = match cache.read_only {
        false => DiskCache::open(&config.build.cache_dir),
        true => DiskCache::read_only(&config.build.cache_dir),
    };
    let keys: Vec<RenderKey> = (0..catalog.pages.len())
        .map(|page| key_of(config, catalog, page))
        .collect();
    // The first page of each distinct key renders it for all.
    let mut first_page: HashMap<&RenderKey, usize> = HashMap::new();
    for (page, key) in keys.iter().enumerate() {
        first_page.entry(key).or_insert(page);
    }
    let mut distinct: Vec<(&RenderKey, usize)> = first_page.into_iter().collect();
    distinct.sort_by_key(|&(_, page)| page);
    let found: Vec<(Arc<Parsed>, Found)> = distinct
        .par_iter()
        .map(|&(key, page)| rendering_for(catalog, page, key, &cache.entries, disk.as_ref()))
        .collect();
    let by_key: HashMap<&RenderKey, &(Arc<Parsed>, Found)> =
        distinct.iter().map(|&(key, _)| key).zip(&found).collect();

    // Pages sharing a text whose includes resolve differently get their own rendering.
    let pages: Vec<(Arc<Parsed>, Linked, bool)> = (0..catalog.pages.len())
        .into_par_iter()
        .map(|page| {
            let links = catalog.links_of(page);
            let (shared, how) = by_key[&keys[page]];
            let (parsed, parsed_now) = if shared.includes_match(&PageIncludes(&links)) {
                (shared.clone(), *how == Found::Rendered)
            } else {
                (Arc::new(parse_page(catalog, page, &keys[page])), true)
            };
            let linked = markdown::link(&parsed, &links);
            (parsed, linked, parsed_now)
        })
        .collect();

    let mut parsed = Vec::with_capacity(pages.len());
    let mut linked = Vec::with_capacity(pages.len());
    let mut fresh = Vec::with_capacity(pages.len());
    let mut previous = HashMap::with_capacity(pages.len());
    for (page, (page_parsed, page_linked, parsed_now)) in pages.into_iter().enumerate() {
        let output_path = &catalog.pages[page].output_path;
        let links = {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            page_linked.hash(&mut hasher);
            hasher.finish()
        };
        let same_as_before = !parsed_now
            && cache
                .previous
                .get(output_path)
                .is_some_and(|(before, hash)| Arc::ptr_eq(before, &page_parsed) && *hash == links);
        fresh.push(!same_as_before);
        previous.insert(output_path.clone(), (page_parsed.clone(), links));
        parsed.push(page_parsed);
        linked.push(page_linked);
    }
    cache.entries = distinct
        .iter()
        .zip(found.iter())
        .map(|(&(key, _), (parsed, _))| (key.clone(), parsed.clone()))
        .collect();
    cache.previous = previous;
    if let Some(disk) = &disk {
        disk.prune(keys.iter());
    }
    let parsed_now = found
        .iter()
        .filter(|(_, how)| *how == Found::Rendered)
        .count();
    RenderedPages {
        from_cache: found.len() - parsed_now,
        parsed_now,
        parsed,
        linked,
        fresh,
        keys,
        writable: !cache.read_only,
    }
}

/// Where a rendering came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Memory,
    Disk,
    Rendered,
}

/// The rendering of `key`, as right for `page`: from memory, from disk, or made now.
fn rendering_for(
    catalog: &Catalog,
    page: usize,
    key: &RenderKey,
    memory: &HashMap<RenderKey, Arc<Parsed>>,
    disk: Option<&DiskCache>,
) -> (Arc<Parsed>, Found) {
    let links = catalog.links_of(page);
    let includes = PageIncludes(&links);
    if let Some(parsed) = memory.get(key).filter(|p| p.includes_match(&includes)) {
        return (parsed.clone(), Found::Memory);
    }
    if let Some(parsed) = disk
        .and_then(|disk| disk.load(key))
        .filter(|p| p.includes_match(&includes))
    {
        return (Arc::new(parsed), Found::Disk);
    }
    let mut parsed = parse_page(catalog, page, key);
    // Written now, and its HTML dropped from memory, so that memory stays bounded by the
    // threads at work rather than the size of the site.
    if let Some(disk) = disk {
        disk.store(key, &mut parsed);
    }
    (Arc::new(parsed), Found::Rendered)
}

fn parse_page(catalog: &Catalog, page: usize, key: &RenderKey) -> Parsed {
    with_page_context(
        catalog,
        page,
        key.trusted,
        key.allow_embeds,
        markdown::parse,
    )
}

/// What sanitizing `page` as community-managed docs would strip, as (line, what), whatever
/// its repository's trust (`check --repo`).
pub(crate) fn community_removals(
    config: &SiteConfig,
    catalog: &Catalog,
    page: usize,
) -> Vec<(u32, String)> {
    let allow_embeds = config.site.allow_embeds;
    with_page_context(
        catalog,
        page,
        false,
        allow_embeds,
        markdown::community_removals,
    )
}

/// `read` of the page's text in its context: its version's includes, with this trust.
fn with_page_context<T>(
    catalog: &Catalog,
    page: usize,
    trusted: bool,
    allow_embeds: bool,
    read: impl FnOnce(&str, &ParseContext) -> T,
) -> T {
    let links = catalog.links_of(page);
    let source = &catalog.pages[page].source;
    read(
        &source.text(),
        &ParseContext {
            includes: &PageIncludes(&links),
            page: &source.path,
            trusted,
            allow_embeds,
        },
    )
}

fn key_of(config: &SiteConfig, catalog: &Catalog, page: usize) -> RenderKey {
    let page = &catalog.pages[page];
    RenderKey {
        blob: page.source.blob.clone(),
        trusted: is_trusted(config, catalog, page.owner),
        allow_embeds: config.site.allow_embeds,
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
