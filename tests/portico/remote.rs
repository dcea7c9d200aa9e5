//! Publishing from CI (issue 6): remote repositories through a mirror cache (`file://` URLs
//! and a `git daemon` on a free loopback port), offline builds, recovery of damaged
//! mirrors, CI annotations, the build report, and deploy-ready output.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::fixture::{Fixture, Repo, tree_snapshot};

/// A `git daemon` serving the fixture's `upstream/` folder, stopped when dropped.
struct GitDaemon {
    child: Child,
    port: u16,
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl GitDaemon {
    fn start(base: &Path) -> GitDaemon {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("git")
            .args([
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--listen=127.0.0.1",
            ])
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", base.display()))
            .arg(base)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "git daemon did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        GitDaemon { child, port }
    }
}

/// An upstream repository under `upstream/<name>` with a current and an archived version.
fn upstream(fx: &Fixture, name: &str) -> Repo {
    let mut repo = fx.repo_at(&format!("upstream/{name}"), "master");
    repo.commit(
        "2.0-docs",
        &[
            ("plugin.json", r#"{"version": "2.0.0"}"#),
            ("docs/README.md", "# Old\n"),
        ],
    );
    repo.commit("scratch", &[("README.md", "# Unrelated work\n")]);
    repo.commit(
        "master",
        &[
            ("plugin.json", r#"{"version": "3.0.0"}"#),
            ("docs/README.md", "# Current\n\nFirst text.\n"),
        ],
    );
    repo
}

fn site_with(fx: &Fixture, url: &str) {
    fx.site(&format!(
        "[build]\ncache_dir = \"cache\"\n\n[[integrations]]\nid = \"jira\"\nrepo = \"{url}\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n"
    ));
}

fn mirror_dir(fx: &Fixture) -> std::path::PathBuf {
    std::fs::read_dir(fx.path("cache"))
        .unwrap()
        .flatten()
        .next()
        .expect("a mirror")
        .path()
}

#[test]
fn file_urls_are_mirrored_then_built_offline_byte_for_byte() {
    let fx = Fixture::new();
    let mut upstream = upstream(&fx, "jira");
    let url = format!(
        "file://{}",
        fx.path("upstream/jira").canonicalize().unwrap().display()
    );
    site_with(&fx, &url);

    fx.build_ok(&[]);
    let first = tree_snapshot(&fx.path("public"));
    assert!(
        fx.output("integrations/jira/3.0/index.html")
            .contains("First text.")
    );
    assert!(
        fx.output("integrations/jira/2.0/index.html")
            .contains("Old")
    );
    let mirror = mirror_dir(&fx);
    assert!(mirror.join("portico-mirror-complete").is_file());
    // Only what a build reads is fetched: not the unrelated branch.
    let branches = git2::Repository::open_bare(&mirror).unwrap();
    assert!(branches.find_reference("refs/heads/scratch").is_err());
    assert!(branches.find_reference("refs/heads/2.0-docs").is_ok());

    fx.build_ok(&["--offline"]);
    assert_eq!(
        first,
        tree_snapshot(&fx.path("public")),
        "offline builds the same bytes"
    );

    // A new commit upstream appears after the next build.
    upstream.commit(
        "master",
        &[
            ("plugin.json", r#"{"version": "3.0.0"}"#),
            ("docs/README.md", "# Current\n\nSecond text.\n"),
        ],
    );
    fx.build_ok(&[]);
    assert!(
        fx.output("integrations/jira/3.0/index.html")
            .contains("Second text.")
    );

    // A deleted mirror is fetched again; offline without it fails and says so.
    std::fs::remove_dir_all(&mirror).unwrap();
    let run = fx.run(&["build", "--offline"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("integration jira") && run.stderr.contains("no usable mirror"),
        "{}",
        run.stderr
    );
    fx.build_ok(&[]);
    assert!(
        fx.output("integrations/jira/3.0/index.html")
            .contains("Second text.")
    );
}

#[test]
fn a_damaged_mirror_is_discarded_and_fetched_again() {
    let fx = Fixture::new();
    upstream(&fx, "jira");
    let url = format!(
        "file://{}",
        fx.path("upstream/jira").canonicalize().unwrap().display()
    );
    site_with(&fx, &url);
    fx.build_ok(&[]);
    let good = tree_snapshot(&fx.path("public"));

    // Truncate every object file of the mirror, as an interrupted copy would.
    let mirror = mirror_dir(&fx);
    for entry in walkdir::WalkDir::new(mirror.join("objects"))
        .into_iter()
        .flatten()
    {
        if entry.file_type().is_file() {
            let length = std::fs::metadata(entry.path()).unwrap().len();
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(entry.path())
                .unwrap();
            file.set_len(length / 2).unwrap();
        }
    }
    let run = fx.run(&["build", "--offline"]);
    assert_eq!(
        run.code, 1,
        "a damaged mirror is not used offline:\n{}",
        run.stderr
    );
    fx.build_ok(&[]);
    assert_eq!(good, tree_snapshot(&fx.path("public")));

    // A half-fetched mirror (no completion marker) starts again too.
    std::fs::remove_file(mirror.join("portico-mirror-complete")).unwrap();
    fx.build_ok(&[]);
    assert!(mirror.join("portico-mirror-complete").is_file());
}

#[test]
fn a_git_daemon_serves_the_repositories() {
    let fx = Fixture::new();
    let mut upstream = upstream(&fx, "jira.git");
    let daemon = GitDaemon::start(&fx.path("upstream").canonicalize().unwrap());
    site_with(&fx, &format!("git://127.0.0.1:{}/jira.git", daemon.port));
    fx.build_ok(&[]);
    assert!(
        fx.output("integrations/jira/3.0/index.html")
            .contains("First text.")
    );
    upstream.commit(
        "2.0-docs",
        &[
            ("plugin.json", r#"{"version": "2.0.0"}"#),
            ("docs/README.md", "# Old, fixed\n"),
        ],
    );
    fx.build_ok(&[]);
    assert!(
        fx.output("integrations/jira/2.0/index.html")
            .contains("Old, fixed")
    );
    drop(daemon);
    // The daemon is gone: offline still builds from the mirror.
    fx.build_ok(&["--offline"]);
}

#[test]
fn an_unreachable_repository_fails_naming_the_integration_and_url() {
    let fx = Fixture::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    site_with(&fx, &format!("git://127.0.0.1:{port}/nowhere.git"));
    let started = Instant::now();
    let run = fx.run(&["build", "--fetch-jobs", "2"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("integration jira"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("git://127.0.0.1:{port}/nowhere.git")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("after 3 attempts"),
        "network errors are retried:\n{}",
        run.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(!fx.path("public").exists());
}

#[test]
fn ci_gets_annotations_a_report_and_deploy_ready_files() {
    let fx = Fixture::new();
    fx.repo("jira", "master").commit(
        "master",
        &[
            ("plugin.json", r#"{"version": "3.0.0"}"#),
            ("docs/README.md", "# Jira\n\n[other](https://docs.example.com/integrations/poll/latest/usage.html)\n[gone](/integrations/poll/latest/nope.html)\n[missing](setup.md)\n"),
        ],
    );
    fx.repo("poll", "main").commit(
        "main",
        &[
            ("README.md", "# Poll\n\n[usage](usage.md)\n"),
            ("usage.md", "# Usage\n"),
        ],
    );
    fx.site(
        "[[integrations]]\nid = \"jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n\n\
         [[integrations]]\nid = \"poll\"\nrepo = \"repos/poll\"\nmanaged_by = \"community\"\ndeployments = [\"cloud\"]\n",
    );
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args([
            "--root",
            fx.root().to_str().unwrap(),
            "build",
            "--strict",
            "--report",
        ])
        .arg(fx.path("report.json"))
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "--strict fails on the broken links"
    );
    assert!(stdout.contains("::warning file=docs/README.md,line=4,title=jira 3.0 (branch master)::broken link \"/integrations/poll/latest/nope.html\""), "{stdout}");
    assert!(
        stdout.contains("::warning file=docs/README.md,line=5,"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("usage.html\""),
        "the link into another integration resolves: {stdout}"
    );
    assert!(stdout.contains("::error::build failed"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path("report.json")).unwrap()).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["broken_links"], 2);
    assert_eq!(
        report["integrations"][0]["versions"][0]["commit"]
            .as_str()
            .unwrap()
            .len(),
        40
    );
    assert!(
        report["timings_ms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["stage"] == "render")
    );

    // Without --strict the site is published, deploy-ready.
    let quiet = fx.build_ok(&["--quiet"]);
    assert!(
        quiet.stderr.is_empty(),
        "--quiet prints nothing but errors: {}",
        quiet.stderr
    );
    let page = fx.output("integrations/jira/latest/index.html");
    assert!(
        page.contains("href=\"../../poll/latest/usage.html\">other</a>"),
        "{page}"
    );
    assert_eq!(
        fx.output("robots.txt"),
        "User-agent: *\nAllow: /\nSitemap: https://docs.example.com/sitemap.xml\n"
    );
    let manifest: serde_json::Value = serde_json::from_str(&fx.output("manifest.json")).unwrap();
    let files = manifest["files"].as_array().unwrap();
    let index = files.iter().find(|f| f["path"] == "index.html").unwrap();
    let bytes = std::fs::read(fx.path("public/index.html")).unwrap();
    assert_eq!(index["size"], bytes.len());
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(index["sha256"], digest);
    assert_eq!(
        files.len(),
        tree_snapshot(&fx.path("public")).len() - 1,
        "every file but the manifest itself"
    );
}
