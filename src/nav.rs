//! Navigation of one doc set: the sidebar tree, reading order, breadcrumbs.
//!
//! From `SUMMARY.md` when the docs have one (titles and order as written, `## Group`
//! headings as groups, `---` as separators, nested lists as children), else from the folder
//! tree (landing page first, then folders and pages by title). Input: the catalog's version
//! and the page titles found by rendering. Output: a [`Navigation`]. A SUMMARY problem is a
//! warning with line and column and never stops the build.
//!
//! SUMMARY.md format, as GitBook writes it:
//!
//! ```markdown
//! # Table of Contents            <- title, ignored
//!
//! * [Overview](README.md)        <- a page
//! * [Setup](setup/README.md)
//!   * [Install](setup/install.md)   <- a child of Setup
//!
//! ## Administrator's Guide       <- a group heading
//!
//! * [Permissions](admin/permissions.md)
//!
//! ---                            <- a separator (an untitled group)
//!
//! * [Help](help.md)
//! ```

use std::collections::HashMap;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::catalog::{Catalog, DocSet, Owner};
use crate::diagnostics::{Diagnostic, LineIndex, Location};
use crate::markdown::Parsed;
use crate::markdown::links::{self, Destination};
use crate::paths::{self, file_stem, humanize};

/// The navigation of every doc set of the portal.
#[derive(Debug, Clone, Default)]
pub struct SiteNavigation {
    pub portal: Navigation,
    /// `versions[integration][version]`, as in the catalog.
    pub versions: Vec<Vec<Navigation>>,
}

/// Builds the navigation of the portal pages and of every version, in parallel.
/// `content_title` is the title a page's own content gives it (front matter, first H1).
/// `pages_reached_from` gives the pages a page links to or includes, to find the pages
/// SUMMARY.md leaves unreachable (see [`more_pages`]).
pub fn build_site(
    catalog: &Catalog,
    content_title: &(dyn Fn(usize) -> Option<String> + Sync),
    pages_reached_from: &(dyn Fn(usize) -> Vec<usize> + Sync),
) -> (SiteNavigation, Vec<Diagnostic>) {
    use rayon::prelude::*;
    let title_of = |page: usize| {
        content_title(page)
            .unwrap_or_else(|| humanize(&file_stem(&catalog.pages[page].source.path)))
    };
    let mut diagnostics = Vec::new();
    let portal_landing = catalog
        .portal
        .pages
        .iter()
        .copied()
        .find(|&p| catalog.pages[p].rel_path == "index.html");
    let portal = match portal_landing {
        Some(landing) => {
            let (nav, found) = build(
                catalog,
                &catalog.portal,
                None,
                (landing, "Home"),
                &title_of,
                pages_reached_from,
                &Location::default(),
            );
            diagnostics.extend(found);
            nav
        }
        None => Navigation::default(),
    };
    let per_integration: Vec<(Vec<Navigation>, Vec<Diagnostic>)> = catalog
        .integrations
        .par_iter()
        .map(|integration| {
            let mut found_all = Vec::new();
            let navs = integration
                .versions
                .iter()
                .map(|version| {
                    let here =
                        Location::integration(&integration.id).with_version(version.describe());
                    let summary = version
                        .summary
                        .as_ref()
                        .map(|file| (file.path.clone(), file.text().into_owned()));
                    // A landing page often opens with a notice ("Disclaimer"): the
                    // integration's name is the better entry title.
                    let landing_title = integration.name.clone();
                    let (nav, found) = build(
                        catalog,
                        &version.docs,
                        summary
                            .as_ref()
                            .map(|(path, text)| (path.as_str(), text.as_str())),
                        (version.landing, &landing_title),
                        &title_of,
                        pages_reached_from,
                        &here,
                    );
                    found_all.extend(found);
                    nav
                })
                .collect();
            (navs, found_all)
        })
        .collect();
    let mut versions = Vec::with_capacity(per_integration.len());
    for (navs, found) in per_integration {
        versions.push(navs);
        diagnostics.extend(found);
    }
    (SiteNavigation { portal, versions }, diagnostics)
}

