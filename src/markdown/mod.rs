//! Markdown to HTML: one page at a time, a pure function of the text and its context.
//!
//! Input: a page's markdown and a [`LinkResolver`] that knows the page's version (which
//! pages and files exist and their URLs). Output: [`Rendered`]: the body HTML, the title
//! (first H1), the table of contents, the anchors the page defines, and every link it
//! makes with the line it was written on, for the portal-wide link check. GitHub-flavoured
//! (tables, strikethrough, task lists, footnotes, alerts), GitBook blocks via `gitbook`,
//! code via `highlight`, raw HTML URLs via `html`, community pages through `sanitize`,
//! status badges left out and images made lazy and sized via `images`.
//! Never touches files, git or other pages.

pub mod deployments;
pub mod gitbook;
pub mod highlight;
pub mod html;
pub(crate) mod images;
pub mod links;
pub mod nesting;
pub mod sanitize;
pub(crate) mod slots;
pub(crate) mod svg;

use std::cell::RefCell;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use sha2::Digest;

use slots::{Fill, Slot, SlottedHtml, Tokens};

use crate::{escape, paths};

/// Whether a destination is followed (a link) or displayed (an image).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LinkKind {
    Link,
    Image,
}

/// What a link destination resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// Left as written (another site, a scheme such as `mailto:`).
    Unchanged,
    /// Written as `href`; `target` is checked once every page is rendered.
    Rewritten { href: String, target: LinkTarget },
    /// Points at nothing; left as written and reported with `reason`.
    Broken { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    /// A page of the portal, by its site-relative output path, and the anchor asked for.
    /// (An address, not an index, so that a rendering stays valid when other pages come
    /// and go while serving.)
    Page {
        output_path: String,
        fragment: Option<String>,
    },
    /// A file copied next to the pages, by its index among the linking page's doc set's
    /// assets (only referenced files are published).
    Asset(usize),
    /// Something that exists but is not checked further: a generated page (the
    /// integrations index), a file in the repository's web view.
    Elsewhere,
}

/// What a page may ask of the rest of the portal while it is rendered.
pub trait LinkResolver {
    /// What a destination written in the page points at.
    fn resolve(&self, dest: &str, kind: LinkKind) -> Resolution;

    /// The file `target` names in an `{% include %}` written in file `from`: its path and
    /// text, or why it cannot be included.
    fn include(&self, _from: &str, target: &str) -> Result<(String, String), String> {
        Err(format!("{target} cannot be included here"))
    }

    /// The title of another page (by output path), for `{% content-ref %}` cards.
    fn page_title(&self, _output_path: &str) -> Option<String> {
        None
    }

    /// The size in bytes of one of the page's files, for `{% file %}` download links.
    fn asset_size(&self, _asset: usize) -> Option<u64> {
        None
    }

    /// The width and height in pixels one of the page's files states, if it is an image
    /// that states them, for `<img width height>`.
    fn image_size(&self, _asset: usize) -> Option<(u32, u32)> {
        None
    }
}

/// A resolver's includes, as the GitBook preprocessor wants them.
struct ResolverIncludes<'a>(&'a dyn LinkResolver);

impl gitbook::Includes for ResolverIncludes<'_> {
    fn include(&self, from: &str, target: &str) -> Result<(String, String), String> {
        self.0.include(from, target)
    }
}

/// How to parse one page: everything its rendering may depend on besides its text.
pub struct ParseContext<'a> {
    /// Files `{% include %}` may pull in (the page's version's).
    pub includes: &'a dyn gitbook::Includes,
    /// Source path of the page (where `{% include %}` paths start).
    pub page: &'a str,
    /// Mattermost-managed docs are trusted; community-managed docs are sanitized.
    pub trusted: bool,
    /// Whether `{% embed %}` of a video may become an iframe (`[site] allow_embeds`).
    pub allow_embeds: bool,
}

#[cfg(test)]
impl ParseContext<'static> {
    /// A trusted `README.md` without includes or embeds, for tests.
    pub(crate) fn plain_readme() -> Self {
        ParseContext {
            includes: &gitbook::NoIncludes,
            page: "README.md",
            trusted: true,
            allow_embeds: false,
        }
    }
}

/// A page rendered as far as it can be without knowing where its links point (stage (b) of
/// DESIGN.md): the body HTML with link slots, the title, table of contents, anchors, the
/// links as written, and the page's own problems. A function of the page's text, its trust
/// and the files it includes, so one `Parsed` serves every version holding the same blob,
/// and is kept between builds (`render`'s cache).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parsed {
    body: SlottedHtml,
    slots: Vec<Slot>,
    /// Text of the first level-1 heading.
    pub title: Option<String>,
    pub front_matter: FrontMatter,
    pub toc: Vec<TocEntry>,
    /// Every anchor the page defines (heading ids, raw HTML ids), for link checking.
    pub anchors: Vec<String>,
    /// Every link and image, as written, in page order.
    pub links: Vec<LinkSource>,
    /// Problems in the page itself, as (line, message).
    pub problems: Vec<(u32, String)>,
    /// What the page marks as deployment-specific, with the lines (checked against the
    /// integration's deployments by the link stage).
    pub deployments: deployments::PageDeployments,
    /// What `{% include %}` pulled in, to tell whether this rendering is right for the same
    /// text in another version.
    includes: Vec<IncludeUse>,
}

/// A link or image as the page wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSource {
    pub line: u32,
    pub written: String,
    pub kind: LinkKind,
    /// Whether the link is resolved against the portal (else left as written: another
    /// scheme, such as `mailto:`, or one that could run script, for the sanitizer to judge).
    pub resolvable: bool,
}

/// One `{% include %}`: what the page asked for and what it got (path and a hash of the
/// text, or why nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct IncludeUse {
    from: String,
    target: String,
    found: Result<(String, String), String>,
}

/// A page's links resolved against its version (stage (c)): what the link check reads, and
/// the values that fill the rendering's slots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Linked {
    pub links: Vec<LinkUse>,
    fills: Vec<String>,
}

impl Parsed {
    /// The final body HTML of a page with these links (read back from the rendering cache
    /// when the body was spilled there).
    pub fn html(&self, linked: &Linked) -> std::io::Result<String> {
        self.body.join(&linked.fills)
    }

    /// The body, for the rendering cache to write and spill.
    pub(crate) fn body_mut(&mut self) -> &mut SlottedHtml {
        &mut self.body
    }

    /// The files `{% include %}` pulled in, by source path.
    pub fn included_paths(&self) -> impl Iterator<Item = &str> {
        self.includes
            .iter()
            .filter_map(|used| used.found.as_ref().ok().map(|(path, _)| path.as_str()))
    }

    /// Whether `{% include %}` would pull in the same files through `includes`: when it
    /// does, this rendering is right for a page of the same text there.
    pub fn includes_match(&self, includes: &dyn gitbook::Includes) -> bool {
        self.includes
            .iter()
            .all(|used| include_identity(includes.include(&used.from, &used.target)) == used.found)
    }
}

fn include_identity(found: Result<(String, String), String>) -> Result<(String, String), String> {
    found.map(|(path, text)| {
        let hash = sha2::Sha256::digest(text.as_bytes());
        (path, hash.iter().map(|b| format!("{b:02x}")).collect())
    })
}

