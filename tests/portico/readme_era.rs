//! README-era docs read as docs: CI and status badges of real READMEs are not shown, pages
//! that SUMMARY.md leaves unreachable (Jira 2.3's FAQ) are listed under "More pages" and
//! reported, and images load lazily with the width and height their files state.

use crate::corpus::{corpus_dir, files_of};
use crate::fixture::{Fixture, TINY_PNG, strip_tags};
use crate::navigation::{previous_next, sidebar};

/// An integration entry of `site.toml`.
fn entry(id: &str, managed_by: &str) -> String {
    format!(
        "[[integrations]]\nid = \"{id}\"\nname = \"{id}\"\nrepo = \"repos/{id}\"\nmanaged_by = \"{managed_by}\"\ndeployments = [\"cloud\"]\n\n"
    )
}

/// A repository whose default branch holds a corpus snapshot (`plugin/version`).
fn corpus_repo(fx: &Fixture, id: &str, snapshot: &str) {
    let files = files_of(&corpus_dir().join(snapshot));
    fx.repo(id, "master").commit_set("master", files).checkout();
}

/// The `<img …>` start tags of a page's body.
fn images(page: &str) -> Vec<&str> {
    let body = &page[page.find("<article").expect("an article")..];
    body.match_indices("<img")
        .map(|(at, _)| &body[at..at + body[at..].find('>').unwrap() + 1])
        .collect()
}

const BADGE_MARKS: &[&str] = &[
    "img.shields.io",
    "goreportcard.com/badge",
    "bestpractices.coreinfrastructure.org",
    "badge.svg",
    "circleci.com/gh/",
    "codecov.io/gh/",
    "Build Status",
    "Code Coverage",
];

#[test]
fn real_readmes_lose_their_badges_and_keep_everything_else() {
    let fx = Fixture::new();
    corpus_repo(
        &fx,
        "gitlab",
        "com.github.manland.mattermost-plugin-gitlab/current",
    );
    corpus_repo(&fx, "jira", "jira/current");
    corpus_repo(
        &fx,
        "matterpoll",
        "com.github.matterpoll.matterpoll/current",
    );
    corpus_repo(&fx, "gcal", "com.mattermost.gcal/current");
    fx.site(&format!(
        "{}{}{}{}",
        entry("gitlab", "mattermost"),
        entry("jira", "mattermost"),
        entry("matterpoll", "community"),
        entry("gcal", "mattermost"),
    ));
    fx.build_ok(&[]);
    let page = |id: &str| fx.output(&format!("integrations/{id}/latest/index.html"));
    for id in ["gitlab", "jira", "matterpoll", "gcal"] {
        let html = page(id);
        let body = &html[html.find("<article").unwrap()..];
        for mark in BADGE_MARKS {
            assert!(!body.contains(mark), "{id} still shows {mark}");
        }
        // The badges' paragraph is gone, not left empty.
        assert!(
            !body.contains("<p>\n</p>") && !body.contains("<p></p>"),
            "{id}"
        );
    }

    let gitlab = page("gitlab");
    assert!(
        gitlab
            .contains("A GitLab plugin for Mattermost. This plugin supports a two-way integration")
    );
    assert!(gitlab.contains(
        "<img src=\"https://user-images.githubusercontent.com/13119842/69115984-96b3ff80-0a58-11ea-92a3-9176b6b05a89.png\" alt=\"GitLab Plugin screenshot\" loading=\"lazy\" decoding=\"async\" />"
    ));
    assert!(gitlab.contains("<a href=\"https://github.com/manland\">Romain Maneschi</a>"));

    let jira = page("jira");
    let text = strip_tags(&jira);
    for kept in [
        "Getting started locally",
        "Attach messages to Jira issues",
        "Transition Jira issues",
    ] {
        assert!(text.contains(kept), "jira lost {kept}");
    }

    // A community page: sanitized, and still without badges; its own images stay, sized.
    let matterpoll = page("matterpoll");
    assert!(matterpoll.contains("It allows users to create poll by using a slash command."));
    assert_eq!(
        images(&matterpoll),
        [
            "<img src=\"images/logo.svg\" alt=\"Matterpoll Logo\" width=\"268\" height=\"61\" loading=\"lazy\" decoding=\"async\">",
            "<img src=\"images/screenshot.png\" alt=\"Matterpoll plugin screenshot\" width=\"1632\" height=\"438\" loading=\"lazy\" decoding=\"async\">",
        ]
    );
    // The badges' link targets are not linked from the page either.
    assert!(!matterpoll.contains("goreportcard.com/report"));
    assert!(matterpoll.contains("<h2 id=\"installation\">"));

    // The search index does not read badge labels as text.
    let search: String = walkdir::WalkDir::new(fx.path("public/_portico/search"))
        .into_iter()
        .flatten()
        .filter(|f| f.file_type().is_file())
        .map(|f| std::fs::read_to_string(f.path()).unwrap_or_default())
        .collect();
    assert!(search.contains("create poll by using a slash command"));
    assert!(!search.contains("Go Report Card") && !search.contains("CII Best Practices"));
}

