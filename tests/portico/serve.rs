//! `portico serve` over real HTTP on an ephemeral port: pages, live-reload events, and
//! rebuilds after working-tree edits, commits, new archive branches and broken templates.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crate::fixture::{Fixture, Repo, switcher};

pub const DEADLINE: Duration = Duration::from_secs(20);

/// A running `portico serve`, stopped when dropped.
pub struct Serve {
    child: Child,
    pub port: u16,
    pub log: Receiver<String>,
    /// What it printed before it started serving (the first build's warnings).
    pub startup: Vec<String>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    pub fn start(fx: &Fixture) -> Serve {
        Serve::start_with(fx, &[])
    }

    fn start_with(fx: &Fixture, args: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(["serve", "--port", "0", "--root"])
            .arg(fx.root())
            .args(args)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start portico serve");
        let stderr = child.stderr.take().unwrap();
        let (sender, log) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let started = Instant::now();
        let mut startup = Vec::new();
        let port = loop {
            let line = log
                .recv_timeout(DEADLINE)
                .expect("portico serve printed nothing");
            if let Some(rest) = line.strip_prefix("serving http://127.0.0.1:") {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
            startup.push(line);
            assert!(started.elapsed() < DEADLINE, "serve did not start");
        };
        Serve {
            child,
            port,
            log,
            startup,
        }
    }

    /// (status, headers, body) of a raw request.
    pub fn request(&self, method: &str, path: &str) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
            self.port
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, head, response[split + 4..].to_vec())
    }

    pub fn get(&self, path: &str) -> String {
        let (status, _, body) = self.request("GET", path);
        assert_eq!(status, 200, "GET {path}");
        String::from_utf8(body).unwrap()
    }

    /// Polls `path` until `check` holds, or fails after a deadline.
    pub fn wait_for(&self, path: &str, what: &str, check: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let (status, _, body) = self.request("GET", path);
            let body = String::from_utf8_lossy(&body).into_owned();
            if status == 200 && check(&body) {
                return body;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "timed out waiting for {what} at {path}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The live-reload stream, open (every event sent from now on arrives): one event
    /// name per received event.
    fn events(&self) -> Receiver<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "GET /__portico/events HTTP/1.1\r\nHost: localhost:{}\r\n\r\n",
            self.port
        )
        .unwrap();
        let (sender, events) = channel();
        let (opened, is_open) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if line.starts_with("retry:") {
                    let _ = opened.send(());
                }
                if let Some(event) = line.strip_prefix("event: ") {
                    let _ = sender.send(event.to_string());
                }
            }
        });
        is_open
            .recv_timeout(DEADLINE)
            .expect("the live-reload stream opens");
        events
    }

    /// Waits for the status line of the next rebuild.
    fn rebuilt(&self) -> String {
        let started = Instant::now();
        loop {
            let remaining = DEADLINE.saturating_sub(started.elapsed());
            let line = self
                .log
                .recv_timeout(remaining)
                .expect("no rebuild within the deadline");
            if line.contains(" → ") {
                return line;
            }
        }
    }
}

fn expect_event(events: &Receiver<String>, name: &str) {
    let started = Instant::now();
    loop {
        let remaining = DEADLINE.saturating_sub(started.elapsed());
        match events.recv_timeout(remaining) {
            Ok(event) if event == name => return,
            Ok(_) => continue,
            Err(_) => panic!("no {name} event within the deadline"),
        }
    }
}

