//! Markdown to HTML: one page at a time, a pure function of the text and its context.
//!
//! Input: a page's markdown and a [`LinkResolver`] that knows the page's version (which
//! pages and files exist and their URLs). Output: [`Rendered`]: the body HTML, the title
//! (first H1), the table of contents, the anchors the page defines, and every link it
//! makes with the line it was written on, for the portal-wide link check. GitHub-flavoured
//! (tables, strikethrough, task lists, footnotes, alerts), GitBook blocks via `gitbook`,
//! code via `highlight`, raw HTML URLs via `html`, community pages through `sanitize`.
//! Never touches files, git or other pages.

pub mod gitbook;
pub mod highlight;
pub mod html;
pub mod links;
pub mod sanitize;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::Deserialize;

/// Whether a destination is followed (a link) or displayed (an image).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkKind {
    Link,
    Image,
}

/// What a link destination resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Left as written (another site, a scheme such as `mailto:`).
    Unchanged,
    /// Written as `href`; `target` is checked once every page is rendered.
    Rewritten { href: String, target: LinkTarget },
    /// Points at nothing; left as written and reported with `reason`.
    Broken { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// A page of the portal, by its index in the catalog, and the anchor asked for.
    Page {
        page: usize,
        fragment: Option<String>,
    },
    /// A file copied next to the pages, by its index among the linking page's doc set's
    /// assets (only referenced files are published).
    Asset(usize),
    /// Something that exists but is not checked further: a generated page (the
    /// integrations index), a file in the repository's web view.
    Elsewhere,
}

/// Resolves the destinations written in one page.
pub trait LinkResolver {
    fn resolve(&self, dest: &str, kind: LinkKind) -> Resolution;
}

/// How to render one page.
pub struct RenderContext<'a> {
    pub resolver: &'a dyn LinkResolver,
    /// Mattermost-managed docs are trusted; community-managed docs are sanitized.
    pub trusted: bool,
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

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// One link or image in a page, where it was written and what it resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkUse {
    pub line: u32,
    pub written: String,
    pub kind: LinkKind,
    pub resolution: Resolution,
}

/// YAML front matter: `title:` and `description:` (GitBook writes `description:`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
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

/// Front matter and the body text of a page (used for titles without rendering).
pub fn front_matter(text: &str) -> FrontMatter {
    match split_front_matter(text).0 {
        Some(yaml) => serde_yaml_ng::from_str::<Option<FrontMatter>>(yaml)
            .ok()
            .flatten()
            .unwrap_or_default(),
        None => FrontMatter::default(),
    }
}

