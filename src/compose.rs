//! Composition: every output file of the site, in memory.
//!
//! Input: the catalog, each page's rendered body and title, the navigation, the theme.
//! Output: a sorted list of [`OutputFile`]s: every version's pages (the current version
//! also under `latest/`), copied files, the portal pages, the integrations index, the
//! per-integration redirects, a large version's list of all pages, `404.html`,
//! `sitemap.xml`, `integrations.json`, static files.
//! Templates only ever see the view structs defined here; only this module marks rendered
//! markdown as safe HTML. Writes nothing to disk (that is `publish`).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::{
    CONTENTS_PAGE, Catalog, INTEGRATIONS_DIR, Integration, Owner, STATIC_DIR, Version,
    canonical_site_path,
};
use crate::config::{Deployment, ManagedBy, SiteConfig};
use crate::escape::{self, json_for_the_web};
use crate::markdown::{TocEntry, highlight};
use crate::nav::{Navigation, SiteNavigation};
use crate::paths::{path_to_root, relative_url};
use crate::render::RenderedPages;
use crate::sidebar::{self, Sidebars};
use crate::theme::{Theme, describe_tera_error};

/// One file of the finished site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Site-relative, `/`-separated.
    pub path: String,
    pub bytes: Arc<[u8]>,
}

impl OutputFile {
    fn new(path: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

/// Everything composition reads.
pub struct Inputs<'a> {
    pub config: &'a SiteConfig,
    pub catalog: &'a Catalog,
    /// By page id.
    pub rendered: &'a RenderedPages,
    /// Display title of each page, by page id.
    pub titles: &'a [String],
    pub navigation: &'a SiteNavigation,
    pub theme: &'a Theme,
    /// The previous build's files, while serving: unchanged pages are not composed again.
    pub previous: Option<Previous<'a>>,
}

/// The previous build's output, and which pages it is still right for.
pub struct Previous<'a> {
    pub files: &'a HashMap<&'a str, Arc<[u8]>>,
    pub unchanged: &'a (dyn Fn(usize) -> bool + Sync),
}

/// Where composed files go: a build's staging folder (`publish::Staging`), memory while
/// serving ([`InMemory`]), nowhere for `check` ([`Discard`]). Paths are unique by
/// construction; should two ever meet, the first stored wins.
pub trait Sink: Sync {
    fn put(&self, file: OutputFile) -> anyhow::Result<()>;
}

/// Files kept in memory, for `serve` (and tests).
#[derive(Default)]
pub struct InMemory {
    files: std::sync::Mutex<std::collections::BTreeMap<String, Arc<[u8]>>>,
}

impl InMemory {
    /// Every file, sorted by path.
    pub fn into_files(self) -> Vec<OutputFile> {
        self.files
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .into_iter()
            .map(|(path, bytes)| OutputFile { path, bytes })
            .collect()
    }
}

impl Sink for InMemory {
    fn put(&self, file: OutputFile) -> anyhow::Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files.entry(file.path).or_insert(file.bytes);
        Ok(())
    }
}