/// The title a page gives itself: front matter `title:`, else its first H1.
pub fn content_title(rendered: &Parsed) -> Option<String> {
    rendered
        .front_matter
        .title
        .clone()
        .or_else(|| rendered.title.clone())
}

/// Display titles of every page: its own, else its navigation entry, else its file name.
/// A landing page that opens with a notice ("# Disclaimer") is titled after the integration.
pub fn page_titles(
    catalog: &Catalog,
    rendered: &[std::sync::Arc<Parsed>],
    navigation: &SiteNavigation,
) -> Vec<String> {
    (0..catalog.pages.len())
        .map(|page| {
            let (nav, landing_of) = match catalog.pages[page].owner {
                Owner::Portal => (&navigation.portal, None),
                Owner::Version {
                    integration,
                    version,
                } => {
                    let integration_ref = &catalog.integrations[integration];
                    let is_landing = integration_ref.versions[version].landing == page;
                    (
                        &navigation.versions[integration][version],
                        is_landing.then_some(integration_ref.name.as_str()),
                    )
                }
            };
            match (content_title(&rendered[page]), landing_of) {
                (Some(title), Some(name)) if is_notice_heading(&title) => name.to_string(),
                (Some(title), _) => title,
                (None, _) => nav
                    .title(page)
                    .map(str::to_string)
                    .unwrap_or_else(|| humanize(&file_stem(&catalog.pages[page].source.path))),
            }
        })
        .collect()
}

/// Headings that open a page with a notice rather than naming it.
fn is_notice_heading(title: &str) -> bool {
    matches!(
        title
            .trim()
            .trim_end_matches([':', '!'])
            .to_lowercase()
            .as_str(),
        "disclaimer"
            | "notice"
            | "note"
            | "important"
            | "warning"
            | "attention"
            | "caution"
            | "deprecated"
            | "deprecation notice"
    )
}

/// The sidebar of one version (or of the portal's own pages), indexed once: every entry in
/// reading order (pre-order, across groups) with its parent, so that previous/next are a
/// lookup and a page's ancestors a walk up its parents, whatever the number of pages.
#[derive(Debug, Clone, Default)]
pub struct Navigation {
    groups: Vec<GroupHead>,
    entries: Vec<NavEntry>,
    /// Pages in reading order (each once), for previous/next.
    order: Vec<usize>,
    /// Each listed page's position in `order` and its first entry.
    placed: HashMap<usize, Placement>,
    /// (page, entry) for every entry that opens a page, sorted: all entries of a page are
    /// adjacent (SUMMARY.md may list a page twice, and every listing is marked).
    entries_by_page: Vec<(usize, usize)>,
}

/// A group of the sidebar: its heading and its entries, a range of [`Navigation::entries`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupHead {
    /// `None` for the first group and for groups opened by a `---` separator.
    pub title: Option<String>,
    pub entries: std::ops::Range<usize>,
}

/// One entry of the sidebar, in [`Navigation::entries`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavEntry {
    pub title: String,
    /// The page this entry opens; `None` for a heading-only entry.
    pub page: Option<usize>,
    /// The entry this one is listed under.
    pub parent: Option<usize>,
    /// The entry listed before this one under the same parent.
    pub previous_sibling: Option<usize>,
    /// One past this entry's last descendant: its descendants are the entries in between.
    pub end: usize,
}

#[derive(Debug, Clone, Copy)]
struct Placement {
    position: usize,
    entry: usize,
}

/// A sidebar group as built, before indexing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NavGroup {
    /// `None` for the first group and for groups opened by a `---` separator.
    pub title: Option<String>,
    pub items: Vec<NavItem>,
}

/// A sidebar entry as built, before indexing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavItem {
    pub title: String,
    /// The page this entry opens; `None` for a heading-only entry.
    pub page: Option<usize>,
    pub children: Vec<NavItem>,
}

