//! Warm builds: a build reusing the rendering cache and the last build's record, and
//! `serve`'s rebuilds, produce exactly what a clean build of the same inputs produces,
//! after each kind of edit a portal sees (a page, SUMMARY.md, a new archive branch, a
//! deleted one, a template, site.toml); a build where nothing changed writes nothing.

use std::collections::BTreeSet;
use std::path::Path;

use portico::testing::site::{Changes, ReadOptions, Site, files};
use portico::{BuildOptions, RemoteOptions};

use crate::fixture::{Fixture, Repo, run_in, tree_snapshot};

const PAGE_TEMPLATE: &str = include_str!("../../themes/default/templates/page.html");

fn portal() -> (Fixture, Repo) {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit(
        "2.1-docs",
        &[
            ("docs/README.md", "# Jira 2.1\n\n[Setup](setup.md)\n"),
            (
                "docs/SUMMARY.md",
                "* [Jira](README.md)\n* [Setup](setup.md)\n",
            ),
            (
                "docs/setup.md",
                "# Setup\n\nShared text.\n\n```go\nfunc main() {}\n```\n",
            ),
        ],
    );
    repo.commit(
        "master",
        &[
            (
                "docs/README.md",
                "# Jira\n\n[Setup](setup.md) and [FAQ](faq.md#ask)\n",
            ),
            (
                "docs/SUMMARY.md",
                "* [Jira](README.md)\n* [Setup](setup.md)\n* [FAQ](faq.md)\n",
            ),
            (
                "docs/setup.md",
                "# Setup\n\nShared text.\n\n```go\nfunc main() {}\n```\n",
            ),
            (
                "docs/faq.md",
                "# FAQ\n\n## Ask\n\nAsk away. {% content-ref url=\"setup.md\" %}\n",
            ),
        ],
    );
    fx.site(
        "[[integrations]]\nid = \"jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n",
    );
    fx.write("content/_index.md", "# Portal\n\nWelcome.\n");
    (fx, repo)
}

