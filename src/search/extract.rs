//! A rendered page's plain text, cut into sections at its headings: what the search index
//! reads and what result snippets show.
//!
//! Input: the HTML `markdown` rendered (community pages already sanitized, so nothing here
//! needs to defend against markup the renderer did not write) and the page's table of
//! contents. A single forward pass, no DOM: text outside script and style, entities decoded,
//! whitespace collapsed, block elements separated, heading anchors (`#`) left out.

use std::borrow::Cow;

use crate::markdown::TocEntry;

/// The part of a page under one heading (or before the first one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Section {
    /// The heading's text; empty for text before the first heading.
    pub heading: String,
    /// The heading's id, to link to; empty for the top of the page.
    pub anchor: String,
    pub text: String,
}

/// The most characters of a passage: a few snippets' worth, so that fetching the passage a
/// result shows costs little.
const PASSAGE_CHARS: usize = 600;

/// The most characters of a heading shown in a result.
const HEADING_CHARS: usize = 200;

/// The most passages of a page: 600,000 characters of text. What a page holds beyond that
/// is not searchable (no real page comes close; a hostile one must not grow the index
/// without bound).
pub(crate) const MAX_PASSAGES: usize = 1_000;

/// Elements whose content is not text a reader sees.
const HIDDEN: &[&str] = &["script", "style", "template", "noscript", "svg", "math"];

/// Elements that separate words (the rest are inline: `<b>web</b>hook` is one word).
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// The page's sections, in order. The text before the first heading is a section only
/// when it has text; a level-1 heading opening the page links to the page's top.
pub(crate) fn sections(html: &str, toc: &[TocEntry]) -> Vec<Section> {
    let mut sections = SectionSplitter {
        toc,
        done: Vec::new(),
        current: Section {
            heading: String::new(),
            anchor: String::new(),
            text: String::new(),
        },
        heading: None,
        heading_id: String::new(),
    };
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        append_text(sections.text(), &rest[..open]);
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(tag) = Tag::parse(rest) else {
            // A lone `<` is text.
            append_text(sections.text(), "<");
            rest = &rest[1..];
            continue;
        };
        rest = sections.tag(&tag, &rest[tag.length..]);
    }
    sections.finish(rest)
}

/// The sections found so far, and the one being read.
struct SectionSplitter<'t> {
    toc: &'t [TocEntry],
    done: Vec<Section>,
    current: Section,
    /// While inside a heading: its text so far, and its id.
    heading: Option<String>,
    heading_id: String,
}

impl SectionSplitter<'_> {
    /// Where text goes: the open heading, else the current section.
    fn text(&mut self) -> &mut String {
        self.heading.as_mut().unwrap_or(&mut self.current.text)
    }

    /// Reads a tag; returns the input after it (after the whole element for one whose
    /// content is not text to index).
    fn tag<'h>(&mut self, tag: &Tag, mut rest: &'h str) -> &'h str {
        // Portico writes lowercase tags; only raw HTML in a page may not.
        let name: Cow<str> = if tag.name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(tag.name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(tag.name)
        };
        let name = name.as_ref();
        if name == "span" {
            // Most tags of a page are highlighting spans: inline, nothing to do.
            return rest;
        }
        if !tag.closing && HIDDEN.contains(&name) {
            return skip_element(rest, name);
        }
        if BLOCKS.contains(&name) {
            append_text(self.text(), " ");
        }
        match (heading_level(name), tag.closing) {
            (Some(level), false) => self.start_heading(level, tag),
            (Some(_), true) => self.end_heading(),
            _ => {}
        }
        if name == "a" && !tag.closing && self.heading.is_some() {
            let is_anchor = tag
                .attribute("class")
                .is_some_and(|class| class.split_whitespace().any(|c| c == "anchor"));
            if is_anchor {
                rest = skip_element(rest, "a");
            }
        }
        rest
    }

    /// A heading with an id starts a section linked to it.
    fn start_heading(&mut self, level: u8, tag: &Tag) {
        let Some(id) = tag
            .attribute("id")
            .map(|id| decode(id).into_owned())
            .filter(|id| !id.is_empty())
        else {
            return;
        };
        let at_top = self.done.is_empty() && self.current.text.trim().is_empty();
        let anchor = if level == 1 && at_top {
            String::new()
        } else {
            id.clone()
        };
        let finished = std::mem::replace(
            &mut self.current,
            Section {
                heading: String::new(),
                anchor,
                text: String::new(),
            },
        );
        keep(&mut self.done, finished);
        self.heading = Some(String::new());
        self.heading_id = id;
    }

    fn end_heading(&mut self) {
        if let Some(text) = self.heading.take() {
            // The table of contents holds the heading as the reader sees it.
            self.current.heading = self
                .toc
                .iter()
                .find(|entry| entry.id == self.heading_id)
                .map_or_else(|| text.trim().to_string(), |entry| entry.title.clone());
        }
    }

    /// The sections, with the text after the last tag and without trailing spaces.
    fn finish(mut self, rest: &str) -> Vec<Section> {
        append_text(self.text(), rest);
        keep(&mut self.done, self.current);
        for section in &mut self.done {
            let trimmed = section.text.trim_end().len();
            section.text.truncate(trimmed);
        }
        self.done
    }
}

