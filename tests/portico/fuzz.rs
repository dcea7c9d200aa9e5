//! Property tests (issue 9, item 8): arbitrary bytes and structured junk fed to the
//! readers of untrusted text — the markdown + GitBook converter, front matter, the SUMMARY
//! parser, the plugin manifest readers — and to `site.toml` validation. Each must return
//! (no panic, no hang: every case runs under a deadline) and its output must be
//! well-formed: sanitized HTML has balanced tags and no NUL, lines reported lie inside the
//! input, configuration errors point inside the file.
//!
//! Seeded and bounded (`CASES` per property, a fixed seed, no failure files written), so
//! the suite is the same on every run; set PROPTEST_CASES to run longer.

use std::sync::mpsc;
use std::time::Duration;

use portico::testing::markdown::{
    self, LinkKind, LinkResolver, LinkTarget, RenderContext, Rendered, Resolution, gitbook,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};

/// Cases per property: enough to reach the odd corners of the vocabularies below, few
/// enough that the whole module runs in seconds in a debug build.
const CASES: u32 = 96;

/// How long one case may take before it counts as a hang (debug build, busy machine).
const DEADLINE: Duration = Duration::from_secs(20);

fn config() -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(CASES),
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x0090_71c0_0009),
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    }
}

/// Runs `work` on its own thread and fails if it does not finish within [`DEADLINE`].
fn within_deadline<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(work());
    });
    match result.recv_timeout(DEADLINE) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what} did not finish in {DEADLINE:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
    }
}

// ---------------------------------------------------------------------------------------
// Inputs

/// Pieces of markdown, GitBook blocks and raw HTML that interact badly when shuffled.
const PAGE_PIECES: &[&str] = &[
    "\n",
    "\n\n",
    "\r\n",
    " ",
    "    ",
    "\t",
    "text",
    "é",
    "日本",
    "\u{feff}",
    "\0",
    "\u{7}",
    "# ",
    "## ",
    "### Heading",
    "> ",
    ">",
    "- ",
    "* ",
    "1. ",
    "2) ",
    "- [ ] ",
    "- [x] ",
    "```",
    "```go",
    "~~~",
    "`",
    "``",
    "**",
    "*",
    "_",
    "~~",
    "[",
    "]",
    "(",
    ")",
    "[x](y.md)",
    "[a](#frag)",
    "[l](<a b.md>)",
    "![i](a.png)",
    "![i](missing.png)",
    "<https://x.y>",
    "[^1]",
    "[^1]: note",
    "| a | b |",
    "|---|---|",
    "| 1 | 2 |",
    "---",
    "***",
    "\\",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&lt;",
    "{%",
    "%}",
    "{% hint style=\"info\" %}",
    "{% hint style=\"x\" %}",
    "{% endhint %}",
    "{% tabs %}",
    "{% tab title=\"T\" %}",
    "{% endtab %}",
    "{% endtabs %}",
    "{% code title=\"c\" lineNumbers=\"true\" %}",
    "{% code overflow=\"wrap\" %}",
    "{% endcode %}",
    "{% embed url=\"https://www.youtube.com/watch?v=x\" %}",
    "{% endembed %}",
    "{% content-ref url=\"a.md\" %}",
    "{% endcontent-ref %}",
    "{% file src=\"f.pdf\" %}",
    "{% endfile %}",
    "{% include \"inc.md\" %}",
    "{% include \"../../etc/passwd\" %}",
    "{% swagger method=\"get\" path=\"/x\" summary=\"s\" %}",
    "{% swagger-description %}",
    "{% swagger-parameter in=\"path\" name=\"id\" %}",
    "{% swagger-response status=\"200\" %}",
    "{% endswagger-response %}",
    "{% endswagger-parameter %}",
    "{% endswagger-description %}",
    "{% endswagger %}",
    "{% unknown %}",
    "{% endunknown %}",
    "{% hint",
    "style=\"",
    "\"",
    "'",
    "<!--portico:code-->",
    "<!--portico:content-ref url=\"x\"-->",
    "<!--",
    "-->",
    "<div>",
    "</div>",
    "<div class=\"hint\">",
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<b id=\"x\">",
    "<a href=\"a.md\">",
    "</a>",
    "<a name=\"n\">",
    "<img src=\"a.png\" onerror=\"x()\">",
    "<script>",
    "</script>",
    "alert(1)",
    "<style>",
    "</style>",
    "<textarea>",
    "</textarea>",
    "<title>",
    "</title>",
    "<table>",
    "<tr>",
    "<td>",
    "</table>",
    "<svg>",
    "</svg>",
    "<math>",
    "<foreignObject>",
    "<template>",
    "</template>",
    "<issue-key>",
    "<your-url>",
    "</x>",
    "<x>",
    "<",
    ">",
    "<details>",
    "<summary>",
    "</details>",
    "javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">",
    "<input type=\"password\">",
    "<div id=\"content\">",
    "<h1>",
    "</h1>",
    "<pre>",
    "</pre>",
    "<br>",
    "<br/>",
    "<p/>",
];