/// Includes, recording each use (see [`Parsed::includes_match`]).
struct RecordingIncludes<'a> {
    inner: &'a dyn gitbook::Includes,
    used: RefCell<Vec<IncludeUse>>,
}

impl gitbook::Includes for RecordingIncludes<'_> {
    fn include(&self, from: &str, target: &str) -> Result<(String, String), String> {
        let found = self.inner.include(from, target);
        self.used.borrow_mut().push(IncludeUse {
            from: from.to_string(),
            target: target.to_string(),
            found: include_identity(found.clone()),
        });
        found
    }
}

/// How to render one page.
pub struct RenderContext<'a> {
    pub resolver: &'a dyn LinkResolver,
    /// Source path of the page (where `{% include %}` paths start).
    pub page: &'a str,
    /// Mattermost-managed docs are trusted; community-managed docs are sanitized.
    pub trusted: bool,
    /// Whether `{% embed %}` of a video may become an iframe (`[site] allow_embeds`).
    pub allow_embeds: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// Text of the first level-1 heading.
    pub title: Option<String>,
    pub front_matter: FrontMatter,
    pub toc: Vec<TocEntry>,
    /// Every anchor the page defines (heading ids, raw HTML ids), for link checking.
    pub anchors: Vec<String>,
    pub links: Vec<LinkUse>,
    /// Problems in the page itself, as (line, message).
    pub problems: Vec<(u32, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// One link or image in a page, where it was written and what it resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkUse {
    pub line: u32,
    pub written: String,
    pub kind: LinkKind,
    pub resolution: Resolution,
}

/// YAML front matter: `title:` and `description:` (GitBook writes `description:`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    /// `deployments: [cloud]`: the deployments the whole page is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployments: Option<deployments::Written>,
}

fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
}

/// Splits YAML front matter off the top of a page: (front matter, body, body's first line).
fn split_front_matter(text: &str) -> (Option<&str>, &str, u32) {
    // A byte-order mark is not part of the text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (None, text, 1);
    };
    let mut offset = 0;
    for (index, line) in rest.split_inclusive('\n').enumerate() {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return (Some(yaml), body, index as u32 + 3);
        }
        offset += line.len();
    }
    (None, text, 1)
}

/// A page's YAML front matter without its `---` lines: its first line is the file's second.
pub fn front_matter_yaml(text: &str) -> Option<&str> {
    split_front_matter(text).0
}

/// A page's title without rendering it: front matter `title:`, else the first `# Heading`
/// outside code. For cards that name another page (`{% content-ref %}`).
pub fn title_hint(text: &str) -> Option<String> {
    let (yaml, body, _) = split_front_matter(text);
    if let Some(title) = yaml
        .and_then(|yaml| crate::yaml::from_slice::<Option<FrontMatter>>(yaml.as_bytes()).ok())
        .flatten()
        .and_then(|front| front.title)
    {
        return Some(title);
    }
    let mut in_fence = false;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        } else if !in_fence && let Some(heading) = trimmed.strip_prefix("# ") {
            let heading = heading.trim().trim_end_matches('#').trim();
            if !heading.is_empty() {
                return Some(heading.to_string());
            }
        }
    }
    None
}

/// The text of every heading of a page, any level, in order (front matter skipped): what
/// `check --repo` matches the contribution template's required sections against.
pub fn heading_texts(text: &str) -> Vec<String> {
    let (_, body, _) = split_front_matter(text);
    let mut headings = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(body, parser_options()) {
        match (event, &mut current) {
            (Event::Start(Tag::Heading { .. }), _) => current = Some(String::new()),
            (Event::End(TagEnd::Heading(_)), heading) => headings.extend(heading.take()),
            (Event::Text(text) | Event::Code(text), Some(heading)) => heading.push_str(&text),
            _ => {}
        }
    }
    headings
}

/// Every link and image destination a page writes (markdown, raw HTML and GitBook blocks,
/// included files' too), as written. `source` uses this to find the files a page needs
/// before anything is rendered.
pub fn references(text: &str, page: &str, includes: &dyn gitbook::Includes) -> Vec<String> {
    let (_, body, first_line) = split_front_matter(text);
    let pre = gitbook::preprocess(
        body,
        first_line,
        &gitbook::Options {
            includes,
            allow_embeds: false,
            page,
        },
    );
    let mut out = pre.references.clone();
    for event in Parser::new_ext(&pre.text, parser_options()) {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) if !matches!(link_type, LinkType::Email) => {
                out.push(dest_url.into_string());
            }
            Event::Html(raw) | Event::InlineHtml(raw) => out.extend(
                html::attributes(&raw)
                    .into_iter()
                    .filter(html::is_url_attribute)
                    .map(|a| a.value),
            ),
            _ => {}
        }
    }
    out
}

/// Renders one page as far as it can be without knowing where its links point.
pub fn parse(text: &str, context: &ParseContext) -> Parsed {
    let text = without_nul(text);
    let (yaml, body, first_line) = split_front_matter(&text);
    let mut problems = Vec::new();
    let front_matter = match yaml {
        Some(yaml) => match crate::yaml::from_slice::<Option<FrontMatter>>(yaml.as_bytes()) {
            Ok(found) => found.unwrap_or_default(),
            Err(err) => {
                problems.push((
                    1,
                    format!("front matter is not valid YAML ({err}); it is ignored"),
                ));
                FrontMatter::default()
            }
        },
        None => FrontMatter::default(),
    };
    let includes = RecordingIncludes {
        inner: context.includes,
        used: RefCell::new(Vec::new()),
    };
    let pre = gitbook::preprocess(
        body,
        first_line,
        &gitbook::Options {
            includes: &includes,
            allow_embeds: context.allow_embeds,
            page: context.page,
        },
    );
    problems.extend(pre.problems.iter().cloned());
    let page_line = yaml.map(deployments::front_matter_line).unwrap_or(1);
    let page_deployments = deployments::PageDeployments {
        page: deployments::from_front_matter(
            front_matter.deployments.as_ref(),
            page_line,
            &mut problems,
        ),
        page_line,
        sections: pre.deployment_sections.clone(),
    };

    let mut renderer = Renderer::run(&pre, Tokens::for_text(&text));
    let mut html = String::with_capacity(pre.text.len() * 2);
    if context.trusted {
        pulldown_cmark::html::push_html(&mut html, renderer.events.into_iter());
        html = focusable_tables(html);
    } else {
        // Raw table tags can also make the parse quadratic without nesting (see
        // `nesting::MAX_FOSTERED`): only the parser can tell.
        let may_nest_too_deep =
            renderer.depth_bound() > nesting::MAX_HTML_DEPTH || renderer.raw_table_tags;
        let line_offsets =
            write_html_mapping_lines(&mut html, renderer.events, &renderer.event_offsets);
        // Adds no line, so the line mapping above still holds.
        html = focusable_tables(html);
        let (clean, flattened) = if may_nest_too_deep {
            sanitize::sanitize_bounded(&html)
        } else {
            (sanitize::sanitize_shallow(&html), None)
        };
        html = clean;
        if let Some(flattened) = flattened.filter(|flattened| flattened.dropped > 0) {
            problems.push((
                source_line(&pre, &line_offsets, flattened.html_line),
                format!(
                    "HTML nests deeper than {} levels; {} tags beyond that depth were dropped (their text is kept); nest less deeply",
                    nesting::MAX_HTML_DEPTH,
                    flattened.dropped
                ),
            ));
        }
    }
    // After sanitizing, which would drop `decoding` and cannot see through slot tokens.
    let html = images::finish(
        html,
        &mut images::PageSlots {
            tokens: &renderer.tokens,
            slots: &mut renderer.slots,
            links: &renderer.links,
        },
    );
    // The label goes in after sanitizing: it is Portico's own markup.
    let html = if page_deployments.page.is_empty() {
        html
    } else {
        deployments::page_label_html(&page_deployments.page) + &html
    };
    Parsed {
        body: slots::cut(&html, &renderer.tokens, renderer.slots.len()),
        slots: renderer.slots,
        title: renderer.title,
        front_matter,
        toc: renderer.toc,
        anchors: renderer.anchors,
        links: renderer.links,
        problems,
        deployments: page_deployments,
        includes: includes.used.into_inner(),
    }
}

