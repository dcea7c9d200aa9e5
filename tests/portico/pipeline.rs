//! A page's stages: the same text in several versions is parsed once (its rendering holds
//! slots where addresses go) and its links are resolved in each version on their own; what
//! fills a slot after sanitizing can never be an address the sanitizer would have removed.

use crate::fixture::Fixture;

const SHARED_SETUP: &str = "# Setup\n\nSee the [FAQ](faq.md#ask), the [guide](guide/), [home](README.md) and <a href=\"faq.md\">raw FAQ</a>.\n\n{% content-ref url=\"faq.md\" %}\n[faq.md](faq.md)\n{% endcontent-ref %}\n\n{% file src=\"files/report.csv\" %}\n";

fn portal(managed_by: &str) -> Fixture {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit(
        "2.1-docs",
        &[
            ("docs/README.md", "# Jira 2.1\n"),
            ("docs/setup.md", SHARED_SETUP),
            ("docs/guide/README.md", "# Guide 2.1\n"),
            ("docs/files/report.csv", "a,b\n"),
        ],
    );
    repo.commit(
        "master",
        &[
            ("docs/README.md", "# Jira\n"),
            ("docs/setup.md", SHARED_SETUP),
            (
                "docs/faq.md",
                "---\ntitle: Questions and answers\n---\n# FAQ\n\n## Ask\n",
            ),
            ("docs/guide/README.md", "# Guide\n"),
            ("docs/files/report.csv", "a,b,c,d,e\n1,2,3,4,5\n"),
        ],
    );
    fx.site(&format!(
        "[[integrations]]\nid = \"jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"{managed_by}\"\ndeployments = [\"cloud\"]\n"
    ));
    fx
}

#[test]
fn a_text_shared_by_versions_links_within_each_version() {
    for managed_by in ["mattermost", "community"] {
        let fx = portal(managed_by);
        let run = fx.build_ok(&[]);
        let current = fx.output("integrations/jira/latest/setup.html");
        let archived = fx.output("integrations/jira/2.1/setup.html");
        // The current version has the FAQ: links, raw HTML links and the card point at it,
        // and the card is titled after it.
        assert!(current.contains("href=\"faq.html#ask\""), "{current}");
        assert!(
            current.contains("href=\"faq.html\">raw FAQ")
                || current.contains("href=\"faq.html\" rel=\"noopener noreferrer\">raw FAQ"),
            "{current}"
        );
        assert!(current.contains("Questions and answers"), "{current}");
        // The archived version has none: the same text links as written there, and the
        // build says so for that version only.
        assert!(archived.contains("href=\"faq.md#ask\""), "{archived}");
        assert!(!archived.contains("faq.html"), "{archived}");
        assert!(!archived.contains("Questions and answers"), "{archived}");
        let broken: Vec<&str> = run
            .warnings()
            .into_iter()
            .filter(|w| w.contains("faq.md"))
            .collect();
        assert!(!broken.is_empty(), "{}", run.stderr);
        assert!(broken.iter().all(|w| w.contains("2.1")), "{broken:?}");
        // Both link the folder's landing page and their own file, with its own size.
        assert!(current.contains("href=\"guide/index.html\""), "{current}");
        assert!(archived.contains("href=\"guide/index.html\""), "{archived}");
        assert!(current.contains("20 bytes"), "{current}");
        assert!(archived.contains("4 bytes"), "{archived}");
        // No slot token is left anywhere.
        assert!(!current.contains("zqslot") && !archived.contains("zqslot"));
    }
}

#[test]
fn addresses_that_could_run_script_are_left_for_the_sanitizer_and_removed() {
    let fx = Fixture::new();
    let mut repo = fx.repo("poll", "master");
    repo.commit(
        "master",
        &[
            (
                "docs/README.md",
                "# Poll\n\n[a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) [c](data:text/html,x)\n\n<a href=\"jav&#x09;ascript:alert(3)\">d</a> <a href=\"&#x6A;avascript:alert(4)\">e</a> <a href=\" javascript:alert(5)\">f</a> <img src=\"vbscript:x\">\n\n{% content-ref url=\"javascript:alert(6)\" %}\nx\n{% endcontent-ref %}\n\n[ok](setup.md)\n",
            ),
            ("docs/setup.md", "# Setup\n"),
        ],
    );
    fx.site(
        "[[integrations]]\nid = \"poll\"\nrepo = \"repos/poll\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\n",
    );
    fx.build_ok(&[]);
    let page = fx.output("integrations/poll/latest/index.html");
    // Every address the page's article links or loads, as the browser reads it.
    let article = &page[page.find("<article").unwrap()..];
    for attribute in ["href=\"", "src=\""] {
        for value in article.split(attribute).skip(1) {
            let value: String = value
                .split('"')
                .next()
                .unwrap()
                .to_lowercase()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            for bad in ["javascript", "vbscript", "data:", "&#"] {
                assert!(!value.contains(bad), "{attribute}{value} reached the page");
            }
        }
    }
    assert!(page.contains("href=\"setup.html\""), "{page}");
}
