//! The search index (`_portico/search/`): one document per distinct text, the versions
//! holding it, sanitized community text, stemming and code in the index, `[search]
//! enabled = false`, determinism, and `serve` keeping it current. The browser side is
//! tested in tests/browser/search.test.mjs.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::fixture::{Fixture, tree_snapshot};
use crate::serve::{Serve, portal};

const INDEX: &str = "_portico/search/";

/// Reads a file of the index by its path inside the index folder.
type ReadFile = Box<dyn Fn(&str) -> Vec<u8>>;

/// A built site's search index, read as the browser reads it.
struct SearchIndex {
    meta: Value,
    read: ReadFile,
}

/// One document's entry in a term's postings.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Posting {
    document: usize,
    /// Local version indexes holding the document.
    versions: Vec<usize>,
    /// (section, weight).
    sections: Vec<(usize, u64)>,
}

impl SearchIndex {
    fn of_site(site: &Path) -> SearchIndex {
        let site = site.to_path_buf();
        SearchIndex::new(Box::new(move |path| {
            std::fs::read(site.join(INDEX).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
        }))
    }

    fn new(read: ReadFile) -> SearchIndex {
        let meta = serde_json::from_slice(&read("meta.json")).unwrap();
        SearchIndex { meta, read }
    }

    fn json(&self, path: &str) -> Value {
        serde_json::from_slice(&(self.read)(path)).unwrap()
    }

    fn group(&self, id: &str) -> &Value {
        self.meta["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|group| group["id"] == id)
            .unwrap_or_else(|| panic!("no group {id}"))
    }

    /// Every term of a dictionary with its postings, read from all its chunks.
    fn dictionary(&self, name: &str) -> BTreeMap<String, Vec<Posting>> {
        let mut terms = BTreeMap::new();
        let chunks = self.json(&format!("d/{name}.json"));
        let chunks = chunks.as_array().unwrap();
        for (index, chunk) in chunks.iter().enumerate() {
            let entries = self.json(&format!("t/{}.json", chunk[1].as_str().unwrap()));
            for (at, entry) in entries.as_array().unwrap().iter().enumerate() {
                let term = entry[0].as_str().unwrap().to_string();
                // Every term lies within its chunk's bounds.
                if index > 0 && at == 0 {
                    assert_eq!(term, chunk[0].as_str().unwrap());
                }
                if let Some(next) = chunks.get(index + 1) {
                    assert!(term.as_str() < next[0].as_str().unwrap());
                }
                terms.insert(term, decode(entry[1].as_str().unwrap()));
            }
        }
        terms
    }

    fn group_terms(&self, id: &str) -> BTreeMap<String, Vec<Posting>> {
        self.dictionary(self.group(id)["dictionary"].as_str().unwrap())
    }

    /// The fragment file holding a document's passage, and the passage in it.
    fn fragment(&self, document: usize, passage: usize) -> (Value, Value) {
        let per_part = self.meta["passages_per_part"].as_u64().unwrap() as usize;
        let part = self.json(&format!("f/{document}-{}.json", passage / per_part));
        let passage = part["sections"][passage % per_part].clone();
        (part, passage)
    }
}

/// The postings format of README.md ("Search").
fn decode(encoded: &str) -> Vec<Posting> {
    const DIGITS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut numbers = Vec::new();
    let (mut value, mut shift) = (0u64, 0);
    for c in encoded.chars() {
        let digit = DIGITS.find(c).expect("a base64url digit") as u64;
        value |= (digit & 31) << shift;
        shift += 5;
        if digit < 32 {
            numbers.push(value);
            (value, shift) = (0, 0);
        }
    }
    assert_eq!(shift, 0, "the stream ends with a complete number");
    let mut numbers = numbers.into_iter().map(|n| n as usize);
    let mut next = || numbers.next();
    let mut postings = Vec::new();
    let mut document = 0;
    while let Some(delta) = next() {
        document += delta;
        let mut versions = Vec::new();
        let mut end = 0;
        for _ in 0..next().unwrap() {
            let start = end + next().unwrap();
            end = start + next().unwrap();
            versions.extend(start..end);
        }
        let mut sections = Vec::new();
        let mut section = 0;
        for _ in 0..next().unwrap() {
            section += next().unwrap();
            sections.push((section, next().unwrap() as u64));
        }
        postings.push(Posting {
            document,
            versions,
            sections,
        });
    }
    postings
}

fn integration(id: &str, managed_by: &str) -> String {
    format!(
        "[[integrations]]\nid = \"{id}\"\nrepo = \"repos/{id}\"\nmanaged_by = \"{managed_by}\"\ndeployments = [\"cloud\", \"self-managed\"]\n"
    )
}

const SHARED_PAGE: &str = "# Webhooks\n\nJira sends webhooks to Mattermost.\n\n## Configure the secret\n\nSet `EnableWebhookSecret` in the System Console.\n\n```json\n{\"MM_JIRA_WEBHOOK_SECRET\": \"abc\"}\n```\n";

/// Jira with three versions: `webhooks.md` is the same blob in 3.0 and 2.1, different in
/// 2.0; `install.md` changes in every version.
fn versioned_portal() -> Fixture {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit(
        "2.0-docs",
        &[
            ("docs/README.md", "# Jira 2.0\n\n[Webhooks](webhooks.md)\n"),
            ("docs/webhooks.md", "# Webhooks\n\nThe 2.0 webhook text.\n"),
            ("docs/install.md", "# Install\n\nUpload the plugin (2.0).\n"),
        ],
    );
    repo.commit(
        "2.1-docs",
        &[
            ("docs/README.md", "# Jira 2.1\n\n[Webhooks](webhooks.md)\n"),
            ("docs/webhooks.md", SHARED_PAGE),
            ("docs/install.md", "# Install\n\nUpload the plugin (2.1).\n"),
        ],
    );
    repo.commit(
        "master",
        &[
            ("plugin.json", r#"{"version": "3.0.0"}"#),
            ("docs/README.md", "# Jira\n\n[Webhooks](webhooks.md)\n"),
            ("docs/webhooks.md", SHARED_PAGE),
            (
                "docs/install.md",
                "# Install\n\nUpload the plugin. Subscriptions are new in 3.0.\n",
            ),
        ],
    );
    fx.site(&integration("jira", "mattermost"));
    fx
}

fn postings<'a>(terms: &'a BTreeMap<String, Vec<Posting>>, term: &str) -> &'a [Posting] {
    terms.get(term).unwrap_or_else(|| {
        panic!(
            "no term {term:?} among {:?}",
            terms.keys().collect::<Vec<_>>()
        )
    })
}

#[test]
fn a_text_shared_by_versions_is_indexed_once_with_the_versions_holding_it() {
    let fx = versioned_portal();
    fx.build_ok(&[]);
    let index = SearchIndex::of_site(&fx.path("public"));
    let jira = index.group("jira");
    assert_eq!(jira["versions"], serde_json::json!(["3.0", "2.1", "2.0"]));
    // 3 READMEs + 3 installs + 2 webhooks texts (3.0 and 2.1 share one blob).
    let documents = jira["end"].as_u64().unwrap() - jira["first"].as_u64().unwrap();
    assert_eq!(documents, 8);

    let terms = index.group_terms("jira");
    let secret = postings(&terms, "secret");
    assert_eq!(secret.len(), 1, "one document: {secret:?}");
    assert_eq!(secret[0].versions, [0, 1], "held by 3.0 and 2.1");
    // The passage under its heading, with its anchor, for the result's link and snippet.
    let (passage, _) = secret[0].sections[0];
    let (fragment, section) = index.fragment(secret[0].document, passage);
    assert_eq!(fragment["title"], "Webhooks");
    assert_eq!(
        fragment["urls"],
        serde_json::json!({
            "0": "integrations/jira/latest/webhooks.html",
            "1": "integrations/jira/2.1/webhooks.html",
        })
    );
    assert_eq!(section[0], "Configure the secret");
    assert_eq!(section[1], "configure-the-secret");
    assert!(section[2].as_str().unwrap().contains("EnableWebhookSecret"));

    // A term only 3.0 has.
    assert_eq!(postings(&terms, "subscript")[0].versions, [0]);
    // The current versions' dictionary holds only documents of version 0.
    let current = index.dictionary(index.meta["current"].as_str().unwrap());
    assert!(postings(&current, "subscript").len() == 1);
    assert!(
        !current.contains_key("2"),
        "2.0/2.1-only text is not current"
    );
    assert!(
        postings(&current, "upload")
            .iter()
            .all(|posting| posting.versions.contains(&0))
    );
}

#[test]
fn titles_and_headings_weigh_more_than_text_and_words_are_stemmed() {
    let fx = versioned_portal();
    fx.build_ok(&[]);
    let index = SearchIndex::of_site(&fx.path("public"));
    let terms = index.group_terms("jira");
    // "Webhooks" (title) and "webhooks" (text) both become the stem "webhook".
    let webhook = postings(&terms, "webhook");
    let shared = webhook.iter().find(|p| p.versions == [0, 1]).unwrap();
    let title_weight = shared.sections[0].1;
    let in_text_only = postings(&terms, "send")[0].sections[0].1;
    assert!(title_weight >= 40, "{shared:?}");
    assert!(in_text_only < 40);
    let heading = postings(&terms, "configur");
    assert!(heading[0].sections.iter().any(|(_, weight)| *weight >= 20));
}

#[test]
fn code_and_configuration_keys_are_searchable() {
    let fx = versioned_portal();
    fx.build_ok(&[]);
    let terms = SearchIndex::of_site(&fx.path("public")).group_terms("jira");
    // The whole key as pasted, and its parts as typed.
    assert!(terms.contains_key("mm_jira_webhook_secret"));
    assert!(terms.contains_key("enablewebhooksecret"));
    assert!(terms.contains_key("enabl"), "camelCase parts, stemmed");
}

/// A built portal of one community integration, `poll`, whose docs are one README.
fn community_portal(readme: &str) -> Fixture {
    let fx = Fixture::new();
    let mut repo = fx.repo("poll", "master");
    repo.commit("master", &[("docs/README.md", readme)]);
    fx.site(&integration("poll", "community"));
    fx.build_ok(&[]);
    fx
}

#[test]
fn community_pages_are_indexed_from_their_sanitized_text_only() {
    let fx = community_portal(
        "# Poll\n\nVisible words.\n\n<script>stealcookies()</script>\n\n<div onclick=\"clickjack()\">Clickable</div>\n\n<style>.hiddenstyle{}</style>\n",
    );
    let index = SearchIndex::of_site(&fx.path("public"));
    let terms = index.group_terms("poll");
    assert!(terms.contains_key("visibl"));
    assert!(terms.contains_key("clickabl"));
    for hidden in [
        "stealcooki",
        "stealcookies",
        "clickjack",
        "hiddenstyl",
        "hiddenstyle",
    ] {
        assert!(
            !terms.contains_key(hidden),
            "{hidden} is not text a reader sees"
        );
    }
    let all_files = tree_snapshot(&fx.path("public").join(INDEX));
    for (path, bytes) in all_files {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("stealcookies"), "{path}");
        assert!(
            !text.contains('<'),
            "{path}: index files hold no markup: {text}"
        );
    }
}

