//! `portico serve` against hostile clients and hostile repositories: oversized and slow
//! requests, floods of connections, foreign `Host` names (DNS rebinding), file names built
//! to inject headers or redirect off-site, and git-ignored secrets in a working tree.
//!
//! Most run the real binary; the ones that need small limits (a 200 ms head deadline, two
//! workers) run the same HTTP server in this process with [`Limits`] of their own.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portico::testing::serve::http::{AllowedHosts, Http, Limits, start};

use crate::fixture::Fixture;
use crate::serve::{DEADLINE, Serve};

/// What came back on a connection: every byte until the server closed it, and whether it
/// did close it (rather than leave the client waiting until the deadline).
struct Exchange {
    bytes: Vec<u8>,
    closed: bool,
}

impl Exchange {
    fn status(&self) -> u16 {
        let head = String::from_utf8_lossy(&self.bytes);
        head.split_whitespace()
            .nth(1)
            .and_then(|status| status.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {head:?}"))
    }

    fn head(&self) -> String {
        let text = String::from_utf8_lossy(&self.bytes);
        text.split("\r\n\r\n")
            .next()
            .unwrap_or_default()
            .to_string()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head().lines().skip(1).find_map(|line| {
            let (found, value) = line.split_once(':')?;
            found
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    }

    fn body(&self) -> String {
        let text = String::from_utf8_lossy(&self.bytes);
        text.split_once("\r\n\r\n")
            .map(|(_, body)| body.to_string())
            .unwrap_or_default()
    }
}

/// Reads until the server closes `stream` (or the deadline passes: then `closed` is false).
fn read_until_closed(mut stream: TcpStream) -> Exchange {
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut bytes = Vec::new();
    let closed = match stream.read_to_end(&mut bytes) {
        Ok(_) => true,
        // A reset after the answer also ends the connection.
        Err(err) => err.kind() == ErrorKind::ConnectionReset,
    };
    Exchange { bytes, closed }
}

/// Sends `request` (from another thread, ignoring errors: the server may stop reading
/// early) and reads the answer.
fn exchange(port: u16, request: Vec<u8>) -> Exchange {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sending = std::thread::spawn(move || {
        let _ = writer.write_all(&request);
    });
    let answer = read_until_closed(stream);
    let _ = sending.join();
    answer
}

fn get_with_host(port: u16, path: &str, host: &str) -> Exchange {
    exchange(
        port,
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes(),
    )
}

fn get(port: u16, path: &str) -> Exchange {
    get_with_host(port, path, &format!("localhost:{port}"))
}

fn portal_with(files: &[(&str, &str)]) -> Fixture {
    let fx = Fixture::new();
    let mut all = vec![("plugin.json", r#"{"version": "3.0.0"}"#)];
    all.extend_from_slice(files);
    fx.repo("jira", "master").commit("master", &all).checkout();
    fx.site("[[integrations]]\nid = \"jira\"\nrepo = \"repos/jira\"\nmanaged_by = \"mattermost\"\ndeployments = [\"cloud\"]\n");
    fx
}

fn portal() -> Fixture {
    portal_with(&[
        ("docs/README.md", "# Jira\n\n[Setup](setup.md)\n"),
        ("docs/setup.md", "# Setup\n"),
    ])
}

#[test]
fn oversized_request_heads_are_refused_and_the_connection_closed() {
    let fx = portal();
    let serve = Serve::start(&fx);
    let port = serve.port;

    let mut headers = format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\n");
    for i in 0..100 {
        headers.push_str(&format!("X-Filler-{i}: {}\r\n", "a".repeat(1000)));
    }
    headers.push_str("\r\n");
    assert!(headers.len() > 100_000);
    let answer = exchange(port, headers.into_bytes());
    assert_eq!(answer.status(), 431, "{}", answer.head());
    assert!(answer.closed, "the connection is closed after a 431");

    let long_line = format!(
        "GET /{} HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n",
        "a".repeat(20_000)
    );
    let answer = exchange(port, long_line.into_bytes());
    assert_eq!(answer.status(), 414, "{}", answer.head());
    assert!(answer.closed, "the connection is closed after a 414");

    let many = format!(
        "GET / HTTP/1.1\r\nHost: localhost:{port}\r\n{}\r\n",
        "X: y\r\n".repeat(500)
    );
    assert_eq!(exchange(port, many.into_bytes()).status(), 431);

    assert_eq!(get(port, "/").status(), 200, "the server still answers");
}

#[test]
fn requests_naming_a_foreign_host_are_refused() {
    let fx = portal();
    let serve = Serve::start(&fx);
    let port = serve.port;
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        format!("LocalHost:{port}"),
    ] {
        assert_eq!(get_with_host(port, "/", &host).status(), 200, "{host}");
    }
    // A page on a domain that now resolves to 127.0.0.1 (DNS rebinding) names its domain.
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("127.0.0.1.nip.io:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("localhost:{}", port.wrapping_add(1)),
        format!("user@localhost:{port}"),
    ] {
        for path in [
            "/",
            "/integrations/jira/latest/setup.html",
            "/__portico/events",
        ] {
            let answer = get_with_host(port, path, &host);
            assert_eq!(answer.status(), 403, "{host} {path}");
            assert!(!answer.body().contains("<html"), "{host} {path}");
            assert!(answer.closed);
        }
    }
    // An absolute request target names the host too.
    let absolute =
        format!("GET http://evil.example:{port}/ HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n");
    assert_eq!(exchange(port, absolute.into_bytes()).status(), 403);
    let no_host = "GET / HTTP/1.1\r\n\r\n".to_string();
    assert_eq!(exchange(port, no_host.into_bytes()).status(), 400);
    let two_hosts =
        format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\nHost: evil.example:{port}\r\n\r\n");
    assert_eq!(exchange(port, two_hosts.into_bytes()).status(), 400);
}

#[test]
fn every_response_says_nosniff() {
    let fx = portal();
    let serve = Serve::start(&fx);
    let port = serve.port;
    let host = format!("localhost:{port}");
    let requests = [
        ("GET", "/", host.as_str(), 200),
        ("HEAD", "/integrations/jira/latest/setup.html", &host, 200),
        ("GET", "/_portico/portico.css", &host, 200),
        ("GET", "/__portico/livereload.js", &host, 200),
        ("GET", "/integrations/jira/latest", &host, 301),
        ("GET", "/no/such/page.html", &host, 404),
        ("GET", "/a/%2e%2e/%2e%2e/site.toml", &host, 400),
        ("POST", "/", &host, 405),
        ("GET", "/", "evil.example", 403),
    ];
    for (method, path, host, status) in requests {
        let answer = exchange(
            port,
            format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").into_bytes(),
        );
        assert_eq!(answer.status(), status, "{method} {path}");
        assert_eq!(
            answer.header("X-Content-Type-Options").as_deref(),
            Some("nosniff"),
            "{method} {path}: {}",
            answer.head()
        );
    }
    // The live-reload stream too (its head arrives at once; the stream stays open).
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET /__portico/events HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"
    )
    .unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "the stream's head");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(
        head.contains("text/event-stream") && head.contains("X-Content-Type-Options: nosniff"),
        "{head}"
    );
}

#[test]
fn a_folder_named_with_a_line_break_adds_no_header() {
    let folder = "x\r\nSet-Cookie: session=stolen";
    let fx = portal_with(&[
        ("docs/README.md", "# Jira\n"),
        (&format!("docs/{folder}/README.md"), "# Inside the folder\n"),
    ]);
    let serve = Serve::start(&fx);
    let port = serve.port;
    // The folder is never published (its name holds control characters), and a request
    // naming it cannot add a header either.
    let answer = get(
        port,
        "/integrations/jira/latest/x%0D%0ASet-Cookie:%20session=stolen",
    );
    assert!(
        !answer
            .head()
            .lines()
            .any(|line| line.to_ascii_lowercase().starts_with("set-cookie")),
        "{}",
        answer.head()
    );
    assert_eq!(answer.status(), 404, "{}", answer.head());
    let index = get(port, "/integrations/jira/latest/");
    assert_eq!(index.status(), 200);
}

#[test]
fn a_double_slash_never_redirects_to_another_host() {
    let fx = portal();
    let serve = Serve::start(&fx);
    let port = serve.port;
    let answer = get(port, "//integrations");
    assert_eq!(answer.status(), 301, "{}", answer.head());
    assert_eq!(answer.header("Location").as_deref(), Some("/integrations/"));
    for path in [
        "//integrations/jira/latest",
        "///integrations/jira",
        "//evil.example",
        "//evil.example/",
        "/%2F%2Fevil.example",
        "/%2fintegrations",
    ] {
        let answer = get(port, path);
        if let Some(location) = answer.header("Location") {
            assert!(
                location.starts_with('/') && !location.starts_with("//"),
                "{path} → {location}"
            );
            assert!(!location.contains('\\'), "{path} → {location}");
        }
    }
}

#[test]
fn git_ignored_files_are_never_served_from_the_working_tree() {
    let fx = portal_with(&[
        (".gitignore", ".env\nsecret.env\n"),
        (
            "docs/README.md",
            "# Jira\n\n[Settings](../.env) and [key](secret.env) and [new](new.md)\n",
        ),
    ]);
    // Beside the committed files: secrets git ignores, and a new page it does not.
    fx.write("repos/jira/.env", "TOKEN=hunter2\n");
    fx.write("repos/jira/docs/secret.env", "TOKEN=hunter3\n");
    fx.write("repos/jira/docs/new.md", "# New page, not committed yet\n");
    let serve = Serve::start(&fx);
    let port = serve.port;

    let landing = get(port, "/integrations/jira/latest/");
    assert_eq!(landing.status(), 200);
    let mut fetched = 0;
    for link in links(&landing.body()) {
        let target = format!("/integrations/jira/latest/{link}");
        let answer = get(port, &target);
        assert!(
            !answer.body().contains("hunter"),
            "{target} serves a secret"
        );
        fetched += 1;
    }
    assert!(fetched > 0);
    for path in [
        "/integrations/jira/latest/secret.env",
        "/integrations/jira/latest/.env",
        "/integrations/jira/.env",
    ] {
        let answer = get(port, path);
        assert_eq!(answer.status(), 404, "{path}");
        assert!(!answer.body().contains("hunter"), "{path}");
    }
    let new_page = get(port, "/integrations/jira/latest/new.html");
    assert_eq!(
        new_page.status(),
        200,
        "a new file git does not ignore is shown"
    );
    for link in ["../.env", "secret.env"] {
        assert!(
            serve.startup.iter().any(|line| line.starts_with("warning:")
                && line.contains(&format!("broken link \"{link}\""))),
            "{link} is a broken link: {:#?}",
            serve.startup
        );
    }
}

/// Relative `href`s of a page (not `#` fragments, not absolute URLs).
fn links(html: &str) -> Vec<String> {
    html.match_indices("href=\"")
        .map(|(at, attribute)| {
            let value = &html[at + attribute.len()..];
            value[..value.find('"').unwrap_or(value.len())].to_string()
        })
        .filter(|href| {
            !href.is_empty()
                && !href.starts_with('#')
                && !href.starts_with('/')
                && !href.contains("://")
                && !href.starts_with("mailto:")
        })
        .collect()
}

/// In-process servers run one at a time, so that counting this process's server threads
/// counts one server's.
static IN_PROCESS: Mutex<()> = Mutex::new(());

/// The HTTP server of `portico serve` in this process, with `limits`, serving a home page.
fn in_process(limits: Limits) -> (u16, Http) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let http = start(listener, AllowedHosts::new("127.0.0.1", address), limits);
    http.served.write().unwrap().files.insert(
        "index.html".to_string(),
        Arc::from(&b"<html><body>home</body></html>"[..]),
    );
    (address.port(), http)
}

/// Threads of this process that answer HTTP requests.
fn http_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|name| name.starts_with("portico-http"))
        })
        .count()
}

