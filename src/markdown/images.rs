//! Images in a page's finished HTML (written, and sanitized for community docs): status
//! badges taken out, every other image loaded lazily with a slot for its size.
//!
//! README-era docs open with CI and status badges (shields.io, codecov, Go Report Card,
//! a GitHub workflow's `badge.svg`): live build state of a branch, meaningless to a reader
//! of the docs and wrong on an archived version. [`finish`] removes each badge image with
//! the link around it and any paragraph or block those leave empty, whether markdown or raw
//! `<img>` wrote it; ordinary images stay. Every remaining `<img>` gets `loading="lazy"`
//! and `decoding="async"` (unless its author chose), and, when its address is a slot, an
//! [`Fill::ImageSize`] slot that the link stage fills with the `width` and `height` its file
//! states (`crate::image_size`), so the page does not jump as images arrive. The HTML
//! depends only on the page's text: the rendering stays keyed by blob.
//!
//! Input: HTML as pulldown-cmark, the sanitizer or a trusted author wrote it, with slot
//! tokens for addresses. Output: the same HTML less the badges, plus the new slots. Pure.

use super::LinkSource;
use super::html;
use super::slots::{Fill, Slot, Tokens};

/// Elements removed when a badge removal leaves them holding nothing but white space.
const COLLAPSIBLE: &[&str] = &["a", "p", "div", "span", "center", "picture"];
/// Elements whose content is text, not tags.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title", "xmp", "plaintext"];

/// The page's slots and links, for [`finish`] to read addresses and add size slots.
pub(crate) struct PageSlots<'p> {
    pub tokens: &'p Tokens,
    pub slots: &'p mut Vec<Slot>,
    pub links: &'p [LinkSource],
}

impl PageSlots<'_> {
    /// The link whose address an attribute value is a token of.
    fn link_of(&self, value: &str) -> Option<u32> {
        let slot = self.slots.get(self.tokens.slot_of(value)?)?;
        matches!(slot.fill, Fill::MarkdownHref | Fill::AttributeUrl).then_some(slot.link)
    }

    /// The address as the page wrote it.
    fn written<'v>(&'v self, value: &'v str) -> &'v str {
        self.link_of(value)
            .and_then(|link| self.links.get(link as usize))
            .map_or(value, |link| link.written.as_str())
    }

    fn new_slot(&mut self, link: u32, fill: Fill) -> String {
        self.slots.push(Slot { link, fill });
        self.tokens.token(self.slots.len() - 1)
    }
}

/// `html` without status badges, each other image lazy and with a size slot where its
/// address is one.
pub(crate) fn finish(html: String, page: &mut PageSlots) -> String {
    if !contains_ignoring_case(&html, "<img") {
        return html;
    }
    let pieces = pieces(&html);
    let mut removed = vec![false; pieces.len()];
    for (index, piece) in pieces.iter().enumerate() {
        if piece.start_tag() == Some("img") {
            let tag = &html[piece.range.clone()];
            removed[index] = html::attributes(tag)
                .iter()
                .find(|a| a.name == "src")
                .is_some_and(|src| is_badge(page.written(&src.value)));
        }
    }
    if removed.contains(&true) {
        collapse_emptied(&html, &pieces, &mut removed);
    }
    let mut out = String::with_capacity(html.len() + 64);
    for (piece, removed) in pieces.iter().zip(&removed) {
        let text = &html[piece.range.clone()];
        match (removed, piece.start_tag()) {
            (true, _) => {}
            (false, Some("img")) => out.push_str(&lazy_image(text, page)),
            (false, _) => out.push_str(text),
        }
    }
    out
}

