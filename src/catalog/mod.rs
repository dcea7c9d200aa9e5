//! Classification: what the portal is made of, and where everything goes.
//!
//! Input: the configuration and the [`Sources`]. Output: the [`Catalog`]: integrations with
//! their versions ordered (current first, then archived newest first; shadowed archives
//! dropped), and every page and file with its three addresses: where it came from
//! (integration, version, source path), where it is written (site-relative output path),
//! and its URL. Also answers "what does this link in this page point at" for `markdown`.
//! Later stages never recompute an address. No I/O.
//!
//! This file owns the catalog's types, its constants, the [`classify`] entry and the
//! addresses computed once every version is known; `classify` sorts sources into doc sets
//! and output paths, `identity` says which page of each version every page is (following
//! git's renames and front matter `aliases`), `hashes` summarizes an integration or a
//! version for reuse between builds, and `links` resolves the links written in a page.

mod classify;
mod hashes;
mod identity;
mod links;

use std::collections::{BTreeSet, HashMap};

use crate::config::{Deployment, ManagedBy, SiteConfig};
use crate::diagnostics::Diagnostic;
use crate::markdown::links as markdown_links;
use crate::output_paths::PathBudget;
use crate::source::{DocsLayout, Manifest, Origin, SourceFile, Sources};
use crate::version::VersionLabel;

pub use identity::SamePages;
pub use links::PageLinks;

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
/// How a broken link to a portal address (`/integrations/jira/…`, `/process/…`) starts
/// its reason; `check --repo`, which reads no other part of the portal, leaves these out.
pub(crate) const PORTAL_ADDRESS_MISSING: &str = "no page of the portal is at";
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
    /// Index in `versions` of the version readers land on (`default_version` in
    /// `site.toml`): the index card, `/integrations/<id>/` and the banners send them there.
    /// 0 (the current version) unless set.
    pub default_index: usize,
    /// Where the current documentation lives when not here (`docs_url`).
    pub docs_url: Option<String>,
    /// Which page of each version every page is, following renames (see `identity`).
    pub same_pages: SamePages,
}

impl Integration {
    pub fn current(&self) -> &Version {
        &self.versions[0]
    }

    /// The version readers land on: `default_version`, else the current one.
    pub fn default_version(&self) -> &Version {
        &self.versions[self.default_index]
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
    /// Git id of the docs folder's tree: renames are found between these.
    pub docs_tree: Option<String>,
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

    /// The day its docs last changed, `YYYY-MM-DD` (UTC): the newest "last updated" of its
    /// pages (what their footers say), else the day of the version's commit (pages not dated,
    /// as `list` reads them).
    pub fn updated_on(&self, pages: &[Page]) -> String {
        let newest_page = self
            .docs
            .pages
            .iter()
            .filter_map(|&page| pages.get(page)?.last_updated)
            .max();
        format_date(newest_page.unwrap_or(self.commit_time))
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
    /// When its file last changed on its version's ref (committer time, seconds since the
    /// epoch); `None` for the portal's pages and uncommitted edits.
    pub last_updated: Option<i64>,
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
        let candidates = markdown_links::candidates(path, folder);
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
    let portal = classify::classify_portal(config, &sources.content, &mut pages, &mut diagnostics);
    let mut integrations = Vec::new();
    let budget = PathBudget::for_output(&config.build.output_dir);
    for snapshot in sources.integrations.iter().flatten() {
        let index = integrations.len();
        let integration = &config.integrations[snapshot.integration];
        if let Some(mut classified) = classify::classify_integration(
            integration,
            snapshot,
            index,
            budget,
            &mut pages,
            &mut diagnostics,
        ) {
            classified.same_pages =
                identity::link(&classified, &snapshot.renames, &pages, &mut diagnostics);
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
        // The newest version holding a page (under any of its names) names its canonical
        // address.
        for version in &integration.versions {
            for &page in &version.docs.pages {
                let newest = integration.same_pages.newest(page);
                pages[page].canonical = canonical_site_path(&pages[newest].public_path);
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

    /// The page written at a site-relative output path.
    pub fn page_at_output(&self, output_path: &str) -> Option<usize> {
        self.page_by_output.get(output_path).copied()
    }
}

/// `June 1, 2023` for `2023-06-01` (English whatever the locale: the output must not
/// depend on the machine building it); `None` for anything not such a date.
pub(crate) fn spell_date(iso_date: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let mut parts = iso_date.splitn(3, '-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let month = MONTHS.get(month.parse::<usize>().ok()?.checked_sub(1)?)?;
    let day: u32 = day.parse().ok()?;
    Some(format!("{month} {day}, {year}"))
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
    fn dates_are_spelled_in_english() {
        use super::spell_date;
        assert_eq!(spell_date("2023-06-01").as_deref(), Some("June 1, 2023"));
        assert_eq!(
            spell_date("1999-12-31").as_deref(),
            Some("December 31, 1999")
        );
        assert_eq!(spell_date("2023-13-01"), None);
        assert_eq!(spell_date("2023-00-01"), None);
        assert_eq!(spell_date("yesterday"), None);
    }

    #[test]
    fn unix_times_format_as_calendar_dates() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(1_779_235_200), "2026-05-20");
        assert_eq!(format_date(951_782_400), "2000-02-29");
    }
}
