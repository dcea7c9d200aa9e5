//! A small HTTP/1.1 server for `portico serve`: the built site from memory, plus the
//! live-reload event stream, on a port that every web page open in the writer's browser
//! can reach, so it assumes its clients may be hostile.
//!
//! Only GET and HEAD, one request per connection (`Connection: close`). What a client can
//! make the server spend is bounded by [`Limits`]: the request head has a size limit (414
//! for a long request line, 431 for large or many headers) and a deadline (408); a fixed
//! pool of worker threads answers requests, and connections beyond a bound are answered 503
//! at once; live-reload streams are written by one thread (an open tab costs a socket, not a
//! thread) up to a bound of their own. A request must name this server in `Host` (a
//! DNS-rebinding page names its own domain and gets 403). Request paths are decoded and any
//! `..` segment, backslash or NUL is refused; `Location` headers are built from re-encoded
//! site paths, so no file name can add a header or point off-site. Every response says
//! `nosniff`. HTML gets the live-reload script as a file of the server's own, so pages work
//! under a `script-src 'self'` policy. The hand-written server is kept (rather than, say,
//! `tiny_http`) because these bounds are what matters here and such crates leave them out.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::escape::escape_html;
use crate::paths::{percent_decode, percent_encode_path};

/// Where the browser listens for rebuilds.
pub const EVENTS_PATH: &str = "/__portico/events";
/// The live-reload script every HTML page loads while serving.
pub const LIVE_RELOAD_PATH: &str = "/__portico/livereload.js";
const LIVE_RELOAD_SCRIPT: &str = include_str!("livereload.js");
/// Live-reload streams get a comment this often when nothing happens, so that a closed tab
/// is noticed and proxies keep the stream open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// At most this much of a refused request is read and dropped before closing (see [`finish`]).
const MAX_DRAIN_BYTES: usize = 1024 * 1024;
/// What documents other than pages may do when opened on their own (an SVG or a text file
/// opened in a tab): nothing active. Subresources ignore it, so scripts and styles still load.
const PASSIVE_DOCUMENT_POLICY: &str =
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

/// What one client may make the server spend.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Threads answering requests.
    pub workers: usize,
    /// Connections accepted and not yet answered (being answered, or waiting for a
    /// worker); beyond this, new connections are answered 503 at once.
    pub connections: usize,
    /// Open live-reload streams (one per open tab); beyond this, 503.
    pub event_streams: usize,
    /// Longest request line (method, path, version); longer gets 414.
    pub request_line_bytes: usize,
    /// Largest request head (request line and headers); larger gets 431.
    pub head_bytes: usize,
    /// Most header fields; more gets 431.
    pub header_count: usize,
    /// Time a client has to send its whole request head, however slowly it trickles in;
    /// then 408 and the connection is closed (closed without a word if nothing came).
    pub head_timeout: Duration,
    /// Time a client has to take a whole response.
    pub response_timeout: Duration,
    /// After a refusal, how long the rest of the request is read and dropped so that the
    /// refusal reaches the client instead of being lost to a connection reset.
    pub linger: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // One writer's browser opens about six connections at a time, and may keep a
            // spare or two open without sending anything.
            workers: 16,
            connections: 64,
            event_streams: 64,
            request_line_bytes: 8 * 1024,
            head_bytes: 32 * 1024,
            header_count: 100,
            head_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_secs(60),
            linger: Duration::from_secs(2),
        }
    }
}

/// The `Host` values this server answers to: the port it listens on, with `localhost`, a
/// loopback address, the address it is bound to or the name it was asked to bind. A page
/// that rebinds its own domain to 127.0.0.1 still sends its domain, and is refused.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    port: u16,
    names: Vec<String>,
    /// Bound to every interface (`--bind 0.0.0.0`): any IP address names this machine
    /// (DNS rebinding needs a domain name, so an address is safe).
    any_address: bool,
}