/// Files counted and dropped, for `check`.
#[derive(Default)]
pub struct Discard {
    paths: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Discard {
    pub fn len(&self) -> usize {
        self.paths.lock().map_or(0, |paths| paths.len())
    }
}

impl Sink for Discard {
    fn put(&self, file: OutputFile) -> anyhow::Result<()> {
        if let Ok(mut paths) = self.paths.lock() {
            paths.insert(file.path);
        }
        Ok(())
    }
}

/// Composes the whole site into `sink`, pages as they are made (memory does not grow with
/// the site). Fails only when a template fails to render or the sink cannot store a file.
pub fn compose(inputs: &Inputs, sink: &dyn Sink) -> anyhow::Result<()> {
    let catalog = inputs.catalog;
    let sidebars = Sidebars::new(catalog, inputs.navigation);
    (0..catalog.pages.len())
        .into_par_iter()
        .try_for_each(|page| -> anyhow::Result<()> {
            for file in compose_page(inputs, &sidebars, page)? {
                sink.put(file)?;
            }
            Ok(())
        })?;

    let mut files = Vec::new();
    let used = used_assets(inputs);
    for (integration_index, integration) in catalog.integrations.iter().enumerate() {
        for (version_index, version) in integration.versions.iter().enumerate() {
            let owner = Owner::Version {
                integration: integration_index,
                version: version_index,
            };
            for (index, asset) in version.docs.assets.iter().enumerate() {
                if !used.contains(&(owner, index)) {
                    continue;
                }
                files.push(OutputFile::new(
                    asset.output_path.clone(),
                    asset.source.bytes.clone(),
                ));
                if let Some(alias) = &asset.alias {
                    files.push(OutputFile::new(alias.clone(), asset.source.bytes.clone()));
                }
            }
        }
        files.push(render_redirect(inputs, integration)?);
        files.push(render_versions_page(inputs, integration)?);
        for (version_index, version) in integration.versions.iter().enumerate() {
            files.extend(version_redirects(inputs, version)?);
            files.extend(contents_page(inputs, integration_index, version_index)?);
        }
    }
    for asset in &catalog.portal.assets {
        files.push(OutputFile::new(
            asset.output_path.clone(),
            asset.source.bytes.clone(),
        ));
    }
    files.push(render_index(inputs)?);
    files.push(render_not_found(inputs)?);
    files.push(OutputFile::new("sitemap.xml", sitemap(inputs).into_bytes()));
    files.push(OutputFile::new("robots.txt", robots(inputs).into_bytes()));
    files.push(OutputFile::new(
        "integrations.json",
        integrations_json(inputs)?,
    ));
    for (name, bytes) in &inputs.theme.static_files {
        files.push(OutputFile::new(
            format!("{STATIC_DIR}/{name}"),
            bytes.clone(),
        ));
    }
    files.push(OutputFile::new(
        format!("{STATIC_DIR}/syntax.css"),
        highlight::stylesheet().into_bytes(),
    ));
    // In a fixed order, so that the first of two files of one path is always the same.
    for file in files {
        sink.put(file)?;
    }
    Ok(())
}

/// `robots.txt`: everything may be crawled; the sitemap is named when the address is known.
fn robots(inputs: &Inputs) -> String {
    let base = &inputs.config.site.base_url;
    let mut text = String::from("User-agent: *\nAllow: /\n");
    if base.has_host() {
        text.push_str(&format!("Sitemap: {}\n", base.join("sitemap.xml")));
    }
    text
}

/// The assets some page links to, as (doc set, asset index): only those are published
/// (a link to LICENSE may go to the repository's web view instead of a copy).
fn used_assets(inputs: &Inputs) -> std::collections::HashSet<(Owner, usize)> {
    let mut used = std::collections::HashSet::new();
    for (page, linked) in inputs.rendered.linked.iter().enumerate() {
        let owner = inputs.catalog.pages[page].owner;
        for link in &linked.links {
            if let crate::markdown::Resolution::Rewritten {
                target: crate::markdown::LinkTarget::Asset(index),
                ..
            } = link.resolution
            {
                used.insert((owner, index));
            }
        }
    }
    used
}

// ---------------------------------------------------------------------------------------
// View structs: all templates see.

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    /// Relative way back to the site root from this page (`../../`), or the base path on
    /// pages served at any depth (404).
    root: String,
    static_root: String,
    home_url: String,
    integrations_url: String,
    /// Whether the site has a search index (so pages show the search box).
    search: bool,
}

impl<'a> SiteView<'a> {
    fn new(config: &'a SiteConfig, root: String) -> Self {
        SiteView {
            title: &config.site.title,
            description: &config.site.description,
            base_url: &config.site.base_url.full,
            static_root: format!("{root}{STATIC_DIR}/"),
            home_url: format!("{root}index.html"),
            integrations_url: format!("{root}{INTEGRATIONS_DIR}/index.html"),
            search: config.search.enabled,
            root,
        }
    }

    fn for_page(config: &'a SiteConfig, output_path: &str) -> Self {
        SiteView::new(config, path_to_root(output_path))
    }
}

#[derive(Serialize)]
struct LinkView {
    title: String,
    url: String,
}

#[derive(Serialize)]
struct DocView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    /// Rendered markdown; marked safe by the templates (this module vouches for it).
    content: String,
    toc: &'a [TocEntry],
    source_path: &'a str,
    /// True when the content has no H1 of its own, so the template shows the title.
    show_title: bool,
    edit_url: Option<String>,
    /// Canonical URL (absolute).
    canonical: String,
    /// False when the canonical URL is another page's: search engines should skip this copy.
    indexable: bool,
}

#[derive(Serialize)]
struct IntegrationView<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
    managed_by: ManagedBy,
    managed_label: &'static str,
    deployments: Vec<DeploymentView>,
    /// Relative URL of the integration's `latest/` landing page.
    url: String,
    /// Relative URL of the integration's version history page.
    versions_url: String,
    current_version: String,
    older_versions: usize,
    /// Day of the current version's last docs commit, `YYYY-MM-DD`.
    updated: String,
    web_url: Option<&'a str>,
}

#[derive(Serialize)]
struct DeploymentView {
    id: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct VersionView<'a> {
    label: &'a str,
    /// Relative URL of this version's landing page.
    landing_url: String,
    is_current: bool,
    ref_name: String,
    commit: &'a str,
    min_server_version: Option<&'a str>,
}