/// The navigation unit tests use (here and in `sidebar`), entries numbered as listed:
/// 0 Overview(page 0); group "Setup & more": 1 Install(1) > [2 Label > [3 Advanced(2)],
/// 4 Install again(1)], 5 Reference > [6 Help <3>(3)].
#[cfg(test)]
pub(crate) fn sample() -> Navigation {
    Navigation::new(vec![
        NavGroup {
            title: None,
            items: vec![NavItem::new("Overview", Some(0), vec![])],
        },
        NavGroup {
            title: Some("Setup & more".to_string()),
            items: vec![
                NavItem::new(
                    "Install",
                    Some(1),
                    vec![
                        NavItem::new(
                            "Label",
                            None,
                            vec![NavItem::new("Advanced", Some(2), vec![])],
                        ),
                        NavItem::new("Install again", Some(1), vec![]),
                    ],
                ),
                NavItem::new(
                    "Reference",
                    None,
                    vec![NavItem::new("Help <3>", Some(3), vec![])],
                ),
            ],
        },
    ])
}

#[cfg(test)]
impl NavItem {
    /// An entry for tests: `title` opening `page` (or a label), with `children`.
    pub(crate) fn new(title: &str, page: Option<usize>, children: Vec<NavItem>) -> Self {
        NavItem {
            title: title.to_string(),
            page,
            children,
        }
    }
}

impl Navigation {
    /// Indexes built groups. Iterative, so that a deeply nested SUMMARY.md cannot exhaust
    /// the stack.
    pub fn new(groups: Vec<NavGroup>) -> Self {
        let mut nav = Navigation::default();
        for group in groups {
            let first = nav.entries.len();
            // (entry, its children left to visit, the last of them visited), innermost last.
            let mut stack: Vec<(Option<usize>, std::vec::IntoIter<NavItem>, Option<usize>)> =
                vec![(None, group.items.into_iter(), None)];
            while let Some((parent, children, last_child)) = stack.last_mut() {
                let parent = *parent;
                match children.next() {
                    Some(item) => {
                        let index = nav.entries.len();
                        nav.push_entry(item.title, item.page, parent, *last_child);
                        *last_child = Some(index);
                        stack.push((Some(index), item.children.into_iter(), None));
                    }
                    None => {
                        stack.pop();
                        if let Some(done) = parent {
                            nav.entries[done].end = nav.entries.len();
                        }
                    }
                }
            }
            nav.groups.push(GroupHead {
                title: group.title,
                entries: first..nav.entries.len(),
            });
        }
        nav.entries_by_page.sort_unstable();
        nav
    }

    fn push_entry(
        &mut self,
        title: String,
        page: Option<usize>,
        parent: Option<usize>,
        previous_sibling: Option<usize>,
    ) {
        let index = self.entries.len();
        if let Some(page) = page {
            self.entries_by_page.push((page, index));
            if !self.placed.contains_key(&page) {
                self.placed.insert(
                    page,
                    Placement {
                        position: self.order.len(),
                        entry: index,
                    },
                );
                self.order.push(page);
            }
        }
        self.entries.push(NavEntry {
            title,
            page,
            parent,
            previous_sibling,
            end: index + 1,
        });
    }

    pub fn previous(&self, page: usize) -> Option<usize> {
        let position = self.placed.get(&page)?.position;
        position.checked_sub(1).map(|i| self.order[i])
    }

    pub fn next(&self, page: usize) -> Option<usize> {
        let position = self.placed.get(&page)?.position;
        self.order.get(position + 1).copied()
    }

    /// Ancestor pages of `page` (of its first entry) in the navigation tree, outermost
    /// first: those among the innermost `at_most` entries above it, so that a tree nested thousands deep costs
    /// each page no more than a normal one. Entries that are only labels are skipped.
    pub fn ancestors(&self, page: usize, at_most: usize) -> Vec<usize> {
        let mut pages: Vec<usize> = self
            .first_entry(page)
            .map(|entry| {
                self.ancestor_entries(entry)
                    .take(at_most)
                    .filter_map(|a| self.entries[a].page)
                    .collect()
            })
            .unwrap_or_default();
        pages.reverse();
        pages
    }

