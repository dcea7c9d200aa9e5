//! Hostile and careless uses of the output folder and of the logs: a build never deletes
//! what Portico did not create, concurrent builds take turns, and names from repositories
//! cannot forge log lines.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::fixture::{Fixture, tree_snapshot};

/// A portal with one well-behaved integration, its content and a theme override.
fn portal() -> Fixture {
    let fx = Fixture::new();
    fx.repo("good", "main").commit(
        "main",
        &[
            ("docs/README.md", "# Good\n\nSee [setup](setup.md).\n"),
            ("docs/setup.md", "# Setup\n"),
        ],
    );
    fx.site(
        "[[integrations]]\nid = \"good\"\nrepo = \"repos/good\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n",
    );
    fx.write("content/_index.md", "# Welcome\n");
    fx.write("themes/default/static/extra.css", "body{}");
    fx
}

/// Every file under the fixture, to prove a refused build touched nothing.
fn everything(fx: &Fixture) -> Vec<(String, Vec<u8>)> {
    tree_snapshot(fx.root())
}

fn refused(fx: &Fixture, out: &Path, expected: &str) {
    let before = everything(fx);
    let run = fx.run(&["build", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(expected), "{}", run.stderr);
    assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    assert_eq!(everything(fx), before, "a refused build changed files");
}

#[test]
fn an_output_into_the_root_or_around_it_is_refused_and_every_file_kept() {
    let fx = portal();
    refused(&fx, fx.root(), "it is the portal root");
    assert!(fx.path("repos/good/.git/HEAD").is_file());
    assert!(fx.path("site.toml").is_file());
    refused(&fx, &fx.path("repos/.."), "it is the portal root");
    refused(
        &fx,
        &fx.path("repos"),
        "it contains the repository of integration good",
    );
    refused(
        &fx,
        &fx.path("repos/good"),
        "it is the repository of integration good",
    );
    refused(
        &fx,
        &fx.path("content"),
        "it is the portal's content/ folder",
    );
    refused(
        &fx,
        &fx.path("content/public"),
        "lies inside the portal's content/ folder",
    );
    refused(
        &fx,
        &fx.path("themes/default/out"),
        "lies inside the theme default",
    );
    refused(&fx, &fx.path(".portico"), "it contains the cache");
}

#[test]
fn a_users_folder_is_never_replaced_even_with_an_integrations_json() {
    let fx = portal();
    fx.write("mine/integrations.json", "{\"my\": \"data\"}");
    fx.write("mine/thesis.tex", "precious");
    let out = fx.path("mine");
    refused(&fx, &out, "Portico did not create it");
    // What a build made is replaced, and recognised by its marker, not by its files.
    fx.build_ok(&[]);
    assert!(fx.has_output(".portico-output"));
    fx.write("public/stale.html", "old");
    fx.build_ok(&[]);
    assert!(!fx.has_output("stale.html"));
}

#[test]
fn check_refuses_an_output_folder_that_build_would_refuse() {
    let fx = portal();
    let site = fs::read_to_string(fx.path("site.toml")).unwrap();
    fx.write(
        "site.toml",
        &site.replace(
            "[[integrations]]",
            "[build]\noutput_dir = \".\"\n\n[[integrations]]",
        ),
    );
    let run = fx.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("it is the portal root"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_second_build_waits_for_the_first_and_leaves_its_staging_folder_alone() {
    let fx = portal();
    fx.build_ok(&[]);
    // Stand in for a first build that is writing: hold the output's lock, with a staging
    // folder of its own beside the output.
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(fx.path(".public.portico-lock"))
        .unwrap();
    lock.lock().unwrap();
    let staging = fx.path(&format!(".public.portico-staging-{}", std::process::id()));
    fs::create_dir(&staging).unwrap();
    fs::copy(
        fx.path("public/.portico-output"),
        staging.join(".portico-output"),
    )
    .unwrap();

    let mut second = Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("--root")
        .arg(fx.root())
        .arg("build")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(second.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("another build") {
        line.clear();
    }
    assert!(line.contains("another build is writing"), "{line}");
    assert!(line.contains("public"), "{line}");
    assert!(
        staging.join(".portico-output").exists(),
        "the waiting build deleted the staging folder"
    );

    fs::remove_dir_all(&staging).unwrap();
    drop(lock);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(second.wait().unwrap().success(), "{rest}");
    assert!(fx.has_output("integrations/good/latest/setup.html"));
}

#[test]
fn concurrent_builds_end_cleanly_with_one_complete_site() {
    let fx = portal();
    let builds: Vec<_> = (0..3)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_portico"))
                .arg("--root")
                .arg(fx.root())
                .args(["build", "--quiet"])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for build in builds {
        let output = build.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert!(fx.has_output("integrations/good/latest/setup.html"));
    let mut leftovers: Vec<String> = fs::read_dir(fx.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("staging") || name.contains("retired"))
        .collect();
    leftovers.sort();
    assert_eq!(leftovers, Vec::<String>::new());
}

#[test]
fn a_staging_folder_left_by_a_killed_build_is_removed_by_the_next() {
    let fx = portal();
    fx.build_ok(&[]);
    let dead = fx.path(".public.portico-staging-4000000");
    fs::create_dir(&dead).unwrap();
    fs::copy(
        fx.path("public/.portico-output"),
        dead.join(".portico-output"),
    )
    .unwrap();
    fs::write(dead.join("half-written.html"), "<p>").unwrap();
    fx.build_ok(&[]);
    assert!(!dead.exists());
}

#[test]
fn names_from_repositories_cannot_forge_log_lines_or_move_the_terminal() {
    let fx = portal();
    let evil =
        "docs/a\u{1b}[2J\u{1b}]0;owned\u{7}\n::error file=site.toml::forged\r\n::add-mask::x.md";
    fx.repo("evil", "main").commit(
        "main",
        &[
            ("docs/README.md", "# Evil\n"),
            (evil, "# Page\n\n[broken](nowhere.md)\n"),
        ],
    );
    let site = fs::read_to_string(fx.path("site.toml")).unwrap();
    fx.write(
        "site.toml",
        &format!(
            "{site}\n[[integrations]]\nid = \"evil\"\nrepo = \"repos/evil\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\n"
        ),
    );
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("--root")
        .arg(fx.root())
        .arg("build")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", fx.root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("warning: integration evil"), "{stderr}");
    // The name is shown, escaped, rather than dropped.
    assert!(
        stderr.contains("docs/a\\u{1b}[2J\\u{1b}]0;owned\\u{7}\\n::error"),
        "{stderr}"
    );
    assert!(stdout.contains("%0A%3A%3Aadd-mask%3A%3Ax.md"), "{stdout}");
    for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "raw control characters on {stream}: {text:?}"
        );
    }
    for line in stdout.lines() {
        assert!(
            line.starts_with("::warning "),
            "a forged workflow command: {line:?}"
        );
    }
    for line in stderr.lines() {
        assert!(
            !line.starts_with("::"),
            "a forged workflow command on stderr: {line:?}"
        );
    }
}
