//! `portico version cut` (issue 12, part 1): the archive branch of one version, made in a
//! real repository by the real binary, and every refusal.

use crate::fixture::{Fixture, Run};

/// A `jira` integration at `repos/jira`, with `extra` lines in its table.
pub fn site(fx: &Fixture, extra: &str) {
    fx.site(&format!(
        "[[integrations]]\nid = \"jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n{extra}\n"
    ));
}

/// Releases v4.1.0, v4.2.0 and v4.2.3 (docs changed for each), then 4.3 on master.
fn released_repo(fx: &Fixture) {
    let mut repo = fx.repo("jira", "master");
    for version in ["4.1.0", "4.2.0", "4.2.3"] {
        repo.commit(
            "master",
            &[
                ("plugin.json", &format!(r#"{{"version": "{version}"}}"#)),
                ("docs/README.md", &format!("# Jira {version}\n")),
            ],
        )
        .tag(&format!("v{version}"));
    }
    repo.commit(
        "master",
        &[
            ("plugin.json", r#"{"version": "4.3.0"}"#),
            ("docs/README.md", "# Jira 4.3\n"),
        ],
    );
}

/// [`released_repo`] with the default pattern.
fn released_portal() -> Fixture {
    let fx = Fixture::new();
    released_repo(&fx);
    site(&fx, "");
    fx
}

/// Asserts that the run printed `text` on stdout.
fn says(run: &Run, text: &str) {
    assert!(
        run.stdout.contains(text),
        "{text:?} not in:\n{}",
        run.stdout
    );
}

fn git(fx: &Fixture) -> git2::Repository {
    git2::Repository::open(fx.path("repos/jira")).unwrap()
}

/// The commit `name` (a branch, tag or revision) points at, if it exists.
fn commit_of(fx: &Fixture, name: &str) -> Option<git2::Oid> {
    let repo = git(fx);
    let object = repo.revparse_single(name).ok()?;
    Some(object.peel_to_commit().ok()?.id())
}

fn has_branch(fx: &Fixture, name: &str) -> bool {
    git(fx).find_branch(name, git2::BranchType::Local).is_ok()
}

fn refused(run: &Run, wanted: &[&str]) {
    assert_eq!(run.code, 1, "{run:?}");
    for text in wanted {
        assert!(
            run.stderr.contains(text),
            "{text:?} not in:\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_dry_run_says_what_it_would_create_and_creates_nothing() {
    let fx = released_portal();
    let refs_before: Vec<String> = git(&fx)
        .references()
        .unwrap()
        .map(|r| r.unwrap().name().unwrap().to_string())
        .collect();

    let run = fx.run(&["version", "cut", "jira", "4.2", "--dry-run"]);
    assert_eq!(run.code, 0, "{run:?}");
    says(&run, "would create branch 4.2-docs at v4.2.3");
    says(&run, "the newest release tag of 4.2");
    says(&run, "push origin 4.2-docs");
    let refs_after: Vec<String> = git(&fx)
        .references()
        .unwrap()
        .map(|r| r.unwrap().name().unwrap().to_string())
        .collect();
    assert_eq!(refs_before, refs_after);
    assert!(!has_branch(&fx, "4.2-docs"));
}

#[test]
fn without_a_release_tag_the_branch_is_cut_at_the_default_branch_tip() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "main");
    repo.commit("main", &[("docs/README.md", "# First\n")]);
    repo.commit("main", &[("docs/README.md", "# Second\n")]);
    site(&fx, "");

    let run = fx.run(&["version", "cut", "jira", "1.0"]);
    assert_eq!(run.code, 0, "{run:?}");
    says(&run, "created branch 1.0-docs at main");
    says(&run, "the tip of main");
    assert_eq!(commit_of(&fx, "1.0-docs"), commit_of(&fx, "main"));
    // Never pushed: the command to publish it is printed instead.
    says(&run, "nothing was pushed");
    let push = format!(
        "  git -C {} push origin 1.0-docs",
        fx.path("repos/jira").display()
    );
    assert!(
        run.stdout.lines().any(|line| line == push),
        "{push}\n{}",
        run.stdout
    );
}

#[test]
fn an_unchanged_manifest_version_without_a_tag_is_cut_at_the_tip() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "main");
    let manifest = ("plugin.json", r#"{"version": "1.0.0"}"#);
    repo.commit("main", &[manifest, ("docs/README.md", "# First\n")]);
    repo.commit("main", &[manifest, ("docs/README.md", "# Second\n")]);
    site(&fx, "");
    let run = fx.run(&["version", "cut", "jira", "1.0"]);
    assert_eq!(run.code, 0, "{run:?}");
    says(&run, "created branch 1.0-docs at main");
    assert_eq!(commit_of(&fx, "1.0-docs"), commit_of(&fx, "main"));
}

#[test]
fn a_custom_pattern_names_the_branch_cut_at_the_newest_release_tag_of_the_version() {
    let fx = Fixture::new();
    released_repo(&fx);
    site(&fx, "version_branches = [\"orbit-docs-{version}\"]");

    let run = fx.run(&["version", "cut", "jira", "4.2"]);
    assert_eq!(run.code, 0, "{run:?}");
    says(&run, "created branch orbit-docs-4.2 at v4.2.3");
    assert!(has_branch(&fx, "orbit-docs-4.2"));
    assert!(!has_branch(&fx, "4.2-docs"));
    assert_eq!(commit_of(&fx, "orbit-docs-4.2"), commit_of(&fx, "v4.2.3"));
    assert_ne!(commit_of(&fx, "orbit-docs-4.2"), commit_of(&fx, "master"));

    // The build publishes it as version 4.2, with the docs of v4.2.3.
    fx.build_ok(&[]);
    assert!(
        fx.output("integrations/jira/4.2/index.html")
            .contains("Jira 4.2.3")
    );
}

#[test]
fn without_its_own_patterns_an_integration_names_the_branch_by_the_build_pattern() {
    let fx = Fixture::new();
    released_repo(&fx);
    fx.site(
        "[build]\nversion_branches = [\"archive/{version}\"]\n\n[[integrations]]\nid = \"jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"mattermost\"\n",
    );
    let run = fx.run(&["version", "cut", "jira", "4.1", "--dry-run"]);
    assert_eq!(run.code, 0, "{run:?}");
    says(&run, "would create branch archive/4.1 at v4.1.0");
}

#[test]
fn the_newest_release_is_chosen_numerically_and_a_tag_wins_over_the_manifest() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    for version in ["4.2.9", "4.2.10"] {
        repo.commit("master", &[("docs/README.md", &format!("# {version}\n"))])
            .tag(version);
    }
    repo.commit(
        "master",
        &[
            ("plugin.json", r#"{"version": "4.2.11"}"#),
            ("docs/README.md", "# next\n"),
        ],
    );
    site(&fx, "");
    let run = fx.run(&["version", "cut", "jira", "4.2"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        commit_of(&fx, "4.2-docs"),
        commit_of(&fx, "refs/tags/4.2.10")
    );
}

#[test]
fn without_a_tag_the_last_commit_of_a_plugin_json_version_is_archived() {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    for (version, docs) in [
        ("1.0.0", "# 1.0\n"),
        ("1.1.0", "# 1.1\n"),
        ("1.1.0", "# 1.1, fixed\n"),
        ("2.0.0", "# 2.0\n"),
    ] {
        repo.commit(
            "master",
            &[
                ("plugin.json", &format!(r#"{{"version": "{version}"}}"#)),
                ("docs/README.md", docs),
            ],
        );
    }
    site(&fx, "");
    let run = fx.run(&["version", "cut", "jira", "1.1"]);
    assert_eq!(run.code, 0, "{run:?}");
    says(
        &run,
        "the last commit of master whose plugin.json says 1.1.0",
    );
    assert_eq!(commit_of(&fx, "1.1-docs"), commit_of(&fx, "master~1"));

    // The current version's manifest release is the tip.
    let run = fx.run(&["version", "cut", "jira", "2.0", "--dry-run"]);
    says(&run, "would create branch 2.0-docs at master");
    says(&run, "plugin.json on the tip of master says 2.0.0");
}

#[test]
fn at_ref_cuts_where_asked() {
    let fx = released_portal();
    let run = fx.run(&["version", "cut", "jira", "4.2", "--at", "master~2"]);
    assert_eq!(run.code, 0, "{run:?}");
    says(&run, "as asked by --at");
    assert_eq!(commit_of(&fx, "4.2-docs"), commit_of(&fx, "v4.2.0"));
}

#[test]
fn the_push_command_names_the_repositorys_remote() {
    let fx = released_portal();
    git(&fx)
        .remote("upstream", "https://example.com/jira.git")
        .unwrap();
    let run = fx.run(&["version", "cut", "jira", "4.1"]);
    says(&run, "push upstream 4.1-docs");
    git(&fx)
        .remote("origin", "https://example.com/fork.git")
        .unwrap();
    let run = fx.run(&["version", "cut", "jira", "4.2"]);
    says(&run, "push origin 4.2-docs");
}

#[test]
fn an_existing_branch_is_refused_by_name_local_or_remote_tracking() {
    let fx = released_portal();
    let before = commit_of(&fx, "master~1");
    git(&fx)
        .reference("refs/heads/4.2-docs", before.unwrap(), false, "test")
        .unwrap();
    refused(
        &fx.run(&["version", "cut", "jira", "4.2"]),
        &["branch 4.2-docs already exists", "nothing was created"],
    );
    assert_eq!(commit_of(&fx, "4.2-docs"), before, "the branch was moved");

    // Already pushed from another clone: the remote-tracking branch counts (also of a
    // remote no longer configured).
    let tip = commit_of(&fx, "master").unwrap();
    git(&fx)
        .reference("refs/remotes/origin/4.1-docs", tip, false, "test")
        .unwrap();
    refused(
        &fx.run(&["version", "cut", "jira", "4.1", "--dry-run"]),
        &["branch origin/4.1-docs (remote-tracking) already exists"],
    );

    // Another branch archiving the same version under another pattern.
    site(
        &fx,
        "version_branches = [\"{version}-docs\", \"jira-docs-{version}\"]",
    );
    git(&fx)
        .reference("refs/heads/jira-docs-4.3", tip, false, "test")
        .unwrap();
    refused(
        &fx.run(&["version", "cut", "jira", "4.3"]),
        &["version 4.3 is already archived by branch jira-docs-4.3"],
    );
    assert!(!has_branch(&fx, "4.3-docs"));
}

#[test]
fn a_version_that_is_not_a_label_is_refused_saying_what_a_label_is() {
    let fx = released_portal();
    for bad in [
        "4.x", "latest", "4.2-rc1", "", "4", "04.2", "4.2.0.1", "4.2-docs",
    ] {
        refused(
            &fx.run(&["version", "cut", "jira", bad]),
            &[
                "is not a version to archive",
                "give major.minor, such as 4.2",
            ],
        );
    }
    assert!(!has_branch(&fx, "4-docs") && !has_branch(&fx, "04.2-docs"));
}

#[test]
fn a_version_never_released_is_refused_unless_at_names_the_commit() {
    let fx = released_portal();
    refused(
        &fx.run(&["version", "cut", "jira", "4.7"]),
        &["jira 4.7 was never released", "pass --at REF"],
    );
    assert!(!has_branch(&fx, "4.7-docs"));
    let run = fx.run(&["version", "cut", "jira", "4.7", "--at", "master"]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn a_minor_version_is_archived_once() {
    let fx = released_portal();
    assert_eq!(fx.run(&["version", "cut", "jira", "4.2"]).code, 0);
    refused(
        &fx.run(&["version", "cut", "jira", "4.2.3"]),
        &[
            "already archived by branch",
            "one archive per minor version",
        ],
    );
    assert!(!has_branch(&fx, "4.2.3-docs"));
}

#[test]
fn a_ref_that_does_not_exist_is_refused() {
    let fx = released_portal();
    refused(
        &fx.run(&["version", "cut", "jira", "4.2", "--at", "v9.9.9"]),
        &["REF \"v9.9.9\" does not exist"],
    );
    assert!(!has_branch(&fx, "4.2-docs"));
}

#[test]
fn an_unknown_integration_is_refused_with_the_closest_id() {
    let fx = released_portal();
    refused(
        &fx.run(&["version", "cut", "jria", "4.2"]),
        &["no integration \"jria\"", "did you mean \"jira\"?"],
    );
}

#[test]
fn a_url_integration_needs_a_local_clone_and_says_how_to_get_one() {
    let fx = Fixture::new();
    released_repo(&fx);
    fx.site(
        "[[integrations]]\nid = \"jira\"\nrepo = \"https://github.com/example/mattermost-plugin-jira.git\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n",
    );
    let run = fx.run(&["version", "cut", "jira", "4.2", "--dry-run"]);
    refused(
        &run,
        &[
            "git clone https://github.com/example/mattermost-plugin-jira.git jira && portico version cut jira 4.2 --repo jira --dry-run --root",
        ],
    );

    // --repo must be a clone of that repository: one of its remotes has its URL.
    let clone = fx.path("repos/jira");
    let run = fx.run(&[
        "version",
        "cut",
        "jira",
        "4.2",
        "--repo",
        clone.to_str().unwrap(),
    ]);
    refused(&run, &["not a clone of integration jira's repository"]);
    assert!(!has_branch(&fx, "4.2-docs"));
    git(&fx)
        .remote("origin", "git@github.com:example/mattermost-plugin-jira")
        .unwrap();
    let run = fx.run(&[
        "version",
        "cut",
        "jira",
        "4.2",
        "--repo",
        clone.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(commit_of(&fx, "4.2-docs"), commit_of(&fx, "v4.2.3"));
}