/// Builds into `out` with the rendering cache `cache`; returns the report's JSON.
fn build(fx: &Fixture, out: &Path, cache: &Path) -> serde_json::Value {
    let report = fx.path("report.json");
    let run = run_in(
        fx.root(),
        &[
            "build",
            "--out",
            out.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap()
}

/// A warm build and a clean one (fresh cache, fresh output) give the same files; returns
/// the warm build's report.
fn assert_warm_equals_clean(fx: &Fixture, step: &str, clean_index: usize) -> serde_json::Value {
    let report = build(fx, &fx.path("warm"), &fx.path("warm-cache"));
    assert_eq!(report["unchanged"], false, "{step}: the inputs changed");
    let clean_out = fx.path(&format!("clean-{clean_index}"));
    build(
        fx,
        &clean_out,
        &fx.path(&format!("clean-cache-{clean_index}")),
    );
    let (warm_files, clean_files) = (tree_snapshot(&fx.path("warm")), tree_snapshot(&clean_out));
    let names = |files: &[(String, Vec<u8>)]| -> BTreeSet<String> {
        files.iter().map(|(path, _)| path.clone()).collect()
    };
    assert_eq!(
        names(&warm_files),
        names(&clean_files),
        "{step}: file lists differ"
    );
    for ((path, warm), (_, clean)) in warm_files.iter().zip(&clean_files) {
        assert!(
            warm == clean,
            "{step}: {path} differs between a warm and a clean build"
        );
    }
    report
}

const DEFAULT_SUMMARY: &str = "* [Jira](README.md)\n* [Setup](setup.md)\n* [FAQ](faq.md)\n";

/// Commits the current version's docs with this SUMMARY.md and setup page.
fn commit_current(repo: &mut Repo, summary: &str, setup: &str) {
    repo.commit_on_top(
        "master",
        "master",
        &[
            (
                "docs/README.md",
                "# Jira\n\n[Setup](setup.md) and [FAQ](faq.md#ask)\n",
            ),
            ("docs/SUMMARY.md", summary),
            ("docs/setup.md", setup),
            (
                "docs/faq.md",
                "# FAQ\n\n## Ask\n\nAsk away. {% content-ref url=\"setup.md\" %}\n",
            ),
        ],
    );
}

fn delete_branch(fx: &Fixture, name: &str) {
    let repo = git2::Repository::open(fx.path("repos/jira")).unwrap();
    repo.find_branch(name, git2::BranchType::Local)
        .unwrap()
        .delete()
        .unwrap();
}

#[test]
fn warm_builds_after_each_kind_of_edit_equal_clean_builds_and_nothing_changed_writes_nothing() {
    let (fx, mut repo) = portal();
    let first = build(&fx, &fx.path("warm"), &fx.path("warm-cache"));
    assert_eq!(first["unchanged"], false);
    assert!(fx.path("warm-cache/renderings").is_dir());
    // 5 pages in 2 versions and the portal's home: 5 distinct texts, setup.md is shared.
    assert_eq!(first["pages"], 6);
    assert_eq!(first["texts_parsed"], 5, "{first}");
    assert_eq!(first["texts_cached"], 0, "{first}");

    // Nothing changed: nothing is built, the output folder is the very same.
    let index = fx.path("warm/integrations/jira/latest/setup.html");
    let before = std::fs::metadata(&index).unwrap().modified().unwrap();
    let again = build(&fx, &fx.path("warm"), &fx.path("warm-cache"));
    assert_eq!(again["unchanged"], true, "{again}");
    assert_eq!(again["pages"], first["pages"]);
    assert_eq!(again["integrations"], first["integrations"]);
    assert_eq!(
        std::fs::metadata(&index).unwrap().modified().unwrap(),
        before
    );

    type Edit = Box<dyn Fn(&Fixture, &mut Repo)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "a page",
            Box::new(|_, repo| {
                commit_current(repo, DEFAULT_SUMMARY, "# Setup\n\nEdited text.\n");
            }),
        ),
        (
            "SUMMARY.md",
            Box::new(|_, repo| {
                commit_current(
                    repo,
                    "* [Jira](README.md)\n* [Questions](faq.md)\n* [Install](setup.md)\n",
                    "# Setup\n\nEdited text.\n",
                );
            }),
        ),
        (
            "a new branch",
            Box::new(|_, repo| {
                repo.commit_on_top(
                    "2.2-docs",
                    "2.1-docs",
                    &[
                        ("docs/README.md", "# Jira 2.2\n\n[Setup](setup.md)\n"),
                        (
                            "docs/SUMMARY.md",
                            "* [Jira](README.md)\n* [Setup](setup.md)\n",
                        ),
                        (
                            "docs/setup.md",
                            "# Setup\n\nShared text.\n\n```go\nfunc main() {}\n```\n",
                        ),
                    ],
                );
            }),
        ),
        (
            "a deleted branch",
            Box::new(|fx, _| delete_branch(fx, "2.1-docs")),
        ),
        (
            "a template",
            Box::new(|fx, _| {
                fx.write(
                    "themes/default/templates/page.html",
                    &format!("{PAGE_TEMPLATE}\n<!-- edited -->\n"),
                );
            }),
        ),
        (
            "site.toml",
            Box::new(|fx, _| {
                let text = std::fs::read_to_string(fx.path("site.toml")).unwrap();
                fx.write("site.toml", &text.replace("Test Portal", "Renamed Portal"));
            }),
        ),
    ];
    for (index, (step, edit)) in edits.iter().enumerate() {
        edit(&fx, &mut repo);
        let warm = assert_warm_equals_clean(&fx, step, index);
        if index == 0 {
            // One page changed: one text parsed, the rest from the cache.
            assert_eq!(warm["texts_parsed"], 1, "{warm}");
            assert_eq!(warm["texts_cached"], 5, "{warm}");
        }
    }
}

pub(crate) fn options(fx: &Fixture, cache: &str) -> BuildOptions {
    BuildOptions {
        root: fx.root().to_path_buf(),
        quiet: true,
        remote: RemoteOptions {
            cache_dir: Some(fx.path(cache)),
            ..RemoteOptions::default()
        },
        ..BuildOptions::default()
    }
}

