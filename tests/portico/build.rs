//! `portico build`, `check`, `list`, `demo`: the site SPEC.md describes, end to end.

use crate::fixture::{Fixture, TINY_PNG, strip_tags, switcher, symlink, tree_snapshot};

const JIRA_MANIFEST: &str = r#"{"id": "jira", "name": "Jira", "description": "Jira from the manifest", "version": "3.2.1", "min_server_version": "7.1.0"}"#;

const JIRA_SUMMARY: &str = "# Table of Contents\n\n* [Overview](README.md)\n\n## Setup\n\n* [Installation \\(Steps 1-2\\)](setup/installation.md)\n  * [Advanced](setup/advanced.md)\n\n---\n\n* [Help](help.md)\n";

const JIRA_README: &str = "# Jira Integration\n\nRead the [installation guide](setup/installation.md#step-1) first. [License](../LICENSE).\n\n## Features\n\n{% hint style=\"warning\" %}\nBack up **first**.\n{% endhint %}\n\n```go\npackage main\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";

const INSTALL: &str = "# Installation\n\n## Step 1\n\n![Screenshot](<../.gitbook/assets/image (1).png>)\n\n![Encoded](../.gitbook/assets/image%20%281%29.png)\n\nBack to the [overview](../README.md#features). Café naïve 日本語.\n";

const PNG: &str = "not really a png, but bytes all the same";

/// A portal with a Mattermost-managed GitBook integration (current 3.2 and an archived
/// 2.1 that lacks a page) and a community-managed README-only integration.
fn standard_portal() -> Fixture {
    let fx = Fixture::new();
    let mut jira = fx.repo("jira", "master");
    jira.commit(
        "2.1-docs",
        &[
            (
                "plugin.json",
                r#"{"version": "2.1.0", "min_server_version": "5.0.0"}"#,
            ),
            (
                "docs/README.md",
                "# Jira Integration 2.1\n\nSee [installation](setup/installation.md).\n",
            ),
            (
                "docs/SUMMARY.md",
                "* [Overview](README.md)\n* [Installation](setup/installation.md)\n* [Legacy](only-in-2.1.md)\n",
            ),
            (
                "docs/setup/installation.md",
                "# Installation\n\nOld steps.\n",
            ),
            ("docs/only-in-2.1.md", "# Legacy\n"),
        ],
    );
    jira.commit(
        "master",
        &[
            ("plugin.json", JIRA_MANIFEST),
            ("LICENSE", "Apache-2.0"),
            ("docs/README.md", JIRA_README),
            ("docs/SUMMARY.md", JIRA_SUMMARY),
            ("docs/setup/installation.md", INSTALL),
            (
                "docs/setup/advanced.md",
                "# Advanced\n\n[Up](installation.md)\n",
            ),
            ("docs/help.md", "# Help\n"),
            ("docs/.gitbook/assets/image (1).png", PNG),
        ],
    );
    let mut community = fx.repo("poll", "main");
    community.commit_bytes(
        "main",
        &[
            ("plugin.yaml", b"id: poll\nname: Poll\ndescription: Polls from YAML\nversion: 1.5.0\n"),
            (
                "README.md",
                b"# Poll\n\n<script>alert('x')</script>\n\n<a href=\"https://example.com\" onclick=\"steal()\">site</a> <a href=\"javascript:alert(1)\">js</a>\n\n<img src=\"docs/shot.png\" width=\"300\" height=\"300\" loading=\"lazy\" decoding=\"async\">\n\nSee [usage](docs/usage.md) and [contributing](CONTRIBUTING.md).\n",
            ),
            ("docs/usage.md", b"# Usage\n\n`/poll \"Lunch?\" Pizza Sushi`\n"),
            // A real PNG: community files are published only when their content is what
            // their name says.
            ("docs/shot.png", TINY_PNG),
            ("CONTRIBUTING.md", b"# Contributing\n"),
            ("CHANGELOG.md", b"# Changelog\n"),
            ("server/README.md", b"# Server internals\n"),
        ],
    );
    fx.site(
        "[[integrations]]\nid = \"jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\", \"self-managed\"]\nweb_url = \"https://github.com/example/jira\"\n\n\
         [[integrations]]\nid = \"poll\"\nrepo = \"repos/poll\"\nmanaged_by = \"community\"\ndeployments = [\"self-managed\"]\n",
    );
    fx.write("content/_index.md", "# Welcome\n\nGo to [the integrations](/integrations/) or read [the process](process/branching.md).\n");
    fx.write(
        "content/process/branching.md",
        "# Branching\n\nBack [home](../_index.md).\n",
    );
    fx
}

