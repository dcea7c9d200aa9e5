//! Classification: what the portal is made of, and where everything goes.
//!
//! Input: the configuration and the [`Sources`]. Output: the [`Catalog`]: integrations with
//! their versions ordered (current first, then archived newest first; shadowed archives
//! dropped), and every page and file with its three addresses: where it came from
//! (integration, version, source path), where it is written (site-relative output path),
//! and its URL. Also answers "what does this link in this page point at" for `markdown`.
//! Later stages never recompute an address. No I/O.

use std::collections::{BTreeSet, HashMap};

use crate::config::{Deployment, IntegrationConfig, ManagedBy, SiteConfig};
use crate::diagnostics::{Diagnostic, Location};
use crate::markdown::links::{self, Destination, RepoTarget};
use crate::markdown::{LinkKind, LinkResolver, LinkTarget, Resolution};
use crate::output_paths::{Claims, NAME_MAX, PathBudget};
use crate::paths;
use crate::source::{
    DocsLayout, Manifest, Origin, PortalContent, RepoSnapshot, SourceFile, Sources,
};
use crate::version::VersionLabel;

/// The folder of the integrations index and of every integration's docs.
pub const INTEGRATIONS_DIR: &str = "integrations";
/// The stable alias of every integration's current version.
pub const LATEST: &str = "latest";
/// Where theme static files and the generated stylesheet are written.
pub const STATIC_DIR: &str = "_portico";
/// Files every portal writes at its root, besides the pages.
pub const GENERATED_ROOT_FILES: [&str; 5] = [
    "404.html",
    "sitemap.xml",
    "integrations.json",
    "robots.txt",
    "manifest.json",
];
/// The list of all pages Portico writes in the folder of a version whose navigation is too
/// large for every page to inline: a version's files may not take its name.
pub const CONTENTS_PAGE: &str = "_contents.html";
/// Where files a page references from outside its docs folder are copied.
const OUTSIDE_FILES_DIR: &str = "_repo";

#[derive(Debug)]
pub struct Catalog {
    /// Every page of the portal; a page's index here is its id.
    pub pages: Vec<Page>,
    /// The portal's own pages (`content/`).
    pub portal: DocSet,
    /// The readable integrations, in `site.toml` order.
    pub integrations: Vec<Integration>,
    /// Page id by site-relative output path.
    page_by_output: HashMap<String, usize>,
    /// The portal's public address: absolute links to it are links inside the portal.
    base_url: crate::config::BaseUrl,
}

#[derive(Debug)]
pub struct Integration {
    /// Index in `SiteConfig::integrations`.
    pub config: usize,
    pub id: String,
    pub name: String,
    pub description: String,
    pub managed_by: ManagedBy,
    pub deployments: Vec<Deployment>,
    pub web_url: Option<String>,
    /// Addresses the docs were published at before (the old GitBook site), each ending in `/`.
    pub legacy_urls: Vec<String>,
    pub default_branch: String,
    /// Current first, then archived versions newest first.
    pub versions: Vec<Version>,
    pub skipped_branches: Vec<String>,
}

impl Integration {
    pub fn current(&self) -> &Version {
        &self.versions[0]
    }

    /// `integrations/<id>/`.
    pub fn dir(&self) -> String {
        format!("{INTEGRATIONS_DIR}/{}/", self.id)
    }

    /// `integrations/<id>/latest/`: the stable address of the current version.
    pub fn latest_dir(&self) -> String {
        format!("{INTEGRATIONS_DIR}/{}/{LATEST}/", self.id)
    }
}

#[derive(Debug)]
pub struct Version {
    pub label: VersionLabel,
    pub origin: Origin,
    pub commit: String,
    pub commit_time: i64,
    pub manifest: Option<Manifest>,
    pub layout: DocsLayout,
    pub summary: Option<SourceFile>,
    /// Id of the landing page.
    pub landing: usize,
    pub docs: DocSet,
    /// `.gitbook.yaml` redirects that lead to a page: (old output path inside the version
    /// folder, such as `old/page.html`, target page id).
    pub redirects: Vec<(String, usize)>,
    /// Where readers are sent for this version's pages: `latest/` for the current version
    /// (the stable address), else the version's own folder (see [`assign_addresses`]).
    pub public_dir: String,
    /// The folder its pages and files are copied to besides their own: `latest/` for the
    /// current version, unless that is its own folder already.
    pub alias_dir: Option<String>,
}

impl Version {
    pub fn is_current(&self) -> bool {
        self.origin.is_current()
    }

    /// Whether the version's permanent folder is the `latest/` alias itself (a current
    /// version without a number), so it is not written twice.
    pub fn is_latest_alias(&self) -> bool {
        self.is_current() && self.label.as_str() == LATEST
    }

    /// The output path under `latest/` of a file this version writes at `output_path`
    /// (current version only).
    pub fn alias_of(&self, output_path: &str) -> Option<String> {
        let alias_dir = self.alias_dir.as_ref()?;
        let rest = output_path.strip_prefix(&self.docs.dir)?;
        Some(format!("{alias_dir}{rest}"))
    }

    /// The day of the version's commit, `YYYY-MM-DD` (UTC).
    pub fn updated_on(&self) -> String {
        format_date(self.commit_time)
    }

    /// `2.3 (branch jira-docs-2.3)`: for diagnostics.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.label, self.origin.describe())
    }
}

/// Who a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    Portal,
    Version { integration: usize, version: usize },
}

