//! Doc and content pages: a version's pages (with the version switcher, the banner of an
//! archived version, breadcrumbs, previous/next and the sidebar), the portal's own pages,
//! and a large version's list of all pages.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use serde::Serialize;

use super::views::{
    GroupView, IntegrationView, LinkView, SiteView, VersionView, integration_groups,
    integration_view, link_to, version_view, with_thousands,
};
use super::{Inputs, OutputFile, Sink, render};
use crate::catalog::{
    CONTENTS_PAGE, Catalog, INTEGRATIONS_DIR, Integration, Owner, Version, canonical_site_path,
};
use crate::markdown::TocEntry;
use crate::nav::Navigation;
use crate::paths::relative_url;
use crate::sidebar::{self, Sidebars};

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
    /// A new issue in the integration's repository about this page, filled in.
    report_url: Option<String>,
    /// Canonical URL (absolute).
    canonical: String,
    /// False when the canonical URL is another page's: search engines should skip this copy.
    indexable: bool,
    /// When the page's file last changed on its version's ref.
    last_updated: Option<DateView>,
    /// The page's `data-deployments` (`cloud`, `cloud self-managed`), if it is marked.
    deployments: Option<String>,
}

/// A previous/next link: a [`LinkView`] with the target page's deployments, if marked.
#[derive(Serialize)]
struct NavLinkView {
    #[serde(flatten)]
    link: LinkView,
    deployment: Option<String>,
}

/// A day, for a `<time>` element: `2023-06-01` and `June 1, 2023`.
#[derive(Serialize)]
struct DateView {
    iso: String,
    text: String,
}

impl DateView {
    fn of(unix_seconds: i64) -> Option<DateView> {
        let iso = crate::catalog::format_date(unix_seconds);
        let text = crate::catalog::spell_date(&iso)?;
        Some(DateView { iso, text })
    }
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

/// The banner above a version's pages: where this version stands against the one readers
/// land on, and where the current documentation lives when not here.
#[derive(Serialize)]
struct BannerView {
    /// `older` or `newer` than the version readers land on, or `default` for that version
    /// itself (whose banner only names `docs_url`).
    kind: &'static str,
    /// The label of the version readers land on.
    current_label: String,
    url: String,
    /// Whether `url` is this same page in that version (else its landing page).
    same_page: bool,
    /// Whether `default_version` chose that version (the banner calls it recommended; else
    /// it is the current, newest one).
    chosen: bool,
    /// Where the current documentation lives when not here (`docs_url`).
    docs_url: Option<String>,
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
    previous: Option<NavLinkView>,
    next: Option<NavLinkView>,
}

#[derive(Serialize)]
struct ContentPageContext<'a> {
    site: SiteView<'a>,
    page: DocView<'a>,
    is_home: bool,
    sidebar: SidebarView,
    groups: Vec<GroupView<'a>>,
}

/// Composes one page into `sink` (or, for the portal's own pages, returns its file).
pub(super) fn compose_page(
    inputs: &Inputs,
    sidebars: &Sidebars,
    page_id: usize,
    sink: &dyn Sink,
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
            let mut context = DocPageContext {
                site: SiteView::for_page(inputs.config, &page.output_path),
                page: doc_view(inputs, page_id, Some((integration_ref, version_ref))),
                integration: integration_view(catalog, integration_ref, &page.output_path),
                version: version_view(catalog, version_ref, &page.output_path),
                versions: switcher(catalog, integration_ref, version, page_id),
                banner: banner(catalog, integration_ref, version, page_id),
                sidebar: SidebarView::of(inputs, sidebars, page_id),
                breadcrumbs: breadcrumbs(inputs, integration_ref, version_ref, navigation, page_id),
                previous: navigation
                    .previous(page_id)
                    .map(|p| nav_link_to(inputs, navigation, p, &page.output_path)),
                next: navigation
                    .next(page_id)
                    .map(|p| nav_link_to(inputs, navigation, p, &page.output_path)),
            };
            // Everything the page is made from, its body named rather than read: when the
            // output already holds the page made from the same, it is kept as it is.
            let key = page_key(inputs, "page.html", &context, page_id);
            let mut paths = std::iter::once(&page.output_path).chain(&page.alias);
            if paths.all(|path| sink.keep(path, key)) {
                return Ok(Vec::new());
            }
            context.page.content = inputs.rendered.html(catalog, page_id);
            let bytes: Arc<[u8]> = render(inputs, "page.html", &context, &page.output_path)?.into();
            for file in page_files(version_ref, &page.output_path, bytes) {
                sink.put_page(file, key)?;
            }
            Ok(Vec::new())
        }
    }
}