    /// The entries above `entry`, innermost first.
    pub fn ancestor_entries(&self, entry: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.entries[entry].parent, |&a| self.entries[a].parent)
    }

    /// The title `page` has in the navigation, if it is listed.
    pub fn title(&self, page: usize) -> Option<&str> {
        self.first_entry(page)
            .map(|entry| self.entries[entry].title.as_str())
    }

    /// The first entry that opens `page`.
    pub fn first_entry(&self, page: usize) -> Option<usize> {
        self.placed.get(&page).map(|placed| placed.entry)
    }

    /// Every entry that opens `page`, in reading order.
    pub fn entries_of(&self, page: usize) -> impl Iterator<Item = usize> + '_ {
        let from = self.entries_by_page.partition_point(|&(p, _)| p < page);
        self.entries_by_page[from..]
            .iter()
            .take_while(move |&&(p, _)| p == page)
            .map(|&(_, entry)| entry)
    }

    /// Every entry, in reading order.
    pub fn entries(&self) -> &[NavEntry] {
        &self.entries
    }

    pub fn groups(&self) -> &[GroupHead] {
        &self.groups
    }

    /// The group `entry` is listed in.
    pub fn group_of(&self, entry: usize) -> usize {
        self.groups
            .partition_point(|group| group.entries.end <= entry)
    }

    /// Up to `count` entries before `entry` under the same parent, nearest first.
    pub fn siblings_before(&self, entry: usize, count: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.entries[entry].previous_sibling, |&s| {
            self.entries[s].previous_sibling
        })
        .take(count)
    }

    /// Up to `count` entries after `entry` under the same parent, nearest first.
    pub fn siblings_after(&self, entry: usize, count: usize) -> impl Iterator<Item = usize> + '_ {
        let end = match self.entries[entry].parent {
            Some(parent) => self.entries[parent].end,
            None => self.groups[self.group_of(entry)].entries.end,
        };
        Children {
            entries: &self.entries,
            next: self.entries[entry].end,
            end,
        }
        .take(count)
    }

    /// The entries directly under `entry` (or at the top of `group` with `None`), in order.
    pub fn children(&self, entry: Option<usize>, group: usize) -> Children<'_> {
        let (next, end) = match entry {
            Some(entry) => (entry + 1, self.entries[entry].end),
            None => {
                let range = &self.groups[group].entries;
                (range.start, range.end)
            }
        };
        Children {
            entries: &self.entries,
            next,
            end,
        }
    }

    /// How many pages the navigation lists (each once).
    pub fn page_count(&self) -> usize {
        self.order.len()
    }
}

/// The children of one entry, each found by skipping its previous sibling's descendants.
pub struct Children<'a> {
    entries: &'a [NavEntry],
    next: usize,
    end: usize,
}

impl Iterator for Children<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        (self.next < self.end).then(|| {
            let child = self.next;
            self.next = self.entries[child].end;
            child
        })
    }
}

/// Builds the navigation of a version's docs: from SUMMARY.md if present, else the tree.
/// `title_of` gives the title a page has from its content (first heading, front matter).
/// `landing` is the landing page and its entry's title.
pub fn build(
    catalog: &Catalog,
    set: &DocSet,
    summary: Option<(&str, &str)>,
    (landing, landing_title): (usize, &str),
    title_of: &dyn Fn(usize) -> String,
    pages_reached_from: &dyn Fn(usize) -> Vec<usize>,
    here: &Location,
) -> (Navigation, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let groups = match summary {
        Some((summary_path, text)) => {
            let parsed = parse_summary(text);
            let file_location = || here.clone().with_file(summary_path);
            for problem in &parsed.problems {
                let mut location = file_location().with_line(problem.line);
                location.column = Some(problem.column);
                diagnostics.push(Diagnostic::warning(location, problem.message.clone()));
            }
            let resolve = |dest: &str| -> Result<usize, String> {
                match links::classify(dest) {
                    Destination::Relative { path, .. } => {
                        let folder = links::names_folder(&path);
                        paths::join(paths::parent_dir(summary_path), &path)
                            .and_then(|joined| set.find_page(&joined, folder))
                            .ok_or_else(|| format!("SUMMARY.md lists {dest}, which is not a page of this version; fix the link or add the page"))
                    }
                    _ => Err(format!(
                        "SUMMARY.md entries must be relative links to pages; {dest} is not"
                    )),
                }
            };
            let mut groups = Vec::new();
            for group in parsed.groups {
                let items = resolve_items(&group.items, &resolve, &mut |line, message| {
                    diagnostics.push(Diagnostic::warning(
                        file_location().with_line(line),
                        message,
                    ));
                });
                if !items.is_empty() || group.title.is_some() {
                    groups.push(NavGroup {
                        title: group.title,
                        items,
                    });
                }
            }
            let unreached = unreachable_pages(set, landing, &groups, pages_reached_from);
            if let Some((group, warning)) = more_pages(catalog, &unreached, title_of) {
                groups.push(group);
                diagnostics.push(Diagnostic::warning(file_location(), warning));
            }
            groups
        }
        None => vec![NavGroup {
            title: None,
            items: tree_items(catalog, set, landing, landing_title, title_of),
        }],
    };
    (Navigation::new(groups), diagnostics)
}