#[derive(Debug)]
pub struct Page {
    pub owner: Owner,
    pub source: SourceFile,
    /// Output path relative to its doc set's folder (`setup/install.html`): the same page
    /// in another version has the same `rel_path`.
    pub rel_path: String,
    /// Site-relative output path (`integrations/jira/3.2/setup/install.html`).
    pub output_path: String,
    /// Where readers are sent for it: under `latest/` in the current version.
    pub public_path: String,
    /// Its copy's output path under `latest/` (current version only).
    pub alias: Option<String>,
    /// The site path search engines should index: the same page under `latest/` when the
    /// current version has it, else in the newest version that has it (`a/index.html` as
    /// `a/`).
    pub canonical: String,
}

/// A file copied next to the pages that reference it.
#[derive(Debug, Clone)]
pub struct Asset {
    pub source: SourceFile,
    pub output_path: String,
    /// Its copy's output path under `latest/` (current version only).
    pub alias: Option<String>,
}

/// A set of pages and files resolved together: one version of one integration, or the
/// portal's `content/`.
#[derive(Debug, Default)]
pub struct DocSet {
    /// Site folder, `""` for the portal, `integrations/jira/3.2/` for a version.
    pub dir: String,
    /// Source folder of the docs (`docs`), `""` for the repository root or `content/`.
    pub root: String,
    /// Page ids, sorted by source path.
    pub pages: Vec<usize>,
    pub assets: Vec<Asset>,
    page_by_path: HashMap<String, usize>,
    page_by_lowercase_path: HashMap<String, usize>,
    page_by_rel_path: HashMap<String, usize>,
    asset_by_path: HashMap<String, usize>,
    repo_paths: BTreeSet<String>,
    /// Referenced files that are not published, with the reason (active content from an
    /// untrusted repository).
    withheld: HashMap<String, String>,
    /// Files inlined by `{% include %}`, by source path.
    includes: HashMap<String, SourceFile>,
    /// `(repository web URL, ref)` for links to files that are not published.
    web_view: Option<(String, String)>,
    /// Rooted links (`/integrations/`) mean the site root in the portal's pages, and the
    /// repository root in an integration's docs (as on GitHub).
    rooted_is_site: bool,
    /// A docs folder (configured or found) rather than the README-reachable pages of a
    /// repository root.
    docs_folder: bool,
}

impl DocSet {
    /// The page a source path means (`setup`, `setup/`, `README.md` in any case).
    pub fn find_page(&self, path: &str, folder: bool) -> Option<usize> {
        let candidates = links::candidates(path, folder);
        candidates
            .iter()
            .find_map(|candidate| self.page_by_path.get(candidate.as_str()))
            .or_else(|| {
                candidates.iter().find_map(|candidate| {
                    self.page_by_lowercase_path.get(&candidate.to_lowercase())
                })
            })
            .copied()
    }

    /// The page written at `rel_path` inside this doc set (`setup/install.html`): the
    /// same page in another version.
    pub fn page_at(&self, rel_path: &str) -> Option<usize> {
        self.page_by_rel_path.get(rel_path).copied()
    }

    fn find_asset(&self, path: &str) -> Option<(usize, &Asset)> {
        self.asset_by_path.get(path).map(|&i| (i, &self.assets[i]))
    }

    /// Whether a file is part of the docs (copied with them) rather than of the code (seen
    /// in the repository): everything in a docs folder; at a repository root, media and
    /// downloads only.
    fn is_docs_material(&self, path: &str) -> bool {
        if self.docs_folder {
            return path.starts_with(&format!("{}/", self.root)) || self.root.is_empty();
        }
        const DOWNLOADS: &[&str] = &[
            "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "bmp", "ico", "pdf", "csv", "tsv",
            "zip", "gz", "tgz", "xlsx", "xls", "docx", "doc", "pptx", "odt", "ods", "mp4", "webm",
            "mov", "mp3", "wav",
        ];
        let extension = path
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        DOWNLOADS.contains(&extension.as_str())
    }
}

/// Builds the catalog. Integrations that could not be read are skipped here (the caller
/// decides whether that fails the build).
pub fn classify(config: &SiteConfig, sources: &Sources) -> (Catalog, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut pages = Vec::new();
    let portal = classify_portal(config, &sources.content, &mut pages, &mut diagnostics);
    let mut integrations = Vec::new();
    let budget = PathBudget::for_output(&config.build.output_dir);
    for snapshot in sources.integrations.iter().flatten() {
        let index = integrations.len();
        let integration = &config.integrations[snapshot.integration];
        if let Some(classified) = classify_integration(
            integration,
            snapshot,
            index,
            budget,
            &mut pages,
            &mut diagnostics,
        ) {
            integrations.push(classified);
        }
    }
    assign_addresses(&mut integrations, &mut pages);
    let page_by_output = pages
        .iter()
        .enumerate()
        .map(|(id, page)| (page.output_path.clone(), id))
        .collect();
    (
        Catalog {
            pages,
            portal,
            integrations,
            page_by_output,
            base_url: config.site.base_url.clone(),
        },
        diagnostics,
    )
}