#[test]
fn a_portal_has_every_page_spec_md_lists() {
    let fx = standard_portal();
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    for path in [
        "index.html",
        "process/branching.html",
        "integrations/index.html",
        "integrations/jira/index.html",
        "integrations/jira/3.2/index.html",
        "integrations/jira/3.2/setup/installation.html",
        "integrations/jira/latest/setup/installation.html",
        "integrations/jira/2.1/only-in-2.1.html",
        "integrations/poll/1.5/index.html",
        "integrations/poll/1.5/docs/usage.html",
        "sitemap.xml",
        "404.html",
        "integrations.json",
    ] {
        assert!(fx.has_output(path), "{path} missing");
    }
    // The stable address shows the current docs byte for byte.
    assert_eq!(
        fx.output("integrations/jira/3.2/setup/installation.html"),
        fx.output("integrations/jira/latest/setup/installation.html")
    );
    let redirect = fx.output("integrations/jira/index.html");
    assert!(
        redirect.contains("http-equiv=\"refresh\" content=\"0; url=latest/index.html\""),
        "{redirect}"
    );
    assert!(redirect.contains("<a href=\"latest/index.html\">"));
}

#[test]
fn pages_of_a_repository_with_a_web_address_link_to_a_filled_in_new_issue() {
    let fx = standard_portal();
    fx.build_ok(&["--base-url", "https://docs.example.com/"]);
    let page = fx.output("integrations/jira/2.1/setup/installation.html");
    let link = page
        .split("class=\"report-problem\"")
        .next()
        .and_then(|before| before.rsplit("<a href=\"").next())
        .expect("a report link");
    let url = link.split('"').next().unwrap().replace("&amp;", "&");
    let (address, query) = url.split_once('?').unwrap();
    assert_eq!(address, "https://github.com/example/jira/issues/new");
    let decoded: String = query
        .split('&')
        .map(|field| percent_decode(field) + "\n")
        .collect();
    assert!(
        decoded.contains("title=Docs: Installation (Jira 2.1)\n"),
        "{decoded}"
    );
    assert!(
        decoded.contains(
            "URL: https://docs.example.com/integrations/jira/2.1/setup/installation.html\n"
        ),
        "{decoded}"
    );
    assert!(
        decoded.contains("Source: 2.1-docs:docs/setup/installation.md\n"),
        "{decoded}"
    );
    assert!(page.contains(">Report a problem with this page</a>"));
    // The current version's report names its versioned address, not latest/ (which shows
    // other docs after the next release).
    let current = fx.output("integrations/jira/latest/setup/installation.html");
    assert!(
        current
            .contains("docs.example.com%2Fintegrations%2Fjira%2F3.2%2Fsetup%2Finstallation.html"),
        "{current}"
    );
    // Without a web address there is nowhere to open an issue.
    let poll = fx.output("integrations/poll/1.5/index.html");
    assert!(!poll.contains("report-problem"), "{poll}");
}

/// `%XX` escapes decoded (test helper: ASCII and UTF-8 both).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match (bytes[at], text.get(at + 1..at + 3)) {
            (b'%', Some(hex)) if u8::from_str_radix(hex, 16).is_ok() => {
                out.push(u8::from_str_radix(hex, 16).unwrap());
                at += 3;
            }
            (byte, _) => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn the_switcher_links_the_same_page_or_the_landing_page() {
    let fx = standard_portal();
    fx.build_ok(&[]);
    let page = fx.output("integrations/jira/2.1/setup/installation.html");
    assert_eq!(
        switcher(&page),
        [
            (
                "3.2".to_string(),
                "../../latest/setup/installation.html".to_string(),
                false
            ),
            ("2.1".to_string(), "installation.html".to_string(), false),
        ]
    );
    let legacy = fx.output("integrations/jira/2.1/only-in-2.1.html");
    assert_eq!(
        switcher(&legacy)[0],
        ("3.2".to_string(), "../latest/index.html".to_string(), true)
    );
    // Without JavaScript: the switcher is a details element with plain links.
    assert!(legacy.contains("<details class=\"version-switcher\">"));
}

#[test]
fn archived_pages_have_a_banner_and_canonical_urls_point_at_the_newest_copy() {
    let fx = standard_portal();
    fx.build_ok(&[]);
    let archived = fx.output("integrations/jira/2.1/setup/installation.html");
    let banner = strip_tags(
        &archived
            [archived.find("archived-banner").unwrap()..archived.find("class=\"layout\"").unwrap()],
    );
    assert!(
        banner.contains("Jira 2.1") && banner.contains("The current version is 3.2"),
        "{banner}"
    );
    assert!(
        archived
            .contains("<a href=\"../../latest/setup/installation.html\">read this page in 3.2</a>")
    );
    assert!(archived.contains("<link rel=\"canonical\" href=\"https://docs.example.com/integrations/jira/latest/setup/installation.html\">"));
    let legacy = fx.output("integrations/jira/2.1/only-in-2.1.html");
    assert!(legacy.contains("<link rel=\"canonical\" href=\"https://docs.example.com/integrations/jira/2.1/only-in-2.1.html\">"));
    assert!(legacy.contains("go to the 3.2 docs"));
    let current = fx.output("integrations/jira/3.2/index.html");
    assert!(!current.contains("archived-banner"));
    assert!(current.contains("href=\"https://docs.example.com/integrations/jira/latest/\""));
}

