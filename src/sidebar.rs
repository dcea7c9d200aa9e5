//! The sidebar's HTML: each version's navigation written once, each page marking its own entry.
//!
//! Input: a [`Navigation`] and a function giving an entry's URL from where the HTML will be
//! read. Output: HTML that templates place inside `<nav class="sidebar">` as it is (every
//! title and URL written here is escaped). A navigation of up to [`INLINE_NAV_LIMIT`]
//! entries is written once per folder of pages (relative URLs differ between folders, and a
//! version has few) as a [`SharedSidebar`] that knows where each entry's marks go; a page
//! copies that string with its own marks spliced in, so no page renders the tree. A larger
//! navigation is not inlined at all: each page gets a [`bounded`] one (its ancestors, a
//! window of its siblings, its first children) and a link to the version's list of all
//! pages, whose tree `full-nav.js` fetches and swaps in. Writes no files, reads no templates.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::catalog::{CONTENTS_PAGE, Catalog, Owner};
use crate::escape::escape_html;
use crate::nav::{Navigation, SiteNavigation};
use crate::paths::{parent_dir, relative_url};

/// The most entries a page inlines its version's whole navigation for. Above it a page's
/// size would grow with the version (a 10,000-page version wrote 637 KB of sidebar per
/// page, 6 GB in all); real plugin docs have 10 to 60 pages, well below.
pub(crate) const INLINE_NAV_LIMIT: usize = 250;
/// Siblings shown before and after the current page in a bounded navigation.
const SIBLINGS_AROUND: usize = 5;
/// Children of the current page shown in a bounded navigation.
const CHILDREN_SHOWN: usize = 10;
/// Entries above the current page shown in a bounded navigation (the innermost ones): a
/// SUMMARY.md nested thousands deep must not make every page that long either.
pub(crate) const ANCESTORS_SHOWN: usize = 12;

/// Whether a version's navigation is small enough for every page to inline it whole.
pub(crate) fn inlines_whole(nav: &Navigation) -> bool {
    nav.entries().len() <= INLINE_NAV_LIMIT
}

/// The sidebar one page shows.
pub(crate) struct PageSidebar {
    /// The groups' HTML, this page marked.
    pub html: String,
    /// For a navigation too large to inline: the URL of the version's list of all pages
    /// (which holds the full tree) and how many pages it lists.
    pub contents: Option<(String, usize)>,
}

/// The shared sidebars of every doc set that inlines its navigation, one per folder of
/// pages, written once before the pages are composed.
pub(crate) struct Sidebars {
    portal: HashMap<String, SharedSidebar>,
    /// By page id: the `data-deployment` its links carry (`cloud`), for a marked page.
    page_deployments: Vec<Option<String>>,
    /// `versions[integration][version]`; empty for a navigation too large to inline.
    versions: Vec<Vec<HashMap<String, SharedSidebar>>>,
}

impl Sidebars {
    /// `page_deployments[page]` is the `data-deployment` of links to a marked page.
    pub(crate) fn new(
        catalog: &Catalog,
        navigation: &SiteNavigation,
        page_deployments: Vec<Option<String>>,
    ) -> Self {
        let marks = page_deployments.as_slice();
        // The portal's own pages are the portal's: always inlined.
        let portal = by_folder(catalog, &navigation.portal, &catalog.portal.pages, marks);
        let versions = catalog
            .integrations
            .par_iter()
            .zip(&navigation.versions)
            .map(|(integration, navs)| {
                integration
                    .versions
                    .iter()
                    .zip(navs)
                    .map(|(version, nav)| {
                        if inlines_whole(nav) {
                            by_folder(catalog, nav, &version.docs.pages, marks)
                        } else {
                            HashMap::new()
                        }
                    })
                    .collect()
            })
            .collect();
        Sidebars {
            portal,
            page_deployments,
            versions,
        }
    }