/// The title of the sidebar group that lists the pages SUMMARY.md leaves unreachable.
pub(crate) const MORE_PAGES: &str = "More pages";
/// How many of those pages the warning names.
const MORE_PAGES_NAMED: usize = 10;

/// The pages of `set` that a reader cannot reach: in no entry of `groups`, and linked (or
/// included) by no page reachable from one or from the landing page, by any chain of links.
fn unreachable_pages(
    set: &DocSet,
    landing: usize,
    groups: &[NavGroup],
    pages_reached_from: &dyn Fn(usize) -> Vec<usize>,
) -> Vec<usize> {
    let mut reached = std::collections::HashSet::from([landing]);
    // Iterative: a SUMMARY.md may nest thousands deep.
    let mut items: Vec<&NavItem> = groups.iter().flat_map(|g| &g.items).collect();
    while let Some(item) = items.pop() {
        reached.extend(item.page);
        items.extend(&item.children);
    }
    let mut queue: Vec<usize> = reached.iter().copied().collect();
    while let Some(page) = queue.pop() {
        for next in pages_reached_from(page) {
            if reached.insert(next) {
                queue.push(next);
            }
        }
    }
    set.pages
        .iter()
        .copied()
        .filter(|page| !reached.contains(page))
        .collect()
}

/// The "More pages" group for pages SUMMARY.md leaves unreachable (by title), and the
/// warning naming them; `None` when there are none. Published, such a page should be
/// found: today's Jira 2.3 FAQ, its longest page, is in no SUMMARY.md and linked from nowhere.
fn more_pages(
    catalog: &Catalog,
    unreached: &[usize],
    title_of: &dyn Fn(usize) -> String,
) -> Option<(NavGroup, String)> {
    if unreached.is_empty() {
        return None;
    }
    let mut items: Vec<NavItem> = unreached
        .iter()
        .map(|&page| NavItem {
            title: title_of(page),
            page: Some(page),
            children: Vec::new(),
        })
        .collect();
    items.sort_by(|a, b| {
        a.title
            .to_lowercase()
            .cmp(&b.title.to_lowercase())
            .then(a.page.cmp(&b.page))
    });
    let mut named: Vec<&str> = unreached
        .iter()
        .take(MORE_PAGES_NAMED)
        .map(|&page| catalog.pages[page].source.path.as_str())
        .collect();
    named.sort_unstable();
    let more = match unreached.len().saturating_sub(MORE_PAGES_NAMED) {
        0 => String::new(),
        more => format!(" and {more} more"),
    };
    let warning = format!(
        "{} page(s) are in no SUMMARY.md entry and linked from no page a reader can reach: {}{more}; they were added to the navigation under \"{MORE_PAGES}\": add them to SUMMARY.md (or delete them)",
        unreached.len(),
        named.join(", "),
    );
    let group = NavGroup {
        title: Some(MORE_PAGES.to_string()),
        items,
    };
    Some((group, warning))
}

