//! The sidebar, breadcrumbs and previous/next as pages show them: the current page marked
//! and the sections above it open, reading order across groups, and a version too large to
//! inline its navigation, whose pages stay small and link its list of all pages.

use crate::fixture::{Fixture, strip_tags};

const SUMMARY: &str = "# Contents\n\n* [Overview](README.md)\n\n## Setup\n\n* [Install](setup/README.md)\n  * [Advanced](setup/advanced/README.md)\n    * [Expert](setup/advanced/expert.md)\n* Reference\n  * [API](reference/api.md)\n\n---\n\n* [Help](help.md)\n";

/// One integration whose current version has the navigation of [`SUMMARY`].
fn nested_portal() -> Fixture {
    let fx = Fixture::new();
    fx.repo("deep", "main").commit(
        "main",
        &[
            ("docs/README.md", "# Overview\n"),
            ("docs/SUMMARY.md", SUMMARY),
            ("docs/setup/README.md", "# Install\n"),
            ("docs/setup/advanced/README.md", "# Advanced\n"),
            ("docs/setup/advanced/expert.md", "# Expert\n"),
            ("docs/reference/api.md", "# API\n"),
            ("docs/help.md", "# Help\n"),
        ],
    );
    fx.site("[[integrations]]\nid = \"deep\"\nname = \"Deep\"\nrepo = \"repos/deep\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n");
    fx
}

pub(crate) fn sidebar(page: &str) -> &str {
    let start = page.find("<nav class=\"sidebar\"").expect("a sidebar");
    &page[start..start + page[start..].find("</nav>").expect("its end")]
}

/// The `<li …>` start tag of the sidebar entry whose link or label reads `title`.
fn entry_tag<'a>(sidebar: &'a str, title: &str) -> &'a str {
    let at = sidebar
        .find(&format!(">{title}</a>"))
        .or_else(|| sidebar.find(&format!(">{title}</span>")))
        .unwrap_or_else(|| panic!("no entry {title} in {sidebar}"));
    let start = sidebar[..at].rfind("<li").unwrap();
    &sidebar[start..start + sidebar[start..].find('>').unwrap() + 1]
}

#[test]
fn the_current_page_is_marked_and_the_sections_above_it_open() {
    let fx = nested_portal();
    fx.build_ok(&[]);
    let expert = fx.output("integrations/deep/latest/setup/advanced/expert.html");
    let nav = sidebar(&expert);
    assert_eq!(entry_tag(nav, "Expert"), "<li class=\"active open\">");
    assert!(nav.contains("<a href=\"expert.html\" aria-current=\"page\">Expert</a>"));
    assert_eq!(nav.matches("aria-current").count(), 1, "{nav}");
    assert_eq!(
        entry_tag(nav, "Advanced"),
        "<li class=\"open has-children\">"
    );
    assert_eq!(
        entry_tag(nav, "Install"),
        "<li class=\"open has-children\">"
    );
    assert_eq!(entry_tag(nav, "Reference"), "<li class=\"has-children\">");
    assert_eq!(entry_tag(nav, "Overview"), "<li>");
    // Links are relative to this page's folder; another folder's pages get their own.
    assert!(
        nav.contains("<a href=\"../../index.html\">Overview</a>"),
        "{nav}"
    );
    assert!(nav.contains("<a href=\"../../reference/api.html\">API</a>"));
    let api = fx.output("integrations/deep/latest/reference/api.html");
    let nav = sidebar(&api);
    assert!(nav.contains("<a href=\"../setup/advanced/expert.html\">Expert</a>"));
    assert_eq!(
        entry_tag(nav, "Reference"),
        "<li class=\"open has-children\">"
    );
    assert_eq!(entry_tag(nav, "Install"), "<li class=\"has-children\">");
    assert_eq!(entry_tag(nav, "API"), "<li class=\"active open\">");
    // Groups, labels and the separator are kept; a small version inlines everything.
    assert!(nav.contains("<p class=\"nav-group-title\">Setup</p>"));
    assert!(nav.contains("<span class=\"nav-label\">Reference</span>"));
    assert!(nav.contains("<hr>"));
    assert!(!nav.contains("data-full-nav") && !nav.contains("nav-all"));
    assert!(!fx.has_output("integrations/deep/latest/_contents.html"));

    let crumbs = &expert[expert.find("<nav class=\"breadcrumbs\"").unwrap()..];
    let crumbs = strip_tags(&crumbs[..crumbs.find("</nav>").unwrap()]);
    assert_eq!(
        crumbs.split_whitespace().collect::<Vec<_>>().join(" "),
        "Integrations Deep latest Install Advanced Expert"
    );
}