/// What sanitizing this page as community-managed docs would remove or change, as
/// (source line, what), whatever the trust of its repository: for `check --repo`, which
/// warns about what a community-managed portal would strip.
pub fn community_removals(text: &str, context: &ParseContext) -> Vec<(u32, String)> {
    let text = without_nul(text);
    let (_, body, first_line) = split_front_matter(&text);
    let pre = gitbook::preprocess(
        body,
        first_line,
        &gitbook::Options {
            includes: context.includes,
            allow_embeds: context.allow_embeds,
            page: context.page,
        },
    );
    let renderer = Renderer::run(&pre, Tokens::for_text(&text));
    let mut html = String::with_capacity(pre.text.len() * 2);
    let line_offsets =
        write_html_mapping_lines(&mut html, renderer.events, &renderer.event_offsets);
    sanitize::removals(&focusable_tables(html))
        .into_iter()
        .map(|removal| {
            (
                source_line(&pre, &line_offsets, removal.html_line),
                removal.what,
            )
        })
        .collect()
}

/// `text` without NUL, which is not text (CommonMark replaces it; pulldown-cmark passes it
/// through).
fn without_nul(text: &str) -> std::borrow::Cow<'_, str> {
    match text.contains('\0') {
        true => std::borrow::Cow::Owned(text.replace('\0', "\u{FFFD}")),
        false => std::borrow::Cow::Borrowed(text),
    }
}

/// The source line of a 1-based line of HTML written by [`write_html_mapping_lines`].
fn source_line(pre: &gitbook::Preprocessed, line_offsets: &[usize], html_line: u64) -> u32 {
    let offset = usize::try_from(html_line.saturating_sub(1))
        .ok()
        .and_then(|line| line_offsets.get(line).or(line_offsets.last()))
        .copied()
        .unwrap_or(0);
    pre.source_line(offset)
}

/// Resolves a parsed page's links against its version: stage (c), cheap (no parsing).
pub fn link(parsed: &Parsed, resolver: &dyn LinkResolver) -> Linked {
    let links: Vec<LinkUse> = parsed
        .links
        .iter()
        .map(|source| LinkUse {
            line: source.line,
            written: source.written.clone(),
            kind: source.kind,
            resolution: if source.resolvable {
                resolver.resolve(&source.written, source.kind)
            } else {
                Resolution::Unchanged
            },
        })
        .collect();
    let fills = parsed
        .slots
        .iter()
        .map(|slot| fill(slot, &links, resolver))
        .collect();
    Linked { links, fills }
}

/// The text that takes a slot's place.
fn fill(slot: &Slot, links: &[LinkUse], resolver: &dyn LinkResolver) -> String {
    let Some(link) = links.get(slot.link as usize) else {
        return String::new();
    };
    let href = match &link.resolution {
        Resolution::Rewritten { href, .. } => href.as_str(),
        _ => link.written.as_str(),
    };
    match slot.fill {
        Fill::MarkdownHref => slots::markdown_href(href),
        Fill::AttributeUrl => slots::attribute_value(href),
        Fill::PageTitle => {
            let title = match &link.resolution {
                Resolution::Rewritten {
                    target: LinkTarget::Page { output_path, .. },
                    ..
                } => resolver.page_title(output_path),
                _ => None,
            };
            escape::escape_html(title.as_deref().unwrap_or(&link.written))
        }
        Fill::ImageSize { width, height } => match &link.resolution {
            Resolution::Rewritten {
                target: LinkTarget::Asset(asset),
                ..
            } => resolver
                .image_size(*asset)
                .map(|file| slots::image_size_attributes(file, width, height))
                .unwrap_or_default(),
            _ => String::new(),
        },
        Fill::FileSize => match &link.resolution {
            Resolution::Rewritten {
                target: LinkTarget::Asset(asset),
                ..
            } => resolver
                .asset_size(*asset)
                .map(|bytes| {
                    format!(
                        " <span class=\"file-size\">{}</span>",
                        slots::human_size(bytes)
                    )
                })
                .unwrap_or_default(),
            _ => String::new(),
        },
    }
}

/// Renders one page completely: [`parse`], then [`link`].
pub fn convert(text: &str, context: &RenderContext) -> Rendered {
    let parsed = parse(
        text,
        &ParseContext {
            includes: &ResolverIncludes(context.resolver),
            page: context.page,
            trusted: context.trusted,
            allow_embeds: context.allow_embeds,
        },
    );
    let linked = link(&parsed, context.resolver);
    Rendered {
        // Held in memory: joining cannot fail.
        html: parsed.html(&linked).unwrap_or_default(),
        title: parsed.title,
        front_matter: parsed.front_matter,
        toc: parsed.toc,
        anchors: parsed.anchors,
        links: linked.links,
        problems: parsed.problems,
    }
}

/// Tables scroll sideways when wider than the page (`display: block; overflow-x: auto`), so
/// each is focusable to scroll from the keyboard (axe `scrollable-region-focusable`). The
/// markdown writer spells a table's start tag exactly `<table>`; text never holds it
/// unescaped.
fn focusable_tables(html: String) -> String {
    if html.contains("<table>") {
        html.replace("<table>", "<table tabindex=\"0\">")
    } else {
        html
    }
}

/// Writes `events` as HTML into `html` and returns, for each line of it, where in the
/// preprocessed text it came from (`offsets[i]` for `events[i]`), so that a problem found
/// in the HTML can be reported at a source line: the furthest of the events that wrote on
/// the line (an end tag comes from where its element started, lines before).
fn write_html_mapping_lines(
    html: &mut String,
    events: Vec<Event>,
    offsets: &[usize],
) -> Vec<usize> {
    struct LineMapped<'h, 'c> {
        html: &'h mut String,
        current: &'c std::cell::Cell<usize>,
        /// The furthest offset among the events that wrote on the line being written.
        line_offset: usize,
        line_offsets: Vec<usize>,
    }
    impl std::fmt::Write for LineMapped<'_, '_> {
        fn write_str(&mut self, text: &str) -> std::fmt::Result {
            let current = self.current.get();
            self.line_offset = self.line_offset.max(current);
            for _ in text.bytes().filter(|b| *b == b'\n') {
                self.line_offsets.push(self.line_offset);
                self.line_offset = current;
            }
            self.html.push_str(text);
            Ok(())
        }
    }
    let current = std::cell::Cell::new(0);
    let mut writer = LineMapped {
        html,
        current: &current,
        line_offset: 0,
        line_offsets: Vec::new(),
    };
    let events = events.into_iter().enumerate().map(|(index, event)| {
        current.set(offsets.get(index).copied().unwrap_or(0));
        event
    });
    // Writing into a String cannot fail.
    let _ = pulldown_cmark::html::write_html_fmt(&mut writer, events);
    writer
        .line_offsets
        .push(writer.line_offset.max(current.get()));
    writer.line_offsets
}

