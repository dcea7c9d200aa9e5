//! Raw HTML inside markdown: finding and rewriting the URLs in `<img src>` and `<a href>`
//! (GitBook exports are full of `<img width="500" src="../.gitbook/assets/x.png"/>`), and
//! collecting `id`/`name` attributes as link anchors.
//!
//! A small tag scanner, not a full HTML parser: it only needs to find attributes in start
//! tags, and it leaves everything it does not rewrite byte-for-byte as written.

use crate::escape::{decode_entities, escape_url_attribute};

/// One attribute of one start tag, with where its value is in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub tag: String,
    pub name: String,
    pub value: String,
    /// Byte range of the value in the input, quotes excluded.
    value_range: std::ops::Range<usize>,
}

/// Every attribute of every start tag in `html`, in order. Tag and attribute names are
/// lowercased; values have the common character references decoded.
pub fn attributes(html: &str) -> Vec<Attribute> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(found) = html[i..].find('<') {
        i += found + 1;
        if html[i..].starts_with("!--") {
            match html[i..].find("-->") {
                Some(end) => {
                    i += end + 3;
                    continue;
                }
                None => break,
            }
        }
        let name_len = html[i..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
            .count();
        if name_len == 0 || !bytes[i].is_ascii_alphabetic() {
            continue;
        }
        let tag = html[i..i + name_len].to_ascii_lowercase();
        i += name_len;
        // Attributes until the end of the start tag.
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' || bytes[i] == b'<' {
                break;
            }
            let name_start = i;
            while i < bytes.len()
                && !matches!(bytes[i], b'=' | b'>' | b'/' | b'<')
                && !bytes[i].is_ascii_whitespace()
            {
                i += 1;
            }
            let name = html[name_start..i].to_ascii_lowercase();
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] != b'=' {
                continue;
            }
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= bytes.len() {
                break;
            }
            let (value_start, value_end, next) = match bytes[i] {
                quote @ (b'"' | b'\'') => match html[i + 1..].find(quote as char) {
                    Some(len) => (i + 1, i + 1 + len, i + 2 + len),
                    None => (i + 1, bytes.len(), bytes.len()),
                },
                _ => {
                    let len = html[i..]
                        .bytes()
                        .take_while(|b| !b.is_ascii_whitespace() && *b != b'>')
                        .count();
                    (i, i + len, i + len)
                }
            };
            out.push(Attribute {
                tag: tag.clone(),
                name,
                value: decode_entities(&html[value_start..value_end]),
                value_range: value_start..value_end,
            });
            i = next;
        }
    }
    out
}

/// True for attributes that hold a URL Portico rewrites.
pub fn is_url_attribute(attribute: &Attribute) -> bool {
    matches!(
        (attribute.tag.as_str(), attribute.name.as_str()),
        ("a", "href")
            | ("img", "src")
            | ("source", "src")
            | ("video", "src")
            | ("video", "poster")
            | ("audio", "src")
    )
}