fn contains_ignoring_case(text: &str, needle: &str) -> bool {
    text.as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Marks for removal each collapsible element that holds only white space, `<br>` and
/// removed pieces, at least one: innermost first, so that a paragraph of links of badges
/// goes with them. An outer element's scan jumps over each range already removed, so
/// deep nesting costs no more than its pieces.
fn collapse_emptied(html: &str, pieces: &[Piece], removed: &mut [bool]) {
    // For the first piece of a collapsed element: one past its end tag.
    let mut past: Vec<usize> = (1..=pieces.len()).collect();
    for start in (0..pieces.len()).rev() {
        let Some(name) = pieces[start].start_tag() else {
            continue;
        };
        if removed[start] || !COLLAPSIBLE.contains(&name) {
            continue;
        }
        let mut next = start + 1;
        let mut held_badge = false;
        while let Some(piece) = pieces.get(next) {
            if removed[next] {
                held_badge = true;
                next = past[next];
                continue;
            } else if !(piece.kind == Kind::Text && html[piece.range.clone()].trim().is_empty()
                || piece.start_tag() == Some("br"))
            {
                break;
            }
            next += 1;
        }
        if held_badge && pieces.get(next).is_some_and(|p| p.end_tag() == Some(name)) {
            removed[start..=next].fill(true);
            past[start] = next + 1;
        }
    }
}

/// An `<img>` start tag with `loading="lazy"`, `decoding="async"` and a size slot added
/// before its end, each unless the author wrote it.
fn lazy_image(tag: &str, page: &mut PageSlots) -> String {
    let Some(before_end) = tag.strip_suffix('>') else {
        return tag.to_string();
    };
    let before_end = before_end.strip_suffix('/').unwrap_or(before_end);
    let at = before_end.trim_end().len();
    let attributes = html::attributes(tag);
    let value_of = |name: &str| attributes.iter().find(|a| a.name == name).map(|a| &a.value);
    let mut added = String::new();
    let author_side = |name: &str| value_of(name).map(|value| side_in_pixels(value));
    let (width, height) = (author_side("width"), author_side("height"));
    let link = value_of("src").and_then(|src| page.link_of(src));
    if let Some(link) = link {
        match (width, height) {
            (Some(_), Some(_)) | (Some(None), _) | (_, Some(None)) => {}
            (width, height) => added.push_str(&page.new_slot(
                link,
                Fill::ImageSize {
                    width: width.flatten(),
                    height: height.flatten(),
                },
            )),
        }
    }
    if value_of("loading").is_none() {
        added.push_str(" loading=\"lazy\"");
    }
    if value_of("decoding").is_none() {
        added.push_str(" decoding=\"async\"");
    }
    format!("{}{added}{}", &tag[..at], &tag[at..])
}

/// An author's `width` or `height` in pixels (`320`, `320px`); `None` for other lengths
/// (`50%`), from which no proportion follows.
fn side_in_pixels(value: &str) -> Option<u32> {
    let value = value.trim();
    let number = value.strip_suffix("px").unwrap_or(value).trim_end();
    number.parse::<u32>().ok().filter(|side| *side > 0)
}

/// Whether an image address is a CI or status badge: any image of a badge service
/// (shields.io, badgen, badge.fury.io, Travis, Dependabot…), and elsewhere the addresses
/// badges have (`…/badge.svg` of a GitHub workflow, Codecov, Snyk; `/badge/` of Go Report
/// Card, pkg.go.dev; SonarCloud's `project_badges`; CircleCI's `gh/<repo>.svg`; GitLab's
/// `badges/<branch>/pipeline.svg`; AppVeyor's `status`). Only remote addresses: a file of
/// the docs is never taken for one.
pub fn is_badge(url: &str) -> bool {
    let url = url.trim();
    let Some(rest) = ["https://", "http://", "//"].iter().find_map(|scheme| {
        url.get(..scheme.len())
            .filter(|start| start.eq_ignore_ascii_case(scheme))
            .map(|_| &url[scheme.len()..])
    }) else {
        return false;
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest[..authority_end].to_ascii_lowercase();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    let host = host.strip_prefix("www.").unwrap_or(host);
    let after = &rest[authority_end..];
    let (path, query) = match after.split_once('?') {
        Some((path, query)) => (path, query.split('#').next().unwrap_or_default()),
        None => (after.split('#').next().unwrap_or_default(), ""),
    };
    let path = path.to_ascii_lowercase();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let last = segments.last().copied().unwrap_or_default();
    const BADGE_SERVICES: &[&str] = &[
        "shields.io",
        "badgen.net",
        "badge.fury.io",
        "badges.gitter.im",
        "badgesize.io",
        "travis-ci.org",
        "travis-ci.com",
        "api.dependabot.com",
        "api.codeclimate.com",
        "app.fossa.com",
        "app.fossa.io",
        "codecov.io",
        "coveralls.io",
        "goreportcard.com",
    ];
    let of_service = |service: &&str| {
        host == *service
            || host
                .strip_suffix(service)
                .is_some_and(|sub| sub.ends_with('.'))
    };
    BADGE_SERVICES.iter().any(of_service)
        || segments.iter().any(|s| {
            matches!(
                *s,
                "badge" | "badge.svg" | "badge.png" | "status-badge" | "project_badges"
            )
        })
        || (segments.contains(&"badges")
            && matches!(
                last,
                "pipeline.svg" | "coverage.svg" | "release.svg" | "status.svg"
            ))
        || (host == "circleci.com"
            && matches!(segments.first(), Some(&("gh" | "bb" | "api")))
            && (last.ends_with(".svg") || last.ends_with(".png")))
        || (host == "ci.appveyor.com" && path.starts_with("/api/projects/status"))
        || path.contains("/_apis/build/status")
        || matches!(query, "status.svg" | "status.png")
}

/// What a piece of HTML is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Start,
    End,
    /// A comment, doctype or processing instruction.
    Other,
}

#[derive(Debug)]
struct Piece {
    range: std::ops::Range<usize>,
    kind: Kind,
    /// The tag's name, lowercased.
    name: String,
}

impl Piece {
    fn start_tag(&self) -> Option<&str> {
        (self.kind == Kind::Start).then_some(self.name.as_str())
    }

    fn end_tag(&self) -> Option<&str> {
        (self.kind == Kind::End).then_some(self.name.as_str())
    }
}

/// `html` cut into text, tags and comments, in order and covering every byte. Quoted
/// attribute values may hold `>`; raw-text elements (`<script>`, `<style>`) hold text.
fn pieces(html: &str) -> Vec<Piece> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut at = 0;
    let push = |out: &mut Vec<Piece>, range: std::ops::Range<usize>, kind, name: &str| {
        out.push(Piece {
            range,
            kind,
            name: name.to_ascii_lowercase(),
        })
    };
    while let Some(found) = html[at..].find('<') {
        let lt = at + found;
        let (kind, end, name) = match bytes.get(lt + 1) {
            Some(b'!') if html[lt..].starts_with("<!--") => {
                let end = html[lt + 4..]
                    .find("-->")
                    .map_or(html.len(), |e| lt + 4 + e + 3);
                (Kind::Other, end, "")
            }
            Some(b'!' | b'?') => (Kind::Other, tag_end(html, lt + 1), ""),
            Some(b'/') if bytes.get(lt + 2).is_some_and(u8::is_ascii_alphabetic) => {
                let name = tag_name(html, lt + 2);
                (Kind::End, tag_end(html, lt + 2), name)
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let name = tag_name(html, lt + 1);
                (Kind::Start, tag_end(html, lt + 1 + name.len()), name)
            }
            _ => {
                at = lt + 1;
                continue;
            }
        };
        if text_start < lt {
            push(&mut out, text_start..lt, Kind::Text, "");
        }
        push(&mut out, lt..end, kind, name);
        at = end;
        if kind == Kind::Start && RAW_TEXT.iter().any(|raw| name.eq_ignore_ascii_case(raw)) {
            // Its text runs to its end tag.
            at = html[end..]
                .match_indices("</")
                .map(|(found, _)| end + found)
                .find(|&close| {
                    html.as_bytes()
                        .get(close + 2..close + 2 + name.len())
                        .is_some_and(|tag| tag.eq_ignore_ascii_case(name.as_bytes()))
                })
                .unwrap_or(html.len());
        }
        text_start = end;
    }
    if text_start < html.len() {
        push(&mut out, text_start..html.len(), Kind::Text, "");
    }
    out
}