impl AllowedHosts {
    /// For a server asked to bind `bind` (as written on the command line) and listening at
    /// `address`.
    pub fn new(bind: &str, address: SocketAddr) -> Self {
        let bind = bind.trim_start_matches('[').trim_end_matches(']');
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "::1"]
            .into_iter()
            .map(str::to_string)
            .collect();
        names.push(address.ip().to_string());
        names.push(bind.to_ascii_lowercase());
        names.sort();
        names.dedup();
        AllowedHosts {
            port: address.port(),
            names,
            any_address: address.ip().is_unspecified(),
        }
    }

    /// Whether `authority` (a `Host` value, or the authority of an absolute request target)
    /// names this server.
    pub fn allows(&self, authority: &str) -> bool {
        let Some((host, port)) = split_authority(authority) else {
            return false;
        };
        port == self.port
            && (self.names.contains(&host) || (self.any_address && host.parse::<IpAddr>().is_ok()))
    }
}

/// `host:port` → (lower-case host without brackets, port; 80 when left out).
fn split_authority(authority: &str) -> Option<(String, u16)> {
    if authority.is_empty() || authority.contains(['@', '/', ' ']) {
        return None;
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(rest) => {
            let (host, after) = rest.split_once(']')?;
            match after {
                "" => (host, None),
                _ => (host, Some(after.strip_prefix(':')?)),
            }
        }
        // An IPv6 address needs its brackets: `::1:1111` names nothing.
        None => match authority.split_once(':') {
            Some((_, port)) if port.contains(':') => return None,
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port = match port {
        None => 80,
        Some(port) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            port.parse().ok()?
        }
        Some(_) => return None,
    };
    Some((host.to_ascii_lowercase(), port))
}

/// What is being served right now.
#[derive(Default)]
pub struct Served {
    /// Site path (`integrations/jira/latest/index.html`) → bytes.
    pub files: HashMap<String, Arc<[u8]>>,
    /// The last rebuild's error, shown over every page until a rebuild succeeds.
    pub error: Option<String>,
}

/// A running server: what it serves, and the live-reload streams of the open pages.
pub struct Http {
    pub served: Arc<RwLock<Served>>,
    pub broadcast: Arc<Broadcast>,
}

/// Starts answering on `listener` in the background (until the process ends), serving
/// nothing until [`Served::files`] is filled.
pub fn start(listener: TcpListener, hosts: AllowedHosts, limits: Limits) -> Http {
    let served = Arc::new(RwLock::new(Served::default()));
    let broadcast = Arc::new(Broadcast::start(served.clone(), limits.event_streams));
    let server = Arc::new(Shared {
        served: served.clone(),
        broadcast: broadcast.clone(),
        hosts,
        limits,
    });
    let (queue, waiting) = channel::<TcpStream>();
    let waiting = Arc::new(Mutex::new(waiting));
    let in_flight = Arc::new(AtomicUsize::new(0));
    for worker in 0..server.limits.workers.max(1) {
        let server = server.clone();
        let waiting = waiting.clone();
        let in_flight = in_flight.clone();
        let _ = std::thread::Builder::new()
            .name(format!("portico-http-{worker}"))
            .spawn(move || work(&server, &waiting, &in_flight));
    }
    let connections = server.limits.connections.max(1);
    let _ = std::thread::Builder::new()
        .name("portico-accept".to_string())
        .spawn(move || accept(listener, &queue, &in_flight, connections));
    Http { served, broadcast }
}

/// What every worker shares.
struct Shared {
    served: Arc<RwLock<Served>>,
    broadcast: Arc<Broadcast>,
    hosts: AllowedHosts,
    limits: Limits,
}

/// Accepts connections and queues them for the workers, or refuses them when too many are
/// already waiting (a slow or hostile client cannot make the server grow).
fn accept(
    listener: TcpListener,
    queue: &Sender<TcpStream>,
    in_flight: &AtomicUsize,
    connections: usize,
) {
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            // Out of file descriptors, say: wait for connections to finish rather than spin.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        // Only this thread adds, so the bound holds.
        if in_flight.load(Ordering::SeqCst) >= connections {
            refuse_at_once(stream, "too many connections at once; try again\n");
            continue;
        }
        in_flight.fetch_add(1, Ordering::SeqCst);
        if queue.send(stream).is_err() {
            return;
        }
    }
}