/// (previous, next) link targets of a page.
pub(crate) fn previous_next(page: &str) -> (Option<String>, Option<String>) {
    let part = &page[page.find("<nav class=\"prev-next\"").expect("prev-next")..];
    let part = &part[..part.find("</nav>").unwrap()];
    let target = |class: &str| {
        let start = format!("<a class=\"{class}\" href=\"");
        part.find(&start).map(|at| {
            let rest = &part[at + start.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
    };
    (target("prev"), target("next"))
}

#[test]
fn previous_and_next_follow_reading_order_across_groups_and_stop_at_the_ends() {
    let fx = nested_portal();
    fx.build_ok(&[]);
    let page = |path: &str| fx.output(&format!("integrations/deep/latest/{path}"));
    assert_eq!(
        previous_next(&page("index.html")),
        (None, Some("setup/index.html".to_string()))
    );
    // Into the "Setup" group and out of it, past a label and a separator.
    assert_eq!(
        previous_next(&page("setup/index.html")),
        (
            Some("../index.html".to_string()),
            Some("advanced/index.html".to_string())
        )
    );
    assert_eq!(
        previous_next(&page("setup/advanced/expert.html")),
        (
            Some("index.html".to_string()),
            Some("../../reference/api.html".to_string())
        )
    );
    assert_eq!(
        previous_next(&page("help.html")),
        (Some("reference/api.html".to_string()), None)
    );
}

/// Pages of the large version: sections of 40 pages, each section's README first.
const LARGE_SECTIONS: usize = 50;
const LARGE_SECTION_PAGES: usize = 40;

fn large_portal() -> Fixture {
    let fx = Fixture::new();
    let mut files: Vec<(String, String)> = vec![
        (
            "plugin.json".to_string(),
            "{\"version\": \"1.0.0\"}".to_string(),
        ),
        ("docs/README.md".to_string(), "# Large\n".to_string()),
    ];
    let mut summary = String::from("* [Large](README.md)\n");
    for section in 1..=LARGE_SECTIONS {
        summary.push_str(&format!("\n## Part {section}\n\n"));
        summary.push_str(&format!("* [Section {section}](s{section}/README.md)\n"));
        files.push((
            format!("docs/s{section}/README.md"),
            format!("# Section {section}\n"),
        ));
        for page in 1..LARGE_SECTION_PAGES {
            summary.push_str(&format!(
                "  * [Page {section}.{page}](s{section}/p{page}.md)\n"
            ));
            files.push((
                format!("docs/s{section}/p{page}.md"),
                format!("# Page {section}.{page}\n\nText.\n"),
            ));
        }
    }
    files.push(("docs/SUMMARY.md".to_string(), summary));
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    fx.repo("large", "main").commit("main", &files);
    fx.site("[[integrations]]\nid = \"large\"\nname = \"Large\"\nrepo = \"repos/large\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n");
    fx
}

#[test]
fn a_large_version_keeps_every_page_small_and_lists_all_pages_once() {
    let fx = large_portal();
    fx.build_ok(&[]);
    let total = 1 + LARGE_SECTIONS * LARGE_SECTION_PAGES;
    let version = fx.path("public/integrations/large/1.0");
    // Every page's size is bounded whatever the number of pages: the whole sidebar would be
    // about 90 bytes per page, 180 KB here.
    let mut largest = (0, String::new());
    for entry in walkdir::WalkDir::new(&version).into_iter().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".html") && name != "_contents.html" {
            let size = entry.metadata().unwrap().len();
            if size > largest.0 {
                largest = (size, entry.path().display().to_string());
            }
        }
    }
    assert!(largest.0 < 16_000, "{largest:?}");

    let page = fx.output("integrations/large/latest/s7/p20.html");
    let nav = sidebar(&page);
    assert!(nav.contains("data-full-nav=\"../_contents.html\""), "{nav}");
    assert!(nav.contains(&format!(
        "<p class=\"nav-all\"><a href=\"../_contents.html\">All {},{:03} pages</a></p>",
        total / 1000,
        total % 1000
    )));
    // The part around this page: its section open, its neighbours, this page marked.
    assert_eq!(
        entry_tag(nav, "Section 7"),
        "<li class=\"open has-children\">"
    );
    assert_eq!(entry_tag(nav, "Page 7.20"), "<li class=\"active open\">");
    assert!(nav.contains("<a href=\"p20.html\" aria-current=\"page\">Page 7.20</a>"));
    assert!(nav.contains(">Page 7.15</a>") && nav.contains(">Page 7.25</a>"));
    assert!(!nav.contains(">Page 7.14</a>") && !nav.contains(">Page 7.26</a>"));
    assert!(nav.contains("<p class=\"nav-group-title\">Part 7</p>"));
    assert!(!nav.contains("Section 8"));
    assert_eq!(
        previous_next(&page),
        (Some("p19.html".to_string()), Some("p21.html".to_string()))
    );

    // The list of all pages: every page once, in reading order, links relative to it; in the
    // version's folder and under latest/.
    for dir in ["1.0", "latest"] {
        let contents = fx.output(&format!("integrations/large/{dir}/_contents.html"));
        let tree = &contents[contents.find("<nav class=\"contents-tree\"").unwrap()..];
        let tree = &tree[..tree.find("</nav>").unwrap()];
        assert_eq!(tree.matches("<a href=").count(), total);
        assert!(!tree.contains("aria-current"));
        let first = tree.find("href=\"s1/p1.html\"").unwrap();
        let last = tree
            .find(&format!("href=\"s{LARGE_SECTIONS}/p39.html\""))
            .unwrap();
        assert!(first < last);
        assert!(contents.contains(&format!(
            "<h1>All {},{:03} pages of Large 1.0</h1>",
            total / 1000,
            total % 1000
        )));
        assert!(contents.contains("<meta http-equiv=\"Content-Security-Policy\""));
        assert!(contents.contains("<meta name=\"robots\" content=\"noindex, follow\">"));
        assert!(contents.contains(
            "<link rel=\"canonical\" href=\"https://docs.example.com/integrations/large/latest/_contents.html\">"
        ));
    }
    let dangling = crate::fixture::dangling_links(&fx.path("public"), &[]);
    assert!(dangling.is_empty(), "{dangling:?}");
}

#[test]
fn a_docs_file_cannot_take_the_name_of_the_list_of_all_pages() {
    let fx = Fixture::new();
    fx.repo("named", "main").commit(
        "main",
        &[
            ("docs/README.md", "# Named\n"),
            ("docs/_contents.md", "# Mine\n"),
        ],
    );
    fx.site("[[integrations]]\nid = \"named\"\nname = \"Named\"\nrepo = \"repos/named\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n");
    let run = fx.build_ok(&[]);
    let warnings = run.warnings().join("\n");
    assert!(
        warnings.contains("_contents.md") && warnings.contains("list of all pages"),
        "{warnings}"
    );
    assert!(!fx.has_output("integrations/named/latest/_contents.html"));
}

#[test]
fn headings_named_like_the_theme_s_landmarks_get_ids_of_their_own_and_links_follow() {
    let fx = Fixture::new();
    fx.repo("jira", "main").commit(
        "main",
        &[
            (
                "docs/README.md",
                "# Overview\n\n## Sidebar\n\nThe panel.\n\n## Content\n\nThe pages.\n",
            ),
            (
                "docs/links.md",
                "# Links\n\n[The panel](README.md#sidebar-1)\n",
            ),
            (
                "docs/stale.md",
                "# Stale\n\n[The panel](README.md#sidebar)\n",
            ),
        ],
    );
    fx.site("[[integrations]]\nid = \"jira\"\nname = \"Jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n");
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // `#sidebar` is the theme's navigation, not the heading: a link to it is reported.
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("stale.md") && warnings[0].contains("#sidebar"),
        "{}",
        run.stderr
    );

    let page = fx.output("integrations/jira/latest/index.html");
    for (theme_id, heading_id, title) in [
        ("sidebar", "sidebar-1", "Sidebar"),
        ("content", "content-1", "Content"),
    ] {
        assert_eq!(
            page.matches(&format!("id=\"{theme_id}\"")).count(),
            1,
            "{page}"
        );
        assert!(
            page.contains(&format!("<h2 id=\"{heading_id}\">{title}")),
            "{page}"
        );
        assert!(
            page.contains(&format!("<a href=\"#{heading_id}\">{title}</a>")),
            "the TOC entry: {page}"
        );
    }
    let links = fx.output("integrations/jira/latest/links.html");
    assert!(links.contains("href=\"index.html#sidebar-1\""), "{links}");

    // The switcher's accessible name is its visible text, then what it does.
    let start = page.find("<summary").expect("a version switcher");
    let summary = &page[start..start + page[start..].find("</summary>").unwrap()];
    assert!(!summary.contains("aria-label"), "{summary}");
    assert_eq!(
        strip_tags(summary)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        "latest: choose another version"
    );
}