    /// The sidebar of `page`: a marked copy of its folder's shared sidebar, or a bounded
    /// one when its version's navigation is too large to inline.
    pub(crate) fn for_page(
        &self,
        catalog: &Catalog,
        navigation: &SiteNavigation,
        page: usize,
    ) -> PageSidebar {
        let output_path = &catalog.pages[page].output_path;
        let (nav, shared, version_dir) = match catalog.pages[page].owner {
            Owner::Portal => (&navigation.portal, &self.portal, None),
            Owner::Version {
                integration,
                version,
            } => (
                &navigation.versions[integration][version],
                &self.versions[integration][version],
                Some(&catalog.integrations[integration].versions[version].docs.dir),
            ),
        };
        match (shared.get(parent_dir(output_path)), version_dir) {
            (Some(shared), _) => PageSidebar {
                html: shared.marked_for(nav, page),
                contents: None,
            },
            (None, Some(dir)) if !inlines_whole(nav) => PageSidebar {
                html: bounded(
                    nav,
                    page,
                    &|to| relative_url(output_path, &catalog.pages[to].output_path),
                    &self.page_deployments,
                ),
                contents: Some((
                    relative_url(output_path, &format!("{dir}{CONTENTS_PAGE}")),
                    nav.page_count(),
                )),
            },
            // Not reached: every page's folder has a shared sidebar when it inlines.
            (None, _) => PageSidebar {
                html: SharedSidebar::with_deployments(
                    nav,
                    &|to| relative_url(output_path, &catalog.pages[to].output_path),
                    &self.page_deployments,
                )
                .marked_for(nav, page),
                contents: None,
            },
        }
    }
}

/// The shared sidebar of each folder that holds some of `pages`.
fn by_folder(
    catalog: &Catalog,
    nav: &Navigation,
    pages: &[usize],
    page_deployments: &[Option<String>],
) -> HashMap<String, SharedSidebar> {
    let mut shared = HashMap::new();
    for &page in pages {
        let from = &catalog.pages[page].output_path;
        shared
            .entry(parent_dir(from).to_string())
            .or_insert_with(|| {
                SharedSidebar::with_deployments(
                    nav,
                    &|to| relative_url(from, &catalog.pages[to].output_path),
                    page_deployments,
                )
            });
    }
    shared
}

/// The full tree of a version's navigation as read from the version's own folder, for its
/// list of all pages.
pub(crate) fn full_tree(
    catalog: &Catalog,
    nav: &Navigation,
    version_dir: &str,
    page_deployments: &[Option<String>],
) -> String {
    let from = format!("{version_dir}{CONTENTS_PAGE}");
    SharedSidebar::with_deployments(
        nav,
        &|to| relative_url(&from, &catalog.pages[to].output_path),
        page_deployments,
    )
    .html
}

/// How an entry is marked for the page being shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    /// The entry opens the page being shown.
    Current,
    /// The page being shown is below this entry.
    Open,
    None,
}

/// Where one entry's marks go in a [`SharedSidebar`].
#[derive(Debug, Clone, Copy)]
struct MarkSpots {
    /// In `<li class="` of an entry with children, else right after `<li`.
    class_at: usize,
    has_children: bool,
    /// Right after the link's `href="…"`; `None` for a label.
    current_at: Option<usize>,
}

/// A navigation's HTML with no page marked, for the pages of one folder.
#[derive(Debug, Clone)]
pub(crate) struct SharedSidebar {
    html: String,
    /// By entry.
    spots: Vec<MarkSpots>,
}

impl SharedSidebar {
    /// Writes the whole of `nav`; `url_of(page)` is the page's URL from where it is read.
    #[cfg(test)]
    pub(crate) fn new(nav: &Navigation, url_of: &dyn Fn(usize) -> String) -> Self {
        Self::with_deployments(nav, url_of, &[])
    }

    /// As `new`, links to a marked page carrying its `page_deployments[page]` (see
    /// [`Sidebars::new`]).
    pub(crate) fn with_deployments(
        nav: &Navigation,
        url_of: &dyn Fn(usize) -> String,
        page_deployments: &[Option<String>],
    ) -> Self {
        let mut writer = Writer::new(nav, url_of);
        writer.page_deployments = page_deployments;
        writer.spots = Some(Vec::with_capacity(nav.entries().len()));
        for group in 0..nav.groups().len() {
            writer.group(group, group > 0, &mut (nav.groups()[group].entries.clone()));
        }
        SharedSidebar {
            html: writer.out,
            spots: writer.spots.unwrap_or_default(),
        }
    }

