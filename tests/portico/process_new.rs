//! `portico new`: docs scaffolded from the contribution template into a real plugin
//! repository, the `[[integrations]]` entry appended to a commented `site.toml`, the result
//! built once committed; and every refusal, which writes nothing. Also `site.toml` errors
//! naming their key, through the binary.

use std::path::Path;

use crate::fixture::{Fixture, run_in, tree_snapshot};

/// A hand-written `site.toml`: comments everywhere, blank lines, a table after the
/// integrations, and a comment block at the very end.
const SITE_TOML: &str = r#"# Integrations portal — edited by hand, keep it tidy.
[site]
title = "Integrations"   # shown in every page's header
base_url = "https://docs.example.com/"

# One table per integration, alphabetical.
[[integrations]]
id = "jira"
repo = "repos/jira"      # a local clone
managed_by = "mattermost"
deployments = ["cloud", "self-managed"]

[build]
# Archives are cut as <version>-docs.
version_branches = ["{version}-docs"]

# Next quarter:
#   zoom, once its docs move to docs/
"#;

const ORBIT_MANIFEST: &str =
    r#"{"id": "com.example.orbit", "name": "Orbit Tracker", "version": "0.1.0"}"#;

/// The portal, `jira` committed, and an `orbit` plugin repository with code and a manifest
/// but no docs yet, checked out.
fn portal() -> Fixture {
    let fx = Fixture::new();
    fx.write("site.toml", SITE_TOML);
    fx.repo("jira", "main")
        .commit("main", &[("docs/README.md", "# Jira\n\nHello.\n")]);
    fx.repo("orbit", "main")
        .commit(
            "main",
            &[
                ("plugin.json", ORBIT_MANIFEST),
                ("server/main.go", "package main\n"),
            ],
        )
        .checkout();
    fx
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// Stages `folder` on top of HEAD's tree and commits it, as the author would.
fn commit_folder(repo: &Path, folder: &str) {
    let repo = git2::Repository::open(repo).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    let mut index = repo.index().unwrap();
    index.read_tree(&head.tree().unwrap()).unwrap();
    index
        .add_all([folder], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let author = git2::Signature::new(
        "Writer",
        "writer@example.com",
        &git2::Time::new(1_700_000_000, 0),
    )
    .unwrap();
    repo.commit(Some("HEAD"), &author, &author, "Docs", &tree, &[&head])
        .unwrap();
}

/// Paths in the index of the repository at `repo` (what is staged).
fn staged(repo: &Path) -> Vec<String> {
    let repo = git2::Repository::open(repo).unwrap();
    let index = repo.index().unwrap();
    index
        .iter()
        .map(|entry| String::from_utf8_lossy(&entry.path).into_owned())
        .collect()
}

fn head_of(repo: &Path) -> git2::Oid {
    let repo = git2::Repository::open(repo).unwrap();
    repo.head().unwrap().peel_to_commit().unwrap().id()
}

const ORBIT_ENTRY: &str = "\n[[integrations]]\nid = \"orbit\"\nname = \"Orbit Tracker\"\nrepo = \"repos/orbit\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\ndescription = \"Satellites in channels.\"\n";

#[test]
fn new_scaffolds_the_docs_appends_the_entry_and_the_committed_docs_build() {
    let fx = portal();
    let orbit = fx.path("repos/orbit");
    let head = head_of(&orbit);
    let staged_before = staged(&orbit);
    let run = fx.run(&[
        "new",
        "orbit",
        "--repo",
        path_arg(&orbit),
        "--managed-by",
        "mattermost",
        "--deployments",
        "cloud",
        "--description",
        "Satellites in channels.",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // site.toml: the old text byte for byte, then the new table.
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    assert_eq!(site, format!("{SITE_TOML}{ORBIT_ENTRY}"));

    // The docs, filled from the manifest and the flags; nothing staged or committed.
    for page in [
        "README.md",
        "SUMMARY.md",
        "setup.md",
        "configuration.md",
        "user-guide.md",
        "troubleshooting.md",
    ] {
        let text = std::fs::read_to_string(orbit.join("docs").join(page)).unwrap();
        assert!(!text.contains("{{"), "{page} keeps a placeholder:\n{text}");
    }
    let readme = std::fs::read_to_string(orbit.join("docs/README.md")).unwrap();
    assert!(readme.starts_with("# Orbit Tracker\n"), "{readme}");
    assert!(readme.contains("Satellites in channels."), "{readme}");
    assert!(
        readme.contains("**Available on:** Cloud. **Maintained by:** Mattermost."),
        "{readme}"
    );
    assert_eq!(head_of(&orbit), head);
    assert_eq!(staged(&orbit), staged_before);

    // What was written, and what to do next: commit first.
    assert!(run.stdout.contains("wrote 6 pages into"), "{}", run.stdout);
    assert!(run.stdout.contains("id = \"orbit\""), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!(
            "git -C {0} add docs && git -C {0} commit",
            path_arg(&orbit)
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("serve"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(&format!("check --repo {}", path_arg(&orbit))),
        "{}",
        run.stdout
    );

    // The build reads commits only: until the docs are committed, orbit has none.
    let before_commit = fx.run(&["build"]);
    assert_eq!(before_commit.code, 1, "{}", before_commit.stderr);
    assert!(
        before_commit
            .stderr
            .contains("integration orbit: the default branch main has no docs"),
        "{}",
        before_commit.stderr
    );
    // Once committed, the portal builds it from git (no working tree read).
    commit_folder(&orbit, "docs");
    fx.build_ok(&[]);
    let index = fx.output("integrations/orbit/latest/index.html");
    assert!(index.contains("Orbit Tracker"), "{index}");
    for page in ["setup", "configuration", "user-guide", "troubleshooting"] {
        assert!(
            fx.has_output(&format!("integrations/orbit/latest/{page}.html")),
            "{page}.html missing"
        );
    }
    assert!(fx.has_output("integrations/jira/latest/index.html"));
}

#[test]
fn new_defaults_to_community_on_both_deployments_and_names_the_id_without_a_manifest() {
    let fx = portal();
    fx.repo("plain", "main");
    let run = fx.run(&["new", "plain", "--repo", path_arg(&fx.path("repos/plain"))]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    assert!(
        site.ends_with("\n[[integrations]]\nid = \"plain\"\nname = \"plain\"\nrepo = \"repos/plain\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\", \"self-managed\"]\n"),
        "{site}"
    );
    let readme = std::fs::read_to_string(fx.path("repos/plain/docs/README.md")).unwrap();
    assert!(
        readme.contains(
            "**Available on:** Cloud and self-managed servers. **Maintained by:** the community."
        ),
        "{readme}"
    );
}

/// Runs `new` and asserts it fails with `expected` in its message, changing no file.
fn refused(fx: &Fixture, args: &[&str], code: i32, expected: &str) {
    let before = tree_snapshot(fx.root());
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    let run = run_in(fx.root(), &all);
    assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
    assert!(
        run.stderr.contains(expected),
        "{args:?}: expected {expected:?} in:\n{}",
        run.stderr
    );
    assert!(tree_snapshot(fx.root()) == before, "{args:?} changed files");
}

#[test]
fn new_refuses_an_existing_id_naming_its_line() {
    let fx = portal();
    let orbit = fx.path("repos/orbit");
    refused(
        &fx,
        &["jira", "--repo", path_arg(&orbit)],
        1,
        "site.toml:8: integration \"jira\" already exists",
    );
}

#[test]
fn new_refuses_a_repository_the_portal_already_reads() {
    let fx = portal();
    let jira = fx.path("repos/jira");
    fx.repo("jira", "main").checkout();
    refused(
        &fx,
        &["jira-two", "--repo", path_arg(&jira)],
        1,
        "site.toml:8: integration \"jira\" already reads the repository",
    );
}

#[test]
fn new_names_a_repository_beside_the_portal_relatively() {
    let fx = portal();
    let portal_dir = fx.path("portal");
    std::fs::create_dir_all(&portal_dir).unwrap();
    std::fs::copy(fx.path("site.toml"), portal_dir.join("site.toml")).unwrap();
    let orbit = fx.path("repos/orbit");
    let run = run_in(&portal_dir, &["new", "orbit", "--repo", path_arg(&orbit)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let site = std::fs::read_to_string(portal_dir.join("site.toml")).unwrap();
    assert!(site.contains("repo = \"../repos/orbit\""), "{site}");
}

#[test]
fn new_refuses_an_invalid_id_saying_the_rule() {
    let fx = portal();
    let orbit = fx.path("repos/orbit");
    refused(
        &fx,
        &["Orbit Tracker", "--repo", path_arg(&orbit)],
        1,
        "\"Orbit Tracker\" is not a valid integration id (it is the URL segment of its docs): use lowercase letters",
    );
}

#[test]
fn new_refuses_a_docs_folder_that_exists() {
    let fx = portal();
    let orbit = fx.path("repos/orbit");
    fx.write("repos/orbit/docs/notes.md", "# Notes\n");
    refused(
        &fx,
        &["orbit", "--repo", path_arg(&orbit)],
        1,
        &format!("{} already exists", orbit.join("docs").display()),
    );
}

#[test]
fn new_refuses_a_folder_that_is_not_a_repository() {
    let fx = portal();
    fx.write("plugins/orbit/plugin.json", ORBIT_MANIFEST);
    let folder = fx.path("plugins/orbit");
    refused(
        &fx,
        &["orbit", "--repo", path_arg(&folder)],
        1,
        "is not a git repository (or not its top folder): run `git init` there first",
    );
    // A folder inside a repository is not its top folder either.
    let inside = fx.path("repos/orbit/server");
    refused(
        &fx,
        &["orbit", "--repo", path_arg(&inside)],
        1,
        "run `git init` there first",
    );
}

#[test]
fn new_refuses_values_that_are_not_allowed_as_usage_errors() {
    let fx = portal();
    let orbit = fx.path("repos/orbit");
    refused(
        &fx,
        &["orbit", "--repo", path_arg(&orbit), "--managed-by", "staff"],
        2,
        "invalid value 'staff'",
    );
    refused(
        &fx,
        &[
            "orbit",
            "--repo",
            path_arg(&orbit),
            "--deployments",
            "cloud,saas",
        ],
        2,
        "invalid value 'saas'",
    );
}

#[test]
fn new_refuses_a_site_toml_that_does_not_load_and_names_the_key() {
    let fx = portal();
    fx.write(
        "site.toml",
        &SITE_TOML.replace("\"mattermost\"", "\"mattermst\""),
    );
    let orbit = fx.path("repos/orbit");
    refused(
        &fx,
        &["orbit", "--repo", path_arg(&orbit)],
        1,
        "site.toml:10:14: integrations[0] (\"jira\").managed_by: unknown value \"mattermst\": expected \"mattermost\" or \"community\" (did you mean \"mattermost\"?)",
    );
}

#[test]
fn a_wrong_value_in_site_toml_names_its_key_path_and_line() {
    let fx = portal();
    fx.write(
        "site.toml",
        &SITE_TOML.replace("[\"{version}-docs\"]", "\"{version}-docs\""),
    );
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "site.toml:15:20: build.version_branches: wrong type: expected a list, found string \"{version}-docs\""
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_portal_template_with_another_docs_folder_gets_docs_dir_in_the_entry_and_builds() {
    let fx = portal();
    fx.write(
        "themes/default/scaffold/template.toml",
        "docs_dir = \"handbook\"\n",
    );
    fx.write(
        "themes/default/scaffold/docs/README.md",
        "# {{ name }} handbook\n\n{{ description }}\n",
    );
    let orbit = fx.path("repos/orbit");
    let run = fx.run(&[
        "new",
        "orbit",
        "--repo",
        path_arg(&orbit),
        "--deployments",
        "self-managed,self-managed",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    assert!(
        site.ends_with("deployments = [\"self-managed\"]\ndocs_dir = \"handbook\"\n"),
        "{site}"
    );
    let readme = std::fs::read_to_string(orbit.join("handbook/README.md")).unwrap();
    assert!(readme.starts_with("# Orbit Tracker handbook\n"), "{readme}");
    assert!(!orbit.join("docs").exists());
    commit_folder(&orbit, "handbook");
    fx.build_ok(&[]);
    let index = fx.output("integrations/orbit/latest/index.html");
    assert!(index.contains("Orbit Tracker handbook"), "{index}");
}
