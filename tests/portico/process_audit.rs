//! `portico audit` (issue 12, part 2): the branching policy checked from git alone, on real
//! repositories with release tags, manifest versions and archive branches.

use std::process::Command;

use crate::fixture::{Fixture, Repo, Run};
use crate::process_cut::site;

fn manifest(version: &str) -> String {
    format!(r#"{{"id": "jira", "version": "{version}"}}"#)
}

/// Releases v1.0.0, v1.1.0, v1.2.0 and the current v2.0.0, the docs changed for each, and
/// no archive branch.
fn three_unarchived_releases(fx: &Fixture) -> Repo {
    let mut repo = fx.repo("jira", "master");
    for version in ["1.0.0", "1.1.0", "1.2.0", "2.0.0"] {
        repo.commit(
            "master",
            &[
                ("plugin.json", &manifest(version)),
                ("docs/README.md", &format!("# Jira {version}\n")),
            ],
        )
        .tag(&format!("v{version}"));
    }
    repo
}

fn audit(fx: &Fixture, args: &[&str]) -> Run {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    fx.run(&all)
}

/// Asserts that the run printed `text` on stderr.
fn prints(run: &Run, text: &str) {
    assert!(
        run.stderr.contains(text),
        "{text:?} not in:\n{}",
        run.stderr
    );
}

fn report(fx: &Fixture) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fx.path("audit.json")).unwrap()).unwrap()
}

#[test]
fn each_release_left_unarchived_is_named_and_the_current_one_is_not() {
    let fx = Fixture::new();
    three_unarchived_releases(&fx);
    site(&fx, "");
    let run = audit(&fx, &[]);
    assert_eq!(run.code, 0, "warnings only by default: {run:?}");
    for (version, changes) in [("1.0", 3), ("1.1", 2), ("1.2", 1)] {
        let time = if changes == 1 { "time" } else { "times" };
        let expected = format!("warning: jira {version} released (v{version}.0, 2020-09-");
        prints(&run, &expected);
        let expected = format!(
            "docs changed {changes} {time} since; no {version}-docs branch: run `portico version cut jira {version}"
        );
        prints(&run, &expected);
    }
    assert!(!run.stderr.contains("jira 2.0 released"), "{}", run.stderr);
    assert_eq!(run.warnings().len(), 3, "{}", run.stderr);

    // Following the advice makes the audit pass, even with --strict.
    for version in ["1.0", "1.1", "1.2"] {
        let cut = fx.run(&["version", "cut", "jira", version]);
        assert_eq!(cut.code, 0, "{cut:?}");
    }
    let run = audit(&fx, &["--strict"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.warnings().is_empty(), "{}", run.stderr);
}

#[test]
fn strict_fails_on_any_finding() {
    let fx = Fixture::new();
    three_unarchived_releases(&fx);
    site(&fx, "");
    let run = audit(&fx, &["--strict"]);
    assert_eq!(run.code, 1, "{run:?}");
    prints(&run, "failing (--strict)");
}

#[test]
fn the_report_has_one_entry_per_finding_with_the_command_that_fixes_it() {
    let fx = Fixture::new();
    three_unarchived_releases(&fx);
    site(&fx, "version_branches = [\"orbit-docs-{version}\"]");
    let path = fx.path("audit.json");
    let run = audit(&fx, &["--report", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = report(&fx);
    assert_eq!(json["integrations"], 1);
    assert_eq!(json["warnings"], 3);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3, "{json:#}");
    for (finding, version) in findings.iter().zip(["1.0", "1.1", "1.2"]) {
        assert_eq!(finding["integration"], "jira");
        assert_eq!(finding["kind"], "missing-archive");
        assert_eq!(finding["severity"], "warning");
        assert_eq!(finding["version"], version);
        let message = finding["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("no orbit-docs-{version} branch")),
            "{message}"
        );
        let command = finding["command"].as_str().unwrap();
        assert!(
            command.starts_with(&format!("portico version cut jira {version} --root ")),
            "{command}"
        );
    }
}

#[test]
fn versions_whose_docs_did_not_change_since_need_no_archive() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    let docs = ("docs/README.md", "# Jira\n");
    repo.commit("master", &[("plugin.json", &manifest("1.0.0")), docs])
        .tag("v1.0.0");
    repo.commit(
        "master",
        &[
            ("plugin.json", &manifest("2.0.0")),
            docs,
            ("main.go", "package main\n"),
        ],
    )
    .tag("v2.0.0");
    site(&fx, "");
    let run = audit(&fx, &["--strict"]);
    assert_eq!(run.code, 0, "{run:?}");
    prints(
        &run,
        "note: jira 1.0 released (v1.0.0, 2020-09-14); docs unchanged since: no archive needed yet",
    );
}

#[test]
fn versions_the_build_publishes_from_tags_need_no_archive_branch() {
    let fx = Fixture::new();
    three_unarchived_releases(&fx);
    site(&fx, "version_tags = [\"v{version}\"]");
    let run = audit(&fx, &["--strict"]);
    assert_eq!(run.code, 0, "{run:?}");
    prints(
        &run,
        "note: jira 1.1 released (v1.1.0, 2020-09-15); published from the tag (version_tags)",
    );
}

#[test]
fn plugin_json_versions_in_the_history_are_releases_too() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "main");
    for version in ["0.9.0", "1.0.0", "1.0.1", "1.1.0"] {
        repo.commit(
            "main",
            &[
                ("plugin.json", &manifest(version)),
                ("docs/README.md", &format!("# Jira {version}\n")),
            ],
        );
    }
    site(&fx, "");
    let run = audit(&fx, &[]);
    prints(&run, "warning: jira 1.0 released (plugin.json 1.0.1 at ");
    prints(&run, "jira 0.9 released (plugin.json 0.9.0 at ");
    assert!(!run.stderr.contains("jira 1.1 released"), "{}", run.stderr);
}