#[derive(Serialize)]
struct VersionLink {
    label: String,
    url: String,
    /// The current release (newest), for the "latest" mark.
    is_current_release: bool,
    /// The version of the page being shown.
    is_selected: bool,
    /// False when that version lacks this page and the link leads to its landing page.
    has_page: bool,
}

#[derive(Serialize)]
struct BannerView {
    current_label: String,
    url: String,
    /// Whether `url` is this same page in the current version (else its landing page).
    same_page: bool,
}

/// A page's sidebar: the navigation's groups, this page marked.
#[derive(Serialize)]
struct SidebarView {
    /// The groups' HTML; marked safe by the templates (`sidebar` escapes what it writes).
    html: String,
    /// For a version too large to inline its whole navigation (the sidebar then holds the
    /// part around this page): its list of all pages, whose tree `full-nav.js` swaps in.
    contents: Option<ContentsLinkView>,
}

#[derive(Serialize)]
struct ContentsLinkView {
    url: String,
    /// How many pages it lists, written for reading (`10,000`).
    pages: String,
}

impl SidebarView {
    fn of(inputs: &Inputs, sidebars: &Sidebars, page: usize) -> Self {
        let sidebar = sidebars.for_page(inputs.catalog, inputs.navigation, page);
        SidebarView {
            html: sidebar.html,
            contents: sidebar.contents.map(|(url, pages)| ContentsLinkView {
                url,
                pages: with_thousands(pages),
            }),
        }
    }
}

/// `12345` → `12,345`.
fn with_thousands(number: usize) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[derive(Serialize)]
struct DocPageContext<'a> {
    site: SiteView<'a>,
    page: DocView<'a>,
    integration: IntegrationView<'a>,
    version: VersionView<'a>,
    versions: Vec<VersionLink>,
    banner: Option<BannerView>,
    sidebar: SidebarView,
    breadcrumbs: Vec<LinkView>,
    previous: Option<LinkView>,
    next: Option<LinkView>,
}

#[derive(Serialize)]
struct ContentPageContext<'a> {
    site: SiteView<'a>,
    page: DocView<'a>,
    is_home: bool,
    sidebar: SidebarView,
    groups: Vec<GroupView<'a>>,
}

#[derive(Serialize)]
struct GroupView<'a> {
    id: &'static str,
    title: &'static str,
    description: &'static str,
    integrations: Vec<IntegrationView<'a>>,
}

// ---------------------------------------------------------------------------------------

/// Renders `template` into the page `output`, with the Content-Security-Policy first in
/// its `<head>`.
fn render(
    inputs: &Inputs,
    template: &str,
    context: &impl Serialize,
    output: &str,
) -> anyhow::Result<Vec<u8>> {
    let context = tera::Context::from_serialize(context)
        .map_err(|err| anyhow::anyhow!("cannot prepare the template data for {output}: {err}"))?;
    let html = inputs
        .theme
        .templates
        .render(template, &context)
        .map_err(|err| {
            anyhow::anyhow!(
                "template {template} failed while writing {output}: {}",
                describe_tera_error(&err)
            )
        })?;
    let policy = content_security_policy(
        &inputs.theme.inline_script_hashes,
        inputs.config.site.allow_embeds,
    );
    Ok(with_policy(html, &policy).into_bytes())
}

/// The Content-Security-Policy of every page: scripts only from the site itself and the
/// theme's own inline scripts (by hash), so that a script that got into a page anyway (or
/// a file a community repository published) does not run; no plugins; frames only from
/// the video players `[site] allow_embeds` turns on. Images may come from any https
/// address (README badges) or be inline `data:`; inline styles stay allowed because the
/// markdown renderer writes table column alignment as `style` attributes.
pub(crate) fn content_security_policy(
    inline_script_hashes: &[String],
    allow_embeds: bool,
) -> String {
    let mut scripts = String::from("'self'");
    for hash in inline_script_hashes {
        scripts.push(' ');
        scripts.push_str(hash);
    }
    let frames = if allow_embeds {
        crate::markdown::gitbook::VIDEO_PLAYER_ORIGINS.join(" ")
    } else {
        "'none'".to_string()
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; frame-src {frames}; object-src 'none'; base-uri 'self'; form-action 'self'"
    )
}