fn resolve_items(
    items: &[SummaryItem],
    resolve: &dyn Fn(&str) -> Result<usize, String>,
    report: &mut dyn FnMut(u32, String),
) -> Vec<NavItem> {
    items
        .iter()
        .map(|item| {
            let page = match &item.dest {
                Some(dest) => match resolve(dest) {
                    Ok(page) => Some(page),
                    Err(message) => {
                        report(item.line, message);
                        None
                    }
                },
                None => None,
            };
            NavItem {
                title: item
                    .sidebar_title
                    .clone()
                    .unwrap_or_else(|| item.title.clone()),
                page,
                children: resolve_items(&item.children, resolve, report),
            }
        })
        .collect()
}

/// The folder tree as navigation: the landing page first, then each folder (its README as
/// the entry, its pages as children) and page, ordered by title.
fn tree_items(
    catalog: &Catalog,
    set: &DocSet,
    landing: usize,
    landing_title: &str,
    title_of: &dyn Fn(usize) -> String,
) -> Vec<NavItem> {
    #[derive(Default)]
    struct Folder {
        index: Option<usize>,
        pages: Vec<usize>,
        folders: std::collections::BTreeMap<String, Folder>,
    }
    let mut root = Folder::default();
    for &page in &set.pages {
        if page == landing {
            continue;
        }
        let rel_path = &catalog.pages[page].rel_path;
        let mut folder = &mut root;
        let mut parts: Vec<&str> = rel_path.split('/').collect();
        let file = parts.pop().unwrap_or_default();
        for part in parts {
            folder = folder.folders.entry(part.to_string()).or_default();
        }
        if file == "index.html" {
            folder.index = Some(page);
        } else {
            folder.pages.push(page);
        }
    }
    fn items(folder: Folder, title_of: &dyn Fn(usize) -> String) -> Vec<NavItem> {
        let mut out: Vec<NavItem> = folder
            .pages
            .into_iter()
            .map(|page| NavItem {
                title: title_of(page),
                page: Some(page),
                children: Vec::new(),
            })
            .collect();
        for (name, sub) in folder.folders {
            let index = sub.index;
            let children = items(sub, title_of);
            out.push(NavItem {
                title: index.map_or_else(|| humanize(&name), title_of),
                page: index,
                children,
            });
        }
        out.sort_by(|a, b| {
            a.title
                .to_lowercase()
                .cmp(&b.title.to_lowercase())
                .then(a.page.cmp(&b.page))
        });
        out
    }
    let mut out = vec![NavItem {
        title: landing_title.to_string(),
        page: Some(landing),
        children: Vec::new(),
    }];
    out.extend(items(root, title_of));
    out
}