#[test]
fn readme_era_docs_are_the_root_readme_and_code_changes_do_not_count() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit(
        "master",
        &[
            ("README.md", "# Jira\n"),
            ("plugin.json", &manifest("1.0.0")),
        ],
    )
    .tag("v1.0.0");
    repo.commit(
        "master",
        &[
            ("README.md", "# Jira\n"),
            ("plugin.json", &manifest("1.0.0")),
            ("main.go", "x"),
        ],
    );
    repo.commit(
        "master",
        &[
            ("README.md", "# Jira 2\n"),
            ("plugin.json", &manifest("2.0.0")),
        ],
    );
    site(&fx, "");
    let run = audit(&fx, &[]);
    prints(
        &run,
        "jira 1.0 released (v1.0.0, 2020-09-14); docs changed 1 time since",
    );
}

#[test]
fn a_settings_change_without_a_docs_change_is_found() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    let with_settings = |version: &str, settings: &str| {
        format!(
            r#"{{"id": "jira", "version": "{version}", "settings_schema": {{"settings": [{settings}]}}}}"#
        )
    };
    let docs = ("docs/README.md", "# Jira\n");
    repo.commit(
        "master",
        &[("plugin.json", &with_settings("1.0.0", "")), docs],
    )
    .tag("v1.0.0");
    let setting = r#"{"key": "EnableThing", "type": "bool"}"#;
    repo.commit(
        "master",
        &[("plugin.json", &with_settings("1.1.0", setting)), docs],
    )
    .tag("v1.1.0");
    // A new setting documented with it: fine.
    let two = format!("{setting}, {{\"key\": \"Token\", \"type\": \"text\"}}");
    repo.commit(
        "master",
        &[
            ("plugin.json", &with_settings("1.2.0", &two)),
            ("docs/README.md", "# Jira\n\nSet Token.\n"),
        ],
    )
    .tag("v1.2.0");
    site(&fx, "");
    let path = fx.path("audit.json");
    let run = audit(&fx, &["--report", path.to_str().unwrap()]);
    prints(
        &run,
        "jira 1.1.0 (v1.1.0, 2020-09-15) changed plugin.json settings_schema since v1.0.0 but the docs (docs/) did not change",
    );
    let json = report(&fx);
    let settings: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "settings-without-docs")
        .collect();
    assert_eq!(settings.len(), 1, "{json:#}");
    assert_eq!(settings[0]["version"], "1.1.0");
    assert!(settings[0]["command"].is_null());
}

#[test]
fn an_archive_matching_no_release_is_found() {
    let fx = Fixture::new();
    let mut repo = three_unarchived_releases(&fx);
    repo.commit("1.1-docs", &[("docs/README.md", "# Jira 1.1\n")]);
    repo.commit("9.9-docs", &[("docs/README.md", "# Jira 9.9?\n")]);
    site(&fx, "");
    let run = audit(&fx, &[]);
    prints(
        &run,
        "jira archive branch 9.9-docs (version 9.9) matches no release",
    );
    assert!(
        !run.stderr.contains("branch 1.1-docs (version"),
        "{}",
        run.stderr
    );
    // 1.1 is archived now; 1.0 and 1.2 are still missing.
    assert!(!run.stderr.contains("no 1.1-docs branch"), "{}", run.stderr);
    prints(&run, "no 1.0-docs branch");
    prints(&run, "no 1.2-docs branch");
}

