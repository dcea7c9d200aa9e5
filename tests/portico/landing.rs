//! Where readers land and how old a page is (issue 13, part 2 and part 7's "last updated"):
//! `default_version` and `docs_url` in `site.toml`, and each page's date from git.

use crate::fixture::{Fixture, Repo, strip_tags};

const MANIFEST_3_2: &str = r#"{"id": "jira", "name": "Jira", "version": "3.2.0"}"#;
const MOVED: &str = "https://docs.mattermost.com/integrate/jira-interoperability.html";

/// The Jira shape of the issue: 2.1 and 3.0.1 archived, a newer 3.2 on `master`, linear
/// history (one commit per call, a day apart from 2020-09-14).
fn jira(fx: &Fixture) -> Repo {
    let mut repo = fx.repo("jira", "master");
    repo.commit(
        "2.1-docs",
        &[
            (
                "docs/README.md",
                "# Jira 2.1\n\nOld docs. See [setup](setup.md).\n",
            ),
            ("docs/setup.md", "# Setup\n\nThe old way.\n"),
            ("docs/only-in-2.1.md", "# Legacy\n\nGone since.\n"),
        ],
    );
    repo.commit(
        "3.0.1-docs",
        &[
            ("docs/README.md", "# Jira 3.0.1\n\nSee [setup](setup.md).\n"),
            ("docs/setup.md", "# Setup\n\nThe 3.0 way.\n"),
        ],
    );
    repo.commit(
        "master",
        &[
            ("plugin.json", MANIFEST_3_2),
            (
                "docs/README.md",
                "# Jira 3.2\n\nDeveloper notes. See [setup](setup.md).\n",
            ),
            ("docs/setup.md", "# Setup\n\nThe 3.0 way.\n"),
        ],
    );
    repo
}

/// `site.toml` with one Jira integration and `extra` keys; the first extra key is on line 11.
fn site(fx: &Fixture, extra: &str) {
    fx.site(&format!(
        "[[integrations]]\nid = \"jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n{extra}\n"
    ));
}

/// The banner's text and HTML of a page, if it has one.
fn banner(html: &str) -> Option<(String, String)> {
    let start = html.find("<div class=\"archived-banner\"")?;
    let end = start + html[start..].find("</div>")?;
    let banner = &html[start..end];
    Some((
        strip_tags(banner)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        banner.to_string(),
    ))
}

fn integrations_json(fx: &Fixture) -> serde_json::Value {
    let json: serde_json::Value = serde_json::from_str(&fx.output("integrations.json")).unwrap();
    json["integrations"][0].clone()
}

