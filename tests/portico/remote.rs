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

/// The `file://` URL of `upstream/<name>`.
fn file_url(fx: &Fixture, name: &str) -> String {
    let path = fx.path(&format!("upstream/{name}")).canonicalize().unwrap();
    format!("file://{}", path.display())
}

/// Mirrors `upstream/jira` through its `file://` URL and builds; returns the built site.
fn mirror_and_build(fx: &Fixture) -> Vec<(String, Vec<u8>)> {
    upstream(fx, "jira");
    site_with(fx, &file_url(fx, "jira"));
    fx.build_ok(&[]);
    tree_snapshot(&fx.path("public"))
}

fn site_with(fx: &Fixture, url: &str) {
    fx.site(&format!(
        "[build]\ncache_dir = \"cache\"\n\n[[integrations]]\nid = \"jira\"\nrepo = \"{url}\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n"
    ));
}

/// The one mirror in the cache (beside it: its lock file).
fn mirror_dir(fx: &Fixture) -> std::path::PathBuf {
    std::fs::read_dir(fx.path("cache"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|ext| ext == "git"))
        .expect("a mirror")
}

#[test]
fn file_urls_are_mirrored_then_built_offline_byte_for_byte() {
    let fx = Fixture::new();
    let mut upstream = upstream(&fx, "jira");
    let url = file_url(&fx, "jira");
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
    let good = mirror_and_build(&fx);

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
        run.stderr.contains("tried 3 times"),
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
    // A file of an integration's repository is named in the title, not pinned on a file
    // of the workflow's checkout.
    assert!(stdout.contains("::warning title=jira 3.0 (branch master) docs/README.md%3A4::broken link \"/integrations/poll/latest/nope.html\""), "{stdout}");
    assert!(
        stdout.contains("::warning title=jira 3.0 (branch master) docs/README.md%3A5::"),
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
        tree_snapshot(&fx.path("public")).len() - 2,
        "every file but the manifest itself and the output marker"
    );
}

#[test]
fn site_toml_problems_are_annotated_on_their_lines_and_reported() {
    let fx = Fixture::new();
    fx.site("[[integrations]]\nid = \"Bad Id\"\nrepo = \"https://ghp_secret@github.com/o/r.git\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n");
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["--root", ".", "build", "--report", "report.json"])
        .current_dir(fx.root())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", fx.root().parent().unwrap())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let portal = fx.root().file_name().unwrap().to_string_lossy().to_string();
    for line in [7, 8] {
        assert!(
            stdout.contains(&format!("::error file={portal}/site.toml,line={line},col=")),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains("::error::build failed: site.toml has 2 problem(s)"),
        "{stdout}"
    );
    assert!(stderr.contains("error: site.toml:8:"), "{stderr}");
    let report_text = std::fs::read_to_string(fx.path("report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&report_text).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["errors"], 2);
    assert_eq!(report["diagnostics"][0]["location"]["line"], 7);
    assert!(report["integrations"].as_array().unwrap().is_empty());
    for text in [&*stdout, &*stderr, &report_text] {
        assert!(!text.contains("ghp_secret"), "the token leaked: {text}");
    }
}

#[test]
fn a_failed_fetch_keeps_the_mirror_for_offline_builds() {
    let fx = Fixture::new();
    let good = mirror_and_build(&fx);

    // A configuration mistake is not damage: the mirror stays.
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    std::fs::write(
        fx.path("site.toml"),
        site.replace("managed_by", "branch = \"nope\"\nmanaged_by"),
    )
    .unwrap();
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no branch \"nope\"") && run.stderr.contains("integration jira"),
        "{}",
        run.stderr
    );
    std::fs::write(fx.path("site.toml"), &site).unwrap();

    // Nor is an upstream that has gone away; and a missing path is not retried.
    std::fs::rename(fx.path("upstream/jira"), fx.path("upstream/moved")).unwrap();
    let started = Instant::now();
    let run = fx.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(!run.stderr.contains("tried 3 times"), "{}", run.stderr);
    assert!(started.elapsed() < Duration::from_secs(3), "not retried");
    assert!(mirror_dir(&fx).join("portico-mirror-complete").is_file());
    fx.build_ok(&["--offline"]);
    assert_eq!(good, tree_snapshot(&fx.path("public")));
}

