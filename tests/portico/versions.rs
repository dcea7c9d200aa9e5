//! Which refs become versions, what they are called and in which order (SPEC.md "Versions").

use crate::fixture::{Fixture, switcher};

const MANIFEST_3_2: &str =
    r#"{"id": "jira", "name": "Jira", "version": "3.2.1", "min_server_version": "7.1.0"}"#;

fn docs(title: &str) -> String {
    format!("# {title}\n\nSee [setup](setup.md).\n")
}

fn integration(id: &str, managed_by: &str, extra: &str) -> String {
    format!(
        "[[integrations]]\nid = \"{id}\"\nrepo = \"repos/{id}\"\nmanaged_by = \"{managed_by}\"\ndeployments = [\"cloud\", \"self-managed\"]\n{extra}\n"
    )
}

/// Labels in switcher order, read from integrations.json.
fn labels(fx: &Fixture, id: &str) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&fx.output("integrations.json")).unwrap();
    json["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in integrations.json"))["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn archives_are_ordered_numerically_current_first() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    for version in ["2.9", "2.10", "v3.0", "10.1"] {
        let readme = docs(&format!("Jira {version}"));
        repo.commit(
            &format!("{version}-docs"),
            &[("docs/README.md", &readme), ("docs/setup.md", "# Setup\n")],
        );
    }
    repo.commit(
        "master",
        &[
            ("plugin.json", MANIFEST_3_2),
            ("docs/README.md", &docs("Jira")),
            ("docs/setup.md", "# Setup\n"),
        ],
    );
    fx.site(&integration("jira", "mattermost", ""));
    fx.build_ok(&[]);
    assert_eq!(labels(&fx, "jira"), ["3.2", "10.1", "3.0", "2.10", "2.9"]);

    // The switcher lists the same order on every page.
    let page = fx.output("integrations/jira/2.10/setup.html");
    let entries: Vec<String> = switcher(&page)
        .into_iter()
        .map(|(label, ..)| label)
        .collect();
    assert_eq!(entries, ["3.2", "10.1", "3.0", "2.10", "2.9"]);
}

#[test]
fn remote_tracking_archives_count_and_local_branches_win() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit(
        "refs/remotes/origin/1.0-docs",
        &[("docs/README.md", "# Remote only 1.0\n")],
    );
    repo.commit(
        "refs/remotes/origin/1.1-docs",
        &[("docs/README.md", "# Remote 1.1\n")],
    );
    repo.commit("1.1-docs", &[("docs/README.md", "# Local 1.1\n")]);
    repo.commit(
        "master",
        &[
            ("plugin.json", MANIFEST_3_2),
            ("docs/README.md", "# Current\n"),
        ],
    );
    fx.site(&integration("jira", "mattermost", ""));
    let run = fx.build_ok(&[]);
    assert!(run.warnings().is_empty(), "{}", run.stderr);
    assert_eq!(labels(&fx, "jira"), ["3.2", "1.1", "1.0"]);
    assert!(
        fx.output("integrations/jira/1.0/index.html")
            .contains("Remote only 1.0")
    );
    assert!(
        fx.output("integrations/jira/1.1/index.html")
            .contains("Local 1.1")
    );
}

