//! GitBook's template blocks (`{% hint %}`, `{% tabs %}`, `{% code %}`, `{% embed %}`,
//! `{% content-ref %}`, `{% file %}`, `{% include %}`, `{% swagger %}` …), turned into HTML
//! before markdown parsing.
//!
//! Works line by line and returns the rewritten text with a map from each output line to
//! its source line, so that links found by the parser are reported at the line the writer
//! sees (lines of an included file are reported at the `include`). Tags inside fenced code
//! and inline code are left alone; a tag sharing a line with text is split onto its own
//! line. Blocks that need the rest of the portal (a referenced page's title, a file's size)
//! become `<!--portico:…-->` markers that the renderer completes. Tags this module does not
//! know are dropped with a warning (their inner text stays), so no literal `{% … %}`
//! reaches a page.

use super::highlight::escape_html;

/// The rewritten source and where each of its lines came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Preprocessed {
    pub text: String,
    /// Byte offset in `text` where each output line starts.
    line_starts: Vec<usize>,
    /// `source_lines[i]` is the 1-based source line of output line `i` (0-based).
    pub source_lines: Vec<u32>,
    /// Problems found, as (source line, message).
    pub problems: Vec<(u32, String)>,
    /// Destinations named by blocks (`content-ref`, `file`, `include`), as written.
    pub references: Vec<String>,
}

impl Preprocessed {
    /// The source line of a byte offset in the rewritten text.
    pub fn source_line(&self, offset: usize) -> u32 {
        let output_line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        self.source_lines
            .get(output_line)
            .or(self.source_lines.last())
            .copied()
            .unwrap_or(1)
    }

    fn push_line(&mut self, line: &str, source_line: u32) {
        self.line_starts.push(self.text.len());
        self.text.push_str(line);
        self.text.push('\n');
        self.source_lines.push(source_line);
    }
}

/// Where `{% include %}` finds its files.
pub trait Includes {
    /// The text of the file `target` names (relative to the page being rendered), or why
    /// it cannot be included.
    fn include(&self, target: &str) -> Result<String, String>;
}

/// Includes nothing: for callers that only need the page's own text.
pub struct NoIncludes;

impl Includes for NoIncludes {
    fn include(&self, target: &str) -> Result<String, String> {
        Err(format!("{target} cannot be included here"))
    }
}

pub struct Options<'a> {
    pub includes: &'a dyn Includes,
    /// Whether `{% embed %}` of a video site may become an iframe (else a link card).
    pub allow_embeds: bool,
}

/// Hint styles GitBook offers; anything else renders as `info`.
const HINT_STYLES: [&str; 4] = ["info", "success", "warning", "danger"];
/// How deep includes may nest before it is surely a mistake.
const MAX_INCLUDE_DEPTH: usize = 8;
/// The prefix of the markers the renderer completes.
pub const MARKER: &str = "<!--portico:";

/// Rewrites GitBook block tags. `first_line` is the source line of `text`'s first line
/// (front matter may have been cut off above it).
pub fn preprocess(text: &str, first_line: u32, options: &Options) -> Preprocessed {
    let mut out = Preprocessed::default();
    if !text.contains("{%") {
        out.text.push_str(text);
        out.line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        out.source_lines = (0..out.line_starts.len() as u32)
            .map(|i| first_line + i)
            .collect();
        return out;
    }
    let mut processor = Processor {
        options,
        out,
        include_stack: Vec::new(),
    };
    processor.lines(text, |index| first_line + index);
    let mut out = processor.out;
    // Every line was written with a newline; the source's last line may have had none.
    if out.text.ends_with('\n') && !text.ends_with('\n') {
        out.text.pop();
    }
    out
}

struct Processor<'o> {
    options: &'o Options<'o>,
    out: Preprocessed,
    include_stack: Vec<String>,
}

