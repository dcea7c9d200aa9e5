//! Link slots: what lets one rendering of a blob serve every version that holds it.
//!
//! A page's HTML does not depend on where its links point, except at the links themselves.
//! So the renderer ([`super::parse`]) writes a *slot token* wherever a resolved address (or a
//! referenced page's title, or a file's size) belongs, and records which link it stands for;
//! after sanitizing, [`cut`] takes the tokens out, leaving the HTML in pieces and the slots'
//! positions. [`super::link`] then resolves the page's links against its own version and
//! [`Parsed::html`] joins the pieces with the fills: a copy, no parsing.
//!
//! Tokens are ASCII letters and digits only, so every escaping on the way (pulldown-cmark's
//! `escape_href`, the sanitizer's serializer) leaves them as they are, and they carry a nonce
//! derived from the page's own text, which the text therefore cannot contain by accident or
//! on purpose. Only destinations that cannot run anything are slotted (see
//! [`is_inert_destination`]): anything else is left in the HTML as written, for the sanitizer
//! to judge, so filling a slot after sanitizing never brings back what it would remove.

use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// How a slot's value is written into the HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Fill {
    /// A markdown link's or image's destination (written as pulldown-cmark writes hrefs).
    MarkdownHref,
    /// A URL attribute of the page's own HTML or of a GitBook block.
    AttributeUrl,
    /// The title of the page a `{% content-ref %}` points at (text).
    PageTitle,
    /// The size of the file a `{% file %}` offers for download (text).
    FileSize,
    /// The `width` and `height` attributes an image's file tells (with a leading space),
    /// or the one of them its author left out, in proportion to the other: the author's
    /// values are recorded here.
    ImageSize {
        width: Option<u32>,
        height: Option<u32>,
    },
}

/// One slot: which of the page's links fills it, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Slot {
    pub link: u32,
    pub fill: Fill,
}

/// The tokens of one page: a prefix unique to the page's text.
pub(crate) struct Tokens {
    prefix: String,
}

impl Tokens {
    pub fn for_text(text: &str) -> Tokens {
        // SipHash with fixed keys: deterministic across runs and machines.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut hasher);
        Tokens {
            prefix: format!("zqslot{:016x}n", hasher.finish()),
        }
    }

    /// The token of slot `index`.
    pub fn token(&self, index: usize) -> String {
        format!("{}{index}q", self.prefix)
    }

    /// The slot whose token `value` (an attribute's value) is, if it is one of ours.
    pub fn slot_of(&self, value: &str) -> Option<usize> {
        value
            .strip_prefix(&self.prefix)?
            .strip_suffix('q')?
            .parse()
            .ok()
    }
}

/// HTML with its slots cut out: `pieces[0] slot[0] pieces[1] … slot[n-1] pieces[n]`, where a
/// slot may occur more than once (an HTML parser can clone a formatting element such as `<a>`).
/// The HTML itself may live in a file of the rendering cache instead of in memory (see
/// [`Body`]); only the slots' positions are serialized.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SlottedHtml {
    #[serde(skip)]
    html: Body,
    /// (byte offset in `html`, slot index), in order.
    at: Vec<(u32, u32)>,
}

/// Where the HTML of a rendering is: in memory, or at a place in a file (the rendering
/// cache keeps every page's HTML on disk so that a build's memory does not grow with the
/// site: compose reads each body back once, when it writes the page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Body {
    /// Not known (a rendering read from a cache file before its place was set).
    #[default]
    Missing,
    Held(String),
    Spilled {
        file: Arc<PathBuf>,
        offset: u64,
        len: usize,
        /// [`body_hash`] of the HTML, checked when it is read back.
        hash: u64,
    },
}

/// A hash of a rendering's HTML, to tell a damaged cache file from a good one.
pub(crate) fn body_hash(html: &[u8]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    html.hash(&mut hasher);
    hasher.finish()
}