/// A hash of everything a page's file is made from: the Portico binary, the theme, the
/// template, the page's data (`context`, with the body left out) and its body's identity
/// (its rendering's key and its links). Equal keys make equal files.
fn page_key(inputs: &Inputs, template: &str, context: &impl Serialize, page: usize) -> u64 {
    struct Hashing<'h>(&'h mut std::collections::hash_map::DefaultHasher);
    impl std::io::Write for Hashing<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.write(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (
        crate::render::binary_identity(),
        inputs.theme.identity,
        &inputs.theme.inline_script_hashes,
        inputs.config.site.allow_embeds,
        template,
        inputs.rendered.identity(page),
    )
        .hash(&mut hasher);
    // A context that cannot be serialized cannot be rendered either: its key matches nothing.
    if serde_json::to_writer(Hashing(&mut hasher), context).is_err() {
        u64::MAX.hash(&mut hasher);
    }
    hasher.finish()
}

/// A version's list of all pages, [`CONTENTS_PAGE`] in its folder (and under `latest/`),
/// written only for a version whose navigation is too large for every page to inline: its
/// pages link to it, and `full-nav.js` loads its tree into their sidebars.
pub(super) fn contents_page(
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
        integration: integration_view(inputs.catalog, integration, &path),
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
        tree: sidebar::full_tree(
            catalog,
            nav,
            &version.docs.dir,
            &inputs.rendered.page_deployments_attributes(),
        ),
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
                "{}{}/{}",
                web.trim_end_matches('/'),
                if is_gitlab(web) { "/-/edit" } else { "/edit" },
                crate::paths::percent_encode_path(&format!(
                    "{}/{}",
                    origin.short_name(),
                    page.source.path
                ))
            )),
        }
    });
    let report_url = version.and_then(|(integration, version)| {
        let web = integration.web_url.as_deref()?;
        Some(report_problem_url(
            web,
            &ProblemReport {
                page_title: &inputs.titles[page_id],
                integration: &integration.name,
                version: version.label.as_str(),
                // The version's own address, which stays valid after the next release
                // (a `latest/` one would then show other docs).
                page_url: &inputs.config.site.base_url.join(&page.output_path),
                source: &format!("{}:{}", version.origin.short_name(), page.source.path),
            },
        ))
    });
    DocView {
        title: &inputs.titles[page_id],
        description: rendered.front_matter.description.as_deref(),
        // Read when the page is written (`compose_page` first checks whether it must be).
        content: match version {
            Some(_) => String::new(),
            None => inputs.rendered.html(inputs.catalog, page_id),
        },
        toc: &rendered.toc,
        source_path: &page.source.path,
        show_title: rendered.title.is_none(),
        edit_url,
        report_url,
        canonical: inputs.config.site.base_url.join(canonical),
        indexable,
        last_updated: page.last_updated.and_then(DateView::of),
        deployments: inputs.rendered.page_deployments_attribute(page_id),
    }
}

/// What a reader's new issue about a page says before they write a word.
struct ProblemReport<'a> {
    page_title: &'a str,
    integration: &'a str,
    version: &'a str,
    /// The page's public address (absolute when the site has a base URL with a host).
    page_url: &'a str,
    /// Where the page's source is: `branch:path`.
    source: &'a str,
}

/// A link that opens a new issue in the repository at `web_url` with the title and body
/// filled in: GitLab's `/-/issues/new?issue[title]=…`, else the `/issues/new?title=…&body=…`
/// that GitHub, Gitea and Forgejo share. The process asks for doc problems as issues
/// labelled `Docs` (GitHub applies the label only for people who may triage).
fn report_problem_url(web_url: &str, report: &ProblemReport) -> String {
    use crate::paths::percent_encode_query_value as encode;
    let title = format!(
        "Docs: {} ({} {})",
        report.page_title, report.integration, report.version
    );
    let body = format!(
        "Page: {}\nVersion: {} {}\nURL: {}\nSource: {}\n\nWhat is wrong or missing?\n\n",
        report.page_title, report.integration, report.version, report.page_url, report.source
    );
    let web_url = web_url.trim_end_matches('/');
    if is_gitlab(web_url) {
        format!(
            "{web_url}/-/issues/new?issue%5Btitle%5D={}&issue%5Bdescription%5D={}",
            encode(&title),
            encode(&body)
        )
    } else {
        format!(
            "{web_url}/issues/new?title={}&body={}&labels=Docs",
            encode(&title),
            encode(&body)
        )
    }
}

