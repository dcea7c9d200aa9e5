//! Sanitizing community-managed docs: untrusted input from repositories Mattermost does
//! not maintain.
//!
//! Two rules. Rendered pages go through an allow-list (`sanitize_bounded`, or
//! `sanitize_shallow` when the renderer bounded the page's depth itself): no scripts, styles,
//! iframes, forms or event handlers, only http(s)/mailto or relative URLs, and only the
//! classes and ids Portico's own markup uses, so a page cannot dress itself up as the
//! theme (a fake "archived" banner). Copied files go through `publishable_file`, also an
//! allow-list: only passive types (images, videos, plain text, archives) whose content is
//! what their name says, and SVG only as rewritten by `svg::sanitize_svg`; anything else
//! (HTML, XML in all its dialects, scripts, PDFs, unknown types) is not published.

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
    "deployment-",
];

/// Ids the default theme's templates and scripts give their own elements (landmarks, the
/// search box, the data its script reads); a page must not repeat them: two `id="sidebar"`
/// make the drawer button and the skip link point at the wrong one, and an element
/// `id="page-map"` in a page would make the theme's script read the page's text as its data.
/// `home-…` and `group-…` are the integration groups of `compose::views`.
const THEME_IDS: &[&str] = &[
    "content",
    "sidebar",
    "page-map",
    "page-elsewhere",
    "search-input",
    "search-panel",
    "search-status",
    "search-results",
    "home-mattermost",
    "home-community",
    "group-mattermost",
    "group-community",
];

/// Ids the theme's scripts number at run time: the prefix, then this many numbers joined by
/// `-` (`tab-0-1`). Only that exact shape is reserved, so a heading "Tab completion" keeps
/// `tab-completion` and a heading "Tab 1 2" gets `tab-1-2-1`.
const NUMBERED_THEME_IDS: &[(&str, usize)] = &[
    ("tab-", 2),
    ("tabpanel-", 2),
    ("nav-expand-", 1),
    ("nav-list-", 1),
    ("search-option-", 1),
];

/// Whether `id` is one the theme uses for its own elements (see [`THEME_IDS`]), which a
/// page's headings and HTML must leave to it.
pub(crate) fn is_theme_id(id: &str) -> bool {
    THEME_IDS.contains(&id)
        || NUMBERED_THEME_IDS.iter().any(|(prefix, numbers)| {
            id.strip_prefix(prefix).is_some_and(|rest| {
                let parts: Vec<&str> = rest.split('-').collect();
                parts.len() == *numbers
                    && parts
                        .iter()
                        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            })
        })
}

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
            .add_tag_attributes("div", ["data-deployment"])
            .add_tag_attributes("a", ["download"])
            .add_tag_attributes("img", ["width", "height", "align", "loading"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_tag_attributes("td", ["align"])
            .add_tag_attributes("th", ["align"])
            .add_tag_attributes("details", ["open"])
            .add_tag_attributes("a", ["name"])
            .add_tag_attributes("pre", ["tabindex"])
            .add_tag_attributes("table", ["tabindex"])
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
        (_, "id") if is_theme_id(value) => None,
        // Only the values the theme's script knows: never an author's text.
        ("div", "data-deployment") => {
            super::deployments::known(value).map(|deployment| Cow::Borrowed(deployment.id()))
        }
        // Task-list checkboxes only: no text or password fields on a docs page.
        ("input", "type") => Some(Cow::Borrowed("checkbox")),
        ("input", "disabled") => Some(Cow::Borrowed("")),
        // A code block or a table is focusable so that it scrolls from the keyboard; no other tab
        // order (a positive tabindex would move a page's element ahead of the site's own).
        ("pre" | "table", "tabindex") => Some(Cow::Borrowed("0")),
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Returns `html` with everything not on the allow-list removed.
#[cfg(test)]
fn sanitize(html: &str) -> String {
    sanitize_bounded(html).0
}

/// `html` with everything not on the allow-list removed, and nesting deeper than [`super::nesting::MAX_HTML_DEPTH`] flattened
/// first (the parser's work grows with depth times tags); also says where flattening began
/// and how many tags it dropped, for a warning.
pub(crate) fn sanitize_bounded(html: &str) -> (String, Option<FlattenedAt>) {
    match super::nesting::flatten_deep_html(html) {
        None => (sanitize_shallow(html), None),
        Some(flat) => (
            sanitize_shallow(&flat.html),
            Some(FlattenedAt {
                html_line: flat.first_line,
                dropped: flat.dropped,
            }),
        ),
    }
}

/// [`sanitize_bounded`] for HTML known to nest less deeply than the flattening limit (the caller
/// bounded its depth from how it was made): the same result without the flattening pass.
pub(crate) fn sanitize_shallow(html: &str) -> String {
    sanitizer().clean(html).to_string()
}

/// Where [`sanitize_bounded`] started flattening: a 1-based line of its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FlattenedAt {
    pub html_line: u64,
    pub dropped: usize,
}

/// Something the allow-list removes or changes in a page's HTML, on a 1-based line of
/// that HTML: `"a <script> element and its content"`, `"the onclick attribute of <a>"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Removal {
    pub html_line: u64,
    pub what: String,
}