/// `html` with a `<meta http-equiv="Content-Security-Policy">` right after its `<head>`
/// tag: a policy given in a meta element governs only what comes after it, and putting it
/// here rather than in the templates keeps every theme's pages covered.
fn with_policy(html: String, policy: &str) -> String {
    let bytes = html.as_bytes();
    let head_tag = (0..bytes.len()).find(|&at| {
        bytes[at..].len() > 5
            && bytes[at..at + 5].eq_ignore_ascii_case(b"<head")
            && matches!(bytes[at + 5], b'>' | b' ' | b'\n' | b'\t' | b'\r')
    });
    // A theme without a <head>: after the doctype, where the parser opens the head.
    let doctype_end = || {
        bytes
            .get(..9)
            .filter(|start| start.eq_ignore_ascii_case(b"<!doctype"))
            .and_then(|_| html.find('>'))
            .map_or(0, |end| end + 1)
    };
    let head_end = head_tag
        .and_then(|at| html[at..].find('>').map(|end| at + end + 1))
        .unwrap_or_else(doctype_end);
    // The policy is Portico's own text, with neither quotes nor markup: written as is.
    let meta = format!("\n<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">");
    let mut out = String::with_capacity(html.len() + meta.len());
    out.push_str(&html[..head_end]);
    out.push_str(&meta);
    out.push_str(&html[head_end..]);
    out
}

fn compose_page(
    inputs: &Inputs,
    sidebars: &Sidebars,
    page_id: usize,
) -> anyhow::Result<Vec<OutputFile>> {
    let catalog = inputs.catalog;
    let page = &catalog.pages[page_id];
    match page.owner {
        Owner::Portal => {
            let context = ContentPageContext {
                site: SiteView::for_page(inputs.config, &page.output_path),
                page: doc_view(inputs, page_id, None),
                is_home: page.output_path == "index.html",
                sidebar: SidebarView::of(inputs, sidebars, page_id),
                groups: integration_groups(inputs, &page.output_path),
            };
            let bytes = render(inputs, "content.html", &context, &page.output_path)?;
            Ok(vec![OutputFile::new(page.output_path.clone(), bytes)])
        }
        Owner::Version {
            integration,
            version,
        } => {
            let integration_ref = &catalog.integrations[integration];
            let version_ref = &integration_ref.versions[version];
            let previous = inputs
                .previous
                .as_ref()
                .filter(|previous| (previous.unchanged)(page_id))
                .and_then(|previous| previous.files.get(page.output_path.as_str()));
            if let Some(bytes) = previous {
                return Ok(page_files(version_ref, &page.output_path, bytes.clone()));
            }
            let navigation = &inputs.navigation.versions[integration][version];
            let context = DocPageContext {
                site: SiteView::for_page(inputs.config, &page.output_path),
                page: doc_view(inputs, page_id, Some((integration_ref, version_ref))),
                integration: integration_view(integration_ref, &page.output_path),
                version: version_view(catalog, version_ref, &page.output_path),
                versions: switcher(
                    catalog,
                    integration_ref,
                    version,
                    &page.rel_path,
                    &page.output_path,
                ),
                banner: banner(
                    catalog,
                    integration_ref,
                    version_ref,
                    &page.rel_path,
                    &page.output_path,
                ),
                sidebar: SidebarView::of(inputs, sidebars, page_id),
                breadcrumbs: breadcrumbs(inputs, integration_ref, version_ref, navigation, page_id),
                previous: navigation
                    .previous(page_id)
                    .map(|p| link_to(inputs, p, &page.output_path)),
                next: navigation
                    .next(page_id)
                    .map(|p| link_to(inputs, p, &page.output_path)),
            };
            let bytes: Arc<[u8]> = render(inputs, "page.html", &context, &page.output_path)?.into();
            Ok(page_files(version_ref, &page.output_path, bytes))
        }
    }
}

fn version_view<'a>(catalog: &Catalog, version: &'a Version, from: &str) -> VersionView<'a> {
    VersionView {
        label: version.label.as_str(),
        landing_url: relative_url(from, &catalog.pages[version.landing].output_path),
        is_current: version.is_current(),
        ref_name: version.origin.ref_name(),
        commit: &version.commit,
        min_server_version: version
            .manifest
            .as_ref()
            .and_then(|m| m.min_server_version.as_deref()),
    }
}