#[test]
fn a_tag_of_a_tree_upstream_does_not_break_the_mirror() {
    let fx = Fixture::new();
    upstream(&fx, "jira");
    let upstream_repo = git2::Repository::open(fx.path("upstream/jira")).unwrap();
    let tree = upstream_repo.revparse_single("master^{tree}").unwrap().id();
    upstream_repo
        .reference("refs/tags/v9.9", tree, true, "a tag of a tree")
        .unwrap();
    let url = file_url(&fx, "jira");
    site_with(&fx, &url);
    fx.build_ok(&[]);
    fx.build_ok(&["--offline"]);
    assert!(
        fx.output("integrations/jira/3.0/index.html")
            .contains("First text.")
    );
}

#[test]
fn a_server_that_never_answers_times_out() {
    let fx = Fixture::new();
    // Accepts connections and says nothing, like a hung server.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    site_with(&fx, &format!("git://127.0.0.1:{port}/jira.git"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["--root", fx.root().to_str().unwrap()])
        .args(["build", "--fetch-timeout", "1"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Three attempts of a second each and the waits between them; a hang is a failure
    // rather than a test that never ends.
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the build hung on a silent server");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("integration jira") && stderr.contains("tried 3 times"),
        "{stderr}"
    );
}

/// An HTTP server that refuses every request with 401 and keeps what it was sent.
fn refusing_server() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = Vec::new();
            let mut buffer = [0; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            seen.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&request).into_owned());
            let _ = stream.write_all(
                b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (port, requests)
}

#[test]
fn the_token_is_never_sent_where_it_does_not_belong_and_refusals_say_what_to_do() {
    let fx = Fixture::new();
    let (port, requests) = refusing_server();
    fx.site(&format!(
        "[build]\ncache_dir = \"cache\"\ntoken_env = \"PORTICO_TEST_TOKEN\"\n\n[[integrations]]\nid = \"jira\"\nrepo = \"http://127.0.0.1:{port}/o/jira.git\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n"
    ));
    let build = |token: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_portico"));
        command
            .args(["--root", fx.root().to_str().unwrap(), "build"])
            // No credential helper or SSH key of the machine running the tests.
            .env("HOME", fx.root())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("PORTICO_TEST_TOKEN");
        if let Some(token) = token {
            command.env("PORTICO_TEST_TOKEN", token);
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8_lossy(&output.stderr).into_owned()
    };

    let stderr = build(None);
    assert!(
        stderr.contains("$PORTICO_TEST_TOKEN (build.token_env) is not set"),
        "{stderr}"
    );
    let stderr = build(Some("ghp_secret_value"));
    assert!(
        stderr.contains("only ever sent over https"),
        "the token is not offered over http, and the error says why: {stderr}"
    );
    assert!(!stderr.contains("ghp_secret_value"));
    let requests = requests.lock().unwrap();
    assert!(
        requests
            .iter()
            .all(|r| !r.to_ascii_lowercase().contains("authorization")),
        "{requests:?}"
    );
    assert!(
        requests.len() <= 6,
        "credentials are not asked for again and again: {} requests",
        requests.len()
    );
}

#[test]
fn leftovers_of_a_killed_fetch_do_not_block_the_next_one() {
    let fx = Fixture::new();
    let good = mirror_and_build(&fx);
    let mirror = mirror_dir(&fx);
    // git's own lock files, as a fetch killed while moving refs leaves them.
    std::fs::write(mirror.join("refs/heads/master.lock"), "").unwrap();
    std::fs::write(mirror.join("packed-refs.lock"), "").unwrap();
    fx.build_ok(&[]);
    assert_eq!(good, tree_snapshot(&fx.path("public")));
    assert!(!mirror.join("refs/heads/master.lock").exists());

    // Offline, a cache without Portico's lock file is read as it is, and nothing is added.
    let lock = mirror.with_extension("lock");
    std::fs::remove_file(&lock).unwrap();
    fx.build_ok(&["--offline"]);
    assert!(
        !lock.exists(),
        "an offline build writes nothing into the cache"
    );
}