/// A page: a run of pieces, sometimes with front matter on top.
fn page_text() -> impl Strategy<Value = String> {
    let body = prop::collection::vec(prop::sample::select(PAGE_PIECES), 0..120)
        .prop_map(|pieces| pieces.concat());
    let front = prop::option::of(yaml_text());
    (front, body).prop_map(|(front, body)| match front {
        Some(front) => format!("---\n{front}\n---\n{body}"),
        None => body,
    })
}

/// Arbitrary bytes as a page would be read (invalid UTF-8 replaced).
fn byte_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 0..600)
        .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// Text made of arbitrary characters, not only ASCII.
fn char_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..300).prop_map(|chars| chars.into_iter().collect())
}

const YAML_PIECES: &[&str] = &[
    "title: ",
    "description: ",
    "id: ",
    "name: ",
    "version: ",
    "min_server_version: ",
    "homepage_url: ",
    "x",
    "\"",
    "'",
    "\n",
    "  ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ": ",
    ",",
    "&a ",
    "*a",
    "!!binary ",
    "!!str ",
    "~",
    "null",
    "true",
    "1.0",
    "0x1F",
    "|",
    ">",
    "#",
    "---",
    "...",
    "? ",
    "%YAML 1.2\n",
    "\t",
    "\0",
    "é",
    "<<: *a",
];

fn yaml_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(YAML_PIECES), 0..40).prop_map(|p| p.concat())
}

const JSON_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"id\"",
    "\"name\"",
    "\"version\"",
    "\"description\"",
    "\"x\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "1",
    "-0",
    "1e999",
    "true",
    "null",
    " ",
    "\n",
    "\"",
    "\\",
];

fn json_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(JSON_PIECES), 0..60).prop_map(|p| p.concat())
}

const SUMMARY_PIECES: &[&str] = &[
    "# Table of Contents",
    "## Group",
    "### Sub",
    "* ",
    "- ",
    "+ ",
    "1. ",
    "  ",
    "    ",
    "\t",
    "[Page](page.md)",
    "[Page](page.md \"Side\")",
    "[",
    "](",
    ")",
    "<a.md>",
    "text",
    "---",
    "\n",
    "\n\n",
    "\r\n",
    "`code`",
    "**b**",
    "[x]: y.md",
    "[ref][x]",
    "> ",
    "```",
    "é",
    "\0",
];

fn summary_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(SUMMARY_PIECES), 0..80).prop_map(|p| p.concat())
}

const TOML_PIECES: &[&str] = &[
    "[site]\n",
    "[build]\n",
    "[[integrations]]\n",
    "[site",
    "[[",
    "]]",
    "title = ",
    "base_url = ",
    "description = ",
    "theme = ",
    "output_dir = ",
    "id = ",
    "repo = ",
    "managed_by = ",
    "deployments = ",
    "branch = ",
    "name = ",
    "web_url = ",
    "docs_dir = ",
    "allow_embeds = ",
    "\"x\"",
    "\"https://docs.example.com/\"",
    "\"community\"",
    "\"mattermost\"",
    "[\"cloud\"]",
    "[\"self-managed\", \"cloud\"]",
    "\"repos/x\"",
    "\"../x\"",
    "\"/abs\"",
    "true",
    "1",
    "1979-05-27",
    "{ a = 1 }",
    "'''",
    "\"\"\"",
    "\n",
    " ",
    "#c",
    "\"\\u0000\"",
    "=",
    ".",
    "[",
    "]",
    "é",
    "\r\n",
    "\t",
    "\0",
];

fn toml_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOML_PIECES), 0..60).prop_map(|p| p.concat())
}

// ---------------------------------------------------------------------------------------
// The converter

/// Resolves like a small doc set: `.md` pages and `.png` files exist, `missing` does not,
/// and one include works.
struct JunkResolver;

impl LinkResolver for JunkResolver {
    fn resolve(&self, dest: &str, _kind: LinkKind) -> Resolution {
        if dest.contains("missing") {
            Resolution::Broken {
                reason: "no such file".into(),
            }
        } else if dest.contains("://") || dest.starts_with("mailto:") {
            Resolution::Unchanged
        } else {
            Resolution::Rewritten {
                href: dest.replace(".md", ".html"),
                target: LinkTarget::Page {
                    output_path: "a.html".into(),
                    fragment: None,
                },
            }
        }
    }

