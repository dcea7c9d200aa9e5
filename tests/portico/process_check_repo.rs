//! `portico check --repo PATH`: a plugin repository's CI checks its docs pull request
//! without a portal: the working tree as it is (uncommitted and untracked files included,
//! ignored ones never), detached checkouts, the sanitizing and template warnings, workflow
//! annotations pinned to the checkout's files, a portal's own settings, and the refusals.

use std::path::Path;
use std::process::Command;

use crate::fixture::{Fixture, Repo, Run};

/// Docs with every section the contribution template asks for, and a link on line 5 of
/// `docs/setup.md` to `target`.
fn docs_linking_to(target: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "plugin.json",
            r#"{"id": "com.example.demo", "name": "Demo", "version": "1.2.0"}"#.to_string(),
        ),
        (
            "docs/README.md",
            // Links into the rest of the portal cannot be checked without it.
            "# Demo\n\n## Prerequisites\n\nMattermost 9.\n\n## Usage\n\nRun `/demo`, or see [Jira](/integrations/jira/latest/setup.html) and [the process](https://docs.example.com/process/branching.html).\n".to_string(),
        ),
        (
            "docs/SUMMARY.md",
            "# Summary\n\n* [Demo](README.md)\n* [Setup](setup.md)\n* [FAQ](faq.md)\n".to_string(),
        ),
        (
            "docs/setup.md",
            format!(
                "# Setup\n\n## Install\n\nSee [the settings]({target}).\n\n## Configuration\n\nNone.\n"
            ),
        ),
        ("docs/faq.md", "# Troubleshooting\n\nAsk.\n".to_string()),
    ]
}

/// A plugin repository at `work/mattermost-plugin-demo` in the fixture, with `files`
/// committed on `master` and checked out.
fn plugin_repo(fx: &Fixture, files: &[(&str, String)]) -> Repo {
    let mut repo = fx.repo_at("work/mattermost-plugin-demo", "master");
    commit(&mut repo, "master", files);
    repo.checkout();
    repo
}

fn commit(repo: &mut Repo, branch: &str, files: &[(&str, String)]) {
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    repo.commit(branch, &files);
}

/// Runs `portico --root <root> check --repo <repo> <args>` outside GitHub Actions (even
/// when the tests run there), with `env` added.
fn check_repo(root: &Path, repo: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portico"));
    command
        .arg("--root")
        .arg(root)
        .arg("check")
        .arg("--repo")
        .arg(repo)
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_WORKSPACE");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("run portico");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn check(fx: &Fixture, args: &[&str]) -> Run {
    check_repo(
        fx.root(),
        &fx.path("work/mattermost-plugin-demo"),
        args,
        &[],
    )
}

