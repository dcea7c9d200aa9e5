//! A small HTTP/1.1 server for `portico serve`: the built site from memory, plus the
//! live-reload event stream.
//!
//! Only GET and HEAD; request paths are decoded, and any `..` segment, backslash or NUL is
//! refused (the files live in memory, so nothing else could be reached anyway). HTML
//! responses get the live-reload script. One thread per connection, `Connection: close`:
//! this serves one writer's browser, not the internet.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::markdown::links::percent_decode;

/// Where the browser listens for rebuilds.
pub const EVENTS_PATH: &str = "/__portico/events";
/// The script every HTML page gets while serving.
const LIVE_RELOAD_SCRIPT: &str = include_str!("livereload.js");

/// What is being served right now.
#[derive(Default)]
pub struct Served {
    /// Site path (`integrations/jira/latest/index.html`) → bytes.
    pub files: HashMap<String, Arc<[u8]>>,
    /// The last rebuild's error, shown over every page until a rebuild succeeds.
    pub error: Option<String>,
}

/// Server-sent events to every open page.
#[derive(Default)]
pub struct Broadcast {
    clients: Mutex<Vec<Sender<String>>>,
}

impl Broadcast {
    /// Sends an event (`reload`, or `build-error` with a message) to every page.
    pub fn send(&self, event: &str, data: &str) {
        let message = event_message(event, data);
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|client| client.send(message.clone()).is_ok());
        }
    }

    fn subscribe(&self) -> Receiver<String> {
        let (sender, receiver) = channel();
        if let Ok(mut clients) = self.clients.lock() {
            clients.push(sender);
        }
        receiver
    }

    /// How many pages are listening.
    pub fn listeners(&self) -> usize {
        self.clients
            .lock()
            .map(|clients| clients.len())
            .unwrap_or(0)
    }
}

/// One server-sent event. Browsers drop events without data, so there is always a line.
fn event_message(event: &str, data: &str) -> String {
    let data = if data.is_empty() { event } else { data };
    let lines: Vec<String> = data.lines().map(|line| format!("data: {line}")).collect();
    format!("event: {event}\n{}\n\n", lines.join("\n"))
}

/// Accepts connections until the process ends.
pub fn run(listener: TcpListener, served: Arc<RwLock<Served>>, broadcast: Arc<Broadcast>) {
    for stream in listener.incoming().flatten() {
        let served = served.clone();
        let broadcast = broadcast.clone();
        std::thread::spawn(move || {
            let _ = handle(stream, &served, &broadcast);
        });
    }
}

fn handle(
    mut stream: TcpStream,
    served: &RwLock<Served>,
    broadcast: &Broadcast,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Headers are read and dropped: nothing here depends on them.
    let mut header = String::new();
    let mut header_bytes = 0;
    loop {
        header.clear();
        let read = reader.read_line(&mut header)?;
        header_bytes += read;
        if read == 0 || header == "\r\n" || header == "\n" || header_bytes > 64 * 1024 {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return respond(
            &mut stream,
            400,
            "text/plain; charset=utf-8",
            b"bad request\n",
            true,
        );
    };
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return respond(
            &mut stream,
            405,
            "text/plain; charset=utf-8",
            b"only GET and HEAD\n",
            head_only,
        );
    }
    let path = match request_path(target) {
        Ok(path) => path,
        Err(status) => {
            return respond(
                &mut stream,
                status,
                "text/plain; charset=utf-8",
                b"bad request path\n",
                head_only,
            );
        }
    };
    if path == EVENTS_PATH {
        return stream_events(stream, served, broadcast);
    }
    let (status, content_type, body) = lookup(served, &path);
    if status == 301 {
        let location = format!("{path}/");
        let response = format!(
            "HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return stream.write_all(response.as_bytes());
    }
    respond(&mut stream, status, content_type, &body, head_only)
}

/// The decoded path of a request target; 400 for traversal or malformed paths.
pub fn request_path(target: &str) -> Result<String, u16> {
    // Absolute-form targets (`http://host/path`) name the same paths.
    let target = match target.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |slash| &rest[slash..]),
        None => target,
    };
    let path = target.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') {
        return Err(400);
    }
    let decoded = percent_decode(path);
    if decoded.contains('\\')
        || decoded.contains('\0')
        || decoded.split('/').any(|segment| segment == "..")
    {
        return Err(400);
    }
    Ok(decoded)
}