#[test]
fn markdown_renders_with_links_images_hints_code_and_tables() {
    let fx = standard_portal();
    fx.build_ok(&[]);
    let readme = fx.output("integrations/jira/3.2/index.html");
    assert!(
        readme.contains("<a href=\"setup/installation.html#step-1\">installation guide</a>"),
        "{readme}"
    );
    assert!(readme.contains("<div class=\"hint hint-warning\" role=\"note\">"));
    assert!(readme.contains("<strong>first</strong>"));
    assert!(!readme.contains("{%"));
    assert!(readme.contains(
        "<pre class=\"code\" tabindex=\"0\" role=\"group\" aria-label=\"go code\"><code class=\"language-go\"><span class=\"hl-"
    ));
    assert!(
        readme.contains("<table tabindex=\"0\">"),
        "tables scroll from the keyboard"
    );
    assert!(readme.contains("<h2 id=\"features\">"));
    // A file outside the docs folder is linked in the repository's web view, not copied.
    assert!(
        readme.contains(
            "<a href=\"https://github.com/example/jira/blob/master/LICENSE\">License</a>"
        ),
        "{readme}"
    );
    assert!(!fx.has_output("integrations/jira/3.2/_repo/LICENSE"));

    let install = fx.output("integrations/jira/3.2/setup/installation.html");
    assert_eq!(
        install
            .matches("src=\"../_gitbook/assets/image%20%281%29.png\"")
            .count(),
        2,
        "{install}"
    );
    assert!(install.contains("href=\"../index.html#features\""));
    assert!(install.contains("Café naïve 日本語"));
    assert_eq!(
        fx.output("integrations/jira/3.2/_gitbook/assets/image (1).png"),
        PNG
    );
    assert_eq!(
        fx.output("integrations/jira/latest/_gitbook/assets/image (1).png"),
        PNG
    );
}

#[test]
fn navigation_follows_summary_with_groups_breadcrumbs_and_previous_next() {
    let fx = standard_portal();
    fx.build_ok(&[]);
    let advanced = fx.output("integrations/jira/3.2/setup/advanced.html");
    let sidebar = &advanced
        [advanced.find("<nav class=\"sidebar\"").unwrap()..advanced.find("<main").unwrap()];
    let text = strip_tags(sidebar);
    let order: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(
        order.join(" "),
        "Overview Setup Installation (Steps 1-2) Advanced Help"
    );
    assert!(sidebar.contains("<p class=\"nav-group-title\">Setup</p>"));
    assert!(sidebar.contains(
        "<li class=\"active open\"><a href=\"advanced.html\" aria-current=\"page\">Advanced</a>"
    ));
    let crumbs = strip_tags(
        &advanced[advanced.find("<nav class=\"breadcrumbs\"").unwrap()
            ..advanced.find("<article").unwrap()],
    );
    let crumbs: Vec<&str> = crumbs.split_whitespace().collect();
    assert_eq!(
        crumbs.join(" "),
        "Integrations Jira 3.2 Installation Advanced"
    );
    // Previous/next say what the sidebar says (SUMMARY.md's title, not the page's heading).
    assert!(advanced.contains(
        "<a class=\"prev\" href=\"installation.html\"><span>Previous</span>Installation (Steps 1-2)</a>"
    ));
    assert!(advanced.contains("<a class=\"next\" href=\"../help.html\"><span>Next</span>Help</a>"));
    // The table of contents lists the page's headings with anchors.
    let install = fx.output("integrations/jira/3.2/setup/installation.html");
    assert!(install.contains("<li class=\"toc-level-2\"><a href=\"#step-1\">Step 1</a></li>"));
}

#[test]
fn folder_tree_navigation_when_there_is_no_summary() {
    let fx = Fixture::new();
    fx.repo("zoom", "main").commit(
        "main",
        &[
            ("docs/README.md", "# Disclaimer\n\nCommunity plugin.\n"),
            ("docs/usage.md", "# Using Zoom\n"),
            ("docs/admin/README.md", "# Administration\n"),
            ("docs/admin/settings.md", "no heading here\n"),
        ],
    );
    fx.site("[[integrations]]\nid = \"zoom\"\nname = \"Zoom\"\nrepo = \"repos/zoom\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n");
    fx.build_ok(&[]);
    let page = fx.output("integrations/zoom/latest/usage.html");
    let sidebar = strip_tags(
        &page[page.find("<nav class=\"sidebar\"").unwrap()..page.find("<main").unwrap()],
    );
    let order: Vec<&str> = sidebar.split_whitespace().collect();
    // Landing first (named after the integration), then by title; folders hold their pages.
    assert_eq!(order.join(" "), "Zoom Administration Settings Using Zoom");
    let settings = fx.output("integrations/zoom/latest/admin/settings.html");
    assert!(
        settings.contains("<h1>Settings</h1>"),
        "a page without a heading gets its file name as title"
    );
}