    /// A copy with `page` marked: its entries current, the entries above them open.
    pub(crate) fn marked_for(&self, nav: &Navigation, page: usize) -> String {
        let mut marks: Vec<(usize, Mark)> = Vec::new();
        for entry in nav.entries_of(page) {
            marks.push((entry, Mark::Current));
            marks.extend(nav.ancestor_entries(entry).map(|above| (above, Mark::Open)));
        }
        // An entry both current and open (a page listed under itself) is current.
        marks.sort_unstable();
        marks.dedup_by_key(|(entry, _)| *entry);
        let mut splices: Vec<(usize, &str)> = Vec::with_capacity(marks.len() * 2);
        for (entry, mark) in marks {
            let Some(spots) = self.spots.get(entry) else {
                continue;
            };
            splices.push((spots.class_at, class_splice(mark, spots.has_children)));
            if let (Mark::Current, Some(at)) = (mark, spots.current_at) {
                splices.push((at, CURRENT_ATTRIBUTE));
            }
        }
        splices.sort_unstable_by_key(|&(at, _)| at);
        let extra: usize = splices.iter().map(|(_, text)| text.len()).sum();
        let mut out = String::with_capacity(self.html.len() + extra);
        let mut copied = 0;
        for (at, text) in splices {
            out.push_str(&self.html[copied..at]);
            out.push_str(text);
            copied = at;
        }
        out.push_str(&self.html[copied..]);
        out
    }
}

const CURRENT_ATTRIBUTE: &str = " aria-current=\"page\"";

/// The text a mark adds where [`MarkSpots::class_at`] points.
fn class_splice(mark: Mark, has_children: bool) -> &'static str {
    match (mark, has_children) {
        (Mark::Current, true) => "active open ",
        (Mark::Current, false) => " class=\"active open\"",
        (Mark::Open, true) => "open ",
        // Only an entry with children is ever above another.
        (Mark::Open, false) | (Mark::None, _) => "",
    }
}

/// A navigation too large to inline, as much of it as one page shows: the current page's
/// group, the entries above it (at most [`ANCESTORS_SHOWN`]), its siblings within
/// [`SIBLINGS_AROUND`] and its first [`CHILDREN_SHOWN`] children, marked. A page the
/// navigation does not list gets the first entries of the first group.
pub(crate) fn bounded(
    nav: &Navigation,
    page: usize,
    url_of: &dyn Fn(usize) -> String,
    page_deployments: &[Option<String>],
) -> String {
    let mut writer = Writer::new(nav, url_of);
    writer.page_deployments = page_deployments;
    let Some(current) = nav.first_entry(page) else {
        if !nav.groups().is_empty() {
            let shown: Vec<usize> = nav
                .children(None, 0)
                .take(2 * SIBLINGS_AROUND + 1)
                .collect();
            writer.group(0, false, &mut shown.into_iter());
        }
        return writer.out;
    };
    let group = nav.group_of(current);
    let mut shown: Vec<usize> = nav
        .ancestor_entries(current)
        .take(ANCESTORS_SHOWN)
        .collect();
    shown.extend(nav.siblings_before(current, SIBLINGS_AROUND));
    shown.push(current);
    shown.extend(nav.siblings_after(current, SIBLINGS_AROUND));
    shown.extend(nav.children(Some(current), group).take(CHILDREN_SHOWN));
    shown.sort_unstable();
    shown.dedup();
    let open: Vec<usize> = nav
        .ancestor_entries(current)
        .take(ANCESTORS_SHOWN)
        .collect();
    writer.mark = Some(Box::new(move |entry: usize| {
        if nav.entries()[entry].page == Some(page) {
            Mark::Current
        } else if open.contains(&entry) {
            Mark::Open
        } else {
            Mark::None
        }
    }));
    writer.group(group, false, &mut shown.into_iter());
    writer.out
}

/// Writes groups of entries as the default theme's sidebar markup.
struct Writer<'a> {
    nav: &'a Navigation,
    url_of: &'a dyn Fn(usize) -> String,
    out: String,
    /// Where marks go, when writing a shared sidebar.
    spots: Option<Vec<MarkSpots>>,
    /// Marks written directly, when writing for one page.
    mark: Option<Box<dyn Fn(usize) -> Mark + 'a>>,
    /// By page id: the `data-deployment` of links to a marked page (empty: none marked).
    page_deployments: &'a [Option<String>],
}