/// Jira 2.3 as it was on its `jira-docs-2.3` branch.
fn jira_2_3() -> Fixture {
    let fx = Fixture::new();
    corpus_repo(&fx, "jira", "jira/2.3");
    fx.site(&entry("jira", "mattermost"));
    fx
}

#[test]
fn jira_2_3_s_unlisted_faq_is_reachable_from_the_sidebar_and_reported() {
    let fx = jira_2_3();
    let run = fx.build_ok(&[]);
    let warnings = run.warnings().join("\n");
    assert!(
        warnings.contains("integration jira, version 2.3")
            && warnings.contains("docs/SUMMARY.md: 3 page(s) are in no SUMMARY.md entry and linked from no page a reader can reach: docs/administrator-guide/frequently-asked-questions-faq.md, docs/development/help-and-support.md, docs/end-user-guide/faq.md; they were added to the navigation under \"More pages\": add them to SUMMARY.md"),
        "{warnings}"
    );
    let landing = fx.output("integrations/jira/latest/index.html");
    let nav = sidebar(&landing);
    let group = &nav[nav
        .find("<p class=\"nav-group-title\">More pages</p>")
        .unwrap_or_else(|| panic!("no More pages group in {nav}"))..];
    // Sorted by title.
    let faq = group.find(">FAQ</a>").expect("the end-user FAQ");
    let long_faq = group
        .find("<a href=\"administrator-guide/frequently-asked-questions-faq.html\">Frequently Asked Questions (FAQ)</a>")
        .expect("the administrator FAQ");
    let help = group
        .find("<a href=\"development/help-and-support.html\">Help and Support</a>")
        .expect("the development help page");
    assert!(faq < long_faq && long_faq < help, "{group}");
    // A page linked from a listed page is reachable already: not added.
    assert!(
        !nav.contains("admininstrator-guide/notification-management.html"),
        "{nav}"
    );

    // Reading order runs on into the group: the last listed page leads to it.
    let faq_page = fx
        .output("integrations/jira/latest/administrator-guide/frequently-asked-questions-faq.html");
    assert!(
        sidebar(&faq_page).contains("aria-current=\"page\">Frequently Asked Questions (FAQ)</a>")
    );
    assert_eq!(
        previous_next(&faq_page),
        (
            Some("../end-user-guide/faq.html".to_string()),
            Some("../development/help-and-support.html".to_string())
        )
    );
    let last_listed = fx.output("integrations/jira/latest/help-and-support.html");
    assert_eq!(
        previous_next(&last_listed).1.as_deref(),
        Some("end-user-guide/faq.html")
    );

    // With --strict the report is a failure to fix in SUMMARY.md.
    let strict = fx.run(&["build", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert!(strict.stderr.contains("More pages"));
}

#[test]
fn only_pages_no_chain_of_links_reaches_are_added_and_folder_trees_need_none() {
    let fx = Fixture::new();
    fx.repo("listed", "main").commit(
        "main",
        &[
            ("docs/README.md", "# Listed\n\nSee [linked](linked.md).\n"),
            ("docs/SUMMARY.md", "* [Listed](README.md)\n"),
            (
                "docs/linked.md",
                "# Linked\n\nAnd [deeper](deep/deeper.md).\n",
            ),
            ("docs/deep/deeper.md", "# Deeper\n"),
            (
                "docs/orphan.md",
                "# Zed orphan\n\nSee [its friend](friend.md).\n",
            ),
            (
                "docs/friend.md",
                "# Alpha friend\n\nBack to [orphan](orphan.md).\n",
            ),
        ],
    );
    fx.repo("tree", "main").commit(
        "main",
        &[
            ("docs/README.md", "# Tree\n"),
            ("docs/other.md", "# Other\n"),
        ],
    );
    fx.site(&format!(
        "{}{}",
        entry("listed", "community"),
        entry("tree", "mattermost")
    ));
    let run = fx.build_ok(&[]);
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains(
        "2 page(s) are in no SUMMARY.md entry and linked from no page a reader can reach: docs/friend.md, docs/orphan.md;"
    ));
    let nav_html = fx.output("integrations/listed/latest/index.html");
    let nav = sidebar(&nav_html);
    let group = &nav[nav.find("More pages").unwrap()..];
    let titles: Vec<&str> = group
        .match_indices("</a>")
        .map(|(at, _)| &group[group[..at].rfind('>').unwrap() + 1..at])
        .collect();
    assert_eq!(titles, ["Alpha friend", "Zed orphan"]);
    assert!(!nav.contains("deeper.html") && !nav.contains(">Linked<"));
    let tree = fx.output("integrations/tree/latest/index.html");
    assert!(!tree.contains("More pages"));
}

/// A PNG of the given size: its signature and IHDR chunk are all Portico reads.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = TINY_PNG[..16].to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend(&TINY_PNG[24..]);
    bytes
}