/// Keeps a finished section unless it is the empty text before the first heading.
fn keep(sections: &mut Vec<Section>, section: Section) {
    let empty_top =
        section.heading.is_empty() && section.anchor.is_empty() && section.text.trim().is_empty();
    if !empty_top {
        sections.push(section);
    }
}

/// A piece of a section short enough to be a result's snippet source: the search index
/// points at passages, so whatever word matched, its passage holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Passage<'a> {
    /// The section it belongs to (index into the page's sections).
    pub section: usize,
    /// The section's heading, shortened for display.
    pub heading: &'a str,
    pub anchor: &'a str,
    pub text: &'a str,
}

/// The page's passages, in order: each section cut into pieces of at most
/// [`PASSAGE_CHARS`] characters at word boundaries (a section without text is one empty
/// passage), and at most [`MAX_PASSAGES`] passages a page.
pub(crate) fn passages(sections: &[Section]) -> Vec<Passage<'_>> {
    let mut passages = Vec::new();
    for (index, section) in sections.iter().enumerate() {
        let heading = cut_at_word(&section.heading, HEADING_CHARS);
        let mut rest = section.text.as_str();
        loop {
            if passages.len() == MAX_PASSAGES {
                return passages;
            }
            let text = cut_at_word(rest, PASSAGE_CHARS);
            passages.push(Passage {
                section: index,
                heading,
                anchor: &section.anchor,
                text,
            });
            rest = rest[text.len()..].trim_start();
            if rest.is_empty() {
                break;
            }
        }
    }
    passages
}

/// At most `chars` characters of `text`, cut at a word boundary when one is near.
fn cut_at_word(text: &str, chars: usize) -> &str {
    let Some((cut, _)) = text.char_indices().nth(chars) else {
        return text;
    };
    let head = &text[..cut];
    match head.rfind(' ') {
        Some(space) if space > cut / 2 => &head[..space],
        _ => head,
    }
}

fn heading_level(name: &str) -> Option<u8> {
    match name.as_bytes() {
        [b'h', digit @ b'1'..=b'6'] => Some(digit - b'0'),
        _ => None,
    }
}

/// Appends `raw` (HTML text, entities undecoded) with whitespace collapsed to single spaces
/// and no leading space.
fn append_text(out: &mut String, raw: &str) {
    if raw.is_empty() {
        return;
    }
    let decoded = decode(raw);
    // Word by word rather than character by character: most of a page is plain words.
    let starts_with_space = decoded.starts_with(char::is_whitespace);
    if starts_with_space && !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    let mut first = true;
    for word in decoded.split(char::is_whitespace) {
        if word.is_empty() {
            continue;
        }
        if !first && !out.ends_with(' ') {
            out.push(' ');
        }
        out.push_str(word);
        first = false;
    }
    if decoded.ends_with(char::is_whitespace) && !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

/// `rest` after the element `name` that just opened ends (nested ones of the same name
/// included); the end of the input when it never does.
fn skip_element<'a>(rest: &'a str, name: &str) -> &'a str {
    let mut depth = 1;
    let mut at = rest;
    while let Some(open) = at.find('<') {
        at = &at[open..];
        match Tag::parse(at) {
            Some(tag) if tag.name.eq_ignore_ascii_case(name) => {
                depth += if tag.closing { -1 } else { 1 };
                at = &at[tag.length..];
                if depth == 0 {
                    return at;
                }
            }
            Some(tag) => at = &at[tag.length..],
            None => at = &at[1..],
        }
    }
    ""
}