/// A version's list of all pages, [`CONTENTS_PAGE`] in its folder (and under `latest/`),
/// written only for a version whose navigation is too large for every page to inline: its
/// pages link to it, and `full-nav.js` loads its tree into their sidebars.
fn contents_page(
    inputs: &Inputs,
    integration: usize,
    version: usize,
) -> anyhow::Result<Vec<OutputFile>> {
    #[derive(Serialize)]
    struct ContentsContext<'a> {
        site: SiteView<'a>,
        integration: IntegrationView<'a>,
        version: VersionView<'a>,
        breadcrumbs: Vec<LinkView>,
        /// How many pages the tree lists, written for reading.
        pages: String,
        /// The navigation's groups; marked safe by the template (`sidebar` escapes it).
        tree: String,
        canonical: String,
    }
    let nav = &inputs.navigation.versions[integration][version];
    if sidebar::inlines_whole(nav) {
        return Ok(Vec::new());
    }
    let catalog = inputs.catalog;
    let integration = &catalog.integrations[integration];
    let version = &integration.versions[version];
    let path = format!("{}{CONTENTS_PAGE}", version.docs.dir);
    let version_view = version_view(catalog, version, &path);
    let context = ContentsContext {
        site: SiteView::for_page(inputs.config, &path),
        integration: integration_view(integration, &path),
        breadcrumbs: vec![
            LinkView {
                title: "Integrations".to_string(),
                url: relative_url(&path, &format!("{INTEGRATIONS_DIR}/index.html")),
            },
            LinkView {
                title: format!("{} {}", integration.name, version.label),
                url: version_view.landing_url.clone(),
            },
        ],
        version: version_view,
        pages: with_thousands(nav.page_count()),
        tree: sidebar::full_tree(catalog, nav, &version.docs.dir),
        canonical: inputs
            .config
            .site
            .base_url
            .join(&format!("{}{CONTENTS_PAGE}", version.public_dir)),
    };
    let bytes: Arc<[u8]> = render(inputs, "contents.html", &context, &path)?.into();
    Ok(page_files(version, &path, bytes))
}

/// A version page's file, and its copy under `latest/` for the current version.
fn page_files(version: &Version, output_path: &str, bytes: Arc<[u8]>) -> Vec<OutputFile> {
    let mut files = vec![OutputFile::new(output_path.to_string(), bytes.clone())];
    if let Some(alias) = version.alias_of(output_path) {
        // All links are relative and `latest/` sits at the same depth, so the same bytes
        // are correct at both addresses.
        files.push(OutputFile::new(alias, bytes));
    }
    files
}

fn doc_view<'a>(
    inputs: &'a Inputs,
    page_id: usize,
    version: Option<(&'a Integration, &'a Version)>,
) -> DocView<'a> {
    let page = &inputs.catalog.pages[page_id];
    let rendered = &inputs.rendered.parsed[page_id];
    let canonical = &page.canonical;
    // The current version's pages are indexed under latest/, which holds the same bytes.
    let indexable = *canonical == canonical_site_path(&page.output_path)
        || version.is_some_and(|(_, version)| version.is_current());
    let edit_url = version.and_then(|(integration, version)| {
        let web = integration.web_url.as_deref()?;
        match &version.origin {
            crate::source::Origin::Tag { .. } => None,
            origin => Some(format!(
                "{web}/edit/{}/{}",
                origin.short_name(),
                crate::paths::percent_encode_path(&page.source.path)
            )),
        }
    });
    DocView {
        title: &inputs.titles[page_id],
        description: rendered.front_matter.description.as_deref(),
        content: inputs.rendered.html(inputs.catalog, page_id),
        toc: &rendered.toc,
        source_path: &page.source.path,
        show_title: rendered.title.is_none(),
        edit_url,
        canonical: inputs.config.site.base_url.join(canonical),
        indexable,
    }
}

/// Where a version sends readers for the page at `rel_path`: that page, or, when the
/// version does not have it, its landing page; and whether it has it.
fn public_target(catalog: &Catalog, version: &Version, rel_path: &str) -> (String, bool) {
    match version.docs.page_at(rel_path) {
        Some(page) => (catalog.pages[page].public_path.clone(), true),
        None => (catalog.pages[version.landing].public_path.clone(), false),
    }
}

fn integration_view<'a>(integration: &'a Integration, from: &str) -> IntegrationView<'a> {
    IntegrationView {
        id: &integration.id,
        name: &integration.name,
        description: &integration.description,
        managed_by: integration.managed_by,
        managed_label: integration.managed_by.label(),
        deployments: integration
            .deployments
            .iter()
            .map(|d| DeploymentView {
                id: d.id(),
                label: d.label(),
            })
            .collect(),
        url: relative_url(from, &format!("{}index.html", integration.latest_dir())),
        versions_url: relative_url(from, &versions_page_path(integration)),
        current_version: integration.current().label.to_string(),
        older_versions: integration.versions.len() - 1,
        updated: integration.current().updated_on(),
        web_url: integration.web_url.as_deref(),
    }
}

/// Every version of the integration, newest first: this page there, else its landing page.
fn switcher(
    catalog: &Catalog,
    integration: &Integration,
    selected: usize,
    rel_path: &str,
    from: &str,
) -> Vec<VersionLink> {
    integration
        .versions
        .iter()
        .enumerate()
        .map(|(index, version)| {
            let (target, present) = public_target(catalog, version, rel_path);
            VersionLink {
                label: version.label.to_string(),
                url: relative_url(from, &target),
                is_current_release: version.is_current(),
                is_selected: index == selected,
                has_page: present,
            }
        })
        .collect()
}