#[test]
fn images_state_their_file_s_size_and_load_lazily_without_overriding_their_author() {
    let fx = Fixture::new();
    let shot = png(640, 480);
    let gif = b"GIF89a\x90\x01\xc8\x00\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\0\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;".to_vec();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 300 150\"><rect width=\"3\" height=\"3\"/></svg>".to_vec();
    let page = "# Images\n\n![Shot](assets/shot.png)\n\n![Shot again](assets/shot.png \"titled\")\n\n<img src=\"assets/wide.gif\" width=\"200\" alt=\"Wide\">\n\n<img src='assets/drawing.svg' height=\"75px\" alt=\"Drawing\">\n\n<img src=\"assets/shot.png\" width=\"10\" height=\"20\" loading=\"eager\" alt=\"Fixed\">\n\n<img src=\"assets/shot.png\" width=\"50%\" alt=\"Half\">\n\n![Remote](https://example.com/remote.png)\n\n![Broken header](assets/broken.png)\n";
    let broken = b"\x89PNG\r\n\x1a\n\0\0".to_vec();
    for id in ["trusted", "community"] {
        fx.repo(id, "main").commit_bytes(
            "main",
            &[
                ("docs/README.md", page.as_bytes()),
                ("docs/assets/shot.png", &shot),
                ("docs/assets/wide.gif", &gif),
                ("docs/assets/drawing.svg", &svg),
                ("docs/assets/broken.png", &broken),
            ],
        );
    }
    fx.site(&format!(
        "{}{}",
        entry("trusted", "mattermost"),
        entry("community", "community")
    ));
    fx.build_ok(&[]);
    let expected_trusted = [
        "<img src=\"assets/shot.png\" alt=\"Shot\" width=\"640\" height=\"480\" loading=\"lazy\" decoding=\"async\" />",
        "<img src=\"assets/shot.png\" alt=\"Shot again\" title=\"titled\" width=\"640\" height=\"480\" loading=\"lazy\" decoding=\"async\" />",
        "<img src=\"assets/wide.gif\" width=\"200\" alt=\"Wide\" height=\"100\" loading=\"lazy\" decoding=\"async\">",
        "<img src='assets/drawing.svg' height=\"75px\" alt=\"Drawing\" width=\"150\" loading=\"lazy\" decoding=\"async\">",
        "<img src=\"assets/shot.png\" width=\"10\" height=\"20\" loading=\"eager\" alt=\"Fixed\" decoding=\"async\">",
        "<img src=\"assets/shot.png\" width=\"50%\" alt=\"Half\" loading=\"lazy\" decoding=\"async\">",
        "<img src=\"https://example.com/remote.png\" alt=\"Remote\" loading=\"lazy\" decoding=\"async\" />",
        "<img src=\"assets/broken.png\" alt=\"Broken header\" loading=\"lazy\" decoding=\"async\" />",
    ];
    let trusted = fx.output("integrations/trusted/latest/index.html");
    assert_eq!(images(&trusted), expected_trusted);
    // The sanitizer writes attributes its own way; the sizes are the same.
    let community = fx.output("integrations/community/latest/index.html");
    let community_images = images(&community);
    assert_eq!(community_images.len(), expected_trusted.len());
    for (image, size) in community_images.iter().zip([
        Some("width=\"640\" height=\"480\""),
        Some("width=\"640\" height=\"480\""),
        Some("width=\"200\" alt=\"Wide\" height=\"100\""),
        Some("height=\"75px\" alt=\"Drawing\" width=\"150\""),
        Some("width=\"10\" height=\"20\" loading=\"eager\""),
        None,
        None,
        None,
    ]) {
        assert!(image.contains("decoding=\"async\""), "{image}");
        if let Some(size) = size {
            assert!(image.contains(size), "{image} lacks {size}");
        }
    }
    assert!(!community_images[5].contains("height"));
}