impl SlottedHtml {
    /// The HTML with each slot replaced by `fills[slot]`.
    pub fn join(&self, fills: &[String]) -> std::io::Result<String> {
        let html = match &self.html {
            Body::Held(html) => std::borrow::Cow::Borrowed(html.as_str()),
            Body::Spilled {
                file,
                offset,
                len,
                hash,
            } => std::borrow::Cow::Owned(read_at(file, *offset, *len, *hash)?),
            Body::Missing => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "the rendering's HTML is not known",
                ));
            }
        };
        let extra: usize = self
            .at
            .iter()
            .map(|&(_, slot)| fills.get(slot as usize).map_or(0, String::len))
            .sum();
        let mut out = String::with_capacity(html.len() + extra);
        let mut copied = 0;
        for &(offset, slot) in &self.at {
            let offset = (offset as usize).min(html.len());
            let Some(piece) = html.get(copied..offset) else {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "a slot is not at a character boundary",
                ));
            };
            out.push_str(piece);
            if let Some(fill) = fills.get(slot as usize) {
                out.push_str(fill);
            }
            copied = offset;
        }
        out.push_str(html.get(copied..).unwrap_or_default());
        Ok(out)
    }

    /// The HTML, when it is held in memory.
    pub fn held(&self) -> Option<&str> {
        match &self.html {
            Body::Held(html) => Some(html),
            _ => None,
        }
    }

    /// From now on the HTML is read from `len` bytes at `offset` in `file`, whose hash
    /// must be `hash`.
    pub fn spill(&mut self, file: Arc<PathBuf>, offset: u64, len: usize, hash: u64) {
        self.html = Body::Spilled {
            file,
            offset,
            len,
            hash,
        };
    }
}

fn read_at(file: &Path, offset: u64, len: usize, hash: u64) -> std::io::Result<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(file)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = vec![0; len];
    file.read_exact(&mut bytes)?;
    if body_hash(&bytes) != hash {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the cached HTML was damaged",
        ));
    }
    String::from_utf8(bytes)
        .map_err(|err| std::io::Error::new(std::io::ErrorKind::InvalidData, err))
}