/// Every version's public folder and `latest/` alias, and every page's public path, alias
/// and canonical path: computed here once, read everywhere else.
fn assign_addresses(integrations: &mut [Integration], pages: &mut [Page]) {
    for integration in integrations.iter_mut() {
        let latest_dir = integration.latest_dir();
        for version in &mut integration.versions {
            version.public_dir = if version.is_current() {
                latest_dir.clone()
            } else {
                version.docs.dir.clone()
            };
            version.alias_dir =
                (version.is_current() && !version.is_latest_alias()).then(|| latest_dir.clone());
            for &page in &version.docs.pages {
                pages[page].alias = version.alias_of(&pages[page].output_path);
                pages[page].public_path = format!("{}{}", version.public_dir, pages[page].rel_path);
            }
            let aliases: Vec<Option<String>> = version
                .docs
                .assets
                .iter()
                .map(|asset| version.alias_of(&asset.output_path))
                .collect();
            for (asset, alias) in version.docs.assets.iter_mut().zip(aliases) {
                asset.alias = alias;
            }
        }
        // The newest version holding a page names its canonical address.
        let mut canonical: HashMap<&str, String> = HashMap::new();
        for version in &integration.versions {
            for &page in &version.docs.pages {
                canonical
                    .entry(pages[page].rel_path.as_str())
                    .or_insert_with(|| canonical_site_path(&pages[page].public_path));
            }
        }
        let canonical: HashMap<String, String> = canonical
            .into_iter()
            .map(|(rel_path, path)| (rel_path.to_string(), path))
            .collect();
        for version in &integration.versions {
            for &page in &version.docs.pages {
                if let Some(path) = canonical.get(&pages[page].rel_path) {
                    pages[page].canonical = path.clone();
                }
            }
        }
    }
}

/// `a/index.html` is published as `a/`.
pub(crate) fn canonical_site_path(output_path: &str) -> String {
    match output_path.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => dir.to_string(),
        _ => output_path.to_string(),
    }
}

fn classify_portal(
    config: &SiteConfig,
    content: &PortalContent,
    pages: &mut Vec<Page>,
    diagnostics: &mut Vec<Diagnostic>,
) -> DocSet {
    let mut set = DocSet {
        rooted_is_site: true,
        ..DocSet::default()
    };
    let mut taken: HashMap<String, String> = HashMap::new();
    let mut sources = content.pages.clone();
    if !sources
        .iter()
        .any(|page| portal_output_path(&page.path) == "index.html")
    {
        sources.insert(0, default_home_page(config));
    }
    for file in &sources {
        let rel_path = portal_output_path(&file.path);
        if is_reserved(&rel_path) {
            diagnostics.push(Diagnostic::error(
                Location::file(format!("content/{}", file.path)),
                format!("would be written to {rel_path}, which Portico generates itself; move or rename it"),
            ));
            continue;
        }
        if let Some(first) = taken.get(&rel_path) {
            diagnostics.push(Diagnostic::warning(
                Location::file(format!("content/{}", file.path)),
                format!("writes the same page as content/{first} ({rel_path}); rename one of them"),
            ));
            continue;
        }
        taken.insert(rel_path.clone(), file.path.clone());
        add_page(&mut set, pages, Owner::Portal, file.clone(), rel_path);
    }
    for file in &content.files {
        if is_reserved(&file.path) {
            diagnostics.push(Diagnostic::error(
                Location::file(format!("content/{}", file.path)),
                "this path is generated by Portico itself; move or rename the file",
            ));
            continue;
        }
        set.asset_by_path
            .insert(file.path.clone(), set.assets.len());
        set.assets.push(Asset {
            source: file.clone(),
            output_path: file.path.clone(),
            alias: None,
        });
    }
    set
}

