//! The version switcher follows renamed and moved pages (git's rename detection between
//! consecutive versions, front matter `aliases`), and so do the archived banner, the
//! canonical link, the 404 page's map and links to the docs' old (legacy) addresses.

use crate::corpus::{corpus_dir, files_of};
use crate::fixture::{Fixture, switcher};

const SITE: &str = "https://docs.example.com/";

fn integration(extra: &str) -> String {
    format!(
        "[[integrations]]\nid = \"jira\"\nname = \"Jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n{extra}\n"
    )
}

/// The switcher entry of `label` on a page: (href, has the page).
fn entry(html: &str, label: &str) -> (String, bool) {
    switcher(html)
        .into_iter()
        .find(|(l, ..)| l == label)
        .map(|(_, href, missing)| (href, !missing))
        .unwrap_or_else(|| panic!("no {label} in the switcher"))
}

fn canonical(html: &str) -> String {
    let start = html
        .find("<link rel=\"canonical\" href=\"")
        .expect("a canonical link")
        + 28;
    html[start..].split('"').next().unwrap().to_string()
}

/// The real Jira docs: 3.0.1's `administrator-guide/` was 2.3's misspelled
/// `admininstrator-guide/` (tests/corpus/SOURCES.md).
fn jira_portal() -> Fixture {
    let fx = Fixture::new();
    let corpus = corpus_dir().join("jira");
    let mut repo = fx.repo("jira", "master");
    repo.commit_set("jira-docs-2.3", files_of(&corpus.join("2.3")));
    repo.commit_set("master", files_of(&corpus.join("3.0")));
    fx.site(&integration(
        "version_branches = [\"jira-docs-{version}\"]\nlegacy_urls = [\"https://mattermost.gitbook.io/plugin-jira/\"]",
    ));
    fx
}

#[test]
fn the_real_jira_typo_fix_is_followed_both_ways_with_banner_and_canonical() {
    let fx = jira_portal();
    fx.build_ok(&[]);
    let old = fx.output("integrations/jira/2.3/admininstrator-guide/permissions.html");
    assert_eq!(
        entry(&old, "3.0"),
        (
            "../../latest/administrator-guide/permissions.html".to_string(),
            true
        )
    );
    assert!(
        old.contains("<a href=\"../../latest/administrator-guide/permissions.html\">read this page in 3.0</a>"),
        "the banner follows the rename"
    );
    assert_eq!(
        canonical(&old),
        format!("{SITE}integrations/jira/latest/administrator-guide/permissions.html")
    );
    let new = fx.output("integrations/jira/3.0/administrator-guide/permissions.html");
    assert_eq!(
        entry(&new, "2.3"),
        (
            "../../2.3/admininstrator-guide/permissions.html".to_string(),
            true
        )
    );
    // Every page of the renamed folder that is still there is followed, not only one.
    let troubleshooting =
        fx.output("integrations/jira/2.3/admininstrator-guide/troubleshooting.html");
    assert_eq!(
        entry(&troubleshooting, "3.0").0,
        "../../latest/administrator-guide/troubleshooting.html"
    );
    // Pages rewritten too much for git to pair them by content moved with their folder.
    for page in ["notification-management", "administrator-slash-commands"] {
        let old = fx.output(&format!(
            "integrations/jira/2.3/admininstrator-guide/{page}.html"
        ));
        assert_eq!(
            entry(&old, "3.0"),
            (
                format!("../../latest/administrator-guide/{page}.html"),
                true
            ),
            "{page}"
        );
    }
}

#[test]
fn a_page_deleted_since_still_leads_to_the_landing_page() {
    let fx = jira_portal();
    fx.build_ok(&[]);
    // 2.3's end-user FAQ has no page in 3.0 (its questions moved elsewhere).
    let faq = fx.output("integrations/jira/2.3/end-user-guide/faq.html");
    let (href, has_page) = entry(&faq, "3.0");
    assert!(!has_page, "{href}");
    assert_eq!(href, "../../latest/index.html");
    assert!(faq.contains("go to the 3.0 docs</a>"), "the banner too");
}