#[test]
fn a_broken_link_is_a_warning_with_file_and_line_and_strict_fails() {
    let fx = Fixture::new();
    plugin_repo(&fx, &docs_linking_to("settings.md"));
    let run = check(&fx, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.warnings().len(), 1, "{}", run.stderr);
    let warning = run.warnings()[0];
    assert!(
        warning.contains("integration com.example.demo")
            && warning.contains("docs/setup.md:5: broken link \"settings.md\""),
        "{warning}"
    );
    assert!(
        run.stderr.contains("with the built-in settings"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("check passed: 1 integration(s), 1 version(s), 3 page(s); 1 broken link(s); 1 warning(s), 0 error(s)"),
        "{}",
        run.stderr
    );

    let strict = check(&fx, &["--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert!(
        strict
            .stderr
            .contains("error: check failed: 1 warning(s) and --strict"),
        "{}",
        strict.stderr
    );
    // Nothing was written into the repository or the root.
    let status = git2::Repository::open(fx.path("work/mattermost-plugin-demo"))
        .unwrap()
        .statuses(None)
        .unwrap()
        .len();
    assert_eq!(status, 0, "the check left files in the repository");
    assert!(!fx.path(".portico").exists() && !fx.path("public").exists());
}

#[test]
fn an_uncommitted_edit_is_what_gets_checked() {
    let fx = Fixture::new();
    plugin_repo(&fx, &docs_linking_to("settings.md"));
    // The fix is in the working tree only, not committed.
    let fixed = &docs_linking_to("setup.md#configuration")[3].1;
    fx.write("work/mattermost-plugin-demo/docs/setup.md", fixed);
    let run = check(&fx, &["--strict"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.warnings().is_empty(), "{}", run.stderr);

    // And the other way round: a committed good page broken in the working tree.
    let broken = &docs_linking_to("setup.md#no-such-heading")[3].1;
    fx.write("work/mattermost-plugin-demo/docs/setup.md", broken);
    let run = check(&fx, &[]);
    assert_eq!(run.warnings().len(), 1, "{}", run.stderr);
    assert!(
        run.warnings()[0].contains("docs/setup.md:5")
            && run.warnings()[0].contains("no-such-heading"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_untracked_page_is_checked_and_an_ignored_one_never_read() {
    let fx = Fixture::new();
    plugin_repo(&fx, &docs_linking_to("setup.md"));
    let summary = "# Summary\n\n* [Demo](README.md)\n* [Setup](setup.md)\n* [FAQ](faq.md)\n* [New](new.md)\n* [Secret](secret.md)\n";
    fx.write("work/mattermost-plugin-demo/docs/SUMMARY.md", summary);
    fx.write(
        "work/mattermost-plugin-demo/docs/new.md",
        "# New\n\nSee [gone](gone.md).\n",
    );
    fx.write("work/mattermost-plugin-demo/.gitignore", "docs/secret.md\n");
    fx.write(
        "work/mattermost-plugin-demo/docs/secret.md",
        "# Secret\n\nSee [hidden](hidden-target.md).\n",
    );
    let run = check(&fx, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.warnings()
            .iter()
            .any(|w| w.contains("docs/new.md:3: broken link \"gone.md\"")),
        "{}",
        run.stderr
    );
    assert!(
        run.warnings().iter().any(|w| w.contains("secret.md")),
        "the SUMMARY entry of an ignored page points at nothing:\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hidden-target"), "{}", run.stderr);
}

#[test]
fn a_detached_head_at_a_pull_request_merge_commit_is_checked() {
    let fx = Fixture::new();
    let mut repo = plugin_repo(&fx, &docs_linking_to("setup.md"));
    // What actions/checkout makes of a pull request: its merge commit, checked out
    // detached, with the pull request's change (here a broken link).
    commit(
        &mut repo,
        "refs/remotes/pull/7/merge",
        &docs_linking_to("renamed.md"),
    );
    let git = git2::Repository::open(fx.path("work/mattermost-plugin-demo")).unwrap();
    let merge = git
        .find_reference("refs/remotes/pull/7/merge")
        .unwrap()
        .peel_to_commit()
        .unwrap();
    git.set_head_detached(merge.id()).unwrap();
    repo.checkout();
    // An archive branch is not checked: only the working tree is.
    commit(
        &mut repo,
        "1.0-docs",
        &[(
            "docs/README.md",
            "# Old\n\n[x](old-broken.md)\n".to_string(),
        )],
    );
    let run = check(&fx, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.warnings().len(), 1, "{}", run.stderr);
    assert!(
        run.warnings()[0]
            .contains("version 1.2 (branch HEAD): docs/setup.md:5: broken link \"renamed.md\""),
        "{}",
        run.stderr
    );
}

#[test]
fn scripts_event_handlers_and_javascript_urls_warn_that_community_portals_strip_them() {
    let fx = Fixture::new();
    let mut files = docs_linking_to("setup.md");
    files[4].1 = "# Troubleshooting\n\n<script>track()</script>\n\n<a href=\"#x\" onclick=\"go()\">Go</a>\n\n[Run](javascript:run())\n\n![Flow](flow.svg)\n".to_string();
    files.push((
        "docs/flow.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script><rect width=\"1\" height=\"1\"/></svg>".to_string(),
    ));
    plugin_repo(&fx, &files);
    let run = check(&fx, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let stripped: Vec<&str> = run
        .warnings()
        .into_iter()
        .filter(|w| w.contains("a community-managed portal would strip it"))
        .collect();
    assert_eq!(stripped.len(), 3, "{}", run.stderr);
    assert!(stripped[0].contains("docs/faq.md:3: a <script> element and its content"));
    assert!(stripped[1].contains("docs/faq.md:5: the event handler onclick of <a>"));
    assert!(stripped[2].contains("docs/faq.md:7: a javascript: URL in the href of <a>"));
    // Files too: the SVG is published as it is by a trusted portal, not by a community one.
    assert!(
        run.warnings().iter().any(|w| w.contains(
            "docs/flow.svg: this SVG has scripts: a community-managed portal would remove them"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(check(&fx, &["--strict"]).code, 1);
}

#[test]
fn missing_template_sections_are_one_warning_each() {
    let fx = Fixture::new();
    plugin_repo(
        &fx,
        &[
            (
                "docs/README.md",
                "# Demo\n\n## Installing the plugin\n\nSteps.\n".to_string(),
            ),
            (
                "docs/more.md",
                "# More\n\n#### Slash commands\n\n`/demo`.\n".to_string(),
            ),
        ],
    );
    let run = check(&fx, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sections: Vec<&str> = run
        .warnings()
        .into_iter()
        .filter(|w| w.contains("section (a heading such as"))
        .collect();
    assert_eq!(sections.len(), 3, "{}", run.stderr);
    assert!(
        sections
            .iter()
            .all(|w| w.contains("docs/README.md: the docs have no"))
    );
    for name in ["Configuration", "Prerequisites", "Troubleshooting"] {
        assert!(
            sections
                .iter()
                .any(|w| w.contains(&format!("no {name} section"))),
            "{name}:\n{}",
            run.stderr
        );
    }
    assert!(
        sections.iter().any(|w| w.contains(
            "the docs have no Configuration section (a heading such as \"Configur…\"): a table of the plugin's settings: name, what it does, default — see the contribution template"
        )),
        "{}",
        run.stderr
    );
    // Installation (a heading "Installing…") and Usage (an H4 "Slash commands") are there;
    // without a plugin manifest the id is the folder's name.
    assert!(
        sections
            .iter()
            .all(|w| w.contains("integration mattermost-plugin-demo"))
    );
    assert_eq!(check(&fx, &["--strict"]).code, 1);
}

#[test]
fn in_github_actions_annotations_are_pinned_to_the_checkout_s_files() {
    let fx = Fixture::new();
    plugin_repo(&fx, &docs_linking_to("settings.md"));
    let run = check_repo(
        fx.root(),
        &fx.path("work/mattermost-plugin-demo"),
        &["--strict"],
        &[
            ("GITHUB_ACTIONS", Path::new("true")),
            ("GITHUB_WORKSPACE", fx.root()),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].starts_with(
            "::warning file=work/mattermost-plugin-demo/docs/setup.md,line=5,title=com.example.demo 1.2 (branch master)::broken link \"settings.md\""
        ),
        "{}",
        run.stdout
    );
    assert_eq!(lines[1], "::error::check failed: 1 warning(s) and --strict");
}

#[test]
fn a_folder_that_is_not_a_git_repository_is_refused() {
    let fx = Fixture::new();
    fx.write("plain/docs/README.md", "# Not a repository\n");
    let run = check_repo(fx.root(), &fx.path("plain"), &[], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: check failed: --repo ")
            && run.stderr.contains("plain: not a git repository"),
        "{}",
        run.stderr
    );
    // Nor is a folder inside a repository taken for the repository.
    plugin_repo(&fx, &docs_linking_to("setup.md"));
    let inside = check_repo(
        fx.root(),
        &fx.path("work/mattermost-plugin-demo/docs"),
        &[],
        &[],
    );
    assert_eq!(inside.code, 1, "{}", inside.stderr);
    assert!(
        inside.stderr.contains("not a git repository"),
        "{}",
        inside.stderr
    );
    // Nor a bare repository, which has no working tree.
    let mut bare = fx.bare_repo("bare", "master");
    commit(&mut bare, "master", &docs_linking_to("setup.md"));
    let run = check_repo(fx.root(), &fx.path("repos/bare"), &[], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("a bare repository has no working tree to check"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_portal_entry_for_the_repository_gives_its_docs_dir_and_id() {
    let fx = Fixture::new();
    let mut files = docs_linking_to("missing-in-docs.md");
    files.push((
        "guide/README.md",
        "# Guide\n\nSee [gone](gone.md).\n\n<iframe src=\"https://x.example\"></iframe>\n"
            .to_string(),
    ));
    plugin_repo(&fx, &files);
    // The portal reads the repository from its URL; the checkout's folder has its name.
    fx.site(
        "[[integrations]]\nid = \"other\"\nrepo = \"https://github.com/example/mattermost-plugin-other\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n\n[[integrations]]\nid = \"demo\"\nrepo = \"https://github.com/example/mattermost-plugin-demo.git\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\ndocs_dir = \"guide\"\n",
    );
    let run = check(&fx, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("as integration demo of ") && run.stderr.contains("site.toml"),
        "{}",
        run.stderr
    );
    let warnings = run.warnings();
    assert!(
        warnings.iter().any(|w| w.contains("integration demo,")
            && w.contains("guide/README.md:3: broken link \"gone.md\"")),
        "{}",
        run.stderr
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("guide/README.md:5: a <iframe> element")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("missing-in-docs"), "{}", run.stderr);
    // The portal's own settings (deployments, base_url) are not the plugin's business.
    assert!(
        warnings.iter().all(|w| w.contains("integration demo,")),
        "{}",
        run.stderr
    );

    // The portal's theme's contribution template gives the required sections.
    fx.write(
        "themes/default/scaffold/template.toml",
        "[[sections]]\nname = \"Security\"\nheadings = [\"security\"]\nhint = \"what the plugin can read\"\n",
    );
    let run = check(&fx, &[]);
    let sections: Vec<&str> = run
        .warnings()
        .into_iter()
        .filter(|w| w.contains("section (a heading such as"))
        .collect();
    assert_eq!(sections.len(), 1, "{}", run.stderr);
    assert!(
        sections[0].contains("guide/README.md: the docs have no Security section (a heading such as \"Security…\"): what the plugin can read"),
        "{}",
        run.stderr
    );

    // A local `repo` path names the repository too.
    fx.site(
        "[[integrations]]\nid = \"local-demo\"\nrepo = \"work/mattermost-plugin-demo\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\ndocs_dir = \"guide\"\n",
    );
    let run = check(&fx, &[]);
    assert!(
        run.stderr.contains("as integration local-demo of "),
        "{}",
        run.stderr
    );
    assert!(
        run.warnings()
            .iter()
            .any(|w| w.contains("guide/README.md:3")),
        "{}",
        run.stderr
    );
}