/// A worker: answers queued connections one at a time.
fn work(server: &Shared, waiting: &Mutex<Receiver<TcpStream>>, in_flight: &AtomicUsize) {
    loop {
        let next = match waiting.lock() {
            Ok(waiting) => waiting.recv(),
            Err(_) => return,
        };
        let Ok(stream) = next else {
            return;
        };
        // A bug must not cost the pool a worker, nor leak its connection slot.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            answer(stream, server);
        }));
        in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Writes a refusal without ever blocking (the accept thread calls this) and closes.
fn refuse_at_once(stream: TcpStream, message: &str) {
    let mut response = Response::text(503, message);
    response.headers.push(("Retry-After", "1".to_string()));
    if stream.set_nonblocking(true).is_ok() {
        let mut stream = stream;
        let _ = write_now(&mut stream, &response.bytes(false));
        let _ = stream.shutdown(Shutdown::Write);
    }
}

/// Reads one request from `stream` and answers it.
fn answer(mut stream: TcpStream, server: &Shared) {
    let _ = stream.set_nodelay(true);
    let limits = &server.limits;
    let head = match read_head(&mut stream, limits) {
        Ok(head) => head,
        Err(HeadProblem::Closed) => return,
        Err(HeadProblem::TimedOut) => {
            let response = Response::text(408, "the request took too long to arrive\n");
            return reply(stream, &response, false, limits, None);
        }
        Err(HeadProblem::LineTooLong) => {
            let response = Response::text(414, "request line too long\n");
            return reply(stream, &response, false, limits, Some(limits.linger));
        }
        Err(HeadProblem::TooLarge) => {
            let response = Response::text(431, "request headers too large\n");
            return reply(stream, &response, false, limits, Some(limits.linger));
        }
    };
    let request = match parse_head(&head, limits) {
        Ok(request) => request,
        Err(response) => return reply(stream, &response, false, limits, Some(limits.linger)),
    };
    // The rest of a request with a body is never read: drain it after answering.
    let linger = request.has_body.then_some(limits.linger);
    match route(&request, server) {
        Route::Respond(response) => reply(stream, &response, request.head_only, limits, linger),
        Route::Events => {
            // The stream is the event thread's from now on; the worker is free again.
            let _ = stream.set_read_timeout(None);
            server.broadcast.open(stream);
        }
    }
}

/// What became of a request head.
#[derive(Debug)]
enum HeadProblem {
    /// The client went away (or the connection failed, or it sent nothing before the
    /// deadline) before a whole head arrived.
    Closed,
    TimedOut,
    LineTooLong,
    TooLarge,
}

/// Reads up to the blank line that ends a request head, within [`Limits`]. Bytes after it
/// (a body) stay unread.
fn read_head(stream: &mut TcpStream, limits: &Limits) -> Result<Vec<u8>, HeadProblem> {
    let deadline = Instant::now() + limits.head_timeout;
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(HeadProblem::TimedOut);
        }
        stream
            .set_read_timeout(Some(remaining))
            .map_err(|_| HeadProblem::Closed)?;
        let read = match stream.read(&mut chunk) {
            Ok(0) => return Err(HeadProblem::Closed),
            Ok(read) => read,
            // A connection that never said a word (a browser's spare, opened in advance) is
            // closed without an answer, as browsers expect of idle connections.
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(if head.is_empty() {
                    HeadProblem::Closed
                } else {
                    HeadProblem::TimedOut
                });
            }
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return Err(HeadProblem::Closed),
        };
        let searched = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..read]);
        if let Some(end) = head_end(&head, searched) {
            head.truncate(end);
            return Ok(head);
        }
        let line_length = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
        if line_length > limits.request_line_bytes {
            return Err(HeadProblem::LineTooLong);
        }
        if head.len() > limits.head_bytes {
            return Err(HeadProblem::TooLarge);
        }
    }
}