#[test]
fn hostile_text_in_a_page_stays_text_in_the_index() {
    let fx = community_portal(
        "# Poll &lt;img src=x onerror=alert(1)&gt;\n\nWrite `</script><img src=x onerror=alert(1)>` and \"quotes\" \\ and \u{202e}bidi.\n",
    );
    let index = SearchIndex::of_site(&fx.path("public"));
    let group = index.group("poll");
    let (fragment, _) = index.fragment(group["first"].as_u64().unwrap() as usize, 0);
    // The text reads back exactly as the reader saw it; the browser inserts it as text.
    let text = fragment["sections"][0][2].as_str().unwrap();
    assert!(
        text.contains("</script><img src=x onerror=alert(1)>"),
        "{text}"
    );
    assert!(fragment["title"].as_str().unwrap().contains("<img"));
    // As JSON for the web: no raw markup characters in the file itself.
    let raw =
        String::from_utf8(fx.output_bytes(&format!("{INDEX}f/{}-0.json", group["first"]))).unwrap();
    assert!(!raw.contains('<') && !raw.contains('>'), "{raw}");
}

#[test]
fn search_can_be_turned_off() {
    let fx = versioned_portal();
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    fx.write("site.toml", &format!("{site}\n[search]\nenabled = false\n"));
    fx.build_ok(&[]);
    assert!(!fx.has_output("_portico/search/meta.json"));
    let page = fx.output("integrations/jira/latest/webhooks.html");
    assert!(
        !page.contains("data-search"),
        "no search box without an index"
    );
}