#[test]
fn docs_that_did_not_change_for_releases_are_reported_with_their_age() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    let docs = ("docs/README.md", "# Jira\n");
    repo.commit("master", &[docs, ("plugin.json", &manifest("0.1.0"))]);
    for version in ["1.0.0", "1.1.0", "1.2.0"] {
        repo.commit(
            "master",
            &[
                docs,
                ("main.go", version),
                ("plugin.json", &manifest(version)),
            ],
        )
        .tag(&format!("v{version}"));
    }
    site(&fx, "");
    let run = audit(&fx, &[]);
    prints(&run, "jira docs (docs/) last changed 2020-09-14 (commit ");
    prints(
        &run,
        "3 releases ago (minor/major versions released since: 1.0, 1.1, 1.2)",
    );
}

#[test]
fn findings_are_workflow_annotations_in_github_actions() {
    let fx = Fixture::new();
    three_unarchived_releases(&fx);
    site(&fx, "");
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("--root")
        .arg(fx.root())
        .arg("audit")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", fx.root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("::warning title=jira 1.0::jira 1.0 released (v1.0.0, "),
        "{stdout}"
    );
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("::warning"))
            .count(),
        3
    );
}

#[test]
fn remote_integrations_are_read_from_their_mirror() {
    let fx = Fixture::new();
    let mut repo = fx.repo_at("upstream/jira", "master");
    for version in ["1.0.0", "2.0.0"] {
        repo.commit(
            "master",
            &[
                ("plugin.json", &manifest(version)),
                ("docs/README.md", &format!("# Jira {version}\n")),
            ],
        )
        .tag(&format!("v{version}"));
    }
    let url = format!(
        "file://{}",
        fx.path("upstream/jira").canonicalize().unwrap().display()
    );
    fx.site(&format!(
        "[build]\ncache_dir = \"cache\"\n\n[[integrations]]\nid = \"jira\"\nrepo = \"{url}\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n"
    ));
    // Offline with nothing cached: the integration cannot be audited, which fails.
    let run = audit(&fx, &["--offline"]);
    assert_eq!(run.code, 1, "{run:?}");
    prints(&run, "error: jira: cannot be audited");

    let run = audit(&fx, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    prints(
        &run,
        "no 1.0-docs branch: run `portico version cut jira 1.0 --repo CLONE",
    );
    prints(&run, "(CLONE: a local clone of file://");
    // Then from the cache alone.
    let run = audit(&fx, &["--offline"]);
    assert_eq!(run.code, 0, "{run:?}");
    prints(&run, "no 1.0-docs branch");
}

#[test]
fn a_manifest_behind_the_release_tags_is_reported_and_the_tags_decide_what_is_older() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    // The manifest never moved past 1.0.0 while the releases were tagged.
    for (version, text) in [("1.0.0", "one"), ("1.1.0", "two"), ("2.0.0", "three")] {
        repo.commit(
            "master",
            &[
                ("plugin.json", &manifest("1.0.0")),
                ("docs/README.md", &format!("# Jira {text}\n")),
            ],
        )
        .tag(&format!("v{version}"));
    }
    site(&fx, "");
    let run = audit(&fx, &[]);
    prints(
        &run,
        "the manifest on the default branch master says version 1.0.0, but v2.0.0",
    );
    prints(&run, "jira 1.0 released (v1.0.0");
    prints(&run, "jira 1.1 released (v1.1.0");
    assert!(!run.stderr.contains("jira 2.0 released"), "{}", run.stderr);
}

#[test]
fn readme_era_docs_count_the_pages_the_readme_links_and_the_readme_before_a_docs_folder() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    // Releases whose docs are the root README and the docs/ page it links to (no
    // docs/README.md): a change to the linked page is a docs change.
    let schema = |n: u32| {
        format!(
            r#"{{"id": "jira", "version": "1.{n}.0", "settings_schema": {{"settings": [{{"key": "K{n}"}}]}}}}"#
        )
    };
    for n in 0..3 {
        repo.commit(
            "master",
            &[
                ("plugin.json", &schema(n)),
                ("README.md", "# Jira\n\nSee [the guide](docs/guide.md).\n"),
                ("docs/guide.md", &format!("# Guide\n\nSettings K0..K{n}.\n")),
            ],
        )
        .tag(&format!("v1.{n}.0"));
    }
    site(&fx, "");
    let run = audit(&fx, &[]);
    prints(&run, "jira 1.0 released (v1.0.0");
    prints(&run, "jira 1.1 released (v1.1.0");
    assert!(!run.stderr.contains("settings_schema"), "{}", run.stderr);
}