/// Whether a repository's web address is on GitLab (gitlab.com or a host named gitlab.…),
/// whose edit and new-issue pages sit under `/-/`.
fn is_gitlab(web_url: &str) -> bool {
    web_url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .is_some_and(|host| host.split('.').any(|label| label == "gitlab"))
}

/// Where the version at `version` sends readers for `page` (of another version): that
/// page there, under whatever name it has (renames followed), or, when the version does
/// not have it, its landing page; and whether it has it.
fn public_target(
    catalog: &Catalog,
    integration: &Integration,
    version: usize,
    page: usize,
) -> (String, bool) {
    match integration.same_pages.in_version(page, version) {
        Some(same) => (catalog.pages[same].public_path.clone(), true),
        None => {
            let landing = integration.versions[version].landing;
            (catalog.pages[landing].public_path.clone(), false)
        }
    }
}

/// Every version of the integration, newest first: this page there, else its landing page.
fn switcher(
    catalog: &Catalog,
    integration: &Integration,
    selected: usize,
    page: usize,
) -> Vec<VersionLink> {
    let from = &catalog.pages[page].output_path;
    integration
        .versions
        .iter()
        .enumerate()
        .map(|(index, version)| {
            let (target, present) = public_target(catalog, integration, index, page);
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

/// The banner of a page of the version at `version_index`: none on the version readers
/// land on (as Docusaurus shows none on its `lastVersion`) unless the current docs live
/// elsewhere (`docs_url`); older versions send readers to that version, and so do versions
/// newer than a `default_version` (unreleased or development docs).
fn banner(
    catalog: &Catalog,
    integration: &Integration,
    version_index: usize,
    page: usize,
) -> Option<BannerView> {
    let default_index = integration.default_index;
    let kind = match version_index.cmp(&default_index) {
        std::cmp::Ordering::Equal if integration.docs_url.is_none() => return None,
        std::cmp::Ordering::Equal => "default",
        std::cmp::Ordering::Greater => "older",
        std::cmp::Ordering::Less => "newer",
    };
    let target = integration.default_version();
    let (url, same_page) = public_target(catalog, integration, default_index, page);
    Some(BannerView {
        kind,
        current_label: target.label.to_string(),
        url: relative_url(&catalog.pages[page].output_path, &url),
        same_page,
        chosen: default_index > 0,
        docs_url: integration.docs_url.clone(),
    })
}

/// A link to `page` titled as the sidebar lists it (SUMMARY.md's words, which may differ
/// from the page's own heading), so that previous/next name what the sidebar names.
fn nav_link_to(inputs: &Inputs, navigation: &Navigation, page: usize, from: &str) -> NavLinkView {
    let mut link = link_to(inputs, page, from);
    if let Some(title) = navigation.title(page) {
        link.title = title.to_string();
    }
    NavLinkView {
        link,
        deployment: inputs.rendered.page_deployments_attribute(page),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> ProblemReport<'static> {
        ProblemReport {
            page_title: "Set up & go #1",
            integration: "Jira",
            version: "2.1",
            page_url: "https://docs.example.com/integrations/jira/2.1/setup.html",
            source: "2.1-docs:docs/setup.md",
        }
    }

    #[test]
    fn a_problem_report_opens_a_github_issue_with_everything_encoded() {
        let url = report_problem_url("https://github.com/example/plugin-jira/", &report());
        let (address, query) = url.split_once('?').unwrap();
        assert_eq!(address, "https://github.com/example/plugin-jira/issues/new");
        let fields: Vec<(&str, String)> = query
            .split('&')
            .map(|field| {
                let (name, value) = field.split_once('=').unwrap();
                (name, crate::paths::percent_decode(value))
            })
            .collect();
        assert_eq!(
            fields[0],
            ("title", "Docs: Set up & go #1 (Jira 2.1)".into())
        );
        assert_eq!(fields[1].0, "body");
        assert!(fields[1].1.contains(
            "URL: https://docs.example.com/integrations/jira/2.1/setup.html\nSource: 2.1-docs:docs/setup.md"
        ));
        assert_eq!(fields[2], ("labels", "Docs".into()));
    }

    #[test]
    fn a_problem_report_on_gitlab_uses_its_issue_form() {
        let url = report_problem_url("https://gitlab.com/group/plugin", &report());
        assert!(
            url.starts_with("https://gitlab.com/group/plugin/-/issues/new?issue%5Btitle%5D=Docs%3A%20Set%20up%20%26%20go%20%231"),
            "{url}"
        );
    }
}