impl Processor<'_> {
    /// Processes `text`; `line_of` maps a 0-based line index of `text` to a source line.
    fn lines(&mut self, text: &str, line_of: impl Fn(u32) -> u32) {
        let mut fence: Option<(char, usize)> = None;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            let line = line.strip_suffix('\n').unwrap_or(line);
            let line = line.strip_suffix('\r').unwrap_or(line);
            let line_no = line_of(index as u32);
            let trimmed = line.trim();
            if let Some(marker) = fence_marker(trimmed) {
                match fence {
                    None => fence = Some(marker),
                    Some((ch, len)) if marker.0 == ch && marker.1 >= len && is_closing(trimmed) => {
                        fence = None
                    }
                    Some(_) => {}
                }
                self.out.push_line(line, line_no);
                continue;
            }
            if fence.is_some() || !line.contains("{%") {
                self.out.push_line(line, line_no);
                continue;
            }
            let indent = &line[..line.len() - line.trim_start().len()];
            let segments = split_tags(line.trim_start());
            if segments.iter().all(|s| matches!(s, Segment::Text(_))) {
                self.out.push_line(line, line_no);
                continue;
            }
            for segment in segments {
                match segment {
                    Segment::Text(text) if text.trim().is_empty() => {}
                    Segment::Text(text) => self
                        .out
                        .push_line(&format!("{indent}{}", text.trim()), line_no),
                    Segment::Tag(tag) => self.tag(&tag, indent, line_no),
                }
            }
        }
    }

    fn emit(&mut self, indent: &str, lines: &[&str], line_no: u32) {
        for line in lines {
            if line.is_empty() {
                self.out.push_line("", line_no);
            } else {
                self.out.push_line(&format!("{indent}{line}"), line_no);
            }
        }
    }

    fn tag(&mut self, tag: &Tag, indent: &str, line_no: u32) {
        let attr = |key: &str| tag.attribute(key).map(|v| escape_html(&v));
        match tag.name.as_str() {
            "hint" => {
                let style = tag
                    .attribute("style")
                    .filter(|style| HINT_STYLES.contains(&style.as_str()))
                    .unwrap_or_else(|| "info".to_string());
                let open = format!("<div class=\"hint hint-{style}\" role=\"note\">");
                self.emit(indent, &[&open, ""], line_no);
            }
            "tabs" => self.emit(indent, &["<div class=\"tabs\">", ""], line_no),
            "tab" => {
                let title = attr("title").unwrap_or_else(|| "Tab".to_string());
                let open = format!(
                    "<section class=\"tab-panel\"><p class=\"tab-title\" role=\"heading\" aria-level=\"4\">{title}</p>"
                );
                self.emit(indent, &[&open, ""], line_no);
            }
            "endhint"
            | "endtabs"
            | "endswagger"
            | "endswagger-description"
            | "endswagger-parameter"
            | "endswagger-response" => self.emit(indent, &["", "</div>", ""], line_no),
            "endtab" => self.emit(indent, &["", "</section>", ""], line_no),
            "code" => {
                let mut marker = String::from("<!--portico:code");
                if let Some(title) = attr("title") {
                    marker.push_str(&format!(" title=\"{title}\""));
                }
                if tag.attribute("lineNumbers").is_some_and(|v| v == "true") {
                    marker.push_str(" line-numbers");
                }
                if tag.attribute("overflow").is_some_and(|v| v == "wrap") {
                    marker.push_str(" wrap");
                }
                marker.push_str("-->");
                self.emit(indent, &[&marker, ""], line_no);
            }
            "embed" => {
                let Some(url) = tag.attribute("url") else {
                    self.problem(
                        line_no,
                        "{% embed %} has no url; it is left out".to_string(),
                    );
                    return;
                };
                let card = embed_html(
                    &url,
                    tag.attribute("caption").as_deref(),
                    self.options.allow_embeds,
                );
                self.emit(indent, &[&card, ""], line_no);
            }
            "content-ref" | "page-ref" => {
                let key = if tag.name == "content-ref" {
                    "url"
                } else {
                    "page"
                };
                match tag.attribute(key) {
                    Some(url) => {
                        self.out.references.push(url.clone());
                        let marker =
                            format!("<!--portico:content-ref url=\"{}\"-->", escape_html(&url));
                        self.emit(indent, &[&marker, ""], line_no);
                    }
                    None => self.problem(
                        line_no,
                        format!("{{% {} %}} has no {key}; it is left out", tag.name),
                    ),
                }
            }
            "file" => match tag.attribute("src") {
                Some(src) => {
                    self.out.references.push(src.clone());
                    let caption = attr("caption").unwrap_or_default();
                    let marker = format!(
                        "<!--portico:file src=\"{}\" caption=\"{caption}\"-->",
                        escape_html(&src)
                    );
                    self.emit(indent, &[&marker, ""], line_no);
                }
                None => self.problem(line_no, "{% file %} has no src; it is left out".to_string()),
            },
            "include" => self.include(tag, line_no),
            "swagger" => {
                let method = tag
                    .attribute("method")
                    .unwrap_or_else(|| "get".to_string())
                    .to_ascii_lowercase();
                let path = format!(
                    "{}{}",
                    tag.attribute("baseUrl").unwrap_or_default(),
                    tag.attribute("path").unwrap_or_default()
                );
                let mut open = format!(
                    "<div class=\"api-endpoint\"><p class=\"api-signature\"><span class=\"api-method api-{}\">{}</span> <code>{}</code></p>",
                    escape_html(&method),
                    escape_html(&method.to_ascii_uppercase()),
                    escape_html(&path)
                );
                if let Some(summary) = attr("summary") {
                    open.push_str(&format!("<p class=\"api-summary\">{summary}</p>"));
                }
                self.emit(indent, &[&open, ""], line_no);
            }
            "swagger-description" => {
                self.emit(indent, &["<div class=\"api-description\">", ""], line_no)
            }
            "swagger-parameter" => {
                let name = attr("name").unwrap_or_default();
                let mut meta = vec![format!(
                    "in {}",
                    attr("in").unwrap_or_else(|| "query".to_string())
                )];
                if let Some(kind) = attr("type") {
                    meta.push(kind);
                }
                if tag.attribute("required").is_some_and(|v| v == "true") {
                    meta.push("required".to_string());
                }
                let open = format!(
                    "<div class=\"api-parameter\"><p class=\"api-parameter-name\"><code>{name}</code> <span class=\"api-parameter-meta\">{}</span></p>",
                    meta.join(" · ")
                );
                self.emit(indent, &[&open, ""], line_no);
            }
            "swagger-response" => {
                let status = attr("status").unwrap_or_default();
                let description = attr("description").unwrap_or_default();
                let open = format!(
                    "<div class=\"api-response\"><p class=\"api-status\"><span class=\"api-status-code\">{status}</span> {description}</p>"
                );
                self.emit(indent, &[&open, ""], line_no);
            }
            "endcode" | "endembed" | "endcontent-ref" | "endpage-ref" | "endfile" => {
                self.out.push_line("", line_no);
            }
            other if other.starts_with("end") => self.out.push_line("", line_no),
            other => {
                self.problem(
                    line_no,
                    format!("GitBook block {{% {other} %}} is not supported; only its inner text is shown"),
                );
                self.out.push_line("", line_no);
            }
        }
    }

    fn problem(&mut self, line: u32, message: String) {
        self.out.problems.push((line, message));
    }

    fn include(&mut self, tag: &Tag, line_no: u32) {
        let Some(target) = tag.first_argument() else {
            self.problem(
                line_no,
                "{% include %} names no file; write {% include \"path/to/file.md\" %}".to_string(),
            );
            return;
        };
        self.out.references.push(target.clone());
        if self.include_stack.contains(&target) {
            let mut chain = self.include_stack.clone();
            chain.push(target);
            self.problem(
                line_no,
                format!(
                    "include cycle: {}; the repeated include is left out",
                    chain.join(" → ")
                ),
            );
            return;
        }
        if self.include_stack.len() >= MAX_INCLUDE_DEPTH {
            self.problem(line_no, format!("includes nest deeper than {MAX_INCLUDE_DEPTH} levels at {target}; it is left out"));
            return;
        }
        match self.options.includes.include(&target) {
            Ok(text) => {
                self.include_stack.push(target);
                self.out.push_line("", line_no);
                self.lines(&text, |_| line_no);
                self.out.push_line("", line_no);
                self.include_stack.pop();
            }
            Err(reason) => self.problem(line_no, format!("cannot include {target}: {reason}")),
        }
    }
}