/// Where the blank line ending a head ends (`\r\n\r\n`, or `\n\n` from lax clients),
/// looking from `from` on.
fn head_end(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len()).find_map(|at| {
        if bytes[at..].starts_with(b"\r\n\r\n") {
            Some(at + 4)
        } else if bytes[at..].starts_with(b"\n\n") {
            Some(at + 2)
        } else {
            None
        }
    })
}

/// A parsed request head.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    method: String,
    target: String,
    host: String,
    head_only: bool,
    /// The client announced a body (which is never read).
    has_body: bool,
}

/// Parses a request head strictly: a malformed one is refused, not guessed at.
fn parse_head(head: &[u8], limits: &Limits) -> Result<Request, Response> {
    let bad = |message: &str| Response::text(400, message);
    let text = std::str::from_utf8(head).map_err(|_| bad("request head is not UTF-8\n"))?;
    let mut lines = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .take_while(|line| !line.is_empty());
    let request_line = lines.next().unwrap_or_default();
    if request_line.len() > limits.request_line_bytes {
        return Err(Response::text(414, "request line too long\n"));
    }
    let parts: Vec<&str> = request_line.split(' ').collect();
    let [method, target, version] = parts.as_slice() else {
        return Err(bad("malformed request line\n"));
    };
    if method.is_empty() || !method.bytes().all(is_token_byte) {
        return Err(bad("malformed method\n"));
    }
    if target.is_empty() || target.bytes().any(|b| b.is_ascii_control()) {
        return Err(bad("malformed request target\n"));
    }
    if !matches!(*version, "HTTP/1.1" | "HTTP/1.0") {
        return Err(bad("only HTTP/1.0 and HTTP/1.1\n"));
    }
    let mut host = None;
    let mut has_body = false;
    let mut count = 0;
    for line in lines {
        count += 1;
        if count > limits.header_count {
            return Err(Response::text(431, "too many request headers\n"));
        }
        // Folded lines (obsolete) and stray carriage returns are how headers get smuggled.
        if line.starts_with([' ', '\t']) || line.contains('\r') {
            return Err(bad("malformed header line\n"));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad("malformed header line\n"));
        };
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(bad("malformed header name\n"));
        }
        let value = value.trim_matches([' ', '\t']);
        if name.eq_ignore_ascii_case("host") {
            if host.is_some() {
                return Err(bad("more than one Host header\n"));
            }
            host = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            has_body = true;
        }
    }
    let Some(host) = host else {
        return Err(bad("a Host header is required\n"));
    };
    Ok(Request {
        head_only: *method == "HEAD",
        method: method.to_string(),
        target: target.to_string(),
        host,
        has_body,
    })
}

/// RFC 9110 token characters (methods, header names).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// What to do with a request.
enum Route {
    Respond(Response),
    /// Hand the connection to the live-reload stream.
    Events,
}