pub fn portal() -> (Fixture, Repo) {
    let fx = Fixture::new();
    let mut repo = fx.repo("jira", "master");
    repo.commit(
        "2.0-docs",
        &[
            ("plugin.json", r#"{"version": "2.0.0"}"#),
            ("docs/README.md", "# Jira 2.0\n"),
            ("docs/setup.md", "# Setup 2.0\n"),
        ],
    );
    repo.commit(
        "master",
        &[
            ("plugin.json", r#"{"version": "3.0.0"}"#),
            ("docs/README.md", "# Jira\n\n[Setup](setup.md)\n"),
            ("docs/setup.md", "# Setup\n\nCommitted text.\n"),
        ],
    )
    .checkout();
    fx.site("[[integrations]]\nid = \"jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n");
    (fx, repo)
}

#[test]
fn serves_the_site_with_live_reload_and_refuses_what_it_should() {
    let (fx, _repo) = portal();
    let serve = Serve::start(&fx);
    let (status, head, body) = serve.request("GET", "/integrations/jira/latest/setup.html");
    assert_eq!(status, 200);
    assert!(
        head.contains("Content-Type: text/html; charset=utf-8"),
        "{head}"
    );
    let body = String::from_utf8(body).unwrap();
    assert!(
        body.contains("Committed text.")
            && body.contains("<script src=\"/__portico/livereload.js\"></script>")
    );
    assert!(serve.get("/").contains("<html"), "the home page");
    assert!(
        serve
            .get("/__portico/livereload.js")
            .contains("new EventSource(\"/__portico/events\")")
    );
    let (status, head, _) = serve.request("GET", "/_portico/portico.css");
    assert!(status == 200 && head.contains("text/css"), "{head}");
    let (status, head, body) = serve.request("HEAD", "/integrations/jira/latest/setup.html");
    assert!(
        status == 200 && body.is_empty() && head.contains("Content-Length:"),
        "{head}"
    );
    let (status, head, _) = serve.request("GET", "/integrations/jira/latest");
    assert!(
        status == 301 && head.contains("Location: /integrations/jira/latest/"),
        "{head}"
    );
    assert_eq!(serve.request("POST", "/").0, 405);
    for traversal in [
        "/../site.toml",
        "/a/%2e%2e/%2e%2e/site.toml",
        "/..%2fsite.toml",
        "/a%5c..%5cb",
    ] {
        assert_eq!(serve.request("GET", traversal).0, 400, "{traversal}");
    }
    let (status, _, body) = serve.request("GET", "/no/such/page.html");
    assert_eq!(status, 404);
    assert!(String::from_utf8(body).unwrap().contains("Page not found"));
}

#[test]
fn working_tree_edits_commits_and_new_branches_show_up_with_a_reload_event() {
    let (fx, _repo) = portal();
    let serve = Serve::start(&fx);
    let events = serve.events();

    // An uncommitted edit on the checked-out default branch shows in the current version.
    fx.write(
        "repos/jira/docs/setup.md",
        "# Setup\n\nEdited, not committed.\n",
    );
    serve.wait_for(
        "/integrations/jira/latest/setup.html",
        "the working-tree edit",
        |b| b.contains("Edited, not committed."),
    );
    expect_event(&events, "reload");
    let status = serve.rebuilt();
    assert!(
        status.contains("docs/setup.md changed") && status.contains("re-read jira"),
        "{status}"
    );

    // A commit on an archived branch.
    let mut repo = Repo::open(&fx.path("repos/jira"));
    repo.commit_on_top(
        "2.0-docs",
        "2.0-docs",
        &[
            ("plugin.json", r#"{"version": "2.0.1"}"#),
            ("docs/README.md", "# Jira 2.0\n"),
            ("docs/setup.md", "# Setup 2.0\n\nFixed in the archive.\n"),
        ],
    );
    serve.wait_for(
        "/integrations/jira/2.0/setup.html",
        "the archive commit",
        |b| b.contains("Fixed in the archive."),
    );
    expect_event(&events, "reload");

    // A new archive branch appears in every page's switcher.
    repo.commit_on_top(
        "2.5-docs",
        "2.0-docs",
        &[
            ("docs/README.md", "# Jira 2.5\n"),
            ("docs/setup.md", "# Setup 2.5\n"),
        ],
    );
    let page = serve.wait_for(
        "/integrations/jira/2.0/setup.html",
        "the new branch in the switcher",
        |b| switcher(b).iter().any(|(label, ..)| label == "2.5"),
    );
    let labels: Vec<String> = switcher(&page)
        .into_iter()
        .map(|(label, ..)| label)
        .collect();
    assert_eq!(labels, ["3.0", "2.5", "2.0"]);
    assert!(
        serve
            .get("/integrations/jira/2.5/setup.html")
            .contains("Setup 2.5")
    );
    expect_event(&events, "reload");
}

#[test]
fn a_broken_template_shows_an_error_and_the_old_site_stays_up() {
    let (fx, _repo) = portal();
    let serve = Serve::start(&fx);
    let events = serve.events();

    fx.write(
        "themes/default/templates/page.html",
        "{% extends \"base.html\" %}{% block body %}{{ oops( }}{% endblock body %}",
    );
    expect_event(&events, "build-error");
    let page = serve.get("/integrations/jira/latest/setup.html");
    assert!(
        page.contains("Committed text."),
        "the last good site is still served"
    );
    assert!(
        page.contains("data-portico-error=\"") && page.contains("page.html"),
        "the error is shown over the page"
    );

    // Fixed: a template of the portal's own overrides the default, and the page reloads.
    fx.write("themes/default/templates/page.html", "{% extends \"base.html\" %}{% block body %}<main id=\"content\">CUSTOM {{ page.content | safe }}</main>{% endblock body %}");
    expect_event(&events, "reload");
    let page = serve.wait_for(
        "/integrations/jira/latest/setup.html",
        "the fixed template",
        |b| b.contains("CUSTOM"),
    );
    assert!(!page.contains("data-portico-error"));
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let (fx, _repo) = portal();
    let run = fx.run(&["serve", "--port", &port]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(&format!("port {port} on 127.0.0.1 is already in use")),
        "{}",
        run.stderr
    );
}

#[test]
fn build_never_reads_the_working_tree() {
    let (fx, _repo) = portal();
    fx.write("repos/jira/docs/setup.md", "# Setup\n\nUncommitted.\n");
    fx.build_ok(&[]);
    assert!(
        fx.output("integrations/jira/latest/setup.html")
            .contains("Committed text.")
    );
}

#[test]
fn remote_repositories_are_fetched_again_only_when_their_settings_change() {
    let fx = Fixture::new();
    fx.repo_at("upstream/jira", "master").commit(
        "master",
        &[
            ("plugin.json", r#"{"version": "3.0.0"}"#),
            ("docs/README.md", "# Jira\n\nFrom the remote.\n"),
        ],
    );
    let url = format!(
        "file://{}",
        fx.path("upstream/jira").canonicalize().unwrap().display()
    );
    let integration = format!(
        "[[integrations]]\nid = \"jira\"\nrepo = \"{url}\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n"
    );
    fx.site(&integration);
    let mirrors = fx.path("mirrors");
    let serve = Serve::start_with(&fx, &["--cache-dir", mirrors.to_str().unwrap()]);
    assert!(
        serve
            .get("/integrations/jira/latest/index.html")
            .contains("From the remote.")
    );
    assert!(mirrors.is_dir(), "--cache-dir is honoured");
    let events = serve.events();

    // The remote goes away; a site.toml edit that does not touch the integration keeps
    // its mirror rather than fetching (which would now fail).
    std::fs::rename(fx.path("upstream/jira"), fx.path("upstream/gone")).unwrap();
    let site = std::fs::read_to_string(fx.path("site.toml")).unwrap();
    fx.write("site.toml", &site.replace("Test Portal", "Renamed Portal"));
    expect_event(&events, "reload");
    let page = serve.get("/integrations/jira/latest/index.html");
    assert!(page.contains("Renamed Portal") && page.contains("From the remote."));

    // Changing what is fetched does fetch again, and the failure is shown.
    fx.write(
        "site.toml",
        &site.replace("managed_by", "branch = \"master\"\nmanaged_by"),
    );
    let started = Instant::now();
    loop {
        let line = serve
            .log
            .recv_timeout(DEADLINE.saturating_sub(started.elapsed()))
            .expect("the failed fetch is reported");
        if line.contains("integration jira") && line.contains("cannot fetch") {
            break;
        }
    }
}