/// `serve`'s rebuild after `changes` holds what a fresh assembly of the same inputs holds.
pub(crate) fn assert_rebuild_equals_clean(
    fx: &Fixture,
    site: &mut Site,
    changes: Changes,
    step: &str,
) {
    site.rebuild(&changes).unwrap();
    let clean = Site::assemble(
        &options(fx, &format!("clean-{step}")),
        ReadOptions::default(),
    )
    .unwrap();
    let (rebuilt, clean) = (files(site), files(&clean));
    assert_eq!(
        rebuilt.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        clean.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        "{step}: file lists differ"
    );
    for ((path, rebuilt), (_, clean)) in rebuilt.iter().zip(&clean) {
        assert!(
            rebuilt == clean,
            "{step}: {path} differs after serve's rebuild"
        );
    }
}

#[test]
fn serves_rebuilds_after_each_kind_of_edit_equal_clean_builds() {
    let (fx, mut repo) = portal();
    let mut site = Site::assemble(&options(&fx, "serve-cache"), ReadOptions::default()).unwrap();
    let integration = || Changes {
        integrations: [0].into_iter().collect(),
        ..Changes::default()
    };
    repo.commit_on_top(
        "master",
        "master",
        &[
            ("docs/README.md", "# Jira\n\n[Setup](setup.md)\n"),
            (
                "docs/SUMMARY.md",
                "* [Jira](README.md)\n* [Setup](setup.md)\n",
            ),
            ("docs/setup.md", "# Setup\n\nEdited.\n"),
        ],
    );
    assert_rebuild_equals_clean(&fx, &mut site, integration(), "page");
    repo.commit_on_top(
        "2.2-docs",
        "2.1-docs",
        &[
            ("docs/README.md", "# Jira 2.2\n"),
            (
                "docs/setup.md",
                "# Setup\n\nShared text.\n\n```go\nfunc main() {}\n```\n",
            ),
        ],
    );
    assert_rebuild_equals_clean(&fx, &mut site, integration(), "new-branch");
    delete_branch(&fx, "2.1-docs");
    assert_rebuild_equals_clean(&fx, &mut site, integration(), "deleted-branch");
    fx.write(
        "themes/default/templates/page.html",
        &format!("{PAGE_TEMPLATE}\n<!-- edited -->\n"),
    );
    let theme = Changes {
        theme: true,
        ..Changes::default()
    };
    assert_rebuild_equals_clean(&fx, &mut site, theme, "template");
    fx.write("content/_index.md", "# Portal\n\nEdited welcome.\n");
    let content = Changes {
        content: true,
        ..Changes::default()
    };
    assert_rebuild_equals_clean(&fx, &mut site, content, "content");
    let text = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    fx.write("site.toml", &text.replace("Test Portal", "Renamed Portal"));
    let config = Changes {
        config: true,
        ..Changes::default()
    };
    assert_rebuild_equals_clean(&fx, &mut site, config, "site-toml");
}

#[test]
fn a_corrupt_rendering_cache_is_ignored_and_the_output_is_the_same() {
    let (fx, _repo) = portal();
    build(&fx, &fx.path("out"), &fx.path("cache"));
    let clean = tree_snapshot(&fx.path("out"));
    // Damage every cached rendering, truncated or with its HTML changed in place (and
    // forget the last build, so that it runs again).
    let files = walkdir::WalkDir::new(fx.path("cache/renderings"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file());
    for (index, entry) in files.enumerate() {
        let mut bytes = std::fs::read(entry.path()).unwrap();
        if index % 2 == 0 {
            bytes.truncate(bytes.len() / 3);
        } else {
            let last = bytes.len() - 2;
            bytes[last] = if bytes[last] == b'x' { b'y' } else { b'x' };
        }
        std::fs::write(entry.path(), &bytes).unwrap();
    }
    std::fs::remove_dir_all(fx.path("cache/builds")).unwrap();
    let again = build(&fx, &fx.path("out"), &fx.path("cache"));
    assert_eq!(again["unchanged"], false);
    assert!(
        tree_snapshot(&fx.path("out")) == clean,
        "a corrupt cache changed the output"
    );
}

#[test]
fn check_reads_the_rendering_cache_but_writes_nothing_to_it() {
    let (fx, _repo) = portal();
    let cache = fx.path("check-cache");
    let run = run_in(
        fx.root(),
        &["check", "--cache-dir", cache.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!cache.join("renderings").exists());
    assert!(!cache.join("builds").exists());
}
