//! The reader's page as the server renders it (issue 13, parts 4, 5 and 7): code blocks
//! with their language and a name, the table of contents available above the page on
//! narrow screens, previous/next titled as the sidebar titles them, the 404 page's classes,
//! the version history's labelled cells and the favicon. What scripts and styles do with
//! them is tested in a browser (tests/browser/reader-polish.test.mjs).

use crate::fixture::Fixture;

const SUMMARY: &str = "# Summary\n\n* [Overview](README.md)\n* [Installing the plugin](setup.md)\n* [Slash commands](commands.md)\n";

/// One integration `x` with a SUMMARY whose titles differ from the pages' own headings,
/// and an archived 1.0.
fn portal() -> Fixture {
    let fx = Fixture::new();
    let files = [
        ("docs/SUMMARY.md", SUMMARY),
        ("docs/README.md", "# X plugin\n\nWelcome.\n"),
        (
            "docs/setup.md",
            "# Setup guide for administrators\n\n## Install\n\n```go\npackage main\n```\n\n## Configure\n\n```text\nplain\n```\n\n    indented\n",
        ),
        (
            "docs/commands.md",
            "# Commands reference\n\nNo headings here.\n",
        ),
    ];
    fx.repo("x", "master")
        .commit("1.0-docs", &files)
        .commit("master", &files);
    fx.site(
        "[[integrations]]\nid = \"x\"\nname = \"X\"\nrepo = \"repos/x\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\n",
    );
    fx.build_ok(&[]);
    fx
}

#[test]
fn code_blocks_name_their_language_and_scroll_from_the_keyboard() {
    let fx = portal();
    let page = fx.output("integrations/x/latest/setup.html");
    assert!(
        page.contains("<div class=\"code-block\"><div class=\"code-bar\"><span class=\"code-lang\" aria-hidden=\"true\">go</span></div><pre class=\"code\" tabindex=\"0\" role=\"group\" aria-label=\"go code\"><code class=\"language-go\">"),
        "the language is shown above the block and names it: {page}"
    );
    // Plain text and indented blocks: no label, still a named, focusable block.
    assert_eq!(page.matches("class=\"code-lang\"").count(), 1, "{page}");
    assert_eq!(
        page.matches("<pre class=\"code\" tabindex=\"0\" role=\"group\" aria-label=\"Code\">")
            .count(),
        2,
        "{page}"
    );
    // The copy button is the script's: no button, and no inline handler, in the page.
    assert!(!page.contains("<button type=\"button\" class=\"code-copy\""));
    assert!(!page.contains("onclick"));
}

#[test]
fn the_table_of_contents_is_also_a_collapsible_list_above_the_page() {
    let fx = portal();
    let page = fx.output("integrations/x/latest/setup.html");
    let details = page
        .find("<details class=\"toc-inline\">")
        .expect("the collapsible table of contents");
    let article = page.find("<article").unwrap();
    assert!(details < article, "it comes before the page's text");
    let inline = &page[details..page[details..].find("</details>").unwrap() + details];
    assert!(
        inline.contains("<summary>On this page</summary>"),
        "{inline}"
    );
    assert!(
        inline.contains("<a href=\"#install\">Install</a>"),
        "{inline}"
    );
    assert!(
        inline.contains("<a href=\"#configure\">Configure</a>"),
        "{inline}"
    );
    assert!(
        page.contains("<nav class=\"toc\" aria-label=\"On this page\">"),
        "and beside the page on wide screens"
    );
    // A page without headings has neither.
    let commands = fx.output("integrations/x/latest/commands.html");
    assert!(!commands.contains("toc-inline") && !commands.contains("class=\"toc\""));
}

#[test]
fn previous_and_next_are_titled_as_the_sidebar_titles_them() {
    let fx = portal();
    for version in ["latest", "1.0"] {
        let page = fx.output(&format!("integrations/x/{version}/setup.html"));
        assert!(
            page.contains(
                "<a class=\"prev\" href=\"index.html\"><span>Previous</span>Overview</a>"
            ),
            "{page}"
        );
        assert!(
            page.contains(
                "<a class=\"next\" href=\"commands.html\"><span>Next</span>Slash commands</a>"
            ),
            "{page}"
        );
        assert!(
            page.contains(">Installing the plugin</a>"),
            "the sidebar says the same"
        );
        // The page itself keeps its own heading.
        assert!(page.contains(">Setup guide for administrators<"), "{page}");
    }
}

#[test]
fn the_404_page_marks_its_main_not_its_body() {
    let fx = portal();
    let page = fx.output("404.html");
    assert!(page.contains("<body class=\"not-found-page\">"), "{page}");
    assert!(
        page.contains("<main id=\"content\" class=\"not-found\">"),
        "{page}"
    );
    assert!(!page.contains("<body class=\"not-found\""), "{page}");
}

#[test]
fn every_page_links_the_favicon_and_the_version_history_labels_its_cells() {
    let fx = portal();
    for (path, icon) in [
        ("index.html", "_portico/favicon"),
        ("integrations/index.html", "../_portico/favicon"),
        ("integrations/x/index.html", "../../_portico/favicon"),
        ("integrations/x/versions.html", "../../_portico/favicon"),
        ("integrations/x/1.0/setup.html", "../../../_portico/favicon"),
        ("404.html", "/_portico/favicon"),
    ] {
        let page = fx.output(path);
        let links = format!(
            "<link rel=\"icon\" href=\"{icon}.png\" sizes=\"32x32\" type=\"image/png\">\n<link rel=\"icon\" href=\"{icon}.svg\" type=\"image/svg+xml\">"
        );
        assert!(page.contains(&links), "{path}: {page}");
    }
    assert!(fx.has_output("_portico/favicon.svg"));
    assert!(
        fx.output_bytes("_portico/favicon.png")
            .starts_with(b"\x89PNG")
    );
    let versions = fx.output("integrations/x/versions.html");
    for label in ["Requires Mattermost Server", "Docs updated", "Source"] {
        assert_eq!(
            versions
                .matches(&format!("<td data-label=\"{label}\">"))
                .count(),
            2,
            "{versions}"
        );
    }
}