/// What `{% code title="…" lineNumbers="true" overflow="wrap" %}` asks of a code block.
#[derive(Debug, Default)]
struct CodeOptions {
    title: Option<String>,
    line_numbers: bool,
    wrap: bool,
}

struct HeadingBuffer<'a> {
    level: HeadingLevel,
    /// Where the heading starts in the preprocessed text.
    offset: usize,
    events: Vec<Event<'a>>,
    text: String,
}

struct Renderer<'a, 'c> {
    /// The slot tokens of this page.
    tokens: Tokens,
    /// What each slot token stands for, by index.
    slots: Vec<Slot>,
    pre: &'c gitbook::Preprocessed,
    events: Vec<Event<'a>>,
    /// `event_offsets[i]`: where in the preprocessed text `events[i]` came from.
    event_offsets: Vec<usize>,
    /// Where the event being handled came from.
    offset: usize,
    heading: Option<HeadingBuffer<'a>>,
    /// Language and text of the fenced code block being read.
    code: Option<(String, String)>,
    /// `{% code %}` options for the next code block.
    code_options: Option<CodeOptions>,
    /// Elements the page closes somewhere (see `html::escape_unknown_tags`).
    closed_elements: std::collections::HashSet<String>,
    title: Option<String>,
    toc: Vec<TocEntry>,
    anchors: Vec<String>,
    /// Heading ids given so far, each with the next `-N` suffix to try for it.
    used_ids: std::collections::HashMap<String, usize>,
    links: Vec<LinkSource>,
    /// Start tags in the page's own HTML and in GitBook blocks, for [`Renderer::depth_bound`].
    raw_start_tags: usize,
    /// How deep the markdown elements being written are nested (with the heading being
    /// buffered): the elements a raw start tag could leave open, see [`Renderer::depth_bound`].
    open_depth: usize,
    /// For each raw start tag that can stay open, the markdown elements open around it.
    strandable: usize,
    /// Whether raw or GitBook HTML has table tags, which can make the parser move content
    /// out of a table node by node (see `nesting::MAX_FOSTERED`).
    raw_table_tags: bool,
    /// How deep the deepest highlighted code block's own markup nests.
    code_depth: usize,
}

impl<'c> Renderer<'c, 'c> {
    /// Renders the preprocessed text into events (and the page's facts), not yet HTML.
    fn run(pre: &'c gitbook::Preprocessed, tokens: Tokens) -> Self {
        let mut renderer = Renderer {
            tokens,
            slots: Vec::new(),
            pre,
            events: Vec::new(),
            event_offsets: Vec::new(),
            offset: 0,
            heading: None,
            code: None,
            code_options: None,
            closed_elements: html::closed_elements(&pre.text),
            title: None,
            toc: Vec::new(),
            anchors: Vec::new(),
            used_ids: std::collections::HashMap::new(),
            links: Vec::new(),
            raw_start_tags: 0,
            open_depth: 0,
            strandable: 0,
            raw_table_tags: false,
            code_depth: 0,
        };
        for (event, range) in Parser::new_ext(&pre.text, parser_options()).into_offset_iter() {
            renderer.event(event, range.start);
        }
        renderer
    }
}