#[test]
fn default_version_drives_the_index_card_the_redirect_and_the_banners() {
    let fx = Fixture::new();
    jira(&fx);
    site(&fx, "default_version = \"3.0.1\"");
    fx.build_ok(&[]);

    // The index card: the chosen version, its landing page, the others counted.
    let index = fx.output("integrations/index.html");
    assert!(
        index.contains("<h3><a href=\"jira/3.0.1/index.html\">"),
        "{index}"
    );
    assert!(
        index.contains("<span class=\"version\">v3.0.1</span>"),
        "{index}"
    );
    assert!(index.contains("+2 other versions"), "{index}");

    // `/integrations/jira/` sends readers to it too.
    let redirect = fx.output("integrations/jira/index.html");
    assert!(
        redirect.contains("content=\"0; url=3.0.1/index.html\""),
        "{redirect}"
    );
    // Its canonical address is the one the page it leads to names (the newest copy, as
    // SPEC.md wants): a redirect never disagrees with its target.
    let landing = fx.output("integrations/jira/3.0.1/index.html");
    let canonical_of = |html: &str| {
        html.split("rel=\"canonical\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(str::to_string)
    };
    assert_eq!(
        canonical_of(&redirect),
        canonical_of(&landing),
        "{redirect}"
    );
    assert!(canonical_of(&redirect).is_some());

    // `latest/` still names the newest version.
    assert!(
        fx.output("integrations/jira/latest/index.html")
            .contains("Jira 3.2")
    );
    let json = integrations_json(&fx);
    assert_eq!(json["current_version"], "3.2");
    assert_eq!(json["default_version"], "3.0.1");
    assert_eq!(
        json["default_url"],
        "https://docs.example.com/integrations/jira/3.0.1/"
    );
    assert_eq!(json["docs_url"], serde_json::Value::Null);

    // Older pages send readers to the same page in the chosen version, else its landing.
    let (text, html) = banner(&fx.output("integrations/jira/2.1/setup.html")).unwrap();
    assert!(
        text.contains(
            "Jira 2.1, an older version. The recommended version is 3.0.1: read this page in 3.0.1."
        ),
        "{text}"
    );
    assert!(html.contains("<a href=\"../3.0.1/setup.html\">"), "{html}");
    let (text, html) = banner(&fx.output("integrations/jira/2.1/only-in-2.1.html")).unwrap();
    assert!(text.contains("go to the 3.0.1 docs"), "{text}");
    assert!(html.contains("<a href=\"../3.0.1/index.html\">"), "{html}");

    // The chosen version has no banner; the newer one says it is newer.
    assert_eq!(
        banner(&fx.output("integrations/jira/3.0.1/setup.html")),
        None
    );
    let (text, html) = banner(&fx.output("integrations/jira/latest/setup.html")).unwrap();
    assert!(
        text.contains("Jira 3.2, a version newer than the recommended one. The recommended version is 3.0.1: read this page in 3.0.1."),
        "{text}"
    );
    assert!(html.contains("<a href=\"../3.0.1/setup.html\">"), "{html}");
}

#[test]
fn without_default_version_readers_land_on_the_newest_as_before() {
    let fx = Fixture::new();
    jira(&fx);
    site(&fx, "");
    fx.build_ok(&[]);
    let index = fx.output("integrations/index.html");
    assert!(
        index.contains("<h3><a href=\"jira/latest/index.html\">"),
        "{index}"
    );
    assert!(index.contains("+2 older versions"), "{index}");
    assert!(
        fx.output("integrations/jira/index.html")
            .contains("content=\"0; url=latest/index.html\"")
    );
    let (text, _) = banner(&fx.output("integrations/jira/3.0.1/setup.html")).unwrap();
    assert!(
        text.contains("The current version is 3.2: read this page in 3.2."),
        "{text}"
    );
    assert_eq!(
        banner(&fx.output("integrations/jira/latest/setup.html")),
        None
    );
    assert_eq!(integrations_json(&fx)["default_version"], "3.2");
}

#[test]
fn an_unknown_default_version_is_an_error_naming_the_key_and_line() {
    let fx = Fixture::new();
    jira(&fx);
    site(&fx, "default_version = \"9.9\"");
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("site.toml:11:19"), "{}", run.stderr);
    assert!(
        run.stderr.contains("integrations.default_version \"9.9\"")
            && run.stderr.contains("3.2, 3.0.1, 2.1"),
        "{}",
        run.stderr
    );
    assert!(!fx.has_output("integrations/index.html"));

    // An empty one is refused with the rest of site.toml, before any repository is read.
    site(&fx, "default_version = \" \"");
    let run = fx.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("site.toml:11:19") && run.stderr.contains("default_version is empty"),
        "{}",
        run.stderr
    );
}

#[test]
fn docs_url_is_on_the_card_and_in_every_versions_banner() {
    let fx = Fixture::new();
    jira(&fx);
    site(
        &fx,
        &format!("default_version = \"3.0.1\"\ndocs_url = \"{MOVED}\""),
    );
    fx.build_ok(&[]);
    let index = fx.output("integrations/index.html");
    assert!(
        index.contains(&format!(
            "<p class=\"card-docs-url\">Current documentation: <a href=\"{MOVED}\">{MOVED}</a></p>"
        )),
        "{index}"
    );
    for page in [
        "integrations/jira/2.1/setup.html",
        "integrations/jira/3.0.1/setup.html",
        "integrations/jira/3.0.1/index.html",
        "integrations/jira/latest/setup.html",
    ] {
        let (text, html) = banner(&fx.output(page)).unwrap_or_else(|| panic!("{page}: no banner"));
        assert!(
            text.contains(&format!("The current documentation is at {MOVED}.")),
            "{page}: {text}"
        );
        assert!(
            html.contains(&format!("<a class=\"docs-url\" href=\"{MOVED}\">")),
            "{page}"
        );
    }
    // The chosen version's banner says only that.
    let (text, _) = banner(&fx.output("integrations/jira/3.0.1/setup.html")).unwrap();
    assert_eq!(text, format!("The current documentation is at {MOVED}."));
    assert_eq!(integrations_json(&fx)["docs_url"], MOVED);
}