#[test]
fn repository_root_docs_publish_the_readme_and_what_it_links_to() {
    let fx = standard_portal();
    fx.build_ok(&[]);
    assert!(fx.has_output("integrations/poll/1.5/CONTRIBUTING.html"));
    assert!(!fx.has_output("integrations/poll/1.5/CHANGELOG.html"));
    assert!(!fx.has_output("integrations/poll/1.5/server/index.html"));
    assert_eq!(
        fx.output_bytes("integrations/poll/1.5/docs/shot.png"),
        TINY_PNG
    );
    let json: serde_json::Value = serde_json::from_str(&fx.output("integrations.json")).unwrap();
    let poll = &json["integrations"][1];
    assert_eq!(poll["name"], "Poll", "name from plugin.yaml");
    assert_eq!(poll["description"], "Polls from YAML");
}

#[test]
fn community_html_is_sanitized_and_mattermost_html_is_trusted() {
    let fx = standard_portal();
    fx.repo("trusted", "master").commit(
        "master",
        &[(
            "README.md",
            "# Trusted\n\n<div style=\"color: red\" onclick=\"go()\">kept as written</div>\n",
        )],
    );
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    fx.write(
        "site.toml",
        &format!("{site}\n[[integrations]]\nid = \"trusted\"\nrepo = \"repos/trusted\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n"),
    );
    fx.build_ok(&[]);
    let poll = fx.output("integrations/poll/1.5/index.html");
    let article = &poll[poll.find("<article").unwrap()..poll.find("</article>").unwrap()];
    for bad in ["<script", "alert(", "onclick", "javascript:"] {
        assert!(!article.contains(bad), "{bad} reached the page: {article}");
    }
    assert!(
        article.contains("<img src=\"docs/shot.png\" width=\"300\" height=\"300\" loading=\"lazy\" decoding=\"async\">"),
        "{article}"
    );
    let trusted = fx.output("integrations/trusted/latest/index.html");
    assert!(trusted.contains("<div style=\"color: red\" onclick=\"go()\">kept as written</div>"));
}

#[test]
fn the_index_groups_integrations_by_who_manages_them() {
    let fx = standard_portal();
    fx.build_ok(&[]);
    let index = fx.output("integrations/index.html");
    let mattermost = index.find("Mattermost-managed").unwrap();
    let community = index.find("Community-managed").unwrap();
    let jira = index.find(">Jira</a>").unwrap();
    let poll = index.find(">Poll</a>").unwrap();
    assert!(mattermost < jira && jira < community && community < poll);
    let jira_card = strip_tags(&index[jira..community]);
    for expected in [
        "Jira from the manifest",
        "v3.2",
        "+1 older version",
        "Cloud",
        "Self-managed",
    ] {
        assert!(
            jira_card.contains(expected),
            "{expected} missing from {jira_card}"
        );
    }
    assert!(index.contains("href=\"jira/latest/index.html\""));
}

#[test]
fn sitemap_json_and_404_are_written_at_the_root() {
    let fx = standard_portal();
    fx.build_ok(&["--base-url", "https://example.org/docs"]);
    let sitemap = fx.output("sitemap.xml");
    assert!(sitemap.contains(
        "<loc>https://example.org/docs/integrations/jira/latest/setup/installation.html</loc>"
    ));
    assert!(
        sitemap
            .contains("<loc>https://example.org/docs/integrations/jira/2.1/only-in-2.1.html</loc>")
    );
    assert!(
        !sitemap.contains("/jira/2.1/setup/installation.html"),
        "old copies are not indexed"
    );
    assert!(
        !sitemap.contains("/jira/3.2/"),
        "the current version is indexed under latest/"
    );
    let not_found = fx.output("404.html");
    assert!(
        not_found.contains("href=\"/docs/integrations/index.html\""),
        "{not_found}"
    );
    assert!(not_found.contains("href=\"/docs/_portico/portico.css\""));
    let archived = fx.output("integrations/jira/2.1/setup/installation.html");
    assert!(archived.contains("<link rel=\"canonical\" href=\"https://example.org/docs/integrations/jira/latest/setup/installation.html\">"), "{archived}");
    assert!(
        fx.output("robots.txt")
            .contains("Sitemap: https://example.org/docs/sitemap.xml"),
        "{}",
        fx.output("robots.txt")
    );
    let json: serde_json::Value = serde_json::from_str(&fx.output("integrations.json")).unwrap();
    let jira = &json["integrations"][0];
    assert_eq!(
        jira["url"],
        "https://example.org/docs/integrations/jira/latest/"
    );
    assert_eq!(jira["current_version"], "3.2");
    assert_eq!(jira["versions"][1]["ref"], "2.1-docs");
    assert_eq!(jira["versions"][1]["min_server_version"], "5.0.0");
    assert_eq!(jira["versions"][0]["commit"].as_str().unwrap().len(), 40);
}