fn route(request: &Request, server: &Shared) -> Route {
    let authority = target_authority(&request.target);
    if !server.hosts.allows(&request.host) || authority.is_some_and(|a| !server.hosts.allows(a)) {
        return Route::Respond(Response::text(
            403,
            "this preview server answers only to its own address (localhost or the address \
             it is bound to); open the address `portico serve` printed\n",
        ));
    }
    if request.method != "GET" && request.method != "HEAD" {
        let mut response = Response::text(405, "only GET and HEAD\n");
        response.headers.push(("Allow", "GET, HEAD".to_string()));
        return Route::Respond(response);
    }
    let path = match request_path(&request.target) {
        Ok(path) => path,
        Err(status) => return Route::Respond(Response::text(status, "bad request path\n")),
    };
    if path == EVENTS_PATH {
        return if request.head_only {
            Route::Respond(Response::new(
                200,
                "text/event-stream",
                Body::Owned(Vec::new()),
            ))
        } else {
            Route::Events
        };
    }
    if path == LIVE_RELOAD_PATH {
        return Route::Respond(Response::new(
            200,
            "text/javascript; charset=utf-8",
            Body::Owned(LIVE_RELOAD_SCRIPT.as_bytes().to_vec()),
        ));
    }
    Route::Respond(lookup(&server.served, &path))
}