/// Every link and image destination a page writes (markdown and raw HTML), as written.
/// `source` uses this to find the files a page needs before anything is rendered.
pub fn references(text: &str) -> Vec<String> {
    let (_, body, first_line) = split_front_matter(text);
    let pre = gitbook::preprocess(body, first_line);
    let mut out = Vec::new();
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

/// Renders one page.
pub fn convert(text: &str, context: &RenderContext) -> Rendered {
    let (yaml, body, first_line) = split_front_matter(text);
    let mut problems = Vec::new();
    let front_matter = match yaml {
        Some(yaml) => match serde_yaml_ng::from_str::<Option<FrontMatter>>(yaml) {
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
    let pre = gitbook::preprocess(body, first_line);
    problems.extend(pre.problems.iter().cloned());

    let mut renderer = Renderer {
        context,
        pre: &pre,
        events: Vec::new(),
        heading: None,
        code: None,
        title: None,
        toc: Vec::new(),
        anchors: Vec::new(),
        // The theme's own landmark ids are taken: a heading "Content" gets `content-1`.
        used_ids: sanitize::RESERVED_IDS
            .iter()
            .map(|id| (id.to_string(), 1))
            .collect(),
        links: Vec::new(),
    };
    for (event, range) in Parser::new_ext(&pre.text, parser_options()).into_offset_iter() {
        renderer.event(event, range.start);
    }
    let mut html = String::with_capacity(pre.text.len() * 2);
    pulldown_cmark::html::push_html(&mut html, renderer.events.into_iter());
    if !context.trusted {
        html = sanitize::sanitize(&html);
    }
    Rendered {
        html,
        title: renderer.title,
        front_matter,
        toc: renderer.toc,
        anchors: renderer.anchors,
        links: renderer.links,
        problems,
    }
}

struct HeadingBuffer<'a> {
    level: HeadingLevel,
    events: Vec<Event<'a>>,
    text: String,
}

struct Renderer<'a, 'c> {
    context: &'c RenderContext<'c>,
    pre: &'c gitbook::Preprocessed,
    events: Vec<Event<'a>>,
    heading: Option<HeadingBuffer<'a>>,
    /// Language and text of the fenced code block being read.
    code: Option<(String, String)>,
    title: Option<String>,
    toc: Vec<TocEntry>,
    anchors: Vec<String>,
    used_ids: std::collections::HashMap<String, usize>,
    links: Vec<LinkUse>,
}

impl<'a> Renderer<'a, '_> {
    fn emit(&mut self, event: Event<'a>) {
        match &mut self.heading {
            Some(heading) => heading.events.push(event),
            None => self.events.push(event),
        }
    }

    fn event(&mut self, event: Event<'a>, offset: usize) {
        if let Some((_, code)) = &mut self.code {
            match event {
                Event::Text(text) => code.push_str(&text),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, code) = self.code.take().unwrap_or_default();
                    self.emit(Event::Html(
                        highlight::code_block(&code, &lang).to_string().into(),
                    ));
                }
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.heading = Some(HeadingBuffer {
                    level,
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
            Event::Html(raw) => {
                let rewritten = self.rewrite_raw_html(&raw, offset);
                self.emit(Event::Html(rewritten.into()));
            }
            Event::InlineHtml(raw) => {
                let rewritten = self.rewrite_raw_html(&raw, offset);
                self.emit(Event::InlineHtml(rewritten.into()));
            }
            Event::Text(text) => {
                if let Some(heading) = &mut self.heading {
                    heading.text.push_str(&text);
                }
                self.emit(Event::Text(text));
            }
            Event::Code(code) => {
                if let Some(heading) = &mut self.heading {
                    heading.text.push_str(&code);
                }
                self.emit(Event::Code(code));
            }
            other => self.emit(other),
        }
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
        let resolution = self.context.resolver.resolve(&dest, kind);
        let href = match &resolution {
            Resolution::Rewritten { href, .. } => Some(href.clone()),
            _ => None,
        };
        self.links.push(LinkUse {
            line: self.pre.source_line(offset),
            written: dest.to_string(),
            kind,
            resolution,
        });
        href.map_or(dest, CowStr::from)
    }

    fn rewrite_raw_html(&mut self, raw: &str, offset: usize) -> String {
        self.anchors.extend(html::anchors(raw));
        let line = self.pre.source_line(offset);
        let resolver = self.context.resolver;
        let links = &mut self.links;
        html::rewrite_urls(raw, |attribute| {
            let kind = if attribute.name == "href" {
                LinkKind::Link
            } else {
                LinkKind::Image
            };
            let resolution = resolver.resolve(&attribute.value, kind);
            let href = match &resolution {
                Resolution::Rewritten { href, .. } => Some(href.clone()),
                _ => None,
            };
            links.push(LinkUse {
                line,
                written: attribute.value.clone(),
                kind,
                resolution,
            });
            href
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
        if (2..=3).contains(&level) && !text.is_empty() {
            self.toc.push(TocEntry {
                level,
                id: id.clone(),
                title: text,
            });
        }
        self.anchors.push(id.clone());
        let escaped = highlight::escape_html(&id);
        self.events
            .push(Event::Html(format!("<h{level} id=\"{escaped}\">").into()));
        self.events.extend(heading.events);
        self.events.push(Event::Html(
            format!(
                "<a class=\"anchor\" href=\"#{escaped}\" aria-hidden=\"true\">#</a></h{level}>\n"
            )
            .into(),
        ));
    }

    fn unique_id(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "section" } else { base };
        let count = self.used_ids.entry(base.to_string()).or_insert(0);
        let id = if *count == 0 {
            base.to_string()
        } else {
            format!("{base}-{count}")
        };
        *count += 1;
        id
    }
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
                trusted,
            },
        )
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
        for expected in ["<table>", "type=\"checkbox\"", "<del>old</del>", "footnote"] {
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
        assert!(
            out.html
                .contains("<pre class=\"code\"><code class=\"language-go\">")
        );
        assert!(out.html.contains("hl-"));
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
        let refs = references("[a](a.md) <img src=\"b.png\"> <me@example.com> ![c](<c d.png>)\n");
        assert_eq!(refs, ["a.md", "b.png", "c d.png"]);
    }

    #[test]
    fn slugs_keep_non_ascii_letters() {
        assert_eq!(slugify("Überblick & Setup"), "überblick--setup");
        assert_eq!(slugify("Using /jira commands"), "using-jira-commands");
    }
}