/// The JSON map the 404 page carries.
fn page_map(fx: &Fixture) -> serde_json::Value {
    let html = fx.output("404.html");
    let start = html.find("id=\"page-map\">").unwrap() + 14;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

#[test]
fn the_404_map_offers_a_renamed_page_under_its_name_in_each_version() {
    let fx = jira_portal();
    fx.build_ok(&[]);
    let jira = &page_map(&fx)["integrations"]["jira"];
    assert_eq!(jira["versions"], serde_json::json!(["3.0", "2.3"]));
    for name in [
        "admininstrator-guide/permissions.html",
        "administrator-guide/permissions.html",
    ] {
        assert_eq!(jira["pages"][name], serde_json::json!([0, 1]), "{name}");
    }
    assert_eq!(
        jira["moved"]["admininstrator-guide/permissions.html"],
        serde_json::json!([[0, "administrator-guide/permissions.html"]])
    );
    assert_eq!(
        jira["moved"]["administrator-guide/permissions.html"],
        serde_json::json!([[1, "admininstrator-guide/permissions.html"]])
    );
    assert_eq!(
        jira["pages"]["setup/installation.html"],
        serde_json::json!([0, 1])
    );
    assert!(jira["moved"].get("setup/installation.html").is_none());
}

/// A page about installing, reworded a little at each hop.
fn install_page(version: &str) -> String {
    format!(
        "# Install the plugin ({version})\n\nDownload the plugin from the Marketplace, upload it in the System Console, enable it, and configure the Jira connection with an application link.\n\n## Configure\n\nSet the webhook secret and choose which teams may use it.\n\n## Verify\n\nRun /jira info in a channel.\n"
    )
}

/// 1.0 `guide/setup.md` → 2.0 `guide/install.md` → 3.0 (current) `installing.md`, plus a
/// new `guide/setup.md` in 3.0 about something else.
fn three_hops() -> Fixture {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit(
        "1.0-docs",
        &[
            (
                "docs/README.md",
                "# Jira\n\nSee the [install guide](guide/setup.md).\n",
            ),
            ("docs/guide/setup.md", &install_page("1.0")),
        ],
    );
    repo.commit(
        "2.0-docs",
        &[
            (
                "docs/README.md",
                "# Jira\n\nSee the [install guide](guide/install.md).\n",
            ),
            ("docs/guide/install.md", &install_page("2.0")),
        ],
    );
    repo.commit(
        "master",
        &[
            ("plugin.json", r#"{"id": "jira", "version": "3.0.0"}"#),
            ("docs/README.md", "# Jira\n\nSee [installing](installing.md) and the [old guide](https://old.example.com/jira/guide/install#verify).\n"),
            ("docs/installing.md", &install_page("3.0")),
            ("docs/guide/setup.md", "# Team settings\n\nA new page on a subject of its own, reusing a free name.\n"),
        ],
    );
    fx.site(&integration(
        "legacy_urls = [\"https://old.example.com/jira/\"]",
    ));
    fx
}

#[test]
fn renames_chain_across_several_versions_both_ways() {
    let fx = three_hops();
    let run = fx.build_ok(&[]);
    let first = fx.output("integrations/jira/1.0/guide/setup.html");
    assert_eq!(
        entry(&first, "3.0"),
        ("../../latest/installing.html".to_string(), true)
    );
    assert_eq!(
        entry(&first, "2.0"),
        ("../../2.0/guide/install.html".to_string(), true)
    );
    assert_eq!(
        canonical(&first),
        format!("{SITE}integrations/jira/latest/installing.html"),
        "the canonical link is the newest copy, whatever it is called there"
    );
    let last = fx.output("integrations/jira/3.0/installing.html");
    assert_eq!(
        entry(&last, "1.0"),
        ("../1.0/guide/setup.html".to_string(), true)
    );
    assert_eq!(
        entry(&last, "2.0"),
        ("../2.0/guide/install.html".to_string(), true)
    );
    // The new page that took the old name is not the renamed page's past.
    let newcomer = fx.output("integrations/jira/3.0/guide/setup.html");
    assert!(!entry(&newcomer, "1.0").1, "{newcomer}");
    // A link to the old published address of 1.0's page leads to where it is now.
    let landing = fx.output("integrations/jira/3.0/index.html");
    assert!(
        landing.contains("href=\"installing.html#verify\">old guide</a>"),
        "{landing}"
    );
    assert!(run.warnings().is_empty(), "{}", run.stderr);
}

#[test]
fn aliases_link_pages_git_cannot_and_override_what_it_found() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit(
        "2.0-docs",
        &[
            ("docs/README.md", "# Jira\n"),
            ("docs/faq.md", &install_page("FAQ")),
            ("docs/old-name.md", "# Notifications\n\nShort.\n"),
        ],
    );
    repo.commit(
        "master",
        &[
            ("plugin.json", r#"{"id": "jira", "version": "3.0.0"}"#),
            ("docs/README.md", "# Jira\n"),
            // Git sees faq.md renamed to questions.md (the same text)...
            ("docs/questions.md", &install_page("FAQ")),
            // ...but the writers say the FAQ lives on here now.
            (
                "docs/help/faq.md",
                "---\ntitle: Help\naliases:\n  - faq.md\n---\n# Help\n\nRewritten from scratch.\n",
            ),
            // Rewritten entirely: no similarity, only the alias links it.
            (
                "docs/notifications.md",
                "---\naliases: [old-name.md]\n---\n# Notifications\n\nEverything about subscriptions, in new words.\n",
            ),
            ("docs/bad.md", "---\ntitle: Bad\naliases: old-name.md\n---\n# Bad\n"),
            ("docs/unknown.md", "---\naliases:\n  - never-was.md\n---\n# Unknown\n"),
            // A second claim on the 2.0 FAQ is refused with both places named.
            ("docs/zz-also-faq.md", "---\naliases: [faq.md]\n---\n# Also the FAQ\n"),
        ],
    );
    fx.site(&integration(""));
    let run = fx.build_ok(&[]);
    let faq = fx.output("integrations/jira/2.0/faq.html");
    assert_eq!(entry(&faq, "3.0").0, "../latest/help/faq.html");
    let questions = fx.output("integrations/jira/3.0/questions.html");
    assert!(
        !entry(&questions, "2.0").1,
        "the alias took the FAQ's history"
    );
    let old = fx.output("integrations/jira/2.0/old-name.html");
    assert_eq!(entry(&old, "3.0").0, "../latest/notifications.html");
    let new = fx.output("integrations/jira/3.0/notifications.html");
    assert_eq!(entry(&new, "2.0").0, "../2.0/old-name.html");

    let warnings = run.warnings();
    assert_eq!(warnings.len(), 3, "{}", run.stderr);
    assert!(
        warnings.iter().any(|w| w.contains(
            "docs/zz-also-faq.md:2: aliases: \"faq.md\" is claimed by docs/help/faq.md (line 4) too"
        )),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("docs/bad.md:3: aliases must be a list")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains(
            "docs/unknown.md:3: aliases: \"never-was.md\" is not a page of any other version of Jira"
        )),
        "{warnings:?}"
    );
}

#[test]
fn a_docs_folder_moved_to_the_repository_root_keeps_its_pages() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit(
        "1.0-docs",
        &[
            ("docs/README.md", "# Jira\n\nSee [setup](setup.md).\n"),
            ("docs/setup.md", &install_page("1.0")),
        ],
    );
    repo.commit(
        "master",
        &[
            ("plugin.json", r#"{"id": "jira", "version": "2.0.0"}"#),
            ("README.md", "# Jira\n\nSee [setting up](setting-up.md).\n"),
            ("setting-up.md", &install_page("2.0")),
        ],
    );
    fx.site(&integration(""));
    fx.build_ok(&[]);
    let old = fx.output("integrations/jira/1.0/setup.html");
    assert_eq!(
        entry(&old, "2.0"),
        ("../latest/setting-up.html".to_string(), true)
    );
    let landing = fx.output("integrations/jira/1.0/index.html");
    assert_eq!(
        entry(&landing, "2.0"),
        ("../latest/index.html".to_string(), true)
    );
}

#[test]
fn serve_s_rebuild_follows_an_alias_added_while_serving() {
    use portico::testing::site::{Changes, ReadOptions, Site, files};
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit(
        "1.0-docs",
        &[
            ("docs/README.md", "# Jira\n"),
            ("docs/old.md", "# Old\n\nThe old words.\n"),
        ],
    );
    let current = |front: &str| {
        let new = format!("{front}# New\n\nEntirely different words about it.\n");
        [
            ("docs/README.md".to_string(), "# Jira\n".to_string()),
            ("docs/new.md".to_string(), new),
        ]
    };
    let commit = |repo: &mut crate::fixture::Repo, files: [(String, String); 2]| {
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        repo.commit_on_top("master", "1.0-docs", &files);
    };
    commit(&mut repo, current(""));
    fx.site(&integration(""));
    let options = crate::incremental::options(&fx, "serve-cache");
    let mut site = Site::assemble(&options, ReadOptions::default()).unwrap();
    // Neither version's set of pages changes, and the archive not at all: only which page
    // of the current version its page is.
    commit(&mut repo, current("---\naliases: [old.md]\n---\n"));
    let changes = Changes {
        integrations: [0].into_iter().collect(),
        ..Changes::default()
    };
    crate::incremental::assert_rebuild_equals_clean(&fx, &mut site, changes, "alias");
    let page = files(&site)
        .into_iter()
        .find(|(path, _)| path == "integrations/jira/1.0/old.html")
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .unwrap();
    assert_eq!(entry(&page, "latest").0, "../latest/new.html");
}