/// A link card for an embedded URL, with an iframe for video sites when embeds are allowed.
fn embed_html(url: &str, caption: Option<&str>, allow_embeds: bool) -> String {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .unwrap_or(url)
        .trim_start_matches("www.");
    let title = caption.filter(|c| !c.trim().is_empty()).unwrap_or(url);
    let card = format!(
        "<a class=\"embed-card\" href=\"{}\"><span class=\"embed-host\">{}</span><span class=\"embed-title\">{}</span></a>",
        escape_html(url),
        escape_html(host),
        escape_html(title)
    );
    let frame = allow_embeds
        .then(|| video_embed_url(url))
        .flatten()
        .map(|src| {
            format!(
                "<iframe class=\"embed-frame\" src=\"{}\" title=\"{}\" loading=\"lazy\" allowfullscreen></iframe>",
                escape_html(&src),
                escape_html(title)
            )
        })
        .unwrap_or_default();
    format!("<div class=\"embed\">{frame}{card}</div>")
}

/// The embeddable player address of a YouTube or Vimeo page.
fn video_embed_url(url: &str) -> Option<String> {
    let after_scheme = url.split("://").nth(1)?;
    let after_scheme = after_scheme.strip_prefix("www.").unwrap_or(after_scheme);
    let id_ok = |id: &str| {
        !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if let Some(query) = after_scheme.strip_prefix("youtube.com/watch?") {
        let id = query.split('&').find_map(|pair| pair.strip_prefix("v="))?;
        return id_ok(id).then(|| format!("https://www.youtube-nocookie.com/embed/{id}"));
    }
    if let Some(id) = after_scheme.strip_prefix("youtu.be/") {
        let id = id.split(['?', '#']).next()?;
        return id_ok(id).then(|| format!("https://www.youtube-nocookie.com/embed/{id}"));
    }
    if let Some(id) = after_scheme.strip_prefix("vimeo.com/") {
        let id = id.split(['?', '#', '/']).next()?;
        return (id_ok(id) && id.chars().all(|c| c.is_ascii_digit()))
            .then(|| format!("https://player.vimeo.com/video/{id}"));
    }
    None
}

/// A ``` or ~~~ fence opener/closer: its character and length.
fn fence_marker(trimmed: &str) -> Option<(char, usize)> {
    let ch = trimmed.chars().next()?;
    if ch != '`' && ch != '~' {
        return None;
    }
    let len = trimmed.chars().take_while(|&c| c == ch).count();
    (len >= 3).then_some((ch, len))
}

fn is_closing(trimmed: &str) -> bool {
    trimmed.chars().all(|c| c == '`' || c == '~')
}

/// A `{% name key="value" … %}` tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub name: String,
    body: String,
}