/// What [`sanitize_shallow`] would remove from or change in `html`, tag by tag, by the same
/// allow-list (the sanitizer's own tags, attributes and URL schemes, and
/// [`filter_attribute`]), so that `check --repo` can tell a writer what a community-managed
/// portal strips and where. Comments (invisible anyway) and the `rel` ammonia adds to links
/// are not reported.
pub(crate) fn removals(html: &str) -> Vec<Removal> {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{BufferQueue, Tokenizer, TokenizerOpts};
    let tokenizer = Tokenizer::new(RemovalFinder::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    while let html5ever::TokenizerResult::Script(_) = tokenizer.feed(&input) {}
    tokenizer.end();
    tokenizer.sink.found.into_inner()
}

/// The sanitizer's allow-list, as its builder holds it.
struct AllowList {
    tags: std::collections::HashSet<&'static str>,
    content_removed: std::collections::HashSet<&'static str>,
    generic_attributes: std::collections::HashSet<&'static str>,
    tag_attributes:
        std::collections::HashMap<&'static str, std::collections::HashSet<&'static str>>,
    url_schemes: std::collections::HashSet<&'static str>,
}

fn allow_list() -> &'static AllowList {
    static ALLOW_LIST: OnceLock<AllowList> = OnceLock::new();
    ALLOW_LIST.get_or_init(|| {
        let builder = sanitizer();
        AllowList {
            tags: builder.clone_tags(),
            content_removed: builder.clone_clean_content_tags(),
            generic_attributes: builder.clone_generic_attributes(),
            tag_attributes: builder.clone_tag_attributes(),
            url_schemes: builder.clone_url_schemes(),
        }
    })
}

/// Collects [`Removal`]s from the tokens of a page's HTML.
#[derive(Default)]
struct RemovalFinder {
    found: std::cell::RefCell<Vec<Removal>>,
}

impl html5ever::tokenizer::TokenSink for RemovalFinder {
    type Handle = ();

    fn process_token(
        &self,
        token: html5ever::tokenizer::Token,
        line: u64,
    ) -> html5ever::tokenizer::TokenSinkResult<()> {
        use html5ever::tokenizer::{TagKind, Token, TokenSinkResult, states::RawKind};
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != TagKind::StartTag {
            return TokenSinkResult::Continue;
        }
        let name: &str = &tag.name;
        let mut found = self.found.borrow_mut();
        let mut add = |what: String| {
            found.push(Removal {
                html_line: line,
                what,
            })
        };
        let allowed = allow_list();
        if allowed.tags.contains(name) {
            for attribute in &tag.attrs {
                if let Some(what) = attribute_removal(name, &attribute.name.local, &attribute.value)
                {
                    add(what);
                }
            }
        } else if allowed.content_removed.contains(name) {
            add(format!("a <{name}> element and its content"));
        } else {
            add(format!("a <{name}> element (its text is kept)"));
        }
        // The text of these elements is not markup, as the sanitizer's parser reads them.
        match name {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "iframe" | "xmp" | "noembed" | "noframes" | "noscript" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }
}

/// What the sanitizer does to one attribute of an allowed element, if anything.
fn attribute_removal(element: &str, attribute: &str, value: &str) -> Option<String> {
    let allowed = allow_list();
    let listed = allowed.generic_attributes.contains(attribute)
        || allowed
            .tag_attributes
            .get(element)
            .is_some_and(|attributes| attributes.contains(attribute));
    if !listed {
        return Some(match attribute.starts_with("on") {
            true => format!("the event handler {attribute} of <{element}>"),
            false => format!("the {attribute} attribute of <{element}>"),
        });
    }
    if matches!(
        attribute,
        "href" | "src" | "xlink:href" | "action" | "formaction" | "poster" | "data" | "ping"
    ) {
        let refused = match url::Url::parse(value.trim()) {
            Ok(url) => (!allowed.url_schemes.contains(url.scheme()))
                .then(|| format!("a {}: URL", url.scheme())),
            Err(url::ParseError::RelativeUrlWithoutBase) => None,
            Err(_) => Some("an invalid URL".to_string()),
        };
        if let Some(refused) = refused {
            return Some(format!("{refused} in the {attribute} of <{element}>"));
        }
    }
    match filter_attribute(element, attribute, value) {
        None => Some(format!("the {attribute}=\"{value}\" of <{element}>")),
        Some(kept) if kept != value => Some(format!(
            "the {attribute}=\"{value}\" of <{element}> (made \"{kept}\")"
        )),
        Some(_) => None,
    }
}

/// What becomes of a file from an untrusted repository that may be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Publishable {
    /// Copied as it is.
    AsIs,
    /// An SVG written again without anything active; `removed` names what was taken out
    /// (empty when there was nothing to take out).
    Rewritten {
        bytes: Vec<u8>,
        removed: Vec<&'static str>,
    },
}