/// A start or end tag at the start of the input.
struct Tag<'a> {
    name: &'a str,
    closing: bool,
    /// The attributes' source text.
    attributes: &'a str,
    /// Bytes the tag takes, `<` to `>` included.
    length: usize,
}

impl<'a> Tag<'a> {
    fn parse(input: &'a str) -> Option<Tag<'a>> {
        let after = input.strip_prefix('<')?;
        let (closing, after) = match after.strip_prefix('/') {
            Some(after) => (true, after),
            None => (false, after),
        };
        let name_length = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
            .count();
        if name_length == 0 || !after.as_bytes()[0].is_ascii_alphabetic() {
            return None;
        }
        let name = &after[..name_length];
        let attributes_start = &after[name_length..];
        // The tag ends at the first `>` outside quotes.
        let mut quote = None;
        for (at, byte) in attributes_start.bytes().enumerate() {
            match (quote, byte) {
                (None, b'"' | b'\'') => quote = Some(byte),
                (Some(q), _) if q == byte => quote = None,
                (None, b'>') => {
                    return Some(Tag {
                        name,
                        closing,
                        attributes: &attributes_start[..at],
                        length: input.len() - attributes_start.len() + at + 1,
                    });
                }
                _ => {}
            }
        }
        None
    }

    /// An attribute's raw value (entities undecoded).
    fn attribute(&self, wanted: &str) -> Option<&'a str> {
        let mut rest = self.attributes;
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
            if rest.is_empty() {
                return None;
            }
            let name_end = rest
                .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
                .unwrap_or(rest.len());
            let name = &rest[..name_end];
            rest = rest[name_end..].trim_start();
            let value = match rest.strip_prefix('=') {
                Some(after) => {
                    let after = after.trim_start();
                    let (value, remaining) = match after.as_bytes().first() {
                        Some(&quote @ (b'"' | b'\'')) => {
                            let body = &after[1..];
                            let end = body.find(quote as char).unwrap_or(body.len());
                            (&body[..end], body.get(end + 1..).unwrap_or(""))
                        }
                        _ => {
                            let end = after
                                .find(|c: char| c.is_ascii_whitespace())
                                .unwrap_or(after.len());
                            (&after[..end], &after[end..])
                        }
                    };
                    rest = remaining;
                    value
                }
                None => "",
            };
            if name.eq_ignore_ascii_case(wanted) {
                return Some(value);
            }
        }
    }
}