fn banner(
    catalog: &Catalog,
    integration: &Integration,
    version: &Version,
    rel_path: &str,
    from: &str,
) -> Option<BannerView> {
    if version.is_current() {
        return None;
    }
    let current = integration.current();
    let (target, same_page) = public_target(catalog, current, rel_path);
    Some(BannerView {
        current_label: current.label.to_string(),
        url: relative_url(from, &target),
        same_page,
    })
}

fn link_to(inputs: &Inputs, page_id: usize, from: &str) -> LinkView {
    LinkView {
        title: inputs.titles[page_id].clone(),
        url: relative_url(from, &inputs.catalog.pages[page_id].output_path),
    }
}

fn breadcrumbs(
    inputs: &Inputs,
    integration: &Integration,
    version: &Version,
    navigation: &Navigation,
    page_id: usize,
) -> Vec<LinkView> {
    let from = &inputs.catalog.pages[page_id].output_path;
    let mut crumbs = vec![
        LinkView {
            title: "Integrations".to_string(),
            url: relative_url(from, &format!("{INTEGRATIONS_DIR}/index.html")),
        },
        LinkView {
            title: format!("{} {}", integration.name, version.label),
            url: relative_url(from, &inputs.catalog.pages[version.landing].output_path),
        },
    ];
    for ancestor in navigation.ancestors(page_id, sidebar::ANCESTORS_SHOWN) {
        if ancestor != version.landing {
            crumbs.push(link_to(inputs, ancestor, from));
        }
    }
    crumbs
}

/// Integration cards grouped Mattermost-managed first, then community-managed, by name.
fn integration_groups<'a>(inputs: &'a Inputs, from: &str) -> Vec<GroupView<'a>> {
    let groups = [
        (
            ManagedBy::Mattermost,
            "mattermost",
            "Mattermost-managed",
            "Maintained and documented by Mattermost.",
        ),
        (
            ManagedBy::Community,
            "community",
            "Community-managed",
            "Maintained and documented by their authors.",
        ),
    ];
    groups
        .into_iter()
        .map(|(managed_by, id, title, description)| {
            let mut integrations: Vec<IntegrationView> = inputs
                .catalog
                .integrations
                .iter()
                .filter(|i| i.managed_by == managed_by)
                .map(|i| integration_view(i, from))
                .collect();
            integrations.sort_by(|a, b| {
                a.name
                    .to_lowercase()
                    .cmp(&b.name.to_lowercase())
                    .then(a.id.cmp(b.id))
            });
            GroupView {
                id,
                title,
                description,
                integrations,
            }
        })
        .collect()
}

fn render_index(inputs: &Inputs) -> anyhow::Result<OutputFile> {
    let path = format!("{INTEGRATIONS_DIR}/index.html");
    #[derive(Serialize)]
    struct IndexContext<'a> {
        site: SiteView<'a>,
        groups: Vec<GroupView<'a>>,
        canonical: String,
    }
    let context = IndexContext {
        site: SiteView::for_page(inputs.config, &path),
        groups: integration_groups(inputs, &path),
        canonical: inputs
            .config
            .site
            .base_url
            .join(&format!("{INTEGRATIONS_DIR}/")),
    };
    Ok(OutputFile::new(
        path.clone(),
        render(inputs, "integrations.html", &context, &path)?,
    ))
}

/// `integrations/<id>/index.html`: on to `latest/`.
fn render_redirect(inputs: &Inputs, integration: &Integration) -> anyhow::Result<OutputFile> {
    let path = format!("{}index.html", integration.dir());
    let target = format!("{}index.html", integration.latest_dir());
    redirect_page(inputs, &path, &integration.name, &target)
}

/// A page at `path` that sends readers (and search engines) on to the site path `target`.
fn redirect_page(
    inputs: &Inputs,
    path: &str,
    title: &str,
    target: &str,
) -> anyhow::Result<OutputFile> {
    #[derive(Serialize)]
    struct RedirectContext<'a> {
        site: SiteView<'a>,
        title: &'a str,
        target: String,
        canonical: String,
    }
    let context = RedirectContext {
        site: SiteView::for_page(inputs.config, path),
        title,
        target: crate::paths::relative_url(path, target),
        canonical: inputs
            .config
            .site
            .base_url
            .join(&canonical_site_path(target)),
    };
    Ok(OutputFile::new(
        path.to_string(),
        render(inputs, "redirect.html", &context, path)?,
    ))
}