/// Takes the tokens of `tokens` out of `html`. Tokens naming no slot (`slots` of them) are
/// dropped too.
pub(crate) fn cut(html: &str, tokens: &Tokens, slots: usize) -> SlottedHtml {
    let mut out = String::with_capacity(html.len());
    let mut at = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&tokens.prefix) {
        out.push_str(&rest[..start]);
        let after = &rest[start + tokens.prefix.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let index = after[..digits].parse::<usize>().ok();
        match (index, after[digits..].strip_prefix('q')) {
            (Some(index), Some(tail)) => {
                if index < slots {
                    at.push((out.len() as u32, index as u32));
                }
                rest = tail;
            }
            // Not a token after all (cannot happen: the prefix is the page's own).
            _ => {
                out.push_str(&tokens.prefix);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    SlottedHtml {
        html: Body::Held(out),
        at,
    }
}

/// Whether a destination, as a browser will read it, names no scheme other than http(s):
/// a relative or rooted path, a fragment, or an `http(s)://` address. Only those are
/// slotted. The check follows the URL parser: ASCII tabs and newlines are ignored
/// anywhere, leading spaces and control characters are trimmed.
pub(crate) fn is_inert_destination(dest: &str) -> bool {
    let cleaned: String = dest
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme_end = cleaned.find(':');
    let path_start = cleaned.find(['/', '?', '#']);
    match (scheme_end, path_start) {
        (None, _) => true,
        (Some(colon), Some(path)) if path < colon => true,
        (Some(colon), _) => {
            let scheme = cleaned[..colon].to_ascii_lowercase();
            scheme == "http" || scheme == "https"
        }
    }
}

/// `value` written as a markdown link's destination is (pulldown-cmark's `escape_href`).
pub(crate) fn markdown_href(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_href(&mut out, value);
    out
}

/// `value` written as a quoted attribute value (as `html::rewrite_urls` writes them).
pub(crate) fn attribute_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The attributes of an [`Fill::ImageSize`] slot for an image file of `file` pixels
/// (width, height): both, or the one the author left out, keeping the file's proportions.
pub(crate) fn image_size_attributes(
    file: (u32, u32),
    width: Option<u32>,
    height: Option<u32>,
) -> String {
    let (file_width, file_height) = (u64::from(file.0.max(1)), u64::from(file.1.max(1)));
    // Rounded to the nearest pixel, never 0.
    let scaled =
        |given: u32, times: u64, by: u64| ((u64::from(given) * times + by / 2) / by).max(1);
    match (width, height) {
        (None, None) => format!(" width=\"{}\" height=\"{}\"", file.0, file.1),
        (Some(width), None) => format!(" height=\"{}\"", scaled(width, file_height, file_width)),
        (None, Some(height)) => format!(" width=\"{}\"", scaled(height, file_width, file_height)),
        (Some(_), Some(_)) => String::new(),
    }
}

/// `1536` → `1.5 KB`.
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit < UNITS.len() - 1 {
        size /= 1024.0;
        unit += 1;
    }
    let mut out = String::new();
    if unit == 0 {
        let _ = write!(out, "{bytes} bytes");
    } else {
        let _ = write!(out, "{size:.1} {}", UNITS[unit]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_html_joins_back_with_the_fills_in_place_of_the_tokens() {
        let tokens = Tokens::for_text("page");
        let html = format!(
            "<a href=\"{}\">x</a> <b>{}</b> <a href=\"{}\">again</a>",
            tokens.token(0),
            tokens.token(1),
            tokens.token(0)
        );
        let slotted = cut(&html, &tokens, 2);
        assert_eq!(
            slotted.join(&["a.html".into(), "Title".into()]).unwrap(),
            "<a href=\"a.html\">x</a> <b>Title</b> <a href=\"a.html\">again</a>"
        );
    }

    #[test]
    fn tokens_of_another_page_or_beyond_the_slots_are_not_filled() {
        let tokens = Tokens::for_text("page");
        let other = Tokens::for_text("other page");
        let html = format!("{} {}", other.token(0), tokens.token(7));
        let slotted = cut(&html, &tokens, 2);
        assert_eq!(
            slotted.join(&["X".into()]).unwrap(),
            format!("{} ", other.token(0))
        );
    }

    #[test]
    fn only_destinations_without_an_active_scheme_are_inert() {
        for inert in [
            "setup.md",
            "../a/b.md#x",
            "/docs/a.md",
            "#anchor",
            "https://example.com/a",
            "HTTP://example.com",
            "a/b:c.md",
            "?q=1:2",
        ] {
            assert!(is_inert_destination(inert), "{inert}");
        }
        for active in [
            "javascript:alert(1)",
            "jav\tascript:alert(1)",
            " \u{1}javascript:x",
            "JaVaScRiPt:x",
            "data:text/html,x",
            "vbscript:x",
            "mailto:a@b",
            "a:b.md",
        ] {
            assert!(!is_inert_destination(active), "{active:?}");
        }
    }

    #[test]
    fn image_sizes_fill_what_the_author_left_out_in_proportion() {
        assert_eq!(
            image_size_attributes((640, 480), None, None),
            " width=\"640\" height=\"480\""
        );
        assert_eq!(
            image_size_attributes((640, 480), Some(320), None),
            " height=\"240\""
        );
        assert_eq!(
            image_size_attributes((640, 480), None, Some(120)),
            " width=\"160\""
        );
        assert_eq!(image_size_attributes((640, 480), Some(1), Some(1)), "");
        assert_eq!(
            image_size_attributes((100_000, 1), Some(u32::MAX), None),
            " height=\"42950\""
        );
    }

    #[test]
    fn a_token_names_its_slot_and_nothing_else_does() {
        let tokens = Tokens::for_text("page");
        assert_eq!(tokens.slot_of(&tokens.token(12)), Some(12));
        assert_eq!(tokens.slot_of("a.png"), None);
        assert_eq!(tokens.slot_of(&Tokens::for_text("other").token(1)), None);
        assert_eq!(tokens.slot_of(&format!("{}x", tokens.token(1))), None);
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(10), "10 bytes");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(3 * 1024 * 1024), "3.0 MB");
    }
}