impl<'a> Writer<'a> {
    fn new(nav: &'a Navigation, url_of: &'a dyn Fn(usize) -> String) -> Self {
        Writer {
            nav,
            url_of,
            out: String::new(),
            spots: None,
            mark: None,
            page_deployments: &[],
        }
    }

    /// One group with the entries `shown` (ascending; an entry's children are written
    /// inside it when shown). `rule` draws the line an untitled group after another gets.
    fn group(&mut self, group: usize, rule: bool, shown: &mut dyn Iterator<Item = usize>) {
        let nav = self.nav;
        self.out.push_str("\n  <div class=\"nav-group\">");
        match &nav.groups()[group].title {
            Some(title) => {
                self.out.push_str("<p class=\"nav-group-title\">");
                self.out.push_str(&escape_html(title));
                self.out.push_str("</p>");
            }
            None if rule => self.out.push_str("<hr>"),
            None => {}
        }
        self.out.push_str("\n  <ul>");
        // Entries whose `<ul>` is open, innermost last.
        let mut open: Vec<usize> = Vec::new();
        let mut shown = shown.peekable();
        while let Some(entry) = shown.next() {
            while open
                .last()
                .is_some_and(|&outer| nav.entries()[outer].end <= entry)
            {
                open.pop();
                self.out.push_str("</ul>\n</li>");
            }
            let end = nav.entries()[entry].end;
            let has_children = shown.peek().is_some_and(|&next| next < end);
            self.entry(entry, has_children);
            if has_children {
                self.out.push_str("\n  <ul>");
                open.push(entry);
            } else {
                self.out.push_str("\n</li>");
            }
        }
        for _ in open {
            self.out.push_str("</ul>\n</li>");
        }
        self.out.push_str("</ul>\n  </div>");
    }