#[test]
fn current_label_comes_from_manifest_then_reachable_tag_then_latest() {
    let fx = Fixture::new();
    // Manifest version.
    fx.repo("a", "master").commit(
        "master",
        &[
            ("plugin.json", r#"{"version": "v4.10.3"}"#),
            ("README.md", "# A\n"),
        ],
    );
    // No manifest version: newest tag at or behind the tip (a newer tag on another branch is ignored).
    let mut b = fx.repo("b", "main");
    b.commit(
        "main",
        &[
            ("plugin.json", r#"{"id": "b"}"#),
            ("README.md", "# B 1.6\n"),
        ],
    )
    .tag("v1.6.0");
    b.commit(
        "main",
        &[
            ("plugin.json", r#"{"id": "b"}"#),
            ("README.md", "# B 1.7\n"),
        ],
    )
    .tag("v1.7.0");
    b.commit(
        "main",
        &[
            ("plugin.json", r#"{"id": "b"}"#),
            ("README.md", "# B after 1.7\n"),
        ],
    );
    b.commit("refs/heads/experiment", &[("README.md", "# B next\n")])
        .tag("v9.0.0");
    // Neither: latest.
    fx.repo("c", "master")
        .commit("master", &[("README.md", "# C\n")]);
    fx.site(
        &[
            integration("a", "mattermost", ""),
            integration("b", "community", ""),
            integration("c", "community", ""),
        ]
        .concat(),
    );
    fx.build_ok(&[]);
    assert_eq!(labels(&fx, "a"), ["4.10"]);
    assert_eq!(labels(&fx, "b"), ["1.7"]);
    assert_eq!(labels(&fx, "c"), ["latest"]);
    assert!(
        fx.output("integrations/b/1.7/index.html")
            .contains("B after 1.7")
    );
    assert!(
        fx.output("integrations/b/latest/index.html")
            .contains("B after 1.7")
    );
    // A current version without a number lives only at latest/.
    assert!(
        fx.output("integrations/c/latest/index.html")
            .contains("<h1")
    );
}

#[test]
fn shadowed_archives_warn_and_odd_docs_branches_are_listed() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit("3.2-docs", &[("docs/README.md", "# Stale 3.2\n")]);
    repo.commit(
        "jira-setup-docs",
        &[("docs/README.md", "# Not a version\n")],
    );
    repo.commit(
        "docs-cleanup",
        &[("docs/README.md", "# Not a version either\n")],
    );
    repo.commit("3.1-docs", &[("docs/README.md", "# 3.1\n")]);
    repo.commit(
        "master",
        &[
            ("plugin.json", MANIFEST_3_2),
            ("docs/README.md", "# Current 3.2\n"),
        ],
    );
    fx.site(&integration("jira", "mattermost", ""));
    let run = fx.build_ok(&[]);
    assert_eq!(labels(&fx, "jira"), ["3.2", "3.1"]);
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 2, "{}", run.stderr);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("branch 3.2-docs") && w.contains("shadows")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("branch jira-setup-docs")
            && w.contains("matches no version_branches pattern")),
        "{warnings:?}"
    );
    assert!(
        fx.output("integrations/jira/3.2/index.html")
            .contains("Current 3.2")
    );

    let list = fx.run(&["list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(list.stdout.contains("jira-setup-docs"), "{}", list.stdout);
    assert!(!list.stdout.contains("docs-cleanup"), "{}", list.stdout);
    assert!(
        list.stdout.contains("3.1      archived branch 3.1-docs"),
        "{}",
        list.stdout
    );
}

#[test]
fn custom_branch_patterns_and_release_tags_make_versions() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit("jira-docs-2.3", &[("docs/README.md", "# Jira 2.3\n")]);
    repo.commit("jira-docs-3.0.1", &[("docs/README.md", "# Jira 3.0.1\n")]);
    repo.commit("master", &[("readme.md", "# Jira now\n")])
        .tag("v4.7.0");
    let mut tagged = fx.repo("gitlab", "master");
    tagged
        .commit("master", &[("docs/README.md", "# GitLab 1.3.0\n")])
        .tag("v1.3.0");
    tagged
        .commit("master", &[("docs/README.md", "# GitLab 1.3.2\n")])
        .tag("v1.3.2");
    tagged
        .commit("master", &[("docs/README.md", "# GitLab 1.7\n")])
        .tag("v1.7.0")
        .tag("v1.7.0-rc1");
    tagged
        .commit("master", &[("README.md", "# GitLab now\n")])
        .tag("v1.13.0");
    fx.site(
        &[
            integration(
                "jira",
                "mattermost",
                "version_branches = [\"jira-docs-{version}\"]",
            ),
            integration("gitlab", "mattermost", "version_tags = [\"v{version}\"]"),
        ]
        .concat(),
    );
    fx.build_ok(&[]);
    assert_eq!(labels(&fx, "jira"), ["4.7", "3.0.1", "2.3"]);
    assert_eq!(labels(&fx, "gitlab"), ["1.13", "1.7", "1.3"]);
    assert!(
        fx.output("integrations/gitlab/1.3/index.html")
            .contains("GitLab 1.3.2")
    );
}

#[test]
fn bare_repositories_and_configured_branches_work() {
    let fx = Fixture::new();
    let mut repo = fx.bare_repo("jira", "master");
    repo.commit("1.0-docs", &[("docs/README.md", "# One\n")]);
    repo.commit("master", &[("docs/README.md", "# Master\n")]);
    repo.commit(
        "release",
        &[
            ("plugin.json", r#"{"version": "2.0.0"}"#),
            ("docs/README.md", "# Release branch\n"),
        ],
    );
    fx.site(&integration("jira", "mattermost", "branch = \"release\""));
    fx.build_ok(&[]);
    assert_eq!(labels(&fx, "jira"), ["2.0", "1.0"]);
    assert!(
        fx.output("integrations/jira/latest/index.html")
            .contains("Release branch")
    );
}

#[test]
fn annotated_tags_and_a_detached_head_work_like_a_ci_checkout() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit("1.0-docs", &[("docs/README.md", "# One\n")]);
    repo.commit(
        "master",
        &[
            ("plugin.json", r#"{"id": "jira"}"#),
            ("docs/README.md", "# Two\n"),
        ],
    );
    let git = git2::Repository::open(fx.path("repos/jira")).unwrap();
    let head = git.head().unwrap().peel_to_commit().unwrap();
    let signature = git2::Signature::new(
        "Release",
        "r@example.com",
        &git2::Time::new(1_700_000_000, 0),
    )
    .unwrap();
    git.tag(
        "v2.4.1",
        head.as_object(),
        &signature,
        "Release 2.4.1",
        false,
    )
    .unwrap();
    // CI checks out a commit, not a branch; the branch exists as origin/master.
    git.reference("refs/remotes/origin/master", head.id(), true, "ci")
        .unwrap();
    git.reference_symbolic(
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/master",
        true,
        "ci",
    )
    .unwrap();
    git.set_head_detached(head.id()).unwrap();
    git.find_reference("refs/heads/master")
        .unwrap()
        .delete()
        .unwrap();
    fx.site(&integration("jira", "mattermost", ""));
    fx.build_ok(&[]);
    assert_eq!(labels(&fx, "jira"), ["2.4", "1.0"]);
    let json: serde_json::Value = serde_json::from_str(&fx.output("integrations.json")).unwrap();
    assert_eq!(json["integrations"][0]["default_branch"], "master");
}

#[test]
fn an_empty_repository_fails_naming_the_integration() {
    let fx = Fixture::new();
    git2::Repository::init(fx.path("repos/empty")).unwrap();
    fx.site(&integration("empty", "community", ""));
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("integration empty") && run.stderr.contains("no default branch"),
        "{}",
        run.stderr
    );
    let list = fx.run(&["list"]);
    assert_eq!(
        list.code, 1,
        "list fails too when an integration cannot be read"
    );
    assert!(list.stdout.contains("cannot be read"), "{}", list.stdout);
}