#[test]
fn a_docs_url_that_is_not_an_absolute_http_url_is_an_error_naming_the_key_and_line() {
    let fx = Fixture::new();
    jira(&fx);
    for bad in [
        "/integrate/jira.html",
        "docs.mattermost.com/jira",
        "javascript:alert(1)",
        "https://user:secret@docs.example.com/",
    ] {
        site(&fx, &format!("docs_url = \"{bad}\""));
        let run = fx.run(&["build"]);
        assert_eq!(run.code, 1, "{bad}: {}", run.stderr);
        assert!(
            run.stderr.contains("site.toml:11:12") && run.stderr.contains("integrations.docs_url"),
            "{bad}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("secret"), "{}", run.stderr);
    }
}

/// The `<time>` of a page's footer.
fn last_updated(html: &str) -> Option<String> {
    let start = html.find("Last updated <time")?;
    let end = start + html[start..].find("</time>")?;
    Some(html[start + "Last updated ".len()..end + "</time>".len()].to_string())
}

#[test]
fn every_page_shows_when_its_file_last_changed_on_its_versions_branch() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    // 2020-09-14: the archive; its files are the start of master's history too.
    repo.commit(
        "2.1-docs",
        &[
            (
                "docs/README.md",
                "# Jira 2.1\n\n[Setup](setup.md), [FAQ](faq.md)\n",
            ),
            ("docs/setup.md", "# Setup\n"),
            ("docs/faq.md", "# FAQ\n"),
        ],
    );
    // 2020-09-15: master changes the landing page only.
    repo.commit(
        "master",
        &[
            ("plugin.json", MANIFEST_3_2),
            (
                "docs/README.md",
                "# Jira 3.2\n\n[Setup](setup.md), [FAQ](faq.md)\n",
            ),
            ("docs/setup.md", "# Setup\n"),
            ("docs/faq.md", "# FAQ\n"),
        ],
    );
    // 2020-09-16 and 17: the FAQ, then code outside the docs.
    let faq_changed = [
        ("plugin.json", MANIFEST_3_2),
        (
            "docs/README.md",
            "# Jira 3.2\n\n[Setup](setup.md), [FAQ](faq.md)\n",
        ),
        ("docs/setup.md", "# Setup\n"),
        ("docs/faq.md", "# FAQ\n\nA new question.\n"),
    ];
    repo.commit("master", &faq_changed);
    let mut with_code = faq_changed.to_vec();
    with_code.push(("server/plugin.go", "package main\n"));
    repo.commit("master", &with_code);
    site(&fx, "");
    fx.build_ok(&[]);

    let date = |page: &str| last_updated(&fx.output(&format!("integrations/jira/{page}")));
    let day = |iso: &str, text: &str| Some(format!("<time datetime=\"{iso}\">{text}</time>"));
    // Pages changed at different commits have different dates.
    assert_eq!(
        date("latest/index.html"),
        day("2020-09-15", "September 15, 2020")
    );
    assert_eq!(
        date("latest/faq.html"),
        day("2020-09-16", "September 16, 2020")
    );
    // A page never changed since the first commit has that commit's date.
    assert_eq!(
        date("latest/setup.html"),
        day("2020-09-14", "September 14, 2020")
    );
    // The same page in another version has that branch's date.
    assert_eq!(
        date("2.1/index.html"),
        day("2020-09-14", "September 14, 2020")
    );
    assert_eq!(
        date("2.1/faq.html"),
        day("2020-09-14", "September 14, 2020")
    );
    assert_eq!(date("3.2/faq.html"), date("latest/faq.html"));

    // The index card says when the docs last changed (the FAQ, 2020-09-16), not when the
    // branch last moved (code, 2020-09-17).
    let index = fx.output("integrations/index.html");
    assert!(
        index.contains("Docs updated <time datetime=\"2020-09-16\">"),
        "{index}"
    );

    // The sitemap says the same of each canonical address.
    let sitemap = fx.output("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://docs.example.com/integrations/jira/latest/faq.html</loc><lastmod>2020-09-16</lastmod>"),
        "{sitemap}"
    );
    assert!(sitemap.contains("<loc>https://docs.example.com/integrations/</loc></url>"));

    // The dates are kept per branch for the next build, which shows the same.
    let kept = std::fs::read_dir(fx.path(".portico/cache/page-dates"))
        .unwrap()
        .count();
    assert_eq!(kept, 2);
    let before = fx.output("integrations/jira/latest/faq.html");
    fx.write("content/about.md", "# About\n");
    fx.build_ok(&[]);
    assert_eq!(fx.output("integrations/jira/latest/faq.html"), before);

    // A commit moves only the dates of the pages it changes.
    let mut setup_changed = with_code.clone();
    setup_changed[2] = ("docs/setup.md", "# Setup\n\nNow simpler.\n");
    Repo::open(&fx.path("repos/jira")).commit_on_top("master", "master", &setup_changed);
    fx.build_ok(&[]);
    assert_eq!(
        date("latest/faq.html"),
        day("2020-09-16", "September 16, 2020")
    );
    let setup = date("latest/setup.html").unwrap();
    assert!(setup.contains("datetime=\"2023-11-15\""), "{setup}");
}