/// `.gitbook.yaml` redirects (`old/page: new/page.md`) as output paths inside the version
/// folder, each to a page of the version; a redirect to nothing is a warning.
fn classify_redirects(
    set: &DocSet,
    pages: &[Page],
    redirects: &[(String, String)],
    here: &Location,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (from, to) in redirects {
        let target = paths::join(&set.root, to)
            .and_then(|path| set.find_page(&path, links::names_folder(to)));
        let Some(target) = target else {
            diagnostics.push(Diagnostic::warning(
                here.clone().with_file(".gitbook.yaml"),
                format!("redirect {from} → {to}: {to} is not a page of this version; fix or remove the redirect"),
            ));
            continue;
        };
        let Some(outputs) = redirect_outputs(from) else {
            diagnostics.push(Diagnostic::warning(
                here.clone().with_file(".gitbook.yaml"),
                format!("redirect {from} → {to}: {from} is not a page address inside the docs folder, so it is left out; fix or remove the redirect"),
            ));
            continue;
        };
        for output in outputs {
            // A redirect never replaces a real page.
            if set.page_at(&output).is_none() && pages[target].rel_path != output {
                out.push((output, target));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The output paths a redirect's old address is published at (`old/page` →
/// `old/page.html` and `old/page/index.html`), or `None` when the address leaves the docs
/// folder (`../x`) or names the folder itself (`.`, `a/..`), which would publish
/// `/index.html` over the version's landing page.
fn redirect_outputs(from: &str) -> Option<[String; 2]> {
    let from = paths::join("", from).filter(|from| !from.is_empty())?;
    let stem = from.strip_suffix(".md").unwrap_or(&from);
    Some([format!("{stem}.html"), format!("{stem}/index.html")])
}

/// Site paths Portico writes itself: `content/` may not use them.
fn is_reserved(site_path: &str) -> bool {
    GENERATED_ROOT_FILES.contains(&site_path)
        || site_path.starts_with(&format!("{INTEGRATIONS_DIR}/"))
        || site_path.starts_with(&format!("{STATIC_DIR}/"))
}

/// The home page of a portal whose `content/` has none: its title, description and a way in.
fn default_home_page(config: &SiteConfig) -> SourceFile {
    let text = format!(
        "# {}\n\n{}\n\n[Browse the integrations](/{INTEGRATIONS_DIR}/)\n",
        config.site.title.replace(['\n', '#'], " "),
        config.site.description
    );
    SourceFile {
        path: "_index.md".to_string(),
        blob: crate::source::content_hash(text.as_bytes()),
        bytes: text.into_bytes().into(),
    }
}

fn add_page(
    set: &mut DocSet,
    pages: &mut Vec<Page>,
    owner: Owner,
    source: SourceFile,
    rel_path: String,
) -> usize {
    let id = pages.len();
    set.page_by_path.insert(source.path.clone(), id);
    set.page_by_lowercase_path
        .entry(source.path.to_lowercase())
        .or_insert(id);
    set.pages.push(id);
    set.page_by_rel_path.insert(rel_path.clone(), id);
    let output_path = format!("{}{rel_path}", set.dir);
    pages.push(Page {
        owner,
        public_path: output_path.clone(),
        canonical: canonical_site_path(&output_path),
        output_path,
        alias: None,
        rel_path,
        source,
    });
    id
}

/// `_index.md` / `index.md` → `index.html`; `process/branching.md` → `process/branching.html`.
fn portal_output_path(path: &str) -> String {
    let (dir, name) = path.rsplit_once('/').map_or(("", path), |(d, n)| (d, n));
    let stem = strip_markdown_extension(name);
    let file = if stem == "_index" || stem.eq_ignore_ascii_case("index") {
        "index.html".to_string()
    } else {
        format!("{stem}.html")
    };
    if dir.is_empty() {
        file
    } else {
        format!("{dir}/{file}")
    }
}

fn strip_markdown_extension(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".markdown") {
        &name[..name.len() - ".markdown".len()]
    } else if lower.ends_with(".md") {
        &name[..name.len() - ".md".len()]
    } else {
        name
    }
}

/// A version page's output path relative to the version folder:
/// `docs/setup/install.md` → `setup/install.html`, `docs/README.md` → `index.html`.
fn version_output_path(root: &str, path: &str) -> String {
    let relative = relative_to_root(root, path);
    let (dir, name) = relative
        .rsplit_once('/')
        .map_or(("", relative), |(d, n)| (d, n));
    let file = if paths::is_landing_name(name) {
        "index.html".to_string()
    } else {
        format!("{}.html", strip_markdown_extension(name))
    };
    if dir.is_empty() {
        file
    } else {
        format!("{dir}/{file}")
    }
}

fn relative_to_root<'p>(root: &str, path: &'p str) -> &'p str {
    if root.is_empty() {
        path
    } else {
        path.strip_prefix(root)
            .and_then(|rest| rest.strip_prefix('/'))
            .unwrap_or(path)
    }
}

/// Where a referenced file is copied: next to the docs, hidden folders made visible
/// (`.gitbook/assets/a b.png` → `_gitbook/assets/a b.png`: many hosts skip dot-folders).
fn asset_output_path(root: &str, path: &str) -> String {
    let inside = root.is_empty() || path.starts_with(&format!("{root}/"));
    let relative = if inside {
        relative_to_root(root, path).to_string()
    } else {
        format!("{OUTSIDE_FILES_DIR}/{path}")
    };
    relative
        .split('/')
        .map(|part| match part.strip_prefix('.') {
            Some(rest) if !rest.is_empty() => format!("_{rest}"),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn classify_integration(
    config: &IntegrationConfig,
    snapshot: &RepoSnapshot,
    index: usize,
    budget: PathBudget,
    pages: &mut Vec<Page>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Integration> {
    let mut snapshots: Vec<_> = snapshot.versions.iter().collect();
    let current = snapshots.remove(0);
    snapshots.sort_by(|a, b| b.label.cmp(&a.label));
    let mut ordered = vec![current];
    for archived in snapshots {
        if archived.label == current.label {
            // A release tag of the current line is the current version; only a branch
            // with the current label is a mistake worth a warning.
            if matches!(archived.origin, Origin::Tag { .. }) {
                continue;
            }
            diagnostics.push(Diagnostic::warning(
                Location::integration(&config.id).with_version(format!("{} ({})", archived.label, archived.origin.describe())),
                format!(
                    "has the same label as the current version ({}, from {}), which shadows it; delete the branch or fix the manifest version",
                    current.label,
                    current.origin.describe()
                ),
            ));
            continue;
        }
        ordered.push(archived);
    }

    let mut versions = Vec::new();
    for found in ordered {
        let version_index = versions.len();
        let dir = format!("{INTEGRATIONS_DIR}/{}/{}/", config.id, found.label);
        let here = Location::integration(&config.id).with_version(format!(
            "{} ({})",
            found.label,
            found.origin.describe()
        ));
        if !found.origin.is_current() && found.label.as_str().len() > NAME_MAX {
            // Only archives can have such labels (the current one is major.minor).
            diagnostics.push(Diagnostic::warning(
                here,
                format!("the version label is {} bytes long, more than a folder name may be, so this version is left out: rename the branch or tag", found.label.as_str().len()),
            ));
            continue;
        }
        // Every file of the current version is written twice, under its label and under
        // `latest/`: both must fit.
        let latest_dir = format!("{INTEGRATIONS_DIR}/{}/{LATEST}/", config.id);
        let fits = |rel_path: &str| {
            budget.check(&format!("{dir}{rel_path}"))?;
            if found.origin.is_current() {
                budget.check(&format!("{latest_dir}{rel_path}"))?;
            }
            Ok::<(), String>(())
        };
        let mut set = DocSet {
            dir: dir.clone(),
            root: found.docs.root.clone(),
            repo_paths: found.docs.repo_paths.clone(),
            web_view: config
                .web_url
                .clone()
                .map(|url| (url, found.origin.short_name().to_string())),
            rooted_is_site: false,
            docs_folder: found.docs.layout == DocsLayout::Folder,
            withheld: found
                .docs
                .left_out
                .iter()
                .map(|(path, why)| (path.clone(), why.clone()))
                .collect(),
            ..DocSet::default()
        };
        let owner = Owner::Version {
            integration: index,
            version: version_index,
        };
        // Output paths are claimed in order of importance: the landing page, pages
        // (READMEs first), files, redirects. A file whose path cannot be written is left
        // out with a warning; links to it become broken links.
        let mut claims = Claims::default();
        let _ = claims.claim(CONTENTS_PAGE, "the list of all pages Portico writes there");
        // Warnings about files published after sanitizing; added once the claims are done.
        let mut sanitized = Vec::new();
        let mut leave_out = |set: &mut DocSet, path: &str, why: String, what_to_do: &str| {
            let (warning, reason) = crate::source::left_out(&here, path, &why, what_to_do);
            diagnostics.push(warning);
            set.withheld.entry(path.to_string()).or_insert(reason);
        };
        let mut claim = |set: &mut DocSet, rel_path: &str, path: &str| -> bool {
            let refused = match fits(rel_path) {
                Err(reason) => Some((
                    format!("cannot be published: {reason}"),
                    "rename it (shorter, with no backslash)",
                )),
                Ok(()) => claims.claim(rel_path, path).err().map(|clash| {
                    (
                        format!("would be written to {rel_path}, {clash}"),
                        "rename one of them",
                    )
                }),
            };
            match refused {
                Some((why, what_to_do)) => {
                    leave_out(set, path, why, what_to_do);
                    false
                }
                None => true,
            }
        };
        let mut landing = None;
        // The landing page first, then READMEs, so that a README wins over an index.md
        // in the same folder for index.html.
        let mut sources: Vec<&SourceFile> = found.docs.pages.iter().collect();
        sources.sort_by_key(|file| {
            let name = file.path.rsplit('/').next().unwrap_or_default();
            (
                file.path != found.docs.landing,
                !name.to_ascii_lowercase().starts_with("readme"),
                file.path.clone(),
            )
        });
        for file in sources {
            let rel_path = if file.path == found.docs.landing {
                "index.html".to_string()
            } else {
                version_output_path(&set.root, &file.path)
            };
            if !claim(&mut set, &rel_path, &file.path) {
                continue;
            }
            let id = add_page(&mut set, pages, owner, file.clone(), rel_path);
            if file.path == found.docs.landing {
                landing = Some(id);
            }
        }
        set.pages
            .sort_by(|&a, &b| pages[a].source.path.cmp(&pages[b].source.path));
        for (path, file) in &found.docs.files {
            let source = if config.managed_by.is_trusted() {
                file.clone()
            } else {
                match untrusted_file(file) {
                    Ok((source, removed)) => {
                        if !removed.is_empty() {
                            sanitized.push(Diagnostic::warning(
                                here.clone().with_file(path),
                                format!(
                                    "{path} is an SVG with {} from a community-managed repository; they were removed before publishing it: remove them from the file",
                                    removed.join(", ")
                                ),
                            ));
                        }
                        source
                    }
                    Err(reason) => {
                        set.withheld.insert(path.clone(), reason);
                        continue;
                    }
                }
            };
            let rel_path = asset_output_path(&set.root, path);
            if !claim(&mut set, &rel_path, path) {
                continue;
            }
            set.asset_by_path.insert(path.clone(), set.assets.len());
            set.assets.push(Asset {
                output_path: format!("{}{rel_path}", set.dir),
                alias: None,
                source,
            });
        }
        diagnostics.extend(sanitized);
        set.includes = found
            .docs
            .includes
            .iter()
            .map(|(path, file)| (path.clone(), file.clone()))
            .collect();
        let mut redirects =
            classify_redirects(&set, pages, &found.docs.redirects, &here, diagnostics);
        // A redirect gives way to any file, silently, as it gives way to pages; one whose
        // old address cannot be written at all is worth a warning.
        redirects.retain(|(from, _)| match fits(from) {
            Err(reason) => {
                diagnostics.push(Diagnostic::warning(
                    here.clone().with_file(".gitbook.yaml"),
                    format!("the redirect from {from} cannot be published: {reason}, so it is left out: shorten or remove it"),
                ));
                false
            }
            Ok(()) => claims.claim(from, ".gitbook.yaml").is_ok(),
        });
        let Some(landing) = landing else {
            // `source` leaves out versions without a landing page, and the landing page
            // claims its path first: only an output folder so deep that not even
            // `index.html` fits gets here, and the warning about it is given above.
            continue;
        };
        versions.push(Version {
            label: found.label.clone(),
            origin: found.origin.clone(),
            commit: found.commit.clone(),
            commit_time: found.commit_time,
            manifest: found.manifest.clone(),
            layout: found.docs.layout,
            summary: found.docs.summary.clone(),
            landing,
            docs: set,
            redirects,
            // Known once every version is (`assign_addresses`).
            public_dir: String::new(),
            alias_dir: None,
        });
    }

    if versions.first().is_none_or(|v| !v.is_current()) {
        return None;
    }
    let manifest = versions.first().and_then(|v| v.manifest.as_ref());
    Some(Integration {
        config: snapshot.integration,
        id: config.id.clone(),
        name: config
            .name
            .clone()
            .or_else(|| manifest.and_then(|m| m.name.clone()))
            .unwrap_or_else(|| config.id.clone()),
        description: config
            .description
            .clone()
            .or_else(|| manifest.and_then(|m| m.description.clone()))
            .unwrap_or_default(),
        managed_by: config.managed_by,
        deployments: config.deployments.clone(),
        web_url: config.web_url.clone(),
        legacy_urls: config
            .legacy_urls
            .iter()
            .map(|url| format!("{}/", url.trim_end_matches('/')))
            .collect(),
        default_branch: snapshot.default_branch.clone(),
        versions,
        skipped_branches: snapshot.skipped_branches.clone(),
    })
}

/// A file from a community-managed repository as it may be published (an SVG rewritten
/// without anything active, with what was removed), or why it is not published.
fn untrusted_file(file: &SourceFile) -> Result<(SourceFile, Vec<&'static str>), String> {
    use crate::markdown::sanitize::{Publishable, publishable_file};
    Ok(match publishable_file(&file.path, &file.bytes)? {
        Publishable::AsIs => (file.clone(), Vec::new()),
        Publishable::Rewritten { bytes, removed } => (
            SourceFile {
                path: file.path.clone(),
                // Still a content hash: the rewriting is a pure function of the blob.
                blob: format!("{}+svg-sanitized", file.blob),
                bytes: bytes.into(),
            },
            removed,
        ),
    })
}

impl Catalog {
    /// The doc set a page belongs to.
    pub fn doc_set(&self, owner: Owner) -> &DocSet {
        match owner {
            Owner::Portal => &self.portal,
            Owner::Version {
                integration,
                version,
            } => &self.integrations[integration].versions[version].docs,
        }
    }

    /// A hash of what the pages of every version of an integration show about the others:
    /// version labels and refs, each version's set of pages (switchers, banners,
    /// canonical URLs), the current manifest (names). When it is unchanged, a version whose
    /// own content is unchanged composes to the same bytes.
    pub fn integration_shape(&self, integration: usize) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let integration = &self.integrations[integration];
        (
            &integration.name,
            &integration.description,
            &integration.default_branch,
        )
            .hash(&mut hasher);
        for version in &integration.versions {
            (version.label.as_str(), version.origin.ref_name()).hash(&mut hasher);
            for &page in &version.docs.pages {
                self.pages[page].rel_path.hash(&mut hasher);
            }
        }
        format!("{:?}", integration.current().manifest).hash(&mut hasher);
        hasher.finish()
    }

    /// A hash of one version's own content: commit, manifest, pages and files with their
    /// blobs, redirects.
    pub fn version_content(&self, integration: usize, version: usize) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let version = &self.integrations[integration].versions[version];
        (
            &version.commit,
            version.commit_time,
            format!("{:?}", version.manifest),
        )
            .hash(&mut hasher);
        self.pages[version.landing].rel_path.hash(&mut hasher);
        version.summary.as_ref().map(|s| &s.blob).hash(&mut hasher);
        for &page in &version.docs.pages {
            (&self.pages[page].rel_path, &self.pages[page].source.blob).hash(&mut hasher);
        }
        for asset in &version.docs.assets {
            (&asset.output_path, &asset.source.blob).hash(&mut hasher);
        }
        version.redirects.hash(&mut hasher);
        hasher.finish()
    }

    /// The site path (and fragment) of an absolute URL into the portal itself
    /// (`https://<base_url>/integrations/jira/latest/`).
    fn portal_path_of(&self, url: &str) -> Option<(String, Option<String>)> {
        if !self.base_url.has_host() {
            return None;
        }
        let bare = |u: &str| {
            u.trim_start_matches("https://")
                .trim_start_matches("http://")
                .to_string()
        };
        let rest = bare(url)
            .strip_prefix(&bare(&self.base_url.full))?
            .to_string();
        let (path, fragment) = match rest.split_once('#') {
            Some((path, fragment)) => (path.to_string(), Some(paths::percent_decode(fragment))),
            None => (rest, None),
        };
        let path = path.split('?').next().unwrap_or_default();
        Some((paths::percent_decode(path), fragment))
    }

    /// `/integrations/…` (or `/<base path>/integrations/…`): the portal's integration docs.
    fn is_portal_docs_path(&self, rooted: &str) -> bool {
        self.strip_base_path(rooted)
            .starts_with(&format!("{INTEGRATIONS_DIR}/"))
    }

    fn strip_base_path<'p>(&self, rooted: &'p str) -> &'p str {
        let prefix = self.base_url.path.trim_start_matches('/');
        rooted.strip_prefix(prefix).unwrap_or(rooted)
    }

    /// The page written at a site-relative output path.
    pub fn page_at_output(&self, output_path: &str) -> Option<usize> {
        self.page_by_output.get(output_path).copied()
    }

    /// The resolver for links written in `page`.
    pub fn links_of(&self, page: usize) -> PageLinks<'_> {
        PageLinks {
            catalog: self,
            page,
        }
    }

    /// The pages every portal has besides the docs: the integrations index and each
    /// integration's redirect to `latest/`.
    pub fn is_generated_page(&self, site_path: &str) -> bool {
        site_path == format!("{INTEGRATIONS_DIR}/index.html")
            || self
                .integrations
                .iter()
                .any(|integration| site_path == format!("{}index.html", integration.dir()))
    }

    /// `integrations/<id>/latest/<page>` where the current version has that page.
    fn is_latest_alias_of_a_page(&self, site_path: &str) -> bool {
        self.integrations.iter().any(|integration| {
            site_path
                .strip_prefix(&integration.latest_dir())
                .is_some_and(|rest| {
                    let current = integration.current();
                    self.page_by_output
                        .contains_key(&format!("{}{rest}", current.docs.dir))
                })
        })
    }
}