/// Whether a file's bytes are of the type its name says.
type ContentCheck = fn(&[u8]) -> bool;

/// The passive file types a community-managed repository may publish, by extension, with
/// what their content must start with: a browser shows these as pictures, plays them,
/// offers them for download or shows them as text, and never runs them. The content check
/// matters as much as the name: a `.png` holding HTML is HTML to a browser that sniffs.
const PASSIVE_TYPES: &[(&str, &str, ContentCheck)] = &[
    ("png", "a PNG image", |b| {
        b.starts_with(b"\x89PNG\r\n\x1a\n")
    }),
    ("jpg", "a JPEG image", |b| {
        b.starts_with(&[0xFF, 0xD8, 0xFF])
    }),
    ("jpeg", "a JPEG image", |b| {
        b.starts_with(&[0xFF, 0xD8, 0xFF])
    }),
    ("gif", "a GIF image", |b| {
        b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a")
    }),
    ("webp", "a WebP image", |b| {
        b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP")
    }),
    ("avif", "an AVIF image", |b| {
        has_iso_media_brand(b, &[b"avif", b"avis"])
    }),
    ("ico", "an icon", |b| b.starts_with(&[0, 0, 1, 0])),
    ("bmp", "a BMP image", |b| b.starts_with(b"BM")),
    ("mp4", "an MP4 video", |b| b.get(4..8) == Some(b"ftyp")),
    ("m4v", "an MP4 video", |b| b.get(4..8) == Some(b"ftyp")),
    ("mov", "a QuickTime video", |b| {
        matches!(
            b.get(4..8),
            Some(b"ftyp" | b"moov" | b"mdat" | b"wide" | b"free")
        )
    }),
    ("webm", "a WebM video", |b| {
        b.starts_with(&[0x1A, 0x45, 0xDF, 0xA3])
    }),
    ("zip", "a zip archive", is_zip),
    ("tgz", "a gzip archive", |b| b.starts_with(&[0x1F, 0x8B])),
    // Office documents are zip archives: offered for download, never rendered.
    ("docx", "an Office document", is_zip),
    ("xlsx", "an Office document", is_zip),
    ("pptx", "an Office document", is_zip),
    ("odt", "an OpenDocument file", is_zip),
    ("ods", "an OpenDocument file", is_zip),
    ("odp", "an OpenDocument file", is_zip),
    // Text: served as text or offered for download; checked for anything a browser
    // sniffing the type could take for a page.
    ("txt", PLAIN_TEXT, is_plain_text),
    ("text", PLAIN_TEXT, is_plain_text),
    ("csv", PLAIN_TEXT, is_plain_text),
    ("tsv", PLAIN_TEXT, is_plain_text),
    ("log", PLAIN_TEXT, is_plain_text),
    ("json", PLAIN_TEXT, is_plain_text),
    ("yaml", PLAIN_TEXT, is_plain_text),
    ("yml", PLAIN_TEXT, is_plain_text),
    ("toml", PLAIN_TEXT, is_plain_text),
    ("ini", PLAIN_TEXT, is_plain_text),
    ("cfg", PLAIN_TEXT, is_plain_text),
    ("conf", PLAIN_TEXT, is_plain_text),
    ("properties", PLAIN_TEXT, is_plain_text),
    ("sql", PLAIN_TEXT, is_plain_text),
    ("diff", PLAIN_TEXT, is_plain_text),
    ("patch", PLAIN_TEXT, is_plain_text),
    ("sh", PLAIN_TEXT, is_plain_text),
    ("go", PLAIN_TEXT, is_plain_text),
    ("mod", PLAIN_TEXT, is_plain_text),
    ("py", PLAIN_TEXT, is_plain_text),
    ("rb", PLAIN_TEXT, is_plain_text),
    ("rs", PLAIN_TEXT, is_plain_text),
    ("java", PLAIN_TEXT, is_plain_text),
    ("proto", PLAIN_TEXT, is_plain_text),
    // Files without an extension (LICENSE, Makefile).
    ("", PLAIN_TEXT, is_plain_text),
];