/// The authority of an absolute-form target (`http://host:port/path`), which names the
/// server just as `Host` does.
fn target_authority(target: &str) -> Option<&str> {
    let (_, rest) = target.split_once("://")?;
    Some(rest.split(['/', '?', '#']).next().unwrap_or_default())
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

/// The response for a path of the site.
fn lookup(served: &RwLock<Served>, path: &str) -> Response {
    let Ok(served) = served.read() else {
        return Response::text(500, "server state unavailable\n");
    };
    // Leading slashes all go: `//integrations` is the site's `integrations`, never a
    // protocol-relative `//host`.
    let site_path = path.trim_start_matches('/');
    let site_path = if site_path.is_empty() || site_path.ends_with('/') {
        format!("{site_path}index.html")
    } else {
        site_path.to_string()
    };
    if let Some(bytes) = served.files.get(&site_path) {
        let content_type = content_type(&site_path);
        let body = if is_html(content_type) {
            Body::Owned(with_live_reload(bytes, served.error.as_deref()))
        } else {
            Body::Shared(bytes.clone())
        };
        return Response::new(200, content_type, body);
    }
    // A folder asked for without its slash: send the browser to the folder.
    if served
        .files
        .contains_key(&format!("{site_path}/index.html"))
    {
        return Response::redirect(&folder_location(&site_path));
    }
    let not_found = served
        .files
        .get("404.html")
        .map(|page| with_live_reload(page, served.error.as_deref()))
        .unwrap_or_else(|| b"not found\n".to_vec());
    Response::new(404, "text/html; charset=utf-8", Body::Owned(not_found))
}

/// The `Location` of a site folder (`integrations/jira` → `/integrations/jira/`): always
/// one leading slash, every byte that is not plainly safe in a path escaped.
fn folder_location(site_path: &str) -> String {
    format!(
        "/{}/",
        percent_encode_path(site_path.trim_start_matches('/'))
    )
}

fn is_html(content_type: &str) -> bool {
    content_type.starts_with("text/html")
}

/// HTML with the live-reload script before `</body>`, carrying the current error, if any.
fn with_live_reload(bytes: &[u8], error: Option<&str>) -> Vec<u8> {
    let html = String::from_utf8_lossy(bytes);
    let error = error
        .map(|error| format!(" data-portico-error=\"{}\"", escape_html(error)))
        .unwrap_or_default();
    let script = format!("<script src=\"{LIVE_RELOAD_PATH}\"{error}></script>\n");
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

/// A response body: a served file shared with the site, or bytes made for this response.
enum Body {
    Shared(Arc<[u8]>),
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        match self {
            Body::Shared(bytes) => bytes,
            Body::Owned(bytes) => bytes,
        }
    }
}

struct Response {
    status: u16,
    content_type: &'static str,
    /// Headers beyond those every response has.
    headers: Vec<(&'static str, String)>,
    body: Body,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Response({})", self.status)
    }
}

impl Response {
    fn new(status: u16, content_type: &'static str, body: Body) -> Self {
        Response {
            status,
            content_type,
            headers: Vec::new(),
            body,
        }
    }

    fn text(status: u16, message: &str) -> Self {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            Body::Owned(message.as_bytes().to_vec()),
        )
    }

    fn redirect(location: &str) -> Self {
        let mut response = Response::text(301, "");
        response.headers.push(("Location", location.to_string()));
        response
    }

    /// The status line and headers (and the body unless `head_only`).
    fn bytes(&self, head_only: bool) -> Vec<u8> {
        let body = self.body.as_ref();
        let mut out = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            body.len()
        );
        if !is_html(self.content_type) {
            out.push_str(&format!(
                "Content-Security-Policy: {PASSIVE_DOCUMENT_POLICY}\r\n"
            ));
        }
        for (name, value) in &self.headers {
            // Values are built to be safe; a line break here would start a new header.
            if value
                .bytes()
                .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
            {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        out.push_str("\r\n");
        let mut out = out.into_bytes();
        if !head_only {
            out.extend_from_slice(body);
        }
        out
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

/// Writes `response` within the response deadline and closes the connection, first
/// draining for up to `linger` what the client is still sending.
fn reply(
    mut stream: TcpStream,
    response: &Response,
    head_only: bool,
    limits: &Limits,
    linger: Option<Duration>,
) {
    let deadline = Instant::now() + limits.response_timeout;
    if write_by(&mut stream, &response.bytes(head_only), deadline).is_ok() {
        finish(stream, linger);
    }
}

/// Writes all of `bytes` before `deadline`: a client that reads slowly cannot hold a worker
/// longer than that.
fn write_by(stream: &mut TcpStream, mut bytes: &[u8], deadline: Instant) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(ErrorKind::TimedOut.into());
        }
        stream.set_write_timeout(Some(remaining))?;
        match stream.write(&bytes[..bytes.len().min(64 * 1024)]) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(written) => bytes = &bytes[written..],
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    stream.flush()
}

/// Ends the connection. Closing a socket with unread input makes the kernel reset it, and
/// the client may then lose the response it was sent; so after a refusal the rest of the
/// request is read and dropped for a bounded time and size first.
fn finish(mut stream: TcpStream, linger: Option<Duration>) {
    let _ = stream.shutdown(Shutdown::Write);
    let Some(linger) = linger else {
        return;
    };
    let deadline = Instant::now() + linger;
    let mut sink = [0u8; 8192];
    let mut drained = 0;
    while drained < MAX_DRAIN_BYTES {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() || stream.set_read_timeout(Some(remaining)).is_err() {
            return;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(read) => drained += read,
        }
    }
}

/// Writes all of `bytes` to a non-blocking stream now, or reports that it could not (a
/// client whose buffers are full is not reading, and is let go).
fn write_now(stream: &mut TcpStream, bytes: &[u8]) -> bool {
    let mut written = 0;
    while written < bytes.len() {
        match stream.write(&bytes[written..]) {
            Ok(0) => return false,
            Ok(count) => written += count,
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    true
}

/// Server-sent events to every open page, written by one thread.
pub struct Broadcast {
    commands: Sender<StreamCommand>,
    open_streams: Arc<AtomicUsize>,
}

enum StreamCommand {
    Open(TcpStream),
    Send(String),
}

impl Broadcast {
    fn start(served: Arc<RwLock<Served>>, max_streams: usize) -> Self {
        let (commands, received) = channel();
        let open_streams = Arc::new(AtomicUsize::new(0));
        let counter = open_streams.clone();
        let _ = std::thread::Builder::new()
            .name("portico-events".to_string())
            .spawn(move || stream_events(&received, &served, max_streams, &counter));
        Broadcast {
            commands,
            open_streams,
        }
    }

    /// Sends an event (`reload`, or `build-error` with a message) to every page.
    pub fn send(&self, event: &str, data: &str) {
        let _ = self
            .commands
            .send(StreamCommand::Send(event_message(event, data)));
    }

    /// How many pages are listening.
    pub fn listeners(&self) -> usize {
        self.open_streams.load(Ordering::SeqCst)
    }

    fn open(&self, stream: TcpStream) {
        let _ = self.commands.send(StreamCommand::Open(stream));
    }
}

/// The event thread: opens streams (up to `max_streams`), writes events to all of them and
/// a keep-alive comment when idle, and drops the ones whose page is gone. It never blocks on
/// a client: streams are non-blocking, and one that cannot take an event is closed.
fn stream_events(
    commands: &Receiver<StreamCommand>,
    served: &RwLock<Served>,
    max_streams: usize,
    open_streams: &AtomicUsize,
) {
    let mut streams: Vec<TcpStream> = Vec::new();
    loop {
        match commands.recv_timeout(KEEP_ALIVE) {
            Ok(StreamCommand::Open(mut stream)) => {
                streams.retain(is_open);
                if stream.set_nonblocking(true).is_err() {
                    continue;
                }
                if streams.len() >= max_streams {
                    let response = Response::text(503, "too many live-reload streams\n");
                    let _ = write_now(&mut stream, &response.bytes(false));
                    let _ = stream.shutdown(Shutdown::Write);
                    continue;
                }
                // Read under the same order as events are sent: an error set before this
                // point is in it, one set after comes as an event.
                let error = served.read().ok().and_then(|served| served.error.clone());
                let mut opening = String::from(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n",
                );
                if let Some(error) = error {
                    opening.push_str(&event_message("build-error", &error));
                }
                if write_now(&mut stream, opening.as_bytes()) {
                    streams.push(stream);
                }
            }
            Ok(StreamCommand::Send(message)) => {
                streams.retain_mut(|stream| write_now(stream, message.as_bytes()));
            }
            Err(RecvTimeoutError::Timeout) => {
                streams.retain_mut(|stream| write_now(stream, b": keep-alive\n\n"));
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
        open_streams.store(streams.len(), Ordering::SeqCst);
    }
}

/// Whether the page at the other end of a non-blocking stream is still there (a closed tab
/// has sent its end of stream; an open one sends nothing).
fn is_open(stream: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.peek(&mut byte) {
        Ok(0) => false,
        Ok(_) => true,
        Err(err) => err.kind() == ErrorKind::WouldBlock,
    }
}

/// One server-sent event. Browsers drop events without data, so there is always a line.
fn event_message(event: &str, data: &str) -> String {
    let data = if data.is_empty() { event } else { data };
    let lines: Vec<String> = data.lines().map(|line| format!("data: {line}")).collect();
    format!("event: {event}\n{}\n\n", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(head: &str) -> Result<Request, u16> {
        parse_head(head.as_bytes(), &Limits::default()).map_err(|response| response.status)
    }

    fn text(response: &Response) -> String {
        String::from_utf8(response.bytes(false)).unwrap()
    }

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
    fn request_heads_are_parsed_strictly() {
        let request = parse("GET /a HTTP/1.1\r\nHost: localhost:1111\r\nAccept: */*\r\n\r\n");
        assert_eq!(
            request,
            Ok(Request {
                method: "GET".to_string(),
                target: "/a".to_string(),
                host: "localhost:1111".to_string(),
                head_only: false,
                has_body: false,
            })
        );
        assert!(parse("HEAD / HTTP/1.0\nHost: x\n\n").unwrap().head_only);
        assert!(
            parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")
                .unwrap()
                .has_body
        );
        for bad in [
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX: a\rSet-Cookie: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
            "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /\r\nHost: a\r\n\r\n",
            "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
            "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
        ] {
            assert_eq!(parse(bad), Err(400), "{bad:?}");
        }
        let many = format!(
            "GET / HTTP/1.1\r\nHost: a\r\n{}\r\n",
            "X: y\r\n".repeat(101)
        );
        assert_eq!(parse(&many), Err(431));
    }

    #[test]
    fn only_this_servers_own_names_are_allowed_hosts() {
        let local = AllowedHosts::new("127.0.0.1", "127.0.0.1:1111".parse().unwrap());
        for good in [
            "localhost:1111",
            "LOCALHOST:1111",
            "127.0.0.1:1111",
            "[::1]:1111",
        ] {
            assert!(local.allows(good), "{good}");
        }
        for bad in [
            "evil.example:1111",
            "localhost:2222",
            "localhost",
            "localhost.evil.example:1111",
            "127.0.0.1.nip.io:1111",
            "10.0.0.1:1111",
            "user@localhost:1111",
            "localhost:1111/x",
            "localhost:",
            "",
            "::1:1111",
        ] {
            assert!(!local.allows(bad), "{bad}");
        }
        let named = AllowedHosts::new("docs-box", "192.168.1.5:80".parse().unwrap());
        assert!(named.allows("docs-box") && named.allows("192.168.1.5:80"));
        assert!(!named.allows("other-box"));
        let everywhere = AllowedHosts::new("0.0.0.0", "0.0.0.0:1111".parse().unwrap());
        assert!(everywhere.allows("192.168.1.5:1111") && everywhere.allows("[fe80::1]:1111"));
        assert!(!everywhere.allows("rebound.example:1111"));
    }

    #[test]
    fn locations_are_one_slash_paths_with_everything_unsafe_escaped() {
        assert_eq!(folder_location("integrations"), "/integrations/");
        assert_eq!(folder_location("/integrations"), "/integrations/");
        assert_eq!(
            folder_location("integrations/x\r\nSet-Cookie: a=b"),
            "/integrations/x%0D%0ASet-Cookie%3A%20a%3Db/"
        );
        let served = RwLock::new(Served::default());
        served.write().unwrap().files.insert(
            "integrations/index.html".to_string(),
            Arc::from(&b"<body></body>"[..]),
        );
        let response = lookup(&served, "//integrations");
        assert_eq!(response.status, 301);
        assert!(
            text(&response).contains("\r\nLocation: /integrations/\r\n"),
            "{}",
            text(&response)
        );
    }

    #[test]
    fn unsafe_header_values_are_never_written() {
        let mut response = Response::text(200, "x");
        response
            .headers
            .push(("Location", "/a\r\nSet-Cookie: b".to_string()));
        assert!(!text(&response).contains("Set-Cookie"));
    }

    #[test]
    fn every_response_says_nosniff_and_passive_documents_are_sandboxed() {
        let page = Response::new(200, "text/html; charset=utf-8", Body::Owned(Vec::new()));
        assert!(text(&page).contains("X-Content-Type-Options: nosniff\r\n"));
        assert!(!text(&page).contains("Content-Security-Policy"));
        let image = Response::new(200, "image/svg+xml", Body::Owned(Vec::new()));
        assert!(text(&image).contains("X-Content-Type-Options: nosniff\r\n"));
        assert!(text(&image).contains("sandbox"));
    }

    #[test]
    fn html_gets_the_live_reload_script_before_the_body_ends() {
        let html = with_live_reload(b"<html><body><p>x</p></body></html>", None);
        let html = String::from_utf8(html).unwrap();
        assert!(
            html.ends_with("<script src=\"/__portico/livereload.js\"></script>\n</body></html>")
        );
    }

    #[test]
    fn errors_reach_the_page_as_an_attribute_that_cannot_close_early() {
        let html = with_live_reload(b"<body></body>", Some("bad \"></script><script>alert(1)"));
        let html = String::from_utf8(html).unwrap();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("data-portico-error=\"bad &quot;&gt;&lt;/script&gt;"));
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

    #[test]
    fn the_end_of_a_head_is_found_across_reads() {
        assert_eq!(
            head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody", 0),
            Some(27)
        );
        assert_eq!(head_end(b"GET / HTTP/1.1\nHost: a\n\n", 10), Some(24));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n", 0), None);
    }
}
