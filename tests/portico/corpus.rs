//! The real integration docs of `tests/corpus` (a copy of the team's shared corpus, with its
//! sources and licences in `tests/corpus/SOURCES.md`), turned into git repositories shaped like
//! the real ones (archive branches and release tags named as upstream), built as one portal.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use portico::testing::demo::git::FileSet;
use serde::Deserialize;

use crate::fixture::{Fixture, Repo};

/// `tests/corpus` in this repository, or `$PORTICO_CORPUS` (to try a newer corpus).
pub(crate) fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("PORTICO_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"));
    assert!(
        dir.join("sources.json").is_file(),
        "the corpus is not at {}: restore tests/corpus or set PORTICO_CORPUS",
        dir.display()
    );
    dir
}

#[derive(Deserialize)]
struct Snapshot {
    plugin_id: String,
    version: String,
    #[serde(rename = "ref")]
    reference: String,
    commit_date: String,
    git_describe: String,
}

#[derive(Deserialize)]
struct Index {
    integration: Vec<IndexEntry>,
}

#[derive(Deserialize)]
struct IndexEntry {
    id: String,
    name: String,
    managed: String,
    cloud: bool,
    description: String,
    repo: String,
}

pub(crate) fn files_of(dir: &Path) -> FileSet {
    let mut files = FileSet::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file() {
            let relative = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(relative, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// The release tag `git describe` names (`v4.7.0-2-gde745001` → `v4.7.0`), if it is one.
fn described_tag(describe: &str) -> Option<String> {
    let tag = describe
        .split("-g")
        .next()?
        .rsplit_once('-')
        .map_or(describe, |(tag, _)| tag);
    let plain = tag.strip_prefix('v')?;
    plain
        .split('.')
        .all(|p| p.parse::<u32>().is_ok())
        .then(|| tag.to_string())
}

/// Builds every corpus integration into one portal; returns the fixture and the warnings.
fn build_corpus() -> (Fixture, Vec<String>) {
    let corpus = corpus_dir();
    let snapshots: Vec<Snapshot> =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("sources.json")).unwrap())
            .unwrap();
    let index: Index =
        toml::from_str(&std::fs::read_to_string(corpus.join("integrations.toml")).unwrap())
            .unwrap();
    let mut by_plugin: BTreeMap<&str, Vec<&Snapshot>> = BTreeMap::new();
    for snapshot in &snapshots {
        by_plugin
            .entry(&snapshot.plugin_id)
            .or_default()
            .push(snapshot);
    }

    let fx = Fixture::new();
    let mut site = String::new();
    for (plugin, mut versions) in by_plugin {
        versions.sort_by(|a, b| a.commit_date.cmp(&b.commit_date));
        let current = versions.iter().find(|s| s.version == "current").unwrap();
        let mut repo: Repo = fx.repo(plugin, &current.reference);
        let mut branch_patterns = Vec::new();
        let released: Vec<&str> = versions.iter().map(|s| s.reference.as_str()).collect();
        let mut uses_tags = false;
        for snapshot in &versions {
            let files = files_of(&corpus.join(plugin).join(&snapshot.version));
            if snapshot.version == "current" {
                // The release tag the tip descends from, then the tip itself.
                if let Some(tag) = described_tag(&snapshot.git_describe)
                    .filter(|tag| !released.contains(&tag.as_str()))
                {
                    repo.commit_set(&format!("refs/tags/release-base-{tag}"), files.clone())
                        .tag(&tag);
                }
                repo.commit_set(&snapshot.reference, files);
            } else if snapshot.reference.contains("-docs") {
                if snapshot.reference.starts_with("jira-docs-") {
                    branch_patterns.push("jira-docs-{version}");
                }
                repo.commit_set(&snapshot.reference, files);
            } else {
                uses_tags = true;
                repo.commit_set(
                    &format!("refs/tags/release-base-{}", snapshot.reference),
                    files,
                )
                .tag(&snapshot.reference);
            }
        }
        repo.checkout();
        let entry = index.integration.iter().find(|i| i.id == plugin).unwrap();
        site.push_str(&format!(
            "[[integrations]]\nid = \"{plugin}\"\nname = {:?}\nrepo = \"repos/{plugin}\"\nmanaged_by = \"{}\"\ndeployments = {}\ndescription = {:?}\nweb_url = {:?}\n",
            entry.name,
            entry.managed,
            if entry.cloud { "[\"cloud\", \"self-managed\"]" } else { "[\"self-managed\"]" },
            entry.description,
            entry.repo,
        ));
        if !branch_patterns.is_empty() {
            site.push_str("version_branches = [\"jira-docs-{version}\"]\n");
        }
        if uses_tags {
            site.push_str("version_tags = [\"v{version}\"]\n");
        }
        site.push('\n');
    }
    fx.site(&site);
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings = run.warnings().into_iter().map(str::to_string).collect();
    (fx, warnings)
}

/// Warnings that are true of the sources themselves: (integration, file, link, why).
const EXPECTED_WARNINGS: &[(&str, &str, &str, &str)] = &[
    (
        "com.github.manland.mattermost-plugin-gitlab",
        "docs/README.md:5",
        "./#2-configuration",
        "GitLab 1.3's README links an anchor it does not have (the configuration steps are on setup/configuration.md)",
    ),
    (
        "com.github.mattermost.plugin-circleci",
        "docs/admin-guide.md:9",
        "#faq",
        "the admin guide's contents list a FAQ section the page does not have (it is in the README)",
    ),
    (
        "com.github.mattermost.plugin-circleci",
        "docs/admin-guide.md:10",
        "#get-help",
        "the admin guide's contents list a Get Help section the page does not have",
    ),
    (
        "jira",
        "docs/administrator-guide/frequently-asked-questions-faq.md:45",
        "admininstrator-guide/notification-management.md#legacy-webhooks",
        "Jira 3.0 renamed the misspelt admininstrator-guide/ folder but kept this link, which is also relative to the wrong folder",
    ),
    (
        "jira",
        "docs/setup/configuration.md:61",
        "../admininstrator-guide/notification-management.md",
        "Jira 3.0 renamed the misspelt admininstrator-guide/ folder but kept this link",
    ),
    (
        "jira",
        "docs/SUMMARY.md",
        "3 page(s) are in no SUMMARY.md entry and linked from no page a reader can reach: docs/administrator-guide/frequently-asked-questions-faq.md, docs/development/help-and-support.md, docs/end-user-guide/faq.md;",
        "Jira 2.3 publishes its FAQ (its longest page) and two others that neither SUMMARY.md nor any page links: they are listed under More pages",
    ),
    (
        "jira",
        "docs/SUMMARY.md",
        "2 page(s) are in no SUMMARY.md entry and linked from no page a reader can reach: docs/end-user-guide/interacting-with-forms.md, docs/help-and-support.md;",
        "Jira 3.0.1 left two pages out of SUMMARY.md (its SUMMARY.md lists development/help-and-support.md instead)",
    ),
    (
        "jira",
        "readme.md:160",
        "LICENSE.enterprise",
        "a symlink in the real repository that the corpus does not carry (see SOURCES.md)",
    ),
    (
        "jira",
        "readme.md:160",
        "server/enterprise",
        "a source folder of the real repository that the corpus does not carry (source code was not copied)",
    ),
];

#[test]
fn every_corpus_integration_builds_with_only_the_source_s_own_broken_links() {
    let (fx, warnings) = build_corpus();
    let unexpected: Vec<&String> = warnings
        .iter()
        .filter(|w| {
            !EXPECTED_WARNINGS
                .iter()
                .any(|(integration, file, link, _)| {
                    w.contains(&format!("integration {integration},"))
                        && w.contains(file)
                        && w.contains(link)
                })
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected warnings:\n{}",
        unexpected
            .iter()
            .map(|w| w.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );

    let json: serde_json::Value = serde_json::from_str(&fx.output("integrations.json")).unwrap();
    let labels = |id: &str| -> Vec<String> {
        json["integrations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(labels("jira"), ["4.7", "3.0.1", "2.3"]);
    assert_eq!(
        labels("com.github.manland.mattermost-plugin-gitlab"),
        ["1.13", "1.7", "1.3"]
    );
    assert_eq!(labels("com.mattermost.gcal"), ["1.5", "1.3"]);
    assert_eq!(labels("com.github.matterpoll.matterpoll"), ["1.8", "1.5"]);

    // Every link and image on every page leads to a file of the site (images that exist in
    // the sources are displayed), except the links the sources themselves break.
    let allowed: Vec<&str> = EXPECTED_WARNINGS
        .iter()
        .map(|(_, _, link, _)| *link)
        .collect();
    let dangling = crate::fixture::dangling_links(&fx.path("public"), &allowed);
    assert!(dangling.is_empty(), "links to nothing: {dangling:#?}");

    // Every page has a title and no GitBook tag reaches it.
    for entry in walkdir::WalkDir::new(fx.path("public"))
        .into_iter()
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(entry.path()).unwrap();
            assert!(
                !html.contains("{%"),
                "literal GitBook tag in {}",
                entry.path().display()
            );
            assert!(
                !html.contains("<title> ·"),
                "untitled page {}",
                entry.path().display()
            );
        }
    }
}