impl Tag {
    /// The value of `key="value"` (or `key='value'`, or `key=value`).
    pub fn attribute(&self, key: &str) -> Option<String> {
        let mut search = 0;
        while let Some(found) = self.body[search..].find(key) {
            let start = search + found;
            search = start + key.len();
            let boundary = start == 0 || self.body.as_bytes()[start - 1].is_ascii_whitespace();
            let rest = self.body[search..].trim_start();
            let Some(rest) = rest.strip_prefix('=').filter(|_| boundary) else {
                continue;
            };
            let rest = rest.trim_start();
            let quote = rest.chars().next()?;
            return if quote == '"' || quote == '\'' {
                let end = rest[1..].find(quote)?;
                Some(rest[1..1 + end].to_string())
            } else {
                Some(rest.split_whitespace().next()?.to_string())
            };
        }
        None
    }

    /// The first quoted argument: `{% include "a.md" %}` → `a.md`.
    fn first_argument(&self) -> Option<String> {
        let body = self.body.trim();
        let quote = body.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let end = body[1..].find(quote)?;
        Some(body[1..1 + end].to_string())
    }
}

/// Part of a line: plain text, or a tag.
#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Text(String),
    Tag(Tag),
}

/// Splits a line into text and `{% … %}` tags; tags inside inline code stay text.
fn split_tags(line: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut text = String::new();
    let mut rest = line;
    let mut in_code: Option<usize> = None;
    while !rest.is_empty() {
        if rest.starts_with('`') {
            let run = rest.chars().take_while(|&c| c == '`').count();
            in_code = match in_code {
                None => Some(run),
                Some(open) if open == run => None,
                other => other,
            };
            text.push_str(&rest[..run]);
            rest = &rest[run..];
            continue;
        }
        if in_code.is_none()
            && rest.starts_with("{%")
            && let Some(end) = rest.find("%}")
            && let Some(tag) = parse_tag(&rest[..end + 2])
        {
            if !text.is_empty() {
                segments.push(Segment::Text(std::mem::take(&mut text)));
            }
            segments.push(Segment::Tag(tag));
            rest = &rest[end + 2..];
            continue;
        }
        let next = rest.chars().next().map_or(1, char::len_utf8);
        text.push_str(&rest[..next]);
        rest = &rest[next..];
    }
    if !text.is_empty() {
        segments.push(Segment::Text(text));
    }
    segments
}