    fn include(&self, _from: &str, target: &str) -> Result<(String, String), String> {
        if target == "inc.md" {
            Ok((
                "inc.md".into(),
                "{% hint %}\nincluded {% include \"inc.md\" %}\n".into(),
            ))
        } else {
            Err(format!("{target} cannot be included"))
        }
    }

    fn page_title(&self, _output_path: &str) -> Option<String> {
        Some("<Title> & \"more\"".into())
    }

    fn asset_size(&self, _asset: usize) -> Option<u64> {
        Some(1536)
    }
}

fn render(text: String, trusted: bool) -> Rendered {
    within_deadline("markdown::convert", move || {
        markdown::convert(
            &text,
            &RenderContext {
                resolver: &JunkResolver,
                page: "docs/page.md",
                trusted,
                allow_embeds: true,
            },
        )
    })
}

/// Elements without end tags.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Whether `html` is a sequence of properly nested elements: its tags (the text between
/// `<` and `>`), or where it is not. Knows what serializers write: quoted attribute values
/// (which may hold `<` and `>`), comments, void elements, and escaped text.
fn check_balanced(html: &str) -> Result<Vec<&str>, String> {
    let bytes = html.as_bytes();
    let mut open: Vec<String> = Vec::new();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            let end = html[i..]
                .find("-->")
                .ok_or(format!("unclosed comment at {i}"))?;
            i += end + 3;
            continue;
        }
        let closing = bytes.get(i + 1) == Some(&b'/');
        let name_start = i + 1 + usize::from(closing);
        let mut j = name_start;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
            j += 1;
        }
        if j == name_start {
            return Err(format!("bare < at {i}: {:?}", snippet(html, i)));
        }
        let name = html[name_start..j].to_ascii_lowercase();
        // Attributes, with quoted values, up to `>`.
        let mut quote: Option<u8> = None;
        let self_closing;
        loop {
            let Some(&b) = bytes.get(j) else {
                return Err(format!("unterminated tag <{name} at {i}"));
            };
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b == b'>' => {
                    self_closing = j > 0 && bytes[j - 1] == b'/';
                    break;
                }
                None => {}
            }
            j += 1;
        }
        tags.push(&html[name_start..j]);
        i = j + 1;
        if closing {
            match open.pop() {
                Some(top) if top == name => {}
                top => {
                    return Err(format!(
                        "</{name}> closes {top:?} at {i}: {:?}",
                        snippet(html, i)
                    ));
                }
            }
        } else if !VOID.contains(&name.as_str()) && !self_closing {
            open.push(name);
        }
    }
    match open.is_empty() {
        true => Ok(tags),
        false => Err(format!("left open: {open:?}")),
    }
}

/// A tag's name and attributes (`a href="x" download` → `a`, [(href, x), (download, "")]).
fn parse_tag(tag: &str) -> (String, Vec<(String, String)>) {
    let tag = tag.trim_start_matches('/').trim_end_matches('/');
    let name_len = tag
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(tag.len());
    let mut attributes = Vec::new();
    let mut rest = tag[name_len..].trim_start();
    while !rest.is_empty() {
        let name_len = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let name = rest[..name_len].to_ascii_lowercase();
        rest = rest[name_len..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (text, remaining) = match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let end = after[1..].find(quote).map_or(after.len(), |at| at + 1);
                    (&after[1..end], after.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            value = text.replace("&amp;", "&");
            rest = remaining.trim_start();
        }
        attributes.push((name, value));
    }
    (tag[..name_len].to_ascii_lowercase(), attributes)
}

/// Up to 60 bytes either side of `at`, cut at character boundaries.
fn snippet(html: &str, at: usize) -> &str {
    let mut start = at.saturating_sub(60).min(html.len());
    while !html.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + 60).min(html.len());
    while !html.is_char_boundary(end) {
        end += 1;
    }
    &html[start..end]
}