#[test]
fn raw_html_badges_go_too_in_trusted_and_community_docs() {
    let fx = Fixture::new();
    let readme = "# Plugin\n\n<p align=\"center\">\n  <a href=\"https://circleci.com/gh/o/r\"><img src=\"https://circleci.com/gh/o/r.svg?style=svg\"></a>\n  <img alt=\"Release\" src=\"https://img.shields.io/github/v/release/o/r\">\n</p>\n\n<div align=\"center\">\n\n[![Go Report Card](https://goreportcard.com/badge/github.com/o/r)](https://goreportcard.com/report/github.com/o/r)\n\n</div>\n\nBuild: <a href=\"https://github.com/o/r/actions\"><img src=\"https://github.com/o/r/actions/workflows/ci.yml/badge.svg\"></a> is green.\n\n<p align=\"center\"><img src=\"https://example.com/screen.png\" alt=\"Screen\"></p>\n\nThe rest.\n";
    for id in ["trusted", "community"] {
        fx.repo(id, "main").commit("main", &[("README.md", readme)]);
    }
    fx.site(&format!(
        "{}{}",
        entry("trusted", "mattermost"),
        entry("community", "community")
    ));
    fx.build_ok(&[]);
    for id in ["trusted", "community"] {
        let html = fx.output(&format!("integrations/{id}/latest/index.html"));
        let article = &html[html.find("<article").unwrap()..html.find("</article>").unwrap()];
        for gone in [
            "circleci.com",
            "shields.io",
            "goreportcard",
            "badge.svg",
            "align=\"center\">\n</p>",
        ] {
            assert!(!article.contains(gone), "{id}: {gone} in {article}");
        }
        assert!(!article.contains("<div"), "{id}: {article}");
        assert!(article.contains("Build:  is green."), "{id}: {article}");
        assert!(
            article
                .contains("src=\"https://example.com/screen.png\" alt=\"Screen\" loading=\"lazy\""),
            "{id}: {article}"
        );
        assert!(article.contains("The rest."));
    }
}