const PLAIN_TEXT: &str = "plain UTF-8 text without HTML tags";

/// Extensions that make a server or a browser treat a file as a page or a program when
/// they appear inside a name (`guide.html.png` is HTML to some server setups).
const ACTIVE_INNER_EXTENSIONS: &[&str] = &[
    "html", "htm", "xhtml", "xht", "shtml", "xml", "xsl", "xslt", "svg", "svgz", "js", "mjs",
    "php", "phtml", "asp", "aspx", "jsp", "cgi", "hta", "mht", "mhtml",
];

/// What community-managed repositories may publish, in words, for messages.
const PASSIVE_SUMMARY: &str =
    "images, videos, plain text such as .txt, .json or source code, archives and Office documents";

/// Whether a file from an untrusted repository may be copied into the portal, and how; the
/// error says why not and what to do, for the warning about links to it. Only passive
/// types are published (see `PASSIVE_TYPES`), and only when the content is what the name
/// says; SVG is parsed and written again without anything active (see `svg`).
pub(crate) fn publishable_file(path: &str, bytes: &[u8]) -> Result<Publishable, String> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let mut parts: Vec<&str> = name.split('.').skip(1).collect();
    let extension = parts.pop().unwrap_or_default();
    let not_published = "is not published from a community-managed repository";
    if let Some(inner) = parts
        .iter()
        .find(|part| ACTIVE_INNER_EXTENSIONS.contains(part))
    {
        return Err(format!(
            "{path} {not_published}: .{inner} inside its name can make a web server treat it as a page; rename it"
        ));
    }
    if extension == "svg" {
        return crate::markdown::svg::sanitize_svg(bytes)
            .map(|clean| Publishable::Rewritten {
                bytes: clean.bytes,
                removed: clean.removed,
            })
            .map_err(|problem| format!("{path} {not_published}: the SVG {problem}"));
    }
    // `.gz` only as a tar archive: a server that serves precompressed files could send
    // `page.html.gz` as `page.html`.
    let extension = if extension == "gz" && parts.last() == Some(&"tar") {
        "tgz"
    } else {
        extension
    };
    let Some((_, kind, content_matches)) = PASSIVE_TYPES
        .iter()
        .find(|(passive, _, _)| *passive == extension)
    else {
        return Err(format!(
            "{path} {not_published}: .{extension} is not a passive file type (only {PASSIVE_SUMMARY} are); link to it in the repository instead"
        ));
    };
    if !content_matches(bytes) {
        let named = if extension.is_empty() {
            "it has no extension".to_string()
        } else {
            format!("it is named .{extension}")
        };
        return Err(format!(
            "{path} {not_published}: {named} but its content is not {kind}; fix or rename it"
        ));
    }
    Ok(Publishable::AsIs)
}

fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// An ISO media file (`ftyp` box first) whose brands include one of `brands`.
fn has_iso_media_brand(bytes: &[u8], brands: &[&[u8; 4]]) -> bool {
    if bytes.get(4..8) != Some(b"ftyp") {
        return false;
    }
    let size = bytes
        .get(..4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as usize)
        .unwrap_or(0)
        .clamp(8, 256)
        .min(bytes.len());
    bytes[8..size]
        .chunks_exact(4)
        .any(|brand| brands.iter().any(|wanted| brand == wanted.as_slice()))
}