/// Resolves the links of one page against its doc set.
pub struct PageLinks<'c> {
    catalog: &'c Catalog,
    page: usize,
}

impl PageLinks<'_> {
    fn page(&self) -> &Page {
        &self.catalog.pages[self.page]
    }

    fn to_page(&self, target: usize, fragment: Option<String>) -> Resolution {
        // An anchor on the same page stays `#anchor`.
        let mut href = if target == self.page && fragment.is_some() {
            String::new()
        } else {
            paths::relative_url(
                &self.page().output_path,
                &self.catalog.pages[target].output_path,
            )
        };
        if let Some(fragment) = &fragment {
            href.push('#');
            href.push_str(&paths::percent_encode_path(fragment));
        }
        Resolution::Rewritten {
            href,
            target: LinkTarget::Page {
                output_path: self.catalog.pages[target].output_path.clone(),
                fragment,
            },
        }
    }

    fn to_output(
        &self,
        output_path: &str,
        fragment: Option<&str>,
        target: LinkTarget,
    ) -> Resolution {
        let mut href = paths::relative_url(&self.page().output_path, output_path);
        if let Some(fragment) = fragment {
            href.push('#');
            href.push_str(&paths::percent_encode_path(fragment));
        }
        Resolution::Rewritten { href, target }
    }

    /// A file of the repository in its web view (`blob` for files, `tree` for folders).
    fn to_web_view(set: &DocSet, kind: &str, path: &str) -> Option<Resolution> {
        let (url, reference) = set.web_view.as_ref()?;
        Some(Resolution::Rewritten {
            href: format!(
                "{url}/{kind}/{reference}/{}",
                paths::percent_encode_path(path)
            ),
            target: LinkTarget::Elsewhere,
        })
    }

    /// A link from a portal page to a site path (`/integrations/`, `/process/branching.md`).
    fn resolve_site_path(&self, path: &str, fragment: Option<String>) -> Resolution {
        let folder = links::names_folder(path);
        if let Some(page) = self.catalog.portal.find_page(path, folder) {
            return self.to_page(page, fragment);
        }
        let trimmed = path.trim_end_matches('/');
        let output = match (folder, trimmed.is_empty()) {
            (true, true) => "index.html".to_string(),
            (true, false) => format!("{trimmed}/index.html"),
            (false, _) => trimmed.to_string(),
        };
        if let Some(&page) = self.catalog.page_by_output.get(&output) {
            return self.to_page(page, fragment);
        }
        if let Some((index, asset)) = self.catalog.portal.find_asset(trimmed) {
            return self.to_output(
                &asset.output_path,
                fragment.as_deref(),
                LinkTarget::Asset(index),
            );
        }
        if self.catalog.is_generated_page(&output)
            || self.catalog.is_latest_alias_of_a_page(&output)
        {
            return self.to_output(&output, fragment.as_deref(), LinkTarget::Elsewhere);
        }
        Resolution::Broken {
            reason: format!("no page of the portal is at /{path}"),
        }
    }
}