fn parse_tag(text: &str) -> Option<Tag> {
    let inner = text.strip_prefix("{%")?.strip_suffix("%}")?;
    let inner = inner
        .trim()
        .trim_start_matches('-')
        .trim_end_matches('-')
        .trim();
    let (name, body) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    Some(Tag {
        name: name.to_string(),
        body: body.trim().to_string(),
    })
}

/// Reads a `<!--portico:kind key="value" flag-->` marker: (kind, attribute lookup).
pub fn parse_marker(html: &str) -> Option<(String, Tag)> {
    let inner = html.trim().strip_prefix(MARKER)?.strip_suffix("-->")?;
    let (kind, body) = inner.split_once(' ').unwrap_or((inner, ""));
    Some((
        kind.to_string(),
        Tag {
            name: kind.to_string(),
            body: body.to_string(),
        },
    ))
}

impl Tag {
    /// Whether a bare flag (`line-numbers`) is present in a marker.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.body.split_whitespace().any(|word| word == flag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Files(&'static [(&'static str, &'static str)]);

    impl Includes for Files {
        fn include(&self, target: &str) -> Result<String, String> {
            self.0
                .iter()
                .find(|(path, _)| *path == target)
                .map(|(_, text)| text.to_string())
                .ok_or_else(|| "no such file".to_string())
        }
    }

    fn run(text: &str) -> Preprocessed {
        preprocess(
            text,
            1,
            &Options {
                includes: &NoIncludes,
                allow_embeds: false,
            },
        )
    }

    #[test]
    fn hints_become_callouts_with_markdown_inside() {
        let out = run("a\n{% hint style=\"warning\" %}\n**Careful**\n{% endhint %}\nb");
        assert!(
            out.text.contains(
                "<div class=\"hint hint-warning\" role=\"note\">\n\n**Careful**\n\n</div>"
            )
        );
        assert!(!out.text.contains("{%"));
    }

    #[test]
    fn output_lines_map_back_to_source_lines() {
        let out = run("a\n{% hint style=\"info\" %}\nx\n{% endhint %}\nlast");
        assert_eq!(out.source_line(out.text.find("last").unwrap()), 5);
        assert_eq!(out.source_line(out.text.find('x').unwrap()), 3);
    }

    #[test]
    fn tags_inside_code_are_left_alone() {
        let text = "```\n{% hint style=\"info\" %}\n```\n";
        assert_eq!(run(text).text, text);
        let inline = "Write `{% hint style=\"info\" %}` to open a hint.\n";
        assert_eq!(run(inline).text, inline);
    }

    #[test]
    fn tags_sharing_a_line_with_text_are_split_off() {
        let out = run("{% hint style=\"info\" %} Short note. {% endhint %}\n");
        assert!(
            out.text.contains("role=\"note\">\n\nShort note.\n\n</div>"),
            "{}",
            out.text
        );
    }