/// `.gitbook.yaml` redirects of one version, also under `latest/` for the current one.
fn version_redirects(inputs: &Inputs, version: &Version) -> anyhow::Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    for (from, target) in &version.redirects {
        let title = &inputs.titles[*target];
        let page = &inputs.catalog.pages[*target];
        let path = format!("{}{from}", version.docs.dir);
        files.push(redirect_page(inputs, &path, title, &page.output_path)?);
        if let (Some(alias), Some(alias_target)) = (version.alias_of(&path), &page.alias) {
            files.push(redirect_page(inputs, &alias, title, alias_target)?);
        }
    }
    Ok(files)
}

/// `integrations/<id>/versions.html`.
fn versions_page_path(integration: &Integration) -> String {
    format!("{}versions.html", integration.dir())
}

/// An integration's version history: every version with its requirements and dates.
fn render_versions_page(inputs: &Inputs, integration: &Integration) -> anyhow::Result<OutputFile> {
    #[derive(Serialize)]
    struct Row<'a> {
        label: &'a str,
        url: String,
        is_current: bool,
        min_server_version: Option<&'a str>,
        updated: String,
        ref_name: String,
    }
    #[derive(Serialize)]
    struct VersionsContext<'a> {
        site: SiteView<'a>,
        integration: IntegrationView<'a>,
        versions: Vec<Row<'a>>,
        canonical: String,
    }
    let path = versions_page_path(integration);
    let versions = integration
        .versions
        .iter()
        .map(|version| Row {
            label: version.label.as_str(),
            url: relative_url(&path, &inputs.catalog.pages[version.landing].public_path),
            is_current: version.is_current(),
            min_server_version: version
                .manifest
                .as_ref()
                .and_then(|m| m.min_server_version.as_deref()),
            updated: version.updated_on(),
            ref_name: version.origin.ref_name(),
        })
        .collect();
    let context = VersionsContext {
        site: SiteView::for_page(inputs.config, &path),
        integration: integration_view(integration, &path),
        versions,
        canonical: inputs.config.site.base_url.join(&path),
    };
    Ok(OutputFile::new(
        path.clone(),
        render(inputs, "versions.html", &context, &path)?,
    ))
}

/// Which pages exist in which versions, for the 404 page to offer the page in another
/// version: `{"base": "/docs/", "integrations": {"jira": {"versions": [...], "pages": {...}}}}`.
fn page_map(inputs: &Inputs) -> String {
    use std::collections::BTreeMap;
    #[derive(Serialize)]
    struct IntegrationPages<'a> {
        name: &'a str,
        /// Labels, newest first; the first is the current version (also at `latest/`).
        versions: Vec<&'a str>,
        /// Page (relative to a version folder) → indexes in `versions` that have it.
        pages: BTreeMap<&'a str, Vec<usize>>,
    }
    #[derive(Serialize)]
    struct Map<'a> {
        base: &'a str,
        integrations: BTreeMap<&'a str, IntegrationPages<'a>>,
    }
    let catalog = inputs.catalog;
    let integrations = catalog
        .integrations
        .iter()
        .map(|integration| {
            let mut pages: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (index, version) in integration.versions.iter().enumerate() {
                for &page in &version.docs.pages {
                    pages
                        .entry(catalog.pages[page].rel_path.as_str())
                        .or_default()
                        .push(index);
                }
            }
            let entry = IntegrationPages {
                name: &integration.name,
                versions: integration
                    .versions
                    .iter()
                    .map(|v| v.label.as_str())
                    .collect(),
                pages,
            };
            (integration.id.as_str(), entry)
        })
        .collect();
    let map = Map {
        base: &inputs.config.site.base_url.path,
        integrations,
    };
    // Inlined in a script element: no `<` may end it early (`</script`) or make the
    // parser look for a second end tag (`<!--<script`).
    serde_json::to_string(&map)
        .map(json_for_the_web)
        .unwrap_or_else(|_| "{}".to_string())
}

fn render_not_found(inputs: &Inputs) -> anyhow::Result<OutputFile> {
    #[derive(Serialize)]
    struct NotFoundContext<'a> {
        site: SiteView<'a>,
        page_map: String,
    }
    // Served at any depth: links use the base path, not relative ones.
    let context = NotFoundContext {
        site: SiteView::new(inputs.config, inputs.config.site.base_url.path.clone()),
        page_map: page_map(inputs),
    };
    Ok(OutputFile::new(
        "404.html",
        render(inputs, "404.html", &context, "404.html")?,
    ))
}