#[test]
fn portal_pages_link_to_each_other_and_to_the_index() {
    let fx = standard_portal();
    fx.build_ok(&[]);
    let home = fx.output("index.html");
    assert!(
        home.contains("href=\"integrations/index.html\">the integrations</a>"),
        "{home}"
    );
    assert!(home.contains("href=\"process/branching.html\""));
    assert!(
        fx.output("process/branching.html")
            .contains("href=\"../index.html\">home</a>")
    );
}

#[test]
fn builds_are_byte_identical() {
    let fx = standard_portal();
    fx.build_ok(&[]);
    let first = tree_snapshot(&fx.path("public"));
    fx.build_ok(&[]);
    assert_eq!(first, tree_snapshot(&fx.path("public")));
    let other = fx.path("elsewhere");
    fx.build_ok(&["--out", other.to_str().unwrap()]);
    assert_eq!(first, tree_snapshot(&other));
}

#[test]
fn broken_links_are_warnings_with_place_and_strict_fails_without_touching_the_site() {
    let fx = standard_portal();
    fx.build_ok(&[]);
    let before = tree_snapshot(&fx.path("public"));

    let mut jira = crate::fixture::Repo::open(&fx.path("repos/jira"));
    jira.commit_on_top(
        "3.0-docs",
        "2.1-docs",
        &[
            ("docs/README.md", "# Jira 3.0\n\nline 3\n[gone](setup/missing.md) and [anchor](#nowhere)\n\n![pic](img/none.png)\n"),
        ],
    );
    let run = fx.run(&["build", "--strict"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 3, "{}", run.stderr);
    assert!(warnings.iter().any(|w| w.contains("integration jira, version 3.0 (branch 3.0-docs): docs/README.md:4: broken link \"setup/missing.md\"")), "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("docs/README.md:4: broken link \"#nowhere\"")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("docs/README.md:6: missing image \"img/none.png\"")),
        "{warnings:?}"
    );
    assert!(run.stderr.contains("--strict"), "{}", run.stderr);
    assert_eq!(
        before,
        tree_snapshot(&fx.path("public")),
        "a failed build must leave the site alone"
    );

    // Without --strict the same problems are warnings and the site is published.
    let run = fx.build_ok(&[]);
    assert_eq!(run.warnings().len(), 3);
    assert!(fx.has_output("integrations/jira/3.0/index.html"));
}

#[test]
fn a_bad_site_toml_fails_naming_the_line_and_writes_nothing() {
    let fx = standard_portal();
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    fx.write(
        "site.toml",
        &site.replace("managed_by = \"community\"", "managed_by = \"someone\""),
    );
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("site.toml:16:14"), "{}", run.stderr);
    assert!(run.stderr.contains("someone"), "{}", run.stderr);
    assert!(!fx.path("public").exists());

    fx.write(
        "site.toml",
        &site.replace(
            "deployments = [\"self-managed\"]",
            "deployments = [\"self-managed\"]\ncolour = \"blue\"",
        ),
    );
    let run = fx.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("site.toml:18:1") && run.stderr.contains("colour"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_repository_fails_the_build_naming_it_and_keep_going_builds_the_rest() {
    let fx = standard_portal();
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    fx.write(
        "site.toml",
        &format!("{site}\n[[integrations]]\nid = \"ghost\"\nrepo = \"repos/ghost\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\n"),
    );
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("integration ghost"), "{}", run.stderr);
    assert!(run.stderr.contains("repos/ghost"), "{}", run.stderr);
    assert!(!fx.path("public").exists(), "nothing is published");

    let run = fx.run(&["build", "--keep-going"]);
    assert_eq!(run.code, 1, "the build still fails so that CI notices");
    assert!(run.stderr.contains("integration ghost"), "{}", run.stderr);
    assert!(fx.has_output("integrations/jira/latest/index.html"));
    assert!(!fx.output("integrations/index.html").contains("ghost"));
}

#[test]
fn check_validates_without_writing_and_list_names_versions() {
    let fx = standard_portal();
    let run = fx.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!fx.path("public").exists());
    let list = fx.run(&["list"]);
    assert_eq!(list.code, 0);
    assert!(
        list.stdout
            .contains("jira  (mattermost-managed; cloud, self-managed)"),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.contains("3.2      current  branch master"),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.contains("2.1      archived branch 2.1-docs"),
        "{}",
        list.stdout
    );
}

