//! Sanitizing community-managed docs: untrusted input from repositories Mattermost does
//! not maintain.
//!
//! Two rules. Rendered pages go through an allow-list (`sanitize`): no scripts, styles,
//! iframes, forms or event handlers, only http(s)/mailto or relative URLs, and only the
//! classes and ids Portico's own markup uses, so a page cannot dress itself up as the
//! theme (a fake "archived" banner). Copied files go through `publishable_file`: anything
//! a browser would run when opened from the portal's own domain (HTML, scripts, SVG with
//! scripts or links) is not published.

use std::borrow::Cow;
use std::sync::OnceLock;

use ammonia::Builder;

/// Class names Portico's markdown rendering produces; nothing else survives.
const ALLOWED_CLASS_PREFIXES: &[&str] = &[
    "hl-",
    "hint",
    "language-",
    "anchor",
    "code",
    "footnote-",
    "markdown-alert",
    "task-list",
    "tab",
    "embed",
    "content-ref",
    "file-",
    "api-",
];

/// Ids the theme uses for its own landmarks; a page must not repeat them.
pub const RESERVED_IDS: &[&str] = &["content"];

fn sanitizer() -> &'static Builder<'static> {
    static SANITIZER: OnceLock<Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(|| {
        let mut builder = Builder::default();
        builder
            .add_tags(["input", "section"])
            .add_generic_attributes([
                "class",
                "id",
                "title",
                "role",
                "aria-hidden",
                "aria-label",
                "aria-level",
            ])
            .add_tag_attributes("table", ["data-view"])
            .add_tag_attributes("a", ["download"])
            .add_tag_attributes("img", ["width", "height", "align", "loading"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("td", ["align"])
            .add_tag_attributes("th", ["align"])
            .add_tag_attributes("details", ["open"])
            .add_tag_attributes("a", ["name"])
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .attribute_filter(filter_attribute);
        builder
    })
}

fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match (element, attribute) {
        (_, "class") => {
            let kept: Vec<&str> = value
                .split_whitespace()
                .filter(|class| {
                    ALLOWED_CLASS_PREFIXES
                        .iter()
                        .any(|prefix| class.starts_with(prefix))
                })
                .collect();
            (!kept.is_empty()).then(|| Cow::Owned(kept.join(" ")))
        }
        (_, "id") if RESERVED_IDS.contains(&value) => None,
        // Task-list checkboxes only: no text or password fields on a docs page.
        ("input", "type") => Some(Cow::Borrowed("checkbox")),
        ("input", "disabled") => Some(Cow::Borrowed("")),
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Returns `html` with everything not on the allow-list removed.
pub fn sanitize(html: &str) -> String {
    sanitize_bounded(html).0
}

/// Like [`sanitize`], with nesting deeper than [`super::nesting::MAX_HTML_DEPTH`] flattened
/// first (the parser's work grows with depth times tags); also says where flattening began
/// and how many tags it dropped, for a warning.
pub fn sanitize_bounded(html: &str) -> (String, Option<FlattenedAt>) {
    match super::nesting::flatten_deep_html(html) {
        None => (sanitizer().clean(html).to_string(), None),
        Some(flat) => (
            sanitizer().clean(&flat.html).to_string(),
            Some(FlattenedAt {
                html_line: flat.first_line,
                dropped: flat.dropped,
            }),
        ),
    }
}

/// Where [`sanitize_bounded`] started flattening: a 1-based line of its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlattenedAt {
    pub html_line: u64,
    pub dropped: usize,
}

/// File types a browser runs when opened directly: never copied from untrusted docs.
const ACTIVE_EXTENSIONS: &[&str] = &[
    "html", "htm", "xhtml", "xht", "shtml", "xml", "xsl", "xslt", "js", "mjs", "cjs", "swf",
    "wasm", "svgz",
];

/// Whether a file from an untrusted repository may be copied into the portal; the error
/// says why not, for the broken-link warning.
pub fn publishable_file(path: &str, bytes: &[u8]) -> Result<(), String> {
    let extension = path
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    if ACTIVE_EXTENSIONS.contains(&extension.as_str()) {
        return Err(format!(
            "{path} is active content (.{extension}) from a community-managed repository and is not published; link to it in the repository instead"
        ));
    }
    if extension == "svg"
        && let Some(problem) = svg_problem(&String::from_utf8_lossy(bytes).to_ascii_lowercase())
    {
        return Err(format!(
            "{path} is an SVG with {problem} from a community-managed repository and is not published; remove it from the image or use a PNG"
        ));
    }
    Ok(())
}

/// What makes an SVG unsafe to serve from the portal's domain, if anything: scripts,
/// event handlers, embedded documents, or links (which can carry `javascript:`).
fn svg_problem(svg: &str) -> Option<&'static str> {
    for (marker, problem) in [
        ("<script", "a script"),
        ("javascript:", "a javascript: URL"),
        ("<foreignobject", "embedded HTML"),
        ("<iframe", "an embedded frame"),
        ("<embed", "an embedded object"),
        ("<object", "an embedded object"),
        ("<!entity", "entity declarations"),
        ("<set", "attribute animation"),
        ("<animate", "attribute animation"),
        ("<handler", "an event handler"),
    ] {
        if svg.contains(marker) {
            return Some(problem);
        }
    }
    if has_event_handler(svg) {
        return Some("an event handler");
    }
    if has_external_href(svg) {
        return Some("links");
    }
    None
}

/// An `on…=` attribute (`onload=`, `onclick =`).
fn has_event_handler(svg: &str) -> bool {
    let bytes = svg.as_bytes();
    svg.match_indices("on").any(|(at, _)| {
        let after_separator = at > 0
            && matches!(
                bytes[at - 1],
                b' ' | b'\n' | b'\t' | b'\r' | b'/' | b'"' | b'\''
            );
        let mut i = at + 2;
        let name_start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        after_separator && i > name_start && i < bytes.len() && bytes[i] == b'='
    })
}

/// An `href`/`xlink:href` that is not a same-document `#fragment`.
fn has_external_href(svg: &str) -> bool {
    let bytes = svg.as_bytes();
    svg.match_indices("href").any(|(at, _)| {
        let mut i = at + 4;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            return false;
        }
        i += 1;
        while i < bytes.len()
            && (bytes[i].is_ascii_whitespace() || bytes[i] == b'"' || bytes[i] == b'\'')
        {
            i += 1;
        }
        i >= bytes.len() || bytes[i] != b'#'
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let dirty = r#"<p onclick="steal()">hi<script>alert(1)</script></p><a href="javascript:alert(1)">x</a><img src="a.png" onerror="x()"><iframe src="https://evil"></iframe>"#;
        let clean = sanitize(dirty);
        for bad in [
            "onclick",
            "<script",
            "alert",
            "javascript:",
            "onerror",
            "<iframe",
        ] {
            assert!(!clean.contains(bad), "{bad} survived in {clean}");
        }
        assert!(clean.contains("<img src=\"a.png\">"));
    }

    #[test]
    fn portico_markup_survives() {
        let ours = r#"<h2 id="setup">Setup</h2><pre class="code"><code class="language-go"><span class="hl-source hl-go">x</span></code></pre><div class="hint hint-info" role="note"><p>n</p></div><ul><li><input disabled="" type="checkbox" checked=""> done</li></ul><details><summary>More</summary>x</details>"#;
        let clean = sanitize(ours);
        for kept in [
            "id=\"setup\"",
            "class=\"hl-source hl-go\"",
            "hint-info",
            "type=\"checkbox\"",
            "<details>",
        ] {
            assert!(clean.contains(kept), "{kept} lost in {clean}");
        }
    }

    #[test]
    fn pages_cannot_imitate_the_theme_or_ask_for_passwords() {
        let clean = sanitize(
            r#"<div id="content" class="archived-banner hint">fake</div><input type="password" name="pw">"#,
        );
        assert!(!clean.contains("archived-banner"), "{clean}");
        assert!(!clean.contains("id=\"content\""), "{clean}");
        assert!(clean.contains("class=\"hint\""), "{clean}");
        assert!(!clean.contains("password"), "{clean}");
    }

    #[test]
    fn active_files_are_not_published_from_untrusted_repositories() {
        assert!(publishable_file("demo.html", b"<p>x</p>").is_err());
        assert!(publishable_file("app.JS", b"").is_err());
        assert!(publishable_file("shot.png", b"\x89PNG").is_ok());
        assert!(publishable_file("logo.svg", br##"<svg xmlns="http://www.w3.org/2000/svg"><circle r="4" fill="url(#g)"/><use href="#shape"/></svg>"##).is_ok());
        for bad in [
            r#"<svg><script>alert(1)</script></svg>"#,
            r#"<svg onload="alert(1)"/>"#,
            r#"<svg><rect ONCLICK = "x()"/></svg>"#,
            r#"<svg><a xlink:href="https://evil.example/"><text>x</text></a></svg>"#,
            r#"<svg><a href="&#106;avascript:alert(1)">x</a></svg>"#,
            r#"<svg><foreignObject><body>x</body></foreignObject></svg>"#,
        ] {
            assert!(
                publishable_file("x.svg", bad.as_bytes()).is_err(),
                "{bad} was accepted"
            );
        }
    }

    #[test]
    fn words_containing_on_are_not_event_handlers() {
        assert!(!has_event_handler(
            r#"<svg><text>configuration = done</text><g transform="rotation"/></svg>"#
        ));
    }
}