#[test]
fn the_index_is_the_same_byte_for_byte_on_every_build() {
    let fx = versioned_portal();
    fx.build_ok(&[]);
    let first = tree_snapshot(&fx.path("public").join(INDEX));
    let again = fx.path("public2");
    fx.build_ok(&["--out", again.to_str().unwrap()]);
    let second = tree_snapshot(&fx.path("public2").join(INDEX));
    assert_eq!(first, second);
    assert!(first.len() > 5);
}

#[test]
fn the_portal_pages_are_a_group_of_their_own() {
    let fx = versioned_portal();
    fx.write(
        "content/guide.md",
        "# Contributor guide\n\nHow to archive docs.\n",
    );
    fx.build_ok(&[]);
    let index = SearchIndex::of_site(&fx.path("public"));
    let groups = index.meta["groups"].as_array().unwrap();
    let portal = groups.last().unwrap();
    assert_eq!(portal["id"], "");
    assert_eq!(portal["name"], "Test Portal", "the site's title");
    let terms = index.dictionary(portal["dictionary"].as_str().unwrap());
    let archive = postings(&terms, "archiv");
    let (fragment, _) = index.fragment(archive[0].document, 0);
    assert_eq!(fragment["urls"]["0"], "guide.html");
}

#[test]
fn serve_keeps_the_index_current_after_an_edit() {
    let (fx, _repo) = portal();
    let serve = Serve::start(&fx);
    fx.write(
        "repos/jira/docs/setup.md",
        "# Setup\n\nThe zeppelin configuration.\n",
    );
    serve.wait_for("/integrations/jira/latest/setup.html", "the edit", |body| {
        body.contains("zeppelin")
    });
    let index = SearchIndex::new(Box::new(move |path| {
        let (status, _, body) = serve.request("GET", &format!("/{INDEX}{path}"));
        assert_eq!(status, 200, "{path}");
        body
    }));
    let terms = index.group_terms("jira");
    assert!(
        terms.contains_key("zeppelin"),
        "the edited page is searchable"
    );
}