impl PageLinks<'_> {
    /// An absolute link to where some integration's docs were published before
    /// (`legacy_urls`), mapped to the same page in the portal: in this version when the
    /// link is to this integration's old site, else in that integration's current version.
    fn resolve_legacy_url(&self, dest: &str) -> Option<Resolution> {
        let bare = |url: &str| {
            url.trim_start_matches("https://")
                .trim_start_matches("http://")
                .to_string()
        };
        let dest_bare = bare(dest);
        let (index, rest) =
            self.catalog
                .integrations
                .iter()
                .enumerate()
                .find_map(|(index, integration)| {
                    integration.legacy_urls.iter().find_map(|prefix| {
                        let prefix = bare(prefix);
                        let rest = dest_bare.strip_prefix(&prefix).or_else(|| {
                            (dest_bare == prefix.trim_end_matches('/')).then_some("")
                        })?;
                        Some((index, rest.to_string()))
                    })
                })?;
        let (path, fragment) = match rest.split_once('#') {
            Some((path, fragment)) => (path.to_string(), Some(paths::percent_decode(fragment))),
            None => (rest, None),
        };
        let path = paths::percent_decode(path.split('?').next().unwrap_or_default());
        let page = self.page();
        let integration = &self.catalog.integrations[index];
        let version = match page.owner {
            Owner::Version {
                integration: own,
                version,
            } if own == index => &integration.versions[version],
            _ => integration.current(),
        };
        let found = paths::join(&version.docs.root, &path)
            .and_then(|joined| version.docs.find_page(&joined, links::names_folder(&path)));
        Some(match found {
            Some(target) => self.to_page(target, fragment),
            None => Resolution::Broken {
                reason: format!(
                    "this is the old address of {} docs, and {} {} has no page {path:?}",
                    integration.name, integration.name, version.label
                ),
            },
        })
    }
}