/// Polls `/` until it answers 200 (a freed slot), or fails after the deadline.
fn wait_until_answered(port: u16) {
    let started = Instant::now();
    while get(port, "/").status() != 200 {
        assert!(started.elapsed() < DEADLINE, "the server never answered");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_slow_client_is_dropped_after_the_head_deadline() {
    let _one_at_a_time = IN_PROCESS.lock().unwrap_or_else(|e| e.into_inner());
    let (port, _http) = in_process(Limits {
        head_timeout: Duration::from_millis(200),
        ..Limits::default()
    });
    // Half a request line, then nothing.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(b"GET /ind").unwrap();
    let answer = read_until_closed(stream);
    assert!(answer.closed, "the server closed the connection");
    assert_eq!(answer.status(), 408, "{}", answer.head());
    // Connected, and not a byte sent: closed without a word, as browsers expect of an idle
    // connection.
    let silent = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let answer = read_until_closed(silent);
    assert!(answer.closed && answer.bytes.is_empty());
    wait_until_answered(port);
}

#[test]
fn a_flood_of_connections_is_refused_without_more_threads() {
    let _one_at_a_time = IN_PROCESS.lock().unwrap_or_else(|e| e.into_inner());
    let earlier_servers = http_threads();
    let (port, _http) = in_process(Limits {
        workers: 2,
        connections: 4,
        head_timeout: Duration::from_secs(60),
        ..Limits::default()
    });
    // Threads take their names once running.
    let threads = earlier_servers + 2;
    let started = Instant::now();
    while http_threads() < threads {
        assert!(started.elapsed() < DEADLINE, "the workers never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    // Four clients that send nothing hold every slot (two answered, two waiting)...
    let idle: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    // ...so the next ones are refused at once, and no thread is started for them.
    for _ in 0..20 {
        let refused = read_until_closed(TcpStream::connect(("127.0.0.1", port)).unwrap());
        assert!(refused.closed);
        assert_eq!(refused.status(), 503, "{}", refused.head());
        assert!(refused.header("Retry-After").is_some());
    }
    assert_eq!(http_threads(), threads, "no thread per connection");
    drop(idle);
    wait_until_answered(port);
    assert_eq!(http_threads(), threads);
}

#[test]
fn live_reload_streams_have_their_own_bound_and_hold_no_worker() {
    let _one_at_a_time = IN_PROCESS.lock().unwrap_or_else(|e| e.into_inner());
    let (port, http) = in_process(Limits {
        workers: 1,
        event_streams: 2,
        ..Limits::default()
    });
    let open_stream = || {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            stream,
            "GET /__portico/events HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"
        )
        .unwrap();
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut first = [0u8; 12];
        stream.read_exact(&mut first).unwrap();
        (stream, String::from_utf8_lossy(&first).into_owned())
    };
    let (first, status) = open_stream();
    assert_eq!(status, "HTTP/1.1 200");
    let (_second, status) = open_stream();
    assert_eq!(status, "HTTP/1.1 200");
    // Both streams are open, and the only worker is free for pages.
    assert_eq!(get(port, "/").status(), 200);
    let (_third, status) = open_stream();
    assert_eq!(status, "HTTP/1.1 503", "a third stream is over the bound");
    // A closed tab frees its place.
    drop(first);
    let started = Instant::now();
    loop {
        let (_stream, status) = open_stream();
        if status == "HTTP/1.1 200" {
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "the closed stream was never let go"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(http.broadcast.listeners() <= 2);
}