    #[test]
    fn unknown_tags_are_dropped_with_a_warning() {
        let out = run("{% mystery src=\"x\" %}\nbody\n{% endmystery %}");
        assert!(!out.text.contains("{%"));
        assert!(out.text.contains("body"));
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].0, 1);
    }

    #[test]
    fn tabs_are_sections_with_titles() {
        let out = run(
            "{% tabs %}\n{% tab title=\"Cloud\" %}\nA\n{% endtab %}\n{% tab title=\"Self-managed\" %}\nB\n{% endtab %}\n{% endtabs %}\n",
        );
        assert!(out.text.contains("<div class=\"tabs\">"));
        assert_eq!(out.text.matches("<section class=\"tab-panel\">").count(), 2);
        assert!(out.text.contains(">Self-managed</p>"));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
    }

    #[test]
    fn code_options_become_a_marker_for_the_renderer() {
        let out = run(
            "{% code title=\"server.go\" lineNumbers=\"true\" overflow=\"wrap\" %}\n```go\nx\n```\n{% endcode %}\n",
        );
        let (kind, tag) = parse_marker(out.text.lines().next().unwrap()).unwrap();
        assert_eq!(kind, "code");
        assert_eq!(tag.attribute("title").as_deref(), Some("server.go"));
        assert!(tag.has_flag("line-numbers") && tag.has_flag("wrap"));
    }

    #[test]
    fn embeds_are_link_cards_and_frames_only_when_allowed() {
        let text = "{% embed url=\"https://www.youtube.com/watch?v=abc_123\" %}\nDemo video\n{% endembed %}\n";
        let card = run(text);
        assert!(
            card.text
                .contains("<span class=\"embed-host\">youtube.com</span>")
        );
        assert!(!card.text.contains("<iframe"));
        assert!(card.text.contains("Demo video"));
        let framed = preprocess(
            text,
            1,
            &Options {
                includes: &NoIncludes,
                allow_embeds: true,
            },
        );
        assert!(
            framed
                .text
                .contains("src=\"https://www.youtube-nocookie.com/embed/abc_123\"")
        );
    }

    #[test]
    fn content_refs_and_files_are_markers_and_references() {
        let out = run(
            "{% content-ref url=\"setup/README.md\" %}\n[setup](setup/README.md)\n{% endcontent-ref %}\n{% file src=\"../.gitbook/assets/a b.pdf\" %}\nThe sheet\n{% endfile %}\n",
        );
        assert_eq!(
            out.references,
            ["setup/README.md", "../.gitbook/assets/a b.pdf"]
        );
        assert!(
            out.text
                .contains("<!--portico:content-ref url=\"setup/README.md\"-->")
        );
        assert!(
            out.text
                .contains("<!--portico:file src=\"../.gitbook/assets/a b.pdf\" caption=\"\"-->")
        );
    }

    #[test]
    fn includes_are_inlined_at_their_line_and_cycles_are_caught() {
        let files = Files(&[
            ("a.md", "From A\n{% include \"b.md\" %}\n"),
            ("b.md", "From B\n{% include \"a.md\" %}\n"),
        ]);
        let out = preprocess(
            "top\n{% include \"a.md\" %}\nend\n",
            1,
            &Options {
                includes: &files,
                allow_embeds: false,
            },
        );
        assert!(out.text.contains("From A") && out.text.contains("From B"));
        assert_eq!(out.source_line(out.text.find("From B").unwrap()), 2);
        assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
        assert!(
            out.problems[0].1.contains("a.md → b.md → a.md"),
            "{:?}",
            out.problems
        );
        let missing = run("{% include \"nope.md\" %}\n");
        assert!(missing.problems[0].1.contains("cannot include nope.md"));
    }

    #[test]
    fn swagger_blocks_become_a_readable_endpoint() {
        let out = run(
            "{% swagger method=\"post\" path=\"/api/v4/posts\" baseUrl=\"https://mm.example.com\" summary=\"Create a post\" %}\n{% swagger-description %}\nCreates it.\n{% endswagger-description %}\n{% swagger-parameter in=\"body\" name=\"channel_id\" type=\"string\" required=\"true\" %}\nThe channel.\n{% endswagger-parameter %}\n{% swagger-response status=\"201\" description=\"Created\" %}\n```json\n{}\n```\n{% endswagger-response %}\n{% endswagger %}\n",
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert!(out.text.contains("<span class=\"api-method api-post\">POST</span> <code>https://mm.example.com/api/v4/posts</code>"));
        assert!(out.text.contains("<code>channel_id</code> <span class=\"api-parameter-meta\">in body · string · required</span>"));
        assert!(
            out.text
                .contains("<span class=\"api-status-code\">201</span> Created")
        );
        assert_eq!(
            out.text.matches("<div").count(),
            out.text.matches("</div>").count()
        );
    }

    #[test]
    fn text_without_tags_is_unchanged_and_maps_one_to_one() {
        let out = run("a\nb\n");
        assert_eq!(out.text, "a\nb\n");
        assert_eq!(out.source_lines, [1, 2, 3]);
    }
}