/// What must hold of every rendering.
fn check_rendering(text: &str, out: &Rendered, trusted: bool) -> Result<(), TestCaseError> {
    prop_assert!(!out.html.contains('\0'), "a NUL reached the HTML");
    let lines = text.lines().count().max(1) as u32 + 1;
    for (line, message) in &out.problems {
        prop_assert!(
            (1..=lines).contains(line),
            "problem at line {line} of {lines}: {message}"
        );
    }
    for link in &out.links {
        prop_assert!(
            (1..=lines).contains(&link.line),
            "link at line {} of {lines}",
            link.line
        );
    }
    if !trusted {
        let tags = match check_balanced(&out.html) {
            Ok(tags) => tags,
            Err(problem) => {
                return Err(TestCaseError::fail(format!(
                    "unbalanced HTML: {problem}\n{}",
                    out.html
                )));
            }
        };
        for tag in tags {
            let (name, attributes) = parse_tag(tag);
            prop_assert!(
                !["script", "style", "iframe", "textarea", "object", "embed"]
                    .contains(&name.as_str()),
                "<{tag}> survived sanitizing"
            );
            for (attribute, value) in attributes {
                prop_assert!(
                    !attribute.starts_with("on") && attribute != "style",
                    "<{tag}> survived sanitizing"
                );
                prop_assert!(
                    !value
                        .trim_start()
                        .to_ascii_lowercase()
                        .starts_with("javascript:"),
                    "<{tag}> survived sanitizing"
                );
                prop_assert!(
                    !(attribute == "id" && value == "content"),
                    "<{tag}> survived sanitizing"
                );
                prop_assert!(
                    !(attribute == "type" && value != "checkbox"),
                    "<{tag}> survived sanitizing"
                );
            }
        }
    } else if !text.contains('<') {
        // Without raw HTML, the portal's own markup (GitBook blocks included) is balanced.
        if let Err(problem) = check_balanced(&out.html) {
            return Err(TestCaseError::fail(format!(
                "unbalanced HTML: {problem}\n{}",
                out.html
            )));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn junk_pages_render_to_well_formed_html(text in page_text(), trusted in any::<bool>()) {
        let out = render(text.clone(), trusted);
        check_rendering(&text, &out, trusted)?;
    }

    #[test]
    fn arbitrary_bytes_render_to_well_formed_html(text in byte_text(), trusted in any::<bool>()) {
        let out = render(text.clone(), trusted);
        check_rendering(&text, &out, trusted)?;
    }

    #[test]
    fn arbitrary_characters_render_to_well_formed_html(text in char_text()) {
        let out = render(text.clone(), false);
        check_rendering(&text, &out, false)?;
    }

    #[test]
    fn references_and_titles_never_panic(text in page_text()) {
        within_deadline("references", move || {
            let _ = markdown::references(&text, "docs/page.md", &gitbook::NoIncludes);
            let _ = markdown::title_hint(&text);
        });
    }

    #[test]
    fn gitbook_preprocessing_maps_every_line_into_the_source(text in page_text(), first_line in 1u32..50) {
        let lines = text.lines().count().max(1) as u32;
        let pre = within_deadline("gitbook::preprocess", move || {
            gitbook::preprocess(
                &text,
                first_line,
                &gitbook::Options { includes: &gitbook::NoIncludes, allow_embeds: true, page: "p.md" },
            )
        });
        for line in pre.source_lines.iter().chain(pre.problems.iter().map(|(line, _)| line)) {
            prop_assert!((first_line..first_line + lines + 1).contains(line), "line {line}");
        }
    }

    #[test]
    fn summaries_refer_only_to_their_own_lines(text in summary_text()) {
        let lines = text.lines().count().max(1) as u32 + 1;
        let summary = within_deadline("parse_summary", {
            let text = text.clone();
            move || portico::testing::nav::parse_summary(&text)
        });
        fn walk(items: &[portico::testing::nav::SummaryItem], lines: u32) -> Result<(), TestCaseError> {
            for item in items {
                prop_assert!((1..=lines).contains(&item.line), "item at line {}", item.line);
                prop_assert_eq!(item.title.trim(), item.title.as_str());
                walk(&item.children, lines)?;
            }
            Ok(())
        }
        for group in &summary.groups {
            walk(&group.items, lines)?;
        }
        for problem in &summary.problems {
            prop_assert!((1..=lines).contains(&problem.line), "problem at line {}", problem.line);
            prop_assert!(problem.column >= 1);
        }
    }

    #[test]
    fn summaries_of_arbitrary_bytes_never_panic(text in byte_text()) {
        within_deadline("parse_summary", move || portico::testing::nav::parse_summary(&text));
    }

    #[test]
    fn manifests_of_junk_are_read_or_refused(yaml in yaml_text(), json in json_text(), bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        within_deadline("manifest::parse", move || {
            for name in ["plugin.yaml", "plugin.yml", "plugin.json"] {
                for input in [yaml.as_bytes(), json.as_bytes(), &bytes] {
                    if let Ok(manifest) = portico::testing::source::parse_manifest(name, input) {
                        for field in [manifest.id, manifest.name, manifest.version, manifest.description] {
                            assert!(field.is_none_or(|value| !value.trim().is_empty()));
                        }
                    }
                }
            }
        });
    }

    #[test]
    fn front_matter_of_junk_never_panics(yaml in yaml_text(), body in page_text()) {
        let text = format!("---\n{yaml}\n---\n{body}");
        let out = render(text.clone(), false);
        check_rendering(&text, &out, false)?;
    }

    #[test]
    fn site_toml_errors_point_inside_the_file(text in toml_text()) {
        let lines = text.lines().count().max(1) as u32 + 1;
        let result = within_deadline("config::parse", {
            let text = text.clone();
            move || {
                portico::testing::config::parse(&text, std::path::Path::new("/portal"), std::path::Path::new("/portal/site.toml"))
                    .err()
            }
        });
        if let Some(error) = result {
            prop_assert!(!error.problems.is_empty());
            for problem in &error.problems {
                prop_assert!((1..=lines).contains(&problem.line), "line {} of {lines}: {}", problem.line, problem.message);
                let line_text = text.split('\n').nth(problem.line as usize - 1).unwrap_or("");
                prop_assert!(
                    problem.column >= 1 && problem.column as usize <= line_text.chars().count() + 1,
                    "column {} of {:?}: {}", problem.column, line_text, problem.message
                );
            }
        }
    }

    #[test]
    fn site_toml_of_arbitrary_bytes_never_panics(text in byte_text()) {
        within_deadline("config::parse", move || {
            let _ = portico::testing::config::parse(&text, std::path::Path::new("/portal"), std::path::Path::new("/portal/site.toml"));
        });
    }
}

// ---------------------------------------------------------------------------------------
// Regressions and known-hard inputs, kept as plain tests.

#[test]
fn the_balance_checker_catches_what_it_should() {
    assert!(check_balanced("<p a=\"<b>\">x<br></p><!-- <i> -->").is_ok());
    assert!(check_balanced("<p><b></p></b>").is_err());
    assert!(check_balanced("<div>").is_err());
}

#[test]
fn yaml_alias_bombs_in_front_matter_and_manifests_are_refused_quickly() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for level in b'b'..=b'l' {
        let previous = (level - 1) as char;
        let level = level as char;
        bomb.push_str(&format!(
            "{level}: &{level} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]\n"
        ));
    }
    bomb.push_str("title: *l\n");
    let manifest = bomb.clone();
    within_deadline("manifest bomb", move || {
        let _ = portico::testing::source::parse_manifest("plugin.yaml", manifest.as_bytes());
    });
    let out = render(format!("---\n{bomb}---\n# Page\n"), false);
    assert!(out.html.contains("Page"));
}

#[test]
fn deeply_nested_structures_in_manifests_and_front_matter_do_not_overflow_the_stack() {
    for depth in [1_000, 100_000] {
        let json = "[".repeat(depth) + &"]".repeat(depth);
        let yaml = "[".repeat(depth) + &"]".repeat(depth);
        within_deadline("nested manifest", move || {
            assert!(
                portico::testing::source::parse_manifest("plugin.json", json.as_bytes()).is_err()
            );
            assert!(
                portico::testing::source::parse_manifest("plugin.yaml", yaml.as_bytes()).is_err()
            );
        });
        let out = render(
            format!("---\ntitle: {}\n---\n# Page\n", "[".repeat(depth)),
            false,
        );
        assert!(out.html.contains("Page"));
    }
}

#[test]
fn deeply_nested_site_toml_is_an_error_not_a_crash() {
    for depth in [1_000, 100_000] {
        let text = format!(
            "[site]\ntitle = {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let error = within_deadline("nested site.toml", move || {
            portico::testing::config::parse(
                &text,
                std::path::Path::new("/p"),
                std::path::Path::new("/p/site.toml"),
            )
            .err()
        });
        assert!(error.is_some());
    }
}

#[test]
fn deeply_nested_summaries_and_gitbook_blocks_stay_linear() {
    let summary = "* [a](a.md)\n".to_string()
        + &(1..3_000)
            .map(|depth| format!("{}* [p{depth}](p.md)\n", "  ".repeat(depth)))
            .collect::<String>();
    within_deadline("deep summary", move || {
        portico::testing::nav::parse_summary(&summary)
    });
    let blocks = "{% hint %}\n".repeat(20_000) + "deep\n" + &"{% endhint %}\n".repeat(20_000);
    let out = render(blocks, false);
    assert!(out.html.contains("deep"));
    let out = render("- ".repeat(20_000) + "deep lists", false);
    assert!(out.html.contains("deep lists"));
}