#[test]
fn a_word_deep_in_a_long_section_points_at_the_passage_holding_it() {
    let filler = "Plain filler words for a long section. ".repeat(150);
    let fx = community_portal(&format!(
        "# Long page\n\n## Settings\n\n{filler}Set `MM_DEEP_KEY` to true. {filler}\n"
    ));
    let index = SearchIndex::of_site(&fx.path("public"));
    let terms = index.group_terms("poll");
    let key = postings(&terms, "mm_deep_key");
    let (passage, _) = key[0].sections[0];
    let (_, passage) = index.fragment(key[0].document, passage);
    assert_eq!(passage[0], "Settings");
    assert!(
        passage[2].as_str().unwrap().contains("MM_DEEP_KEY"),
        "the snippet's text holds the match: {passage}"
    );
}

#[test]
fn a_hostile_page_keeps_the_index_bounded() {
    let mut page = String::from("# Hostile\n\nzebra ");
    page.push_str(&"webhook ".repeat(20_000));
    for n in 0..20_000 {
        page.push_str(&format!(" distinct{n}word"));
    }
    page.push_str("\n\n");
    for n in 0..3000 {
        page.push_str(&format!("## Heading {n}\n\nzebra text {n}\n\n"));
    }
    let fx = community_portal(&page);
    let index = SearchIndex::of_site(&fx.path("public"));
    let terms = index.group_terms("poll");
    // A word repeated all over the page names a few passages, not thousands.
    assert!(postings(&terms, "webhook")[0].sections.len() <= 4);
    assert!(postings(&terms, "zebra")[0].sections.len() <= 4);
    // Distinct words beyond a bound are not indexed, nor text beyond a bound.
    let distinct = terms.keys().filter(|t| t.starts_with("distinct")).count();
    assert!(distinct < 5000, "{distinct}");
    assert!(
        !terms.contains_key("2999"),
        "the last heading is past the bound"
    );
    // What a result fetches stays small, however many headings the page has.
    for (path, bytes) in tree_snapshot(&fx.path("public").join(INDEX)) {
        if path.starts_with("f/") {
            assert!(bytes.len() < 8000, "{path}: {} bytes", bytes.len());
        }
    }
}