/// `html` with each URL attribute value replaced where `rewrite` returns a new value
/// (already a URL; it is escaped for the attribute here).
pub fn rewrite_urls(html: &str, mut rewrite: impl FnMut(&Attribute) -> Option<String>) -> String {
    let mut out = String::with_capacity(html.len() + 32);
    let mut copied = 0;
    for attribute in attributes(html).iter().filter(|a| is_url_attribute(a)) {
        if let Some(new_value) = rewrite(attribute) {
            out.push_str(&html[copied..attribute.value_range.start]);
            out.push_str(&escape_url_attribute(&new_value));
            copied = attribute.value_range.end;
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// `id` and `name` values: the anchors raw HTML defines.
pub fn anchors(html: &str) -> Vec<String> {
    attributes(html)
        .into_iter()
        .filter(|a| a.name == "id" || (a.name == "name" && a.tag == "a"))
        .map(|a| a.value)
        .collect()
}

/// HTML elements (and SVG's) a docs page may contain; any other `<name>` in raw HTML is a
/// placeholder such as `<issue-key>` and is shown as text.
const KNOWN_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "legend",
    "li",
    "main",
    "map",
    "mark",
    "math",
    "meter",
    "nav",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "pre",
    "progress",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "script",
    "section",
    "select",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
    "xmp",
    // SVG drawn inline.
    "svg",
    "g",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "defs",
    "use",
    "symbol",
    "lineargradient",
    "radialgradient",
    "stop",
    "clippath",
    "mask",
    "pattern",
    "image",
    "desc",
    "marker",
    "foreignobject",
];

/// Elements that swallow everything after them when left open (raw-text elements, form
/// controls): `<title>` in "`/jira assign <issue-key> <title>`" is a placeholder, so they
/// count as elements only when the page also closes them.
const CLOSE_REQUIRED: &[&str] = &[
    "script", "style", "title", "textarea", "select", "option", "optgroup", "template", "xmp",
    "label", "time", "data", "button", "form", "iframe", "object", "video", "audio", "canvas",
    "dialog", "noscript", "map", "meter", "output", "progress", "math", "svg",
];

/// The elements a page closes somewhere (`</title>` → `title`), for `escape_unknown_tags`.
pub fn closed_elements(text: &str) -> std::collections::HashSet<String> {
    text.match_indices("</")
        .filter_map(|(at, _)| {
            let name: String = text[at + 2..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            (!name.is_empty()).then(|| name.to_ascii_lowercase())
        })
        .collect()
}

/// `raw` with the `<` of every tag that is not an element escaped, so that placeholders
/// (`<your-server-url>`) read as text instead of vanishing as unknown tags. `closed` names
/// the elements the page closes (see [`closed_elements`]).
pub fn escape_unknown_tags<'a>(
    raw: &'a str,
    closed: &std::collections::HashSet<String>,
) -> std::borrow::Cow<'a, str> {
    let mut out: Option<String> = None;
    let mut copied = 0;
    for (at, _) in raw.match_indices('<') {
        let rest = &raw[at + 1..];
        let name_part = rest.strip_prefix('/').unwrap_or(rest);
        let name_len = name_part
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_' || *b == b'.')
            .count();
        if name_len == 0 || !name_part.as_bytes()[0].is_ascii_alphabetic() {
            continue;
        }
        let name = name_part[..name_len].to_ascii_lowercase();
        let element = KNOWN_ELEMENTS.contains(&name.as_str())
            && (!CLOSE_REQUIRED.contains(&name.as_str()) || closed.contains(&name));
        if element {
            continue;
        }
        let buffer = out.get_or_insert_with(|| String::with_capacity(raw.len() + 16));
        buffer.push_str(&raw[copied..at]);
        buffer.push_str("&lt;");
        copied = at + 1;
    }
    match out {
        Some(mut buffer) => {
            buffer.push_str(&raw[copied..]);
            std::borrow::Cow::Owned(buffer)
        }
        None => std::borrow::Cow::Borrowed(raw),
    }
}

/// How many start tags `html` holds (`<` and a letter): an upper bound, whatever the
/// quoting, comments or raw-text elements around them.
pub(crate) fn start_tags(html: &str) -> usize {
    html.as_bytes()
        .windows(2)
        .filter(|pair| pair[0] == b'<' && pair[1].is_ascii_alphabetic())
        .count()
}

/// How many start tags `html` holds that can leave an element open: all of
/// [`start_tags`] but `<br>`, `<hr>` and `<img>`, which are void in HTML and leave
/// SVG and MathML for HTML, so they are closed as soon as they open wherever they stand.
pub(crate) fn lasting_start_tags(html: &str) -> usize {
    let bytes = html.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(at, &byte)| {
            byte == b'<'
                && bytes
                    .get(at + 1)
                    .is_some_and(|next| next.is_ascii_alphabetic())
        })
        .filter(|&(at, _)| {
            let name: Vec<u8> = bytes[at + 1..]
                .iter()
                // The name runs to where the tokenizer ends it (`<br-x>` is not `<br>`).
                .take_while(|b| !matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'))
                .map(u8::to_ascii_lowercase)
                .collect();
            !matches!(name.as_slice(), b"br" | b"hr" | b"img")
        })
        .count()
}

/// Whether `html` holds a start or end tag of a table part (`<table>`, `</td>`, …): what
/// can leave a table open with content arriving in it, which the parser moves in front of
/// the table ("foster-parents") one node at a time.
pub(crate) fn has_table_tags(html: &str) -> bool {
    const TABLE_PARTS: &[&[u8]] = &[
        b"table",
        b"caption",
        b"colgroup",
        b"col",
        b"tbody",
        b"thead",
        b"tfoot",
        b"tr",
        b"td",
        b"th",
    ];
    let bytes = html.as_bytes();
    bytes.iter().enumerate().any(|(at, &byte)| {
        if byte != b'<' {
            return false;
        }
        let rest = &bytes[at + 1..];
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        let name: Vec<u8> = rest
            .iter()
            .take_while(|b| !matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>'))
            .map(u8::to_ascii_lowercase)
            .collect();
        TABLE_PARTS.contains(&name.as_slice())
    })
}

/// How deep markup Portico wrote itself nests (balanced, with every `<` in text escaped):
/// start tags open a level, end tags close one. Void elements count as opened, which only
/// overestimates.
pub(crate) fn own_markup_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    for pair in bytes.windows(2) {
        match pair {
            [b'<', b'/'] => depth = depth.saturating_sub(1),
            [b'<', next] if next.is_ascii_alphabetic() => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn img_src_is_found_among_other_attributes() {
        let found = attributes(r#"<img width="500" src="../.gitbook/assets/jira-commands.png"/>"#);
        let src = found.iter().find(|a| a.name == "src").unwrap();
        assert_eq!(src.tag, "img");
        assert_eq!(src.value, "../.gitbook/assets/jira-commands.png");
    }

    #[test]
    fn only_url_attributes_are_rewritten_and_the_rest_is_untouched() {
        let html =
            r#"<p align=center><a href='setup.md' title="x">s</a> <img src=a.png alt="a.png"></p>"#;
        let out = rewrite_urls(html, |a| Some(format!("NEW-{}", a.value)));
        assert_eq!(
            out,
            r#"<p align=center><a href='NEW-setup.md' title="x">s</a> <img src=NEW-a.png alt="a.png"></p>"#
        );
    }

    #[test]
    fn comments_are_skipped_and_ids_are_anchors() {
        let html = r#"<!-- <a href="x.md"> --><a name="old-anchor"></a><div id="details">"#;
        assert!(attributes(html).iter().all(|a| a.value != "x.md"));
        assert_eq!(anchors(html), ["old-anchor", "details"]);
    }

    #[test]
    fn placeholders_are_escaped_and_real_elements_kept() {
        let none = std::collections::HashSet::new();
        assert_eq!(escape_unknown_tags("<issue-key>", &none), "&lt;issue-key>");
        assert_eq!(
            escape_unknown_tags("<kbd>Ctrl</kbd> <your-server-url> </state>", &none),
            "<kbd>Ctrl</kbd> &lt;your-server-url> &lt;/state>"
        );
        assert_eq!(
            escape_unknown_tags("<details><summary>x</summary>", &none),
            "<details><summary>x</summary>"
        );
        let svg = "<svg><circle r=\"2\"/></svg>";
        assert_eq!(escape_unknown_tags(svg, &closed_elements(svg)), svg);
    }

    #[test]
    fn elements_that_swallow_the_page_are_placeholders_unless_closed() {
        let page = "/jira assign <issue-key> <title> here";
        assert_eq!(
            escape_unknown_tags(page, &closed_elements(page)),
            "/jira assign &lt;issue-key> &lt;title> here"
        );
        let real = "<textarea>x</textarea>";
        assert_eq!(escape_unknown_tags(real, &closed_elements(real)), real);
    }

    #[test]
    fn placeholders_without_attributes_do_not_confuse_the_scanner() {
        assert!(attributes("use <issue-key> then <your-server-url>").is_empty());
    }
}