impl LinkResolver for PageLinks<'_> {
    fn include(&self, from: &str, target: &str) -> Result<(String, String), String> {
        let set = self.catalog.doc_set(self.page().owner);
        let path = links::include_path(from, target)?;
        if let Some(file) = set.includes.get(&path) {
            return Ok((path, file.text().into_owned()));
        }
        let page = set
            .find_page(&path, false)
            .ok_or_else(|| format!("{path} does not exist on this branch"))?;
        Ok((path, self.catalog.pages[page].source.text().into_owned()))
    }

    fn page_title(&self, output_path: &str) -> Option<String> {
        let page = self.catalog.page_at_output(output_path)?;
        let source = &self.catalog.pages[page].source;
        crate::markdown::title_hint(&source.text())
            .or_else(|| Some(crate::nav::humanize(&crate::nav::file_stem(&source.path))))
    }

    fn asset_size(&self, asset: usize) -> Option<u64> {
        let set = self.catalog.doc_set(self.page().owner);
        set.assets.get(asset).map(|a| a.source.bytes.len() as u64)
    }

    fn resolve(&self, dest: &str, kind: LinkKind) -> Resolution {
        let page = self.page();
        let set = self.catalog.doc_set(page.owner);
        match links::classify(dest) {
            Destination::External => {
                // A link to the portal itself, written as a full address.
                if let Some(site_path) = self.catalog.portal_path_of(dest) {
                    return self.resolve_site_path(&site_path.0, site_path.1);
                }
                return self
                    .resolve_legacy_url(dest)
                    .unwrap_or(Resolution::Unchanged);
            }
            Destination::Fragment(fragment) if fragment.is_empty() => return Resolution::Unchanged,
            Destination::Fragment(fragment) => return self.to_page(self.page, Some(fragment)),
            Destination::Rooted { path, fragment } if set.rooted_is_site => {
                return self.resolve_site_path(&path, fragment);
            }
            // In an integration's docs `/docs/a.md` is the repository's root (as on GitHub),
            // but `/integrations/<id>/…` is another integration's docs in the portal.
            Destination::Rooted { path, fragment } if self.catalog.is_portal_docs_path(&path) => {
                let path = self.catalog.strip_base_path(&path).to_string();
                return self.resolve_site_path(&path, fragment);
            }
            Destination::Rooted { .. } | Destination::Relative { .. } => {}
        }
        let Some(target) = links::resolve_in_repo(&page.source.path, dest) else {
            return Resolution::Broken {
                reason: "the path leaves the repository".to_string(),
            };
        };
        let RepoTarget {
            path,
            folder,
            fragment,
        } = target;
        if let Some(found) = set.find_page(&path, folder) {
            return self.to_page(found, fragment);
        }
        if let Some((index, asset)) = set.find_asset(&path) {
            // A link (not an image) to a repository file that is not docs material, such as
            // LICENSE or source code, is best read in the repository's web view.
            if kind == LinkKind::Link
                && !set.is_docs_material(&path)
                && let Some(web) = Self::to_web_view(set, "blob", &path)
            {
                return web;
            }
            return self.to_output(
                &asset.output_path,
                fragment.as_deref(),
                LinkTarget::Asset(index),
            );
        }
        if let Some(reason) = set.withheld.get(&path) {
            if kind == LinkKind::Link
                && let Some(web) = Self::to_web_view(set, "blob", &path)
            {
                return web;
            }
            return Resolution::Broken {
                reason: reason.clone(),
            };
        }
        if set.repo_paths.contains(&path) {
            return Self::to_web_view(set, "tree", &path).unwrap_or_else(|| Resolution::Broken {
                reason: format!(
                    "{path} is in the repository but not part of the published docs, and the repository has no web_url to link to"
                ),
            });
        }
        Resolution::Broken {
            reason: match kind {
                LinkKind::Image => format!("image {path} does not exist on this branch"),
                LinkKind::Link => format!("no page or file {path} on this branch"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_pages_map_to_html_with_readmes_as_index() {
        assert_eq!(version_output_path("docs", "docs/README.md"), "index.html");
        assert_eq!(
            version_output_path("docs", "docs/setup/readme.md"),
            "setup/index.html"
        );
        assert_eq!(
            version_output_path("docs", "docs/setup/install.md"),
            "setup/install.html"
        );
        assert_eq!(version_output_path("", "docs/usage.md"), "docs/usage.html");
    }

    #[test]
    fn portal_pages_map_index_files_to_folder_indexes() {
        assert_eq!(portal_output_path("_index.md"), "index.html");
        assert_eq!(
            portal_output_path("process/_index.md"),
            "process/index.html"
        );
        assert_eq!(
            portal_output_path("process/branching.md"),
            "process/branching.html"
        );
    }

    #[test]
    fn redirects_are_published_only_at_addresses_inside_the_docs_folder() {
        assert_eq!(
            redirect_outputs("old/page.md"),
            Some([
                "old/page.html".to_string(),
                "old/page/index.html".to_string()
            ])
        );
        assert_eq!(
            redirect_outputs("./a/../old"),
            Some(["old.html".to_string(), "old/index.html".to_string()])
        );
        for outside in [".", "./", "a/..", "..", "../index", "a/../../x"] {
            assert_eq!(redirect_outputs(outside), None, "{outside}");
        }
    }

    #[test]
    fn assets_keep_their_names_but_leave_hidden_folders() {
        assert_eq!(
            asset_output_path("docs", "docs/.gitbook/assets/image (1).png"),
            "_gitbook/assets/image (1).png"
        );
        assert_eq!(
            asset_output_path("docs", "images/logo.svg"),
            "_repo/images/logo.svg"
        );
        assert_eq!(asset_output_path("", "docs/a.png"), "docs/a.png");
    }
}

/// `YYYY-MM-DD` (UTC) of a Unix time, for "last updated" (no time zone database needed).
pub(crate) fn format_date(unix_seconds: i64) -> String {
    // Howard Hinnant's civil-from-days algorithm.
    let days = unix_seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod date_tests {
    use super::format_date;

    #[test]
    fn unix_times_format_as_calendar_dates() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(1_779_235_200), "2026-05-20");
        assert_eq!(format_date(951_782_400), "2000-02-29");
    }
}