fn sitemap(inputs: &Inputs) -> String {
    let base = &inputs.config.site.base_url;
    let mut urls: BTreeSet<String> = BTreeSet::new();
    urls.insert(base.join(&format!("{INTEGRATIONS_DIR}/")));
    for page_id in 0..inputs.catalog.pages.len() {
        urls.insert(base.join(&inputs.catalog.pages[page_id].canonical));
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for url in urls {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape::escape_html(&url));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// Every integration with its versions and URLs, for other tools.
fn integrations_json(inputs: &Inputs) -> anyhow::Result<Vec<u8>> {
    #[derive(Serialize)]
    struct Document<'a> {
        site: SiteJson<'a>,
        integrations: Vec<IntegrationJson<'a>>,
    }
    #[derive(Serialize)]
    struct SiteJson<'a> {
        title: &'a str,
        base_url: &'a str,
    }
    #[derive(Serialize)]
    struct IntegrationJson<'a> {
        id: &'a str,
        name: &'a str,
        description: &'a str,
        managed_by: ManagedBy,
        deployments: &'a [Deployment],
        web_url: Option<&'a str>,
        default_branch: &'a str,
        url: String,
        current_version: String,
        versions: Vec<VersionJson<'a>>,
    }
    #[derive(Serialize)]
    struct VersionJson<'a> {
        label: String,
        current: bool,
        kind: &'static str,
        #[serde(rename = "ref")]
        ref_name: String,
        commit: &'a str,
        updated: i64,
        min_server_version: Option<&'a str>,
        url: String,
        pages: usize,
    }
    let base = &inputs.config.site.base_url;
    let document = Document {
        site: SiteJson {
            title: &inputs.config.site.title,
            base_url: &base.full,
        },
        integrations: inputs
            .catalog
            .integrations
            .iter()
            .map(|integration| IntegrationJson {
                id: &integration.id,
                name: &integration.name,
                description: &integration.description,
                managed_by: integration.managed_by,
                deployments: &integration.deployments,
                web_url: integration.web_url.as_deref(),
                default_branch: &integration.default_branch,
                url: base.join(&integration.latest_dir()),
                current_version: integration.current().label.to_string(),
                versions: integration
                    .versions
                    .iter()
                    .map(|version| VersionJson {
                        label: version.label.to_string(),
                        current: version.is_current(),
                        kind: match version.origin {
                            crate::source::Origin::Tag { .. } => "tag",
                            _ => "branch",
                        },
                        ref_name: version.origin.ref_name(),
                        commit: &version.commit,
                        updated: version.commit_time,
                        min_server_version: version
                            .manifest
                            .as_ref()
                            .and_then(|m| m.min_server_version.as_deref()),
                        url: base.join(&version.docs.dir),
                        pages: version.docs.pages.len(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut json = json_for_the_web(serde_json::to_string_pretty(&document)?).into_bytes();
    json.push(b'\n');
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_only_the_sites_scripts_and_the_hashed_inline_ones() {
        let policy = content_security_policy(&["'sha256-abc='".to_string()], false);
        assert!(
            policy.contains("script-src 'self' 'sha256-abc=';"),
            "{policy}"
        );
        assert!(policy.contains("object-src 'none'"), "{policy}");
        assert!(policy.contains("frame-src 'none'"), "{policy}");
        assert!(policy.contains("img-src 'self' https: data:"), "{policy}");
        assert!(!policy.contains("unsafe-eval"), "{policy}");
        let with_embeds = content_security_policy(&[], true);
        assert!(
            with_embeds
                .contains("frame-src https://www.youtube-nocookie.com https://player.vimeo.com;"),
            "{with_embeds}"
        );
    }

    #[test]
    fn the_policy_comes_first_in_the_head() {
        let page = with_policy(
            "<!DOCTYPE html>\n<html><HEAD lang=x><meta charset=\"utf-8\"><script>x</script></head><body><head></body></html>".to_string(),
            "default-src 'self'",
        );
        assert_eq!(
            page,
            "<!DOCTYPE html>\n<html><HEAD lang=x>\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\"><meta charset=\"utf-8\"><script>x</script></head><body><head></body></html>"
        );
        let headless = with_policy("<!doctype html><p>x".to_string(), "p");
        assert_eq!(
            headless,
            "<!doctype html>\n<meta http-equiv=\"Content-Security-Policy\" content=\"p\"><p>x"
        );
        let header_element = with_policy("<header>x".to_string(), "p");
        assert!(header_element.starts_with("\n<meta"), "{header_element}");
    }

    #[test]
    fn site_paths_drop_index_html() {
        assert_eq!(
            canonical_site_path("integrations/jira/latest/index.html"),
            "integrations/jira/latest/"
        );
        assert_eq!(canonical_site_path("index.html"), "");
        assert_eq!(canonical_site_path("a/setup.html"), "a/setup.html");
        assert_eq!(canonical_site_path("a/myindex.html"), "a/myindex.html");
    }
}