#[test]
fn an_output_folder_that_is_not_a_site_is_never_replaced() {
    let fx = standard_portal();
    fx.write("precious/notes.txt", "keep me");
    let run = fx.run(&["build", "--out", fx.path("precious").to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("refusing to replace"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(fx.path("precious/notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let fx = Fixture::new();
    assert_eq!(fx.run(&["build", "--no-such-flag"]).code, 2);
    assert_eq!(fx.run(&["frobnicate"]).code, 2);
}

#[test]
fn a_missing_site_toml_says_what_to_do() {
    let fx = Fixture::new();
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("site.toml") && run.stderr.contains("portico demo"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_demo_builds_a_complete_portal_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("tour");
    let run = crate::fixture::run_in(dir.path(), &["demo", target.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(target.join("public/integrations.json")).unwrap(),
    )
    .unwrap();
    let integrations = json["integrations"].as_array().unwrap();
    assert!(integrations.len() >= 5);
    for integration in integrations {
        assert!(
            integration["versions"].as_array().unwrap().len() >= 3,
            "{}",
            integration["id"]
        );
    }
    let managed: Vec<&str> = integrations
        .iter()
        .map(|i| i["managed_by"].as_str().unwrap())
        .collect();
    let dangling = crate::fixture::dangling_links(&target.join("public"), &[]);
    assert!(dangling.is_empty(), "links to nothing: {dangling:#?}");
    assert!(managed.contains(&"mattermost") && managed.contains(&"community"));
    // Running it again replaces the previous demo.
    let again = crate::fixture::run_in(dir.path(), &["demo", target.to_str().unwrap()]);
    assert_eq!(again.code, 0, "{}", again.stderr);
}

#[test]
fn the_demo_tour_runs_the_process_commands_it_prints() {
    use crate::fixture::run_in;
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("tour");
    let demo_arg = demo.to_str().unwrap();
    let run = run_in(dir.path(), &["demo", demo_arg]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for command in [
        "portico audit --root",
        "portico version cut zoom 1.7 --root",
        "portico check --repo",
        "portico new my-plugin --repo my-plugin",
    ] {
        assert!(run.stderr.contains(command), "{command}: {}", run.stderr);
    }
    // The audit finds the one release the demo never archived, and only that one.
    let audit = run_in(&demo, &["audit", "--strict"]);
    assert_eq!(audit.code, 1, "{}", audit.stderr);
    assert_eq!(audit.warnings().len(), 1, "{}", audit.stderr);
    assert!(
        audit
            .stderr
            .contains("zoom 1.7 released (v1.7.0, 2024-05-06)")
            && audit.stderr.contains("portico version cut zoom 1.7"),
        "{}",
        audit.stderr
    );
    // The dry run creates nothing; the cut archives 1.7 from its tag, and the next build
    // publishes it.
    let dry = run_in(&demo, &["version", "cut", "zoom", "1.7", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(dry.stdout.contains("1.7-docs at v1.7.0"), "{}", dry.stdout);
    let zoom = git2::Repository::open(demo.join("repos/zoom")).unwrap();
    assert!(
        zoom.find_branch("1.7-docs", git2::BranchType::Local)
            .is_err()
    );
    let cut = run_in(&demo, &["version", "cut", "zoom", "1.7"]);
    assert_eq!(cut.code, 0, "{}", cut.stderr);
    let branch = zoom
        .find_branch("1.7-docs", git2::BranchType::Local)
        .unwrap();
    let tagged = zoom.revparse_single("v1.7.0^{commit}").unwrap().id();
    assert_eq!(branch.get().target(), Some(tagged));
    let build = run_in(&demo, &["build", "--strict"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(
        demo.join("public/integrations/zoom/1.7/index.html")
            .is_file()
    );
    let audit = run_in(&demo, &["audit", "--strict"]);
    assert_eq!(audit.code, 0, "{}", audit.stderr);
    // A plugin's own CI check passes on the demo's docs (the template's sections are hints).
    let jira = demo.join("repos/jira");
    let check = run_in(&demo, &["check", "--repo", jira.to_str().unwrap()]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}

#[test]
fn symlinked_files_resolve_inside_the_repository_only() {
    let fx = Fixture::new();
    let inside = symlink("../../assets/logo.svg");
    let outside = symlink("../../../../../etc/hostname");
    fx.repo("jira", "master").commit(
        "master",
        &[
            (
                "assets/logo.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            ),
            (
                "docs/README.md",
                "# Jira\n\n![logo](img/logo.svg)\n\n![escape](img/escape.png)\n",
            ),
            ("docs/img/logo.svg", &inside),
            ("docs/img/escape.png", &outside),
        ],
    );
    fx.site("[[integrations]]\nid = \"jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n");
    let run = fx.build_ok(&[]);
    assert_eq!(
        fx.output("integrations/jira/latest/img/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
    );
    assert!(!fx.has_output("integrations/jira/latest/img/escape.png"));
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 2, "{}", run.stderr);
    assert!(
        warnings[0].contains("docs/README.md:5: missing image \"img/escape.png\""),
        "{}",
        warnings[0]
    );
    // The link itself is named, as left out.
    assert!(
        warnings[1].contains(
            "docs/img/escape.png: is a symbolic link to ../../../../../etc/hostname, outside the repository, so it is left out"
        ),
        "{}",
        warnings[1]
    );
}

#[test]
fn this_repository_s_own_site_toml_is_valid() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = portico::testing::config::load(root).unwrap();
    assert!(config.integrations.len() >= 40);
    let jira = config.integrations.iter().find(|i| i.id == "jira").unwrap();
    assert_eq!(
        jira.web_url.as_deref(),
        Some("https://github.com/mattermost/mattermost-plugin-jira")
    );
    assert!(
        config
            .integrations
            .iter()
            .any(|i| i.managed_by == portico::testing::config::ManagedBy::Community)
    );
}

/// A single-integration portal from one commit of files.
fn single(managed_by: &str, extra: &str, files: &[(&str, &str)]) -> Fixture {
    let fx = Fixture::new();
    fx.repo("x", "master").commit("master", files);
    fx.site(&format!(
        "[[integrations]]\nid = \"x\"\nrepo = \"repos/x\"\nmanaged_by = \"{managed_by}\"\ndeployments = [\"cloud\"]\n{extra}\n"
    ));
    fx
}

#[test]
fn community_repositories_cannot_publish_active_files() {
    const EVIL_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    const LOGO_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"4\"/></svg>";
    let files: &[(&str, &str)] = &[
        (
            "README.md",
            "# X\n\n[demo](demo.html) ![evil](evil.svg) ![logo](logo.svg)\n",
        ),
        ("demo.html", "<script>alert(document.cookie)</script>"),
        ("evil.svg", EVIL_SVG),
        ("logo.svg", LOGO_SVG),
    ];
    let fx = single(
        "community",
        "web_url = \"https://github.com/example/x\"",
        files,
    );
    let run = fx.build_ok(&[]);
    assert!(!fx.has_output("integrations/x/latest/demo.html"));
    // An SVG is published without its active parts, a clean one as it was.
    assert_eq!(
        fx.output("integrations/x/latest/evil.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
    );
    assert_eq!(fx.output("integrations/x/latest/logo.svg"), LOGO_SVG);
    let page = fx.output("integrations/x/latest/index.html");
    assert!(
        page.contains("href=\"https://github.com/example/x/blob/master/demo.html\""),
        "{page}"
    );
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("evil.svg") && warnings[0].contains("event handlers"),
        "{}",
        warnings[0]
    );

    // The same files from a Mattermost-managed repository are trusted.
    let fx = single("mattermost", "", files);
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    assert!(fx.has_output("integrations/x/latest/demo.html"));
}

#[test]
fn symlinked_pages_keep_their_own_name() {
    let alias = symlink("guide.md");
    let fx = single(
        "mattermost",
        "",
        &[
            (
                "docs/README.md",
                "# X\n\n[alias](alias.md) and [guide](guide.md)\n",
            ),
            ("docs/guide.md", "# Guide\n"),
            ("docs/alias.md", &alias),
        ],
    );
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    assert!(
        fx.output("integrations/x/latest/alias.html")
            .contains("<h1 id=\"guide\">Guide")
    );
    assert!(fx.has_output("integrations/x/latest/guide.html"));
}

#[test]
fn rooted_links_in_docs_mean_the_repository_root_as_on_github() {
    let fx = single(
        "mattermost",
        "",
        &[
            (
                "README.md",
                "# X\n\n[setup](/docs/setup.md) ![logo](/assets/logo.png) [q](docs/setup.md?plain=1#top)\n",
            ),
            ("docs/setup.md", "# Top\n"),
            ("assets/logo.png", "png"),
        ],
    );
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    let page = fx.output("integrations/x/latest/index.html");
    assert!(page.contains("href=\"docs/setup.html\""), "{page}");
    assert!(page.contains("href=\"docs/setup.html#top\""), "{page}");
    assert!(page.contains("src=\"assets/logo.png\""), "{page}");
    assert_eq!(fx.output("integrations/x/latest/assets/logo.png"), "png");
}

#[test]
fn anchors_are_checked_case_sensitively_with_a_hint() {
    let fx = single(
        "mattermost",
        "",
        &[("README.md", "# X\n\n## Intro\n\n[a](#Intro) [b](#intro)\n")],
    );
    let run = fx.build_ok(&[]);
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("did you mean #intro?"),
        "{}",
        warnings[0]
    );
}

#[test]
fn non_ascii_and_spaced_file_names_are_published_and_encoded() {
    let fx = single(
        "mattermost",
        "",
        &[
            (
                "docs/README.md",
                "# X\n\n[café](café.md) [spaced](<my page.md>)\n",
            ),
            ("docs/café.md", "# Café\n"),
            ("docs/my page.md", "# Spaced\n"),
        ],
    );
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    assert!(fx.has_output("integrations/x/latest/café.html"));
    let page = fx.output("integrations/x/latest/index.html");
    assert!(page.contains("href=\"caf%C3%A9.html\""), "{page}");
    assert!(page.contains("href=\"my%20page.html\""), "{page}");
    let sitemap = fx.output("sitemap.xml");
    assert!(
        sitemap.contains("/latest/my%20page.html</loc>")
            && sitemap.contains("/latest/caf%C3%A9.html</loc>"),
        "{sitemap}"
    );
}

#[test]
fn a_readme_wins_over_an_index_md_in_the_same_folder() {
    let fx = single(
        "mattermost",
        "",
        &[
            ("docs/README.md", "# X\n\n[sub](sub/)\n"),
            ("docs/sub/index.md", "# Index\n"),
            ("docs/sub/readme.md", "# Readme\n"),
        ],
    );
    let run = fx.build_ok(&[]);
    assert!(
        fx.output("integrations/x/latest/sub/index.html")
            .contains("Readme")
    );
    assert_eq!(run.warnings().len(), 1, "{}", run.stderr);
    assert!(
        run.warnings()[0].contains("docs/sub/index.md") && run.warnings()[0].contains("rename"),
        "{}",
        run.stderr
    );
}

#[test]
fn only_the_newest_copy_of_a_page_is_indexed() {
    let fx = standard_portal();
    fx.build_ok(&[]);
    let archived = fx.output("integrations/jira/2.1/setup/installation.html");
    assert!(archived.contains("<meta name=\"robots\" content=\"noindex\">"));
    let archive_only = fx.output("integrations/jira/2.1/only-in-2.1.html");
    assert!(
        !archive_only.contains("noindex"),
        "the only copy of a page must stay indexable"
    );
    assert!(
        !fx.output("integrations/jira/latest/index.html")
            .contains("noindex")
    );
}

#[test]
fn content_may_not_overwrite_generated_files() {
    let fx = standard_portal();
    fx.write("content/integrations.json", "{}");
    fx.write("content/integrations/index.md", "# Mine\n");
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("content/integrations/index.md")
            && run.stderr.contains("generates itself"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/integrations.json"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_gitbook_root_at_the_repository_root_publishes_every_page() {
    let fx = single(
        "mattermost",
        "",
        &[
            (".gitbook.yaml", "root: ./\n"),
            ("README.md", "# X\n"),
            ("SUMMARY.md", "* [X](README.md)\n"),
            ("faq.md", "# FAQ\n"),
        ],
    );
    fx.build_ok(&[]);
    assert!(
        fx.has_output("integrations/x/latest/faq.html"),
        "unlisted pages of a docs folder are published"
    );
}

#[test]
fn a_portal_theme_overrides_the_default_file_by_file() {
    let fx = standard_portal();
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    fx.write(
        "site.toml",
        &site.replace(
            "description = \"Tests\"",
            "description = \"Tests\"\ntheme = \"brand\"",
        ),
    );
    fx.write(
        "themes/brand/static/portico.css",
        "body { color: rebeccapurple; }\n",
    );
    fx.write(
        "themes/brand/static/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    fx.write(
        "themes/brand/templates/404.html",
        "{% extends \"base.html\" %}{% block body %}<main id=\"content\">Lost? Ask in ~integrations.</main>{% endblock body %}",
    );
    fx.build_ok(&[]);
    assert_eq!(
        fx.output("_portico/portico.css"),
        "body { color: rebeccapurple; }\n"
    );
    assert!(fx.has_output("_portico/logo.svg"));
    assert!(
        fx.output("_portico/portico.js")
            .contains("Portico default theme"),
        "files not overridden stay"
    );
    assert!(
        fx.output("404.html")
            .contains("Lost? Ask in ~integrations.")
    );
    assert!(
        fx.output("integrations/jira/latest/index.html")
            .contains("class=\"version-switcher\""),
        "templates not overridden stay"
    );

    fx.write(
        "site.toml",
        &site.replace(
            "description = \"Tests\"",
            "description = \"Tests\"\ntheme = \"missing\"",
        ),
    );
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("theme \"missing\" not found"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_integration_has_a_version_history_page() {
    let fx = standard_portal();
    fx.build_ok(&[]);
    let history = fx.output("integrations/jira/versions.html");
    let rows =
        strip_tags(&history[history.find("<tbody>").unwrap()..history.find("</tbody>").unwrap()]);
    let rows: Vec<&str> = rows.split_whitespace().collect();
    assert_eq!(
        rows.join(" "),
        "3.2 latest 7.1.0 or later 2020-09-15 master 2.1 5.0.0 or later 2020-09-14 2.1-docs"
    );
    assert!(
        history.contains("href=\"latest/index.html\">3.2</a>")
            && history.contains("href=\"2.1/index.html\">2.1</a>")
    );
    assert!(
        fx.output("integrations/index.html")
            .contains("href=\"jira/versions.html\">+1 older version</a>")
    );
}

#[test]
fn a_closed_output_pipe_ends_a_command_without_a_panic() {
    use std::process::{Command, Stdio};
    let fx = standard_portal();
    let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("--root")
        .arg(fx.root())
        .arg("list")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before `list` prints (as `portico list | head -0` would).
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(output.status.code(), Some(101), "{stderr}");
}