    /// An entry's `<li>` and its link or label, up to its children.
    fn entry(&mut self, entry: usize, has_children: bool) {
        let item = &self.nav.entries()[entry];
        let mark = self.mark.as_ref().map_or(Mark::None, |mark| mark(entry));
        self.out.push_str("\n<li");
        let class_at = if has_children {
            self.out.push_str(" class=\"");
            let at = self.out.len();
            self.out.push_str(class_splice(mark, true));
            self.out.push_str("has-children\"");
            at
        } else {
            let at = self.out.len();
            self.out.push_str(class_splice(mark, false));
            at
        };
        self.out.push('>');
        let current_at = match item.page {
            Some(page) => {
                self.out.push_str("<a href=\"");
                self.out.push_str(&escape_html(&(self.url_of)(page)));
                self.out.push('"');
                if let Some(Some(deployment)) = self.page_deployments.get(page) {
                    self.out.push_str(" data-deployment=\"");
                    self.out.push_str(&escape_html(deployment));
                    self.out.push('"');
                }
                let at = self.out.len();
                if mark == Mark::Current {
                    self.out.push_str(CURRENT_ATTRIBUTE);
                }
                self.out.push('>');
                self.out.push_str(&escape_html(&item.title));
                self.out.push_str("</a>");
                Some(at)
            }
            None => {
                self.out.push_str("<span class=\"nav-label\">");
                self.out.push_str(&escape_html(&item.title));
                self.out.push_str("</span>");
                None
            }
        };
        if let Some(spots) = &mut self.spots {
            spots.push(MarkSpots {
                class_at,
                has_children,
                current_at,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nav::{NavGroup, NavItem, sample};

    fn url(page: usize) -> String {
        format!("p{page}.html")
    }

    #[test]
    fn a_marked_copy_is_what_writing_it_marked_would_give() {
        let nav = sample();
        let shared = SharedSidebar::new(&nav, &url);
        let page = shared.marked_for(&nav, 2);
        for tag in [
            "<li class=\"open has-children\"><a href=\"p1.html\">Install</a>",
            "<li class=\"open has-children\"><span class=\"nav-label\">Label</span>",
            "<li class=\"active open\"><a href=\"p2.html\" aria-current=\"page\">Advanced</a>",
            "<li><a href=\"p1.html\">Install again</a>",
            "<li class=\"has-children\"><span class=\"nav-label\">Reference</span>",
            "<li><a href=\"p0.html\">Overview</a>",
            "<p class=\"nav-group-title\">Setup &amp; more</p>",
            "Help &lt;3&gt;",
        ] {
            assert!(page.contains(tag), "{tag} in {page}");
        }
        assert_eq!(page.matches("aria-current").count(), 1);
        assert_eq!(shared.html.matches("active").count(), 0);
        // Every page has its own marks, and a page not listed has none.
        let help = shared.marked_for(&nav, 3);
        assert!(help.contains(
            "<li class=\"open has-children\"><span class=\"nav-label\">Reference</span>"
        ));
        assert!(help.contains("<li class=\"has-children\"><a href=\"p1.html\">Install</a>"));
        assert_eq!(shared.marked_for(&nav, 99), shared.html);
    }

    #[test]
    fn the_shared_markup_nests_lists_as_the_tree_does_and_marks_every_listing() {
        let nav = sample();
        let html = SharedSidebar::new(&nav, &url).marked_for(&nav, 1);
        assert_eq!(
            html,
            "\n  <div class=\"nav-group\">\n  <ul>\n<li><a href=\"p0.html\">Overview</a>\n</li></ul>\n  </div>\
             \n  <div class=\"nav-group\"><p class=\"nav-group-title\">Setup &amp; more</p>\n  <ul>\
             \n<li class=\"active open has-children\"><a href=\"p1.html\" aria-current=\"page\">Install</a>\n  <ul>\
             \n<li class=\"has-children\"><span class=\"nav-label\">Label</span>\n  <ul>\
             \n<li><a href=\"p2.html\">Advanced</a>\n</li></ul>\n</li>\
             \n<li class=\"active open\"><a href=\"p1.html\" aria-current=\"page\">Install again</a>\n</li></ul>\n</li>\
             \n<li class=\"has-children\"><span class=\"nav-label\">Reference</span>\n  <ul>\
             \n<li><a href=\"p3.html\">Help &lt;3&gt;</a>\n</li></ul>\n</li></ul>\n  </div>"
        );
    }

    /// One group: Root(0) > 30 children (1..=30), the 10th with 20 children (31..=50).
    fn wide() -> Navigation {
        let mut children: Vec<NavItem> = (1..=30)
            .map(|page| NavItem::new(&format!("P{page}"), Some(page), vec![]))
            .collect();
        children[9].children = (31..=50)
            .map(|page| NavItem::new(&format!("C{page}"), Some(page), vec![]))
            .collect();
        Navigation::new(vec![NavGroup {
            title: None,
            items: vec![NavItem::new("Root", Some(0), children)],
        }])
    }

    #[test]
    fn a_bounded_navigation_shows_ancestors_nearby_siblings_and_first_children() {
        let nav = wide();
        let html = bounded(&nav, 10, &url, &[]);
        let links: Vec<&str> = html
            .split("<a href=\"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect();
        let expected: Vec<String> = [0]
            .into_iter()
            .chain(5..=10)
            .chain(31..31 + CHILDREN_SHOWN)
            .chain(11..=15)
            .map(url)
            .collect();
        assert_eq!(links, expected);
        assert!(html.contains("<li class=\"open has-children\"><a href=\"p0.html\">Root</a>"));
        assert!(html.contains(
            "<li class=\"active open has-children\"><a href=\"p10.html\" aria-current=\"page\">P10</a>"
        ));
        // A sibling whose children are not shown is written as a leaf.
        assert!(!html.contains("<li class=\"has-children\"><a href=\"p9.html\""));
        assert_eq!(html.matches("<ul>").count(), html.matches("</ul>").count());
    }

    #[test]
    fn a_bounded_navigation_stays_small_however_deep_the_tree() {
        let mut deepest = NavItem::new("Leaf", Some(5000), vec![]);
        for page in (0..5000).rev() {
            deepest = NavItem::new(&format!("L{page}"), Some(page), vec![deepest]);
        }
        let nav = Navigation::new(vec![NavGroup {
            title: None,
            items: vec![deepest],
        }]);
        let html = bounded(&nav, 5000, &url, &[]);
        assert_eq!(html.matches("<li").count(), ANCESTORS_SHOWN + 1);
        assert_eq!(html.matches("<ul>").count(), html.matches("</ul>").count());
        assert!(html.contains("aria-current=\"page\">Leaf</a>"));
        // A page the navigation does not list gets the first entries.
        let unlisted = bounded(&nav, 99_999, &url, &[]);
        assert!(unlisted.contains(">L0</a>") && !unlisted.contains("aria-current"));
    }
}