/// HTML text with character references decoded: the numeric ones and the named ones a
/// serializer writes (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`); any other
/// stays as written.
fn decode(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let reference = rest
            .find(';')
            .filter(|&end| end <= 10)
            .and_then(|end| Some((character(&rest[1..end])?, end)));
        match reference {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn character(name: &str) -> Option<char> {
    let number = |digits: &str, radix| u32::from_str_radix(digits, radix).ok();
    let code = match name {
        "amp" => return Some('&'),
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "quot" => return Some('"'),
        "apos" => return Some('\''),
        "nbsp" => return Some('\u{a0}'),
        _ => match name.strip_prefix('#') {
            Some(hex) if hex.starts_with(['x', 'X']) => number(&hex[1..], 16),
            Some(decimal) => number(decimal, 10),
            None => None,
        },
    }?;
    char::from_u32(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toc(entries: &[(u8, &str, &str)]) -> Vec<TocEntry> {
        entries
            .iter()
            .map(|(level, id, title)| TocEntry {
                level: *level,
                id: id.to_string(),
                title: title.to_string(),
            })
            .collect()
    }

    fn section(heading: &str, anchor: &str, text: &str) -> Section {
        Section {
            heading: heading.into(),
            anchor: anchor.into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_page_is_cut_at_its_headings_and_anchors_are_left_out() {
        let html = concat!(
            "<h1 id=\"setup\">Setup<a class=\"anchor\" href=\"#setup\" aria-label=\"Link\">#</a></h1>\n",
            "<p>Install the <strong>plug</strong>in.</p>\n",
            "<h2 id=\"configure-webhooks\">Configure <code>webhooks</code><a class=\"anchor\" href=\"#configure-webhooks\">#</a></h2>\n",
            "<p>Set <code>EnableWebhooks</code> &amp; save.</p><ul><li>one</li><li>two</li></ul>",
        );
        let toc = toc(&[
            (1, "setup", "Setup"),
            (2, "configure-webhooks", "Configure webhooks"),
        ]);
        assert_eq!(
            sections(html, &toc),
            [
                section("Setup", "", "Install the plugin."),
                section(
                    "Configure webhooks",
                    "configure-webhooks",
                    "Set EnableWebhooks & save. one two"
                ),
            ]
        );
    }

    #[test]
    fn text_before_the_first_heading_is_its_own_section() {
        let html = "<p>Intro &lt;b&gt; &#x41;&#66;</p><h2 id=\"a\">A</h2><p>x</p>";
        assert_eq!(
            sections(html, &[]),
            [section("", "", "Intro <b> AB"), section("A", "a", "x")]
        );
    }

    #[test]
    fn scripts_styles_and_comments_are_not_text() {
        let html = "<p>a<!-- hidden --></p><script>var x = '<p>';</script><style>p{}</style><svg><text>s</text></svg><p>b</p>";
        assert_eq!(sections(html, &[]), [section("", "", "a b")]);
    }

    #[test]
    fn code_blocks_are_text() {
        let html = "<pre class=\"code\"><code class=\"language-json\"><span class=\"s\">\"SiteURL\"</span>: <span>8065</span></code></pre>";
        assert_eq!(sections(html, &[]), [section("", "", "\"SiteURL\": 8065")]);
    }

    #[test]
    fn broken_markup_never_panics_and_keeps_the_text() {
        for html in [
            "<",
            "a < b",
            "<h2 id=\"x\">never closed",
            "<p class=\"unterminated>x",
            "&#xFFFFFFFF; &bogus; &",
            "<script>",
        ] {
            let _ = sections(html, &[]);
        }
        assert_eq!(sections("a < b", &[]), [section("", "", "a < b")]);
        assert_eq!(
            sections("&#xFFFFFFFF;&bogus;", &[])[0].text,
            "&#xFFFFFFFF;&bogus;"
        );
    }

    #[test]
    fn sections_are_cut_into_passages_at_word_boundaries() {
        let long = "word ".repeat(300);
        let sections = [
            section("Title", "", ""),
            section("A", "a", "short text"),
            section("B", "b", long.trim_end()),
        ];
        let passages = passages(&sections);
        assert_eq!(passages[0].text, "", "a heading without text is a passage");
        assert_eq!((passages[1].section, passages[1].text), (1, "short text"));
        let of_b: Vec<&Passage> = passages.iter().filter(|p| p.section == 2).collect();
        assert_eq!(of_b.len(), 3);
        for passage in &of_b {
            assert!(passage.text.chars().count() <= PASSAGE_CHARS);
            assert!(passage.text.starts_with("word") && passage.text.ends_with("word"));
            assert_eq!((passage.heading, passage.anchor), ("B", "b"));
        }
        let rejoined: Vec<&str> = of_b.iter().map(|p| p.text).collect();
        assert_eq!(
            rejoined.join(" "),
            long.trim_end(),
            "no text lost between passages"
        );
    }

    #[test]
    fn a_hostile_page_has_a_bounded_number_of_passages_and_short_headings() {
        let heading = "h".repeat(5000);
        let sections: Vec<Section> = (0..5000).map(|_| section(&heading, "x", "text")).collect();
        let passages = passages(&sections);
        assert_eq!(passages.len(), MAX_PASSAGES);
        assert!(passages[0].heading.chars().count() <= HEADING_CHARS);
        let word = "é".repeat(5000);
        let sections = [section("", "", &word)];
        let passages = super::passages(&sections);
        assert!(
            passages
                .iter()
                .all(|p| p.text.chars().count() <= PASSAGE_CHARS)
        );
        assert_eq!(
            passages.iter().map(|p| p.text.len()).sum::<usize>(),
            word.len()
        );
    }
}