// ---------------------------------------------------------------------------------------
// SUMMARY.md parsing (pure)

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub groups: Vec<SummaryGroup>,
    pub problems: Vec<SummaryProblem>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SummaryGroup {
    pub title: Option<String>,
    pub items: Vec<SummaryItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryItem {
    pub title: String,
    /// The link's own title (`[Page](page.md "Sidebar title")`): GitBook's sidebar label.
    pub sidebar_title: Option<String>,
    /// The link as written; `None` for an entry that is only a label.
    pub dest: Option<String>,
    pub line: u32,
    pub children: Vec<SummaryItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryProblem {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Parses SUMMARY.md. Never fails: what cannot be understood is reported and skipped.
pub fn parse_summary(text: &str) -> Summary {
    let mut parser = SummaryParser {
        summary: Summary {
            groups: vec![SummaryGroup::default()],
            problems: Vec::new(),
        },
        ..SummaryParser::default()
    };
    let lines = LineIndex::new(text);
    for (event, range) in Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH).into_offset_iter() {
        let (line, column) = lines.locate(range.start);
        parser.event(event, line, column);
    }
    let mut summary = parser.summary;
    summary
        .groups
        .retain(|group| group.title.is_some() || !group.items.is_empty());
    summary
}

/// SUMMARY.md read so far: the summary, and the heading and list items still open.
#[derive(Default)]
struct SummaryParser {
    summary: Summary,
    open_items: Vec<SummaryItem>,
    /// Per open item: whether its title is complete (its link closed).
    title_done: Vec<bool>,
    in_link: bool,
    heading: Option<(u32, String)>,
    list_depth: usize,
}

impl SummaryParser {
    fn event(&mut self, event: Event<'_>, line: u32, column: u32) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.heading = Some((level as u32, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Rule if self.list_depth == 0 => {
                self.summary.groups.push(SummaryGroup::default());
            }
            Event::Start(Tag::List(_)) => self.list_depth += 1,
            Event::End(TagEnd::List(_)) => self.list_depth = self.list_depth.saturating_sub(1),
            Event::Start(Tag::Item) => {
                self.open_items.push(SummaryItem {
                    title: String::new(),
                    sidebar_title: None,
                    dest: None,
                    line,
                    children: Vec::new(),
                });
                self.title_done.push(false);
            }
            Event::End(TagEnd::Item) => self.end_item(),
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => self.start_link(dest_url.into_string(), &title),
            Event::End(TagEnd::Link) if self.in_link => {
                self.in_link = false;
                if let Some(done) = self.title_done.last_mut() {
                    *done = true;
                }
            }
            Event::Text(text) | Event::Code(text) => self.text(&text, line, column),
            Event::SoftBreak | Event::HardBreak => {
                if let Some(item) = self.open_items.last_mut() {
                    item.title.push(' ');
                }
            }
            _ => {}
        }
    }

    /// A `## Heading` (level 2 or deeper) opens a group.
    fn end_heading(&mut self) {
        if let Some((level, title)) = self.heading.take()
            && level >= 2
        {
            self.summary.groups.push(SummaryGroup {
                title: Some(title.trim().to_string()),
                items: Vec::new(),
            });
        }
    }

    /// A finished item goes to its parent item, or to the current group; an empty one is
    /// dropped.
    fn end_item(&mut self) {
        self.title_done.pop();
        let Some(mut item) = self.open_items.pop() else {
            return;
        };
        item.title = item.title.trim().to_string();
        if item.title.is_empty() && item.dest.is_none() && item.children.is_empty() {
            return;
        }
        match self.open_items.last_mut() {
            Some(parent) => parent.children.push(item),
            None => {
                if let Some(group) = self.summary.groups.last_mut() {
                    group.items.push(item);
                }
            }
        }
    }

    /// The first link of an item, before its title is complete, is the item's page.
    fn start_link(&mut self, dest: String, title: &str) {
        if let Some(item) = self.open_items.last_mut()
            && item.dest.is_none()
            && !self.title_done.last().copied().unwrap_or(true)
        {
            item.title.clear();
            item.dest = Some(dest);
            item.sidebar_title = Some(title.trim().to_string()).filter(|t| !t.is_empty());
            self.in_link = true;
        }
    }

    /// Text belongs to the open heading or item title; outside a list it is a problem.
    fn text(&mut self, text: &str, line: u32, column: u32) {
        if let Some((_, title)) = &mut self.heading {
            title.push_str(text);
        } else if let Some(item) = self.open_items.last_mut() {
            if !self.title_done.last().copied().unwrap_or(true) {
                item.title.push_str(text);
            }
        } else if !text.trim().is_empty() {
            self.summary.problems.push(SummaryProblem {
                line,
                column,
                message: format!(
                    "text outside a list is not a navigation entry and is ignored: {:?}",
                    text.trim()
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GITBOOK_SUMMARY: &str = "# Table of Contents\n\n* [Mattermost/Jira Integration](README.md)\n* [Feature Summary](feature-summary.md)\n\n## Setup\n\n* [Installation \\(Steps 1-2\\)](setup/installation.md)\n* [Notification Management](admin/notifications/README.md)\n  * [Manual Jira Webhooks](admin/notifications/manual.md)\n\n---\n\n* [Help and Support](help-and-support.md)\n";

    #[test]
    fn summary_groups_titles_and_nesting_are_kept_as_written() {
        let summary = parse_summary(GITBOOK_SUMMARY);
        assert!(summary.problems.is_empty(), "{:?}", summary.problems);
        let titles: Vec<_> = summary.groups.iter().map(|g| g.title.clone()).collect();
        assert_eq!(titles, [None, Some("Setup".to_string()), None]);
        let setup = &summary.groups[1].items;
        assert_eq!(setup[0].title, "Installation (Steps 1-2)");
        assert_eq!(setup[0].dest.as_deref(), Some("setup/installation.md"));
        assert_eq!(setup[0].line, 8);
        assert_eq!(setup[1].children[0].title, "Manual Jira Webhooks");
        assert_eq!(
            summary.groups[2].items[0].dest.as_deref(),
            Some("help-and-support.md")
        );
    }

    #[test]
    fn link_titles_are_sidebar_labels() {
        let summary = parse_summary("* [Configuring the plugin](setup.md \"Configuration\")\n");
        let item = &summary.groups[0].items[0];
        assert_eq!(item.title, "Configuring the plugin");
        assert_eq!(item.sidebar_title.as_deref(), Some("Configuration"));
    }

    #[test]
    fn entries_without_links_are_labels() {
        let summary = parse_summary("* Guides\n  * [A](a.md)\n");
        let guides = &summary.groups[0].items[0];
        assert_eq!(guides.title, "Guides");
        assert_eq!(guides.dest, None);
        assert_eq!(guides.children[0].title, "A");
    }

    #[test]
    fn stray_text_is_reported_with_line_and_column() {
        let summary = parse_summary("# Summary\n\nSome prose here.\n\n* [A](a.md)\n");
        assert_eq!(summary.problems.len(), 1);
        assert_eq!(
            (summary.problems[0].line, summary.problems[0].column),
            (3, 1)
        );
        assert_eq!(summary.groups[0].items.len(), 1);
    }

    #[test]
    fn previous_and_next_follow_reading_order_across_groups_and_stop_at_the_ends() {
        let nav = sample();
        assert_eq!(nav.previous(0), None);
        assert_eq!(nav.next(0), Some(1));
        assert_eq!((nav.previous(1), nav.next(1)), (Some(0), Some(2)));
        assert_eq!((nav.previous(3), nav.next(3)), (Some(2), None));
        assert_eq!((nav.previous(9), nav.next(9)), (None, None));
        assert_eq!(nav.page_count(), 4);
    }

    #[test]
    fn ancestors_skip_labels_and_a_page_listed_twice_keeps_its_first_place() {
        let nav = sample();
        assert_eq!(nav.ancestors(2, 10), [1]);
        assert_eq!(nav.ancestors(1, 10), Vec::<usize>::new());
        assert_eq!(nav.title(1), Some("Install"));
        let entries: Vec<usize> = nav.entries_of(1).collect();
        assert_eq!(entries, [1, 4]);
        assert_eq!(nav.group_of(4), 1);
        assert_eq!(nav.children(Some(1), 1).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(nav.children(None, 1).collect::<Vec<_>>(), [1, 5]);
        assert_eq!(nav.siblings_before(4, 5).collect::<Vec<_>>(), [2]);
        assert_eq!(nav.siblings_after(2, 5).collect::<Vec<_>>(), [4]);
        assert_eq!(nav.siblings_after(1, 5).collect::<Vec<_>>(), [5]);
        assert_eq!(nav.siblings_after(0, 5).count(), 0, "not past its group");
    }

    #[test]
    fn a_navigation_nested_thousands_deep_is_indexed_without_recursion() {
        let mut deepest = NavItem::new("Leaf", Some(20_000), vec![]);
        for page in (0..20_000).rev() {
            deepest = NavItem::new("Level", Some(page), vec![deepest]);
        }
        let nav = Navigation::new(vec![NavGroup {
            title: None,
            items: vec![deepest],
        }]);
        assert_eq!(nav.previous(20_000), Some(19_999));
        assert_eq!(nav.ancestors(20_000, 3), [19_997, 19_998, 19_999]);
        assert_eq!(nav.entries()[0].end, 20_001);
    }
}