impl<'a> Renderer<'a, '_> {
    /// An upper bound on how deep an HTML parser's open elements and pending formatting
    /// elements can get on this page, from what made it: each markdown nesting level writes
    /// at most three elements (a table, its body and a row), highlighted code nests as its
    /// own balanced markup says, and each start tag of raw HTML or of a GitBook block makes
    /// at most its element, two implied ones and a reopened formatting element (however it
    /// misnests). A raw element that stays open can also keep every markdown element around
    /// it open: a scope boundary (`<object>`, `<td>`, `<desc>`, …) hides them from their
    /// end tags (`*a <object> b*` leaves the `<em>` and `<p>` open), so each such tag adds
    /// three elements per markdown level open where it stands. Below the nesting limit the
    /// page needs no flattening pass.
    fn depth_bound(&self) -> usize {
        let mut depth = 0usize;
        let mut deepest = 0usize;
        for event in &self.events {
            match event {
                Event::Start(_) => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        // Headings are written as HTML of their own (one element and its anchor), and the
        // fragment sits in a context element.
        const OWN_WRAPPERS: usize = 8;
        3 * deepest + 4 * self.raw_start_tags + 3 * self.strandable + self.code_depth + OWN_WRAPPERS
    }
    fn emit(&mut self, event: Event<'a>) {
        match &event {
            Event::Start(_) => self.open_depth += 1,
            Event::End(_) => self.open_depth = self.open_depth.saturating_sub(1),
            _ => {}
        }
        match &mut self.heading {
            Some(heading) => heading.events.push(event),
            None => {
                self.events.push(event);
                self.event_offsets.push(self.offset);
            }
        }
    }

    fn event(&mut self, event: Event<'a>, offset: usize) {
        self.offset = offset;
        if self.code.is_some() {
            self.code_block_event(event);
            return;
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.heading = Some(HeadingBuffer {
                    level,
                    offset,
                    events: Vec::new(),
                    text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => self.finish_heading(),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(info) => info.into_string(),
                    pulldown_cmark::CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self.resolve(link_type, dest_url, LinkKind::Link, offset);
                self.emit(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self.resolve(link_type, dest_url, LinkKind::Image, offset);
                self.emit(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Html(raw) => self.block_html(&raw, offset),
            Event::InlineHtml(raw) => self.inline_html(&raw, offset),
            Event::Text(text) => {
                self.add_to_heading_text(&text);
                self.emit(Event::Text(text));
            }
            Event::Code(code) => {
                self.add_to_heading_text(&code);
                self.emit(Event::Code(code));
            }
            other => self.emit(other),
        }
    }

    /// Inside a fenced or indented code block: its text is gathered and the block written,
    /// highlighted, at its end.
    fn code_block_event(&mut self, event: Event<'a>) {
        match event {
            Event::Text(text) => {
                if let Some((_, code)) = &mut self.code {
                    code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let (lang, code) = self.code.take().unwrap_or_default();
                let block = self.code_block(&code, &lang);
                self.code_depth = self.code_depth.max(html::own_markup_depth(&block));
                self.emit(Event::Html(block.into()));
            }
            _ => {}
        }
    }

    /// A block of raw HTML, or the marker of a GitBook block to complete.
    fn block_html(&mut self, raw: &str, offset: usize) {
        let html = if raw.trim_start().starts_with(gitbook::MARKER) {
            self.complete_marker(raw, offset)
        } else {
            self.rewrite_raw_html(raw, offset)
        };
        self.count_raw_start_tags(&html);
        self.emit(Event::Html(html.into()));
    }

    fn inline_html(&mut self, raw: &str, offset: usize) {
        let rewritten = self.rewrite_raw_html(raw, offset);
        self.count_raw_start_tags(&rewritten);
        // A placeholder in a heading (`# Connect <your-jira-url>`) is part of its text.
        if let Some(heading) = &mut self.heading
            && rewritten.starts_with("&lt;")
        {
            heading.text.push_str(raw);
        }
        self.emit(Event::InlineHtml(rewritten.into()));
    }

    /// The text of the heading being buffered, if any, for its id and title.
    fn add_to_heading_text(&mut self, text: &str) {
        if let Some(heading) = &mut self.heading {
            heading.text.push_str(text);
        }
    }

    /// Counts the start tags of raw or GitBook HTML for [`Renderer::depth_bound`].
    fn count_raw_start_tags(&mut self, html: &str) {
        self.raw_start_tags += html::start_tags(html);
        // The heading being buffered is written as an element of its own.
        let open = self.open_depth + usize::from(self.heading.is_some());
        self.strandable += html::lasting_start_tags(html) * open;
        self.raw_table_tags |= html::has_table_tags(html);
    }

    fn resolve(
        &mut self,
        link_type: LinkType,
        dest: CowStr<'a>,
        kind: LinkKind,
        offset: usize,
    ) -> CowStr<'a> {
        if matches!(link_type, LinkType::Email) {
            return dest;
        }
        let line = self.pre.source_line(offset);
        match self.record_link(&dest, kind, line, Fill::MarkdownHref) {
            Some(token) => CowStr::from(token),
            None => dest,
        }
    }

    /// Records a link; for a resolvable one, returns the token of a slot that its
    /// address (filled as `fill` says) takes the place of.
    fn record_link(&mut self, dest: &str, kind: LinkKind, line: u32, fill: Fill) -> Option<String> {
        let resolvable = slots::is_inert_destination(dest);
        self.links.push(LinkSource {
            line,
            written: dest.to_string(),
            kind,
            resolvable,
        });
        resolvable.then(|| self.slot(fill))
    }

    /// A new slot for the link recorded last.
    fn slot(&mut self, fill: Fill) -> String {
        self.slots.push(Slot {
            link: self.links.len().saturating_sub(1) as u32,
            fill,
        });
        self.tokens.token(self.slots.len() - 1)
    }

    /// The HTML for a `<!--portico:…-->` marker left by the GitBook preprocessor.
    fn complete_marker(&mut self, raw: &str, offset: usize) -> String {
        let line = self.pre.source_line(offset);
        let Some((kind, marker)) = gitbook::parse_marker(raw) else {
            return String::new();
        };
        let attribute = |key: &str| marker.attribute(key).map(|v| decode_attribute(&v));
        match kind.as_str() {
            "code" => {
                self.code_options = Some(CodeOptions {
                    title: attribute("title"),
                    line_numbers: marker.has_flag("line-numbers"),
                    wrap: marker.has_flag("wrap"),
                });
                String::new()
            }
            // `{% endcode %}` without a code block inside: the options end with it.
            "endcode" => {
                self.code_options = None;
                String::new()
            }
            "content-ref" => {
                let url = attribute("url").unwrap_or_default();
                let escaped = escape::escape_html(&url);
                let (href, title) =
                    match self.record_link(&url, LinkKind::Link, line, Fill::AttributeUrl) {
                        Some(href) => (href, self.slot(Fill::PageTitle)),
                        None => (escaped.clone(), escaped),
                    };
                format!(
                    "<div class=\"content-ref\"><a href=\"{href}\"><span class=\"content-ref-title\">{title}</span></a></div>\n"
                )
            }
            "file" => {
                let src = attribute("src").unwrap_or_default();
                let caption = attribute("caption").filter(|c| !c.is_empty());
                let name = src.rsplit('/').next().unwrap_or(&src).to_string();
                let name = paths::percent_decode(&name);
                let (href, size) =
                    match self.record_link(&src, LinkKind::Link, line, Fill::AttributeUrl) {
                        Some(href) => (href, self.slot(Fill::FileSize)),
                        None => (escape::escape_html(&src), String::new()),
                    };
                let caption = caption
                    .map(|c| {
                        format!(
                            " <span class=\"file-caption\">{}</span>",
                            escape::escape_html(&c)
                        )
                    })
                    .unwrap_or_default();
                format!(
                    "<div class=\"file-download\"><a href=\"{href}\" download>{}</a>{size}{caption}</div>\n",
                    escape::escape_html(&name)
                )
            }
            _ => String::new(),
        }
    }

    /// A highlighted code block: a bar with its language (portico.js adds the copy button
    /// there) over the block, in a captioned figure when `{% code %}` asked for one.
    fn code_block(&mut self, code: &str, lang: &str) -> String {
        let block = highlight::code_block(code, lang);
        let options = self.code_options.take().unwrap_or_default();
        let mut classes = String::from("code-block");
        if options.wrap {
            classes.push_str(" code-wrap");
        }
        // The block's own name says the language: the visible label is not read twice.
        let label = highlight::language_label(lang)
            .map(|label| format!("<span class=\"code-lang\" aria-hidden=\"true\">{label}</span>"))
            .unwrap_or_default();
        let (element, bar) = match &options.title {
            Some(title) => (
                "figure",
                format!(
                    "<figcaption class=\"code-bar\"><span class=\"code-title\">{}</span>{label}</figcaption>",
                    escape::escape_html(title)
                ),
            ),
            None if label.is_empty() => ("div", String::new()),
            None => ("div", format!("<div class=\"code-bar\">{label}</div>")),
        };
        let mut out = format!("<{element} class=\"{classes}\">{bar}");
        if options.line_numbers {
            let lines = code.trim_end_matches('\n').lines().count().max(1);
            let numbers: Vec<String> = (1..=lines).map(|n| n.to_string()).collect();
            out.push_str(&format!(
                "<div class=\"code-numbered\"><pre class=\"code-gutter\" aria-hidden=\"true\">{}</pre>{}</div>",
                numbers.join("\n"),
                block.trim_end()
            ));
        } else {
            out.push_str(block.trim_end());
        }
        out.push_str(&format!("</{element}>\n"));
        out
    }

    fn rewrite_raw_html(&mut self, raw: &str, offset: usize) -> String {
        // `<issue-key>` in prose is a placeholder, not an element: show it as text.
        let raw = &html::escape_unknown_tags(raw, &self.closed_elements);
        self.anchors.extend(html::anchors(raw));
        let line = self.pre.source_line(offset);
        html::rewrite_urls(raw, |attribute| {
            let kind = if attribute.name == "href" {
                LinkKind::Link
            } else {
                LinkKind::Image
            };
            self.record_link(&attribute.value, kind, line, Fill::AttributeUrl)
        })
    }

    fn finish_heading(&mut self) {
        let Some(heading) = self.heading.take() else {
            return;
        };
        let text = heading.text.trim().to_string();
        let id = self.unique_id(&slugify(&text));
        let level = heading_number(heading.level);
        if level == 1 && self.title.is_none() && !text.is_empty() {
            self.title = Some(text.clone());
        }
        // A named link, not a hidden one: it can be focused, so screen readers must hear it.
        let label = escape::escape_html(&format!("Link to this section: {text}"));
        if (2..=3).contains(&level) && !text.is_empty() {
            self.toc.push(TocEntry {
                level,
                id: id.clone(),
                title: text,
            });
        }
        self.anchors.push(id.clone());
        let escaped = escape::escape_html(&id);
        self.events
            .push(Event::Html(format!("<h{level} id=\"{escaped}\">").into()));
        self.events.extend(heading.events);
        self.events.push(Event::Html(
            format!(
                "<a class=\"anchor\" href=\"#{escaped}\" aria-label=\"{label}\">#</a></h{level}>\n"
            )
            .into(),
        ));
        self.event_offsets.resize(self.events.len(), heading.offset);
    }

    /// `base`, or `base-1`, `base-2`, … : the first that no earlier heading of the page took
    /// (a heading "Setup 1" after two "Setup" gets `setup-1-1`, as on GitHub) and that is not
    /// the theme's own (a heading "Sidebar" gets `sidebar-1`, the theme keeps `id="sidebar"`).
    fn unique_id(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "section" } else { base };
        let mut count = self.used_ids.get(base).copied().unwrap_or(0);
        loop {
            let candidate = if count == 0 {
                base.to_string()
            } else {
                format!("{base}-{count}")
            };
            count += 1;
            if !self.used_ids.contains_key(&candidate) && !sanitize::is_theme_id(&candidate) {
                self.used_ids.insert(base.to_string(), count);
                self.used_ids.entry(candidate.clone()).or_insert(1);
                return candidate;
            }
        }
    }
}

/// Undoes the escaping the preprocessor applied to marker attribute values.
fn decode_attribute(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// GitHub-style heading anchors: lowercase, spaces to `-`, punctuation dropped
/// (`2. Configuration` → `2-configuration`), letters of every script kept.
pub fn slugify(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resolves `*.md` to `*.html`, knows `missing.png` is missing, leaves URLs alone.
    struct TestResolver;

    impl LinkResolver for TestResolver {
        fn resolve(&self, dest: &str, _kind: LinkKind) -> Resolution {
            if dest.starts_with("http") {
                Resolution::Unchanged
            } else if dest.contains("missing") {
                Resolution::Broken {
                    reason: "no such file".into(),
                }
            } else {
                Resolution::Rewritten {
                    href: dest.replace(".md", ".html"),
                    target: LinkTarget::Elsewhere,
                }
            }
        }
    }

    fn render(text: &str, trusted: bool) -> Rendered {
        convert(
            text,
            &RenderContext {
                resolver: &TestResolver,
                page: "README.md",
                trusted,
                allow_embeds: false,
            },
        )
    }

    /// The depth bound a community page gets, and its HTML before sanitizing.
    fn depth_bound_and_html(text: &str) -> (usize, String) {
        let pre = gitbook::preprocess(
            text,
            1,
            &gitbook::Options {
                includes: &gitbook::NoIncludes,
                allow_embeds: false,
                page: "README.md",
            },
        );
        let renderer = Renderer::run(&pre, Tokens::for_text(text));
        let bound = renderer.depth_bound();
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, renderer.events.into_iter());
        (bound, html)
    }

    /// Below the nesting limit, the bound must hold for the real parser: else a page could
    /// skip the flattening pass and still be deep.
    fn assert_bound_holds(text: &str) {
        let (bound, html) = depth_bound_and_html(text);
        if bound <= nesting::MAX_HTML_DEPTH {
            let actual = nesting::parser_depth(&html);
            assert!(
                actual <= bound,
                "parser depth {actual} > bound {bound} for {text:.200?}"
            );
        }
    }

    #[test]
    fn the_depth_bound_holds_for_misnesting_tables_lists_quotes_and_code() {
        let json = format!("```json\n{}{}\n```\n", "[".repeat(300), "]".repeat(300));
        for text in [
            "*a <object> b*\n\n".repeat(100),
            "*a <object> b* **c <table> d**\n".repeat(60),
            "<b id=1><p>x</p>\n".repeat(40),
            "<p><b id=i></p>".repeat(30),
            (0..60)
                .map(|i| format!("{}- x\n", "  ".repeat(i)))
                .collect(),
            format!("{} quoted\n", ">".repeat(150)),
            "<table><td>".repeat(30),
            "<select><option><b>x".repeat(30),
            "<svg><desc><i>x".repeat(30),
            "<div>".repeat(120),
            "| a | b |\n|---|---|\n| <b> | <i> |\n".repeat(10),
            "{% hint style=\"info\" %}\n".repeat(40),
            json,
            "# T <code>\n\n*x* `y` <a href=x>z".repeat(50),
            // A scope boundary hides the markdown elements around it from their end tags,
            // so each paragraph's five quotes, paragraph and emphasis stay open: this
            // reached depth 512 under a bound of 232 when a raw tag counted four levels.
            "> > > > > ***a <object> b***\n\n".repeat(50) + "</object>",
            "> > > > > ***a <td> b***\n\n".repeat(50),
            "- > - > ~~a *b <svg><desc>c* d~~\n\n".repeat(40) + "</svg>",
            "1. > ***a <math><mi>b***\n\n".repeat(40) + "</math>",
            "> - **a <caption> b**\n\n".repeat(40),
            "> > **a <template> b**\n\n".repeat(40) + "</template>",
            "> > # a <object> b\n\n".repeat(40) + "</object>",
            "| > x | y |\n|---|---|\n| **a <table> b** | <td> ~~c~~ |\n\n".repeat(20),
            "> > *a <select> b*\n\n".repeat(40) + "</select>",
            "> > *a <textarea> b*\n\n".repeat(20) + "</textarea>",
            "> > *a <!-- b*\n\n-->".repeat(20),
            "> > ~~a <p> b~~ <div> c\n\n".repeat(40),
            "> > **a <br> b <img src=x> c <hr>**\n\n".repeat(60),
            "{% hint %}\n> > **a <object> b**\n{% endhint %}\n".repeat(30) + "</object>",
            "> > *a <b id=1><b id=2><b id=3><b id=4> b*\n\n".repeat(20),
            "> > *a <svg><foreignObject><p>b* c\n\n".repeat(30) + "</svg>",
            "> > [a <object> b](x) `c`[^1]\n\n[^1]: > *d <applet>*\n".repeat(30)
                + "</object></applet>",
            format!("> > *a <object>\n\n```json\n{}\n```\n", "[".repeat(40)).repeat(8)
                + "</object>",
        ] {
            assert_bound_holds(&text);
        }
    }

    #[test]
    fn ordinary_pages_need_no_flattening_pass() {
        let page = "# Setup\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n  - two\n\n> note\n\n```go\nfunc main() { fmt.Println(\"x\") }\n```\n\n<img src=\"a.png\" width=\"300\"> <br>\n".repeat(20);
        let (bound, _) = depth_bound_and_html(&page);
        assert!(bound <= nesting::MAX_HTML_DEPTH, "{bound}");
    }

    /// Pieces of hostile pages for `the_depth_bound_holds_for_junk`.
    const JUNK_PIECES: &[&str] = &[
        "<b>",
        "</b>",
        "<i id=x>",
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<table>",
        "<td>",
        "<tr>",
        "<object>",
        "</object>",
        "<select>",
        "<svg>",
        "<math>",
        "<li>",
        "*em* ",
        "**strong** ",
        "\n\n",
        "\n- ",
        "\n> ",
        "`c` ",
        "{% hint %}\n",
        "<!--",
        // Emphasis, strikethrough and links left open across raw tags.
        "*a ",
        "b* ",
        "**c ",
        "d** ",
        "~~e ",
        "f~~ ",
        "[g ",
        "](h) ",
        // Scope boundaries and elements that swallow or reset what follows.
        "<desc>",
        "<mi>",
        "<caption>",
        "<marquee>",
        "<applet>",
        "<template>",
        "</template>",
        "<textarea>",
        "</textarea>",
        "<script>",
        "</script>",
        "-->",
        "<foreignObject>",
        "<annotation-xml encoding=text/html>",
        "<plaintext>",
        "<xmp>",
        "<th>",
        "<button>",
        "<form>",
        "<details><summary>",
        "</details>",
        // Formatting elements for reconstruction and the adoption agency.
        "<a href=x>",
        "</a>",
        "<nobr>",
        "<code>",
        "<em>",
        "</em>",
        "<font color=red>",
        // Void and breakout tags, counted as closing at once.
        "<br>",
        "<img src=x>",
        "<hr>",
        "<image>",
        "<input>",
        "<br-x>",
        // Markdown and GitBook blocks around them.
        "\n# h ",
        "\n| a | b |\n|---|---|\n| ",
        " | ",
        "\n- [ ] ",
        "\n1. ",
        "[^1] ",
        "\n[^1]: ",
        "    indented\n",
        "\n---\n",
        "\n```json\n[[[{\"a\":[1]}]]]\n```\n",
        "\n```html\n<div><b>x</b></div>\n```\n",
        "{% tabs %}\n{% tab title=\"A\" %}\n",
        "{% endtab %}\n",
        "{% endtabs %}\n",
        "{% code title=\"x\" lineNumbers=\"true\" %}\n",
        "{% endcode %}\n",
        "{% endhint %}\n",
    ];

    const UNIT_CONTAINERS: &[&str] = &["> ", "- ", "1. ", "- [ ] "];
    const UNIT_INLINE: &[(&str, &str)] = &[
        ("*a ", " b*"),
        ("**a ", " b**"),
        ("~~a ", " b~~"),
        ("_a ", " b_"),
        ("[a ", " b](x)"),
    ];
    const UNIT_RAW: &[&str] = &[
        "<object> c ",
        "<td> c ",
        "<th> c ",
        "<caption> c ",
        "<table> c ",
        "<svg><desc> c ",
        "<math><mi> c ",
        "<template> c ",
        "<select> c ",
        "<marquee> c ",
        "<applet> c ",
        "<button> c ",
        "<b> c ",
        "<a href=q> c ",
        "<p> c ",
        "</p> c ",
        "<div> c ",
        "</li> c ",
        "</blockquote> c ",
        "<nobr> c ",
        "<svg><foreignObject> c ",
        "<tr> c ",
        "</table> c ",
        "<h2> c ",
        "</h1> c ",
        "<font color=red> c ",
        "</td> c ",
        "</em> c ",
        "<br> c ",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 64,
            rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x0b0d_de97),
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })]
        /// One block (container markers, open emphasis, raw tags, the emphasis closed)
        /// repeated: the shape that leaves markdown elements open behind scope boundaries.
        #[test]
        fn the_depth_bound_holds_for_repeated_blocks_around_raw_tags(
            heading in proptest::bool::ANY,
            containers in proptest::collection::vec(0usize..UNIT_CONTAINERS.len(), 0..8),
            inline in proptest::collection::vec(0usize..UNIT_INLINE.len(), 0..5),
            raw in proptest::collection::vec(0usize..UNIT_RAW.len(), 1..3),
            repeats in 1usize..60,
        ) {
            let mut unit = String::from(if heading { "# " } else { "" });
            containers.iter().for_each(|&i| unit.push_str(UNIT_CONTAINERS[i]));
            inline.iter().for_each(|&i| unit.push_str(UNIT_INLINE[i].0));
            raw.iter().for_each(|&i| unit.push_str(UNIT_RAW[i]));
            inline.iter().rev().for_each(|&i| unit.push_str(UNIT_INLINE[i].1));
            unit.push_str("\n\n");
            let text = unit.repeat(repeats)
                + "</object></select></svg></math></template></marquee></applet></button></form>";
            assert_bound_holds(&text);
        }

        #[test]
        fn the_depth_bound_holds_for_junk(parts in proptest::collection::vec(0usize..JUNK_PIECES.len(), 0..200)) {
            // Closed at the end, so that they count as elements (see `escape_unknown_tags`).
            let text: String = parts.iter().map(|&i| JUNK_PIECES[i]).collect::<String>()
                + "</object></select></svg></math></textarea></script></template></button></form>";
            assert_bound_holds(&text);
        }
    }

    #[test]
    fn headings_get_github_style_ids_toc_and_title() {
        let out = render(
            "# Jira Plugin\n\n## 2. Configuration\n\n### Sub\n\n## Sub\n\n## Sub\n",
            true,
        );
        assert_eq!(out.title.as_deref(), Some("Jira Plugin"));
        assert!(
            out.html.contains("<h2 id=\"2-configuration\">"),
            "{}",
            out.html
        );
        let ids: Vec<_> = out.toc.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["2-configuration", "sub", "sub-1", "sub-2"]);
    }

    #[test]
    fn headings_never_take_the_theme_s_ids_and_the_toc_links_the_ids_given() {
        let out = render(
            "## Sidebar\n\n## Content\n\n## Search results\n\n## Tab 0 1\n\n## Tab completion\n\n## Sidebar\n",
            true,
        );
        let ids: Vec<_> = out.toc.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "sidebar-1",
                "content-1",
                "search-results-1",
                "tab-0-1-1",
                "tab-completion",
                "sidebar-2"
            ]
        );
        for id in ids {
            assert!(
                out.html.contains(&format!("<h2 id=\"{id}\">"))
                    && out.html.contains(&format!("href=\"#{id}\"")),
                "{id}: {}",
                out.html
            );
            assert!(out.anchors.iter().any(|anchor| anchor == id), "{id}");
        }
        assert!(!out.html.contains("id=\"sidebar\""), "{}", out.html);
    }

    #[test]
    fn a_numbered_id_is_not_given_twice() {
        let out = render("## Setup\n\n## Setup\n\n## Setup 1\n\n## Setup-1-1\n", true);
        let ids: Vec<_> = out.toc.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["setup", "setup-1", "setup-1-1", "setup-1-1-1"]);
    }

    #[test]
    fn links_are_rewritten_and_recorded_with_their_source_line() {
        let out = render(
            "intro\n\n{% hint style=\"info\" %}\nsee [setup](setup.md#install)\n{% endhint %}\n\n![x](missing.png)\n",
            true,
        );
        assert!(
            out.html.contains("href=\"setup.html#install\""),
            "{}",
            out.html
        );
        assert_eq!(out.links[0].line, 4);
        assert_eq!(out.links[1].line, 7);
        assert!(matches!(out.links[1].resolution, Resolution::Broken { .. }));
        assert!(out.html.contains("class=\"hint hint-info\""));
    }

    #[test]
    fn raw_html_images_are_rewritten_like_markdown_ones() {
        let out = render("<img width=\"500\" src=\"../a.md\"/>\n", true);
        assert!(out.html.contains("src=\"../a.html\""), "{}", out.html);
        assert_eq!(out.links.len(), 1);
    }

    #[test]
    fn gfm_features_render() {
        let out = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ and a note[^1]\n\n[^1]: the note\n",
            true,
        );
        for expected in [
            "<table tabindex=\"0\">",
            "type=\"checkbox\"",
            "<del>old</del>",
            "footnote",
        ] {
            assert!(
                out.html.contains(expected),
                "{expected} missing in {}",
                out.html
            );
        }
    }

    #[test]
    fn code_blocks_are_highlighted() {
        let out = render("```go\npackage main\n```\n", true);
        assert!(out.html.contains(
            "<div class=\"code-block\"><div class=\"code-bar\"><span class=\"code-lang\" aria-hidden=\"true\">go</span></div><pre class=\"code\" tabindex=\"0\" role=\"group\" aria-label=\"go code\"><code class=\"language-go\">"
        ), "{}", out.html);
        assert!(out.html.contains("hl-"));
    }

    #[test]
    fn code_blocks_without_a_language_have_no_label_but_a_name() {
        for source in [
            "```\nx\n```\n",
            "```text\nx\n```\n",
            "    x\n",
            "```<b>\nx\n```\n",
        ] {
            let out = render(source, false);
            assert!(!out.html.contains("code-lang"), "{source}: {}", out.html);
            assert!(
                out.html.contains("<div class=\"code-block\"><pre class=\"code\" tabindex=\"0\" role=\"group\" aria-label=\"Code\">"),
                "{source}: {}",
                out.html
            );
        }
    }

    #[test]
    fn community_pages_lose_scripts_but_keep_structure() {
        let out = render(
            "# T\n\n<script>alert(1)</script>\n\n<a href=\"x\" onclick=\"y()\">x</a>\n",
            false,
        );
        assert!(!out.html.contains("<script"));
        assert!(!out.html.contains("onclick"));
        assert!(out.html.contains("<h1 id=\"t\">"));
    }

    fn community_removals_of(text: &str) -> Vec<(u32, String)> {
        community_removals(text, &ParseContext::plain_readme())
    }

    #[test]
    fn heading_texts_are_every_heading_of_any_level_as_read() {
        let text = "---\ntitle: '# Not a heading'\n---\n# Demo\n\n#### Using `/demo`\n\nSetup\n-----\n\n```\n# code\n```\n";
        assert_eq!(heading_texts(text), ["Demo", "Using /demo", "Setup"]);
    }

    #[test]
    fn community_removals_name_what_sanitizing_strips_at_its_source_line() {
        let text = "---\ntitle: T\n---\n# T\n\nSome *text*\nand more <b onclick=\"go()\">bold</b>.\n\n<div>\n  <script>if (a<b) { document.write('<iframe>') }</script>\n</div>\n\n[x](javascript:alert(1)) <iframe src=\"https://x.example\"></iframe>\n";
        let found = community_removals_of(text);
        assert_eq!(
            found,
            [
                (7, "the event handler onclick of <b>".to_string()),
                (10, "a <script> element and its content".to_string()),
                (13, "a javascript: URL in the href of <a>".to_string()),
                (13, "a <iframe> element (its text is kept)".to_string()),
            ]
        );
    }

    #[test]
    fn community_removals_find_nothing_in_portico_s_own_markup() {
        let text = "# Title\n\n## Setup {#setup}\n\n{% hint style=\"info\" %}\nA hint with [a link](other.md#x) and ![img](a.png).\n{% endhint %}\n\n{% tabs %}\n{% tab title=\"One\" %}\nOne\n{% endtab %}\n{% endtabs %}\n\n```rust\nfn main() { println!(\"<script>\"); }\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\nA footnote[^1].\n\n[^1]: The note.\n\n> [!NOTE]\n> An alert.\n\n<details><summary>More</summary>\n\n<img src=\"a.png\" width=\"20\" alt=\"x\">\n\n</details>\n";
        assert_eq!(community_removals_of(text), []);
    }

    #[test]
    fn deep_html_in_community_pages_is_flattened_with_a_warning_at_its_line() {
        let text = format!(
            "# T\n\nintro\n\n{}deep{}\n\nafter\n",
            "<div>".repeat(2_000),
            "</div>".repeat(2_000)
        );
        let out = render(&text, false);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert_eq!(out.problems[0].0, 5);
        assert!(out.problems[0].1.contains("deeper than 512"));
        assert!(out.html.contains("deep") && out.html.contains("after"));
        assert_eq!(
            out.html.matches("<div>").count(),
            out.html.matches("</div>").count()
        );
        assert!(out.html.matches("<div>").count() <= nesting::MAX_HTML_DEPTH);
    }

    #[test]
    fn deep_blockquotes_in_community_pages_are_flattened() {
        let text = format!("# T\n\n{} deep\n", ">".repeat(2_000));
        let out = render(&text, false);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert_eq!(out.problems[0].0, 3);
        assert!(out.html.contains("deep"));
        let trusted = render(&text, true);
        assert!(trusted.problems.is_empty());
    }

    #[test]
    fn paragraphs_moved_out_of_an_open_table_are_kept_without_a_warning() {
        // Each paragraph is moved in front of the table: the parser's work would grow with
        // their square, so the page is rewritten first (see `nesting::MAX_FOSTERED`).
        let text = "<table>\n\n".to_string() + &"x\n\n".repeat(2_000);
        let out = render(&text, false);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.html.matches("<p>x</p>").count(), 2_000);
    }

    #[test]
    fn nul_never_reaches_the_html() {
        // Found by the property tests: pulldown-cmark passes NUL through in text and HTML.
        for trusted in [true, false] {
            let out = render("a\0b `c\0` <x\0y>\n\n<div>\0</div>\n", trusted);
            assert!(!out.html.contains('\0'), "{:?}", out.html);
            assert!(out.html.contains("a\u{FFFD}b"), "{:?}", out.html);
        }
    }

    #[test]
    fn front_matter_is_parsed_and_stripped() {
        let out = render(
            "---\ndescription: Set it up\n---\n\n# Setup\n\n[a](missing.md)\n",
            true,
        );
        assert_eq!(out.front_matter.description.as_deref(), Some("Set it up"));
        assert!(!out.html.contains("description"));
        assert_eq!(out.links[0].line, 7);
    }

    #[test]
    fn references_include_raw_html_and_skip_emails() {
        let refs = references(
            "[a](a.md) <img src=\"b.png\"> <me@example.com> ![c](<c d.png>)\n\n{% file src=\"d.pdf\" %}\n",
            "README.md",
            &gitbook::NoIncludes,
        );
        assert_eq!(refs, ["d.pdf", "a.md", "b.png", "c d.png"]);
    }

    #[test]
    fn slugs_keep_non_ascii_letters() {
        assert_eq!(slugify("Überblick & Setup"), "überblick--setup");
        assert_eq!(slugify("Using /jira commands"), "using-jira-commands");
    }
}