/// Tags that make text look like a page to a browser sniffing its type (the WHATWG list
/// and the active elements), less the one-letter ones that comparisons in code look like
/// (`a<b`); text starting with `<` is refused whatever follows.
const HTML_TAGS: &[&str] = &[
    "applet",
    "audio",
    "base",
    "body",
    "embed",
    "font",
    "form",
    "frame",
    "frameset",
    "head",
    "html",
    "iframe",
    "image",
    "img",
    "link",
    "math",
    "meta",
    "noscript",
    "object",
    "plaintext",
    "portal",
    "script",
    "style",
    "svg",
    "table",
    "template",
    "title",
    "video",
    "xml",
    "xmp",
];

/// UTF-8 text with nothing a browser could take for markup: it does not start with `<`,
/// and has no `<!`, `<?` or page-making HTML tag (`<script`, `</html`) anywhere. Served without
/// `nosniff`, text that looks like HTML can be shown as HTML; `if a<b` cannot.
fn is_plain_text(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) else {
        return false;
    };
    if text.contains('\0') || text.trim_start().starts_with('<') {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    !lower.match_indices('<').any(|(at, _)| {
        let after = &lower[at + 1..];
        if after.starts_with(['!', '?']) {
            return true;
        }
        let name = after.strip_prefix('/').unwrap_or(after);
        let end = name
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(name.len());
        HTML_TAGS.contains(&&name[..end])
            && name[end..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || c == '>' || c == '/')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_blocks_and_tables_may_only_join_the_tab_order_at_its_place() {
        let clean = sanitize(
            r#"<pre tabindex="0">a</pre><table tabindex="5"><tr><td>b</td></tr></table><p tabindex="1">c</p>"#,
        );
        assert!(clean.contains(r#"<pre tabindex="0">"#), "{clean}");
        assert!(clean.contains(r#"<table tabindex="0">"#), "{clean}");
        assert!(
            !clean.contains(r#"tabindex="5""#) && !clean.contains(r#"<p tabindex"#),
            "{clean}"
        );
    }

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
        let ours = r#"<h2 id="setup">Setup</h2><pre class="code" tabindex="0"><code class="language-go"><span class="hl-source hl-go">x</span></code></pre><div class="hint hint-info" role="note"><p>n</p></div><ul><li><input disabled="" type="checkbox" checked=""> done</li></ul><details><summary>More</summary>x</details>"#;
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
    fn pages_cannot_take_the_ids_the_themes_script_looks_up() {
        let clean = sanitize(
            r#"<div id="page-map">{"base":"/"}</div><p id="page-elsewhere"></p><nav id="sidebar"></nav><p id="mine">x</p>"#,
        );
        for taken in ["page-map", "page-elsewhere", "sidebar"] {
            assert!(!clean.contains(&format!("id=\"{taken}\"")), "{clean}");
        }
        assert!(clean.contains("id=\"mine\""), "{clean}");
    }

    #[test]
    fn numbered_theme_ids_are_reserved_in_their_exact_shape_only() {
        for taken in [
            "sidebar",
            "search-input",
            "tab-0-1",
            "tabpanel-2-10",
            "nav-list-3",
        ] {
            assert!(is_theme_id(taken), "{taken}");
        }
        for free in [
            "tab-completion",
            "tab-1",
            "tab-0-1-1",
            "nav-list-",
            "nav-list-x",
            "sidebar-1",
        ] {
            assert!(!is_theme_id(free), "{free}");
        }
    }

    /// The published bytes of an SVG, as text, and what was removed.
    fn rewritten(svg: &[u8]) -> (String, Vec<&'static str>) {
        match publishable_file("docs/x.svg", svg) {
            Ok(Publishable::Rewritten { bytes, removed }) => (
                String::from_utf8(bytes).expect("the output is ASCII"),
                removed,
            ),
            other => panic!("not rewritten: {other:?}"),
        }
    }

    /// Asserts that nothing in `published` could run or load anything.
    fn assert_passive(published: &str) {
        let lower = published.to_ascii_lowercase();
        for active in [
            "script",
            "javascript:",
            "data:text",
            "foreignobject",
            "onload",
            "onclick",
            "onbegin",
            "<set",
            "<animate",
            "evil.example",
            "xml-stylesheet",
            "@import",
        ] {
            assert!(!lower.contains(active), "{active} survived in {published}");
        }
    }

    const SVG_OPEN: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">"#;

    #[test]
    fn only_passive_file_types_are_published_from_untrusted_repositories() {
        assert_eq!(
            publishable_file("shot.png", b"\x89PNG\r\n\x1a\n...."),
            Ok(Publishable::AsIs)
        );
        assert!(publishable_file("a/photo.JPG", &[0xFF, 0xD8, 0xFF, 0xE0]).is_ok());
        assert!(publishable_file("demo.gif", b"GIF89a....").is_ok());
        assert!(publishable_file("notes.txt", b"step 1 < step 2\n").is_ok());
        assert!(publishable_file("LICENSE", b"MIT License\n").is_ok());
        assert!(publishable_file("main.go", b"for i := 0; i<len(x); i++ {}\n").is_ok());
        assert!(publishable_file("types.rs", b"Vec<String> <T>\n").is_ok());
        assert!(publishable_file("sample.tar.gz", &[0x1F, 0x8B, 8, 0]).is_ok());
        assert!(publishable_file("sample.zip", b"PK\x03\x04....").is_ok());
        assert!(publishable_file("plan.docx", b"PK\x03\x04....").is_ok());
        assert!(publishable_file("plan.docx", b"<html>").is_err());
        for (name, bytes) in [
            ("demo.html", &b"<p>x</p>"[..]),
            ("app.JS", b""),
            ("page.xhtm", b"<html/>"),
            ("page.xht", b"<html/>"),
            ("formula.mml", b"<math/>"),
            ("feed.rss", b"<rss/>"),
            ("feed.atom", b"<feed/>"),
            ("schema.xsd", b"<xs:schema/>"),
            ("data.rdf", b"<rdf:RDF/>"),
            ("archive.mht", b"MIME-Version: 1.0"),
            ("data.xml", b"<x/>"),
            ("style.xsl", b"<xsl:stylesheet/>"),
            ("guide.pdf", b"%PDF-1.7"),
            ("image.svgz", &[0x1F, 0x8B]),
            ("page.html.gz", &[0x1F, 0x8B]),
            ("Makefile", b"<html><script>alert(1)</script>"),
            ("trick.html.png", b"\x89PNG\r\n\x1a\n"),
        ] {
            let refused = publishable_file(name, bytes);
            assert!(refused.is_err(), "{name} was accepted");
            let message = refused.unwrap_err();
            assert!(message.contains(name), "{message}");
        }
    }

    #[test]
    fn a_file_is_published_only_when_its_content_is_what_its_name_says() {
        for (name, bytes) in [
            ("shot.png", &b"<html><script>alert(1)</script>"[..]),
            (
                "shot.png",
                br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
            ),
            ("photo.jpg", b"<?xml version=\"1.0\"?><x/>"),
            ("notes.txt", b"<!DOCTYPE html><script>alert(1)</script>"),
            ("table.csv", b"a,b\n<img src=x onerror=alert(1)>\n"),
            ("notes.txt", b"\xFF\xFE<\0h\0"),
            ("notes.txt", b"  <p>hello"),
            (
                "data.json",
                b"{\"x\": \"</script><script>alert(1)</script>\"}",
            ),
            ("LICENSE", b"MIT <iframe src=x>"),
            ("config.yaml", b"a: <!-- x -->"),
        ] {
            let refused = publishable_file(name, bytes).unwrap_err();
            assert!(refused.contains("its content is not"), "{refused}");
        }
    }

    #[test]
    fn a_clean_svg_is_published_as_it_means() {
        let (svg, removed) = rewritten(
            r##"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="10" inkscape:version="1.2">
  <!-- a comment -->
  <defs><linearGradient id="g"><stop offset="0" style="stop-color:#fff"/></linearGradient></defs>
  <style><![CDATA[ .a > .b { fill: url(#g); } ]]></style>
  <circle r="4" fill="url(#g)" class="a"/><use xlink:href="#g"/><use href=" #g"/>
  <text x="1">Tom &amp; Jerry &#233;t&#xE9; 5 &lt; 6 «ok»</text>
</svg>"##
                .as_bytes(),
        );
        assert!(removed.is_empty(), "{removed:?}");
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{svg}"
        );
        for kept in [
            r#"fill="url(#g)""#,
            r##"<use xlink:href="#g"/>"##,
            r#"inkscape:version="1.2""#,
            "<style> .a &gt; .b { fill: url(#g); } </style>",
            "Tom &amp; Jerry &#xE9;t&#xE9; 5 &lt; 6 &#xAB;ok&#xBB;",
            r#"style="stop-color:#fff""#,
        ] {
            assert!(svg.contains(kept), "{kept} lost in {svg}");
        }
        assert!(svg.is_ascii());
        assert!(!svg.contains("DOCTYPE") && !svg.contains("<!--"), "{svg}");
    }

    #[test]
    fn scripts_in_any_namespace_are_removed_from_svg() {
        for hostile in [
            format!("{SVG_OPEN}<script>alert(1)</script><rect/></svg>"),
            format!(
                r#"{SVG_OPEN}<x:script xmlns:x="http://www.w3.org/2000/svg">alert(1)</x:script><rect/></svg>"#
            ),
            format!(
                r#"{SVG_OPEN}<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script><rect/></svg>"#
            ),
            format!(
                r#"{SVG_OPEN}<g xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></g><rect/></svg>"#
            ),
            format!(r#"{SVG_OPEN}<SCRIPT>alert(1)</SCRIPT><rect/></svg>"#),
            format!(
                r#"{SVG_OPEN}<foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/></body></foreignObject><rect/></svg>"#
            ),
            format!(
                r#"{SVG_OPEN}<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"/><rect/></svg>"#
            ),
            format!(
                r#"{SVG_OPEN}<handler type="application/ecmascript">alert(1)</handler><rect/></svg>"#
            ),
        ] {
            let (svg, removed) = rewritten(hostile.as_bytes());
            assert_passive(&svg);
            assert!(!removed.is_empty(), "nothing reported for {hostile}");
            assert!(svg.contains("<rect/>"), "{svg}");
        }
    }

    #[test]
    fn event_handlers_and_active_references_are_removed_from_svg() {
        let (svg, removed) = rewritten(
            format!(
                r##"{SVG_OPEN}<rect ONCLICK = "x()" onload="alert(1)" width="3"/>
<a xlink:href="javascript:alert(1)"><text>a</text></a>
<a href="&#106;avascript:alert(1)"><text>b</text></a>
<a x:href="https://evil.example/" xmlns:x="http://www.w3.org/1999/xlink"><text>c</text></a>
<image href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="/>
<image href="data:image/png;base64,iVBORw0KGgo="/>
<use href="https://evil.example/sprite.svg#icon"/>
<g xml:base="https://evil.example/"><use href="#icon"/></g>
</svg>"##
            )
            .as_bytes(),
        );
        assert_passive(&svg);
        assert!(svg.contains(r#"<rect width="3"/>"#), "{svg}");
        assert!(
            svg.contains(r#"<image href="data:image/png;base64,iVBORw0KGgo="/>"#),
            "{svg}"
        );
        assert_eq!(
            removed,
            vec!["event handlers", "links to other files or sites"]
        );
    }

    #[test]
    fn animations_that_could_set_links_are_removed_from_svg() {
        let (svg, removed) = rewritten(
            format!(
                r#"{SVG_OPEN}<a><set attributeName="href" to="javascript:alert(1)"/><animate attributeName="xlink:href" values="javascript:alert(1)" begin="0s"/><text>go</text></a></svg>"#
            )
            .as_bytes(),
        );
        assert_passive(&svg);
        assert_eq!(removed, vec!["animations"]);
        assert!(svg.contains("<a><text>go</text></a>"), "{svg}");
    }

    #[test]
    fn utf16_svg_is_decoded_before_it_is_checked() {
        let hostile = r#"<?xml version="1.0" encoding="UTF-16"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><text>été</text></svg>"#;
        let little: Vec<u8> = hostile.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let big: Vec<u8> = hostile.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [
            [&[0xFF, 0xFE][..], &little].concat(),
            [&[0xFE, 0xFF][..], &big].concat(),
            little,
            big,
        ] {
            let (svg, removed) = rewritten(&bytes);
            assert_passive(&svg);
            assert_eq!(removed, vec!["scripts"]);
            assert!(svg.contains("<text>&#xE9;t&#xE9;</text>"), "{svg}");
        }
    }

    #[test]
    fn svg_in_encodings_portico_cannot_read_is_refused() {
        for bytes in [
            &br#"<?xml version="1.0" encoding="EBCDIC-US"?><svg xmlns="http://www.w3.org/2000/svg"/>"#[..],
            br#"<?xml version="1.0" encoding="UTF-16"?><svg xmlns="http://www.w3.org/2000/svg"/>"#,
            b"\x00\x00\xFE\xFF\x00\x00\x00<",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\">\xFF</svg>",
        ] {
            let refused = publishable_file("docs/x.svg", bytes).unwrap_err();
            assert!(refused.contains("docs/x.svg") && refused.contains("UTF"), "{refused}");
        }
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><text>\xE9\x80</text></svg>";
        assert!(rewritten(latin1).0.contains("<text>&#xE9;&#x20AC;</text>"));
    }

    #[test]
    fn svg_declaring_entities_is_refused() {
        let bomb = br#"<?xml version="1.0"?>
<!DOCTYPE svg [ <!ENTITY a "aaaaaaaaaa"> <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> ]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>"#;
        let refused = publishable_file("x.svg", bomb).unwrap_err();
        assert!(refused.contains("entities"), "{refused}");
        let undefined = br#"<svg xmlns="http://www.w3.org/2000/svg"><text>&nbsp;</text></svg>"#;
        let refused = publishable_file("x.svg", undefined).unwrap_err();
        assert!(refused.contains("&nbsp;"), "{refused}");
    }

    #[test]
    fn stylesheet_processing_instructions_are_removed_from_svg() {
        let (svg, removed) = rewritten(
            br#"<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="data:text/xsl,evil"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>"#,
        );
        assert_passive(&svg);
        assert_eq!(removed, vec!["processing instructions (xml-stylesheet)"]);
    }

    #[test]
    fn styles_that_load_or_run_anything_are_removed_from_svg() {
        let (svg, removed) = rewritten(
            format!(
                r#"{SVG_OPEN}<style>@import url("https://evil.example/x.css");</style><style>rect {{ fill: url(javascript:alert(1)) }}</style><style>.ok {{ fill: red }}</style><rect style="background: url('https://evil.example/track.png')" fill="url(https://evil.example/p.svg#p)" stroke="red"/><rect style="behavior: url(x.htc)"/><rect style="fill: = rl(x)"/><circle style="width: expression(alert(1))"/></svg>"#
            )
            .as_bytes(),
        );
        assert_passive(&svg);
        assert!(
            !svg.contains("url(") && !svg.contains("expression"),
            "{svg}"
        );
        assert!(svg.contains("<style>.ok { fill: red }</style>"), "{svg}");
        assert!(svg.contains(r#"<rect stroke="red"/>"#), "{svg}");
        assert_eq!(removed, vec!["styles that load other files or run code"]);
    }

    #[test]
    fn malformed_or_foreign_xml_is_refused_not_guessed_at() {
        for (bytes, expected) in [
            (
                &b"<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>"[..],
                "well-formed",
            ),
            (
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"><g>",
                "well-formed",
            ),
            (
                b"<svg xmlns=\"http://www.w3.org/2000/svg\" a=\"1\" a=\"2\"/>",
                "twice",
            ),
            (
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"><x:g/></svg>",
                "not declared",
            ),
            (
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"><a y:href=\"#x\"/></svg>",
                "not declared",
            ),
            (b"<svg><script>alert(1)</script></svg>", "not an SVG image"),
            (
                b"<html xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></html>",
                "not an SVG image",
            ),
            (
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"/><script>alert(1)</script>",
                "follows the root",
            ),
            (
                b"<svg xmlns=\"http://www.w3.org/2000/&#115;vg\"/>",
                "character reference",
            ),
            (
                b"<svg/onload=alert(1) xmlns=\"http://www.w3.org/2000/svg\"/>",
                "name",
            ),
            (b"just text", "no <svg>"),
            (b"", "no <svg>"),
        ] {
            let refused = publishable_file("x.svg", bytes).unwrap_err();
            assert!(
                refused.contains(expected),
                "{expected:?} not in {refused:?}"
            );
            assert!(refused.contains("not published"), "{refused}");
            assert!(refused.contains("; "), "no way out in {refused}");
        }
    }

    #[test]
    fn deeply_nested_svg_is_sanitized_in_one_pass() {
        let depth = 200_000;
        let mut svg = String::from(SVG_OPEN);
        svg.push_str(&"<g>".repeat(depth));
        svg.push_str("<script>alert(1)</script>");
        svg.push_str(&"</g>".repeat(depth));
        svg.push_str("</svg>");
        let (clean, removed) = rewritten(svg.as_bytes());
        assert_eq!(removed, vec!["scripts"]);
        assert_eq!(clean.matches("<g>").count(), depth);
        assert_passive(&clean);
    }
}