/// Status, content type and body for a path of the site.
fn lookup(served: &RwLock<Served>, path: &str) -> (u16, &'static str, Vec<u8>) {
    let Ok(served) = served.read() else {
        return (
            500,
            "text/plain; charset=utf-8",
            b"server state unavailable\n".to_vec(),
        );
    };
    let site_path = path.trim_start_matches('/');
    let site_path = if site_path.is_empty() || site_path.ends_with('/') {
        format!("{site_path}index.html")
    } else {
        site_path.to_string()
    };
    if let Some(bytes) = served.files.get(&site_path) {
        let content_type = content_type(&site_path);
        return (
            200,
            content_type,
            with_live_reload(content_type, bytes, served.error.as_deref()),
        );
    }
    // A folder asked for without its slash: send the browser to the folder.
    if served
        .files
        .contains_key(&format!("{site_path}/index.html"))
    {
        return (301, "text/plain; charset=utf-8", Vec::new());
    }
    let not_found = served
        .files
        .get("404.html")
        .map(|b| b.to_vec())
        .unwrap_or_else(|| b"not found\n".to_vec());
    (
        404,
        "text/html; charset=utf-8",
        with_live_reload(
            "text/html; charset=utf-8",
            &not_found,
            served.error.as_deref(),
        ),
    )
}

/// HTML with the live-reload script before `</body>` (and the current error, if any).
fn with_live_reload(content_type: &str, bytes: &[u8], error: Option<&str>) -> Vec<u8> {
    if !content_type.starts_with("text/html") {
        return bytes.to_vec();
    }
    let html = String::from_utf8_lossy(bytes);
    let error = error
        .map(|e| serde_json::to_string(e).unwrap_or_default())
        .unwrap_or_else(|| "null".to_string());
    // `</` cannot end the script early: JSON strings escape `/` here.
    let error = error.replace("</", "<\\/");
    let script =
        format!("<script>window.__porticoError = {error};\n{LIVE_RELOAD_SCRIPT}</script>\n");
    let at = html.rfind("</body>").unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + script.len());
    out.push_str(&html[..at]);
    out.push_str(&script);
    out.push_str(&html[at..]);
    out.into_bytes()
}

pub fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    };
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        body.len()
    );
    if status == 405 {
        response.push_str("Allow: GET, HEAD\r\n");
    }
    response.push_str("\r\n");
    stream.write_all(response.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// The live-reload stream: `reload` after each good rebuild, `build-error` after a failed one.
fn stream_events(
    mut stream: TcpStream,
    served: &RwLock<Served>,
    broadcast: &Broadcast,
) -> std::io::Result<()> {
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n",
    )?;
    stream.write_all(b"retry: 500\n\n")?;
    let events = broadcast.subscribe();
    let current_error = served.read().ok().and_then(|s| s.error.clone());
    if let Some(error) = current_error {
        stream.write_all(
            format!(
                "event: build-error\ndata: {}\n\n",
                error.replace('\n', "\ndata: ")
            )
            .as_bytes(),
        )?;
    }
    stream.flush()?;
    loop {
        let message = match events.recv_timeout(Duration::from_secs(15)) {
            Ok(message) => message,
            // A comment keeps proxies and the browser from timing the stream out.
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
        };
        stream.write_all(message.as_bytes())?;
        stream.flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_malformed_paths_are_refused() {
        assert_eq!(
            request_path("/integrations/jira/latest/"),
            Ok("/integrations/jira/latest/".to_string())
        );
        assert_eq!(
            request_path("/a%20b.html?x=1#y"),
            Ok("/a b.html".to_string())
        );
        assert_eq!(
            request_path("http://127.0.0.1:1111/x.html"),
            Ok("/x.html".to_string())
        );
        for bad in [
            "/../etc/passwd",
            "/a/%2e%2e/b",
            "/%2E%2E/x",
            "/a\\..\\b",
            "/a%5c..%5cb",
            "relative",
            "/x%00y",
        ] {
            assert_eq!(request_path(bad), Err(400), "{bad}");
        }
    }

    #[test]
    fn html_gets_the_live_reload_script_before_the_body_ends() {
        let html = with_live_reload(
            "text/html; charset=utf-8",
            b"<html><body><p>x</p></body></html>",
            None,
        );
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("EventSource"));
        assert!(html.ends_with("</script>\n</body></html>"));
        let css = with_live_reload("text/css", b"body{}", None);
        assert_eq!(css, b"body{}");
    }

    #[test]
    fn errors_cannot_close_the_script_early() {
        let html = with_live_reload(
            "text/html",
            b"<body></body>",
            Some("bad </script><script>alert(1)"),
        );
        let html = String::from_utf8(html).unwrap();
        assert!(!html.contains("</script><script>alert"), "{html}");
    }

    #[test]
    fn every_event_carries_data_so_browsers_dispatch_it() {
        assert_eq!(
            event_message("reload", ""),
            "event: reload\ndata: reload\n\n"
        );
        assert_eq!(
            event_message("build-error", "a\nb"),
            "event: build-error\ndata: a\ndata: b\n\n"
        );
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type("a/b.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("_portico/portico.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("x/_gitbook/assets/image (1).PNG"), "image/png");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }
}