fn tag_name(html: &str, from: usize) -> &str {
    let len = html[from..]
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b':')
        .count();
    &html[from..from + len]
}

/// One past the `>` that ends the tag whose attributes start at `from`, skipping quoted
/// values; the end of `html` when it never ends.
fn tag_end(html: &str, from: usize) -> usize {
    let bytes = html.as_bytes();
    let mut at = from;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'>' => return at + 1,
            b'=' => {
                at += 1;
                while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                    at += 1;
                }
                if let Some(&quote @ (b'"' | b'\'')) = bytes.get(at) {
                    at = html[at + 1..]
                        .find(quote as char)
                        .map_or(html.len(), |len| at + 1 + len + 1);
                }
            }
            _ => at += 1,
        }
    }
    html.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `finish` on HTML without slots: addresses as written.
    fn finished(html: &str) -> String {
        let tokens = Tokens::for_text(html);
        let mut slots = Vec::new();
        finish(
            html.to_string(),
            &mut PageSlots {
                tokens: &tokens,
                slots: &mut slots,
                links: &[],
            },
        )
    }

    #[test]
    fn badge_addresses_are_told_from_ordinary_images() {
        for badge in [
            "https://img.shields.io/circleci/project/github/mattermost/mattermost-plugin-jira/master.svg",
            "https://img.shields.io/badge/Mattermost%20Community-~Plugin%3A%20CircleCI-blue",
            "https://goreportcard.com/badge/github.com/matterpoll/matterpoll",
            "https://bestpractices.coreinfrastructure.org/projects/2588/badge",
            "https://github.com/mattermost/mattermost-plugin-google-calendar/actions/workflows/ci.yml/badge.svg",
            "https://github.com/o/r/workflows/CI/badge.svg?branch=master",
            "https://codecov.io/gh/o/r/branch/master/graph/badge.svg",
            "https://coveralls.io/repos/github/o/r/badge.svg?branch=master",
            "https://travis-ci.org/o/r.svg?branch=master",
            "https://api.travis-ci.com/o/r.svg",
            "https://circleci.com/gh/o/r.svg?style=svg",
            "https://dl.circleci.com/status-badge/img/gh/o/r/tree/master.svg",
            "https://badge.fury.io/js/x.svg",
            "https://badgen.net/npm/v/x",
            "https://api.dependabot.com/badges/status?host=github&repo=o/r",
            "https://sonarcloud.io/api/project_badges/measure?project=x&metric=alert_status",
            "https://ci.appveyor.com/api/projects/status/abc?svg=true",
            "https://gitlab.com/o/r/badges/master/pipeline.svg",
            "https://pkg.go.dev/badge/github.com/o/r.svg",
            "https://godoc.org/github.com/o/r?status.svg",
            "https://snyk.io/test/github/o/r/badge.svg",
            "https://app.codacy.com/project/badge/Grade/abc",
            "//img.shields.io/x",
            "HTTPS://IMG.SHIELDS.IO/X",
        ] {
            assert!(is_badge(badge), "{badge}");
        }
        for image in [
            "../.gitbook/assets/screenshot.png",
            "badge.svg",
            "docs/badge.svg",
            "/assets/badge.png",
            "https://user-images.githubusercontent.com/1/2.png",
            "https://raw.githubusercontent.com/o/mattermost-plugin-badges/master/assets/badges-list.png",
            "https://circleci.com/docs/guides/screenshot.jpg",
            "https://example.com/shields.io/logo.png",
            "https://notshields.io/logo.png",
            "mailto:a@b",
            "",
        ] {
            assert!(!is_badge(image), "{image}");
        }
    }

    #[test]
    fn a_paragraph_of_linked_badges_goes_with_them() {
        let html = "<h1 id=\"t\">Title</h1>\n<p><a href=\"https://circleci.com/gh/o/r\"><img src=\"https://img.shields.io/circleci/o/r.svg\" alt=\"Build Status\" /></a>\n<a href=\"https://codecov.io/gh/o/r\"><img src=\"https://img.shields.io/codecov/c/o/r.svg\" alt=\"Code Coverage\" /></a></p>\n<p>A plugin.</p>\n";
        assert_eq!(
            finished(html),
            "<h1 id=\"t\">Title</h1>\n\n<p>A plugin.</p>\n"
        );
    }

    #[test]
    fn badges_beside_text_go_alone_and_ordinary_images_stay() {
        let html = "<p>Status: <a href=\"x\"><img src=\"https://goreportcard.com/badge/o\"></a> and <a href=\"y\"><img src=\"shot.png\" alt=\"Shot\"></a></p>";
        assert_eq!(
            finished(html),
            "<p>Status:  and <a href=\"y\"><img src=\"shot.png\" alt=\"Shot\" loading=\"lazy\" decoding=\"async\"></a></p>"
        );
    }

    #[test]
    fn raw_html_badge_blocks_are_removed_and_named_anchors_kept() {
        let html = "<p align=\"center\">\n  <a href='https://x'><IMG SRC='https://img.shields.io/a'></a><br>\n  <img src=\"https://badgen.net/b\"/>\n</p>\n<div><a name=\"top\"></a></div><p></p>";
        assert_eq!(finished(html), "\n<div><a name=\"top\"></a></div><p></p>");
    }

    #[test]
    fn images_become_lazy_unless_their_author_said_otherwise() {
        assert_eq!(
            finished("<img src=a.png><img src=\"b.png\" loading=\"eager\" />"),
            "<img src=a.png loading=\"lazy\" decoding=\"async\"><img src=\"b.png\" loading=\"eager\" decoding=\"async\" />"
        );
        // Text that looks like a tag inside quotes, comments and scripts is left alone.
        let quoted =
            "<a title=\"<img src=x>\">t</a><!-- <img src=y> --><script>'<img src=z>'</script>";
        assert_eq!(finished(quoted), quoted);
    }

    #[test]
    fn size_slots_are_added_for_slotted_images_and_respect_the_author() {
        let tokens = Tokens::for_text("page");
        let mut slots = vec![
            Slot {
                link: 0,
                fill: Fill::MarkdownHref,
            };
            3
        ];
        let link = |written: &str| LinkSource {
            line: 1,
            written: written.to_string(),
            kind: super::super::LinkKind::Image,
            resolvable: true,
        };
        let links = [link("a.png"), link("b.png"), link("c.png")];
        for (index, slot) in slots.iter_mut().enumerate() {
            slot.link = index as u32;
        }
        let html = format!(
            "<img src=\"{}\" alt=\"\" /><img src=\"{}\" width=\"50%\"><img src=\"{}\" width=\"320px\">",
            tokens.token(0),
            tokens.token(1),
            tokens.token(2)
        );
        let out = finish(
            html,
            &mut PageSlots {
                tokens: &tokens,
                slots: &mut slots,
                links: &links,
            },
        );
        assert_eq!(slots.len(), 5);
        assert_eq!(slots[3].link, 0);
        assert_eq!(
            slots[3].fill,
            Fill::ImageSize {
                width: None,
                height: None
            }
        );
        assert_eq!(
            slots[4],
            Slot {
                link: 2,
                fill: Fill::ImageSize {
                    width: Some(320),
                    height: None
                }
            }
        );
        assert!(out.contains(&format!(
            "alt=\"\"{} loading=\"lazy\" decoding=\"async\" />",
            tokens.token(3)
        )));
        assert!(out.contains("width=\"50%\" loading=\"lazy\""), "{out}");
    }

    #[test]
    fn deeply_nested_badges_collapse_in_one_pass() {
        let depth = 20_000;
        let html = format!(
            "{}<img src=\"https://img.shields.io/x\">{}<p>kept</p>",
            "<span>".repeat(depth),
            "</span>".repeat(depth)
        );
        assert_eq!(finished(&html), "<p>kept</p>");
        let styles = "<style>a{}</style>".repeat(20_000);
        assert_eq!(
            finished(&format!("{styles}<img src=x>")).len(),
            styles.len() + 43
        );
    }

    #[test]
    fn unfinished_html_never_panics() {
        for html in [
            "<img",
            "<img src=\"",
            "<img src='a' x=",
            "<",
            "</",
            "<!--",
            "<!",
            "<?x",
            "<p><a><img src=https://img.shields.io/x",
            "<script><img src=x>",
            "<img src=x/>",
            "<img\u{e9} src=\u{e9}>",
        ] {
            let _ = finished(html);
        }
    }
}
